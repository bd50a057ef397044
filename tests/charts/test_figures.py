"""Charts on hand-made assessment frames (ARCHITECTURE.md shape) and on a real sample city."""

from __future__ import annotations

import io
import itertools
import logging
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from PIL import Image

import planlib
from planlib import charts
from planlib.charts import style

COUNTIES = [("330102", "上城区"), ("330105", "拱墅区"), ("330106", "西湖区")]
TARGETS = [
    # task, indicator, name, unit, target, direction, kind, precision, words
    ("1.3", "preschool_rate", "学前三年毛入园率", "%", 93.5, "higher", "ratio", 1, "不低于93.5%"),
    ("1.3", "private_share", "民办义务教育在校生占比", "%", 5.0, "lower", "ratio", 1, "不高于5%"),
    ("2.1", "smart_campus", "新建智慧校园数", "所", 18.0, "higher", "total", 0, "不低于18所"),
    (
        "2.2",
        "spending",
        "一般公共预算教育投入",
        "亿元",
        26.5,
        "higher",
        "total",
        2,
        "不低于26.5亿元",
    ),
]


def frame() -> pd.DataFrame:
    rows = []
    rng = np.random.default_rng(3)
    statuses = list(style.STATUSES)
    for code, name in COUNTIES:
        for q in range(1, 5):
            for k, (task, ind, iname, unit, target, direction, kind, prec, words) in enumerate(
                TARGETS
            ):
                value = float(target * rng.uniform(0.7, 1.2))
                status = statuses[(k + q + int(code[-1])) % 4]
                value = np.nan if status == "无数据" else value
                flow = kind == "total" and q < 4
                rows.append(
                    {
                        "org_code": code, "org_name": name, "level": "county",
                        "parent_code": "330100", "period": f"2022Q{q}", "indicator": ind,
                        "indicator_name": iname, "value": value,
                        "value_shown": round(value, prec), "precision": prec, "unit": unit,
                        "direction": direction, "kind": kind, "task_id": task, "target": target,
                        "target_text": words, "status": status,
                        "temporal": "flow" if kind == "total" else "stock",
                        "share_done": value / target if kind == "total" else np.nan,
                        "expected_share": 0.25 * q if flow else np.nan,
                        "expected_value": target * 0.25 * q if flow else np.nan,
                        "judged_against": "序时目标" if flow else "全年目标",
                    }
                )  # fmt: skip
    return pd.DataFrame(rows)


PAD = 0.02  # reporting.html.figure_html saves with this pad around the ink


def render(fig: Figure) -> Image.Image:
    """The PNG a report embeds; any warning (a missing glyph above all) fails the test."""
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.savefig(
            buf, format="png", dpi=200, bbox_inches="tight", pad_inches=PAD
        )  # as reports do
    buf.seek(0)
    return Image.open(buf)


def texts(fig: Figure) -> list[Text]:
    return [t for t in fig.findobj(Text) if isinstance(t, Text) and t.get_text()]


def words(fig: Figure) -> str:
    return " ".join(t.get_text() for t in texts(fig))


def squeeze(text: str) -> str:
    return "".join(text.split())


def q(a: pd.DataFrame, period: str, **where: str) -> pd.DataFrame:
    rows = a[a["period"] == period]
    for column, value in where.items():
        rows = rows[rows[column] == value]
    return rows.reset_index(drop=True)


@pytest.fixture(scope="module")
def city(small_sample: Path) -> pd.DataFrame:
    """A real assessment at Q2 (flows judged on their 序时 share), all periods so far."""
    return planlib.monitor(small_sample, "2022Q2").assessment


@pytest.fixture(scope="module")
def every_chart(city: pd.DataFrame) -> dict[str, Figure]:
    """Each chart as a report draws it, from the real sample."""
    a = city
    kids = a[(a["period"] == "2022Q2") & (a["level"] == "county")]
    one = str(kids["org_code"].iloc[0])
    return {
        "heatmap": charts.status_heatmap(kids),
        "ranking_rate": charts.ranking_chart(kids[kids["kind"] != "total"].pipe(_first_target)),
        "ranking_total": charts.ranking_chart(kids[kids["kind"] == "total"].pipe(_first_target)),
        "bullet": charts.bullet_chart(kids[kids["org_code"] == one]),
        "trend": charts.trend_chart(a[a["org_code"] == one]),
        "share": charts.share_done_chart(a[(a["period"] == "2022Q2") & (a["level"] == "city")]),
    }


