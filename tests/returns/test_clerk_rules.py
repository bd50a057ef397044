"""The rules behind clerks' slips (issue 15): each rule tried on variations written here.

Every case copies a small sample city, edits one county's return the way a clerk would and
compares what ``load_dataset`` keeps and what ``compute_indicators`` gives with the clean
city: a slip is either read as the clean return or stopped with an error naming the file and
the cell, and no other county's indicator changes.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

import planlib

Q3, Q4 = "returns/2022Q3", "returns/2022Q4"
OWN, NEXT = "990102", "990103"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rules") / "city"
    planlib.make_sample(out, seed=7, counties=4, schools_per_county=40)
    return out


@pytest.fixture(scope="module")
def clean(sample: Path) -> pd.DataFrame:
    ds = planlib.load_dataset(sample, cache=False)
    assert not (ds.problems["severity"] == "error").any()
    return indicators(ds)


@pytest.fixture()
def city(sample: Path, tmp_path: Path) -> Path:
    out = tmp_path / "city"
    shutil.copytree(sample, out)
    return out


def indicators(ds: planlib.Dataset) -> pd.DataFrame:
    frame = planlib.compute_indicators(ds)
    frame = frame[frame["period"] == "2022Q4"]
    return frame.set_index(["org_code", "indicator"])["value"].sort_index()


def load(city: Path) -> tuple[planlib.Dataset, pd.DataFrame]:
    ds = planlib.load_dataset(city, cache=False)
    return ds, ds.problems


def errors(p: pd.DataFrame, rule: str | None = None) -> pd.DataFrame:
    e = p[p["severity"] == "error"]
    return e if rule is None else e[e["rule"] == rule]


def edit(path: Path, change: Callable[..., None]) -> None:
    wb = load_workbook(path)
    change(wb)
    wb.save(path)


def col(ws: Worksheet, header: str) -> int:
    for c in ws[3]:
        if isinstance(c.value, str) and c.value.startswith(header):
            return c.column
    raise AssertionError(header)


def same_as_clean(ds: planlib.Dataset, clean: pd.DataFrame) -> None:
    assert not len(errors(ds.problems)), errors(ds.problems)[["file", "message"]].to_string()
    pd.testing.assert_series_equal(indicators(ds), clean)


def others_unchanged(ds: planlib.Dataset, clean: pd.DataFrame, county: str) -> None:
    """Every indicator of every unit but ``county`` (and the city above it) as clean."""
    now = indicators(ds)
    units = [u for u in clean.index.get_level_values(0).unique() if u not in (county, "990100")]
    for u in units:
        pd.testing.assert_series_equal(now.loc[u], clean.loc[u], check_names=False)
    # and the county's own are either the clean ones or missing, never another county's
    mine = now.loc[county].dropna()
    pd.testing.assert_series_equal(mine, clean.loc[county].loc[mine.index], check_names=False)


# --- identity ----------------------------------------------------------------------------------


def test_school_codes_sorted_apart_from_names_are_refused(city, clean):
    def shuffle(wb):
        ws = wb["学校明细"]
        codes = [ws.cell(r, 1).value for r in range(4, 44)]
        for r, c in zip(range(4, 44), sorted(codes, reverse=True), strict=True):
            ws.cell(r, 1).value = c

    edit(city / Q4 / f"{OWN}.xlsx", shuffle)
    ds, p = load(city)
    hit = errors(p, "name_mismatch")
    assert len(hit) >= 2 and "990102.xlsx［学校明细］" in hit.iloc[0]["file"]
    assert hit["message"].str.contains("错位").any()
    others_unchanged(ds, clean, OWN)


def test_one_school_with_another_schools_name_is_named(city, clean):
    def swap(wb):
        ws = wb["学校明细"]
        ws.cell(5, 2).value = ws.cell(6, 2).value  # the name of the next school under this code

    edit(city / Q4 / f"{OWN}.xlsx", swap)
    ds, p = load(city)
    hit = errors(p, "name_mismatch")
    assert len(hit) == 1 and hit.iloc[0]["row"] == 5
    assert "9901020002" in hit.iloc[0]["message"] and "9901020003" in hit.iloc[0]["message"]
    others_unchanged(ds, clean, OWN)


def test_a_neighbours_template_puts_the_error_on_the_wrong_file(city, clean):
    """The county row carries the next county's code and name (a reused template)."""

    def neighbour(wb):
        ws = wb["县级汇总"]
        ws.cell(4, 1).value, ws.cell(4, 2).value = NEXT, "东湖区"

    edit(city / Q4 / f"{OWN}.xlsx", neighbour)
    ds, p = load(city)
    hit = errors(p)
    assert len(hit) and set(hit["file"].str.split("［").str[0]) == {f"{Q4}/{OWN}.xlsx"}
    assert hit["message"].str.contains(NEXT).all()
    others_unchanged(ds, clean, OWN)


