"""Each step of ``assess`` alone: targets, allocation, change targets, schedule, status,
progress, projection and 还需, on frames made by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_assessment import CITY, A, B, ind_rows, one_target_plan

import planlib
from planlib import Target
from planlib.monitoring.assessment import target_rows
from planlib.monitoring.shortfall import exact_shortfall
from planlib.monitoring.steps import (
    allocate,
    change_targets,
    judge_status,
    progress_of,
    projected,
    schedule,
)

DEFS = planlib.load_indicators()
SETTINGS = planlib.Settings()
JUDGE = SETTINGS.judgement(DEFS)
POSTS = Target("新增编制", ">=", 100, "名", code="new_teacher_posts", scope="total")


def _rows(target: Target, frame: pd.DataFrame) -> pd.DataFrame:
    warnings: list[str] = []
    rows = target_rows(frame, one_target_plan(target), DEFS, warnings)
    assert warnings == []
    return rows


def _posts(period: str = "2022Q2") -> pd.DataFrame:
    return _rows(POSTS, ind_rows("new_teacher_posts", {CITY: 40.0, A: 10.0, B: 30.0}, period))


def test_target_rows_carry_the_plan_value_and_the_published_precision() -> None:
    rows = _posts()
    assert len(rows) == 3 and set(rows["plan_value"]) == {100.0}
    assert set(rows["precision"]) == {DEFS["new_teacher_posts"].precision}
    warnings: list[str] = []
    plan = one_target_plan(Target("某个没有的指标", ">=", 1, "个"))
    assert target_rows(ind_rows("new_teacher_posts", {CITY: 1.0}), plan, DEFS, warnings).empty
    assert warnings and "未对应任何指标定义" in warnings[0]


def test_allocate_takes_the_files_figure_and_shares_out_the_rest() -> None:
    rows = _posts()
    alloc = pd.DataFrame(
        {"county": [A], "indicator": ["new_teacher_posts"], "target": [70.0], "basis": [""]}
    )
    t = allocate(rows, rows, alloc, [])
    by = dict(zip(rows["org_code"], zip(t.target, t.source, strict=True), strict=True))
    assert by[A] == (70.0, "分解文件") and by[B] == (30.0, "按剩余目标平均分配")
    assert by[CITY] == (100.0, "全市目标") and t.problems == []


def test_change_targets_add_the_change_to_last_years_final_value() -> None:
    target = Target("毛入园率", ">=", 1, "个百分点", code="preschool_gross_enrolment_rate")
    target = Target(**{**target.__dict__, "change": True})
    frame = pd.concat(
        [
            ind_rows("preschool_gross_enrolment_rate", {CITY: 90.0}, "2021Q4"),
            ind_rows("preschool_gross_enrolment_rate", {CITY: 90.5}, "2022Q2"),
        ],
        ignore_index=True,
    )
    rows = _rows(target, frame)
    t = allocate(rows, frame, pd.DataFrame(columns=["county", "indicator", "target"]), [])
    change_targets(rows, frame, t)
    now = (rows["period"] == "2022Q2").to_numpy()
    assert t.target[now].tolist() == [91.0] and t.source[now].tolist() == ["较上年第四季度变化"]


def test_schedule_paces_a_flow_before_year_end_and_not_a_stock() -> None:
    rows = _posts("2022Q2")
    t = allocate(rows, rows, pd.DataFrame(columns=["county", "indicator", "target"]), [])
    s = schedule(rows, pd.DataFrame(columns=["county", "indicator", "target"]), t)
    city = (rows["org_code"] == CITY).to_numpy()
    assert s.paced[city].all() and s.expected_share[city].tolist() == [0.5]
    assert s.against[city].tolist() == [50.0] and s.exact_expected[city].tolist() == [50.0]
    stock = _rows(
        Target("示范高中", ">=", 30, "所", code="provincial_model_high_schools", scope="total"),
        ind_rows("provincial_model_high_schools", {CITY: 25.0}, "2022Q2"),
    )
    ts = allocate(stock, stock, pd.DataFrame(columns=["county", "indicator", "target"]), [])
    assert not schedule(stock, pd.DataFrame(columns=["county", "indicator"]), ts).paced.any()


def test_status_is_judged_on_the_value_as_published() -> None:
    rows = _posts("2022Q4")
    goal = np.full(len(rows), 40.0)
    shown, tolerance, status = judge_status(rows, goal, np.zeros(len(rows)), JUDGE)
    assert dict(zip(rows["org_code"], status, strict=True)) == {
        CITY: "达标",
        A: "未达标",
        B: "未达标",
    }
    assert shown.tolist() == [40.0, 10.0, 30.0] and (tolerance == 0).all()


def test_progress_is_behind_when_missed_against_the_schedule() -> None:
    rows = _posts("2022Q2")
    t = allocate(rows, rows, pd.DataFrame(columns=["county", "indicator", "target"]), [])
    s = schedule(rows, pd.DataFrame(columns=["county", "indicator", "target"]), t)
    status = np.array(["未达标", "未达标", "达标"], dtype=object)
    share, progress = progress_of(rows, t.target, rows["value"].to_numpy(), status, s, JUDGE)
    assert share[0] == pytest.approx(0.4) and progress[0] == "滞后"


def test_projected_runs_a_flow_to_year_end_and_judges_it() -> None:
    rows = _posts("2022Q2")
    target = np.full(len(rows), 100.0)
    projection, basis, method, status = projected(
        rows, rows, target, np.full(len(rows), 0.03), SETTINGS, JUDGE
    )
    assert projection.tolist() == [80.0, 20.0, 60.0] and set(basis) == {"线性"}
    assert set(status) == {"未达标"} and "序时进度" in method[0]


def test_exact_shortfall_counts_whole_people_for_rates_and_totals() -> None:
    rows = pd.DataFrame(
        {
            "value": [54.9, 1342.4, np.nan],
            "numerator": [966.0, 1342.4, np.nan],
            "denominator": [1760.0, np.nan, np.nan],
            "comparator": [">=", ">=", ">="],
            "kind": ["ratio", "total", "total"],
        }
    )
    out = exact_shortfall(
        rows,
        np.array([100.0, 1.0, 1.0]),
        np.array([56.0, 1500.0, 10.0]),
        np.array([False, True, True]),
    )
    assert out[:2].tolist() == [20.0, 158.0] and np.isnan(out[2])
