"""Where a return's data is in a sheet as clerks lay it out: the header, and rows not to read.

A clerk's workbook is rarely one table under one header row: a 填表说明 or cover sheet comes
first, the header may take two rows (a group merged over its items: 学前教育 over 在园幼儿数,
公办园在园幼儿数 …), a 栏次 row (甲 乙 1 2 3) may follow it, and the table ends in 合计 rows and
a footer spread across the cells (单位负责人：… 联系电话：…). This module finds the header
(:func:`find_header`), says why there is none (:func:`no_header_message`), and tells a total or
footer row wherever its text stands (:func:`skipped_row`); reading.py reports what it skipped.

What Excel shows beyond the values counts too: a hidden copy of a column or a row never wins
over the visible one (the clerk checked what was shown), and a cell of a merged range or a
formula saved without its result is named for what it is (a
:class:`~planlib.returns.cells.CellNote` in place of the value), not read as 未填报.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..catalog.dictionary import Dictionary
from ..errors import Problem
from .cells import CellNote, cell_problem
from .headers import match_header, match_row, strip_part
from .workbooks import Sheet

SCAN_ROWS = 20
"""How many rows from the top a header is looked for in."""

_CODE_KINDS = ("org_code", "school_code")
_SPACES = re.compile(r"[\s\u3000]+")
_TOTAL = re.compile(
    r"^(?:全[县市区州旗盟]|本[县市区]|[县市区])?(?:合计|总计|小计|累计|总数)"
    r"|^(?:其中[:：]?)?[^\d]{1,10}?(?:合计|总计|小计)$"  # 小学小计, 幼儿园合计, 公办小计
)
_FOOTER = re.compile(
    r"^(?:填表人|填报人|制表人|审核人|审批人|单位负责人|统计负责人|部门负责人|主管领导|负责人"
    r"|联系电话|联系人|电话|报出日期|填报日期|填表日期|报送日期|注[:：]|说明[:：]|备注[:：]|填表说明)"
)
_FIRST = frozenset("全本县市区合总小累填制审单统部主负联电报注说备")
_COLUMN_NUMBERS = frozenset(("甲", "乙", "丙", "丁", "栏次", "栏号", "序号", "A", "B"))
_GROUP_TOTAL = frozenset(("合计", "小计", "总计", "计", "总数", "小计数"))
_INSTRUCTIONS = re.compile(r"说明|封面|目录|须知|要求|解释|注意|填报指南|首页")


def text(v: Any) -> str:
    """A cell as stripped text ('' for a blank)."""
    return "" if v is None else str(v).strip()


def column_letter(j: int) -> str:
    """Excel's name of the 0-based column ``j`` (0 → A, 26 → AA)."""
    name = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        name = chr(65 + r) + name
    return name


@dataclass(frozen=True)
class Header:
    """The header of a table: its first and last row (indexes into the rows; the same row for
    a one-row header) and one label per column (a two-row header's labels are combined)."""

    first: int
    last: int
    labels: list[str]

    @property
    def two_level(self) -> bool:
        return self.last > self.first


def _kinds(labels: Sequence[Any], d: Dictionary) -> list[str]:
    row = [text(c) if isinstance(c, str) else "" for c in labels]  # a number is no header
    return [m.kind for m in match_row(d, row) if m is not None]


def find_header(
    rows: list[list[Any]], d: Dictionary, merged: Sequence[tuple[int, int, int, int]] = ()
) -> Header | None:
    """The header among the top :data:`SCAN_ROWS` rows: the first row naming a code column
    (行政区划代码, 学校标识码) and a data element, or a code row whose next row names the
    elements under merged group cells (a two-level header). None when there is none."""
    for i, row in enumerate(rows[:SCAN_ROWS]):
        kinds = _kinds(row, d)
        if not any(k in kinds for k in _CODE_KINDS):
            continue
        two = _second_level(rows, i, d, merged, kinds.count("element"))
        if two is not None:
            return two
        if "element" in kinds:
            return Header(i, i, [text(c) for c in row])
    return None


