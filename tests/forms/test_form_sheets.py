"""Inert text cells (planlib.forms.sheets.put_text): any text a return or registry holds is
written as text, read back the same, and never becomes a formula."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

from planlib.forms.sheets import mark_format, put_text, put_value


def _saved(texts: list[str]) -> tuple[openpyxl.Workbook, str]:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for i, text in enumerate(texts, start=1):
        put_text(ws.cell(i, 1), text)
    buffer = io.BytesIO()
    wb.save(buffer)
    with zipfile.ZipFile(buffer) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    return openpyxl.load_workbook(buffer), xml


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=5))
def test_any_text_stays_text(texts: list[str]) -> None:
    wb, xml = _saved(texts)
    assert "<f>" not in xml and "<f " not in xml
    ws = wb.active
    assert ws is not None
    for i, text in enumerate(texts, start=1):
        cell = ws.cell(i, 1)
        legal = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "\ufffd", text)
        # Excel stores text with CR line ends as LF on reading, and "" as no cell
        if legal.strip("\r") and "\r" not in legal:
            assert cell.value == legal and cell.data_type == "s"


def test_formula_starts_get_a_quote_prefix() -> None:
    wb, _ = _saved(["=1+1", "+1", "-1", "@A1", "1"])
    ws = wb.active
    assert ws is not None
    assert [ws.cell(i, 1).quotePrefix for i in range(1, 6)] == [True, True, True, True, False]
    assert [ws.cell(i, 1).value for i in range(1, 6)] == ["=1+1", "+1", "-1", "@A1", "1"]


def test_values_numbers_stay_numbers_text_stays_text() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    cells = [
        put_value(ws.cell(1, i), v) for i, v in enumerate(["12", "1.5", "12,953", "=A1", 7], 1)
    ]
    assert [c.value for c in cells] == [12, 1.5, "12,953", "=A1", 7]
    assert cells[3].data_type == "s"


def test_mark_format_keeps_the_value() -> None:
    assert mark_format("×") == '"× "General;"× "-General;"× "0;"× "@'
