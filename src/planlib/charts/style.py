"""One chart style for every planlib figure: a bundled CJK font, one status palette, A4 sizes.

Also what the charts share so they read alike on a black-and-white print: each status as tone,
mark and bar texture; values with their unit (93.5%, 12所); the target lines; where a rate's axis
starts; text widths measured in the bundled fonts.

The font comes from the pip package ``pylopdf-fonts-zh-cn`` (Noto Sans SC, OFL) and is registered
explicitly, so Chinese renders on a fresh Windows, macOS or Linux machine without system fonts and
without matplotlib's "Glyph missing" warnings reaching a report.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from typing import Any, ParamSpec

import matplotlib as mpl
import numpy as np
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import FixedFormatter, MaxNLocator

from ..checks import clean_text
from ..fonts import font_path

FONT_NAME = "Noto Sans SC"
"""The family name the bundled font registers under."""

STATUSES = ("达标", "接近", "未达标", "无数据")
"""Every status, best first: the order of legends, table colours and heatmap scales."""

STATUS_COLOURS = {
    "达标": "#a5d6a7",
    "接近": "#d08c00",
    "未达标": "#9b1c1c",
    "无数据": "#f5f5f5",
}
"""One palette for statuses, used by charts, tables, badges and the index page.

On paper the worse a status, the darker it prints: a black-and-white printer turns these into
greys of Rec. 601 luma 194 (达标, light green), 144 (接近, amber) and 66 (未达标, dark red), so a
reader's eye falls on the misses first. 无数据 is near white and is told apart by its texture
or outline (:data:`STATUS_HATCHES`, :func:`status_css`), not by a tone. The order of lightness
is also what a red–green colour-blind reader sees, and every status carries its word or mark."""

STATUS_MARKS = {"达标": "✓", "接近": "△", "未达标": "×", "无数据": "—"}
"""The mark beside (or instead of) a status word where space is short: heatmap cells, charts."""

STATUS_INK = {"达标": "#212121", "接近": "#212121", "未达标": "white", "无数据": "#424242"}
"""Text colour on each status colour (contrast of at least 4.5 : 1 on each)."""

STATUS_HATCHES = {"达标": "", "接近": "", "未达标": "////", "无数据": "xxxx"}
"""A texture on bars and cells beside tone and mark: 未达标's dark bar is striped darker still
(the most marked), 无数据's near-white is crossed so it never passes for a light 达标."""

HATCH_COLOURS = {"未达标": "#1a1a1a", "无数据": "#9e9e9e"}
"""The colour of each texture's strokes."""

OUTLINE = "#757575"
"""The outline of bars, and of 无数据 where it has no texture (badges, cards)."""

STATUS_MARKERS = {"达标": "o", "接近": "^", "未达标": "X", "无数据": "o"}
"""Point shapes for line charts, the same idea as the marks: ● ▲ ✖ read without colour."""

ZONE_COLOUR = "#eeeeee"
"""The light band of a bullet chart's 达标 range (the side of the target a value should reach), lighter
than 达标's light green so a 达标 bar stands out on it in grey (luma 238 against 194)."""

TASK_STATUSES = {"green": "达标", "yellow": "接近", "red": "未达标"}
"""Ledger task colours (绿/黄/红) drawn in the tones of the statuses they stand beside."""

TASK_COLOURS = {k: STATUS_COLOURS[s] for k, s in TASK_STATUSES.items()}
"""Ledger task colours (绿/黄/红) in the same tones as the statuses: 红 prints darkest."""


