"""Year-end projections of flows: by last year's quarterly pattern where last year's returns are
there (spending comes late in the year), linear by 序时进度 otherwise; the method is named."""

from __future__ import annotations

import pandas as pd
import pytest
from test_assessment import CITY, A, ind_rows, one_target_plan, status_of

import planlib
from planlib import Target

BUDGET = Target("教育投入", ">=", 216, "亿元", code="education_budget", scope="total")


def _last_year(values: dict[int, float]) -> pd.DataFrame:
    return pd.concat(
        [
            ind_rows("education_budget", {CITY: v, A: v / 10}, f"2021Q{q}")
            for q, v in values.items()
        ],
        ignore_index=True,
    )


def test_a_flow_is_projected_by_last_years_quarterly_pattern() -> None:
    """Last year 90 of 200 by June (45%): this year's 94.9 by June projects to 94.9 ÷ 0.45 =
    210.9, where the linear rule (÷ 50%) said 189.8."""
    history = _last_year({1: 40.0, 2: 90.0, 3: 140.0, 4: 200.0})
    now = ind_rows("education_budget", {CITY: 94.9, A: 9.49}, "2022Q2")
    plan = one_target_plan(BUDGET)
    out = planlib.assess(now, plan, allocations=False, history=history)
    row = status_of(out)
    assert row["projection"] == pytest.approx(94.9 / 0.45)
    assert row["projection_basis"] == "上年同期进度"
    assert "上年同期完成全年的45%" in row["projection_method"]
    linear = status_of(planlib.assess(now, plan, allocations=False))
    assert linear["projection"] == pytest.approx(189.8)
    assert linear["projection_basis"] == "线性" and "序时进度" in linear["projection_method"]


def test_without_last_years_same_quarter_or_total_the_projection_is_linear() -> None:
    history = _last_year({1: 40.0, 3: 140.0})  # no Q2, no Q4 last year
    now = ind_rows("education_budget", {CITY: 94.9, A: 9.49}, "2022Q2")
    out = planlib.assess(now, one_target_plan(BUDGET), allocations=False, history=history)
    assert set(out["projection_basis"]) == {"线性"}
