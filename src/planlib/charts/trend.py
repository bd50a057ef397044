"""Quarter by quarter: a panel per target, a line per unit, each point toned and shaped by its
quarter's status, the full-year target dashed and a flow's share due (序时) as short ticks."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from . import style
from .common import empty, figure, present, quarter_word, scheduled, shown, value_texts

UNIT_LINES: tuple[dict[str, object], ...] = (
    {"color": style.NEUTRAL, "linestyle": "-"},
    {"color": "#212121", "linestyle": (0, (4, 1.5))},
    {"color": "#8d6e63", "linestyle": (0, (1, 1.2))},
    {"color": "#1565c0", "linestyle": (0, (5, 1.5, 1, 1.5))},
    {"color": "#6a1b9a", "linestyle": (0, (2, 2))},
    {"color": "#00838f", "linestyle": (0, (6, 1, 1, 1, 1, 1))},
)
"""How the lines of several units in one panel differ: by dash pattern as well as colour, so
they part on a grey print. A trend compares at most this many units."""


@dataclass
class _Panel:
    """One target's panel: its rows, the quarters on its axis, and whether a 序时 tick was drawn."""

    rows: pd.DataFrame
    periods: list[str] = field(default_factory=list)
    scheduled: bool = False


def unit_key(rows: pd.DataFrame) -> pd.Series:
    """What tells the units of a trend apart: the org code, else the name."""
    return (rows["org_code"] if "org_code" in rows else rows["org_name"]).astype(str)


@style.styled
def trend_chart(
    rows: pd.DataFrame, columns: int = 4, title: str | None = None, max_panels: int = 16
) -> Figure:
    """Quarter-by-quarter values with the full-year target as a dashed line, a panel per target.

    ``rows``: assessment rows of one org unit over several periods, or of a few units (one line
    each, told apart by dash pattern and named in the legend). Each panel's title carries the
    unit of measure; a point's shape and tone give its quarter's status; a flow's share due by
    each quarter (序时) is a short solid tick; the value axis is not forced to start at 0.
    """
    if rows.empty:
        return empty("没有可显示的季度数据")
    keys = list(dict.fromkeys(zip(rows["task_id"], rows["indicator"], strict=True)))[:max_panels]
    units = dict(zip(unit_key(rows), rows["org_name"].astype(str), strict=True))
    cols = min(columns, len(keys))
    nrows = math.ceil(len(keys) / cols)
    many = len(units) > 1
    height = 1.75 * nrows + 0.6 + (0.3 if title else 0.0) + (0.2 if many else 0.0)
    # A fixed grid, not constrained layout: the panels are alike, and solving the layout of 16
    # axes cost 0.4 s per report (a third of the chart's time).
    fig = figure(height, fixed=True)
    top = 0.45 + (0.3 if title else 0.0)
    bottom = (0.62 + (0.2 if many else 0.0)) / height
    fig.subplots_adjust(
        left=0.06, right=0.99, bottom=bottom, top=1 - top / height, wspace=0.34, hspace=1.0
    )
    axes = fig.subplots(nrows, cols, squeeze=False).ravel()
    pitch = style.A4_WIDTH_IN * 0.93 / cols * 72 - 4  # points a panel's title may use
    due = False
    for ax, (task, ind) in zip(axes, keys, strict=False):
        part = rows[(rows["task_id"] == task) & (rows["indicator"] == ind)]
        due |= _draw_panel(ax, part, list(units), pitch).scheduled
    for ax in axes[len(keys) :]:
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=10.5)
    _trend_legend(fig, rows, list(units.values()) if many else [], due)
    return fig


def _draw_panel(ax: Axes, part: pd.DataFrame, units: list[str], pitch: float) -> _Panel:
    """A target's panel: a line per unit over the quarters any unit has, then its axes."""
    panel = _Panel(part, sorted(set(part["period"].astype(str))))
    at = {p: k for k, p in enumerate(panel.periods)}
    key = unit_key(part)
    values = shown(part).to_numpy(dtype=float)
    for n, unit in enumerate(units):
        mine = part[key == unit].sort_values("period")
        if mine.empty:
            continue
        x = np.array([at[str(p)] for p in mine["period"]], dtype=float)
        line = UNIT_LINES[n % len(UNIT_LINES)] if len(units) > 1 else UNIT_LINES[0]
        panel.scheduled |= _draw_line(ax, mine, x, line, label_last=len(units) == 1)
    target = float(part.sort_values("period")["target"].iloc[-1])
    if not math.isnan(target):
        ax.axhline(target, **style.FULL_TARGET_LINE)
    _panel_axes(ax, part, panel.periods, values, pitch)
    return panel


