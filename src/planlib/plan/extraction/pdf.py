"""PDF plan documents: the text layer in reading order, tables as rows of cells.

pdfplumber reads each page; where it finds a ruled table, the table's cells come as a
``|`` row and the text around it as lines, top to bottom. A 任务分解表 printed without
ruling lines (a Word table with its borders removed) is found by its header words and read
by the columns its text lines up in: a row starts where the 序号 column holds a number, and
the lines below it (a cell's wrapped text) belong to it, also on the next page. Page
furniture (page numbers, running headers) is left to the extractor's furniture filter,
which drops it from any source alike. A scanned PDF (no text layer), an encrypted or a
damaged one raises PlanTextError.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import PlanTextError
from .columns import column_role, is_header_row
from .documents import Document, table_lines

_TEXT_STRATEGY = {"vertical_strategy": "text", "horizontal_strategy": "text"}
_HINT = re.compile(r"牵头|责任|配合|时限|时间节点")
_NUMBER = re.compile(r"\d{1,3}[.、．]?")
_PAGE_NUMBER = re.compile(r"[-—–\s]*\d{1,4}[-—–\s]*|第\d+页(共\d+页)?|\d+\s*/\s*\d+")


@dataclass
class _Open:
    """An unruled table that runs on past the page's foot: its header, and its last record,
    held back because the next page may continue that record's cells."""

    header: list[str]
    last: list[str]


def _page_lines(page: Any, carried: _Open | None) -> tuple[list[str], _Open | None]:
    """The page's lines, and the unruled table it leaves open at its foot (if any)."""
    tables: list[tuple[tuple[float, ...], list[list[str]]]] = [
        (t.bbox, [[c or "" for c in row] for row in t.extract()]) for t in page.find_tables()
    ]
    found = None if tables else _unruled_table(page, carried)
    lines: list[str] = []
    if carried is not None and found is None:  # the held-back record ends where it stood
        lines += table_lines([carried.header, carried.last])
    if found is not None:
        bbox, rows, runs_on = found
        if runs_on:
            lines += _text(page.crop((0, 0, page.width, bbox[1]))) if bbox[1] > 0 else []
            return lines + table_lines(rows[:-1]), _Open(rows[0], rows[-1])
        tables = [(bbox, rows)]
    top = 0.0
    for bbox, rows in sorted(tables, key=lambda t: t[0][1]):
        _, t0, _, t1 = bbox
        if t0 > top:
            lines += _text(page.crop((0, top, page.width, t0)))
        lines += table_lines(rows)
        top = max(top, t1)
    if top < page.height:
        lines += _text(page.crop((0, top, page.width, page.height)) if top else page)
    return lines, None


def _unruled_table(
    page: Any, carried: _Open | None
) -> tuple[tuple[float, ...], list[list[str]], bool] | None:
    """An unruled 任务分解表 on the page: its box, its rows (the header first) and whether it
    may go on over the page (below it there is at most a page number); None if there is none."""
    if carried is None and not _HINT.search(page.extract_text() or ""):
        return None  # no header words on the page: not worth a text-alignment table search
    for table in page.find_tables(_TEXT_STRATEGY):
        grid = [[(c or "").strip() for c in row] for row in table.extract()]
        grid = [row for row in grid if any(row)]
        extra, bottom, more = _lines_below(page, table)
        rows = _joined_rows(grid + extra, carried)
        if rows is not None:
            x0, top, x1, _ = table.bbox
            return (x0, top, x1, bottom), rows, not more
    return None


def _lines_below(page: Any, table: Any) -> tuple[list[list[str]], float, bool]:
    """The text lines under a text-aligned table that still fall in its columns (the text
    strategy leaves a table's last line out), where they end, and whether other text follows
    (a page number does not count)."""
    columns = [c.bbox for c in table.columns]
    bottom = table.bbox[3]
    words = [w for w in page.extract_words() if w["top"] >= bottom - 0.5]
    lines: list[list[dict[str, Any]]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - w["top"]) <= 2:
            lines[-1].append(w)
        else:
            lines.append([w])
    texts = ["".join(w["text"] for w in line) for line in lines]
    rows: list[list[str]] = []
    for at, line in enumerate(lines):
        if _PAGE_NUMBER.fullmatch(texts[at]):
            continue
        cells = _in_columns(line, columns)
        height = max(w["bottom"] - w["top"] for w in line)
        if cells is None or line[0]["top"] - bottom > 1.5 * height:
            # a word across columns, or a gap: the text after the table
            return rows, bottom, any(not _PAGE_NUMBER.fullmatch(t) for t in texts[at:])
        rows.append(cells)
        bottom = max(w["bottom"] for w in line)
    return rows, bottom, False


