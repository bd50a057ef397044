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
from ..plan.files import load_plan
from ..plan.model import COMPARATORS, Plan
from .allocations import allocations_frame
from .indicators import IndicatorSet, Settings, load_indicators
from .shortfall import still_needed
from .steps import (
    allocate,
    change_targets,
    judge_status,
    progress_of,
    projected,
    schedule,
    shown,
)

STATUSES: tuple[str, ...] = ("达标", "接近", "未达标", "无数据")

ASSESSMENT_EXTRA: list[str] = [
    "task_id",
    "target",
    "comparator",
    "aspirational",
    "approximate",
    "scope",
    "gap",
    "share_done",
    "status",
    "progress",
    "expected_share",
    "projection",
    "projection_method",
    "lead_units",
    "responsible_units",
    "plan_indicator",
    "target_text",
    "target_source",
    "tolerance",
    "projected_status",
    "value_shown",
    "precision",
    "judged_against",
    "expected_value",
    "allocation_method",
    "units",
    "still_needed",
    "still_needed_unit",
    "met_by_rounding",
    "projection_basis",
]
"""Columns ``assess`` adds to the indicators frame (the first 15 as in ARCHITECTURE.md)."""

JUDGED_AGAINST = {"target": "全年目标", "schedule": "序时目标"}
"""What a row's status compares ``value_shown`` with: the target, or before year end for a
year-to-date flow the schedule's value (``expected_value``)."""


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
            task_id=GOALS_TASK,
            task_title=GOALS_TASK,
            lead_units="",
            responsible_units=goals["units"],
        )
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
    units = np.where(
        change,
        rows["unit"].to_numpy(dtype=object)[idx],
        rows["target_unit"].to_numpy(dtype=object)[idx],
    )
    said = np.where(change, rows["target_text"].to_numpy(dtype=object)[idx], "")
    comparators = rows["comparator"].to_numpy(dtype=object)[idx]
    aspirational = rows["aspirational"].to_numpy(dtype=bool)[idx]
    cache: dict[tuple[float, str, str, bool, str], str] = {}
    for j, i in enumerate(idx.tolist()):
        key = (
            float(target[i]),
            str(units[j]),
            str(comparators[j]),
            bool(aspirational[j]),
            str(said[j]),
        )
        words = cache.get(key)
        if words is None:
            value = f"{key[0]:.4g}{key[1]}"
            words = f"{value}左右" if key[2] == "~" else f"{COMPARATORS[key[2]]}{value}"
            words += f"（较上年{key[4].replace(' ', '')}）" if key[4] else ""
            words += "（力争）" if key[3] else ""
            cache[key] = words
        out[i] = words
    return out


def check_inputs(indicators: Any, plan: Any) -> None:
    """An indicators frame and a Plan, or a Chinese error saying what was wanted."""
    expect_frame(
        indicators,
        "assess",
        "指标表（compute_indicators 的结果）",
        ("org_code", "period", "indicator", "value"),
        "indicators",
    )
    if plan is not None:
        expect_type(
            plan,
            "assess",
            "计划（planlib.load_plan() 的结果）",
            "Plan",
            "请用 planlib.load_plan() 读入计划文件",
        )
    if {"status", "task_id", "target"} <= set(map(str, indicators.columns)):
        raise UsageError(
            "assess() 需要指标表（compute_indicators 的结果），而这已是评估结果（含 status、target）；"
            "要换一份计划重新评估，请传入 run.indicators"
        )


TARGET_COLUMNS: list[str] = [
    "task_id",
    "indicator",
    "plan_indicator",
    "comparator",
    "value",
    "unit",
    "aspirational",
    "approximate",
    "change",
    "scope",
    "target_text",
    "lead_units",
    "responsible_units",
    "units",
]


def target_rows(
    indicators: pd.DataFrame, plan: Plan, defs: IndicatorSet, warnings: list[str]
) -> pd.DataFrame:
    """Step 1, targets: one row per (indicator row, plan target), with the plan's value in
    ``plan_value`` and the indicator's published ``precision``."""
    targets, found = _targets(indicators, plan, defs)
    warnings.extend(found)
    if "units" not in targets:  # a plan model without per-target departments
        targets = targets.assign(units=targets["responsible_units"])
    t = targets[TARGET_COLUMNS].rename(columns={"value": "plan_value", "unit": "target_unit"})
    _unit_warnings(t, defs, warnings)
    rows = indicators.merge(t, on="indicator", how="inner", validate="many_to_many")
    return rows.assign(precision=per_indicator(rows, defs, lambda c: defs[c].precision, 1, "int64"))