def _draw_line(
    ax: Axes, rows: pd.DataFrame, x: np.ndarray, line: dict[str, object], label_last: bool
) -> bool:
    """One unit's line, its status points, its 序时 ticks and (alone) its latest value; returns
    whether a 序时 tick was drawn."""
    values = shown(rows).to_numpy(dtype=float)
    ax.plot(x, values, linewidth=1.1, zorder=1, **line)  # type: ignore[arg-type]
    statuses = rows["status"].astype(str).to_numpy()
    for s in set(statuses):  # one set of points per status: its tone and its shape
        on = statuses == s
        ax.scatter(
            x[on],
            values[on],
            color=style.status_colour(s),
            s=30,
            zorder=3,
            marker=style.STATUS_MARKERS.get(s, "o"),
            edgecolors="#424242",
            linewidths=0.5,
        )
    drawn = False
    for xx, d in zip(x, scheduled(rows, "expected_value"), strict=True):
        if not math.isnan(d):
            drawn = True
            ax.plot([xx - 0.22, xx + 0.22], [d, d], zorder=2, **style.TARGET_LINE)
    known = np.flatnonzero(~np.isnan(values))
    if label_last and len(known):
        k = int(known[-1])
        ax.annotate(
            value_texts(rows)[k],
            (x[k], values[k]),
            xytext=(0, 5),
            ha="center",
            textcoords="offset points",
            fontsize=6.5,
            zorder=4,
            bbox=style.LABEL_GROUND,
        )
    return drawn


def _panel_axes(
    ax: Axes, part: pd.DataFrame, periods: list[str], values: np.ndarray, pitch: float
) -> None:
    """Quarter ticks, the title with its unit (wrapped to the panel) and a count's whole ticks."""
    ax.set_xticks(np.arange(len(periods)), [quarter_word(p) for p in periods])
    unit = str(part["unit"].iloc[0] or "")
    name = str(part["indicator_name"].iloc[0])
    head = f"{name}（{unit}）" if unit else name
    size = min(7.5, max(6.5, pitch / style.text_width_em(head)))
    if style.text_width_em(head) * size > pitch:
        head = style.wrap(name, int(pitch / size)) + (f"\n（{unit}）" if unit else "")
    ax.set_title(head, fontsize=size, linespacing=1.05, y=1.0)  # placed: not worked out
    style.no_axis_labels(ax)
    ax.tick_params(labelsize=7)
    if unit != "%":
        ax.yaxis.set_major_locator(MaxNLocator(5, integer=True))
    ax.margins(x=0.18, y=0.3)
    low, high = ax.get_ylim()
    if unit != "%" and high - low < 2 and not np.isnan(values).all():
        mid = (low + high) / 2  # a flat count: whole numbers around it, not 1.92
        ax.set_ylim(max(mid - 1.2, -0.4) if np.nanmin(values) >= 0 else mid - 1.2, mid + 1.2)


def _trend_legend(fig: Figure, rows: pd.DataFrame, names: list[str], due: bool) -> None:
    """Statuses as point shapes, the target lines, and each unit's line where there are several."""
    handles: list[object] = list(style.status_points([s for s in present(rows) if s != "无数据"]))
    handles.append(Line2D([], [], label="全年目标", **style.FULL_TARGET_LINE))
    if due:
        handles.append(Line2D([], [], label="序时应完成", **style.TARGET_LINE))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=7.5)
    if names:
        lines = [
            Line2D([], [], linewidth=1.3, label=name, **UNIT_LINES[n % len(UNIT_LINES)])  # type: ignore[arg-type]
            for n, name in enumerate(names)
        ]
        fig.legend(
            handles=lines,
            loc="lower center",
            ncol=len(lines),
            fontsize=7.5,
            bbox_to_anchor=(0.5, 0.2 / fig.get_figheight()),
            handlelength=3.0,
        )