def luma(colour: str) -> float:
    """The grey (0 black – 255 white) a printer or ``PIL.Image.convert("L")`` makes of a
    ``#rrggbb`` colour: ITU-R BT.601 luma."""
    r, g, b = (int(colour[k : k + 2], 16) for k in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b


P = ParamSpec("P")

A4_WIDTH_IN = 6.7
"""Width of a chart that fills an A4 page between 2 cm margins, in inches."""

NEUTRAL = "#455a64"
TARGET_COLOUR = "#212121"


@cache
@cache
def register_font() -> str:
    """Add the bundled font to matplotlib's font list (once per process); returns its family."""
    font_manager.fontManager.addfont(str(font_path()))
    return font_manager.FontProperties(fname=str(font_path())).get_name()


def families() -> list[str]:
    """The font list: Latin letters and digits from DejaVu, every Han character from Noto Sans SC."""
    return ["DejaVu Sans", register_font()]


def rc_params() -> dict[str, Any]:
    """The matplotlib settings of the planlib style (sizes readable at A4 width)."""
    return {
        "font.family": families(),
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
        "savefig.pad_inches": 0.02,  # a chart cropped to its ink is at most A4_WIDTH_IN wide
        "figure.constrained_layout.use": True,
        "svg.fonttype": "none",
        "pdf.fonttype": 42,
    }


def use() -> None:
    """Apply the planlib style to matplotlib in this process (idempotent): for an analyst's own
    charts, or after ``sns.set_theme()`` replaced the font list. planlib's charts never call
    it: they draw inside the style's ``rc_context`` and leave the caller's settings alone."""
    for key, value in rc_params().items():
        mpl.rcParams[key] = value  # type: ignore[index]


def status_colour(status: str) -> str:
    """The palette colour of a status (grey for anything unknown)."""
    return STATUS_COLOURS.get(status, STATUS_COLOURS["无数据"])


STATUS_TEXT_COLOURS = {
    "达标": "#1b5e20",
    "接近": "#8a5a00",
    "未达标": "#b71c1c",
    "无数据": "#616161",
}
"""The same hues dark enough for text on white (the palette's light green and amber read poorly
as text)."""


def status_mark(status: str) -> str:
    """✓ △ × — for 达标 接近 未达标 无数据."""
    return STATUS_MARKS.get(status, STATUS_MARKS["无数据"])


def status_ink(status: str) -> str:
    """The colour of text drawn on a status colour."""
    return STATUS_INK.get(status, STATUS_INK["无数据"])


def status_text_colour(status: str) -> str:
    """The colour of text that carries a status on a white ground."""
    return STATUS_TEXT_COLOURS.get(status, STATUS_TEXT_COLOURS["无数据"])


def status_hatch(status: str) -> str:
    """The bar texture of a status ('' for none)."""
    return STATUS_HATCHES.get(status, "")


def status_css(status: str) -> str:
    """Inline CSS of an HTML badge or card showing a status: its tone and ink, and for 无数据
    a dashed outline, so on paper it is told apart by more than a near-white ground."""
    css = f"background:{status_colour(status)};color:{status_ink(status)}"
    if status_colour(status) == STATUS_COLOURS["无数据"]:
        css += f";border:1px dashed {OUTLINE}"
    return css


def task_css(colour: str) -> str:
    """Inline CSS of a ledger task's colour badge (green/yellow/red; anything else as 无数据)."""
    return status_css(TASK_STATUSES.get(colour, "无数据"))


def bar_style(status: str) -> dict[str, Any]:
    """Keyword arguments for ``bar``/``barh`` that draw a bar in a status's tone and texture."""
    return {
        "facecolor": status_colour(status),
        "hatch": status_hatch(status) or None,
        "hatchcolor": HATCH_COLOURS.get(status, status_ink(status)),
        "edgecolor": OUTLINE,
        "linewidth": 0.4,
    }


def value_text(value: Any, unit: str = "", precision: Any = 1) -> str:
    """A value as the reports print it: ``precision`` decimals, trailing zeros dropped, and its
    unit with no space (93.5%, 12所, 207.7亿元); "—" when there is no value.

    >>> value_text(207.66, "亿元", 1), value_text(12.0, "所", 0), value_text(float("nan"), "%")
    ('207.7亿元', '12所', '—')
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "—"
    try:
        places = max(0, min(4, int(precision)))
    except (TypeError, ValueError):  # a missing precision (NaN) prints one decimal
        places = 1
    if math.isnan(v):
        return "—"
    text = f"{v:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return ("0" if text in ("-0", "") else text) + unit


@cache
def text_width_em(text: str) -> float:
    """Width of one line of text in ems (its width in points at a 1 pt size), as the planlib
    fonts draw it: decides whether a label fits a cell before anything is rendered."""
    from matplotlib.textpath import TextToPath

    prop = font_manager.FontProperties(family=families(), size=100)
    return float(TextToPath().get_text_width_height_descent(text, prop, ismath=False)[0]) / 100


# Pieces the charts share: target lines, axis starts and breaks, label wrapping.

TARGET_LINE: dict[str, Any] = {"color": TARGET_COLOUR, "linewidth": 2.0}
"""What a status is judged against this quarter: the target, or a flow's share due (序时)."""
FULL_TARGET_LINE: dict[str, Any] = {
    "color": TARGET_COLOUR,
    "linewidth": 1.1,
    "linestyle": (0, (3, 1.5)),
}
"""The full-year target, dashed, where the status is judged on the share due by now instead."""
LABEL_GROUND: dict[str, Any] = {
    "facecolor": "white",
    "edgecolor": "none",
    "pad": 0.5,
    "alpha": 0.85,
}
"""A white ground under a label that a line may cross."""


def target_handles(scheduled: bool, zone: bool = False, label: str = "目标") -> list[object]:
    """Legend lines for the targets, and the 达标 band. One convention in every chart: solid
    black is what a status is judged against this quarter (the target; for a flow before year
    end its share due, 序时), dashed black the full-year target where that differs."""
    out: list[object] = [Line2D([], [], label=label, **TARGET_LINE)]
    if scheduled:
        out = [
            Line2D([], [], label="序时应完成", **TARGET_LINE),
            Line2D([], [], label="全年目标", **FULL_TARGET_LINE),
        ]
    if zone:
        out.append(Patch(facecolor=ZONE_COLOUR, label="达标区间"))
    return out


def status_patches(statuses: Sequence[str], hatch: bool = True) -> list[Patch]:
    """Legend entries for statuses as bars draw them: tone, texture (``hatch``) and mark."""
    return [
        Patch(
            label=f"{status_mark(s)}{s}", **{**bar_style(s), **({} if hatch else {"hatch": None})}
        )
        for s in statuses
    ]


def status_points(statuses: Sequence[str]) -> list[Line2D]:
    """Legend entries for statuses as line charts draw them: tone and point shape."""
    return [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=STATUS_MARKERS.get(s, "o"),
            markersize=5.5,
            color=status_colour(s),
            markeredgecolor="#424242",
            label=f"{status_mark(s)}{s}",
        )
        for s in statuses
    ]


