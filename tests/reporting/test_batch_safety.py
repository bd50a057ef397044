"""A report batch facing hostile and broken surroundings (issue «Hostile and broken inputs»).

- 3: temporary files never follow a planted symlink; a symlink at a report's name is replaced.
- 11: one batch at a time in an output folder; a lock left by a killed batch does not block.
- 12: SIGTERM, Ctrl-C (SIGINT to the process group) and SIGKILL leave no worker, kernel or
  resource tracker behind; Ctrl-C and SIGTERM stop within 2 s with one Chinese line.
- 13: a folder that cannot be written is named with its cause, in Chinese, and logged.

The batches run as users run them (``python -m planlib report`` in a new session); the tests
that start kernels are slow.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from planlib import errors
from planlib.reporting import runner
from planlib.reporting.context import ReportContext, build_context
from planlib.reporting.jobs import ReportJob, ReportResult

LOCK_NAME = ".planlib-report.lock"
write_atomic = runner.write_atomic

COUNTY = "990102"
COUNTIES = "990102,990103,990104"


@pytest.fixture(scope="module")
def city(three_county_sample: Path) -> Path:
    return three_county_sample


def _report(data: Path, out: Path, *extra: str, county: str = COUNTY) -> list[str]:
    return [
        sys.executable, "-m", "planlib", "report", "--data", str(data), "--out", str(out),
        "--only", "county", "--county", county, "--format", "html", *extra,
    ]  # fmt: skip


def _run(args: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout)


def _start(args: list[str], logs: Path) -> subprocess.Popen[bytes]:
    """A batch in a session of its own (as a terminal's job is), output to files."""
    return subprocess.Popen(
        args,
        stdout=(logs / "stdout.txt").open("wb"),
        stderr=(logs / "stderr.txt").open("wb"),
        start_new_session=True,
    )


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                stat = Path(f"/proc/{name}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            kids.setdefault(ppid, []).append(int(name))
    return kids


def _descendants(pid: int) -> list[int]:
    kids, found, todo = _children(), [], [pid]
    while todo:
        for kid in kids.get(todo.pop(), []):
            found.append(kid)
            todo.append(kid)
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _running(pids: Iterable[int]) -> list[int]:
    """Those of ``pids`` still running (a zombie waiting for its reaper has ended)."""
    alive = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.append(pid)
    return alive


def _left_after(pids: list[int], seconds: float) -> list[str]:
    """Those of ``pids`` still running ``seconds`` later, with their command lines."""
    deadline = time.monotonic() + seconds
    while _running(pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return [f"{pid} {_cmdline(pid)}" for pid in _running(pids)]


def _wait_for_kernels(proc: subprocess.Popen[bytes], count: int = 1) -> list[int]:
    """The batch's processes once ``count`` report kernels are up."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the batch ended before its kernels were up"
        family = _descendants(proc.pid)
        if sum("ipykernel" in _cmdline(pid) for pid in family) >= count:
            time.sleep(0.5)  # the kernel's first report under way
            return _descendants(proc.pid)
        time.sleep(0.2)
    raise AssertionError("no report kernel started within 90 s")


@pytest.fixture
def reap() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes a test started: killed at its end, whatever happened."""
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# --- 3: temporary files and symlinks ------------------------------------------------------


def test_a_symlink_planted_at_the_temporary_name_is_not_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    target = tmp_path / f"{COUNTY}.html"
    planted = tmp_path / f".{target.name}.{os.getpid()}.part"  # the name the runner used to use
    planted.symlink_to(victim)
    write_atomic(target, b"<p>report</p>")
    assert victim.read_bytes() == b"precious"
    assert not target.is_symlink() and target.read_bytes() == b"<p>report</p>"
    assert planted.is_symlink()  # left alone
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [victim.name, target.name, planted.name]
    )


def test_a_symlink_at_the_report_name_is_replaced_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    target = tmp_path / f"{COUNTY}.html"
    target.symlink_to(victim)
    write_atomic(target, b"<p>report</p>")
    assert victim.read_bytes() == b"precious"
    assert not target.is_symlink() and target.read_bytes() == b"<p>report</p>"


def test_a_written_report_has_the_usual_permissions(tmp_path: Path) -> None:
    write_atomic(tmp_path / "a.html", b"x")  # mkstemp alone would give 0o600
    mask = os.umask(0o022)
    os.umask(mask)
    assert (tmp_path / "a.html").stat().st_mode & 0o777 == 0o666 & ~mask


# --- 11: one batch at a time ---------------------------------------------------------------

_HOLDER = """
import sys, time
from pathlib import Path
from planlib.reporting.outdir import BatchLock
with BatchLock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(600)
"""


def _hold(out: Path, reap: list[subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
    """A process that holds ``out``'s lock until it is killed."""
    out.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(out)], stdout=subprocess.PIPE, start_new_session=True
    )
    reap.append(holder)
    assert holder.stdout is not None and holder.stdout.readline() == b"locked\n"
    return holder


def test_a_second_batch_waits_with_wait(tmp_path: Path, reap: list) -> None:  # type: ignore[type-arg]
    from planlib.reporting.outdir import BatchLock

    out = tmp_path / "out"
    holder = _hold(out, reap)
    said: list[str] = []
    lock = BatchLock(out, wait=True, waiting=said.append)
    started = time.monotonic()
    subprocess.Popen(["sh", "-c", f"sleep 1; kill -9 {holder.pid}"])
    with lock:
        assert time.monotonic() - started >= 0.9
        stamp = json.loads((out / LOCK_NAME).read_text())
        assert stamp["pid"] == os.getpid()
    assert len(said) == 1 and f"进程 {holder.pid}" in said[0]
    assert not (out / LOCK_NAME).exists()  # a batch that ends takes its lock file with it


@pytest.mark.slow
def test_a_lock_left_by_a_killed_batch_does_not_block(
    city: Path,
    tmp_path: Path,
    reap: list,  # type: ignore[type-arg]
) -> None:
    out = tmp_path / "out"
    holder = _hold(out, reap)
    started = time.monotonic()
    refused = _run(_report(city, out))
    assert refused.returncode == 1, refused.stderr
    assert time.monotonic() - started < 30  # at once: before any indicator is computed
    assert f"输出目录 {out} 正由另一个 planlib report 使用（进程 {holder.pid}，开始于" in (
        refused.stderr
    )
    assert "内部错误" not in refused.stderr and not (out / "manifest.json").exists()
    os.kill(holder.pid, signal.SIGKILL)  # its lock file stays behind, naming it
    holder.wait()
    assert (out / LOCK_NAME).read_text().strip()
    victim = tmp_path / "victim.html"
    victim.write_text("precious")
    (out / f"{COUNTY}.html").symlink_to(victim)  # planted at the report's name
    done = _run(_report(city, out))
    assert done.returncode == 0, done.stderr
    assert victim.read_text() == "precious"
    assert not (out / f"{COUNTY}.html").is_symlink()
    assert not list(out.glob(".*.part")) and not (out / LOCK_NAME).exists()


@pytest.mark.slow
def test_two_batches_in_one_folder_do_not_mix(
    city: Path,
    tmp_path: Path,
    reap: list,  # type: ignore[type-arg]
) -> None:
    out = tmp_path / "out"
    first = _start(_report(city, out, "--period", "2022Q4"), tmp_path)
    reap.append(first)
    deadline = time.monotonic() + 60
    while not (out / LOCK_NAME).is_file() or not (out / LOCK_NAME).read_text().strip():
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.1)
    second = _run(_report(city, out, "--period", "2022Q3"))
    assert second.returncode == 1
    assert f"进程 {first.pid}" in second.stderr and str(out) in second.stderr
    assert first.wait(timeout=120) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["period"] == "2022Q4"
    for entry in manifest["reports"]:
        for kind, digest in entry["sha256"].items():
            on_disk = (out / entry["files"][kind]).read_bytes()
            assert hashlib.sha256(on_disk).hexdigest() == digest


# --- 12: signals ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sig", "to_group", "code"),
    [
        (signal.SIGINT, True, 130),  # Ctrl-C: the terminal signals the whole process group
        (signal.SIGTERM, False, 143),  # kill PID, systemd, a scheduler
        (signal.SIGKILL, False, -signal.SIGKILL),  # the OOM killer, kill -9
    ],
    ids=["sigint-group", "sigterm", "sigkill"],
)
def test_a_stopped_batch_leaves_no_process_behind(
    city: Path,
    tmp_path: Path,
    reap: list,  # type: ignore[type-arg]
    sig: signal.Signals,
    to_group: bool,
    code: int,
) -> None:
    out = tmp_path / "out"
    batch = _start(_report(city, out, "--jobs", "2", county=COUNTIES), tmp_path)
    reap.append(batch)
    family = _wait_for_kernels(batch, count=2)
    assert any("resource_tracker" in _cmdline(pid) for pid in family)
    stopped = time.monotonic()
    (os.killpg if to_group else os.kill)(batch.pid, sig)
    assert batch.wait(timeout=10) == code
    took = time.monotonic() - stopped
    assert _left_after(family, 5.0) == []
    if sig == signal.SIGKILL:
        return
    assert took < 2.0
    err = (tmp_path / "stderr.txt").read_text(encoding="utf-8")
    assert "Traceback" not in err and "Error" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines[-1].startswith("已中断：") and "份报告已完成" in lines[-1], err
    assert sum("已中断" in line for line in lines) == 1
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["interrupted"] is True
    statuses = {e["key"]: e["status"] for e in manifest["reports"]}
    assert set(statuses) == set(COUNTIES.split(","))
    assert "interrupted" in statuses.values()
    assert set(statuses.values()) <= {"ok", "interrupted"}


