"""Steering the sample by the plan's targets: free elements solved so each county lands around
its own target (the rate, its allocation, or its share of a total by size), most 达标, some 接近,
a few 未达标 (:func:`_statuses`: 60%, 25%, 15%).

Hand-tuned values (sample_values.py) stay where they suit the plan: a targeted indicator over
hand-tuned elements keeps them when the plan sets the target they were drawn around (the bundled
plan's) or when the city's value already lies near its target (:func:`_fits`); otherwise
:func:`release` frees its numerator's elements and they are steered like any other, their
parts following in proportion. A change target (较上年提高/下降) is met against last year's
fourth quarter, which :func:`last_year` writes so that this year's change shows the same mix."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..catalog.definitions import Indicator, IndicatorSet
from ..catalog.expressions import Linear, Term
from ..catalog.settings import Settings
from ..plan.model import Plan, Target
from .sample_sheet import (
    Grid,
    Sheet,
    default_formulas,
    element_rng,
    enforce_rules,
    evaluate,
    matching_schools,
    round_free,
    scale_parts,
    sum_by_county,
)

_SHARE = np.array([0.25, 0.5, 0.75, 1.0])  # the share of the year gone at each quarter end
FIT_TOLERANCES = 3.0
"""A hand-tuned ratio fits its target when the city's value is within this many tolerances."""
FIT_SHARES = (0.7, 1.3)
"""…a hand-tuned total when the city's year-end value is within these shares of the target."""
_KINDS = ("ratio", "total")  # the kinds steered by formula (not per-school dispersions)


def _points(ind: Indicator, value: float) -> float:
    """A ratio's 接近 tolerance in points (a small share of the target when it has none)."""
    return ind.tolerance or max(0.5, 0.01 * abs(value))


@dataclass(frozen=True)
class Goal:
    """One target as the generator aims at it: the indicator, comparator and each unit's target."""

    indicator: Indicator
    target: Target
    unit_targets: np.ndarray  # per unit of the indicator's level
    weights: np.ndarray  # a stock total's share of the city's increment
    schedule: np.ndarray  # (units × 3) year-to-date shares due by Q1–Q3


def _statuses(rng: np.random.Generator, n: int) -> np.ndarray:
    counts = {"miss": round(0.15 * n) or (1 if n >= 3 else 0)}
    counts["near"] = round(0.25 * n) or (1 if n >= 2 else 0)
    counts["met"] = n - counts["miss"] - counts["near"]
    out = np.array([k for k, c in counts.items() for _ in range(c)], dtype=object)
    return out[rng.permutation(n)] if n else out


def plan_goals(
    plan: Plan, indicators: IndicatorSet, s: Sheet, allocations: pd.DataFrame | None
) -> list[Goal]:
    """The targets the generator steers by, first per indicator (plan-level goals first)."""
    goals: list[Goal] = []
    seen: set[str] = set()
    for g in (*plan.goals, *(g for _, g in plan.targets)):
        code = g.code or indicators.lookup(g.indicator)
        if code is None or code not in indicators or code in seen or g.change:
            continue
        ind = indicators[code]
        seen.add(code)
        codes = s.grid(ind.level).codes
        n = len(codes)
        given = np.full(n, np.nan)
        schedule = np.tile(_SHARE[:3], (n, 1))
        if allocations is not None and len(allocations) and ind.level == "county":
            rows = allocations[allocations["indicator"].astype(str).isin([code, g.indicator])]
            by = (
                rows.assign(county=rows["county"].astype(str))
                .drop_duplicates("county")
                .set_index("county")
            )
            given = by["target"].reindex(codes).to_numpy(dtype="float64")
            for k, q in enumerate(("q1", "q2", "q3")):
                if q in by:
                    due = by[q].reindex(codes).to_numpy(dtype="float64")
                    schedule[:, k] = np.where(np.isfinite(due), due, schedule[:, k])
        open_ = np.isnan(given)
        if ind.kind == "total" and g.scope == "total" and ind.level == "county" and open_.all():
            # no allocation: by size, as init's allocations.csv for a sample city shares it
            weights = s.size + 1.0
            targets = g.value * weights / weights.sum()
        elif ind.kind == "total" and g.scope == "total" and ind.level == "county":
            # unallocated counties: an even share of what is left, as ``assess`` sets it
            rest = max(g.value - float(np.nansum(given)), 0.0) / max(int(open_.sum()), 1)
            targets = np.where(open_, rest, given)
            weights = np.where(open_, 0.0, given)
        else:
            targets = np.where(open_, g.value, given)
            weights = np.ones(n)
        goals.append(Goal(ind, g, targets, weights, schedule))
    return goals