def _second_level(
    rows: list[list[Any]],
    i: int,
    d: Dictionary,
    merged: Sequence[tuple[int, int, int, int]],
    elements_above: int,
) -> Header | None:
    """Row ``i`` and the row below as one header, when the row below holds labels only (no
    numbers, nothing under the code column) and together they name more data elements."""
    if i + 1 >= len(rows):
        return None
    top, below = rows[i], rows[i + 1]
    code_at = next(j for j, c in enumerate(top) if _is_code(c, d))
    if code_at < len(below) and text(below[code_at]):
        return None
    if any(isinstance(c, int | float) and not isinstance(c, bool) for c in below):
        return None
    if not any(text(c) for c in below):
        return None
    width = max(len(top), len(below))
    groups = _group_labels(top, width, i + 1, merged)
    labels = []
    for j in range(width):
        sub = text(below[j]) if j < len(below) else ""
        labels.append(_combined(text(top[j]) if j < len(top) else "", groups[j], sub, d))
    combined = _kinds(labels, d).count("element")
    if combined < elements_above or combined == 0:
        return None
    if combined == elements_above and not any(
        (m := match_header(d, label)) is not None and m.kind == "element" and label != text(up)
        for label, up in zip(labels, [*top, *[None] * width], strict=False)
    ):
        return None  # the row below added no element: data or a note, not a header
    return Header(i, i + 1, labels)


def _is_code(c: Any, d: Dictionary) -> bool:
    m = match_header(d, text(c))
    return m is not None and m.kind in _CODE_KINDS


def _group_labels(
    top: list[Any], width: int, excel_row: int, merged: Sequence[tuple[int, int, int, int]]
) -> list[str]:
    """The group label over each column: a merged range's top-left text over all its columns;
    without merged ranges (a CSV), a label carried right over the blank cells after it."""
    groups = [text(top[j]) if j < len(top) else "" for j in range(width)]
    spans = [m for m in merged if m[0] == excel_row and m[3] > m[1]]
    if spans:
        for _, c1, _, c2 in spans:
            for j in range(c1 + 1, min(c2 + 1, width)):
                groups[j] = groups[c1]
        return groups
    carried = ""
    for j in range(width):
        carried = groups[j] or carried
        groups[j] = carried
    return groups


def _combined(top: str, group: str, sub: str, d: Dictionary) -> str:
    """One column's label from a two-row header: the lower label if the dictionary knows it,
    else the group and the lower label together (either way round), else the group with the
    lower label as its unit (a 计量单位 row), else the group over a 合计 column; a column
    merged down both rows keeps its upper label."""
    if not sub:
        return top
    sub = strip_part(sub)  # 其中：公办园 under 在园幼儿数
    for c in [sub, group + sub, sub + group] if group else [sub]:
        if match_header(d, c) is not None:
            return c
    unit = f"{group}（{sub}）"  # a 计量单位 row under the names: 在园幼儿数 over 人
    m = match_header(d, unit) if group else None
    if m is not None and m.kind == "element" and m.factor == m.factor:
        return unit
    if group and _SPACES.sub("", sub) in _GROUP_TOTAL and match_header(d, group) is not None:
        return group
    return f"{group}{sub}" if group else sub


def is_column_numbers(row: list[Any], code_col: int) -> bool:
    """A 栏次 row under the header (甲 乙 1 2 3 …): column numbers, not data."""
    first = text(row[code_col]) if code_col < len(row) else ""
    return _SPACES.sub("", first) in _COLUMN_NUMBERS


def skipped_row(row: list[Any], code: str, labels: Sequence[int]) -> tuple[str, str] | None:
    """("total" or "footer", the text that says so) for a 合计/总计/小计 row or a footer row
    (填表人, 单位负责人, 联系电话, 报出日期 …) wherever in the row its text stands, else None.

    A row whose code cell holds a code is a total only by the text of its label columns
    (``labels``: code, name and the other columns that are no data element), and never a
    footer: a 备注 reading 注：… beside a county's numbers is data.
    """
    if code[:1].isdigit():
        n = len(row)
        for j in labels:
            c = row[j] if j < n else None
            # every total row's text holds 计 or 数 (合计, 小计, 总数): most rows stop here
            if type(c) is str and ("计" in c or "数" in c):
                m = _TOTAL.match(_SPACES.sub("", unicodedata.normalize("NFKC", c)))
                if m:
                    return "total", m.group(0)
        return None
    for c in row:
        if type(c) is not str or not c:
            continue
        t = c.lstrip()
        if t[:1] not in _FIRST and "计" not in t:
            continue
        t = _SPACES.sub("", unicodedata.normalize("NFKC", t))
        m = _TOTAL.match(t)
        if m:
            return "total", m.group(0)
        m = _FOOTER.match(t)
        if m:
            return "footer", m.group(0).rstrip(":：")
    return None


