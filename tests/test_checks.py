"""The likeliest slips of an analyst end in one Chinese sentence saying what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

import planlib
from planlib.checks import close_matches
from planlib.errors import UnknownNameError, UsageError


@pytest.fixture(scope="module")
def run(small_sample: Path) -> planlib.Monitoring:
    return planlib.monitor(small_sample, "2022Q4")


def test_close_matches_find_abbreviations_and_parts() -> None:
    names = ["学前三年毛入园率", "九年义务教育巩固率", "财务处", "高新区（990111）"]
    assert close_matches("学前入园", names) == ["学前三年毛入园率"]
    assert close_matches("巩固", names) == ["九年义务教育巩固率"]
    assert close_matches("财务", names) == ["财务处"]
    assert close_matches("高新", names) == ["高新区（990111）"]
    assert close_matches("人事", names) == []


def test_functions_given_the_wrong_thing_say_what_they_wanted(run: planlib.Monitoring) -> None:
    with pytest.raises(
        UsageError, match=r"assess\(\) 需要指标表.*而不是数据集.*compute_indicators"
    ):
        planlib.assess(run.dataset, run.plan)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match=r"而不是监测结果.*run\.indicators"):
        planlib.assess(run, run.plan)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match=r"需要计划.*load_plan"):
        planlib.assess(run.indicators, "data/plans/2022.yaml")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match=r"by_department\(\) 需要评估结果.*而不是指标表"):
        planlib.by_department(run.indicators, run.plan)
    with pytest.raises(UsageError, match=r"compute_indicators\(\) 需要数据集.*而不是计划"):
        planlib.compute_indicators(run.plan)
    with pytest.raises(UsageError, match=r"monitor\(\) 需要数据目录"):
        planlib.monitor(run.assessment)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match=r"task_status\(\) 需要计划"):
        planlib.task_status(run.assessment, None, None, "2022Q4")  # type: ignore[arg-type]
    # the plan may be left out (the workspace's), so the frame is what is checked and named
    with pytest.raises(UsageError, match=r"已是评估结果.*run\.indicators"):
        planlib.assess(run.assessment)
    with pytest.raises(UsageError, match=r"without\(\) 需要单位名称或代码.*float"):
        run.dataset.without(3.5)  # type: ignore[arg-type]


def test_unknown_names_list_the_closest(run: planlib.Monitoring) -> None:
    org = run.dataset.org_units
    county = org.counties().iloc[0]
    name, code = str(county["name"]), str(county["code"])
    assert org.code(name) == code and org.code(code) == code and org.name(code) == name
    with pytest.raises(UsageError, match=rf"需要单位代码；「{name}」是单位名称，代码为 {code}"):
        org.name(name)
    with pytest.raises(UnknownNameError, match=rf"是否是：{name}（{code}）"):
        org.code(name[:-1])
    with pytest.raises(UnknownNameError, match=r"没有指标「学前入园」；是否是：学前三年毛入园率"):
        run.definitions["学前入园"]
    with pytest.raises(KeyError):  # still a KeyError for code that looks names up
        run.definitions["no_such_indicator"]
    with pytest.raises(UnknownNameError, match=r"是否是：财务处？"):
        planlib.by_department(run.assessment, run.plan, "财务")


def test_select_takes_the_plans_wording_and_names(run: planlib.Monitoring) -> None:
    county = run.dataset.org_units.counties().iloc[0]
    rows = run.select("学前三年毛入学率", str(county["name"]), "all")  # the plan's wording
    assert set(rows["indicator"]) == {"preschool_gross_enrolment_rate"}
    assert set(rows["org_code"]) == {str(county["code"])}
    assert list(rows["period"]) == sorted(rows["period"])
    everyone = run.select("学前三年毛入园率", period="2022Q4")
    assert list(everyone["org_code"]) == sorted(everyone["org_code"])  # division-code order


def test_errors_for_takes_a_name_and_refuses_an_unknown_one(run: planlib.Monitoring) -> None:
    ds = run.dataset
    county = ds.org_units.counties().iloc[0]
    assert ds.errors_for(str(county["name"])).equals(ds.errors_for(str(county["code"])))
    with pytest.raises(UnknownNameError, match="是否是"):
        ds.errors_for(str(county["name"])[:-1])


def test_without_a_county_the_city_is_computed_over_the_others(run: planlib.Monitoring) -> None:
    ds = run.dataset
    county = str(ds.org_units.counties().iloc[0]["code"])
    rest = ds.without(county)
    as_number = ds.without(int(county))  # a code typed as a number is the same county
    assert as_number.values.equals(rest.values)
    assert county not in set(rest.org_units.units["code"])
    assert (
        not rest.values["org_code"]
        .isin(
            {
                county,
                *ds.org_units.schools.loc[ds.org_units.schools["county_code"] == county, "code"],
            }
        )
        .any()
    )
    city = ds.org_units.root()
    full = run.select("学前三年毛入园率", city, run.period).iloc[0]
    part = planlib.monitor(rest, run.period).select("学前三年毛入园率", city, run.period).iloc[0]
    others = run.select("学前三年毛入园率", period=run.period)
    others = others[(others["level"] == "county") & (others["org_code"] != county)]
    # a ratio of sums over the other counties, not the full city's value
    assert part["numerator"] == pytest.approx(others["numerator"].sum())
    assert part["denominator"] == pytest.approx(others["denominator"].sum())
    assert part["numerator"] != pytest.approx(full["numerator"])
