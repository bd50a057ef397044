"""A report's summary counts the rows its tables list: the department's targets at the city
and at every county (issue 27: 「0 未达标」 above eight county items that fail)."""

from __future__ import annotations

import pandas as pd
import pytest
from test_assessment import CITY, A, B, ind_rows

import planlib
from planlib import Target
from planlib.monitoring.departments import status_counts
from planlib.plan.model import Plan, Task


def _plan() -> Plan:
    pre = Task(
        1,
        3,
        "学前",
        lead_units=("学前教育处",),
        targets=(Target("公办园", ">=", 56, "%", code="public_kindergarten_share"),),
    )
    money = Task(
        1,
        4,
        "投入",
        lead_units=("财务处",),
        targets=(Target("投入", ">=", 216, "亿元", code="education_budget", scope="total"),),
    )
    return Plan("测试计划", year=2022, tasks=(pre, money))


def test_the_summary_counts_county_rows_of_the_departments_own_targets() -> None:
    frame = pd.concat(
        [
            ind_rows("public_kindergarten_share", {CITY: 56.0, A: 50.0, B: 55.5}, "2022Q4"),
            ind_rows("education_budget", {CITY: 100.0, A: 40.0, B: 60.0}, "2022Q4"),
        ],
        ignore_index=True,
    )
    plan = _plan()
    out = planlib.assess(frame, plan, allocations=False)
    counts = status_counts(out, plan, "2022Q4", "学前教育处")
    assert counts.loc["全市"].to_dict() == {
        "达标": 1,
        "接近": 0,
        "未达标": 0,
        "无数据": 0,
        "合计": 1,
    }
    assert counts.loc["下级单位", "未达标"] == 1 and counts.loc["下级单位", "接近"] == 1
    assert counts.loc["合计", "合计"] == 3  # the 投入 rows are 财务处's, not counted here
    whole = status_counts(out, plan, "2022Q4")
    assert whole.loc["合计", "合计"] == len(out)
    one = status_counts(out, plan, "2022Q4", "学前教育处", org_code=A)
    assert one.loc["全市", "未达标"] == 1 and one.loc["下级单位", "合计"] == 0
    with pytest.raises(planlib.PlanlibError, match="基础教育处"):
        status_counts(out, plan, "2022Q4", "基础教育处")
