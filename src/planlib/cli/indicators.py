"""``planlib compute``, ``planlib assess`` and ``planlib ledger``: the numbers every report shows."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import pandas as pd

from ..errors import PlanlibError
from ..monitoring.assessment import assess as assess_frame
from ..monitoring.indicators import Settings, compute_indicators, latest_period, load_indicators
from ..periods import Period, parse_period
from ..plan.files import load_plan
from ..returns.ledger import check_ledger, task_status
from ._console import console, err_console, print_table

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
]  # fmt: skip


def _parse_value(text: str) -> Any:
    low = text.strip().lower()
    if low in ("true", "yes", "是"):
        return True
    if low in ("false", "no", "否"):
        return False
    try:
        return float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        return text.strip()


def _settings(pairs: Sequence[str]) -> Settings:
    """``--set key=value`` pairs; ``tolerance.<indicator>=x`` sets one tolerance."""
    data: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise PlanlibError(f"设置「{pair}」应写作 键=值，如 population_basis=户籍")
        key, value = (x.strip() for x in pair.split("=", 1))
        if key.startswith("tolerance."):
            data.setdefault("tolerance", {})[key.split(".", 1)[1]] = _parse_value(value)
        else:
            data[key] = _parse_value(value)
    return Settings.coerce(data)


def _load(data: Path) -> Any:
    """The data folder, with a word on stderr when some of it was left out of the numbers."""
    from ..returns.dataset import load_dataset

    dataset = load_dataset(data)
    severity = dataset.problems["severity"]
    errors, warnings = int((severity == "error").sum()), int((severity == "warning").sum())
    if errors:
        err_console.print(
            f"[yellow]注意：[/]数据中有 {errors} 个错误、{warnings} 个警告，出错的单元格或行未计入"
            f"计算；详情请运行 planlib validate {data}"
        )
    return dataset


def _period(dataset: Any, text: str) -> Period:
    if text.strip().lower() in ("latest", "最新"):
        return parse_period(latest_period(dataset.values))
    try:
        return parse_period(text)
    except ValueError as err:
        raise PlanlibError(str(err)) from None


def _year_to_date(dataset: Any, period: Period) -> list[str]:
    present = set(dataset.values["period"].astype(str))
    if str(period) not in present:
        raise PlanlibError(
            f"数据中没有报告期 {period}；已有：{'、'.join(sorted(present)) or '（无）'}"
        )
    return [str(q) for q in period.quarters_of_year_to_date() if str(q) in present]


def _emit(frame: pd.DataFrame, fmt: str | None, out: Path | None, table: dict[str, str]) -> None:
    if fmt is None:
        fmt = "table" if out is None and sys.stdout.isatty() else "csv"
    if fmt == "table":
        shown = frame.copy()
        for col in shown.columns:
            if shown[col].dtype.kind == "f":
                shown[col] = shown[col].map(lambda v: "" if pd.isna(v) else f"{v:,.2f}")
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
    "--period",
    "period_text",
    default="latest",
    show_default=True,
    help="报告期，如 2022Q2；latest 为数据中最新一期。",
)
_PLAN = click.option(
    "--plan",
    "plan_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="计划文件（默认为内置的 2022 年计划）。",
)
_SET = click.option(
    "--set",
    "pairs",
    multiple=True,
    metavar="键=值",
    help="口径设置，可重复，如 --set population_basis=户籍 --set high_school_age_band=15–18。",
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


def _assessed(
    data: Path, period_text: str, plan_path: Path | None, pairs: tuple[str, ...], allocations: Any
) -> tuple[Any, Any, Period, pd.DataFrame]:
    """Plan, data, period and assessment (year to date): what `assess` and `ledger` start from."""
    settings = _settings(pairs)
    plan = load_plan(plan_path)
    dataset = _load(data)
    period = _period(dataset, period_text)
    indicators = compute_indicators(
        dataset, periods=_year_to_date(dataset, period), settings=settings
    )
    assessment = assess_frame(indicators, plan, allocations=allocations, settings=settings)
    return plan, dataset, period, assessment


@click.command("compute")
@click.argument("data", type=click.Path(exists=True, file_okay=False, path_type=Path))
@_PERIOD
@_FORMAT
@_OUT
@_SET
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
    settings = _settings(pairs)
    dataset = _load(data)
    period = _period(dataset, period_text)
    _year_to_date(dataset, period)  # refuses a period the data does not have
    frame = compute_indicators(dataset, periods=[str(period)], settings=settings)
    frame = _level(frame, level)
    if fmt in (None, "table") and out is None and sys.stdout.isatty():
        console.print(f"[bold]{period.label}[/] 指标（{settings.describe()}）")
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
@_PLAN
@click.option(
    "--allocations",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="分解目标文件 CSV（county,indicator,target）；默认为内置文件。",
)
@_FORMAT
@_OUT
@_SET
@_LEVEL
def assess(
    data: Path, period_text: str, plan_path: Path | None, allocations: Path | None,
    fmt: str | None, out: Path | None, pairs: tuple[str, ...], level: str,
) -> None:  # fmt: skip
    """计算指标并对照计划目标评估：达标、接近、未达标、无数据，序时进度与年底预测。

    DATA 为数据目录。
    """
    _, _, period, frame = _assessed(data, period_text, plan_path, pairs, allocations)
    warnings = frame.attrs.get("warnings", [])
    frame = _level(frame[frame["period"] == str(period)], level)
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
@_PLAN
@_FORMAT
@_OUT
@_SET
def ledger(
    data: Path,
    period_text: str,
    plan_path: Path | None,
    fmt: str | None,
    out: Path | None,
    pairs: tuple[str, ...],
) -> None:
    """任务台账：每项任务的红黄绿灯，结合处室报送的进展与目标评估。

    DATA 为数据目录。
    """
    plan, dataset, period, assessment = _assessed(data, period_text, plan_path, pairs, None)
    for p in check_ledger(getattr(dataset, "ledger", pd.DataFrame()), plan):
        err_console.print(f"[yellow]警告：[/]{p.file} 第 {p.row} 行：{p.message}")
    frame = task_status(plan, getattr(dataset, "ledger", None), assessment, period)
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
@_SET
def indicators(fmt: str | None, out: Path | None, pairs: tuple[str, ...]) -> None:
    """列出指标定义：分子、分母（按口径设置展开）、单位、方向与层级。"""
    settings = _settings(pairs)
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
