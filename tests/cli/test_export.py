"""Tables for people: ``planlib.reporting.export`` and ``--format xlsx`` / ``--labels zh``.

(The module's own tests live here, beside the commands that use it.)
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from planlib.cli.indicators import ASSESS_COLUMNS, COMPUTE_COLUMNS
from planlib.errors import PlanlibError
from planlib.monitoring.tasks import TASK_STATUS_COLUMNS
from planlib.reporting import export as ex
from planlib.resources import data_dir


def _sheet(path: Path, name: str | None = None) -> tuple[list, list[list]]:
    wb = openpyxl.load_workbook(path)
    ws = wb[name] if name else wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows[0], rows[1:]


def _cell(v: object) -> str:
    """A cell as text CSV would show, numbers to 14 digits (Excel keeps 15)."""
    if v is None or isinstance(v, bool):
        return "" if v is None else str(v)
    try:
        return format(float(v), ".14g") if v != "" else ""  # type: ignore[arg-type]
    except ValueError:
        return str(v)


def test_labels_cover_every_column_the_commands_print() -> None:
    labels = ex.column_labels()
    for column in [*COMPUTE_COLUMNS, *ASSESS_COLUMNS, *TASK_STATUS_COLUMNS]:
        assert column in labels, column
    for code in ("org_code", "value", "status", "still_needed"):
        assert labels[code] in ("单位代码", "指标值", "状态", "还需")
    for columns in (COMPUTE_COLUMNS, ASSESS_COLUMNS, TASK_STATUS_COLUMNS):
        shown = ex.headers(columns)
        assert len(set(shown)) == len(shown)  # no two columns under one header
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in shown)


def test_the_label_file_is_plain_data() -> None:
    data = yaml.safe_load((data_dir() / "labels.yaml").read_text(encoding="utf-8"))
    assert set(data) == {"columns", "percent", "values"}
    assert set(data["percent"]) <= set(data["columns"])
    assert set(data["values"]) <= set(data["columns"])


def test_a_column_without_a_label_keeps_its_code() -> None:
    assert ex.headers(["org_code", "zz_new"]) == ["单位代码", "zz_new"]
    assert ex.headers(["org_code", "zz_new"], labels="code") == ["org_code", "zz_new"]
    # a column whose code is another column's header does not make two alike
    assert ex.headers(["value", "指标值"]) == ["指标值（value）", "指标值"]
    with pytest.raises(PlanlibError, match="未知的列名方式"):
        ex.headers(["value"], labels="en")


def test_workbook_headers_formulas_widths_and_types(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "org_code": ["990102", "=1+1", "-3", "@sum"],
            "org_name": ["城关区", "+cmd", "一个很长很长很长的单位名称", None],
            "value": [96.5, float("nan"), -1.25, 0.0],
            "share_done": [0.25, 1.0, None, 0.5],
            "n_targets": [1, 2, 3, 4],
            "aspirational": [True, False, True, False],
        }
    )
    before = frame.copy()
    path = ex.export({"评估": frame, "另一张/表": frame.head(1)}, tmp_path / "out.xlsx")
    pd.testing.assert_frame_equal(frame, before)  # the input is untouched
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["评估", "另一张_表"]
    ws = wb["评估"]
    assert [c.value for c in ws[1]] == [
        "单位代码", "单位名称", "指标值", "完成比例（占全年目标）", "目标数（个）", "力争目标",
    ]  # fmt: skip
    assert all(c.font.b for c in ws[1]) and ws.freeze_panes == "A2"
    for ref, text in (("A3", "=1+1"), ("A4", "-3"), ("A5", "@sum"), ("B3", "+cmd")):
        assert ws[ref].value == text and ws[ref].data_type == "s", ref  # text, not a formula
    assert ws["A2"].value == "990102"  # codes stay text: the leading digits survive
    assert ws["C2"].value == 96.5 and ws["C3"].value is None and ws["E2"].value == 1
    assert ws["F2"].value == "是" and ws["F3"].value == "否"  # booleans read as people say them
    assert ws["D2"].value == 0.25 and ws["D2"].number_format == "0.0%"
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    assert widths["B"] >= ex.text_width("一个很长很长很长的单位名称") > widths["E"] / 2
    assert widths["B"] > widths["C"]  # CJK text counts double


def test_labels_code_keeps_the_codes(tmp_path: Path) -> None:
    frame = pd.DataFrame({"org_code": ["1"], "status": ["达标"]})
    header, rows = _sheet(ex.export(frame, tmp_path / "c.xlsx", labels="code", sheet="表"))
    assert header == ["org_code", "status"] and rows == [["1", "达标"]]


def test_export_replaces_a_file_in_one_step(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "keep.xlsx"
    ex.export(pd.DataFrame({"value": [1.0]}), path)
    good = path.read_bytes()

    def broken(src, dst):  # the rename fails after the new workbook was written
        assert Path(src).stat().st_size > 0
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(PlanlibError, match=f"无法写入 {path}：磁盘已满"):
        ex.export(pd.DataFrame({"value": [2.0]}), path)
    assert path.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.xlsx"]  # no temp file left


def test_an_empty_frame_still_has_its_headers(tmp_path: Path) -> None:
    header, rows = _sheet(
        ex.export(pd.DataFrame(columns=["org_code", "value"]), tmp_path / "e.xlsx")
    )
    assert header == ["单位代码", "指标值"] and rows == []


@pytest.mark.parametrize("command", ["compute", "assess", "ledger"])
def test_xlsx_rows_equal_the_csv_output(planlib_cli, sample, tmp_path, command: str) -> None:
    book = tmp_path / f"{command}.xlsx"
    r = planlib_cli(command, sample, "--period", "2022Q3:2022Q4", "--format", "xlsx", "--out", book)
    assert r.returncode == 0, r.stderr
    assert f"已写入 {book}" in r.stderr
    csv = planlib_cli(command, sample, "--period", "2022Q3:2022Q4", "--labels", "zh")
    assert csv.returncode == 0, csv.stderr
    printed = pd.read_csv(io.StringIO(csv.stdout), dtype=str, keep_default_na=False)
    header, rows = _sheet(book)
    assert header == list(printed.columns)
    assert "报告期" in header and ("单位代码" in header or "任务编号" in header)
    assert len(rows) == len(printed)
    # the workbook shows codes as people read them; CSV and JSON keep the codes
    shown = {"True": "是", "False": "否", "city": "市", "county": "县（市、区）"}
    shown |= {"2022Q3": "2022年第三季度", "2022Q4": "2022年第四季度"}
    for got, want in zip(rows, printed.values.tolist(), strict=True):
        assert [_cell(v) for v in got] == [_cell(shown.get(v, v)) for v in want]
    assert {row[header.index("报告期")] for row in rows} == {"2022年第三季度", "2022年第四季度"}


def test_out_suffix_chooses_the_format_and_labels_follow(planlib_cli, sample, tmp_path) -> None:
    book = tmp_path / "指标.xlsx"
    r = planlib_cli("compute", sample, "--level", "city", "-o", book, "--labels", "code")
    assert r.returncode == 0, r.stderr
    header, _ = _sheet(book, "指标")
    assert header[:2] == ["org_code", "org_name"]
    js = planlib_cli("compute", sample, "--level", "city", "--format", "json", "--labels", "zh")
    assert js.returncode == 0, js.stderr
    record = json.loads(js.stdout)[0]
    assert record["单位代码"] == "990100" and "指标值" in record


def test_xlsx_needs_a_file(planlib_cli, sample) -> None:
    r = planlib_cli("assess", sample, "--format", "xlsx")
    assert r.returncode == 2
    assert "xlsx 格式须用 --out 指定要写入的文件" in r.stderr and "Traceback" not in r.stderr


def test_indicators_export(planlib_cli, tmp_path) -> None:
    book = tmp_path / "defs.xlsx"
    r = planlib_cli("indicators", "--out", book)
    assert r.returncode == 0, r.stderr
    header, rows = _sheet(book, "指标定义")
    assert header[:2] == ["指标代码", "指标名称"] and len(rows) > 10