def _aim(
    rng: np.random.Generator, goal: Goal, target: np.ndarray, slack: float, band: float
) -> np.ndarray:
    """A year-end value per unit around ``target``: met, near or missed as drawn."""
    ind, cmp = goal.indicator, goal.target.comparator
    n = len(target)
    status = _statuses(rng, n)
    if ind.kind == "ratio":
        tol = np.full(n, _points(ind, goal.target.value))
    else:
        tol = np.abs(target) * (ind.tolerance if ind.tolerance > 0 else 0.03)
    met = rng.uniform(0.2, 1.2, n) * tol
    near = -rng.uniform(0.3, 0.8, n) * tol
    miss = -rng.uniform(1.5, 3.0, n) * tol * (slack if goal.target.aspirational else 1.0)
    if cmp in ("~", "=="):
        width = band * np.abs(target) if cmp == "~" else 0.0
        sign = np.where(rng.random(n) < 0.5, -1.0, 1.0)
        met = rng.uniform(-0.5, 0.5, n) * width
        near, miss = sign * (width - near), sign * (width - miss)
        good = 1.0
    else:
        good = -1.0 if cmp == "<=" else 1.0
    offset = np.select([status == "met", status == "near"], [met, near], miss)
    value = target + good * offset
    if ind.kind == "ratio" and ind.unit == "%" and not ind.gross:
        value = np.minimum(value, 100.0)
    return np.maximum(value, 0.0)


def _quarters(rng: np.random.Generator, goal: Goal, year_end: np.ndarray) -> np.ndarray:
    """The indicator's value per unit and quarter that ends the year at ``year_end``."""
    ind, n = goal.indicator, len(year_end)
    if ind.temporal == "flow" and ind.kind == "total":
        shares = np.column_stack([goal.schedule * rng.uniform(0.99, 1.01, (n, 3)), np.ones(n)])
        return year_end[:, None] * shares
    if ind.kind == "ratio":
        tol, good = ind.tolerance or 0.5, -1.0 if goal.target.comparator == "<=" else 1.0
        back = (3 - np.arange(4))[None, :] * rng.uniform(0.1, 0.3, n)[:, None] * tol
        cap = 100.0 if ind.unit == "%" and not ind.gross else np.inf
        return np.clip(year_end[:, None] - good * back, 0.0, cap)
    return year_end[:, None] * (1 + (np.arange(4)[None, :] - 3) * 0.02)


def _stock_total(rng: np.random.Generator, goal: Goal, slack: float, band: float) -> np.ndarray:
    """A county stock total: a baseline at Q1, then the county's share of the city's increment
    (as ``assess`` sets stock targets), reached, nearly reached or missed by year end."""
    t = goal.unit_targets
    base = t * rng.uniform(0.85, 0.95, len(t))
    w = goal.weights / goal.weights.sum() if goal.weights.sum() > 0 else np.ones(len(t)) / len(t)
    own = base + max(goal.target.value - base.sum(), 0.0) * w
    end = np.maximum(_aim(rng, goal, own, slack, band), base)
    return base[:, None] + (end - base)[:, None] * (np.arange(4)[None, :] / 3)


def _solve(s: Sheet, ind: Indicator, wanted: np.ndarray, level: str) -> bool:
    """Set the indicator's free elements so that it takes ``wanted`` (units × 4); False when it
    has none to set."""
    num, den = default_formulas(ind)
    need = wanted / ind.factor * (evaluate(s, den, level) if den is not None else 1.0)
    if _assign(s, num, need, level):
        for t in den.terms if den is not None else ():
            s.grid(level).fixed.add(t.element)  # what the numerator was solved against
        return True
    if den is None:
        return False
    with np.errstate(divide="ignore", invalid="ignore"):
        need_den = evaluate(s, num, level) * ind.factor / wanted
    return _assign(s, den, np.where(np.isfinite(need_den), need_den, np.nan), level)


def _open(s: Sheet, term: Term, level: str) -> set[str]:
    return (g := s.grid(level) if term.kind == "unit" else s.school).free - g.fixed


def _assign(s: Sheet, lin: Linear, need: np.ndarray, level: str) -> bool:
    free = [  # terms with a free element not yet solved for another target
        (t, c)
        for t, c in lin.coefficients
        if t.kind != "school_count" and c > 0 and t.element in _open(s, t, level)
    ]
    units = [(t, c) for t, c in free if t.kind == "unit"]
    chosen = units or free[:1]
    if not chosen or not np.isfinite(need).any():
        return False
    rest = evaluate(
        s, Linear(tuple(x for x in lin.coefficients if x not in chosen), lin.constant), level
    )
    left = np.maximum(need - rest, 0.0)
    if units:
        grid = s.grid(level)
        base = [np.maximum(grid.values[t.element], 1e-9) for t, _ in units]
        total = sum(c * b for (_, c), b in zip(units, base, strict=True))
        for (t, _), b in zip(units, base, strict=True):
            grid.values[t.element] = np.where(
                np.isfinite(left), b * left / total, grid.values[t.element]
            )
            grid.fixed.add(t.element)
        return True
    term, coef = chosen[0]
    if level != "county":
        return False
    _set_schools(s, term, left / coef)
    s.school.fixed.add(term.element)
    return True


