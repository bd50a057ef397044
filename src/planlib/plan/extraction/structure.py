"""The marks a plan's structure is read by: its title, section and item numbers (一、 1.
（一） (1)), the blocks the outline is made of (:mod:`.outline`) and responsibility clauses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .quantities import CN_DIGITS
from .text import LinedText, normalise, squeeze


def chinese_number(word: str) -> int | None:
    """一 → 1, 十二 → 12, 二十三 → 23; None for anything else."""
    if not word or any(c not in CN_DIGITS and c != "十" for c in word):
        return None
    if "十" not in word:
        return CN_DIGITS[word] if len(word) == 1 else None
    tens, _, ones = word.partition("十")
    if "十" in ones or len(tens) > 1 or len(ones) > 1:
        return None
    value = (CN_DIGITS[tens] if tens else 1) * 10 + (CN_DIGITS[ones] if ones else 0)
    return value if value > 0 else None


# 一、 or 第一部分 (第一、 alone is an ordinal item, :mod:`.enumeration`)
_SECTION_RE = re.compile(
    r"^(?:第([一二三四五六七八九十]{1,3})部分[、.：:]?|([一二三四五六七八九十]{1,3})[、.])"
)
_ITEM_RES: dict[str, re.Pattern[str]] = {
    "arabic": re.compile(r"^(\d{1,3})[.、](?![\d%])"),
    "paren_cn": re.compile(r"^（([一二三四五六七八九十]{1,3})）"),
    "paren_num": re.compile(r"^（(\d{1,3})）"),
}
_CLOSERS = tuple('。）)；;：:！!？?”"」】')
_TITLE_ENDINGS = (
    "工作要点",
    "工作计划",
    "要点",
    "计划",
    "工作安排",
    "安排",
    "方案",
    "分解表",
    "任务表",
    "清单",
    "一览表",
)
_TITLE_RE = re.compile(
    r"(\d{4}|[〇零一二三四五六七八九]{4})年.{0,30}"
    r"(工作要点|工作计划|要点|计划|工作安排|安排|方案|分解表|任务表|清单|一览表)"
)


def item_marker(line: str) -> tuple[str, int, int] | None:
    """(style, number, length of the marker) when a normalised line opens with an item number."""
    for style, pattern in _ITEM_RES.items():
        m = pattern.match(line)
        if m:
            raw = m.group(1)
            number = int(raw) if raw.isdigit() else chinese_number(raw)
            if number:
                return style, number, m.end()
    return None


def section_marker(line: str) -> tuple[int, int] | None:
    """(number, length of the marker) when a normalised line opens with 一、 … 十二、."""
    m = _SECTION_RE.match(line)
    if not m:
        return None
    number = chinese_number(m.group(1) or m.group(2))
    return (number, m.end()) if number else None


def find_title(lines: Sequence[tuple[int, str]]) -> tuple[int, str] | None:
    """The first line that reads like a plan's title (…2022年工作要点), normalised.

    A line that ends with the genre word wins over one that only contains it, so the covering
    notice 关于印发《…2023年工作要点》的通知 does not become the title.
    """
    candidates = [(n, squeeze(t)) for n, t in lines]
    candidates = [(n, s) for n, s in candidates if 4 <= len(s) <= 60 and _TITLE_RE.search(s)]
    for number, s in candidates:
        if _TITLE_RE.search(s) and s.endswith(_TITLE_ENDINGS):
            return number, s
    for number, s in candidates:
        if not s.endswith("。"):
            return number, s
    return None


@dataclass
class Block:
    """A run of source lines: the preamble, a section heading or an item."""

    kind: str  # "preamble" | "section" | "subsection" | "item"
    number: int = 0
    section: int = 0
    style: str = ""
    lines: list[tuple[int, str]] = field(default_factory=list)
    intro: list[tuple[int, str]] = field(default_factory=list)  # prose under a section heading
    heading: bool = False  # an item whose first line is its title alone (1.全面从严治党)
    group: str = ""  # an item's subsection heading ((一)推进学前教育普及普惠), if any

    @property
    def first_line(self) -> int | None:
        return self.lines[0][0] if self.lines else None

    def joined(self) -> LinedText:
        """The block's text with line breaks joined and spaces and punctuation normalised."""
        return normalise(LinedText.join(self.lines))

    def intro_text(self) -> LinedText:
        """The prose between a section heading and its first item, normalised."""
        return normalise(LinedText.join(self.intro))


