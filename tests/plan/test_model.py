"""The plan model validates when built, stays immutable and gives tidy frames."""

from __future__ import annotations

import dataclasses
import math

import pytest

from planlib import Plan, Section, Target, Task, Unit
from planlib.errors import ModelError
from planlib.plan.files import plan_from_dict, plan_to_dict


def target(**kw):
    base = dict(indicator="学前三年毛入学率", comparator=">=", value=93.5, unit="%")
    base.update(kw)
    return Target(**base)


def test_target_is_validated_and_frozen():
    t = target()
    assert t.value == 93.5 and isinstance(t.value, float)
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.value = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"comparator": "=>"}, "comparator"),
        ({"value": math.nan}, "value"),
        ({"value": math.inf}, "value"),
        ({"value": "93.5"}, "value"),
        ({"value": True}, "value"),
        ({"unit": "percent"}, "unit"),
        ({"indicator": "  "}, "indicator"),
        ({"scope": "county"}, "scope"),
        ({"approximate": True}, "approximate"),  # 左右 must use ~
        ({"comparator": "~"}, "approximate"),
    ],
)
def test_target_rejects_bad_fields(changes, key):
    with pytest.raises(ModelError) as err:
        target(**changes)
    assert err.value.key_path == key


def test_describe_reads_like_the_plan():
    assert target().describe() == "不低于93.5%"
    assert target(comparator="<=", value=5).describe() == "不高于5%"
    t = target(comparator="~", value=4000, unit="人", approximate=True, aspirational=True)
    assert t.describe() == "4000人左右（力争）"


def test_task_numbers_must_be_unique_within_a_section():
    s = (Section(1, "一"),)
    a = Task(section=1, number=1, title="甲")
    b = Task(section=1, number=1, title="乙")
    with pytest.raises(ModelError) as err:
        Plan(title="计划", sections=s, tasks=(a, b))
    assert err.value.key_path == "tasks[1].number"
    # the same number in another section is fine (numbering that restarts per section)
    Plan(
        title="计划",
        sections=(*s, Section(2, "二")),
        tasks=(a, Task(section=2, number=1, title="乙")),
    )


def test_task_section_must_exist_and_units_are_unique():
    with pytest.raises(ModelError, match="不在 sections"):
        Plan(
            title="计划",
            sections=(Section(1, "一"),),
            tasks=(Task(section=2, number=1, title="x"),),
        )
    with pytest.raises(ModelError, match="重复"):
        Task(section=1, number=1, title="x", lead_units=("财务处", "财务处"))


def test_unit_kinds_are_inferred():
    assert Unit("区域教育中心建设专班").kind == "专班"
    assert Unit("财务处").kind == "处室"
    assert Unit("电教馆").kind == "处室"
    assert Unit("机关各处室").kind == "单位"
    with pytest.raises(ModelError):
        Unit("财务处", kind="部门")


def test_plan_collects_units_from_tasks(plan):
    names = {u.name for u in plan.units}
    assert {"财务处", "组织人事处", "审计室", "区域教育中心建设专班"} <= names
    assert plan.units_frame().query("department == '财务处'")["role"].tolist() == ["牵头"]


def test_bundled_plan_has_five_tasks_and_sixteen_targets(plan):
    assert plan.year == 2022
    assert [t.id for t in plan.tasks] == ["1.1", "1.2", "1.3", "1.4", "1.5"]
    assert len(plan.targets) == 16
    assert len(plan.framework.projects) == 8 and len(plan.framework.reforms) == 8
    task = plan.task("1.4")
    assert task.lead_units == ("财务处",)
    assert task.responsible_units == ("组织人事处", "审计室")
    assert plan.task("1.1").lead_units == ()


def test_targets_frame_is_tidy(plan):
    frame = plan.targets_frame()
    assert len(frame) == 16
    assert frame["code"].is_unique and frame["code"].notna().all()
    row = frame.set_index("code").loc["private_compulsory_share"]
    assert (row["comparator"], row["value"], row["unit"]) == ("<=", 5.0, "%")
    row = frame.set_index("code").loc["teachers_recruited"]
    assert bool(row["aspirational"]) and bool(row["approximate"]) and row["comparator"] == "~"
    assert set(frame.loc[frame["unit"] != "%", "scope"]) == {"total"}
    tasks = plan.tasks_frame()
    assert tasks["n_targets"].tolist() == [0, 0, 13, 3, 0]


def test_every_target_source_is_found_in_its_task_text(plan):
    for task, t in plan.targets:
        assert t.source and t.source in task.text, t.source


def test_dict_round_trip_is_lossless(plan):
    again = plan_from_dict(plan_to_dict(plan))
    assert again == plan


def test_replace_returns_a_changed_copy(plan):
    renamed = plan.replace(title="另一个计划")
    assert renamed.title == "另一个计划" and plan.title != renamed.title
    with pytest.raises(ModelError):
        plan.replace(year=1800)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("%", True),
        ("个百分点", True),
        ("平方米", True),
        ("万平方米", True),
        ("台", True),
        ("万人次", True),
        ("亩", True),
        ("公里", True),
        ("km", True),
        ("所", True),
        ("亿", False),
        ("万", False),
        ("3所", False),
        ("一所", False),
        ("", False),
        ("建设一批高质量学校", False),
    ],
)
def test_a_unit_is_told_by_its_shape_not_a_list(text: str, ok: bool) -> None:
    from planlib.plan.model import is_unit

    assert is_unit(text) is ok
    if ok:
        assert Target("新增面积", ">=", 3.03, text).unit == text
    else:
        with pytest.raises(ModelError):
            Target("新增面积", ">=", 3.03, text)
