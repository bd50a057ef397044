"""Dataset.quality: completeness and problems per county and period, against hand counts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import planlib
from planlib.returns.quality import QUALITY_COLUMNS

COUNTY_ELEMENTS = 25  # the 县级汇总 columns of the sample, all required
SCHOOL_FLAGS = 4  # the required 学校明细 columns (在校生数 is optional)


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> tuple[Path, planlib.SampleSummary]:
    out = tmp_path_factory.mktemp("quality") / "city"
    summary = planlib.make_sample(out, seed=7, counties=4, schools_per_county=40)
    return out, summary


def row(q: pd.DataFrame, code: str, period: str) -> pd.Series:
    [r] = q[(q["org_code"] == code) & (q["period"] == period)].to_dict("records")
    return pd.Series(r)


def schools_of(folder: Path, code: str) -> int:
    schools = pd.read_csv(folder / "schools.csv", dtype=str)
    return int((schools["county_code"] == code).sum())


def owed(folder: Path, code: str) -> int:
    """The required school values a county owes: each required school element once per school
    of its registry that it applies to (planlib.catalog.applicability)."""
    from planlib.catalog.applicability import applies, folder_scopes
    from planlib.catalog.dictionary import load_dictionary

    d = load_dictionary(folder / "dictionary.yaml")
    scopes = folder_scopes(folder, d)
    required = [e.code for e in d.elements if e.required and e.level == "school"]
    assert len(required) == SCHOOL_FLAGS
    schools = pd.read_csv(folder / "schools.csv", dtype=str)
    mine = schools[schools["county_code"] == code]
    return sum(
        applies(scopes, e, s, o)
        for s, o in zip(mine["stage"], mine["ownership"], strict=True)
        for e in required
    )


def data_rows(path: Path, sheet: str) -> int:
    ws = load_workbook(path, read_only=True)[sheet]
    return sum(1 for r in ws.iter_rows(min_row=4, values_only=True) if r[0] is not None)


def test_the_sample_is_complete_but_for_the_late_county(data):
    folder, summary = data
    q = planlib.load_dataset(folder).quality()
    assert list(q.columns) == QUALITY_COLUMNS
    # every county and quarter the data holds: this year's and last year's (carried for projections)
    assert set(summary.periods) <= set(q["period"])
    assert len(q) == summary.counties * q["period"].nunique()
    [late] = summary.late
    gap = row(q, late, summary.late_period)
    assert gap["missing"] and gap["files"] == 0 and gap["elements_reported"] == 0
    assert gap["completeness"] == 0 and gap["warnings"] == 1 and gap["errors"] == 0
    rest = q[~((q["org_code"] == late) & (q["period"] == summary.late_period))]
    assert not rest["missing"].any() and (rest["completeness"] == 1).all()
    assert (rest["errors"] == 0).all() and (rest["warnings"] == 0).all()
    # a workbook county sends one file, a CSV county two (县级 and 学校)
    assert set(rest.loc[rest["org_code"] == late, "files"]) == {2}
    assert set(rest.loc[rest["org_code"] != late, "files"]) == {1}


def test_expected_and_reported_match_a_hand_count(data):
    folder, _ = data
    q = planlib.load_dataset(folder).quality()
    path = sorted((folder / "returns" / "2022Q2").glob("*.xlsx"))[0]
    code = path.stem
    r = row(q, code, "2022Q2")
    n_schools = schools_of(folder, code)
    assert data_rows(path, "学校明细") == n_schools  # the return lists every registered school
    assert data_rows(path, "县级汇总") == 1
    assert 0 < owed(folder, code) < SCHOOL_FLAGS * n_schools  # not every flag applies everywhere
    assert r["elements_expected"] == COUNTY_ELEMENTS + owed(folder, code)
    assert r["elements_reported"] == r["elements_expected"] and r["name"]


def test_a_removed_return_and_bad_cells(data, tmp_path):
    folder, _ = data
    copy = tmp_path / "city"
    shutil.copytree(folder, copy)
    gone = sorted((copy / "returns" / "2022Q1").glob("*.xlsx"))[1]
    gone.unlink()
    damaged = sorted((copy / "returns" / "2022Q4").glob("*.xlsx"))[0]
    wb = load_workbook(damaged)
    wb["县级汇总"]["E4"] = "很多"  # one county value unreadable: an error
    wb["县级汇总"]["F4"] = -3  # another below zero: an error
    wb["学校明细"]["D6"] = None  # one school flag left blank: a warning
    wb.save(damaged)
    q = planlib.load_dataset(copy).quality()

    r = row(q, gone.stem, "2022Q1")
    assert r["missing"] and r["files"] == 0 and r["elements_reported"] == 0
    assert r["warnings"] == 1 and r["errors"] == 0
    assert not row(q, gone.stem, "2022Q2")["missing"]

    r = row(q, damaged.stem, "2022Q4")
    n = COUNTY_ELEMENTS + owed(copy, damaged.stem)
    # D6 was sent blank: owed (a warning, one fewer reported) only where the flag applies
    blank = n - r["elements_reported"] - 2
    assert blank in (0, 1)
    assert r["elements_expected"] == n
    assert r["completeness"] == pytest.approx((n - 2 - blank) / n)
    assert (r["errors"], r["warnings"], r["files"], r["missing"]) == (2, blank, 1, False)


def test_an_unreadable_file_counts_for_the_county_it_is_named_after(data, tmp_path):
    folder, _ = data
    copy = tmp_path / "city"
    shutil.copytree(folder, copy)
    victim = sorted((copy / "returns" / "2022Q3").glob("*.xlsx"))[0]
    victim.write_text("garbage", encoding="utf-8")
    q = planlib.load_dataset(copy).quality()
    r = row(q, victim.stem, "2022Q3")
    assert (r["files"], r["errors"], r["warnings"], r["missing"]) == (1, 1, 1, True)
    errors = q["errors"].sum()
    ds = planlib.load_dataset(copy)
    assert errors == (ds.problems["severity"] == "error").sum()  # every error has its county