def wrap(text: str, width: int) -> str:
    """Lines of at most ``width`` characters, never splitting a bracketed part such as（%）."""
    lines = [""]
    for token in re.findall(r"（[^）]*）|.", text):
        if lines[-1] and len(lines[-1]) + len(token) > width:
            lines.append("")
        lines[-1] += token
    return "\n".join(lines)


def axis_start(values: np.ndarray, targets: np.ndarray) -> float:
    """Where a rate's value axis starts: 0 unless the values sit far from it (80–93%: start a
    little below the smallest value or target, at a round number, so differences show)."""
    known = np.concatenate([values, targets])
    known = known[~np.isnan(known)]
    if not len(known):
        return 0.0
    lo, hi = float(known.min()), float(known.max())
    if lo <= 0.5 * hi:
        return 0.0
    span = max(hi - lo, 1.0)
    step = MaxNLocator(5).tick_values(0, span)[1]
    return max(0.0, math.floor((lo - 0.2 * span) / step) * step)


def no_axis_labels(ax: Axes) -> None:
    """Mark an axes as having no axis labels: their places are then given rather than worked out
    from every tick label's extent at each draw (a fifth of drawing a small panel). A title given
    ``y=1.0`` is likewise placed, not lifted over the axis's decorations (two fifths)."""
    ax.xaxis.set_label_coords(0.5, 0.5)
    ax.yaxis.set_label_coords(0.5, 0.5)
    ax.set_xlabel("")
    ax.set_ylabel("")


