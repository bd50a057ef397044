"""The cell checks of county returns: one cell of a table to a number, and a schema over all.

Reading a return (reading.py) finds the header and turns each (data row, element column) into a
cell still holding the text or number as typed (``TableCells``). This module takes those cells
the rest of the way: ``parse_number`` reads one cell ("12,345", "12，345", "９３．５", "93.5%",
是/否, a blank), and ``check_cells`` / ``check_tables`` convert to the dictionary unit and run
every check at once (negative, out of range, a flag not 1/0, a percentage where a count
belongs, a count with decimals beyond a unit conversion's noise, an unreadable period; an Excel
error value, a date, a merged cell or an uncalculated formula named as such), each failure a
``Problem`` with file,
Excel row and column — not just the first.

``cell_schema`` states the checks as a pandera schema (the specification); the checks run as
NumPy array operations over all the cells of a file, which a test holds to the problems lazy
pandera validation gives, in the same order. Validating with pandera table by table was most of
the time of loading a city (~25 ms a table); pandera is not imported to read returns at all.
``VALUE_COLUMNS``, the tidy values returned, and ``cell_problem`` live here because reading.py
builds on them.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import pandera.pandas
    import pyarrow as pa

from ..catalog.dictionary import Dictionary
from ..errors import Problem
from .workbooks import MAX_PROBLEMS_PER_RULE

PERIOD_CODE = re.compile(r"\d{4}Q[1-4]")
"""A period as the returns write it (``2022Q3``): what a period cell must match in full."""
VALUE_COLUMNS = ["org_code", "period", "element", "value", "file", "row", "column"]
FLAG_WORDS = {
    "是": 1.0,
    "否": 0.0,
    "√": 1.0,
    "×": 0.0,
    "Y": 1.0,
    "N": 0.0,
    "有": 1.0,
    "无": 0.0,
    "✓": 1.0,
    "✔": 1.0,
    "☑": 1.0,
    "✗": 0.0,
    "✘": 0.0,
}
TICKS = frozenset(("√", "✓", "✔", "☑"))
"""Marks of yes in a flag column where a blank means no."""
EXCEL_ERRORS = frozenset(
    ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!")
)
_DATE_TEXT = re.compile(
    r"^\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
WHOLE_TOLERANCE = 1e-6
"""How far from a whole number a count may be after a unit conversion (2.1571 万人 × 10000)."""


@dataclass(frozen=True)
class CellNote:
    """A cell whose layout, not its text, says why it gives no number (a merged range, a
    formula saved without its result): the reading puts one in place of the value."""

    rule: str
    message: str
    shown: Any = None
    value: float | None = None  # a value read all the same (a formula computed): a warning


def cell_problem(
    file: str, row: int | None, column: str | None, value: Any, message: str, **kw: Any
) -> Problem:
    """A :class:`Problem` about one cell of a return (``value`` shown as text, as typed):
    the one way every step of reading a return names file, Excel row and column."""
    shown = None if value is None else str(value)
    return Problem(file, row, column, shown, message, **kw)


def parse_number(raw: Any) -> tuple[float, str | None]:
    """A cell as a number: (value, None), or (nan, reason) — reason "empty" for a blank cell.

    An Excel error value (#DIV/0!, #REF!), a date and a :class:`CellNote` each have a reason of
    their own (:func:`reason_rule` gives its rule), never "不是数字" or a blank."""
    if raw is None:
        return np.nan, "empty"
    if isinstance(raw, bool):
        return float(raw), None
    if isinstance(raw, int | float):
        if raw != raw:  # NaN: a blank cell that went through a DataFrame
            return np.nan, "empty"
        return (float(raw), None) if np.isfinite(raw) else (np.nan, "不是有限数字")
    if isinstance(raw, datetime.date | datetime.time | datetime.timedelta):
        return np.nan, _date_reason(raw)
    if isinstance(raw, CellNote):
        return np.nan, raw.message
    s = unicodedata.normalize("NFKC", str(raw)).strip().lstrip("'‘’`").strip()
    if not s or s in ("-", "—", "/"):
        return np.nan, "empty"
    if s in FLAG_WORDS:
        return FLAG_WORDS[s], None
    if s.upper() in EXCEL_ERRORS:
        return np.nan, f"Excel 错误值「{s}」（公式计算出错，请检查公式或直接填数字）"
    s = re.sub(r"[\s,]", "", s)
    if len(s) > 2 and s[0] == "(" and s[-1] == ")":
        s = "-" + s[1:-1]  # (1,234): an accountant's negative, left to the range checks
    if s.endswith("%"):
        s = s[:-1]
    try:
        value = float(s)
    except ValueError:
        if _DATE_TEXT.match(unicodedata.normalize("NFKC", str(raw)).strip()):
            return np.nan, _date_reason(str(raw).strip())
        unit = _WITH_UNIT.match(s)
        if unit:
            return (
                np.nan,
                f"单元格中除数字外还写了单位「{unit.group(1)}」，请只填数字（单位以列标题为准）",
            )
        return np.nan, "不是数字"
    return (value, None) if np.isfinite(value) else (np.nan, "不是有限数字")


_WITH_UNIT = re.compile(r"^-?\d+(?:\.\d+)?(万人|人次|万元|亿元|千元|元|人|名|个|所|次|校|园|间)$")


def _date_reason(raw: Any) -> str:
    shown = raw.strftime("%Y-%m-%d") if isinstance(raw, datetime.date) else str(raw)
    return f"单元格是日期（{shown}），该列应填数字（是否把单元格格式设成了日期？）"


def reason_rule(reason: str) -> str:
    """The rule of a cell :func:`parse_number` cannot read, from its reason."""
    if reason.startswith("Excel 错误值"):
        return "excel_error"
    if reason.startswith("单元格是日期"):
        return "date_in_number"
    return "not_numeric"


# --- cell checks (pandera) -------------------------------------------------------------------


@cache
def cell_schema() -> pandera.pandas.DataFrameSchema:
    """What a valid table of cells is, as a pandera schema (lazy validation lists every failure).

    The specification of the cell checks: :func:`check_cells` runs the same checks as array
    operations, and a test holds the two to the same problems on generated cells.
    """
    # imported here: report kernels and most CLI commands never read a workbook (0.4 s saved)
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {
            "org_code": pa.Column(str),
            "period": pa.Column(
                str, pa.Check(lambda s: s.str.fullmatch(PERIOD_CODE.pattern), name="period")
            ),
            "value": pa.Column(float, pa.Check(lambda s: s >= 0, name="negative"), nullable=True),
        },
        checks=[
            pa.Check(lambda f: f["value"].isna() | (f["value"] <= f["max"]), name="above_range"),
            pa.Check(
                lambda f: f["value"].isna() | (f["value"] >= f["min"]) | (f["value"] < 0),
                name="below_range",
            ),
            pa.Check(
                lambda f: (f["kind"] != "flag") | f["value"].isna() | f["value"].isin([0.0, 1.0]),
                name="flag",
            ),
            pa.Check(lambda f: ~f["percent"], name="percent"),
            pa.Check(
                lambda f: (
                    (f["kind"] != "count")
                    | f["value"].isna()
                    | ((f["value"] - f["value"].round()).abs() <= WHOLE_TOLERANCE)
                ),
                name="whole",
            ),
        ],
    )


_CHECK_MESSAGES = {
    "period": "报告期无法识别（应写作 2022Q1 或 2022年第一季度）",
    "negative": "数值不能为负数",
    "above_range": "数值超出允许范围（上限 {max:g}{unit}）",
    "below_range": "数值低于允许范围（下限 {min:g}{unit}）",
    "flag": "应填 1/0 或 是/否",
    # every element of a return is a count, an amount or a flag: rates are computed, not reported
    "percent": "该列应填数量（{unit}），不应填百分数",
    "whole": "该列为计数（{unit}），应为整数（是否填成了比例或小数？）",
}


# The checks in the order pandera reports them for the schema above: the frame-wide checks
# first, then the column checks. A cell failing several is reported once, for the first.
_CHECK_ORDER = ("above_range", "below_range", "flag", "percent", "whole", "period", "negative")
CELL_COLUMNS = ["org_code", "period", "element", "raw", "factor", "file", "row", "column", "level"]


@dataclass
class TableCells:
    """The cells of one table as columns: one entry per (data row, element column), the value
    still as typed. ``file`` is where the table is (a file, and its sheet in ［］)."""

    file: str
    level: str
    org_code: list[str] = field(default_factory=list)
    period: list[str] = field(default_factory=list)
    element: list[str] = field(default_factory=list)
    raw: list[Any] = field(default_factory=list)
    factor: list[float] = field(default_factory=list)
    row: list[int] = field(default_factory=list)
    column: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.raw)

    def frame(self) -> pd.DataFrame:
        """The cells as a frame (:data:`CELL_COLUMNS`), the way pandas types the typed values."""
        n = len(self)
        return pd.DataFrame(
            list(
                zip(
                    self.org_code,
                    self.period,
                    self.element,
                    self.raw,
                    self.factor,
                    [self.file] * n,
                    self.row,
                    self.column,
                    [self.level] * n,
                    strict=True,
                )
            ),
            columns=CELL_COLUMNS,
        )


def scale(numbers: np.ndarray, factor: np.ndarray | float) -> np.ndarray:
    """Values in the dictionary's unit. A unit conversion leaves binary noise (2.1571 万人 ×
    10000 = 21570.999999999996, which the whole-number check would refuse): the product is
    rounded to 6 decimals, far finer than any unit a return is kept in."""
    return np.round(np.asarray(numbers, dtype="float64") * factor, 6)


def _parse_all(
    raws: list[Any],
) -> tuple[np.ndarray, list[tuple[int, str | CellNote]], list[int]]:
    """Every cell as a number (NaN where none), (position, reason) of those that are not, and
    the positions of words read as yes/no (是, 无, √: a number only in a flag column) and of
    notes read with a value (a formula computed): both said in :func:`_check`."""
    out = np.empty(len(raws), dtype="float64")
    reasons: list[tuple[int, str | CellNote]] = []
    words: list[int] = []
    for i, raw in enumerate(raws):
        t = type(raw)
        if (t is int or t is float) and raw == raw and abs(raw) != np.inf:
            out[i] = raw  # the usual cell: a number typed as a number
            continue
        if t is str:
            try:  # a plain number as text (CSV): what parse_number would make of it
                number = float(raw)
            except ValueError:
                pass
            else:
                if abs(number) != np.inf and number == number:
                    out[i] = number
                    continue
        if t is CellNote and raw.value is not None:
            out[i] = raw.value  # read all the same, said as a warning (see _check)
            words.append(i)
            continue
        value, reason = parse_number(raw)
        out[i] = value
        if reason is not None:
            reasons.append((i, raw if t is CellNote else reason))
        elif t is str and _word(raw) in FLAG_WORDS:
            words.append(i)
    return out, reasons, words


def _word(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip().lstrip("'‘’`").strip()


def _with_own_unit(
    raws: list[Any],
    numbers: np.ndarray,
    reasons: list[tuple[int, str | CellNote]],
    units: np.ndarray,
    factor: np.ndarray | float,
) -> list[tuple[int, str | CellNote]]:
    """A number written with its column's own unit (2305人 under a column of 人, 12所 under
    所) is that number: read; any other unit stays a reason (所 under 人 is not a number of
    persons). The unit must be the dictionary's, read unconverted (factor 1)."""
    kept: list[tuple[int, str | CellNote]] = []
    scaled = np.broadcast_to(np.asarray(factor, dtype="float64"), numbers.shape)
    for i, reason in reasons:
        m = (
            _WITH_UNIT.match(re.sub(r"[\s,]", "", _word(str(raws[i]))))
            if isinstance(raws[i], str)
            else None
        )
        if m and m[1] == units[i] and scaled[i] == 1:
            numbers[i] = float(m[0][: -len(m[1])])
            continue
        kept.append((i, reason))
    return kept


