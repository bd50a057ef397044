"""Returns laid out as county clerks make them: real .xlsx, .csv and .txt files written here.

Each layout either reads correctly (and says what it skipped) or gives an error naming the
file, the Excel row and column and what was found — never a silently wrong number.
"""

from __future__ import annotations

import datetime
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from county_return import COUNTY, HEADER, ROW
from openpyxl import Workbook, load_workbook

import planlib
from planlib import read_returns

TITLE = ["城关区教育统计季报（2022年第四季度）"]
UNIT = ["填报单位：城关区教育局  单位：人、亿元"]
EXPECTED_ROWS = len(COUNTY)
KG = chr(65 + HEADER.index("在园幼儿数"))  # its Excel column letter (I)


def table(header=HEADER, *data, title=TITLE):
    return [title, UNIT, header, *(data or [ROW])]


def write_xlsx(path: Path, rows, sheet="县级汇总", fill=None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    if fill is not None:
        fill(wb, ws)
    wb.save(path)
    return path


def by_element(values):
    return dict(zip(values["element"], values["value"], strict=True))


def errors(problems):
    return [p for p in problems if p.severity == "error"]


def one(problems, rule):
    found = [p for p in problems if p.rule == rule]
    assert len(found) == 1, (rule, problems)
    return found[0]


@pytest.fixture
def clean(tmp_path):
    """The values of the plain layout, to compare the clerks' layouts with."""
    values, problems = read_returns(write_xlsx(tmp_path / "clean" / "990102.xlsx", table()))
    assert not errors(problems) and len(values) == EXPECTED_ROWS
    return by_element(values)


# --- one period per file ---------------------------------------------------------------------


def test_a_school_sheet_keeping_an_old_quarter_in_its_title_is_an_error_not_re_filed(tmp_path):
    def schools(wb, ws):
        s = wb.create_sheet("学校明细")
        s.append(["城关区学校情况表（2022年第三季度）"])  # last quarter's title kept
        s.append(["填报单位：城关区教育局"])
        s.append(["学校标识码", "学校名称", "学段", "在校生数"])
        s.append(["9901020001", "城关区第1小学", "小学", 700])

    path = write_xlsx(tmp_path / "returns" / "2022Q4" / "990102.xlsx", table(), fill=schools)
    values, problems = read_returns(tmp_path / "returns", root=tmp_path)
    p = one(problems, "period_mismatch")
    assert p.severity == "error" and p.file == "returns/2022Q4/990102.xlsx［学校明细］"
    assert "文件夹「returns/2022Q4」为 2022Q4" in p.message
    assert "文件名「990102.xlsx」未注明报告期" in p.message
    assert "标题「城关区学校情况表（2022年第三季度）」为 2022Q3" in p.message and p.row == 1
    assert set(values["period"]) == {"2022Q4"}  # nothing filed under 2022Q3
    assert not values["file"].str.contains("学校明细").any()
    assert path.exists()


def test_a_period_column_disagreeing_with_the_folder_is_an_error_naming_both(tmp_path):
    header = ["行政区划代码", "单位名称", "报告期", *COUNTY]
    row = ["990102", "城关区", "2022-Q3", *COUNTY.values()]
    write_xlsx(tmp_path / "2022Q4" / "990102.xlsx", table(header, row, title=["城关区季报"]))
    values, problems = read_returns(tmp_path / "2022Q4", root=tmp_path)
    p = one(problems, "period_mismatch")
    assert (p.row, p.column, p.value) == (4, "报告期", "2022-Q3") and p.severity == "error"
    assert "文件夹「2022Q4」为 2022Q4" in p.message and "第 4 行" in p.message
    assert values.empty


@pytest.mark.parametrize(
    ("title", "folder", "name"),
    [
        ("城关区教育统计季报（四季度）", "2022Q4", "990102.xlsx"),
        ("城关区教育统计季报（第四季度）", "2022年", "990102_四季度.xlsx"),
        ("城关区教育统计季报（2022年4季度）", "returns", "990102_2022-Q4.xlsx"),
        ("城关区教育统计季报（2022年第4季度）", "2022Q4", "990102_2022Q4.xlsx"),
    ],
)
def test_every_common_spelling_of_a_quarter_agrees(tmp_path, title, folder, name):
    write_xlsx(tmp_path / folder / name, table(title=[title]))
    values, problems = read_returns(tmp_path / folder, root=tmp_path)
    assert not errors(problems), problems
    assert set(values["period"]) == {"2022Q4"} and len(values) == EXPECTED_ROWS


def test_a_quarter_without_its_year_takes_the_folders_year_and_can_disagree(tmp_path):
    write_xlsx(tmp_path / "2022Q4" / "990102.xlsx", table(title=["城关区季报（三季度）"]))
    values, problems = read_returns(tmp_path / "2022Q4", root=tmp_path)
    p = one(problems, "period_mismatch")
    assert "标题「城关区季报（三季度）」为 2022Q3" in p.message and values.empty


# --- layouts ---------------------------------------------------------------------------------


def test_an_instruction_sheet_before_the_data_is_skipped_quietly(tmp_path, clean):
    def cover(wb, ws):
        notes = wb.create_sheet("填表说明", 0)
        notes.append(["填表说明"])
        notes.append(["1. 本表由各县区教育局填报。"])
        notes.append(["2. 行政区划代码按统计用区划代码填写。"])

    path = write_xlsx(tmp_path / "990102_2022Q4.xlsx", table(), fill=cover)
    values, problems = read_returns(path)
    assert by_element(values) == clean and not errors(problems)
    assert not [p for p in problems if p.rule == "sheet_skipped"]  # it belongs beside a return


def test_a_hidden_sheet_is_never_read(tmp_path, clean):
    def stale(wb, ws):
        old = wb.create_sheet("上季度")
        row = list(ROW)
        row[2] = 1  # a stale, different number
        for r in table(HEADER, row, title=["城关区教育统计季报（2022年第四季度）"]):
            old.append(r)
        old.sheet_state = "hidden"

    values, problems = read_returns(write_xlsx(tmp_path / "990102.xlsx", table(), fill=stale))
    assert by_element(values) == clean and not errors(problems)
    assert "［上季度］（隐藏工作表）" in one(problems, "sheet_skipped").message


def two_level(wb, ws):
    """Rewrite the sheet with a two-level header: the code and name merged down two rows, the
    elements under merged group cells (学前教育, 义务教育, 其他)."""
    ws.delete_rows(1, ws.max_row)
    names = list(COUNTY)
    ws.append(TITLE)
    ws.append(UNIT)
    ws.append(["行政区划代码", "单位名称", "学前教育", *[None] * 9, "义务教育", *[None] * 12])
    ws.append([None, None, *names])
    ws.append(ROW)
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:B4")
    ws.merge_cells(start_row=3, start_column=3, end_row=3, end_column=12)
    ws.merge_cells(start_row=3, start_column=13, end_row=3, end_column=2 + len(names))


def test_a_two_level_merged_header_reads_like_a_plain_one(tmp_path, clean):
    path = write_xlsx(tmp_path / "990102_2022Q4.xlsx", [], fill=two_level)
    values, problems = read_returns(path)
    assert by_element(values) == clean, problems
    assert not errors(problems) and set(values["row"]) == {5}
    assert not [p for p in problems if p.rule == "unknown_column"]


def test_a_two_level_header_in_a_sample_city_is_not_reported_missing(small_sample, tmp_path):
    data = tmp_path / "city"
    shutil.copytree(small_sample, data)
    county = sorted((data / "returns" / "2022Q4").glob("*.xlsx"))[0]
    before = planlib.validate(data)
    wb = load_workbook(county)
    ws = wb["县级汇总"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header, row = rows[2], rows[3]
    ws.delete_rows(1, ws.max_row)
    ws.append(rows[0])
    ws.append(rows[1])
    ws.append([*header[:3], "各项数据", *[None] * (len(header) - 4)])
    ws.append([None, None, None, *header[3:]])
    ws.append(row)
    for col in (1, 2, 3):
        ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    ws.merge_cells(start_row=3, start_column=4, end_row=3, end_column=len(header))
    wb.save(county)
    after = planlib.validate(data)
    code = county.stem
    missing = after.problems[after.problems["message"].str.contains("未报送")]
    assert not missing["message"].str.contains(code).any()
    assert len(after.values) == len(before.values)
    mine = after.problems[after.problems["file"].str.contains(code + ".xlsx", regex=False)]
    assert not (mine["severity"] == "error").any(), mine


@pytest.mark.parametrize(
    ("suffix", "encoding", "delimiter"),
    [
        (".txt", "utf-16", "\t"),
        (".csv", "utf-16", "\t"),
        (".csv", "utf-16", ","),
        (".csv", "utf-16-le", ","),  # no BOM
        (".txt", "utf-16-be", "\t"),  # no BOM
    ],
)
def test_unicode_text_and_utf16_csv_read_like_the_workbook(
    tmp_path, clean, suffix, encoding, delimiter
):
    """Excel's “Unicode 文本” save: UTF-16 LE with a BOM, cells separated by tabs."""
    text = "\r\n".join(delimiter.join(str(c) for c in r) for r in table()) + "\r\n"
    path = tmp_path / f"990102_2022Q4{suffix}"
    path.write_bytes(text.encode(encoding))  # "utf-16": little-endian with a BOM, as Excel
    assert (path.read_bytes()[:2] == b"\xff\xfe") == (encoding == "utf-16")
    values, problems = read_returns(path)
    assert by_element(values) == clean and not errors(problems), problems


def test_a_footer_spread_across_columns_is_not_data(tmp_path, clean):
    footer = [None, "单位负责人：张三", None, "统计负责人：李四", None, "填表人：王五"]
    footer2 = ["联系电话：0000-1234567", None, None, "报出日期：2023年1月10日"]
    path = write_xlsx(tmp_path / "990102_2022Q4.xlsx", table(HEADER, ROW, [], footer, footer2))
    values, problems = read_returns(path)
    assert by_element(values) == clean and not errors(problems), problems
    p = one(problems, "skipped_rows")
    assert "表尾 第 6–7 行" in p.message and "单位负责人" in p.message and p.row == 6


@pytest.mark.parametrize("where", [0, 1])
def test_total_rows_are_skipped_wherever_their_text_stands(tmp_path, clean, where):
    total = [None] * len(HEADER)
    total[where] = "合  计"
    total[2:] = list(COUNTY.values())
    path = write_xlsx(tmp_path / "990102_2022Q4.xlsx", table(HEADER, ROW, total))
    values, problems = read_returns(path)
    assert by_element(values) == clean and not errors(problems), problems
    p = one(problems, "skipped_rows")
    assert "合计行 第 5 行（合计）" in p.message and p.severity == "warning"


def test_a_hidden_stale_copy_of_a_column_never_wins(tmp_path, clean):
    at = HEADER.index("在园幼儿数")
    header = [*HEADER, "在园幼儿数"]
    row = [*ROW, 17000]  # last quarter's number, in a hidden column

    def hide(wb, ws):
        ws.column_dimensions["AB"].hidden = True

    path = write_xlsx(tmp_path / "990102_2022Q4.xlsx", table(header, row), fill=hide)
    values, problems = read_returns(path)
    assert by_element(values) == clean and by_element(values)["kg_enrol_total"] == ROW[at]
    p = one(problems, "hidden_columns")
    assert "第 AB 列「在园幼儿数」是隐藏列" in p.message and "以可见列为准" in p.message
    assert "第 C" not in p.message and f"第 {chr(65 + at)} 列" in p.message
    assert not errors(problems)


def test_two_visible_columns_of_one_element_are_an_error(tmp_path):
    path = write_xlsx(tmp_path / "990102_2022Q4.xlsx", table([*HEADER, "在园幼儿数"], [*ROW, 1]))
    values, problems = read_returns(path)
    p = one(problems, "duplicate_column")
    assert p.severity == "error" and "AB" in p.message and p.row == 3
    assert "kg_enrol_total" not in set(values["element"])


def test_a_hidden_row_copying_a_visible_one_is_dropped_and_said(tmp_path, clean):
    stale = list(ROW)
    stale[2] = 1

    def hide(wb, ws):
        ws.row_dimensions[5].hidden = True

    path = write_xlsx(tmp_path / "990102_2022Q4.xlsx", table(HEADER, ROW, stale), fill=hide)
    values, problems = read_returns(path)
    assert by_element(values) == clean and set(values["row"]) == {4}
    p = one(problems, "hidden_rows")
    assert "第 5 行是隐藏行" in p.message and "以可见行为准" in p.message


def test_a_formula_saved_without_its_value_is_named_not_blank(tmp_path):
    row = list(ROW)
    at = HEADER.index("在园幼儿数")
    row[at] = "=H4+I4+J4"  # openpyxl writes the formula without a cached value
    values, problems = read_returns(write_xlsx(tmp_path / "990102_2022Q4.xlsx", table(HEADER, row)))
    p = one(problems, "formula_uncalculated")
    assert p.message == "公式未计算：请在 Excel 中打开并保存后重新报送"
    assert (p.row, p.column, p.severity) == (4, "在园幼儿数", "error")
    assert not [q for q in problems if q.rule == "empty_cell"]
    assert "kg_enrol_total" not in set(values["element"])


def test_a_merged_data_cell_is_named(tmp_path):
    second = ["990103", "东湖区", *COUNTY.values()]
    at = HEADER.index("在园幼儿数") + 1

    def merge(wb, ws):
        ws.merge_cells(start_row=4, start_column=at, end_row=5, end_column=at)

    path = write_xlsx(tmp_path / "990102_2022Q4.xlsx", table(HEADER, ROW, second), fill=merge)
    values, problems = read_returns(path)
    found = [p for p in problems if p.rule == "merged_cell"]
    assert [(p.row, p.column) for p in found] == [(4, "在园幼儿数"), (5, "在园幼儿数")]
    assert f"合并单元格 {KG}4:{KG}5" in found[0].message and found[0].severity == "error"
    assert "kg_enrol_total" not in set(values["element"])


def with_cell_xml(path: Path, cell: str, xml: str) -> Path:
    """The workbook with ``cell`` written as ``xml``, the way Excel saves what openpyxl cannot
    write (a formula with its saved result)."""
    with zipfile.ZipFile(path) as z:
        items = {i.filename: z.read(i) for i in z.infolist()}
    name = "xl/worksheets/sheet1.xml"
    sheet, n = re.subn(rf'<c r="{cell}"[^>]*>(?:<v>[^<]*</v>)?</c>', xml, items[name].decode())
    assert n == 1
    items[name] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in items.items():
            z.writestr(k, v)
    return path


def with_error_value(path: Path, cell: str, error: str) -> Path:
    """``cell`` holding a formula whose saved result is an Excel error, as Excel writes it."""
    return with_cell_xml(path, cell, f'<c r="{cell}" t="e"><f>1/0</f><v>{error}</v></c>')


@pytest.mark.parametrize("error", ["#DIV/0!", "#REF!", "#N/A"])
def test_an_excel_error_value_is_named(tmp_path, error):
    path = with_error_value(write_xlsx(tmp_path / "990102_2022Q4.xlsx", table()), f"{KG}4", error)
    values, problems = read_returns(path)
    p = one(problems, "excel_error")
    assert (p.row, p.column, p.value) == (4, "在园幼儿数", error)
    assert f"Excel 错误值「{error}」" in p.message and p.severity == "error"
    assert "kg_enrol_total" not in set(values["element"])


def test_a_date_in_a_number_column_is_named(tmp_path):
    row = list(ROW)
    row[HEADER.index("在园幼儿数")] = datetime.datetime(2022, 10, 1)
    _, problems = read_returns(write_xlsx(tmp_path / "990102_2022Q4.xlsx", table(HEADER, row)))
    p = one(problems, "date_in_number")
    assert (p.row, p.column) == (4, "在园幼儿数") and "单元格是日期（2022-10-01）" in p.message


def test_a_hidden_row_of_its_own_is_read_and_said(tmp_path):
    second = ["990103", "东湖区", *COUNTY.values()]

    def hide(wb, ws):
        ws.row_dimensions[5].hidden = True

    path = write_xlsx(tmp_path / "990102_2022Q4.xlsx", table(HEADER, ROW, second), fill=hide)
    values, problems = read_returns(path)
    assert set(values["org_code"]) == {"990102", "990103"}
    assert "第 5 行是隐藏行，其数据已计入" in one(problems, "hidden_rows").message


def test_no_header_says_which_rows_were_examined_and_what_a_header_needs(tmp_path):
    rows = [["城关区教育统计季报"], ["代码", "名称", "幼儿数"], ["990102", "城关区", 18800]]
    _, problems = read_returns(write_xlsx(tmp_path / "990102_2022Q4.xlsx", rows))
    [p] = errors(problems)
    assert "已查看第 1–3 行" in p.message and "行政区划代码" in p.message
    assert "数据项名称" in p.message and p.file.endswith("990102_2022Q4.xlsx［县级汇总］")


def test_a_header_with_a_code_but_no_known_element_is_pointed_at(tmp_path):
    rows = [["标题"], ["行政区划代码", "单位名称", "幼儿数"], ["990102", "城关区", 18800]]
    _, problems = read_returns(write_xlsx(tmp_path / "990102_2022Q4.xlsx", rows))
    [p] = errors(problems)
    assert "第 2 行有「行政区划代码」，但没有可识别的数据项名称" in p.message


def test_a_column_number_row_under_the_header_is_skipped(tmp_path, clean):
    numbers = ["甲", "乙", *range(1, len(COUNTY) + 1)]
    path = write_xlsx(tmp_path / "990102_2022Q4.xlsx", table(HEADER, numbers, ROW))
    values, problems = read_returns(path)
    assert by_element(values) == clean and not errors(problems), problems
    assert "栏次行 第 4 行" in one(problems, "skipped_rows").message


def test_a_second_sheet_of_codes_without_a_header_is_an_error_not_skipped(tmp_path):
    def schools(wb, ws):
        s = wb.create_sheet("学校明细")
        s.append(["城关区学校情况表（2022年第四季度）"])
        s.append(["学校代码", "学校", "学生"])  # no header the dictionary knows
        s.append(["9901020001", "城关区第1小学", 700])

    path = write_xlsx(tmp_path / "990102_2022Q4.xlsx", table(), fill=schools)
    values, problems = read_returns(path)
    [p] = errors(problems)
    assert p.file.endswith("［学校明细］") and "找不到表头行" in p.message
    assert not [q for q in problems if q.rule == "sheet_skipped"]
    assert len(values) == EXPECTED_ROWS  # the county sheet is still read


def test_a_group_over_its_parts_and_a_unit_row_read_as_their_elements(tmp_path, clean):
    """在园幼儿数 merged over 合计/公办园/普惠性民办园/其他民办园, and a 计量单位 row."""
    names = list(COUNTY)
    at = names.index("在园幼儿数")
    top = [*HEADER]
    sub: list = [None, None, *["人"] * len(names)]
    top[2 + at : 2 + at + 4] = ["在园幼儿数", None, None, None]
    sub[2 + at : 2 + at + 4] = ["合计", "公办园", "普惠性民办园", "其他民办园"]
    sub[2 + names.index("一般公共预算教育投入（亿元）")] = "亿元"
    top = [h.replace("（亿元）", "") if h else h for h in top]

    def merge(wb, ws):
        ws.merge_cells(start_row=3, start_column=3 + at, end_row=3, end_column=6 + at)
        ws.merge_cells("A3:A4")
        ws.merge_cells("B3:B4")

    rows = [TITLE, ["填报单位：城关区教育局"], top, sub, ROW]
    values, problems = read_returns(write_xlsx(tmp_path / "990102_2022Q4.xlsx", rows, fill=merge))
    assert by_element(values) == clean and not errors(problems), problems
    assert not [p for p in problems if p.rule in ("unknown_column", "no_unit")], problems


def test_a_note_under_the_header_is_not_taken_for_a_second_header_row(tmp_path, clean):
    note = [None, "（以下为本季度数）"]
    values, problems = read_returns(
        write_xlsx(tmp_path / "990102_2022Q4.xlsx", table(HEADER, note, ROW))
    )
    assert by_element(values) == clean and not errors(problems), problems
    assert not [p for p in problems if p.rule == "unknown_column"]
    p = one(problems, "skipped_rows")
    assert "说明行（无代码、无数值） 第 4 行（（以下为本季度数））" in p.message


def test_a_row_with_numbers_but_no_code_is_still_an_error(tmp_path):
    row = [None, "城关区", *COUNTY.values()]
    _, problems = read_returns(write_xlsx(tmp_path / "990102_2022Q4.xlsx", table(HEADER, row)))
    [p] = errors(problems)
    assert (p.row, p.column, p.message) == (4, "行政区划代码", "代码为空")


def test_a_formula_whose_saved_result_is_empty_text_is_a_blank_not_uncalculated(tmp_path):
    """=IF(A4="","",A4) saved by Excel with an empty text result: a blank cell (未填报)."""
    path = write_xlsx(tmp_path / "990102_2022Q4.xlsx", table())
    with_cell_xml(path, f"{KG}4", f'<c r="{KG}4" t="str"><f>IF(A4="","",A4)</f><v></v></c>')
    _, problems = read_returns(path)
    assert not [p for p in problems if p.rule == "formula_uncalculated"], problems
    p = one(problems, "empty_cell")
    assert (p.row, p.column) == (4, "在园幼儿数")


def test_a_text_note_beside_the_returns_is_said_not_an_error(tmp_path, clean):
    folder = tmp_path / "2022Q4"
    write_xlsx(folder / "990102.xlsx", table())
    (folder / "说明.txt").write_text("本文件夹为城关区2022年第四季度报表。\n", encoding="utf-8")
    values, problems = read_returns(folder, root=tmp_path)
    assert by_element(values) == clean and not errors(problems), problems
    p = one(problems, "not_a_return")
    assert p.file == "2022Q4/说明.txt" and p.severity == "warning"


@pytest.mark.parametrize(
    "written",
    [
        datetime.datetime(2022, 12, 31),
        datetime.date(2022, 10, 1),
        "2022-12-31",
        "2022/12/31",
        "2022年12月",
        "2022.12",
    ],
)
def test_a_period_cell_holding_a_date_is_the_quarter_it_falls_in(tmp_path, written):
    header = ["行政区划代码", "单位名称", "报告期", *COUNTY]
    row = ["990102", "城关区", written, *COUNTY.values()]
    path = write_xlsx(tmp_path / "returns" / "2022Q4" / "990102.xlsx", table(header, row))
    values, problems = read_returns(path, root=tmp_path)
    assert not errors(problems), [p.describe() for p in problems]
    assert set(values["period"]) == {"2022Q4"} and len(values) == EXPECTED_ROWS


def test_an_unreadable_period_cell_is_one_error_for_its_row_not_one_per_column(tmp_path):
    header = ["行政区划代码", "单位名称", "报告期", *COUNTY]
    row = ["990102", "城关区", "本期", *COUNTY.values()]
    path = write_xlsx(tmp_path / "990102.xlsx", table(header, row, title=["城关区教育统计季报"]))
    _, problems = read_returns(path)
    said = [p for p in errors(problems) if p.column == "报告期"]
    assert len(said) == 1 and said[0].row == 4, [p.describe() for p in problems]


def test_a_number_written_with_another_unit_says_so(tmp_path):
    """18800所 under a column of persons: not a number of persons (18800人 is read)."""
    row = [*ROW]
    row[HEADER.index("在园幼儿数")] = "18800所"
    row[HEADER.index("普通高中在校生数")] = "12000人"
    path = write_xlsx(tmp_path / "returns" / "2022Q4" / "990102.xlsx", table(HEADER, row))
    values, problems = read_returns(path, root=tmp_path)
    (p,) = errors(problems)
    assert (p.row, p.column, p.value) == (4, "在园幼儿数", "18800所")
    assert "写了单位「所」" in p.message
    assert values.loc[values["column"] == "普通高中在校生数", "value"].tolist() == [12000]


def test_a_school_code_shown_in_scientific_notation_is_named_as_such(small_sample, tmp_path):
    data = tmp_path / "city"
    shutil.copytree(small_sample, data)
    path = data / "returns" / "2022Q4" / "990102.xlsx"
    wb = load_workbook(path)
    wb["学校明细"]["A4"] = "9.90102E+09"  # what a CSV keeps of a code Excel showed as a number
    wb.save(path)
    p = planlib.validate(data).problems
    hit = p[p["value"] == "9.90102E+09"]
    assert len(hit) == 1 and hit.iloc[0]["row"] == 4 and hit.iloc[0]["severity"] == "error"
    assert "科学计数法" in hit.iloc[0]["message"] and "文本格式" in hit.iloc[0]["message"]