def _first_target(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[rows["indicator"] == rows["indicator"].iloc[0]]


def test_real_charts_print_within_a4_upright_and_without_glyph_warnings(
    every_chart: dict[str, Figure], caplog: pytest.LogCaptureFixture
) -> None:
    for name, fig in every_chart.items():
        with caplog.at_level(logging.WARNING, logger="matplotlib"):
            image = render(fig)
        assert not caplog.records, (name, caplog.records)
        assert fig.get_size_inches()[0] <= style.A4_WIDTH_IN
        # savefig crops to what is drawn: text spilling past the figure would widen the image
        widest = (style.A4_WIDTH_IN + 2 * PAD) * 200
        assert image.width <= widest + 1, name
        rotated = [t.get_text() for t in texts(fig) if t.get_rotation() != 0]
        assert not rotated, (name, rotated)


def test_real_charts_name_their_units(every_chart: dict[str, Figure]) -> None:
    figs = every_chart
    for name in ("ranking_rate", "ranking_total"):
        ax = figs[name].axes[0]
        assert "（" in ax.get_xlabel() and "本期值" in ax.get_xlabel()
        unit = ax.get_xlabel().split("（")[1].split("）")[0]
        assert unit and unit in ax.get_title()
    assert all("%" in ax.get_xlabel() for ax in figs["bullet"].axes if ax.get_xlabel())
    assert "%" in figs["share"].axes[0].get_xlabel()
    panels = [ax for ax in figs["trend"].axes if ax.axison]
    assert all(ax.get_title().rstrip().endswith("）") for ax in panels)


def test_heatmap_has_targets_as_rows_and_units_as_columns() -> None:
    rows = q(frame(), "2022Q4")
    fig = charts.status_heatmap(rows, "状态")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [t[2] for t in TARGETS]
    assert [t.get_text() for t in ax.get_xticklabels()] == [n for _, n in COUNTIES]
    grid = ax.collections[0].get_array()
    assert grid is not None
    grid = np.asarray(grid).reshape(len(TARGETS), len(COUNTIES))
    for j, (code, _) in enumerate(COUNTIES):
        column = rows[rows["org_code"] == code]["status"].tolist()
        assert [style.STATUSES[int(v)] for v in grid[:, j]] == column
    render(fig)


def test_heatmap_cells_carry_value_unit_and_mark_in_the_status_ink() -> None:
    rows = q(frame(), "2022Q4")
    fig = charts.status_heatmap(rows)
    cells = {squeeze(t.get_text()): t for t in fig.axes[0].texts}
    for r in rows.itertuples():
        value = style.value_text(r.value_shown, r.unit, r.precision)
        shown = style.status_mark(r.status) + ("" if value == "—" else value)
        assert shown in cells, shown
        assert to_rgba(cells[shown].get_color()) == to_rgba(style.status_ink(r.status))
    assert any(s.endswith("亿元") for s in cells) and any(s.endswith("所") for s in cells)


def _grid(n_targets: int, n_units: int, name: str = "城关区") -> pd.DataFrame:
    base = q(frame(), "2022Q4", org_code="330102").iloc[[0, 2]]
    rows = []
    for i in range(n_targets):
        for j in range(n_units):
            r = base.iloc[i % 2].copy()
            r["indicator"], r["indicator_name"] = f"x{i}", f"指标{i}" + "覆盖率" * (i % 3)
            r["org_code"], r["org_name"] = f"{j:04d}", f"{name}{j}"
            rows.append(r)
    return pd.DataFrame(rows)


def test_heatmap_height_follows_the_number_of_targets() -> None:
    heights = [charts.status_heatmap(_grid(n, 4)).get_size_inches()[1] for n in (1, 2, 8, 25)]
    assert heights == sorted(heights) and len(set(heights)) == 4
    assert heights[0] < 1.6  # one target is a strip, not a page
    assert heights[2] - heights[1] == pytest.approx(6 * (heights[1] - heights[0]), rel=0.01)


def test_heatmap_writes_many_unit_names_upright_one_character_a_line() -> None:
    wide = charts.status_heatmap(_grid(3, 25, "经济开发区"))
    heads = [t.get_text() for t in wide.axes[0].get_xticklabels()]
    assert len(heads) == 25
    assert all(all(len(line) == 1 for line in h.split("\n")) for h in heads)
    assert "".join(heads[0].split("\n")) == "经济开发区0"
    narrow = charts.status_heatmap(_grid(3, 3))
    assert all("\n" not in t.get_text() for t in narrow.axes[0].get_xticklabels())
    render(wide)


@settings(max_examples=8, deadline=None)
@given(st.integers(1, 25), st.integers(1, 25))
def test_heatmap_text_stays_inside_its_cells(n_targets: int, n_units: int) -> None:
    fig = charts.status_heatmap(_grid(n_targets, n_units))
    FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    ax = fig.axes[0]
    cell = ax.get_window_extent(renderer).width / n_units
    assert len(ax.get_yticklabels()) == n_targets
    for t in ax.texts:
        assert t.get_window_extent(renderer).width <= cell, t.get_text()
    assert all(t.get_rotation() == 0 for t in texts(fig))


def _total_ranking(judged: str = "全年目标") -> pd.DataFrame:
    """Counties with their own targets (4 of 8, 3 of 3, 1 of 2) for 新建智慧校园数."""
    return pd.DataFrame(
        {
            "org_code": ["1", "2", "3"],
            "org_name": ["甲区", "乙县", "丙市"],
            "value": [4.0, 3.0, 1.0],
            "target": [8.0, 3.0, 2.0],
            "share_done": [0.5, 1.0, 0.5],
            "expected_value": [4.0, 1.5, 1.0],
            "judged_against": judged,
            "status": ["未达标", "达标", "接近"],
            "kind": "total",
            "direction": "higher",
            "unit": "所",
            "precision": 0,
            "indicator_name": "新建智慧校园数",
        }
    )


def _ticks(ax: object, dashed: bool = False) -> dict[float, float]:
    """Short vertical target ticks: their y (bar) → x (value)."""
    out = {}
    for line in ax.lines:  # type: ignore[attr-defined]
        xs, ys = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
        if len(xs) == 2 and xs[0] == xs[1] and (line.get_linestyle() != "-") == dashed:
            out[round(float(ys.mean()), 3)] = float(xs[0])
    return out


def test_ranking_draws_each_units_own_target_on_its_own_bar() -> None:
    fig = charts.ranking_chart(_total_ranking())
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "乙县"  # 100% done ranks first although 甲区 built more
    targets = dict(zip(["甲区", "乙县", "丙市"], [8.0, 3.0, 2.0], strict=True))
    assert _ticks(ax) == {float(y): targets[n] for y, n in enumerate(labels)}
    widths = {n: b.get_width() for n, b in zip(labels, ax.patches, strict=True)}
    assert widths == {"甲区": 4.0, "乙县": 3.0, "丙市": 1.0}  # values in 所, not one scale
    assert "完成率" in ax.get_title() and "所" in ax.get_xlabel()
    assert {"×4所（完成50%）", "✓3所（完成100%）", "△1所（完成50%）"} <= {
        t.get_text() for t in ax.texts
    }
    render(fig)


def test_ranking_before_year_end_ticks_the_share_due_and_dashes_the_full_target() -> None:
    ax = charts.ranking_chart(_total_ranking("序时目标")).axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    due = {"甲区": 4.0, "乙县": 1.5, "丙市": 1.0}
    full = {"甲区": 8.0, "乙县": 3.0, "丙市": 2.0}
    assert _ticks(ax) == {float(y): due[n] for y, n in enumerate(labels)}
    assert _ticks(ax, dashed=True) == {float(y): full[n] for y, n in enumerate(labels)}


def test_ranking_bars_take_each_units_own_status_in_tone_and_texture() -> None:
    rows = _total_ranking()
    ax = charts.ranking_chart(rows).axes[0]
    by_name = dict(zip(rows["org_name"], rows["status"], strict=True))
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    for bar, tick in zip(bars, ax.get_yticklabels(), strict=True):
        status = by_name[tick.get_text()]
        assert bar.get_facecolor() == pytest.approx(to_rgba(style.status_colour(status)))
        assert (bar.get_hatch() or "") == style.status_hatch(status)
    assert any(bar.get_hatch() for bar in bars)  # 未达标 reads in grey by its stripes


def test_ranking_of_a_rate_starts_its_axis_near_the_values() -> None:
    a = frame()
    rows = q(a, "2022Q1", indicator="preschool_rate").assign(
        value=[80.2, 86.0, 92.9], value_shown=[80.2, 86.0, 92.9], status=["未达标", "接近", "达标"]
    )
    fig = charts.ranking_chart(rows)
    ax = fig.axes[0]
    left = ax.get_xlim()[0]
    assert 60 < left < 80.2  # below the smallest value, far above 0
    assert f"横轴从{style.value_text(left, '%', 2)}起" in ax.get_xlabel()
    assert next(line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == "-") == 93.5
    assert len(_ticks(ax)) <= 1  # one shared target: one line, not a tick per bar
    assert "目标不低于93.5%" in words(fig)
    render(fig)


def test_ranking_respects_direction_and_highlights() -> None:
    rows = q(frame(), "2022Q1", indicator="private_share").dropna(subset=["value"])
    fig = charts.ranking_chart(rows, highlight=str(rows["org_code"].iloc[0]))
    labels = [t.get_text().removeprefix("▶ ") for t in fig.axes[0].get_yticklabels()]
    assert labels[-1] == rows.sort_values("value")["org_name"].iloc[0]  # lower is better
    assert sum(t.get_text().startswith("▶") for t in fig.axes[0].get_yticklabels()) == 1
    render(fig)


def _bars(ax: object) -> list[Rectangle]:
    """The value bars (the status-coloured ones, not the 达标 band)."""
    return [
        p
        for p in ax.patches  # type: ignore[attr-defined]
        if isinstance(p, Rectangle)
        and p.get_facecolor() != pytest.approx(to_rgba(style.ZONE_COLOUR))
    ]


def test_bullet_rate_rows_share_one_percent_axis_and_totals_one_share_axis() -> None:
    rows = q(frame(), "2022Q4", org_code="330102")
    fig = charts.bullet_chart(rows, "上城区")
    rate_ax, total_ax = (ax for ax in fig.axes if ax.get_title(loc="left"))
    assert rate_ax.get_title(loc="left") == "比率类目标（%）"
    assert total_ax.get_title(loc="left") == "数量类目标（完成全年目标的比例）"
    rates, totals = rows[rows["kind"] == "ratio"], rows[rows["kind"] == "total"]
    assert sorted(b.get_width() for b in _bars(rate_ax)) == pytest.approx(
        sorted(rates["value_shown"].dropna())
    )
    assert sorted(b.get_width() for b in _bars(total_ax)) == pytest.approx(
        sorted(totals["share_done"].dropna() * 100)
    )
    assert "%" in rate_ax.get_xlabel() and "%" in total_ax.get_xlabel()
    for r in totals.dropna(subset=["value"]).itertuples():  # value and unit at the bar end
        assert any(t.get_text().startswith(style.status_mark(r.status) + style.value_text(
            r.value_shown, r.unit, r.precision)) for t in total_ax.texts)  # fmt: skip
    assert {"不低于93.5%", "不高于5%"} <= {t.get_text() for ax in fig.axes
                                          for t in ax.get_yticklabels()}  # fmt: skip
    render(fig)


def test_bullet_band_lies_below_a_cap_and_above_a_floor() -> None:
    rows = q(frame(), "2022Q4", org_code="330102", kind="ratio")
    ax = charts.bullet_chart(rows).axes[0]
    bands = [
        p
        for p in ax.patches
        if p.get_facecolor() == pytest.approx(to_rgba(style.ZONE_COLOUR))
        and isinstance(p, Rectangle)
    ]
    spans = sorted((round(b.get_x(), 3), round(b.get_x() + b.get_width(), 3)) for b in bands)
    assert spans[0] == (0.0, 5.0)  # 不高于5%: 达标 is left of the cap
    assert spans[1][0] == 93.5 and spans[1][1] > 93.5  # 不低于93.5%: right of the floor


def test_bullet_bar_colour_and_texture_are_the_status() -> None:
    rows = q(frame(), "2022Q2", org_code="330105", kind="ratio")
    ax = charts.bullet_chart(rows).axes[0]
    bars = _bars(ax)
    drawn = rows.dropna(subset=["value"])  # bars in row order, the first at the top
    for bar, status in zip(bars, drawn["status"], strict=True):
        assert bar.get_facecolor() == pytest.approx(to_rgba(style.status_colour(status)))
        assert (bar.get_hatch() or "") == style.status_hatch(status)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.sampled_from(list(style.STATUSES)), min_size=1, max_size=8))
