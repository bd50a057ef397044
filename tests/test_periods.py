from __future__ import annotations

import pytest

from planlib.periods import Period, find_period, parse_period


@pytest.mark.parametrize(
    "text", ["2022Q3", "2022q3", " 2022 Q3 ", "2022-Q3", "2022年第三季度", "2022年第3季度"]
)
def test_parse(text):
    assert parse_period(text) == Period(2022, 3)


@pytest.mark.parametrize("text", ["2022Q5", "Q3", "2022", "三季度"])
def test_parse_rejects(text):
    with pytest.raises(ValueError, match="报告期"):
        parse_period(text)


def test_order_previous_and_share():
    assert Period(2022, 1) < Period(2022, 2) < Period(2023, 1)
    assert Period(2022, 1).previous() == Period(2021, 4)
    assert Period(2022, 3).year_share == 0.75
    assert str(Period(2022, 4)) == "2022Q4" and Period(2022, 4).label == "2022年第四季度"
    assert [str(p) for p in Period(2022, 3).quarters_of_year_to_date()] == [
        "2022Q1",
        "2022Q2",
        "2022Q3",
    ]


def test_find_period_in_titles():
    assert find_period("某市教育统计季报（2022年第二季度）") == Period(2022, 2)
    assert find_period("returns/2022Q4/330102.xlsx") == Period(2022, 4)
    assert find_period("无期别") is None
