"""plan diff: what a reviewer sees when next year's plan arrives."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from cli_run import planlib_cli

import planlib
from planlib.plan.diff import COLUMNS, KINDS, match_tasks

FIXTURES = Path(__file__).parent / "fixtures" / "plans"


def _retarget(task: planlib.Task, index: int, **changes: object) -> planlib.Task:
    targets = list(task.targets)
    targets[index] = replace(targets[index], **changes)
    return replace(task, targets=tuple(targets))


@pytest.fixture(scope="module")
def next_year(plan: planlib.Plan) -> planlib.Plan:
    """The 2022 plan edited the way a 2023 plan differs: every kind of change once."""
    t1, t2, t3, t4, _t5 = plan.tasks
    t3 = _retarget(t3, 0, value=95.0)  # 学前三年毛入学率 93.5 → 95
    t3 = _retarget(t3, 6, value=4.0)  # 民办义务教育在校生规模 ≤5% → ≤4%
    t3 = _retarget(t3, 9, value=32.0, unit="个")  # 省级示范性高中 所 → 个
    t3 = replace(
        t3,
        title="全面完成年度各项发展目标",  # reworded, still the same task
        targets=(
            *(g for g in t3.targets if g.indicator != "新建智慧校园"),
            planlib.Target("普惠性幼儿园覆盖率", ">=", 2, "个百分点", change=True, source="x"),
        ),
    )
    t4 = _retarget(t4, 0, aspirational=False)  # 力争 dropped: a comparator change
    t4 = replace(t4, lead_units=("财务处", "组织人事处"), responsible_units=("审计室",))
    t2 = replace(t2, due="2023年6月底")  # a deadline written where there was none
    new_task = planlib.Task(1, 1, "加强党的全面领导", text="…", lead_units=("机关党委",))
    renumbered = [replace(t, number=t.number + 1) for t in (t1, t2, t3, t4)]
    return plan.replace(tasks=(new_task, *renumbered))  # task 5 dropped


def test_identical_plans_have_no_changes(plan: planlib.Plan) -> None:
    changes = planlib.diff_plans(plan, plan)
    assert changes.empty
    assert list(changes.columns) == list(COLUMNS)


def test_every_kind_of_change_once(plan: planlib.Plan, next_year: planlib.Plan) -> None:
    changes = planlib.diff_plans(plan, next_year)
    rows = set(changes[["kind", "task_id", "indicator", "old", "new"]].itertuples(index=False))
    assert rows == {
        ("任务新增", "1.1", "", "", "加强党的全面领导"),
        ("任务变更", "1.4", "", "全面完成年度发展目标", "全面完成年度各项发展目标"),
        ("目标提高", "1.4", "学前三年毛入学率", "不低于93.5%", "不低于95%"),
        ("目标降低", "1.4", "民办义务教育在校生规模", "不高于5%", "不高于4%"),
        ("单位变更", "1.4", "省级示范性高中", "不低于30所", "不低于32个"),
        ("目标删除", "1.4", "新建智慧校园", "不低于113所", ""),
        ("目标新增", "1.4", "普惠性幼儿园覆盖率", "", "提高2个百分点"),
        ("比较方式变更", "1.5", "一般公共预算教育投入", "不低于216亿元（力争）", "不低于216亿元"),
        (
            "部门变更",
            "1.5",
            "",
            "牵头：财务处；责任：组织人事处、审计室",
            "牵头：财务处、组织人事处；责任：审计室",
        ),
        ("时限变更", "1.3", "", "未写明", "2023年6月底"),
        ("任务删除", "1.5", "", "提升教育系统作风效能", ""),
    }
    assert set(changes["kind"]) == set(KINDS)
    # rows follow the new plan; the dropped task comes last, under its old id
    assert changes["kind"].iloc[0] == "任务新增" and changes["kind"].iloc[-1] == "任务删除"
    assert [str(d) for d in changes.dtypes] == ["str"] * len(COLUMNS)


def test_a_unit_change_is_one_row_even_when_the_comparison_changes_too(
    plan: planlib.Plan,
) -> None:
    t3 = _retarget(plan.task("1.3"), 0, unit="个百分点", value=2.0, change=True)
    changes = planlib.diff_plans(plan, plan.replace(tasks=(*plan.tasks[:2], t3, *plan.tasks[3:])))
    assert changes[["kind", "old", "new"]].values.tolist() == [
        ["单位变更", "不低于93.5%", "提高2个百分点"]
    ]


def test_renumbered_tasks_are_matched_by_title(plan: planlib.Plan, next_year: planlib.Plan) -> None:
    pairs = {(a.id if a else None, b.id if b else None) for a, b in match_tasks(plan, next_year)}
    assert pairs == {(None, "1.1"), ("1.1", "1.2"), ("1.2", "1.3"), ("1.3", "1.4"),
                     ("1.4", "1.5"), ("1.5", None)}  # fmt: skip


def test_targets_match_by_code_when_the_wording_changes(plan: planlib.Plan) -> None:
    t3 = _retarget(plan.task("1.3"), 0, indicator="学前三年毛入园率", value=94.0)
    changes = planlib.diff_plans(plan, plan.replace(tasks=(*plan.tasks[:2], t3, *plan.tasks[3:])))
    assert changes[["kind", "indicator"]].values.tolist() == [["目标提高", "学前三年毛入园率"]]


def test_targets_without_codes_match_by_name(plan: planlib.Plan) -> None:
    def uncoded(p: planlib.Plan) -> planlib.Plan:
        return p.replace(
            tasks=tuple(
                replace(t, targets=tuple(replace(g, code=None) for g in t.targets)) for t in p.tasks
            )
        )

    old = uncoded(plan)
    t3 = _retarget(old.task("1.3"), 0, indicator="学前三年毛入园率")
    new = old.replace(tasks=(*old.tasks[:2], t3, *old.tasks[3:]))
    kinds = planlib.diff_plans(old, new)[["kind", "indicator"]].values.tolist()
    assert kinds == [["目标删除", "学前三年毛入学率"], ["目标新增", "学前三年毛入园率"]]


def test_a_target_moved_to_another_task_is_not_added_and_dropped(plan: planlib.Plan) -> None:
    t3, t4 = plan.task("1.3"), plan.task("1.4")
    moved = replace(t3.targets[-1], value=120.0)  # 新建智慧校园, now under task 4 and raised
    new = plan.replace(
        tasks=(
            *plan.tasks[:2],
            replace(t3, targets=t3.targets[:-1]),
            replace(t4, targets=(*t4.targets, moved)),
            plan.tasks[4],
        )
    )
    changes = planlib.diff_plans(plan, new)
    assert changes[["kind", "task_id", "indicator"]].values.tolist() == [
        ["目标提高", "1.4", "新建智慧校园"]
    ]


def test_inputs_are_untouched(plan: planlib.Plan, next_year: planlib.Plan) -> None:
    before = (plan.targets_frame(), next_year.targets_frame())
    planlib.diff_plans(plan, next_year)
    pd.testing.assert_frame_equal(before[0], plan.targets_frame())
    pd.testing.assert_frame_equal(before[1], next_year.targets_frame())


def test_extracted_seed_differs_from_curated_plan_in_nothing_the_diff_reports(
    plan: planlib.Plan,
) -> None:
    extracted = planlib.extract_plan(FIXTURES / "seed_2022.txt").plan
    assert planlib.diff_plans(plan, extracted).empty


# --- the command ----------------------------------------------------------------------------------


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return planlib_cli("plan", *args, timeout=120)


@pytest.mark.slow
def test_plan_diff_command_table_and_json(
    plan: planlib.Plan, next_year: planlib.Plan, root: Path, tmp_path: Path
) -> None:
    old = root / "data" / "plans" / "2022.yaml"
    new = tmp_path / "2023.yaml"
    planlib.dump_plan(next_year, new)
    r = run("diff", str(old), str(new))
    assert r.returncode == 0, r.stderr
    for word in ("目标提高", "不低于95%", "任务删除", "部门变更", "时限变更", "11 处变化"):
        assert word in r.stdout
    r = run("diff", str(old), str(new), "--format", "json")
    assert r.returncode == 0, r.stderr
    records = json.loads(r.stdout)
    assert len(records) == 11 and set(records[0]) == set(COLUMNS)
    r = run("diff", str(old), str(old))
    assert r.returncode == 0 and "没有差异" in r.stdout


def test_plan_diff_command_errors(tmp_path: Path, root: Path) -> None:
    r = run("diff", str(tmp_path / "missing.yaml"), str(root / "data" / "plans" / "2022.yaml"))
    assert r.returncode == 1 and "文件不存在" in r.stderr and "Traceback" not in r.stderr
    r = run("diff", str(root / "data" / "plans" / "2022.yaml"))
    assert r.returncode == 2
