"""督办 items on a sample city with lapses made by hand (a county's Q3 return taken out, a
department's Q4 ledger row dropped): runs kept across the gap, 未报送 and 台账未报送 items,
deadlines, owners, follow-up and escalation by the rules."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

import planlib
from planlib.monitoring import supervision_items
from planlib.monitoring.supervision import (
    SUPERVISION_COLUMNS,
    SupervisionRules,
    items_at,
    next_return_deadline,
)
from planlib.periods import parse_period

STATUSES = {"未达标", "接近", "未报送", "台账未报送"}


@pytest.fixture(scope="module")
def lapses(small_sample: Path) -> dict[str, object]:
    """The small sample with its first county's Q3 return removed, and the first task's lead
    department's Q4 ledger row removed (the ledger names a person for each row)."""
    ds = planlib.load_dataset(small_sample)
    units = ds.org_units.units
    county = str(units.loc[units["level"] == "county", "code"].iloc[0])
    schools = set(ds.org_units.schools.loc[ds.org_units.schools["county_code"] == county, "code"])
    v = ds.values
    gone = v["org_code"].isin({county, *schools}) & (v["period"] == "2022Q3")
    ledger = ds.ledger.assign(person=lambda f: f["unit"].astype(str) + "联系人")
    plan = planlib.load_plan()
    task = next(t for t in plan.tasks if t.lead_units)
    unit = task.lead_units[0]
    dropped = (ledger["task_id"] == task.id) & (ledger["unit"] == unit)
    ledger = ledger[~(dropped & (ledger["period"] == "2022Q4"))].reset_index(drop=True)
    data = replace(ds, values=v[~gone].reset_index(drop=True), keys=None, ledger=ledger)
    return {
        "county": county,
        "task": task.id,
        "unit": unit,
        "q3": planlib.monitor(data, "2022Q3"),
        "q4": planlib.monitor(data, "2022Q4"),
    }


def test_columns_statuses_and_deadlines(lapses) -> None:
    out = supervision_items(lapses["q4"])
    assert list(out.columns) == SUPERVISION_COLUMNS and not out.empty
    open_ = out[out["follow_up"] != "已整改"]
    assert set(open_["status"]) <= STATUSES
    assert set(out["follow_up"]) <= {"新增", "未整改", "已整改"}
    assert out["deadline"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert (
        set(open_["escalation"]) <= {1, 2, 3}
        and (out.loc[out["follow_up"] == "已整改", "escalation"] == 0).all()
    )
    assert (open_["responsible_unit"].astype(str) != "").all()
    near = open_[open_["status"] == "接近"]
    assert not near.empty  # 接近 units are on the list too


def test_a_missed_return_is_an_item_and_does_not_reset_the_run(lapses) -> None:
    county = lapses["county"]
    q3 = supervision_items(lapses["q3"], org_code=county)
    ret = q3[q3["item_kind"] == "报表"]
    assert ret["status"].tolist() == ["未报送"] and ret["missing_periods"].tolist() == ["2022Q3"]
    assert ret["deadline"].tolist() == ["2023-01-10"]  # the Q4 return's, 10 days after year end
    q4 = supervision_items(lapses["q4"], org_code=county)
    targets = q4[(q4["item_kind"] == "指标") & (q4["follow_up"] != "已整改")]
    long = targets[targets["since"] < "2022Q3"]
    assert not long.empty  # behind since before the gap, not 「本季度起」
    assert long["missing_periods"].str.contains("2022Q3").all()
    assert (long["follow_up"] == "未整改").all() and (long["quarters_open"] >= 3).all()
    back = q4[q4["item_kind"] == "报表"]
    assert back["follow_up"].tolist() == ["已整改"] and back["status"].tolist() == ["已报送"]


def test_a_department_that_filed_no_ledger_row_is_an_item_with_its_person(lapses) -> None:
    out = supervision_items(lapses["q4"], department=lapses["unit"])
    ledger = out[out["item_kind"] == "台账"]
    assert ledger["task_id"].tolist() == [lapses["task"]]
    row = ledger.iloc[0]
    assert (row["status"], row["responsible_unit"]) == ("台账未报送", lapses["unit"])
    assert row["responsible_person"] == f"{lapses['unit']}联系人"
    assert row["follow_up"] == "新增" and row["escalation"] == 1
    for text in out["departments"]:
        assert lapses["unit"] in text.split("、")


def test_fixed_items_come_back_once_as_fixed(lapses) -> None:
    q4 = supervision_items(lapses["q4"])
    before = items_at(lapses["q4"], "2022Q3", SupervisionRules())
    keys = set(zip(before["item_kind"], before["org_code"].fillna(""), before["task_id"].fillna(""),
                   before["indicator"].fillna(""), strict=True))  # fmt: skip
    fixed = q4[q4["follow_up"] == "已整改"]
    for r in fixed.itertuples():
        assert (r.item_kind, r.org_code, r.task_id, r.indicator) in keys
        assert r.status in {"达标", "已报送"}
    new = q4[q4["follow_up"] == "新增"]
    for r in new.itertuples():
        assert (r.item_kind, r.org_code, r.task_id, r.indicator) not in keys


def test_escalation_follows_the_rules_a_bureau_sets(lapses) -> None:
    strict = SupervisionRules.from_config({"escalate_after": [1, 2], "levels": ["黄", "橙", "红"]})
    out = supervision_items(lapses["q4"], rules=strict)
    open_ = out[out["follow_up"] != "已整改"]
    assert (open_.loc[open_["quarters_open"] >= 2, "escalation"] == 3).all()
    assert set(open_["escalation_name"]) <= {"橙", "红"}
    default = SupervisionRules()
    assert [default.level(n) for n in (1, 2, 3, 4)] == [1, 2, 3, 3]
    with pytest.raises(planlib.PlanlibError, match="escalate_after"):
        SupervisionRules.from_config({"escalate_after": [3, 2]})
    with pytest.raises(planlib.PlanlibError, match="无法识别"):
        SupervisionRules.from_config({"escalate": [1, 2]})


def test_the_next_return_deadline_follows_the_period() -> None:
    rules = SupervisionRules()
    assert f"{next_return_deadline(parse_period('2022Q2'), rules):%Y-%m-%d}" == "2022-10-10"
    assert f"{next_return_deadline(parse_period('2022Q4'), rules):%Y-%m-%d}" == "2023-04-10"
    late = SupervisionRules(return_deadline_days=20)
    assert f"{next_return_deadline(parse_period('2022Q1'), late):%Y-%m-%d}" == "2022-07-20"


def test_a_plan_due_date_after_the_quarter_is_the_deadline(lapses) -> None:
    run = lapses["q3"]
    first = supervision_items(run)
    wanted = str(first.loc[first["item_kind"] == "指标", "task_id"].iloc[0])
    tasks = tuple(replace(t, due="2022年11月底前") if t.id == wanted else t for t in run.plan.tasks)
    out = supervision_items(replace(run, plan=replace(run.plan, tasks=tasks)))
    mine = out[(out["task_id"] == wanted) & (out["follow_up"] != "已整改")]
    assert not mine.empty and set(mine["deadline"]) == {"2022-11-30"}
    assert set(mine["deadline_source"]) == {"计划完成时间"}
    assert pd.notna(mine["responsible_unit"]).all()
