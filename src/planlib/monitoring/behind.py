"""Who is behind, in the terms a reader acts on: which units have missed a target and since
when (the 督办 list), and which schools meet a school-level target and which do not yet.

Both read an assessment frame (and, for schools, the data it was computed from), so a report, a
notebook and a test get the same lists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..periods import Period, parse_period

if TYPE_CHECKING:
    from ..catalog.definitions import IndicatorSet, Settings
    from ..catalog.expressions import Term

BEHIND_COLUMNS: list[str] = [
    "org_code",
    "org_name",
    "parent_code",
    "task_id",
    "indicator",
    "indicator_name",
    "period",
    "status",
    "since",
    "quarters_behind",
    "missing_periods",
    "value_shown",
    "precision",
    "unit",
    "target_text",
    "still_needed",
    "still_needed_unit",
    "met_by_rounding",
    "comparator",
    "kind",
    "projected_status",
]
"""Columns of :func:`behind_since`. ``missing_periods``: the quarters inside the run with no
data (comma-joined period codes, "" if none); ``quarters_behind`` counts the quarters with data."""

BEHIND: tuple[str, ...] = ("未达标", "接近")
"""The statuses a 督办 list carries by default: 接近 is not done either."""

NO_DATA = "无数据"

SCHOOL_COLUMNS: list[str] = [
    "county_code",
    "task_id",
    "indicator",
    "indicator_name",
    "element",
    "school_code",
    "school_name",
    "stage",
    "ownership",
    "meets",
    "reported",
]
"""Columns of :func:`school_status`: one row per school a school-level target counts over."""


def behind_since(
    assessment: pd.DataFrame, period: str, statuses: tuple[str, ...] = BEHIND
) -> pd.DataFrame:
    """Every (unit, target) whose status at ``period`` is one of ``statuses`` (未达标 and 接近 by
    default: both belong on a 督办 list, each with its ``status``), with the first quarter of the
    run of such quarters that ends there (``since``) and how many quarters with data it holds.

    A quarter without data (无数据, or no row) neither starts nor ends a run: a unit that missed
    in Q2, sent nothing in Q3 and missed in Q4 has been behind since Q2, and the row names Q3 in
    ``missing_periods``. A quarter with another status (达标) ends it. Sorted by unit code, then
    task.
    """
    a = assessment
    if a.empty:
        return pd.DataFrame(columns=BEHIND_COLUMNS)
    key = ["org_code", "task_id", "indicator"]
    now = a[(a["period"].astype(str) == period) & a["status"].isin(statuses)]
    if now.empty:
        return pd.DataFrame(columns=BEHIND_COLUMNS)
    wanted = parse_period(period)
    past = a[a.set_index(key).index.isin(now.set_index(key).index)]
    quarter = {str(p): parse_period(str(p)) for p in past["period"].astype(str).unique()}
    same_year = (
        past["period"]
        .astype(str)
        .map(lambda p: quarter[p].year == wanted.year and quarter[p] <= wanted)
    )
    past = past[same_year.to_numpy(dtype=bool)]
    seen = {
        (str(o), str(t), str(i), quarter[str(p)].quarter): str(s)
        for o, t, i, p, s in zip(
            past["org_code"],
            past["task_id"],
            past["indicator"],
            past["period"].astype(str),
            past["status"],
            strict=True,
        )
    }
    keys = list(
        zip(
            now["org_code"].astype(str),
            now["task_id"].astype(str),
            now["indicator"].astype(str),
            strict=True,
        )
    )
    runs = [_run(seen, k, wanted, statuses) for k in keys]
    out = now.assign(
        since=[r[0] for r in runs],
        quarters_behind=[r[1] for r in runs],
        missing_periods=[r[2] for r in runs],
    ).reindex(columns=BEHIND_COLUMNS)
    if "met_by_rounding" not in now:
        out["met_by_rounding"] = False
    return out.sort_values(["org_code", "task_id", "indicator"], kind="stable").reset_index(
        drop=True
    )


def _run(
    seen: dict[tuple[str, str, str, int], str],
    key: tuple[str, str, str],
    wanted: Period,
    statuses: tuple[str, ...],
) -> tuple[str, int, str]:
    """(since, quarters with data in the run, the run's quarters without data) walking back from
    ``wanted``: 无数据 quarters are stepped over, any other status ends the run."""
    since, count, gaps, pending = str(wanted), 0, [], []
    for q in range(wanted.quarter, 0, -1):
        status = seen.get((*key, q), NO_DATA)
        code = f"{wanted.year}Q{q}"
        if status == NO_DATA:
            pending.append(code)
            continue
        if status not in statuses:
            break
        since, count = code, count + 1
        gaps.extend(pending)  # a gap counts once data resumes before it
        pending = []
    return since, count, ",".join(sorted(gaps))


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


__all__ = [
    "BEHIND",
    "BEHIND_COLUMNS",
    "SCHOOL_COLUMNS",
    "behind_since",
    "school_flag_term",
    "school_status",
]
