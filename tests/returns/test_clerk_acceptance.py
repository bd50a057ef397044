"""Issue 14 end to end: returns damaged the way county clerks damage them, through the commands.

Each case copies a small sample city, changes one county's workbook as a clerk would (with
openpyxl, on real .xlsx/.csv files) and runs ``planlib validate`` and ``planlib compute`` as a user
does. A case passes when the damage gives a clear message naming the file, the Excel row or
sheet and what was compared, or is read correctly: never a silent change to a computed number,
never a false alarm on a good return.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

pytestmark = pytest.mark.slow

COUNTY = "990102"
Q3, Q4 = "returns/2022Q3", "returns/2022Q4"


def planlib_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planlib", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={"COLUMNS": "400", **__import__("os").environ},
    )


@pytest.fixture(scope="module")
def clean(small_sample: Path) -> tuple[str, str]:
    """What validate and compute say on the untouched sample (the baseline of every case)."""
    v = planlib_cli("validate", str(small_sample))
    assert v.returncode == 0, v.stdout + v.stderr
    return v.stdout, computed(small_sample)


@pytest.fixture()
def city(small_sample: Path, tmp_path: Path) -> Path:
    out = tmp_path / "city"
    shutil.copytree(small_sample, out)
    return out


def edit(city: Path, rel: str, change: Callable[..., None]) -> Path:
    path = city / rel
    wb = load_workbook(path)
    change(wb)
    wb.save(path)
    return path


def column_of(ws: Worksheet, header: str) -> int:
    for row in ws.iter_rows(min_row=1, max_row=6):
        for c in row:
            if isinstance(c.value, str) and c.value.startswith(header):
                return c.column
    raise AssertionError(f"no header {header}")


def header_row(ws: Worksheet) -> int:
    for row in ws.iter_rows(min_row=1, max_row=6):
        if row[0].value in ("行政区划代码", "学校标识码"):
            return row[0].row
    raise AssertionError("no header row")


def messages(city: Path) -> tuple[int, str]:
    r = planlib_cli("validate", str(city))
    assert "Traceback" not in r.stdout + r.stderr
    return r.returncode, r.stdout + r.stderr


def read_as_clean(city: Path, clean: tuple[str, str]) -> str:
    """Validate passes (exit 0) and the indicators equal the clean sample's; what it said."""
    rc, out = messages(city)
    assert rc == 0, out
    assert computed(city) == clean[1]
    return out


def computed(city: Path) -> str:
    """Every 2022Q4 indicator of every unit, as text (what ``planlib compute`` prints), in
    process: the data folder is read as ``load_dataset`` reads it."""
    import planlib

    frame = planlib.monitor(city, "2022Q4").indicators
    return frame[["org_code", "indicator", "value", "numerator", "denominator"]].to_csv(index=False)


def errors(text: str) -> int:
    """The error count validate ends with (共 N 个错误…)."""
    import re

    found = re.search(r"共 (\d+) 个错误", text)
    return int(found.group(1)) if found else 0


def said_anew(text: str, baseline: str) -> str:
    """What validate says beyond the clean sample, without the spaces and line breaks the
    terminal table puts inside long messages."""
    flat = "".join("".join(new_lines(text, baseline)).split())
    return flat.translate(str.maketrans("", "", "│┃"))


def new_lines(text: str, baseline: str) -> list[str]:
    old = set(baseline.splitlines())
    return [line for line in text.splitlines() if line not in old and line.strip()]


# --- silent wrong numbers must be said ----------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    ["一般公共预算教育投入", "适龄残疾儿童少年数"],  # 千元 typed under a 万元 header; a count ×10
)
def test_a_value_ten_times_too_big_is_questioned(city, clean, header):
    def x10(wb):
        ws = wb["县级汇总"]
        c = ws.cell(header_row(ws) + 1, column_of(ws, header))
        c.value = c.value * 10

    edit(city, f"{Q4}/{COUNTY}.xlsx", x10)
    _rc, out = messages(city)
    said = said_anew(out, clean[0])
    assert f"{COUNTY}.xlsx" in said and header in said, out
    assert "倍" in said, out  # says what it compared: so many times the previous / the peers


def test_last_quarters_workbook_sent_again_names_both_files(city, clean):
    old = city / Q3 / f"{COUNTY}.xlsx"
    new = city / Q4 / f"{COUNTY}.xlsx"
    shutil.copy(old, new)

    def retitle(wb):
        for ws in wb:
            ws.cell(1, 1).value = str(ws.cell(1, 1).value).replace("第三季度", "第四季度")
        ws = wb["县级汇总"]
        ws.cell(header_row(ws) + 1, column_of(ws, "报告期")).value = "2022Q4"

    edit(city, f"{Q4}/{COUNTY}.xlsx", retitle)
    _rc, out = messages(city)
    said = said_anew(out, clean[0])
    assert f"returns/2022Q3/{COUNTY}.xlsx" in said and f"returns/2022Q4/{COUNTY}.xlsx" in said, out
    assert "上季度" in said, out


def test_a_school_sheet_with_an_old_quarter_in_its_title_is_an_error_naming_all_three(city, clean):
    def old_title(wb):
        ws = wb["学校明细"]
        ws.cell(1, 1).value = str(ws.cell(1, 1).value).replace("第四季度", "第三季度")

    edit(city, f"{Q4}/{COUNTY}.xlsx", old_title)
    rc, out = messages(city)
    said = said_anew(out, clean[0])
    assert rc == 1, out
    assert "第三季度" in said or "2022Q3" in said, out
    assert "2022Q4" in said and "学校明细" in said, out


# --- good returns must not be blocked ------------------------------------------------------------


