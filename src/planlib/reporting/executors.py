"""Executors run report jobs and yield results as they finish: ``run(jobs, context)``.

``LocalExecutor`` uses worker processes on this machine (papermill is not thread-safe, and a
process per worker keeps one report's crash away from the others). ``dask`` runs them on a
cluster (:mod:`planlib.reporting.dask_executor`, imported only when asked for).

Both take ``kernel``: ``warm`` (the default) keeps one kernel per worker across reports
(:mod:`planlib.reporting.kernels`); ``fresh`` starts a kernel for every report, as before.

A local worker lives and dies with its batch. It ignores SIGINT (Ctrl-C in a terminal reaches
the whole process group: the parent alone decides, and stops the workers); it gets SIGTERM from
the system when the parent ends, however it ends (Linux, ``PR_SET_PDEATHSIG``); on SIGTERM it
kills its kernels, removes its temp folder (where its kernels' and reports' folders are) and
exits at once. A batch stopped early (Ctrl-C, SIGTERM, an error in the client: the generator
closed) terminates its workers instead of waiting for their reports.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from typing import Any, Protocol

from ..errors import PlanlibError
from .jobs import ReportJob, ReportResult, die_with_parent, settle_worker
from .kernels import close_all, kernel_render

RenderFn = Callable[[ReportJob, bytes], ReportResult]


class Executor(Protocol):
    """What the runner needs from an executor."""

    def run(self, jobs: Iterable[ReportJob], context: bytes) -> Iterator[ReportResult]: ...


def default_jobs() -> int:
    """The default number of workers: the number of cores."""
    return max(1, os.cpu_count() or 1)


_CONTEXT: bytes = b""


def _init_worker(context: bytes, parent: int | None = None) -> None:
    global _CONTEXT
    _CONTEXT = context  # sent once per worker, not once per job
    _bind_to_batch(parent)


def _bind_to_batch(parent: int | None) -> None:
    """This worker's life is its batch's (see the module's docstring); ``parent``: its pid."""
    import psutil  # a dependency of ipykernel; imported now, not in the signal handler

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # blocked by the parent while it started us
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    folder = tempfile.mkdtemp(prefix="planlib-worker-")
    tempfile.tempdir = folder  # kernels' and reports' temp folders: all in this one

    def leave() -> None:  # a normal exit: kernels shut down first, then the folder
        close_all()
        shutil.rmtree(folder, ignore_errors=True)

    def terminated(signum: int, frame: object) -> None:
        kids = psutil.Process().children(recursive=True)
        for kid in kids:
            with suppress(psutil.Error):
                kid.kill()
        psutil.wait_procs(kids, timeout=1)
        shutil.rmtree(folder, ignore_errors=True)
        os._exit(128 + signum)

    atexit.register(leave)
    signal.signal(signal.SIGTERM, terminated)
    die_with_parent(parent)


@contextmanager
def _sigint_blocked() -> Iterator[None]:
    """SIGINT held back while workers are started: they start with it blocked (a new process
    inherits the mask) and ignore it before unblocking, so that Ctrl-C during their first second
    prints no traceback; the parent gets it when this ends."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _run_one(render: RenderFn, job: ReportJob) -> ReportResult:
    result = render(job, _CONTEXT)
    settle_worker()  # a worker process of this pool: freezing its heap is safe
    return result


class LocalExecutor:
    """Runs jobs in ``jobs`` worker processes on this machine.

    A worker that dies (the whole process, not just a kernel) fails the jobs it held; they are
    retried once in a fresh pool, then reported as failed. ``kernel``: ``warm`` (one kernel per
    worker, reused) or ``fresh`` (one per report). ``render`` is the job function (tests pass
    their own; it overrides ``kernel``).
    """

    name = "local"

    def __init__(
        self, jobs: int | None = None, render: RenderFn | None = None, kernel: str = "warm"
    ) -> None:
        if jobs is not None and jobs < 1:
            raise PlanlibError("--jobs 必须是正整数")
        self.jobs = jobs or default_jobs()
        self.kernel = kernel
        self.render = render or kernel_render(kernel)

    def __repr__(self) -> str:
        return f"LocalExecutor(jobs={self.jobs}, kernel={self.kernel!r})"

    def run(self, jobs: Iterable[ReportJob], context: bytes) -> Iterator[ReportResult]:
        pending = list(jobs)
        tries: dict[str, int] = {}
        while pending:
            retry: list[ReportJob] = []
            yield from self._pool(pending, context, retry, tries)
            pending = retry

    def _pool(
        self,
        jobs: list[ReportJob],
        context: bytes,
        retry: list[ReportJob],
        tries: dict[str, int],
    ) -> Iterator[ReportResult]:
        workers = min(self.jobs, len(jobs))
        mp = multiprocessing.get_context("spawn")
        started = {job.key: time.monotonic() for job in jobs}
        pool = ProcessPoolExecutor(
            workers, mp_context=mp, initializer=_init_worker, initargs=(context, os.getpid())
        )
        finished = False
        try:
            with _sigint_blocked():  # workers are started by submit
                futures: dict[Future[ReportResult], ReportJob] = {
                    pool.submit(_run_one, self.render, job): job for job in jobs
                }
            waiting = set(futures)
            while waiting:
                done, waiting = wait(waiting, return_when=FIRST_COMPLETED)
                for fut in done:
                    job = futures[fut]
                    try:
                        yield fut.result()
                    except BrokenProcessPool:
                        tries[job.key] = tries.get(job.key, 0) + 1
                        if tries[job.key] < 2:
                            retry.append(job)
                        else:
                            yield _failed(job, "工作进程意外退出（两次）", started[job.key])
                    except Exception as err:
                        yield _failed(job, f"{type(err).__name__}: {err}", started[job.key])
            pool.shutdown(wait=True)
            finished = True
        finally:
            if not finished:  # stopped early: the workers and their kernels go now
                _stop(pool)


def _stop(pool: ProcessPoolExecutor) -> None:
    """End a pool's workers now (SIGTERM: each kills its kernels and exits; SIGKILL after 2 s)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        proc.terminate()
    deadline = time.monotonic() + 2.0
    for proc in procs:
        proc.join(max(0.0, deadline - time.monotonic()))
    for proc in procs:
        if proc.is_alive():
            proc.kill()
            proc.join(1.0)


def _failed(job: ReportJob, message: str, started: float) -> ReportResult:
    return ReportResult(job.key, "failed", {}, message, time.monotonic() - started)


EXECUTORS = ("local", "dask")


def get_executor(name: str, **opts: Any) -> Executor:
    """Build an executor by name: ``local`` (``jobs``, ``kernel``) or ``dask`` (``address``,
    ``retries``, ``kernel`` …); ``kernel`` is ``warm`` (default) or ``fresh``."""
    if name == "local":
        return LocalExecutor(
            jobs=opts.get("jobs"), render=opts.get("render"), kernel=opts.get("kernel") or "warm"
        )
    if name == "dask":
        from .dask_executor import DaskExecutor

        kwargs = {k: v for k, v in opts.items() if k != "jobs" and v is not None}
        if opts.get("jobs") is not None:
            kwargs["local_workers"] = opts["jobs"]  # used when the address is "local"
        return DaskExecutor(**kwargs)
    raise PlanlibError(f"未知的执行器：{name}（可选：{'、'.join(EXECUTORS)}）")
