"""The responsibility view: each 处室's targets, the city's value and how its counties stand."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..checks import expect_frame, expect_type, unknown
from ..plan.model import Plan
from .assessment import GOALS_TASK, STATUSES


def department_names(plan: Plan) -> list[str]:
    """Every department the plan names: task leads, responsible units, targets' units (once)."""
    names: dict[str, None] = {}
    for task in plan.tasks:
        names.update(dict.fromkeys(task.lead_units))
        names.update(dict.fromkeys(task.responsible_units))
        for target in task.targets:
            names.update(dict.fromkeys(target.units))
    for goal in plan.goals:
        names.update(dict.fromkeys(goal.units))
    return list(names)


def check_departments(wanted: str | Sequence[str], known: Sequence[str]) -> list[str]:
    """The names asked for, each one of ``known`` (the plan's departments, or those a report
    batch covers); otherwise an error listing the valid ones."""
    asked = [wanted] if isinstance(wanted, str) else list(wanted)
    for name in asked:
        if name not in known:
            raise unknown("处室（单位）", name, list(known), listing=len(known), always_list=True)
    return asked


def target_units_frame(plan: Plan) -> pd.DataFrame:
    """One row per (department, target): who answers for which target, and in what role.

    A target's departments are its ``units`` (default: its task's lead and responsible units);
    ``role`` is 牵头 where the department leads the task, else 责任. A plan-level target (task
    总体目标) belongs to the departments its ``units`` name, as 责任.
    """
    goals = [
        {
            "department": unit,
            "kind": plan.unit_kind(unit),
            "task_id": GOALS_TASK,
            "indicator": goal.code,
            "role": "责任",
        }
        for goal in plan.goals
        if goal.code
        for unit in goal.units
    ]
    rows = goals + [
        {
            "department": unit,
            "kind": plan.unit_kind(unit),
            "task_id": task.id,
            "indicator": target.code,
            "role": "牵头" if unit in task.lead_units else "责任",
        }
        for task in plan.tasks
        for target in task.targets
        if target.code
        for unit in task.target_units(target)
    ]
    return pd.DataFrame(rows, columns=["department", "kind", "task_id", "indicator", "role"])


def rolled_up(assessment: pd.DataFrame) -> pd.DataFrame:
    """One row per (task, target, period): the city's value and status, and how many counties
    are 达标/接近/未达标/无数据, naming those 未达标."""
    key = ["task_id", "indicator", "period"]
    a = assessment
    top = a[a["level"] == "city"]
    city = top.groupby(key, sort=False).agg(
        city_value=("value", "first"),
        city_target=("target", "first"),
        city_status=("status", "first"),
        city_progress=("progress", "first"),
        city_value_shown=("value_shown", "first"),
        city_judged_against=("judged_against", "first"),
        city_expected_value=("expected_value", "first"),
    )
    counties = a[a["level"] == "county"]
    counts = pd.crosstab(
        [counties["task_id"], counties["indicator"], counties["period"]], counties["status"]
    ).reindex(columns=list(STATUSES), fill_value=0)
    behind = (
        counties[counties["status"] == "未达标"]
        .sort_values("org_code")
        .groupby(key, sort=False)["org_name"]
        .agg("、".join)
    )
    base = (
        a.drop_duplicates(key)[[*key, "indicator_name", "target_text", "unit", "precision"]]
        .set_index(key)
        .join(city)
        .join(counts)
        .join(behind.rename("behind_units"))
        .reset_index()
    )
    for s in STATUSES:
        base[s] = base[s].fillna(0).astype("int64") if s in base else 0
    base = base.rename(
        columns={"达标": "n_met", "接近": "n_near", "未达标": "n_missed", "无数据": "n_no_data"}
    )
    base["n_units"] = base[["n_met", "n_near", "n_missed", "n_no_data"]].sum(axis=1).astype("int64")
    base["behind_units"] = base["behind_units"].fillna("")
    return base


