"""Validation of a whole data folder, and the `planlib validate` command as users run it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from planlib import validate


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planlib", *args], capture_output=True, text=True, timeout=300
    )


@pytest.fixture()
def data(small_sample, tmp_path) -> Path:
    out = tmp_path / "data"
    shutil.copytree(small_sample, out)
    return out


def first_xlsx(data: Path, period: str = "2022Q2") -> Path:
    return sorted((data / "returns" / period).glob("*.xlsx"))[0]


def edit(path: Path, sheet: str, cell: str, value) -> None:
    wb = load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)


def header_col(path: Path, sheet: str, header: str) -> str:
    ws = load_workbook(path)[sheet]
    for c in ws[3]:
        if c.value == header:
            return c.column_letter
    raise KeyError(header)


def test_the_sample_is_clean(small_sample):
    result = validate(small_sample)
    assert result.ok
    assert set(result.problems["severity"]) <= {"warning"}
    # the late county shows up as a completeness warning
    assert (result.problems["rule"] == "missing_return").sum() == 1
    summary = result.summary()
    assert len(summary) == 4 and summary["errors"].sum() == 0


def test_cross_element_rule(data):
    path = first_xlsx(data)
    col = header_col(path, "县级汇总", "公办园在园幼儿数")
    edit(path, "县级汇总", f"{col}4", 10**6)
    p = validate(data).problems
    hit = p[p["rule"] == "kg_public_le_total"]
    assert len(hit) == 1 and hit.iloc[0]["severity"] == "error"
    assert hit.iloc[0]["row"] == 4 and hit.iloc[0]["column"] == "公办园在园幼儿数"
    assert path.name in hit.iloc[0]["file"]


def test_unknown_school_code_and_duplicates(data):
    path = first_xlsx(data)
    edit(path, "学校明细", "A4", "9999999999")
    ws = load_workbook(path)["学校明细"]
    dup_code, dup_name = ws["A5"].value, ws["B5"].value
    edit(path, "学校明细", "A6", dup_code)
    edit(path, "学校明细", "B6", dup_name)  # the row copied whole (a code alone is name_mismatch)
    p = validate(data).problems
    unknown = p[p["rule"] == "unknown_code"]
    assert unknown.iloc[0]["value"] == "9999999999" and unknown.iloc[0]["row"] == 4
    dup = p[p["rule"] == "duplicate"]
    assert len(dup) == 1 and dup.iloc[0]["row"] == 6 and "第 5 行" in dup.iloc[0]["message"]


def test_quarter_jump_is_a_warning(data):
    path = first_xlsx(data, "2022Q3")
    col = header_col(path, "县级汇总", "3-5岁常住人口数")
    ws = load_workbook(path)["县级汇总"]
    edit(path, "县级汇总", f"{col}4", int(ws[f"{col}4"].value) * 2)
    p = validate(data).problems
    jump = p[p["rule"] == "jump"]
    assert len(jump) >= 1 and set(jump["severity"]) == {"warning"}


@pytest.mark.slow
def test_cli_exit_codes_and_json(data):
    ok = run("validate", str(data), "--format", "json")
    assert ok.returncode == 0, ok.stderr
    payload = json.loads(ok.stdout)
    assert payload["ok"] is True and payload["errors"] == 0
    path = first_xlsx(data)
    col = header_col(path, "县级汇总", "在园幼儿数")
    edit(path, "县级汇总", f"{col}4", "不详")
    bad = run("validate", str(data))
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr
    assert path.name in bad.stdout and "在园幼儿数" in bad.stdout and "不是数字" in bad.stdout


def test_a_broken_workbook_in_the_folder(data):
    path = first_xlsx(data)
    path.write_bytes(b"PK\x03\x04 not really a zip")
    result = validate(data)
    assert not result.ok
    p = result.problems
    assert (p["rule"] == "unreadable").any()
    assert p.loc[p["rule"] == "unreadable", "file"].str.contains(path.name).all()


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["990102", "990103", "1"]),
            st.sampled_from(["2022Q1", "2022Q2"]),
            st.sampled_from(["pop_3_5", "kg_total"]),
        ),
        max_size=30,
    )
)
def test_duplicates_keep_the_first_of_each_key(rows):
    import pandas as pd

    from planlib.returns.validation import check_duplicates

    values = pd.DataFrame(rows, columns=["org_code", "period", "element"], dtype="str").assign(
        value=1.0, file="f.csv", row=range(2, len(rows) + 2), column="c"
    )
    keep, problems = check_duplicates(values)
    expected = ~values.duplicated(["org_code", "period", "element"], keep="first").to_numpy()
    assert keep.tolist() == expected.tolist()
    assert sorted(p.row for p in problems) == values.loc[~expected, "row"].tolist()


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["990102", "990103", "1", None]),
            st.sampled_from(["2022Q1", "2022Q2", None]),
            st.sampled_from(["pop_3_5", "kg"]),
        ),
        max_size=40,
    ),
    st.booleans(),
)
def test_scan_keys_number_rows_one_to_one_like_row_keys(rows, by_period):
    """The bitmap's numbering of rows (org innermost for files written period by period) tells
    two rows apart exactly when the row keys do, for the rows a mask keeps too."""
    import numpy as np
    import pandas as pd

    from planlib.returns.validation import RowKeys

    frame = pd.DataFrame(rows, columns=["org_code", "period", "element"], dtype="str")
    if by_period:  # blocks of one period and element, org codes changing from row to row
        frame = frame.sort_values(["period", "element"], kind="stable")
    keys = RowKeys.of(frame)
    mask = np.arange(len(frame)) % 3 != 1
    for m in (None, mask):
        row = keys.row if m is None else keys.row[m]
        scan = keys.scan_key(m)
        assert len(scan) == len(row) and (scan < keys.space).all()
        coded = (keys.org >= 0) & (keys.period >= 0) & (keys.element >= 0)
        assert (scan[coded if m is None else coded[m]] >= 0).all()
        same_row = row[:, None] == row[None, :]
        assert (same_row == (scan[:, None] == scan[None, :])).all()


def test_year_to_date_figures_that_fall_are_flagged(data):
    """A quarter's own figure typed where the total since January belongs."""
    path = first_xlsx(data, "2022Q3")
    col = header_col(path, "县级汇总", "新增教师编制数")
    edit(path, "县级汇总", f"{col}4", 0)
    p = validate(data).problems
    hit = p[p["rule"] == "cumulative_falls"]
    assert len(hit) == 1 and hit.iloc[0]["severity"] == "error"  # not counted, as over schools
    assert hit.iloc[0]["row"] == 4 and hit.iloc[0]["column"] == "新增教师编制数"
    assert "累计" in hit.iloc[0]["message"] and path.name in hit.iloc[0]["file"]


