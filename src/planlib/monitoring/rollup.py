"""How rows of returns become the terms of indicators, and how terms roll up the org-unit tree.

``compute_indicators`` (indicators.py) leans on this machinery and holds none of it: the org-unit
frames it needs (``unit_frames``) and the ancestors of each unit (``ancestry``); the values frame coded
once as integer positions (``Coded``, with Arrow hash probes in ``_positions``) so no string is
hashed per term or per level; the terms of one level laid out per base unit and period, unit
elements as reported and school elements summed over the matching schools (``build_base``); and
the sums of those terms into every unit above (``roll_up``), missing if any part is missing. It
is kept apart so the arithmetic of indicators reads on its own, and the vectorised bookkeeping
that makes national data fast can be tuned without touching it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..catalog.expressions import Term
from ..errors import PlanlibError
from ..periods import parse_period
from ..returns.validation import RowKeys


def unit_frames(org_units: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The units and schools frames of an OrgUnits-like object (attributes or a mapping)."""
    if org_units is None:
        raise PlanlibError("计算指标需要组织机构（org_units）：请传入数据集或 org_units")
    if isinstance(org_units, Mapping):
        units, schools = org_units.get("units"), org_units.get("schools")
    else:
        units, schools = getattr(org_units, "units", None), getattr(org_units, "schools", None)
    if not isinstance(units, pd.DataFrame):
        raise PlanlibError("org_units 缺少单位表（units）")
    if schools is None:
        schools = pd.DataFrame(columns=["code", "county_code", "stage", "ownership"])
    units = units.copy()
    for col in ("code", "parent_code"):
        units[col] = units[col].fillna("").astype(str)
    dup = units["code"][units["code"].duplicated()]
    if not dup.empty:
        raise PlanlibError(f"组织机构中单位代码重复：{'、'.join(dup.unique()[:10])}")
    if "level" not in units:
        units["level"] = units["type"].map({"省": "province", "市": "city"}).fillna("county")
    if "name" not in units:
        units["name"] = units["code"]
    schools = schools.copy()
    for col in ("code", "county_code", "stage", "ownership"):
        schools[col] = schools[col].fillna("").astype(str) if col in schools else ""
    return units, schools


def unit_ancestry(units: pd.DataFrame) -> pd.DataFrame:
    """Pairs (code, ancestor_code) for every unit and each unit strictly above it.

    Loops once per tree level (a handful), never per unit.
    """
    parent = units.set_index("code")["parent_code"]
    pairs = []
    current = pd.DataFrame({"code": units["code"], "ancestor_code": units["parent_code"]})
    for _ in range(len(units) + 1):
        current = current[current["ancestor_code"].isin(parent.index)]
        if current.empty:
            break
        pairs.append(current)
        current = current.assign(ancestor_code=current["ancestor_code"].map(parent))
    if not pairs:
        return pd.DataFrame({"code": pd.Series(dtype=str), "ancestor_code": pd.Series(dtype=str)})
    return pd.concat(pairs, ignore_index=True)


@dataclass
class Base:
    """Terms laid out for the base units of one level: rows = unit × period, columns = terms."""

    codes: np.ndarray
    periods: list[str]
    terms: pd.DataFrame  # columns term.key, plus "__reported" (any unit element reported)
    registry_counts: pd.DataFrame  # school_sum term key -> registry count of matching schools
    reported_counts: pd.DataFrame  # school_sum term key -> schools that reported it


def _school_masks(schools: pd.DataFrame, term: Term) -> np.ndarray:
    mask = np.ones(len(schools), dtype=bool)
    for col, allowed in term.filters:
        mask &= schools[col].isin(allowed).to_numpy()
    return mask


