"""One chart style for every planlib figure: a bundled CJK font, one status palette, A4 sizes.

The font comes from the pip package ``pylopdf-fonts-zh-cn`` (Noto Sans SC, OFL) and is registered
explicitly, so Chinese renders on a fresh Windows, macOS or Linux machine without system fonts and
without matplotlib's "Glyph missing" warnings reaching a report.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import matplotlib as mpl
from matplotlib import font_manager

from ..errors import FontMissingError

FONT_NAME = "Noto Sans SC"
"""The family name the bundled font registers under."""

STATUSES = ("达标", "接近", "未达标", "无数据")
"""Every status, best first: the order of legends, table colours and heatmap scales."""

STATUS_COLOURS = {
    "达标": "#14532d",
    "接近": "#f2c14e",
    "未达标": "#e04f39",
    "无数据": "#eeeeee",
}
"""One palette for statuses, used by charts, tables and the index page.

Chosen to survive a black-and-white printer and red–green colour blindness: dark, light and
middle tones (CIE L* ≈ 31, 80, 55, and 94 for 无数据), so 达标 and 未达标 never print as the same
grey. Colour is never the only signal: every status also carries its word or mark."""

STATUS_MARKS = {"达标": "✓", "接近": "△", "未达标": "×", "无数据": "—"}
"""The mark beside (or instead of) a status word where space is short: heatmap cells, charts."""

STATUS_INK = {"达标": "white", "接近": "#212121", "未达标": "white", "无数据": "#424242"}
"""Text colour on each status colour."""

TASK_COLOURS = {"green": "#14532d", "yellow": "#f2c14e", "red": "#e04f39"}
"""Ledger task colours (绿/黄/红) in the same tones as the statuses."""

A4_WIDTH_IN = 6.7
"""Width of a chart that fills an A4 page between 2 cm margins, in inches."""

NEUTRAL = "#455a64"
TARGET_COLOUR = "#212121"


@cache
def font_path() -> Path:
    """Path of the bundled Noto Sans SC font file."""
    try:
        import pylopdf_fonts_zh_cn
    except ImportError as err:  # pragma: no cover - a broken install
        raise FontMissingError(
            "找不到中文字体包 pylopdf-fonts-zh-cn，请重新安装 planlib（pip install planlib）"
        ) from err
    path = Path(pylopdf_fonts_zh_cn.__file__).resolve().parent / "NotoSansSC-Regular.otf"
    if not path.is_file():  # pragma: no cover - a broken install
        raise FontMissingError(f"中文字体文件缺失：{path}")
    return path


@cache
def register_font() -> str:
    """Add the bundled font to matplotlib's font list (once per process); returns its family."""
    font_manager.fontManager.addfont(str(font_path()))
    return font_manager.FontProperties(fname=str(font_path())).get_name()


def rc_params() -> dict[str, Any]:
    """The matplotlib settings of the planlib style (sizes readable at A4 width)."""
    family = register_font()
    return {
        # An explicit list: Latin digits from DejaVu, every Han character from Noto Sans SC.
        "font.family": ["DejaVu Sans", family],
        "axes.unicode_minus": False,
        "font.size": 9,
        "axes.titlesize": 10.5,
        "axes.titleweight": "normal",  # the bundled font has one weight: no bold lookups
        "axes.labelsize": 9,
        "xtick.labelsize": 8.5,
        "ytick.labelsize": 8.5,
        "legend.fontsize": 8.5,
        "legend.frameon": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "#9e9e9e",
        "axes.grid": False,
        "grid.color": "#e0e0e0",
        "grid.linewidth": 0.6,
        "figure.figsize": (A4_WIDTH_IN, 3.2),
        "figure.dpi": 110,
        "savefig.dpi": 200,
        "savefig.bbox": "tight",
        "figure.constrained_layout.use": True,
        "svg.fonttype": "none",
        "pdf.fonttype": 42,
    }


def use() -> None:
    """Apply the planlib style to matplotlib in this process (idempotent)."""
    for key, value in rc_params().items():
        mpl.rcParams[key] = value  # type: ignore[index]


def status_colour(status: str) -> str:
    """The palette colour of a status (grey for anything unknown)."""
    return STATUS_COLOURS.get(status, STATUS_COLOURS["无数据"])


STATUS_TEXT_COLOURS = {
    **STATUS_COLOURS,
    "接近": "#8a5a00",
    "未达标": "#c62828",
    "无数据": "#616161",
}
"""The same hues dark enough for text on white (the palette's amber reads poorly as text)."""


def status_mark(status: str) -> str:
    """✓ △ × — for 达标 接近 未达标 无数据."""
    return STATUS_MARKS.get(status, STATUS_MARKS["无数据"])


def status_ink(status: str) -> str:
    """The colour of text drawn on a status colour."""
    return STATUS_INK.get(status, STATUS_INK["无数据"])


def status_text_colour(status: str) -> str:
    """The colour of text that carries a status on a white ground."""
    return STATUS_TEXT_COLOURS.get(status, STATUS_TEXT_COLOURS["无数据"])
