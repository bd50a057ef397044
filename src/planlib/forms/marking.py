"""A county's submitted return, copied with its problems marked: the body of a feedback workbook.

An .xlsx return is opened (read only from disk) and saved under the feedback name; a CSV return,
or several files, become sheets of a new workbook, one per table, cell for cell as the reader
numbered them, values as numbers or inert text. Each problem cell gets a fill, a mark in its
number format and a comment; the 问题清单 sheet comes first with a link to every cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from ..returns.reading import read_raw_tables
from .sheets import (
    ERROR_FILL,
    ERROR_MARK,
    FONT_NAME,
    HEADER_ROWS,
    LIST_HEADERS,
    LIST_SHEET,
    WARNING_FILL,
    WARNING_MARK,
    HeaderLookup,
    content_width,
    fit_rows,
    header_row,
    mark_format,
    page_setup,
    put_text,
    put_value,
    save_atomic,
    sheet_ref,
    sheet_title,
    sheet_widths,
    split_location,
)

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

_SEVERITY = {"error": f"{ERROR_MARK} 错误", "warning": f"{WARNING_MARK} 警告"}


@dataclass
class _Mark:
    severity: str
    lines: list[str]


def _within_caps(path: Path) -> bool:
    """Whether the workbook passes the reader's caps (a zip bomb or a sheet of a million junk
    rows is never opened whole to be copied back to its county)."""
    import zipfile

    from ..returns.workbooks import check_extent, check_zip

    try:
        with zipfile.ZipFile(path) as z:
            check_zip(z)
            for info in z.infolist():
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    check_extent(z.read(info))
    except Exception:
        return False
    return True


def _copy(root: Path, files: list[str]) -> tuple[Workbook, dict[tuple[str, str], Worksheet]]:
    """The county's files as one workbook, and which sheet holds each (file, sheet) table."""
    from openpyxl import Workbook, load_workbook

    sheets: dict[tuple[str, str], Worksheet] = {}
    xlsx = [f for f in files if f.lower().endswith((".xlsx", ".xlsm"))]
    if len(files) == 1 and xlsx and _within_caps(root / xlsx[0]):
        try:
            wb = load_workbook(root / xlsx[0])
        except Exception:
            wb = None
        if wb is not None:
            for ws in wb.worksheets:
                ws.protection.sheet = False  # the clerk may correct in the copy
                sheets[(xlsx[0], ws.title)] = ws
            return wb, sheets
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    for f in files:
        try:
            tables = read_raw_tables(root / f, f)
        except (ValueError, OSError):
            continue
        for t in tables:
            title = t.sheet if len(files) == 1 and t.sheet else t.sheet or Path(f).stem
            ws = wb.create_sheet(
                sheet_title(title if title not in wb.sheetnames else Path(f).stem + title)
            )
            for r, row in enumerate(t.rows, start=1):
                for c, value in enumerate(row, start=1):
                    if value is not None and value != "":
                        put_value(ws.cell(r, c), value)
            sheets[(f, t.sheet)] = ws
    return wb, sheets


def _target(
    sheets: dict[tuple[str, str], Worksheet], p: pd.Series, lookups: dict[str, HeaderLookup]
) -> tuple[Worksheet | None, str | None]:
    """The sheet and cell a problem points at (None when it names no row)."""
    file, sheet = split_location(str(p["file"]))
    ws = sheets.get((file, sheet))
    if ws is None and not sheet:  # a whole-file problem of a workbook: its first sheet
        ws = next((w for (f, _), w in sheets.items() if f == file), None)
    if ws is None:
        return None, None
    row = None if pd.isna(p["row"]) else int(p["row"])
    if row is None:
        return ws, None
    if isinstance(p["column"], str):
        if ws.title not in lookups:
            lookups[ws.title] = HeaderLookup(ws)
        col = lookups[ws.title].column(p["column"], row)
    else:
        col = None
    return ws, f"{get_column_letter(col or 1)}{row}"