def _factorize(items: list[str]) -> tuple[np.ndarray, list[str]]:
    """Integer codes of ``items`` and the distinct items, in order of first appearance."""
    index: dict[str, int] = {}
    codes = [index.setdefault(x, len(index)) for x in items]
    return np.array(codes, dtype=np.intp), list(index)


class _Said:
    """The problems of a batch of cells, capped per (file, rule): beyond the cap only counted,
    and the last one kept to be said as "……另有 N 个同类问题"."""

    def __init__(
        self, file: list[str], org_code: list[str], period: list[str], row: list[int]
    ) -> None:
        self.file, self.org_code, self.period, self.row = file, org_code, period, row
        self.found: list[tuple[int, Problem]] = []
        self.said: Counter[tuple[str, str]] = Counter()
        self.over: dict[tuple[str, str], tuple[int, Problem]] = {}

    def add(self, i: int, column: str, value: Any, message: str, rule: str, **kw: Any) -> None:
        key = (self.file[i], rule)
        self.said[key] += 1
        if self.said[key] > MAX_PROBLEMS_PER_RULE and key in self.over:
            return  # counted only: a file of junk would hold millions of problems
        p = cell_problem(
            self.file[i],
            int(self.row[i]),
            column,
            value,
            message,
            org_code=self.org_code[i],
            period=self.period[i],
            rule=rule,
            **kw,
        )
        if self.said[key] > MAX_PROBLEMS_PER_RULE:
            self.over[key] = (i, p)
        else:
            self.found.append((i, p))

    def problems(self) -> list[tuple[int, Problem]]:
        more = [
            (i, more_problem(p, self.said[k] - MAX_PROBLEMS_PER_RULE))
            for k, (i, p) in self.over.items()
        ]
        return self.found + more


