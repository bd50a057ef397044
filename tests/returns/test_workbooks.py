"""Workbook cells read with calamine are the cells openpyxl reads, or openpyxl reads them."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

from planlib.returns import workbooks
from planlib.returns.workbooks import read_workbook


def trimmed(sheets):
    """Sheets without trailing blank cells and rows (openpyxl pads rows to the sheet's stated
    size, calamine to the cells that hold values; neither is read past the data)."""
    out = []
    for title, rows in sheets:
        rows = [list(r) for r in rows]
        for r in rows:
            while r and r[-1] in (None, ""):
                r.pop()
        while rows and not rows[-1]:
            rows.pop()
        out.append((title, rows))
    return out


def save(path: Path, fill) -> Path:
    wb = Workbook()
    fill(wb)
    wb.save(path)
    return path


def numbers_and_text(wb) -> None:
    ws = wb.active
    ws.title = "县级汇总"
    ws.merge_cells("B1:F1")
    ws["B1"] = "标题（合并单元格）"
    ws["C3"], ws["D3"], ws["E3"], ws["F3"] = 5, 5.0, 5.5, "  文本 "
    ws["C4"], ws["D4"], ws["E4"], ws["F4"] = 990102, 1e20, 12345678901234567890, -0.0
    ws["C5"], ws["D5"], ws["E5"] = True, "", "a\nb"
    ws["C6"] = datetime.date(2022, 3, 4)
    ws["D6"] = datetime.datetime(2022, 1, 2, 3, 4)
    ws["E6"] = datetime.time(6, 30)
    ws["F6"] = 44563.5
    ws["F6"].number_format = 'yyyy"年"m"月"d"日"'
    ws["C7"] = "=1+1"  # a formula never calculated: no cached value
    ws["J9"] = "右下角"
    ws.row_dimensions[5].hidden = True
    ws.column_dimensions["D"].hidden = True
    hidden = wb.create_sheet("隐藏")
    hidden.sheet_state = "hidden"
    hidden["A1"] = 1
    wb.create_sheet("空白")


def test_calamine_reads_what_openpyxl_reads(tmp_path, monkeypatch):
    path = save(tmp_path / "a.xlsx", numbers_and_text)
    monkeypatch.setattr(workbooks, "_openpyxl", lambda p: pytest.fail("openpyxl was used"))
    got = read_workbook(path)
    monkeypatch.undo()
    assert trimmed(got) == trimmed(workbooks._openpyxl(path))
    [(_, rows), *_] = got
    assert rows[2][2:4] == [5, 5] and type(rows[2][2]) is int  # whole numbers as int
    assert rows[0][1] == "标题（合并单元格）" and rows[0][2] is None  # merged: top-left only
    assert rows[5][2] == datetime.datetime(2022, 3, 4)  # a date as a datetime
    assert rows[8][9] == "右下角"  # Excel row 9 is index 8: rows start at A1


@pytest.mark.parametrize(
    "fill",
    [
        pytest.param(lambda wb: wb.active.__setitem__("B2", "#DIV/0!"), id="formula error"),
        pytest.param(lambda wb: wb.active.__setitem__("B2", "_x000D_5"), id="escape"),
        pytest.param(
            lambda wb: (
                wb.active.__setitem__("A1", 1),
                setattr(wb.create_sheet("格式")["C3"], "font", Font(bold=True)),
            ),
            id="formatted empty sheet",
        ),
    ],
)
def test_workbooks_calamine_would_read_otherwise_go_to_openpyxl(tmp_path, monkeypatch, fill):
    path = save(tmp_path / "b.xlsx", fill)
    used = []
    real = workbooks._openpyxl
    monkeypatch.setattr(workbooks, "_openpyxl", lambda p: used.append(p) or real(p))
    assert read_workbook(path) == real(path)
    assert used == [path]


def test_the_sample_workbooks_read_alike(small_sample, monkeypatch):
    files = sorted(small_sample.rglob("*.xlsx"))
    assert len(files) > 10
    for f in files:
        monkeypatch.setattr(workbooks, "_openpyxl", lambda p: pytest.fail(f"openpyxl for {p}"))
        got = read_workbook(f)
        monkeypatch.undo()
        assert trimmed(got) == trimmed(workbooks._openpyxl(f)), f.name


@pytest.mark.parametrize(
    "content", [b"garbage", b"PK\x03\x04 not a zip", b"\xd0\xcf\x11\xe0" + b"\0" * 100]
)
def test_not_a_workbook(tmp_path, content):
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="不是有效的 Excel"):
        read_workbook(path)


def test_a_zip_without_a_workbook(tmp_path):
    import zipfile

    path = tmp_path / "z.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(ValueError, match="不是有效的 Excel"):
        read_workbook(path)
