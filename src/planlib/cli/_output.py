"""How the table commands (compute, assess, ledger, indicators) print or write their frame.

``--format`` table (a terminal), csv, json or xlsx; ``--out FILE`` (its suffix picks the
format when ``--format`` is not given); ``--labels zh|code`` for the column headers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..safety import discard_stream, inert_csv, printable, sync_stream, write_error, write_file
from ._console import err_console, print_table

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("table", "csv", "json", "xlsx")
_SUFFIXES = {".csv": "csv", ".json": "json", ".xlsx": "xlsx"}

FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="输出格式：table（终端表格）、csv、json 或 xlsx（Excel，须用 --out 指定文件）；默认按 "
    "--out 的扩展名（.csv/.json/.xlsx），否则在终端显示表格、在管道中输出 CSV。"
    "csv 中以 = + - @、制表符或回车开头的文字前加 '，以免 Excel 当作公式执行（数字不变）；"
    "xlsx 中这类文字存为文本。",
)
OUT = click.option(
    "-o",
    "--out",
    "--output",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="写入文件（xlsx 必填）。",
)
LABELS = click.option(
    "--labels",
    type=click.Choice(["zh", "code"]),
    default=None,
    help="列名：zh 为带单位的中文列名（xlsx 的默认），code 为列代码（csv、json 的默认）。",
)


def output_format(fmt: str | None, out: Path | None) -> str:
    """The format to write, checked before any work: xlsx needs a file, never a terminal."""
    if fmt is None:
        if out is not None:
            fmt = _SUFFIXES.get(out.suffix.lower(), "csv")
        else:
            fmt = "table" if sys.stdout.isatty() else "csv"
    if fmt == "xlsx" and out is None:
        raise click.UsageError(
            "xlsx 格式须用 --out 指定要写入的文件（不能输出到终端或管道），如 --out 结果.xlsx"
        )
    if fmt == "table" and out is not None:
        raise click.UsageError("table 格式只用于终端显示；写入文件请用 csv、json 或 xlsx")
    return fmt


def emit(
    frame: pd.DataFrame,
    fmt: str,
    out: Path | None,
    table: dict[str, str],
    *,
    labels: str | None = None,
    sheet: str = "数据",
) -> None:
    """Print ``frame`` (``table``: column → short header for the terminal) or write it."""
    if fmt == "table":
        shown = frame.copy()
        for col in shown.columns:
            if shown[col].dtype.kind == "f":
                shown[col] = shown[col].map(lambda v: "" if v != v else f"{v:,.2f}")  # NaN: blank
            elif shown[col].dtype.kind == "O":  # names from data: no escape sequences on a terminal
                shown[col] = shown[col].map(lambda v: printable(v) if isinstance(v, str) else v)
        print_table(
            shown, {c: h for c, h in table.items() if c in shown}, right=("value", "target", "gap")
        )
        return
    from ..reporting.export import labelled

    if fmt == "xlsx":
        assert out is not None  # output_format saw to it
        if out.suffix.lower() != ".xlsx":
            err_console.print(f"[yellow]注意：[/]{out} 的扩展名不是 .xlsx，Excel 可能打不开它")
        _write_xlsx(frame, out, labels or "zh", sheet)
        err_console.print(f"已写入 {out}（{len(frame)} 行）")
        return
    shown = labelled(frame, labels or "code")
    if fmt == "csv":
        text = inert(shown).to_csv(index=False)
    else:
        records = json.loads(shown.to_json(orient="records", force_ascii=False))
        text = json.dumps(records, ensure_ascii=False, indent=1)
    if out is None:
        _echo(text)
        return
    write_file(out, text.encode("utf-8-sig" if fmt == "csv" else "utf-8"))  # BOM: Excel reads CSV
    err_console.print(f"已写入 {out}（{len(frame)} 行）")


def inert(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` for a CSV that Excel opens: text cells that would run as a formula prefixed
    with ``'`` (numbers, in number columns or not, left as they are)."""
    shown = frame.copy()
    for col in shown.columns:
        if shown[col].dtype.kind == "O":
            shown[col] = shown[col].map(inert_csv)
    return shown


def _echo(text: str) -> None:
    """Print ``text`` on standard output; a full disk or a closed pipe is an error that says so
    (exit 1), not a file cut short with exit 0."""
    stream = sys.stdout
    try:
        click.echo(text, nl=not text.endswith("\n"))
        sync_stream(stream)
    except OSError as err:
        discard_stream(stream)  # the rest stays unwritten: no second failure at exit
        raise write_error(err, None) from None


def _write_xlsx(frame: pd.DataFrame, out: Path, labels: str, sheet: str) -> None:
    """The workbook made in a scratch folder, then written to ``out`` as any file is (a device
    or a link written into, not replaced; a failure named in Chinese)."""
    import shutil
    import tempfile

    from ..reporting.export import export

    scratch = tempfile.mkdtemp(prefix="planlib-xlsx-")
    try:
        made = export(frame, Path(scratch) / "out.xlsx", labels, sheet=sheet)
        write_file(out, made.read_bytes())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def with_period(table: dict[str, str], run: Any) -> dict[str, str]:
    """The terminal columns, with the quarter first when the request named several."""
    return {"period": "报告期", **table} if len(run.selected) > 1 else table
