"""Each unit's own target: the city's, a county's share (分解目标), or a stock total's baseline
plus its share of the increment; and how it was set, in a sentence a reader can check.

Rates hold for every unit unless an allocation file gives a county its own. Additive flows are
shared out by the allocation file, a county not in it getting an even share of what is left.
Stock totals (示范高中 30 所) start from what each county has when the year begins and add its
share of the city's increment, so a county that has 5 is never asked for 2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import Problem
from ..periods import parse_period

FROM_FILE = "分解文件"
"""``target_source`` of a target the bureau's allocation file writes down (it is the target)."""
FROM_BASELINE = "按基数推算"
"""``target_source`` of a stock target the file is silent on: what the county has at the start
of the year plus its share of what the file leaves of the city's increment."""
EVEN_SHARE = "按剩余目标平均分配"
"""``target_source`` of a flow target the file is silent on: an even share of what is left."""
CITY_TARGET = "全市目标"


def _county_codes(rows: pd.DataFrame, allocations: pd.DataFrame) -> pd.Series:
    """The allocation file's units as codes: it may name a county by code or by name."""
    names = rows.drop_duplicates("org_code").set_index("org_name")["org_code"]
    known = set(rows["org_code"].unique())
    return pd.Series(
        [c if c in known else names.get(c, c) for c in allocations["county"]],
        index=allocations.index,
    )


def scheduled_shares(rows: pd.DataFrame, allocations: pd.DataFrame) -> np.ndarray:
    """The share of the year's target due by each row's quarter end where the allocation file
    gives a schedule (q1–q3), else NaN (the share of the year gone applies)."""
    out = np.full(len(rows), np.nan)
    columns = [q for q in ("q1", "q2", "q3") if q in allocations]
    if allocations.empty or not columns:
        return out
    plan = allocations.assign(county=_county_codes(rows, allocations)).set_index(
        ["county", "indicator"]
    )[columns]
    plan = plan[~plan.index.duplicated()]
    key = pd.MultiIndex.from_arrays([rows["org_code"], rows["indicator"]])
    found = plan.reindex(key).to_numpy(dtype="float64")
    quarter = period_attr(rows["period"], "quarter")
    for k, q in enumerate(columns):
        at = quarter == int(q[1])
        out[at] = found[at, k]
    return out