def _check(
    file: list[str],
    org_code: list[str],
    period: list[str],
    element: list[str],
    raws: list[Any],
    factor: np.ndarray,
    row: list[int],
    column: list[str],
    shown: Callable[[int], Any],
    d: Dictionary,
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, Problem]]]:
    """The checks of :func:`cell_schema` over cells given as columns, as array operations.

    Returns the values in the dictionary unit, which cells passed, and (cell, problem) in the
    order pandera reports them. ``shown(i)`` is cell i's value as the problem shows it.
    """
    numbers, reasons, words = _parse_all(raws)
    by_code = {e.code: e for e in d.elements}
    element_codes, uniques = _factorize(element)
    known = [by_code[e] for e in uniques]
    units = np.array([e.unit for e in known], dtype=object)[element_codes]
    if reasons:
        reasons = _with_own_unit(raws, numbers, reasons, units, factor)
    v = scale(numbers, factor)
    lo = np.array([e.minimum for e in known], dtype="float64")[element_codes]
    hi = np.array([e.maximum for e in known], dtype="float64")[element_codes]
    kind = np.array([e.kind for e in known], dtype=object)[element_codes]
    blank = np.isnan(v)
    failing = _failing(v, blank, lo, hi, kind, raws, period)
    bad = np.zeros(len(raws), dtype=bool)
    out = _Said(file, org_code, period, row)
    for i, reason in reasons:
        if isinstance(reason, CellNote):
            out.add(i, column[i], reason.shown, reason.message, reason.rule)
            bad[i] = True
        elif reason == "empty":
            message = "未填报（空白），该项按缺失处理"
            out.add(i, column[i], None, message, "empty_cell", severity="warning")
        else:
            out.add(i, column[i], shown(i), f"{reason}，无法读取", reason_rule(reason))
            bad[i] = True
    _said_words(words, raws, kind, units, column, out, bad)
    said_rows: set[tuple[str, int]] = set()  # a row's 报告期 is one cell: said once per row
    for name in _CHECK_ORDER:
        hits = np.flatnonzero(failing[name] & ~bad)
        template = _CHECK_MESSAGES[name]
        for i in hits.tolist():
            message = template.format(max=hi[i], min=lo[i], unit=units[i])
            if name == "period":
                if (file[i], int(row[i])) not in said_rows:
                    said_rows.add((file[i], int(row[i])))
                    out.add(i, "报告期", period[i], message, name)
            else:
                out.add(i, column[i], shown(i), message, name)
        bad[hits] = True
    return v, ~bad & ~blank, out.problems()


