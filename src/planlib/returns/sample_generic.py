"""Sample values for any plan: every data element the hand-tuned generator does not know.

``sample_values.py`` tunes the elements of the bundled 2022 plan by hand; a bureau's plan brings
its own (新增学位数 …). Their values follow rules, not names (:mod:`.sample_sheet`: counts and
amounts scale with a county's size and the element's ``range``, flows grow over the year to
date, stocks drift, flags are 0/1 per school for the stages the indicators name). The plan
steers them (:mod:`.sample_steering`): each targeted indicator lands around each county's
target, most 达标, some 接近, a few 未达标; hand-tuned values that do not suit a target are
steered too. Then the dictionary's rules (part ≤ total) and ranges are enforced, so
``planlib validate`` finds no errors. A plan with change targets (较上年…) also gets last
year's fourth quarter. Each element and target draws from its own seeded generator."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..catalog.definitions import IndicatorSet
from ..catalog.dictionary import Dictionary, Element
from ..plan.model import Plan
from .sample_sheet import Grid, Sheet, enforce_rules, flag_filters, round_free, start_values
from .sample_steering import change_targets, follow_parts, last_year, plan_goals, release, steer
from .sample_values import tuned_targets


def _grid(codes: np.ndarray, known: pd.DataFrame | None, elements: tuple[Element, ...]) -> Grid:
    grid = Grid(np.asarray(codes, dtype=object))
    n = len(codes)
    for e in elements:
        if known is not None and e.code in known:
            grid.values[e.code] = known[e.code].to_numpy(dtype="float64").reshape(4, n).T
        else:
            grid.free.add(e.code)
    return grid


def _frame(
    grid: Grid, known: pd.DataFrame | None, elements: tuple[Element, ...], year: int
) -> pd.DataFrame:
    """Rows quarter by quarter, units in order (as the hand-tuned frames); dictionary order."""
    n = len(grid.codes)
    if known is not None and {"org_code", "period"} <= set(known.columns):
        out = known[["org_code", "period"]].copy()
    else:
        periods = np.repeat([f"{year}Q{q}" for q in range(1, 5)], n)
        out = pd.DataFrame({"org_code": np.tile(grid.codes, 4), "period": periods})
    cols: dict[str, np.ndarray] = {}
    for e in elements:
        if e.code not in grid.free and known is not None:
            cols[e.code] = known[e.code].to_numpy()
        else:
            v = grid.values[e.code].T.ravel()
            cols[e.code] = v if e.kind == "amount" else v.astype("int64")
    out = pd.concat([out, pd.DataFrame(cols, index=out.index)], axis=1)
    return out


def _year_end(grid: Grid, elements: tuple[Element, ...], period: str) -> pd.DataFrame:
    """One row per unit for ``period`` from the grid's fourth column, in dictionary order."""
    cols: dict[str, object] = {"org_code": grid.codes, "period": period}
    for e in elements:
        v = grid.values[e.code][:, 3]
        cols[e.code] = v if e.kind == "amount" else v.astype("int64")
    return pd.DataFrame(cols)


def complete_values(
    plan: Plan,
    indicators: IndicatorSet,
    dictionary: Dictionary,
    schools: pd.DataFrame,
    known: dict[str, pd.DataFrame],
    codes: dict[str, np.ndarray],
    year: int,
    seed: int,
    allocations: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """Frames for the ``county``, ``school`` and ``city`` levels (org_code, period, then exactly
    the dictionary's elements of that level): ``known`` hand-tuned columns as they are where they
    suit the plan, every other element generated and steered by ``plan`` (see the module
    docstring). With a change target the frames start with last year's fourth quarter."""
    county_index = pd.Index(codes["county"])
    registry = schools.reset_index(drop=True)
    counts = registry["county_code"].value_counts().reindex(county_index)
    s = Sheet(
        d=dictionary,
        county=_grid(codes["county"], known.get("county"), dictionary.elements_at("county")),
        school=_grid(
            registry["code"].to_numpy(), known.get("school"), dictionary.elements_at("school")
        ),
        city=_grid(codes["city"], known.get("city"), dictionary.elements_at("city")),
        registry=registry,
        county_of_school=county_index.get_indexer(registry["county_code"]),
        size=np.maximum(np.nan_to_num(counts.to_numpy(dtype="float64")), 1.0),
        seed=seed,
    )
    goals = plan_goals(plan, indicators, s, allocations)
    generated = {level: set(s.grid(level).free) for level in ("county", "school", "city")}
    freed, released = release(s, goals, tuned_targets())
    if s.county.free or s.school.free or s.city.free:
        flags = flag_filters(indicators)
        for level in ("county", "school", "city"):
            for e in dictionary.elements_at(level):
                if e.code in generated[level]:
                    start_values(s, e, flags)
        steer(s, goals, indicators, released)
        follow_parts(s, freed)
        round_free(s)
        enforce_rules(s)
    frames = {
        level: _frame(s.grid(level), known.get(level), dictionary.elements_at(level), year)
        for level in ("county", "school", "city")
    }
    changes = change_targets(plan, indicators)
    if changes:
        prev = last_year(s, changes, indicators)
        for level in ("county", "school", "city"):
            before = _year_end(prev.grid(level), dictionary.elements_at(level), f"{year - 1}Q4")
            frames[level] = pd.concat([before, frames[level]], ignore_index=True)
    return frames
