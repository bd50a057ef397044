"""Feedback workbooks (planlib.forms.feedback): a broken county's own file marked and listed,
receipts for clean counties, originals untouched. Real .xlsx and CSV returns, read back with
openpyxl."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import zipfile
from csv import reader, writer
from pathlib import Path

import openpyxl
import pytest
from cli_run import planlib_cli as _planlib

from planlib.forms.feedback import PASSED, write_feedback
from planlib.forms.sheets import ERROR_FILL, WARNING_FILL


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def broken(small_sample: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with 城关区 (xlsx) given a negative count and a warning, 南江区 (CSV) a
    formula-looking name; 东湖区 and 西山区 stay clean."""
    data = tmp_path_factory.mktemp("feedback") / "data"
    shutil.copytree(small_sample, data)
    path = data / "returns" / "2022Q4" / "990102.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["县级汇总"]
    headers = [c.value for c in ws[3]]
    ws.cell(4, headers.index("公办园在园幼儿数") + 1).value = -5
    children = ws.cell(4, headers.index("义务教育适龄儿童少年数") + 1).value
    enrolled = ws.cell(4, headers.index("已入学适龄儿童少年数") + 1)
    enrolled.value = int(children) + 10  # more enrolled than children: a warning
    name = wb["学校明细"]["B4"]
    name.value = "=1+1"  # a school name typed as text that looks like a formula
    name.data_type = "s"
    wb.save(path)
    csv = data / "returns" / "2022Q4" / "990105_学校.csv"
    rows = list(reader(io.StringIO(csv.read_bytes().decode("gb18030"))))
    rows[3][1] = '=HYPERLINK("http://example.invalid")'  # a name that looks like a formula
    rows[3][3] = "7"  # a flag that is not 0/1
    rows[4][7] = "=SUM(1,2)"  # a count typed as a formula-looking text: not a number
    text = io.StringIO()
    writer(text).writerows(rows)
    csv.write_bytes(text.getvalue().encode("gb18030"))
    return data


