"""Tidy Parquet returns: the large-scale input (a province or the nation), one row per value.

Checked with array operations over the few distinct elements and periods, never row by row, so
ten million values load in seconds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..catalog.dictionary import Dictionary
from ..errors import Problem
from .cells import _PERIOD, VALUE_COLUMNS, _problem


def read_tidy_values(path: Path, name: str, d: Dictionary) -> tuple[pd.DataFrame, list[Problem]]:
    """The checked values of a tidy Parquet file (org_code, period, element, value), one row per
    value: the large-scale input, checked in bulk rather than cell by cell."""
    frame = pd.read_parquet(path)
    missing = [c for c in ("org_code", "period", "element", "value") if c not in frame]
    if missing:
        return pd.DataFrame(columns=VALUE_COLUMNS), [
            _problem(
                name, None, "、".join(missing), None, "Parquet 文件缺少列", rule="missing_column"
            )
        ]
    out = frame[["org_code", "period", "element", "value"]]
    wanted = {"org_code": "str", "period": "str", "element": "str", "value": "float64"}
    retype = {c: t for c, t in wanted.items() if out[c].dtype != t}
    if retype:
        out = out.astype(retype)
    problems: list[Problem] = []
    # the per-row work goes through the few distinct elements and periods, not 10M strings
    element = out["element"].astype("category")
    known = element.cat.categories.isin(d.codes)
    if not known.all():
        problems.append(
            _problem(
                name,
                None,
                "element",
                "、".join(element.cat.categories[~known][:5]),
                "数据字典中没有这些数据项，已忽略",
                severity="warning",
                rule="unknown_column",
            )
        )
    period = out["period"].astype("category")
    bad_periods = [p for p in period.cat.categories if not _PERIOD.fullmatch(str(p))]
    for p in bad_periods[:20]:
        problems.append(
            _problem(
                name, None, "period", p, "报告期格式应为 2022Q1 这样的年份加季度", rule="period"
            )
        )
    meta = d.frame().set_index("code")
    codes = element.cat.codes.to_numpy()
    cats = element.cat.categories
    lo = meta["min"].reindex(cats).to_numpy(dtype="float64")[codes]
    hi = meta["max"].reindex(cats).to_numpy(dtype="float64")[codes]
    v = out["value"].to_numpy()
    counts = (meta["kind"].reindex(cats) == "count").to_numpy(dtype=bool)[codes]
    with np.errstate(invalid="ignore"):
        bad = np.isnan(v) | (v < lo) | (v > hi) | (counts & (v % 1 != 0))
    drop = ~known[codes] | period.isin(bad_periods).to_numpy()
    bad &= ~drop
    for idx in np.flatnonzero(bad)[:200].tolist():
        r = out.iloc[idx]
        problems.append(
            _problem(
                name,
                idx + 2,
                r.element,
                r.value,
                "数值缺失、超出允许范围或计数不是整数",
                org_code=r.org_code,
                period=r.period,
                rule="above_range",
            )
        )
    keep = ~(bad | drop)
    rows = np.arange(2, len(out) + 2)
    file = pd.Categorical.from_codes(np.zeros(len(out), dtype="int8"), categories=pd.Index([name]))
    out = out.assign(file=file, row=rows, column=element)
    return (out if keep.all() else out[keep]).reset_index(drop=True)[VALUE_COLUMNS], problems
