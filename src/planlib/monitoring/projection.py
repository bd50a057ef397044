"""Year-end projections: a flow by last year's quarterly pattern where last year's returns are
there, else by 序时进度; a stock or rate by this year's trend.

``projection_basis`` names the method in a word (上年同期进度 / 线性 / 趋势 / 沿用本期值 /
全年实际值); ``projection_method`` says it in a sentence a reader can check.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..catalog.definitions import Settings
from .targets import period_attr

BASES: tuple[str, ...] = ("上年同期进度", "线性", "趋势", "沿用本期值", "全年实际值")
"""The words ``projection_basis`` takes."""


def project(
    rows: pd.DataFrame, history: pd.DataFrame, settings: Settings
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year-end projection per row, its basis in a word and its method in a sentence.

    ``history``: indicator values (org_code, indicator, period, value) of this year and, where
    the data has them, last year (for the flows' quarterly pattern).
    """
    value = rows["value"].to_numpy(dtype="float64")
    quarter = period_attr(rows["period"], "quarter")
    projection = value.copy()
    basis = np.full(len(rows), "全年实际值", dtype=object)
    method = np.full(len(rows), "第四季度为全年实际值", dtype=object)
    not_q4 = quarter < 4
    if settings.projection == "last":
        basis[not_q4] = "沿用本期值"
        method[not_q4] = "沿用本期值"
        return projection, basis, method
    flow = (rows["temporal"] == "flow").to_numpy() & not_q4
    _project_flows(rows, history, flow, projection, basis, method)
    stock = ~(rows["temporal"] == "flow").to_numpy() & not_q4
    if stock.any():
        _project_trend(rows, history, stock, projection, basis, method)
    return projection, basis, method


def last_year_share(rows: pd.DataFrame, history: pd.DataFrame) -> np.ndarray:
    """For each row, the share of last year's annual total its unit had reached by the same
    quarter last year (NaN where last year's quarter or fourth quarter is missing or not
    positive)."""
    year = period_attr(rows["period"], "year")
    quarter = period_attr(rows["period"], "quarter")
    if history.empty:
        return np.full(len(rows), np.nan)
    h = history.drop_duplicates(["org_code", "indicator", "period"]).set_index(
        ["org_code", "indicator", "period"]
    )["value"]
    org, ind = rows["org_code"].to_numpy(), rows["indicator"].to_numpy()
    same = (year - 1).astype(str).astype(object) + "Q" + quarter.astype(str).astype(object)
    q4 = (year - 1).astype(str).astype(object) + "Q4"
    then = h.reindex(pd.MultiIndex.from_arrays([org, ind, same])).to_numpy(dtype="float64")
    whole = h.reindex(pd.MultiIndex.from_arrays([org, ind, q4])).to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = then / whole
    return np.where((whole > 0) & (share > 0) & (share <= 1.5), share, np.nan)


def _project_flows(
    rows: pd.DataFrame,
    history: pd.DataFrame,
    flow: np.ndarray,
    projection: np.ndarray,
    basis: np.ndarray,
    method: np.ndarray,
) -> None:
    """Year to date ÷ last year's share by this quarter, else ÷ 序时进度 (in place)."""
    if not flow.any():
        return
    value = rows["value"].to_numpy(dtype="float64")
    share = period_attr(rows["period"], "quarter") / 4.0
    pattern = last_year_share(rows, history)
    by_pattern = flow & ~np.isnan(pattern)
    linear = flow & ~by_pattern
    projection[linear] = value[linear] / share[linear]
    basis[linear] = "线性"
    pct = pd.Series(share[linear] * 100).round().astype("int64").astype(str).to_numpy(dtype=object)
    method[linear] = "按序时进度线性外推（本年累计 ÷ " + pct + "%）"
    if by_pattern.any():
        projection[by_pattern] = value[by_pattern] / pattern[by_pattern]
        basis[by_pattern] = "上年同期进度"
        words = pd.Series(pattern[by_pattern] * 100).round(1).map("{:g}%".format)
        method[by_pattern] = (
            "按上年同期进度外推（上年同期完成全年的" + words.to_numpy(dtype=object) + "）"
        )


def _project_trend(
    rows: pd.DataFrame,
    history: pd.DataFrame,
    stock: np.ndarray,
    projection: np.ndarray,
    basis: np.ndarray,
    method: np.ndarray,
) -> None:
    """Least-squares trend over this year's quarters up to the row's (in place)."""
    value = rows["value"].to_numpy(dtype="float64")
    quarter = period_attr(rows["period"], "quarter")
    year = period_attr(rows["period"], "year")
    h = history.assign(
        _y=period_attr(history["period"], "year"), _q=period_attr(history["period"], "quarter")
    )
    wide = h.pivot_table(
        index=["org_code", "indicator", "_y"], columns="_q", values="value", aggfunc="first"
    ).reindex(columns=[1, 2, 3, 4])
    key = pd.MultiIndex.from_arrays(
        [rows["org_code"].to_numpy()[stock], rows["indicator"].to_numpy()[stock], year[stock]]
    )
    y = wide.reindex(key).to_numpy(dtype="float64")
    q = quarter[stock]
    x = np.arange(1, 5, dtype="float64")
    valid = ~np.isnan(y) & (x[None, :] <= q[:, None])
    n = valid.sum(axis=1)
    xm = np.where(valid, x, 0).sum(axis=1) / np.maximum(n, 1)
    ym = np.where(valid, np.nan_to_num(y), 0).sum(axis=1) / np.maximum(n, 1)
    dx = np.where(valid, x[None, :] - xm[:, None], 0.0)
    dy = np.where(valid, np.nan_to_num(y) - ym[:, None], 0.0)
    sxx = (dx * dx).sum(axis=1)
    slope = np.where(sxx > 0, (dx * dy).sum(axis=1) / np.where(sxx > 0, sxx, 1), 0.0)
    v = value[stock]
    projection[stock] = np.where(n >= 2, v + slope * (4 - q), v)
    basis[stock] = np.where(n >= 2, "趋势", "沿用本期值")
    method[stock] = np.where(
        n >= 2,
        "按本年已有" + n.astype(str).astype(object) + "个季度的线性趋势外推至第四季度",
        "仅有一个季度，沿用本期值",
    )


__all__ = ["BASES", "last_year_share", "project"]
