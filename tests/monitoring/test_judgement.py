"""How targets are judged, each rule pinned by a hand-worked example (issue: judgements a bureau
can trust): published precision, pace of year-to-date flows, stock totals from a baseline,
per-target departments, and the method of every county target."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_assessment import CITY, NAMES, A, B, ind_rows, one_target_plan, status_of

import planlib
from planlib import Target
from planlib.monitoring.assessment import shown

# --- published precision ------------------------------------------------------------------------


def test_shown_rounds_half_away_from_zero_at_each_precision() -> None:
    values = np.array([99.997, 55.95, 0.15, -1.25, 207.65891, 56.5])
    precision = np.array([1, 1, 1, 1, 2, 0])
    assert shown(values, precision).tolist() == [100.0, 56.0, 0.2, -1.3, 207.66, 57.0]


@pytest.mark.parametrize(
    ("value", "target", "status", "shown_value"),
    [
        (99.997, 100.0, "达标", 100.0),  # printed 100.0%: met, never 接近 beside "100%"
        (55.95, 56.0, "达标", 56.0),  # printed 56.0%
        (54.97, 56.0, "接近", 55.0),  # gap −1.0 point: within the 1-point tolerance
        (54.94, 56.0, "未达标", 54.9),  # gap −1.1 points
    ],
)
def test_status_is_judged_on_the_value_as_printed(value, target, status, shown_value) -> None:
    plan = one_target_plan(
        Target("公办园在园幼儿占比", ">=", target, "%", code="public_kindergarten_share")
    )
    out = planlib.assess(
        ind_rows("public_kindergarten_share", {CITY: value}, "2022Q4"), plan, allocations=False
    )
    row = status_of(out, period="2022Q4")
    assert (row["status"], row["value_shown"], row["precision"]) == (status, shown_value, 1)
    assert row["gap"] == pytest.approx(shown_value - target)


# --- pace -------------------------------------------------------------------------------------


def test_a_county_on_pace_is_never_marked_missed() -> None:
    """Q3, a target of 100 名: the schedule is 100 × 75% = 75. A county with 70 is 5 short,
    more than the tolerance (3% of 75): 未达标 and 滞后. One with 74 is 接近 and 正常."""
    plan = one_target_plan(
        Target("教师可用编制新增", ">=", 100, "名", code="new_teacher_posts", scope="total")
    )
    frame = ind_rows("new_teacher_posts", {CITY: 144.0, A: 70.0, B: 74.0}, "2022Q3")
    alloc = pd.DataFrame({"county": [A, B], "indicator": ["new_teacher_posts"] * 2, "target": 100})
    out = planlib.assess(frame, plan, allocations=alloc)
    a, b = status_of(out, A, "2022Q3"), status_of(out, B, "2022Q3")
    tol = planlib.load_indicators()["new_teacher_posts"].tolerance
    assert a["expected_value"] == b["expected_value"] == 75.0
    assert a["judged_against"] == "序时目标" and a["expected_share"] == 0.75
    assert tol * 75 < 75 - 70 and (a["status"], a["progress"]) == ("未达标", "滞后")
    assert tol * 75 >= 75 - 74 and (b["status"], b["progress"]) == ("接近", "正常")


# --- stock totals: baseline plus a share of the increment --------------------------------------


def _stock_frame(q1: dict[str, float], q2: dict[str, float]) -> pd.DataFrame:
    return pd.concat(
        [
            ind_rows("provincial_model_high_schools", q1, "2022Q1"),
            ind_rows("provincial_model_high_schools", q2, "2022Q2"),
        ],
        ignore_index=True,
    )


def test_a_stock_target_the_file_writes_down_is_the_target() -> None:
    """City target 8 所; at the start of the year A has 5 and B 0. The file gives A 6 and B 2:
    those are the targets as written (not re-derived from a share of the increment)."""
    plan = one_target_plan(
        Target("省级示范性高中", ">=", 8, "所", code="provincial_model_high_schools", scope="total")
    )
    frame = _stock_frame({CITY: 5, A: 5, B: 0}, {CITY: 6, A: 5, B: 1})
    alloc = pd.DataFrame(
        {
            "county": [A, B],
            "indicator": ["provincial_model_high_schools"] * 2,
            "target": [6, 2],
            "basis": ["按普通高中学校数"] * 2,
        }
    )
    out = planlib.assess(frame, plan, allocations=alloc)
    a, b = status_of(out, A), status_of(out, B)
    assert (a["target"], b["target"]) == (6.0, 2.0)
    assert a["target_source"] == b["target_source"] == "分解文件"
    assert "分解目标文件" in a["allocation_method"]
    assert (a["status"], b["status"]) == ("未达标", "未达标")
    assert status_of(out)["target"] == 8.0  # the city keeps the plan's target
    assert out.attrs["problems"] == []


def test_a_file_target_below_the_baseline_is_kept_and_reported_as_a_slip(tmp_path) -> None:
    """The file gives A (which has 5 at the start) 3: a likely slip. The target stays 3 (met),
    and a warning names the file's line, the county and both figures."""
    path = tmp_path / "alloc.csv"
    path.write_text(
        "county,indicator,target\n"
        f"{A},provincial_model_high_schools,3\n"
        f"{B},provincial_model_high_schools,5\n",
        encoding="utf-8",
    )
    plan = one_target_plan(
        Target("省级示范性高中", ">=", 8, "所", code="provincial_model_high_schools", scope="total")
    )
    frame = _stock_frame({CITY: 5, A: 5, B: 0}, {CITY: 6, A: 5, B: 1})
    out = planlib.assess(frame, plan, allocations=path)
    assert status_of(out, A)["target"] == 3.0 and status_of(out, A)["status"] == "达标"
    (slip,) = out.attrs["problems"]
    assert (slip.file, slip.row, slip.column, slip.value) == (str(path), 2, "target", "3")
    assert slip.severity == "warning" and slip.org_code == A
    assert "低于" in slip.message and "已有的5所" in slip.message and "3所" in slip.message


