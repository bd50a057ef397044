"""Executed notebook → HTML page (nbconvert, code hidden) → A4 PDF (WeasyPrint), all in process.

The HTML page is nbconvert's ``basic`` body (outputs only) inside planlib's own page shell; the PDF
is rendered from the same page, with the bundled Noto Sans SC given by ``@font-face`` so it needs
no system fonts. The HTML file carries its own font instead (:func:`with_font`): the glyphs the
page shows, cut from the bundled font and embedded as a WOFF ``data:`` URI, so a reviewer's
browser without a Chinese font reads it too (and the page never carries a path of the machine
that made it). The PDF is made from the page without it: WeasyPrint embeds the font itself.
"""

from __future__ import annotations

import atexit
import base64
import json
import re
import struct
from collections.abc import Iterable
from contextlib import suppress
from functools import cache
from html import escape, unescape
from pathlib import Path
from typing import Any

import nbformat

from .._patches import weasyprint_png_passthrough
from ..charts import style
from ..fonts import page_font

PAGE_CSS = """
html { background: white; }
body { max-width: 820px; margin: 24px auto; padding: 0 16px; background: white; }
.jp-OutputArea-output pre, pre { white-space: pre-wrap; font-size: 8.5pt; }
.jp-Cell, .jp-OutputArea, .jp-OutputArea-child, .jp-OutputArea-output { margin: 0; padding: 0; }
@page {
  size: A4;
  margin: 16mm 15mm 16mm 15mm;
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 8pt; color: #757575;
                   font-family: "Noto Sans SC", sans-serif; }
}
@media print { body { max-width: none; margin: 0; padding: 0; } h2 { page-break-after: avoid; }
               img.fig { page-break-inside: avoid; } }
"""


