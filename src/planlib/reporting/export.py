"""Tables for people: frames as an Excel workbook, or with Chinese column headers.

The headers come from ``data/labels.yaml`` (column code → header; a column without one keeps its
code). :func:`export` writes what a colleague reads, not what the frame holds: an index that
names rows (a pivot's counties) becomes columns, two-level headers become one (状态·2022年第二季度),
booleans read 是/否, levels 市/县（市、区）, quarters 2022年第二季度, missing values stay empty and
numbers stay numbers. It takes a frame, a mapping or list of frames, or a ``monitor`` result
(three sheets: 评估, 指标, 任务); anything else is a Chinese :class:`UsageError`. One sheet per
frame: bold header row frozen at the top, column widths fitted to Chinese text (capped: longer
text wraps), text never read as a formula, a page setup for printing on A4
(``planlib.forms.sheets.page_setup``: the header row on every page, a wide table in groups of
columns with its identifying columns repeated), and the file replaced in one step
(``planlib.safety.write_file``: a failure names the file, in Chinese).

    export({"指标": indicators, "评估": assessment}, "2022Q4.xlsx")
    export(planlib.monitor(data, "all"), "监测.xlsx")
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..checks import describe
from ..errors import PlanlibError, UsageError
from ..periods import parse_period
from ..safety import formula_like, write_file

if TYPE_CHECKING:
    import pandas as pd

LABELS = ("zh", "code")
"""``zh``: Chinese headers from data/labels.yaml; ``code``: the column codes as they are."""

MAX_ROWS = 1_048_576  # Excel's limit per sheet, header row included
MAX_COLUMNS = 16_384
_YES_NO = ("否", "是")
_PERIOD_COLUMNS = frozenset(("period", "since", "as_of"))
_ROW_HEADER = "项目"  # the header of an unnamed index written as a column
_USAGE = '用法：planlib.export({"评估": 表格, …}, "结果.xlsx")'
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_WIDTH_MIN, _WIDTH_MAX, _NUMBER_WIDTH = 6.0, 36.0, 12
_ID_COLUMNS = frozenset(
    (
        "org_code",
        "org_name",
        "code",
        "name",
        "school_code",
        "school_name",
        "county_code",
        "county_name",
        "period",
        "department",
        "task_id",
    )
)


@cache
def _label_file() -> tuple[dict[str, str], frozenset[str], dict[str, dict[str, str]]]:
    import yaml

    from ..resources import data_dir

    path = data_dir() / "labels.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as err:
        raise PlanlibError(f"无法读取列名文件 {path}：{err}") from None
    columns = data.get("columns") if isinstance(data, dict) else None
    if not isinstance(columns, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in columns.items()
    ):
        raise PlanlibError(f"列名文件 {path} 应含 columns：列代码 → 中文列名（均为文字）")
    percent = data.get("percent") or []
    if not isinstance(percent, list):
        raise PlanlibError(f"列名文件 {path} 的 percent 应为列代码的列表")
    values = data.get("values") or {}
    if not isinstance(values, dict) or not all(
        isinstance(m, dict) and all(isinstance(t, str) for t in m.values()) for m in values.values()
    ):
        raise PlanlibError(f"列名文件 {path} 的 values 应为：列代码 → （代码 → 中文）")
    shown = {str(c): {str(k): str(v) for k, v in m.items()} for c, m in values.items()}
    return {k: v.strip() for k, v in columns.items()}, frozenset(map(str, percent)), shown


def column_labels() -> dict[str, str]:
    """Column code → Chinese header, as in ``data/labels.yaml`` (a copy)."""
    return dict(_label_file()[0])


def _check_labels(labels: str) -> None:
    if labels not in LABELS:
        raise PlanlibError(f"未知的列名方式「{labels}」（可选：zh 中文列名、code 列代码）")


def _period_label(value: Any) -> str | None:
    """``2022Q2`` → 2022年第二季度; None for what is not a quarter."""
    if not isinstance(value, str):
        return None
    try:
        return parse_period(value).label
    except ValueError:
        return None


def _parts(key: Any) -> list[str]:
    """A column key's levels as text (a tuple from a two-level header; empty levels left out)."""
    if not isinstance(key, tuple):
        return [str(key)]
    return [str(p) for p in key if p is not None and p == p and str(p) != ""] or [""]


def _code(key: Any) -> str:
    """The column code a key stands for: a two-level key's first level that has a label
    (``('status', '2022Q2')`` → ``status``: its values are statuses), else its levels joined."""
    parts = _parts(key)
    return next((p for p in parts if p in _label_file()[0]), "·".join(parts))