# --- 13: an output folder that cannot be written -------------------------------------------


class _Quick:
    """An executor that renders nothing: every job comes back at once with a small file."""

    def run(self, jobs: Iterable[ReportJob], context: bytes) -> Iterator[ReportResult]:
        for job in jobs:
            yield ReportResult(job.key, "ok", {"html": b"<p>report</p>"}, None, 0.0)


@pytest.fixture(scope="module")
def ctx(city: Path) -> ReportContext:
    return build_context(city)


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.ENOSPC, "磁盘已满"), (errno.EROFS, "只读文件系统"), (errno.EACCES, "没有写入权限")],
)
def test_a_report_that_cannot_be_written_is_named_with_its_cause(
    city: Path,
    ctx: ReportContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    code: int,
    words: str,
) -> None:
    def refuse(fd: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", refuse)  # every report, manifest and index write fsyncs
    out = tmp_path / "out"
    with pytest.raises(errors.PlanlibError) as caught:
        runner.run_reports(
            city, out, formats="html", executor=_Quick(), context=ctx, kinds="county",
            counties=COUNTY,
        )  # fmt: skip
    message = str(caught.value)
    assert message.startswith(f"无法写入 {out / (COUNTY + '.html')}：{words}")
    assert message in (out / "planlib-report.log").read_text(encoding="utf-8")
    assert not list(out.glob(".*.part"))


def test_an_unwritable_output_folder_is_said_in_chinese(city: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    if os.geteuid() != 0:
        out.chmod(0o555)
        undo = ["chmod", "755", str(out)]
    elif _run(["chattr", "+i", str(out)], timeout=10).returncode == 0:  # root ignores modes
        undo = ["chattr", "-i", str(out)]
    else:
        pytest.skip("cannot make a folder unwritable here (root without chattr)")
    try:
        result = _run(_report(city, out))
    finally:
        _run(undo, timeout=10)
    assert result.returncode == 1, result.stderr
    assert "内部错误" not in result.stderr
    assert f"无法写入 {out}" in result.stderr and "没有写入权限" in result.stderr