def looks_like_instructions(title: str, rows: list[list[Any]]) -> bool:
    """A sheet that reads as a 填表说明 or a cover: its name or its first rows say so."""
    top = " ".join(text(c) for r in rows[:3] for c in r)
    return bool(_INSTRUCTIONS.search(title) or _INSTRUCTIONS.search(top[:60]))


_CODE_LIKE = re.compile(r"\d{6}(?:\d{4})?(?:\.0)?")


def holds_codes(rows: list[list[Any]]) -> bool:
    """Whether any cell reads as a division (6 digits) or school (10 digits) code: a sheet of
    data whose header was not found, not a 填表说明 or a cover."""
    return any(
        _CODE_LIKE.fullmatch(str(c).strip()) for r in rows for c in r if c is not None and c != ""
    )


def no_header_message(rows: list[list[Any]], d: Dictionary) -> str:
    """Why no header was found: the rows examined, what a header must hold, and the rows
    that came close (a code column without data elements, or elements without a code)."""
    n = min(len(rows), SCAN_ROWS)
    example = next((e.name for e in d.elements if e.level == "county"), "在园幼儿数")
    message = (
        f"找不到表头行：已查看第 1–{n} 行，没有一行同时含代码列（「行政区划代码」或"
        f"「学校标识码」）和至少一个数据字典中的数据项名称（如「{example}」）"
    )
    close = []
    for i, row in enumerate(rows[:SCAN_ROWS]):
        kinds = _kinds(row, d)
        code = next((text(c) for c in row if _is_code(c, d)), None)
        if code is not None:
            close.append(f"第 {i + 1} 行有「{code}」，但没有可识别的数据项名称")
        elif kinds.count("element") >= 1:
            named = [text(c) for c in row if (m := match_header(d, c)) and m.kind == "element"]
            close.append(f"第 {i + 1} 行有数据项（{'、'.join(named[:3])}），但没有代码列")
        if len(close) == 2:
            break
    return message + ("；" + "；".join(close) if close else "")


def row_ranges(rows: Sequence[int]) -> str:
    """Excel rows as a person reads them: 第 5、9–12 行."""
    parts: list[str] = []
    ordered = sorted(set(rows))
    start = prev = ordered[0]
    for r in [*ordered[1:], None]:
        if r is not None and r == prev + 1:
            prev = r
            continue
        parts.append(f"{start}" if start == prev else f"{start}–{prev}")
        if r is not None:
            start = prev = r
    return f"第 {'、'.join(parts)} 行"


_SKIPPED = {
    "total": "合计行",
    "header": "重复的表头",
    "footer": "表尾",
    "numbers": "栏次行",
    "note": "说明行（无代码、无数值）",
}


def skipped_problems(
    where: str, skipped: dict[str, list[tuple[int, str]]], code: str
) -> list[Problem]:
    """Warnings for the rows not read as data (合计, 表尾, 栏次) and the hidden rows."""
    out = []
    parts = []
    for kind, label in _SKIPPED.items():
        if kind in skipped:
            rows = [r for r, _ in skipped[kind]]
            words = "、".join(dict.fromkeys(w for _, w in skipped[kind] if w))
            parts.append(f"{label} {row_ranges(rows)}" + (f"（{words}）" if words else ""))
    if parts:
        first = min(r for kind in _SKIPPED if kind in skipped for r, _ in skipped[kind])
        message = f"以下行不是数据，未计入：{'；'.join(parts)}"
        out.append(
            cell_problem(where, first, None, None, message, severity="warning", rule="skipped_rows")
        )
    if "hidden_copy" in skipped:
        rows = [r for r, _ in skipped["hidden_copy"]]
        codes = "、".join(dict.fromkeys(c for _, c in skipped["hidden_copy"]))
        message = (
            f"{row_ranges(rows)}是隐藏行，{code}（{codes}）与可见行重复：以可见行为准，隐藏行未计入"
        )
        out.append(
            cell_problem(
                where, rows[0], code, None, message, severity="warning", rule="hidden_rows"
            )
        )
    if "hidden" in skipped:
        rows = [r for r, _ in skipped["hidden"]]
        message = f"{row_ranges(rows)}是隐藏行，其数据已计入；如不应报送请删除这些行"
        out.append(
            cell_problem(
                where, rows[0], code, None, message, severity="warning", rule="hidden_rows"
            )
        )
    return out


# --- what Excel shows beyond the values ------------------------------------------------------


