"""Text from data that tries to be something else: rich markup, matplotlib mathtext, bidi controls.

A county renamed ``[/b]南[link=…]江[/link]区$x$`` + U+202E and a header ``补充[/b]教师数`` must
be shown literally (without the override) by ``planlib validate``, in the report charts and
HTML, and in a progress bar's description; never crash a command or a chart.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from cli_run import planlib_cli
from matplotlib.figure import Figure
from matplotlib.text import Text
from rich.console import Console
from rich.progress import Progress, TextColumn

import planlib
from planlib import charts
from planlib.checks import clean_text
from planlib.cli._console import plain
from planlib.reporting import county, overview
from planlib.reporting.context import ReportContext, build_context

RLO = "\u202e"
SHOWN = "[/b]南[link=https://x.invalid]江[/link]区$x$"
"""The hostile name as a reader should see it: every character but the override."""
HOSTILE = SHOWN + RLO
MATH = "高$\\frac{$区"
"""A name mathtext cannot parse (``\\frac`` without its arguments)."""
HEADER = "补充[/b]教师数"
BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def hostile_city(out: Path) -> Path:
    """The small sample city with county 990103 renamed, 990104 named ``MATH``, and one header
    of 990103's 2022Q4 return holding rich markup."""
    planlib.make_sample(out, seed=7, counties=3, schools_per_county=20)
    units = pd.read_csv(out / "org_units.csv", dtype=str, keep_default_na=False)
    units.loc[units["code"] == "990103", "name"] = HOSTILE
    units.loc[units["code"] == "990104", "name"] = MATH
    units.to_csv(out / "org_units.csv", index=False)
    book = out / "returns" / "2022Q4" / "990103.xlsx"
    wb = openpyxl.load_workbook(book)
    sheet = wb["县级汇总"]
    cell = next(c for row in sheet.iter_rows(max_row=5) for c in row if c.value == "补充教师数")
    cell.value = HEADER
    wb.save(book)
    return out


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_city(tmp_path_factory.mktemp("hostile") / "city")


@pytest.fixture(scope="module")
def ctx(city: Path) -> ReportContext:
    return build_context(city, "2022Q4")


def test_clean_text_drops_bidi_and_control_characters() -> None:
    assert clean_text(f"南{BIDI}江区") == "南江区"
    assert clean_text("a\x1b[31mb\x00\x85\ufeff\u200b") == "a\ufffd[31mb\ufffd\ufffd"
    assert clean_text("一\r\n二\r三\t四") == "一\n二\n三\t四"
    assert clean_text(SHOWN) == SHOWN  # markup and dollars are each output's own escaping
    name = "高新区"
    assert clean_text(name) is name


# the terminal


def test_validate_prints_hostile_names_and_headers_literally(city: Path) -> None:
    r = planlib_cli("validate", city)
    assert r.returncode in (0, 1), r.stderr
    assert "Traceback" not in r.stderr and "内部错误" not in r.stderr, r.stderr
    assert "发现的问题" in r.stdout and "按县区汇总" in r.stdout
    assert HEADER in r.stdout  # the problem about the header names it as written
    assert SHOWN in r.stdout
    assert RLO not in r.stdout + r.stderr


def test_validate_error_quoting_the_data_is_printed_literally(tmp_path: Path) -> None:
    (tmp_path / "org_units.csv").write_text(
        "code,name,type,parent_code\n990100,云江市,市,\n990102,城关区,[/b]区,990100\n",
        encoding="utf-8",
    )
    r = planlib_cli("validate", tmp_path)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and "内部错误" not in r.stderr, r.stderr
    assert "[/b]区" in r.stderr


def test_progress_bar_description_shows_a_unit_name_literally() -> None:
    """What ``planlib report``'s bar does with a report's title: ``TextColumn`` reads the
    description as markup, so a name's ``[link=…]`` would become a terminal hyperlink."""
    out = io.StringIO()
    term = Console(file=out, force_terminal=True, width=120)
    with Progress(TextColumn("{task.description}"), console=term, auto_refresh=False) as bar:
        task = bar.add_task(plain(HOSTILE), total=1)
        shown = TextColumn("{task.description}").render(bar.tasks[task])
    assert shown.plain == SHOWN
    assert not any(span.style and "link" in str(span.style) for span in shown.spans)
    assert "\x1b]8;" not in out.getvalue()  # no OSC 8 hyperlink written


# charts and HTML


def _texts(fig: Figure) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_text()]


def _literal(fig: Figure) -> None:
    """Every text of a chart as a reader should see it: no override, no mathtext."""
    fig.canvas.draw()
    for text in _texts(fig):
        assert RLO not in text.get_text()
        shown, math = text._preprocess_math(text.get_text())
        assert math is False, text.get_text()
        assert shown == text.get_text()


def test_report_charts_draw_hostile_names_literally(
    ctx: ReportContext, caplog: pytest.LogCaptureFixture
) -> None:
    a = ctx.assessment
    now = a[(a["period"] == ctx.period) & (a["level"] == "county")]
    target = now.groupby(["task_id", "indicator"]).ngroup() == 0
    figs = [charts.status_heatmap(now), charts.ranking_chart(now[target])]
    mine = a[a["org_code"] == "990103"]
    figs += [charts.bullet_chart(mine[mine["period"] == ctx.period], title=HOSTILE)]
    figs += [charts.trend_chart(mine, title=MATH)]
    with caplog.at_level(logging.WARNING, logger="matplotlib"):
        for fig in figs:
            _literal(fig)
    names = {t.get_text() for fig in figs for t in _texts(fig)}
    assert SHOWN in names and MATH in names
    assert "glyph" not in caplog.text  # mathtext's fonts have no Han characters


def test_overview_and_county_sections_show_names_literally(ctx: ReportContext) -> None:
    html = "".join(
        str(part)
        for part in (
            overview.overview_headline(ctx, "990100"),
            overview.overview_heatmap(ctx, "990100"),
            overview.overview_ranking(ctx, "990100"),
            overview.overview_shares(ctx, "990100"),
            county.headline(ctx, "990103"),
            county.ranks(ctx, "990103"),
        )
    )
    assert RLO not in html
    assert "南[link=https://x.invalid]江[/link]区$x$" in html
    assert "高$\\frac{$区" in html


@pytest.mark.slow
def test_city_report_renders_with_hostile_names(city: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    r = planlib_cli("report", "--data", city, "--out", out, "--only", "city", "--format", "html")
    assert r.returncode == 0, r.stdout + r.stderr
    page = (out / "city.html").read_text(encoding="utf-8")
    assert RLO not in page
    assert "南[link=https://x.invalid]江[/link]区$x$" in page
    assert "does not have a glyph" not in (out / "planlib-report.log").read_text(encoding="utf-8")
