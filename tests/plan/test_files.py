"""Plan files: YAML/JSON round trip and an error with the file and key path for every problem."""

from __future__ import annotations

import copy

import pytest
import yaml

from planlib import PlanFileError, dump_plan, load_plan
from planlib.plan.files import plan_to_dict


@pytest.fixture()
def plan_dict(plan):
    return copy.deepcopy(plan_to_dict(plan))


def write(tmp_path, data, name="plan.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_round_trip(tmp_path, plan, suffix):
    path = tmp_path / f"plan{suffix}"
    dump_plan(plan, path)
    assert load_plan(path) == plan
    assert not list(tmp_path.glob(".*.tmp")), "no temporary file is left behind"


def test_bom_is_accepted(tmp_path, plan):
    path = tmp_path / "plan.yaml"
    dump_plan(plan, path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_plan(path) == plan


def break_comparator(d):
    d["tasks"][2]["targets"][0]["comparator"] = "=>"


def drop_value(d):
    del d["tasks"][2]["targets"][1]["value"]


def null_value(d):
    d["tasks"][2]["targets"][1]["value"] = None


def duplicate_task(d):
    d["tasks"][3]["number"] = 3


def unknown_unit(d):
    d["tasks"][3]["targets"][0]["unit"] = "亿"


def text_value(d):
    d["tasks"][3]["targets"][0]["value"] = "216亿"


def unknown_field(d):
    d["tasks"][0]["owner"] = "财务处"


def unknown_tag(d):
    d["tasks"][0]["tags"] = ["不存在的工程"]


def missing_title(d):
    del d["title"]


def bad_units(d):
    d["tasks"][1]["lead_units"] = "发展规划处"


@pytest.mark.parametrize(
    ("mutate", "key_path", "words"),
    [
        (break_comparator, "tasks[2].targets[0].comparator", "比较方式"),
        (drop_value, "tasks[2].targets[1].value", "缺少必填字段"),
        (null_value, "tasks[2].targets[1].value", "缺少必填字段"),
        (duplicate_task, "tasks[3].number", "重复"),
        (unknown_unit, "tasks[3].targets[0].unit", "单位"),
        (text_value, "tasks[3].targets[0].value", "数字"),
        (unknown_field, "tasks[0].owner", "未知的字段"),
        (unknown_tag, "tasks[0].tags[0]", "标签"),
        (missing_title, "title", "缺少"),
        (bad_units, "tasks[1].lead_units", "列表"),
    ],
)
def test_broken_plan_names_file_and_key(tmp_path, plan_dict, mutate, key_path, words):
    mutate(plan_dict)
    path = write(tmp_path, plan_dict)
    with pytest.raises(PlanFileError) as err:
        load_plan(path)
    assert err.value.key_path == key_path
    assert str(path) in str(err.value) and words in str(err.value)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("title: [unclosed\n", "YAML 格式错误"),
        ("title: a\ntitle: b\n", "重复"),
        ("", "为空"),
        ("- just\n- a list\n", "键值表"),
        ("\xff\xfe", "UTF-8"),
    ],
)
def test_unreadable_plan_files(tmp_path, content, words):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content.encode("latin-1") if content.startswith("\xff") else content.encode())
    with pytest.raises(PlanFileError, match=words):
        load_plan(path)


def test_yaml_error_gives_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("title: 计划\ntasks:\n  - section: 1\n    number: [1\n", encoding="utf-8")
    with pytest.raises(PlanFileError) as err:
        load_plan(path)
    assert "行" in err.value.key_path


def test_missing_file(tmp_path):
    with pytest.raises(PlanFileError, match="不存在"):
        load_plan(tmp_path / "nope.yaml")


def test_bad_json(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text('{"title": }', encoding="utf-8")
    with pytest.raises(PlanFileError, match="JSON"):
        load_plan(path)
