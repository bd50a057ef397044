"""``compute_indicators``: every indicator for every org unit and period (definitions: definitions.py).

Every indicator is computed for every org unit at or above the level it exists at, per period,
with its numerator and denominator beside the value. Rolling up the tree sums the terms of the
numerator and denominator over the base units below (counties, or cities for city-only
indicators) and divides at each level: ratio of sums, never an average of rates. Values are per
period as reported: stocks are as at the period, in-year flows are cumulative to it, so nothing
is summed over quarters. A missing element makes the value missing, with the reason. How
rows are coded and terms summed up the tree is in rollup.py; this module holds the arithmetic.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..catalog.definitions import (
    Formula,
    Indicator,
    IndicatorFileError,
    IndicatorSet,
    Settings,
    load_indicators,
)
from ..catalog.expressions import Linear, Term
from ..checks import describe
from ..errors import PlanlibError, SettingsError, UsageError
from ..periods import resolve_periods
from ..returns.validation import RowKeys
from .dispersion import derive_school_values, dispersion_rows, mean_rows
from .rollup import Base, Coded, build_base, reason_codes, roll_up, unit_ancestry, unit_frames

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

LEVELS: tuple[str, ...] = ("county", "city")
"""The levels an indicator is computed at, counties first (a city value may sum them)."""

INDICATOR_COLUMNS: list[str] = [
    "org_code",
    "org_name",
    "level",
    "parent_code",
    "period",
    "indicator",
    "indicator_name",
    "value",
    "numerator",
    "denominator",
    "unit",
    "flag",
    "missing_reason",
    "basis",
    "kind",
    "temporal",
    "direction",
]
"""Columns of the indicators frame, in order (the first 13 as in ARCHITECTURE.md)."""

_LEVEL_ORDER = {"country": 0, "province": 1, "city": 2, "county": 3}


def _period_list(values: pd.DataFrame, periods: Any) -> list[str]:
    """The quarters asked for, among those in the values (see :func:`resolve_periods`)."""
    found = values["period"].dropna().astype(str).unique().tolist()
    return resolve_periods(found, periods)


def _element_labels(dictionary: Any = None) -> dict[str, str]:
    """Chinese names of data elements from the data dictionary (empty if it cannot be read)."""
    try:
        from ..catalog.dictionary import load_dictionary

        d = dictionary if dictionary is not None else load_dictionary()
        return {e.code: e.name for e in d.elements}
    except (ImportError, PlanlibError, OSError):
        return {}


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
    values, org_units, keys = _inputs(dataset_or_values, org_units)
    missing_cols = {"org_code", "period", "element", "value"} - set(values.columns)
    if missing_cols:
        raise PlanlibError(f"数据值表缺少列：{'、'.join(sorted(missing_cols))}")
    workspace = getattr(dataset_or_values, "workspace", None)  # a dataset read from a workspace
    if indicators is not None:
        defs = indicators
    else:
        defs = load_indicators(workspace.indicators_path if workspace is not None else None)
    s = Settings.coerce(settings).check_codes(defs)
    units, schools = unit_frames(org_units)
    period_list = _period_list(values, periods)
    labels = _element_labels(getattr(dataset_or_values, "dictionary", None))
    ancestry = unit_ancestry(units)
    info = units.set_index("code")[["name", "level", "parent_code"]]
    coded = Coded.build(values, period_list, schools, keys)

    resolved = [
        (ind, ind.numerator.resolve(s), ind.denominator.resolve(s) if ind.denominator else None)
        for ind in defs
    ]
    by_code = {ind.code: ind for ind in defs}
    derived = derive_school_values(coded, schools, defs, len(period_list))
    labels.update({st.code: st.name for st in getattr(defs, "standards", ())})
    standards = {st.code for st in getattr(defs, "standards", ())}
    pieces: dict[str, pd.DataFrame] = {}
    for level in LEVELS:
        group = [r for r in resolved if r[0].level == level]
        if not group:
            continue
        codes = units.loc[units["level"] == level, "code"].to_numpy(dtype=object)
        # Per indicator: the terms it needs (a mean: those of its dispersion indicators).
        needs = {ind.code: _needed_terms(ind, num, den, by_code) for ind, num, den in group}
        base = build_base(
            coded, schools, codes, period_list, {t for ts in needs.values() for t in ts}, derived
        )
        frame, is_base, rows = _level_frame(base, ancestry, info, codes, needs)
        for ind, num, den in group:
            if ind.kind == "mean":
                continue
            computed = (
                dispersion_rows(frame, is_base, ind, labels)
                if ind.kind == "dispersion"
                else _one_indicator(frame, is_base, ind, num, den, s, labels, standards)
            )
            pieces[ind.code] = _rows_frame(rows, ind, s, computed)
        for ind, _, _ in group:
            if ind.kind == "mean":
                parts = [pieces[c] for c in ind.of]
                computed = mean_rows(parts, [by_code[c].name for c in ind.of])
                pieces[ind.code] = _rows_frame(rows, ind, s, computed)
    if not pieces:
        return pd.DataFrame(columns=INDICATOR_COLUMNS)
    out = pd.concat([pieces[c] for c in defs.codes if c in pieces], ignore_index=True)
    # names sort in division-code order (a pivot by 县名 lists 城关区 before 东湖区, as bulletins do)
    names = units.sort_values("code")["name"].astype(str).drop_duplicates()
    out["org_name"] = pd.Categorical(out["org_name"].astype(str), categories=list(names))
    return out


def _inputs(dataset_or_values: Any, org_units: Any) -> tuple[pd.DataFrame, Any, RowKeys | None]:
    """The values frame, the org units and validation's row keys (None when the values changed
    since validation, or a bare frame was given)."""
    if isinstance(dataset_or_values, pd.DataFrame):
        return dataset_or_values, org_units, None
    values = getattr(dataset_or_values, "values", None)
    if not isinstance(values, pd.DataFrame):
        raise UsageError(
            f"compute_indicators() 需要数据集（load_dataset 的结果）或数据值表，"
            f"而不是{describe(dataset_or_values)}；数据目录请用 planlib.load_dataset(目录) 读入"
        )
    org_units = org_units if org_units is not None else dataset_or_values.org_units
    keys = getattr(dataset_or_values, "keys", None)
    if not isinstance(keys, RowKeys) or len(keys) != len(values):
        keys = None  # values changed since validation: code them afresh
    return values, org_units, keys


def _needed_terms(
    ind: Indicator, num: Linear, den: Linear | None, by_code: Mapping[str, Indicator]
) -> list[Term]:
    """The summable terms an indicator needs under the settings in force."""
    if ind.kind == "mean":
        return list(dict.fromkeys(t for c in ind.of for t in by_code[c].terms))
    if ind.dispersion is not None:
        return list(ind.dispersion.terms)
    return list(dict.fromkeys((*num.terms, *(den.terms if den else ()))))


def _level_frame(
    base: Base,
    ancestry: pd.DataFrame,
    info: pd.DataFrame,
    codes: np.ndarray,
    needs: Mapping[str, list[Term]],
) -> tuple[pd.DataFrame, np.ndarray, dict[str, np.ndarray]]:
    """The terms of one level at its base units and summed into every unit above, in one row
    order for all its indicators (period, level top first, code); which rows are base units;
    the identifying columns of those rows."""
    # Per indicator: is any needed term missing at the base unit? Rolled up as a count.
    any_missing = pd.DataFrame(
        {
            f"__miss:{c}": base.terms[[t.key for t in ts]].isna().any(axis=1).astype("float64")
            for c, ts in needs.items()
        },
        index=base.terms.index,
    )
    partial = pd.DataFrame(
        {
            f"__partial:{k}": (base.reported_counts[k] < base.registry_counts[k]).astype("float64")
            for k in base.reported_counts.columns
        },
        index=base.terms.index,
    )
    base_all = pd.concat([base.terms, any_missing, partial], axis=1)
    above = ancestry[ancestry["code"].isin(codes)]
    rolled = roll_up(base_all, above)
    base_all["__n_units"] = 1.0
    frame = pd.concat([base_all, rolled])
    is_base = np.r_[np.ones(len(base_all), bool), np.zeros(len(rolled), bool)]
    org = np.asarray(frame.index.get_level_values("org_code"), dtype=object)
    meta = info.reindex(org)
    period = np.asarray(frame.index.get_level_values("period"), dtype=object)
    rank = meta["level"].map(_LEVEL_ORDER).fillna(9).to_numpy()
    order = np.lexsort((org.astype(str), rank, period.astype(str)))
    rows = {
        "org_code": org[order],
        "org_name": meta["name"].to_numpy(dtype=object)[order],
        "level": meta["level"].to_numpy(dtype=object)[order],
        "parent_code": meta["parent_code"].to_numpy(dtype=object)[order],
        "period": period[order],
    }
    return frame.iloc[order], is_base[order], rows


def _rows_frame(
    rows: Mapping[str, np.ndarray], ind: Indicator, s: Settings, computed: Mapping[str, Any]
) -> pd.DataFrame:
    """One indicator's rows: identifying columns, what was computed, and its description."""
    return pd.DataFrame(
        {
            **rows,
            "indicator": ind.code,
            "indicator_name": ind.name,
            "value": np.asarray(computed["value"]).astype("float64"),
            "numerator": np.asarray(computed["numerator"]).astype("float64"),
            "denominator": np.asarray(computed["denominator"]).astype("float64"),
            "unit": ind.unit,
            "flag": computed["flag"],
            "missing_reason": computed["missing_reason"],
            "basis": ind.basis_text(s),
            "kind": ind.kind,
            "temporal": ind.temporal,
            "direction": ind.direction,
        }
    )