def codes_of_visible_rows(
    rows: list[list[Any]], start: int, code_col: int, hidden: frozenset[int]
) -> set[str]:
    """The codes of the visible data rows (only needed when some rows are hidden)."""
    if not hidden:
        return set()
    return {
        unicodedata.normalize("NFKC", text(rows[i][code_col])).removesuffix(".0")
        for i in range(start, len(rows))
        if i + 1 not in hidden and code_col < len(rows[i])
    }


def one_column_per_element(
    columns: dict[int, Any], sheet: Sheet | None, where: str, header_row: int
) -> list[Problem]:
    """One column per element: a hidden copy of a visible column is dropped (the visible one
    is what the clerk sees and checked), two visible columns of one element are an error and
    neither is read; a hidden column of its own is read and said. Changes ``columns``."""
    hidden = sheet.hidden_columns if sheet else frozenset()
    by_element: dict[str, list[int]] = {}
    for j, (m, _) in columns.items():
        by_element.setdefault(str(m.element), []).append(j)
    out = []
    for js in by_element.values():
        label = columns[js[0]][1]
        seen = [j for j in js if j not in hidden]
        copies = [j for j in js if j in hidden]
        if len(js) == 1:
            if copies:
                message = f"第 {column_letter(js[0])} 列「{label}」是隐藏列，其数据已计入"
                out.append(
                    cell_problem(
                        where,
                        header_row,
                        label,
                        None,
                        message,
                        severity="warning",
                        rule="hidden_columns",
                    )
                )
            continue
        if len(seen) == 1:
            for j in copies:
                del columns[j]
            letters = "、".join(column_letter(j) for j in copies)
            message = (
                f"第 {letters} 列「{columns[seen[0]][1]}」是隐藏列，与可见的第 "
                f"{column_letter(seen[0])} 列是同一数据项：以可见列为准，隐藏列未计入"
            )
            out.append(
                cell_problem(
                    where,
                    header_row,
                    label,
                    None,
                    message,
                    severity="warning",
                    rule="hidden_columns",
                )
            )
            continue
        letters = "、".join(column_letter(j) for j in js)
        for j in js:
            del columns[j]
        message = (
            f"第 {letters} 列都是同一数据项「{label}」，无法确定以哪一列为准，该项未计入；"
            "请只保留一列后重新报送"
        )
        out.append(cell_problem(where, header_row, label, None, message, rule="duplicate_column"))
    return out


def cell_notes(
    sheet: Sheet, positions: list[int], start: int, end: int, spread: frozenset[int] = frozenset()
) -> dict[int, dict[int, Any]]:
    """What to read in place of a data cell that gives no number of its own: {row index:
    {column: note}} for cells of merged ranges and formulas saved without their result. A
    range merged down a column of ``spread`` (flag columns: 是 merged over three schools) gives
    its value to every row it covers."""
    wanted = set(positions)
    notes: dict[int, dict[int, Any]] = {}
    for r1, c1, r2, c2 in sheet.merged:
        if r2 <= start or r1 > end:  # Excel rows: within the data rows (after the header)
            continue
        cols = [j for j in range(c1, c2 + 1) if j in wanted]
        if not cols:
            continue
        if c1 == c2 and c1 in spread and r1 > start:
            top = sheet.rows[r1 - 1][c1] if c1 < len(sheet.rows[r1 - 1]) else None
            for r in range(r1 + 1, r2 + 1):
                notes.setdefault(r - 1, {})[c1] = top
            continue
        ref = f"{column_letter(c1)}{r1}:{column_letter(c2)}{r2}"
        across = "行" if r2 > r1 else "列"
        for r in range(max(r1, start + 1), r2 + 1):
            for j in cols:
                if r == r1 and j == c1 and r2 == r1 and len(cols) == 1:
                    continue  # one value cell merged with label cells: unambiguous
                message = (
                    f"合并单元格 {ref}：合并后只有左上角 {column_letter(c1)}{r1} 有值，"
                    f"无法分到各{across}，请取消合并、逐格填写后重新报送"
                )
                notes.setdefault(r - 1, {})[j] = CellNote("merged_cell", message)
    for r, j in sheet.uncalculated:
        if j in wanted and start < r <= end:
            notes.setdefault(r - 1, {})[j] = CellNote(
                "formula_uncalculated", "公式未计算：请在 Excel 中打开并保存后重新报送"
            )
    for r, j, value, formula in sheet.computed:
        if j in wanted and start < r <= end:
            message = (
                f"公式 {formula} 保存时没有计算结果，已按本表单元格算得 {value:g} 计入；"
                "请在 Excel 中打开并保存后重新报送"
            )
            notes[r - 1][j] = CellNote("formula_computed", message, formula, value)
    return notes