@dataclass
class Coded:
    """The values frame as integer codes, computed once: no string work per term or level."""

    value: np.ndarray  # float64
    period_i: np.ndarray  # position in the period list, -1 when not wanted
    element_i: np.ndarray  # position in ``elements``
    elements: list[str]
    org_i: np.ndarray  # position in ``orgs``
    orgs: pd.Index
    school_of_org: np.ndarray  # per entry of ``orgs``: its row in the school registry, or -1

    @classmethod
    def build(
        cls,
        values: pd.DataFrame,
        periods: list[str],
        schools: pd.DataFrame,
        keys: RowKeys | None = None,
    ) -> Coded:
        """Code the rows; ``keys`` (from validation, aligned with ``values``) saves hashing the
        strings again: on national data that is most of the time spent here."""
        wanted = {str(p): i for i, p in enumerate(periods)}
        if keys is not None:

            def spread(positions: list[int], codes: np.ndarray) -> np.ndarray:
                return np.asarray([*positions, -1], dtype="int64")[codes]  # code -1 reads -1

            period_pos = [wanted.get(_canonical_period(p), -1) for p in keys.period_uniques]
            elements = sorted({str(e) for e in keys.element_uniques if isinstance(e, str)})
            where = {e: i for i, e in enumerate(elements)}
            period_i = spread(period_pos, keys.period)
            element_i = spread([where.get(str(e), -1) for e in keys.element_uniques], keys.element)
            org_i, orgs = keys.org, pd.Index(keys.org_uniques)
        else:
            # Periods as written (2022Q1, 2022-Q1 …) mapped to positions in the canonical list.
            raw = [str(p) for p in values["period"].dropna().unique()]
            raw_pos = [wanted.get(_canonical_period(p), -1) for p in raw]
            period_i = _positions(values["period"], raw, np.asarray(raw_pos, dtype="int64"))
            elements = sorted({str(e) for e in values["element"].dropna().unique()})
            element_i = _positions(values["element"], elements, np.arange(len(elements)))
            org_i, o_uniques = pd.factorize(values["org_code"])
            orgs = pd.Index(o_uniques)
        return cls(
            value=values["value"].to_numpy(dtype="float64", na_value=np.nan),
            period_i=period_i,
            element_i=element_i,
            elements=elements,
            org_i=org_i,
            orgs=orgs,
            school_of_org=_positions(orgs, schools["code"], np.arange(len(schools))),
        )

    def element_mask(self, names: Iterable[str]) -> np.ndarray:
        wanted = [i for i, e in enumerate(self.elements) if e in set(names)]
        lookup = np.zeros(len(self.elements) + 1, dtype=bool)
        lookup[wanted] = True
        return lookup[self.element_i]  # position -1 (no element) reads the last entry, False


def _arrow(strings: pd.Series | pd.Index | list[str]) -> pa.Array | pa.ChunkedArray:
    """Strings as Arrow, zero-copy when pandas already holds them in Arrow."""
    if isinstance(strings, list):
        return pa.array(strings, type=pa.string())
    arr = pa.array(strings.array)
    return (
        arr
        if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)
        else (pa.array(np.asarray(strings, dtype=object).astype(str), type=pa.string()))
    )


def _positions(
    column: pd.Series | pd.Index, keys: pd.Series | pd.Index | list[str], targets: np.ndarray
) -> np.ndarray:
    """``targets[i]`` where ``column == keys[i]``, else -1; a hash probe in Arrow, no factorize."""
    values = _arrow(column)
    value_set = _arrow(keys)
    if value_set.type != values.type:
        value_set = value_set.cast(values.type)
    found = pc.index_in(values, value_set=value_set)
    pos = found.fill_null(-1).to_numpy(zero_copy_only=False).astype("int64")
    lookup = np.append(np.asarray(targets, dtype="int64"), -1)
    return lookup[pos]


def _canonical_period(text: Any) -> str:
    try:
        return str(parse_period(str(text)))
    except ValueError:
        return str(text)


