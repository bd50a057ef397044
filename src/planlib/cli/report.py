"""``planlib report``: render the monitoring reports of one period (HTML and PDF)."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ..periods import PeriodRequest
from ..request import Request
from ._console import console, err_console, plain
from ._options import PERIOD_HELP, PeriodSpec, data_folder, monitoring_options, parse_settings

REPORT_PERIOD_HELP = PERIOD_HELP.replace(
    "输出所选的每个季度。",
    "报告总是关于一个季度：给出一年、范围或 all 时，按其中最后一个季度生成"
    "（各报告含本年至该季度的走势），并在输出中说明。",
)


@click.command("report")
@click.option(
    "--data",
    "data_dir",
    required=False,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="数据目录（planlib sample-data 生成的结构）；在工作区中可省略。",
)
@click.option(
    "--period", type=PeriodSpec(), default="latest", show_default=True, help=REPORT_PERIOD_HELP
)
@monitoring_options
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="输出目录：每个县市区的 .ipynb/.html/.pdf、总览、处室报告、index.html、manifest.json。",
)
@click.option(
    "--county",
    default=None,
    metavar="代码",
    help="只生成这些县市区的报告：逗号分隔的代码，或 all（全部县市区）。",
)
@click.option(
    "--department",
    default=None,
    metavar="处室",
    help="只生成这些处室的报告：逗号分隔的处室名称（如 财务处），或 all（全部处室）。",
)
@click.option(
    "--only",
    default=None,
    metavar="种类",
    help="要生成的报告种类，逗号分隔：county（县市区）、department（处室）、city（总览）。"
    "默认：未给 --county、--department 时三种全部生成；给了则只生成所指的报告，"
    "如 --county 990102 只生成该县市区的报告，加 --only county,city 再生成总览。",
)
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
    "--kernel",
    type=click.Choice(["warm", "fresh"]),
    default="warm",
    show_default=True,
    help="warm：每个并行进程保留一个内核，逐份运行报告（每份报告命名空间全新，出错后或每 "
    "25 份换新内核）；fresh：每份报告启动一个新内核（较慢，用于对比或排查）。",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=600,
    show_default=True,
    help="每份报告的时限（秒）。",
)
@click.option(
    "--wait",
    is_flag=True,
    default=False,
    help="输出目录正被另一次 planlib report 使用时，等它结束后再开始（默认立即退出，退出码 1）。",
)
def report(
    data_dir: Path | None,
    period: PeriodRequest,
    out_dir: Path,
    county: str | None,
    department: str | None,
    only: str | None,
    root: str | None,
    formats: str,
    jobs: int | None,
    executor: str,
    scheduler: str | None,
    kernel: str,
    timeout: float,
    wait: bool,
    plan_path: Path | None,
    pairs: tuple[str, ...],
    allocations: Path | None,
) -> None:
    """生成监测报告：每个县市区、每个处室和全市总览，HTML 与 A4 PDF。

    \b
    指标与评估每批只计算一次（--plan、--set、--allocations 与 planlib assess 相同）；
    各报告并行生成，单份失败不影响其他报告。
    只要一部分时用 --county、--department、--only，例如：
      planlib report --data DIR --out OUT --county 990102               只生成该县市区的报告
      planlib report --data DIR --out OUT --county 990102 --only county,city   再加总览
      planlib report --data DIR --out OUT --department 财务处           只生成财务处的报告
    index.html 与 manifest.json 列出本批生成的报告。
    同一输出目录同时只能有一次运行：另一次运行正在使用时立即退出（退出码 1，说明其进程号与开始时间），
    加 --wait 则等它结束。Ctrl-C 或 SIGTERM 会停止所有工作进程与内核，保留已完成的报告，
    manifest.json 中其余报告标为 interrupted。
    退出码：0 全部成功；1 有报告失败（见 manifest.json 与日志）、输出目录正被另一次运行使用或
    无法写入（磁盘已满、只读、没有权限）；2 用法错误（如未知的县市区代码、处室）；
    130 被 Ctrl-C 中断；143 被 SIGTERM 终止。
    """
    from ..reporting.runner import UsageError

    try:
        kinds = report_kinds(only, county, department)
    except UsageError as err:
        raise click.UsageError(str(err)) from err
    request = Request.make(
        data_folder(data_dir),
        period,
        plan=plan_path,
        settings=parse_settings(pairs),
        allocations=allocations,
        units=county,
        departments=department,
        kinds=kinds,
        root=root,
    )
    opts: dict[str, Any] = {"jobs": jobs, "kernel": kernel}
    if executor == "dask":
        opts["address"] = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
    chain = {
        **batch_arguments(request),
        "formats": formats,
        "timeout": timeout,
        "wait": wait,
        "waiting": lambda text: click.echo(text, err=True),
    }
    outcome = _run_batch(executor, opts, request, out_dir, chain)
    ok = len(outcome.entries) - len(outcome.failed)
    label = outcome.label
    if request.period.several:
        console.print(f"报告期「{period}」含多个季度，报告按其中最后一个季度（{label}）生成。")
    console.print(
        f"报告期 {outcome.period}：{ok} 份成功，{len(outcome.failed)} 份失败，"
        f"用时 {outcome.seconds:.1f} 秒。目录：{outcome.out / 'index.html'}"
    )
    for entry in outcome.failed:
        err_console.print(
            f"[red]失败[/] {plain(entry['county_name'])}（{entry['key']}）：{plain(entry['error'])}"
        )
    if outcome.exit_code:
        raise SystemExit(outcome.exit_code)


def _run_batch(
    executor: str, opts: dict[str, Any], request: Request, out_dir: Path, chain: dict[str, Any]
) -> Any:
    """The batch, with a progress bar on a terminal, else a line per report. Ctrl-C or SIGTERM:
    one line (how many reports were made), exit 130 or 143."""
    from ..reporting.executors import get_executor
    from ..reporting.runner import UsageError, plain_progress, run_reports

    with _stops_on_signals() as stopped_by:
        try:
            runner = get_executor(executor, **opts)
            if err_console.is_terminal:
                return _with_bar(runner, request, out_dir, chain)
            return run_reports(
                request.data_dir,
                out_dir,
                request.period,
                executor=runner,
                progress=plain_progress,
                **chain,
            )
        except UsageError as err:
            raise click.UsageError(str(err)) from err
        except KeyboardInterrupt as err:  # one line, no traceback
            click.echo(str(err.args[0]) if err.args else "已中断：报告未生成", err=True)
            raise SystemExit(128 + (stopped_by[0] if stopped_by else signal.SIGINT)) from None


@contextmanager
def _stops_on_signals() -> Iterator[list[int]]:
    """Ctrl-C and SIGTERM alike stop the batch cleanly (a KeyboardInterrupt in the main thread);
    yields the list that receives the signal that stopped it. Once stopped, both are ignored
    until the process has exited (a second Ctrl-C must not print a traceback)."""
    got: list[int] = []

    def stop(signum: int, frame: object) -> None:
        got.append(signum)
        raise KeyboardInterrupt

    old = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield got
    finally:
        for sig, handler in old.items():
            signal.signal(sig, signal.SIG_IGN if got or handler is None else handler)


def report_kinds(only: str | None, county: str | None, department: str | None) -> tuple[str, ...]:
    """The kinds of report ``--only``, ``--county`` and ``--department`` ask for.

    Without ``--only``: every kind when neither ``--county`` nor ``--department`` is given,
    else the kinds they name. ``--county X`` with an ``--only`` lacking county is an error.
    """
    from ..reporting.runner import UsageError, parse_kinds

    if only is not None:
        kinds = parse_kinds(only)
    elif county is None and department is None:
        kinds = parse_kinds(None)
    else:
        kinds = tuple(k for k, v in (("county", county), ("department", department)) if v)
    for option, value, kind in (
        ("--county", county, "county"),
        ("--department", department, "department"),
    ):
        if value is not None and kind not in kinds:
            raise UsageError(f"给了 {option}，但 --only 中没有 {kind}；请在 --only 中加上 {kind}")
    return kinds


def batch_arguments(request: Request) -> dict[str, Any]:
    """What :func:`~planlib.reporting.runner.run_reports` takes from a request, besides the data
    folder and the period."""
    return {
        **request.chain(),
        "root": request.root,
        "kinds": request.kinds,
        "counties": request.units_text,
        "departments": True if request.departments is None else request.departments,
    }


def _with_bar(runner: Any, request: Request, out_dir: Path, chain: dict[str, Any]) -> Any:
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
            bar.update(task, completed=done, total=total, description=plain(f"{job.title}{mark}"))

        return run_reports(
            request.data_dir, out_dir, request.period, executor=runner, progress=tick, **chain
        )


COMMANDS = [report]
