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
    assert not (
        ds.values["file"].str.contains(f"{NEXT}.xlsx") & (ds.values["period"] == "2022Q4")
    ).any()


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
    _ds, p = load(city)
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


# --- time: year-to-date sums over schools, stale school sheets ----------------------------------


def flag_column(ws: Worksheet, header: str) -> list[int]:
    c = col(ws, header)
    return [r for r in range(4, ws.max_row + 1) if ws.cell(r, c).value == 1]


def test_a_year_to_date_flag_filled_for_this_quarter_only_is_an_error(city, clean):
    q3 = load_workbook(city / Q3 / f"{OWN}.xlsx")["学校明细"]
    built_before = set(flag_column(q3, "本年建成智慧校园"))
    assert built_before, "the sample should have schools built by Q3"

    def this_quarter_only(wb):
        ws = wb["学校明细"]
        c = col(ws, "本年建成智慧校园")
        for r in built_before:
            ws.cell(r, c).value = 0

    edit(city / Q4 / f"{OWN}.xlsx", this_quarter_only)
    ds, p = load(city)
    hit = errors(p, "school_sum_falls")
    assert len(hit) >= 1 and (hit["column"] == "本年建成智慧校园").all()
    assert set(hit["row"].dropna().astype(int)) <= built_before
    assert "累计" in hit.iloc[0]["message"]
    others_unchanged(ds, clean, OWN)


def test_a_year_to_date_flag_written_as_ticks_for_this_quarter_only_is_an_error(city, clean):
    """The same slip in the CSV county's school file, 是/否 instead of 1/0."""
    path = city / Q4 / "990105_学校.csv"
    rows = list(csv.reader(path.read_bytes().decode("gb18030").splitlines()))
    q3 = {
        r[0]: r
        for r in csv.reader(
            (city / "returns/2022Q2/990105_学校.csv").read_bytes().decode("gb18030").splitlines()
        )
    }
    c = rows[2].index("本年建成智慧校园")
    if not any(len(r) > c and r[c] == "1" for r in q3.values()):
        pytest.skip("no school built by Q2")
    for r in rows[3:]:  # nothing built this quarter: every school 否 (blank left as it was)
        r[c] = "否" if r[c] else r[c]
    # Q3 is missing for 990105 in the sample: its Q2 is the previous return of the year
    path.write_bytes(("\r\n".join(",".join(r) for r in rows) + "\r\n").encode("gb18030"))
    ds, p = load(city)
    hit = errors(p, "school_sum_falls")
    assert len(hit) >= 1 and hit["file"].str.contains("990105_学校.csv").all()
    others_unchanged(ds, clean, "990105")


def moved_in_q3(city: Path) -> Worksheet:
    """The county's school figures moved from Q2 to Q3 (enrolment up): its school sheets change
    from quarter to quarter, so a Q4 sheet equal to Q3's is news."""

    def grow(wb):
        ws = wb["学校明细"]
        c = col(ws, "在校生数")
        for r in range(4, ws.max_row + 1):
            if isinstance(ws.cell(r, c).value, int):
                ws.cell(r, c).value += 3

    edit(city / Q3 / f"{OWN}.xlsx", grow)
    return load_workbook(city / Q3 / f"{OWN}.xlsx")["学校明细"]


def test_the_clean_sample_has_no_stale_school_sheet(sample):
    p = planlib.load_dataset(sample, cache=False).problems
    assert not (p["rule"] == "stale_schools").any()


def test_last_quarters_school_sheet_under_this_quarters_title_is_said(city, clean):
    q3 = moved_in_q3(city)

    def stale(wb):
        ws = wb["学校明细"]
        for r in range(4, q3.max_row + 1):
            for c in range(1, q3.max_column + 1):
                ws.cell(r, c).value = q3.cell(r, c).value

    edit(city / Q4 / f"{OWN}.xlsx", stale)
    _ds, p = load(city)
    said = p[p["rule"] == "stale_schools"]
    assert len(said) == 1 and said.iloc[0]["file"] == f"{Q4}/{OWN}.xlsx［学校明细］"
    assert f"{Q3}/{OWN}.xlsx" in said.iloc[0]["message"]


