"""``planlib.export`` writes what a colleague reads: pivots keep their row names, two-level
headers read in Chinese, booleans, levels and quarters as people say them, wrong inputs refused in
Chinese, and a failed write names its file."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import planlib
from planlib.errors import PlanlibError, UsageError
from planlib.reporting import export as ex


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> planlib.Monitoring:
    data = tmp_path_factory.mktemp("city")
    planlib.make_sample(data, seed=7, counties=3, schools_per_county=20)
    return planlib.monitor(data, "all")


def _rows(path: Path, sheet: str | None = None) -> list[list]:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_a_pivot_keeps_its_county_names_and_reads_its_headers(run, tmp_path: Path) -> None:
    a = run.assessment
    county = a[a["level"] == "county"]
    pivot = county.pivot_table(
        index="org_name", columns="period", values=["status"], aggfunc="first", observed=True
    )
    assert isinstance(pivot.columns, pd.MultiIndex)
    rows = _rows(ex.export({"状态": pivot}, tmp_path / "pivot.xlsx"))
    header, body = rows[0], rows[1:]
    assert header[0] == "单位名称"
    assert header[1:] == [
        f"状态·{planlib.periods.parse_period(p).label}" for p in pivot.columns.get_level_values(1)
    ]
    assert "状态·2022年第二季度" in header
    assert [r[0] for r in body] == [str(n) for n in pivot.index]  # the counties' names
    assert {v for r in body for v in r[1:]} <= {"达标", "接近", "未达标", "无数据", None}
    # a one-level pivot whose index is named county: 县（市、区）, quarters as headers
    flat = county.rename(columns={"org_name": "county"}).pivot_table(
        index="county", columns="period", values="value", aggfunc="first", observed=True
    )
    header = _rows(ex.export(flat, tmp_path / "flat.xlsx"))[0]
    assert header[0] == "县（市、区）" and "2022年第四季度" in header


def test_booleans_levels_and_periods_read_in_chinese(run, tmp_path: Path) -> None:
    frame = run.assessment[["org_code", "org_name", "level", "period", "aspirational", "value"]]
    rows = _rows(ex.export(frame, tmp_path / "a.xlsx"))
    header, body = rows[0], rows[1:]
    assert header == ["单位代码", "单位名称", "层级", "报告期", "力争目标", "指标值"]
    assert {r[2] for r in body} == {"市", "县（市、区）"}
    assert {r[4] for r in body} <= {"是", "否"}
    assert "2022年第二季度" in {r[3] for r in body}
    values = [r[5] for r in body]
    assert all(v is None or isinstance(v, float | int) for v in values)  # numbers stay numbers
    want = [None if v != v else pytest.approx(v, rel=1e-14) for v in frame["value"]]
    assert values == want  # as computed (Excel keeps 15 digits), NaN empty
    # a filtered frame's row numbers are not written; codes stay codes with labels="code"
    coded = _rows(ex.export(frame.iloc[3:5], tmp_path / "c.xlsx", labels="code"))
    assert coded[0][0] == "org_code" and coded[1][2] in ("city", "county")


def test_a_monitoring_run_is_three_sheets(run, tmp_path: Path) -> None:
    path = ex.export(run, tmp_path / "run.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["评估", "指标", "任务"]
    assert wb["评估"].max_row == len(run.assessment) + 1
    assert wb["任务"].max_row == len(run.tasks) + 1
    # a list of frames: one sheet each
    both = openpyxl.load_workbook(ex.export([run.tasks, run.indicators], tmp_path / "l.xlsx"))
    assert both.sheetnames == ["数据1", "数据2"]


@pytest.mark.parametrize(
    ("value", "said"), [(42, "数字 42"), ("评估.xlsx", "文本「评估.xlsx」"), (None, "None")]
)
def test_what_is_not_a_table_is_refused_in_chinese(value, said, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=f"export\\(\\) 需要表格.*而不是{said}"):
        ex.export(value, tmp_path / "x.xlsx")
    with pytest.raises(UsageError, match="表「评估」应为表格"):
        ex.export({"评估": value}, tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()


def test_formula_looking_text_stays_inert(tmp_path: Path) -> None:
    frame = pd.DataFrame({"org_name": ['=HYPERLINK("http://x")', "\tcmd", "城关区"]})
    wb = openpyxl.load_workbook(ex.export(frame, tmp_path / "f.xlsx"))
    ws = wb.worksheets[0]
    assert ws["A2"].value == '=HYPERLINK("http://x")' and ws["A2"].data_type == "s"
    assert ws["A3"].data_type == "s" and ws["A4"].value == "城关区"


def test_writing_into_a_file_as_a_folder_names_it(tmp_path: Path) -> None:
    (tmp_path / "报表").write_text("not a folder")
    target = tmp_path / "报表" / "评估.xlsx"
    with pytest.raises(PlanlibError, match=f"无法写入 {target}：路径中有同名的文件"):
        ex.export(pd.DataFrame({"value": [1.0]}), target)