def _one_indicator(
    frame: pd.DataFrame,
    is_base: np.ndarray,
    ind: Indicator,
    num: Linear,
    den: Linear | None,
    s: Settings,
    labels: Mapping[str, str],
    standards: Collection[str] = (),
) -> dict[str, Any]:
    """One indicator's value, numerator, denominator, flag and missing reason per row of the
    rolled-up term frame. ``standards``: codes of school standards (a school that lacks what
    one needs is counted as not meeting it)."""
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
    reason[is_base] = reason_codes(term_missing[is_base], words, "缺少数据：")
    # A unit's own return counts for unit elements, its school details for school terms.
    flag_col = "__reported" if any(t.kind == "unit" for t in terms) else "__reported_school"
    not_reported = is_base & (frame[flag_col].fillna(0).to_numpy() == 0)
    reason[not_reported & term_missing.any(axis=1)] = "本期未报送数据"
    # Units above: how many base units below lacked an element.
    above = ~is_base
    if above.any():
        n_miss = frame[f"__miss:{ind.code}"].fillna(0).to_numpy()[above].astype("int64")
        n_units = frame["__n_units"].fillna(0).to_numpy()[above].astype("int64")
        which = reason_codes(term_missing[above], words, "")
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
    for term in (t for t in terms if t.kind == "school_sum"):
        col = f"__partial:{term.key}"
        if col not in frame:
            continue
        n_partial = frame[col].fillna(0).to_numpy()
        shown = (n_partial > 0) & ~np.isnan(value)
        derived = term.element in standards
        note = np.where(
            is_base,
            "部分学校缺少达标所需数据（按未达标计）" if derived else "部分学校未报送明细",
            n_partial.astype("int64").astype(str).astype(object)
            + (" 个下级单位有学校缺少达标所需数据" if derived else " 个下级单位有学校未报送明细"),
        )
        flag = np.where(shown, np.where(flag == "", note, flag + "；" + note), flag)

    return {
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "flag": flag,
        "missing_reason": np.where(np.isnan(value), reason, ""),
    }
