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


def test_since_is_the_start_of_the_unbroken_run_of_misses() -> None:
    a = _rows(
        {
            "A": ["未达标", "未达标", "未达标", "未达标"],  # behind all year
            "B": ["未达标", "达标", "未达标", "未达标"],  # met in Q2: since Q3
            "C": ["未达标", "未达标", "无数据", "未达标"],  # no data in Q3 breaks the run
            "D": ["未达标", "未达标", None, "未达标"],  # no row for Q3 breaks it too
            "E": ["未达标", "未达标", "未达标", "达标"],  # met now: not listed
        }
    )
    out = behind_since(a, "2022Q4").set_index("org_code")
    assert list(out.columns) == [c for c in BEHIND_COLUMNS if c != "org_code"]
    assert set(out.index) == {"A", "B", "C", "D"}
    assert out.loc["A", "since"] == "2022Q1" and out.loc["A", "quarters_behind"] == 4
    assert out.loc["B", "since"] == "2022Q3" and out.loc["B", "quarters_behind"] == 2
    assert out.loc["C", "since"] == "2022Q4" and out.loc["C", "quarters_behind"] == 1
    assert out.loc["D", "quarters_behind"] == 1


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