def axis_break(ax: Axes) -> None:
    """Two slanted strokes across the value axis near its start: the axis does not begin at 0."""
    # a two-point marker is a stroke sized in points, whatever the axes' size
    ax.plot(
        [0.012, 0.026],
        [0, 0],
        transform=ax.transAxes,
        linestyle="none",
        clip_on=False,
        marker=[(-1.0, -2.0), (1.0, 2.0)],
        markersize=9,
        markeredgewidth=1.1,
        color="#212121",
        zorder=6,
    )


def value_ticks(ax: Axes, left: float, right: float, integer: bool = False) -> None:
    """Value ticks only over the data's range, not over the room kept for labels."""
    ticks = MaxNLocator(6, integer=integer, steps=[1, 2, 2.5, 5, 10]).tick_values(left, right)
    ax.set_xticks([t for t in ticks if left <= t <= right * 1.0001])


LITERAL_TEXT: dict[str, Any] = {"text.parse_math": False, "text.usetex": False}
"""Settings under which text is drawn as written: no mathtext, no TeX. The charts' labels come
from data (unit, indicator and department names, targets in words), where a ``$`` is a
character: mathtext would set ``高$新$区`` in italics with missing glyphs, and fail on a name
such as ``$\\frac{$``."""


def _texts(fig: Figure) -> Iterator[Text]:
    """Every text of a figure, found without ``findobj``: an axis's children would make its
    ticks for every tick location (a third of a 16-panel chart's time); ticks not made yet
    show numbers, never data."""
    yield from fig.texts  # the suptitle and figure notes
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes)]
    for legend in filter(None, legends):
        yield from (*legend.texts, legend.get_title())
    for ax in fig.axes:
        yield from ax.texts
        yield from (getattr(ax, t) for t in ("title", "_left_title", "_right_title"))
        for axis in (ax.xaxis, ax.yaxis):
            yield from (axis.label, axis.offsetText)
            for tick in (*axis.majorTicks, *axis.minorTicks):
                yield from (tick.label1, tick.label2)


def literal_text(fig: Figure) -> Figure:
    """Show every text of ``fig`` as written, as a reader should see a name from data: no
    mathtext or TeX (a ``$`` stays a ``$``), and without the bidirectional and control characters
    that :func:`planlib.checks.clean_text` drops. Tick labels given as a list (the unit and
    indicator names of a chart's axes) are cleaned where the axis keeps them, so a redraw keeps
    them clean. Every planlib chart passes through it (:func:`styled`); an analyst's own figure
    may too."""
    for text in _texts(fig):  # titles, tick labels, value labels, annotations, legends
        text.set_parse_math(False)
        text.set_usetex(False)
        raw = text.get_text()
        if (clean := clean_text(raw)) != raw:
            text.set_text(clean)
    for ax in fig.axes:
        for ticker in (ax.xaxis.major, ax.xaxis.minor, ax.yaxis.major, ax.yaxis.minor):
            if isinstance(ticker.formatter, FixedFormatter):
                ticker.formatter.seq = [clean_text(str(label)) for label in ticker.formatter.seq]
    return fig


def styled(draw: Callable[P, Figure]) -> Callable[P, Figure]:
    """Draw a chart in the planlib style without changing the caller's matplotlib settings.

    Text takes its font and size when it is created, inside the style's ``rc_context``; the
    first tick of every axis is made there too, so ticks added when the figure is later drawn
    or saved copy its font instead of reading the caller's settings. Its text is then shown as
    written (:func:`literal_text`): the labels come from data."""

    @functools.wraps(draw)
    def styled(*args: P.args, **kwargs: P.kwargs) -> Figure:
        settings: Any = {**rc_params(), **LITERAL_TEXT}
        with mpl.rc_context(settings):
            fig = draw(*args, **kwargs)
            for ax in fig.axes:
                for axis in (ax.xaxis, ax.yaxis):
                    _ = axis.majorTicks[0], axis.minorTicks[0]
            literal_text(fig)
        return fig

    return styled
