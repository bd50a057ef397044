"""Formulas saved without their result: computed only when plain arithmetic over this sheet."""

from __future__ import annotations

import pytest

from planlib.returns.formulas import compute_formula

ROWS = [[None] * 5, [None, 1, 2, 3.5, "x"], [None, 4, None, 6, 7]]


@pytest.mark.parametrize(
    ("formula", "value"),
    [
        ("=B2+C2+D2", 6.5),
        ("=SUM(B2:D3)", 16.5),
        ("=sum(B2,C2)*2-1", 5.0),
        ("=$B$3*-1", -4.0),
        ("=(B3-B2)/2", 1.5),
        ("=C3+B2", 1.0),  # a blank counts 0
        ("=E2+1", None),  # a text cell
        ("=Sheet1!B2", None),
        ("=[1]表!B2", None),  # another sheet or workbook
        ("=AVERAGE(B2:C2)", None),
        ("=ROUND(B2,0)", None),  # other functions
        ("=B2/0", None),
        ('=B2&"人"', None),
        ("=", None),
    ],
)
def test_compute_formula(formula, value):
    assert compute_formula(formula, ROWS, ()) == value


def test_a_formula_over_an_uncalculated_cell_is_not_computed():
    assert compute_formula("=B2+C2", ROWS, {(2, 1)}) is None
