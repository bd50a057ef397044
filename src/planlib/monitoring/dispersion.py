"""Indicators over per-school values: school standards met, 差异系数 and their mean.

``compute_indicators`` (indicators.py) calls :func:`derive_school_values` once: from the coded
returns it lays out, per school and period, the elements that school standards and dispersion
indicators need, and derives per school a standard's 1/0 and a dispersion's three sums (Pᵢ, Aᵢ,
Aᵢ²/Pᵢ; catalog/standards.py). Those are summed up the org-unit tree like reported school elements
(rollup.py), so a city's 差异系数 is over all its schools, never a mean of county coefficients.
:func:`dispersion_rows` and :func:`mean_rows` turn the rolled-up sums into indicator rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..catalog.definitions import Indicator, IndicatorSet
from ..catalog.standards import Dispersion, SchoolStandard, coefficient
from .rollup import Coded, SchoolRows, reason_codes


def _used_standards(defs: IndicatorSet) -> list[SchoolStandard]:
    """The standards some indicator sums (``sum_schools(<standard code>, …)``)."""
    summed = {t.element for ind in defs for t in ind.terms if t.kind == "school_sum"}
    return [st for st in getattr(defs, "standards", ()) if st.code in summed]


def _school_matrix(
    coded: Coded, elements: Sequence[str], n_periods: int
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Per (school, period) with any of ``elements``: registry row, period and one column per
    element (NaN where not reported; the last row wins if a return repeats one)."""
    element_pos = {e: i for i, e in enumerate(coded.elements)}
    take = np.flatnonzero(coded.element_mask(elements))
    school = coded.school_of_org[coded.org_i[take]]
    period = coded.period_i[take]
    value = coded.value[take]
    keep = (school >= 0) & (period >= 0) & ~np.isnan(value)
    take, school, period, value = take[keep], school[keep], period[keep], value[keep]
    keys, inverse = np.unique(school * n_periods + period, return_inverse=True)
    element_i = coded.element_i[take]
    columns: dict[str, np.ndarray] = {}
    for e in elements:
        col = np.full(len(keys), np.nan)
        if e in element_pos:
            m = element_i == element_pos[e]
            col[inverse[m]] = value[m]
        columns[e] = col
    return keys // n_periods, keys % n_periods, columns


def derive_school_values(
    coded: Coded, schools: pd.DataFrame, defs: IndicatorSet, n_periods: int
) -> SchoolRows | None:
    """Per school and period, the values school standards and dispersion indicators need;
    None when no indicator uses any. A school lacking an element gets no value (a standard: not
    counted as met; a dispersion: left out of all three sums alike)."""
    standards = _used_standards(defs)
    dispersions = list(
        {(d.numerator, d.denominator): d for ind in defs if (d := ind.dispersion)}.values()
    )
    if not standards and not dispersions:
        return None
    needed = [e for st in standards for e in st.elements]
    needed += [e for d in dispersions for e in (d.numerator, d.denominator)]
    school, period, columns = _school_matrix(coded, list(dict.fromkeys(needed)), n_periods)
    stage = schools["stage"].to_numpy(dtype=object)[school] if len(school) else school
    names: list[str] = []
    parts: list[np.ndarray] = []
    for st in standards:
        met = st.evaluate(columns)
        names.append(st.code)
        parts.append(np.where(np.isin(stage, st.stages), met, np.nan))
    for d in dispersions:
        for name, values in d.evaluate(columns).items():
            names.append(name)
            parts.append(values)
    n = len(school)
    value = np.concatenate(parts) if parts else np.zeros(0)
    keep = ~np.isnan(value)
    return SchoolRows(
        elements=names,
        school_row=np.tile(school, len(names))[keep],
        period_i=np.tile(period, len(names))[keep],
        element_i=np.repeat(np.arange(len(names), dtype="int64"), n)[keep],
        value=value[keep],
    )


def _note(flag: np.ndarray, shown: np.ndarray, note: np.ndarray) -> np.ndarray:
    return np.where(shown, np.where(flag == "", note, flag + "；" + note), flag)


def dispersion_rows(
    frame: pd.DataFrame,
    is_base: np.ndarray,
    ind: Indicator,
    labels: Mapping[str, str],
) -> dict[str, np.ndarray]:
    """value (the 差异系数), numerator (the weighted standard deviation), denominator (X̄),
    flag and missing_reason of a dispersion indicator over the rolled-up term frame."""
    disp: Dispersion | None = ind.dispersion
    assert disp is not None
    p_term = disp.terms[0]  # the three sums cover the same schools: one partial count will do
    students, total, square = (frame[t.key].to_numpy(dtype="float64") for t in disp.terms)
    value, sd, mean = coefficient(students, total, square, ind.factor)
    n = len(frame)
    missing = np.isnan(students) | np.isnan(total) | np.isnan(square)
    reason = np.full(n, "", dtype=object)
    reason[is_base & missing] = "缺少数据：" + disp.words(labels)
    silent = is_base & (frame["__reported_school"].fillna(0).to_numpy() == 0)
    reason[silent & missing] = "本期未报送数据"
    above = ~is_base
    if above.any():
        n_miss = frame[f"__miss:{ind.code}"].fillna(0).to_numpy()[above].astype("int64")
        n_units = frame["__n_units"].fillna(0).to_numpy()[above].astype("int64")
        text = n_miss.astype(str).astype(object) + "/" + n_units.astype(str).astype(object)
        text = text + f" 个下级单位缺数（{disp.words(labels)}）"
        reason[above] = np.where(n_miss > 0, text, "")
    stage = "".join("/".join(v) for _, v in disp.filters)
    reason[~missing & ~(students > 0)] = f"无{stage}学校在校学生（或学校名录中无{stage}学校）"
    zero = ~missing & (students > 0) & ~(total > 0)
    name = labels.get(disp.numerator, disp.numerator)
    reason[zero] = f"各校{name}合计为 0，差异系数无意义"

    flag = np.full(n, "", dtype=object)
    col = f"__partial:{p_term.key}"
    if col in frame:
        n_partial = frame[col].fillna(0).to_numpy()
        note = np.where(
            is_base,
            "部分学校缺少数据，未计入差异系数",
            n_partial.astype("int64").astype(str).astype(object) + " 个下级单位有学校缺少数据",
        )
        flag = _note(flag, (n_partial > 0) & ~np.isnan(value), note)
    return {
        "value": value,
        "numerator": np.where(np.isnan(value), np.nan, sd),
        "denominator": mean,
        "flag": flag,
        "missing_reason": np.where(np.isnan(value), reason, ""),
    }


def mean_rows(parts: Sequence[pd.DataFrame], names: Sequence[str]) -> dict[str, np.ndarray]:
    """A composite 差异系数: the mean of its dispersion indicators' values, row by row (the
    rows of ``parts`` are in one order). numerator: their sum; denominator: how many."""
    values = np.column_stack([p["value"].to_numpy(dtype="float64") for p in parts])
    missing = np.isnan(values)
    total = values.sum(axis=1)
    value = np.where(missing.any(axis=1), np.nan, total / len(parts))
    reason = reason_codes(missing, list(names), "缺少分项差异系数：")
    flag = np.full(len(values), "", dtype=object)
    for p in parts:
        f = p["flag"].to_numpy(dtype=object)
        flag = np.where((flag == "") & (f != ""), f, flag)
    return {
        "value": value,
        "numerator": np.where(np.isnan(value), np.nan, total),
        "denominator": np.full(len(values), float(len(parts))),
        "flag": np.where(np.isnan(value), "", flag),
        "missing_reason": np.where(np.isnan(value), reason, ""),
    }
