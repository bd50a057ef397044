"""Charts on a hand-made assessment frame in the ARCHITECTURE.md shape."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from planlib import charts
from planlib.charts import style

COUNTIES = [("330102", "上城区"), ("330105", "拱墅区"), ("330106", "西湖区")]
TARGETS = [
    ("1.3", "preschool_rate", "学前三年毛入园率", "%", 93.5, "higher"),
    ("1.3", "dropout_rate", "辍学率", "%", 0.5, "lower"),
    ("2.1", "smart_campus", "新建智慧校园数", "所", 18.0, "higher"),
]


def frame() -> pd.DataFrame:
    rows = []
    rng = np.random.default_rng(3)
    statuses = list(style.STATUSES)
    for code, name in COUNTIES:
        for q in range(1, 5):
            for k, (task, ind, iname, unit, target, direction) in enumerate(TARGETS):
                value = float(target * rng.uniform(0.7, 1.2))
                status = statuses[(k + q + int(code[-1])) % 4]
                rows.append(
                    {
                        "org_code": code, "org_name": name, "level": "county",
                        "parent_code": "330100", "period": f"2022Q{q}", "indicator": ind,
                        "indicator_name": iname, "value": np.nan if status == "无数据" else value,
                        "unit": unit, "direction": direction, "task_id": task, "target": target,
                        "status": status, "share_done": 0.25 * q if unit == "所" else np.nan,
                        "expected_share": 0.25 * q,
                    }
                )  # fmt: skip
    return pd.DataFrame(rows)


def render(fig: Figure) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.savefig(buf, format="png")
    return buf.getvalue()


def texts(fig: Figure) -> str:
    from matplotlib.text import Text

    return " ".join(t.get_text() for t in fig.findobj(Text) if isinstance(t, Text))


def test_bullet_chart_one_panel_per_target_and_a_status_legend() -> None:
    a = frame()
    rows = a[(a["org_code"] == "330102") & (a["period"] == "2022Q4")]
    fig = charts.bullet_chart(rows, "上城区")
    assert len(fig.axes) == len(TARGETS)
    words = texts(fig)
    assert "学前三年毛入园率" in words and "目标 93.5%" in words
    assert all(s in words for s in style.STATUSES)
    assert render(fig).startswith(b"\x89PNG")


def test_bullet_bar_colour_is_the_status_colour() -> None:
    a = frame()
    rows = a[(a["org_code"] == "330105") & (a["period"] == "2022Q2")].reset_index(drop=True)
    fig = charts.bullet_chart(rows)
    for ax, status, value in zip(fig.axes, rows["status"], rows["value"], strict=True):
        bars = ax.patches
        if np.isnan(value):
            assert len(bars) == 1  # the background only
        else:
            colour = bars[1].get_facecolor()
            from matplotlib.colors import to_rgba

            assert colour == pytest.approx(to_rgba(style.status_colour(status)))


def test_trend_chart_has_a_panel_per_target_with_quarters() -> None:
    a = frame()
    fig = charts.trend_chart(a[a["org_code"] == "330106"], columns=2)
    used = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    assert len(used) == len(TARGETS)
    assert [t.get_text() for t in used[0].get_xticklabels()] == [
        "一季",
        "二季",
        "三季",
        "四季",
    ]
    render(fig)


def test_heatmap_cells_follow_status_order() -> None:
    a = frame()
    rows = a[a["period"] == "2022Q4"]
    fig = charts.status_heatmap(rows, "状态")
    image = fig.axes[0].images[0].get_array()
    assert image is not None
    assert image.shape == (len(COUNTIES), len(TARGETS))
    first = rows[(rows["org_name"] == "上城区")]["status"].tolist()
    assert [style.STATUSES[int(v)] for v in image[0]] == first
    render(fig)


def test_ranking_respects_direction_and_highlights() -> None:
    a = frame()
    rows = a[(a["period"] == "2022Q1") & (a["indicator"] == "dropout_rate")].dropna(
        subset=["value"]
    )
    fig = charts.ranking_chart(rows, highlight=str(rows["org_code"].iloc[0]))
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    best = rows.sort_values("value")["org_name"].iloc[0]  # lower is better: smallest on top
    assert labels[-1] == best
    render(fig)


def test_share_done_chart_and_empty_inputs() -> None:
    a = frame()
    rows = a[(a["org_code"] == "330102") & (a["period"] == "2022Q2")]
    fig = charts.share_done_chart(rows)
    assert "按序时应完成的比例" in texts(fig)
    # one schedule tick per flow at its share due (50% at Q2), and the full target's line
    ticks = [ln.get_xdata()[0] for ln in fig.axes[0].lines if ln.get_linestyle() == "-"]
    assert ticks and all(round(x) == 50 for x in ticks)
    stock = rows.assign(temporal="stock")
    assert "没有" in texts(charts.share_done_chart(stock))  # a stock has no 序时 share
    for fn in (charts.bullet_chart, charts.trend_chart, charts.status_heatmap):
        assert "没有" in texts(fn(a.iloc[0:0]))  # type: ignore[operator]


@settings(max_examples=15, deadline=None)
@given(st.lists(st.sampled_from(list(style.STATUSES)), min_size=1, max_size=6))
def test_bullet_chart_draws_any_status_mix(statuses: list[str]) -> None:
    base = frame().iloc[: len(statuses)].copy()
    base["status"] = statuses
    fig = charts.bullet_chart(base)
    assert len(fig.axes) == len(statuses)


def test_ranking_of_a_total_is_by_each_units_own_target() -> None:
    """Counties with their own targets (4 of 8, 3 of 3, 1 of 2): ranked by 完成率, drawn as
    percentages against the schedule's 50% at Q2, never against one county's target."""
    rows = pd.DataFrame(
        {
            "org_code": ["1", "2", "3"],
            "org_name": ["甲区", "乙县", "丙市"],
            "value": [4.0, 3.0, 1.0],
            "target": [8.0, 3.0, 2.0],
            "share_done": [0.5, 1.0, 0.5],
            "expected_share": [0.5, 0.5, 0.5],
            "status": ["达标", "达标", "达标"],
            "kind": "total",
            "direction": "higher",
            "unit": "所",
            "indicator_name": "新建智慧校园数",
        }
    )
    fig = charts.ranking_chart(rows)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "乙县"  # 100% done ranks first although 甲区 built more
    widths = sorted(round(b.get_width()) for b in ax.patches)
    assert widths == [50, 50, 100]
    assert [round(x) for x in ax.lines[0].get_xdata()] == [50, 50]
    assert "完成率" in ax.get_title() and "完成率" in ax.get_xlabel()
    render(fig)
