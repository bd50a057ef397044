from __future__ import annotations

import pytest

from planlib.errors import PlanlibError
from planlib.periods import Period, find_period, find_year, parse_period


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


@pytest.mark.parametrize(
    "text",
    ["2022Q4", "2022-Q4", "2022年第四季度", "2022年4季度", "2022年第4季度", "2022年度第四季度"],
)
def test_every_common_spelling_is_found_in_a_title(text):
    assert find_period(f"城关区教育统计季报（{text}）") == Period(2022, 4)
    assert parse_period(text) == Period(2022, 4)


@pytest.mark.parametrize("text", ["四季度", "第四季度", "第4季度", "Q4"])
def test_a_quarter_without_a_year_takes_the_year_given(text):
    assert parse_period(text, year=2022) == Period(2022, 4)
    assert find_period(f"城关区季报（{text}）", year=2022) == Period(2022, 4)
    assert find_period(f"城关区季报（{text}）") is None  # no year: no guess


def test_codes_and_long_numbers_are_no_year_or_quarter():
    assert find_year("returns/2022/990102.xlsx") == 2022
    assert find_year("9901020001.xlsx") is None
    assert find_period("9901020001", year=2022) is None
    assert find_period("20221Q4") is None  # five digits before Q: no year


@pytest.mark.parametrize(
    ("spec", "wanted"),
    [
        ("22Q2", ["2022Q2"]),
        ("22年第二季度", ["2022Q2"]),
        ("2022-06", ["2022Q2"]),
        ("2022年6月", ["2022Q2"]),
        ("2022.05", ["2022Q2"]),
        ("Q2", ["2022Q2"]),  # the year is plain: the data's latest
        ("二季度", ["2022Q2"]),
        ("2022Q2-2022Q4", ["2022Q2", "2022Q3", "2022Q4"]),
        ("2022年第一季度-2022年第三季度", ["2022Q1", "2022Q2", "2022Q3"]),
        ("2022-Q3", ["2022Q3"]),  # a hyphen inside one quarter is no range
    ],
)
def test_periods_as_people_write_them_in_a_request(spec: str, wanted: list[str]) -> None:
    from planlib.periods import resolve_periods

    have = ["2021Q4", "2022Q1", "2022Q2", "2022Q3", "2022Q4"]
    assert resolve_periods(have, spec) == wanted


@pytest.mark.parametrize("spec", ["2022-13", "22Q5", "Q5", "2022Q4-", "下季度"])
def test_an_unreadable_request_names_the_spellings(spec: str) -> None:
    from planlib.errors import PlanlibError
    from planlib.periods import resolve_periods

    with pytest.raises(PlanlibError, match="无法识别的报告期"):
        resolve_periods(["2022Q1", "2022Q2"], spec)


@pytest.mark.parametrize(
    ("text", "kind", "several"),
    [
        ("latest", "latest", False),
        ("最新", "latest", False),
        ("全部", "all", True),
        ("2022年", "year", True),
        ("2022Q1至2022Q3", "range", True),
        ("2022Q2-2022Q4", "range", True),
        ("2022-Q2", "quarter", False),
        ("2022-06", "quarter", False),
        ("二季度", "quarter", False),
    ],
)
def test_a_request_is_read_once_and_stays_its_text(text, kind, several):
    from planlib.periods import PeriodRequest

    request = PeriodRequest(text)
    assert request == text and isinstance(request, str)  # goes wherever the text went
    assert request.kind == kind and request.several is several
    assert PeriodRequest(request) is request


def test_a_read_request_is_not_read_again(monkeypatch):
    from planlib import periods

    request = periods.PeriodRequest("2022Q1:2022Q3")

    def fail(text):
        raise AssertionError(f"read again: {text}")

    monkeypatch.setattr(periods, "_read_request", fail)
    assert periods.resolve_periods(["2022Q1", "2022Q2", "2022Q4"], request) == ["2022Q1", "2022Q2"]


def test_an_unreadable_request_fails_before_any_data():
    from planlib.periods import PeriodRequest

    for text in ["2022Q5", "下季度", "2022Q3:2022Q1", "Q4至Q2"]:
        with pytest.raises(PlanlibError):
            PeriodRequest(text)


def test_a_yearless_quarter_takes_the_year_of_the_newest_data():
    from planlib.periods import resolve_periods

    assert resolve_periods(["2021Q2", "2022Q1", "2022Q2"], "Q2") == ["2022Q2"]
    assert resolve_periods(["2021Q2", "2022Q1", "2022Q2"], "一季度:二季度") == ["2022Q1", "2022Q2"]
    with pytest.raises(PlanlibError, match="2023Q3 没有数据"):
        resolve_periods(["2022Q4", "2023Q1"], "三季度")


def test_as_of_resolves_the_year_to_date_once():
    from planlib.periods import Period, as_of

    have = ["2021Q4", "2022Q1", "2022Q3", "2022Q4"]
    got = as_of(have, "2022Q1:2022Q3")
    assert got.period == Period(2022, 3) and str(got) == got.code == "2022Q3"
    assert got.selected == ("2022Q1", "2022Q3")
    assert got.year_to_date == ("2022Q1", "2022Q3")  # the quarters with data, not Q2
    assert got.previous == "2022Q1" and got.label == "2022年第三季度"
    assert as_of(have, "2021").year_to_date == ("2021Q4",) and as_of(have, "2021").previous is None
