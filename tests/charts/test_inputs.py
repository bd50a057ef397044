"""The public chart functions say what they wanted instead of failing inside matplotlib."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import planlib
from planlib import charts


@pytest.fixture(scope="module")
def run(small_sample: Path) -> planlib.Monitoring:
    return planlib.monitor(small_sample, "all")


def test_an_indicator_frame_is_named_as_such(run: planlib.Monitoring) -> None:
    with pytest.raises(planlib.PlanlibError, match=r"这是指标表.*run\.assessment"):
        charts.status_heatmap(run.indicators)


def _more_units(rows: pd.DataFrame, n: int) -> pd.DataFrame:
    """The rows of the first unit copied under ``n`` made-up unit names."""
    first = rows[rows["org_name"] == rows["org_name"].iloc[0]]
    copies = [first.assign(org_code=f"99{k:04d}", org_name=f"试验{k}区") for k in range(n)]
    return pd.concat(copies, ignore_index=True)


def _words(fig: object) -> list[str]:
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]  # type: ignore[attr-defined]


def test_a_heatmap_of_four_quarters_labels_each_quarter(run: planlib.Monitoring) -> None:
    """One unit over four quarters: a column per quarter, each headed by its quarter."""
    name = str(run.dataset.org_units.counties()["name"].iloc[0])
    rows = run.select(unit=name, period="all")
    periods = sorted(set(rows["period"].astype(str)))
    assert len(periods) == 4
    fig = charts.status_heatmap(rows)
    ax = fig.axes[0]
    heads = [t.get_text() for t in ax.get_xticklabels()]
    assert heads == ["一季", "二季", "三季", "四季"]
    targets = len(set(zip(rows["task_id"], rows["indicator"], strict=True)))
    marks = [w for w in _words(fig) if w[0] in "✓△×—" and ax in (fig.axes[0],)]
    assert len(marks) >= targets * 4  # every cell says its status


def test_a_heatmap_of_two_units_over_two_quarters_heads_both(run: planlib.Monitoring) -> None:
    names = list(run.dataset.org_units.counties()["name"][:2])
    rows = run.select(unit=names, period="all")
    rows = rows[rows["period"].astype(str).isin(sorted(set(rows["period"].astype(str)))[:2])]
    heads = [
        t.get_text().replace("\n", "")
        for t in charts.status_heatmap(rows).axes[0].get_xticklabels()
    ]
    assert len(heads) == 4 and all("·" in h for h in heads)
    assert {h.split("·")[0] for h in heads} == set(names)


def test_a_heatmap_of_every_county_in_every_quarter_asks_for_fewer(run: planlib.Monitoring) -> None:
    rows = _more_units(run.select(period="all"), 7)
    with pytest.raises(planlib.PlanlibError, match=r"4 个季度.*超过 24 列.*run\.select"):
        charts.status_heatmap(rows)
    fig = charts.status_heatmap(run.select(period=run.period))
    assert fig.axes


def test_a_trend_of_two_counties_draws_a_line_for_each(run: planlib.Monitoring) -> None:
    """Not one zig-zag through both: each panel has a line per county, and the legend names them."""

    names = list(run.dataset.org_units.counties()["name"][:2])
    rows = run.select(unit=names, period="all")
    fig = charts.trend_chart(rows)
    panels = len(set(zip(rows["task_id"], rows["indicator"], strict=True)))
    drawn = [ax for ax in fig.axes if ax.axison]
    assert len(drawn) == min(panels, 16)
    for ax in drawn:
        lines = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == 4]  # a point a quarter
        assert len(lines) == 2, ax.get_title()
        assert {tuple(ln.get_xdata()) for ln in lines} == {(0, 1, 2, 3)}  # never back and forth
        assert lines[0].get_linestyle() != lines[1].get_linestyle()  # apart on a grey print
    legend_names = {t.get_text() for lg in fig.legends for t in lg.get_texts()}
    assert set(names) <= legend_names


def test_a_trend_of_every_county_asks_for_fewer(run: planlib.Monitoring) -> None:
    with pytest.raises(planlib.PlanlibError, match=r"最多 6 个单位.*含 10 个单位"):
        charts.trend_chart(_more_units(run.select(period="all"), 10))


@pytest.mark.parametrize("wrong", [42, "2022Q4", None])
def test_not_a_frame_says_what_was_wanted(wrong: object) -> None:
    with pytest.raises(planlib.PlanlibError, match="需要评估结果表"):
        charts.ranking_chart(wrong)  # type: ignore[arg-type]