def _failing(
    v: np.ndarray,
    blank: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    kind: np.ndarray,
    raws: list[Any],
    period: list[str],
) -> dict[str, np.ndarray]:
    """Per check of :data:`_CHECK_ORDER`: which cells fail it."""
    period_codes, period_uniques = _factorize(period)
    bad_period = np.array([not PERIOD_CODE.fullmatch(str(p)) for p in period_uniques], dtype=bool)
    with np.errstate(invalid="ignore"):
        return {
            "above_range": ~(blank | (v <= hi)),
            "below_range": ~(blank | (v >= lo) | (v < 0)),
            "flag": (kind == "flag") & ~blank & ~np.isin(v, [0.0, 1.0]),
            "percent": np.array(
                [isinstance(r, str) and r.strip().endswith(("%", "％")) for r in raws], dtype=bool
            ),
            "whole": (kind == "count") & ~blank & (np.abs(v - np.round(v)) > WHOLE_TOLERANCE),
            "period": bad_period[period_codes],
            "negative": ~blank & (v < 0),
        }


def _said_words(
    words: list[int],
    raws: list[Any],
    kind: np.ndarray,
    units: np.ndarray,
    column: list[str],
    out: _Said,
    bad: np.ndarray,
) -> None:
    """Cells read as a word or with a note: a formula computed (a warning); a yes/no word
    outside a flag column: 无 is none (0, a warning), any other no number (an error)."""
    for i in words:
        if isinstance(note := raws[i], CellNote):
            out.add(i, column[i], note.shown, note.message, note.rule, severity="warning")
            continue
        if kind[i] == "flag":
            continue
        w, unit = _word(raws[i]), units[i]
        if w == "无":
            out.add(
                i, column[i], raws[i], f"「无」按 0{unit}计入", "none_as_zero", severity="warning"
            )
        else:
            message = f"该列应填数量（{unit}），「{w}」不是数字，无法读取"
            out.add(i, column[i], raws[i], message, "not_numeric")
            bad[i] = True


