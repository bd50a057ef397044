"""Reading county returns (.xlsx, .csv or .txt in any Chinese encoding, comma- or
tab-separated, tidy .parquet) into tidy values.

A return is a table with title rows on top, then a header row of Chinese column names, then one
row per county (sheet 县级汇总) or per school (sheet 学校明细). Headers go through the data
dictionary; the cells under them are parsed, converted to the dictionary unit and checked in
cells.py (every failure is reported with its file, Excel row and column — not just the first).
Where the data sits as clerks lay it out (cover and hidden sheets, two-row headers, 合计 and
footer rows, hidden and merged cells) is layout.py's; which quarter a file is filed under
(folder, file name and title agreeing) is filing.py's. Workbooks are read by workbooks.py; with
a cache (cache.py), a file read before with the same bytes is not parsed again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..catalog.dictionary import Dictionary, load_dictionary
from ..encodings import decode_text
from ..errors import DataFileError, Problem, ReturnLimitError
from ..periods import Period, period_of_cell
from .cells import VALUE_COLUMNS, TableCells, cap_problems, cell_problem, check_tables
from .filing import (
    FilePeriods,
    Refused,
    agreed_period,
    list_return_files,
    period_text,
    wrong_period_problems,
)
from .headers import blank_ticks, classify_columns
from .identity import facts_problem, split_facts
from .layout import (
    Header,
    cell_notes,
    codes_of_visible_rows,
    find_header,
    holds_codes,
    is_column_numbers,
    looks_like_instructions,
    no_header_message,
    one_column_per_element,
    skipped_problems,
    skipped_row,
    text,
)
from .tidy import read_tidy_values
from .workbooks import (
    LEGACY_SUFFIXES,
    MAX_TEXT_BYTES,
    Sheet,
    csv_rows,
    failure_message,
    read_legacy,
    read_sheets,
)

if TYPE_CHECKING:
    import pyarrow as pa

    from .cache import ReturnCache

RETURN_SUFFIXES = (".xlsx", ".xlsm", *LEGACY_SUFFIXES, ".csv", ".txt", ".parquet")
_HIDDEN_SHEET = "隐藏工作表"


@dataclass(frozen=True)
class RawTable:
    """The cells of one sheet or CSV file, as text or numbers, rows as Excel numbers them;
    ``layout`` is what Excel shows of the sheet (hidden rows, merged ranges …), if known."""

    file: str
    sheet: str
    rows: list[list[Any]]
    layout: Sheet | None = None


# --- files to raw tables ----------------------------------------------------------------------


def read_raw_tables(path: Path, name: str) -> list[RawTable]:
    """Every sheet of a workbook, or the one table of a CSV; ValueError with a Chinese reason
    (:class:`ReturnLimitError` for a file over a cap). A symbolic link is never followed."""
    if path.is_symlink():
        raise ValueError("是符号链接（快捷方式），为安全起见未读取；请报送文件本身")
    size = path.stat().st_size
    if size == 0:
        raise ValueError("文件为空")
    if path.suffix.lower() in (".csv", ".txt"):
        if size > MAX_TEXT_BYTES:
            limit = f"{MAX_TEXT_BYTES / 1e6:,.0f} MB"
            raise ReturnLimitError(f"文本文件有 {size / 1e6:,.0f} MB，超过上限 {limit}，未读取")
        text = decode_text(path.read_bytes())
        rows = csv_rows(text)
        if not any(any(str(c).strip() for c in r) for r in rows):
            raise ValueError("文件中没有内容")
        return [RawTable(name, "", rows)]
    legacy = path.suffix.lower() in LEGACY_SUFFIXES
    sheets = read_legacy(path) if legacy else read_sheets(path)
    tables = [RawTable(name, s.title, s.rows, s) for s in sheets]
    if not any(t.rows for t in tables):
        raise ValueError("工作簿中没有内容")
    return tables


# --- raw tables to cells -----------------------------------------------------------------------


_text = text


def _flat(v: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", _text(v)))


def _header_row(rows: list[list[Any]], d: Dictionary) -> int | None:
    """Index of the (last) header row, or None: see :func:`layout.find_header`."""
    h = find_header(rows, d)
    return None if h is None else h.last


@dataclass
class _Table:
    """What the header of a table says about its rows: where it is, its columns (elements,
    code, period, name), the file's period and what Excel shows of the sheet."""

    raw: RawTable
    where: str
    header: list[Any]
    h: int  # index of the header's last row
    title_rows: list[list[Any]]
    title_text: str
    file_period: Period | None
    year: int | None
    code_col: int
    period_col: int | None
    name_col: int | None
    level: str
    positions: list[int]
    element_codes: list[str]
    factors: list[float]
    labels: list[str]
    flags: frozenset[int]
    notes: dict[int, dict[int, Any]]
    hidden_rows: frozenset[int]
    visible_codes: set[str]
    label_columns: list[int]
    take: Callable[[list[Any]], tuple[Any, ...]] | None  # the element cells of a full row
    last: int  # the last element column (-1 for none)


