"""``planlib plan ...``: look at a plan file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    import pandas as pd

from ..errors import PlanlibError
from ._console import console, err_console, plain, print_table


@click.group()
def plan() -> None:
    """查看、抽取和比较工作要点（计划文件）。"""


@plan.command("show")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--tasks/--no-tasks", default=True, show_default=True, help="是否列出任务表。")
def show(path: Path | None, tasks: bool) -> None:
    """列出计划的任务与量化目标（默认为内置的 2022 年计划）。

    PATH 为计划文件（YAML 或 JSON）。
    """
    from ..plan.files import load_plan

    p = load_plan(path)
    fw = f"（“{p.framework.name}”总体思路）" if p.framework.name else ""
    goals = f"，总体目标 {len(p.goals)} 个" if p.goals else ""
    console.print(
        f"[bold]{plain(p.title)}[/]{plain(fw)}  任务 {len(p.tasks)} 项，量化目标 {len(p.targets)} 个{goals}"
    )
    if p.goals:
        _print_targets(p.goals_frame(), "总体目标（不属于某项任务）", {})
    if tasks:
        frame = p.tasks_frame()
        print_table(
            frame,
            {
                "task_id": "编号",
                "title": "任务",
                "lead_units": "牵头处室",
                "responsible_units": "责任处室/单位",
                "n_targets": "目标数",
                **({"due": "完成时限"} if any(t.due for t in p.tasks) else {}),
            },
            title="任务",
            right=("n_targets",),
        )
    _print_targets(
        p.targets_frame(),
        "量化目标",
        {"lead_units": "牵头处室", "responsible_units": "责任处室/单位"},
        task=True,
    )


def _print_targets(
    frame: pd.DataFrame, title: str, extra: dict[str, str], task: bool = False
) -> None:
    """A numbered table of targets (a task's or the plan's own), flags in words."""
    frame = frame.reset_index(drop=True)
    frame.insert(0, "no", range(1, len(frame) + 1))
    frame["flags"] = _flags(frame)
    columns = {
        "no": "序号",
        **({"task_id": "任务"} if task else {}),
        "indicator": "指标（原文）",
        "comparator": "比较",
        "value": "目标值",
        "unit": "单位",
        "flags": "说明",
        **extra,
    }
    print_table(frame, columns, title=title, right=("no", "value"))


def _flags(frame: pd.DataFrame) -> list[str]:
    """力争、左右、较上年变化量: what a target's flags mean, in words."""
    return [
        "、".join(f for f, on in (("力争", a), ("左右", b), ("较上年变化量", c)) if on)
        for a, b, c in zip(
            frame["aspirational"], frame["approximate"], frame["change"], strict=True
        )
    ]


@plan.command("extract")
@click.argument("file", type=click.Path(dir_okay=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml", "json"]),
    default=None,
    help="输出格式（默认按 -o 的扩展名，否则为 yaml）。",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="写入的计划文件；省略时输出到标准输出。",
)
@click.option(
    "--text",
    "show_text",
    is_flag=True,
    default=False,
    help="只输出从文件读出的文字（表格每行以 | 分隔），警告中的行号即指此文字的行。",
)
def extract(file: Path, fmt: str | None, output: Path | None, show_text: bool) -> None:
    """从工作要点抽取任务、部门和量化目标，生成计划文件草稿。

    FILE 可以是文本（UTF-8、GBK/GB18030）、Word（.docx）、PDF、Excel（.xlsx）、CSV 或保存的网页
    （.html），按文件内容识别；任务分解表（序号、工作任务、牵头单位、责任单位、完成时限……）
    每行作为一项任务。

    无法归位的内容（如没有责任处室的任务、未匹配句式的数值）作为警告输出到标准错误，注明行号
    （Word、PDF 等文件的行号指读出的文字，可用 --text 查看）。

    草稿须经人工核对，补上标签（tags）和备注后再使用。
    """
    from ..plan.extraction.extract import extract_plan, read_plan_text
    from ..plan.files import plan_text, write_text_atomic

    if show_text:
        click.echo(read_plan_text(file))
        return
    result = extract_plan(file)
    fmt = fmt or ("json" if output is not None and output.suffix.lower() == ".json" else "yaml")
    text = plan_text(result.plan, fmt)
    for w in result.warnings:
        err_console.print(f"[yellow]警告：[/]{plain(w.describe())}", highlight=False, markup=True)
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            write_text_atomic(output, text)
        except OSError as err:
            raise PlanlibError(f"无法写入 {output}：{err.strerror or err}") from None
    p = result.plan
    where = f"，已写入 {plain(str(output))}" if output is not None else ""
    err_console.print(
        f"抽取到 {len(p.sections)} 个部分、{len(p.tasks)} 项任务、{len(p.targets)} 个量化目标"
        + (f"、{len(p.goals)} 个总体目标" if p.goals else "")
        + "，"
        f"警告 {len(result.warnings)} 条{where}。请人工核对后使用。",
        highlight=False,
    )


@plan.command("diff")
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="输出为表格或 JSON。",
)
def diff(old: Path, new: Path, fmt: str) -> None:
    """比较两份计划文件：任务新增或删除、目标提高或降低、部门和单位变化。

    OLD、NEW 为计划文件（YAML 或 JSON），例如去年与今年的计划。
    """
    from ..plan.diff import diff_plans
    from ..plan.files import load_plan

    a, b = load_plan(old), load_plan(new)
    changes = diff_plans(a, b)
    if fmt == "json":
        click.echo(json.dumps(changes.to_dict(orient="records"), ensure_ascii=False, indent=2))
        return
    if changes.empty:
        console.print(f"{plain(a.title)} 与 {plain(b.title)} 的任务、部门和量化目标没有差异。")
        return
    console.print(f"[bold]{plain(a.title)}[/] → [bold]{plain(b.title)}[/]：{len(changes)} 处变化")
    print_table(
        changes,
        {
            "kind": "变化",
            "task_id": "任务",
            "task": "任务标题",
            "indicator": "指标",
            "old": "原来",
            "new": "现在",
        },
    )
