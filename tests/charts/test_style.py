"""The chart style: the bundled font is the one used, Chinese renders without warnings."""

from __future__ import annotations

import io
import itertools
import logging
import warnings

import matplotlib as mpl
import pytest
from matplotlib.colors import rgb_to_hsv, to_rgb
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont

from planlib.charts import style


def test_bundled_font_is_registered_and_found() -> None:
    family = style.register_font()
    assert family == style.FONT_NAME
    style.use()
    assert mpl.rcParams["font.family"] == ["DejaVu Sans", style.FONT_NAME]
    found = findfont(FontProperties(family=style.FONT_NAME), fallback_to_default=False)
    assert found == str(style.font_path())


def test_chinese_title_renders_without_warnings_or_log_messages(caplog) -> None:  # type: ignore[no-untyped-def]
    style.use()
    fig = Figure()
    ax = fig.add_subplot()
    ax.set_title("学前三年毛入园率（达标）")
    ax.set_xlabel("季度 −1")
    with warnings.catch_warnings(), caplog.at_level(logging.INFO, logger="matplotlib"):
        warnings.simplefilter("error")
        fig.savefig(io.BytesIO(), format="png")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_han_glyphs_come_from_the_bundled_font() -> None:
    from matplotlib.ft2font import FT2Font

    font = FT2Font(str(style.font_path()))
    for char in "达标接近未达标无数据城关区":
        assert font.get_char_index(ord(char)) != 0


def test_one_palette_for_every_status() -> None:
    assert list(style.STATUS_COLOURS) == list(style.STATUSES)
    assert len(set(style.STATUS_COLOURS.values())) == 4
    assert style.status_colour("奇怪") == style.STATUS_COLOURS["无数据"]


def _lightness(colour: str) -> float:
    """CIE L* of a #rrggbb colour: what a black-and-white printer keeps of it."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    y = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    return 116 * y ** (1 / 3) - 16 if y > 0.008856 else 903.3 * y


def test_status_tones_stay_apart_in_grey_and_carry_a_mark() -> None:
    tones = {s: _lightness(style.STATUS_COLOURS[s]) for s in style.STATUSES}
    ordered = sorted(tones.values())
    assert min(b - a for a, b in itertools.pairwise(ordered)) >= 12, tones
    marks = [style.status_mark(s) for s in style.STATUSES]
    assert len(set(marks)) == 4 and style.status_mark("奇怪") == "—"
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(style.font_path())).getBestCmap()
    assert all(ord(m) in cmap for m in marks)  # the bundled font draws every mark


def test_values_print_with_their_unit_at_their_precision() -> None:
    assert style.value_text(207.66, "亿元", 1) == "207.7亿元"
    assert style.value_text(12.0, "所", 0) == "12所"
    assert style.value_text(93.50, "%", 1) == "93.5%"
    assert style.value_text(23.4, "亿元", 2) == "23.4亿元"  # trailing zeros dropped
    assert style.value_text(1234.0, "人", 0) == "1,234人"
    assert style.value_text(-0.04, "%", 1) == "0%"
    for missing in (None, float("nan"), "n/a"):
        assert style.value_text(missing, "%") == "—"
    assert style.value_text(5.25, "%", float("nan")) == "5.2%"  # no precision: one decimal


def test_text_widths_are_measured_in_the_chart_fonts() -> None:
    assert style.text_width_em("城关区") == 3.0  # Han characters are one em in Noto Sans SC
    digits = style.text_width_em("0000")
    assert 2.0 < digits < 3.0
    assert style.text_width_em("✓ 93.5%") > style.text_width_em("93.5%")


def test_bars_carry_status_as_tone_and_texture() -> None:
    kw = {s: style.bar_style(s) for s in style.STATUSES}
    assert [kw[s]["facecolor"] for s in style.STATUSES] == list(style.STATUS_COLOURS.values())
    assert kw["未达标"]["hatch"] and not kw["达标"]["hatch"] and not kw["接近"]["hatch"]
    assert kw["无数据"]["hatch"]  # near white: told apart by its texture, not its tone
    assert kw["未达标"]["hatchcolor"] == style.HATCH_COLOURS["未达标"]
    patches = style.status_patches(style.STATUSES)
    assert [p.get_label() for p in patches] == ["✓达标", "△接近", "×未达标", "—无数据"]
    assert not any(p.get_hatch() for p in style.status_patches(style.STATUSES, hatch=False))
    points = style.status_points(["达标", "接近", "未达标"])
    assert len({p.get_marker() for p in points}) == 3  # shapes tell them apart without colour


def test_a_rate_axis_starts_near_its_values_when_they_sit_far_from_zero() -> None:
    import numpy as np

    start = style.axis_start(np.array([80.2, 86.0, 92.9]), np.array([93.5]))
    assert 70 <= start < 80.2 and start == round(start)
    assert style.axis_start(np.array([99.6, 99.9]), np.array([100.0])) < 99.6
    assert style.axis_start(np.array([2.3, 8.9]), np.array([5.0])) == 0  # near 0 anyway
    assert style.axis_start(np.array([np.nan]), np.array([np.nan])) == 0


def test_wrapped_labels_keep_brackets_whole() -> None:
    assert style.wrap("适龄残疾儿童少年入学（安置）率", 12) == "适龄残疾儿童少年入学\n（安置）率"
    assert style.wrap("辍学率", 12) == "辍学率"


def test_charts_leave_the_callers_settings_alone() -> None:
    """A planlib chart draws in its own style and changes nothing in matplotlib's settings."""
    import pandas as pd

    from planlib import charts

    rows = pd.DataFrame(
        {
            "org_code": ["1", "2"], "org_name": ["城关区", "高新区"], "period": "2022Q4",
            "task_id": "1.3", "indicator": "x", "indicator_name": "学前三年毛入园率",
            "value": [95.0, 90.0], "unit": "%", "direction": "higher", "kind": "ratio",
            "target": 93.5, "status": ["达标", "未达标"], "target_text": "不低于93.5%",
        }
    )  # fmt: skip
    with mpl.rc_context({"font.size": 13.0, "font.family": ["serif"]}):
        before = dict(mpl.rcParams)
        fig = charts.ranking_chart(rows)
        after = dict(mpl.rcParams)
        buf = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # the labels still find the Chinese font when saved
            fig.savefig(buf, format="png")
    assert after == before
    labels = [t for ax in fig.axes for t in ax.get_yticklabels() if t.get_text()]
    assert labels and all(style.FONT_NAME in t.get_fontfamily() for t in labels)


