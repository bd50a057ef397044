"""Every report of the sample city, as a reader prints it: rendered at 2022Q2 and 2022Q4 on real
kernels, nbconvert and WeasyPrint, then read back from the PDF (pdfplumber) and as grey pages.

What is checked is what a 县局长 or 处长 reading a black-and-white print would notice: a page
left mostly empty, a heading stranded at the foot of a page, a status told only by colour, a
checksum or a space between a digit and a Han character in the text, an empty column.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pdfplumber
import pytest

import planlib
from planlib.charts import style
from planlib.reporting import runner
from planlib.reporting.executors import LocalExecutor

PERIODS = ("2022Q2", "2022Q4")
MARGIN = 16 / 25.4 * 72  # the @page margin top and bottom, in points
HEADING_SIZE = 13  # h2 is 13.5pt, h1 19pt; body text and tables are at most 10.5pt
_HAN = "\u4e00-\u9fff"
_SPACED = re.compile(rf"\d [{_HAN}]|[{_HAN}] \d")
_SHA256 = re.compile(r"\b[0-9a-f]{64}\b")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The default sample city (what ``make reports`` renders), every report, both periods."""
    data = tmp_path_factory.mktemp("print") / "sample"
    planlib.make_sample(data)
    out = {}
    for period in PERIODS:
        folder = tmp_path_factory.mktemp(f"print-{period}")
        outcome = runner.run_reports(data, folder, period, "all", "html,pdf", LocalExecutor(jobs=2))
        assert outcome.exit_code == 0
        out[period] = folder
    return out


def _pdfs(rendered: dict[str, Path]) -> list[Path]:
    pdfs = sorted(p for folder in rendered.values() for p in folder.glob("*.pdf"))
    assert len(pdfs) == 2 * 29  # 12 counties, 16 departments and the city, at each period
    return pdfs


def _lines(page: pdfplumber.page.Page) -> list[tuple[float, float, float]]:
    """(top, bottom, largest font size) of each text line in the page body (footer excluded)."""
    rows: dict[int, list[float]] = {}
    for c in page.chars:
        if c["top"] >= page.height - MARGIN or not c["text"].strip():
            continue
        key = round(c["top"])
        top, bottom, size = rows.get(key, [c["top"], c["bottom"], 0.0])
        rows[key] = [min(top, c["top"]), max(bottom, c["bottom"]), max(size, c["size"])]
    return sorted((t, b, s) for t, b, s in rows.values())


def _content_bottom(page: pdfplumber.page.Page) -> float:
    bottoms = [b for _t, b, _s in _lines(page)]
    bottoms += [i["bottom"] for i in page.images]
    bottoms += [r["bottom"] for r in page.rects if r["bottom"] < page.height - MARGIN]
    return max(bottoms, default=MARGIN)


@pytest.mark.slow
def test_no_page_is_left_mostly_empty_and_no_heading_ends_a_page(
    rendered: dict[str, Path],
) -> None:
    """Every page but the last is at least a third full, and none ends with a heading."""
    problems = []
    for pdf in _pdfs(rendered):
        with pdfplumber.open(pdf) as doc:
            pages = doc.pages
            for n, page in enumerate(pages, start=1):
                body = page.height - 2 * MARGIN
                fill = (_content_bottom(page) - MARGIN) / body
                where = f"{pdf.parent.name}/{pdf.name} p{n}"
                if n < len(pages) and fill < 1 / 3:
                    problems.append(f"{where}: only {fill:.0%} full")
                lines = _lines(page)
                if n < len(pages) and lines and lines[-1][2] >= HEADING_SIZE:
                    problems.append(f"{where}: ends with a heading")
    assert not problems, "\n".join(problems)


def _words(html: str) -> str:
    """The words a reader sees on the HTML page: tags, styles and scripts removed."""
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", "\n", html)


