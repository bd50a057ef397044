"""Builders for plan documents in the formats bureaus publish: Word, PDF, Excel, web pages.

The tests make each document from text they hold (python-docx, WeasyPrint with the bundled
font, openpyxl), so a fixture is never a binary nobody can read back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from pathlib import Path

import pytest

from planlib.plan.extraction.text import is_furniture, squeeze

FIXTURES = Path(__file__).parent / "fixtures" / "plans"
Rows = Sequence[Sequence[str]]
_START = re.compile(r"^(\d+[.、]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）])")


def seed_paragraphs() -> list[str]:
    """The seed plan as its author wrote it: the title, then one string per paragraph (the
    viewer's hard wraps joined, its banner and summary left out)."""
    lines = (FIXTURES / "seed_2022.txt").read_text(encoding="utf-8").splitlines()
    title = lines.index("市教育局 2022 年工作要点")
    tail = lines.index("摘要:")
    paragraphs: list[str] = []
    for line in lines[title + 1 : tail]:
        if is_furniture(line) or squeeze(line) == squeeze(lines[title]):
            continue
        if _START.match(line) or not paragraphs:
            paragraphs.append(line)
        else:
            paragraphs[-1] += line
    return [lines[title], *paragraphs]


def make_docx(
    path: Path, blocks: Sequence[str | Rows], title: str = "", merge_first: bool = False
) -> Path:
    """A Word document: a string is a paragraph, a list of rows a table (``merge_first``: its
    first column merged down each run of one text, below the header)."""
    docx = pytest.importorskip("docx")
    document = docx.Document()
    if title:
        document.core_properties.title = title
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        table = document.add_table(rows=len(block), cols=max(len(r) for r in block))
        for i, row in enumerate(block):
            for j, text in enumerate(row):
                if j == 0 and merge_first and i > 1 and text == block[i - 1][0]:
                    continue  # merged below, written once
                table.cell(i, j).text = text
        if merge_first:  # one group cell down its rows, as bureaus merge 一、学前教育
            start = 1
            for i in range(2, len(block) + 1):
                if i == len(block) or block[i][0] != block[start][0]:
                    if i - 1 > start:
                        table.cell(start, 0).merge(table.cell(i - 1, 0))
                    start = i
    document.save(str(path))
    return path


def html_page(blocks: Sequence[str | Rows], title: str = "", ruled: bool = True) -> str:
    """A simple web page: paragraphs and tables (ruled, or borderless as a Word table whose
    borders were removed), page numbers in the PDF's footer."""
    body: list[str] = []
    for block in blocks:
        if isinstance(block, str):
            body.append(f"<p>{escape(block)}</p>")
            continue
        rows = "".join(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in block
        )
        body.append(f"<table>{rows}</table>")
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
        "<style>@page { size: A4; margin: 2cm; @bottom-center { content: '- ' counter(page) ' -'; }}"
        "body { font-family: PlanFont; font-size: 12pt; line-height: 1.6; }"
        "p { text-indent: 2em; margin: 0; text-align: justify; }"
        "table { border-collapse: collapse; width: 100%; font-size: 10pt; }"
        + ("td { border: 1px solid black; padding: 2pt; }" if ruled else "td { padding: 2pt 4pt; }")
        + "td { vertical-align: top; }"
        "</style></head><body>" + "".join(body) + "</body></html>"
    )


def make_pdf(path: Path, blocks: Sequence[str | Rows], title: str = "", ruled: bool = True) -> Path:
    """A PDF rendered by WeasyPrint from :func:`html_page`, with the bundled CJK font."""
    weasyprint = pytest.importorskip("weasyprint")
    from weasyprint.text.fonts import FontConfiguration

    from planlib.fonts import font_path

    fonts = FontConfiguration()
    font = f"@font-face {{ font-family: PlanFont; src: url('{font_path().as_uri()}'); }}"
    css = weasyprint.CSS(string=font, font_config=fonts)
    page = weasyprint.HTML(string=html_page(blocks, title, ruled), base_url=".")
    page.write_pdf(str(path), stylesheets=[css], font_config=fonts)
    return path


def make_xlsx(path: Path, rows: Rows, title_row: str = "", merge_down: int | None = None) -> Path:
    """A workbook with one sheet 分解表: an optional merged title row, then the rows; with
    ``merge_down`` the cells of that column are merged down each run of one group (as bureaus
    merge 一、教育文化 over its rows), leaving only the first filled."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "分解表"
    width = max(len(r) for r in rows)
    offset = 0
    if title_row:
        sheet.append([title_row])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        offset = 1
    for row in rows:
        sheet.append(list(row))
    if merge_down is not None:
        col = merge_down + 1
        start = None
        for r in range(offset + 2, offset + len(rows) + 2):  # after the header row
            value = sheet.cell(r, col).value if r <= offset + len(rows) else "<end>"
            if value:
                if start is not None and r - 1 > start:
                    sheet.merge_cells(
                        start_row=start, start_column=col, end_row=r - 1, end_column=col
                    )
                start = r
    book.save(path)
    return path
