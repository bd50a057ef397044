"""One unit's targets at a glance: a bullet chart per target, rates on a percent axis and
counts and amounts on a 完成率 axis, each with its 达标 band and its target in words."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from . import style
from .common import column, empty, figure, is_total, legend, present, scheduled, share, shown
from .common import value_texts as texts_of


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
        return empty("没有可显示的目标")
    total = is_total(rows)
    parts = (
        (rows[~total], False, "比率类目标（%）"),
        (rows[total], True, "数量类目标（完成全年目标的比例）"),
    )
    groups = [(p.reset_index(drop=True), s, h) for p, s, h in parts if len(p)]
    sizes = [len(g[0]) for g in groups]
    height = 0.27 * sum(sizes) + 0.8 * len(groups) + 0.45 + (0.3 if title else 0)
    names = max(style.text_width_em(n) for n in rows["indicator_name"].astype(str)) * 8.5 / 72
    aims = column(rows, "target_text", "").fillna("").astype(str)
    right = max(style.text_width_em(a) for a in aims) * 7 / 72 + 0.1
    width = style.A4_WIDTH_IN - names - right - 0.3
    # Placed by hand (inches: a panel's title above it, ticks and axis label below, the legend
    # at the foot), not by constrained layout: solving it cost a third of the chart's time.
    fig = figure(height, fixed=True)
    top = height - 0.04 - (0.3 if title else 0)
    per_row = (top - 0.34 - len(groups) * (0.27 + 0.47)) / sum(sizes)
    left, w = names + 0.2, style.A4_WIDTH_IN  # the labels, their pad and tick, a hair
    for part, on_share, heading in groups:
        low, high = top - 0.27 - per_row * len(part), per_row * len(part)
        ax = fig.add_axes((left / w, low / height, (w - left - right - 0.02) / w, high / height))
        _panel(ax, part, on_share, width)
        ax.set_title(heading, loc="left", fontsize=9.5, y=1.0)
        top = low - 0.47
    if title:
        fig.suptitle(title, fontsize=10.5, y=1 - 0.04 / height, va="top")
    due = bool(scheduled(rows, "expected_share").notna().any())
    extra = style.target_handles(due, zone=True)
    legend(fig, present(rows), extra, loc="lower center", bbox_to_anchor=(0.5, 0.02 / height))
    return fig


def _labels(rows: pd.DataFrame, x: np.ndarray, on_share: bool) -> list[str]:
    """Each bar's label: mark, value with unit and, on the 完成率 axis, the share in brackets."""
    return [
        style.status_mark(s) + t + (f"（{v:.0f}%）" if on_share and not math.isnan(v) else "")
        for s, t, v in zip(rows["status"].astype(str), texts_of(rows), x, strict=True)
    ]


def _panel(ax: Axes, rows: pd.DataFrame, on_share: bool, width_in: float) -> None:
    """One panel of bullets: band, target ticks, bar and label per row; names left, aims right."""
    y = np.arange(len(rows))[::-1]
    x = (share(rows) * 100 if on_share else shown(rows)).to_numpy(dtype=float)
    due = (scheduled(rows, "expected_share") * 100).to_numpy(dtype=float)
    goal = np.full(len(rows), 100.0) if on_share else rows["target"].to_numpy(dtype=float)
    judged = np.where(np.isnan(due), goal, due)
    data_top = float(np.nanmax(np.concatenate([x, goal, [100.0 if on_share else 1.0]]))) * 1.05
    data_top = min(data_top, 200.0)
    lower = column(rows, "direction", "higher").astype(str).to_numpy() == "lower"
    labels = _labels(rows, x, on_share)
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
        ax.text(
            edge + top * 0.01,
            yy,
            labels[k],
            va="center",
            fontsize=7.5,
            zorder=5,
            bbox=style.LABEL_GROUND,
        )
    ax.set_yticks(y, rows["indicator_name"].astype(str))
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(0, top)
    style.value_ticks(ax, 0, data_top)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel("完成全年目标的比例（%，本期值 ÷ 全年目标）" if on_share else "本期值（%）")
    _aims(ax, rows, y)


def _aims(ax: Axes, rows: pd.DataFrame, y: np.ndarray) -> None:
    """The target in words as a second, right-hand set of labels: the layout makes room."""
    aims = ax.twinx()
    aims.set_ylim(ax.get_ylim())
    words = column(rows, "target_text", "").fillna("").astype(str)
    aims.set_yticks(y, words, fontsize=7, color="#424242")
    aims.tick_params(axis="y", length=0)
    ax.annotate(
        "目标",
        (1, 1),
        xycoords="axes fraction",
        xytext=(3.5, 2),
        fontsize=7,
        textcoords="offset points",
        va="bottom",
        color="#424242",
    )
    aims.spines[["right", "top"]].set_visible(False)