@pytest.mark.slow
def test_wording_is_in_bulletin_style_and_carries_no_checksum(rendered: dict[str, Path]) -> None:
    """公文 style in the text a reader sees (the PDF's text layer): 15项, 并列第2位; no SHA-256
    (checksums are in manifest.json and the index); no "（并列） 位"."""
    problems = []
    for pdf in _pdfs(rendered):
        with pdfplumber.open(pdf) as doc:
            text = "\n".join(page.extract_text() or "" for page in doc.pages)
        where = f"{pdf.parent.name}/{pdf.name}"
        # the words as the page has them (the PDF's text layer puts a space between table cells)
        words = _words(pdf.with_suffix(".html").read_text(encoding="utf-8"))
        spaced = sorted({m.group(0) for m in _SPACED.finditer(words)})
        if spaced:
            problems.append(f"{where}: digit and Han separated by a space: {spaced[:5]}")
        if _SHA256.search(text) or "SHA-256" in text or "sha256" in text:
            problems.append(f"{where}: carries a checksum")
        if "（并列） 位" in words or "列第 " in words:
            problems.append(f"{where}: rank worded as a translation")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_no_table_has_an_empty_column(rendered: dict[str, Path]) -> None:
    """A column with no value in any row (说明 at Q4, 还需 when all is met) is left out."""
    problems = []
    for folder in rendered.values():
        for page in sorted(folder.glob("*.html")):
            if page.name == "index.html":
                continue
            html = page.read_text(encoding="utf-8")
            for tab in re.findall(r"<table class=\"t\">(.*?)</table>", html, flags=re.S):
                heads = [
                    re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th>(.*?)</th>", tab, re.S)
                ]
                body = tab.split("</thead>")[-1]
                rows = [
                    [
                        re.sub(r"<[^>]+>", "", c).strip()
                        for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)
                    ]
                    for r in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
                ]
                for k, h in enumerate(heads):
                    if rows and all(len(r) > k and r[k] in ("", "—") for r in rows):
                        problems.append(f"{folder.name}/{page.name}: column {h} is empty")
    assert not problems, "\n".join(problems)


def _grey(colour: str) -> int:
    """The grey a laser printer gives a colour (ITU-R 601 luma, as PIL's ``convert('L')``)."""
    r, g, b = (int(colour[k : k + 2], 16) for k in (1, 3, 5))
    return round(0.299 * r + 0.587 * g + 0.114 * b)


@pytest.mark.slow
def test_status_reads_in_grey_as_three_tones_and_as_marks(rendered: dict[str, Path]) -> None:
    """Page 1 of every report, printed grey, shows the tone of each status it names (达标, 接近
    and 未达标 are 40 grey levels apart), and every status word in a badge or card carries its
    mark (✓△×—)."""
    tones = {s: _grey(style.status_colour(s)) for s in style.STATUSES[:3]}
    values = sorted(tones.values())
    assert min(b - a for a, b in itertools.pairwise(values)) >= 40, tones
    problems = []
    for pdf in _pdfs(rendered):
        with pdfplumber.open(pdf) as doc:
            image = doc.pages[0].to_image(resolution=50).original.convert("L")
            first = doc.pages[0].extract_text() or ""
        hist = image.histogram()
        where = f"{pdf.parent.name}/{pdf.name}"
        for status, tone in tones.items():
            if f"{style.status_mark(status)}{status}" not in first:
                continue  # not on page 1 (a department that owns no target shows its ledger)
            if sum(hist[max(0, tone - 6) : tone + 7]) < 20:  # a card is hundreds of pixels
                problems.append(f"{where}: no {status} tone ({tone}) on page 1")
        html = pdf.with_suffix(".html").read_text(encoding="utf-8")
        shown = re.findall(
            r'<(?:span class="badge"|div class="card[^"]*")[^>]*>(.*?)</(?:span|div)>', html
        )
        for item in shown:
            words = re.sub(r"<[^>]+>", "", item).lstrip("0123456789")
            longest_first = sorted(style.STATUSES, key=len, reverse=True)  # 未达标 ends in 达标
            status = next((s for s in longest_first if words.endswith(s)), None)
            if status and not words.startswith(style.status_mark(status)):
                problems.append(f"{where}: {words!r} has no mark")
        if not shown:
            problems.append(f"{where}: no status shown")
    assert not problems, "\n".join(problems)