@pytest.mark.parametrize("written", ["2022-Q4", "2022年第四季度", "2022年4季度", "四季度"])
def test_the_period_column_in_a_clerks_spelling_is_read(city, clean, written):
    def spell(wb):
        ws = wb["县级汇总"]
        ws.cell(header_row(ws) + 1, column_of(ws, "报告期")).value = written

    edit(city, f"{Q4}/{COUNTY}.xlsx", spell)
    out = read_as_clean(city, clean)
    assert errors(out) == 0, out


def test_a_cover_sheet_before_the_data_is_skipped(city, clean):
    def cover(wb):
        ws = wb.create_sheet("填表说明", 0)
        for i, line in enumerate(
            [
                "填表说明",
                "1. 行政区划代码请填写6位代码。",
                "2. 单位：人、所、万元。",
                "3. 报送时间：季后10日内。",
            ],
            start=1,
        ):
            ws.cell(i, 1).value = line

    edit(city, f"{Q4}/{COUNTY}.xlsx", cover)
    read_as_clean(city, clean)


def test_a_two_level_merged_header_is_read(city, clean):
    def two_levels(wb):
        ws = wb["县级汇总"]
        at = header_row(ws)
        ws.insert_rows(at)
        width = ws.max_column
        for col in range(1, width + 1):  # id columns merged down, elements grouped on top
            below = ws.cell(at + 1, col).value
            if col <= 3:
                ws.cell(at, col).value = below
                ws.cell(at + 1, col).value = None
                ws.merge_cells(start_row=at, start_column=col, end_row=at + 1, end_column=col)
        ws.cell(at, 4).value = "人口情况"
        ws.merge_cells(start_row=at, start_column=4, end_row=at, end_column=9)
        ws.cell(at, 10).value = "在校生与经费"
        ws.merge_cells(start_row=at, start_column=10, end_row=at, end_column=width)

    edit(city, f"{Q4}/{COUNTY}.xlsx", two_levels)
    out = read_as_clean(city, clean)
    assert "未报送" not in said_anew(out, clean[0]), out


def test_a_tab_separated_unicode_text_save_is_read(city, clean):
    path = city / Q4 / "990105_县级.csv"
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    tabbed = "\r\n".join("\t".join(r) for r in rows) + "\r\n"
    path.write_bytes(tabbed.encode("utf-16"))  # what Excel's 「Unicode 文本」 writes: BOM, LE
    read_as_clean(city, clean)


def test_a_footer_spread_across_columns_is_not_data(city, clean):
    def footer(wb):
        for ws in wb:
            last = ws.max_row + 2
            ws.cell(last, 1).value = "单位负责人："
            ws.cell(last, 2).value = "王某某"
            ws.cell(last, 4).value = "填表人：李某"
            ws.cell(last, 6).value = "联系电话："
            ws.cell(last, 7).value = "0871-1234567"
            ws.cell(last + 1, 3).value = "报出日期：2023年1月10日"

    edit(city, f"{Q4}/{COUNTY}.xlsx", footer)
    out = read_as_clean(city, clean)
    assert errors(out) == 0, out


def test_a_spaced_total_row_in_the_school_sheet_is_skipped(city, clean):
    def total(wb):
        ws = wb["学校明细"]
        last = ws.max_row + 1
        ws.cell(last, 1).value = "合  计"
        ws.cell(last, column_of(ws, "在校生数")).value = 99999

    edit(city, f"{Q4}/{COUNTY}.xlsx", total)
    read_as_clean(city, clean)


def test_a_hidden_stale_copy_of_a_column_never_wins(city, clean):
    def hidden(wb):
        ws = wb["县级汇总"]
        col = column_of(ws, "在园幼儿数")
        ws.insert_cols(col)
        at = header_row(ws)
        ws.cell(at, col).value = ws.cell(at, col + 1).value
        ws.cell(at + 1, col).value = int(ws.cell(at + 1, col + 1).value) - 500  # last quarter's
        from openpyxl.utils import get_column_letter

        ws.column_dimensions[get_column_letter(col)].hidden = True

    edit(city, f"{Q4}/{COUNTY}.xlsx", hidden)
    rc, out = messages(city)
    said = said_anew(out, clean[0])
    assert "隐藏" in said and f"{COUNTY}.xlsx" in said, out
    if rc == 0:  # read: the visible column's value, not the hidden one
        assert computed(city) == clean[1]


def test_a_formula_without_a_cached_value_is_computed_and_named(city, clean):
    def formula(wb):
        ws = wb["县级汇总"]
        row = header_row(ws) + 1
        col = column_of(ws, "在园幼儿数")
        parts = [column_of(ws, n) for n in ("公办园在园幼儿数", "普惠性民办园在园幼儿数")]
        from openpyxl.utils import get_column_letter

        ws.cell(row, col).value = "=" + "+".join(f"{get_column_letter(p)}{row}" for p in parts)

    edit(city, f"{Q4}/{COUNTY}.xlsx", formula)
    _rc, out = messages(city)
    said = said_anew(out, clean[0])
    # plain arithmetic over the sheet's own cells: computed as Excel would, and said
    assert "公式" in said and "算得" in said and "未填报" not in said, out


def test_a_school_list_missing_registry_schools_is_reported_by_validate(city, clean):
    def drop(wb):
        ws = wb["学校明细"]
        ws.delete_rows(header_row(ws) + 1, 5)

    edit(city, f"{Q4}/{COUNTY}.xlsx", drop)
    _rc, out = messages(city)
    said = said_anew(out, clean[0])
    assert "5" in said and "学校" in said and COUNTY in said.replace(".xlsx", ""), out
