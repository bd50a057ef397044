"""``--period`` in compute, assess and ledger: every quarter named, each as of itself."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from planlib.periods import PeriodRequest

QUARTERS = ["2022Q1", "2022Q2", "2022Q3", "2022Q4"]


def _csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def _numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns that hold numbers as floats (the rest stay text), for a comparison to 12 digits."""
    out = frame.copy()
    for col in out.columns:
        as_float = pd.to_numeric(out[col].replace("", None), errors="coerce")
        if as_float.notna().sum() == (out[col] != "").sum() and as_float.notna().any():
            out[col] = as_float
    return out


def _rows(frame: pd.DataFrame, period: str) -> pd.DataFrame:
    return frame[frame["period"] == period].reset_index(drop=True)


@pytest.mark.parametrize("command", ["compute", "assess", "ledger"])
def test_all_quarters_each_as_asked_alone(planlib_cli, sample, command: str) -> None:
    every = planlib_cli(command, sample, "--period", "all", "--format", "csv")
    assert every.returncode == 0, every.stderr
    frame = _csv(every.stdout)
    assert sorted(frame["period"].unique()) == QUARTERS
    sizes = frame.groupby("period").size()
    assert sizes.min() > 0
    if command == "ledger":  # one row per task and quarter
        assert (sizes == sizes.iloc[0]).all()
    alone = planlib_cli(command, sample, "--period", "2022Q2", "--format", "csv")
    assert alone.returncode == 0, alone.stderr
    # the same numbers, to the last place a float can differ in: numpy sums arrays pairwise, so
    # a total over one quarter's rows and over four quarters' may round its 16th digit apart
    pd.testing.assert_frame_equal(
        _numbers(_rows(frame, "2022Q2")),
        _numbers(_csv(alone.stdout)),
        check_exact=False,
        rtol=1e-12,
        atol=0,
    )


@pytest.mark.parametrize(
    ("spec", "quarters"),
    [
        ("2022", QUARTERS),
        ("2022年第一季度至2022年第二季度", ["2022Q1", "2022Q2"]),
        ("最新", ["2022Q4"]),
    ],
)
def test_period_words(planlib_cli, sample, spec: str, quarters: list[str]) -> None:
    r = planlib_cli("assess", sample, "--period", spec, "--level", "city", "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert sorted(_csv(r.stdout)["period"].unique()) == quarters


def test_a_quarter_the_data_lacks_names_those_it_has(planlib_cli, sample) -> None:
    for command in ("compute", "assess", "ledger"):
        r = planlib_cli(command, sample, "--period", "2020Q4:2020Q4")
        assert r.returncode == 1, r.stderr
        assert "没有任何季度的数据" in r.stderr and "已有：" in r.stderr
        assert "2022Q1、2022Q2、2022Q3、2022Q4" in r.stderr
        assert "Traceback" not in r.stderr


@pytest.mark.parametrize("spec", ["2022Q5", "去年", "2022Q3:2022Q1"])
def test_an_unreadable_period_is_a_usage_error_before_any_work(planlib_cli, spec: str) -> None:
    # the data folder does not even exist: the period is refused first… by click, as usage
    r = planlib_cli("compute", ".", "--period", spec)
    assert r.returncode == 2, r.stderr
    assert "--period" in r.stderr and "用法：" in r.stderr and "Traceback" not in r.stderr


def test_which_period_words_may_name_several_quarters() -> None:
    for one in ("latest", "最新", "2022Q3", "2022年第三季度", "Q3", "2022-09"):
        assert not PeriodRequest(one).several, one
    for several in ("2022", "all", "全部", "2022Q1:2022Q2", "2022Q1-2022Q3", "一季度至三季度"):
        assert PeriodRequest(several).several, several