def test_import_planlib_gives_plain_seaborn_chinese(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """In a fresh interpreter: import planlib, then plain seaborn draws Chinese without a single
    glyph warning; planlib.style.use() brings it back after sns.set_theme()."""
    import subprocess
    import sys

    script = """
import io, warnings
import planlib
import matplotlib
matplotlib.use("Agg")
import seaborn as sns, matplotlib.pyplot as plt, pandas as pd
warnings.simplefilter("error")
df = pd.DataFrame({"县": ["城关区", "高新区"], "值": [1, 2]})
ax = sns.barplot(df, x="县", y="值"); ax.set_title("学前三年毛入园率")
plt.gcf().savefig(io.BytesIO(), format="png")
sns.set_theme()
planlib.style.use()
fig, ax = plt.subplots(); sns.barplot(df, x="县", y="值", ax=ax)
fig.savefig(io.BytesIO(), format="png")
print("ok")
"""
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]


def _relative_luminance(colour: str) -> float:
    r, g, b = (to_rgb(colour)[k] for k in range(3))

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def _luma(colour: str, weights: tuple[float, float, float]) -> float:
    return sum(w * c * 255 for w, c in zip(weights, to_rgb(colour), strict=True))


@pytest.mark.parametrize(
    "weights", [(0.299, 0.587, 0.114), (0.2126, 0.7152, 0.0722)], ids=["rec601", "rec709"]
)
def test_the_worse_the_status_the_darker_it_prints(weights: tuple[float, float, float]) -> None:
    """Printers turn colour into grey by Rec. 601 or 709 luma: 达标 → 接近 → 未达标 must get
    strictly darker, far enough apart to tell on a worn printer, and the ledger's 绿/黄/红 too."""
    grey = [_luma(style.status_colour(s), weights) for s in ("达标", "接近", "未达标")]
    assert grey[0] - grey[1] >= 30 and grey[1] - grey[2] >= 30, grey
    tasks = [_luma(style.TASK_COLOURS[c], weights) for c in ("green", "yellow", "red")]
    assert tasks[0] > tasks[1] > tasks[2]
    assert style.luma(style.status_colour("未达标")) == pytest.approx(
        _luma(style.status_colour("未达标"), (0.299, 0.587, 0.114))
    )


def test_status_colours_still_read_as_green_amber_and_red() -> None:
    hue = {s: rgb_to_hsv(to_rgb(style.status_colour(s)))[0] * 360 for s in style.STATUSES[:3]}
    assert 90 <= hue["达标"] <= 150  # green
    assert 30 <= hue["接近"] <= 50  # amber
    assert hue["未达标"] <= 10 or hue["未达标"] >= 350  # red
    saturation = rgb_to_hsv(to_rgb(style.status_colour("无数据")))[1]
    assert saturation < 0.05  # 无数据 is a grey, not a status colour


def test_text_on_each_status_colour_is_legible() -> None:
    for s in (*style.STATUSES, "奇怪"):
        lum = sorted(
            (_relative_luminance(style.status_colour(s)), _relative_luminance(style.status_ink(s)))
        )
        assert (lum[1] + 0.05) / (lum[0] + 0.05) >= 4.5, s
    for s in style.STATUSES:  # text carrying a status on white paper
        assert (1.05) / (_relative_luminance(style.status_text_colour(s)) + 0.05) >= 4.5, s


def test_html_badges_take_the_palette_and_mark_no_data_by_an_outline() -> None:
    for s in style.STATUSES:
        css = style.status_css(s)
        assert f"background:{style.status_colour(s)}" in css
        assert f"color:{style.status_ink(s)}" in css
        assert ("dashed" in css) == (s == "无数据")
    assert style.task_css("red") == style.status_css("未达标")
    assert style.task_css("green") == style.status_css("达标")
    assert "dashed" in style.task_css("灰")