def _unit_warnings(t: pd.DataFrame, defs: IndicatorSet, warnings: list[str]) -> None:
    """A target whose unit differs from its indicator's (a rate's change may be in points)."""
    for task_id, name, code, unit, change in zip(
        t["task_id"],
        t["plan_indicator"],
        t["indicator"],
        t["target_unit"],
        t["change"],
        strict=True,
    ):
        known = defs[str(code)].unit if str(code) in defs else unit
        points = bool(change) and unit == "个百分点" and known == "%"
        if unit != known and not points:
            warnings.append(
                f"{_whose(task_id)}的目标「{name}」单位为 {unit}，与指标定义的单位 {known} 不同"
            )


def per_indicator(
    rows: pd.DataFrame, defs: IndicatorSet, of: Any, default: Any, dtype: Any
) -> np.ndarray:
    """A property of each row's indicator, worked out once per distinct indicator and spread by
    its code (Series.map on Arrow strings goes row by row: slow at national size)."""
    codes, present = pd.factorize(rows["indicator"])
    table = [of(str(c)) if str(c) in defs else default for c in present]
    return np.array(table, dtype=dtype)[codes] if len(rows) else np.array([], dtype=dtype)


def assess(
    indicators: pd.DataFrame,
    plan: Plan | None = None,
    allocations: Any = None,
    settings: Settings | Mapping[str, Any] | None = None,
    definitions: IndicatorSet | None = None,
    *,
    history: pd.DataFrame | None = None,
    excluded: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Judge every computed indicator against the plan's targets.

    One row per (org unit, period, target): the indicator columns plus :data:`ASSESSMENT_EXTRA`.
    ``allocations`` is None (the bundled file for the plan's year), a path, a frame with
    county, indicator, target, or False (no allocations). ``history``: last year's indicator
    values where the data has them (a flow is then projected by last year's quarterly pattern).
    ``excluded``: counties left out of the data (:func:`~planlib.monitoring.excluded.removed_units`);
    the city's totals are then judged less their parts (listed in ``attrs["excluded_units"]``).
    Warnings (allocations that do not add up, targets with no indicator) are in
    ``result.attrs["warnings"]``; file targets below a county's baseline are also Problems in
    ``result.attrs["problems"]``. ``plan`` is by default the workspace's (:func:`load_plan`).
    """
    check_inputs(indicators, plan)
    if plan is None:
        plan = load_plan()
    defs = definitions if definitions is not None else load_indicators()
    s = Settings.coerce(settings).check_codes(defs)
    warnings: list[str] = []
    rows = target_rows(indicators, plan, defs, warnings)
    if rows.empty:
        out = rows.reindex(columns=[*indicators.columns, *ASSESSMENT_EXTRA])
        out.attrs.update(warnings=warnings, problems=[])
        return out
    alloc = allocations_frame(allocations, plan, defs)
    t = allocate(rows, indicators, alloc, warnings, excluded)
    change_targets(rows, indicators, t)
    sched = schedule(rows, alloc, t)
    judge = s.judgement(defs)
    tol = per_indicator(rows, defs, lambda c: defs[c].tolerance_for(s), 0.0, "float64")
    value_shown, tolerance, status = judge_status(rows, sched.against, tol, judge)
    share_done, progress = progress_of(rows, t.target, value_shown, status, sched, judge)
    past = indicators if history is None else pd.concat([history, indicators], ignore_index=True)
    past = past[past["indicator"].isin(set(rows["indicator"]))][
        ["org_code", "indicator", "period", "value"]
    ]
    projection, basis, method, projected_status = projected(rows, past, t.target, tol, s, judge)
    factor = per_indicator(rows, defs, lambda c: defs[c].factor, 1.0, "float64")
    whole = rows["precision"].to_numpy() == 0
    needed, by_rounding = still_needed(rows, factor, sched.exact_expected, status, whole)
    out = rows.assign(
        target_text=_target_words(rows, t.target),
        target=t.target.astype("float64"),
        gap=(value_shown - t.target).astype("float64"),
        share_done=share_done.astype("float64"),
        status=status,
        progress=progress,
        expected_share=sched.expected_share.astype("float64"),
        projection=projection.astype("float64"),
        projection_method=method,
        target_source=t.source,
        tolerance=tolerance.astype("float64"),
        projected_status=projected_status,
        value_shown=value_shown.astype("float64"),
        judged_against=np.where(
            sched.paced, JUDGED_AGAINST["schedule"], JUDGED_AGAINST["target"]
        ).astype(object),
        expected_value=sched.expected_value.astype("float64"),
        allocation_method=t.method,
        still_needed=needed,
        still_needed_unit=per_indicator(rows, defs, lambda c: defs[c].count_unit, "", object),
        met_by_rounding=by_rounding,
        projection_basis=basis,
    )
    out = out[[*indicators.columns, *ASSESSMENT_EXTRA]].reset_index(drop=True)
    out.attrs.update(warnings=list(dict.fromkeys(warnings)), problems=t.problems)
    if excluded is not None and len(excluded):
        out.attrs["excluded_units"] = dict(zip(excluded["code"], excluded["name"], strict=True))
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
    "shown",
]
