"""Tidy Parquet returns: the large-scale input (a province or the nation), one row per value.

Checked with array operations over the few distinct elements and periods, never row by row, so
ten million values load in seconds. Each key column (org_code, period, element) is hashed once,
in Arrow, and its integer codes go on to validation and the computation
(:class:`~planlib.returns.validation.RowKeys`); the frame's text columns are the file's own
Arrow strings, not copies.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ..catalog.dictionary import Dictionary
from ..errors import Problem
from .cells import PERIOD_CODE, VALUE_COLUMNS, cell_problem
from .validation import RowKeys

_KEYS = ("org_code", "period", "element")


class TidyValues(NamedTuple):
    """What :func:`read_tidy` returns: the checked values, the problems, their row keys."""

    values: pd.DataFrame
    problems: list[Problem]
    keys: RowKeys | None


def read_tidy_values(path: Path, name: str, d: Dictionary) -> tuple[pd.DataFrame, list[Problem]]:
    """The checked values of a tidy Parquet file (org_code, period, element, value), one row per
    value: the large-scale input, checked in bulk rather than cell by cell."""
    values, problems, _ = read_tidy(path, name, d)
    return values, problems


def _take_chunked(col: Any, positions: np.ndarray) -> Any:
    """``col[positions]`` (ascending positions), gathered chunk by chunk: ``ChunkedArray.take``
    concatenates every chunk first, a copy of all ten million strings to read a few."""
    import pyarrow as pa

    starts = np.cumsum([0, *(len(c) for c in col.chunks)])
    chunk_of = np.searchsorted(starts, positions, side="right") - 1
    bounds = np.searchsorted(chunk_of, np.arange(col.num_chunks + 1)).tolist()
    parts = [
        col.chunk(i).take(pa.array(positions[lo:hi] - starts[i]))
        for i, (lo, hi) in enumerate(itertools.pairwise(bounds))
        if hi > lo
    ]
    return pa.concat_arrays(parts)


def _one_memo(coded: Any) -> tuple[np.ndarray, Any] | None:
    """Codes (-1 for a missing value) and dictionary of a chunk-by-chunk dictionary encoding,
    when every chunk ended with the same dictionary (one memo; no copy of the values into one
    array first); None when they did not."""
    chunks = [c for c in coded.chunks if len(c)]
    first = chunks[0].dictionary
    if not all(len(c.dictionary) == len(first) for c in chunks):
        return None
    if not chunks[-1].dictionary.equals(first):
        return None
    codes = np.concatenate([c.indices.fill_null(-1).to_numpy(zero_copy_only=False) for c in chunks])
    return codes, first


def _encode(column: object) -> tuple[np.ndarray, pd.Index, np.ndarray | None]:
    """Integer codes (-1 for a missing value), their table in order of first appearance, and
    where runs of one value start (None when the column has many), hashing each value once.

    Sorted or blocked columns (a period or element column written block by block) are encoded
    by their runs: only the first value of each run is hashed.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    col = column if isinstance(column, pa.ChunkedArray) else pa.chunked_array([column])
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        col = pc.cast(col, pa.string())
    n = len(col)
    if n == 0:
        return np.zeros(0, dtype="int64"), pd.Index([], dtype="str"), None
    probe = min(n, 100_000)
    runs = None
    if n > 1 and col.null_count == 0:
        head = col.slice(0, probe)
        change = pc.not_equal(head.slice(1), head.slice(0, probe - 1))
        if (pc.sum(change).as_py() or 0) < probe // 20:  # few runs so far: look at them all
            change = pc.not_equal(col.slice(1), col.slice(0, n - 1))
            runs = np.flatnonzero(np.r_[True, change.to_numpy()])
            if len(runs) > n // 8:
                runs = None
    if runs is not None:
        coded = pc.dictionary_encode(_take_chunked(col, runs))
        lengths = np.diff(np.r_[runs, n])
        codes = np.repeat(coded.indices.to_numpy(zero_copy_only=False), lengths)
        return codes, pd.Index(coded.dictionary.to_pylist(), dtype="str"), runs
    found = _one_memo(pc.dictionary_encode(col))
    if found is None:
        coded = pc.dictionary_encode(col.combine_chunks())
        found = coded.indices.fill_null(-1).to_numpy(zero_copy_only=False), coded.dictionary
    codes, table = found
    return codes, pd.Index(table.to_pylist(), dtype="str"), None


def _out_of_range(
    v: np.ndarray,
    element: np.ndarray,
    runs: np.ndarray | None,
    lo: np.ndarray,
    hi: np.ndarray,
    counts: np.ndarray,
) -> np.ndarray:
    """Per row: blank, outside its element's range, or a count that is not whole. Per run of
    one element when the column comes in runs (no gather of bounds per row)."""
    with np.errstate(invalid="ignore"):
        bad = np.isnan(v)
        if runs is None:
            bad |= (v < lo[element]) | (v > hi[element])
            c = counts[element]
            bad[c] |= np.floor(v[c]) != v[c]
            return bad
        ends = np.r_[runs[1:], len(v)]
        for start, end in zip(runs.tolist(), ends.tolist(), strict=True):
            i, part = int(element[start]), v[start:end]
            bad[start:end] |= (part < lo[i]) | (part > hi[i])
            if counts[i]:
                bad[start:end] |= np.floor(part) != part
    return bad


