"""PDF plan documents: the text layer in reading order, tables as rows of cells.

pdfplumber reads each page; where it finds a ruled table, the table's cells come as a
``|`` row and the text around it as lines, top to bottom. Page furniture (page numbers,
running headers) is left to the extractor's furniture filter, which drops it from any
source alike. A scanned PDF (no text layer), an encrypted or a damaged one raises
PlanTextError.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ...errors import PlanTextError
from .documents import Document, table_lines


def _page_lines(page: Any) -> list[str]:
    tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
    lines: list[str] = []
    top = 0.0
    for table in tables:
        _, t0, _, t1 = table.bbox
        if t0 > top:
            lines += _text(page.crop((0, top, page.width, t0)))
        lines += table_lines([[c or "" for c in row] for row in table.extract()])
        top = max(top, t1)
    if top < page.height:
        lines += _text(page.crop((0, top, page.width, page.height)) if top else page)
    return lines


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
            for page in pdf.pages:
                lines += _page_lines(page)
            title = str((pdf.metadata or {}).get("Title") or "").strip() or None
    except PlanTextError:
        raise
    except Exception as err:
        name = type(err).__name__
        raise PlanTextError(path, f"PDF 文件已损坏或不完整，无法读出文字（{name}）") from None
    if not any(line.strip() for line in lines):
        raise PlanTextError(
            path, "PDF 没有文字层（可能是扫描件），请先做文字识别（OCR）或另存为文本"
        )
    return Document("\n".join(lines), "pdf", title)