def headers(columns: Any, labels: str = "zh") -> list[str]:
    """The headers of ``columns``: Chinese where data/labels.yaml has one, a quarter as
    2022年第二季度, else the code; a two-level key's levels joined by 「·」 (状态·2022年第二季度).

    Two columns that would share a header (a label equal to another column's code) keep
    them apart by adding the code: ``指标值（value）``.
    """
    _check_labels(labels)
    keys = list(columns)
    codes = ["·".join(_parts(k)) for k in keys]
    if labels == "code":
        return codes
    names = _label_file()[0]
    out = ["·".join(names.get(p) or _period_label(p) or p for p in _parts(k)) for k in keys]
    seen: dict[str, int] = {}
    for h in out:
        seen[h] = seen.get(h, 0) + 1
    return [f"{h}（{c}）" if seen[h] > 1 and h != c else h for h, c in zip(out, codes, strict=True)]


def labelled(frame: pd.DataFrame, labels: str = "zh") -> pd.DataFrame:
    """A copy of ``frame`` whose columns carry their headers (``labels="code"``: unchanged)."""
    out = frame.copy()
    out.columns = headers(frame.columns, labels)
    return out


def text_width(text: str) -> int:
    """How many columns ``text`` takes in a fixed-width grid: CJK and full-width count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _sheet_names(names: list[str]) -> list[str]:
    """Names Excel accepts: no ``[]:*?/\\``, at most 31 characters, unique, never empty."""
    out: list[str] = []
    for n, name in enumerate(names, start=1):
        base = _SHEET_BAD.sub("_", name).strip("'") or f"Sheet{n}"
        candidate, k = base[:31], 2
        while candidate.lower() in {o.lower() for o in out}:
            suffix = f"_{k}"
            candidate, k = base[: 31 - len(suffix)] + suffix, k + 1
        out.append(candidate)
    return out


def _illegal() -> re.Pattern[str]:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE


def _column_values(series: pd.Series, code: str = "", labels: str = "code") -> list[Any]:
    """Plain Python values openpyxl can write: missing values None, numbers, text, datetimes.

    With ``labels="zh"`` values read as people say them: booleans 是/否, the codes of a column
    data/labels.yaml's ``values`` maps (levels: 市, 县（市、区）), quarters in a period column."""
    import numpy as np
    import pandas as pd

    kind = series.dtype.kind
    plain = isinstance(series.dtype, np.dtype)
    if labels == "zh":
        read = _column_values(series, code)
        shown = _label_file()[2].get(code)
        if kind == "b" or any(isinstance(v, bool) for v in read):
            read = [_YES_NO[v] if isinstance(v, bool) else v for v in read]
        if shown:
            read = [shown.get(v, v) if isinstance(v, str) else v for v in read]
        if code in _PERIOD_COLUMNS or code.endswith("_period"):
            read = [(_period_label(v) or v) if isinstance(v, str) else v for v in read]
        return read
    if kind == "f" and plain:
        return [None if v != v else (v if math.isfinite(v) else str(v)) for v in series.tolist()]
    if kind in "iub" and plain:
        return series.tolist()
    if kind == "M":
        s = series.dt.tz_localize(None) if getattr(series.dt, "tz", None) else series
        return [None if v is pd.NaT else v.to_pydatetime() for v in s]
    bad = _illegal()
    out: list[Any] = []
    for v in series.astype(object).tolist():
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
            out.append(None)
        elif isinstance(v, float):
            out.append(v if math.isfinite(v) else str(v))
        elif isinstance(v, bool | int):
            out.append(v)
        elif isinstance(v, np.generic):
            out.append(v.item())
        elif isinstance(v, pd.Timestamp):
            out.append(v.tz_localize(None).to_pydatetime() if v.tzinfo else v.to_pydatetime())
        else:
            out.append(bad.sub("", str(v)))
    return out


def _width(header: str, values: list[Any]) -> tuple[float, bool]:
    """The column's width and whether some of its text is wider (and wraps): the widest value,
    the header on at most two lines, capped at :data:`_WIDTH_MAX` (text beyond wraps)."""
    from ..forms.sheets import header_width

    widest = 0
    for v in set(values) if len(values) < 200_000 else set(values[:200_000]):
        if isinstance(v, str):
            widest = max(widest, text_width(v))
        elif v is not None:
            widest = max(widest, min(len(str(v)), _NUMBER_WIDTH))
    head = header_width(header, lines=2, minimum=_WIDTH_MIN, maximum=_WIDTH_MAX)
    width = min(max(widest + 2.0, head, _WIDTH_MIN), _WIDTH_MAX)
    return width, widest + 1.0 > width


