"""Who is behind, in the terms a reader acts on: which units have missed a target and since
when (the 督办 list), and which schools meet a school-level target and which do not yet.

Both read an assessment frame (and, for schools, the data it was computed from), so a report, a
notebook and a test get the same lists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..periods import parse_period

if TYPE_CHECKING:
    from ..catalog.definitions import IndicatorSet, Settings
    from ..catalog.expressions import Term

BEHIND_COLUMNS: list[str] = [
    "org_code", "org_name", "parent_code", "task_id", "indicator", "indicator_name", "period",
    "status", "since", "quarters_behind", "value_shown", "precision", "unit", "target_text",
    "still_needed", "still_needed_unit", "comparator", "kind", "projected_status",
]  # fmt: skip
"""Columns of :func:`behind_since`."""

SCHOOL_COLUMNS: list[str] = [
    "county_code", "task_id", "indicator", "indicator_name", "element", "school_code",
    "school_name", "stage", "ownership", "meets", "reported",
]  # fmt: skip
"""Columns of :func:`school_status`: one row per school a school-level target counts over."""


def behind_since(assessment: pd.DataFrame, period: str) -> pd.DataFrame:
    """Every (unit, target) 未达标 at ``period``, with the first quarter of the unbroken run of
    未达标 quarters that ends there (``since``) and how many quarters that run is.

    A quarter without data (无数据) breaks the run: the unit cannot be said to have been behind
    then. Sorted by unit code, then task.
    """
    a = assessment
    if a.empty:
        return pd.DataFrame(columns=BEHIND_COLUMNS)
    key = ["org_code", "task_id", "indicator"]
    now = a[(a["period"].astype(str) == period) & (a["status"] == "未达标")]
    if now.empty:
        return pd.DataFrame(columns=BEHIND_COLUMNS)
    wanted = parse_period(period)
    past = a[a.set_index(key).index.isin(now.set_index(key).index)].copy()
    parsed = past["period"].astype(str).map(parse_period)
    past = past[[p.year == wanted.year and p <= wanted for p in parsed]]
    past = past.assign(_q=past["period"].astype(str).map(lambda p: parse_period(p).quarter))
    since: dict[tuple[str, str, str], tuple[str, int]] = {}
    for k, grp in past.sort_values("_q", ascending=False).groupby(key, sort=False):
        run = 0
        first = period
        expected_q = wanted.quarter
        for q, p, s in zip(grp["_q"], grp["period"].astype(str), grp["status"], strict=True):
            if q != expected_q or s != "未达标":  # a gap in quarters or another status ends it
                break
            run += 1
            first = p
            expected_q -= 1
        task_key = (str(k[0]), str(k[1]), str(k[2]))
        since[task_key] = (first, run)
    keys = list(
        zip(
            now["org_code"].astype(str),
            now["task_id"].astype(str),
            now["indicator"].astype(str),
            strict=True,
        )
    )
    out = now.assign(
        since=[since[k][0] for k in keys],
        quarters_behind=[since[k][1] for k in keys],
    )
    out = out.reindex(columns=BEHIND_COLUMNS)
    return out.sort_values(["org_code", "task_id", "indicator"], kind="stable").reset_index(
        drop=True
    )


def school_flag_term(indicator: object, settings: Settings) -> Term | None:
    """The single ``sum_schools(flag, …)`` term of an indicator whose numerator counts schools
    meeting a yes/no condition (标准化, 省级示范高中, 智慧校园), else None."""
    numerator = getattr(indicator, "numerator", None)
    if numerator is None:
        return None
    terms = numerator.resolve(settings).terms
    if len(terms) != 1 or terms[0].kind != "school_sum":
        return None
    return terms[0]


def school_status(
    values: pd.DataFrame,
    schools: pd.DataFrame,
    assessment: pd.DataFrame,
    definitions: IndicatorSet,
    settings: Settings,
    period: str,
) -> pd.DataFrame:
    """Every school each county's school-level targets count over at ``period``, and whether
    it meets the target's condition yet.

    A school-level target is one whose numerator sums a yes/no school element over the county's
    schools (``sum_schools(std_compliant, stage=小学|初中)``); its schools are those of the
    registry that match the filters. ``meets``: the school reported 1. ``reported``: it reported
    a usable value (False: not filled in, or refused by validation). ``values`` and ``schools``
    are a Dataset's ``values`` and ``org_units.schools``.
    """
    a = assessment[(assessment["period"].astype(str) == period) & (assessment["level"] == "county")]
    frames = []
    v = values[values["period"].astype(str) == period]
    for (task, code), grp in a.groupby(["task_id", "indicator"], sort=False):
        if str(code) not in definitions:
            continue
        term = school_flag_term(definitions[str(code)], settings)
        if term is None:
            continue
        mask = np.ones(len(schools), dtype=bool)
        for col, allowed in term.filters:
            mask &= schools[col].astype(str).isin(allowed).to_numpy()
        counties = set(grp["org_code"].astype(str))
        pool = schools[mask & schools["county_code"].astype(str).isin(counties).to_numpy()]
        got = v[v["element"] == term.element].drop_duplicates("org_code", keep="last")
        reported = pool["code"].astype(str).map(got.set_index("org_code")["value"])
        if pool.empty:
            continue
        frames.append(
            pd.DataFrame(
                {
                    "county_code": pool["county_code"].astype(str),
                    "task_id": str(task),
                    "indicator": str(code),
                    "indicator_name": str(grp["indicator_name"].iloc[0]),
                    "element": term.element,
                    "school_code": pool["code"].astype(str),
                    "school_name": pool["name"].astype(str),
                    "stage": pool["stage"].astype(str),
                    "ownership": pool["ownership"].astype(str),
                    "meets": (reported >= 1).to_numpy(),
                    "reported": reported.notna().to_numpy(),
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=SCHOOL_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(
        ["county_code", "task_id", "indicator", "school_code"], kind="stable"
    ).reset_index(drop=True)


__all__ = ["BEHIND_COLUMNS", "SCHOOL_COLUMNS", "behind_since", "school_flag_term", "school_status"]
