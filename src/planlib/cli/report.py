"""``planlib report``: render the monitoring reports of one period (HTML and PDF)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from ._console import console, err_console
from ._options import PERIOD_HELP, monitoring_options, parse_settings


@click.command("report")
@click.option(
    "--data",
    "data_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="数据目录（planlib sample-data 生成的结构）。",
)
@click.option("--period", default="latest", show_default=True, help=PERIOD_HELP)
@monitoring_options
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="输出目录：每个县市区的 .ipynb/.html/.pdf、总览、处室报告、index.html、manifest.json。",
)
@click.option("--county", default="all", show_default=True, help="all 或逗号分隔的县市区代码。")
@click.option(
    "--root",
    default=None,
    help="总览的单位代码（默认为名录的根单位，如全市）；如给省代码，则生成全省总览和各市报告。",
)
@click.option(
    "--format", "formats", default="html,pdf", show_default=True, help="html、pdf 或两者。"
)
@click.option(
    "--jobs", type=click.IntRange(min=1), default=None, help="并行数（默认为 CPU 核数）。"
)
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local：本机多进程；dask：Dask 集群。",
)
@click.option(
    "--scheduler",
    default=None,
    help="Dask 调度器地址（tcp://主机:8786，或 local）；默认读环境变量 DASK_SCHEDULER_ADDRESS。",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=600,
    show_default=True,
    help="每份报告的时限（秒）。",
)
def report(
    data_dir: Path,
    period: str,
    out_dir: Path,
    county: str,
    root: str | None,
    formats: str,
    jobs: int | None,
    executor: str,
    scheduler: str | None,
    timeout: float,
    plan_path: Path | None,
    pairs: tuple[str, ...],
    allocations: Path | None,
) -> None:
    """生成监测报告：每个县市区、每个处室和全市总览，HTML 与 A4 PDF。

    \b
    指标与评估每批只计算一次（--plan、--set、--allocations 与 planlib assess 相同）；
    各报告并行生成，单份失败不影响其他报告。
    退出码：0 全部成功，1 有报告失败（见 manifest.json 与日志），2 用法错误（如未知的县市区代码）。
    """
    from ..reporting.executors import get_executor
    from ..reporting.runner import UsageError, plain_progress, run_reports

    chain: dict[str, Any] = {
        "plan": plan_path,
        "settings": parse_settings(pairs),
        "allocations": allocations,
    }
    opts: dict[str, Any] = {"jobs": jobs}
    if executor == "dask":
        opts["address"] = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
    try:
        runner = get_executor(executor, **opts)
        if err_console.is_terminal:
            outcome = _with_bar(
                runner, data_dir, out_dir, chain, period, county, formats, timeout, root
            )
        else:
            outcome = run_reports(
                data_dir, out_dir, period, county, formats, runner, timeout, plain_progress,
                root=root, **chain,
            )  # fmt: skip
    except UsageError as err:
        raise click.UsageError(str(err)) from err
    ok = len(outcome.entries) - len(outcome.failed)
    console.print(
        f"报告期 {outcome.period}：{ok} 份成功，{len(outcome.failed)} 份失败，"
        f"用时 {outcome.seconds:.1f} 秒。目录：{outcome.out / 'index.html'}"
    )
    for entry in outcome.failed:
        err_console.print(
            f"[red]失败[/] {entry['county_name']}（{entry['key']}）：{entry['error']}"
        )
    if outcome.exit_code:
        raise SystemExit(outcome.exit_code)


def _with_bar(runner: Any, data_dir: Path, out_dir: Path, chain: dict[str, Any], *args: Any) -> Any:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from ..reporting.runner import run_reports

    columns = (
        TextColumn("生成报告"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("已用"),
        TimeElapsedColumn(),
        TextColumn("剩余"),
        TimeRemainingColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=err_console) as bar:
        task = bar.add_task("", total=None)

        def tick(job: Any, result: Any, done: int, total: int) -> None:
            mark = "" if result.status == "ok" else "（失败）"
            bar.update(task, completed=done, total=total, description=f"{job.title}{mark}")

        period, county, formats, timeout, root = args
        return run_reports(
            data_dir, out_dir, period, county, formats, runner, timeout, tick, root=root, **chain
        )


COMMANDS = [report]