def marked_copy(
    path: Path, root: Path, files: list[str], problems: pd.DataFrame, title: str
) -> None:
    """Write ``path``: the county's ``files`` with ``problems`` marked and a 问题清单 first."""
    wb, sheets = _copy(root, files)
    listing = wb.create_sheet(LIST_SHEET, 0)
    wb.active = 0
    marks: dict[tuple[str, str], _Mark] = {}
    lookups: dict[str, HeaderLookup] = {}
    n_err = int(problems["severity"].eq("error").sum())
    put_text(listing.cell(1, 1), f"{title}报表校验问题清单").font = Font(
        name=FONT_NAME, bold=True, size=14
    )
    put_text(
        listing.cell(2, 1),
        f"错误 {n_err} 个（{ERROR_MARK}，须修改后重新报送），警告 {len(problems) - n_err} 个"
        f"（{WARNING_MARK}，请核对）。点击“问题”可跳到该单元格；请在原报表中修改后重新报送。",
    )
    header_row(listing, 3, list(LIST_HEADERS))
    link_font = Font(name=FONT_NAME, color="0563C1", underline="single")
    for i, p in enumerate(problems.to_dict("records"), start=4):
        file, sheet = split_location(str(p["file"]))
        ws, ref = _target(sheets, pd.Series(p), lookups)
        shown_sheet = ws.title if ws is not None else sheet
        row = "" if pd.isna(p["row"]) else int(p["row"])
        cells = (file, shown_sheet, row, p["column"] or "", p["value"] or "", p["message"])
        for j, value in enumerate(cells, start=1):
            if j == 3 and row != "":
                listing.cell(i, j).value = row
            else:
                put_text(listing.cell(i, j), "" if value is None or value != value else value)
        put_text(listing.cell(i, 7), _SEVERITY.get(str(p["severity"]), str(p["severity"])))
        if ws is not None:
            at = ref or "A1"
            cell = listing.cell(i, 6)
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=sheet_ref(ws.title, at))
            cell.font = link_font
        if ws is not None and ref is not None:
            mark = marks.setdefault((ws.title, ref), _Mark("warning", []))
            if p["severity"] == "error":
                mark.severity = "error"
            level = "错误" if p["severity"] == "error" else "警告"
            mark.lines.append(f"[{level}] {p['message']}")
    for where in {w for w, _ in marks}:
        wb[where].page_setup.cellComments = "atEnd"  # a print lists every comment after the sheet
    for (where, ref), mark in marks.items():
        cell = wb[where][ref]
        error = mark.severity == "error"
        cell.fill = PatternFill("solid", fgColor=ERROR_FILL if error else WARNING_FILL)
        cell.number_format = mark_format(ERROR_MARK if error else WARNING_MARK)
        text = "\n".join(mark.lines)
        cell.comment = Comment(text, "planlib", width=300, height=max(80, 40 * len(mark.lines)))
    widths = dict(enumerate((24, 10, 6, 20, 10, 50, 9), start=1))
    for col, width in widths.items():
        listing.column_dimensions[get_column_letter(col)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for row_cells in listing.iter_rows(min_row=3, max_row=3 + len(problems)):
        for c in row_cells:
            c.alignment = wrap
    fit_rows(listing, 3, 3 + len(problems), widths)
    listing.freeze_panes = "A4"
    listing.auto_filter.ref = f"A3:G{3 + max(1, len(problems))}"
    page_setup(listing, title_rows=(3, 3), title=f"{title}报表校验问题清单")
    for ws in sheets.values():
        _print_copy(ws, title)
    save_atomic(wb, path)


def _print_copy(ws: Worksheet, title: str) -> None:
    """A4 for a sheet of the county's return: its header row (the one naming most data items)
    on every page, its leading code and name columns on every group of columns, and widths
    from its content where the return set none (a CSV)."""
    from ..catalog.dictionary import load_dictionary

    d = load_dictionary()
    best, header, ids = 0, None, 0
    for r, row in enumerate(ws.iter_rows(max_row=min(ws.max_row, HEADER_ROWS)), start=1):
        found = [d.match(c.value) if c.value is not None else None for c in row]
        n = sum(1 for m in found if m is not None)
        if n > best:
            best, header = n, r
            ids = next((j for j, m in enumerate(found) if m is None or m.kind == "element"), 0)
    widths = sheet_widths(ws, ws.max_column, default=None)
    for j, column in enumerate(ws.iter_cols(max_row=min(ws.max_row, 2000)), start=1):
        letter = get_column_letter(j)
        if widths[j - 1] is None:
            texts = [str(c.value) for c in column[(header or 0) :] if c.value is not None]
            ws.column_dimensions[letter].width = content_width(texts, maximum=30)
    rows = (header, header) if header is not None else None
    page_setup(ws, title_rows=rows, id_cols=ids, title=f"{title}（{ws.title}）")
