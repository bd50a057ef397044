"""The schools that can close a county's gap on a school-level target, ranked, as many as it
takes plus a margin; none where the county has no gap.

Two ways a school closes a gap, read from the indicator's formula and the data dictionary:

- **a flag** (``sum_schools(flag, …)``: 标准化, 省级示范高中, 智慧校园): a school not yet meeting
  it that does. Each such school adds one to the numerator, so the gap in schools is 还需. Schools
  under a per-school standard (``school_standards``: 6 of 7 items) are ranked closest to the
  standard first (most items met, then the smallest relative shortfall on the rest); under a
  plain yes/no flag, largest enrolment first (where it weighs most), schools that reported first.
- **enrolment by ownership** (a rate of pupils whose numerator counts some ownerships'
  enrolment, e.g. 普惠 coverage = 公办 + 普惠性民办 ÷ all): a school of the stage with an ownership
  the numerator leaves out (a 民办 kindergarten) whose pupils would count if it changed category
  (became 普惠). Largest enrolment first; as many as it takes for their pupils to cover 还需.

The list holds the schools needed plus a margin of :data:`MARGIN_MIN` or :data:`MARGIN_SHARE` of
them, whichever is more (not every school will make it in the year).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .behind import school_flag_term

if TYPE_CHECKING:
    from ..catalog.definitions import Indicator, IndicatorSet, Settings
    from ..catalog.dictionary import Dictionary
    from .pipeline import Monitoring

MARGIN_MIN = 2
MARGIN_SHARE = 0.2

GAP_COLUMNS: list[str] = [
    "county_code",
    "county_name",
    "task_id",
    "indicator",
    "indicator_name",
    "way",
    "rank",
    "school_code",
    "school_name",
    "stage",
    "ownership",
    "enrolment",
    "items_met",
    "items_total",
    "shortfall",
    "needed",
    "listed",
    "within_needed",
    "covers",
    "still_needed",
    "still_needed_unit",
]
"""Columns of :func:`schools_to_close_gap`. ``way``: 达到标准 (a flag) or 转为 + the ownerships
that count (转为公办, 转为普惠性民办或公办). ``rank`` 1 is the first to work on. ``items_met``/``items_total``
and ``shortfall`` (mean relative shortfall of the unmet items) for a per-school standard.
``needed``: schools it takes; ``listed``: needed plus the margin; ``within_needed``: rank ≤
needed. ``covers``: the pupils (enrolment way) or schools (flag way) the list covers up to this
school."""


def margin(needed: int) -> int:
    """How many schools to list beyond those needed."""
    return max(MARGIN_MIN, math.ceil(MARGIN_SHARE * needed))


def schools_to_close_gap(
    run: Monitoring, period: str | None = None, *, unit: str | None = None
) -> pd.DataFrame:
    """For each county with a gap on a school-level target at ``period`` (default the run's),
    the schools that can close it, ranked, needed plus a margin (:data:`GAP_COLUMNS`).

    ``unit``: one county (code or name). A county without a gap (its exact shortfall 0) gets no
    rows, nor does a target no school can close.
    """
    p = str(period or run.period)
    a = run.assessment
    a = a[(a["period"].astype(str) == p) & (a["level"] == "county")]
    a = a[pd.to_numeric(a["still_needed"], errors="coerce").fillna(0) > 0]
    if unit is not None:
        a = a[a["org_code"].astype(str) == run.dataset.org_units.code(unit)]
    if a.empty:
        return pd.DataFrame(columns=GAP_COLUMNS)
    from ..catalog.dictionary import load_dictionary

    dictionary = run.dataset.dictionary or load_dictionary()
    values = run.dataset.values
    values = values[values["period"].astype(str) == p]
    wide = values.pivot_table(index="org_code", columns="element", values="value", aggfunc="last")
    schools = run.dataset.org_units.schools
    schools = schools.set_index(schools["code"].astype(str).rename(None))
    frames = []
    for r in a.itertuples(index=False):
        if str(r.indicator) not in run.definitions:
            continue
        ind = run.definitions[str(r.indicator)]
        pool = schools[schools["county_code"].astype(str) == str(r.org_code)]
        ranked = _candidates(ind, run.definitions, run.settings, dictionary, pool, wide)
        if ranked is None or ranked.empty:
            continue
        frames.append(_listed(ranked, r))
    if not frames:
        return pd.DataFrame(columns=GAP_COLUMNS)
    return pd.concat(frames, ignore_index=True)[GAP_COLUMNS]


def _candidates(
    ind: Indicator,
    defs: IndicatorSet,
    settings: Settings,
    dictionary: Dictionary,
    pool: pd.DataFrame,
    wide: pd.DataFrame,
) -> pd.DataFrame | None:
    """The county's schools that could close the gap, ranked, with ``way`` and ``weight`` (what
    each adds: 1 school, or its pupils); None when the target is of neither kind."""
    enrolment = wide.reindex(pool.index)["enrolment"] if "enrolment" in wide else None
    pupils = (
        enrolment.to_numpy(dtype="float64") if enrolment is not None else np.full(len(pool), np.nan)
    )
    frame = pool.assign(enrolment=pupils, items_met=np.nan, items_total=np.nan, shortfall=np.nan)
    term = school_flag_term(ind, settings)
    if term is not None:
        return _flag_candidates(frame, term, defs, wide)
    return _ownership_candidates(frame, ind, settings, dictionary)


def _flag_candidates(
    frame: pd.DataFrame, term: object, defs: IndicatorSet, wide: pd.DataFrame
) -> pd.DataFrame:
    """Schools matching the flag's filters that do not meet it yet, closest to it first."""
    mask = np.ones(len(frame), dtype=bool)
    for col, allowed in getattr(term, "filters", ()):
        mask &= frame[col].astype(str).isin(allowed).to_numpy()
    element = str(getattr(term, "element", ""))
    flag = wide.reindex(frame.index)[element] if element in wide else pd.Series(np.nan, frame.index)
    frame = frame[mask & ~(flag.to_numpy(dtype="float64") >= 1)].copy()
    standard = next((s for s in defs.standards if s.code == element), None)
    if standard is not None and len(frame):
        cols = {
            e: wide.reindex(frame.index)[e].to_numpy(dtype="float64")
            if e in wide
            else np.full(len(frame), np.nan)
            for e in standard.elements
        }
        values = np.column_stack([item.value(cols) for item in standard.items])
        minimum = np.array([item.minimum for item in standard.items])
        short = np.clip((minimum - values) / minimum, 0, None)
        frame["items_met"] = (values >= minimum * (1 - 1e-9)).sum(axis=1)
        frame["items_total"] = len(standard.items)
        frame["shortfall"] = np.where(np.isnan(short), 1.0, short).mean(axis=1)
        order = ["items_met", "shortfall", "code"]
        frame = frame.sort_values(order, ascending=[False, True, True], kind="stable")
    else:
        reported = ~np.isnan(flag.reindex(frame.index).to_numpy(dtype="float64"))
        frame = frame.assign(_r=reported, _e=frame["enrolment"].fillna(-1))
        frame = frame.sort_values(["_r", "_e", "code"], ascending=[False, False, True])
    return frame.assign(way="达到标准", weight=1.0)


