"""The data dictionary (``data/dictionary.yaml``): what each column of a county return means.

Headers in returns are written by people: ``在园幼儿人数``, ``一般公共预算教育投入（亿元）``,
``３-５岁常住人口数``. :meth:`Dictionary.match` maps such a header to an element code and the
factor that converts the header's unit to the dictionary unit.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..errors import DictionaryError
from ..workspace import catalog_file
from .expressions import Linear, parse_expression

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 5x faster where installed

LEVELS = ("county", "school", "city")
KINDS = ("count", "amount", "flag")


@dataclass(frozen=True)
class Element:
    """One data element: a column of a return."""

    code: str
    name: str
    aliases: tuple[str, ...]
    unit: str
    level: str
    kind: str
    temporal: str
    minimum: float
    maximum: float
    required: bool = True
    seasonal: bool = False  # a flow that comes in one quarter (recruitment): no flow_jump check


@dataclass(frozen=True)
class Rule:
    """A cross-element rule: ``left op right`` for one org unit and period."""

    code: str
    left: Linear
    op: str
    right: Linear
    severity: str
    message: str


@dataclass(frozen=True)
class PeerRatio:
    """A ratio compared across the counties of one period (生均投入, 安置率 …): a county whose
    ratio is ``factor`` times the median of the others, or a ``factor``-th of it, is warned."""

    code: str
    name: str
    numerator: Linear
    denominator: Linear
    unit: str = ""
    factor: float | None = None  # None: Plausibility.peer_factor


@dataclass(frozen=True)
class Plausibility:
    """Order-of-magnitude thresholds (``plausibility`` in the dictionary file); every check they
    drive gives warnings, never errors, so a good return is never blocked by them."""

    magnitude_factor: float = 5.0  # a value this many times its last return's (or a fraction)
    magnitude_min_base: float = 10.0  # …when the larger of the two is at least this
    flow_factor: float = 5.0  # a quarter's increment vs the previous quarter's increment
    year_factor: float = 5.0  # a value vs the same quarter a year before
    peer_factor: float = 5.0  # a ratio vs the median of the other counties
    peer_min_units: int = 5  # counties with the ratio needed for a median
    stale_share: float = 0.95  # share of elements equal to the previous quarter's return
    stale_min_elements: int = 5  # elements compared, at least


@dataclass(frozen=True)
class HeaderMatch:
    """What a header means: an element, or an identifying column, with a unit factor."""

    kind: str  # "element", "org_code", "school_code", "name", "period", "info"
    element: str | None = None
    factor: float = 1.0
    unit: str | None = None
    unit_stated: bool = False  # the header itself names its unit: 一般公共预算教育投入（亿元）


_UNIT_TAIL = re.compile(r"[（(]([^（）()]*)[）)]$")


def normalise_header(text: Any) -> str:
    """A header compared loosely: NFKC (full-width → half-width), no spaces or line breaks."""
    s = unicodedata.normalize("NFKC", str(text if text is not None else ""))
    s = re.sub(r"\s+", "", s)
    return s.replace("~", "-").replace("～", "-").replace("—", "-").replace("–", "-")


@dataclass(frozen=True, eq=False)
class Dictionary:
    """Data elements, identifying headers, unit conversions and cross-element rules."""

    elements: tuple[Element, ...]
    id_headers: dict[str, tuple[str, ...]]
    units: dict[str, dict[str, float]]
    rules: tuple[Rule, ...]
    jump_threshold: float
    jump_min_base: float = 500.0
    path: str = ""
    plausibility: Plausibility = Plausibility()
    peer_ratios: tuple[PeerRatio, ...] = ()

    def __getitem__(self, code: str) -> Element:
        for e in self.elements:
            if e.code == code:
                return e
        raise KeyError(code)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(e.code for e in self.elements)

    def frame(self) -> pd.DataFrame:
        """One row per element: code, name, aliases, unit, level, kind, temporal, min, max."""
        return pd.DataFrame(
            [
                {
                    "code": e.code,
                    "name": e.name,
                    "aliases": "、".join(e.aliases),
                    "unit": e.unit,
                    "level": e.level,
                    "kind": e.kind,
                    "temporal": e.temporal,
                    "min": e.minimum,
                    "max": e.maximum,
                }
                for e in self.elements
            ]
        )

    def elements_at(self, level: str) -> tuple[Element, ...]:
        return tuple(e for e in self.elements if e.level == level)

    def match(self, header: Any) -> HeaderMatch | None:
        """What ``header`` means, or None when the dictionary does not know it."""
        return _matcher(self)(normalise_header(header))


@lru_cache(maxsize=8)
def _lookup_tables(d: Dictionary) -> tuple[dict[str, HeaderMatch], dict[str, str]]:
    ids: dict[str, HeaderMatch] = {}
    for kind, headers in d.id_headers.items():
        for n in headers:
            ids[normalise_header(n)] = HeaderMatch(kind)
    names: dict[str, str] = {}
    for e in d.elements:
        for n in (e.name, *e.aliases):
            names[normalise_header(n)] = e.code
    return ids, names


@lru_cache(maxsize=8)
def _matcher(d: Dictionary) -> Any:
    ids, names = _lookup_tables(d)

    def match(h: str) -> HeaderMatch | None:
        if h in ids:
            return ids[h]
        if h in names:
            e = d[names[h]]
            return HeaderMatch("element", e.code, 1.0, e.unit)
        m = _UNIT_TAIL.search(h)
        if m:
            base, unit = h[: m.start()], m.group(1)
            code = names.get(base)
            if code is not None:
                e = d[code]
                if unit in ("本年累计", "累计"):
                    return HeaderMatch("element", code, 1.0, e.unit)
                factor = d.units.get(e.unit, {}).get(unit)
                if factor is None:
                    return HeaderMatch("element", code, float("nan"), unit)
                return HeaderMatch("element", code, factor, unit, unit_stated=True)
            if base in ids:
                return ids[base]
        return None

    return match


def _fail(path: Path, where: str, message: str) -> DictionaryError:
    return DictionaryError(f"数据字典 {path}，{where}：{message}")


def load_dictionary(path: str | Path | None = None) -> Dictionary:
    """Read the data dictionary (the bundled one when no path is given)."""
    p = Path(path) if path is not None else catalog_file("dictionary")
    return _load(str(p), p.stat().st_mtime_ns if p.exists() else 0)


@lru_cache(maxsize=4)
def _load(path_text: str, stamp: int) -> Dictionary:
    path = Path(path_text)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except OSError as err:
        raise DictionaryError(f"无法读取数据字典 {path}：{err.strerror}") from None
    except yaml.YAMLError as err:
        raise DictionaryError(f"数据字典 {path} 格式错误：{err}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("elements"), list):
        raise _fail(path, "elements", "缺少数据元素列表")
    elements = []
    seen: set[str] = set()
    for i, item in enumerate(raw["elements"]):
        where = f"elements[{i}]"
        try:
            lo, hi = item["range"]
            e = Element(
                code=str(item["code"]),
                name=str(item["name"]),
                aliases=tuple(str(a) for a in item.get("aliases") or ()),
                unit=str(item["unit"]),
                level=str(item["level"]),
                kind=str(item["kind"]),
                temporal=str(item.get("temporal", "stock")),
                minimum=float(lo),
                maximum=float(hi),
                required=bool(item.get("required", True)),
                seasonal=bool(item.get("seasonal", False)),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise _fail(path, where, f"字段缺失或类型不正确（{err}）") from None
        if e.code in seen:
            raise _fail(path, f"{where}.code", f"元素代码 {e.code} 重复")
        if e.level not in LEVELS or e.kind not in KINDS:
            raise _fail(path, where, f"level 应为 {LEVELS} 之一，kind 应为 {KINDS} 之一")
        seen.add(e.code)
        elements.append(e)
    rules = []
    for i, item in enumerate(raw.get("rules") or []):
        try:
            rule = Rule(
                code=str(item["code"]),
                left=parse_expression(str(item["left"])),
                op=str(item["op"]),
                right=parse_expression(str(item["right"])),
                severity=str(item.get("severity", "error")),
                message=str(item["message"]),
            )
        except (KeyError, TypeError) as err:
            raise _fail(path, f"rules[{i}]", f"字段缺失（{err}）") from None
        if rule.op not in ("<=", ">=", "==", "<", ">"):
            raise _fail(path, f"rules[{i}].op", f"未知的比较符 {rule.op}")
        unknown = {t.element for t in (*rule.left.terms, *rule.right.terms)} - seen
        if unknown:
            raise _fail(path, f"rules[{i}]", f"引用了未定义的元素 {'、'.join(sorted(unknown))}")
        rules.append(rule)
    return Dictionary(
        plausibility=_plausibility(path, raw.get("plausibility")),
        peer_ratios=_peer_ratios(path, raw.get("peer_ratios"), seen),
        elements=tuple(elements),
        id_headers={k: tuple(v) for k, v in (raw.get("id_headers") or {}).items()},
        units={k: {u: float(f) for u, f in v.items()} for k, v in (raw.get("units") or {}).items()},
        rules=tuple(rules),
        jump_threshold=float(raw.get("jump_threshold", 0.3)),
        jump_min_base=float(raw.get("jump_min_base", 500)),
        path=str(path),
    )


def _plausibility(path: Path, raw: Any) -> Plausibility:
    if raw is None:
        return Plausibility()
    known = {f.name: f.type for f in fields(Plausibility)}
    if not isinstance(raw, dict) or set(raw) - set(known):
        unknown = "、".join(sorted(set(raw) - set(known))) if isinstance(raw, dict) else raw
        raise _fail(path, "plausibility", f"未知的设置 {unknown}（可用：{'、'.join(known)}）")
    try:
        values = {k: int(v) if known[k] == "int" else float(v) for k, v in raw.items()}
    except (TypeError, ValueError) as err:
        raise _fail(path, "plausibility", f"应为数字（{err}）") from None
    if any(v <= 0 for v in values.values()):
        raise _fail(path, "plausibility", "各项阈值应大于 0")
    return Plausibility(**values)  # type: ignore[arg-type]


def _peer_ratios(path: Path, raw: Any, codes: set[str]) -> tuple[PeerRatio, ...]:
    out = []
    for i, item in enumerate(raw or []):
        try:
            ratio = PeerRatio(
                code=str(item["code"]),
                name=str(item["name"]),
                numerator=parse_expression(str(item["numerator"])),
                denominator=parse_expression(str(item["denominator"])),
                unit=str(item.get("unit", "")),
                factor=None if item.get("factor") is None else float(item["factor"]),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise _fail(path, f"peer_ratios[{i}]", f"字段缺失或类型不正确（{err}）") from None
        terms = (*ratio.numerator.terms, *ratio.denominator.terms)
        unknown = {t.element for t in terms} - codes
        if unknown:
            raise _fail(
                path, f"peer_ratios[{i}]", f"引用了未定义的元素 {'、'.join(sorted(unknown))}"
            )
        out.append(ratio)
    return tuple(out)
