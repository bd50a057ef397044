"""The chart style: the bundled font is the one used, Chinese renders without warnings."""

from __future__ import annotations

import io
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
