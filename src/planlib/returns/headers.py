"""The grammar of a column header as clerks write it, stated once.

A header is a name, optional qualifiers and a unit, the qualifiers and the unit in brackets in
any order: 一般公共预算教育投入（单位：万元）, 教师培训人次（本年累计）（人次）, 在园幼儿数（上年同期）.

- **Unit**: （万元）, （单位：万元）, （单位:人）: converted as the dictionary says.
- **Year to date**: （本年累计）, （累计）, （1-12月）, （年初至今）: what a flow is anyway.
- **Comparison**: （上年同期）, （去年）, （增减）, （同比）, or 上年同期/去年同期 before the name and
  增减/同比 after it: a column for comparison, read and never taken for this quarter.
- **Parts**: 其中：公办园 under or after 在园幼儿数 is a part of the column before it
  (公办园在园幼儿数); the columns after a 其中 are parts too, until one names itself.

:func:`match_header` gives what a header means (a ``HeaderMatch`` of kind ``comparison`` for a
comparison column); :func:`match_row` reads a header row, parts after their whole.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..catalog.dictionary import Dictionary, HeaderMatch
from ..errors import Problem
from .cells import TICKS, TableCells, cell_problem

_BRACKET = re.compile(r"[（(【\[]([^（）()【】\[\]]*)[）)】\]]")
_PART = re.compile(r"^(?:其中|内含|含)[:：]?")
_UNIT_SAID = re.compile(r"^(?:计量)?单位[:：]?")
_COMPARISON_WORDS = (
    "上年同期",
    "去年同期",
    "上年同期数",
    "上年",
    "去年",
    "同比",
    "增减",
    "增减额",
    "增减%",
    "增减率",
    "比上年增减",
    "同比增减",
    "上年数",
    "上期",
    "上季度",
)
_COMPARISON_HEAD = re.compile(r"^(?:上年同期|去年同期|上年|去年|上季度)")
_COMPARISON_TAIL = re.compile(r"(?:上年同期数?|去年同期|同比增减|比上年增减|增减额?|增减率|同比)$")
_YEAR_TO_DATE = re.compile(
    r"^(?:本年累计|累计|年初至今|本年|本期|本季度?|\d{1,2}[-—–~～至]\d{1,2}月)$"
)
COMPARISON = HeaderMatch("comparison")


def _flat(text: Any) -> str:
    s = unicodedata.normalize("NFKC", str(text if text is not None else ""))
    return re.sub(r"\s+", "", s)


def is_part(label: Any) -> bool:
    """Whether a header starts with 其中 (a part of the column before it)."""
    text = str(label).lstrip()
    return text[:1] in ("其", "内", "含") and bool(_PART.match(_flat(label)))


def strip_part(label: str) -> str:
    """A header without its leading 其中：."""
    return _PART.sub("", _flat(label)) if label else label


def match_header(d: Dictionary, label: Any) -> HeaderMatch | None:
    """What a header means under the grammar above, or None."""
    return _match(d, _flat(label))


@lru_cache(maxsize=4096)
def _match(d: Dictionary, label: str) -> HeaderMatch | None:
    if not label:
        return None
    said = d.match(label)
    if said is not None and said.factor == said.factor:  # known, in a unit it converts
        return said
    base, units, comparison = _parts(label)
    if comparison:
        known = d.match(base) or d.match(_PART.sub("", base))
        return COMPARISON if known is not None else said
    base = _PART.sub("", base)
    for unit in units:
        m = d.match(f"{base}（{unit}）")
        if m is not None and m.factor == m.factor:
            return m
    m = d.match(base) if base != label else None
    if m is not None and units and m.kind == "element":
        return HeaderMatch("element", m.element, float("nan"), units[0])  # a unit it cannot convert
    return m or said


def _parts(label: str) -> tuple[str, list[str], bool]:
    """The name, the units said and whether a qualifier makes it a comparison column."""
    units: list[str] = []
    comparison = False
    for g in _BRACKET.findall(label):
        g = g.strip()
        if g in _COMPARISON_WORDS or _COMPARISON_TAIL.search(g):
            comparison = True
        elif _YEAR_TO_DATE.match(g):
            continue
        elif g:
            units.append(_UNIT_SAID.sub("", g))
    base = _BRACKET.sub("", label)
    if _COMPARISON_HEAD.match(base) or _COMPARISON_TAIL.search(base):
        stripped = _COMPARISON_TAIL.sub("", _COMPARISON_HEAD.sub("", base))
        if stripped and stripped != base:
            base, comparison = stripped, True
    return base, units, comparison


def match_part(d: Dictionary, whole: str, part: str) -> tuple[str, HeaderMatch] | None:
    """A part (公办园) of the element ``whole`` names (在园幼儿数): the combined label that the
    dictionary knows (公办园在园幼儿数), and its match."""
    part = strip_part(part)
    base, units, comparison = _parts(part)
    if comparison or not base:
        return None
    whole_base = _parts(_flat(whole))[0]
    for combined in (base + whole_base, whole_base + base, f"{base}{whole_base}"):
        for unit in [*units, None]:
            text = f"{combined}（{unit}）" if unit else combined
            m = _match(d, text)
            if m is not None and m.kind == "element":
                return text, m
    return None


def match_row(d: Dictionary, labels: list[str]) -> list[HeaderMatch | None]:
    """Every header of a row: a 其中 column, and the unknown columns after it, read as parts
    of the element before them."""
    return list(_match_row(d, tuple(labels)))


@lru_cache(maxsize=1024)
def _match_row(d: Dictionary, labels: tuple[str, ...]) -> tuple[HeaderMatch | None, ...]:
    out: list[HeaderMatch | None] = []
    whole: str | None = None
    in_parts = False
    for label in labels:
        m = match_header(d, label) if label else None
        part = bool(label) and is_part(label)
        if label and whole is not None and (part or (in_parts and m is None)):
            found = match_part(d, whole, label)
            if found is not None and (m is None or m.kind != "element"):
                m = found[1]
            in_parts = True
        elif m is not None and m.kind == "element":
            whole, in_parts = label, False
        out.append(m)
    return tuple(out)


def blank_ticks(
    cells: TableCells, k: int, flag_at: list[int], where: str, header_row: int
) -> list[Problem]:
    """In a sheet whose flag columns are marked with ticks (√ for yes), a blank is no: read
    as 0, said once per column (a warning). ``k``: cells per row; ``flag_at``: the flag columns' places in a row."""
    out: list[Problem] = []
    columns = [cells.raw[c::k] for c in flag_at]
    ticked = any(t in column for column in columns for t in TICKS)
    if not ticked:  # the sheet's convention: ticks in any flag column make blanks no
        return out
    for c, column in zip(flag_at, columns, strict=True):
        blank = [i for i, v in enumerate(column) if v is None or (type(v) is str and not v.strip())]
        for i in blank:
            cells.raw[c + i * k] = 0
        if blank:
            label = cells.column[c]
            message = f"本表用「√」表示“是”，该列 {len(blank)} 个空白单元格按“否”（0）读取"
            out.append(
                cell_problem(
                    where, header_row, label, None, message, severity="warning", rule="blank_is_no"
                )
            )
    return out