def unit_targets(
    rows: pd.DataFrame, allocations: pd.DataFrame, warnings: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The target of every row, where it came from, the allocation file's figure for the row
    (NaN where none) and the file's stated basis (vectorised per level, not per unit).

    ``rows`` holds one row per (org unit, period, target) with the plan value in ``plan_value``.
    """
    target = rows["plan_value"].to_numpy(dtype="float64").copy()
    source = np.full(len(rows), CITY_TARGET, dtype=object)
    basis_of = pd.Series(dtype=object)
    if allocations.empty:
        alloc = pd.Series(dtype="float64")
    else:
        county = _county_codes(rows, allocations)
        known = set(rows["org_code"].unique())
        index = pd.MultiIndex.from_arrays([county, allocations["indicator"]])
        alloc = pd.Series(allocations["target"].to_numpy(), index=index)
        basis_of = pd.Series(
            allocations.get("basis", pd.Series("", index=allocations.index)).fillna("").to_numpy(),
            index=index,
        )
        unknown = sorted(set(county) - known)
        if unknown:
            warnings.append(
                f"分解目标文件中的县市区不在数据中：{'、'.join(unknown[:10])}"
                + ("等" if len(unknown) > 10 else "")
            )
    key = pd.MultiIndex.from_arrays([rows["org_code"], rows["indicator"]])
    given = (
        alloc.reindex(key).to_numpy(dtype="float64") if len(alloc) else np.full(len(rows), np.nan)
    )
    basis = (
        basis_of.reindex(key).fillna("").to_numpy(dtype=object)
        if len(basis_of)
        else np.full(len(rows), "", dtype=object)
    )
    # Rates: the city rate unless allocated.
    has = ~np.isnan(given)
    target = np.where(has, given, target)
    source = np.where(has, FROM_FILE, source)
    county_totals(rows, given, target, source, warnings)
    sum_upwards(rows, target, source)
    return target, source, given, basis


def county_totals(
    rows: pd.DataFrame,
    given: np.ndarray,
    target: np.ndarray,
    source: np.ndarray,
    warnings: list[str],
) -> None:
    """Totals of counties: the file's figure, or an even share of what the file leaves of the
    city's target (in place); warnings when the file's figures do not add up."""
    county_total = ((rows["scope"] == "total") & (rows["level"] == "county")).to_numpy()
    if not county_total.any():
        return
    sub = rows[county_total].assign(_given=given[county_total])
    grp = sub.groupby(["parent_code", "indicator", "period"], sort=False)
    allocated = grp["_given"].transform("sum")
    n_open = grp["_given"].transform("size") - grp["_given"].transform("count")
    rest = np.maximum(sub["plan_value"] - allocated, 0.0) / n_open.where(n_open > 0)
    target[county_total] = np.where(sub["_given"].notna(), sub["_given"], rest)
    source[county_total] = np.where(sub["_given"].notna(), FROM_FILE, EVEN_SHARE)
    first = sub.drop_duplicates(["parent_code", "indicator"]).index
    checks = sub.loc[first].assign(alloc_sum=allocated.loc[first], n_open=n_open.loc[first])
    _sum_warnings(checks, warnings)


def _sum_warnings(checks: pd.DataFrame, warnings: list[str]) -> None:
    """Warnings where the file's county figures do not add up to the city's target."""
    for r in checks.itertuples():
        alloc_sum, plan_value, n_open = float(r.alloc_sum), float(r.plan_value), int(r.n_open)  # type: ignore[arg-type]
        if n_open == 0 and abs(alloc_sum - plan_value) > 1e-6 * max(1.0, plan_value):
            warnings.append(
                f"{r.indicator}：各县市区分解目标之和 {alloc_sum:g} 与全市目标 {plan_value:g} 不一致"
                f"（上级单位 {r.parent_code}）"
            )
        elif n_open > 0 and alloc_sum > plan_value + 1e-6:
            warnings.append(
                f"{r.indicator}：已分解目标之和 {alloc_sum:g} 超过全市目标 {plan_value:g}"
                f"（上级单位 {r.parent_code}），未分解的县市区目标按 0 计"
            )
        elif n_open > 0 and alloc_sum > 0:
            warnings.append(
                f"{r.indicator}：{n_open} 个县市区不在分解目标文件中，按剩余目标平均分配"
                f"（上级单位 {r.parent_code}）"
            )


def sum_upwards(rows: pd.DataFrame, target: np.ndarray, source: np.ndarray) -> None:
    """Totals above the city (province, country …): the sum of the targets of the units below,
    one tree level per pass (a handful of passes, never one per unit), in place."""
    is_total = (rows["scope"] == "total").to_numpy()
    pending = is_total & ~np.isin(rows["level"].to_numpy(), ["city", "county"])
    done = is_total & ~pending
    keys = ["indicator", "period"]
    for _ in range(8):
        if not pending.any():
            break
        below = rows[done].assign(_t=target[done])
        sums = below.groupby(["parent_code", *keys])["_t"].sum(min_count=1)
        k = pd.MultiIndex.from_frame(rows.loc[pending, ["org_code", *keys]])
        found = sums.reindex(k).to_numpy(dtype="float64")
        # A unit is ready once none of its children is still pending.
        waiting = rows.loc[pending, ["parent_code", *keys]].drop_duplicates()
        blocked = pd.MultiIndex.from_frame(waiting).unique()
        ready = ~k.isin(blocked)
        idx = np.flatnonzero(pending)[ready]
        target[idx] = found[ready]
        source[idx] = "下级目标之和"
        pending[idx] = False
        done[idx] = True


def _baselines(rows: pd.DataFrame, indicators: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """What each row's unit had when its year began: last year's fourth quarter if the data has
    it, else the year's earliest quarter in the data; and the period that was (per row)."""
    year = period_attr(rows["period"], "year")
    have = indicators[["org_code", "indicator", "period", "value"]].assign(
        _y=period_attr(indicators["period"], "year"),
        _q=period_attr(indicators["period"], "quarter"),
    )
    last_q4 = have[have["_q"] == 4].assign(_y=lambda f: f["_y"] + 1)
    earliest = have.sort_values("_q", kind="stable").drop_duplicates(
        ["org_code", "indicator", "_y"]
    )
    both = pd.concat([last_q4, earliest], ignore_index=True).dropna(subset=["value"])
    first = both.drop_duplicates(["org_code", "indicator", "_y"]).set_index(
        ["org_code", "indicator", "_y"]
    )
    key = pd.MultiIndex.from_arrays([rows["org_code"], rows["indicator"], year])
    found = first.reindex(key)
    return found["value"].to_numpy(dtype="float64"), found["period"].to_numpy(dtype=object)


def _largest_remainder(total: float, weights: np.ndarray) -> np.ndarray:
    """Whole shares of ``total`` in proportion to ``weights`` that add up to it exactly."""
    w = np.where(np.isfinite(weights) & (weights > 0), weights, 0.0)
    if w.sum() <= 0:
        w = np.ones_like(w)
    exact = total * w / w.sum()
    whole = np.floor(exact + 1e-9)
    left = round(float(total - whole.sum()))
    if left > 0:
        order = np.argsort(-(exact - whole), kind="stable")[:left]
        whole[order] += 1
    return whole


def stock_targets(
    rows: pd.DataFrame,
    indicators: pd.DataFrame,
    target: np.ndarray,
    method: np.ndarray,
    given: np.ndarray,
    lines: dict[tuple[str, str], tuple[str, int]] | None = None,
) -> tuple[np.ndarray, list[Problem]]:
    """County targets of a stock total (示范高中 30 所), ``target`` and ``method`` set in place.

    A figure the allocation file writes down is the county's target as it stands. Where the file
    is silent the target is derived: what the county has at the baseline plus an even share of
    the increment the file leaves (city target − the file's targets − the silent counties'
    baselines), never below what it has. Returns the rows derived so, and a warning for each file
    target below what its county already has (a likely slip in the file, not replaced).
    """
    mask = (
        (rows["scope"] == "total")
        & (rows["kind"] == "total")
        & (rows["temporal"] == "stock")
        & (rows["level"] == "county")
        & ~rows["change"].astype(bool)
    ).to_numpy()
    derived = np.zeros(len(rows), dtype=bool)
    if not mask.any():
        return derived, []
    base, base_period = _baselines(rows, indicators)
    idx = np.flatnonzero(mask)
    sub = rows.iloc[idx]
    groups = sub.groupby(["parent_code", "indicator", "period"], sort=False).indices
    decimals = sub["precision"].to_numpy()
    slips: dict[tuple[str, str], Problem] = {}
    for pos in groups.values():
        at = idx[pos]
        filed = ~np.isnan(given[at])
        for i in at[filed & (given[at] < base[at] - 1e-9)]:
            key = (str(rows["org_code"].iloc[i]), str(rows["indicator"].iloc[i]))
            if key not in slips:
                at_line = (lines or {}).get(key, ("分解目标文件", 0))
                slips[key] = _below_baseline(
                    rows.iloc[i], (given[i], base[i]), base_period[i], at_line
                )
        silent = at[~filed]
        if silent.size == 0:
            continue
        city_target = float(rows["plan_value"].iloc[at[0]])
        left = city_target - float(given[at[filed]].sum()) - float(np.nansum(base[silent]))
        increment = max(left, 0.0)
        if decimals[pos[0]] == 0:
            extra = _largest_remainder(increment, np.ones(silent.size))
        else:
            extra = np.full(silent.size, increment / silent.size)
        unit = str(rows["target_unit"].iloc[at[0]])
        for j, i in enumerate(silent):
            derived[i] = True
            if np.isnan(base[i]):
                target[i] = np.nan
                method[i] = "存量目标：分解文件未列、缺少年初基数，无法推算"
                continue
            target[i] = base[i] + extra[j]
            method[i] = (
                f"分解文件未列，按基数推算：{_period_label(base_period[i])}已有{base[i]:g}{unit}，"
                f"加上全市目标减去已分解目标和各县已有数后平均分得的{extra[j]:g}{unit}，"
                f"合计{target[i]:g}{unit}（不低于已有数）"
            )
    return derived, list(slips.values())


def _below_baseline(
    row: pd.Series, figures: tuple[float, float], period: object, line: tuple[str, int]
) -> Problem:
    """The warning for a file target below what the county already has."""
    unit = str(row["target_unit"])
    figure, base = figures
    return Problem(
        file=line[0] or "分解目标文件",
        row=line[1] or None,
        column="target",
        value=f"{figure:g}",
        message=(
            f"{row['org_name']}的「{row['indicator_name']}」分解目标为{figure:g}{unit}，低于其"
            f"{_period_label(period)}已有的{base:g}{unit}，可能是分解文件填写有误"
            "（仍按文件所写目标评估，请核对）"
        ),
        severity="warning",
        org_code=str(row["org_code"]),
        period=None,
        rule="allocation_below_baseline",
    )


def file_lines(rows: pd.DataFrame, alloc: pd.DataFrame) -> dict[tuple[str, str], tuple[str, int]]:
    """(county code, indicator) → (allocation file, line as a spreadsheet shows it)."""
    if alloc.empty or "row" not in alloc:
        return {}
    files = alloc["file"] if "file" in alloc else pd.Series("", index=alloc.index)
    return {
        (str(c), str(i)): (str(f), int(r))
        for c, i, f, r in zip(
            _county_codes(rows, alloc), alloc["indicator"], files, alloc["row"], strict=True
        )
    }


def allocation_method(rows: pd.DataFrame, source: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """How each row's target was set, in one sentence (the report appendix states it)."""
    level = rows["level"].to_numpy(dtype=object)
    scope = rows["scope"].to_numpy(dtype=object)
    stated = np.where(basis.astype(str) != "", "，" + basis.astype(str), "")
    return np.select(
        [
            level == "city",
            source == "下级目标之和",
            (source == FROM_FILE) & (scope == "total"),
            source == FROM_FILE,
            source == EVEN_SHARE,
            scope == "total",
        ],
        [
            "计划原文目标",
            "下级单位目标之和",
            "全市目标按分解目标文件分到各县市区" + stated,
            "分解目标文件为本县市区单列的目标" + stated,
            "未列入分解目标文件：全市目标减去已分解部分后平均分配",
            "全市总量目标",
        ],
        "各县市区执行全市统一目标",
    ).astype(object)


def _period_label(period: object) -> str:
    try:
        return parse_period(str(period)).label
    except ValueError:
        return "年初"


def period_attr(periods: pd.Series, attr: str) -> np.ndarray:
    """An attribute of each row's period, parsed once per distinct period (not per row)."""
    codes, uniques = pd.factorize(periods)
    table = np.array([getattr(parse_period(str(p)), attr) for p in uniques])
    return table[codes]


__all__ = [
    "allocation_method",
    "period_attr",
    "scheduled_shares",
    "stock_targets",
    "unit_targets",
]