def test_a_stock_target_the_file_is_silent_on_is_derived_from_the_baseline() -> None:
    """City 10 所; A has 5, B 0, C 1 at the start. The file gives A 6 only: B and C share what
    is left, 10 − 6 − (0 + 1) = 3, evenly as whole schools (2 and 1): B 0 + 2, C 1 + 1."""
    c = "130105"
    NAMES.setdefault(c, "丙县")
    plan = one_target_plan(
        Target(
            "省级示范性高中", ">=", 10, "所", code="provincial_model_high_schools", scope="total"
        )
    )
    frame = pd.concat(
        [
            ind_rows("provincial_model_high_schools", {CITY: 6, A: 5, B: 0, c: 1}, q)
            for q in ("2022Q1", "2022Q2")
        ],
        ignore_index=True,
    )
    alloc = pd.DataFrame(
        {"county": [A], "indicator": ["provincial_model_high_schools"], "target": [6]}
    )
    out = planlib.assess(frame, plan, allocations=alloc)
    b, cc = status_of(out, B), status_of(out, c)
    assert (status_of(out, A)["target_source"], b["target_source"]) == ("分解文件", "按基数推算")
    assert sorted([b["target"] - 0, cc["target"] - 1]) == [1.0, 2.0]
    assert b["target"] + cc["target"] == 4.0
    assert "分解文件未列" in b["allocation_method"] and "不低于已有数" in b["allocation_method"]


def test_a_county_already_past_its_share_keeps_what_it_has() -> None:
    plan = one_target_plan(
        Target("省级示范性高中", ">=", 4, "所", code="provincial_model_high_schools", scope="total")
    )
    frame = _stock_frame({CITY: 6, A: 5, B: 1}, {CITY: 6, A: 5, B: 1})
    out = planlib.assess(frame, plan, allocations=False)
    a, b = status_of(out, A), status_of(out, B)
    # the city already has 6 of 4: no increment, each county's target is what it has
    assert (a["target"], b["target"]) == (5.0, 1.0) and a["status"] == b["status"] == "达标"


# --- who answers for a target -----------------------------------------------------------------


def test_a_target_names_its_own_departments(plan: planlib.Plan) -> None:
    frame = pd.concat(
        [
            ind_rows("public_kindergarten_share", {CITY: 50.0, A: 40.0, B: 60.0}),
            ind_rows("education_budget", {CITY: 100.0, A: 40.0, B: 60.0}),
        ]
    )
    out = planlib.assess(frame, plan, allocations=False)
    depts = planlib.by_department(out, plan)
    mine = depts.groupby("department")["indicator"].apply(set).to_dict()
    assert mine["学前教育处"] == {"public_kindergarten_share"}
    assert mine["财务处"] == {"education_budget"}
    assert "审计室" not in mine and "办公室" not in mine  # share or lead a task, own no target
    with pytest.raises(
        planlib.PlanlibError, match=r"没有处室（单位）「基础教育处」；.*可用：.*学前教育处"
    ):
        planlib.by_department(out, plan, department="基础教育处")
    one = planlib.by_department(out, plan, department="学前教育处")
    assert set(one["department"]) == {"学前教育处"} and len(one) == 1
    with pytest.raises(planlib.PlanlibError, match="需要评估结果"):
        planlib.by_department(frame, plan)


