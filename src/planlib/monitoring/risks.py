"""Projected misses: every target that will miss at year end as things stand, in one place.

The overview's risk list, its outlook table and the task colours all read
:func:`projected_misses` (or its row mask :func:`misses_at_year_end`), so a target projected
to miss is never in one and not the other: 省级示范性高中 at 25 of 30 all year and 新增编制
projected at 1,342 of 1,500 are risks like any other.
"""

from __future__ import annotations

import pandas as pd

from ..periods import parse_period

MISSED = "未达标"


def year_end_key(period: str) -> str:
    """The column that says how a target ends the year as of ``period``: the status itself in
    the fourth quarter (the year is over), else the projection's status."""
    return "status" if parse_period(str(period)).quarter == 4 else "projected_status"


def misses_at_year_end(rows: pd.DataFrame, period: str) -> pd.Series:
    """Which of ``rows`` (assessment rows of ``period``) miss at year end."""
    return rows[year_end_key(period)].astype(str).eq(MISSED)


def projected_misses(
    assessment: pd.DataFrame,
    period: str,
    *,
    org_code: str | None = None,
    level: str | None = "city",
) -> pd.DataFrame:
    """Every assessment row of ``period`` projected to miss its target at year end (before the
    fourth quarter by its projection, at it by its status), whatever the kind of target: rates,
    counts (示范高中 25 of 30) and flows (新增编制) alike. ``org_code`` picks one unit, else
    ``level`` picks a level (default the city; None keeps every unit). Task order."""
    a = assessment[assessment["period"].astype(str) == str(period)]
    if org_code is not None:
        a = a[a["org_code"].astype(str) == str(org_code)]
    elif level is not None:
        a = a[a["level"].astype(str) == level]
    out = a[misses_at_year_end(a, period).to_numpy(dtype=bool)]
    return out.sort_values(["task_id", "org_code"], kind="stable").reset_index(drop=True)


__all__ = ["misses_at_year_end", "projected_misses", "year_end_key"]