def _ownership_candidates(
    frame: pd.DataFrame, ind: Indicator, settings: Settings, dictionary: Dictionary
) -> pd.DataFrame | None:
    """Schools of the rate's stage whose ownership its numerator leaves out, largest first."""
    if ind.denominator is None:
        return None
    ownerships = sorted(set(frame["ownership"].astype(str)), key=len, reverse=True)
    stages = set(frame["stage"].astype(str))

    def words(formula: object) -> list[str]:
        out = []
        for t in formula.resolve(settings).terms:  # type: ignore[attr-defined]
            if t.kind == "unit" and t.element in dictionary.codes:
                e = dictionary[t.element]
                out.append(" ".join([e.name, *e.aliases]))
        return out

    counted = set()
    for text in words(ind.numerator):
        named = [o for o in ownerships if o in text]
        counted |= {named[0]} if named else set()  # the longest: 普惠性民办 before 民办
    stage = {s for text in words(ind.denominator) for s in stages if s in text}
    if not counted or not stage:
        return None
    frame = frame[frame["stage"].isin(stage) & ~frame["ownership"].isin(counted)]
    frame = frame[frame["enrolment"].fillna(0) > 0]
    frame = frame.sort_values(["enrolment", "code"], ascending=[False, True], kind="stable")
    target = "或".join(o for o in ownerships if o in counted)  # the longest name first
    return frame.assign(way=f"转为{target}", weight=frame["enrolment"])


def _listed(ranked: pd.DataFrame, r: Any) -> pd.DataFrame:
    """The first schools of ``ranked`` that cover ``r``'s 还需 (ceil), plus the margin."""
    gap = float(r.still_needed)
    covers = ranked["weight"].cumsum().to_numpy(dtype="float64")
    reach = np.flatnonzero(covers >= gap - 1e-9)
    needed = int(reach[0]) + 1 if reach.size else len(ranked)
    listed = min(len(ranked), needed + margin(needed))
    out = ranked.iloc[:listed]
    return pd.DataFrame(
        {
            "county_code": str(r.org_code),
            "county_name": str(r.org_name),
            "task_id": str(r.task_id),
            "indicator": str(r.indicator),
            "indicator_name": str(r.indicator_name),
            "way": out["way"].to_numpy(),
            "rank": np.arange(1, listed + 1),
            "school_code": out["code"].astype(str).to_numpy(),
            "school_name": out["name"].astype(str).to_numpy(),
            "stage": out["stage"].astype(str).to_numpy(),
            "ownership": out["ownership"].astype(str).to_numpy(),
            "enrolment": out["enrolment"].to_numpy(dtype="float64"),
            "items_met": out["items_met"].to_numpy(dtype="float64"),
            "items_total": out["items_total"].to_numpy(dtype="float64"),
            "shortfall": out["shortfall"].to_numpy(dtype="float64"),
            "needed": needed,
            "listed": listed,
            "within_needed": np.arange(1, listed + 1) <= needed,
            "covers": covers[:listed],
            "still_needed": gap,
            "still_needed_unit": str(r.still_needed_unit),
        }
    )


__all__ = ["GAP_COLUMNS", "MARGIN_MIN", "MARGIN_SHARE", "margin", "schools_to_close_gap"]
