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
"""

from __future__ import annotations

import datetime
import re
import zipfile
from pathlib import Path
from typing import Any

INVALID = "不是有效的 Excel 工作簿（.xlsx），可能已损坏或是改了扩展名的其他文件"

_ERROR_CELL = re.compile(rb"""\st\s*=\s*["']e["']""")
_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")
_ROW = re.compile(rb"<(?:\w+:)?row[\s/>]")
_WORKSHEET = re.compile(r"(^|/)worksheets/[^/]+\.xml$", re.IGNORECASE)
_SHARED = re.compile(r"(^|/)sharedStrings[^/]*\.xml$", re.IGNORECASE)


def read_workbook(path: Path) -> list[tuple[str, list[list[Any]]]]:
    """(sheet title, rows) of every worksheet, in workbook order; ValueError when unreadable."""
    try:
        needs_openpyxl, sheets_with_rows = _scan(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, EOFError) as err:
        raise ValueError(INVALID) from err
    if not needs_openpyxl:
        sheets = _calamine(path)
        if sheets is not None and sum(1 for _, rows in sheets if rows) >= sheets_with_rows:
            return sheets
    return _openpyxl(path)


def _scan(path: Path) -> tuple[bool, int]:
    """Whether any worksheet holds a formula error or any text an ``_xHHHH_`` escape, and how
    many worksheets have rows at all (a worksheet with rows but no values needs openpyxl)."""
    needs_openpyxl = False
    with_rows = 0
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if _WORKSHEET.search(info.filename):
                xml = z.read(info)
                needs_openpyxl |= bool(_ERROR_CELL.search(xml) or _ESCAPE.search(xml))
                with_rows += bool(_ROW.search(xml))
            elif _SHARED.search(info.filename):
                needs_openpyxl |= bool(_ESCAPE.search(z.read(info)))
    return needs_openpyxl, with_rows


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
