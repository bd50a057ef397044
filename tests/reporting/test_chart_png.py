"""Charts go into reports as PNGs drawn once and cropped to their ink (planlib's own crop, a
third cheaper than matplotlib's two-pass ``bbox_inches="tight"``). The crop must never cut ink
off: a chart whose ink reaches the canvas's edge takes the tight path."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from planlib.reporting.html import PRINT_DPI, chart_png


@pytest.fixture(autouse=True)
def _matplotlib_defaults() -> Iterator[None]:
    """These figures place their axes by hand, whatever style an earlier test in the process
    applied (planlib.charts.style.use() turns constrained layout on, which warns about them)."""
    with matplotlib.rc_context({"figure.constrained_layout.use": False}):
        yield


def _image(fig: Figure) -> np.ndarray:
    im = Image.open(io.BytesIO(chart_png(fig)))
    assert im.info["dpi"] == pytest.approx((PRINT_DPI, PRINT_DPI), abs=0.01)
    return np.asarray(im.convert("RGB"))


def _tight_size(fig: Figure) -> tuple[int, int]:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=PRINT_DPI, bbox_inches="tight", pad_inches=0.02)
    return Image.open(buf).size


def test_a_chart_inside_its_canvas_is_cropped_to_its_ink_with_a_margin() -> None:
    fig = Figure(figsize=(4, 3), layout="none")
    ax = fig.add_axes((0.2, 0.2, 0.6, 0.6))
    ax.plot([0, 1, 2], [1, 3, 2])
    ax.set_title("学前三年毛入园率（%）")
    a = _image(fig)
    ink = (a != 255).any(axis=2)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    assert (rows[0], cols[0]) == (4, 4)  # the margin: 0.02 in at 200 dpi
    assert (a.shape[0] - 1 - rows[-1], a.shape[1] - 1 - cols[-1]) == (4, 4)
    assert a.shape[1] < 4 * PRINT_DPI  # the white around the axes is gone
    width, height = _tight_size(fig)  # about what matplotlib's tight crop gives
    assert abs(a.shape[1] - width) <= 12 and abs(a.shape[0] - height) <= 12


def test_a_label_beyond_the_canvas_is_kept_by_the_tight_path() -> None:
    fig = Figure(figsize=(4, 3), layout="none")
    ax = fig.add_axes((0.02, 0.2, 0.9, 0.6))  # no room for the tick labels on the left
    ax.set_yticks([0, 1], ["适龄残疾儿童少年入学（安置）率", "九年义务教育巩固率"])
    a = _image(fig)
    assert a.shape[1] > 4 * PRINT_DPI  # wider than the canvas: nothing was cut off
    assert a.shape[1] == _tight_size(fig)[0]


def test_ink_near_the_edge_is_cropped_within_the_canvas() -> None:
    """Ink 3 px from the edge leaves less than the 4 px margin: the crop stops at the canvas (a
    crop box past it would add a black column)."""
    from matplotlib.patches import Rectangle

    fig = Figure(figsize=(2, 1), layout="none")  # 400 x 200 px at 200 dpi
    fig.patches.append(Rectangle((0.5, 0.25), 196.99 / 400, 0.5, transform=fig.transFigure,
                                 color="black", antialiased=False, linewidth=0))  # fmt: skip
    a = _image(fig)
    ink = (a != 255).any(axis=2)
    assert np.flatnonzero(ink.any(axis=0))[-1] == a.shape[1] - 4  # 3 white columns after it
    assert (a[:, -3:] == 255).all()


def test_an_empty_canvas_is_kept_whole() -> None:
    a = _image(Figure(figsize=(2, 1), layout="none"))
    assert a.shape[:2] == (PRINT_DPI, 2 * PRINT_DPI) and (a == 255).all()


def test_the_pdf_shows_the_charts_as_the_inline_page_does(tmp_path) -> None:
    """html_pdf hands WeasyPrint the page's inline PNGs by name instead of as base64 text: the
    PDF has the same text and the same image streams as from the inline page, and an image
    linked from a file still loads."""
    import weasyprint
    from pypdf import PdfReader

    from planlib.reporting.html import figure_html
    from planlib.reporting.render import _pdf_fonts, html_pdf

    fig = Figure(figsize=(4, 2), layout="none")
    fig.add_axes((0.2, 0.2, 0.6, 0.6)).plot([0, 1], [1, 0])
    (tmp_path / "logo.png").write_bytes(chart_png(Figure(figsize=(1, 1), layout="none")))
    html = (
        f"<html><body><p>图一</p>{figure_html(fig, '趋势')}"
        f'<img src="{(tmp_path / "logo.png").as_uri()}"></body></html>'
    )
    fonts, sheet = _pdf_fonts()
    inline = weasyprint.HTML(string=html).write_pdf(stylesheets=[sheet], font_config=fonts)

    def seen(pdf: bytes) -> tuple[str, list[bytes]]:
        page = PdfReader(io.BytesIO(pdf)).pages[0]
        return page.extract_text(), [im.data for im in page.images]

    text, images = seen(html_pdf(html))
    assert (text, images) == seen(inline)
    assert "图一" in text and len(images) == 2


def _png(mode: str, **save: object) -> bytes:
    rng = np.random.default_rng(7)
    bands = {"RGB": 3, "RGBA": 4, "L": 1}[mode]
    pixels = rng.integers(0, 256, size=(23, 37, bands), dtype=np.uint8).squeeze()
    buf = io.BytesIO()
    Image.fromarray(pixels, mode).save(buf, format="png", **save)
    return buf.getvalue()


def test_the_pdf_keeps_a_charts_png_pixels_as_they_are() -> None:
    """WeasyPrint would decode each PNG and encode it again; an 8-bit RGB or grey PNG goes into
    the PDF with its own compressed pixels instead, and reads back pixel for pixel."""
    from pypdf import PdfReader

    from planlib.reporting.render import html_pdf, png_stream

    sources = [_png("RGB", compress_level=1), _png("L"), _png("RGBA"), _png("RGB", optimize=True)]
    html = "".join(
        f'<img src="data:image/png;base64,{base64.b64encode(s).decode()}">' for s in sources
    )
    page = PdfReader(io.BytesIO(html_pdf(f"<html><body>{html}</body></html>"))).pages[0]
    xobjects = page["/Resources"]["/XObject"]
    streams = sorted((xobjects[k].get_object() for k in xobjects), key=lambda x: x["/Width"])
    assert len(streams) == 4
    kept = [png_stream(s) for s in sources]
    assert kept[2] is None  # RGBA: WeasyPrint splits off the alpha mask, as before
    raw = {x._data for x in streams}  # the stream as stored, still compressed
    assert {k for k in kept if k is not None} <= raw
    for source, image in zip(sources, page.images, strict=True):
        expected = Image.open(io.BytesIO(source))
        got = image.image
        if expected.mode == "RGBA":
            expected, got = expected.convert("RGB"), got.convert("RGB")
        assert np.array_equal(np.asarray(got), np.asarray(expected))


def _header(data: bytes, offset: int, value: int) -> bytes:
    """The PNG with one IHDR byte changed (24: bit depth, 28: interlace; the CRC is not read)."""
    return data[:offset] + bytes([value]) + data[offset + 1 :]


@pytest.mark.parametrize(
    "data",
    [
        _png("RGBA"),
        _header(_png("RGB"), 24, 16),  # 16 bits a sample
        _header(_png("RGB"), 28, 1),  # interlaced
        _png("RGB", transparency=(0, 0, 0)),  # a transparent colour
        _png("RGB")[:-20],  # cut short
        b"GIF89a" + bytes(40),
    ],
    ids=["rgba", "16-bit", "interlaced", "transparent colour", "cut short", "not a png"],
)
def test_only_plain_8_bit_pngs_are_kept(data: bytes) -> None:
    from planlib.reporting.render import png_stream

    assert png_stream(data) is None
    assert png_stream(_png("RGB")) is not None and png_stream(_png("L")) is not None