def _in_columns(line: list[dict[str, Any]], columns: list[tuple[float, ...]]) -> list[str] | None:
    """A line's words as cells of the columns they stand in; None if one stands across two."""
    cells = [""] * len(columns)
    for w in line:
        col = next(
            (i for i, c in enumerate(columns) if c[0] - 2 <= w["x0"] and w["x1"] <= c[2] + 2),
            None,
        )
        if col is None:
            return None
        cells[col] += w["text"]
    return cells


def _joined_rows(grid: list[list[str]], carried: _Open | None) -> list[list[str]] | None:
    """Header and records from a grid of text lines: the header's own wrapped lines joined,
    then one record per number in the 序号 column, the lines below it joined into its cells.
    On a page that continues ``carried``, lines before the first number end its last record."""
    header, start, records = None, None, []
    if carried is not None and grid and len(grid[0]) == len(carried.header):
        header, start, records = carried.header, 0, [list(carried.last)]
    else:
        for k in range(1, min(4, len(grid)) + 1):
            head = _stacked(grid[:k])
            seq = _seq_column(head)
            if seq is None or not is_header_row(head):
                continue
            if k < len(grid) and _NUMBER.fullmatch(grid[k][seq]):
                header, start = head, k
                break
    if start is None or header is None:
        return None
    seq = _seq_column(header)
    assert seq is not None
    for row in grid[start:]:
        if _NUMBER.fullmatch(row[seq]) or not records:
            records.append(list(row))
        else:
            records[-1] = [
                f"{a}\n{b}" if a and b else a or b for a, b in zip(records[-1], row, strict=True)
            ]
    return [header, *records]


def _stacked(rows: list[list[str]]) -> list[str]:
    """A header cell wrapped over several lines (序 / 号), read as one."""
    return ["".join(cells) for cells in zip(*rows, strict=True)]


def _seq_column(header: list[str]) -> int | None:
    roles = [column_role(c) for c in header]
    return roles.index("seq") if "seq" in roles else None


def _text(region: Any) -> list[str]:
    text = region.extract_text() or ""
    return [t for t in text.splitlines() if t.strip()]


def read_pdf(path: Path, raw: bytes) -> Document:
    """The lines of a PDF's text layer, page by page."""
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(raw))
    except Exception as err:  # pdfminer raises syntax, type and value errors for a broken file
        name = type(err).__name__
        if "Password" in name or "Encrypt" in name:
            raise PlanTextError(path, "PDF 已加密，请先解除密码保护") from None
        raise PlanTextError(path, f"PDF 文件已损坏或不完整，无法打开（{name}）") from None
    try:
        with pdf:
            lines: list[str] = []
            carried: _Open | None = None
            for page in pdf.pages:
                found, carried = _page_lines(page, carried)
                lines += found
            if carried is not None:
                lines += table_lines([carried.header, carried.last])
            title = str((pdf.metadata or {}).get("Title") or "").strip() or None
    except PlanTextError:
        raise
    except Exception as err:
        name = type(err).__name__
        raise PlanTextError(path, f"PDF 文件已损坏或不完整，无法读出文字（{name}）") from None
    if garbled("\n".join(lines)):
        # pdfminer finds no text or placeholders (a CJK font without a ToUnicode map, as fpdf2
        # writes it): PDFium maps such fonts by their glyph names and cmaps
        other = pdfium_lines(path, raw)
        if other and not garbled("\n".join(other)):
            lines = other
    if not any(line.strip() for line in lines):
        raise PlanTextError(
            path, "PDF 没有文字层（可能是扫描件），请先做文字识别（OCR）或另存为文本"
        )
    return Document("\n".join(lines), "pdf", title)


_CID = re.compile(r"\(cid:\d+\)")


def garbled(text: str) -> bool:
    """Whether a text layer is no text to read: empty, or mostly placeholders (``(cid:12)``,
    U+FFFD, private-use characters), or Latin noise where a Chinese plan has almost no CJK."""
    body = "".join(text.split())
    if not body:
        return True
    bad = sum(len(m) for m in _CID.findall(body))
    bad += sum(1 for c in body if c == "\ufffd" or "\ue000" <= c <= "\uf8ff" or c < " ")
    if bad > 0.05 * len(body):
        return True
    cjk = sum(1 for c in body if "\u4e00" <= c <= "\u9fff")
    letters = sum(1 for c in body if c.isascii() and c.isalpha())
    return len(body) >= 40 and cjk < 0.05 * len(body) and letters > 0.5 * len(body)


def pdfium_lines(path: Path, raw: bytes) -> list[str]:
    """The text of every page as PDFium reads it, line by line (no table cells)."""
    try:
        import pypdfium2
    except ImportError:  # pragma: no cover - installed with pdfplumber
        return []
    try:
        document = pypdfium2.PdfDocument(raw)
    except Exception:  # a PDF pdfplumber opened but PDFium does not: keep pdfplumber's reading
        return []
    lines: list[str] = []
    try:
        for page in document:
            text = page.get_textpage().get_text_range()
            lines += [t.strip() for t in text.splitlines() if t.strip()]
    finally:
        document.close()
    return lines
