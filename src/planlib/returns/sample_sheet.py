"""The working sheet of the sample writer for any plan: every element's values per unit and quarter.

A :class:`Sheet` holds three grids (county, school, city: element → units × 4 quarters) and the
school registry; formulas are evaluated on it as ``compute_indicators`` does (school sums by
county). Here too are the plausible values an element starts from before the plan steers it
(counts and amounts by a county's size and the element's ``range``, flows growing over the
year, stocks drifting, 0/1 flags for the schools the indicators summing them name), and the
dictionary's rules and ranges made to hold at the end (:func:`enforce_rules`), with
:func:`scale_parts` keeping a total's parts in proportion when the total is moved."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..catalog.definitions import Indicator, IndicatorSet
from ..catalog.dictionary import Dictionary, Element
from ..catalog.expressions import Linear, Term
from ..catalog.settings import Settings
from .sample_values import YTD_SHARES

Filters = tuple[tuple[str, tuple[str, ...]], ...]
TYPICAL_SCHOOLS = 250.0
"""A county with this many schools gets about 0.4% of an element's range (3-5岁人口: 12,000)."""


def element_rng(seed: int, name: str) -> np.random.Generator:
    """The generator for one named draw (an element, a goal): the same seed and name give the
    same numbers whatever else is drawn or in which order."""
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


def matching_schools(registry: pd.DataFrame, filters: Filters) -> np.ndarray:
    """Which schools of the registry pass ``filters`` (a filter on a column it lacks is no
    filter)."""
    mask = np.ones(len(registry), dtype=bool)
    for column, allowed in filters:
        if column in registry:
            mask &= registry[column].isin(allowed).to_numpy()
    return mask


def sum_by_county(s: Sheet, school_values: np.ndarray) -> np.ndarray:
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
    mask = matching_schools(s.registry, term.filters)
    if term.kind == "school_sum":
        vals = s.school.values.get(term.element)
        if vals is None:
            return np.full((n, 4), np.nan)
        by_school = np.where(mask[:, None], vals, 0.0)
    else:
        by_school = np.repeat(mask[:, None].astype(float), 4, axis=1)
    if level == "county":
        return sum_by_county(s, by_school)
    return np.repeat(by_school.sum(axis=0)[None, :], n, axis=0)


def evaluate(s: Sheet, lin: Linear, level: str) -> np.ndarray:
    """A formula's value for every unit of ``level`` and quarter, as ``compute_indicators``
    would compute it from the sheet."""
    n = len(s.grid(level).codes)
    out = np.full((n, 4), lin.constant)
    for term, coef in lin.coefficients:
        out = out + coef * _term(s, term, level)
    return out


# --- plausible values before steering ---------------------------------------------------------


def default_formulas(ind: Indicator) -> tuple[Linear, Linear | None]:
    """Numerator and denominator under the default settings."""
    den = ind.denominator.resolve(Settings()) if ind.denominator is not None else None
    return ind.numerator.resolve(Settings()), den


def flag_filters(indicators: IndicatorSet) -> dict[str, Filters]:
    """Which schools may carry each flag: the filters of the first indicator summing it."""
    out: dict[str, Filters] = {}
    for ind in indicators:
        for lin in default_formulas(ind):
            for term in lin.terms if lin is not None else ():
                if term.kind == "school_sum":
                    out.setdefault(term.element, term.filters)
    return out


def _over_year(rng: np.random.Generator, annual: np.ndarray, temporal: str) -> np.ndarray:
    """Quarter values from a year-end value: flows as year-to-date shares, stocks drifting."""
    n = len(annual)
    if temporal == "flow":
        shares = np.column_stack([YTD_SHARES[:3] * rng.uniform(0.95, 1.05, (n, 3)), np.ones(n)])
    else:
        step = rng.uniform(0.003, 0.01, n)[:, None]
        shares = 1 + (np.arange(4)[None, :] - 3) * step
    return annual[:, None] * shares


