from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from planlib.catalog.expressions import ExpressionError, Term, parse_expression
from planlib.errors import PlanlibError


def coefs(text: str) -> dict[str, float]:
    lin = parse_expression(text)
    return {t.key: c for t, c in lin.coefficients}


def test_sums_and_differences():
    assert coefs("a + b - c") == {"a": 1.0, "b": 1.0, "c": -1.0}
    assert coefs("grade1_entry_cohort + cohort_transfer_in - cohort_transfer_out") == {
        "grade1_entry_cohort": 1.0,
        "cohort_transfer_in": 1.0,
        "cohort_transfer_out": -1.0,
    }


def test_constants_parentheses_and_unary_minus():
    lin = parse_expression("2 * (a - b) + a / 4 - -c + 3")
    assert {t.key: c for t, c in lin.coefficients} == {"a": 2.25, "b": -2.0, "c": 1.0}
    assert lin.constant == 3.0


def test_terms_that_cancel_are_dropped_and_repeated_terms_add():
    assert coefs("a + b - a") == {"b": 1.0}
    assert coefs("a + a") == {"a": 2.0}


def test_school_functions_with_filters_have_a_canonical_key():
    lin = parse_expression("sum_schools(std_compliant, stage=初中|小学|九年一贯制)")
    (term,) = lin.terms
    assert term == Term("school_sum", "std_compliant", (("stage", ("九年一贯制", "初中", "小学")),))
    assert term.key == "sum_schools(std_compliant, stage=九年一贯制|初中|小学)"
    # Order of filters and values does not change the term.
    a = parse_expression("count_schools(stage=中职, ownership=公办)").terms[0]
    b = parse_expression("count_schools(ownership=公办,stage=中职)").terms[0]
    assert (
        a == b and a.kind == "school_count" and a.key == "count_schools(ownership=公办, stage=中职)"
    )
    assert parse_expression("sum_schools(smart_campus_built)").terms[0].key == (
        "sum_schools(smart_campus_built)"
    )


def test_describe_uses_labels():
    t = parse_expression("pop_3_5").terms[0]
    assert t.describe({"pop_3_5": "3-5岁常住人口数"}) == "pop_3_5（3-5岁常住人口数）"
    c = parse_expression("count_schools(stage=中职, ownership=公办)").terms[0]
    assert c.describe() == "公办中职学校数（学校名录）"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a * b", "不能相乘"),
        ("a / b", "只能除以常数"),
        ("a / 0", "除数为 0"),
        ("", "公式为空"),
        ("a +", "应为数据元素"),
        ("a b", "多余的内容"),
        ("(a + b", "应为「\\)」"),
        ("3", "没有数据元素"),
        ("a - a", "没有数据元素"),
        ("sum_schools(flag, county=甲县)", "筛选条件"),
        ("count_schools(stage=小学, stage=初中)", "重复"),
        ("__import__('os').system('true')", "未知的函数"),
        ("在园幼儿数", "应为数据元素"),
    ],
)
def test_bad_formulas_are_refused_in_chinese(text, words):
    with pytest.raises(ExpressionError, match=words) as info:
        parse_expression(text)
    assert isinstance(info.value, PlanlibError)
    assert "公式" in str(info.value)


def test_evaluate_propagates_missing_values():
    lin = parse_expression("a + b - c")
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [10.0, np.nan], "c": [0.5, 1.0]})
    out = lin.evaluate(frame)
    assert out.iloc[0] == pytest.approx(10.5)
    assert math.isnan(out.iloc[1])
    with pytest.raises(KeyError):
        parse_expression("zzz").evaluate(frame)


names = st.sampled_from(["a", "b", "c", "d"])
numbers = st.integers(min_value=-5, max_value=5)


@given(st.lists(st.tuples(numbers, names), min_size=1, max_size=6), numbers)
def test_parsed_formula_equals_direct_arithmetic(parts, constant):
    text = " + ".join(f"({k}) * {n}" for k, n in parts) + f" + ({constant})"
    values = {"a": 1.5, "b": -2.0, "c": 7.0, "d": 0.25}
    expected = sum(k * values[n] for k, n in parts) + constant
    try:
        lin = parse_expression(text)
    except ExpressionError:  # every coefficient cancelled: no element left
        assert all(sum(k for k, m in parts if m == n) == 0 for n in values)
        return
    got = lin.evaluate(pd.DataFrame({k: [v] for k, v in values.items()})).iloc[0]
    assert got == pytest.approx(expected)
