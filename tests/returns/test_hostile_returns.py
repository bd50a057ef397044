"""Hostile and broken return files planted among good ones: links, corrupt workbooks, a CSV cell
past the field limit, odd file names, zip bombs, a million junk rows. Each is refused by name
with a problem, the other counties are read as in the clean folder, and memory and time stay
small (the heavy files are checked in a ``planlib validate`` subprocess)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import planlib
from planlib.errors import Problem

GOOD = "returns/2022Q1/990102.xlsx"


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    """The sample city (3 counties) and its clean values."""
    folder = tmp_path_factory.mktemp("city") / "data"
    planlib.make_sample(folder, seed=7, counties=3, schools_per_county=20)
    return folder, _values(planlib.validate(folder).values)


def _values(values: pd.DataFrame) -> pd.DataFrame:
    cols = ["org_code", "period", "element", "value", "file", "row", "column"]
    return values[cols].sort_values(cols[:3]).reset_index(drop=True)


def _copy(city: tuple[Path, pd.DataFrame], tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(city[0], folder, symlinks=True)
    return folder


def _others_read(
    city: tuple[Path, pd.DataFrame], values: pd.DataFrame, hostile: str | None = None
) -> None:
    """Every value of the clean folder is read, but those of the file ``hostile`` replaced."""
    clean = city[1]
    if hostile is not None:
        clean = clean[~clean["file"].str.startswith(hostile)].reset_index(drop=True)
    pd.testing.assert_frame_equal(_values(values), clean, check_dtype=False)


def _rewrite(src: Path, dst: Path, change: Callable[[str, bytes], bytes]) -> None:
    with zipfile.ZipFile(src) as zin:
        entries = [(i.filename, zin.read(i)) for i in zin.infolist()]
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in entries:
            zout.writestr(name, change(name, data))


def _errors(problems: pd.DataFrame, file: str) -> pd.DataFrame:
    return problems[problems["file"].eq(file) & problems["severity"].eq("error")]


def _cli_measured(folder: Path) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """``planlib validate --format json`` in a fresh process: the run, its peak RSS in MB (of
    that process alone: a new parent waits for it) and its elapsed seconds."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "r = subprocess.run([sys.executable, '-m', 'planlib', 'validate', '--format', 'json',"
        " sys.argv[1]], capture_output=True, text=True)\n"
        "took = time.perf_counter() - t\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "sys.stderr.write(r.stderr)\n"
        "print(r.returncode, peak, took)\n"
        "print(r.stdout)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe, str(folder)], capture_output=True, text=True, timeout=120
    )
    head, _, out = run.stdout.partition("\n")
    code, peak, took = head.split()
    return (
        subprocess.CompletedProcess(run.args, int(code), out, run.stderr),
        float(peak),
        float(took),
    )


def _json_problems(run: subprocess.CompletedProcess[str]) -> pd.DataFrame:
    assert "Traceback" not in run.stderr and "内部错误" not in run.stderr + run.stdout
    return pd.DataFrame(json.loads(run.stdout)["problems"])


# --- finding 2: links -------------------------------------------------------------------------


def test_a_symlink_is_refused_by_name_and_never_followed(
    city: tuple[Path, pd.DataFrame], tmp_path: Path
) -> None:
    folder = _copy(city, tmp_path)
    secret = tmp_path / "secret.csv"
    secret.write_text("行政区划代码,在园幼儿数\n990102,12345\nroot:x:0:0:root\n", encoding="utf-8")
    os.symlink(secret, folder / "returns/2022Q1/990102_县级.csv")
    os.symlink(tmp_path, folder / "returns/2022Q1/elsewhere")
    result = planlib.validate(folder)
    p = result.problems
    for name in ("returns/2022Q1/990102_县级.csv", "returns/2022Q1/elsewhere"):
        refused = _errors(p, name)
        assert list(refused["rule"]) == ["symlink"], p
        assert "符号链接" in refused["message"].iloc[0]
    assert not p["value"].astype(str).str.contains("root:|12345").any()
    assert not p["file"].str.contains("secret").any()
    _others_read(city, result.values)


# --- finding 7: one bad file never stops the others ----------------------------------------------


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet2.xml"])
def test_a_truncated_workbook_is_one_problem_and_the_rest_is_read(
    city: tuple[Path, pd.DataFrame], tmp_path: Path, part: str
) -> None:
    folder = _copy(city, tmp_path)
    target = folder / GOOD
    _rewrite(city[0] / GOOD, target, lambda n, b: b[: len(b) // 2] if n == part else b)
    result = planlib.validate(folder)
    bad = _errors(result.problems, GOOD)
    assert list(bad["rule"]) == ["unreadable"]
    assert "文件已损坏（xlsx 内部的 XML 不完整" in bad["message"].iloc[0]
    _others_read(city, result.values, GOOD)
    run, _, _ = _cli_measured(folder)
    assert run.returncode == 1
    assert GOOD in set(_json_problems(run)["file"])


def test_a_csv_cell_past_the_field_limit_is_one_problem(
    city: tuple[Path, pd.DataFrame], tmp_path: Path
) -> None:
    folder = _copy(city, tmp_path)
    name = "returns/2022Q1/990104_县级.csv"
    (folder / name).write_text(
        "行政区划代码,单位名称,在园幼儿数\n990104," + "长" * 200_000 + ",5\n", encoding="utf-8"
    )
    result = planlib.validate(folder)
    bad = _errors(result.problems, name)
    assert list(bad["rule"]) == ["unreadable"]
    assert "第 2 行有单元格超过 131,072 个字符" in bad["message"].iloc[0]
    _others_read(city, result.values)


def test_a_file_name_with_a_newline_or_bidi_control_is_refused_escaped(
    city: tuple[Path, pd.DataFrame], tmp_path: Path
) -> None:
    folder = _copy(city, tmp_path)
    moved = "returns/2022Q1/990103.xlsx"
    (folder / moved).rename(folder / "returns/2022Q1/990103\n\u202exslx.xlsx")
    result = planlib.validate(folder)
    shown = "returns/2022Q1/990103\\n\\u202exslx.xlsx"
    bad = _errors(result.problems, shown)
    assert list(bad["rule"]) == ["file_name"] and bad["org_code"].iloc[0] == "990103"
    assert not result.problems["file"].str.contains("\n|\u202e").any()
    assert not result.values["file"].str.contains("\n|\u202e").any()
    _others_read(city, result.values, moved)
    run, _, _ = _cli_measured(folder)
    assert run.returncode == 1 and shown in set(_json_problems(run)["file"])


# --- finding 8: resource caps ------------------------------------------------------------------


def _bomb(path: Path, sheet_bytes: int, padding: int) -> None:
    """The clean workbook with its school sheet replaced by ``sheet_bytes`` of rows padded with
    spaces (deflate packs them ~1000:1), written as a stream: nothing large held in memory."""
    with zipfile.ZipFile(path) as zin:
        entries = [(i.filename, zin.read(i)) for i in zin.infolist()]
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' + b" " * padding
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in entries:
            if name != "xl/worksheets/sheet2.xml":
                zout.writestr(name, data)
                continue
            with zout.open(name, "w", force_zip64=True) as w:
                w.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/')
                w.write(b'main"><sheetData>')
                chunk, written = row * max(1, 10_000_000 // len(row)), 0
                while written < sheet_bytes:
                    w.write(chunk)
                    written += len(chunk)
                w.write(b"</sheetData></worksheet>")


def test_a_zip_bomb_is_refused_before_parsing_in_little_memory_and_time(
    city: tuple[Path, pd.DataFrame], tmp_path: Path
) -> None:
    folder = _copy(city, tmp_path)
    _bomb(folder / GOOD, 500_000_000, 20_000)
    assert (folder / GOOD).stat().st_size < 1_000_000
    run, peak_mb, took = _cli_measured(folder)
    assert run.returncode == 1
    bad = _errors(_json_problems(run), GOOD)
    assert list(bad["rule"]) == ["unreadable"]
    assert "超过上限 200 MB" in bad["message"].iloc[0]
    assert peak_mb < 400, f"peak RSS {peak_mb:.0f} MB"
    assert took < 20, f"{took:.1f} s"


def test_an_entry_compressed_too_well_is_refused(
    city: tuple[Path, pd.DataFrame], tmp_path: Path
) -> None:
    folder = _copy(city, tmp_path)
    _bomb(folder / GOOD, 20_000_000, 20_000)  # under the size cap, a ratio near 1000
    result = planlib.validate(folder)
    bad = _errors(result.problems, GOOD)
    assert "超过上限 100" in bad["message"].iloc[0]
    _others_read(city, result.values, GOOD)


def _junk_rows(path: Path, rows: int) -> None:
    """The clean workbook with ``rows`` junk rows under its school sheet, written as raw XML."""
    with zipfile.ZipFile(path) as zin:
        entries = [(i.filename, zin.read(i)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in entries:
            if name != "xl/worksheets/sheet2.xml":
                zout.writestr(name, data)
                continue
            head, rest = data.split(b"<sheetData>")
            body, tail = rest.split(b"</sheetData>")
            junk = b"".join(
                b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d" t="inlineStr"><is><t>junk</t>'
                b"</is></c></row>" % (i, i, i, i)
                for i in range(100, 100 + rows)
            )
            zout.writestr(name, head + b"<sheetData>" + body + junk + b"</sheetData>" + tail)


def test_a_workbook_of_junk_rows_is_refused_in_little_memory_and_time(
    city: tuple[Path, pd.DataFrame], tmp_path: Path
) -> None:
    folder = _copy(city, tmp_path)
    _junk_rows(folder / GOOD, 300_000)
    run, peak_mb, took = _cli_measured(folder)
    assert run.returncode == 1
    bad = _errors(_json_problems(run), GOOD)
    assert list(bad["rule"]) == ["unreadable"]
    assert "超过上限 200,000 行" in bad["message"].iloc[0]
    assert peak_mb < 400, f"peak RSS {peak_mb:.0f} MB"
    assert took < 20, f"{took:.1f} s"
    result = planlib.validate(folder)
    _others_read(city, result.values, GOOD)


def test_columns_and_area_are_capped_from_the_xml() -> None:
    from planlib.errors import ReturnLimitError
    from planlib.returns import workbooks

    wide = b'<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="ALM1"><v>2</v></c></row></sheetData>'
    with pytest.raises(ReturnLimitError, match="1,000 列"):
        workbooks.check_extent(wide)
    far = (
        b'<sheetData><row r="1"><c r="AZ1"><v>1</v></c></row><row r="190000"><c r="A190000"/></row>'
    )
    with pytest.raises(ReturnLimitError, match="单元格"):
        workbooks.check_extent(far)
    workbooks.check_extent(b'<sheetData><row r="3000"><c r="AC3000"><v>1</v></c></row></sheetData>')


def test_problems_of_one_rule_in_one_file_are_capped_with_a_summary(
    city: tuple[Path, pd.DataFrame], tmp_path: Path
) -> None:
    folder = _copy(city, tmp_path)
    name = "returns/2022Q1/990104_县级.csv"
    lines = ["行政区划代码,单位名称,在园幼儿数"] + ["990104,西山区,许多"] * 3_000
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    p = planlib.validate(folder).problems
    mine = p[p["file"].eq(name)]
    counts = mine["rule"].value_counts()
    assert counts.max() <= 1_001
    more = mine[mine["message"].str.startswith("……另有")]
    assert more["message"].str.contains("……另有 2000 个同类问题").any(), more
    # summaries of summaries add up
    from planlib.returns.cells import cap_problems

    ps = [Problem(name, i, "x", None, "m", rule="r") for i in range(5)]
    once = cap_problems(ps, 2)
    assert [q.message[:12] for q in once[2:]] == ["……另有 3 个同类问题"]
    assert cap_problems([*once, *ps], 2)[-1].message.startswith("……另有 8 个同类问题")


def test_feedback_never_opens_a_zip_bomb_whole(
    city: tuple[Path, pd.DataFrame], tmp_path: Path
) -> None:
    """The marked copy sent back to a county is made without loading a bomb into memory."""
    folder = _copy(city, tmp_path)
    _bomb(folder / GOOD, 500_000_000, 20_000)
    out = tmp_path / "feedback"
    probe = (
        "import resource, subprocess, sys\n"
        "r = subprocess.run([sys.executable, '-m', 'planlib', 'feedback', sys.argv[1],"
        " '--out', sys.argv[2], '--period', '2022Q1'], capture_output=True, text=True)\n"
        "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe, str(folder), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    code, peak = run.stdout.split()
    assert int(code) == 1, run.stderr  # the county must resubmit: its file is unreadable
    assert float(peak) < 500, f"peak RSS {float(peak):.0f} MB"
    assert any(out.glob("*.xlsx"))  # the other counties' answers are written