def test_bullet_chart_draws_any_status_mix(statuses: list[str]) -> None:
    base = q(frame(), "2022Q4").iloc[: len(statuses)].copy()
    base["status"] = statuses
    fig = charts.bullet_chart(base)
    panels = [ax for ax in fig.axes if ax.get_title(loc="left")]
    assert len(panels) == base["kind"].nunique()
    assert sum(len(ax.get_yticklabels()) for ax in panels) == len(statuses)


def test_trend_panels_name_their_unit_and_do_not_force_zero() -> None:
    a = frame()
    fig = charts.trend_chart(a[a["org_code"] == "330106"], columns=2)
    used = [ax for ax in fig.axes if ax.axison]
    assert len(used) == len(TARGETS)
    heads = [squeeze(ax.get_title()) for ax in used]
    assert heads == [f"{t[2]}（{t[3]}）" for t in TARGETS]
    ticks = [t.get_text() for t in used[0].get_xticklabels()]
    assert ticks == ["一季", "二季", "三季", "四季"]
    assert used[0].get_ylim()[0] > 50  # 学前三年毛入园率 near 93.5%: the axis shows the changes
    render(fig)


def test_trend_ticks_a_flows_share_due_each_quarter() -> None:
    a = frame()
    fig = charts.trend_chart(a[(a["org_code"] == "330102") & (a["indicator"] == "smart_campus")])
    flat = {
        round(float(line.get_ydata()[0]), 3)
        for line in fig.axes[0].lines
        if len(line.get_xdata()) == 2 and line.get_linestyle() == "-"
    }
    assert flat == {18 * 0.25 * k for k in (1, 2, 3)}  # Q4 is judged on the full target


