"""The chart style: the bundled font is the one used, Chinese renders without warnings."""

from __future__ import annotations

import io
import itertools
import logging
import warnings

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont

from planlib.charts import style


def test_bundled_font_is_registered_and_found() -> None:
    family = style.register_font()
    assert family == style.FONT_NAME
    style.use()
    assert mpl.rcParams["font.family"] == ["DejaVu Sans", style.FONT_NAME]
    found = findfont(FontProperties(family=style.FONT_NAME), fallback_to_default=False)
    assert found == str(style.font_path())


def test_chinese_title_renders_without_warnings_or_log_messages(caplog) -> None:  # type: ignore[no-untyped-def]
    style.use()
    fig = Figure()
    ax = fig.add_subplot()
    ax.set_title("学前三年毛入园率（达标）")
    ax.set_xlabel("季度 −1")
    with warnings.catch_warnings(), caplog.at_level(logging.INFO, logger="matplotlib"):
        warnings.simplefilter("error")
        fig.savefig(io.BytesIO(), format="png")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_han_glyphs_come_from_the_bundled_font() -> None:
    from matplotlib.ft2font import FT2Font

    font = FT2Font(str(style.font_path()))
    for char in "达标接近未达标无数据城关区":
        assert font.get_char_index(ord(char)) != 0


def test_one_palette_for_every_status() -> None:
    assert list(style.STATUS_COLOURS) == list(style.STATUSES)
    assert len(set(style.STATUS_COLOURS.values())) == 4
    assert style.status_colour("奇怪") == style.STATUS_COLOURS["无数据"]


def _lightness(colour: str) -> float:
    """CIE L* of a #rrggbb colour: what a black-and-white printer keeps of it."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    y = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    return 116 * y ** (1 / 3) - 16 if y > 0.008856 else 903.3 * y


def test_status_tones_stay_apart_in_grey_and_carry_a_mark() -> None:
    tones = {s: _lightness(style.STATUS_COLOURS[s]) for s in style.STATUSES}
    ordered = sorted(tones.values())
    assert min(b - a for a, b in itertools.pairwise(ordered)) >= 12, tones
    marks = [style.status_mark(s) for s in style.STATUSES]
    assert len(set(marks)) == 4 and style.status_mark("奇怪") == "—"
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(style.font_path())).getBestCmap()
    assert all(ord(m) in cmap for m in marks)  # the bundled font draws every mark
