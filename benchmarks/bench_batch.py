"""A measured report batch: warm kernels against a kernel per report, local and Dask, alternating.

    python benchmarks/bench_batch.py                          # the sample city: all 29 reports
    python benchmarks/bench_batch.py --only county            # its 12 county reports
    python benchmarks/bench_batch.py --counties 100 --only county  # a province of 100 counties
    python benchmarks/bench_batch.py --sides local-warm,dask-warm --repeat 5

Each side is an executor and a kernel setting: ``local-warm`` (``planlib report``'s default:
``LocalExecutor``, one kernel kept per worker), ``local-fresh`` (the runner before warm kernels:
a kernel per report), ``dask-warm`` and ``dask-fresh`` (the Dask executor on a ``LocalCluster``
of one worker process per core, one thread each; the cluster is started before the clock and
closed after, every round, so no side inherits warm kernels from an earlier one). Default sides:
local-fresh, local-warm, dask-warm. Every side runs the same jobs (HTML and PDF; ``--only`` picks report
kinds: city, county, department, all by default, as ``planlib report`` renders) ``--repeat``
times (default 3), the order reversed every round; the script prints each round, then medians
and ranges, and each side's ratio to the first side taken round by round (both measured
minutes apart on the same machine: on shared cores read these ratios, not the absolute times).
The pages of the first round must be the same on every side: HTML text (the generation time
masked) and chart images, PDF text page by page and the bytes of every PDF image.

``--baseline-src DIR`` adds a side ``baseline``: another planlib tree's ``src/`` (say a
``git worktree`` of the commit where a speed goal was set), its own runner with its own defaults,
in a child process that imports planlib from there, timed the same way around the batch alone.
The other sides' ratios are then also given to it; its pages are compared with the first other
side's and the count printed (a tree from before a change in the reports' content differs).

The context (dataset, indicators, assessment) is built once and timed on its own. Peak memory
is the resident memory of this process and every process it started (kernels, workers),
sampled every 0.1 s. The capacity note in benchmarks/README.md extrapolates from the figures
printed here.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pickle
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

from bench_reports import content, pdf_content, round_order, spread  # noqa: E402

SIDES = ("local-fresh", "local-warm", "dask-warm", "dask-fresh")


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
    from planlib import make_sample  # the sample city as a workspace of the 2022 plan

    print(f"生成 {counties} 个县的示例数据到 {folder} …", flush=True)
    make_sample(folder, counties=counties, fmt="parquet")


KINDS = ("county", "department", "city")


def batch_jobs(
    context: Any, formats: tuple[str, ...], kinds: tuple[str, ...], limit: int | None = None
) -> list[Any]:
    """The runner's jobs of these kinds, in its order: the whole batch ``planlib report`` makes
    (the city's overview, a report per county, one per department) or a part of it."""
    from planlib.reporting.runner import plan_jobs

    jobs = plan_jobs(
        context, None, formats, overview="city" in kinds, departments="department" in kinds
    )
    return [j for j in jobs if j.kind in kinds][:limit]


@contextlib.contextmanager
def executor(side: str, workers: int) -> Iterator[Any]:
    """The executor of a side; a Dask side's cluster lives for the ``with`` block only."""
    name, kernel = side.split("-")
    if name == "local":
        from planlib.reporting.executors import LocalExecutor

        yield LocalExecutor(jobs=workers, kernel=kernel)
        return
    from distributed import LocalCluster

    from planlib.reporting.dask_executor import DaskExecutor

    with LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        yield DaskExecutor(cluster.scheduler_address, kernel=kernel)


def measure(side: str, run: Any, jobs: list[Any], payload: bytes) -> dict[str, Any]:
    with PeakRSS() as mem:
        started = time.perf_counter()
        results = list(run.run(jobs, payload))
        wall = time.perf_counter() - started
    status = Counter(r.status for r in results)
    return {
        "side": side,
        "wall": wall,
        "per_report_worker": sum(r.seconds for r in results) / max(len(results), 1),
        "peak_mb": mem.mb,
        "status": dict(status),
        "files": {r.key: r.files for r in results if r.status == "ok"},
    }


def kinds(args: argparse.Namespace) -> tuple[str, ...]:
    chosen = tuple(k.strip() for k in args.only.split(",") if k.strip())
    if not chosen or set(chosen) - set(KINDS):
        raise SystemExit(f"--only takes {', '.join(KINDS)}, not {args.only!r}")
    return chosen


def kinds_text(jobs: list[Any]) -> str:
    words = {"city": "总览", "county": "县级", "department": "处室"}
    counts = Counter(j.kind for j in jobs)
    return "、".join(f"{words[k]} {counts[k]}" for k in KINDS if counts[k])


def run_baseline(src: Path, args: argparse.Namespace) -> dict[str, Any]:
    """One round of the ``baseline`` side: the other tree's runner in a child process."""
    with tempfile.TemporaryDirectory(prefix="bench-baseline-") as tmp:
        result = Path(tmp) / "result.pkl"
        command = [sys.executable, __file__, "--child-baseline", str(result)]
        command += ["--counties", str(args.counties), "--workers", str(args.workers)]
        command += ["--formats", args.formats, "--only", args.only]
        if args.limit:
            command += ["--limit", str(args.limit)]
        env = {**os.environ, "PYTHONPATH": str(src.resolve())}
        subprocess.run(command, env=env, check=True, cwd=HERE.parent)
        row: dict[str, Any] = pickle.loads(result.read_bytes())
    return row


def child_baseline(result: Path, args: argparse.Namespace) -> None:
    """In the child: this process's planlib (the baseline tree) renders the county jobs with
    its runner's default executor; the round is pickled to ``result``."""
    from planlib.reporting.context import build_context
    from planlib.reporting.executors import get_executor

    folder = OUT / f"province_{args.counties}"
    context = build_context(folder)
    payload = context.to_bytes()
    jobs = batch_jobs(
        context, tuple(f for f in args.formats.split(",") if f), kinds(args), args.limit
    )

    class Run:
        def run(self, jobs: list[Any], payload: bytes) -> Any:
            return get_executor("local", jobs=args.workers).run(jobs, payload)

    row = measure("baseline", Run(), jobs, payload)
    result.write_bytes(pickle.dumps(row))


def same_pages(base: dict[str, dict[str, bytes]], other: dict[str, dict[str, bytes]]) -> int:
    """How many reports of ``other`` show what ``base``'s show (HTML and PDF)."""
    same = 0
    for key, files in base.items():
        theirs = other.get(key, {})
        ok = True
        if "html" in files:
            ok &= "html" in theirs and content(files["html"].decode()) == content(
                theirs["html"].decode()
            )
        if "pdf" in files:
            ok &= "pdf" in theirs and pdf_content(files["pdf"]) == pdf_content(theirs["pdf"])
        same += bool(ok)
        if not ok:
            print(f"    {key}：页面内容不同", flush=True)
    return same


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=12)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--formats", default="html,pdf")
    parser.add_argument("--sides", default="local-fresh,local-warm,dask-warm")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default=",".join(KINDS), help="report kinds (default: all)")
    parser.add_argument("--limit", type=int, help="render only the first N reports")
    parser.add_argument("--baseline-src", type=Path, help="another tree's src/, run as a side")
    parser.add_argument("--child-baseline", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_baseline:
        child_baseline(args.child_baseline, args)
        return 0
    sides = [s.strip() for s in args.sides.split(",") if s.strip()]
    bad = [s for s in sides if s not in SIDES]
    if bad or not sides:
        parser.error(f"unknown side(s) {bad}; choose from {', '.join(SIDES)}")
    if args.baseline_src:
        if not (args.baseline_src / "planlib").is_dir():
            parser.error(f"{args.baseline_src} holds no planlib package")
        sides.insert(0, "baseline")

    from planlib.reporting.context import build_context

    folder = OUT / f"province_{args.counties}"
    ensure_data(folder, args.counties)
    formats = tuple(f for f in args.formats.split(",") if f)
    with PeakRSS() as mem:
        t = time.perf_counter()
        context = build_context(folder)
        payload = context.to_bytes()
        built = time.perf_counter() - t
    jobs = batch_jobs(context, formats, kinds(args), args.limit)
    print(
        f"数据 {folder.name}：{len(jobs)} 份报告（{kinds_text(jobs)}），格式 {'、'.join(formats)}；"
        f"{platform.node()}，{os.cpu_count()} 核，{args.workers} 个工作进程；"
        f"各方 {args.repeat} 轮，轮流先后"
    )
    print(
        f"上下文（数据、指标、评估）{built:.1f} 秒，{len(payload) / 2**20:.1f} MB，"
        f"峰值内存 {mem.mb:.0f} MB",
        flush=True,
    )
    current = [s for s in sides if s != "baseline"]  # this tree's sides: pages must agree
    rows: dict[str, list[dict[str, Any]]] = {s: [] for s in sides}
    agree: dict[str, int] = {}
    for n in range(args.repeat):
        for side in round_order(sides, n):
            if side == "baseline":
                row = run_baseline(args.baseline_src, args)
            else:
                with executor(side, args.workers) as run:
                    row = measure(side, run, jobs, payload)
            rows[side].append(row)
            print(
                f"  第{n + 1}轮 {side:<11} {row['wall']:7.1f} 秒  每份 "
                f"{row['wall'] / max(len(jobs), 1):5.2f} 秒（单份在工作进程上 "
                f"{row['per_report_worker']:.2f} 秒）  峰值内存 {row['peak_mb']:6.0f} MB  "
                f"{row['status']}",
                flush=True,
            )
        if n == 0:
            base = rows[current[0]][0]["files"]
            for side in sides:
                agree[side] = same_pages(base, rows[side][0]["files"])
        for side in sides:
            rows[side][-1]["files"] = {}
    refs = sides[:1] if sides[0] == current[0] else [sides[0], current[0]]
    print(
        f"\n{'side':<11} 总用时 秒 中位数（最小–最大）   每份 秒          峰值内存 MB   "
        + "   ".join(f"对 {ref} 每轮之比" for ref in refs)
    )
    for side in sides:
        walls = [r["wall"] for r in rows[side]]
        per = [w / max(len(jobs), 1) for w in walls]
        peak = statistics.median(r["peak_mb"] for r in rows[side])
        ratios = [
            spread([b["wall"] / r["wall"] for b, r in zip(rows[ref], rows[side], strict=True)], "×")
            for ref in refs
        ]
        print(
            f"{side:<11} {spread(walls):<24} {spread(per):<18} {peak:8.0f}     {'   '.join(ratios)}"
        )
    total = len(jobs)
    print(
        "页面一致（与 "
        + current[0]
        + " 第一轮相比）："
        + "，".join(f"{s} {agree[s]}/{total}" for s in sides)
    )
    failed = any(sum(r["status"].get("failed", 0) for r in rows[s]) for s in sides)
    return 0 if all(agree[s] == total for s in current) and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
