"""The report charts: each takes assessment frames (docs/ARCHITECTURE.md) and returns a Figure.

Every function applies :mod:`planlib.charts.style` first, so a chart looks the same in a report, in
JupyterLab and in a test, and never touches pyplot's global figure list. Reports print on
black-and-white lasers: a status always shows as tone, mark (✓△×—) and, on bars, texture; no text
is rotated; every axis or cell says its unit. One convention for targets throughout: solid black is
what the status is judged against this quarter (the target; for a flow before year end its share
due, 序时), dashed black the full-year target where that differs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine, PlaceHolderLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from . import style

_QUARTER_WORDS = {"Q1": "一季", "Q2": "二季", "Q3": "三季", "Q4": "四季"}  # 一季度… would touch
_SCHEDULED = "序时目标"
"""``judged_against`` of a flow judged on its share due by now rather than the full target."""


def _figure(height: float, width: float = style.A4_WIDTH_IN, fixed: bool = False) -> Figure:
    """A figure in the planlib style; ``fixed`` turns layout off for charts placed by hand."""
    layout = PlaceHolderLayoutEngine(True, True) if fixed else ConstrainedLayoutEngine()
    return Figure(figsize=(width, height), layout=layout)


def _col(rows: pd.DataFrame, name: str, default: object = np.nan) -> pd.Series:
    return rows[name] if name in rows else pd.Series(default, index=rows.index)


def _shown(rows: pd.DataFrame) -> pd.Series:
    """The value as judged and printed (``value_shown``), else the raw value."""
    return _col(rows, "value_shown").astype(float).fillna(rows["value"].astype(float))


def _texts(rows: pd.DataFrame) -> list[str]:
    """Each row's value with its unit at its precision (93.5%, 12所, 23.41亿元)."""
    units, precision = _col(rows, "unit", "").fillna(""), _col(rows, "precision", 1)
    return [
        style.value_text(v, str(u), p)
        for v, u, p in zip(_shown(rows), units, precision, strict=True)
    ]


def _is_total(rows: pd.DataFrame) -> pd.Series:
    """Counts and amounts (compared as 完成率) as opposed to rates (compared as values)."""
    kind = _col(rows, "kind", "").fillna("").astype(str)
    return (kind == "total") | ((kind == "") & (_col(rows, "unit", "").astype(str) != "%"))


def _share(rows: pd.DataFrame) -> pd.Series:
    """完成率 as a fraction: ``share_done``, else value ÷ target."""
    target = rows["target"].astype(float).where(lambda t: t != 0)
    return _col(rows, "share_done").astype(float).fillna(_shown(rows) / target)


def _scheduled(rows: pd.DataFrame, column: str) -> pd.Series:
    """``column`` where a row is judged on its schedule (序时) this quarter, else NaN."""
    on = _col(rows, "judged_against", "").astype(str) == _SCHEDULED
    return _col(rows, column).astype(float).where(on)


def _present(rows: pd.DataFrame) -> list[str]:
    """The statuses that occur in ``rows``, best first (a legend explains what is drawn)."""
    seen = set(rows["status"].astype(str))
    return [s for s in style.STATUSES if s in seen] or list(style.STATUSES)


def _legend(
    fig: Figure, statuses: Sequence[str], extra: Sequence[object] = (), **at: object
) -> None:
    """The statuses as they are drawn (tone, texture, mark) and any target lines, below (room
    made by constrained layout unless ``at`` places it: ``loc``, ``bbox_to_anchor``)."""
    handles = [*style.status_patches(statuses), *extra]
    fig.legend(handles=handles, ncol=min(len(handles), 7), fontsize=7.5, handlelength=1.6,
               columnspacing=1.2, **{"loc": "outside lower center", **at})  # type: ignore[call-overload]  # fmt: skip


def _empty(message: str) -> Figure:
    fig = _figure(1.0)
    ax = fig.add_subplot()
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", color=style.NEUTRAL)
    return fig


