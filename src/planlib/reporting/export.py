"""Tables for people: frames as an Excel workbook, or with Chinese column headers.

The headers come from ``data/labels.yaml`` (column code → header; a column without one keeps its
code). :func:`export` writes one sheet per frame: bold header row frozen at the top, column
widths fitted to Chinese text (capped: longer text wraps), text never read as a formula, a page
setup for printing on A4 (``planlib.forms.sheets.page_setup``: the header row on every page,
a wide table in groups of columns with its identifying columns repeated), and the file replaced
in one step.

    export({"指标": indicators, "评估": assessment}, "2022Q4.xlsx")
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import PlanlibError

if TYPE_CHECKING:
    import pandas as pd

LABELS = ("zh", "code")
"""``zh``: Chinese headers from data/labels.yaml; ``code``: the column codes as they are."""

MAX_ROWS = 1_048_576  # Excel's limit per sheet, header row included
MAX_COLUMNS = 16_384
_FORMULA_START = ("=", "+", "-", "@")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_WIDTH_MIN, _WIDTH_MAX, _NUMBER_WIDTH = 6.0, 36.0, 12
_ID_COLUMNS = frozenset(
    ("org_code", "org_name", "code", "name", "school_code", "school_name", "county_code",
     "county_name", "period", "department", "task_id")
)  # fmt: skip


@cache
def _label_file() -> tuple[dict[str, str], frozenset[str]]:
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
    return {k: v.strip() for k, v in columns.items()}, frozenset(map(str, percent))


def column_labels() -> dict[str, str]:
    """Column code → Chinese header, as in ``data/labels.yaml`` (a copy)."""
    return dict(_label_file()[0])


def _check_labels(labels: str) -> None:
    if labels not in LABELS:
        raise PlanlibError(f"未知的列名方式「{labels}」（可选：zh 中文列名、code 列代码）")


def headers(columns: Any, labels: str = "zh") -> list[str]:
    """The headers of ``columns``: Chinese where data/labels.yaml has one, else the code.

    Two columns that would share a header (a label equal to another column's code) keep
    them apart by adding the code: ``指标值（value）``.
    """
    _check_labels(labels)
    codes = [str(c) for c in columns]
    if labels == "code":
        return codes
    names = _label_file()[0]
    out = [names.get(c, c) for c in codes]
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


def _column_values(series: pd.Series) -> list[Any]:
    """Plain Python values openpyxl can write: missing values None, numbers, text, datetimes."""
    import pandas as pd

    kind = series.dtype.kind
    if kind == "f":
        return [None if v != v else (v if math.isfinite(v) else str(v)) for v in series.tolist()]
    if kind in "iub":
        return series.tolist()
    if kind == "M":
        s = series.dt.tz_localize(None) if getattr(series.dt, "tz", None) else series
        return [None if v is pd.NaT else v.to_pydatetime() for v in s]
    bad = _illegal()
    out: list[Any] = []
    for v in series.astype(object).tolist():
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
            out.append(None)
        elif isinstance(v, bool | int | float):
            out.append(v)
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


def _id_columns(columns: Any, widths: list[float]) -> int:
    """How many leading columns identify a row (unit, period, indicator): printed on every
    group of columns when the table is too wide for a page."""
    n = 0
    for code in map(str, columns):
        if code not in _ID_COLUMNS:
            break
        n += 1
    return n


def _write_sheet(wb: Any, name: str, frame: pd.DataFrame, labels: str) -> None:
    """One sheet: the bold header row wrapped and repeated on every printed page, columns
    fitted to their text (longer text wraps, rows as high as it needs), A4 (``page_setup``)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from ..forms.sheets import page_setup, wrapped_lines

    if len(frame) + 1 > MAX_ROWS or frame.shape[1] > MAX_COLUMNS:
        raise PlanlibError(
            f"工作表「{name}」有 {len(frame)} 行、{frame.shape[1]} 列，超过 Excel 的上限"
            f"（{MAX_ROWS - 1} 行、{MAX_COLUMNS} 列）；请改用 CSV 输出"
        )
    ws = wb.create_sheet(name)
    names = headers(frame.columns, labels)
    percent = _label_file()[1]
    columns = [_column_values(frame.iloc[:, i]) for i in range(frame.shape[1])]
    fitted = [_width(h, values) for h, values in zip(names, columns, strict=True)]
    widths = [w for w, _ in fitted]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    if frame.shape[1]:
        ws.auto_filter.ref = f"A1:{get_column_letter(frame.shape[1])}{len(frame) + 1}"
    page_setup(ws, title_rows=1, id_cols=_id_columns(frame.columns, widths), title=name,
               columns=frame.shape[1])  # fmt: skip
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
    shares = [str(c) in percent for c in frame.columns]
    risky = [any(isinstance(v, str) and v.startswith(_FORMULA_START) for v in c) for c in columns]
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

    if isinstance(value, str) and value.startswith(_FORMULA_START):
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


def export(
    frames: pd.DataFrame | Mapping[str, pd.DataFrame],
    path: str | Path,
    labels: str = "zh",
    *,
    sheet: str = "数据",
) -> Path:
    """Write ``frames`` to the Excel workbook ``path``; returns the path.

    ``frames``: one DataFrame (the sheet ``sheet``) or sheet name → DataFrame, in order; the
    index is not written. ``labels``: ``zh`` for the headers of data/labels.yaml, ``code`` for
    the column codes. Text starting with ``= + - @`` is stored as text, never as a formula.
    The workbook is written beside ``path`` and renamed over it: a failed export leaves an
    existing file as it was.
    """
    import pandas as pd
    from openpyxl import Workbook

    _check_labels(labels)
    sheets = {sheet: frames} if isinstance(frames, pd.DataFrame) else dict(frames)
    if not sheets:
        raise PlanlibError("没有要写入的表")
    target = Path(path)
    wb = Workbook(write_only=True)
    for name, frame in zip(_sheet_names([str(k) for k in sheets]), sheets.values(), strict=True):
        _write_sheet(wb, name, frame, labels)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        wb.save(tmp)
        os.replace(tmp, target)
    except OSError as err:
        raise PlanlibError(f"无法写入 {target}：{err.strerror or err}") from None
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


__all__ = ["LABELS", "column_labels", "export", "headers", "labelled", "text_width"]
