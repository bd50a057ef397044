"""The sample city carries last year's quarterly returns, so its flows are projected by last
year's quarterly pattern (上年同期进度) and land near this year's actual year-end."""

from __future__ import annotations

import pandas as pd
import pytest

import planlib
from planlib.returns.dataset import load_dataset


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("history") / "ws"
    planlib.make_sample(out, seed=5, counties=6, schools_per_county=30)
    return out


def test_sample_has_last_years_four_quarters(sample):
    ds = load_dataset(sample)
    assert [p for p in ds.periods if p.startswith("2021")] == [f"2021Q{q}" for q in range(1, 5)]
    assert sorted((sample / "returns").iterdir())[0].name == "2021Q1"
    # every county sent each quarter of last year, county sheet and schools alike
    assert len(list((sample / "returns" / "2021Q2").iterdir())) >= 6
    assert ds.problems[ds.problems["severity"] == "error"].empty


def _city(m: planlib.Monitoring, code: str) -> pd.Series:
    a = m.assessment
    rows = a[(a["indicator"] == code) & (a["level"] == "city") & (a["period"] == m.period)]
    return rows.iloc[0]


def test_half_year_spending_projected_by_last_years_pattern(sample):
    q2 = planlib.monitor(sample, "2022Q2")
    q4 = planlib.monitor(sample, "2022Q4")
    assert q4.period == "2022Q4"
    assert planlib.monitor(sample, "latest").period == "2022Q4"
    spending = _city(q2, "education_budget")
    assert spending["projection_method"].startswith("按上年同期进度外推")
    actual = _city(q4, "education_budget")["value"]
    assert abs(spending["projection"] / actual - 1) < 0.05
    # the linear doubling the pattern replaces is further off (spending is back-loaded)
    assert abs(2 * spending["value"] / actual - 1) > abs(spending["projection"] / actual - 1)
    # every unit's spending and teacher flows are projected the same way
    a = q2.assessment
    codes = ["education_budget", "new_teacher_posts", "teachers_recruited"]
    flows = a[(a["period"] == "2022Q2") & a["indicator"].isin(codes)]
    assert len(flows) >= 3 * 7
    assert (flows["projection_basis"] == "上年同期进度").all()


def test_all_stays_within_the_plan_year(sample):
    m = planlib.monitor(sample, "all")
    assert m.selected == [f"2022Q{q}" for q in range(1, 5)]