_MORE = re.compile(r"^……另有 (\d+) 个同类问题")


def more_problem(first: Problem, n: int) -> Problem:
    """The line that stands for ``n`` problems left out, like ``first``, the first of them."""
    if first.row is None and _MORE.match(first.message):  # a summary already: its count anew
        message = _MORE.sub(f"……另有 {n} 个同类问题", first.message, count=1)
    else:
        where = f"第 {first.row} 行" if first.row is not None else "如"
        message = f"……另有 {n} 个同类问题未逐条列出（{where}：{first.message}）"
    return Problem(
        first.file,
        None,
        first.column,
        None,
        message,
        first.severity,
        first.org_code,
        first.period,
        first.rule,
    )


def cap_problems(problems: list[Problem], limit: int = MAX_PROBLEMS_PER_RULE) -> list[Problem]:
    """At most ``limit`` problems of one rule per file (sheet), in their order; the rest said
    in one line 「……另有 M 个同类问题」 (such lines already there are added up)."""
    if len(problems) <= limit:
        return problems
    counts = Counter((p.file, p.rule) for p in problems)
    if max(counts.values()) <= limit:
        return problems
    kept: list[Problem] = []
    seen: Counter[tuple[str, str]] = Counter()
    left: dict[tuple[str, str], tuple[Problem, int]] = {}
    for p in problems:
        key = (p.file, p.rule)
        m = _MORE.match(p.message) if p.row is None else None
        if m is None:
            seen[key] += 1
            if seen[key] <= limit:
                kept.append(p)
                continue
        first, n = left.get(key, (p, 0))
        left[key] = (first, n + (int(m[1]) if m else 1))
    return kept + [more_problem(p, n) for p, n in left.values()]


