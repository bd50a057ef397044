"""``planlib plan ...``: look at a plan file."""

from __future__ import annotations

from pathlib import Path

import click

from ..planfile import load_plan
from ._console import console, print_table


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
    p = load_plan(path)
    fw = f"（“{p.framework.name}”总体思路）" if p.framework.name else ""
    console.print(f"[bold]{p.title}[/]{fw}  任务 {len(p.tasks)} 项，量化目标 {len(p.targets)} 个")
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
            },
            title="任务",
            right=("n_targets",),
        )
    targets = p.targets_frame().reset_index(drop=True)
    targets.insert(0, "no", range(1, len(targets) + 1))
    targets["flags"] = [
        "、".join(f for f, on in (("力争", a), ("左右", b)) if on)
        for a, b in zip(targets["aspirational"], targets["approximate"], strict=True)
    ]
    print_table(
        targets,
        {
            "no": "序号",
            "task_id": "任务",
            "indicator": "指标（原文）",
            "comparator": "比较",
            "value": "目标值",
            "unit": "单位",
            "flags": "说明",
            "lead_units": "牵头处室",
            "responsible_units": "责任处室/单位",
        },
        title="量化目标",
        right=("no", "value"),
    )