def test_a_file_sent_under_another_countys_name_is_flagged(data):
    folder = data / "returns" / "2022Q2"
    own = first_xlsx(data)  # 990102.xlsx
    other = sorted(f for f in folder.glob("*.xlsx") if f != own)[0]
    other.unlink()
    own.rename(other)  # 990102's return, saved under the other county's file name
    p = validate(data).problems
    hit = p[p["rule"] == "file_owner"]
    # the file is at fault (name and contents disagree): an error, counted for neither county
    assert len(hit) >= 1 and (hit["severity"] == "error").all()
    assert {Path(f).name.split("［")[0] for f in hit["file"]} == {other.name}
    assert hit["message"].str.contains("990102").all()


def test_a_jump_is_measured_from_the_last_return_when_a_quarter_is_missing(data):
    q3 = first_xlsx(data, "2022Q3")
    q3.unlink()  # this county's Q3 never came
    q4 = data / "returns" / "2022Q4" / q3.name
    col = header_col(q4, "县级汇总", "3-5岁常住人口数")
    ws = load_workbook(q4)["县级汇总"]
    edit(q4, "县级汇总", f"{col}4", int(ws[f"{col}4"].value) * 2)
    p = validate(data).problems
    jump = p[(p["rule"] == "jump") & (p["org_code"] == q3.stem)]
    assert len(jump) == 1 and "2022年第二季度" in jump.iloc[0]["message"]


def test_json_even_when_the_folder_cannot_be_read(data):
    (data / "org_units.csv").unlink()
    r = run("validate", str(data), "--format", "json")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    payload = json.loads(r.stdout)
    assert payload["ok"] is False and "org_units.csv" in payload["problems"][0]["message"]