def read_tidy(path: Path, name: str, d: Dictionary) -> TidyValues:
    """:func:`read_tidy_values` with the rows' integer codes (``keys``, aligned with the values
    returned), made while reading so that validation need not hash the strings again."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    missing = [c for c in ("org_code", "period", "element", "value") if c not in table.schema.names]
    if missing:
        return TidyValues(
            pd.DataFrame(columns=VALUE_COLUMNS),
            [
                cell_problem(
                    name,
                    None,
                    "、".join(missing),
                    None,
                    "Parquet 文件缺少列",
                    rule="missing_column",
                )
            ],
            None,
        )
    codes, uniques, runs = {}, {}, {}
    for c in _KEYS:
        codes[c], uniques[c], runs[c] = _encode(table.column(c))
    texts = {
        c: table.column(c).to_pandas()
        if pa.types.is_string(table.schema.field(c).type)
        or pa.types.is_large_string(table.schema.field(c).type)
        else pd.Series(uniques[c].take(codes[c])).where(codes[c] >= 0)
        for c in _KEYS
    }
    v = table.column("value").to_numpy().astype("float64", copy=False)
    # the per-row work goes through the few distinct elements and periods, not 10M strings
    cats, element = uniques["element"], codes["element"]
    known = np.r_[cats.isin(d.codes), False]
    problems, bad_periods = _code_problems(name, cats, known, uniques["period"])
    period_bad = np.zeros(len(uniques["period"]) + 1, dtype=bool)
    period_bad[bad_periods] = True
    period_bad[-1] = True  # a missing period
    meta = d.frame().set_index("code")
    lo = np.r_[meta["min"].reindex(cats).to_numpy(dtype="float64"), np.nan]
    hi = np.r_[meta["max"].reindex(cats).to_numpy(dtype="float64"), np.nan]
    counts = np.r_[(meta["kind"].reindex(cats) == "count").to_numpy(dtype=bool), False]
    bad = _out_of_range(v, element, runs["element"], lo, hi, counts)
    drop = ~known[element] | period_bad[codes["period"]]
    bad &= ~drop
    for idx in np.flatnonzero(bad)[:200].tolist():
        problems.append(
            cell_problem(
                name,
                idx + 2,
                str(texts["element"].iat[idx]),
                float(v[idx]),
                "数值缺失、超出允许范围或计数不是整数",
                org_code=str(texts["org_code"].iat[idx]),
                period=str(texts["period"].iat[idx]),
                rule="above_range",
            )
        )
    keep = ~(bad | drop)
    out = _values_frame(texts, v, name, element, cats)
    keys = RowKeys.from_codes(
        codes["org_code"],
        uniques["org_code"],
        codes["period"],
        uniques["period"],
        element,
        cats,
    )
    if not keep.all():
        out, keys = out[keep], keys.take(keep)
    return TidyValues(out.reset_index(drop=True)[VALUE_COLUMNS], problems, keys)


def _code_problems(
    name: str, cats: pd.Index, known: np.ndarray, periods: pd.Index
) -> tuple[list[Problem], list[int]]:
    """Elements the dictionary lacks (a warning) and periods not written 2022Q1 (errors, the
    first 20), with the positions of those periods among ``periods``."""
    problems: list[Problem] = []
    if not known[:-1].all():
        problems.append(
            cell_problem(
                name,
                None,
                "element",
                "、".join(cats[~known[:-1]][:5]),
                "数据字典中没有这些数据项，已忽略",
                severity="warning",
                rule="unknown_column",
            )
        )
    bad_periods = [i for i, p in enumerate(periods) if not PERIOD_CODE.fullmatch(str(p))]
    for i in bad_periods[:20]:
        message = "报告期格式应为 2022Q1 这样的年份加季度"
        problems.append(cell_problem(name, None, "period", periods[i], message, rule="period"))
    return problems, bad_periods


def _values_frame(
    texts: dict[str, pd.Series], v: np.ndarray, name: str, element: np.ndarray, cats: pd.Index
) -> pd.DataFrame:
    """The values frame of a tidy file: its text columns, values, the file (one category),
    rows as a spreadsheet would number them, and the element as the column."""
    n = len(v)
    return pd.DataFrame(
        copy=False,
        data={
            **texts,
            "value": v,
            "file": pd.Categorical.from_codes(
                np.zeros(n, dtype="int8"), categories=pd.Index([name])
            ),
            "row": np.arange(2, n + 2),
            "column": pd.Categorical.from_codes(
                np.where(element >= 0, element, -1), categories=cats
            ),
        },
    )
