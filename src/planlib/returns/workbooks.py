"""The cell values of an .xlsx workbook, every worksheet as rows the way Excel numbers them.

python-calamine (Rust) reads the values about twenty times faster than openpyxl. Where the two
would not give the same values, the workbook is read with openpyxl as before, so every problem
still names the same cell and shows the same value:

- formula errors (#DIV/0!, #N/A): calamine reads them as blank cells, openpyxl as their text;
- ``_x000D_``-style escapes in text: calamine decodes them, openpyxl leaves them as written;
- a worksheet with formatted but empty cells: openpyxl yields blank rows for it (a sheet
  without a header, which is reported), calamine yields no rows (a blank sheet, skipped).

The rest is brought to openpyxl's types: a blank cell is None, a whole number is an int (a
float only from 1e16 on, as openpyxl reads Excel's ``1E+16``), a date a datetime. Merged cells,
hidden rows and columns need no special case: both readers give a merged range's value in its
top-left cell only, and read hidden rows and columns like any other.

What the values alone do not say (a hidden sheet, hidden rows and columns, merged ranges, a
formula saved without its result) is read with openpyxl too, for the workbooks that hold any:
``_scan`` looks for them in the XML it reads anyway, so a plain workbook stays on calamine.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INVALID = "不是有效的 Excel 工作簿（.xlsx），可能已损坏或是改了扩展名的其他文件"

_ERROR_CELL = re.compile(rb"""\st\s*=\s*["']e["']""")
_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")
_ROW = re.compile(rb"<(?:\w+:)?row[\s/>]")
_WORKSHEET = re.compile(r"(^|/)worksheets/[^/]+\.xml$", re.IGNORECASE)
_SHARED = re.compile(r"(^|/)sharedStrings[^/]*\.xml$", re.IGNORECASE)
_WORKBOOK = re.compile(r"(^|/)workbook\.xml$", re.IGNORECASE)
# what only openpyxl tells: a merged range, a hidden row or column, a formula without its value
_LAYOUT = re.compile(
    rb"<(?:\w+:)?mergeCell[\s/>]|\shidden\s*=\s*[\"'](?:1|true)[\"']"
    rb"|</(?:\w+:)?f>\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
    rb"|<(?:\w+:)?f\b[^>]*/>\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)
_HIDDEN_SHEET = re.compile(rb"""\sstate\s*=\s*["'](?:hidden|veryHidden)["']""")


@dataclass(frozen=True)
class Sheet:
    """A worksheet's values (rows as Excel numbers them) and what Excel shows of its layout.

    Rows are Excel row numbers, columns 0-based indexes; ``merged`` holds
    (first row, first column, last row, last column) of each merged range, rows Excel's,
    columns 0-based; ``uncalculated`` the cells holding a formula saved without its result.
    """

    title: str
    rows: list[list[Any]]
    hidden: bool = False
    hidden_rows: frozenset[int] = frozenset()
    hidden_columns: frozenset[int] = frozenset()
    merged: tuple[tuple[int, int, int, int], ...] = ()
    uncalculated: frozenset[tuple[int, int]] = frozenset()


def read_workbook(path: Path) -> list[tuple[str, list[list[Any]]]]:
    """(sheet title, rows) of every worksheet, in workbook order; ValueError when unreadable."""
    return [(sheet.title, sheet.rows) for sheet in read_sheets(path)]


def read_sheets(path: Path) -> list[Sheet]:
    """Every worksheet with its layout, in workbook order; ValueError when unreadable."""
    try:
        needs_openpyxl, sheets_with_rows, layout = _scan(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, EOFError) as err:
        raise ValueError(INVALID) from err
    values = None
    if not needs_openpyxl:
        sheets = _calamine(path)
        if sheets is not None and sum(1 for _, rows in sheets if rows) >= sheets_with_rows:
            values = sheets
    if values is None:
        values = _openpyxl(path)
    if not layout:
        return [Sheet(title, rows) for title, rows in values]
    return _with_layout(path, values)


def _scan(path: Path) -> tuple[bool, int, bool]:
    """Whether any worksheet holds a formula error or any text an ``_xHHHH_`` escape, how many
    worksheets have rows at all (a worksheet with rows but no values needs openpyxl), and
    whether any sheet is hidden or holds hidden rows or columns, merged ranges or a formula
    without its value (read with openpyxl: calamine does not say)."""
    needs_openpyxl = layout = False
    with_rows = 0
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if _WORKSHEET.search(info.filename):
                xml = z.read(info)
                needs_openpyxl |= bool(_ERROR_CELL.search(xml) or _ESCAPE.search(xml))
                layout = layout or _has_layout(xml)
                with_rows += bool(_ROW.search(xml))
            elif _SHARED.search(info.filename):
                needs_openpyxl |= bool(_ESCAPE.search(z.read(info)))
            elif _WORKBOOK.search(info.filename):
                xml = z.read(info)
                layout |= b"state" in xml and bool(_HIDDEN_SHEET.search(xml))
    return needs_openpyxl, with_rows, layout


def _has_layout(xml: bytes) -> bool:
    """Whether a worksheet's XML holds a merged range, a hidden row or column or a formula
    without its value (a plain ``in`` first: the regular expression is slow on large sheets)."""
    if b"mergeCell" not in xml and b"hidden" not in xml and b"f>" not in xml and b"<f" not in xml:
        return False
    return bool(_LAYOUT.search(xml))


def _calamine(path: Path) -> list[tuple[str, list[list[Any]]]] | None:
    """The worksheets read with calamine, or None when calamine cannot read the file."""
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

    try:
        with CalamineWorkbook.from_path(str(path)) as wb:
            return [
                (
                    meta.name,
                    [
                        [_value(v) for v in row]
                        for row in wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
                    ],
                )
                for meta in wb.sheets_metadata
                if meta.typ == SheetTypeEnum.WorkSheet
            ]
    except (CalamineError, OSError, ValueError):
        return None


def _value(v: Any) -> Any:
    """A calamine value as openpyxl gives it."""
    t = type(v)
    if t is float:
        return int(v) if v.is_integer() and abs(v) < 1e16 else v
    if t is str:
        return v or None
    if t is datetime.date:
        return datetime.datetime(v.year, v.month, v.day)
    return v


def _openpyxl(path: Path) -> list[tuple[str, list[list[Any]]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as err:
        raise ValueError(INVALID) from err
    try:
        return [
            (ws.title, [list(r) for r in ws.iter_rows(values_only=True)]) for ws in wb.worksheets
        ]
    finally:
        wb.close()


def _with_layout(path: Path, values: list[tuple[str, list[list[Any]]]]) -> list[Sheet]:
    """The sheets' values with their layout, read by openpyxl loading the whole workbook once
    more with formulas (a formula whose value is None among ``values`` was saved uncalculated)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, data_only=False)
    except Exception as err:
        raise ValueError(INVALID) from err
    by_title = dict(values)
    sheets = []
    for ws in wb.worksheets:
        rows = by_title.get(ws.title, [])
        hidden_columns: set[int] = set()
        for dim in ws.column_dimensions.values():
            if dim.hidden and dim.min is not None:
                hidden_columns.update(range(dim.min - 1, (dim.max or dim.min)))
        uncalculated = set()
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                r, c = cell.row - 1, cell.column - 1
                if r >= len(rows) or c >= len(rows[r]) or rows[r][c] is None:
                    uncalculated.add((cell.row, c))
        if uncalculated:
            uncalculated -= _calculated_blanks(path, ws.title, uncalculated)
        sheets.append(
            Sheet(
                ws.title,
                rows,
                hidden=ws.sheet_state != "visible",
                hidden_rows=frozenset(n for n, dim in ws.row_dimensions.items() if dim.hidden),
                hidden_columns=frozenset(hidden_columns),
                merged=tuple(
                    (m.min_row, m.min_col - 1, m.max_row, m.max_col - 1)
                    for m in ws.merged_cells.ranges
                ),
                uncalculated=frozenset(uncalculated),
            )
        )
    return sheets


def _calculated_blanks(path: Path, title: str, cells: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Of formula cells without a value, those whose saved result is an empty text
    (``=IF(B4="","",B4)``: ``t="str"``, read as a blank), which are calculated blanks: openpyxl
    types them as text, and a formula never calculated as a number."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[title]
        last = max(r for r, _ in cells)
        return {
            (cell.row, cell.column - 1)
            for row in ws.iter_rows(max_row=last)
            for cell in row
            if getattr(cell, "row", None) is not None
            and (cell.row, cell.column - 1) in cells
            and cell.data_type in ("s", "str")
        }
    finally:
        wb.close()
