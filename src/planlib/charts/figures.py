"""The report charts: each takes assessment frames (docs/ARCHITECTURE.md) and returns a Figure.

Every function applies :mod:`planlib.charts.style` first, so a chart looks the same in a report, in
JupyterLab and in a test, and never touches pyplot's global figure list.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine, PlaceHolderLayoutEngine
from matplotlib.patches import Patch

from . import style

_QUARTER_WORDS = {"Q1": "一季", "Q2": "二季", "Q3": "三季", "Q4": "四季"}  # 一季度… would touch


def _figure(height: float, width: float = style.A4_WIDTH_IN, fixed: bool = False) -> Figure:
    """A figure in the planlib style; ``fixed`` turns layout off for charts placed by hand."""
    style.use()
    layout = PlaceHolderLayoutEngine(True, True) if fixed else ConstrainedLayoutEngine()
    return Figure(figsize=(width, height), layout=layout)


def _fmt(value: float, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    if text.endswith(".0"):
        text = text[:-2]
    return f"{text}{unit if unit == '%' else ''}"


def _legend(fig: Figure, statuses: Sequence[str] = style.STATUSES) -> None:
    handles = [
        Patch(
            facecolor=style.status_colour(s),
            edgecolor="#9e9e9e",
            label=f"{style.status_mark(s)}{s}",
        )
        for s in statuses
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=8)


def _empty(message: str) -> Figure:
    fig = _figure(1.0)
    ax = fig.add_subplot()
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", color=style.NEUTRAL)
    return fig


def bullet_chart(rows: pd.DataFrame, title: str | None = None) -> Figure:
    """Value against target, one thin bar per target (each on its own scale).

    ``rows``: assessment rows of one org unit and period. The bar is coloured by status, the
    black tick is the target; targets without data show a grey label.
    """
    rows = rows.reset_index(drop=True)
    if rows.empty:
        return _empty("没有可显示的目标")
    n = len(rows)
    fig = _figure(0.32 * n + 0.8)
    axes = fig.subplots(n, 1, squeeze=False)[:, 0]
    for ax, (_, r) in zip(axes, rows.iterrows(), strict=True):
        value, target = float(r["value"]), float(r["target"])
        unit = str(r.get("unit") or "")
        known = [v for v in (value, target) if not math.isnan(v)]
        top = max(known) * 1.15 if known and max(known) > 0 else 1.0
        if unit == "%" and top > 100:
            top = max(100.0, max(known) * 1.02)
        ax.barh([0], [top], height=0.9, color="#f0f0f0")
        if not math.isnan(value):
            ax.barh([0], [value], height=0.45, color=style.status_colour(str(r["status"])))
        if not math.isnan(target):
            ax.plot([target, target], [-0.42, 0.42], color=style.TARGET_COLOUR, linewidth=2)
        ax.set_xlim(0, top)
        ax.set_ylim(-0.5, 0.5)
        ax.set_yticks([])
        ax.set_xticks([])
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        name = str(r["indicator_name"])
        ax.text(-0.01, 0.5, name, transform=ax.transAxes, ha="right", va="center", fontsize=8.5)
        status = str(r["status"])
        label = (
            f"{style.status_mark(status)}{status} {_fmt(value, unit)} / 目标 {_fmt(target, unit)}"
        )
        ax.text(1.01, 0.5, label, transform=ax.transAxes, ha="left", va="center", fontsize=8,
                color=style.status_text_colour(str(r["status"])))  # fmt: skip
    if title:
        fig.suptitle(title, fontsize=10.5)
    _legend(fig)
    fig.get_layout_engine().set(w_pad=0.02, h_pad=0.01, hspace=0.0)  # type: ignore[union-attr,call-arg]
    return fig


def trend_chart(
    rows: pd.DataFrame, columns: int = 4, title: str | None = None, max_panels: int = 16
) -> Figure:
    """Quarter-by-quarter values with the target as a dashed line, one small panel per target.

    ``rows``: assessment rows of one org unit over several periods.
    """
    if rows.empty:
        return _empty("没有可显示的季度数据")
    keys = list(dict.fromkeys(zip(rows["task_id"], rows["indicator"], strict=True)))[:max_panels]
    n = len(keys)
    cols = min(columns, n)
    nrows = math.ceil(n / cols)
    height = 1.55 * nrows + 0.3
    # A fixed grid, not constrained layout: the panels are alike, and solving the layout of 16
    # axes cost 0.4 s per report (a third of the chart's time).
    fig = _figure(height, fixed=True)
    top = 0.25 + (0.3 if title else 0.0)
    fig.subplots_adjust(
        left=0.055, right=0.99, bottom=0.3 / height, top=1 - top / height, wspace=0.32, hspace=0.62
    )
    axes = fig.subplots(nrows, cols, squeeze=False).ravel()
    for ax, (task, ind) in zip(axes, keys, strict=False):
        part = rows[(rows["task_id"] == task) & (rows["indicator"] == ind)]
        part = part.sort_values("period")
        x = np.arange(len(part))
        colours = [style.status_colour(str(s)) for s in part["status"]]
        ax.plot(x, part["value"], color=style.NEUTRAL, linewidth=1.2, zorder=1)
        ax.scatter(x, part["value"], c=colours, s=22, zorder=2)
        target = float(part["target"].iloc[-1])
        if not math.isnan(target):
            ax.axhline(target, color=style.TARGET_COLOUR, linestyle="--", linewidth=0.9)
        ax.set_xticks(x, [_QUARTER_WORDS.get(str(p)[-2:], str(p)) for p in part["period"]])
        ax.set_title(str(part["indicator_name"].iloc[0]), fontsize=8.5)
        ax.tick_params(labelsize=7.5)
        ax.margins(x=0.15, y=0.25)
    for ax in axes[n:]:
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=10.5)
    return fig


def status_heatmap(
    rows: pd.DataFrame, title: str | None = None, label_values: bool = True
) -> Figure:
    """Org units (rows) × targets (columns), each cell coloured by status and labelled with the value.

    ``rows``: assessment rows of one period for several org units.
    """
    if rows.empty:
        return _empty("没有可显示的数据")
    order = list(dict.fromkeys(rows["org_name"]))
    cols = list(dict.fromkeys(zip(rows["task_id"], rows["indicator"], strict=True)))
    names = {
        (t, i): n
        for t, i, n in zip(rows["task_id"], rows["indicator"], rows["indicator_name"], strict=True)
    }
    code = {s: k for k, s in enumerate(style.STATUSES)}
    grid = np.full((len(order), len(cols)), code["无数据"], dtype=float)
    text = np.full((len(order), len(cols)), "", dtype=object)
    ri = {n: k for k, n in enumerate(order)}
    ci = {c: k for k, c in enumerate(cols)}
    for org, t, i, s, v in zip(
        rows["org_name"], rows["task_id"], rows["indicator"], rows["status"], rows["value"],
        strict=True,
    ):  # fmt: skip
        grid[ri[org], ci[(t, i)]] = code.get(str(s), code["无数据"])
        text[ri[org], ci[(t, i)]] = f"{style.status_mark(str(s))} {_fmt(float(v))}".strip()
    cmap = ListedColormap([style.status_colour(s) for s in style.STATUSES])
    norm = BoundaryNorm(np.arange(len(style.STATUSES) + 1) - 0.5, cmap.N)
    fig = _figure(0.3 * len(order) + 1.9)
    ax = fig.add_subplot()
    ax.imshow(grid, cmap=cmap, norm=norm, aspect="auto")
    ax.set_yticks(range(len(order)), order)
    ax.set_xticks(range(len(cols)), [names[c] for c in cols], rotation=50, ha="right")
    ax.tick_params(length=0, labelsize=7.5)
    ax.set_xticks(np.arange(len(cols) + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(len(order) + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    ink = [style.status_ink(s) for s in style.STATUSES]
    for (y, x), label in np.ndenumerate(text):
        status = style.STATUSES[int(grid[y, x])]
        # the mark always (print and colour blindness); the value when there is room
        shown = label if label_values and len(cols) <= 20 else style.status_mark(status)
        ax.text(x, y, shown, ha="center", va="center", fontsize=6, color=ink[int(grid[y, x])])
    if title:
        ax.set_title(title)
    _legend(fig)
    return fig


def ranking_chart(
    rows: pd.DataFrame, highlight: str | None = None, title: str | None = None
) -> Figure:
    """Org units ranked on one target, best first by the indicator's direction.

    Rates are ranked by value against the target's line. Totals (counts, amounts) are ranked
    by 完成率, value ÷ each unit's own target, against 100% (or the schedule's share before
    year end): each county has its own target, so one line for all would mislead.
    ``rows``: assessment rows of one period and one target; ``highlight``: an org code drawn
    with a dark edge and bold label.
    """
    total = "kind" in rows and len(rows) > 0 and str(rows["kind"].iloc[0]) == "total"
    key = "share_done" if total and "share_done" in rows else "value"
    rows = rows.dropna(subset=[key])
    if rows.empty:
        return _empty("没有可排名的数据")
    lower = "direction" in rows and str(rows["direction"].iloc[0]) == "lower"
    rows = rows.sort_values(key, ascending=lower).iloc[::-1]
    fig = _figure(0.24 * len(rows) + 0.9)
    ax = fig.add_subplot()
    colours = [style.status_colour(str(s)) for s in rows["status"]]
    unit = str(rows["unit"].iloc[0] or "")
    if key == "share_done":
        bar_values = rows["share_done"].to_numpy(dtype=float) * 100
        expected = rows["expected_share"] if "expected_share" in rows else pd.Series(dtype=float)
        share = expected.dropna()
        line = float(share.iloc[0]) * 100 if len(share) else 100.0
        labels = [
            f" {_fmt(v, unit)}（{_fmt(s, '%')}）"
            for v, s in zip(rows["value"], bar_values, strict=True)
        ]
    else:
        bar_values = rows["value"].to_numpy(dtype=float)
        line = float(rows["target"].iloc[0])
        labels = [" " + _fmt(v, unit) for v in rows["value"]]
    bars = ax.barh(rows["org_name"], bar_values, color=colours, height=0.7)
    if not math.isnan(line):
        ax.axvline(line, color=style.TARGET_COLOUR, linestyle="--", linewidth=1)
    for bar, code, label in zip(bars, rows["org_code"], labels, strict=True):
        mine = highlight is not None and str(code) == highlight
        if mine:
            bar.set_edgecolor(style.TARGET_COLOUR)
            bar.set_linewidth(1.5)
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, label,
                va="center", fontsize=7.5)  # fmt: skip
    if highlight is not None:
        for tick, code in zip(ax.get_yticklabels(), rows["org_code"], strict=True):
            if str(code) == highlight:
                tick.set_color("#0d47a1")
                tick.set_text("▶ " + tick.get_text())
    ax.tick_params(axis="y", length=0, labelsize=8)
    ax.tick_params(axis="x", labelsize=7.5)
    if key == "share_done":
        ax.set_xlabel("完成率（本期值 ÷ 本单位目标，%）", fontsize=7.5)
    ax.margins(x=0.18 if key == "share_done" else 0.12)
    name = str(rows["indicator_name"].iloc[0])
    ax.set_title(title or (f"{name}（按完成率排名）" if key == "share_done" else name))
    return fig


def share_done_chart(rows: pd.DataFrame, title: str | None = None) -> Figure:
    """Share of each year-to-date (flow) target done so far, each against its own schedule.

    Before year end only flows belong here: a stock (示范高中数) is judged against its full
    target in any quarter, so a 序时 line beside it would mislead. Each bar's black tick is the
    share due by now (the share of the year gone, or the allocation file's own schedule).
    """
    rows = rows.dropna(subset=["share_done"]).reset_index(drop=True)
    in_year = "expected_share" in rows and rows["expected_share"].notna().any()
    if in_year and "temporal" in rows:
        rows = rows[rows["temporal"] == "flow"].reset_index(drop=True)
    if rows.empty:
        return _empty("本期没有累计类目标")
    fig = _figure(0.32 * len(rows) + 0.9)
    ax = fig.add_subplot()
    y = np.arange(len(rows))[::-1]
    share = (rows["share_done"].astype(float) * 100).clip(upper=150)
    colours = [style.status_colour(str(s)) for s in rows["status"]]
    ax.barh(y, share, color=colours, height=0.6, edgecolor="#9e9e9e", linewidth=0.5)
    for yy, s, status in zip(y, share, rows["status"], strict=True):
        # a white ground keeps the label readable where a schedule tick crosses it
        ax.text(s + 0.8, yy, f"{style.status_mark(str(status))}{s:.0f}%", va="center",
                fontsize=7.5, zorder=3, bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6})  # fmt: skip
    due = (
        rows["expected_share"] if "expected_share" in rows else pd.Series(np.nan, index=rows.index)
    )
    for yy, d in zip(y, due.astype(float) * 100, strict=True):
        if not math.isnan(d):
            ax.plot(
                [d, d], [yy - 0.42, yy + 0.42], color=style.TARGET_COLOUR, linewidth=2, zorder=4
            )
    ax.axvline(100, color=style.TARGET_COLOUR, linestyle="--", linewidth=0.8)
    if in_year:
        ax.text(0.99, 1.01, "黑色竖线：按序时应完成的比例；虚线：全年目标", transform=ax.transAxes,
                ha="right", va="bottom", fontsize=7)  # fmt: skip
    ax.set_yticks(y, rows["indicator_name"])
    ax.set_xlim(0, max(110.0, float(share.max()) * 1.15))
    ax.set_xlabel("已完成目标的比例（%）")
    ax.tick_params(axis="y", length=0)
    if title:
        ax.set_title(title)
    return fig
