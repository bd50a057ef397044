"""Blank forms (planlib.forms.blank): real workbooks written for the sample city, opened again
with openpyxl and read back through the returns reader."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from planlib.catalog.dictionary import load_dictionary
from planlib.errors import UsageError
from planlib.forms.blank import write_forms
from planlib.forms.layout import header_text
from planlib.returns.orgunits import load_org_units
from planlib.returns.reading import read_returns


@pytest.fixture(scope="module")
def forms_q4(small_sample: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("forms") / "out"
    return list(write_forms(small_sample, "2022Q4", out).files)


def _dv_at(ws: openpyxl.worksheet.worksheet.Worksheet, ref: str) -> list:
    return [dv for dv in ws.data_validations.dataValidation if ref in dv.sqref]


def test_one_form_per_county_with_its_sheets(forms_q4: list[Path], small_sample: Path) -> None:
    units = load_org_units(small_sample)
    assert [p.name.split("_")[0] for p in forms_q4] == list(units.counties()["code"])
    wb = openpyxl.load_workbook(forms_q4[0])
    assert wb.sheetnames == ["县级汇总", "学校明细", "填表说明", "上期累计"]
    assert wb["上期累计"].sheet_state == "hidden"
    assert wb["县级汇总"]["A1"].value == "城关区教育统计季报（2022年第四季度）"


def test_headers_are_dictionary_names_with_units(forms_q4: list[Path], small_sample: Path) -> None:
    d = load_dictionary(small_sample / "dictionary.yaml")  # the workspace's: exactly its elements
    ws = openpyxl.load_workbook(forms_q4[0])["县级汇总"]
    headers = [c.value for c in ws[3]]
    assert headers[:3] == ["行政区划代码", "单位名称", "报告期"]
    assert "一般公共预算教育投入（本年累计）（万元）" in headers
    matched = [d.match(h) for h in headers[3:]]
    assert [m.element for m in matched] == [e.code for e in d.elements_at("county")]
    assert all(m.factor == 1.0 for m in matched)


def test_school_rows_come_from_the_registry(forms_q4: list[Path], small_sample: Path) -> None:
    schools = load_org_units(small_sample).schools
    mine = schools[schools["county_code"] == "990102"].sort_values("code")
    ws = openpyxl.load_workbook(forms_q4[0])["学校明细"]
    rows = [r[:3] for r in ws.iter_rows(min_row=4, values_only=True)]
    assert rows == list(mine[["code", "name", "stage"]].itertuples(index=False, name=None))


def test_every_input_cell_has_validation_for_its_kind(
    forms_q4: list[Path], small_sample: Path
) -> None:
    d = load_dictionary(small_sample / "dictionary.yaml")
    wb = openpyxl.load_workbook(forms_q4[0])
    for sheet, level, first_col in (("县级汇总", "county", 4), ("学校明细", "school", 5)):
        ws = wb[sheet]
        for j, e in enumerate(d.elements_at(level), start=first_col):
            for row in (4, ws.max_row):
                if ws.cell(row, j).value == "—":  # not applicable to this school: locked
                    assert ws.cell(row, j).protection.locked is not False
                    continue
                ref = ws.cell(row, j).coordinate
                (dv,) = _dv_at(ws, ref)
                expected = {"count": "whole", "amount": "decimal", "flag": "list"}[e.kind]
                assert dv.type == expected, (sheet, e.code)
                if e.kind == "flag":
                    assert dv.formula1 == '"1,0"'
                else:
                    assert float(dv.formula2) == e.maximum
                assert dv.showErrorMessage and dv.error
                assert ws.cell(row, j).protection.locked is False
    # codes and names are not input cells
    assert not _dv_at(wb["县级汇总"], "A4") and not _dv_at(wb["学校明细"], "B4")


def test_sheets_are_protected_without_password(forms_q4: list[Path]) -> None:
    wb = openpyxl.load_workbook(forms_q4[0])
    for sheet in ("县级汇总", "学校明细"):
        ws = wb[sheet]
        assert ws.protection.sheet is True
        assert not ws.protection.password
        for ref in ("A3", "D3", "A4", "B4", "C4"):
            assert ws[ref].protection.locked is True, (sheet, ref)


def test_flow_cells_are_bounded_by_last_quarter(forms_q4: list[Path], small_sample: Path) -> None:
    """A year-to-date flow may not fall below the county's 2022Q3 value (a warning in Excel)."""
    from planlib.returns.dataset import load_dataset

    v = load_dataset(small_sample).values
    q3 = v[(v["org_code"] == "990102") & (v["period"] == "2022Q3")].set_index("element")["value"]
    ws = openpyxl.load_workbook(forms_q4[0])["县级汇总"]
    col = [c.value for c in ws[3]].index("一般公共预算教育投入（本年累计）（万元）") + 1
    (dv,) = _dv_at(ws, ws.cell(4, col).coordinate)
    assert float(dv.formula1) == pytest.approx(q3["edu_budget"])
    assert dv.errorStyle == "warning"
    text = _textbox_text(forms_q4[0], 4)
    assert f"一般公共预算教育投入：{float(q3['edu_budget'])!r} 万元" in text


