"""``planlib.monitor``: the chain assembled once, and every entry point that must agree with it."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import planlib
from planlib.monitoring.pipeline import monitor

SETTINGS = ("population_basis=户籍", "high_school_age_band=15–18")


@pytest.fixture(scope="module")
def lower_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled plan with the 学前三年毛入学率 target lowered from 93.5% to 61.5%."""
    text = (planlib.data_dir() / "plans" / "2022.yaml").read_text(encoding="utf-8")
    assert text.count("value: 93.5,") == 1
    path = tmp_path_factory.mktemp("plan") / "lower.yaml"
    path.write_text(text.replace("value: 93.5,", "value: 61.5,"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def dataset(small_sample: Path) -> planlib.Dataset:
    return planlib.load_dataset(small_sample)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planlib", *args], capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
def test_monitor_is_the_chain_by_hand(small_sample: Path, plan: planlib.Plan) -> None:
    run = planlib.monitor(small_sample, "2022Q3")  # from the folder, as a user starts
    assert (run.period, run.selected, run.previous_period) == ("2022Q3", ["2022Q3"], "2022Q2")
    assert run.periods == ["2022Q1", "2022Q2", "2022Q3"]
    dataset = planlib.load_dataset(small_sample)
    # last year's quarters, where the data has them, project the flows by last year's pattern
    last_year = [p for p in dataset.periods if p.startswith("2021")]
    history = planlib.compute_indicators(dataset, periods=last_year) if last_year else None
    by_hand = planlib.assess(
        planlib.compute_indicators(dataset, periods=run.periods), plan, history=history
    ).reset_index(drop=True)
    pd.testing.assert_frame_equal(run.assessment.reset_index(drop=True), by_hand)
    tasks = planlib.task_status(plan, dataset.ledger, by_hand, "2022Q3")
    pd.testing.assert_frame_equal(run.tasks, tasks)
    # a loaded dataset is taken as it is
    again = planlib.monitor(run.dataset, "最新")
    assert again.dataset is run.dataset and again.period == "2022Q4"


def test_monitor_periods(dataset: planlib.Dataset) -> None:
    whole = planlib.monitor(dataset, "all")
    assert whole.selected == whole.periods == ["2022Q1", "2022Q2", "2022Q3", "2022Q4"]
    part = planlib.monitor(dataset, "2022Q1:2022Q2", year_to_date=False)
    assert part.period == "2022Q2" and part.periods == ["2022Q1", "2022Q2"]
    assert set(part.assessment["period"]) == {"2022Q1", "2022Q2"}
    with pytest.raises(planlib.PlanlibError, match=r"报告期 2023Q1 没有数据；已有：.*2022Q4"):
        planlib.monitor(dataset, "2023Q1")
    with pytest.raises(planlib.PlanlibError, match="无法识别的报告期「下季度」"):
        planlib.monitor(dataset, "下季度")


@pytest.mark.slow
def test_settings_and_plan_reach_every_output(
    small_sample: Path, dataset: planlib.Dataset, lower_plan: Path
) -> None:
    default = monitor(dataset, "2022Q4")
    changed = monitor(
        dataset,
        "2022Q4",
        plan=lower_plan,
        settings={"population_basis": "户籍", "high_school_age_band": "15–18"},
    )
    key = ["org_code", "period", "indicator"]
    a = default.assessment.set_index(key)
    b = changed.assessment.set_index(key)
    pre = b.xs("preschool_gross_enrolment_rate", level="indicator")
    assert (pre["target"] == 61.5).all()
    # 户籍 population changes the gross rates' values, not only their targets
    gross = ["preschool_gross_enrolment_rate", "high_school_gross_enrolment_rate"]
    same = (a["value"] == b["value"]) | (a["value"].isna() & b["value"].isna())
    differs = (~same).groupby(level="indicator").any()
    assert differs[gross].all() and not differs.drop(gross).any()
    # the report context is the same chain
    from planlib.reporting.context import build_context

    ctx = build_context(small_sample, "2022Q4", plan=lower_plan, settings=changed.settings)
    pd.testing.assert_frame_equal(
        ctx.assessment.reset_index(drop=True), changed.assessment.reset_index(drop=True)
    )
    assert "户籍人口" in ctx.meta["settings"] and "15–18岁" in ctx.meta["settings"]


@pytest.mark.slow
def test_assess_command_and_reports_agree(small_sample: Path, lower_plan: Path, tmp_path) -> None:
    """``planlib report --plan --set`` renders what ``planlib assess --plan --set`` prints."""
    opts = ["--plan", str(lower_plan), *[x for s in SETTINGS for x in ("--set", s)]]
    r = _cli("assess", str(small_sample), "--period", "2022Q4", "--format", "csv", *opts)
    assert r.returncode == 0, r.stderr
    printed = pd.read_csv(io.StringIO(r.stdout), dtype={"org_code": str})
    county = sorted(printed.loc[printed["level"] == "county", "org_code"])[0]
    row = printed[
        (printed["org_code"] == county) & (printed["indicator"] == "preschool_gross_enrolment_rate")
    ].iloc[0]
    assert row["target"] == 61.5

    from planlib.reporting.runner import run_reports

    outcome = run_reports(
        small_sample,
        tmp_path / "out",
        "2022Q4",
        county,
        "html",
        departments=False,
        plan=lower_plan,
        settings=dict(s.split("=") for s in SETTINGS),
    )
    assert outcome.exit_code == 0, outcome.failed
    html = (tmp_path / "out" / f"{county}.html").read_text(encoding="utf-8")
    assert "61.5%" in html and "户籍人口" in html
    assert f"{row['value']:.1f}%" in html


def test_report_command_passes_the_chain_options(
    small_sample: Path, lower_plan: Path, tmp_path, monkeypatch
) -> None:
    from click.testing import CliRunner

    from planlib.cli import cli
    from planlib.reporting import runner

    seen: dict = {}

    def fake(*args, **kwargs):
        seen.update(kwargs)
        raise runner.UsageError("停在这里")

    monkeypatch.setattr(runner, "run_reports", fake)
    args = [
        "report",
        "--data",
        str(small_sample),
        "--out",
        str(tmp_path),
        "--plan",
        str(lower_plan),
    ]
    args += ["--set", "population_basis=户籍", "--allocations", str(lower_plan)]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 2
    assert seen["plan"] == lower_plan and seen["allocations"] == lower_plan
    assert seen["settings"].population_basis == "户籍"
    # a bad setting is refused by the report command as by assess: exit 1, in Chinese
    r = _cli("report", "--data", str(small_sample), "--out", str(tmp_path), "--set", "颜色=红")
    assert r.returncode == 1 and "颜色" in r.stderr and "Traceback" not in r.stderr


def test_a_run_shows_itself_in_a_line_and_a_card(small_sample: Path) -> None:
    run = planlib.monitor(small_sample, "latest")
    text = repr(run)
    assert len(text) < 400 and "市教育局2022年工作要点" in text and "2022Q4" in text
    summary = run.summary()
    assert summary["目标"] == 16
    assert sum(summary[f"全市{s}"] for s in ("达标", "接近", "未达标", "无数据")) == 16
    html = run._repr_html_()
    assert "<table>" in html and "全市达标" in html and len(html) < 3000


def test_a_year_given_as_a_number_is_read_and_other_types_say_what_was_wanted(
    small_sample: Path,
) -> None:
    ds = planlib.load_dataset(small_sample)
    assert planlib.monitor(ds, 2022).period == "2022Q4"  # type: ignore[arg-type]
    with pytest.raises(planlib.PlanlibError, match="报告期应为文字"):
        planlib.monitor(ds, ["2022Q1"])  # type: ignore[arg-type]


def test_the_schools_behind_a_school_level_target(small_sample: Path) -> None:
    run = planlib.monitor(small_sample, "latest")
    county = run.dataset.org_units.counties()["name"].iloc[0]
    every = run.schools("标准化学校覆盖率", county, behind=False)  # the plan's own wording
    behind = run.schools("义务教育标准化学校覆盖率", county)
    assert len(every) > len(behind) > 0
    assert not behind["meets"].any() and set(behind["county_name"]) == {county}
    assert set(behind["stage"]) <= {"小学", "初中", "九年一贯制"}
    row = run.select("义务教育标准化学校覆盖率", county, run.period).iloc[0]
    assert len(every) - len(behind) == row["numerator"]  # the schools meeting it are the count


def test_assessing_an_assessment_says_what_was_wanted(small_sample: Path) -> None:
    run = planlib.monitor(small_sample, "latest")
    with pytest.raises(planlib.PlanlibError, match=r"已是评估结果.*run\.indicators"):
        planlib.assess(run.assessment, run.plan)


def test_a_selection_keeps_only_its_units_as_categories(small_sample: Path) -> None:
    run = planlib.monitor(small_sample, "latest")
    counties = list(run.dataset.org_units.counties()["name"][:2])
    rows = run.select("普惠园在园幼儿占比", counties, run.period)
    assert list(rows["org_name"].cat.categories) == counties  # a chart's legend: these two only
    assert rows.groupby("org_name", observed=False).size().to_dict() == {c: 1 for c in counties}


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("普惠园覆盖律", "普惠性幼儿园覆盖率"),
        ("学前三年毛入园律", "学前三年毛入园率"),
        ("巩固律", "巩固率"),
    ],
)
def test_a_slip_of_a_character_asks_for_the_indicator_meant(
    small_sample: Path, typed: str, meant: str
) -> None:
    run = planlib.monitor(small_sample, "latest")
    with pytest.raises(planlib.PlanlibError) as err:
        run.select(typed)
    message = str(err.value)
    assert f"是否是：{meant}（" in message and "可用" not in message  # one guess, no listing
