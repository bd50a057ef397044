"""Plan-level targets (``Plan.goals``): read from a 主要目标 paragraph, kept in plan files as a
top-level ``targets`` list, shown by ``plan show`` and compared by ``plan diff``."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from cli_run import planlib_cli

import planlib
from planlib.plan.files import plan_from_dict, plan_to_dict

GOALS = Path(__file__).parent / "fixtures" / "plans" / "county_2024_main_goals.txt"
EXPECTED = [
    ("学前三年毛入园率", ">=", 92, "%"),
    ("普惠性幼儿园覆盖率", ">=", 90, "%"),
    ("九年义务教育巩固率", ">=", 98, "%"),
    ("高中阶段毛入学率", ">=", 94, "%"),
    ("举办全民健身赛事", ">=", 100, "场次"),
    ("新建社区健身设施", ">=", 20, "处"),
    ("经常参加体育锻炼人数比例", ">=", 40, "%"),
]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return planlib_cli("plan", *args, timeout=120)


def test_a_main_goals_paragraph_gives_plan_level_targets() -> None:
    result = planlib.extract_plan(GOALS)
    p = result.plan
    assert [(g.indicator, g.comparator, g.value, g.unit) for g in p.goals] == EXPECTED
    assert p.goals[0].code == "preschool_gross_enrolment_rate"
    # the tasks keep their own targets; none of the goals is in a task
    assert [t.id for t in p.tasks] == ["1.1", "1.2", "2.3"]
    assert len(p.targets) == 4
    # last year's figure in the preamble is no goal: it is reported
    said = [w.message for w in result.warnings]
    assert said == ["前言中的目标「学前三年毛入园率达到90.5%」不在任何编号任务内，未归入任务"]


@pytest.mark.parametrize(
    "body",
    [
        "一、主要目标\n1.学前三年毛入园率达到92%。\n2.举办全民健身赛事100场次。\n二、重点任务\n3.",
        "一、总体要求\n（一）指导思想。坚持立德树人。\n（二）主要目标。学前三年毛入园率达到92%，"
        "举办全民健身赛事100场次。\n二、重点任务\n（三）",
        "一、2024年工作目标\n全年学前三年毛入园率达到92%，举办全民健身赛事100场次。\n二、重点任务\n1.",
        "2024年主要目标：学前三年毛入园率达到92%，举办全民健身赛事100场次。\n一、重点任务\n1.",
    ],
    ids=["goal-section-items", "goal-item", "goal-section-intro", "goal-label"],
)
def test_every_way_of_writing_goals(body: str) -> None:
    text = "某县教育局2024年工作要点\n" + body + "推进改革。新建学校2所。（牵头科室：基教科）\n"
    p = planlib.extract_plan(text, codes=False).plan
    assert [(g.indicator, g.value, g.unit) for g in p.goals] == [
        ("学前三年毛入园率", 92, "%"),
        ("举办全民健身赛事", 100, "场次"),
    ]
    assert [t.title for t in p.tasks if t.title != "指导思想"] == ["推进改革"]
    assert [g.indicator for _, g in p.targets] == ["新建学校"]


def test_targets_after_the_first_task_are_never_goals() -> None:
    text = (
        "某县教育局2024年工作要点\n一、重点任务\n1.推进改革。新建学校2所。（牵头科室：基教科）\n"
        "二、主要目标\n学前三年毛入园率达到92%。\n"
    )
    result = planlib.extract_plan(text, codes=False)
    assert result.plan.goals == ()
    assert any("不在任何编号任务内" in w.message for w in result.warnings)


def test_goals_round_trip_through_plan_files(tmp_path: Path) -> None:
    p = planlib.extract_plan(GOALS).plan
    data = plan_to_dict(p)
    assert [g["indicator"] for g in data["targets"]] == [e[0] for e in EXPECTED]
    assert set(data["targets"][0]) == set(data["tasks"][0]["targets"][0])
    assert plan_from_dict(data) == p
    for suffix in (".yaml", ".json"):
        out = tmp_path / f"plan{suffix}"
        planlib.dump_plan(p, out)
        assert planlib.load_plan(out) == p


def test_the_bundled_plan_has_no_goals_and_loads_as_before(plan: planlib.Plan) -> None:
    assert plan.goals == () and len(plan.targets) == 16
    assert plan_to_dict(plan)["targets"] == []
    assert plan_from_dict(plan_to_dict(plan)) == plan


def test_a_bad_goal_names_its_key_path(tmp_path: Path) -> None:
    data = plan_to_dict(planlib.extract_plan(GOALS).plan)
    data["targets"][1]["comparator"] = "=>"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(planlib.PlanFileError, match=r"targets\[1\]\.comparator"):
        planlib.load_plan(path)


def test_goals_frame_has_one_row_per_goal() -> None:
    frame = planlib.extract_plan(GOALS).plan.goals_frame()
    assert list(frame["indicator"]) == [e[0] for e in EXPECTED]
    assert frame["value"].dtype == "float64"
    assert "task_id" not in frame


def test_diff_reports_changed_plan_level_targets() -> None:
    old = planlib.extract_plan(GOALS).plan
    goals = list(old.goals)
    goals[0] = replace(goals[0], value=93.0)
    goals[4] = replace(goals[4], value=80.0)
    del goals[5]
    goals.append(planlib.Target("学生体质健康优良率", ">=", 55, "%", source="x"))
    new = old.replace(goals=tuple(goals))
    changes = planlib.diff_plans(old, new)
    got = [tuple(r) for r in changes[["kind", "task_id", "task", "indicator"]].to_numpy()]
    assert got == [
        ("目标提高", "", "总体目标", "学前三年毛入园率"),
        ("目标降低", "", "总体目标", "举办全民健身赛事"),
        ("目标新增", "", "总体目标", "学生体质健康优良率"),
        ("目标删除", "", "总体目标", "新建社区健身设施"),
    ]
    assert changes.iloc[0]["old"] == "不低于92%" and changes.iloc[0]["new"] == "不低于93%"
    assert planlib.diff_plans(new, new).empty


def test_commands_show_extract_and_diff_goals(tmp_path: Path) -> None:
    r = cli("extract", str(GOALS), "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert [g["indicator"] for g in data["targets"]][:2] == [
        "学前三年毛入园率",
        "普惠性幼儿园覆盖率",
    ]
    assert data["targets"][0]["value"] == 92 and data["targets"][0]["unit"] == "%"
    assert "7 个总体目标" in r.stderr
    old = tmp_path / "old.json"
    old.write_text(r.stdout, encoding="utf-8")
    data["targets"][0]["value"] = 95
    new = tmp_path / "new.json"
    new.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    shown = cli("show", str(old), "--no-tasks")
    assert shown.returncode == 0, shown.stderr
    assert "总体目标 7 个" in shown.stdout and "举办全民健身赛事" in shown.stdout
    diffed = cli("diff", str(old), str(new), "--format", "json")
    assert diffed.returncode == 0, diffed.stderr
    assert json.loads(diffed.stdout) == [
        {
            "kind": "目标提高",
            "task_id": "",
            "task": "总体目标",
            "indicator": "学前三年毛入园率",
            "old": "不低于92%",
            "new": "不低于95%",
        }
    ]
