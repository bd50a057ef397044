"""The public chart functions say what they wanted instead of failing inside matplotlib."""

from __future__ import annotations

from pathlib import Path

import pytest

import planlib
from planlib import charts


@pytest.fixture(scope="module")
def run(small_sample: Path) -> planlib.Monitoring:
    return planlib.monitor(small_sample, "all")


def test_an_indicator_frame_is_named_as_such(run: planlib.Monitoring) -> None:
    with pytest.raises(planlib.PlanlibError, match=r"这是指标表.*run\.assessment"):
        charts.status_heatmap(run.indicators)


def test_a_heatmap_of_four_quarters_asks_for_one(run: planlib.Monitoring) -> None:
    with pytest.raises(planlib.PlanlibError, match=r"含 4 个季度.*trend_chart"):
        charts.status_heatmap(run.select(period="all"))
    fig = charts.status_heatmap(run.select(period=run.period))
    assert fig.axes


def test_a_trend_of_two_counties_asks_for_one(run: planlib.Monitoring) -> None:
    names = list(run.dataset.org_units.counties()["name"][:2])
    with pytest.raises(planlib.PlanlibError, match="含 2 个单位"):
        charts.trend_chart(run.select(unit=names, period="all"))
    fig = charts.trend_chart(run.select(unit=names[0], period="all"))
    assert fig.axes


@pytest.mark.parametrize("wrong", [42, "2022Q4", None])
def test_not_a_frame_says_what_was_wanted(wrong: object) -> None:
    with pytest.raises(planlib.PlanlibError, match="需要评估结果表"):
        charts.ranking_chart(wrong)  # type: ignore[arg-type]
