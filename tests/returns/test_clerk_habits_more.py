"""More clerks' habits nobody listed (issue 26), each tried on a real workbook.

Every case copies a small sample city, edits one county's Q4 return the way a clerk would, and
checks the rule decided for the habit: either the return is read as the clean one (same
indicators, no error), or it is stopped with an error naming the file, sheet, row and column,
and no indicator of another county changes. Never a silently wrong number.

Written before the rules were changed: 23 of the 31 habits passed then (numbers with their own
unit, (1,234), 无 in a count, 2022年10-12月, 金额单位：千元 in the title, formulas without a cached
value and a falling year-to-date budget failed; the stale-sheet case was rewritten, as the
sample's school sheets do not change between Q3 and Q4). All pass now.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

import planlib

Q3, Q4 = "returns/2022Q3", "returns/2022Q4"
OWN, NEXT = "990102", "990103"
FILE = f"{Q4}/{OWN}.xlsx"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("habits") / "city"
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


def edit(city: Path, change: Callable[..., None], rel: str = FILE) -> None:
    wb = load_workbook(city / rel)
    change(wb)
    wb.save(city / rel)


def col(ws: Worksheet, header: str, row: int = 3) -> int:
    for c in ws[row]:
        if isinstance(c.value, str) and c.value.startswith(header):
            return c.column
    raise AssertionError(header)


def same_as_clean(ds: planlib.Dataset, clean: pd.DataFrame) -> None:
    assert not len(errors(ds.problems)), errors(ds.problems)[["file", "message"]].to_string()
    pd.testing.assert_series_equal(indicators(ds), clean)


def others_unchanged(ds: planlib.Dataset, clean: pd.DataFrame, county: str = OWN) -> None:
    """Every indicator of every unit but ``county`` (and the city) as clean; the county's own
    either the clean ones or missing, never another number."""
    now = indicators(ds)
    units = [u for u in clean.index.get_level_values(0).unique() if u not in (county, "990100")]
    for u in units:
        pd.testing.assert_series_equal(now.loc[u], clean.loc[u], check_names=False)
    mine = now.loc[county].dropna() if county in now.index.get_level_values(0) else now.iloc[:0]
    pd.testing.assert_series_equal(
        mine, clean.loc[county].loc[mine.index], check_names=False, check_index_type=False
    )


def neighbours_unchanged(ds: planlib.Dataset, clean: pd.DataFrame) -> None:
    """Every indicator of every other county as clean."""
    now = indicators(ds)
    for u in clean.index.get_level_values(0).unique():
        if u not in (OWN, "990100"):
            pd.testing.assert_series_equal(now.loc[u], clean.loc[u], check_names=False)


def stopped_at(p: pd.DataFrame, sheet: str, row: int, column: str | None = None) -> pd.Series:
    """The error naming the file, sheet, row (and column): asserted to exist."""
    e = errors(p)
    hit = e[(e["file"] == f"{FILE}［{sheet}］") & (e["row"] == row)]
    if column is not None:
        hit = hit[hit["column"].astype(str).str.startswith(column)]
    assert len(hit), e[["file", "row", "column", "message"]].to_string()
    return hit.iloc[0]


COUNTY, SCHOOLS = "县级汇总", "学校明细"


# --- layout habits -----------------------------------------------------------------------------


def test_01_a_total_row_placed_at_the_top_of_the_school_list(city, clean):
    def top_total(wb):
        ws = wb[SCHOOLS]
        ws.insert_rows(4)
        ws.cell(4, 2).value = "合计"
        n = col(ws, "在校生数")
        ws.cell(4, n).value = f"=SUM({get_column_letter(n)}5:{get_column_letter(n)}44)"

    edit(city, top_total)
    ds, _ = load(city)
    same_as_clean(ds, clean)


def test_02_columns_reordered_in_the_county_sheet(city, clean):
    def reorder(wb):
        ws = wb[COUNTY]
        cols = [[ws.cell(r, c).value for r in (3, 4)] for c in range(1, ws.max_column + 1)]
        order = cols[:3] + list(reversed(cols[3:]))
        for c, (head, value) in enumerate(order, start=1):
            ws.cell(3, c).value, ws.cell(4, c).value = head, value

    edit(city, reorder)
    ds, _ = load(city)
    same_as_clean(ds, clean)


def test_03_a_blank_row_in_the_middle_of_the_school_list(city, clean):
    edit(city, lambda wb: wb[SCHOOLS].insert_rows(20))
    ds, _ = load(city)
    same_as_clean(ds, clean)


def test_04_notes_rows_under_the_table(city, clean):
    def notes(wb):
        for ws in (wb[COUNTY], wb[SCHOOLS]):
            end = ws.max_row
            ws.cell(end + 2, 1).value = "注：1.本表数据截至报告期末。"
            ws.cell(end + 3, 1).value = "2.学段按学校主要学段填写，一校多段的填最高学段。"
            ws.cell(end + 4, 1).value = "单位负责人：王某    填表人：李某    联系电话：1234567"

    edit(city, notes)
    ds, _ = load(city)
    same_as_clean(ds, clean)


def test_05_merged_title_rows_and_a_hidden_helper_column(city, clean):
    def merged(wb):
        for ws in (wb[COUNTY], wb[SCHOOLS]):
            last = get_column_letter(ws.max_column + 1)
            ws.cell(3, ws.max_column + 1).value = "辅助列"
            for r in range(4, ws.max_row + 1):
                if ws.cell(r, 1).value:
                    ws.cell(r, ws.max_column).value = 99999
            ws.column_dimensions[last].hidden = True
            ws.merge_cells(f"A1:{last}1")
            ws.merge_cells(f"A2:{last}2")

    edit(city, merged)
    ds, _ = load(city)
    same_as_clean(ds, clean)


def test_06_a_second_sheet_for_another_quarter_in_the_same_workbook(city, clean):
    """Last quarter's county sheet kept in this quarter's workbook: never counted for Q4."""
    q3 = load_workbook(city / Q3 / f"{OWN}.xlsx")[COUNTY]

    def keep_q3(wb):
        ws = wb.create_sheet("三季度")
        for row in q3.iter_rows(values_only=True):
            ws.append(list(row))

    edit(city, keep_q3)
    ds, p = load(city)
    others_unchanged(ds, clean)
    assert (indicators(ds).loc[OWN].dropna().index == clean.loc[OWN].dropna().index).all()
    said = p[p["file"].astype(str).str.contains("三季度")]
    assert len(said), p[["file", "message"]].to_string()


def test_07_a_county_filing_two_quarters_in_one_sheet(city, clean):
    """Q3's county row under Q4's, each with its 报告期: the Q3 row is not taken for Q4."""
    q3 = load_workbook(city / Q3 / f"{OWN}.xlsx")[COUNTY]

    def two(wb):
        ws = wb[COUNTY]
        ws.insert_rows(4)
        for c in range(1, ws.max_column + 1):
            ws.cell(4, c).value = q3.cell(4, c).value

    edit(city, two)
    ds, p = load(city)
    others_unchanged(ds, clean)
    q4 = ds.values[(ds.values["org_code"] == OWN) & (ds.values["period"] == "2022Q4")]
    assert not (q4["row"] == 4).any()
    assert len(p[(p["file"] == f"{FILE}［{COUNTY}］") & (p["row"] == 4)])


def test_08_a_file_named_by_the_county_abbreviation(city, clean):
    (city / FILE).rename(city / Q4 / "城关2022年四季度.xlsx")
    ds, _ = load(city)
    same_as_clean(ds, clean)


# --- cell habits -------------------------------------------------------------------------------


def test_09_numbers_typed_as_text_with_their_unit(city, clean):
    def units(wb):
        ws = wb[COUNTY]
        for head, unit in (("在园幼儿数", "人"), ("普通高中在校生数", "人")):
            c = col(ws, head)
            ws.cell(4, c).value = f"{ws.cell(4, c).value}{unit}"

    edit(city, units)
    ds, _ = load(city)
    same_as_clean(ds, clean)


def test_10_a_number_with_another_unit_is_stopped(city, clean):
    """「12所」 in a column of persons is not a number of persons."""

    def units(wb):
        ws = wb[COUNTY]
        ws.cell(4, col(ws, "在园幼儿数")).value = "2305所"

    edit(city, units)
    ds, p = load(city)
    stopped_at(p, COUNTY, 4, "在园幼儿数")
    others_unchanged(ds, clean)


def test_11_a_percentage_in_a_count_column_is_stopped(city, clean):
    def percent(wb):
        ws = wb[COUNTY]
        ws.cell(4, col(ws, "已安置适龄残疾儿童少年数")).value = "95.5%"

    edit(city, percent)
    ds, p = load(city)
    stopped_at(p, COUNTY, 4, "已安置适龄残疾儿童少年数")
    others_unchanged(ds, clean)


def test_12_a_percentage_formatted_cell_in_a_count_column_is_stopped(city, clean):
    def percent(wb):
        ws = wb[COUNTY]
        cell = ws.cell(4, col(ws, "已安置适龄残疾儿童少年数"))
        cell.value, cell.number_format = 0.955, "0.0%"

    edit(city, percent)
    ds, p = load(city)
    stopped_at(p, COUNTY, 4, "已安置适龄残疾儿童少年数")
    others_unchanged(ds, clean)


def test_13_negative_numbers_in_parentheses_are_stopped_where_negative_is_out_of_range(city, clean):
    def brackets(wb):
        ws = wb[COUNTY]
        ws.cell(4, col(ws, "该年级转出学生数")).value = "(1,234)"

    edit(city, brackets)
    ds, p = load(city)
    hit = stopped_at(p, COUNTY, 4, "该年级转出学生数")
    assert "1234" in hit["message"].replace(",", "") or "负" in hit["message"]
    others_unchanged(ds, clean)


@pytest.mark.parametrize("dash", ["—", "/", "－", "--"])
def test_14_dashes_in_a_count_column_are_not_a_silent_number(city, clean, dash):
    """A dash or slash in a required count: not read as a number, said with the cell."""

    def dashes(wb):
        ws = wb[COUNTY]
        ws.cell(4, col(ws, "补充教师数")).value = dash

    edit(city, dashes)
    ds, p = load(city)
    assert not (
        (ds.values["org_code"] == OWN)
        & (ds.values["period"] == "2022Q4")
        & (ds.values["column"].astype(str).str.startswith("补充教师数"))
    ).any()
    said = p[(p["file"] == f"{FILE}［{COUNTY}］") & (p["row"] == 4)]
    assert said["column"].astype(str).str.startswith("补充教师数").any(), p.to_string()
    others_unchanged(ds, clean)


def test_14b_none_in_a_count_column_is_zero_with_a_warning(city, clean):
    """无 in a count is none: read as 0, said with the cell; 有 or 是 there is no number."""

    def words(wb):
        ws = wb[COUNTY]
        ws.cell(4, col(ws, "民办义务教育在校生数")).value = "无"
        ws.cell(4, col(ws, "补充教师数")).value = "有"

    edit(city, words)
    ds, p = load(city)
    said = p[(p["file"] == f"{FILE}［{COUNTY}］") & (p["row"] == 4)]
    zero = said[said["rule"] == "none_as_zero"]
    assert len(zero) == 1 and zero.iloc[0]["column"] == "民办义务教育在校生数"
    assert zero.iloc[0]["severity"] == "warning" and "0" in zero.iloc[0]["message"]
    stopped_at(p, COUNTY, 4, "补充教师数")
    assert indicators(ds).loc[(OWN, "private_compulsory_share")] == 0
    neighbours_unchanged(ds, clean)


def test_15_codes_typed_as_numbers_with_a_trailing_point_zero(city, clean):
    def floats(wb):
        ws = wb[SCHOOLS]
        for r in range(4, ws.max_row + 1):
            v = ws.cell(r, 1).value
            if v:
                ws.cell(r, 1).value = f"{v}.0" if r % 2 else float(v)
        wb[COUNTY].cell(4, 1).value = float(OWN)

    edit(city, floats)
    ds, _ = load(city)
    same_as_clean(ds, clean)


def test_16_names_with_extra_spaces_and_full_width_brackets(city, clean):
    def names(wb):
        ws = wb[SCHOOLS]
        for r in range(4, ws.max_row + 1, 3):
            name = ws.cell(r, 2).value
            ws.cell(r, 2).value = f" {name[:3]}　{name[3:]}（本部） " if name else name
        wb[COUNTY].cell(4, 2).value = " 城 关 区 "

    edit(city, names)
    ds, _ = load(city)
    same_as_clean(ds, clean)


@pytest.mark.parametrize("said", ["2022年12月31日", "2022.12.31", "2022/12", "2022年10-12月"])
def test_17_the_period_typed_as_a_date(city, clean, said):
    def period(wb):
        for ws in (wb[COUNTY],):
            ws.cell(4, col(ws, "报告期")).value = said

    edit(city, period)
    ds, _ = load(city)
    same_as_clean(ds, clean)


def test_18_amounts_in_thousands_of_yuan(city, clean):
    def thousands(wb):
        ws = wb[COUNTY]
        c = col(ws, "一般公共预算教育投入")
        ws.cell(3, c).value = "一般公共预算教育投入（千元）"
        ws.cell(4, c).value = round(ws.cell(4, c).value * 10, 3)

    edit(city, thousands)
    ds, _ = load(city)
    same_as_clean(ds, clean)


def test_19_a_unit_in_thousands_stated_in_the_title_row(city, clean):
    def thousands(wb):
        ws = wb[COUNTY]
        c = col(ws, "一般公共预算教育投入")
        ws.cell(2, 1).value = "填报单位：城关区教育局    金额单位：千元"
        ws.cell(4, c).value = round(ws.cell(4, c).value * 10, 3)

    edit(city, thousands)
    ds, p = load(city)
    said = p[(p["file"] == f"{FILE}［{COUNTY}］") & (p["rule"] == "unit_conflict")]
    assert len(said) == 1 and said.iloc[0]["column"].startswith("一般公共预算教育投入")
    assert "千元" in said.iloc[0]["message"] and "万元" in said.iloc[0]["message"]
    neighbours_unchanged(ds, clean)


# --- identity and totals -----------------------------------------------------------------------


def test_20_a_school_listed_twice_is_counted_once_or_stopped(city, clean):
    def twice(wb):
        ws = wb[SCHOOLS]
        ws.append([ws.cell(10, c).value for c in range(1, ws.max_column + 1)])

    edit(city, twice)
    ds, p = load(city)
    said = p[(p["file"] == f"{FILE}［{SCHOOLS}］") & p["message"].str.contains("10")]
    assert len(said), p[["file", "row", "message"]].to_string()
    others_unchanged(ds, clean)


def test_21_a_school_listed_twice_with_different_values_is_stopped(city, clean):
    def twice(wb):
        ws = wb[SCHOOLS]
        ws.append([ws.cell(10, c).value for c in range(1, ws.max_column + 1)])
        c = col(ws, "在校生数")
        ws.cell(ws.max_row, c).value = (ws.cell(10, c).value or 0) + 50

    edit(city, twice)
    ds, p = load(city)
    assert len(errors(p)[errors(p)["file"] == f"{FILE}［{SCHOOLS}］"])
    others_unchanged(ds, clean)


def test_22_a_school_of_another_county_in_the_list(city, clean):
    theirs = load_workbook(city / Q4 / f"{NEXT}.xlsx")[SCHOOLS]

    def stray(wb):
        ws = wb[SCHOOLS]
        ws.append([theirs.cell(4, c).value for c in range(1, theirs.max_column + 1)])

    edit(city, stray)
    ds, p = load(city)
    hit = errors(p)
    assert len(hit) == 1 and hit.iloc[0]["file"] == f"{FILE}［{SCHOOLS}］"
    assert NEXT in hit.iloc[0]["message"]
    others_unchanged(ds, clean, OWN)
    others_unchanged(ds, clean, NEXT)


def test_23_a_total_row_that_does_not_add_up_is_said(city, clean):
    def total(wb):
        ws = wb[SCHOOLS]
        c = col(ws, "在校生数")
        s = sum(ws.cell(r, c).value or 0 for r in range(4, ws.max_row + 1))
        ws.append(["合计", None, None, None, None, None, None, None])
        ws.cell(ws.max_row, c).value = s - 100

    edit(city, total)
    ds, p = load(city)
    said = p[(p["file"] == f"{FILE}［{SCHOOLS}］") & p["message"].str.contains("合计")]
    assert len(said), p[["file", "row", "message"]].to_string()
    assert not len(errors(p)) or len(errors(p)[errors(p)["file"].str.startswith(FILE)])
    others_unchanged(ds, clean)


def test_24_flags_typed_as_y_n_and_yes_no_words(city, clean):
    def words(wb):
        ws = wb[SCHOOLS]
        for name in ("义务教育标准化达标", "省级示范性高中"):
            c = col(ws, name)
            for r in range(4, ws.max_row + 1):
                v = ws.cell(r, c).value
                if v in (0, 1):
                    ws.cell(r, c).value = ("Y" if v else "N") if r % 2 else ("是" if v else "否")

    edit(city, words)
    ds, _ = load(city)
    same_as_clean(ds, clean)


def test_25_numbers_with_spaces_and_thousands_separators_as_text(city, clean):
    def spaced(wb):
        ws = wb[COUNTY]
        for name in ("6-14岁常住人口数", "义务教育在校生数"):
            c = col(ws, name)
            ws.cell(4, c).value = f" {ws.cell(4, c).value:,} \u00a0"

    edit(city, spaced)
    ds, _ = load(city)
    same_as_clean(ds, clean)


def test_26_a_computable_formula_without_a_cached_value_is_computed_with_a_warning(city, clean):
    def formula(wb):
        ws = wb[COUNTY]
        parts = [
            col(ws, n)
            for n in ("公办园在园幼儿数", "普惠性民办园在园幼儿数", "其他民办园在园幼儿数")
        ]
        ws.cell(4, col(ws, "在园幼儿数")).value = "=" + "+".join(
            f"{get_column_letter(p)}4" for p in parts
        )

    edit(city, formula)
    ds, p = load(city)
    same_as_clean(ds, clean)
    said = p[(p["file"] == f"{FILE}［{COUNTY}］") & (p["row"] == 4)]
    assert said["message"].str.contains("公式").any(), p.to_string()


def test_27_a_formula_over_another_sheet_without_a_value_is_stopped(city, clean):
    def formula(wb):
        ws = wb[COUNTY]
        ws.cell(4, col(ws, "在园幼儿数")).value = "=[1]Sheet1!B4*2"

    edit(city, formula)
    ds, p = load(city)
    hit = stopped_at(p, COUNTY, 4, "在园幼儿数")
    assert "公式" in hit["message"]
    others_unchanged(ds, clean)


def test_28_a_county_flow_that_falls_within_the_year_is_said(city, clean):
    def fall(wb):
        ws = wb[COUNTY]
        c = col(ws, "一般公共预算教育投入")
        ws.cell(4, c).value = round(ws.cell(4, c).value / 4, 1)

    edit(city, fall)
    ds, p = load(city)
    said = p[(p["file"] == f"{FILE}［{COUNTY}］") & (p["row"] == 4)]
    said = said[said["column"].astype(str).str.startswith("一般公共预算教育投入")]
    assert len(said) and said["message"].str.contains("累计").any(), p.to_string()
    others_unchanged(ds, clean)


def grow(city: Path, rel: str, by: int) -> None:
    def more(wb):
        ws = wb[SCHOOLS]
        c = col(ws, "在校生数")
        for r in range(4, ws.max_row + 1):
            if isinstance(ws.cell(r, c).value, int):
                ws.cell(r, c).value += by

    edit(city, more, rel)


def test_29_a_stale_school_sheet_beside_a_fresh_county_sheet_names_both_files(city, clean):
    """Enrolment moved in Q3 and in Q4; Q4's school sheet is Q3's, its rows in another order."""
    grow(city, f"{Q3}/{OWN}.xlsx", 3)
    grow(city, FILE, 6)
    q3 = load_workbook(city / Q3 / f"{OWN}.xlsx")[SCHOOLS]
    rows = [[c.value for c in r] for r in q3.iter_rows(min_row=4) if r[0].value]

    def stale(wb):
        ws = wb[SCHOOLS]
        for r, values in enumerate(reversed(rows), start=4):
            for c, v in enumerate(values, start=1):
                ws.cell(r, c).value = v

    edit(city, stale)
    _ds, p = load(city)
    said = p[p["rule"].isin(["stale_schools", "school_sum_falls"])]
    assert len(said), p[["file", "rule", "message"]].to_string()
    text = " ".join(said["message"]) + " ".join(said["file"])
    assert f"{Q3}/{OWN}.xlsx" in text and FILE in text


def test_30_an_xls_saved_by_libreoffice_is_read(city, clean):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    import subprocess

    out = city.parent / "xls"
    subprocess.run(
        [soffice, "--headless", "--convert-to", "xls", "--outdir", str(out), str(city / FILE)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (city / FILE).unlink()
    shutil.copy(out / f"{OWN}.xls", city / Q4 / f"{OWN}.xls")
    ds, _ = load(city)
    same_as_clean(ds, clean)


def test_31_an_et_file_in_the_old_binary_format_is_read(city, clean):
    """WPS's .et is the old compound-document format: read as the .xls it is."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    import subprocess

    out = city.parent / "xls"
    subprocess.run(
        [soffice, "--headless", "--convert-to", "xls", "--outdir", str(out), str(city / FILE)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (city / FILE).unlink()
    shutil.copy(out / f"{OWN}.xls", city / Q4 / f"{OWN}.et")
    ds, _ = load(city)
    same_as_clean(ds, clean)
