"""Assessment: targets per county, status by comparator, 力争/左右, progress, projection, roll-up."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import planlib
from planlib.errors import AllocationFileError
from planlib.monitoring.allocations import load_allocations
from planlib.monitoring.assessment import ASSESSMENT_EXTRA
from planlib.monitoring.indicators import INDICATOR_COLUMNS
from planlib.plan.model import Plan, Target, Task

CITY, A, B = "130100", "130102", "130104"
NAMES = {CITY: "示例市", A: "甲区", B: "乙县"}
DEFS = planlib.load_indicators()


def ind_rows(indicator: str, values: dict[str, float], period: str = "2022Q2") -> pd.DataFrame:
    """An indicators frame by hand: one row per org unit (city first) for one indicator."""
    d = DEFS[indicator]
    rows = [
        {
            "org_code": code,
            "org_name": NAMES[code],
            "level": "city" if code == CITY else "county",
            "parent_code": "" if code == CITY else CITY,
            "period": period,
            "indicator": indicator,
            "indicator_name": d.name,
            "value": float(v),
            "numerator": float(v),
            "denominator": np.nan,
            "unit": d.unit,
            "flag": "",
            "missing_reason": "" if not np.isnan(v) else "缺少数据：x",
            "basis": "",
            "kind": d.kind,
            "temporal": d.temporal,
            "direction": d.direction,
        }
        for code, v in values.items()
    ]
    return pd.DataFrame(rows, columns=INDICATOR_COLUMNS)


def one_target_plan(target: Target, lead=("发展规划处",), responsible=("财务处",)) -> Plan:
    task = Task(1, 1, "测试任务", lead_units=lead, responsible_units=responsible, targets=(target,))
    return Plan("测试计划", year=2022, tasks=(task,))


def status_of(frame: pd.DataFrame, org: str = CITY, period: str = "2022Q2") -> pd.Series:
    row = frame[(frame["org_code"] == org) & (frame["period"] == period)]
    assert len(row) == 1
    return row.iloc[0]


def test_columns_and_the_bundled_plan_assesses_every_target(plan, in_workspace_2022):
    defs = planlib.load_indicators()  # the 2022 workspace's: its plan's 16
    frames = [
        ind_rows(code, {CITY: 50.0, A: 40.0, B: 60.0})
        if defs[code].level == "county"
        else ind_rows(code, {CITY: 4.0})
        for code in defs.codes
    ]
    out = planlib.assess(pd.concat(frames, ignore_index=True), plan, allocations=False)
    assert list(out.columns) == [*INDICATOR_COLUMNS, *ASSESSMENT_EXTRA]
    assert set(out["indicator"]) == set(defs.codes)
    assert len(out) == 15 * 3 + 1
    assert out.attrs["warnings"] == []
    assert set(out["status"]) <= {"达标", "接近", "未达标", "无数据"}
    row = status_of(out[out["indicator"] == "teachers_recruited"])
    assert row["task_id"] == "1.4" and row["lead_units"] == "财务处" and bool(row["aspirational"])


@pytest.mark.parametrize(
    ("value", "status"),
    [(93.5, "达标"), (95.0, "达标"), (92.6, "接近"), (92.4, "未达标"), (np.nan, "无数据")],
)
def test_at_least_with_tolerance(value, status):
    plan = one_target_plan(
        Target("学前三年毛入学率", ">=", 93.5, "%", code="preschool_gross_enrolment_rate")
    )
    out = planlib.assess(
        ind_rows("preschool_gross_enrolment_rate", {CITY: value}), plan, allocations=False
    )
    row = status_of(out)
    assert row["status"] == status
    assert row["target"] == 93.5 and row["comparator"] == ">=" and row["tolerance"] == 1.0
    if not np.isnan(value):
        assert row["gap"] == pytest.approx(value - 93.5)


@pytest.mark.parametrize(
    ("value", "status"), [(4.0, "达标"), (5.0, "达标"), (5.4, "接近"), (6.0, "未达标")]
)
def test_lower_is_better_is_judged_the_right_way_round(value, status):
    plan = one_target_plan(
        Target("民办义务教育在校生规模", "<=", 5, "%", code="private_compulsory_share")
    )
    row = status_of(
        planlib.assess(ind_rows("private_compulsory_share", {CITY: value}), plan, allocations=False)
    )
    assert row["status"] == status
    assert row["direction"] == "lower"


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (4000, "达标"),
        (3800, "达标"),
        (4200, "达标"),
        (3700, "接近"),
        (4400, "接近"),
        (3000, "未达标"),
        (5000, "未达标"),
    ],
)
def test_about_target_is_a_band(value, status):
    # 力争补充师资4000人左右: ±5% (200) is met; 力争 widens 接近 to 2 × 5% of the target.
    plan = one_target_plan(
        Target(
            "补充师资",
            "~",
            4000,
            "人",
            code="teachers_recruited",
            aspirational=True,
            approximate=True,
            scope="total",
        )
    )
    out = planlib.assess(
        ind_rows("teachers_recruited", {CITY: value}, "2022Q4"), plan, allocations=False
    )
    assert status_of(out, period="2022Q4")["status"] == status


def test_aspirational_targets_get_more_slack_and_the_band_is_a_setting():
    hard = Target("一般公共预算教育投入", ">=", 216, "亿元", code="education_budget", scope="total")
    soft = Target(
        "一般公共预算教育投入",
        ">=",
        216,
        "亿元",
        code="education_budget",
        aspirational=True,
        scope="total",
    )
    frame = ind_rows("education_budget", {CITY: 200.0}, "2022Q4")  # 7.4% short; tolerance 3%
    assert (
        status_of(planlib.assess(frame, one_target_plan(hard), allocations=False), period="2022Q4")[
            "status"
        ]
        == "未达标"
    )
    assert (
        status_of(planlib.assess(frame, one_target_plan(soft), allocations=False), period="2022Q4")[
            "status"
        ]
        == "未达标"
    )
    wide = planlib.assess(
        frame, one_target_plan(soft), allocations=False, settings={"aspirational_slack": 3.0}
    )
    assert status_of(wide, period="2022Q4")["status"] == "接近"
    about = Target(
        "补充师资", "~", 4000, "人", code="teachers_recruited", approximate=True, scope="total"
    )
    narrow = planlib.assess(
        ind_rows("teachers_recruited", {CITY: 4150}, "2022Q4"), one_target_plan(about),
        allocations=False, settings={"approximate_band": 0.02},
    )  # fmt: skip
    assert status_of(narrow, period="2022Q4")["status"] == "接近"


def test_in_year_flow_progress_against_year_share_and_projection():
    plan = one_target_plan(
        Target("新建智慧校园", ">=", 113, "所", code="new_smart_campuses", scope="total")
    )
    frame = ind_rows("new_smart_campuses", {CITY: 60.0, A: 10.0, B: 30.0}, "2022Q2")
    out = planlib.assess(
        frame,
        plan,
        allocations=pd.DataFrame(
            {"county": [A, B], "indicator": ["新建智慧校园"] * 2, "target": [40, 73]}
        ),
    )
    city, a, b = status_of(out), status_of(out, A), status_of(out, B)
    assert city["expected_share"] == 0.5 and city["share_done"] == pytest.approx(60 / 113)
    # before year end a flow is judged against its schedule: 113 × 50% = 56.5, published as 57
    assert (city["expected_value"], city["judged_against"]) == (57.0, "序时目标")
    assert city["progress"] == "正常" and city["status"] == "达标"
    assert city["projection"] == pytest.approx(120.0) and "50%" in city["projection_method"]
    assert city["projected_status"] == "达标"
    # A: 10 of 40 at half the year (schedule 20, 接近 within 3% of it): behind
    assert (a["target"], a["expected_value"], a["status"], a["progress"]) == (
        40.0, 20.0, "未达标", "滞后"
    )  # fmt: skip
    assert (b["target"], b["share_done"]) == (73.0, pytest.approx(30 / 73))
    assert b["progress"] == "滞后" and b["status"] == "未达标"


def test_flow_pace_at_year_end_and_ahead_of_schedule():
    plan = one_target_plan(
        Target("新建智慧校园", ">=", 100, "所", code="new_smart_campuses", scope="total")
    )
    frame = pd.concat(
        [
            ind_rows("new_smart_campuses", {CITY: 60.0}, "2022Q2"),  # 60% at 50%: ahead
            ind_rows("new_smart_campuses", {CITY: 98.0}, "2022Q4"),
        ]
    )
    out = planlib.assess(frame, plan, allocations=False)
    q2, q4 = status_of(out, period="2022Q2"), status_of(out, period="2022Q4")
    assert (q2["status"], q2["progress"], q2["expected_value"]) == ("达标", "超前", 50.0)
    # at year end the full target decides and nothing about pace is left
    assert (q4["status"], q4["judged_against"], q4["progress"]) == ("接近", "全年目标", "")
    assert np.isnan(q4["expected_value"]) and np.isnan(q4["expected_share"])


def test_stock_projection_follows_the_trend_of_this_year():
    plan = one_target_plan(
        Target("学前三年毛入学率", ">=", 93.5, "%", code="preschool_gross_enrolment_rate")
    )
    frame = pd.concat(
        [
            ind_rows("preschool_gross_enrolment_rate", {CITY: v}, f"2022Q{q}")
            for q, v in ((1, 90.0), (2, 91.0), (3, 92.0))
        ]
    )
    out = planlib.assess(frame, plan, allocations=False)
    q3 = status_of(out, period="2022Q3")
    assert q3["projection"] == pytest.approx(93.0) and "3个季度" in q3["projection_method"]
    q1 = status_of(out, period="2022Q1")
    assert q1["projection"] == 90.0 and "沿用本期值" in q1["projection_method"]
    assert q3["progress"] == "" and np.isnan(q3["expected_share"])
    last = planlib.assess(frame, plan, allocations=False, settings={"projection": "last"})
    assert status_of(last, period="2022Q3")["projection"] == 92.0


def test_rates_hold_for_every_county_unless_allocated():
    plan = one_target_plan(
        Target("公办园在园幼儿占比", ">=", 56, "%", code="public_kindergarten_share")
    )
    frame = ind_rows("public_kindergarten_share", {CITY: 55.0, A: 50.0, B: 57.0})
    out = planlib.assess(
        frame,
        plan,
        allocations=pd.DataFrame(
            {"county": ["甲区"], "indicator": ["public_kindergarten_share"], "target": [48.0]}
        ),
    )
    assert status_of(out, B)["target"] == 56 and status_of(out, B)["target_source"] == "全市目标"
    assert status_of(out, A)["target"] == 48 and status_of(out, A)["status"] == "达标"
    assert status_of(out, A)["target_source"] == "分解文件"


def test_total_targets_share_out_with_a_stated_fallback_and_warn_when_they_do_not_add_up():
    plan = one_target_plan(
        Target("新建智慧校园", ">=", 113, "所", code="new_smart_campuses", scope="total")
    )
    frame = ind_rows("new_smart_campuses", {CITY: 60.0, A: 10.0, B: 30.0}, "2022Q4")
    even = planlib.assess(frame, plan, allocations=False)
    assert status_of(even, A, "2022Q4")["target"] == 56.5
    assert status_of(even, A, "2022Q4")["target_source"] == "按剩余目标平均分配"
    partial = planlib.assess(
        frame,
        plan,
        allocations=pd.DataFrame(
            {"county": [A], "indicator": ["new_smart_campuses"], "target": [40]}
        ),
    )
    assert status_of(partial, B, "2022Q4")["target"] == 73.0
    assert any("1 个县市区不在分解目标文件中" in w for w in partial.attrs["warnings"])
    wrong = planlib.assess(
        frame,
        plan,
        allocations=pd.DataFrame(
            {"county": [A, B], "indicator": ["new_smart_campuses"] * 2, "target": [40, 60]}
        ),
    )
    assert any("之和 100 与全市目标 113 不一致" in w for w in wrong.attrs["warnings"])


def test_allocation_file_reading_and_its_errors(tmp_path):
    good = tmp_path / "a.csv"
    good.write_text(
        "county,indicator,target\n130102,新建智慧校园,40\n乙县,new_smart_campuses,73\n",
        encoding="gb18030",
    )
    frame = load_allocations(good)
    assert list(frame["indicator"]) == ["new_smart_campuses"] * 2
    assert list(frame["county"]) == ["130102", "乙县"] and list(frame["row"]) == [2, 3]
    bad = tmp_path / "b.csv"
    bad.write_text("county,indicator,target\n130102,新建智慧校园,四十\n", encoding="utf-8")
    with pytest.raises(AllocationFileError, match="第 2 行，列「target」（值 四十）"):
        load_allocations(bad)
    bad.write_text("county,indicator,target\n130102,不存在的指标,4\n", encoding="utf-8")
    with pytest.raises(AllocationFileError, match="未知的指标"):
        load_allocations(bad)
    bad.write_text("county,target\n130102,4\n", encoding="utf-8")
    with pytest.raises(AllocationFileError, match="缺少列 indicator"):
        load_allocations(bad)
    bad.write_text(
        "county,indicator,target\n130102,新建智慧校园,4\n130102,new_smart_campuses,5\n",
        encoding="utf-8",
    )
    with pytest.raises(AllocationFileError, match="与第 2 行重复"):
        load_allocations(bad)


def test_bundled_allocations_add_up_to_the_plan(plan):
    frame = load_allocations(year=2022)
    totals = {t.code: t.value for _task, t in plan.targets if t.scope == "total"}
    assert not frame.empty
    for code, sub in frame.groupby("indicator"):
        assert code in totals
        assert sub["target"].sum() == pytest.approx(totals[code]), code


def test_change_targets_need_last_year():
    plan = one_target_plan(
        Target(
            "学前三年毛入学率",
            ">=",
            2,
            "个百分点",
            code="preschool_gross_enrolment_rate",
            change=True,
        )
    )
    this = ind_rows("preschool_gross_enrolment_rate", {CITY: 91.0}, "2022Q2")
    out = planlib.assess(this, plan, allocations=False)
    assert status_of(out)["status"] == "无数据" and "缺上年" in status_of(out)["target_source"]
    last = ind_rows("preschool_gross_enrolment_rate", {CITY: 88.0}, "2021Q4")
    out = planlib.assess(pd.concat([last, this]), plan, allocations=False)
    assert status_of(out)["target"] == 90.0 and status_of(out)["status"] == "达标"


def test_input_frame_is_not_mutated():
    plan = one_target_plan(
        Target("公办园在园幼儿占比", ">=", 56, "%", code="public_kindergarten_share")
    )
    frame = ind_rows("public_kindergarten_share", {CITY: 55.0, A: 50.0, B: 57.0})
    before = frame.copy()
    planlib.assess(frame, plan, allocations=False)
    pd.testing.assert_frame_equal(frame, before)


@settings(max_examples=25, deadline=None)
@given(
    st.randoms(use_true_random=False),
    st.lists(st.one_of(st.floats(0, 200), st.just(np.nan)), min_size=9, max_size=9),
)
@pytest.mark.slow
def test_assessment_is_invariant_to_row_order(rnd, values):
    plan = planlib.load_plan()
    frames = [
        ind_rows(code, {CITY: values[3 * i], A: values[3 * i + 1], B: values[3 * i + 2]})
        for i, code in enumerate(
            ["preschool_gross_enrolment_rate", "new_smart_campuses", "private_compulsory_share"]
        )
    ]
    frame = pd.concat(frames, ignore_index=True)
    order = list(range(len(frame)))
    rnd.shuffle(order)
    key = ["org_code", "period", "task_id", "indicator"]
    a = planlib.assess(frame, plan, allocations=False).sort_values(key).reset_index(drop=True)
    b = (
        planlib.assess(frame.iloc[order], plan, allocations=False)
        .sort_values(key)
        .reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(a, b)


def test_by_department_rolls_up_counties_per_target():
    plan = one_target_plan(
        Target("公办园在园幼儿占比", ">=", 56, "%", code="public_kindergarten_share"),
        lead=("学前教育处",),
        responsible=("发展规划处", "财务处"),
    )
    frame = ind_rows("public_kindergarten_share", {CITY: 55.0, A: 50.0, B: 57.0})
    dept = planlib.by_department(planlib.assess(frame, plan, allocations=False), plan)
    assert set(dept["department"]) == {"学前教育处", "发展规划处", "财务处"}
    lead = dept[dept["department"] == "学前教育处"].iloc[0]
    assert lead["role"] == "牵头" and lead["city_status"] == "接近"
    assert (lead["n_units"], lead["n_met"], lead["n_missed"]) == (2, 1, 1)
    assert lead["behind_units"] == "甲区"


def test_assess_command(tmp_path, monkeypatch):
    import io
    from types import SimpleNamespace

    from click.testing import CliRunner

    from planlib.cli import cli
    from planlib.monitoring import pipeline

    frames = [
        ind_rows(code, {CITY: 50.0, A: 40.0, B: 60.0})
        if DEFS[code].level == "county"
        else ind_rows(code, {CITY: 4.0})
        for code in DEFS.codes
    ]
    frame = pd.concat(frames, ignore_index=True)
    monkeypatch.setattr(pipeline, "compute_indicators", lambda dataset, **kw: frame)
    monkeypatch.setattr(pipeline, "task_status", lambda *a, **kw: pd.DataFrame())
    monkeypatch.setattr(pipeline, "check_ledger", lambda *a: [])
    monkeypatch.setattr(
        pipeline,
        "load_dataset",
        lambda data: SimpleNamespace(
            values=frame.assign(element="x"),
            periods=["2022Q1", "2022Q2"],
            problems=pd.DataFrame({"severity": pd.Series(dtype=str)}),
            ledger=pd.DataFrame(),
        ),
    )
    r = CliRunner().invoke(cli, ["assess", str(tmp_path), "--period", "2022Q2", "--format", "csv"])
    assert r.exit_code == 0, r.output
    out = pd.read_csv(io.StringIO(r.stdout), dtype={"org_code": str})
    for col in ("target", "comparator", "gap", "status", "progress", "projection"):
        assert col in out.columns
    assert len(out) == 46 and set(out["status"]) <= {"达标", "接近", "未达标", "无数据"}
    r = CliRunner().invoke(cli, ["assess", str(tmp_path), "--period", "2023Q1"])
    assert r.exit_code == 1 and "报告期 2023Q1 没有数据" in str(r.exception)


@pytest.mark.slow
def test_sample_city_end_to_end_with_the_bundled_allocations(plan, tmp_path_factory):
    out = tmp_path_factory.mktemp("city") / "data"
    planlib.make_sample(out, seed=2022, counties=12, schools_per_county=40)
    dataset = planlib.load_dataset(out)
    indicators = planlib.compute_indicators(dataset, periods=["2022Q1", "2022Q2"])
    result = planlib.assess(indicators, plan)
    assert result.attrs["warnings"] == []  # the allocations cover all 12 counties and add up
    q3 = result[result["period"] == "2022Q2"]
    county = q3[(q3["level"] == "county") & (q3["indicator"] == "new_smart_campuses")]
    assert set(county["target_source"]) == {"分解文件"} and county["target"].sum() == 113
    no_data = q3[q3["status"] == "无数据"]
    assert no_data["missing_reason"].str.startswith("分母为 0").all()
    assert (q3.loc[q3["temporal"] == "flow", "expected_share"] == 0.5).all()
    colours = planlib.task_status(plan, dataset.ledger, result, "2022Q2")
    assert len(colours) == 5 and set(colours["colour"]) <= {"green", "yellow", "red"}
    assert (colours["reporting_units"] != "").all()
    dept = planlib.by_department(q3, plan)
    # each department answers for its own targets: 办公室 leads task 1.3 and answers for none
    assert {"财务处", "学前教育处"} <= set(dept["department"]) and "办公室" not in set(
        dept["department"]
    )


@pytest.mark.slow
def test_commands_on_a_real_sample_folder(small_sample):
    import json

    from click.testing import CliRunner

    from planlib.cli import cli

    runner = CliRunner()
    r = runner.invoke(cli, ["assess", str(small_sample), "--period", "latest", "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert {x["period"] for x in rows} == {"2022Q4"}
    assert {"target", "comparator", "gap", "status"} <= set(rows[0])
    r = runner.invoke(cli, ["ledger", str(small_sample), "--period", "2022Q2", "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0].startswith("task_id,title") and len(r.stdout.splitlines()) == 6


def test_total_targets_above_the_city_are_the_sum_of_the_cities_below():
    plan = one_target_plan(
        Target("新建智慧校园", ">=", 113, "所", code="new_smart_campuses", scope="total")
    )
    base = ind_rows("new_smart_campuses", {CITY: 60.0, A: 10.0, B: 50.0}, "2022Q4")
    base.loc[base["org_code"] == CITY, "parent_code"] = "130000"
    other = base[base["org_code"] == CITY].assign(org_code="130200", org_name="另一市", value=200.0)
    prov = base[base["org_code"] == CITY].assign(
        org_code="130000", org_name="示例省", level="province", parent_code="000000", value=260.0
    )
    country = prov.assign(
        org_code="000000", org_name="全国", level="country", parent_code="", value=260.0
    )
    frame = pd.concat([base, other, prov, country], ignore_index=True)
    out = planlib.assess(frame, plan, allocations=False)
    by_org = out.set_index("org_code")
    assert by_org.loc["130200", "target"] == 113 and by_org.loc["130200", "status"] == "达标"
    assert (
        by_org.loc["130000", "target"] == 226
        and by_org.loc["130000", "target_source"] == "下级目标之和"
    )
    assert by_org.loc["000000", "target"] == 226 and by_org.loc["000000", "status"] == "达标"


def test_county_rows_describe_their_own_allocated_target():
    import planlib as _pl

    units = pd.DataFrame(
        {
            "code": ["100", "101"],
            "name": ["市", "甲县"],
            "type": ["市", "县"],
            "parent_code": ["", "100"],
        }
    )
    values = pd.DataFrame(
        {"org_code": ["101"], "period": ["2022Q4"], "element": ["edu_budget"], "value": [100000.0]}
    )
    ind = _pl.compute_indicators(values, org_units={"units": units, "schools": None})
    alloc = pd.DataFrame({"county": ["101"], "indicator": ["education_budget"], "target": [16.5]})
    res = _pl.assess(ind, _pl.load_plan(), allocations=alloc)
    county = res[(res["org_code"] == "101") & (res["indicator"] == "education_budget")].iloc[0]
    assert county["target"] == 16.5 and county["target_text"] == "不低于16.5亿元（力争）"
    city = res[(res["org_code"] == "100") & (res["indicator"] == "education_budget")].iloc[0]
    assert city["target_text"] == "不低于216亿元（力争）"


def test_plan_level_targets_are_assessed_beside_the_tasks_own():
    rate = "preschool_gross_enrolment_rate"
    task_target = Target(DEFS[rate].name, ">=", 90.0, "%", code=rate)
    goal = Target(DEFS[rate].name, ">=", 95.0, "%", code=rate, units=("学前教育处",))
    unknown = Target("社区教育参与率", ">=", 60.0, "%")
    base = one_target_plan(task_target)
    plan = Plan(base.title, year=2022, tasks=base.tasks, goals=(goal, unknown))
    out = planlib.assess(ind_rows(rate, {CITY: 93.0, A: 96.0, B: 91.0}), plan)
    goals = out[out["task_id"] == "总体目标"].set_index("org_code")
    assert goals["target"].tolist() == [95.0, 95.0, 95.0]
    assert goals.loc[CITY, "status"] == "未达标" and goals.loc[A, "status"] == "达标"
    assert goals.loc[CITY, "units"] == "学前教育处"
    tasks = out[out["task_id"] == "1.1"].set_index("org_code")
    assert tasks.loc[CITY, "status"] == "达标"  # the task's own 90% is judged apart
    assert "计划总体目标的目标「社区教育参与率」未对应任何指标定义，未评估" in out.attrs["warnings"]


def test_a_plan_level_target_belongs_to_the_departments_it_names():
    from planlib.monitoring.departments import department_names, target_units_frame

    rate = "preschool_gross_enrolment_rate"
    goal = Target(DEFS[rate].name, ">=", 95.0, "%", code=rate, units=("学前教育处",))
    base = one_target_plan(Target(DEFS[rate].name, ">=", 90.0, "%", code=rate))
    plan = Plan(base.title, year=2022, tasks=base.tasks, goals=(goal,))
    assert "学前教育处" in department_names(plan)
    own = target_units_frame(plan).query("department == '学前教育处'")
    assert own[["task_id", "indicator", "role"]].values.tolist() == [["总体目标", rate, "责任"]]
    out = planlib.by_department(
        planlib.assess(ind_rows(rate, {CITY: 93.0, A: 96.0, B: 91.0}), plan), plan, "学前教育处"
    )
    assert set(out["task_id"]) == {"总体目标"} and len(out)