def _textbox_text(path: Path, sheet_number: int) -> str:
    with zipfile.ZipFile(path) as z:
        xml = z.read(f"xl/drawings/textbox{sheet_number}.xml").decode("utf-8")
    return "".join(re.findall(r"<a:t>([^<]*)</a:t>", xml))


def test_guide_lists_every_element_with_unit_and_checks(
    forms_q4: list[Path], small_sample: Path
) -> None:
    guide = openpyxl.load_workbook(forms_q4[0])["填表说明"]
    text = "".join(str(c.value) for c in guide["A"] if c.value is not None)
    for e in load_dictionary(small_sample / "dictionary.yaml").elements_at("county"):
        assert f"{header_text(e)}{'' if e.required else '（选填）'}：" in text
    assert "补充教师数（本年累计）（人）：" in text
    assert "公办园在园幼儿数不应超过在园幼儿数（错误）" in text
    assert "本年 1 月 1 日至报告期末的累计数" in text


def test_reader_takes_blank_form_sheets_for_no_data(forms_q4: list[Path]) -> None:
    """The 填表说明 and 上期累计 sheets give the reader no cell and no problem."""
    values, problems = read_returns(forms_q4)
    assert values.empty or values["value"].notna().all()
    assert not [p for p in problems if p.severity == "error"]
    assert not [p for p in problems if "填表说明" in p.file or "上期累计" in p.file]
    assert {p.rule for p in problems} == {"empty_cell"}


def test_first_quarter_has_no_reference_sheet(small_sample: Path, tmp_path: Path) -> None:
    (path,) = write_forms(small_sample, "2023Q1", tmp_path, counties="东湖区").files
    assert path.name == "990103_东湖区_2023Q1.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["县级汇总", "学校明细", "填表说明"]
    ws = wb["县级汇总"]
    col = [c.value for c in ws[3]].index("一般公共预算教育投入（本年累计）（万元）") + 1
    (dv,) = _dv_at(ws, ws.cell(4, col).coordinate)
    assert float(dv.formula1) == 0 and dv.errorStyle in (None, "stop")


def test_counties_by_code_or_name(small_sample: Path, tmp_path: Path) -> None:
    files = write_forms(small_sample, "2023Q1", tmp_path, counties="990104,城关区").files
    assert [p.name[:6] for p in files] == ["990102", "990104"]
    with pytest.raises(UsageError, match="990100"):
        write_forms(small_sample, "2023Q1", tmp_path, counties="990100")
    with pytest.raises(UsageError):
        write_forms(small_sample, "2023Q1", tmp_path, counties="不存在区")


def test_names_that_look_like_formulas_stay_text(small_sample: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(small_sample, data)
    schools = pd.read_csv(data / "schools.csv", dtype=str)
    first = schools.index[schools["county_code"] == "990102"][:3]
    schools.loc[first, "name"] = ["=1+1", "@SUM(A1:A2)", "+cmd|' /C calc'!A0"]
    schools.to_csv(data / "schools.csv", index=False)
    (path,) = write_forms(data, "2023Q1", tmp_path / "out", counties="990102").files
    ws = openpyxl.load_workbook(path)["学校明细"]
    names = {ws.cell(r, 2).value: ws.cell(r, 2) for r in range(4, ws.max_row + 1)}
    for text in ("=1+1", "@SUM(A1:A2)", "+cmd|' /C calc'!A0"):
        assert names[text].data_type == "s"
        assert names[text].quotePrefix
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet2.xml").decode("utf-8")
    assert "<f>" not in xml and "<f " not in xml


def test_bad_period_is_a_usage_error(small_sample: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="无法识别的报告期"):
        write_forms(small_sample, "2023第五季度", tmp_path)