def start_values(s: Sheet, e: Element, flags: dict[str, Filters]) -> None:
    """Plausible values of ``e`` before any target steers them: counts and amounts by a county's
    size and the element's range, flags for the schools ``flags`` lets carry them."""
    rng, grid = element_rng(s.seed, e.code), s.grid(e.level)
    n = len(grid.codes)
    if e.kind == "flag" and e.level != "school":
        grid.values[e.code] = np.repeat((rng.random(n) < 0.5)[:, None], 4, axis=1) * 1.0
        return
    if e.kind == "flag":
        eligible = matching_schools(s.registry, flags.get(e.code, ()))
        share = rng.uniform(0.2, 0.5, len(s.county.codes))[np.maximum(s.county_of_school, 0)]
        u = rng.random(n)[:, None]
        grow = (
            YTD_SHARES[None, :] if e.temporal == "flow" else 1 + (np.arange(4)[None, :] - 3) * 0.05
        )
        grid.values[e.code] = ((u < share[:, None] * grow) & eligible[:, None]) * 1.0
        return
    spread = e.maximum - e.minimum
    if e.level == "county":
        scale = s.size / TYPICAL_SCHOOLS * rng.uniform(0.8, 1.2, n)
    else:
        scale = rng.uniform(0.5, 1.5, n) if e.level == "school" else rng.uniform(0.8, 1.2, n)
    annual = e.minimum + spread * 0.004 * scale
    grid.values[e.code] = _over_year(rng, annual, e.temporal)


# --- rules, ranges, rounding ---------------------------------------------------------------------


def round_free(s: Sheet) -> None:
    """Clip the free elements to their ranges and round them as a clerk types them (amounts to
    0.1, everything else whole)."""
    for level in ("county", "school", "city"):
        grid = s.grid(level)
        for code in grid.free:
            e = s.d[code]
            v = np.clip(np.nan_to_num(grid.values[code]), e.minimum, e.maximum)
            grid.values[code] = np.round(v, 1) if e.kind == "amount" else np.round(v)


def enforce_rules(s: Sheet) -> None:
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
        lv, rv = evaluate(s, left, level), evaluate(s, right, level)
        bad = (np.abs(lv - rv) > 1e-6) if equal else (lv > rv + 1e-6)
        if not bad.any():
            return
        e = s.d[term.element]
        change = ((rv - lv) if side is left else (lv - rv)) / coef
        if e.kind != "amount":
            change = np.floor(change) if side is left else np.ceil(change)
        new = np.clip(grid.values[term.element] + change, e.minimum, e.maximum)
        grid.values[term.element] = np.where(bad, new, grid.values[term.element])


def _parts(d: Dictionary, code: str) -> list[str]:
    """The elements the dictionary's rules make parts of ``code``: the other side of a rule
    whose one side is ``code`` alone (``a + b == code``, ``a <= code``)."""
    out: list[str] = []
    for rule in d.rules:
        sides = (rule.left, rule.right) if rule.op in ("<=", "<", "==") else (rule.right, rule.left)
        part, whole = sides
        pairs = [(whole, part)] + ([(part, whole)] if rule.op == "==" else [])
        for total, rest in pairs:
            if total.constant or total.coefficients != ((Term("unit", code), 1.0),):
                continue
            out += [t.element for t, c in rest.coefficients if t.kind == "unit" and c > 0]
    return list(dict.fromkeys(x for x in out if x != code))


def scale_parts(s: Sheet, level: str, code: str, factor: np.ndarray) -> None:
    """Scale the parts of ``code`` (and theirs) by ``factor`` (units × 4), as ``code`` was: the
    shares within a total stay and part ≤ total still holds. Parts solved for a target of their
    own stay; hand-tuned parts become free (rounded and written from the sheet)."""
    grid, todo, seen = s.grid(level), [code], {code}
    while todo:
        for part in _parts(s.d, todo.pop()):
            if part in seen or part in grid.fixed or part not in grid.values:
                continue
            seen.add(part)
            grid.values[part] = grid.values[part] * factor
            grid.free.add(part)
            todo.append(part)
