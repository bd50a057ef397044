"""Hostile and broken inputs meet the outputs (issue «Hostile and broken inputs»).

1. A unit name from ``org_units.csv`` such as ``/../../../x/PWNED`` never makes a file outside
   ``--out`` (nor a subfolder): every name is made one safe file name (planlib.safety).
4. compute, assess and ledger CSVs hold no live formula: text starting with = + - @ (tab, CR)
   gets a leading ', numbers stay numbers.
13. A full disk, a read-only folder or a closed pipe is said as what it is, in Chinese, naming
   the file or 标准输出, with exit code 1 (never 内部错误, never exit 0 on a cut file).

Commands run as a user runs them, in a new process (tests/cli_run.py).
"""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import openpyxl
import pytest
from cli_run import planlib_cli

import planlib
from planlib.errors import OutputError, PlanlibError
from planlib.safety import inert_csv, inside, safe_filename

HOSTILE = {
    "990102": "/../../../x/PWNED",
    "990103": '=HYPERLINK("http://example.invalid","点我")\\..\\..\\y',
    "990104": "\u202eslx.exe\u200e\u2066a\tb\u2069/" + "很长的名字" * 40,
}
"""Names planted for the three sample counties (codes kept)."""


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostile-sample") / "city"
    planlib.make_sample(out, seed=7, counties=3, schools_per_county=20)
    return out


def _copy(city: Path, where: Path, names: dict[str, str] | None = None) -> Path:
    """The sample city copied to ``where/city``, with ``names`` (code → name) in org_units.csv."""
    data = where / "city"
    shutil.copytree(city, data)
    if names:
        path = data / "org_units.csv"
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        for row in rows[1:]:
            row[1] = names.get(row[0], row[1])
        text = io.StringIO()
        csv.writer(text).writerows(rows)
        path.write_text(text.getvalue(), encoding="utf-8")
    return data


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file() or p.is_symlink()}


def _assert_safe(name: str) -> None:
    assert "/" not in name and "\\" not in name and ".." not in name, name
    assert not name.startswith((".", " ")), name
    assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name), repr(name)
    assert not any(ch in '<>:"|?*' for ch in name), name
    assert len(name.encode("utf-8")) <= 200, name


