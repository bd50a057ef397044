"""A measured report batch for a province of 100 counties: local executor vs. Dask LocalCluster.

    python benchmarks/bench_batch.py                 # 100 counties (data in benchmarks/out/)
    python benchmarks/bench_batch.py --counties 20   # a quicker look

The context (dataset, indicators, assessment) is built once and timed on its own; then the same
county jobs run through the local executor and through the Dask executor on a LocalCluster of
one worker process per core (one thread each). Peak memory is the resident memory of this
process and every process it started (kernels, workers), sampled every 0.1 s. The capacity note
in benchmarks/README.md extrapolates from the per-report time printed here.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import psutil

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


class PeakRSS:
    """Peak resident memory of this process tree while the ``with`` block runs."""

    def __init__(self, every: float = 0.1) -> None:
        self.every = every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _now(self) -> int:
        me = psutil.Process()
        total = me.memory_info().rss
        for child in me.children(recursive=True):
            with contextlib.suppress(psutil.Error):  # a kernel that just ended
                total += child.memory_info().rss
        return total

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._now())
            self._stop.wait(self.every)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._now())

    @property
    def mb(self) -> float:
        return self.peak / 2**20


def ensure_data(folder: Path, counties: int) -> None:
    """A one-city province of ``counties`` counties, written once (Parquet: no Excel to read)."""
    if (folder / "values.parquet").exists():
        return
    from planlib.returns.sample import make_sample

    print(f"生成 {counties} 个县的示例数据到 {folder} …", flush=True)
    make_sample(folder, counties=counties, fmt="parquet")


def county_jobs(context: Any, formats: tuple[str, ...], limit: int | None = None) -> list[Any]:
    """The runner's county report jobs, one per county (no overview, no departments)."""
    from planlib.reporting.runner import plan_jobs

    jobs = plan_jobs(context, None, formats, overview=False, departments=False)
    return jobs[:limit]


def measure(
    name: str, run: Callable[[], Iterable[Any]], n_jobs: int, workers: int
) -> dict[str, Any]:
    with PeakRSS() as mem:
        started = time.perf_counter()
        results = list(run())
        wall = time.perf_counter() - started
    status = Counter(r.status for r in results)
    per_report = sum(r.seconds for r in results) / max(len(results), 1)
    row = {
        "executor": name,
        "reports": len(results),
        "status": dict(status),
        "wall": wall,
        "per_report_wall": wall / max(n_jobs, 1),
        "per_report_worker": per_report,
        "workers": workers,
        "peak_mb": mem.mb,
    }
    print(
        f"{name:<8} {len(results):>4} 份  {wall:>7.1f} 秒  每份 {wall / max(n_jobs, 1):>5.2f} 秒"
        f"（单份渲染 {per_report:.2f} 秒）  峰值内存 {mem.mb:>6.0f} MB  {dict(status)}",
        flush=True,
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--formats", default="html,pdf")
    parser.add_argument("--only", choices=["local", "dask"])
    parser.add_argument("--limit", type=int, help="render only the first N county reports")
    args = parser.parse_args()

    from distributed import LocalCluster

    from planlib.reporting.context import build_context
    from planlib.reporting.dask_executor import DaskExecutor

    folder = OUT / f"province_{args.counties}"
    ensure_data(folder, args.counties)
    formats = tuple(f for f in args.formats.split(",") if f)
    with PeakRSS() as mem:
        t = time.perf_counter()
        context = build_context(folder)
        payload = context.to_bytes()
        built = time.perf_counter() - t
    jobs = county_jobs(context, formats, args.limit)
    print(
        f"数据 {folder.name}：{len(jobs)} 份县级报告，格式 {'、'.join(formats)}；"
        f"{platform.node()}，{os.cpu_count()} 核"
    )
    print(
        f"上下文（数据、指标、评估）{built:.1f} 秒，{len(payload) / 2**20:.1f} MB，"
        f"峰值内存 {mem.mb:.0f} MB"
    )

    if args.only != "dask":
        from planlib.reporting.executors import get_executor

        local = get_executor("local", jobs=args.workers)
        measure("local", lambda: local.run(jobs, payload), len(jobs), args.workers)
    if args.only != "local":
        with LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
        ) as cluster:
            dask = DaskExecutor(cluster.scheduler_address)
            measure("dask", lambda: dask.run(jobs, payload), len(jobs), args.workers)


if __name__ == "__main__":
    main()
