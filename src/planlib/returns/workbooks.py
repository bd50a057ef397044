"""The cell values of an .xlsx workbook, every worksheet as rows the way Excel numbers them
(and the rows of a CSV text), within the reading caps (``MAX_*``: a file over one is refused).

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

import csv
import datetime
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ReturnLimitError
from .formulas import compute_formula

INVALID = "不是有效的 Excel 工作簿（.xlsx），可能已损坏或是改了扩展名的其他文件"
CORRUPT_XML = "文件已损坏（xlsx 内部的 XML 不完整或格式错误），请在 Excel 中打开、另存后重新报送"

# Reading caps: a county return holds at most a few thousand school rows and a hundred columns,
# so each cap sits far above any real return, and far below what would exhaust memory. A file
# over one is refused before it is parsed (one error naming the file and the cap).
MAX_ZIP_ENTRIES = 10_000
"""Most entries (parts) an .xlsx may hold; Excel writes a few dozen."""
MAX_UNCOMPRESSED_BYTES = 200_000_000
"""Most bytes an .xlsx's entries may hold uncompressed, all together (200 MB)."""
MAX_COMPRESSION_RATIO = 100
"""Highest uncompressed ÷ compressed size of one entry over 1 MB (a zip bomb's is in the
thousands; worksheet XML compresses 5–30 times)."""
MAX_ROWS = 200_000
"""Most rows read per worksheet or text file."""
MAX_COLUMNS = 1_000
"""Most columns read per worksheet (the last column used, ALL)."""
MAX_CELLS = 5_000_000
"""Largest area (last row × last column) of one worksheet: its cells are held densely."""
MAX_TEXT_BYTES = 200_000_000
"""Largest .csv/.txt return read (200 MB)."""
MAX_PROBLEMS_PER_RULE = 1_000
"""Problems of one rule listed per file (sheet); the rest are summed up in one line."""
_RATIO_FROM = 1_000_000  # entries smaller than this cannot hurt, whatever their ratio

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
_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["']?(\d+)""")
_WIDE_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{2,})\d""")  # a cell from column AA on


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
    computed: tuple[tuple[int, int, float, str], ...] = ()
    """Of the uncalculated cells, those computed from this sheet's cells (formulas.py):
    (row, column, value, formula)."""


def read_workbook(path: Path) -> list[tuple[str, list[list[Any]]]]:
    """(sheet title, rows) of every worksheet, in workbook order; ValueError when unreadable."""
    return [(sheet.title, sheet.rows) for sheet in read_sheets(path)]


def read_sheets(path: Path) -> list[Sheet]:
    """Every worksheet with its layout, in workbook order; ValueError when unreadable."""
    try:
        needs_openpyxl, sheets_with_rows, layout = _scan(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, EOFError) as err:
        raise ValueError(INVALID) from err
    except zlib.error as err:
        raise ValueError(CORRUPT_XML) from err
    try:
        return _read(path, needs_openpyxl, sheets_with_rows, layout)
    except SyntaxError as err:  # lxml's XMLSyntaxError and ElementTree's ParseError alike
        raise ValueError(CORRUPT_XML) from err


def _read(path: Path, needs_openpyxl: bool, sheets_with_rows: int, layout: bool) -> list[Sheet]:
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
        check_zip(z)
        for info in z.infolist():
            if _WORKSHEET.search(info.filename):
                xml = z.read(info)
                check_extent(xml)
                needs_openpyxl |= bool(_ERROR_CELL.search(xml) or _ESCAPE.search(xml))
                layout = layout or _has_layout(xml)
                with_rows += bool(_ROW.search(xml))
            elif _SHARED.search(info.filename):
                needs_openpyxl |= bool(_ESCAPE.search(z.read(info)))
            elif _WORKBOOK.search(info.filename):
                xml = z.read(info)
                layout |= b"state" in xml and bool(_HIDDEN_SHEET.search(xml))
    return needs_openpyxl, with_rows, layout


def check_zip(z: zipfile.ZipFile) -> None:
    """ReturnLimitError when the zip's entries are too many, too large or compressed too well
    (a zip bomb), from its directory alone: nothing is decompressed."""
    infos = z.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise ReturnLimitError(
            f"工作簿包含 {len(infos):,} 个内部文件，超过上限 {MAX_ZIP_ENTRIES:,}"
        )
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise ReturnLimitError(
            f"工作簿解压后共 {total / 1e6:,.0f} MB，超过上限 {MAX_UNCOMPRESSED_BYTES / 1e6:,.0f} MB"
            "（可能是压缩炸弹或损坏的文件），未读取"
        )
    for i in infos:
        if i.file_size > _RATIO_FROM and i.file_size > MAX_COMPRESSION_RATIO * i.compress_size:
            ratio = i.file_size / max(i.compress_size, 1)
            raise ReturnLimitError(
                f"工作簿内部文件的压缩比为 {ratio:,.0f}，超过上限 {MAX_COMPRESSION_RATIO}"
                "（可能是压缩炸弹），未读取"
            )


def check_extent(xml: bytes) -> None:
    """ReturnLimitError when a worksheet's XML has more rows or columns, or a larger area,
    than the caps (counted in the bytes, before any parser holds its cells)."""
    rows = xml.count(b"<row ") + xml.count(b"<row>")
    if rows == 0 and b":row" in xml:
        rows = len(re.findall(rb"<\w+:row[\s>]", xml))
    last = xml.rfind(b"<row ")
    if last < 0:
        last = max(xml.rfind(b":row "), 0)
    m = _ROW_NUMBER.search(xml, last, last + 200)
    rows = max(rows, int(m[1]) if m and last else 0)
    if rows > MAX_ROWS:
        raise ReturnLimitError(f"工作表有 {rows:,} 行，超过上限 {MAX_ROWS:,} 行，未读取")
    columns = 26  # Z: refs of one letter at most
    if _WIDE_REF.search(xml) is not None:
        for m in _WIDE_REF.finditer(xml):
            columns = max(columns, _column_number(m[1]))
            if columns > MAX_COLUMNS:
                raise ReturnLimitError(f"工作表超过上限 {MAX_COLUMNS:,} 列，未读取")
    if rows * columns > MAX_CELLS:
        raise ReturnLimitError(
            f"工作表有 {rows:,} 行 × {columns:,} 列，超过上限 {MAX_CELLS:,} 个单元格，未读取"
        )


def _column_number(letters: bytes) -> int:
    n = 0
    for c in letters.upper():
        n = n * 26 + c - 64
    return n


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
        computed = tuple(
            (r, c, v, str(f))
            for r, c in sorted(uncalculated)
            if isinstance(f := ws.cell(r, c + 1).value, str)
            and (v := compute_formula(f, rows, uncalculated)) is not None
        )
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
                computed=computed,
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


# --- CSV text and failures ---------------------------------------------------------------------


def csv_rows(text: str) -> list[list[Any]]:
    """The rows of a CSV text; ValueError naming the line of a cell over the csv module's field
    limit (131,072 characters unless changed) or of a row past :data:`MAX_ROWS`."""
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    rows: list[list[Any]] = []
    try:
        for r in reader:
            rows.append(r)
            if len(rows) > MAX_ROWS:
                raise ReturnLimitError(f"文件超过上限 {MAX_ROWS:,} 行，未读取")
    except csv.Error as err:
        at = f"第 {reader.line_num} 行"
        if "field larger" in str(err):
            limit = csv.field_size_limit()
            raise ValueError(f"{at}有单元格超过 {limit:,} 个字符，未读取") from None
        raise ValueError(f"{at}无法按 CSV 格式读取（{err}）") from None
    return rows


def _delimiter(text: str) -> str:
    """A tab for a tab-separated text (Excel's “Unicode 文本” or “文本(制表符分隔)”), else a comma."""
    head = text[:4000]
    return "\t" if head.count("\t") > head.count(",") else ","


def failure_message(err: BaseException) -> str:
    """What went wrong reading a file, in Chinese, for an exception nothing nearer caught."""
    if isinstance(err, SyntaxError):
        return CORRUPT_XML
    if isinstance(err, zipfile.BadZipFile | zlib.error | EOFError):
        return INVALID
    if isinstance(err, MemoryError):
        return "文件过大，读取时内存不足，未读取"
    if isinstance(err, RecursionError):
        return "文件结构嵌套过深，无法读取"
    if isinstance(err, UnicodeError):
        return "文件中有无法解码的文字，无法读取"
    if isinstance(err, ValueError | OSError):
        return str(err)
    return f"文件无法读取（{type(err).__name__}），可能已损坏：请在 Excel 中打开、另存后重新报送"


# --- other spreadsheet formats ---------------------------------------------------------------------

LEGACY_SUFFIXES = (".xls", ".et", ".ett", ".ods", ".xlsb")
"""Spreadsheets read by calamine alone (values, no layout): old Excel, WPS 表格, OpenDocument."""
_KINDS = {
    ".xls": "旧版 Excel",
    ".et": "WPS 表格",
    ".ett": "WPS 表格模板",
    ".ods": "OpenDocument 表格",
    ".xlsb": "Excel 二进制工作簿",
}


def read_legacy(path: Path) -> list[Sheet]:
    """The worksheets of an old Excel, WPS .et, .ods or .xlsb file, as calamine reads them (a
    file that is an .xlsx inside, as WPS often saves, is read as one); ValueError naming the
    fix when it cannot be read."""
    with path.open("rb") as f:
        head = f.read(4)
    if head == b"PK\x03\x04" and path.suffix.lower() != ".ods":
        try:
            return read_sheets(path)
        except ValueError:
            pass
    sheets = _calamine(path)
    if sheets is None or not any(rows for _, rows in sheets):
        kind = _KINDS.get(path.suffix.lower(), "表格")
        raise ValueError(
            f"无法读取{kind}（{path.suffix}）文件：请在 Excel 或 WPS 中“另存为” Excel 工作簿"
            "（.xlsx）后重新报送"
        )
    for _, rows in sheets:
        if len(rows) > MAX_ROWS or any(len(r) > MAX_COLUMNS for r in rows[:1]):
            raise ReturnLimitError(f"工作表超过上限 {MAX_ROWS:,} 行或 {MAX_COLUMNS:,} 列，未读取")
    return [Sheet(title, rows) for title, rows in sheets]
