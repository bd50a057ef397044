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
    numbers = _Numbering(document)
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            text = numbers.label(paragraph) + paragraph.text
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


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CN = "〇一二三四五六七八九"


def _chinese(n: int) -> str:
    """1 → 一, 12 → 十二, 23 → 二十三 (as Word's chineseCounting writes them, up to 99)."""
    if n < 10:
        return _CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN[tens]) + "十" + (_CN[ones] if ones else "")


def _format(n: int, fmt: str) -> str:
    if fmt.startswith(("chinese", "japanese", "taiwanese", "ideographDigital")):
        return _chinese(n) if n < 100 else str(n)
    if fmt == "decimalEnclosedCircle" and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("A") + (n - 1) % 26)
        return letter if fmt == "upperLetter" else letter.lower()
    return str(n)


class _Numbering:
    """Word's automatic numbering (1. 一、 （一）): the label a numbered paragraph shows, which
    is not in its text. Counters run per list and level; a level restarts below a higher one."""

    def __init__(self, document: Any) -> None:
        self.levels: dict[tuple[str, int], tuple[int, str, str]] = {}  # start, format, text
        self.counts: dict[tuple[str, int], int] = {}
        self.styles: dict[str, tuple[str, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, AttributeError, NotImplementedError):
            return
        abstract: dict[str, dict[int, tuple[int, str, str]]] = {}
        for node in root.iter(f"{_W}abstractNum"):
            levels: dict[int, tuple[int, str, str]] = {}
            for lvl in node.iter(f"{_W}lvl"):
                start = lvl.find(f"{_W}start")
                fmt = lvl.find(f"{_W}numFmt")
                text = lvl.find(f"{_W}lvlText")
                levels[int(lvl.get(f"{_W}ilvl", "0"))] = (
                    int(start.get(f"{_W}val", "1")) if start is not None else 1,
                    fmt.get(f"{_W}val", "decimal") if fmt is not None else "decimal",
                    text.get(f"{_W}val", "") if text is not None else "",
                )
            abstract[node.get(f"{_W}abstractNumId", "")] = levels
        for num in root.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            levels = abstract.get(ref.get(f"{_W}val", "") if ref is not None else "", {})
            for ilvl, spec in levels.items():
                self.levels[(num.get(f"{_W}numId", ""), ilvl)] = spec
        for style in document.styles:
            ppr = getattr(style.element, "pPr", None)
            ref = self._ref(ppr)
            if ref is not None:
                self.styles[style.style_id] = ref

    @staticmethod
    def _ref(ppr: Any) -> tuple[str, int] | None:
        if ppr is None:
            return None
        numpr = ppr.find(f"{_W}numPr")
        if numpr is None:
            return None
        num = numpr.find(f"{_W}numId")
        ilvl = numpr.find(f"{_W}ilvl")
        if num is None:
            return None
        level = int(ilvl.get(f"{_W}val", "0")) if ilvl is not None else 0
        return num.get(f"{_W}val", ""), level

    def label(self, paragraph: Any) -> str:
        ref = self._ref(paragraph._p.pPr)
        if ref is None:
            style = paragraph._p.pPr.pStyle.val if paragraph._p.pPr is not None else None
            style_id = style if isinstance(style, str) else None
            ref = self.styles.get(style_id or "")
        if ref is None or ref[0] == "0" or ref not in self.levels or not paragraph.text.strip():
            return ""
        num, ilvl = ref
        start, fmt, text = self.levels[ref]
        if fmt in ("bullet", "none") or not text:
            return ""
        self.counts[ref] = self.counts.get(ref, start - 1) + 1
        for key in [k for k in self.counts if k[0] == num and k[1] > ilvl]:
            del self.counts[key]  # a deeper level starts again
        label = text
        for k in range(ilvl + 1):
            value = self.counts.get((num, k), self.levels.get((num, k), (1, "", ""))[0])
            spec = self.levels.get((num, k), (1, "decimal", ""))
            label = label.replace(f"%{k + 1}", _format(value, spec[1]))
        return label


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
