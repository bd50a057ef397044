"""Word (.docx) and Excel (.xlsx) plan documents, read to lines in document order.

A Word document gives its paragraphs and its tables as they come (python-docx; a merged
cell repeats down the rows it covers). A workbook gives each sheet's rows (openpyxl, values
not formulas); a cell merged down a group column repeats its text, a title merged across the
sheet is one line. A damaged file raises PlanTextError.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

from ...errors import PlanTextError
from .documents import Document, table_lines

_DAMAGED = "文件已损坏或不完整，无法打开"


def read_docx(path: Path, raw: bytes) -> Document:
    """Paragraphs and tables of a .docx, in document order."""
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:  # pragma: no cover - a missing optional dependency
        raise PlanTextError(
            path, "读取 Word 文件需要 python-docx（pip install python-docx）"
        ) from None
    try:
        document = docx.Document(io.BytesIO(raw))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise PlanTextError(path, f"Word {_DAMAGED}（{type(err).__name__}）") from None
    except Exception as err:  # lxml and python-docx raise many kinds for a broken part
        raise PlanTextError(path, f"Word {_DAMAGED}（{type(err).__name__}）") from None
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, document).text
            lines.extend(t for t in text.splitlines() if t.strip())
        elif tag == "tbl":
            table = Table(child, document)
            rows = []
            for row in table.rows:
                cells: list[str] = []
                previous = None
                for cell in row.cells:
                    if cell._tc is previous:  # a horizontal merge repeats the cell: once
                        cells.append("")
                        continue
                    previous = cell._tc
                    cells.append(" ".join(p.text for p in cell.paragraphs))
                rows.append(cells)
            lines.extend(table_lines(rows))
    title = (document.core_properties.title or "").strip() or None
    return Document("\n".join(lines), "docx", title)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(path: Path, raw: bytes) -> Document:
    """Every sheet's rows; merged cells filled down a column, a merged title row once."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), data_only=True)
    except Exception as err:  # openpyxl raises zip, XML and key errors for a broken file
        raise PlanTextError(path, f"Excel {_DAMAGED}（{type(err).__name__}）") from None
    lines: list[str] = []
    for sheet in book.worksheets:
        grid = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        for merged in sheet.merged_cells.ranges:
            top, left = merged.min_row - 1, merged.min_col - 1
            if top >= len(grid) or left >= len(grid[top]):
                continue
            value = grid[top][left]
            for r in range(merged.min_row - 1, min(merged.max_row, len(grid))):
                for c in range(merged.min_col - 1, min(merged.max_col, len(grid[r]))):
                    # down a column the text repeats; across a row it is said once
                    grid[r][c] = value if c == left else ""
        if lines and grid:
            lines.append("")
        lines.extend(table_lines(grid))
    title = (book.properties.title or "").strip() or None
    return Document("\n".join(lines), "xlsx", title)
