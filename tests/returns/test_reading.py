"""Loading returns: real .xlsx and CSV in several encodings, normalised numbers, every bad cell named."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from county_return import COUNTY, HEADER, ROW
from openpyxl import Workbook

from planlib import DataFileError, load_returns, read_returns
from planlib.returns.cells import parse_number


def rows(header=HEADER, row=ROW):
    return [
        ["城关区教育统计季报（2022年第二季度）"],
        ["填报单位：城关区教育局  单位：人、亿元"],
        header,
        row,
    ]


def write_xlsx(path: Path, table, sheet="县级汇总") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for r in table:
        ws.append(r)
    wb.save(path)
    return path


def write_csv(path: Path, table, encoding: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(table)
    return path


def as_dict(values):
    return dict(zip(values["element"], values["value"], strict=True))


def test_xlsx_below_title_rows(tmp_path):
    v = load_returns(write_xlsx(tmp_path / "a.xlsx", rows()))
    assert set(v["org_code"]) == {"990102"} and set(v["period"]) == {"2022Q2"}
    got = as_dict(v)
    assert got["pop_3_5"] == 20000 and got["kg_enrol_public"] == 10500
    assert got["edu_budget"] == pytest.approx(125000)  # 12.5 亿元 -> 万元
    r = v[v["element"] == "kg_enrol_total"].iloc[0]
    assert (r["row"], r["column"], r["file"]) == (
        4,
        "在园幼儿数",
        str(tmp_path / "a.xlsx") + "［县级汇总］",
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_load_the_same_numbers(tmp_path, encoding):
    base = as_dict(load_returns(write_xlsx(tmp_path / "a.xlsx", rows())))
    got = as_dict(load_returns(write_csv(tmp_path / "a_2022Q2.csv", rows(), encoding)))
    assert got == base


def test_written_numbers_are_normalised(tmp_path):
    base = as_dict(load_returns(write_xlsx(tmp_path / "a.xlsx", rows())))
    messy = list(ROW)
    messy[2], messy[8], messy[9] = "20,000", " 18，800 ", "１０５００"
    got = as_dict(load_returns(write_csv(tmp_path / "b.csv", rows(row=messy), "gbk")))
    assert got == base
    budget = HEADER.index("一般公共预算教育投入（亿元）")
    wanman, row = list(HEADER), list(ROW)
    wanman[budget], row[budget] = "一般公共预算教育投入（万元）", 125000
    got = as_dict(load_returns(write_xlsx(tmp_path / "c.xlsx", rows(wanman, row))))
    assert got == base


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("93.5%", 93.5),
        ("９３．５", 93.5),
        ("12,345", 12345),
        ("12，345", 12345),
        (" 7 ", 7),
        ("是", 1),
        ("否", 0),
        (3, 3),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == (value, None)


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "empty"), (None, "empty"), ("约五百", "不是数字"), ("1.2.3", "不是数字")],
)
def test_parse_number_failures(text, reason):
    v, why = parse_number(text)
    assert v != v and why == reason


def bad(tmp_path, table, name="bad.xlsx"):
    path = write_xlsx(tmp_path / name, table)
    with pytest.raises(DataFileError) as err:
        load_returns(path)
    return err.value


@pytest.mark.parametrize(
    ("cell", "value", "words", "rule"),
    [
        (9, "很多", "不是数字", "not_numeric"),
        (9, -5, "负数", "negative"),
        (2, 99999999, "超出允许范围", "above_range"),
        (9, "93.5%", "不应填百分数", "percent"),  # a count column: a rate pasted in the wrong place
        (9, 0.935, "应为整数", "whole"),  # the same from an Excel cell formatted as %
    ],
)
def test_bad_cells_name_file_row_column(tmp_path, cell, value, words, rule):
    row = list(ROW)
    row[cell] = value
    err = bad(tmp_path, rows(row=row))
    [p] = [p for p in err.problems if p.rule == rule]
    assert p.row == 4 and p.column == HEADER[cell] and words in p.message and "bad.xlsx" in p.file
    assert words in str(err) and "第 4 行" in str(err)


def test_missing_and_unknown_columns(tmp_path):
    header = [h for h in HEADER if h != "在园幼儿数"] + ["奇怪的列"]
    row = [v for h, v in zip(HEADER, ROW, strict=True) if h != "在园幼儿数"] + [1]
    _, problems = read_returns(write_xlsx(tmp_path / "m.xlsx", rows(header, row)))
    missing = [p for p in problems if p.rule == "missing_column"]
    assert any(p.column == "在园幼儿数" and p.severity == "error" and p.row == 3 for p in missing)
    unknown = [p for p in problems if p.rule == "unknown_column"]
    assert unknown and unknown[0].column == "奇怪的列" and unknown[0].severity == "warning"


def test_not_a_workbook_and_empty_files(tmp_path):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("this is not excel", encoding="utf-8")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    noheader = write_csv(tmp_path / "nohead.csv", [["只有标题"], ["a", "b"]], "utf-8")
    _, problems = read_returns([fake, empty, noheader])
    by_file = {Path(p.file.split("［")[0]).name: p.message for p in problems}
    assert "不是有效的 Excel" in by_file["fake.xlsx"]
    assert "为空" in by_file["empty.csv"]
    assert "表头" in by_file["nohead.csv"]
    assert all(p.severity == "error" for p in problems)


def test_blank_cell_is_missing_not_zero(tmp_path):
    row = list(ROW)
    row[8] = None
    values, problems = read_returns(write_xlsx(tmp_path / "blank.xlsx", rows(row=row)))
    assert "kg_enrol_total" not in set(values["element"])
    assert any(p.rule == "empty_cell" and p.severity == "warning" for p in problems)


def test_sample_county_files_load(small_sample):
    values, problems = read_returns(small_sample / "returns", root=small_sample)
    assert not [p for p in problems if p.severity == "error"]
    assert {"pop_3_5", "std_compliant", "edu_budget"} <= set(values["element"])
    assert values["org_code"].map(len).isin([6, 10]).all()


def test_parquet_returns_name_every_problem(tmp_path):
    import pandas as pd

    path = tmp_path / "values.parquet"
    pd.DataFrame(
        {
            "org_code": ["990102", "990102", "990102", "990103", "990103"],
            "period": ["2022Q2", "2022Q2", "2022Q2", "2022Q5", "2022Q2"],
            "element": ["pop_3_5", "no_such_item", "pop_6_14", "pop_3_5", "pop_15_17"],
            "value": [20000.0, 1.0, -5.0, 100.0, float("nan")],
        }
    ).to_parquet(path)
    values, problems = read_returns([path])
    by_rule = {p.rule: p for p in problems}
    assert by_rule["unknown_column"].value == "no_such_item"
    assert by_rule["period"].value == "2022Q5"
    ranged = sorted(p.row for p in problems if p.rule == "above_range")
    assert ranged == [4, 6]  # the -5 and the blank value, as rows after the header row
    # only the good row is kept, with its file and row
    assert values[["org_code", "element", "value", "row"]].values.tolist() == [
        ["990102", "pop_3_5", 20000.0, 2]
    ]
    assert str(values["file"].iloc[0]).endswith("values.parquet")


@pytest.mark.parametrize(
    ("title", "value", "rule"),
    [
        ("填报单位：城关区教育局  单位：人、亿元", 125000.0, "unit_from_title"),  # 12.5 亿元
        ("填报单位：城关区教育局", 12.5, "no_unit"),  # read in the dictionary unit, 万元, and said
    ],
)
def test_an_amount_header_without_unit_uses_the_title_or_warns(tmp_path, title, value, rule):
    header = [h.replace("（亿元）", "") for h in HEADER]
    table = rows(header=header)
    table[1] = [title]
    values, problems = read_returns([write_xlsx(tmp_path / "r.xlsx", table)])
    budget = values.loc[values["element"] == "edu_budget", "value"].tolist()
    assert budget == [pytest.approx(value)]
    [p] = [p for p in problems if p.rule == rule]
    assert p.column == "一般公共预算教育投入" and p.severity == "warning"


def test_a_csv_row_split_by_an_unquoted_thousands_comma_is_refused(tmp_path):
    path = tmp_path / "r_2022Q2.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(map(str, HEADER)) + "\n")
        fh.write(",".join(str(v) for v in ROW).replace("20000", "20,000", 1) + "\n")
    values, problems = read_returns([path])
    [p] = [p for p in problems if p.rule == "row_width"]
    assert p.row == 2 and "千分位逗号" in p.message and p.severity == "error"
    assert values.empty  # nothing shifted reaches the numbers


def test_an_old_xls_file_is_named_not_ignored(tmp_path):
    (tmp_path / "990102.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    _, problems = read_returns([tmp_path])
    [p] = problems
    assert p.file.endswith("990102.xls") and ".xls" in p.message and p.severity == "error"


def test_a_population_in_wan_ren_with_four_decimals_is_a_whole_count(tmp_path):
    """2.1571 万人 is 21,571 children: the unit conversion's binary noise (21570.999999999996)
    is no reason to refuse the cell as 不是整数."""
    header = [h if h != "3-5岁常住人口数" else "3-5岁常住人口数（万人）" for h in HEADER]
    row = [
        2.1571 if h == "3-5岁常住人口数（万人）" else v for h, v in zip(header, ROW, strict=True)
    ]
    path = write_xlsx(tmp_path / "a.xlsx", rows(header, row))
    values, problems = read_returns(path)
    assert as_dict(values)["pop_3_5"] == 21571
    assert not [p for p in problems if p.severity == "error"], problems


@pytest.mark.parametrize("written", ["2022-Q2", "2022 Q2", "2022年第二季度", "2022q2"])
def test_a_period_column_in_any_common_writing_is_read(tmp_path, written):
    """A 报告期 column of 2022-Q2 (as parse_period accepts it) is the quarter, not 25 errors."""
    header = ["行政区划代码", "单位名称", "报告期", *COUNTY]
    row = ["990102", "城关区", written, *COUNTY.values()]
    values, problems = read_returns(write_xlsx(tmp_path / "a.xlsx", rows(header, row)))
    assert set(values["period"]) == {"2022Q2"} and len(values) == len(COUNTY)
    assert not [p for p in problems if p.severity == "error"], problems
