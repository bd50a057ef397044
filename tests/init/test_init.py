"""``planlib init`` from a plan document to a workspace every command reads, as a new user runs it."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from planlib.init.allocations import _split
from planlib.init.check import check_workspace
from planlib.init.create import CHECKLIST_NAME, init_workspace
from planlib.workspace import CONFIG_NAME, ENV_VAR, open_workspace

FIXTURES = Path(__file__).parent / "fixtures"
PLAN = FIXTURES / "prefecture_plan_2024.txt"


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """planlib in a new interpreter, in ``cwd``, with no workspace named in the environment."""
    env = {k: v for k, v in os.environ.items() if k != ENV_VAR}
    return subprocess.run(
        [sys.executable, "-m", "planlib", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=600,
    )  # fmt: skip


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("init")
    r = run("init", "ws", "--plan", PLAN, "--sample", cwd=root)
    assert r.returncode == 0, r.stderr
    assert "已建立工作区" in r.stdout
    return root / "ws"


def test_the_workspace_holds_what_every_command_reads(workspace: Path) -> None:
    for name in (CONFIG_NAME, "plan.yaml", "indicators.yaml", "dictionary.yaml",
                 "allocations.csv", "org_units.csv", "schools.csv", CHECKLIST_NAME):  # fmt: skip
        assert (workspace / name).is_file(), name
    assert any((workspace / "returns").rglob("*.xlsx"))
    ws = open_workspace(workspace)
    assert ws.year == 2024 and ws.issuer == "示范州教育体育局"
    assert not list(workspace.parent.glob(".ws.*"))  # no work folder left beside it


def test_every_target_has_an_indicator_of_the_workspace(workspace: Path) -> None:
    plan = yaml.safe_load((workspace / "plan.yaml").read_text(encoding="utf-8"))
    targets = [*plan.get("targets", []), *(t for task in plan["tasks"] for t in task["targets"])]
    assert len(targets) == 22
    catalog = yaml.safe_load((workspace / "indicators.yaml").read_text(encoding="utf-8"))
    entries = {e["code"]: e for e in catalog["indicators"]}
    assert all(t["code"] in entries for t in targets)
    assert {e["origin"] for e in entries.values()} <= {"library", "plan"}
    assert all(e["library_code"] == c for c, e in entries.items() if e["origin"] == "library")
    # the wording 普惠性幼儿园覆盖率 is the library's 普惠园在园幼儿占比: one indicator
    by_source = {t["source"]: t["code"] for t in targets}
    assert by_source["普惠性幼儿园覆盖率达到90%"] == "inclusive_kindergarten_share"
    assert by_source["一般公共预算教育支出力争达到12.5亿元"] == "education_budget"


def test_only_the_elements_the_plan_needs(workspace: Path) -> None:
    catalog = yaml.safe_load((workspace / "indicators.yaml").read_text(encoding="utf-8"))
    dictionary = yaml.safe_load((workspace / "dictionary.yaml").read_text(encoding="utf-8"))
    codes = {e["code"] for e in dictionary["elements"]}
    assert "smart_campus_built" not in codes  # the library has it; this plan does not target it
    assert "kg_enrol_total" in codes and "edu_budget" in codes
    assert len(catalog["indicators"]) == len({e["code"] for e in catalog["indicators"]})


def test_validate_assess_report_and_forms_run_inside_it(workspace: Path) -> None:
    r = run("validate", cwd=workspace)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr
    r = run("assess", "--period", "latest", "--format", "csv", "--level", "city", cwd=workspace)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 22
    statuses = {row["status"] for row in rows}
    assert statuses <= {"达标", "接近", "未达标"}  # every target judged, the change target too
    assert len(statuses) >= 2  # a mix, as a bureau's first year would show
    assert "单位为" not in r.stderr  # 下降1个百分点 on a rate in % is no unit mismatch
    r = run("forms", "--period", "latest", "--out", workspace.parent / "forms", cwd=workspace)
    assert r.returncode == 0, r.stderr
    assert len(list((workspace.parent / "forms").glob("*.xlsx"))) == 12


def test_named_from_elsewhere_with_workspace_or_environment(workspace: Path) -> None:
    outside = workspace.parent
    r = run("--workspace", workspace, "assess", "--format", "csv", "--level", "city", cwd=outside)
    assert r.returncode == 0, r.stderr
    r = run("assess", "--format", "csv", cwd=outside)
    assert (
        r.returncode == 2 and "planlib init" in r.stderr
    )  # no workspace here: says how to make one


def test_check_lists_what_is_left_to_settle(workspace: Path) -> None:
    found = check_workspace(open_workspace(workspace))
    plan_rows = found[found["topic"] == "本计划指标"]
    assert len(plan_rows) >= 1  # plan indicators wait for a person's word
    assert (found.loc[found["topic"] == "目标", "severity"] != "错误").all()


def test_an_allocation_that_does_not_add_up_is_named(tmp_path: Path) -> None:
    init_workspace(tmp_path / "ws", PLAN, sample=True)
    path = tmp_path / "ws" / "allocations.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    rows[1][4] = str(float(rows[1][4]) + 50)  # one county's figure raised: no longer adds up
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    found = check_workspace(open_workspace(tmp_path / "ws"))
    wrong = found[(found["topic"] == "分解目标") & (found["severity"] == "错误")]
    assert len(wrong) == 1 and "不等" in wrong["message"].iloc[0]


def test_a_template_without_figures_is_a_hint_not_an_error(tmp_path: Path) -> None:
    init_workspace(tmp_path / "ws", PLAN)  # no --sample: the bureau fills the figures in
    rows = list(csv.DictReader((tmp_path / "ws" / "allocations.csv").open(encoding="utf-8")))
    assert rows and all(r["target"] == "" for r in rows)
    assert not any((tmp_path / "ws" / "returns").iterdir())
    found = check_workspace(open_workspace(tmp_path / "ws"))
    alloc = found[found["topic"] == "分解目标"]
    assert (alloc["severity"] == "提示").all() and len(alloc) >= 1


@pytest.mark.parametrize("total", [1200.0, 6.0, 12.5, 4500.0])
def test_a_city_total_is_split_exactly(total: float) -> None:
    import numpy as np

    weights = np.array([240.0, 180.0, 301.0, 95.0, 260.0])
    for decimals in (0, 2) if total == int(total) else (1, 2):
        parts = _split(total, weights, decimals)
        assert round(parts.sum(), decimals) == total
        assert (parts >= 0).all()


def test_init_refuses_a_folder_with_other_files(tmp_path: Path) -> None:
    from planlib.errors import WorkspaceError

    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="不是空目录"):
        init_workspace(tmp_path / "mine", PLAN)
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.txt"]


def test_a_plan_without_a_year_asks_for_one(tmp_path: Path) -> None:
    from planlib.errors import WorkspaceError

    text = PLAN.read_text(encoding="utf-8").replace("2024年", "")
    (tmp_path / "plan.txt").write_text(text, encoding="utf-8")
    with pytest.raises(WorkspaceError, match="--year"):
        init_workspace(tmp_path / "ws", tmp_path / "plan.txt")
    result = init_workspace(tmp_path / "ws", tmp_path / "plan.txt", year=2025)
    assert result.workspace.year == 2025


def test_returns_of_another_year_are_not_judged_against_this_plan(workspace: Path) -> None:
    from planlib.resources import data_dir

    bundled = data_dir() / "plans" / "2022.yaml"  # a 2022 plan over the workspace's 2024 returns
    r = run("assess", "--plan", bundled, "--format", "csv", cwd=workspace)
    assert r.returncode == 1
    assert "2024" in r.stderr and "2022" in r.stderr and "Traceback" not in r.stderr
    r = run("assess", "--period", "all", "--format", "csv", "--level", "city", cwd=workspace)
    assert r.returncode == 0, r.stderr  # all: the plan year's quarters (last year's Q4 is a base)
    periods = {row["period"] for row in csv.DictReader(io.StringIO(r.stdout))}
    assert periods == {"2024Q1", "2024Q2", "2024Q3", "2024Q4"}
