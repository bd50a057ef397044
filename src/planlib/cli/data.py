"""``planlib sample-data`` and ``planlib validate``: make sample returns, check real ones."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import PlanlibError
from ._console import console, err_console, plain, print_table


@click.command("sample-data")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--seed", default=2022, show_default=True, help="随机种子：相同种子生成相同数据。")
@click.option(
    "--counties",
    default=12,
    show_default=True,
    type=click.IntRange(1, 5000),
    help="县级单位（县、县级市、区）数量。",
)
@click.option(
    "--schools-per-county",
    default=250,
    show_default=True,
    type=click.IntRange(20, 5000),
    help="每个县级单位的平均学校数。",
)
@click.option(
    "--provinces",
    default=None,
    type=click.IntRange(1, 89),
    help="生成全国规模：省的数量（如 31）；不填则为一个市。",
)
@click.option(
    "--format",
    "fmt",
    default="excel",
    show_default=True,
    type=click.Choice(["excel", "parquet"]),
    help="excel：按县区报表格式（.xlsx/.csv）；parquet：大规模运行用的整洁数据。",
)
def sample_data(
    out_dir: Path,
    seed: int,
    counties: int,
    schools_per_county: int,
    provinces: int | None,
    fmt: str,
) -> None:
    """生成虚构的示例城市（或全国）：一个 2022 年计划的工作区，含单位名录、学校名录、
    四个季度的县区报表和任务台账。

    OUT_DIR 为输出目录（之后可在其中直接运行 planlib validate、assess、report 等命令）。
    """
    from ..init.sample import make_sample

    s = make_sample(
        out_dir,
        seed=seed,
        counties=counties,
        schools_per_county=schools_per_county,
        provinces=provinces,
        fmt=fmt,
    )
    console.print(
        f"已在 {plain(s.out_dir)} 生成示例数据：{s.counties} 个县级单位、{s.schools} 所学校、"
        f"{len(s.periods)} 个季度（{s.periods[0]}–{s.periods[-1]}），共 {s.files} 个报表文件。"
    )
    if s.late:
        console.print(
            f"其中 {plain('、'.join(s.late))} 的 {s.late_period} 报表迟报（未生成），用于演示完整性检查。"
        )


@click.command("validate")
@click.argument("paths", nargs=-1, required=False, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    default="text",
    show_default=True,
    type=click.Choice(["text", "json"]),
    help="输出格式：text 为表格，json 供程序读取。",
)
@click.option("--max-rows", default=200, show_default=True, help="表格中最多列出的问题数。")
def validate(paths: tuple[Path, ...], fmt: str, max_rows: int) -> None:
    """检查县区报送的数据：列名、数值、范围、重复、代码、跨项规则、环比跳变和完整性。

    PATHS 为数据目录（含 org_units.csv）或报表文件；在工作区中可省略。有错误时退出码为 1，仅有警告或没有问题时为 0。
    """
    from ..returns.dataset import validate as run_validation
    from ._options import data_folder

    paths = tuple(data_folder(p) for p in paths) if paths else (data_folder(None),)
    try:
        result = run_validation(list(paths))
    except PlanlibError as err:
        if fmt != "json":  # the message may quote the data: printed literally, never as markup
            err_console.print(f"[bold red]错误：[/]{plain(err)}")
            raise SystemExit(1) from None
        # machines get JSON even when the folder cannot be read at all (no org_units.csv …)
        failure = {
            "file": None,
            "row": None,
            "column": None,
            "value": None,
            "message": str(err),
            "severity": "error",
            "org_code": None,
            "period": None,
            "rule": "unreadable",
        }
        payload = {"ok": False, "errors": 1, "warnings": 0, "problems": [failure], "summary": []}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        raise SystemExit(1) from None
    problems = result.problems
    n_err = int((problems["severity"] == "error").sum())
    n_warn = int((problems["severity"] == "warning").sum())
    if fmt == "json":
        payload = {
            "ok": result.ok,
            "errors": n_err,
            "warnings": n_warn,
            "problems": json.loads(problems.to_json(orient="records", force_ascii=False)),
            "summary": json.loads(result.summary().to_json(orient="records", force_ascii=False)),
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        if problems.empty:
            console.print("未发现问题。")
        else:
            shown = problems.head(max_rows).assign(
                level=problems["severity"].map({"error": "错误", "warning": "警告"}),
                row_text=problems["row"].astype("string").fillna(""),
            )
            print_table(
                shown,
                {
                    "level": "级别",
                    "file": "文件",
                    "row_text": "行",
                    "column": "列",
                    "value": "值",
                    "message": "问题",
                },
                title="发现的问题",
                right=("row_text",),
            )
            if len(problems) > max_rows:
                console.print(
                    f"……另有 {len(problems) - max_rows} 个问题未列出（用 --format json 查看全部）"
                )
        summary = result.summary()
        if not summary.empty:
            print_table(
                summary,
                {"org_code": "代码", "name": "县（市、区）", "errors": "错误", "warnings": "警告"},
                title="按县区汇总",
                right=("errors", "warnings"),
            )
        console.print(f"共 {n_err} 个错误、{n_warn} 个警告。")
    if n_err:
        err_console.print("数据有错误，请按上表修改后重新报送。")
        raise SystemExit(1)


COMMANDS = [sample_data, validate]
