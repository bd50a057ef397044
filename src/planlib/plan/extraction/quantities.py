"""Quantities in a plan's prose by their grammar: number [scale] measure [以上|以内|左右].

A number is arabic (1,500 / 93.5), Chinese (三十, 一千二百, 两万), a percentage written out
(百分之八十五) or a range (3—5, 三至五: its lower end); a scale is 万/亿/千/百; a measure is any
measure word (量词) or unit of ``data/extraction/quantities.yaml`` (a closed class of the
language, not a list of indicators). What is no quantity: a year (2022年), an ordinal (第3批),
a document number (〔2022〕5号), a date (1-3月) or a phone number (no measure follows).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from ...resources import data_dir

# the Chinese digits as plans write them (also the section and item numbers of structure.py)
CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


@dataclass(frozen=True)
class Grammar:
    """The word classes of ``quantities.yaml``."""

    measures: dict[str, tuple[str, ...]]
    scales: tuple[str, ...]
    suffixes: dict[str, tuple[str, ...]]
    verbs: dict[str, tuple[str, ...]]
    opening_verbs: tuple[str, ...]
    aspirational: tuple[str, ...]
    firm: tuple[str, ...]
    leads: tuple[str, ...]
    modals: tuple[str, ...]
    opening_modals: tuple[str, ...]
    respectively: tuple[str, ...] = ()
    joiners: tuple[str, ...] = ()

    @property
    def rates(self) -> tuple[str, ...]:
        return self.measures["rate"]

    def suffix_kind(self, suffix: str) -> str:
        return next((k for k, words in self.suffixes.items() if suffix in words), "")

    def verb_kind(self, verb: str) -> str:
        return next((k for k, words in self.verbs.items() if verb in words), "")


@lru_cache(maxsize=1)
def grammar() -> Grammar:
    """The grammar, read once from ``data/extraction/quantities.yaml``."""
    raw: dict[str, Any] = yaml.safe_load(
        (data_dir() / "extraction" / "quantities.yaml").read_text(encoding="utf-8")
    )

    def words(items: list[Any]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(str(w) for w in items))

    return Grammar(
        measures={k: words(v) for k, v in raw["measures"].items()},
        scales=words(raw["scales"]),
        suffixes={k: words(v) for k, v in raw["suffixes"].items()},
        verbs={k: words(v) for k, v in raw["verbs"].items()},
        opening_verbs=words(raw["opening_verbs"]),
        aspirational=words(raw["aspirational"]),
        firm=words(raw["firm"]),
        leads=words(raw["leads"]),
        modals=words(raw["modals"]),
        opening_modals=words(raw["opening_modals"]),
        respectively=words(raw.get("respectively") or []),
        joiners=words(raw.get("joiners") or []),
    )


@dataclass(frozen=True)
class Quantity:
    """A number with its measure: where it is, its value and unit as written (万平方米)."""

    start: int
    end: int  # after the suffix, if any
    value: float
    unit: str
    suffix: str
    chinese: bool  # written in Chinese numerals (三十所): silent when it is no target
    written: str  # number and unit as written, for messages
    ranged: bool = False

    @property
    def kind(self) -> str:
        """rate, count, amount or measure: the class of its measure word."""
        g = grammar()
        bare = self.unit.lstrip("".join(g.scales)) or self.unit
        for kind, words in g.measures.items():
            if self.unit in words or bare in words:
                return kind
        return "count"


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CN = r"[零〇一二两三四五六七八九十百千]+(?:点[零〇一二三四五六七八九]+)?"


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    g = grammar()
    measures = _alternation(tuple(w for ws in g.measures.values() for w in ws))
    suffixes = _alternation(tuple(w for ws in g.suffixes.values() for w in ws))
    scales = _alternation(g.scales)
    return re.compile(
        rf"(?<![\d.,，第])(?P<pct>百分之(?P<pctnum>{_CN}))"
        rf"|(?<![\d.,第])(?P<num>{_ARABIC})(?:\s?[-—–~～至到](?P<hi>{_ARABIC}))?"
        rf"\s?(?P<scale>{scales})?(?P<measure>{measures})(?P<suffix>{suffixes})?"
        rf"|(?<![第])(?P<cn>{_CN})(?:[至到](?P<cnhi>{_CN}))?(?P<cnscale>[万亿])?"
        rf"(?P<cnmeasure>{measures})(?P<cnsuffix>{suffixes})?"
    )


def chinese_value(word: str) -> float | None:
    """三十 → 30, 一千二百 → 1200, 两 → 2, 十二点五 → 12.5; None if it is not a numeral."""
    whole, _, fraction = word.partition("点")
    total = section = 0
    digit: int | None = None
    for ch in whole:
        if ch in CN_DIGITS:
            if digit is not None:  # 二〇二二: a digit string, not a counted numeral
                return None
            digit = CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        else:
            return None
    total = section + (digit or 0)
    if not whole or (total == 0 and "零" not in whole and "〇" not in whole):
        return None
    if fraction:
        if any(c not in CN_DIGITS for c in fraction):
            return None
        total_f = float(f"{total}." + "".join(str(CN_DIGITS[c]) for c in fraction))
        return total_f
    return float(total)


def _arabic(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def _from_match(m: re.Match[str]) -> Quantity | None:
    """The quantity a match of :func:`_pattern` spells, or None when it is a year or a date."""
    if m.group("pct"):
        value = chinese_value(m.group("pctnum"))
        if value is None:
            return None
        return Quantity(m.start(), m.end(), value, "%", "", True, m.group(0))
    if m.group("num"):
        value = _arabic(m.group("num"))
        unit = (m.group("scale") or "") + m.group("measure")
        suffix, ranged, chinese = m.group("suffix") or "", m.group("hi") is not None, False
        if unit == "年" and re.fullmatch(r"(19|20|21)\d\d", m.group("num")):
            return None  # a year
    else:
        value = chinese_value(m.group("cn"))
        unit = (m.group("cnscale") or "") + m.group("cnmeasure")
        suffix, ranged, chinese = m.group("cnsuffix") or "", m.group("cnhi") is not None, True
    if value is None:
        return None
    return Quantity(m.start(), m.end(), value, unit, suffix, chinese, m.group(0), ranged)


def find_quantities(text: str) -> list[Quantity]:
    """Every quantity in a normalised text, in order."""
    found = []
    for m in _pattern().finditer(text):
        q = _from_match(m)
        if q is None:
            continue
        if q.unit.startswith("个") and q.unit not in ("个", "个百分点", "个次"):
            continue  # 3个月, 5个工作日: a span of time
        if q.chinese and text[q.end : q.end + 1].isdigit():
            continue  # 一期2座教学楼: 一期 names a phase, the count follows
        found.append(q)
    return found