def test_a_stale_school_sheet_with_unchanged_flags_is_still_said(city, clean):
    """Only the stock flags and enrolment copied (the year-to-date flag kept): a warning."""
    q3 = moved_in_q3(city)

    def stale(wb):
        ws = wb["学校明细"]
        keep = col(ws, "本年建成智慧校园")
        for r in range(4, q3.max_row + 1):
            for c in range(1, q3.max_column + 1):
                if c != keep:
                    ws.cell(r, c).value = q3.cell(r, c).value
            ws.cell(r, keep).value = max(ws.cell(r, keep).value or 0, q3.cell(r, keep).value or 0)

    edit(city / Q4 / f"{OWN}.xlsx", stale)
    _ds, p = load(city)
    said = p[p["rule"] == "stale_schools"]
    assert len(said) == 1 and f"{Q3}/{OWN}.xlsx" in said.iloc[0]["message"]


# --- header grammar ----------------------------------------------------------------------------


def relabel(path: Path, sheet: str, old: str, new: str) -> None:
    def change(wb):
        ws = wb[sheet]
        ws.cell(3, col(ws, old)).value = new

    edit(path, change)


@pytest.mark.parametrize(
    "written",
    [
        "一般公共预算教育投入（单位：万元）",
        "一般公共预算教育投入（本年累计）（万元）",
        "一般公共预算教育投入(万元)(1-12月)",
        "一般公共预算教育投入【单位:万元】",
    ],
)
def test_a_unit_and_qualifiers_in_any_bracket_order_are_read(city, clean, written):
    relabel(city / Q4 / f"{OWN}.xlsx", "县级汇总", "一般公共预算教育投入", written)
    ds, _ = load(city)
    same_as_clean(ds, clean)


@pytest.mark.parametrize(
    "written", ["在园幼儿数（上年同期）", "上年同期在园幼儿数", "在园幼儿数增减"]
)
def test_a_comparison_column_is_not_taken_for_this_quarter(city, clean, written):
    def add(wb):
        ws = wb["县级汇总"]
        c = ws.max_column + 1
        ws.cell(3, c).value = written
        ws.cell(4, c).value = 12345

    edit(city / Q4 / f"{OWN}.xlsx", add)
    ds, p = load(city)
    same_as_clean(ds, clean)
    assert not (p["rule"] == "unknown_column").any()


def test_parts_introduced_by_qizhong_are_read_as_their_elements(city, clean):
    def parts(wb):
        ws = wb["县级汇总"]
        ws.cell(3, col(ws, "公办园在园幼儿数")).value = "其中：公办园"
        ws.cell(3, col(ws, "普惠性民办园在园幼儿数")).value = "普惠性民办园"
        ws.cell(3, col(ws, "其他民办园在园幼儿数")).value = "其他民办园"

    edit(city / Q4 / f"{OWN}.xlsx", parts)
    ds, p = load(city)
    same_as_clean(ds, clean)
    assert not (p["rule"].isin(["unknown_column", "missing_column"])).any()


def test_qizhong_under_a_merged_group_is_read(city, clean):
    def two_rows(wb):
        ws = wb["县级汇总"]
        ws.insert_rows(4)
        for c in range(1, ws.max_column + 1):
            ws.cell(4, c).value = None
        whole = col(ws, "在园幼儿数")
        for c, sub in zip(
            range(whole, whole + 4),
            ["合计", "其中：公办园", "普惠性民办园", "其他民办园"],
            strict=True,
        ):
            ws.cell(4, c).value = sub
        for c in range(whole + 1, whole + 4):
            ws.cell(3, c).value = None
        ws.merge_cells(start_row=3, start_column=whole, end_row=3, end_column=whole + 3)
        for c in range(1, ws.max_column + 1):
            if c < whole or c > whole + 3:
                ws.merge_cells(start_row=3, start_column=c, end_row=4, end_column=c)

    edit(city / Q4 / f"{OWN}.xlsx", two_rows)
    ds, _p = load(city)
    same_as_clean(ds, clean)


