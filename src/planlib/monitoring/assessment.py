"""Judging indicators against the plan's targets: county targets, status, progress, projection.

The plan's targets are city-wide. Rates hold for every unit unless an allocation file gives a
county its own; additive totals are shared out by ``data/allocations/<year>.csv`` (county,
indicator, target), and a county not in the file gets an even share of what is left. Status is
达标 / 接近 / 未达标 / 无数据, judged by the plan's comparator (so 民办占比 ≤ 5% is judged the
right way round), with 左右 as a band and 力争 given more slack. In-year flows are compared with
序时进度 (share of the year gone), and every value is projected to year end by a stated method.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..checks import expect_frame, expect_type
from ..errors import AllocationFileError, Problem, UsageError
from ..plan.model import COMPARATORS, Plan
from .allocations import allocations_frame
from .indicators import IndicatorSet, Settings, load_indicators
from .targets import (
    allocation_method,
    period_attr,
    scheduled_shares,
    stock_targets,
    unit_targets,
)

STATUSES: tuple[str, ...] = ("达标", "接近", "未达标", "无数据")
PROGRESS: tuple[str, ...] = ("超前", "正常", "滞后")

ASSESSMENT_EXTRA: list[str] = [
    "task_id", "target", "comparator", "aspirational", "approximate", "scope", "gap",
    "share_done", "status", "progress", "expected_share", "projection", "projection_method",
    "lead_units", "responsible_units",
    "plan_indicator", "target_text", "target_source", "tolerance", "projected_status",
    "value_shown", "precision", "judged_against", "expected_value", "allocation_method", "units",
    "still_needed", "still_needed_unit",
]  # fmt: skip
"""Columns ``assess`` adds to the indicators frame (the first 15 as in ARCHITECTURE.md)."""

JUDGED_AGAINST = {"target": "全年目标", "schedule": "序时目标"}
"""What a row's status compares ``value_shown`` with: the target, or before year end for a
year-to-date flow the schedule's value (``expected_value``)."""


def shown(values: np.ndarray, precision: np.ndarray) -> np.ndarray:
    """Values as published: rounded half away from zero to each row's decimals (not banker's).

    The tiny nudge keeps 0.15 → 0.2 although 0.15 is stored as 0.1499999….
    """
    scale = np.power(10.0, precision)
    with np.errstate(invalid="ignore"):
        scaled = np.abs(values) * scale
        return np.sign(values) * np.floor(scaled + 0.5 + 1e-9 * np.maximum(scaled, 1.0)) / scale


# --- assessment -------------------------------------------------------------------------------


def _status(
    value: np.ndarray,
    target: np.ndarray,
    comparator: np.ndarray,
    tolerance: np.ndarray,
    band: np.ndarray,
) -> np.ndarray:
    """达标/接近/未达标/无数据 for each row, by the row's comparator."""
    gap = value - target
    eps = 1e-9 * np.maximum(1.0, np.abs(target))
    with np.errstate(invalid="ignore"):
        met = np.select(
            [comparator == ">=", comparator == "<=", comparator == "~"],
            [gap >= -eps, gap <= eps, np.abs(gap) <= band + eps],
            np.abs(gap) <= eps,
        )
        near = np.select(
            [comparator == ">=", comparator == "<=", comparator == "~"],
            [
                gap >= -tolerance - eps,
                gap <= tolerance + eps,
                np.abs(gap) <= band + tolerance + eps,
            ],
            np.abs(gap) <= tolerance + eps,
        )
    missing = np.isnan(value) | np.isnan(target)
    return np.select([missing, met, near], ["无数据", "达标", "接近"], "未达标").astype(object)


GOALS_TASK = "总体目标"
"""The task id of a plan-level target in an assessment (it belongs to no numbered task)."""


def _whose(task_id: str) -> str:
    return "计划总体目标" if task_id == GOALS_TASK else f"任务 {task_id} "


def _targets(
    indicators: pd.DataFrame, plan: Plan, defs: IndicatorSet
) -> tuple[pd.DataFrame, list[str]]:
    """The plan's targets that have a computed indicator, and warnings about the others.

    Plan-level targets (``plan.goals``, a 主要目标 paragraph) come first, under the task id
    :data:`GOALS_TASK`; their departments are the goal's own ``units``.
    """
    t = plan.targets_frame()
    goals = plan.goals_frame()
    if len(goals):
        goals = goals.assign(
            task_id=GOALS_TASK, task_title=GOALS_TASK, lead_units="",
            responsible_units=goals["units"],
        )  # fmt: skip
        t = pd.concat([goals[t.columns], t], ignore_index=True)
    warnings: list[str] = []
    codes = t["code"].where(t["code"].notna(), t["indicator"].map(defs.lookup))
    t = t.assign(code=codes)
    computed = set(indicators["indicator"].unique())
    for task_id, name, code in zip(t["task_id"], t["indicator"], t["code"], strict=True):
        whose = _whose(task_id)
        if not isinstance(code, str):
            warnings.append(f"{whose}的目标「{name}」未对应任何指标定义，未评估")
        elif code not in computed:
            warnings.append(f"{whose}的目标「{name}」（{code}）没有计算结果")
    t = t[t["code"].notna()].rename(columns={"code": "indicator", "indicator": "plan_indicator"})
    return t, warnings