@style.styled
def bullet_chart(rows: pd.DataFrame, title: str | None = None) -> Figure:
    """Every target of one org unit and period, on two common scales so rows compare.

    Rates (%) share one percent axis; counts and amounts, whose targets differ in size, share
    one 完成率 axis (value ÷ target, 100% = the target) with the value and unit at the bar end.
    The light band is the 达标 side of the target (left of a cap such as 不高于5%); each row's
    target in words stands at the right.
    """
    rows = rows.reset_index(drop=True)
    if rows.empty:
        return _empty("没有可显示的目标")
    total = _is_total(rows)
    groups = [(part.reset_index(drop=True), share, heading) for part, share, heading in (
        (rows[~total], False, "比率类目标（%）"), (rows[total], True, "数量类目标（完成全年目标的比例）"),
    ) if len(part)]  # fmt: skip
    sizes = [len(g[0]) for g in groups]
    height = 0.27 * sum(sizes) + 0.8 * len(groups) + 0.45 + (0.3 if title else 0)
    names = max(style.text_width_em(n) for n in rows["indicator_name"].astype(str)) * 8.5 / 72
    aims = _col(rows, "target_text", "").fillna("").astype(str)
    right = max(style.text_width_em(a) for a in aims) * 7 / 72 + 0.1
    width = style.A4_WIDTH_IN - names - right - 0.3
    # Placed by hand (inches: a panel's title above it, ticks and axis label below, the legend
    # at the foot), not by constrained layout: solving it cost a third of the chart's time.
    fig = _figure(height, fixed=True)
    top = height - 0.04 - (0.3 if title else 0)
    per_row = (top - 0.34 - len(groups) * (0.27 + 0.47)) / sum(sizes)
    left, w = names + 0.2, style.A4_WIDTH_IN  # the labels, their pad and tick, a hair
    for part, share, heading in groups:
        low, high = top - 0.27 - per_row * len(part), per_row * len(part)
        ax = fig.add_axes((left / w, low / height, (w - left - right - 0.02) / w, high / height))
        _bullet_panel(ax, part, share, width)
        ax.set_title(heading, loc="left", fontsize=9.5, y=1.0)
        top = low - 0.47
    if title:
        fig.suptitle(title, fontsize=10.5, y=1 - 0.04 / height, va="top")
    scheduled = bool(_scheduled(rows, "expected_share").notna().any())
    _legend(fig, _present(rows), style.target_handles(scheduled, zone=True), loc="lower center",
            bbox_to_anchor=(0.5, 0.02 / height))  # fmt: skip
    return fig


def _bullet_panel(ax: Axes, rows: pd.DataFrame, share: bool, width_in: float) -> None:
    y = np.arange(len(rows))[::-1]
    x = (_share(rows) * 100 if share else _shown(rows)).to_numpy(dtype=float)
    due = (_scheduled(rows, "expected_share") * 100).to_numpy(dtype=float)
    goal = np.full(len(rows), 100.0) if share else rows["target"].to_numpy(dtype=float)
    judged = np.where(np.isnan(due), goal, due)
    data_top = float(np.nanmax(np.concatenate([x, goal, [100.0 if share else 1.0]]))) * 1.05
    data_top = min(data_top, 200.0)
    lower = _col(rows, "direction", "higher").astype(str).to_numpy() == "lower"
    labels = [
        style.status_mark(s) + t + (f"（{v:.0f}%）" if share and not math.isnan(v) else "")
        for s, t, v in zip(rows["status"].astype(str), _texts(rows), x, strict=True)
    ]
    room = (max(map(style.text_width_em, labels)) * 7.5 / 72 + 0.12) / max(width_in, 1.5)
    top = data_top / (1 - min(room, 0.45))
    for k, (yy, status) in enumerate(zip(y, rows["status"].astype(str), strict=True)):
        if not math.isnan(judged[k]):
            left, span = (0.0, judged[k]) if lower[k] else (judged[k], data_top - judged[k])
            ax.barh(yy, span, left=left, height=0.84, color=style.ZONE_COLOUR, linewidth=0)
            ax.plot([judged[k]] * 2, [yy - 0.4, yy + 0.4], **style.TARGET_LINE)
        if not math.isnan(due[k]):
            ax.plot([goal[k]] * 2, [yy - 0.4, yy + 0.4], **style.FULL_TARGET_LINE)
        end = 0.0 if math.isnan(x[k]) else min(x[k], data_top)
        if not math.isnan(x[k]):
            ax.barh(yy, end, height=0.42, **style.bar_style(status))
        edge = float(np.nanmax([end, judged[k]]))  # a dashed full-year line may run behind
        ax.text(edge + top * 0.01, yy, labels[k], va="center", fontsize=7.5, zorder=5,
                bbox=style.LABEL_GROUND)  # fmt: skip
    ax.set_yticks(y, rows["indicator_name"].astype(str))
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(0, top)
    style.value_ticks(ax, 0, data_top)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel("完成全年目标的比例（%，本期值 ÷ 全年目标）" if share else "本期值（%）")
    # the target in words as a second, right-hand set of labels: the layout makes room for it
    aims = ax.twinx()
    aims.set_ylim(ax.get_ylim())
    aims.set_yticks(y, _col(rows, "target_text", "").fillna("").astype(str), fontsize=7,
                    color="#424242")  # fmt: skip
    aims.tick_params(axis="y", length=0)
    ax.annotate("目标", (1, 1), xycoords="axes fraction", xytext=(3.5, 2), fontsize=7,
                textcoords="offset points", va="bottom", color="#424242")  # fmt: skip
    aims.spines[["right", "top"]].set_visible(False)


