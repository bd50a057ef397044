"""Sample values for any plan: every data element the hand-tuned generator does not know.

``sample_values.py`` tunes the elements of the bundled 2022 plan by hand; a bureau's plan brings
its own (新增学位数 …). Their values follow rules, not names: counts and amounts scale with a
county's size (its schools) and the element's ``range``; flows grow over the year to date, stocks
drift; flags are 0/1 per school, only for the stages and ownership the indicators summing them
name. The plan steers them: for each targeted indicator the free elements are solved so each
county lands around its own target (the rate, its allocation, or its share of a total by size),
most 达标, some 接近, a few 未达标 (:func:`_statuses`: 60%, 25%, 15%). Then the dictionary's
rules (part ≤ total) and ranges are enforced, so ``planlib validate`` finds no errors.
Hand-tuned values never change; each element and target draws from its own seeded generator."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..catalog.definitions import Indicator, IndicatorSet
from ..catalog.dictionary import Dictionary, Element
from ..catalog.expressions import Linear, Term
from ..catalog.settings import Settings
from ..plan.model import Plan, Target
from .sample_values import _YTD

Filters = tuple[tuple[str, tuple[str, ...]], ...]
_SHARE = np.array([0.25, 0.5, 0.75, 1.0])  # the share of the year gone at each quarter end
TYPICAL_SCHOOLS = 250.0
"""A county with this many schools gets about 0.4% of an element's range (3-5岁人口: 12,000)."""


def _rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


@dataclass
class Grid:
    """One level's values: element → array (units × 4 quarters); ``free`` ones may be set."""

    codes: np.ndarray
    values: dict[str, np.ndarray] = field(default_factory=dict)
    free: set[str] = field(default_factory=set)
    fixed: set[str] = field(default_factory=set)  # free ones already solved for a target


@dataclass
class Sheet:
    """Everything the generator works on: the three grids and the school registry."""

    d: Dictionary
    county: Grid
    school: Grid
    city: Grid
    registry: pd.DataFrame
    county_of_school: np.ndarray  # each school's row in county.codes (-1: none)
    size: np.ndarray  # schools per county
    seed: int

    def grid(self, level: str) -> Grid:
        return {"county": self.county, "school": self.school, "city": self.city}[level]


def _matches(registry: pd.DataFrame, filters: Filters) -> np.ndarray:
    mask = np.ones(len(registry), dtype=bool)
    for column, allowed in filters:
        if column in registry:
            mask &= registry[column].isin(allowed).to_numpy()
    return mask


def _per_county(s: Sheet, school_values: np.ndarray) -> np.ndarray:
    """Sum a (schools × 4) array by county → (counties × 4)."""
    out = np.zeros((len(s.county.codes), 4))
    ok = s.county_of_school >= 0
    np.add.at(out, s.county_of_school[ok], school_values[ok])
    return out


def _term(s: Sheet, term: Term, level: str) -> np.ndarray:
    """A term's value for every unit of ``level`` and quarter (NaN when it cannot be had)."""
    n = len(s.grid(level).codes)
    if term.kind == "unit":
        return s.grid(level).values.get(term.element, np.full((n, 4), np.nan))
    mask = _matches(s.registry, term.filters)
    if term.kind == "school_sum":
        vals = s.school.values.get(term.element)
        if vals is None:
            return np.full((n, 4), np.nan)
        by_school = np.where(mask[:, None], vals, 0.0)
    else:
        by_school = np.repeat(mask[:, None].astype(float), 4, axis=1)
    if level == "county":
        return _per_county(s, by_school)
    return np.repeat(by_school.sum(axis=0)[None, :], n, axis=0)


def _evaluate(s: Sheet, lin: Linear, level: str) -> np.ndarray:
    n = len(s.grid(level).codes)
    out = np.full((n, 4), lin.constant)
    for term, coef in lin.coefficients:
        out = out + coef * _term(s, term, level)
    return out


# --- plausible values before steering ---------------------------------------------------------


def _formulas(ind: Indicator) -> tuple[Linear, Linear | None]:
    """Numerator and denominator under the default settings."""
    den = ind.denominator.resolve(Settings()) if ind.denominator is not None else None
    return ind.numerator.resolve(Settings()), den


