"""The steps of ``assess`` after the targets are found: allocation (each unit's own target),
change targets, the schedule (序时目标), status at published precision, progress and the
year-end projection. Each takes the target rows and returns arrays, so each is tested alone."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..catalog.definitions import Settings
from ..catalog.settings import Judgement
from ..errors import Problem
from .excluded import reduce_city_targets
from .projection import project
from .targets import (
    FROM_BASELINE,
    allocation_method,
    file_lines,
    period_attr,
    scheduled_shares,
    stock_targets,
    unit_targets,
)


def shown(values: np.ndarray, precision: np.ndarray) -> np.ndarray:
    """Values as published: rounded half away from zero to each row's decimals (not banker's).

    The tiny nudge keeps 0.15 → 0.2 although 0.15 is stored as 0.1499999….
    """
    scale = np.power(10.0, precision)
    with np.errstate(invalid="ignore"):
        scaled = np.abs(values) * scale
        return np.sign(values) * np.floor(scaled + 0.5 + 1e-9 * np.maximum(scaled, 1.0)) / scale


# --- assessment -------------------------------------------------------------------------------


def status_of_values(
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


@dataclass
class UnitTargets:
    """Each row's own target, where it came from and how it was set (the allocation step)."""

    target: np.ndarray
    source: np.ndarray
    method: np.ndarray
    problems: list[Problem]


@dataclass
class Schedule:
    """What each row is judged against now: the year's target, or a flow's 序时目标."""

    paced: np.ndarray
    expected_share: np.ndarray
    expected_value: np.ndarray
    exact_expected: np.ndarray
    against: np.ndarray


def allocate(
    rows: pd.DataFrame,
    indicators: pd.DataFrame,
    alloc: pd.DataFrame,
    warnings: list[str],
    excluded: pd.DataFrame | None = None,
) -> UnitTargets:
    """Step 2, allocation: each unit's own target (the file's where it has one, derived where it
    is silent) and how it was set; the city's totals less the parts of units left out."""
    target, source, given, basis = unit_targets(rows, alloc, warnings)
    method = allocation_method(rows, source, basis)
    if excluded is not None:
        reduce_city_targets(rows, target, source, method, alloc, excluded)
    lines = file_lines(rows, alloc)
    derived, slips = stock_targets(rows, indicators, target, method, given, lines)
    source = np.where(derived, FROM_BASELINE, source)
    return UnitTargets(target, source, np.array(method, dtype=object), slips)


def change_targets(rows: pd.DataFrame, indicators: pd.DataFrame, t: UnitTargets) -> None:
    """Step 3, change targets (提高 X 个百分点): last year's final value plus the change, when the
    data has it (in place)."""
    change = rows["change"].to_numpy(dtype=bool)
    if not change.any():
        return
    last_year = (period_attr(rows["period"], "year") - 1).astype(str).astype(object) + "Q4"
    base = indicators.set_index(["org_code", "indicator", "period"])["value"]
    base = base[~base.index.duplicated()]
    k = pd.MultiIndex.from_arrays([rows["org_code"], rows["indicator"], last_year])
    prev = base.reindex(k).to_numpy(dtype="float64")
    sign = np.where(rows["comparator"] == "<=", -1.0, 1.0)
    t.target = np.where(
        change, prev + sign * rows["plan_value"].to_numpy(dtype="float64"), t.target
    )
    t.source = np.where(change & np.isnan(prev), "较上年变化：缺上年第四季度数据", t.source)
    t.source = np.where(change & ~np.isnan(prev), "较上年第四季度变化", t.source)
    t.method = np.where(change, "较上年第四季度的变化目标（计划原文）", t.method)


