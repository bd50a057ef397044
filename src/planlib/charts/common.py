"""What the report charts share: reading assessment columns, figures placed by hand or by
constrained layout, the status legend and the empty chart.

Every chart takes assessment frames (docs/ARCHITECTURE.md); a column it can do without may be
missing (an analyst's own frame), so each is read through :func:`column` with a default.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine, PlaceHolderLayoutEngine

from . import style

QUARTER_WORDS = {"Q1": "一季", "Q2": "二季", "Q3": "三季", "Q4": "四季"}
"""Quarters as short axis labels (一季度… would not fit under a small panel's ticks)."""

SCHEDULED = "序时目标"
"""``judged_against`` of a flow judged on its share due by now rather than the full target."""


def quarter_word(period: object) -> str:
    """二季 for 2022Q2; anything else as written."""
    text = str(period)
    return QUARTER_WORDS.get(text[-2:], text)


def figure(height: float, width: float = style.A4_WIDTH_IN, fixed: bool = False) -> Figure:
    """A figure in the planlib style; ``fixed`` turns layout off for charts placed by hand."""
    layout = PlaceHolderLayoutEngine(True, True) if fixed else ConstrainedLayoutEngine()
    return Figure(figsize=(width, height), layout=layout)


def column(rows: pd.DataFrame, name: str, default: object = np.nan) -> pd.Series:
    """``rows[name]``, or ``default`` on every row where the frame lacks the column."""
    return rows[name] if name in rows else pd.Series(default, index=rows.index)


def shown(rows: pd.DataFrame) -> pd.Series:
    """The value as judged and printed (``value_shown``), else the raw value."""
    return column(rows, "value_shown").astype(float).fillna(rows["value"].astype(float))


def value_texts(rows: pd.DataFrame) -> list[str]:
    """Each row's value with its unit at its precision (93.5%, 12所, 23.41亿元)."""
    units, precision = column(rows, "unit", "").fillna(""), column(rows, "precision", 1)
    return [
        style.value_text(v, str(u), p)
        for v, u, p in zip(shown(rows), units, precision, strict=True)
    ]


def is_total(rows: pd.DataFrame) -> pd.Series:
    """Counts and amounts (compared as 完成率) as opposed to rates (compared as values)."""
    kind = column(rows, "kind", "").fillna("").astype(str)
    return (kind == "total") | ((kind == "") & (column(rows, "unit", "").astype(str) != "%"))


def share(rows: pd.DataFrame) -> pd.Series:
    """完成率 as a fraction: ``share_done``, else value ÷ target."""
    target = rows["target"].astype(float).where(lambda t: t != 0)
    return column(rows, "share_done").astype(float).fillna(shown(rows) / target)


def scheduled(rows: pd.DataFrame, name: str) -> pd.Series:
    """Column ``name`` where a row is judged on its schedule (序时) this quarter, else NaN."""
    on = column(rows, "judged_against", "").astype(str) == SCHEDULED
    return column(rows, name).astype(float).where(on)


def present(rows: pd.DataFrame) -> list[str]:
    """The statuses that occur in ``rows``, best first (a legend explains what is drawn)."""
    seen = set(rows["status"].astype(str))
    return [s for s in style.STATUSES if s in seen] or list(style.STATUSES)


def legend(fig: Figure, statuses: Sequence[str], extra: Sequence[object] = (), **at: Any) -> None:
    """The statuses as they are drawn (tone, texture, mark) and any target lines, below (room
    made by constrained layout unless ``at`` places it: ``loc``, ``bbox_to_anchor``)."""
    handles = [*style.status_patches(statuses), *extra]
    options: dict[str, Any] = {"loc": "outside lower center", **at}
    fig.legend(
        handles=handles,
        ncol=min(len(handles), 7),
        fontsize=7.5,
        handlelength=1.6,
        columnspacing=1.2,
        **options,
    )


def empty(message: str) -> Figure:
    """A one-line figure saying why there is nothing to draw."""
    fig = figure(1.0)
    ax = fig.add_subplot()
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", color=style.NEUTRAL)
    return fig
