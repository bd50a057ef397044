"""Reading county returns (.xlsx, .csv in any Chinese encoding, tidy .parquet) into tidy values.

A return is a table with title rows on top, then a header row of Chinese column names, then one
row per county (sheet 县级汇总) or per school (sheet 学校明细). Headers go through the data
dictionary; the cells under them are parsed, converted to the dictionary unit and checked in
cells.py (every failure is reported with its file, Excel row and column — not just the first).
Workbooks are read by workbooks.py; with a cache (cache.py), a file read before with the same
bytes is not parsed again.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..catalog.dictionary import Dictionary, HeaderMatch, load_dictionary
from ..encodings import decode_text
from ..errors import DataFileError, Problem
from ..periods import find_period
from .cells import VALUE_COLUMNS, TableCells, _problem, check_tables
from .tidy import read_tidy_values
from .workbooks import read_workbook

if TYPE_CHECKING:
    import pyarrow as pa

    from .cache import ReturnCache

RETURN_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".parquet")
_FOOTER = re.compile(r"^(合计|总计|小计|填表人|审核人|负责人|注[:：]|说明)")


@dataclass(frozen=True)
class RawTable:
    """The cells of one sheet or CSV file, as text or numbers, rows as Excel numbers them."""

    file: str
    sheet: str
    rows: list[list[Any]]


# --- files to raw tables ----------------------------------------------------------------------


def read_raw_tables(path: Path, name: str) -> list[RawTable]:
    """Every sheet of a workbook, or the one table of a CSV; ValueError with a Chinese reason."""
    if path.stat().st_size == 0:
        raise ValueError("文件为空")
    if path.suffix.lower() == ".xls":
        raise ValueError("不支持旧版 Excel（.xls）格式，请在 Excel 中“另存为” .xlsx 后再报送")
    if path.suffix.lower() == ".csv":
        text = decode_text(path.read_bytes())
        rows = [list(r) for r in csv.reader(io.StringIO(text))]
        if not any(any(str(c).strip() for c in r) for r in rows):
            raise ValueError("文件中没有内容")
        return [RawTable(name, "", rows)]
    tables = [RawTable(name, title, rows) for title, rows in read_workbook(path)]
    if not any(t.rows for t in tables):
        raise ValueError("工作簿中没有内容")
    return tables


# --- raw tables to cells -----------------------------------------------------------------------


def _text(v: Any) -> str:
    return "" if v is None else str(v).strip()


def _header_row(rows: list[list[Any]], d: Dictionary) -> int | None:
    """Index of the header row: the first of the top rows naming a code column and an element."""
    for i, row in enumerate(rows[:20]):
        kinds = [m.kind for m in (d.match(c) for c in row if _text(c)) if m is not None]
        if ("org_code" in kinds or "school_code" in kinds) and "element" in kinds:
            return i
    return None


_MONEY = re.compile(r"千元|万元|亿元|(?<![千万亿])元")


def _amount_unit_from_title(
    m: HeaderMatch, d: Dictionary, title: str, where: str, row: int, label: str
) -> tuple[HeaderMatch, list[Problem]]:
    """The unit of an amount column whose header names none: the one money unit the title rows
    state (单位：亿元), else the dictionary's unit, with a warning either way (a factor of 10,000
    is too much to guess silently)."""
    code = str(m.element)
    unit = d[code].unit
    stated = set(_MONEY.findall(title))
    factor = d.units.get(unit, {}).get(next(iter(stated))) if len(stated) == 1 else None
    if factor is not None:
        (said,) = stated
        message = f"列标题未注明单位，按表头上方注明的「{said}」换算为{unit}"
        return HeaderMatch("element", code, factor, said, unit_stated=True), [
            _problem(where, row, label, None, message, severity="warning", rule="unit_from_title")
        ]
    detail = f"表头上方注明了多个金额单位（{'、'.join(sorted(stated))}），" if stated else ""
    message = (
        f"列标题未注明金额单位，{detail}按{unit}读取，请在列标题中注明，如「{label}（{unit}）」"
    )
    return m, [_problem(where, row, label, None, message, severity="warning", rule="no_unit")]


def table_cells(
    table: RawTable, d: Dictionary, fallback_period: str | None
) -> tuple[pd.DataFrame, list[Problem]]:
    """One row per (data row, element column) of a raw table, plus the problems of its layout."""
    cells, problems = _table_cells(table, d, fallback_period)
    return (cells.frame() if len(cells) else pd.DataFrame()), problems


def _table_cells(
    table: RawTable, d: Dictionary, fallback_period: str | None
) -> tuple[TableCells, list[Problem]]:
    problems: list[Problem] = []
    where = f"{table.file}" + (f"［{table.sheet}］" if table.sheet else "")
    h = _header_row(table.rows, d)
    if h is None:
        problems.append(
            _problem(
                where,
                None,
                None,
                None,
                "找不到表头行（应有「行政区划代码」或「学校标识码」列及数据项列）",
            )
        )
        return TableCells(where, "county"), problems
    header = table.rows[h]
    title_text = " ".join(_text(c) for r in table.rows[:h] for c in r)
    period_here = find_period(title_text)
    columns: dict[int, Any] = {}
    code_col = None
    period_col = None
    level = "county"
    for j, cell in enumerate(header):
        label = _text(cell)
        if not label:
            continue
        m = d.match(label)
        if m is None:
            problems.append(
                _problem(
                    where,
                    h + 1,
                    label,
                    None,
                    "数据字典中没有这一列，已忽略",
                    severity="warning",
                    rule="unknown_column",
                )
            )
        elif m.kind in ("org_code", "school_code"):
            code_col = j
            level = "school" if m.kind == "school_code" else "county"
        elif m.kind == "period":
            period_col = j
        elif m.kind == "element":
            if m.factor != m.factor:  # NaN: a unit the dictionary cannot convert
                problems.append(
                    _problem(
                        where,
                        h + 1,
                        label,
                        None,
                        f"无法换算的计量单位「{m.unit}」",
                        rule="unknown_unit",
                    )
                )
                continue
            if d[str(m.element)].kind == "amount" and not m.unit_stated:
                m, found = _amount_unit_from_title(m, d, title_text, where, h + 1, label)
                problems += found
            columns[j] = (m, label)
    if code_col is None:
        return TableCells(where, level), problems
    elements = {m.element for m, _ in columns.values()}
    present_levels = {d[e].level for e in elements}
    if level == "county" and present_levels == {"city"}:
        level = "city"
    for e in d.elements_at(level):
        if e.required and e.code not in elements:
            problems.append(
                _problem(
                    where, h + 1, e.name, None, f"缺少必填列「{e.name}」", rule="missing_column"
                )
            )
    cells = TableCells(where, level)
    positions = list(columns)
    element_codes = [str(m.element) for m, _ in columns.values()]
    factors = [m.factor for m, _ in columns.values()]
    labels = [label for _, label in columns.values()]
    k, last = len(positions), max(positions, default=-1)
    take = itemgetter(*positions) if k > 1 else None
    for i in range(h + 1, len(table.rows)):
        row = table.rows[i]
        code = _text(row[code_col]) if code_col < len(row) else ""
        if not code and not any(_text(c) for c in row):
            continue
        if _FOOTER.match(code) or (not code and _FOOTER.match(_text(row[0]) if row else "")):
            continue
        code = unicodedata.normalize("NFKC", code)
        if code.endswith(".0") and code[:-2].isdigit():
            code = code[:-2]  # a code typed as a number in Excel
        period = fallback_period
        if period_col is not None and period_col < len(row) and _text(row[period_col]):
            p = find_period(_text(row[period_col]))
            period = str(p) if p else _text(row[period_col])
        elif period_here is not None:
            period = str(period_here)
        if not code:
            problems.append(_problem(where, i + 1, _text(header[code_col]), None, "代码为空"))
            continue
        width = (
            0 if table.sheet else max((at + 1 for at, c in enumerate(row) if _text(c)), default=0)
        )
        if not table.sheet and width > len(header):
            # a CSV row longer than its header: columns shifted, every value would be misread
            problems.append(
                _problem(
                    where,
                    i + 1,
                    None,
                    code,
                    f"该行有 {width} 列，比表头多 {width - len(header)} 列，数据已错位，整行未计入；"
                    "常见原因是数字中的千分位逗号（如 1,647）未加引号",
                    org_code=code,
                    period=period,
                    rule="row_width",
                )
            )
            continue
        if len(row) > last:
            cells.raw += take(row) if take is not None else [row[at] for at in positions]
        else:
            cells.raw += [row[j] if j < len(row) else None for j in positions]
        cells.element += element_codes
        cells.factor += factors
        cells.column += labels
        cells.org_code += [code] * k
        cells.period += [period or ""] * k
        cells.row += [i + 1] * k
    return cells, problems


# --- files to values -------------------------------------------------------------------------


def return_files(paths: str | Path | Iterable[str | Path]) -> Iterator[Path]:
    """Return files named or found under folders (recursively), in a stable order."""
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    for item in items:
        p = Path(item)
        if p.is_dir():
            yield from sorted(
                f
                for f in p.rglob("*")
                if f.is_file()
                and f.suffix.lower() in RETURN_SUFFIXES
                and not f.name.startswith(("~$", "."))
                and "ledger" not in f.relative_to(p).parts
            )
        else:
            yield p


def _read_table_file(
    f: Path, name: str, d: Dictionary, period: str | None
) -> tuple[pa.Table | None, list[Problem], bool]:
    """The checked values of one workbook or CSV (None when it gives none), its problems, and
    whether the result depends on the file's bytes alone (an OS error may pass)."""
    try:
        tables = read_raw_tables(f, name)
    except (ValueError, OSError) as err:
        unreadable = _problem(name, None, None, None, f"无法读取：{err}", rule="unreadable")
        return None, [unreadable], not isinstance(err, OSError)
    problems: list[Problem] = []
    checked: list[tuple[int, TableCells]] = []  # (where its cell problems go, the cells)
    for t in tables:
        cells, found = _table_cells(t, d, period)
        if not len(cells) and t.sheet and not t.rows:
            continue
        problems += found
        if len(cells):
            checked.append((len(problems), cells))
    values = None
    if checked:
        values, per_table = check_tables([c for _, c in checked], d)
        for (at, _), found in reversed(list(zip(checked, per_table, strict=True))):
            problems[at:at] = found
    elif not any(p.file.startswith(name) and p.severity == "error" for p in problems):
        problems.append(_problem(name, None, None, None, "文件中没有可读取的数据行", rule="empty"))
    return values, problems, True


