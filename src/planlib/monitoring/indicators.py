"""``compute_indicators``: every indicator for every org unit and period (definitions: definitions.py).

Every indicator is computed for every org unit at or above the level it exists at, per period,
with its numerator and denominator beside the value. Rolling up the tree sums the terms of the
numerator and denominator over the base units below (counties, or cities for city-only
indicators) and divides at each level: ratio of sums, never an average of rates. Values are per
period as reported: stocks are as at the period, in-year flows are cumulative to it, so nothing
is summed over quarters. A missing element makes the value missing, with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..catalog.definitions import (
    _LEVELS,
    Formula,
    Indicator,
    IndicatorFileError,
    IndicatorSet,
    Settings,
    SettingsError,
    load_indicators,
)
from ..catalog.expressions import Linear, Term
from ..errors import PlanlibError
from ..periods import parse_period, resolve_periods
from ..returns.validation import RowKeys

__all__ = [
    "INDICATOR_COLUMNS",
    "Formula",
    "Indicator",
    "IndicatorFileError",
    "IndicatorSet",
    "Settings",
    "SettingsError",
    "compute_indicators",
    "load_indicators",
]

# --- computation ------------------------------------------------------------------------------

INDICATOR_COLUMNS: list[str] = [
    "org_code", "org_name", "level", "parent_code", "period", "indicator", "indicator_name",
    "value", "numerator", "denominator", "unit", "flag", "missing_reason",
    "basis", "kind", "temporal", "direction",
]  # fmt: skip
"""Columns of the indicators frame, in order (the first 13 as in ARCHITECTURE.md)."""

_LEVEL_ORDER = {"country": 0, "province": 1, "city": 2, "county": 3}


def _frames(org_units: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
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


def _ancestry(units: pd.DataFrame) -> pd.DataFrame:
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


def _period_list(values: pd.DataFrame, periods: Any) -> list[str]:
    """The quarters asked for, among those in the values (see :func:`resolve_periods`)."""
    found = values["period"].dropna().astype(str).unique().tolist()
    return resolve_periods(found, periods)


def _element_labels() -> dict[str, str]:
    """Chinese names of data elements from the data dictionary (empty if it cannot be read)."""
    try:
        from ..catalog.dictionary import load_dictionary

        return {e.code: e.name for e in load_dictionary().elements}
    except (ImportError, PlanlibError, OSError):
        return {}


@dataclass
class _Base:
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
class _Coded:
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
    ) -> _Coded:
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


def _build_base(
    coded: _Coded,
    schools: pd.DataFrame,
    codes: np.ndarray,
    periods: list[str],
    terms: Iterable[Term],
) -> _Base:
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
        reg_unit = code_index.get_indexer(pd.Index(schools["county_code"]))
        school_elements = {t.element for t in school_terms if t.kind == "school_sum"}
        take = np.flatnonzero(coded.element_mask(school_elements))
        school_row = coded.school_of_org[coded.org_i[take]]
        keep = (school_row >= 0) & (coded.period_i[take] >= 0) & ~np.isnan(coded.value[take])
        take = take[keep]
        s_i = school_row[keep]
        s_unit = reg_unit[s_i]
        keep = s_unit >= 0
        take, s_i, s_unit = take[keep], s_i[keep], s_unit[keep]
        s_ids = s_unit * n_periods + coded.period_i[take]
        s_vals = coded.value[take]
        s_elems = coded.element_i[take]
        # Rows of each school element, found once and shared by the terms that sum it.
        by_element = {
            e: np.flatnonzero(s_elems == element_pos[e])
            for e in school_elements
            if e in element_pos
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

    index = pd.MultiIndex.from_product([codes, periods], names=["org_code", "period"])
    frame = pd.DataFrame(out, index=index)
    frame["__reported"] = reported.astype("float64")
    frame["__reported_school"] = reported_school.astype("float64")
    return _Base(
        codes,
        periods,
        frame,
        pd.DataFrame(registry_counts, index=index),
        pd.DataFrame(reported_counts, index=index),
    )


def _roll_up(base: pd.DataFrame, ancestry: pd.DataFrame) -> pd.DataFrame:
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


def _reason_codes(mask: np.ndarray, labels: list[str], prefix: str) -> np.ndarray:
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


def compute_indicators(
    dataset_or_values: Any,
    org_units: Any = None,
    periods: Any = None,
    settings: Settings | Mapping[str, Any] | None = None,
    indicators: IndicatorSet | None = None,
) -> pd.DataFrame:
    """Every indicator for every org unit and period: one row per (org unit, period, indicator).

    ``dataset_or_values`` is a Dataset or a ValidationResult (``.values``, ``.org_units``, and
    the row keys validation computed, which spare this a pass over the strings) or a values frame
    with ``org_units`` given (anything with ``.units`` and ``.schools`` frames). ``periods`` limits
    the periods (default: all in the values). Columns: :data:`INDICATOR_COLUMNS`.
    """
    keys = None
    if isinstance(dataset_or_values, pd.DataFrame):
        values = dataset_or_values
    else:
        found = getattr(dataset_or_values, "values", None)
        if not isinstance(found, pd.DataFrame):
            raise PlanlibError("compute_indicators 需要数据集或数据值表（values）")
        values = found
        org_units = org_units if org_units is not None else dataset_or_values.org_units
        keys = getattr(dataset_or_values, "keys", None)
        if not isinstance(keys, RowKeys) or len(keys) != len(values):
            keys = None  # values changed since validation: code them afresh
    missing_cols = {"org_code", "period", "element", "value"} - set(values.columns)
    if missing_cols:
        raise PlanlibError(f"数据值表缺少列：{'、'.join(sorted(missing_cols))}")
    defs = indicators if indicators is not None else load_indicators()
    s = Settings.coerce(settings).check_codes(defs)
    units, schools = _frames(org_units)
    period_list = _period_list(values, periods)
    labels = _element_labels()
    ancestry = _ancestry(units)
    info = units.set_index("code")[["name", "level", "parent_code"]]
    coded = _Coded.build(values, period_list, schools, keys)

    resolved = [
        (ind, ind.numerator.resolve(s), ind.denominator.resolve(s) if ind.denominator else None)
        for ind in defs
    ]
    pieces: dict[str, pd.DataFrame] = {}
    for level in _LEVELS:
        group = [r for r in resolved if r[0].level == level]
        if not group:
            continue
        codes = units.loc[units["level"] == level, "code"].to_numpy(dtype=object)
        terms = {t for _, num, den in group for t in (*num.terms, *(den.terms if den else ()))}
        base = _build_base(coded, schools, codes, period_list, terms)
        # Per indicator: is any needed term missing at the base unit? Rolled up as a count.
        needs = {
            ind.code: [t.key for t in (*num.terms, *(den.terms if den else ()))]
            for ind, num, den in group
        }
        any_missing = pd.DataFrame(
            {
                f"__miss:{c}": base.terms[k].isna().any(axis=1).astype("float64")
                for c, k in needs.items()
            },
            index=base.terms.index,
        )
        partial = pd.DataFrame(
            {
                f"__partial:{k}": (base.reported_counts[k] < base.registry_counts[k]).astype(
                    "float64"
                )
                for k in base.reported_counts.columns
            },
            index=base.terms.index,
        )
        base_all = pd.concat([base.terms, any_missing, partial], axis=1)
        above = ancestry[ancestry["code"].isin(codes)]
        rolled = _roll_up(base_all, above)
        base_all["__n_units"] = 1.0
        frame = pd.concat([base_all, rolled])
        is_base = np.r_[np.ones(len(base_all), bool), np.zeros(len(rolled), bool)]
        # One row order for every indicator of this level: period, level (top first), code.
        org = np.asarray(frame.index.get_level_values("org_code"), dtype=object)
        meta = info.reindex(org)
        period = np.asarray(frame.index.get_level_values("period"), dtype=object)
        rank = meta["level"].map(_LEVEL_ORDER).fillna(9).to_numpy()
        order = np.lexsort((org.astype(str), rank, period.astype(str)))
        frame, is_base = frame.iloc[order], is_base[order]
        rows = {
            "org_code": org[order],
            "org_name": meta["name"].to_numpy(dtype=object)[order],
            "level": meta["level"].to_numpy(dtype=object)[order],
            "parent_code": meta["parent_code"].to_numpy(dtype=object)[order],
            "period": period[order],
        }
        for ind, num, den in group:
            pieces[ind.code] = _one_indicator(frame, is_base, ind, num, den, s, labels, rows)
    if not pieces:
        return pd.DataFrame(columns=INDICATOR_COLUMNS)
    return pd.concat([pieces[c] for c in defs.codes if c in pieces], ignore_index=True)


def _one_indicator(
    frame: pd.DataFrame,
    is_base: np.ndarray,
    ind: Indicator,
    num: Linear,
    den: Linear | None,
    s: Settings,
    labels: Mapping[str, str],
    rows: Mapping[str, np.ndarray],
) -> pd.DataFrame:
    """One indicator's rows from the rolled-up term frame (value, reason, flag)."""
    n = len(frame)
    numerator = num.evaluate(frame).to_numpy()
    denominator = den.evaluate(frame).to_numpy() if den is not None else np.full(n, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        if den is not None:
            value = np.where(denominator > 0, ind.factor * numerator / denominator, np.nan)
        else:
            value = ind.factor * numerator
    value = np.where(np.isfinite(value), value, np.nan)

    terms = list(dict.fromkeys((*num.terms, *(den.terms if den else ()))))
    words = [t.describe(labels) for t in terms]
    term_missing = np.column_stack(
        [frame[t.key].isna().to_numpy() for t in terms] or [np.zeros(n, dtype=bool)]
    )[:, : len(terms)]
    reason = np.full(n, "", dtype=object)
    # Base units: name the missing elements, or say nothing was reported at all.
    reason[is_base] = _reason_codes(term_missing[is_base], words, "缺少数据：")
    # A unit's own return counts for unit elements, its school details for school terms.
    flag_col = "__reported" if any(t.kind == "unit" for t in terms) else "__reported_school"
    not_reported = is_base & (frame[flag_col].fillna(0).to_numpy() == 0)
    reason[not_reported & term_missing.any(axis=1)] = "本期未报送数据"
    # Units above: how many base units below lacked an element.
    above = ~is_base
    if above.any():
        n_miss = frame[f"__miss:{ind.code}"].fillna(0).to_numpy()[above].astype("int64")
        n_units = frame["__n_units"].fillna(0).to_numpy()[above].astype("int64")
        which = _reason_codes(term_missing[above], words, "")
        text = n_miss.astype(str).astype(object) + "/" + n_units.astype(str).astype(object)
        text = text + " 个下级单位缺数（" + which + "）"
        reason[above] = np.where(n_miss > 0, text, "")
    if den is not None:
        reason[denominator == 0] = "分母为 0：" + "、".join(t.describe(labels) for t in den.terms)

    flag = np.full(n, "", dtype=object)
    if ind.cap_setting and getattr(s, ind.cap_setting):
        over = value > 100
        flag[over] = (
            "已按100%封顶（原值 " + np.round(value[over], 2).astype(str).astype(object) + "%）"
        )
        value = np.where(over, 100.0, value)
    elif ind.unit == "%" and ind.kind == "ratio":
        flag[value > 100] = "毛入学率超过100%（未封顶）" if ind.gross else "超过100%，请核实数据"
    for key in (t.key for t in terms if t.kind == "school_sum"):
        col = f"__partial:{key}"
        if col not in frame:
            continue
        n_partial = frame[col].fillna(0).to_numpy()
        shown = (n_partial > 0) & ~np.isnan(value)
        note = np.where(
            is_base,
            "部分学校未报送明细",
            n_partial.astype("int64").astype(str).astype(object) + " 个下级单位有学校未报送明细",
        )
        flag = np.where(shown, np.where(flag == "", note, flag + "；" + note), flag)

    return pd.DataFrame(
        {
            **rows,
            "indicator": ind.code,
            "indicator_name": ind.name,
            "value": value.astype("float64"),
            "numerator": numerator.astype("float64"),
            "denominator": denominator.astype("float64"),
            "unit": ind.unit,
            "flag": flag,
            "missing_reason": np.where(np.isnan(value), reason, ""),
            "basis": ind.basis_text(s),
            "kind": ind.kind,
            "temporal": ind.temporal,
            "direction": ind.direction,
        }
    )