# --- rows that are not data ----------------------------------------------------------------------


def test_subtotal_rows_per_stage_are_skipped_wherever_their_words_stand(city, clean):
    def subtotals(wb):
        ws = wb["学校明细"]
        ws.insert_rows(10)
        ws.cell(10, 2).value, ws.cell(10, 8).value = "小学小计", 5000
        ws.insert_rows(20)
        ws.cell(20, 1).value, ws.cell(20, 3).value, ws.cell(20, 8).value = OWN, "幼儿园合计", 900
        ws.append([None, "总 计", None, 3, 1, 2, 0, 25000])

    edit(city / Q4 / f"{OWN}.xlsx", subtotals)
    ds, p = load(city)
    same_as_clean(ds, clean)
    said = p[p["rule"] == "skipped_rows"]
    assert said["message"].str.contains("小学小计").any()


def test_a_header_block_repeated_on_each_printed_page_is_skipped(city, clean):
    def pages(wb):
        ws = wb["学校明细"]
        top = [[c.value for c in ws[r]] for r in range(1, 4)]
        for at in (20, 35):
            ws.insert_rows(at, 3)
            for k, values in enumerate(top):
                for c, v in enumerate(values, start=1):
                    ws.cell(at + k, c).value = v

    edit(city / Q4 / f"{OWN}.xlsx", pages)
    ds, _p = load(city)
    same_as_clean(ds, clean)


# --- time written as clerks write it ---------------------------------------------------------------


@pytest.mark.parametrize(
    "title", ["城关区教育统计季报（2022年1-12月）", "城关区教育统计季报（2022年1—12月份）"]
)
def test_a_period_written_as_months_is_its_quarter(city, clean, title):
    edit(city / Q4 / f"{OWN}.xlsx", lambda wb: setattr(wb["县级汇总"]["A1"], "value", title))
    ds, _ = load(city)
    same_as_clean(ds, clean)


def test_a_period_column_written_as_months_is_read(city, clean):
    def months(wb):
        ws = wb["县级汇总"]
        ws.cell(4, col(ws, "报告期")).value = "2022年1-12月"

    edit(city / Q4 / f"{OWN}.xlsx", months)
    ds, _ = load(city)
    same_as_clean(ds, clean)


@pytest.mark.parametrize(
    "name",
    [
        "990102_四季度报表2023.1.8.xlsx",
        "990102_2022年四季度_20230108.xlsx",
        "990102_2022年1-12月报表.xlsx",
    ],
)
def test_a_send_date_in_the_file_name_is_not_its_period(city, clean, name):
    (city / Q4 / f"{OWN}.xlsx").rename(city / Q4 / name)
    ds, _ = load(city)
    same_as_clean(ds, clean)


def test_a_send_date_in_the_title_rows_is_not_its_period(city, clean):
    edit(
        city / Q4 / f"{OWN}.xlsx",
        lambda wb: setattr(wb["县级汇总"]["H2"], "value", "填报日期：2023年1月8日"),
    )
    ds, _ = load(city)
    same_as_clean(ds, clean)


def test_a_month_range_that_ends_in_another_quarter_still_disagrees(city):
    edit(
        city / Q4 / f"{OWN}.xlsx",
        lambda wb: setattr(wb["县级汇总"]["A1"], "value", "城关区（2022年1-9月）"),
    )
    _, p = load(city)
    assert len(errors(p, "period_mismatch")) == 1


# --- cell grammar --------------------------------------------------------------------------------


def rewrite_csv(path: Path, change: Callable[[list[list[str]]], None]) -> None:
    rows = list(csv.reader(path.read_bytes().decode("gb18030").splitlines()))
    change(rows)
    out = io_csv(rows)
    path.write_bytes(out.encode("gb18030"))