def _values_frame(columns: dict[str, Any], keep: np.ndarray) -> pd.DataFrame:
    """The tidy values (:data:`VALUE_COLUMNS`) of the cells where ``keep`` holds."""
    out = {}
    for c in VALUE_COLUMNS:
        dtype = "float64" if c == "value" else "int64" if c == "row" else object
        a = columns[c]
        a = (a if isinstance(a, np.ndarray) else np.asarray(a, dtype=dtype))[keep]
        out[c] = pd.Series(a, dtype="str" if dtype is object else dtype)
    return pd.DataFrame(out)


def check_cells(cells: pd.DataFrame, d: Dictionary) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse and check every cell; return tidy values (bad cells dropped) and the problems.

    The checks are :func:`cell_schema`'s, run as array operations: the same problems, in the
    same order, as validating the schema lazily with pandera, without its cost per table (it
    was most of the time of reading a city's workbooks).
    """
    if cells.empty:
        return pd.DataFrame(columns=VALUE_COLUMNS), []
    raw_column = cells["raw"].reset_index(drop=True)
    cols = {
        c: cells[c].tolist() for c in ("file", "org_code", "period", "element", "row", "column")
    }
    v, keep, found = _check(
        cols["file"],
        cols["org_code"],
        cols["period"],
        cols["element"],
        raw_column.tolist(),
        cells["factor"].to_numpy(dtype="float64"),
        cols["row"],
        cols["column"],
        lambda i: raw_column.iloc[i],
        d,
    )
    return _values_frame(cols | {"value": v}, keep), [p for _, p in found]


def check_tables(tables: list[TableCells], d: Dictionary) -> tuple[pa.Table, list[list[Problem]]]:
    """:func:`check_cells` over several tables at once: their tidy values in one Arrow table
    (the form they are cached and concatenated in), and each table's problems (what checking
    the tables one by one gives, in one pass)."""
    import pyarrow as pa

    sizes = [len(t) for t in tables]
    starts = np.cumsum([0, *sizes])
    cols: dict[str, list[Any]] = {
        c: [x for t in tables for x in getattr(t, c)]
        for c in ("org_code", "period", "element", "raw", "factor", "row", "column")
    }
    cols["file"] = [t.file for t, n in zip(tables, sizes, strict=True) for _ in range(n)]
    frames: dict[int, pd.Series] = {}

    def shown(i: int) -> Any:
        # the value as it sat in the table's frame (a float column shows 5 as 5.0)
        t = int(np.searchsorted(starts, i, side="right")) - 1
        if t not in frames:
            frames[t] = pd.DataFrame([(r,) for r in tables[t].raw], columns=["raw"])["raw"]
        return frames[t].iloc[i - starts[t]]

    v, keep, found = _check(
        cols["file"],
        cols["org_code"],
        cols["period"],
        cols["element"],
        cols["raw"],
        np.asarray(cols["factor"], dtype="float64"),
        cols["row"],
        cols["column"],
        shown,
        d,
    )
    per_table: list[list[Problem]] = [[] for _ in tables]
    where = np.searchsorted(starts, [i for i, _ in found], side="right") - 1
    for t, (_, p) in zip(where.tolist(), found, strict=True):
        per_table[t].append(p)
    arrays = {
        c: pa.array(np.asarray(cols[c], dtype=object)[keep], type=pa.string())
        for c in ("org_code", "period", "element", "file", "column")
    }
    arrays["value"] = pa.array(v[keep], type=pa.float64())
    arrays["row"] = pa.array(np.asarray(cols["row"], dtype=np.int64)[keep], type=pa.int64())
    return pa.table({c: arrays[c] for c in VALUE_COLUMNS}), per_table
