"""The round trip the issue asks for: forms for 2022Q4 written into a copy of the sample, filled
with openpyxl from the sample's own 2022Q4 values, validate cleanly and compute the same."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
from cli_run import planlib_cli as _planlib

from planlib.catalog.dictionary import load_dictionary
from planlib.forms.blank import write_forms
from planlib.returns.dataset import load_dataset


def _fill(form: Path, values: dict[tuple[str, str], float]) -> int:
    """Type the values into a form's input cells as a clerk would; how many were typed."""
    d = load_dictionary()
    wb = openpyxl.load_workbook(form)
    typed = 0
    for ws in (wb["县级汇总"], wb["学校明细"]):
        columns = {j: d.match(c.value) for j, c in enumerate(ws[3], start=1)}
        for r in range(4, ws.max_row + 1):
            code = ws.cell(r, 1).value
            for j, m in columns.items():
                if m is not None and m.kind == "element" and (code, m.element) in values:
                    ws.cell(r, j).value = values[(code, m.element)]
                    typed += 1
    wb.save(form)
    return typed


def test_filled_forms_validate_and_compute_like_the_sample(
    small_sample: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(small_sample, data)
    v = load_dataset(small_sample).values
    q4 = v[v["period"].eq("2022Q4") & v["file"].str.startswith("returns")]  # city/ stays
    values = dict(zip(zip(q4["org_code"], q4["element"], strict=True), q4["value"], strict=True))
    shutil.rmtree(data / "returns" / "2022Q4")
    forms = write_forms(data, "2022Q4", data / "returns" / "2022Q4").files
    assert sum(_fill(f, values) for f in forms) == len(q4)  # every value has its cell

    checked = _planlib("validate", data, "--format", "json")
    assert checked.returncode == 0, checked.stdout[-2000:]
    import json

    problems = json.loads(checked.stdout)["problems"]
    original = json.loads(_planlib("validate", small_sample, "--format", "json").stdout)["problems"]
    assert [p["message"] for p in problems] == [p["message"] for p in original]

    mine = _planlib("compute", data, "--period", "2022Q4", "--format", "csv")
    theirs = _planlib("compute", small_sample, "--period", "2022Q4", "--format", "csv")
    assert mine.returncode == theirs.returncode == 0
    assert len(theirs.stdout.splitlines()) > 50
    assert mine.stdout == theirs.stdout
