"""``planlib forms`` and ``planlib feedback``: blank forms out to counties, marked returns back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from ..errors import UsageError
from ._console import console, err_console, plain
from ._options import PeriodSpec, data_folder

_DATA = click.argument(
    "data_dir",
    metavar="[DATA]",
    required=False,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)


@contextmanager
def _bar(what: str) -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar on stderr; the callback takes (name, done, total)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (
        TextColumn(what),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("", total=None)

        def tick(name: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=plain(name))

        yield tick


def _outside_inputs(data_dir: Path, out: Path) -> None:
    """Refuse an output folder the returns reader would read on the next run (exit 2)."""
    data, target = data_dir.resolve(), out.resolve()
    read = [data / "returns", data / "city"] if (data / "returns").is_dir() else [data]
    for folder in read:
        if target == folder or target.is_relative_to(folder):
            raise click.BadParameter(
                f"输出目录 {out} 位于报表目录 {folder} 之内，下次读取时会被当作县区报表；"
                "请换一个数据目录以外的文件夹",
                param_hint="--out",
            )


def _latest(data_dir: Path) -> str:
    """``latest`` for a form: the newest quarter with returns, else the plan year's first."""
    from ..returns.dataset import load_dataset
    from ..workspace import workspace_of

    periods = load_dataset(data_dir).periods if (data_dir / "returns").is_dir() else []
    if periods:
        return periods[-1]
    ws = workspace_of(data_dir)
    if ws is None:
        raise click.BadParameter(
            "数据目录中还没有报表，请写明季度，如 2023Q1", param_hint="--period"
        )
    return f"{ws.year}Q1"


@click.command("forms")
@_DATA
@click.option(
    "--period",
    "period_text",
    required=True,
    help="报告期，如 2023Q1 或 2023年第一季度；latest 为已有报表的最新季度（尚无报表时为工作区计划年度的第一季度）。",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="写入报表的文件夹（每个县区一个 .xlsx）。",
)
@click.option(
    "--county",
    default="all",
    show_default=True,
    help="all（全部县区），或逗号分隔的代码或名称，如 990102,东湖区。",
)
def forms(data_dir: Path | None, period_text: str, out: Path, county: str) -> None:
    """生成下发给各县（市、区）的空白季报表：每个县区一个工作簿。

    \b
    DATA 为数据目录（含 org_units.csv、schools.csv）；在工作区中可省略。每个工作簿含：
      县级汇总、学校明细（代码、名称、学段已按名录预填，表头与代码锁定，
      每个填报格有数据有效性）、填表说明（各项口径、单位和校验），
      以及二至四季度的隐藏工作表「上期累计」（本年累计项的上季度数值）。
    """
    from ..forms.blank import write_forms
    from ..periods import LATEST, parse_period

    data_dir = data_folder(data_dir)
    period_text = _latest(data_dir) if period_text.strip().lower() in LATEST else period_text
    try:
        when = parse_period(period_text)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--period") from None
    _outside_inputs(data_dir, out)
    with _bar("生成报表") as tick:
        try:
            result = write_forms(data_dir, when, out, counties=county, progress=tick)
        except UsageError as err:
            raise click.BadParameter(str(err), param_hint="--county") from None
    ref = f"，附上期（{result.reference_period}）本年累计数" if result.reference_period else ""
    console.print(
        f"已在 {plain(str(out))} 生成 {len(result.files)} 个县区的 {result.period} 报表{ref}。"
    )


@click.command("feedback")
@_DATA
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="写入反馈的文件夹。",
)
@click.option(
    "--period",
    "period_text",
    type=PeriodSpec(),
    default="latest",
    show_default=True,
    help="报告期：latest（最新）或一个季度，如 2022Q4。",
)
def feedback(data_dir: Path | None, out: Path, period_text: str) -> None:
    """校验各县区报表并生成反馈：有问题的县区得到标注了问题的报表副本，没有问题的得到回执。

    \b
    每个有问题的县区：其报送文件的副本（CSV 报表转为 .xlsx），问题单元格按严重程度着色、
    标 ×（错误）或 △（警告）并附批注，第一张工作表「问题清单」可点击跳到单元格。
    没有问题的县区：「本期报表校验通过」回执。另有反馈汇总表列出需重新报送的县区。
    原报表不会被修改。有县区存在错误时退出码为 1。
    """
    from ..forms.feedback import write_feedback

    data_dir = data_folder(data_dir)
    _outside_inputs(data_dir, out)
    with _bar("生成反馈") as tick:
        try:
            result = write_feedback(data_dir, out, period_text, progress=tick)
        except UsageError as err:
            raise click.BadParameter(str(err), param_hint="--period") from None
    redo = [c for c in result.counties if c.errors]
    warn = [c for c in result.counties if c.status == "请核对警告"]
    passed = [c for c in result.counties if c.status == "校验通过"]
    missing = [c for c in result.counties if c.status == "未报送"]
    console.print(f"{result.period}：已在 {plain(str(out))} 写入反馈，汇总见 {result.index.name}。")
    if redo:
        names = "、".join(f"{plain(c.name)}（{c.errors} 个错误）" for c in redo)
        console.print(f"需修改后重新报送：{names}")
    if warn:
        console.print(f"仅有警告、请核对：{'、'.join(plain(c.name) for c in warn)}")
    console.print(
        f"校验通过：{len(passed)} 个县区"
        + (f"；未报送：{'、'.join(plain(c.name) for c in missing)}" if missing else "")
    )
    if result.skipped:
        console.print(
            f"另有 {result.skipped} 个问题不属于任何县区（如市级报表），请用 planlib validate 查看。"
        )
    if result.any_errors:
        raise SystemExit(1)


COMMANDS = [forms, feedback]