def test_a_csv_county_file_under_anothers_code_is_refused_whole(city, clean):
    path = city / Q4 / "990105_县级.csv"
    text = path.read_bytes().decode("gb18030").replace("\n990105,", "\n990104,", 1)
    path.write_bytes(text.encode("gb18030"))
    ds, p = load(city)
    hit = errors(p)
    # and with the name left out, the file name and the code disagree: the file is refused
    text = path.read_bytes().decode("gb18030").replace("990104,南江区", "990104,", 1)
    path.write_bytes(text.encode("gb18030"))
    ds2, p2 = load(city)
    assert list(errors(p2)["rule"]) == ["file_owner"]
    others_unchanged(ds2, clean, "990105")
    assert len(hit) == 1 and hit.iloc[0]["file"] == f"{Q4}/990105_县级.csv"
    assert "990104" in hit.iloc[0]["message"] and "990105" in hit.iloc[0]["message"]
    others_unchanged(ds, clean, "990105")


def test_a_whole_return_saved_under_a_neighbours_name_counts_for_neither(city, clean):
    (city / Q4 / f"{NEXT}.xlsx").unlink()
    shutil.copy(city / Q4 / f"{OWN}.xlsx", city / Q4 / f"{NEXT}.xlsx")
    (city / Q4 / f"{OWN}.xlsx").unlink()
    ds, p = load(city)
    hit = errors(p, "file_owner")
    assert len(hit) == 1 and f"{NEXT}.xlsx" in hit.iloc[0]["file"]
    assert OWN in hit.iloc[0]["message"] and NEXT in hit.iloc[0]["message"]
    assert not (ds.values["file"].str.contains(f"{NEXT}.xlsx") & (ds.values["period"] == "2022Q4")).any()


# --- one return per county and quarter ---------------------------------------------------------


def test_a_corrected_return_beside_the_original_wins(city, clean):
    shutil.copy(city / Q4 / f"{OWN}.xlsx", city / Q4 / f"{OWN}_更正.xlsx")
    edit(city / Q4 / f"{OWN}.xlsx", lambda wb: setattr(wb["县级汇总"].cell(4, 10), "value", 1))
    ds, p = load(city)
    assert not len(errors(p))
    said = p[p["rule"] == "superseded"]
    assert len(said) == 1 and "更正" in said.iloc[0]["message"]
    assert said.iloc[0]["file"] == f"{Q4}/{OWN}.xlsx"
    same_as_clean(ds, clean)


def test_a_later_send_date_wins(city, clean):
    def footer(date):
        return lambda wb: wb["县级汇总"].append(["报出日期：", date])

    shutil.copy(city / Q4 / f"{OWN}.xlsx", city / Q4 / f"{OWN}(1).xlsx")
    edit(city / Q4 / f"{OWN}.xlsx", footer("2023年1月5日"))
    edit(city / Q4 / f"{OWN}(1).xlsx", footer("2023年1月9日"))
    ds, p = load(city)
    assert not len(errors(p))
    said = p[p["rule"] == "superseded"]
    assert set(said["file"]) == {f"{Q4}/{OWN}.xlsx"}


def test_two_returns_without_a_winner_are_both_refused(city, clean):
    shutil.copy(city / Q4 / f"{OWN}.xlsx", city / Q4 / f"{OWN}副本.xlsx")
    ds, p = load(city)
    hit = errors(p, "two_returns")
    assert len(hit) >= 2 and hit["message"].str.contains(OWN).all()
    assert not errors(p, "duplicate").shape[0]
    assert not ((ds.values["org_code"] == OWN) & (ds.values["period"] == "2022Q4")).any()
    others_unchanged(ds, clean, OWN)