@style.styled
def trend_chart(
    rows: pd.DataFrame, columns: int = 4, title: str | None = None, max_panels: int = 16
) -> Figure:
    """Quarter-by-quarter values with the full-year target as a dashed line, a panel per target.

    ``rows``: assessment rows of one org unit over several periods. Each panel's title carries
    the unit; a point's shape and tone give its quarter's status; a flow's share due by each
    quarter (序时) is a short solid tick; the value axis is not forced to start at 0.
    """
    if rows.empty:
        return _empty("没有可显示的季度数据")
    keys = list(dict.fromkeys(zip(rows["task_id"], rows["indicator"], strict=True)))[:max_panels]
    n = len(keys)
    cols = min(columns, n)
    nrows = math.ceil(n / cols)
    height = 1.75 * nrows + 0.6 + (0.3 if title else 0.0)
    # A fixed grid, not constrained layout: the panels are alike, and solving the layout of 16
    # axes cost 0.4 s per report (a third of the chart's time).
    fig = _figure(height, fixed=True)
    top = 0.45 + (0.3 if title else 0.0)
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.62 / height, top=1 - top / height,
                        wspace=0.34, hspace=1.0)  # fmt: skip
    axes = fig.subplots(nrows, cols, squeeze=False).ravel()
    pitch = style.A4_WIDTH_IN * 0.93 / cols * 72 - 4  # points a panel's title may use
    scheduled = False
    for ax, (task, ind) in zip(axes, keys, strict=False):
        part = rows[(rows["task_id"] == task) & (rows["indicator"] == ind)].sort_values("period")
        x, values = np.arange(len(part)), _shown(part).to_numpy(dtype=float)
        ax.plot(x, values, color=style.NEUTRAL, linewidth=1.1, zorder=1)
        statuses = part["status"].astype(str).to_numpy()
        for s in set(statuses):  # one set of points per status: its tone and its shape
            on = statuses == s
            ax.scatter(x[on], values[on], color=style.status_colour(s), s=30, zorder=3,
                       marker=style.STATUS_MARKERS.get(s, "o"), edgecolors="#424242",
                       linewidths=0.5)  # fmt: skip
        target = float(part["target"].iloc[-1])
        if not math.isnan(target):
            ax.axhline(target, **style.FULL_TARGET_LINE)
        for xx, d in zip(x, _scheduled(part, "expected_value"), strict=True):
            if not math.isnan(d):
                scheduled = True
                ax.plot([xx - 0.22, xx + 0.22], [d, d], zorder=2, **style.TARGET_LINE)
        known = np.flatnonzero(~np.isnan(values))
        if len(known):
            k = int(known[-1])
            ax.annotate(_texts(part)[k], (x[k], values[k]), xytext=(0, 5), bbox=style.LABEL_GROUND,
                        textcoords="offset points", ha="center", fontsize=6.5, zorder=4)  # fmt: skip
        ax.set_xticks(x, [_QUARTER_WORDS.get(str(p)[-2:], str(p)) for p in part["period"]])
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
        if unit != "%" and high - low < 2:  # a flat count: whole numbers around it, not 1.92
            mid = (low + high) / 2
            ax.set_ylim(max(mid - 1.2, -0.4) if np.nanmin(values) >= 0 else mid - 1.2, mid + 1.2)
    for ax in axes[n:]:
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=10.5)
    handles = style.status_points([s for s in _present(rows) if s != "无数据"])
    handles.append(Line2D([], [], label="全年目标", **style.FULL_TARGET_LINE))
    if scheduled:
        handles.append(Line2D([], [], label="序时应完成", **style.TARGET_LINE))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=7.5)
    return fig