def _flag_filters(indicators: IndicatorSet) -> dict[str, Filters]:
    """Which schools may carry each flag: the filters of the first indicator summing it."""
    out: dict[str, Filters] = {}
    for ind in indicators:
        for lin in _formulas(ind):
            for term in lin.terms if lin is not None else ():
                if term.kind == "school_sum":
                    out.setdefault(term.element, term.filters)
    return out


def _over_year(rng: np.random.Generator, annual: np.ndarray, temporal: str) -> np.ndarray:
    """Quarter values from a year-end value: flows as year-to-date shares, stocks drifting."""
    n = len(annual)
    if temporal == "flow":
        shares = np.column_stack([_YTD[:3] * rng.uniform(0.95, 1.05, (n, 3)), np.ones(n)])
    else:
        step = rng.uniform(0.003, 0.01, n)[:, None]
        shares = 1 + (np.arange(4)[None, :] - 3) * step
    return annual[:, None] * shares


def _base(s: Sheet, e: Element, flags: dict[str, Filters]) -> None:
    rng, grid = _rng(s.seed, e.code), s.grid(e.level)
    n = len(grid.codes)
    if e.kind == "flag" and e.level != "school":
        grid.values[e.code] = np.repeat((rng.random(n) < 0.5)[:, None], 4, axis=1) * 1.0
        return
    if e.kind == "flag":
        eligible = _matches(s.registry, flags.get(e.code, ()))
        share = rng.uniform(0.2, 0.5, len(s.county.codes))[np.maximum(s.county_of_school, 0)]
        u = rng.random(n)[:, None]
        grow = _YTD[None, :] if e.temporal == "flow" else 1 + (np.arange(4)[None, :] - 3) * 0.05
        grid.values[e.code] = ((u < share[:, None] * grow) & eligible[:, None]) * 1.0
        return
    spread = e.maximum - e.minimum
    if e.level == "county":
        scale = s.size / TYPICAL_SCHOOLS * rng.uniform(0.8, 1.2, n)
    else:
        scale = rng.uniform(0.5, 1.5, n) if e.level == "school" else rng.uniform(0.8, 1.2, n)
    annual = e.minimum + spread * 0.004 * scale
    grid.values[e.code] = _over_year(rng, annual, e.temporal)


# --- steering by the plan's targets ------------------------------------------------------------


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