@dataclass
class _Scan:
    """What walking down a table's rows finds besides data: rows skipped by kind, rows of
    another 报告期, the 报告期 strings parsed, row names, the send date, the last header."""

    skipped: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    wrong_period: dict[str, list[int]] = field(default_factory=dict)
    said_periods: dict[str, tuple[str, bool]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    sent: str | None = None
    after_header: int = -1

    def skip(self, kind: str, row: int, said: str) -> None:
        self.skipped.setdefault(kind, []).append((row, said))


def _table_cells(
    table: RawTable, d: Dictionary, periods: FilePeriods, given: Header | None = None
) -> tuple[TableCells, list[Problem]]:
    """The cells of one table and the problems of its layout: header, columns, then rows."""
    t, problems = _open_table(table, d, periods, given)
    if t is None:
        return TableCells(table_where(table), "county"), problems
    cells = TableCells(t.where, t.level)
    scan = _Scan()
    for i in range(t.h + 1, len(table.rows)):
        code_period = _data_row(t, scan, i, problems)
        if code_period is not None:
            _take_row(t, cells, scan, i, *code_period)
    problems += wrong_period_problems(
        t.where, scan.wrong_period, t.file_period, periods, t.title_rows
    )
    problems += skipped_problems(t.where, scan.skipped, _text(t.header[t.code_col]))
    if len(cells):
        flag_at = [t.positions.index(j) for j in t.flags]
        k, header_row = len(t.positions), t.h + 1
        problems += blank_ticks(cells, k, flag_at, t.where, header_row) if flag_at else []
        problems.append(facts_problem(t.where, scan.names, t.title_text, scan.sent))
    return cells, problems


def table_where(table: RawTable) -> str:
    """How problems name a table: ``file［sheet］`` (a CSV: the file)."""
    return f"{table.file}" + (f"［{table.sheet}］" if table.sheet else "")


def _open_table(
    table: RawTable, d: Dictionary, periods: FilePeriods, given: Header | None
) -> tuple[_Table | None, list[Problem]]:
    """The header of a table read under the grammar (headers.py), the file's period agreed,
    required columns checked; None when no rows can be read."""
    where, sheet = table_where(table), table.layout
    found = given or find_header(table.rows, d, sheet.merged if sheet else ())
    if found is None:
        message = no_header_message(table.rows, d)
        return None, [cell_problem(where, None, None, None, message, rule="no_header")]
    h, header_row, header = found.last, found.last + 1, found.labels
    title_rows = table.rows[: found.first]
    title_text = " ".join(_text(c) for r in title_rows for c in r)
    file_period, mismatch = agreed_period(where, title_rows, periods)
    if mismatch is not None:
        return None, [mismatch]
    cols = classify_columns(header, d, where, header_row, title_text)
    problems = list(cols.problems)
    if cols.code is None:
        return None, problems
    columns, level = cols.columns, cols.level
    elements = {m.element for m, _ in columns.values()}
    problems += one_column_per_element(columns, sheet, where, header_row)
    if level == "county" and {d[e].level for e in elements} == {"city"}:
        level = "city"
    for e in d.elements_at(level):
        if e.required and e.code not in elements:
            message = f"缺少必填列「{e.name}」"
            problems.append(
                cell_problem(where, header_row, e.name, None, message, rule="missing_column")
            )
    positions = list(columns)
    flags = frozenset(j for j, (m, _) in columns.items() if d[str(m.element)].kind == "flag")
    hidden_rows = sheet.hidden_rows if sheet else frozenset()
    t = _Table(
        table,
        where,
        header,
        h,
        title_rows,
        title_text,
        file_period,
        periods.year or (file_period.year if file_period else None),
        cols.code,
        cols.period,
        cols.name,
        level,
        positions,
        [str(m.element) for m, _ in columns.values()],
        [m.factor for m, _ in columns.values()],
        [label for _, label in columns.values()],
        flags,
        cell_notes(sheet, positions, h + 1, len(table.rows), flags) if sheet else {},
        hidden_rows,
        codes_of_visible_rows(table.rows, h + 1, cols.code, hidden_rows),
        [j for j in range(len(header)) if j not in columns and j != cols.code],
        itemgetter(*positions) if len(positions) > 1 else None,
        max(positions, default=-1),
    )
    return t, problems


def _data_row(t: _Table, scan: _Scan, i: int, problems: list[Problem]) -> tuple[str, str] | None:
    """The code and period of row ``i`` if it is a data row; otherwise what it is (a header
    repeated, a total, a note, another quarter's row …) is recorded in ``scan`` or
    ``problems`` and None returned."""
    row, code_col = t.raw.rows[i], t.code_col
    code = _text(row[code_col]) if code_col < len(row) else ""
    if not code and not any(_text(c) for c in row):
        return None
    if code and not code[0].isdigit() and _flat(code) == _flat(t.header[code_col]):
        scan.skip("header", i + 1, "")  # the header again (one per printed page)
        scan.after_header = i + 1
        return None
    what = skipped_row(row, code, t.label_columns)
    if what is not None:
        scan.skip(what[0], i + 1, what[1])
        if what[0] == "footer" and "日期" in what[1]:
            scan.sent = " ".join(_text(c) for c in row if _text(c))
        return None
    if i in (t.h + 1, scan.after_header, scan.after_header + 1) and is_column_numbers(
        row, code_col
    ):
        scan.skip("numbers", i + 1, _text(row[code_col]))
        return None
    code = unicodedata.normalize("NFKC", code).lstrip("'‘’`").strip()  # '990102 (a CSV)
    if code.endswith(".0") and code[:-2].isdigit():
        code = code[:-2]  # a code typed as a number in Excel
    period = _row_period(t, scan, row, i)
    if period is None:
        return None
    if _not_data(t, scan, row, i, code, period or None, problems):
        return None
    return code, period


def _row_period(t: _Table, scan: _Scan, row: list[Any], i: int) -> str | None:
    """The period of a row: its 报告期 cell if it has one, else the file's ("" if none); None
    for a row of another quarter than the file's (recorded in ``scan``)."""
    period = str(t.file_period) if t.file_period else ""
    at = t.period_col
    if at is None or at >= len(row) or not _text(row[at]):
        return period
    said = _text(row[at])
    if said not in scan.said_periods:  # a column of one quarter: parsed once
        cell = row[at]
        p = period_of_cell(period_text(cell) if isinstance(cell, str) else cell, t.year)
        scan.said_periods[said] = (str(p) if p else said, p is not None and p != t.file_period)
    period, disagrees = scan.said_periods[said]
    if disagrees and t.file_period is not None:
        scan.wrong_period.setdefault(said, []).append(i + 1)
        return None
    return period


def _not_data(
    t: _Table,
    scan: _Scan,
    row: list[Any],
    i: int,
    code: str,
    period: str | None,
    problems: list[Problem],
) -> bool:
    """Whether a row with a code (or none) is still no data row: a title repeated, a note, a
    row without a code (an error), a hidden copy of a visible row, a CSV row too wide."""
    numbers = any(_text(row[j]) for j in t.positions if j < len(row))
    if code and not code[0].isdigit() and not code[1:2].isdigit() and not numbers:
        scan.skip("note", i + 1, code[:20])  # a title repeated on a printed page: no number
        return True
    sheet = t.raw.layout
    if not code:
        uncalculated = bool(sheet and (i + 1, t.code_col) in sheet.uncalculated)
        if not uncalculated and not numbers:
            # no code and no number: a note between the rows (以下为…), not data
            scan.skip("note", i + 1, next((_text(c) for c in row if _text(c)), "")[:20])
            return True
        message = "代码为空"
        if uncalculated:
            message = "代码单元格是未计算的公式：请在 Excel 中打开并保存后重新报送"
        problems.append(cell_problem(t.where, i + 1, _text(t.header[t.code_col]), None, message))
        return True
    if t.hidden_rows and i + 1 in t.hidden_rows:
        if code in t.visible_codes:
            scan.skip("hidden_copy", i + 1, code)
            return True
        scan.skip("hidden", i + 1, code)
    if t.raw.sheet:
        return False
    width = max((at + 1 for at, c in enumerate(row) if _text(c)), default=0)
    if width <= len(t.header):
        return False
    # a CSV row longer than its header: columns shifted, every value would be misread
    problems.append(
        cell_problem(
            t.where,
            i + 1,
            None,
            code,
            f"该行有 {width} 列，比表头多 {width - len(t.header)} 列，数据已错位，整行未计入；"
            "常见原因是数字中的千分位逗号（如 1,647）未加引号",
            org_code=code,
            period=period,
            rule="row_width",
        )
    )
    return True


def _take_row(t: _Table, cells: TableCells, scan: _Scan, i: int, code: str, period: str) -> None:
    """A data row's element cells appended to ``cells`` (a merged flag cell's value, or a
    note on a cell that gives none, in place of the raw value)."""
    row, positions, k = t.raw.rows[i], t.positions, len(t.positions)
    if t.notes and i in t.notes:
        cells.raw += [t.notes[i].get(j, row[j] if j < len(row) else None) for j in positions]
    elif len(row) > t.last:
        cells.raw += t.take(row) if t.take is not None else [row[j] for j in positions]
    else:
        cells.raw += [row[j] if j < len(row) else None for j in positions]
    if t.name_col is not None and t.name_col < len(row) and _text(row[t.name_col]):
        scan.names[i + 1] = _text(row[t.name_col])
    cells.element += t.element_codes
    cells.factor += t.factors
    cells.column += t.labels
    cells.org_code += [code] * k
    cells.period += [period] * k
    cells.row += [i + 1] * k


# --- files to values -------------------------------------------------------------------------


def return_files(paths: str | Path | Iterable[str | Path]) -> Iterator[Path]:
    """Return files named or found under folders (recursively), in a stable order; links,
    special files and names with control characters are left out (see
    :func:`filing.list_return_files`: :func:`read_returns` names them)."""
    yield from list_return_files(paths, RETURN_SUFFIXES)[0]


def _read_table_file(
    f: Path, name: str, d: Dictionary, periods: FilePeriods
) -> tuple[pa.Table | None, list[Problem], bool]:
    """The checked values of one workbook or CSV (None when it gives none), its problems, and
    whether the result depends on the file's bytes alone (an OS error may pass).

    The data sheets are those with a header; hidden sheets, and sheets without a header (a
    填表说明, a cover) beside one that has, are skipped and said.
    """
    try:
        tables = read_raw_tables(f, name)
    except (ValueError, OSError) as err:
        return None, [_unreadable(name, str(err))], not isinstance(err, OSError)
    problems: list[Problem] = []
    skipped: list[str] = []
    found_headers: list[tuple[RawTable, Header | None]] = []
    for t in tables:
        if t.sheet and not t.rows:
            continue
        if t.layout is not None and t.layout.hidden:
            skipped.append(f"［{t.sheet}］（{_HIDDEN_SHEET}）")
            continue
        found_headers.append((t, find_header(t.rows, d, t.layout.merged if t.layout else ())))
    any_header = any(h is not None for _, h in found_headers)
    checked: list[tuple[int, TableCells]] = []  # (where its cell problems go, the cells)
    for t, h in found_headers:
        if h is None and any_header:
            # a sheet of codes without a header is a return read wrong, not a cover: an error
            if looks_like_instructions(t.sheet, t.rows) and not holds_codes(t.rows):
                continue  # a 填表说明 or a cover belongs beside a return: nothing to say
            if looks_like_instructions(t.sheet, t.rows):
                skipped.append(f"［{t.sheet}］（填表说明或封面）")
                continue
            if not holds_codes(t.rows):
                skipped.append(f"［{t.sheet}］（没有表头行，也没有代码）")
                continue
        cells, found = _table_cells(t, d, periods, h)
        problems += found
        if len(cells):
            checked.append((len(problems), cells))
    if skipped:
        message = f"以下工作表不是报表，未读取：{'、'.join(skipped)}"
        problems.insert(
            0,
            cell_problem(name, None, None, None, message, severity="warning", rule="sheet_skipped"),
        )
        checked = [(at + 1, c) for at, c in checked]
    if f.suffix.lower() == ".txt" and [p.rule for p in problems] == ["no_header"]:
        # a .txt without any header is a note beside the returns (说明.txt), not a return
        message = "文本文件中没有报表表头，不是报表，未读取"
        return (
            None,
            [
                cell_problem(
                    name, None, None, None, message, severity="warning", rule="not_a_return"
                )
            ],
            True,
        )
    values = None
    if checked:
        values, per_table = check_tables([c for _, c in checked], d)
        for (at, _), found in reversed(list(zip(checked, per_table, strict=True))):
            problems[at:at] = found
    elif not any(p.file.startswith(name) and p.severity == "error" for p in problems):
        problems.append(
            cell_problem(name, None, None, None, "文件中没有可读取的数据行", rule="empty")
        )
    return values, problems, True


def _unreadable(name: str, reason: str) -> Problem:
    """The error of a file that cannot be read, with the county and quarter its name says."""
    return Refused(Path(name), f"无法读取：{reason}", "unreadable").problem(name)


def _read_file(
    f: Path,
    name: str,
    d: Dictionary,
    cache: ReturnCache | None,
    digests: Mapping[Path, str] | None,
) -> tuple[pa.Table | pd.DataFrame | None, list[Problem]]:
    """One return file's values and problems, from the cache where it holds them."""
    from .cache import file_digest

    if not f.exists():
        return None, [cell_problem(name, None, None, None, "文件不存在", rule="unreadable")]
    if f.suffix.lower() == ".parquet":
        return read_tidy_values(f, name, d)
    periods = FilePeriods.of(name)
    key = None
    if cache is not None and f.is_file():
        digest = (digests or {}).get(f) or file_digest(f)
        key = cache.key(digest, f.suffix, periods.key)
    hit = cache.get(key, name) if cache is not None and key is not None else None
    if hit is not None:
        return hit
    table, found, reusable = _read_table_file(f, name, d, periods)
    if cache is not None and key is not None and reusable:
        cache.put(key, name, table, found)
    return table, found


def read_returns(
    paths: str | Path | Iterable[str | Path],
    dictionary: Dictionary | None = None,
    root: str | Path | None = None,
    *,
    cache: ReturnCache | None = None,
    digests: Mapping[Path, str] | None = None,
    facts: bool = False,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Tidy values from every return file, and every problem found; never raises for bad data.

    With ``facts``, the problems include each table's ``_facts`` record (its row names, title
    and send date, for :mod:`planlib.returns.identity`: ``validate_values`` takes them out).

    With ``cache``, a workbook or CSV read before with the same bytes is not read again
    (:mod:`planlib.returns.cache`); ``digests`` are files' SHA-256 when already known.
    """
    import pyarrow as pa

    d = dictionary or load_dictionary()
    pieces: list[pd.DataFrame | pa.Table] = []  # a file's values: Arrow, or pandas for Parquet
    problems: list[Problem] = []
    base = Path(root) if root is not None else None

    def named(f: Path) -> str:
        return str(f.relative_to(base)) if base is not None and f.is_relative_to(base) else str(f)

    files, refused = list_return_files(paths, RETURN_SUFFIXES)
    problems += [r.problem(named(r.path)) for r in refused]
    for f in files:
        name = named(f)
        try:
            table, found = _read_file(f, name, d, cache, digests)
        except Exception as err:  # one bad file never stops the others
            reason = f"无法读取：{failure_message(err)}"
            table, found = None, [Refused(f, reason, "unreadable").problem(name)]
        problems += cap_problems(found)
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
    if not facts:
        problems = split_facts(problems)[0]
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