def _cell_lines(mark: str, text: str, unit: str, layout: int) -> str:
    """A heatmap cell, by layout: 0 "✓ 20.7亿元"; 1 "✓ 20.7" over "亿元"; 2 the mark over
    "20.7亿元"; 3 mark, number and unit on three lines. A % always stays with its number."""
    if text == "—":
        return mark
    number, rest = (text[: -len(unit)], unit) if unit and unit != "%" else (text, "")
    if not rest or text[-len(rest) :] != rest:
        number, rest = text, ""
    return [
        f"{mark} {text}",
        f"{mark} {number}\n{rest}",
        f"{mark}\n{text}",
        f"{mark}\n{number}\n{rest}",
    ][layout].rstrip()


def _fit_cells(cells: np.ndarray, cell_pt: float) -> tuple[np.ndarray, float, list[int]]:
    """The largest font (6.5 down to 5 pt) at which every row's cells fit their width, each
    row in its fewest lines; only the marks if nothing fits (or ``cell_pt`` is 0). Returns the
    texts, the font size and each row's number of lines."""
    nothing = style.status_mark("无数据")
    for fs in (6.5, 6.0, 5.5, 5.0):
        out: list[list[str]] = []
        for row in cells:
            for layout in (0, 2, 1, 3):  # the mark above the value before a unit alone below
                texts = [_cell_lines(c[0], c[1], c[2], layout) if c else nothing for c in row]
                widest = max(style.text_width_em(p) for t in texts for p in t.split("\n"))
                if widest * fs <= cell_pt - 4:  # 2 pt clear of the white grid on each side
                    out.append(texts)
                    break
            else:
                break
        else:
            return np.array(out, dtype=object), fs, [max(t.count("\n") + 1 for t in r) for r in out]
    marks = [[c[0] if c else nothing for c in row] for row in cells]
    return np.array(marks, dtype=object), 7.0, [1] * len(cells)