def schedule(rows: pd.DataFrame, alloc: pd.DataFrame, t: UnitTargets) -> Schedule:
    """Step 4, schedule: a year-to-date flow before year end is judged against its 序时目标 (the
    share of the year gone, or the file's own q1–q3), everything else against the target."""
    precision = rows["precision"].to_numpy(dtype="float64")
    comparator = rows["comparator"].to_numpy(dtype=object)
    share = period_attr(rows["period"], "year_share").astype("float64")
    in_year = share < 1.0
    scheduled = scheduled_shares(rows, alloc)
    own = ~np.isnan(scheduled) & in_year
    share = np.where(own, scheduled, share)
    is_flow = ((rows["temporal"] == "flow") & (rows["kind"] == "total")).to_numpy()
    paced = is_flow & in_year & ~np.isnan(t.target) & (comparator != "<=")
    exact = np.where(paced, t.target * share, np.nan)
    expected_value = np.where(paced, shown(exact, precision), np.nan)
    by_file = paced & own
    if by_file.any():  # worded for those rows only, each distinct share once
        shares, which = np.unique(np.round(share[by_file] * 100, 1), return_inverse=True)
        words = np.array([f"{v:g}%" for v in shares], dtype=object)[which]
        t.method[by_file] = (
            t.method[by_file] + "；序时进度按分解目标文件的安排：本季度末应完成全年目标的" + words
        )
    expected_share = np.where(paced, share, np.nan)
    against = np.where(paced, expected_value, t.target)
    return Schedule(
        paced, expected_share, expected_value, np.where(paced, exact, t.target), against
    )


def tolerance_of(
    rows: pd.DataFrame, goal: np.ndarray, tol: np.ndarray, judge: Judgement
) -> np.ndarray:
    """How far from ``goal`` still counts as 接近: a share of a total's goal, points of a rate;
    力争 targets get the settings' extra slack."""
    kind = rows["kind"].to_numpy(dtype=object)
    aspirational = rows["aspirational"].to_numpy(dtype=bool)
    slack = np.where(aspirational, max(judge.aspirational_slack, 1.0), 1.0)
    return np.where(kind == "total", tol * np.abs(goal), tol) * slack


def judge_status(
    rows: pd.DataFrame, goal: np.ndarray, tol: np.ndarray, judge: Judgement
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Step 5, status: the value as published against ``goal``; returns the shown values, the
    tolerance and the status."""
    precision = rows["precision"].to_numpy(dtype="float64")
    value_shown = shown(rows["value"].to_numpy(dtype="float64"), precision)
    tolerance = tolerance_of(rows, goal, tol, judge)
    band = judge.approximate_band * np.abs(goal)
    comparator = rows["comparator"].to_numpy(dtype=object)
    return value_shown, tolerance, status_of_values(value_shown, goal, comparator, tolerance, band)


def progress_of(
    rows: pd.DataFrame,
    target: np.ndarray,
    value_shown: np.ndarray,
    status: np.ndarray,
    sched: Schedule,
    judge: Judgement,
) -> tuple[np.ndarray, np.ndarray]:
    """Step 6, progress: the share of a total's target done and 超前/正常/滞后 against 序时进度."""
    kind = rows["kind"].to_numpy(dtype=object)
    with np.errstate(divide="ignore", invalid="ignore"):
        share_done = np.where((kind == "total") & (target > 0), value_shown / target, np.nan)
    progress = np.select(
        [
            ~sched.paced | (status == "无数据"),
            share_done >= sched.expected_share + judge.progress_band,
            status == "未达标",
        ],
        ["", "超前", "滞后"],
        "正常",
    ).astype(object)
    return share_done, progress


def projected(
    rows: pd.DataFrame,
    history: pd.DataFrame,
    target: np.ndarray,
    tol: np.ndarray,
    s: Settings,
    judge: Judgement,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Step 7, projection: each row projected to year end and judged against the year's target."""
    projection, basis, method = project(rows, history, s)
    precision = rows["precision"].to_numpy(dtype="float64")
    comparator = rows["comparator"].to_numpy(dtype=object)
    status = status_of_values(
        shown(projection, precision),
        target,
        comparator,
        tolerance_of(rows, target, tol, judge),
        judge.approximate_band * np.abs(target),
    )
    return projection, basis, method, status


__all__ = [
    "Schedule",
    "UnitTargets",
    "allocate",
    "change_targets",
    "judge_status",
    "progress_of",
    "projected",
    "schedule",
    "shown",
    "status_of_values",
    "tolerance_of",
]