def by_department(
    assessment: pd.DataFrame, plan: Plan, department: str | Sequence[str] | None = None
) -> pd.DataFrame:
    """Assessment rolled up by department: one row per (department, role, target, period).

    Each 处室 sees the targets it answers for (:func:`target_units_frame`), never the rest of its
    task's: the city-level value and status, and how many counties are 达标/接近/未达标/无数据,
    naming those behind. ``department``: one name or several (default all); a name the plan
    does not have is an error listing those it has.
    """
    expect_frame(
        assessment,
        "by_department",
        "评估结果（assess 的结果）",
        ("task_id", "indicator", "status", "org_code", "period"),
        "assessment",
    )
    expect_type(plan, "by_department", "计划（planlib.load_plan() 的结果）", "Plan")
    units = target_units_frame(plan)
    if department is not None:
        units = units[
            units["department"].isin(check_departments(department, department_names(plan)))
        ]
    columns = [
        "department",
        "kind",
        "role",
        "task_id",
        "indicator",
        "indicator_name",
        "period",
        "target_text",
        "unit",
        "city_value",
        "city_target",
        "city_status",
        "city_progress",
        "n_units",
        "n_met",
        "n_near",
        "n_missed",
        "n_no_data",
        "behind_units",
        "city_value_shown",
        "precision",
        "city_judged_against",
        "city_expected_value",
    ]
    if assessment.empty or units.empty:
        return pd.DataFrame(columns=columns)
    base = rolled_up(assessment)
    out = units.merge(base, on=["task_id", "indicator"], how="inner")
    out = out.sort_values(["department", "role", "task_id", "period"], kind="stable")
    return out[columns].reset_index(drop=True)


SCOPES: tuple[str, ...] = ("全市", "下级单位", "合计")
"""The rows of :func:`status_counts`: the city's own targets, the units below, both."""


def department_rows(
    assessment: pd.DataFrame, plan: Plan, department: str | Sequence[str] | None = None
) -> pd.DataFrame:
    """The assessment rows of the targets ``department`` answers for (default every target the
    plan gives a department), city and county rows alike, every period."""
    units = target_units_frame(plan)
    if department is not None:
        units = units[
            units["department"].isin(check_departments(department, department_names(plan)))
        ]
    keys = pd.MultiIndex.from_frame(units[["task_id", "indicator"]].astype(str)).unique()
    a = assessment
    mine = pd.MultiIndex.from_arrays([a["task_id"].astype(str), a["indicator"].astype(str)]).isin(
        keys
    )
    return a[mine]


def status_counts(
    assessment: pd.DataFrame,
    plan: Plan,
    period: str,
    department: str | Sequence[str] | None = None,
    *,
    org_code: str | None = None,
) -> pd.DataFrame:
    """How many of a report's items are 达标/接近/未达标/无数据 at ``period``, counted over the
    same rows its tables list: the department's targets (default all) at the top unit (the city,
    or ``org_code``) and at every unit below it. Index :data:`SCOPES`, columns the statuses and
    合计; so a summary box never says 0 未达标 above a table of county items that fail."""
    expect_frame(
        assessment,
        "status_counts",
        "评估结果（assess 的结果）",
        ("task_id", "indicator", "status", "org_code", "period"),
        "assessment",
    )
    rows = department_rows(assessment, plan, department)
    rows = rows[rows["period"].astype(str) == str(period)]
    org = rows["org_code"].astype(str)
    if org_code is not None:
        top_mask = org == str(org_code)
        below_mask = rows["parent_code"].fillna("").astype(str) == str(org_code)
    else:
        top_mask = rows["level"].astype(str) == "city"
        below_mask = rows["level"].astype(str) == "county"

    def count(part: pd.DataFrame) -> list[int]:
        return [int((part["status"] == s).sum()) for s in STATUSES]

    table = [count(rows[top_mask]), count(rows[below_mask])]
    table.append([a + b for a, b in zip(*table, strict=True)])
    out = pd.DataFrame(table, index=list(SCOPES), columns=list(STATUSES))
    out["合计"] = out.sum(axis=1)
    return out


__all__ = [
    "SCOPES",
    "by_department",
    "check_departments",
    "department_names",
    "department_rows",
    "status_counts",
    "target_units_frame",
]