@style.styled
def status_heatmap(
    rows: pd.DataFrame, title: str | None = None, label_values: bool = True
) -> Figure:
    """Targets (rows) × org units (columns): each cell's tone and mark give the status, its text
    the value with unit. No text is rotated; with many columns the unit names stand in upright
    characters one above the other, as Chinese is written vertically.

    ``rows``: assessment rows of one period for several org units. The height grows with the
    number of targets: 0.35 in a row, more when the values need two or three lines.
    """
    if rows.empty:
        return _empty("没有可显示的数据")
    by = "org_code" if "org_code" in rows else "org_name"
    orgs = dict(zip(rows[by].astype(str), rows["org_name"].astype(str), strict=True))
    pairs = list(zip(rows["task_id"], rows["indicator"], strict=True))
    keys = list(dict.fromkeys(pairs))
    names = dict(zip(pairs, rows["indicator_name"].astype(str), strict=True))
    code = {s: k for k, s in enumerate(style.STATUSES)}
    grid = np.full((len(keys), len(orgs)), code["无数据"], dtype=float)
    cells = np.full(grid.shape, None, dtype=object)
    ri, ci = {k: i for i, k in enumerate(keys)}, {c: j for j, c in enumerate(orgs)}
    units = _col(rows, "unit", "").fillna("").astype(str)
    for key, org, s, text, unit in zip(
        pairs, rows[by].astype(str), rows["status"].astype(str), _texts(rows), units, strict=True
    ):
        grid[ri[key], ci[org]] = code.get(s, code["无数据"])
        cells[ri[key], ci[org]] = (style.status_mark(s), text, unit)
    n_cols = grid.shape[1]
    fs_label = 7.5
    labels = [names[k] for k in keys]
    if n_cols > 12:  # narrow cells: long target names take two lines to leave the cells room
        labels = [style.wrap(n, math.ceil(len(n) / 2)) if len(n) > 10 else n for n in labels]
    left = max(style.text_width_em(p) for n in labels for p in n.split("\n")) * fs_label / 72
    left += 0.15
    # the text width of A4, unless so few units that cells would stretch past an inch each
    width = min(style.A4_WIDTH_IN, max(left + 0.08 + n_cols, 4.3))
    plot_w = width - left - 0.08
    cell_pt = plot_w * 72 / n_cols
    texts, fs, lines = _fit_cells(cells, cell_pt if label_values else 0.0)
    edges = np.concatenate([[0.0], np.cumsum([max(0.35, k * fs * 1.25 / 72 + 0.1) for k in lines])])
    heads = list(orgs.values())
    upright = max(map(style.text_width_em, heads)) * fs_label > cell_pt * 0.95
    head_h = (max(map(len, heads)) if upright else 1) * fs_label * 1.2 / 72 + 0.12
    top, bottom = head_h + (0.32 if title else 0.04), 0.42
    height = top + edges[-1] + bottom
    fig = _figure(height, fixed=True)
    ax = fig.add_axes((left / width, bottom / height, plot_w / width, edges[-1] / height))
    cmap = ListedColormap([style.status_colour(s) for s in style.STATUSES])
    norm = BoundaryNorm(np.arange(len(style.STATUSES) + 1) - 0.5, cmap.N)
    # rows as tall as their text needs (a count's unit takes a line a rate's % does not)
    ax.pcolormesh(np.arange(n_cols + 1), edges, grid, cmap=cmap, norm=norm,
                  edgecolors="white", linewidth=1.5)  # fmt: skip
    ax.set_ylim(edges[-1], 0)
    ax.set_xlim(0, n_cols)
    centres = (edges[:-1] + edges[1:]) / 2
    ax.xaxis.tick_top()
    ax.set_yticks(centres, labels, fontsize=fs_label, linespacing=1.05)
    ax.set_xticks(np.arange(n_cols) + 0.5, ["\n".join(h) if upright else h for h in heads],
                  fontsize=fs_label, linespacing=1.0)  # fmt: skip
    ax.tick_params(length=0, pad=2)
    for side in ax.spines.values():
        side.set_visible(False)
    for (r, c), text in np.ndenumerate(texts):
        ink = style.status_ink(style.STATUSES[int(grid[r, c])])
        ax.text(c + 0.5, centres[r], text, ha="center", va="center", fontsize=fs, color=ink,
                linespacing=1.1)  # fmt: skip
    if title:
        fig.suptitle(title, fontsize=10.5, y=1 - 0.06 / height, va="top")
    if label_values and fs == 7.0:
        fig.text(0.99, 0.02 / height, "单位较多，格内只标完成状态", ha="right", va="bottom",
                 fontsize=7, color="#424242")  # fmt: skip
    handles = style.status_patches(style.STATUSES, hatch=False)  # cells carry no texture
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=7.5,
               bbox_to_anchor=(0.5, 0.02 / height))  # fmt: skip
    return fig


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
        return _empty("没有可排名的数据")
    total = bool(_is_total(rows).iloc[0])
    rows = rows.assign(_v=_shown(rows), _s=_share(rows)).dropna(subset=["_s" if total else "_v"])
    if rows.empty:
        return _empty("没有可排名的数据")
    lower = str(_col(rows, "direction", "higher").iloc[0]) == "lower"
    rows = rows.sort_values("_s" if total else "_v", ascending=lower, kind="stable").iloc[::-1]
    values = rows["_v"].to_numpy(dtype=float)
    full = rows["target"].to_numpy(dtype=float)
    due = _scheduled(rows, "expected_value").to_numpy(dtype=float)
    judged = np.where(np.isnan(due), full, due)
    unit = str(rows["unit"].iloc[0] or "")
    start = 0.0 if total else style.axis_start(values, judged)
    fig = _figure(0.25 * len(rows) + 1.2 + (0.2 if title else 0))
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    for yy, v, s in zip(y, values, rows["status"].astype(str), strict=True):
        ax.barh(yy, v - start, left=start, height=0.62, **style.bar_style(s))
    shared = len(set(judged[~np.isnan(judged)])) <= 1 and np.isnan(due).all()
    aim = str(_col(rows, "target_text", "").fillna("").iloc[0]) or style.value_text(full[0], unit)
    if shared and not np.isnan(full).all():
        ax.axvline(full[0], **style.TARGET_LINE, zorder=4)
    elif not shared:
        for yy, t in zip(y, judged, strict=True):
            ax.plot([t, t], [yy - 0.42, yy + 0.42], zorder=4, **style.TARGET_LINE)
        for yy, t, d in zip(y, full, due, strict=True):
            if not math.isnan(d):
                ax.plot([t, t], [yy - 0.42, yy + 0.42], zorder=4, **style.FULL_TARGET_LINE)
    top = float(np.nanmax(np.concatenate([values, full])))
    span = top - start
    labels = [
        style.status_mark(str(s)) + t + (f"（完成{p * 100:.0f}%）" if total else "")
        for s, t, p in zip(rows["status"], _texts(rows), rows["_s"], strict=True)
    ]
    for k in range(len(rows)):  # y[k] == k
        # past the unit's own ticks; a shared line may run behind the label's white ground
        ticks = [] if shared else [judged[k], full[k] if not np.isnan(due[k]) else np.nan]
        edge = float(np.nanmax([values[k], *ticks]))
        ax.text(edge + span * 0.015, k, labels[k], va="center", fontsize=7.5, zorder=5,
                bbox=style.LABEL_GROUND)  # fmt: skip
    names = [("▶ " if highlight is not None and str(c) == highlight else "") + str(n)
             for c, n in zip(rows["org_code"], rows["org_name"], strict=True)]  # fmt: skip
    ax.set_yticks(y, names)
    for bar, tick, name in zip(ax.patches, ax.get_yticklabels(), names, strict=True):
        if name.startswith("▶"):
            bar.set_edgecolor(style.TARGET_COLOUR)
            bar.set_linewidth(1.5)
            tick.set_color("#0d47a1")
    ax.tick_params(axis="y", length=0, labelsize=8)
    ax.tick_params(axis="x", labelsize=7.5)
    room = max(map(style.text_width_em, labels)) * 7.5 / 72 / 4.6 + 0.04
    ax.set_xlim(start, start + span / (1 - min(room, 0.45)))
    style.value_ticks(ax, start, top, integer=unit != "%")
    ax.set_ylim(-0.6, len(rows) - 0.4)
    axis = f"本期值（{unit}）" if unit else "本期值"
    if start > 0:
        axis += f"，横轴从{style.value_text(start, unit, 2)}起"
        style.axis_break(ax)
    ax.set_xlabel(axis, fontsize=8)
    name, what = str(rows["indicator_name"].iloc[0]), "，按完成率排名" if total else ""
    ax.set_title(title or f"{name}（{unit}{what}）", y=1.0)
    extra = style.target_handles(not np.isnan(due).all(), label=f"目标{aim}" if shared else "目标")
    _legend(fig, _present(rows), extra)
    return fig


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
        return _empty("本期没有累计类目标")
    fig = _figure(0.3 * len(rows) + 1.2 + (0.25 if title else 0))
    ax = fig.add_subplot()
    y = np.arange(len(rows))[::-1]
    share = (rows["share_done"].astype(float) * 100).clip(upper=150)
    due = _col(rows, "expected_share").astype(float) * 100
    for yy, s, d, status, text in zip(y, share, due, rows["status"].astype(str), _texts(rows),
                                      strict=True):  # fmt: skip
        ax.barh(yy, s, height=0.6, **style.bar_style(status))
        if not math.isnan(d):
            ax.plot([d, d], [yy - 0.42, yy + 0.42], zorder=4, **style.TARGET_LINE)
        edge = max(s, 0 if math.isnan(d) else d)
        ax.text(edge + 1.5, yy, f"{style.status_mark(status)}{s:.0f}%（{text}）", va="center",
                fontsize=7.5, zorder=5, bbox=style.LABEL_GROUND)  # fmt: skip
    ax.axvline(100, **style.FULL_TARGET_LINE)
    ax.set_yticks(y, rows["indicator_name"])
    ax.set_xlim(0, max(125.0, float(share.max()) * 1.3))
    style.value_ticks(ax, 0, max(100.0, float(share.max())))
    ax.set_xlabel("完成全年目标的比例（%，本期值 ÷ 全年目标）")
    ax.tick_params(axis="y", length=0)
    if title:
        ax.set_title(title, y=1.0)
    lines = [Line2D([], [], label="全年目标", **style.FULL_TARGET_LINE)]
    if in_year:
        lines.insert(0, Line2D([], [], label="序时应完成", **style.TARGET_LINE))
    _legend(fig, _present(rows), lines)
    return fig