# labels that open a part of an item: kept out of its title
TEXT_LABEL_RE = re.compile(
    r"(目标任务|主要目标|工作目标|年度目标|任务目标|总体目标|具体目标|主要任务|重点任务|具体任务|"
    r"工作任务|主要措施|工作措施|具体措施|推进措施|保障措施|主要举措|工作举措|具体举措|"
    r"工作要求|完成时限|时间节点|工作内容|主要内容|具体内容)[：:]"
)


def has_clause_label(text: str) -> bool:
    """Whether a text holds a responsibility label (牵头处室：, 责任单位：…)."""
    return bool(_ANY_LABEL_RE.search(text))


def closes_strongly(prev_end: str) -> bool:
    """The previous line closed a sentence or a responsibility clause: a safe place for a new
    item even when its number is not the next one."""
    return prev_end.endswith(_CLOSERS) or bool(_LABEL_RE.search(prev_end))


# --- responsibility clauses -----------------------------------------------------------------------

_LABEL = r"(牵头|主责|主办|责任|负责|配合|协办|参与|协助)(处室|单位|科室|部门|股室)"
# a person named before the units (牵头领导：王某某 责任股室：…): where a clause may start, and
# whose names are not units
_PERSON = r"(?:牵头|分管|责任|联系|包保)(?:局|市|区|县)?(?:领导|局长|人)"
_LABEL_RE = re.compile(_LABEL + r"[：:]")
_ANY_LABEL_RE = re.compile(rf"(?:{_LABEL}|(?P<person>{_PERSON}))[：:]")
_OPEN_CLAUSE_RE = re.compile(r"[（(【]\s*(?:" + _LABEL + "|" + _PERSON + r")[：:]")
LEAD_LABELS = ("牵头", "主责", "主办")


@dataclass(frozen=True)
class Clause:
    """A responsibility clause: where it starts in the item text, units by role, whether cut."""

    start: int
    end: int
    lead: tuple[str, ...]
    responsible: tuple[str, ...]
    truncated: bool
    duplicates: tuple[str, ...] = ()


def split_units(text: str) -> list[str]:
    """Names separated by 、，；/, not splitting inside brackets: 各县（市、区）教育局 stays whole."""
    names: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch in "（(":
            depth += 1
        elif ch in "）)" and depth:
            depth -= 1
        if depth == 0 and ch in "、，,；;。/／":
            names.append("".join(current))
            current = []
            continue
        current.append(ch)
    names.append("".join(current))
    stripped = (n.strip().strip("：:。").strip() for n in names)
    return [n for n in stripped if n]


def _closing_bracket(text: str, start: int) -> int:
    """Index of the bracket closing the one at ``start`` (nested ones skipped); -1 if none."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] in "（(【":
            depth += 1
        elif text[i] in "）)】":
            depth -= 1
            if depth == 0:
                return i
    return -1


def count_clauses(text: str) -> int:
    """How many bracketed responsibility clauses a text holds (an item should have one)."""
    return len(_OPEN_CLAUSE_RE.findall(text))


def find_clause(text: str) -> Clause | None:
    """The responsibility clause of an item: (牵头处室：A。责任单位：B、C) or a bare 责任单位：… tail."""
    opens = list(_OPEN_CLAUSE_RE.finditer(text))
    if opens:
        start = opens[-1].start()
        close = _closing_bracket(text, start)
        truncated = close == -1
        inner = text[start + 1 : close if close != -1 else len(text)]
        end = close + 1 if close != -1 else len(text)
    else:
        bare = [
            m
            for m in _ANY_LABEL_RE.finditer(text)
            if m.start() == 0 or text[m.start() - 1] in "。；; "
        ]
        after = _ANY_LABEL_RE.finditer(text, bare[0].start()) if bare else iter(())
        if not any(m.group("person") is None for m in after):
            return None  # no label of units (a person alone is no responsibility clause)
        start = bare[0].start()
        inner = text[start:]
        end = len(text)
        truncated = False
    lead: list[str] = []
    responsible: list[str] = []
    duplicates: list[str] = []
    marks = list(_ANY_LABEL_RE.finditer(inner))
    for i, m in enumerate(marks):
        body = inner[m.end() : marks[i + 1].start() if i + 1 < len(marks) else len(inner)]
        if m.group("person") is not None:
            continue  # people, not units
        target = lead if m.group(1) in LEAD_LABELS else responsible
        for name in split_units(body):
            if name in target:
                duplicates.append(name)
            else:
                target.append(name)
    return Clause(start, end, tuple(lead), tuple(responsible), truncated, tuple(duplicates))