def build_base(
    coded: Coded,
    schools: pd.DataFrame,
    codes: np.ndarray,
    periods: list[str],
    terms: Iterable[Term],
    derived: SchoolRows | None = None,
) -> Base:
    """The terms of one level per base unit (``codes``) and period; ``derived`` adds values
    computed per school (a standard met, a dispersion's sums) that ``sum_schools`` may sum."""
    terms = sorted(set(terms))
    n_units, n_periods = len(codes), len(periods)
    size = n_units * n_periods
    code_index = pd.Index(codes)
    out: dict[str, np.ndarray] = {}
    registry_counts: dict[str, np.ndarray] = {}
    reported_counts: dict[str, np.ndarray] = {}
    unit_of_org = code_index.get_indexer(coded.orgs)
    element_pos = {e: i for i, e in enumerate(coded.elements)}

    # Unit-level elements: the unit's own value; the last row wins if a return repeats one.
    unit_elements = sorted({t.element for t in terms if t.kind == "unit"})
    # Narrow to the wanted elements first: every later step touches only those rows.
    take = np.flatnonzero(coded.element_mask(unit_elements))
    unit_i = unit_of_org[coded.org_i[take]]
    keep = (unit_i >= 0) & (coded.period_i[take] >= 0)
    take, unit_i = take[keep], unit_i[keep]
    row_id = unit_i * n_periods + coded.period_i[take]
    vals = coded.value[take]
    elems = coded.element_i[take]
    reported = np.zeros(size, dtype=bool)
    reported_school = np.zeros(size, dtype=bool)
    for element in unit_elements:
        col = np.full(size, np.nan)
        if element in element_pos:
            m = elems == element_pos[element]
            col[row_id[m]] = vals[m]
            reported[row_id[m][~np.isnan(vals[m])]] = True
        out[element] = col

    # School-level elements: summed over the unit's matching schools that reported them.
    school_terms = [t for t in terms if t.kind in ("school_sum", "school_count")]
    if school_terms:
        reported_school = _school_columns(
            coded,
            schools,
            code_index,
            n_periods,
            school_terms,
            derived,
            out,
            registry_counts,
            reported_counts,
        )

    index = pd.MultiIndex.from_product([codes, periods], names=["org_code", "period"])
    frame = pd.DataFrame(out, index=index)
    frame["__reported"] = reported.astype("float64")
    frame["__reported_school"] = reported_school.astype("float64")
    return Base(
        codes,
        periods,
        frame,
        pd.DataFrame(registry_counts, index=index),
        pd.DataFrame(reported_counts, index=index),
    )


@dataclass
class SchoolRows:
    """Values derived per school and period, not read from returns (a standard met, the sums of
    a dispersion): summed by ``sum_schools`` like reported school elements, which a derived
    value of the same name replaces."""

    elements: list[str]
    school_row: np.ndarray  # row in the school registry
    period_i: np.ndarray  # position in the period list
    element_i: np.ndarray  # position in ``elements``
    value: np.ndarray  # float64, never NaN (a school without a value has no row)


def _school_rows(
    coded: Coded, elements: set[str], derived: SchoolRows | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, int]]:
    """(registry row, period, element position, value) of every usable school value of
    ``elements``, reported or derived, and the element positions they use."""
    element_pos = {e: i for i, e in enumerate(coded.elements)}
    take = np.flatnonzero(coded.element_mask(elements))
    school_row = coded.school_of_org[coded.org_i[take]]
    period_i, element_i, value = coded.period_i[take], coded.element_i[take], coded.value[take]
    if derived is not None:
        offset = len(coded.elements)
        for j, name in enumerate(derived.elements):
            element_pos[name] = offset + j  # rows reported under the same name no longer match
        school_row = np.concatenate([school_row, derived.school_row])
        period_i = np.concatenate([period_i, derived.period_i])
        element_i = np.concatenate([element_i, derived.element_i + offset])
        value = np.concatenate([value, derived.value])
    keep = (school_row >= 0) & (period_i >= 0) & ~np.isnan(value)
    return school_row[keep], period_i[keep], element_i[keep], value[keep], element_pos


