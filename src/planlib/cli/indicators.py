"""``planlib compute``, ``planlib assess`` and ``planlib ledger``: the numbers every report shows."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    import pandas as pd

from ..periods import parse_period
from ..request import Request
from ._console import console, err_console, plain
from ._options import PERIOD, SET, data_folder, monitoring_options, parse_settings
from ._output import FORMAT, LABELS, OUT, emit, output_format, with_period

COMPUTE_COLUMNS = [
    "org_code",
    "org_name",
    "level",
    "period",
    "indicator",
    "value",
    "numerator",
    "denominator",
    "unit",
    "indicator_name",
    "parent_code",
    "flag",
    "missing_reason",
    "basis",
]
ASSESS_COLUMNS = [
    "org_code",
    "org_name",
    "level",
    "period",
    "indicator",
    "value",
    "unit",
    "target",
    "comparator",
    "gap",
    "status",
    "share_done",
    "progress",
    "expected_share",
    "projection",
    "projection_method",
    "aspirational",
    "approximate",
    "scope",
    "task_id",
    "indicator_name",
    "target_text",
    "target_source",
    "tolerance",
    "numerator",
    "denominator",
    "flag",
    "missing_reason",
    "basis",
    "lead_units",
    "responsible_units",
    "value_shown",
    "precision",
    "judged_against",
    "expected_value",
    "allocation_method",
    "units",
    "still_needed",
    "still_needed_unit",
]


def _monitor(
    data: Path | None,
    period_text: str,
    plan_path: Path | None = None,
    pairs: Sequence[str] = (),
    allocations: Path | None = None,
    year_to_date: bool = True,
) -> Any:
    """The monitoring chain for a command, with a word on stderr when data was left out."""
    from ..monitoring.pipeline import monitor

    request = Request.make(
        data_folder(data),
        period_text,
        plan=plan_path,
        settings=parse_settings(pairs),
        allocations=allocations,
    )
    data = request.data_dir
    run = monitor(data, request.period, year_to_date=year_to_date, **request.chain())
    severity = run.dataset.problems["severity"]
    errors, warnings = int((severity == "error").sum()), int((severity == "warning").sum())
    if errors:
        err_console.print(
            f"[yellow]注意：[/]数据中有 {errors} 个错误、{warnings} 个警告，出错的单元格或行未计入"
            f"计算；详情请运行 planlib validate {data}"
        )
    return run


def _selected(frame: pd.DataFrame, run: Any) -> pd.DataFrame:
    """The rows of the quarters the request named (every one of them, oldest first)."""
    return frame[frame["period"].astype(str).isin(run.selected)]


def _heading(run: Any, what: str, fmt: str, extra: str = "") -> None:
    """On a terminal table, which quarters it shows (several for a year, a range or all)."""
    if fmt == "table":
        label = "、".join(parse_period(p).label for p in run.selected)
        console.print(f"[bold]{label}[/] {what}{extra}")


_PERIOD = PERIOD  # every chain command reads periods alike
_LEVEL = click.option(
    "--level",
    type=click.Choice(["all", "country", "province", "city", "county"]),
    default="all",
    show_default=True,
    help="只输出某一层级。",
)


def _level(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    return frame if level == "all" else frame[frame["level"] == level]


_COMPUTE_TABLE = {
    "org_name": "单位",
    "indicator_name": "指标",
    "value": "值",
    "unit": "单位",
    "numerator": "分子",
    "denominator": "分母",
    "flag": "提示",
    "missing_reason": "缺数原因",
}
_ASSESS_TABLE = {
    "org_name": "单位",
    "task_id": "任务",
    "indicator_name": "指标",
    "value": "值",
    "target": "目标",
    "comparator": "比较",
    "gap": "差距",
    "unit": "单位",
    "status": "状态",
    "progress": "序时进度",
    "projection": "年底预测",
}
_LEDGER_TABLE = {
    "task_id": "编号",
    "title": "任务",
    "lead_units": "牵头处室",
    "colour_name": "灯",
    "reported_status": "进展",
    "reasons": "原因",
}


@click.command("compute")
@click.argument(
    "data", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@_PERIOD
@FORMAT
@OUT
@LABELS
@SET
@_LEVEL
def compute(
    data: Path | None,
    period_text: str,
    fmt: str | None,
    out: Path | None,
    labels: str | None,
    pairs: tuple[str, ...],
    level: str,
) -> None:
    """计算每个县市区和全市的各项指标（含分子、分母）。

    DATA 为数据目录（planlib sample-data 生成的格式）；在工作区中可省略。所选报告期的每个季度各占一组行（period 列）。

    --format xlsx --out 文件.xlsx 写出带中文列名的 Excel 表。
    """
    fmt = output_format(fmt, out)
    run = _monitor(data, period_text, pairs=pairs, year_to_date=False)
    frame = _level(_selected(run.indicators, run), level)
    _heading(run, "指标", fmt, f"（{run.settings.describe()}）")
    table = with_period(_COMPUTE_TABLE, run)
    emit(frame[COMPUTE_COLUMNS], fmt, out, table, labels=labels, sheet="指标")


@click.command("assess")
@click.argument(
    "data", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@_PERIOD
@monitoring_options
@FORMAT
@OUT
@LABELS
@_LEVEL
def assess(
    data: Path | None,
    period_text: str,
    plan_path: Path | None,
    allocations: Path | None,
    fmt: str | None,
    out: Path | None,
    labels: str | None,
    pairs: tuple[str, ...],
    level: str,
) -> None:
    """计算指标并对照计划目标评估：达标、接近、未达标、无数据，序时进度与年底预测。

    DATA 为数据目录；在工作区中可省略。所选报告期的每个季度各自评估（period 列），每季度按其本年累计判断。
    """
    fmt = output_format(fmt, out)
    run = _monitor(data, period_text, plan_path, pairs, allocations)
    warnings = run.assessment.attrs.get("warnings", [])
    frame = _level(_selected(run.assessment, run), level)
    for w in warnings:
        err_console.print(f"[yellow]警告：[/]{plain(w)}")
    _heading(run, "目标评估", fmt)
    table = with_period(_ASSESS_TABLE, run)
    emit(frame[ASSESS_COLUMNS], fmt, out, table, labels=labels, sheet="评估")


@click.command("ledger")
@click.argument(
    "data", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@_PERIOD
@monitoring_options
@FORMAT
@OUT
@LABELS
def ledger(
    data: Path | None,
    period_text: str,
    plan_path: Path | None,
    pairs: tuple[str, ...],
    allocations: Path | None,
    fmt: str | None,
    out: Path | None,
    labels: str | None,
) -> None:
    """任务台账：每项任务的红黄绿灯，结合处室报送的进展与目标评估。

    DATA 为数据目录；在工作区中可省略。所选报告期的每个季度各有一组任务行（period 列）。
    """
    fmt = output_format(fmt, out)
    run = _monitor(data, period_text, plan_path, pairs, allocations)
    from ..returns.ledger import check_ledger

    for p in check_ledger(run.dataset.ledger, run.plan):
        err_console.print(f"[yellow]警告：[/]{plain(f'{p.file} 第 {p.row} 行：{p.message}')}")
    _heading(run, "任务台账", fmt)
    emit(_tasks(run), fmt, out, with_period(_LEDGER_TABLE, run), labels=labels, sheet="任务台账")


def _tasks(run: Any) -> pd.DataFrame:
    """One row per task and selected quarter, each quarter coloured as of itself."""
    import pandas as pd

    from ..monitoring.tasks import task_status

    frames = [
        run.tasks
        if quarter == run.period
        else task_status(run.plan, run.dataset.ledger, run.assessment, quarter)
        for quarter in run.selected
    ]
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


@click.command("indicators")
@FORMAT
@OUT
@LABELS
@SET
def indicators(
    fmt: str | None, out: Path | None, labels: str | None, pairs: tuple[str, ...]
) -> None:
    """列出指标定义：分子、分母（按口径设置展开）、单位、方向与层级。"""
    fmt = output_format(fmt, out)
    settings = parse_settings(pairs)
    from ..catalog.definitions import load_indicators

    frame = load_indicators().frame(settings)
    table = {
        "indicator": "代码",
        "indicator_name": "指标",
        "numerator": "分子",
        "denominator": "分母",
        "unit": "单位",
        "direction": "方向",
        "level": "层级",
        "basis": "口径",
    }
    emit(frame, fmt, out, table, labels=labels, sheet="指标定义")


COMMANDS = [indicators, compute, assess, ledger]
