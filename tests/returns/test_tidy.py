"""The tidy Parquet reader's key encoding: the same codes and tables as pandas' factorize,
whatever the column holds and however Arrow chunked it."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from planlib.returns.tidy import _encode

# digit codes of several lengths with leading zeros, and strings Arrow's integer cast would
# also read as numbers ("0x1f", "-12") or that are not digits at all
CODES = st.one_of(
    st.sampled_from(["7", "07", "007", "0x7", "-7", "１２", "", "a1", "110101", "011010"]),
    st.from_regex(r"[0-9]{1,12}", fullmatch=True),
    st.from_regex(r"0{0,3}[1-9][0-9]{0,3}", fullmatch=True),
)


def _chunked(values: list[str | None], cuts: list[int]) -> pa.ChunkedArray:
    edges = sorted({0, len(values), *(c % (len(values) + 1) for c in cuts)})
    parts = [values[a:b] for a, b in itertools.pairwise(edges)]
    return pa.chunked_array([pa.array(p, pa.large_string()) for p in parts], pa.large_string())


def _check(values: list[str | None], cuts: list[int]) -> None:
    codes, table, runs = _encode(_chunked(values, cuts))
    expected, uniques = pd.factorize(pd.Series(values, dtype=object))
    assert list(table) == list(uniques)
    np.testing.assert_array_equal(codes, expected)
    if runs is not None:  # runs start where the value changes, and nowhere else
        changes = [0, *(i for i in range(1, len(values)) if values[i] != values[i - 1])]
        assert runs.tolist() == changes


@settings(max_examples=300, deadline=None)
@given(st.lists(CODES, min_size=1, max_size=60), st.lists(st.integers(0, 60), max_size=4))
def test_codes_are_pandas_factorize(values: list[str], cuts: list[int]) -> None:
    _check(values, cuts)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.one_of(st.none(), CODES), min_size=1, max_size=40),
    st.lists(st.integers(0, 40), max_size=3),
)
def test_missing_values_are_minus_one(values: list[str | None], cuts: list[int]) -> None:
    _check(values, cuts)


def test_blocked_column_is_encoded_by_runs_across_chunks() -> None:
    values = ["2022Q1"] * 700 + ["2022Q2"] * 500 + ["2022Q1"] * 300
    codes, table, runs = _encode(_chunked(values, [250, 900, 1300]))
    assert list(table) == ["2022Q1", "2022Q2"] and runs is not None
    assert runs.tolist() == [0, 700, 1200]
    np.testing.assert_array_equal(codes, pd.factorize(pd.Series(values))[0])


def test_digit_codes_keep_their_leading_zeros() -> None:
    values = [f"{i:06d}" for i in range(0, 3000, 7)] + [str(i) for i in range(0, 3000, 7)]
    codes, table, _ = _encode(_chunked(values * 2, [100, 1000]))
    assert list(table) == list(dict.fromkeys(values))
    assert table[0] == "000000" and "0" in set(table)
    np.testing.assert_array_equal(codes, pd.factorize(pd.Series(values * 2))[0])
