"""Units left out of a run (``Dataset.without("高新区")``) and what they take off the city's
targets: the rest of the city is judged against the city target less the removed units' part.

The part of a removed county is its figure in the allocation file where the file has one;
otherwise its share of the registry's schools (the only size the folder still holds for it),
said so in ``allocation_method``. Rates are untouched: a rate target holds for any set of
counties. ``assess`` lists the removed units in ``attrs["excluded_units"]``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

EXCLUDED_COLUMNS = ["code", "name", "school_share"]
"""Columns of :func:`removed_units`."""

REDUCED = "全市目标减去排除单位"
"""``target_source`` of a city total judged without some of its counties."""


def removed_units(dataset: Any) -> pd.DataFrame:
    """The counties of the data folder's registry that ``dataset`` no longer holds (left out by
    ``without``), with their share of the registry's schools; empty when none or no registry."""
    from ..returns.orgunits import load_org_units

    empty = pd.DataFrame(columns=EXCLUDED_COLUMNS)
    path = getattr(dataset, "path", None)
    try:
        full = load_org_units(path) if path is not None else None
    except Exception:  # a dataset built in memory, or a folder without its registry
        return empty
    if full is None:
        return empty
    units = full.units
    now = set(dataset.org_units.units["code"].astype(str))
    gone = units[(units["level"] == "county") & ~units["code"].astype(str).isin(now)]
    if gone.empty:
        return empty
    schools = full.schools
    counts = schools.groupby(schools["county_code"].astype(str)).size() if len(schools) else None
    total = float(counts.sum()) if counts is not None else 0.0
    share = [
        float(counts.get(c, 0)) / total if counts is not None and total > 0 else np.nan
        for c in gone["code"].astype(str)
    ]
    return pd.DataFrame(
        {"code": gone["code"].astype(str), "name": gone["name"].astype(str), "school_share": share}
    ).reset_index(drop=True)


def reduce_city_targets(
    rows: pd.DataFrame,
    target: np.ndarray,
    source: np.ndarray,
    method: np.ndarray,
    alloc: pd.DataFrame,
    excluded: pd.DataFrame,
) -> None:
    """The city's additive targets that its counties share less the removed counties' parts
    (in place); a target of the city's own (no county rows: 市级重点专业) is untouched."""
    if excluded.empty:
        return
    shared = rows.loc[rows["level"] == "county", "indicator"].unique()  # counties add up to it
    city = (
        (rows["level"] == "city").to_numpy()
        & rows["indicator"].isin(shared).to_numpy()
        & (rows["scope"] == "total").to_numpy()
        & ~rows["change"].astype(bool).to_numpy()
    )
    if not city.any():
        return
    names = dict(zip(excluded["code"], excluded["name"], strict=True))
    share = dict(zip(excluded["code"], excluded["school_share"], strict=True))
    filed = _filed(alloc, names)
    who = "、".join(names.values())
    for i in np.flatnonzero(city):
        code = str(rows["indicator"].iloc[i])
        full = float(target[i])
        unit = str(rows["target_unit"].iloc[i])
        parts, how = [], []
        for county in names:
            if (county, code) in filed:
                parts.append(filed[(county, code)])
                how.append(f"{names[county]}分解目标{filed[(county, code)]:g}{unit}")
            elif np.isfinite(share[county]):
                parts.append(full * share[county])
                how.append(
                    f"{names[county]}按学校数占比{share[county]:.1%}计{full * share[county]:.4g}{unit}"
                )
        if not parts:
            continue
        target[i] = max(full - sum(parts), 0.0)
        source[i] = REDUCED
        method[i] = (
            f"计划原文目标{full:g}{unit}，排除{who}后减去其部分（{'；'.join(how)}），"
            f"按{target[i]:.4g}{unit}评估其余单位"
        )


def _filed(alloc: pd.DataFrame, names: dict[str, str]) -> dict[tuple[str, str], float]:
    """(county code, indicator) → the file's figure, for the removed counties (by code or name)."""
    if alloc.empty:
        return {}
    by_name = {v: k for k, v in names.items()}
    out = {}
    for county, code, figure in zip(
        alloc["county"], alloc["indicator"], alloc["target"], strict=True
    ):
        c = str(county)
        c = c if c in names else by_name.get(c, "")
        if c:
            out[(c, str(code))] = float(figure)
    return out


__all__ = ["EXCLUDED_COLUMNS", "REDUCED", "reduce_city_targets", "removed_units"]