# --- a header row's columns ------------------------------------------------------------------------

_MONEY = re.compile(r"千元|万元|亿元|(?<![千万亿])元")


@dataclass
class Columns:
    """What a header row's columns are: elements {index: (match, label)}, the code, period
    and name columns, the table's level, and the problems of its header."""

    columns: dict[int, Any] = field(default_factory=dict)
    code: int | None = None
    period: int | None = None
    name: int | None = None
    level: str = "county"
    problems: list[Problem] = field(default_factory=list)


def classify_columns(
    header: list[Any], d: Dictionary, where: str, header_row: int, title: str
) -> Columns:
    """Each column of a header row under the grammar above: unknown columns are warnings,
    units the dictionary cannot convert errors, an amount without a unit takes the title's."""
    out = Columns()
    said = out.problems
    labels = ["" if c is None else str(c).strip() for c in header]
    for j, (label, m) in enumerate(zip(labels, match_row(d, labels), strict=True)):
        if not label or m is COMPARISON:
            continue  # a comparison column (上年同期, 增减) is read, never this quarter's
        if m is None:
            said.append(
                cell_problem(
                    where,
                    header_row,
                    label,
                    None,
                    "数据字典中没有这一列，已忽略",
                    severity="warning",
                    rule="unknown_column",
                )
            )
        elif m.kind in ("org_code", "school_code"):
            out.code = j
            out.level = "school" if m.kind == "school_code" else "county"
        elif m.kind == "period":
            out.period = j
        elif m.kind == "name" and out.name is None:
            out.name = j
        elif m.kind == "element":
            if m.factor != m.factor:  # NaN: a unit the dictionary cannot convert
                said.append(
                    cell_problem(
                        where,
                        header_row,
                        label,
                        None,
                        f"无法换算的计量单位「{m.unit}」",
                        rule="unknown_unit",
                    )
                )
                continue
            if d[str(m.element)].kind == "amount" and not m.unit_stated:
                m, unit_said = _amount_unit_from_title(m, d, title, where, header_row, label)
                said += unit_said
            elif d[str(m.element)].kind == "amount":
                said += _units_disagree(m, title, where, header_row, label)
            out.columns[j] = (m, label)
    return out


def _amount_unit_from_title(
    m: HeaderMatch, d: Dictionary, title: str, where: str, row: int, label: str
) -> tuple[HeaderMatch, list[Problem]]:
    """The unit of an amount column whose header names none: the one money unit the title rows
    state (单位：亿元), else the dictionary's unit, with a warning either way (a factor of 10,000
    is too much to guess silently)."""
    code = str(m.element)
    unit = d[code].unit
    stated = set(_MONEY.findall(title))
    factor = d.units.get(unit, {}).get(next(iter(stated))) if len(stated) == 1 else None
    if factor is not None:
        (said,) = stated
        message = f"列标题未注明单位，按表头上方注明的「{said}」换算为{unit}"
        return HeaderMatch("element", code, factor, said, unit_stated=True), [
            cell_problem(
                where, row, label, None, message, severity="warning", rule="unit_from_title"
            )
        ]
    detail = f"表头上方注明了多个金额单位（{'、'.join(sorted(stated))}），" if stated else ""
    message = (
        f"列标题未注明金额单位，{detail}按{unit}读取，请在列标题中注明，如「{label}（{unit}）」"
    )
    return m, [cell_problem(where, row, label, None, message, severity="warning", rule="no_unit")]


def _units_disagree(m: HeaderMatch, title: str, where: str, row: int, label: str) -> list[Problem]:
    """An amount column whose header names one money unit under title rows that state another
    (列标题「万元」, 表头上方「金额单位：千元」): read in the header's unit, with a warning (one
    of the two was left from a template; a factor of ten is not guessed)."""
    stated = set(_MONEY.findall(title))
    if len(stated) != 1 or m.unit in stated:
        return []
    (other,) = stated
    message = (
        f"列标题注明单位为「{m.unit}」，表头上方却注明金额单位为「{other}」：已按列标题的"
        f"「{m.unit}」读取，请核对数值的单位"
    )
    return [
        cell_problem(where, row, label, None, message, severity="warning", rule="unit_conflict")
    ]
