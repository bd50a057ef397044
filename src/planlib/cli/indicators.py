"""``planlib compute``, ``planlib assess`` and ``planlib ledger``: the numbers every report shows."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    import pandas as pd

from ..periods import parse_period
from ._console import console, err_console, print_table
from ._options import PERIOD_HELP, SET, monitoring_options, parse_settings

COMPUTE_COLUMNS = [
    "org_code", "org_name", "level", "period", "indicator", "value", "numerator", "denominator",
    "unit", "indicator_name", "parent_code", "flag", "missing_reason", "basis",
]  # fmt: skip
ASSESS_COLUMNS = [
    "org_code", "org_name", "level", "period", "indicator", "value", "unit", "target",
    "comparator", "gap", "status", "share_done", "progress", "expected_share", "projection",
    "projection_method", "aspirational", "approximate", "scope", "task_id", "indicator_name",
    "target_text", "target_source", "tolerance", "numerator", "denominator", "flag",
    "missing_reason", "basis", "lead_units", "responsible_units",
    "value_shown", "precision", "judged_against", "expected_value", "allocation_method", "units",
    "still_needed", "still_needed_unit",
]  # fmt: skip


def _monitor(
    data: Path,
    period_text: str,
    plan_path: Path | None = None,
    pairs: Sequence[str] = (),
    allocations: Path | None = None,
    year_to_date: bool = True,
) -> Any:
    """The monitoring chain for a command, with a word on stderr when data was left out."""
    from ..monitoring.pipeline import monitor

    settings = parse_settings(pairs)
    run = monitor(
        data,
        period_text,
        plan=plan_path,
        settings=settings,
        allocations=allocations,
        year_to_date=year_to_date,
    )
    severity = run.dataset.problems["severity"]
    errors, warnings = int((severity == "error").sum()), int((severity == "warning").sum())
    if errors:
        err_console.print(
            f"[yellow]注意：[/]数据中有 {errors} 个错误、{warnings} 个警告，出错的单元格或行未计入"
            f"计算；详情请运行 planlib validate {data}"
        )
    return run


def _selected(frame: pd.DataFrame, run: Any) -> pd.DataFrame:
    """The rows of the quarters the request named."""
    return frame[frame["period"].astype(str).isin(run.selected)]


def _emit(frame: pd.DataFrame, fmt: str | None, out: Path | None, table: dict[str, str]) -> None:
    if fmt is None:
        fmt = "table" if out is None and sys.stdout.isatty() else "csv"
    if fmt == "table":
        shown = frame.copy()
        for col in shown.columns:
            if shown[col].dtype.kind == "f":
                shown[col] = shown[col].map(lambda v: "" if v != v else f"{v:,.2f}")  # NaN: blank
        print_table(
            shown, {c: h for c, h in table.items() if c in shown}, right=("value", "target", "gap")
        )
        return
    if fmt == "csv":
        text = frame.to_csv(index=False)
    else:
        text = json.dumps(
            json.loads(frame.to_json(orient="records", force_ascii=False)),
            ensure_ascii=False,
            indent=1,
        )
    if out is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        # utf-8-sig so that Excel opens the Chinese CSV correctly.
        out.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
        err_console.print(f"已写入 {out}（{len(frame)} 行）")


_FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default=None,
    help="输出格式；默认在终端显示表格，否则输出 CSV。",
)  # fmt: skip
_OUT = click.option(
    "-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path), help="写入文件。"
)
_PERIOD = click.option(
    "--period", "period_text", default="latest", show_default=True, help=PERIOD_HELP
)
_LEVEL = click.option(
    "--level",
    type=click.Choice(["all", "country", "province", "city", "county"]),
    default="all",
    show_default=True,
    help="只输出某一层级。",
)


def _level(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    return frame if level == "all" else frame[frame["level"] == level]


@click.command("compute")
@click.argument("data", type=click.Path(exists=True, file_okay=False, path_type=Path))
@_PERIOD
@_FORMAT
@_OUT
@SET
@_LEVEL
def compute(
    data: Path,
    period_text: str,
    fmt: str | None,
    out: Path | None,
    pairs: tuple[str, ...],
    level: str,
) -> None:
    """计算每个县市区和全市的各项指标（含分子、分母）。

    DATA 为数据目录（planlib sample-data 生成的格式）。
    """
    run = _monitor(data, period_text, pairs=pairs, year_to_date=False)
    frame = _level(_selected(run.indicators, run), level)
    if fmt in (None, "table") and out is None and sys.stdout.isatty():
        label = "、".join(parse_period(p).label for p in run.selected)
        console.print(f"[bold]{label}[/] 指标（{run.settings.describe()}）")
    _emit(
        frame[COMPUTE_COLUMNS],
        fmt,
        out,
        {
            "org_name": "单位", "indicator_name": "指标", "value": "值", "unit": "单位",
            "numerator": "分子", "denominator": "分母", "flag": "提示", "missing_reason": "缺数原因",
        },
    )  # fmt: skip


@click.command("assess")
@click.argument("data", type=click.Path(exists=True, file_okay=False, path_type=Path))
@_PERIOD
@monitoring_options
@_FORMAT
@_OUT
@_LEVEL
def assess(
    data: Path, period_text: str, plan_path: Path | None, allocations: Path | None,
    fmt: str | None, out: Path | None, pairs: tuple[str, ...], level: str,
) -> None:  # fmt: skip
    """计算指标并对照计划目标评估：达标、接近、未达标、无数据，序时进度与年底预测。

    DATA 为数据目录。
    """
    run = _monitor(data, period_text, plan_path, pairs, allocations)
    warnings = run.assessment.attrs.get("warnings", [])
    frame = _level(_selected(run.assessment, run), level)
    for w in warnings:
        err_console.print(f"[yellow]警告：[/]{w}")
    _emit(
        frame[ASSESS_COLUMNS],
        fmt,
        out,
        {
            "org_name": "单位", "indicator_name": "指标", "value": "值", "target": "目标",
            "comparator": "比较", "gap": "差距", "unit": "单位", "status": "状态",
            "progress": "序时进度", "projection": "年底预测",
        },
    )  # fmt: skip


@click.command("ledger")
@click.argument("data", type=click.Path(exists=True, file_okay=False, path_type=Path))
@_PERIOD
@monitoring_options
@_FORMAT
@_OUT
def ledger(
    data: Path,
    period_text: str,
    plan_path: Path | None,
    pairs: tuple[str, ...],
    allocations: Path | None,
    fmt: str | None,
    out: Path | None,
) -> None:
    """任务台账：每项任务的红黄绿灯，结合处室报送的进展与目标评估。

    DATA 为数据目录。
    """
    run = _monitor(data, period_text, plan_path, pairs, allocations)
    from ..returns.ledger import check_ledger

    for p in check_ledger(run.dataset.ledger, run.plan):
        err_console.print(f"[yellow]警告：[/]{p.file} 第 {p.row} 行：{p.message}")
    frame = run.tasks
    _emit(
        frame,
        fmt,
        out,
        {
            "task_id": "编号", "title": "任务", "lead_units": "牵头处室", "colour_name": "灯",
            "reported_status": "进展", "reasons": "原因",
        },
    )  # fmt: skip


@click.command("indicators")
@_FORMAT
@_OUT
@SET
def indicators(fmt: str | None, out: Path | None, pairs: tuple[str, ...]) -> None:
    """列出指标定义：分子、分母（按口径设置展开）、单位、方向与层级。"""
    settings = parse_settings(pairs)
    from ..catalog.definitions import load_indicators

    frame = load_indicators().frame(settings)
    _emit(
        frame,
        fmt,
        out,
        {
            "indicator": "代码", "indicator_name": "指标", "numerator": "分子",
            "denominator": "分母", "unit": "单位", "direction": "方向", "level": "层级",
            "basis": "口径",
        },
    )  # fmt: skip


COMMANDS = [indicators, compute, assess, ledger]