def test_a_target_without_units_falls_back_to_its_task() -> None:
    plan = one_target_plan(
        Target("公办园在园幼儿占比", ">=", 56, "%", code="public_kindergarten_share"),
        lead=("发展规划处",),
        responsible=("学前教育处",),
    )
    out = planlib.assess(
        ind_rows("public_kindergarten_share", {CITY: 50.0}), plan, allocations=False
    )
    depts = planlib.by_department(out, plan)
    assert dict(zip(depts["department"], depts["role"], strict=True)) == {
        "发展规划处": "牵头",
        "学前教育处": "责任",
    }


# --- the sample city: the "done when" -----------------------------------------------------


@pytest.fixture(scope="module")
def city_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, planlib.Monitoring]:
    out = tmp_path_factory.mktemp("judged") / "city"
    planlib.make_sample(out, seed=2022, counties=12, schools_per_county=40)
    dataset = planlib.load_dataset(out)
    return {q: planlib.monitor(dataset, q) for q in ("2022Q2", "2022Q4")}


@pytest.mark.slow
def test_done_when_on_the_sample_city(city_runs: dict[str, planlib.Monitoring]) -> None:
    q2 = city_runs["2022Q2"].assessment.query("period == '2022Q2'")
    q4 = city_runs["2022Q4"].assessment.query("period == '2022Q4'")
    assert not (q2["progress"].isin(["正常", "超前"]) & (q2["status"] == "未达标")).any()
    assert (q2["progress"] != "").any()  # the flows do carry a pace before year end
    assert (q4["progress"] == "").all() and q4["expected_value"].isna().all()
    for frame in (q2, q4):
        county = frame[frame["level"] == "county"]
        assert (county["allocation_method"].fillna("") != "").all()
        stock = county[(county["kind"] == "total") & (county["temporal"] == "stock")]
        base = city_runs["2022Q2"].assessment.query("period == '2022Q1'")
        had = base.set_index(["org_code", "indicator"])["value"]
        at_start = had.reindex(pd.MultiIndex.from_frame(stock[["org_code", "indicator"]]))
        assert (stock["target"].to_numpy() >= at_start.to_numpy()).all()
        # the status agrees with the printed value: met exactly when the printed value is
        against = frame["expected_value"].where(
            frame["judged_against"] == "序时目标", frame["target"]
        )
        judged = frame[frame["status"] != "无数据"]
        at_least = judged["comparator"] == ">="
        met = judged["status"] == "达标"
        ok = judged["value_shown"] >= against[judged.index] - 1e-9
        assert (met[at_least] == ok[at_least]).all()
    depts = city_runs["2022Q2"]
    from planlib.reporting.context import build_context

    ctx = build_context(depts.dataset.path, "2022Q2")
    from planlib.reporting import content

    named = content.departments(ctx)
    leads = {u for t in depts.plan.tasks for u in t.lead_units}
    assert leads <= set(named) and "机关各处室" not in named
    with pytest.raises(planlib.PlanlibError, match=r"「基础教育处」；.*可用：.*学前教育处"):
        content.department_headline(ctx, "基础教育处")


# --- still needed (还需) --------------------------------------------------------------------------


def test_still_needed_counts_the_children_or_schools_to_add() -> None:
    """公办园 ≥ 56%: 966 of 1,760 children is 54.9%. The target itself needs 56% of 1,760 =
    985.6 → 986 children, so 还需 20 人 (not the 19 that would print 56.0%). 民办 ≤ 5%: 120 of 2,000 is 6.0%; to print 5.0% it must stay
    under 5.05% (101 would print 5.1%), so at most 100 pupils: 20 fewer. A total needs what is
    missing of its goal."""
    frame = pd.concat(
        [
            ind_rows("public_kindergarten_share", {CITY: 966 / 1760 * 100}, "2022Q4").assign(
                numerator=966.0, denominator=1760.0
            ),
            ind_rows("private_compulsory_share", {CITY: 6.0}, "2022Q4").assign(
                numerator=120.0, denominator=2000.0
            ),
            ind_rows("provincial_model_high_schools", {CITY: 27.0}, "2022Q4"),
        ]
    )
    plan = planlib.Plan(
        "测试计划",
        year=2022,
        tasks=(
            planlib.Task(
                1,
                1,
                "测试任务",
                targets=(
                    Target("公办园在园幼儿占比", ">=", 56, "%", code="public_kindergarten_share"),
                    Target("民办义务教育在校生占比", "<=", 5, "%", code="private_compulsory_share"),
                    Target(
                        "省级示范性高中", ">=", 30, "所", code="provincial_model_high_schools",
                        scope="total",
                    ),
                ),
            ),
        ),
    )  # fmt: skip
    out = planlib.assess(frame, plan, allocations=False).set_index("indicator")
    assert out.loc["public_kindergarten_share", ["still_needed", "still_needed_unit"]].tolist() == [
        20.0,
        "人",
    ]
    assert out.loc["private_compulsory_share", "still_needed"] == 20.0
    assert out.loc["provincial_model_high_schools", "still_needed"] == 3.0
    met = planlib.assess(
        ind_rows("public_kindergarten_share", {CITY: 60.0}, "2022Q4"),
        one_target_plan(Target("公办园", ">=", 56, "%", code="public_kindergarten_share")),
        allocations=False,
    )
    assert np.isnan(met["still_needed"].iloc[0])  # nothing to add once met