def _id_columns(codes: list[str], index_columns: int) -> int:
    """How many leading columns identify a row (an index written as columns; unit, period,
    indicator): printed on every group of columns when the table is too wide for a page."""
    n = index_columns
    for code in codes[index_columns:]:
        if code not in _ID_COLUMNS:
            break
        n += 1
    return n


def _names_rows(index: pd.Index) -> bool:
    """Whether an index says something a reader needs (a pivot's counties, quarters): not the
    row numbers of an unnamed integer index (a RangeIndex, or what filtering left of one)."""
    return index.nlevels > 1 or index.name is not None or index.dtype.kind not in "iu"


def _columns(frame: pd.DataFrame) -> tuple[list[Any], list[pd.Series], int]:
    """The keys and the data of the columns to write, an index that names rows first (its
    levels' names as keys, an unnamed one 项目), and how many columns the index took."""
    import pandas as pd

    keys: list[Any] = []
    data: list[pd.Series] = []
    index = frame.index
    if _names_rows(index):
        for i, name in enumerate(index.names):
            keys.append(_ROW_HEADER if name is None else name)
            data.append(pd.Series(index.get_level_values(i), copy=False))
    n_index = len(keys)
    keys.extend(frame.columns)
    data.extend(frame.iloc[:, i] for i in range(frame.shape[1]))
    return keys, data, n_index


def _write_sheet(wb: Any, name: str, frame: pd.DataFrame, labels: str) -> None:
    """One sheet: the bold header row wrapped and repeated on every printed page, columns
    fitted to their text (longer text wraps, rows as high as it needs), A4 (``page_setup``)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from ..forms.sheets import page_setup, wrapped_lines

    keys, data, n_index = _columns(frame)
    if len(frame) + 1 > MAX_ROWS or len(keys) > MAX_COLUMNS:
        raise PlanlibError(
            f"工作表「{name}」有 {len(frame)} 行、{len(keys)} 列，超过 Excel 的上限"
            f"（{MAX_ROWS - 1} 行、{MAX_COLUMNS} 列）；请改用 CSV 输出"
        )
    ws = wb.create_sheet(name)
    names = headers(keys, labels)
    codes = [_code(k) for k in keys]
    percent = _label_file()[1]
    columns = [_column_values(d, c, labels) for d, c in zip(data, codes, strict=True)]
    fitted = [_width(h, values) for h, values in zip(names, columns, strict=True)]
    widths = [w for w, _ in fitted]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    if keys:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(keys))}{len(frame) + 1}"
    page_setup(ws, title_rows=1, id_cols=_id_columns(codes, n_index), title=name, columns=len(keys))
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    head = []
    for header in names:
        title = WriteOnlyCell(ws, value=header)
        title.font, title.alignment = bold, wrap
        title.data_type = "s"
        head.append(title)
    lines = max((wrapped_lines(h, w) for h, w in zip(names, widths, strict=True)), default=1)
    _height(ws, 1, lines)
    ws.append(head)
    shares = [c in percent for c in codes]
    risky = [any(isinstance(v, str) and formula_like(v) for v in c) for c in columns]
    wraps = [w if long else 0.0 for w, (_, long) in zip(widths, fitted, strict=True)]
    special = [r or s or bool(w) for r, s, w in zip(risky, shares, wraps, strict=True)]
    for n, row in enumerate(zip(*columns, strict=True) if columns else (), start=2):
        lines = 1
        for v, w in zip(row, wraps, strict=True):
            if w and isinstance(v, str) and text_width(v) + 1 > w:
                lines = max(lines, wrapped_lines(v, w))
        _height(ws, n, lines)
        ws.append(
            [
                _cell(ws, v, s, w, wrap) if x else v
                for v, x, s, w in zip(row, special, shares, wraps, strict=True)
            ]
        )


def _height(ws: Any, row: int, lines: int) -> None:
    """A row as high as its wrapped text (set before the row is written)."""
    if lines > 1:
        ws.row_dimensions[row].height = round(lines * 14.5 + 4, 1)


def _cell(ws: Any, value: Any, share: bool, wrap_width: float = 0.0, wrap: Any = None) -> Any:
    """A cell that needs more than its value: text that looks like a formula, a share, or
    text wider than its column (wrapped)."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str) and formula_like(value):
        text = WriteOnlyCell(ws, value=value)
        text.data_type = "s"  # stored as text: never a formula
        text.quotePrefix = True  # and Excel keeps it text when the reader edits the cell
        if wrap_width and text_width(value) + 1 > wrap_width:
            text.alignment = wrap
        return text
    if share and isinstance(value, float):
        number = WriteOnlyCell(ws, value=value)
        number.number_format = "0.0%"
        return number
    if wrap_width and isinstance(value, str) and text_width(value) + 1 > wrap_width:
        long = WriteOnlyCell(ws, value=value)
        long.alignment = wrap
        return long
    return value