# --- 1. file names from data ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("/../../../x/PWNED", "x_PWNED"),
        ("a/b\\c", "a_b_c"),
        ("..", "替代"),
        ("  ...hidden", "hidden"),
        ("\u202eexe.txt\u200b", "exe.txt"),
        ("a\x00b\nc", "a_b_c"),
        ('<>:"|?*', "替代"),
        ('a<>:"|?*', "a_______"),
        ("CON", "_CON"),
        ("", "替代"),
        ("东湖区", "东湖区"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    got = safe_filename(name, "替代")
    assert got.endswith(expected) and got
    _assert_safe(got)


def test_safe_filename_cuts_between_characters() -> None:
    got = safe_filename("区" * 100, limit=120)
    assert got == "区" * 40 and len(got.encode("utf-8")) == 120
    assert safe_filename("/", "") == "_"  # never empty, whatever the fallback


def test_inside_refuses_a_path_that_leaves_its_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert inside(out, out / "a.xlsx") == out / "a.xlsx"
    for bad in (out / ".." / "x.xlsx", out, tmp_path / "elsewhere.xlsx"):
        with pytest.raises(OutputError, match="不在输出目录"):
            inside(out, bad)
    out.mkdir()
    (out / "link").symlink_to(tmp_path)
    with pytest.raises(OutputError):
        inside(out, out / "link" / "x.xlsx")
    assert issubclass(OutputError, PlanlibError)


def test_hostile_unit_names_stay_inside_out(city: Path, tmp_path: Path) -> None:
    """forms and feedback with three hostile county names: every file lands directly in --out
    with a safe name; an earlier file where a hostile name points is not deleted either."""
    data = _copy(city, tmp_path, HOSTILE)
    deep = tmp_path / "a" / "b" / "c"
    decoy = tmp_path / "a" / "b" / "x" / "PWNED_2022Q4_问题反馈.xlsx"
    decoy.parent.mkdir(parents=True)
    decoy.write_bytes(b"not planlib's")
    before = _files(tmp_path)
    forms = planlib_cli("forms", data, "--period", "2023Q1", "--out", deep / "forms")
    assert forms.returncode == 0, forms.stderr
    feedback = planlib_cli("feedback", data, "--out", deep / "feedback", "--period", "2022Q4")
    assert feedback.returncode in (0, 1), feedback.stderr
    assert "内部错误" not in feedback.stderr + forms.stderr
    new = _files(tmp_path) - before
    assert decoy.exists()
    assert {p.parent for p in new} == {deep / "forms", deep / "feedback"}, sorted(new)
    for p in new:
        _assert_safe(p.name)
    made = sorted(p.name for p in new if p.parent.name == "forms")
    assert len(made) == 3 and all(n.endswith("_2023Q1.xlsx") for n in made)
    assert made[0].startswith("990102_") and "PWNED" in made[0]
    # what the workbook shows from the name stays inert text, never a formula
    form = next(p for p in new if p.name.startswith("990103_") and p.parent.name == "forms")
    title = openpyxl.load_workbook(form)["县级汇总"]["A1"]
    assert title.data_type == "s" and title.value.startswith("=HYPERLINK") and title.quotePrefix


# --- 4. CSV for Excel ---------------------------------------------------------------------------


def test_inert_csv() -> None:
    assert [inert_csv(v) for v in ("=1+1", "+x", "-x", "@A1", "\tx", "\rx")] == [
        "'=1+1", "'+x", "'-x", "'@A1", "'\tx", "'\rx",
    ]  # fmt: skip
    assert [inert_csv(v) for v in ("-5", "-1.5e3", -5, -2.5, "东湖区", None)] == [
        "-5", "-1.5e3", -5, -2.5, "东湖区", None,
    ]  # fmt: skip


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_outputs_hold_no_live_formula(city: Path, tmp_path: Path) -> None:
    names = {"990102": "=1+1", "990103": "@SUM(1,2)", "990104": "-2+3"}
    data = _copy(city, tmp_path, names)
    ledger = data / "ledger" / "2022Q4.xlsx"
    wb = openpyxl.load_workbook(ledger)
    cell = wb.active["G4"]  # 下一步计划 of task 1.1
    cell.value, cell.data_type = '=HYPERLINK("http://example.invalid")', "s"
    wb.save(ledger)
    out = tmp_path / "指标.csv"
    run = planlib_cli("compute", data, "--period", "2022Q4", "--out", out)
    assert run.returncode == 0, run.stderr
    rows = _rows(out.read_bytes().decode("utf-8-sig"))
    shown = {r["org_code"]: r["org_name"] for r in rows}
    assert {c: shown[c] for c in names} == {c: "'" + n for c, n in names.items()}
    assess = planlib_cli("assess", data, "--period", "2022Q4", "--format", "csv")
    assert assess.returncode == 0, assess.stderr
    rows = _rows(assess.stdout)
    assert {r["org_name"] for r in rows if r["org_code"] in names} == {
        "'" + n for n in names.values()
    }
    gaps = [r["gap"] for r in rows if r["gap"].startswith("-")]
    assert gaps and all(re.fullmatch(r"-\d+(\.\d+)?(e-?\d+)?", g) for g in gaps)  # numbers stay
    for row in rows:
        assert not any(v.startswith(("=", "+", "@", "\t", "\r")) for v in row.values() if v)
    led = planlib_cli("ledger", data, "--period", "2022Q4", "--format", "csv")
    assert led.returncode == 0, led.stderr
    steps = {r["task_id"]: r["next_step"] for r in _rows(led.stdout)}
    assert steps["1.1"] == '\'=HYPERLINK("http://example.invalid")'
    helptext = planlib_cli("compute", "-h").stdout
    assert "当作公式" in re.sub(r"\s+", "", helptext)


# --- 13. write errors ---------------------------------------------------------------------------

needs_dev_full = pytest.mark.skipif(
    not Path("/dev/full").exists(), reason="/dev/full (a device that is always full) is Linux's"
)


def _run_to(stdout: object, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planlib", *map(str, args)],
        stdout=stdout,  # type: ignore[arg-type]
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
    )


@needs_dev_full
def test_stdout_on_a_full_disk(city: Path) -> None:
    with open("/dev/full", "w") as full:
        run = _run_to(full, "compute", city, "--period", "2022Q4", "--format", "csv")
    assert run.returncode == 1
    assert "无法写入 标准输出：磁盘已满" in run.stderr
    assert "内部错误" not in run.stderr and "Traceback" not in run.stderr


@needs_dev_full
@pytest.mark.parametrize("suffix", [".csv", ".json", ".xlsx"])
def test_out_file_on_a_full_disk(city: Path, tmp_path: Path, suffix: str) -> None:
    """``--out`` a link to a full device: written into (the link is not replaced), and the
    full disk reported."""
    link = tmp_path / f"结果{suffix}"
    link.symlink_to("/dev/full")
    run = planlib_cli("compute", city, "--period", "2022Q4", "--out", link)
    assert run.returncode == 1, run.stderr
    assert f"无法写入 {link}：磁盘已满" in run.stderr.replace("\n", "")
    assert link.is_symlink() and os.readlink(link) == "/dev/full"
    assert "已写入" not in run.stderr


def test_stdout_into_a_closed_pipe(city: Path) -> None:
    """``planlib compute … | head -1`` where head has gone: exit 1 and the pipe named."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "planlib", "compute", city, "--period", "2022Q4", "--format", "csv"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before planlib writes a line
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=300) == 1
    assert "无法写入 标准输出：输出管道已关闭" in err
    assert "Exception ignored" not in err and "Traceback" not in err


def test_head_reading_one_line(city: Path) -> None:
    """The pipe a user writes: head reads its line, planlib ends cleanly either way."""
    run = subprocess.run(
        f"'{sys.executable}' -m planlib compute '{city}' --period all --format csv | head -1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.stdout.startswith("org_code,") and run.stdout.count("\n") == 1
    assert "内部错误" not in run.stderr and "Traceback" not in run.stderr


def test_out_folder_where_a_file_is(city: Path, tmp_path: Path) -> None:
    """``--out`` below a file: the forms say the path holds a file, not 内部错误."""
    blocker = tmp_path / "占位"
    blocker.write_text("x")
    for command in (
        ["forms", city, "--period", "2023Q1", "--out", blocker / "out"],
        ["feedback", city, "--out", blocker / "out"],
    ):
        run = planlib_cli(*command)
        assert run.returncode == 1, run.stderr
        assert "无法写入" in run.stderr and "不是文件夹" in run.stderr, run.stderr
        assert "内部错误" not in run.stderr


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0,
    reason="as root, permission bits do not stop writes (the test above puts a file in the way)",
)
def test_read_only_out_folder(city: Path, tmp_path: Path) -> None:
    out = tmp_path / "只读"
    out.mkdir()
    out.chmod(0o500)
    try:
        for command in (
            ["forms", city, "--period", "2023Q1", "--out", out],
            ["feedback", city, "--out", out],
        ):
            run = planlib_cli(*command)
            assert run.returncode == 1, run.stderr
            assert "无法写入" in run.stderr and "没有写入权限" in run.stderr, run.stderr
    finally:
        out.chmod(0o700)


@pytest.mark.parametrize(
    ("code", "cause"),
    [(errno.ENOSPC, "磁盘已满"), (errno.EROFS, "文件系统只读"), (errno.EACCES, "没有写入权限")],
)
def test_feedback_writer_reports_the_cause(
    city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, cause: str
) -> None:
    """A disk that fills (or turns read-only) while the workbooks are saved: the error names
    the workbook and the cause, and no half-written part is left in the folder."""
    from planlib.forms.feedback import write_feedback

    def failing(fd: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr("planlib.safety.os.fsync", failing)
    out = tmp_path / "out"
    with pytest.raises(OutputError, match=f"无法写入 .*990102_城关区_2022Q4_.*：{cause}"):
        write_feedback(city, out, "2022Q4")
    assert list(out.iterdir()) == []
