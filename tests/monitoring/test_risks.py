"""Every projected miss is a risk, and a task most of whose targets will miss is red: the risk
list, the outlook table and the task colours read one mask (issue 27)."""

from __future__ import annotations

import pandas as pd
from test_assessment import CITY, A, B, ind_rows

import planlib
from planlib import Target
from planlib.monitoring.risks import misses_at_year_end, projected_misses
from planlib.monitoring.tasks import task_status
from planlib.plan.model import Plan, Task


def _task_plan(*targets: Target) -> Plan:
    task = Task(1, 4, "保障任务", lead_units=("财务处",), targets=targets)
    return Plan("测试计划", year=2022, tasks=(task,))


def _q2_frame() -> pd.DataFrame:
    """Q2 flows: 投入 94.9 of 216 (→ 189.8), 编制 671 of 1,500 (→ 1,342), 招聘 1,990 of 4,000
    (→ 3,980: within tolerance), and a stock count 25 of 30 flat all year."""
    frames = [
        ind_rows("education_budget", {CITY: 94.9}, "2022Q2"),
        ind_rows("new_teacher_posts", {CITY: 671.0}, "2022Q2"),
        ind_rows("teachers_recruited", {CITY: 1990.0}, "2022Q2"),
    ]
    frames += [
        ind_rows("provincial_model_high_schools", {CITY: 25.0, A: 10.0, B: 15.0}, q)
        for q in ("2022Q1", "2022Q2")
    ]
    return pd.concat(frames, ignore_index=True)


TARGETS = (
    Target(
        "教育投入", ">=", 216, "亿元", code="education_budget", scope="total", aspirational=True
    ),
    Target(
        "新增编制", ">=", 1500, "名", code="new_teacher_posts", scope="total", aspirational=True
    ),
    Target(
        "招聘教师", ">=", 4000, "名", code="teachers_recruited", scope="total", aspirational=True
    ),
    Target("示范高中", ">=", 30, "所", code="provincial_model_high_schools", scope="total"),
)


def test_every_projected_miss_is_a_risk_counts_and_flows_alike() -> None:
    out = planlib.assess(_q2_frame(), _task_plan(*TARGETS), allocations=False)
    risks = projected_misses(out, "2022Q2")
    assert set(risks["indicator"]) == {
        "education_budget",
        "new_teacher_posts",
        "provincial_model_high_schools",
    }
    q2 = out[(out["period"] == "2022Q2") & (out["level"] == "city")]
    assert misses_at_year_end(q2, "2022Q2").sum() == len(risks)  # the table's mask, the same
    counties = projected_misses(out, "2022Q2", level="county")
    assert set(counties["org_code"]) <= {A, B}
    assert len(projected_misses(out, "2022Q2", org_code=A)) == len(
        counties[counties["org_code"] == A]
    )


def test_a_task_most_of_whose_targets_will_miss_is_red_even_when_they_are_aspirational() -> None:
    """Three 力争 targets, two projected to miss: red, saying two of three; one of three: yellow."""
    out = planlib.assess(_q2_frame(), _task_plan(*TARGETS[:3]), allocations=False)
    tasks = task_status(_task_plan(*TARGETS[:3]), None, out, "2022Q2")
    row = tasks.iloc[0]
    assert row["colour"] == "red" and "3项目标中2项预计年底难以达标" in row["reasons"]
    assert row["n_targets_behind"] == 2
    plan = _task_plan(TARGETS[0], TARGETS[2])
    one = planlib.assess(_q2_frame(), plan, allocations=False)
    row = task_status(plan, None, one, "2022Q2").iloc[0]
    assert row["colour"] == "yellow" and "按预测年底难以达标（力争）" in row["reasons"]