def _goals(
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
        tol = np.full(n, ind.tolerance or max(0.5, 0.01 * abs(goal.target.value)))
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
    num, den = _formulas(ind)
    need = wanted / ind.factor * (_evaluate(s, den, level) if den is not None else 1.0)
    if _assign(s, num, need, level):
        for t in den.terms if den is not None else ():
            s.grid(level).fixed.add(t.element)  # what the numerator was solved against
        return True
    if den is None:
        return False
    with np.errstate(divide="ignore", invalid="ignore"):
        need_den = _evaluate(s, num, level) * ind.factor / wanted
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
    rest = _evaluate(
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
    mask = _matches(s.registry, term.filters)
    county = s.county_of_school
    if e.kind == "flag":
        rank = pd.Series(_rng(s.seed, "rank:" + e.code).random(len(county))).where(mask)
        order = rank.groupby(county).rank(method="first").to_numpy() - 1  # 0,1,… within county
        k = np.round(np.nan_to_num(per_county))[np.maximum(county, 0)]
        s.school.values[e.code] = np.where(mask[:, None] & (order[:, None] < k), 1.0, 0.0)
        return
    current = _per_county(s, np.where(mask[:, None], vals, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(current > 0, per_county / current, 1.0)[np.maximum(county, 0)]
    s.school.values[e.code] = np.where(mask[:, None] & np.isfinite(scale), vals * scale, vals)


def steer(s: Sheet, plan: Plan, indicators: IndicatorSet, allocations: pd.DataFrame | None) -> None:
    """Solve the free elements of every targeted indicator, then give untargeted ratios over
    free elements a plausible value (a share of 70–95%, or 3–15% when lower is better)."""
    judge = Settings().judgement(indicators)
    slack, band = max(judge.aspirational_slack, 1.0), judge.approximate_band
    targeted = set()
    for goal in _goals(plan, indicators, s, allocations):
        ind = goal.indicator
        targeted.add(ind.code)
        rng = _rng(s.seed, "goal:" + ind.code)
        stock_total = ind.kind == "total" and ind.temporal == "stock" and ind.level == "county"
        if stock_total and goal.target.scope == "total":
            wanted = _stock_total(rng, goal, slack, band)
        else:
            wanted = _quarters(rng, goal, _aim(rng, goal, goal.unit_targets, slack, band))
        _solve(s, ind, wanted, ind.level)
    for ind in indicators:
        if ind.code in targeted or ind.kind != "ratio" or ind.unit != "%":
            continue
        rng, n = _rng(s.seed, "ratio:" + ind.code), len(s.grid(ind.level).codes)
        low, high = (3, 15) if ind.direction == "lower" else (90, 102) if ind.gross else (70, 95)
        drift = 1 + (np.arange(4)[None, :] - 3) * 0.004
        _solve(s, ind, rng.uniform(low, high, n)[:, None] * drift, ind.level)


# --- rules, ranges, rounding ---------------------------------------------------------------------


def _round(s: Sheet) -> None:
    for level in ("county", "school", "city"):
        grid = s.grid(level)
        for code in grid.free:
            e = s.d[code]
            v = np.clip(np.nan_to_num(grid.values[code]), e.minimum, e.maximum)
            grid.values[code] = np.round(v, 1) if e.kind == "amount" else np.round(v)


def _enforce_rules(s: Sheet) -> None:
    """Make every rule of the dictionary hold where a free element can give way (twice over, for
    rules that share elements), flooring counts and staying within ranges."""
    for _ in range(2):
        for rule in s.d.rules:
            terms = (*rule.left.terms, *rule.right.terms)
            levels = {s.d[t.element].level for t in terms if t.kind == "unit"}
            if len(levels) != 1 or any(t.kind != "unit" for t in terms):
                continue
            level = levels.pop()
            left, right = rule.left, rule.right
            if rule.op in (">=", ">"):
                left, right = right, left
            _hold(s, left, right, level, rule.op == "==")


def _hold(s: Sheet, left: Linear, right: Linear, level: str, equal: bool) -> None:
    """Give way on the free elements of a violated rule, those no target was solved for first,
    one after another until it holds (a part lowered, or else the total raised)."""
    grid = s.grid(level)
    sides = [(t, c, x) for x in (left, right) for t, c in x.coefficients if c > 0]
    movable = [x for x in sides if x[0].element in grid.free]
    for term, coef, side in sorted(movable, key=lambda x: x[0].element in grid.fixed):
        lv, rv = _evaluate(s, left, level), _evaluate(s, right, level)
        bad = (np.abs(lv - rv) > 1e-6) if equal else (lv > rv + 1e-6)
        if not bad.any():
            return
        e = s.d[term.element]
        change = ((rv - lv) if side is left else (lv - rv)) / coef
        if e.kind != "amount":
            change = np.floor(change) if side is left else np.ceil(change)
        new = np.clip(grid.values[term.element] + change, e.minimum, e.maximum)
        grid.values[term.element] = np.where(bad, new, grid.values[term.element])


# --- the whole: from hand-tuned frames to frames with every element --------------------------


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
    the dictionary's elements of that level): ``known`` hand-tuned columns as they are, every
    other element generated and steered by ``plan`` (see the module docstring)."""
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
    if s.county.free or s.school.free or s.city.free:
        flags = _flag_filters(indicators)
        for level in ("county", "school", "city"):
            for e in dictionary.elements_at(level):
                if e.code in s.grid(level).free:
                    _base(s, e, flags)
        steer(s, plan, indicators, allocations)
        _round(s)
        _enforce_rules(s)
    return {
        level: _frame(s.grid(level), known.get(level), dictionary.elements_at(level), year)
        for level in ("county", "school", "city")
    }