@cache
def _exporter() -> Any:
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def hide_code(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy whose code cells are collapsed (``source_hidden``): JupyterLab shows the report."""
    out = nbformat.from_dict(nb)
    for cell in out.cells:
        if cell.cell_type == "code":
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
    return out


def notebook_html(nb: nbformat.NotebookNode, title: str) -> str:
    """The reviewer's page: outputs only, ``lang="zh"``, A4 print rules."""
    body, _ = _exporter().from_notebook_node(nb)
    return (
        '<!DOCTYPE html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{PAGE_CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def font_face_css() -> str:
    """``@font-face`` rules pointing at the bundled font (for the PDF renderer only)."""
    url = style.font_path().as_uri()
    return (
        f'@font-face {{ font-family: "{style.FONT_NAME}"; src: url("{url}"); '
        "font-weight: 100 900; font-style: normal; }\n"
        f'body, .pl {{ font-family: "{style.FONT_NAME}", sans-serif; }}\n'
        ".pl .mono { font-family: 'DejaVu Sans Mono', monospace; }\n"
    )


_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.S | re.I)


def page_text(html: str) -> str:
    """The text a page shows: its tags, scripts and style sheets out, entities read."""
    return unescape(_TAG.sub(" ", html))


def font_css(html: str, within: Path | None = None) -> str:
    """An ``@font-face`` carrying the glyphs ``html`` shows as a WOFF ``data:`` URI, and the body
    set in it (``within``: the batch font to cut it from, see :func:`planlib.fonts.page_font`)."""
    data = base64.b64encode(page_font(page_text(html), within)).decode("ascii")
    return (
        f'@font-face {{ font-family: "{style.FONT_NAME}"; font-style: normal; font-weight: 400; '
        f'font-display: block; src: url(data:font/woff;base64,{data}) format("woff"); }}\n'
        f'body {{ font-family: "{style.FONT_NAME}", sans-serif; }}\n'
    )


@cache
def package_text() -> str:
    """Every character planlib's own code, notebooks and bundled data can put on a page."""
    from .. import __file__ as package
    from ..resources import data_dir, notebooks_dir

    seen: set[str] = set()
    roots = [(Path(package).parent, "*.py"), (notebooks_dir(), "*.ipynb"), (data_dir(), "*.yaml")]
    for root, pattern in roots:
        for path in root.rglob(pattern):
            with suppress(OSError, UnicodeDecodeError):
                seen.update(path.read_text(encoding="utf-8"))
    return "".join(sorted(seen))


def batch_text(frames: Iterable[Any], meta: Any = None) -> str:
    """The characters a batch's reports can show: planlib's own text, and every name, word and
    column heading in the batch's frames and settings (units, schools, targets, ledger notes)."""
    seen = set(package_text()) | set(json.dumps(meta, ensure_ascii=False, default=str))
    for frame in frames:
        seen.update("".join(map(str, frame.columns)))
        for name in frame.columns:
            if frame[name].dtype.kind in "OSUc" or str(frame[name].dtype) in ("category", "string"):
                seen.update("".join(map(str, frame[name].dropna().unique())))
    return "".join(sorted(seen))


def with_font(html: str, within: Path | None = None) -> str:
    """The page with its own font embedded (:func:`font_css`), for a browser without one."""
    sheet = f"<style>{font_css(html, within)}</style>\n"
    head = html.find("</head>")
    return html[:head] + sheet + html[head:] if head >= 0 else sheet + html


@cache
def _pdf_fonts() -> tuple[Any, Any]:
    """The font configuration and the ``@font-face`` sheet, made once per process: loading the
    bundled font for every report cost WeasyPrint about 0.1 s, and the PDFs are byte for byte
    the same either way."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    weasyprint_png_passthrough(png_stream)  # planlib._patches: the charts' pixels as they are
    fonts = FontConfiguration()
    # released at exit while the modules it calls into still exist (a worker that froze its
    # heap would otherwise drop it during interpreter teardown, with a warning)
    atexit.register(_pdf_fonts.cache_clear)
    return fonts, weasyprint.CSS(string=font_face_css(), font_config=fonts)


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_stream(data: bytes) -> bytes | None:
    """The compressed pixels (IDAT) of an 8-bit, non-interlaced RGB or grey PNG: what a PDF image
    stream with PNG predictors holds, byte for byte. ``None`` for any other image."""
    if not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR" or len(data) < 33:
        return None
    depth, colour, interlace = data[24], data[25], data[28]
    if depth != 8 or colour not in (0, 2) or interlace:  # 0: grey, 2: RGB
        return None
    parts, pos = [], 8
    while pos + 12 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, pos)
        if kind == b"IDAT":
            parts.append(data[pos + 8 : pos + 8 + length])
        elif kind == b"IEND":
            return b"".join(parts) or None
        elif kind == b"tRNS":  # a transparent colour: WeasyPrint adds an alpha mask
            return None
        pos += 12 + length
    return None  # cut short


_INLINE_PNG = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')
_IMAGE_SCHEME = "planlib-image:"


def _page_images(html: str) -> tuple[str, Any]:
    """The page with its inline chart PNGs replaced by short names, and a URL fetcher serving
    them: the PDF renderer's HTML parser need not read the charts' base64 text (a county page's
    0.6 MB) character by character. Other URLs are fetched as WeasyPrint's own fetcher does."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    images: list[bytes] = []

    def name(match: re.Match[str]) -> str:
        images.append(base64.b64decode(match.group(1)))
        return f'src="{_IMAGE_SCHEME}{len(images) - 1}"'

    class PageImages(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith(_IMAGE_SCHEME):
                data = images[int(url.removeprefix(_IMAGE_SCHEME))]
                return URLFetcherResponse(url, data, {"Content-Type": "image/png"})
            return super().fetch(url, headers)

    return _INLINE_PNG.sub(name, html), PageImages()


def html_pdf(html: str) -> bytes:
    """An A4 PDF of the page, Chinese text selectable, the bundled font embedded."""
    import weasyprint

    fonts, sheet = _pdf_fonts()
    page, fetcher = _page_images(html)
    document = weasyprint.HTML(string=page, base_url=".", url_fetcher=fetcher)
    pdf = document.write_pdf(stylesheets=[sheet], font_config=fonts)
    assert pdf is not None  # write_pdf without a target returns the bytes
    return bytes(pdf)
