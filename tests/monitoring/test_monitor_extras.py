"""What monitor adds around assess: the allocation file's likely slips in ``run.problems``
(validate and the report appendix read them there), and the as-of quarter resolved once."""

from __future__ import annotations

from pathlib import Path

import planlib


def test_a_file_target_below_the_baseline_is_a_problem_of_the_run(
    small_sample: Path, tmp_path: Path
) -> None:
    first = planlib.monitor(small_sample, "2022Q1", allocations=False).assessment
    stock = first[
        (first["indicator"] == "provincial_model_high_schools") & (first["level"] == "county")
    ]
    county = stock.sort_values("value").iloc[-1]
    assert county["value"] >= 1, "the sample needs a county with a 示范高中"
    path = tmp_path / "alloc.csv"
    path.write_text(
        "county,indicator,target\n"
        f"{county['org_name']},省级示范性高中数,{int(county['value']) - 1}\n",
        encoding="utf-8",
    )
    run = planlib.monitor(small_sample, "2022Q2", allocations=path)
    slips = run.problems[run.problems["rule"] == "allocation_below_baseline"]
    assert len(slips) == 1
    slip = slips.iloc[0]
    assert (slip["file"], int(slip["row"]), slip["severity"]) == (str(path), 2, "warning")
    assert slip["org_code"] == county["org_code"] and "可能是分解文件填写有误" in slip["message"]
    mine = run.assessment[
        (run.assessment["org_code"] == county["org_code"])
        & (run.assessment["indicator"] == "provincial_model_high_schools")
        & (run.assessment["period"] == "2022Q2")
    ].iloc[0]
    assert mine["target"] == county["value"] - 1 and mine["target_source"] == "分解文件"
    assert run.as_of is not None and run.as_of.label == "2022年第二季度"
    assert run.year_to_date == ["2022Q1", "2022Q2"] and run.previous_period == "2022Q1"