def io_csv(rows: list[list[str]]) -> str:
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def test_codes_typed_with_a_leading_apostrophe_in_a_csv_are_read(city, clean):
    def apostrophes(rows):
        for r in rows[3:]:
            if r and r[0][:1].isdigit():
                r[0] = "'" + r[0]

    rewrite_csv(city / Q4 / "990105_学校.csv", apostrophes)
    rewrite_csv(city / Q4 / "990105_县级.csv", apostrophes)
    ds, _ = load(city)
    same_as_clean(ds, clean)


def test_numbers_with_an_apostrophe_and_full_width_digits_are_read(city, clean):
    def typed(rows):
        r = rows[3]
        r[3] = "'" + r[3].replace(",", "")
        r[4] = r[4].translate(str.maketrans("0123456789,", "０１２３４５６７８９，"))

    rewrite_csv(city / Q4 / "990105_县级.csv", typed)
    ds, _ = load(city)
    same_as_clean(ds, clean)


def test_ticks_for_yes_and_blanks_for_no_are_read(city, clean):
    def ticks(wb):
        ws = wb["学校明细"]
        for c in range(4, 8):
            for r in range(4, ws.max_row + 1):
                v = ws.cell(r, c).value
                if v in (0, 1):
                    ws.cell(r, c).value = "√" if v == 1 else None

    edit(city / Q4 / f"{OWN}.xlsx", ticks)
    ds, _p = load(city)
    same_as_clean(ds, clean)


def test_a_flag_merged_down_several_schools_gives_each_its_value(city, clean):
    ws0 = load_workbook(city / Q4 / f"{OWN}.xlsx")["学校明细"]
    c = col(ws0, "义务教育标准化达标")
    values = [ws0.cell(r, c).value for r in range(4, ws0.max_row + 1)]
    start = next(i for i in range(len(values) - 2) if values[i] == values[i + 1] == values[i + 2])

    def merge(wb):
        wb["学校明细"].merge_cells(
            start_row=4 + start, start_column=c, end_row=6 + start, end_column=c
        )

    edit(city / Q4 / f"{OWN}.xlsx", merge)
    ds, _ = load(city)
    same_as_clean(ds, clean)


# --- every file in a returns folder is accounted for ---------------------------------------------


def test_a_wps_et_file_is_read(city, clean):
    """WPS saves .et in a format calamine reads (here a zip workbook, as WPS often writes)."""
    (city / Q4 / f"{OWN}.xlsx").rename(city / Q4 / f"{OWN}.et")
    ds, _p = load(city)
    same_as_clean(ds, clean)


def test_an_unreadable_et_file_is_refused_by_name_with_the_fix(city, clean):
    (city / Q4 / f"{OWN}.xlsx").unlink()
    (city / Q4 / f"{OWN}.et").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 600)
    _, p = load(city)
    hit = errors(p)
    assert len(hit) == 1 and hit.iloc[0]["file"] == f"{Q4}/{OWN}.et"
    assert "WPS" in hit.iloc[0]["message"] and ".xlsx" in hit.iloc[0]["message"]
    assert hit.iloc[0]["org_code"] == OWN


@pytest.mark.parametrize(
    ("name", "said"),
    [
        (f"~${OWN}.xlsx", "临时文件"),
        ("报送说明.docx", "Word"),
        (f"{OWN}.wps", "WPS 文字"),
        (f"{OWN}.numbers", ".numbers"),
    ],
)
def test_files_that_are_not_returns_are_named(city, clean, name, said):
    (city / Q4 / name).write_bytes(b"not a return")
    ds, p = load(city)
    hit = p[p["file"] == f"{Q4}/{name}"]
    assert len(hit) == 1 and said in hit.iloc[0]["message"]
    assert hit.iloc[0]["severity"] == "warning"
    same_as_clean(ds, clean)