def read_returns(
    paths: str | Path | Iterable[str | Path],
    dictionary: Dictionary | None = None,
    root: str | Path | None = None,
    *,
    cache: ReturnCache | None = None,
    digests: Mapping[Path, str] | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Tidy values from every return file, and every problem found; never raises for bad data.

    With ``cache``, a workbook or CSV read before with the same bytes is not read again
    (:mod:`planlib.returns.cache`); ``digests`` are files' SHA-256 when already known.
    """
    import pyarrow as pa

    from .cache import file_digest

    d = dictionary or load_dictionary()
    pieces: list[pd.DataFrame | pa.Table] = []  # a file's values: Arrow, or pandas for Parquet
    problems: list[Problem] = []
    base = Path(root) if root is not None else None
    for f in return_files(paths):
        name = str(f.relative_to(base)) if base is not None and f.is_relative_to(base) else str(f)
        if not f.exists():
            problems.append(_problem(name, None, None, None, "文件不存在", rule="unreadable"))
            continue
        if f.suffix.lower() == ".parquet":
            values, found = read_tidy_values(f, name, d)
            pieces.append(values)
            problems += found
            continue
        fallback = find_period(name)
        period_text = str(fallback) if fallback else None
        key = None
        if cache is not None and f.is_file():
            digest = (digests or {}).get(f) or file_digest(f)
            key = cache.key(digest, f.suffix, period_text)
        hit = cache.get(key, name) if cache is not None and key is not None else None
        if hit is not None:
            table, found = hit
        else:
            table, found, reusable = _read_table_file(f, name, d, period_text)
            if cache is not None and key is not None and reusable:
                cache.put(key, name, table, found)
        problems += found
        if table is not None:
            pieces.append(table)
    text = {"org_code": "str", "period": "str", "element": "str", "value": "float64"}
    if pieces and all(isinstance(p, pa.Table) for p in pieces):
        # one conversion for the whole set: typing each file's text columns would cost more
        values = pa.concat_tables(pieces).to_pandas()
        text |= {"file": "str", "column": "str"}
    elif pieces:  # with Parquet returns, whose file column is categorical
        frames = [p.to_pandas() if isinstance(p, pa.Table) else p for p in pieces]
        values = pd.concat(frames, ignore_index=True)
    else:
        values = pd.DataFrame(columns=VALUE_COLUMNS)
    return values.astype(text).reset_index(drop=True), problems


def load_returns(
    paths: str | Path | Iterable[str | Path], dictionary: Dictionary | None = None
) -> pd.DataFrame:
    """Tidy values (org_code, period, element, value, file, row, column) from returns.

    Raises :class:`DataFileError` listing every error (warnings do not stop loading).
    """
    values, problems = read_returns(paths, dictionary)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataFileError(errors)
    return values