def _school_columns(
    coded: Coded,
    schools: pd.DataFrame,
    code_index: pd.Index,
    n_periods: int,
    school_terms: list[Term],
    derived: SchoolRows | None,
    out: dict[str, np.ndarray],
    registry_counts: dict[str, np.ndarray],
    reported_counts: dict[str, np.ndarray],
) -> np.ndarray:
    """Fill ``out`` with each school term per unit and period (and the registry and reported
    counts of each sum); per row, whether any school detail was reported."""
    n_units = len(code_index)
    size = n_units * n_periods
    reported_school = np.zeros(size, dtype=bool)
    reg_unit = code_index.get_indexer(pd.Index(schools["county_code"]))
    school_elements = {t.element for t in school_terms if t.kind == "school_sum"}
    s_i, s_period, s_elems, s_vals, element_pos = _school_rows(coded, school_elements, derived)
    s_unit = reg_unit[s_i]
    keep = s_unit >= 0
    s_i, s_period, s_elems, s_vals = s_i[keep], s_period[keep], s_elems[keep], s_vals[keep]
    s_ids = s_unit[keep] * n_periods + s_period
    # Rows of each school element, found once and shared by the terms that sum it.
    by_element = {
        e: np.flatnonzero(s_elems == element_pos[e]) for e in school_elements if e in element_pos
    }
    for term in school_terms:
        reg_mask = _school_masks(schools, term) & (reg_unit >= 0)
        reg_count = np.bincount(reg_unit[reg_mask], minlength=n_units).astype("float64")
        reg_col = np.repeat(reg_count, n_periods)
        if term.kind == "school_count":
            out[term.key] = reg_col
            continue
        rows = by_element.get(term.element, np.zeros(0, dtype="int64"))
        if term.filters:
            rows = rows[reg_mask[s_i[rows]]]
        ids = s_ids[rows]
        total = np.bincount(ids, weights=s_vals[rows], minlength=size)
        count = np.bincount(ids, minlength=size).astype("float64")
        # No matching school in the registry: nothing to report, the sum is 0.
        out[term.key] = np.where((count > 0) | (reg_col == 0), total, np.nan)
        registry_counts[term.key] = reg_col
        reported_counts[term.key] = count
        reported_school |= count > 0
    return reported_school


def reason_codes(mask: np.ndarray, labels: list[str], prefix: str) -> np.ndarray:
    """Per row, ``prefix`` and the labels of the True columns, via bit patterns (no row loop)."""
    out = np.full(mask.shape[0], "", dtype=object)
    if mask.shape[1] == 0 or mask.shape[0] == 0:
        return out
    bits = (mask.astype("int64") << np.arange(mask.shape[1], dtype="int64")).sum(axis=1)
    uniq, inverse = np.unique(bits, return_inverse=True)
    text = np.array(
        [
            prefix + "、".join(lab for j, lab in enumerate(labels) if int(b) >> j & 1) if b else ""
            for b in uniq
        ],
        dtype=object,
    )
    return text[inverse]


def roll_up(base: pd.DataFrame, ancestry: pd.DataFrame) -> pd.DataFrame:
    """Sum every column of ``base`` (unit × period) into each ancestor; NaN if any part is NaN.

    Adds ``__n_units`` (base units below) and ``__n_missing:<col>`` (how many were NaN).
    """
    if base.empty or ancestry.empty:
        return base.iloc[0:0]
    flat = base.reset_index()
    joined = ancestry.merge(flat, left_on="code", right_on="org_code", how="inner")
    cols = [c for c in base.columns]
    keys = [joined["ancestor_code"], joined["period"]]
    sums = joined[cols].groupby(keys, sort=False).sum(min_count=1)
    missing = joined[cols].isna().groupby(keys, sort=False).sum()
    n_units = joined.groupby(keys, sort=False).size()
    sums = sums.where(missing == 0)
    sums.index.names = ["org_code", "period"]
    missing.index.names = ["org_code", "period"]
    extra = missing.add_prefix("__n_missing:")
    extra["__n_units"] = n_units.to_numpy()
    return pd.concat([sums, extra], axis=1)
