"""Plan documents as bureaus publish them: chosen by content, read to lines of text.

``read_document`` looks at a file's first bytes, not only its suffix: a PDF, a Word document
(.docx), an Excel workbook (.xlsx), a saved web page (.html), a CSV sheet or a plain text in
any Chinese encoding. Each reader gives the document's text line by line in document order,
with every table row as one line of ``|``-separated cells (``| 序号 | 工作任务 | 牵头单位 |``)
so the extractor reads tables from any source alike. A damaged or unsupported file raises
:class:`~planlib.errors.PlanTextError` with a Chinese reason naming the file.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

from ...errors import PlanTextError
from .documents import Document, table_lines
from .text import decode_plan_bytes

KINDS = ("text", "csv", "html", "docx", "xlsx", "pdf")


def read_document(path: str | Path) -> Document:
    """The text of a plan document of any supported kind, in simplified script (a document in
    traditional script is converted, its original text kept); PlanTextError when unreadable."""
    return _read_any(path).in_simplified()


def _read_any(path: str | Path) -> Document:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise PlanTextError(p, "文件不存在") from None
    except IsADirectoryError:
        raise PlanTextError(p, "这是一个目录，不是文件") from None
    except OSError as err:
        raise PlanTextError(p, f"无法读取：{err.strerror}") from None
    kind = sniff(raw, p.suffix.lower())
    check_kind(p, kind)
    if kind == "pdf":
        from .pdf import read_pdf

        return read_pdf(p, raw)
    if kind in ("docx", "xlsx"):
        from .office import read_docx, read_xlsx

        return read_docx(p, raw) if kind == "docx" else read_xlsx(p, raw)
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PlanTextError(p, "不是文本文件（含有二进制内容），也不是 PDF、Word 或 Excel 文件")
    text = decode_plan_bytes(raw, p)
    if kind == "html" or (kind == "text" and _looks_like_html(text)):
        from .webpage import read_html

        return read_html(text)
    if kind == "csv":
        return read_csv(p, text)
    return Document(text, "text")


def sniff(raw: bytes, suffix: str = "") -> str:
    """What a file is, from its first bytes (the suffix only tells CSV and HTML from text)."""
    if raw.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if raw.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(raw)).namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return "docx" if suffix == ".docx" else "xlsx" if suffix == ".xlsx" else "zip"
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return "zip"
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if raw.startswith(b"{\\rtf"):
        return "rtf"
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in (".html", ".htm", ".shtml", ".xhtml", ".mht"):
        return "html"
    return "text"


def check_kind(path: Path, kind: str) -> None:
    """Refuse kinds no reader takes, with what to do instead."""
    if kind == "ole":
        raise PlanTextError(
            path, "这是旧版 Word/Excel 文件（.doc/.xls），请另存为 .docx/.xlsx 后再抽取"
        )
    if kind == "rtf":
        raise PlanTextError(path, "这是 RTF 文件，请在 Word 中另存为 .docx 后再抽取")
    if kind == "zip":
        raise PlanTextError(path, "这是压缩文件，但不是 Word（.docx）或 Excel（.xlsx）文件")


_HTML_RE = re.compile(r"<(!doctype\s+html|html|body|table|p|div)[\s>]", re.IGNORECASE)


def _looks_like_html(text: str) -> bool:
    head = text[:4096]
    return bool(_HTML_RE.search(head)) and head.lstrip().startswith("<")


# --- CSV ----------------------------------------------------------------------------------------


def read_csv(path: Path, text: str) -> Document:
    """A CSV sheet (comma, tab or semicolon): every row as a ``|`` line."""
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), dialect))
    except csv.Error as err:
        raise PlanTextError(path, f"CSV 格式错误：{err}") from None
    return Document("\n".join(table_lines(rows)), "csv")
