"""The Dask executor on a real LocalCluster of two worker processes (one thread each).

The job functions here are cheap stand-ins for ``render_job``; one kills its own worker process
on its first attempt to show a batch loses no report when a worker dies mid-batch.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cloudpickle
import pytest
from distributed import LocalCluster

from planlib.errors import PlanlibError
from planlib.reporting.dask_executor import DaskExecutor, SchedulerUnreachableError

pytestmark = pytest.mark.slow

# Workers cannot import this test module: ship its functions and classes by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


@dataclass(frozen=True)
class Job:
    key: str
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    key: str
    status: str
    files: dict[str, bytes]
    error: str | None
    seconds: float


def echo(job: Job, context: bytes) -> Result:
    """Returns the context it got and the worker pid, as a rendered 'file'."""
    body = f"{job.key}|{os.getpid()}|".encode() + context
    return Result(job.key, "ok", {f"{job.key}.html": body}, None, 0.0)


def kill_once(job: Job, context: bytes) -> Result:
    """Kills its own worker process the first time it runs a job marked ``kill``."""
    marker = job.parameters.get("kill")
    if marker and not Path(marker).exists():
        Path(marker).write_text(str(os.getpid()))
        time.sleep(0.2)  # let the other jobs spread over both workers first
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.05)
    return echo(job, context)


def fail_once(job: Job, context: bytes) -> Result:
    marker = Path(job.parameters["marker"])
    if not marker.exists():
        marker.write_text("1")
        raise RuntimeError("first attempt fails")
    return echo(job, context)


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        memory_limit="512MiB",
        dashboard_address=":0",
    ) as c:
        yield c


def test_every_job_comes_back_with_the_broadcast_context(cluster: LocalCluster) -> None:
    jobs = [Job(f"county-{i:03d}") for i in range(12)]
    context = b"\x00context\xff" * 1000
    executor = DaskExecutor(cluster.scheduler_address, render=echo)
    results = list(executor.run(jobs, context))
    assert sorted(r.key for r in results) == sorted(j.key for j in jobs)
    for r in results:
        body = r.files[f"{r.key}.html"]
        assert body.endswith(context)
        assert body.startswith(f"{r.key}|".encode())
    assert all(r.status == "ok" for r in results)


def test_a_worker_killed_mid_batch_loses_no_report(cluster: LocalCluster, tmp_path: Path) -> None:
    marker = tmp_path / "killed.pid"
    jobs = [Job(f"county-{i:03d}") for i in range(10)]
    jobs.insert(3, Job("county-victim", {"kill": str(marker)}))
    executor = DaskExecutor(cluster.scheduler_address, render=kill_once)
    results = list(executor.run(jobs, b"ctx"))

    assert marker.exists(), "the victim job never ran, so no worker was killed"
    killed_pid = int(marker.read_text())
    assert sorted(r.key for r in results) == sorted(j.key for j in jobs)
    assert all(r.status == "ok" for r in results), [r.error for r in results]
    victim = next(r for r in results if r.key == "county-victim")
    pid = int(victim.files["county-victim.html"].split(b"|")[1])
    assert pid != killed_pid  # re-run by a live (restarted or other) worker process


def test_a_task_that_raises_is_retried(cluster: LocalCluster, tmp_path: Path) -> None:
    jobs = [Job("flaky", {"marker": str(tmp_path / "m")})]
    results = list(
        DaskExecutor(cluster.scheduler_address, retries=1, render=fail_once).run(jobs, b"")
    )
    assert [(r.key, r.status) for r in results] == [("flaky", "ok")]


def test_an_empty_batch_needs_no_cluster() -> None:
    assert list(DaskExecutor("tcp://127.0.0.1:1", render=echo).run([], b"")) == []


def test_an_unreachable_scheduler_is_a_chinese_error() -> None:
    with socket.socket() as s:  # a port that nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    executor = DaskExecutor(f"tcp://127.0.0.1:{port}", render=echo, timeout=1)
    with pytest.raises(SchedulerUnreachableError, match="无法连接 Dask 调度器") as info:
        list(executor.run([Job("a")], b""))
    assert f"127.0.0.1:{port}" in str(info.value)
    assert "dask scheduler" in str(info.value)


def test_the_address_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://10.0.0.5:8786")
    assert DaskExecutor(render=echo).address == "tcp://10.0.0.5:8786"
    assert DaskExecutor("tcp://h:1", render=echo).address == "tcp://h:1"
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS")
    with pytest.raises(PlanlibError, match="未指定 Dask 调度器地址"):
        DaskExecutor(render=echo)


def test_a_scheduler_without_workers_is_a_chinese_error() -> None:
    with LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as empty:
        executor = DaskExecutor(empty.scheduler_address, render=echo, timeout=0.5)
        with pytest.raises(SchedulerUnreachableError, match="没有可用的 worker"):
            list(executor.run([Job("a")], b""))


def kill_always(job: Job, context: bytes) -> Result:
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


def test_a_job_that_keeps_killing_workers_is_reported_failed_not_lost() -> None:
    import dask

    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as c,
    ):
        executor = DaskExecutor(c.scheduler_address, render=kill_always)
        results = {r.key: r for r in executor.run([Job("poison")], b"")}
    assert set(results) == {"poison"}  # reported, not lost: the manifest can list it
    assert results["poison"].status == "failed"
    assert results["poison"].files == {}
    assert "Dask 集群上生成失败" in (results["poison"].error or "")


def _manifest_without_timings(out: Path) -> dict[str, Any]:
    import json

    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    data.pop("generated_at")
    for entry in data["reports"]:
        entry.pop("seconds")
        # the rendered bytes carry execution times and stamps; which files exist still counts
        entry["sha256"] = sorted(entry["sha256"])
    return dict(data)


def test_real_reports_through_dask_match_the_local_runner(
    cluster: LocalCluster, small_sample: Path, tmp_path: Path
) -> None:
    """The same batch (overview + one county, real kernels) via both executors: same outputs."""
    from planlib.reporting.context import build_context
    from planlib.reporting.executors import LocalExecutor
    from planlib.reporting.runner import run_reports

    ctx = build_context(small_sample)
    county = str(ctx.units.loc[ctx.units["level"] == "county", "code"].iloc[0])
    outs = {}
    for name, executor in (
        ("local", LocalExecutor(jobs=2)),
        ("dask", DaskExecutor(cluster.scheduler_address)),
    ):
        outs[name] = tmp_path / name
        outcome = run_reports(
            small_sample, outs[name], counties=county, formats="html",
            executor=executor, context=ctx, departments=False,
        )  # fmt: skip
        assert outcome.exit_code == 0, outcome.failed

    local, dask = _manifest_without_timings(outs["local"]), _manifest_without_timings(outs["dask"])
    assert dask == local
    assert {e["county_code"] for e in dask["reports"]} >= {county}
    assert (outs["dask"] / "index.html").read_bytes() == (outs["local"] / "index.html").read_bytes()
    for entry in dask["reports"]:
        for name in entry["files"].values():
            html = outs["dask"] / name
            assert html.stat().st_size > 1000  # written by the client from the returned bytes


def warm_kill_once(job: Any, context: bytes) -> Any:
    """Renders in the worker's warm kernel; the first time a job is marked ``kill``, records the
    worker's and its kernel's pids and kills the worker with its kernel still running."""
    import dataclasses

    from planlib.reporting import kernels

    marker = job.parameters.get("kill")
    clean = dataclasses.replace(
        job, parameters={k: v for k, v in job.parameters.items() if k != "kill"}
    )
    result = kernels.render_warm(clean, context)
    if marker and not Path(marker).exists():
        Path(marker).write_text(f"{os.getpid()} {kernels.current_pid()}")
        os.kill(os.getpid(), signal.SIGKILL)
    return dataclasses.replace(result, error=str(os.getpid()))


def test_a_worker_killed_with_its_warm_kernel_loses_no_report(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    """Warm kernels on Dask: a worker killed mid-batch loses no report, its report is made again
    in another warm kernel, and the killed worker's kernel does not outlive it."""
    import nbformat
    import psutil

    from planlib.reporting.jobs import ReportJob

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(county)")])
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(path))
    marker = tmp_path / "killed.pids"
    jobs = [ReportJob(f"c{i}", "county", "县", str(path), {"county": f"c{i}"}, ("html",))
            for i in range(6)]  # fmt: skip
    jobs.insert(2, ReportJob("victim", "county", "县", str(path),
                             {"county": "victim", "kill": str(marker)}, ("html",)))  # fmt: skip
    results = list(DaskExecutor(cluster.scheduler_address, render=warm_kill_once).run(jobs, b"c"))

    assert marker.exists(), "the victim job never ran, so no worker was killed"
    worker_pid, kernel_pid = (int(p) for p in marker.read_text().split())
    assert sorted(r.key for r in results) == sorted(j.key for j in jobs)
    assert all(r.status == "ok" for r in results), [r.error for r in results]
    victim = next(r for r in results if r.key == "victim")
    assert int(victim.error or 0) != worker_pid
    assert "victim" in victim.files["html"].decode("utf-8")
    deadline = time.monotonic() + 20  # ipykernel notices its parent is gone within seconds
    while psutil.pid_exists(kernel_pid) and time.monotonic() < deadline:
        with contextlib.suppress(psutil.Error):
            if psutil.Process(kernel_pid).status() == psutil.STATUS_ZOMBIE:
                break
        time.sleep(0.5)
    alive = psutil.pid_exists(kernel_pid)
    if alive:
        with contextlib.suppress(psutil.Error):
            alive = psutil.Process(kernel_pid).status() != psutil.STATUS_ZOMBIE
    assert not alive, "the killed worker's kernel outlived it"