def _set_schools(s: Sheet, term: Term, per_county: np.ndarray) -> None:
    """Spread a per-county (× 4) sum over the county's matching schools: flags on the first
    schools of a fixed random order, counts in proportion to their plausible values."""
    e = s.d[term.element]
    vals = s.school.values[term.element]
    mask = matching_schools(s.registry, term.filters)
    county = s.county_of_school
    if e.kind == "flag":
        rank = pd.Series(element_rng(s.seed, "rank:" + e.code).random(len(county))).where(mask)
        order = rank.groupby(county).rank(method="first").to_numpy() - 1  # 0,1,… within county
        k = np.round(np.nan_to_num(per_county))[np.maximum(county, 0)]
        s.school.values[e.code] = np.where(mask[:, None] & (order[:, None] < k), 1.0, 0.0)
        return
    current = sum_by_county(s, np.where(mask[:, None], vals, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(current > 0, per_county / current, 1.0)[np.maximum(county, 0)]
    s.school.values[e.code] = np.where(mask[:, None] & np.isfinite(scale), vals * scale, vals)


def steer(s: Sheet, goals: list[Goal], indicators: IndicatorSet, first: set[str]) -> None:
    """Solve the free elements of every targeted indicator (those in ``first`` first: their
    elements were released from hand-tuned values for them), then give untargeted ratios over
    free elements a plausible value (a share of 70–95%, or 3–15% when lower is better)."""
    judge = Settings().judgement(indicators)
    slack, band = max(judge.aspirational_slack, 1.0), judge.approximate_band
    targeted = set()
    for goal in sorted(goals, key=lambda g: g.indicator.code not in first):
        ind = goal.indicator
        targeted.add(ind.code)
        rng = element_rng(s.seed, "goal:" + ind.code)
        stock_total = ind.kind == "total" and ind.temporal == "stock" and ind.level == "county"
        if stock_total and goal.target.scope == "total":
            wanted = _stock_total(rng, goal, slack, band)
        else:
            wanted = _quarters(rng, goal, _aim(rng, goal, goal.unit_targets, slack, band))
        _solve(s, ind, wanted, ind.level)
    for ind in indicators:
        if ind.code in targeted or ind.kind != "ratio" or ind.unit != "%":
            continue
        rng, n = element_rng(s.seed, "ratio:" + ind.code), len(s.grid(ind.level).codes)
        low, high = (3, 15) if ind.direction == "lower" else (90, 102) if ind.gross else (70, 95)
        drift = 1 + (np.arange(4)[None, :] - 3) * 0.004
        _solve(s, ind, rng.uniform(low, high, n)[:, None] * drift, ind.level)


# --- hand-tuned values that do not suit the plan -----------------------------------------------


def _grid_of(s: Sheet, term: Term, level: str) -> tuple[str, Grid]:
    """Where a term's element lives: the indicator's level, or the schools for a school sum."""
    return (level, s.grid(level)) if term.kind == "unit" else ("school", s.school)


def _value(s: Sheet, ind: Indicator, level: str) -> np.ndarray:
    """The indicator per unit of ``level`` and quarter, as ``_solve`` aims it."""
    num, den = default_formulas(ind)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (
            ind.factor
            * evaluate(s, num, level)
            / (evaluate(s, den, level) if den is not None else 1.0)
        )


def _fits(s: Sheet, goal: Goal) -> bool:
    """Whether the city's year-end value (the ratio of the counties' sums) lies near the target."""
    ind, target = goal.indicator, goal.target.value
    num, den = default_formulas(ind)
    year_end = evaluate(s, num, ind.level)[:, 3]
    if ind.kind == "total":  # a city total, or each unit's own (scope rate): their mean
        value = ind.factor * (year_end.sum() if goal.target.scope == "total" else year_end.mean())
        low, high = sorted(x * target for x in FIT_SHARES)
        return bool(low <= value <= high)
    total = float(year_end.sum())
    base = float(evaluate(s, den, ind.level)[:, 3].sum()) if den is not None else np.nan
    value = ind.factor * total / base if base else np.nan
    return bool(abs(value - target) <= FIT_TOLERANCES * _points(ind, target))


def release(
    s: Sheet, goals: list[Goal], tuned: frozenset[tuple[str, str, float]]
) -> tuple[dict[tuple[str, str], np.ndarray], set[str]]:
    """Free the numerator's elements of each targeted indicator whose elements are all hand-tuned
    and do not suit its target: neither the target ``tuned`` values were drawn around (indicator,
    comparator, value) nor :func:`_fits`. Returns the freed elements' hand-tuned values by
    (level, element), the starting point the steering scales, and the indicators concerned."""
    freed: dict[tuple[str, str], np.ndarray] = {}
    released: set[str] = set()
    for goal in goals:
        ind, g = goal.indicator, goal.target
        if ind.kind not in _KINDS or ind.level not in ("county", "city"):
            continue
        num, den = default_formulas(ind)
        terms = [t for x in (num, den) if x is not None for t in x.terms if t.element]
        if not terms or any(t.element in _grid_of(s, t, ind.level)[1].free for t in terms):
            continue  # steered already (or nothing to steer)
        if (ind.code, g.comparator, g.value) in tuned or _fits(s, goal):
            continue
        released.add(ind.code)
        for t in num.terms:
            level, grid = _grid_of(s, t, ind.level)
            if t.element and t.element in grid.values:
                freed.setdefault((level, t.element), grid.values[t.element].copy())
                grid.free.add(t.element)
    return freed, released


def follow_parts(s: Sheet, freed: dict[tuple[str, str], np.ndarray]) -> None:
    """Scale the parts of each freed element as the steering scaled it (part ≤ total holds)."""
    for (level, code), before in freed.items():
        if level == "school":
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(before > 0, s.grid(level).values[code] / before, 1.0)
        scale_parts(s, level, code, np.where(np.isfinite(factor), factor, 1.0))


# --- last year's fourth quarter, for change targets ------------------------------------------


def change_targets(plan: Plan, indicators: IndicatorSet) -> list[tuple[Indicator, Target]]:
    """The plan's change targets (较上年…) on indicators the sample can compute, one each."""
    out: dict[str, tuple[Indicator, Target]] = {}
    for g in (*plan.goals, *(g for _, g in plan.targets)):
        code = g.code or indicators.lookup(g.indicator)
        if not g.change or code is None or code not in indicators or code in out:
            continue
        ind = indicators[code]
        if ind.kind in _KINDS and ind.level in ("county", "city"):
            out[code] = (ind, g)
    return list(out.values())


def last_year(s: Sheet, changes: list[tuple[Indicator, Target]], indicators: IndicatorSet) -> Sheet:
    """Last year's fourth quarter, in every column of a sheet like ``s``: this year's year-end
    values a little lower (1–5% a unit: populations, enrolment and spending grow), flags and
    school values as they are; then, for each change target, the indicator's last-year value
    placed so that this year's value is a change that is met, nearly met or missed (as
    :func:`_aim` draws it), its numerator solved for it and its parts following."""
    rng = element_rng(s.seed, "last year")
    grids: dict[str, Grid] = {}
    for level in ("county", "school", "city"):
        grid = s.grid(level)
        shrink = rng.uniform(0.95, 0.99, len(grid.codes))[:, None] if level != "school" else 1.0
        values = {
            code: np.repeat(v[:, 3:], 4, axis=1) * (1.0 if s.d[code].kind == "flag" else shrink)
            for code, v in grid.values.items()
        }
        grids[level] = Grid(grid.codes, values)
    prev = Sheet(
        s.d,
        grids["county"],
        grids["school"],
        grids["city"],
        s.registry,
        s.county_of_school,
        s.size,
        s.seed,
    )
    judge = Settings().judgement(indicators)
    slack, band = max(judge.aspirational_slack, 1.0), judge.approximate_band
    for ind, g in changes:
        level, n = ind.level, len(s.grid(ind.level).codes)
        now = _value(s, ind, level)[:, 3]
        goal = Goal(ind, g, now, np.ones(n), np.tile(_SHARE[:3], (n, 1)))
        rng = element_rng(s.seed, "last year:" + ind.code)
        target = 2 * now - _aim(rng, goal, now, slack, band)  # this year's value, mirrored
        before = _value(prev, ind, level)[:, 3]
        sign = -1.0 if g.comparator == "<=" else 1.0
        then = np.where(np.isfinite(target), target - sign * g.value, before)
        cap = 100.0 if ind.kind == "ratio" and ind.unit == "%" and not ind.gross else np.inf
        num, _ = default_formulas(ind)
        old: dict[tuple[str, str], np.ndarray] = {}
        for t in num.terms:
            where, grid = _grid_of(prev, t, level)
            if t.element and t.element in grid.values and t.element not in grid.fixed:
                old.setdefault((where, t.element), grid.values[t.element].copy())
                grid.free.add(t.element)
        _solve(prev, ind, np.repeat(np.clip(then, 0.0, cap)[:, None], 4, axis=1), level)
        follow_parts(prev, old)
    for level in ("county", "school", "city"):
        grid = prev.grid(level)
        grid.free = set(grid.values)
    round_free(prev)
    enforce_rules(prev)
    return prev
