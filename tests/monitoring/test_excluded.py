"""``ds.without(county)``: the rest of the city is judged against the city target less the
county's part (its allocation where the file has one, else its share of the registry's
schools), and the frame says so (issue 28)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_assessment import CITY, A, B, ind_rows, one_target_plan, status_of

import planlib
from planlib import Target
from planlib.monitoring.excluded import removed_units

BUDGET = Target("教育投入", ">=", 216, "亿元", code="education_budget", scope="total")


def test_the_city_total_loses_the_removed_countys_allocation() -> None:
    frame = ind_rows("education_budget", {CITY: 150.0, A: 150.0}, "2022Q4")
    alloc = pd.DataFrame(
        {"county": [A, B], "indicator": ["education_budget"] * 2, "target": [160.0, 56.0]}
    )
    excluded = pd.DataFrame({"code": [B], "name": ["乙县"], "school_share": [0.5]})
    out = planlib.assess(frame, one_target_plan(BUDGET), allocations=alloc, excluded=excluded)
    city = status_of(out, period="2022Q4")
    assert city["target"] == 160.0 and city["target_source"] == "全市目标减去排除单位"
    assert "乙县分解目标56亿元" in city["allocation_method"]
    assert out.attrs["excluded_units"] == {B: "乙县"}
    kept = planlib.assess(frame, one_target_plan(BUDGET), allocations=alloc)
    assert status_of(kept, period="2022Q4")["target"] == 216.0  # nothing removed: as planned


def test_without_an_allocation_the_part_is_the_school_share_and_rates_keep_their_target() -> None:
    frame = pd.concat(
        [
            ind_rows("education_budget", {CITY: 150.0, A: 150.0}, "2022Q4"),
            ind_rows("public_kindergarten_share", {CITY: 55.0, A: 55.0}, "2022Q4"),
        ],
        ignore_index=True,
    )
    plan = planlib.Plan(
        "测试计划",
        year=2022,
        tasks=(
            planlib.Task(
                1, 1, "任务",
                targets=(BUDGET, Target("公办园", ">=", 56, "%", code="public_kindergarten_share")),
            ),
        ),
    )  # fmt: skip
    excluded = pd.DataFrame({"code": [B], "name": ["乙县"], "school_share": [0.25]})
    out = planlib.assess(frame, plan, allocations=False, excluded=excluded)
    out = out[out["org_code"] == CITY].set_index("indicator")
    assert out.loc["education_budget", "target"] == pytest.approx(162.0)
    assert "按学校数占比25.0%" in out.loc["education_budget", "allocation_method"]
    assert out.loc["public_kindergarten_share", "target"] == 56.0


def test_monitor_finds_the_units_left_out_by_without(small_sample: Path) -> None:
    ds = planlib.load_dataset(small_sample)
    units = ds.org_units.units
    county = units[units["level"] == "county"].iloc[-1]
    less = ds.without(str(county["name"]))
    gone = removed_units(less)
    assert gone["code"].tolist() == [str(county["code"])]
    assert 0 < gone["school_share"].iloc[0] < 1
    assert removed_units(ds).empty
    run = planlib.monitor(less, "2022Q4")
    a = run.assessment
    city = a[(a["level"] == "city") & (a["period"] == "2022Q4")].set_index("indicator")
    full = planlib.monitor(ds, "2022Q4").assessment
    whole = full[(full["level"] == "city") & (full["period"] == "2022Q4")].set_index("indicator")
    shared = set(a.loc[a["level"] == "county", "indicator"])
    totals = [i for i in city.index if city.loc[i, "scope"] == "total" and i in shared]
    assert totals
    for i in totals:
        assert city.loc[i, "target"] < whole.loc[i, "target"]
        assert city.loc[i, "target_source"] == "全市目标减去排除单位"
    rates = [i for i in city.index if city.loc[i, "scope"] != "total"]
    for i in rates:
        assert city.loc[i, "target"] == whole.loc[i, "target"]
    assert run.assessment.attrs["excluded_units"] == {str(county["code"]): str(county["name"])}