@pytest.fixture(scope="module")
def run(broken: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple:
    before = _digests(broken)
    out = tmp_path_factory.mktemp("feedback-out") / "feedback"
    result = _planlib("feedback", broken, "--out", out, "--period", "2022Q4")
    return result, out, before


def test_exit_1_and_originals_byte_identical(run: tuple, broken: Path) -> None:
    result, _, before = run
    assert result.returncode == 1, result.stderr
    assert "城关区" in result.stdout and "Traceback" not in result.stderr
    assert _digests(broken) == before


def test_broken_cell_coloured_marked_and_commented(run: tuple) -> None:
    _, out, _ = run
    wb = openpyxl.load_workbook(out / "990102_城关区_2022Q4_问题反馈.xlsx")
    assert wb.sheetnames == ["问题清单", "县级汇总", "学校明细"]
    ws = wb["县级汇总"]
    assert ws["A1"].font.b and ws.column_dimensions["B"].width == 22  # the file as sent
    headers = [c.value for c in ws[3]]
    cell = ws.cell(4, headers.index("公办园在园幼儿数") + 1)
    assert cell.value == -5  # the value as sent
    assert cell.fill.fgColor.rgb.endswith(ERROR_FILL)
    assert "×" in cell.number_format
    assert "数值不能为负数" in cell.comment.text
    assert ws.page_setup.cellComments == "atEnd"  # comments print too (a blank cell shows no mark)
    warned = ws.cell(4, headers.index("已入学适龄儿童少年数") + 1)
    assert warned.comment is not None and "[警告]" in warned.comment.text
    assert warned.fill.fgColor.rgb.endswith(WARNING_FILL) and "△" in warned.number_format
    clean = ws.cell(4, headers.index("在园幼儿数") + 1)
    assert clean.comment is None and clean.fill.fgColor.rgb in ("00000000", None)


def test_problem_list_names_the_cell_and_links_resolve(run: tuple) -> None:
    _, out, _ = run
    for path in out.glob("*_问题反馈.xlsx"):
        wb = openpyxl.load_workbook(path)
        listing = wb["问题清单"]
        assert [c.value for c in listing[3]] == [
            "文件",
            "工作表",
            "行",
            "列",
            "值",
            "问题",
            "严重程度",
        ]
        rows = list(listing.iter_rows(min_row=4, max_col=7))
        assert rows
        for row in rows:
            link = row[5].hyperlink
            assert link is not None and link.location, path.name
            m = re.fullmatch(r"'(?P<sheet>[^']+)'!(?P<cell>[A-Z]+\d+)", link.location)
            assert m and m["sheet"] in wb.sheetnames
            target = wb[m["sheet"]][m["cell"]]
            assert m["sheet"] == row[1].value
            if row[2].value is not None:
                assert target.row == row[2].value
                assert target.comment is not None and row[5].value in target.comment.text
    wb = openpyxl.load_workbook(out / "990102_城关区_2022Q4_问题反馈.xlsx")
    listed = [[c.value for c in r] for r in wb["问题清单"].iter_rows(min_row=4)]
    negative = [r for r in listed if r[3] == "公办园在园幼儿数"]
    assert len(negative) == 1
    assert negative[0][:4] == ["returns/2022Q4/990102.xlsx", "县级汇总", 4, "公办园在园幼儿数"]
    assert float(negative[0][4]) == -5 and negative[0][5:] == ["数值不能为负数", "× 错误"]


@pytest.mark.parametrize(
    "name", ["990105_南江区_2022Q4_问题反馈.xlsx", "990102_城关区_2022Q4_问题反馈.xlsx"]
)
def test_no_formula_in_feedback_workbooks(run: tuple, name: str) -> None:
    _, out, _ = run
    path = out / name
    with zipfile.ZipFile(path) as z:
        for part in z.namelist():
            if part.startswith("xl/worksheets/sheet"):
                xml = z.read(part).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml, part
    if name.startswith("990102"):
        cell = openpyxl.load_workbook(path)["学校明细"]["B4"]
        assert cell.value == "=1+1" and cell.data_type == "s"


def test_csv_return_becomes_a_workbook_with_inert_text(run: tuple) -> None:
    _, out, _ = run
    path = out / "990105_南江区_2022Q4_问题反馈.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["990105_学校"]
    assert ws["B4"].value.startswith("=HYPERLINK") and ws["B4"].data_type == "s"
    assert ws["D4"].value == 7 and ws["D4"].comment is not None
    assert ws["H5"].value == "=SUM(1,2)" and ws["H5"].data_type == "s" and ws["H5"].comment
    listing = wb["问题清单"]
    (value,) = [r[4] for r in listing.iter_rows(min_row=4) if r[4].value == "=SUM(1,2)"]
    assert value.data_type == "s"


def test_receipts_for_clean_counties_and_an_index(run: tuple) -> None:
    _, out, _ = run
    names = sorted(p.name for p in out.iterdir())
    assert "990103_东湖区_2022Q4_校验回执.xlsx" in names
    assert not any(n.startswith("990103") and "问题反馈" in n for n in names)
    receipt = openpyxl.load_workbook(out / "990103_东湖区_2022Q4_校验回执.xlsx").active
    assert receipt["A1"].value == PASSED
    index = openpyxl.load_workbook(out / "反馈汇总_2022Q4.xlsx").active
    status = {r[0]: (r[3], r[6]) for r in index.iter_rows(min_row=5, values_only=True)}
    assert status["990102"] == ("需修改后重新报送", "990102_城关区_2022Q4_问题反馈.xlsx")
    assert status["990103"][0] == "校验通过"
    assert (out / status["990103"][1]).exists()


def test_missing_return_is_listed_not_receipted(small_sample: Path, tmp_path: Path) -> None:
    result = write_feedback(small_sample, tmp_path, "2022Q3")
    by_code = {c.code: c for c in result.counties}
    assert by_code["990105"].status == "未报送" and by_code["990105"].path is None
    assert not result.any_errors
    assert by_code["990102"].status == "校验通过"


def test_usage_errors_exit_2_in_chinese(broken: Path, tmp_path: Path) -> None:
    inside = _planlib("feedback", broken, "--out", broken / "returns" / "fb")
    assert inside.returncode == 2 and "位于报表目录" in inside.stderr
    assert not (broken / "returns" / "fb").exists()
    bad = _planlib("feedback", broken, "--out", tmp_path, "--period", "2031Q1")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "报告期" in bad.stderr
    county = _planlib(
        "forms", broken, "--period", "2023Q1", "--out", tmp_path, "--county", "火星区"
    )
    assert county.returncode == 2 and "火星区" in county.stderr and "Traceback" not in county.stderr


def test_no_partial_files_left_behind(run: tuple) -> None:
    _, out, _ = run
    assert not [p.name for p in out.iterdir() if p.name.startswith(".") or p.suffix == ".part"]


def test_unreadable_workbook_gets_a_list_without_a_copy(small_sample: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(small_sample, data)
    (data / "returns" / "2022Q4" / "990103.xlsx").write_bytes(b"not a workbook at all")
    result = write_feedback(data, tmp_path / "out", "2022Q4")
    county = {c.code: c for c in result.counties}["990103"]
    assert county.status == "需修改后重新报送" and county.path is not None
    wb = openpyxl.load_workbook(county.path)
    assert wb.sheetnames == ["问题清单"]
    (row,) = [[c.value for c in r] for r in wb["问题清单"].iter_rows(min_row=4)]
    assert row[0] == "returns/2022Q4/990103.xlsx" and "无法读取" in row[5]


def test_a_second_run_replaces_the_first_answer(small_sample: Path, tmp_path: Path) -> None:
    """Feedback, then a corrected resubmission: the county's old 问题反馈 file is gone."""
    data = tmp_path / "data"
    shutil.copytree(small_sample, data)
    path = data / "returns" / "2022Q4" / "990104.xlsx"
    sent = path.read_bytes()
    wb = openpyxl.load_workbook(path)
    wb["学校明细"]["D4"] = 5
    wb.save(path)
    out = tmp_path / "out"
    first = {c.code: c for c in write_feedback(data, out, "2022Q4").counties}["990104"]
    assert first.status == "需修改后重新报送" and first.path is not None
    path.write_bytes(sent)  # the corrected return
    second = {c.code: c for c in write_feedback(data, out, "2022Q4").counties}["990104"]
    assert second.status == "校验通过"
    assert not first.path.exists() and second.path is not None and second.path.exists()


def test_two_level_header_marks_the_right_cell(small_sample: Path, tmp_path: Path) -> None:
    """A return with a group row merged over 学前教育's columns: the problem lands on its cell."""
    data = tmp_path / "data"
    shutil.copytree(small_sample, data)
    path = data / "returns" / "2022Q4" / "990103.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["县级汇总"]
    ws.insert_rows(3)
    headers = [c.value for c in ws[4]]
    group = [j for j, h in enumerate(headers, start=1) if "园" in str(h)]
    for j, h in enumerate(headers, start=1):
        if j not in group:
            ws.cell(3, j).value, ws.cell(4, j).value = h, None
            ws.merge_cells(start_row=3, start_column=j, end_row=4, end_column=j)
    ws.cell(3, group[0]).value = "学前教育"
    ws.merge_cells(start_row=3, start_column=group[0], end_row=3, end_column=group[-1])
    target = headers.index("公办园在园幼儿数") + 1
    ws.cell(5, target).value = -3
    wb.save(path)
    result = write_feedback(data, tmp_path / "out", "2022Q4")
    county = {c.code: c for c in result.counties}["990103"]
    assert county.errors == 1 and county.path is not None
    marked = openpyxl.load_workbook(county.path)["县级汇总"].cell(5, target)
    assert marked.value == -3 and "数值不能为负数" in marked.comment.text