@pytest.mark.parametrize(
    ("numerator", "denominator", "needed"),
    [
        (37896, 37897, 1),  # 99.997% prints 100.0%: one child short
        (9795, 17500, 5),  # 55.971% prints 56.0%: 9,800 makes 56%
        (98443, 175946, 87),  # 55.951% prints 56.0%; 56% of 175,946 = 98,529.8 → 98,530
    ],
)
def test_a_rate_met_only_by_rounding_is_flagged_with_its_exact_shortfall(
    numerator, denominator, needed
) -> None:
    """Status follows the bulletin (the printed value reaches the target: 达标), but 还需 is the
    exact count to the target and ``met_by_rounding`` says the row is 达标 only as printed."""
    target = 100 if needed == 1 else 56
    code = "preschool_gross_enrolment_rate" if target == 100 else "public_kindergarten_share"
    frame = ind_rows(code, {CITY: numerator / denominator * 100}, "2022Q4").assign(
        numerator=float(numerator), denominator=float(denominator)
    )
    out = planlib.assess(
        frame, one_target_plan(Target("率", ">=", target, "%", code=code)), allocations=False
    )
    row = status_of(out, period="2022Q4")
    assert row["status"] == "达标" and bool(row["met_by_rounding"])
    assert row["still_needed"] == needed


def test_a_total_short_of_its_target_needs_whole_people_and_exact_money() -> None:
    """新增编制 1,342.4 of 1,500 (a count): 158 more (rounded up); 教育投入 215.957 of 216 亿元
    prints 215.96: still 0.043 亿元, exact."""
    posts = planlib.assess(
        ind_rows("new_teacher_posts", {CITY: 1342.4}, "2022Q4"),
        one_target_plan(Target("编制", ">=", 1500, "名", code="new_teacher_posts", scope="total")),
        allocations=False,
    )
    assert status_of(posts, period="2022Q4")["still_needed"] == 158
    money = planlib.assess(
        ind_rows("education_budget", {CITY: 215.957}, "2022Q4"),
        one_target_plan(Target("投入", ">=", 216, "亿元", code="education_budget", scope="total")),
        allocations=False,
    )
    row = status_of(money, period="2022Q4")
    assert row["still_needed"] == pytest.approx(0.043) and not bool(row["met_by_rounding"])


def test_an_allocation_file_can_give_a_flow_its_own_schedule(tmp_path) -> None:
    """智慧校园 built mostly in the second half: the file says 10% by Q2 (not 50%). 113 × 10% =
    11.3, published 11: the city's 12 is on schedule, where the even schedule (57) missed."""
    path = tmp_path / "alloc.csv"
    path.write_text(
        "county,indicator,target,q1,q2,q3\n"
        f"{CITY},new_smart_campuses,113,0%,10%,40%\n"
        f"{A},新建智慧校园,50,,,\n",
        encoding="utf-8",
    )
    alloc = planlib.load_allocations(path)
    assert alloc.loc[0, ["q1", "q2", "q3"]].tolist() == [0.0, 0.1, 0.4]
    plan = one_target_plan(
        Target("新建智慧校园", ">=", 113, "所", code="new_smart_campuses", scope="total")
    )
    out = planlib.assess(
        ind_rows("new_smart_campuses", {CITY: 12.0, A: 20.0}), plan, allocations=path
    )
    city, a = status_of(out), status_of(out, A)
    assert (city["expected_share"], city["expected_value"], city["status"]) == (0.1, 11.0, "达标")
    assert "本季度末应完成全年目标的10%" in city["allocation_method"]
    assert (a["expected_share"], a["expected_value"]) == (0.5, 25.0)  # no schedule: the even one
    assert "分解目标文件的安排" not in a["allocation_method"]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"county,indicator,target,q1,q2,q3\n{A},new_smart_campuses,50,30%,20%,60%\n",
        encoding="utf-8",
    )
    with pytest.raises(planlib.PlanlibError, match=r"bad.csv，第 2 行：各季度的序时进度应逐季不减"):
        planlib.load_allocations(bad)