def _projection(
    rows: pd.DataFrame, history: pd.DataFrame, settings: Settings
) -> tuple[np.ndarray, np.ndarray]:
    """Year-end projection per row and the method in words."""
    value = rows["value"].to_numpy(dtype="float64")
    quarter = period_attr(rows["period"], "quarter")
    year = period_attr(rows["period"], "year")
    share = quarter / 4.0
    is_flow = (rows["temporal"] == "flow").to_numpy()
    projection = value.copy()
    method = np.full(len(rows), "第四季度为全年实际值", dtype=object)
    not_q4 = quarter < 4
    if settings.projection == "last":
        method[not_q4] = "沿用本期值"
        return projection, method
    # Flows: year to date ÷ 序时进度.
    flow = is_flow & not_q4
    projection[flow] = value[flow] / share[flow]
    pct = pd.Series(share[flow] * 100).round().astype("int64").astype(str).to_numpy(dtype=object)
    method[flow] = "按序时进度线性外推（本年累计 ÷ " + pct + "%）"
    # Stocks and rates: least-squares trend over this year's quarters up to the period.
    stock = ~is_flow & not_q4
    if stock.any():
        h = history.assign(
            _y=period_attr(history["period"], "year"),
            _q=period_attr(history["period"], "quarter"),
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
        proj = np.where(n >= 2, v + slope * (4 - q), v)
        projection[stock] = proj
        method[stock] = np.where(
            n >= 2,
            "按本年已有 " + n.astype(str).astype(object) + " 个季度的线性趋势外推至第四季度",
            "仅有一个季度，沿用本期值",
        )
    return projection, method


def _still_needed(
    rows: pd.DataFrame,
    factor: np.ndarray,
    goal: np.ndarray,
    status: np.ndarray,
    value_shown: np.ndarray,
) -> np.ndarray:
    """What it takes to reach ``goal`` in the indicator's own count (还需): more children,
    schools or teachers; for a lower-is-better rate the count to shed. NaN when met or unknown.

    A rate reaches its goal when its value, as published, does: the smallest whole numerator n
    with round(factor × n ÷ d, precision) at the goal (d held as it is). A total needs goal −
    value. A 左右 target has no single count to reach and is left blank.
    """
    precision = rows["precision"].to_numpy(dtype="float64")
    half = 0.5 * np.power(10.0, -precision)
    numerator = rows["numerator"].to_numpy(dtype="float64")
    denominator = rows["denominator"].to_numpy(dtype="float64")
    comparator = rows["comparator"].to_numpy(dtype=object)
    ratio = (rows["kind"] == "ratio").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = denominator / factor
        up = np.ceil((goal - half) * scale - 1e-9) - numerator
        down = numerator - np.floor((goal + half) * scale - 1e-9)
        rate = np.where(comparator == "<=", np.maximum(down, 0), np.maximum(up, 0))
        total = np.where(comparator == "<=", value_shown - goal, goal - value_shown)
    needed = np.where(ratio, rate, np.maximum(total, 0))
    blank = (status == "达标") | (status == "无数据") | (comparator == "~") | np.isnan(goal)
    return np.where(blank, np.nan, needed).astype("float64")


def _target_words(rows: pd.DataFrame, target: np.ndarray) -> np.ndarray:
    """The unit's own target in a reviewer's words (a county's share, not the city total)."""
    out = rows["target_text"].to_numpy(dtype=object).copy()
    own = ~np.isclose(target, rows["plan_value"].to_numpy(dtype="float64"), equal_nan=True)
    idx = np.flatnonzero(own & ~np.isnan(target))
    if idx.size == 0:
        return out
    # Few distinct targets recur over many rows (national runs: ~57k); word each one once.
    # a change target (下降1个百分点) becomes a level in the indicator's unit, its change said
    change = rows["change"].to_numpy(dtype=bool)[idx]
    units = np.where(change, rows["unit"].to_numpy(dtype=object)[idx],
                     rows["target_unit"].to_numpy(dtype=object)[idx])  # fmt: skip
    said = np.where(change, rows["target_text"].to_numpy(dtype=object)[idx], "")
    comparators = rows["comparator"].to_numpy(dtype=object)[idx]
    aspirational = rows["aspirational"].to_numpy(dtype=bool)[idx]
    cache: dict[tuple[float, str, str, bool, str], str] = {}
    for j, i in enumerate(idx.tolist()):
        key = (float(target[i]), str(units[j]), str(comparators[j]), bool(aspirational[j]),
               str(said[j]))  # fmt: skip
        words = cache.get(key)
        if words is None:
            value = f"{key[0]:.4g}{key[1]}"
            words = f"{value}左右" if key[2] == "~" else f"{COMPARATORS[key[2]]}{value}"
            words += f"（较上年{key[4].replace(' ', '')}）" if key[4] else ""
            words += "（力争）" if key[3] else ""
            cache[key] = words
        out[i] = words
    return out


def assess(
    indicators: pd.DataFrame,
    plan: Plan,
    allocations: Any = None,
    settings: Settings | Mapping[str, Any] | None = None,
    definitions: IndicatorSet | None = None,
) -> pd.DataFrame:
    """Judge every computed indicator against the plan's targets.

    One row per (org unit, period, target): the indicator columns plus :data:`ASSESSMENT_EXTRA`.
    ``allocations`` is None (the bundled file for the plan's year), a path, a frame with
    county, indicator, target, or False (no allocations). Warnings (allocations that do not add
    up, targets with no indicator) are in ``result.attrs["warnings"]``.
    """
    expect_frame(
        indicators, "assess", "指标表（compute_indicators 的结果）",
        ("org_code", "period", "indicator", "value"), "indicators",
    )  # fmt: skip
    expect_type(plan, "assess", "计划（planlib.load_plan() 的结果）", "Plan",
                "请用 planlib.load_plan() 读入计划文件")  # fmt: skip
    if {"status", "task_id", "target"} <= set(map(str, indicators.columns)):
        raise UsageError(
            "assess() 需要指标表（compute_indicators 的结果），而这已是评估结果（含 status、target）；"
            "要换一份计划重新评估，请传入 run.indicators"
        )
    defs = definitions if definitions is not None else load_indicators()
    s = Settings.coerce(settings).check_codes(defs)
    targets, warnings = _targets(indicators, plan, defs)
    alloc = allocations_frame(allocations, plan, defs)
    if "units" not in targets:  # a plan model without per-target departments
        targets = targets.assign(units=targets["responsible_units"])
    t = targets[
        [
            "task_id", "indicator", "plan_indicator", "comparator", "value", "unit", "aspirational",
            "approximate", "change", "scope", "target_text", "lead_units", "responsible_units",
            "units",
        ]
    ].rename(columns={"value": "plan_value", "unit": "target_unit"})  # fmt: skip
    rows = indicators.merge(t, on="indicator", how="inner", validate="many_to_many")
    if rows.empty:
        out = rows.reindex(columns=[*indicators.columns, *ASSESSMENT_EXTRA])
        out.attrs["warnings"] = warnings
        return out
    for task_id, name, code, unit, change in zip(
        t["task_id"], t["plan_indicator"], t["indicator"], t["target_unit"], t["change"],
        strict=True,
    ):  # fmt: skip
        known = defs[str(code)].unit if str(code) in defs else unit
        points = (
            bool(change) and unit == "个百分点" and known == "%"
        )  # a rate's change is in points
        if unit != known and not points:
            warnings.append(
                f"{_whose(task_id)}的目标「{name}」单位为 {unit}，与指标定义的单位 {known} 不同"
            )
    # each distinct indicator's properties once, spread by its code (Series.map on Arrow strings
    # goes row by row: 0.07 s a column at national size)
    codes, present = pd.factorize(rows["indicator"])
    known = [str(c) for c in present]

    def per_indicator(of: Any, dtype: Any) -> np.ndarray:
        return np.array([of(c) for c in known], dtype=dtype)[codes]

    rows = rows.assign(
        precision=per_indicator(lambda c: defs[c].precision if c in defs else 1, "int64")
    )
    target, source, given, alloc_basis = unit_targets(rows, alloc, warnings)
    method = allocation_method(rows, source, alloc_basis)
    from_base = stock_targets(rows, indicators, target, method, given)
    source = np.where(from_base, "基数加增量", source)
    # 提高 X 个百分点: a change against last year's final value, when it is in the data.
    change = rows["change"].to_numpy(dtype=bool)
    if change.any():
        last_year = (period_attr(rows["period"], "year") - 1).astype(str).astype(object) + "Q4"
        base = indicators.set_index(["org_code", "indicator", "period"])["value"]
        k = pd.MultiIndex.from_arrays([rows["org_code"], rows["indicator"], last_year])
        prev = base.reindex(k).to_numpy(dtype="float64")
        sign = np.where(rows["comparator"] == "<=", -1.0, 1.0)
        target = np.where(
            change, prev + sign * rows["plan_value"].to_numpy(dtype="float64"), target
        )
        source = np.where(change & np.isnan(prev), "较上年变化：缺上年第四季度数据", source)
        source = np.where(change & ~np.isnan(prev), "较上年第四季度变化", source)
        method = np.where(change, "较上年第四季度的变化目标（计划原文）", method)

    judge = s.judgement(defs)
    precision = rows["precision"].to_numpy(dtype="float64")
    value = rows["value"].to_numpy(dtype="float64")
    value_shown = shown(value, precision)
    comparator = rows["comparator"].to_numpy(dtype=object)
    kind = rows["kind"].to_numpy(dtype=object)
    tol_def = per_indicator(lambda c: defs[c].tolerance_for(s), "float64")
    aspirational = rows["aspirational"].to_numpy(dtype=bool)
    slack = np.where(aspirational, max(judge.aspirational_slack, 1.0), 1.0)

    # Year-to-date flows before year end are judged against their schedule (序时目标).
    quarter_share = period_attr(rows["period"], "year_share").astype("float64")
    in_year = quarter_share < 1.0
    scheduled = scheduled_shares(rows, alloc)
    own_schedule = ~np.isnan(scheduled) & in_year
    quarter_share = np.where(own_schedule, scheduled, quarter_share)
    is_flow = ((rows["temporal"] == "flow") & (rows["kind"] == "total")).to_numpy()
    paced = is_flow & in_year & ~np.isnan(target) & (comparator != "<=")
    expected_share = np.where(paced, quarter_share, np.nan)
    expected_value = np.where(paced, shown(target * quarter_share, precision), np.nan)
    by_file = paced & own_schedule
    method = np.array(method, dtype=object)  # a copy
    if by_file.any():  # worded for those rows only, each distinct share once
        shares, which = np.unique(np.round(quarter_share[by_file] * 100, 1), return_inverse=True)
        words = np.array([f"{v:g}%" for v in shares], dtype=object)[which]
        method[by_file] = (
            method[by_file] + "；序时进度按分解目标文件的安排：本季度末应完成全年目标的" + words
        )
    against = np.where(paced, expected_value, target)

    def tolerance_of(goal: np.ndarray) -> np.ndarray:
        return np.where(kind == "total", tol_def * np.abs(goal), tol_def) * slack

    band = judge.approximate_band * np.abs(against)
    tolerance = tolerance_of(against)
    status = _status(value_shown, against, comparator, tolerance, band)

    with np.errstate(divide="ignore", invalid="ignore"):
        share_done = np.where((kind == "total") & (target > 0), value_shown / target, np.nan)
    progress = np.select(
        [
            ~paced | (status == "无数据"),
            share_done >= expected_share + judge.progress_band,
            status == "未达标",
        ],
        ["", "超前", "滞后"],
        "正常",
    ).astype(object)
    history = indicators[indicators["indicator"].isin(t["indicator"])][
        ["org_code", "indicator", "period", "value"]
    ]
    projection, projection_method = _projection(rows, history, s)
    year_band = judge.approximate_band * np.abs(target)
    projected_status = _status(
        shown(projection, precision), target, comparator, tolerance_of(target), year_band
    )

    out = rows.assign(
        target_text=_target_words(rows, target),
        target=target.astype("float64"),
        gap=(value_shown - target).astype("float64"),
        share_done=share_done.astype("float64"),
        status=status,
        progress=progress,
        expected_share=expected_share.astype("float64"),
        projection=projection.astype("float64"),
        projection_method=projection_method,
        target_source=source,
        tolerance=tolerance.astype("float64"),
        projected_status=projected_status,
        value_shown=value_shown.astype("float64"),
        judged_against=np.where(paced, JUDGED_AGAINST["schedule"], JUDGED_AGAINST["target"]).astype(
            object
        ),
        expected_value=expected_value.astype("float64"),
        allocation_method=method,
        still_needed=_still_needed(
            rows,
            per_indicator(lambda c: defs[c].factor, "float64"),
            against,
            status,
            value_shown,
        ),
        still_needed_unit=per_indicator(lambda c: defs[c].count_unit if c in defs else "", object),
    )
    out = out[[*indicators.columns, *ASSESSMENT_EXTRA]].reset_index(drop=True)
    out.attrs["warnings"] = list(dict.fromkeys(warnings))
    return out


def assessment_warnings(assessment: pd.DataFrame) -> list[Problem]:
    """The warnings of an assessment as Problems (for the CLI and reports)."""
    return [
        Problem(
            file="分解目标/计划", row=None, column=None, value=None, message=w, severity="warning"
        )
        for w in assessment.attrs.get("warnings", [])
    ]


__all__ = [
    "ASSESSMENT_EXTRA",
    "AllocationFileError",
    "assess",
    "assessment_warnings",
]