def test_share_done_chart_ticks_the_schedule_and_names_values() -> None:
    rows = q(frame(), "2022Q2", org_code="330102")
    fig = charts.share_done_chart(rows)
    ax = fig.axes[0]
    ticks = [ln.get_xdata()[0] for ln in ax.lines if ln.get_linestyle() == "-"]
    assert ticks and all(round(x) == 50 for x in ticks)  # 50% due at Q2
    assert [ln.get_xdata()[0] for ln in ax.lines if ln.get_linestyle() != "-"] == [100]
    assert "序时应完成" in words(fig) and "全年目标" in words(fig)
    assert "%" in ax.get_xlabel()
    assert any("所）" in t.get_text() for t in ax.texts)
    render(fig)


empty: list[Callable[[pd.DataFrame], Figure]] = [
    charts.bullet_chart,
    charts.trend_chart,
    charts.status_heatmap,
    charts.ranking_chart,
    charts.share_done_chart,
]


@pytest.mark.parametrize("chart", empty)
def test_empty_inputs_say_so(chart: Callable[[pd.DataFrame], Figure]) -> None:
    assert "没有" in words(chart(frame().iloc[0:0]))


def test_share_done_chart_leaves_stocks_out_before_year_end() -> None:
    stock = q(frame(), "2022Q2", org_code="330102").assign(temporal="stock")
    assert "没有" in words(charts.share_done_chart(stock))


def test_charts_never_touch_their_input() -> None:
    a = frame()
    before = a.copy()
    charts.status_heatmap(q(a, "2022Q2"))
    charts.ranking_chart(q(a, "2022Q2", indicator="smart_campus"))
    charts.bullet_chart(q(a, "2022Q2", org_code="330102"))
    pd.testing.assert_frame_equal(a, before)


def test_status_tones_stay_apart_in_a_greyscale_print(city: pd.DataFrame) -> None:
    kids = city[(city["period"] == "2022Q2") & (city["level"] == "county")]
    image = render(charts.status_heatmap(kids)).convert("L")
    grey = {
        s: np.mean(np.asarray(Image.new("RGB", (1, 1), style.status_colour(s)).convert("L")))
        for s in style.STATUSES
    }
    seen = set(np.unique(np.asarray(image)))
    shades = sorted(grey[s] for s in set(kids["status"]))
    assert all(b - a >= 25 for a, b in itertools.pairwise(shades))
    assert all(any(abs(int(v) - g) <= 2 for v in seen) for g in shades)  # cells print in them