def _what(value: Any) -> str:
    """What a wrong argument is, for the error: 数字 42, 文本「…」, 数据集（…）."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"数字 {value!r}"
    return describe(value)


def _frame(value: Any, where: str) -> pd.DataFrame:
    """``value`` as a frame (a Series as its one column); else a UsageError naming ``where``."""
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return value
    if isinstance(value, pd.Series):
        return value.to_frame()
    raise UsageError(f"export() 的{where}应为表格（DataFrame），而不是{_what(value)}；{_USAGE}")


def _sheets(frames: Any, sheet: str) -> dict[str, pd.DataFrame]:
    """Sheet name → frame: a frame (or Series), a mapping or list of frames, a ``monitor``
    result (评估, 指标, 任务) or a dataset (数据值, 问题, 台账 when there is one)."""
    import pandas as pd

    if isinstance(frames, pd.DataFrame | pd.Series):
        return {sheet: _frame(frames, "表")}
    if hasattr(frames, "assessment") and not isinstance(frames, Mapping):
        parts = {"评估": "assessment", "指标": "indicators", "任务": "tasks"}
        present = {n: a for n, a in parts.items() if getattr(frames, a, None) is not None}
        return {n: _frame(getattr(frames, a), f"监测结果的 {a}") for n, a in present.items()}
    if type(frames).__name__ == "Dataset":
        parts = {"数据值": "values", "问题": "problems", "台账": "ledger"}
        out = {n: _frame(getattr(frames, a), f"数据集的 {a}") for n, a in parts.items()}
        return out if len(out["台账"]) else {k: v for k, v in out.items() if k != "台账"}
    if isinstance(frames, Mapping):
        return {str(k): _frame(v, f"表「{k}」") for k, v in frames.items()}
    if isinstance(frames, Sequence | set) and not isinstance(frames, str | bytes):
        items = list(frames)
        return {
            (sheet if len(items) == 1 else f"{sheet}{n}"): _frame(v, f"第 {n} 张表")
            for n, v in enumerate(items, start=1)
        }
    raise UsageError(
        "export() 需要表格（DataFrame）、表名 → 表格的字典、表格的列表或监测结果（monitor 的结果），"
        f"而不是{_what(frames)}；{_USAGE}"
    )


def export(
    frames: pd.DataFrame | Mapping[str, pd.DataFrame] | Sequence[pd.DataFrame] | Any,
    path: str | Path,
    labels: str = "zh",
    *,
    sheet: str = "数据",
) -> Path:
    """Write ``frames`` to the Excel workbook ``path``; returns the path.

    ``frames``: one DataFrame (the sheet ``sheet``), sheet name → DataFrame in order, a list of
    frames (``数据1``, ``数据2`` …), a ``monitor`` result (评估, 指标, 任务) or a dataset. An
    index that names rows (a pivot's) is written as columns; two-level headers are joined
    (状态·2022年第二季度). ``labels``: ``zh`` for the headers of data/labels.yaml and values as
    people read them (是/否, 县（市、区）, 2022年第二季度), ``code`` for the codes as they are.
    Text starting with ``= + - @`` is stored as text, never as a formula. The workbook is
    written beside ``path`` and renamed over it: a failed export leaves an existing file as it
    was, and says why in Chinese (an :class:`OutputError` naming the file).
    """
    from openpyxl import Workbook

    _check_labels(labels)
    if not isinstance(path, str | Path) or not str(path).strip():
        raise UsageError(f"export() 的第二个参数应为要写入的文件名，而不是{_what(path)}；{_USAGE}")
    sheets = _sheets(frames, sheet)
    if not sheets:
        raise UsageError(f"没有要写入的表；{_USAGE}")
    target = Path(path)
    wb = Workbook(write_only=True)
    for name, frame in zip(_sheet_names(list(sheets)), sheets.values(), strict=True):
        _write_sheet(wb, name, frame, labels)
    buffer = io.BytesIO()
    wb.save(buffer)
    write_file(target, buffer.getvalue())
    return target


__all__ = ["LABELS", "column_labels", "export", "headers", "labelled", "text_width"]
