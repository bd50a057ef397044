"""Who is behind since when, and which schools are behind: on hand-made frames and a sample."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import planlib
from planlib.monitoring.behind import BEHIND_COLUMNS, behind_since, school_status


def _rows(statuses: dict[str, list[str | None]]) -> pd.DataFrame:
    """One target, one row per (unit, quarter) given; None leaves the quarter out."""
    rows = []
    for org, seq in statuses.items():
        for q, s in enumerate(seq, start=1):
            if s is None:
                continue
            rows.append(
                {"org_code": org, "org_name": org, "task_id": "1.3", "indicator": "x",
                 "indicator_name": "某率", "period": f"2022Q{q}", "status": s}
            )  # fmt: skip
    return pd.DataFrame(rows)


def test_since_is_the_start_of_the_run_of_misses() -> None:
    a = _rows(
        {
            "A": ["未达标", "未达标", "未达标", "未达标"],  # behind all year
            "B": ["未达标", "达标", "未达标", "未达标"],  # met in Q2: since Q3
            "C": ["未达标", "未达标", "无数据", "未达标"],  # no data in Q3 neither ends the run
            "D": ["未达标", "未达标", None, "未达标"],  # nor does a missing row
            "E": ["未达标", "未达标", "未达标", "达标"],  # met now: not listed
        }
    )
    out = behind_since(a, "2022Q4").set_index("org_code")
    assert list(out.columns) == [c for c in BEHIND_COLUMNS if c != "org_code"]
    assert set(out.index) == {"A", "B", "C", "D"}
    assert out.loc["A", "since"] == "2022Q1" and out.loc["A", "quarters_behind"] == 4
    assert out.loc["B", "since"] == "2022Q3" and out.loc["B", "quarters_behind"] == 2
    for org in ("C", "D"):
        assert (out.loc[org, "since"], out.loc[org, "quarters_behind"]) == ("2022Q1", 3)
        assert out.loc[org, "missing_periods"] == "2022Q3"
    assert out.loc["A", "missing_periods"] == ""


def test_a_missing_quarter_neither_starts_nor_ends_a_run() -> None:
    """Q1 met, Q2 no data, Q3 and Q4 missed: since Q3 (the gap before the run is not part of
    it); Q1 missed, Q2 and Q3 missing, Q4 missed: since Q1 with both gaps named."""
    a = _rows(
        {
            "F": ["达标", "无数据", "未达标", "未达标"],
            "G": ["未达标", None, "无数据", "未达标"],
        }
    )
    out = behind_since(a, "2022Q4").set_index("org_code")
    assert (out.loc["F", "since"], out.loc["F", "missing_periods"]) == ("2022Q3", "")
    assert (out.loc["G", "since"], out.loc["G", "quarters_behind"]) == ("2022Q1", 2)
    assert out.loc["G", "missing_periods"] == "2022Q2,2022Q3"


def test_near_units_are_on_the_list_with_their_status() -> None:
    """接近 is not done: a unit 接近 now is listed (with status 接近), and 接近 quarters continue
    a run of 未达标 ones; asked for 未达标 only, it is left out."""
    a = _rows({"H": ["未达标", "接近", "接近", "接近"], "I": ["达标", "达标", "达标", "接近"]})
    out = behind_since(a, "2022Q4").set_index("org_code")
    assert out["status"].to_dict() == {"H": "接近", "I": "接近"}
    assert out.loc["H", "since"] == "2022Q1" and out.loc["I", "since"] == "2022Q4"
    assert behind_since(a, "2022Q4", statuses=("未达标",)).empty


def test_since_reads_only_the_year_up_to_the_period() -> None:
    a = _rows({"A": ["未达标", "未达标", "未达标", "未达标"]})
    out = behind_since(a, "2022Q2")
    assert out["since"].tolist() == ["2022Q1"] and out["quarters_behind"].tolist() == [2]
    assert behind_since(a.iloc[0:0], "2022Q2").empty


def test_school_status_lists_each_school_a_target_counts_over(small_sample: Path) -> None:
    run = planlib.monitor(small_sample, "2022Q4")
    s = school_status(
        run.dataset.values,
        run.dataset.org_units.schools,
        run.assessment,
        run.definitions,
        run.settings,
        run.period,
    )
    assert not s.empty
    a = run.assessment[
        (run.assessment["period"] == "2022Q4") & (run.assessment["level"] == "county")
    ]
    for (county, ind), grp in s.groupby(["county_code", "indicator"]):
        row = a[(a["org_code"] == county) & (a["indicator"] == ind)].iloc[0]
        if row["kind"] == "ratio" and pd.notna(row["numerator"]):
            # the schools meeting it are the rate's numerator, the schools listed its denominator
            assert int(grp["meets"].sum()) == round(row["numerator"])
            assert len(grp) == round(row["denominator"])
    std = s[s["indicator"] == "standardized_school_coverage"]
    assert set(std["stage"]) <= {"小学", "初中", "九年一贯制"}  # the formula's filter
