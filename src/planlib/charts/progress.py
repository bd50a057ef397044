"""How far each year-to-date (flow) target has come: its share done against its own schedule."""

from __future__ import annotations

import math

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from . import style
from .common import column, empty, figure, legend, present, value_texts


@style.styled
def share_done_chart(rows: pd.DataFrame, title: str | None = None) -> Figure:
    """Share of each year-to-date (flow) target done so far, each against its own schedule.

    Before year end only flows belong here: a stock (示范高中数) is judged against its full
    target in any quarter, so a 序时 line beside it would mislead. Each bar's black tick is the
    share due by now (the share of the year gone, or the allocation file's own schedule); the
    dashed line is the full-year target; the value and unit stand at each bar's end.
    """
    rows = rows.dropna(subset=["share_done"]).reset_index(drop=True)
    in_year = "expected_share" in rows and rows["expected_share"].notna().any()
    if in_year and "temporal" in rows:
        rows = rows[rows["temporal"] == "flow"].reset_index(drop=True)
    if rows.empty:
        return empty("本期没有累计类目标")
    fig = figure(0.3 * len(rows) + 1.2 + (0.25 if title else 0))
    ax = fig.add_subplot()
    y = list(range(len(rows)))[::-1]
    done = (rows["share_done"].astype(float) * 100).clip(upper=150)
    due = column(rows, "expected_share").astype(float) * 100
    statuses = rows["status"].astype(str)
    for yy, s, d, status, text in zip(y, done, due, statuses, value_texts(rows), strict=True):
        ax.barh(yy, s, height=0.6, **style.bar_style(status))
        if not math.isnan(d):
            ax.plot([d, d], [yy - 0.42, yy + 0.42], zorder=4, **style.TARGET_LINE)
        edge = max(s, 0 if math.isnan(d) else d)
        ax.text(
            edge + 1.5,
            yy,
            f"{style.status_mark(status)}{s:.0f}%（{text}）",
            va="center",
            fontsize=7.5,
            zorder=5,
            bbox=style.LABEL_GROUND,
        )
    ax.axvline(100, **style.FULL_TARGET_LINE)
    ax.set_yticks(y, rows["indicator_name"])
    ax.set_xlim(0, max(125.0, float(done.max()) * 1.3))
    style.value_ticks(ax, 0, max(100.0, float(done.max())))
    ax.set_xlabel("完成全年目标的比例（%，本期值 ÷ 全年目标）")
    ax.tick_params(axis="y", length=0)
    if title:
        ax.set_title(title, y=1.0)
    lines = [Line2D([], [], label="全年目标", **style.FULL_TARGET_LINE)]
    if in_year:
        lines.insert(0, Line2D([], [], label="序时应完成", **style.TARGET_LINE))
    legend(fig, present(rows), lines)
    return fig
