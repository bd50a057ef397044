"""Units ranked on one target: a bar per unit in its own status's tone and texture, its own
target as a tick, rates by value and totals by 完成率 so a small county is not last for being
small."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from . import style
from .common import (
    column,
    empty,
    figure,
    is_total,
    legend,
    present,
    scheduled,
    share,
    shown,
    value_texts,
)


@style.styled
def ranking_chart(
    rows: pd.DataFrame, highlight: str | None = None, title: str | None = None
) -> Figure:
    """Org units ranked on one target, best first by the indicator's direction.

    Each bar is the unit's value in the indicator's unit, toned and textured by the unit's own
    status; the solid tick on it is the unit's own target (one line when all share a target) or,
    for a flow before year end, its own share due (序时), the dashed tick then its full-year
    target. Rates are ranked by value, on an axis that starts near the values when they sit far
    from 0 (marked by a break and in the axis label); totals by 完成率, value ÷ the unit's own
    target, so a small county is not last for being small.
    ``rows``: assessment rows of one period and one target; ``highlight``: an org code drawn
    with a dark edge and a ▶ before its name.
    """
    if rows.empty:
        return empty("没有可排名的数据")
    total = bool(is_total(rows).iloc[0])
    rows = rows.assign(_v=shown(rows), _s=share(rows)).dropna(subset=["_s" if total else "_v"])
    if rows.empty:
        return empty("没有可排名的数据")
    lower = str(column(rows, "direction", "higher").iloc[0]) == "lower"
    rows = rows.sort_values("_s" if total else "_v", ascending=lower, kind="stable").iloc[::-1]
    values = rows["_v"].to_numpy(dtype=float)
    full = rows["target"].to_numpy(dtype=float)
    due = scheduled(rows, "expected_value").to_numpy(dtype=float)
    judged = np.where(np.isnan(due), full, due)
    unit = str(rows["unit"].iloc[0] or "")
    start = 0.0 if total else style.axis_start(values, judged)
    fig = figure(0.25 * len(rows) + 1.2 + (0.2 if title else 0))
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    for yy, v, s in zip(y, values, rows["status"].astype(str), strict=True):
        ax.barh(yy, v - start, left=start, height=0.62, **style.bar_style(s))
    shared = len(set(judged[~np.isnan(judged)])) <= 1 and np.isnan(due).all()
    _targets(ax, full, due, judged, shared)
    top = float(np.nanmax(np.concatenate([values, full])))
    labels = [
        style.status_mark(str(s)) + t + (f"（完成{p * 100:.0f}%）" if total else "")
        for s, t, p in zip(rows["status"], value_texts(rows), rows["_s"], strict=True)
    ]
    for k in range(len(rows)):  # y[k] == k
        # past the unit's own ticks; a shared line may run behind the label's white ground
        ticks = [] if shared else [judged[k], full[k] if not np.isnan(due[k]) else np.nan]
        edge = float(np.nanmax([values[k], *ticks]))
        ax.text(
            edge + (top - start) * 0.015,
            k,
            labels[k],
            va="center",
            fontsize=7.5,
            zorder=5,
            bbox=style.LABEL_GROUND,
        )
    _names(ax, rows, highlight)
    room = max(map(style.text_width_em, labels)) * 7.5 / 72 / 4.6 + 0.04
    ax.set_xlim(start, start + (top - start) / (1 - min(room, 0.45)))
    style.value_ticks(ax, start, top, integer=unit != "%")
    ax.set_ylim(-0.6, len(rows) - 0.4)
    axis = f"本期值（{unit}）" if unit else "本期值"
    if start > 0:
        axis += f"，横轴从{style.value_text(start, unit, 2)}起"
        style.axis_break(ax)
    ax.set_xlabel(axis, fontsize=8)
    name, what = str(rows["indicator_name"].iloc[0]), "，按完成率排名" if total else ""
    ax.set_title(title or f"{name}（{unit}{what}）", y=1.0)
    aim = str(column(rows, "target_text", "").fillna("").iloc[0]) or style.value_text(full[0], unit)
    extra = style.target_handles(not np.isnan(due).all(), label=f"目标{aim}" if shared else "目标")
    legend(fig, present(rows), extra)
    return fig


def _targets(ax: Axes, full: np.ndarray, due: np.ndarray, judged: np.ndarray, shared: bool) -> None:
    """One line for a target all units share; else each unit's own tick (and full-year dash)."""
    if shared and not np.isnan(full).all():
        ax.axvline(full[0], **style.TARGET_LINE, zorder=4)
    elif not shared:
        for yy, t in enumerate(judged):
            ax.plot([t, t], [yy - 0.42, yy + 0.42], zorder=4, **style.TARGET_LINE)
        for yy, (t, d) in enumerate(zip(full, due, strict=True)):
            if not math.isnan(d):
                ax.plot([t, t], [yy - 0.42, yy + 0.42], zorder=4, **style.FULL_TARGET_LINE)


def _names(ax: Axes, rows: pd.DataFrame, highlight: str | None) -> None:
    """The units' names as tick labels; the highlighted one marked ▶, its bar edged dark."""
    names = [
        ("▶ " if highlight is not None and str(c) == highlight else "") + str(n)
        for c, n in zip(rows["org_code"], rows["org_name"], strict=True)
    ]
    ax.set_yticks(np.arange(len(rows)), names)
    for bar, tick, name in zip(ax.patches, ax.get_yticklabels(), names, strict=True):
        if name.startswith("▶"):
            bar.set_edgecolor(style.TARGET_COLOUR)
            bar.set_linewidth(1.5)
            tick.set_color("#0d47a1")
    ax.tick_params(axis="y", length=0, labelsize=8)
    ax.tick_params(axis="x", labelsize=7.5)
