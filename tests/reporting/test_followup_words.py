"""How a 督办 row words a run of quarters: a county that sent nothing 未报送, a total that one of
its counties left empty only 数据不全 (the city owes no return of its own)."""

from types import SimpleNamespace

import pytest

from planlib.reporting.followup import quarter_words, run_words


def row(level: str, missing: str, since: str = "2022Q1", n: int = 3) -> SimpleNamespace:
    return SimpleNamespace(
        level=level, missing_periods=missing, since=since, quarters_behind=n, period="2022Q4"
    )


@pytest.mark.parametrize(
    ("level", "words"),
    [
        ("county", "一季度起连续3个季度，三季度未报送"),
        ("city", "一季度起连续3个季度，三季度数据不全"),
    ],
)
def test_a_missing_quarter_is_said_as_what_it_is_for_the_unit(level: str, words: str) -> None:
    assert run_words(row(level, "2022Q3")) == words


def test_several_quarters_are_joined_and_nothing_missing_says_nothing() -> None:
    assert quarter_words("2022Q2,2022Q3") == "二、三季度未报送"
    assert quarter_words("2022Q2,2022Q3", "数据不全") == "二、三季度数据不全"
    assert quarter_words("") == ""
    assert run_words(row("county", "", since="2022Q4", n=1)) == "本季度起"
