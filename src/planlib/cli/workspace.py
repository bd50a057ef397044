"""``planlib init``, ``planlib check`` and ``planlib catalog``: a workspace for any bureau's plan."""

from __future__ import annotations

from pathlib import Path

import click

from ._console import console, err_console, plain, print_table
from ._output import FORMAT, LABELS, OUT, emit, output_format


@click.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--plan",
    "plan_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="计划：计划文件（.yaml/.json），或工作要点原文（.txt/.docx/.pdf/.xlsx/.html，自动提取）。",
)
@click.option(
    "--org-units",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="单位表 CSV（code,name,type,parent_code）；不给出时使用示例城市的单位表与学校名录。",
)
@click.option(
    "--schools",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="学校名录 CSV（code,name,county_code,stage,ownership）。",
)
@click.option(
    "--allocations",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="本局的分解目标 CSV（county,indicator,target[,basis]）；不给出时写一份待填写的模板。",
)
@click.option(
    "--sample", is_flag=True, help="同时生成示例城市本计划年度四个季度的报表，当天即可看到报告。"
)
@click.option(
    "--year", type=click.IntRange(1990, 2100), help="计划年度（计划原文中没有年份时必填）。"
)
@click.option("--seed", default=2022, show_default=True, help="示例数据的随机种子。")
@click.option("--force", is_flag=True, help="重建已有的工作区（原目录整体替换）。")
def init(
    folder: Path,
    plan_file: Path,
    org_units: Path | None,
    schools: Path | None,
    allocations: Path | None,
    sample: bool,
    year: int | None,
    seed: int,
    force: bool,
) -> None:
    """为一份计划建立工作区：计划、所需指标与数据元素、分解目标模板、单位表和待确认清单。

    \b
    FOLDER 为工作区目录（新建或空目录）。之后在该目录中运行的 planlib 命令都读取它：
      cd FOLDER && planlib check && planlib validate && planlib assess && planlib report --out reports
    """
    from ..init.create import CHECKLIST_NAME, init_workspace

    with console.status("正在建立工作区……"):
        result = init_workspace(
            folder,
            plan_file,
            org_units=org_units,
            schools=schools,
            allocations=allocations,
            sample=sample,
            year=year,
            seed=seed,
            force=force,
        )
    plan = result.plan
    n_targets = len(result.decisions)
    console.print(
        f"已建立工作区 {plain(str(result.workspace.root))}：{plain(plan.title)}（{plan.year}年），"
        f"{len(plan.tasks)} 项任务、{n_targets} 个量化目标。"
    )
    console.print(
        f"指标：{result.library_indicators} 个来自指标库，{result.plan_indicators} 个按计划原文建立；"
        f"数据元素 {result.elements} 个。"
    )
    if sample:
        console.print(f"示例报表：{result.sample_files} 个文件（returns/、ledger/）。")
    if result.to_confirm:
        console.print(
            f"[yellow]请确认：[/]{len(result.to_confirm)} 项自动判断列在 {CHECKLIST_NAME} 中。"
        )
    console.print(f"下一步：cd {plain(str(folder))} && planlib check")


@click.command("check")
def check() -> None:
    """列出工作区中尚待确定的事项：未对应指标的目标、报表不要求填报的数据元素、计划外的处室、
    加总不等于全市目标的分解目标、待确认的本计划指标。

    有「错误」时退出码为 1，只有「提示」或没有问题时为 0。
    """
    from ..init.check import check_workspace
    from ._options import current_workspace

    ws = current_workspace()
    found = check_workspace(ws)
    if found.empty:
        console.print(f"工作区 {plain(str(ws.root))}：没有待确定的事项。")
        return
    print_table(
        found,
        {"severity": "级别", "topic": "类别", "item": "事项", "message": "说明"},
        title=f"工作区 {ws.root} 待确定的事项",
    )
    errors = int((found["severity"] == "错误").sum())
    console.print(f"共 {errors} 个错误、{len(found) - errors} 个提示。")
    if errors:
        raise SystemExit(1)


_CATALOG_TABLE = {
    "category": "类别",
    "indicator": "代码",
    "indicator_name": "指标",
    "unit": "单位",
    "direction": "方向",
    "source": "依据",
}


def _library_frame() -> object:
    from ..catalog.definitions import load_indicators
    from ..workspace import library_dir

    defs = load_indicators(library_dir() / "indicators.yaml")
    frame = defs.frame()
    by_code = {i.code: i for i in defs}
    frame["category"] = [by_code[c].category for c in frame["indicator"]]
    frame["source"] = [by_code[c].source for c in frame["indicator"]]
    frame["direction"] = frame["direction"].map({"higher": "越高越好", "lower": "越低越好"})
    return frame


@click.group("catalog", invoke_without_command=True)
@FORMAT
@OUT
@LABELS
@click.pass_context
def catalog(ctx: click.Context, fmt: str | None, out: Path | None, labels: str | None) -> None:
    """标准指标库：各地教育工作要点常设的指标，每个指标的定义、分子分母、单位与依据的文件。

    \b
      planlib catalog                   列出全部指标（按类别）
      planlib catalog search 入园率     按名称、别名或定义查找
    """
    if ctx.invoked_subcommand is not None:
        return
    fmt = output_format(fmt, out)
    frame = _library_frame()
    emit(frame, fmt, out, _CATALOG_TABLE, labels=labels, sheet="指标库")  # type: ignore[arg-type]


@catalog.command("search")
@click.argument("words")
@FORMAT
@OUT
@LABELS
def search(words: str, fmt: str | None, out: Path | None, labels: str | None) -> None:
    """按名称、别名、定义或依据文件查找指标库中的指标（相近的写法也能找到）。"""
    import pandas as pd

    from ..catalog.definitions import load_indicators
    from ..catalog.matching import match_target
    from ..workspace import library_dir

    fmt = output_format(fmt, out)
    frame: pd.DataFrame = _library_frame()  # type: ignore[assignment]
    text = frame[["indicator", "indicator_name", "aliases", "definition", "source", "category"]]
    hay = text.astype(str).agg(" ".join, axis=1)
    hits = [c for c, h in zip(frame["indicator"], hay, strict=True) if words in h]
    m = match_target(load_indicators(library_dir() / "indicators.yaml"), words)
    best = max((score for _, score in m.candidates), default=0.0)
    for code, score in m.candidates:  # a slip of the pen too (毛入园律), not the merely related
        if code not in hits and score >= max(0.4, best - 0.1):
            hits.append(code)
    found = frame.set_index("indicator").loc[hits].reset_index() if hits else frame.iloc[:0]
    if found.empty:
        err_console.print(f"指标库中没有与「{plain(words)}」相关的指标。")
        raise SystemExit(1)
    emit(found, fmt, out, {**_CATALOG_TABLE, "definition": "定义"}, labels=labels, sheet="指标库")


COMMANDS = [init, check, catalog]
