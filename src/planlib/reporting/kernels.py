"""Warm report kernels: each worker keeps one kernel and runs report after report in it.

A new kernel costs about a second to start and as much again to import planlib, pandas and
matplotlib, and its first chart loads the fonts: more than half of a county report. A warm kernel
pays that once. Each report still runs through papermill (the same injected ``parameters`` cell,
metadata and executed-notebook outputs as :func:`~planlib.reporting.jobs.render_job`), after a
silent prelude that gives it a fresh namespace (``%reset -f``), its own working folder, cleared
warning registries and execution counts from 1. The kernel is replaced

- after any failed report (an exception in the notebook, a timeout, a kernel that died), so a
  report that broke the kernel's state never hands it on;
- after :data:`REPORTS_PER_KERNEL` reports (a slow leak stays bounded);
- when the batch context changes (a Dask worker that lives across batches never serves a new
  batch from a kernel that read the old one).

One kernel per thread of a worker process: local worker processes and Dask workers (one thread
each) hold one. A worker process that dies takes its kernel with it (on Linux the kernel gets
SIGTERM from the system when the thread that started it ends: :func:`~planlib.reporting.jobs.
kernel_launch_options`; elsewhere ipykernel exits when it sees its parent gone), and the
executor re-runs the report elsewhere as before.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .._patches import enabled, papermill_warm_engine, warnings_reset_code
from ..errors import JobFailed, PlanlibError
from .jobs import (
    ReportJob,
    ReportResult,
    Watchdog,
    kernel_launch_options,
    papermill_arguments,
    render_job,
    run_job,
)

logger = logging.getLogger(__name__)

REPORTS_PER_KERNEL = 25
"""Reports one kernel runs before it is replaced by a new one."""

KERNELS = ("warm", "fresh")
"""How report notebooks get their kernel: ``warm`` (kept across reports) or ``fresh`` (one
kernel per report, the path before warm kernels; kept for comparison and as a fallback)."""

WARM_UP = "import planlib.reporting.content, pandas, matplotlib  # noqa: F401"
"""What a new kernel imports before its first report (what every report notebook needs)."""

ENGINE = "planlib-warm"
"""The papermill engine name under which warm kernels run notebooks."""

_START_TIMEOUT = 60.0


def _prelude(work: Path) -> str:
    """Silent code run before each report: a fresh namespace in its own working folder."""
    return (
        "import os as _pl_os\n"
        f"_pl_os.chdir({str(work)!r})\n"  # first: the last report's folder is gone
        "get_ipython().run_line_magic('reset', '-f')\n"
        # what the reset left is the kernel's own (modules, caches): collected once, then out of
        # the collector's sight, so that a report's collections scan its own objects only (each
        # reset's had scanned the whole heap: 0.12-0.2 s a report, 0.03 s frozen)
        "import gc as _pl_gc\n"
        "_pl_gc.collect()\n"
        "_pl_gc.freeze()\n"
        "del _pl_gc\n"
        "import warnings as _pl_warnings\n"
        + (
            warnings_reset_code("_pl_warnings") or ""
        )  # every module's 'shown once' registry empties
        + "_pl_warnings.onceregistry.clear()\n"
        "del _pl_warnings\n"
        "get_ipython().execution_count = 1\n"
    )


class WarmKernel:
    """One started kernel with the report imports done; ``reports`` run in it so far."""

    def __init__(self, digest: str, start_timeout: float = _START_TIMEOUT) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.digest = digest
        self.reports = 0
        self.folder = Path(tempfile.mkdtemp(prefix="planlib-kernel-"))
        km = AsyncKernelManager(kernel_name="python3")
        # IPC sockets and the connection file in the kernel's own folder: no port clashes
        km.transport = "ipc"
        km.ip = str(self.folder / "ipc")
        km.connection_file = str(self.folder / "kernel.json")
        self.km = km
        self.kc: Any = None
        try:
            run_sync(km.start_kernel)(
                cwd=str(self.folder),
                extra_arguments=["--HistoryManager.hist_file=:memory:"],
                **kernel_launch_options(),  # the kernel ends with this process (Linux)
            )
            # One client for the kernel's life, handed to every report: a new client per report
            # waits 0.2 s for the kernel's IOPub to fall quiet (jupyter_client's wait_for_ready)
            self.kc = km.client()
            self.kc.allow_stdin = False
            self.kc.start_channels()
            run_sync(self.kc.wait_for_ready)(timeout=start_timeout)
            reply = run_sync(_execute)(self.kc, WARM_UP, start_timeout)
        except BaseException:
            self.close()
            raise
        if reply.get("status") != "ok":
            self.close()
            raise JobFailed(f"报告内核启动失败：{reply.get('ename')}: {reply.get('evalue')}")

    @property
    def pid(self) -> int | None:
        return getattr(getattr(self.km, "provisioner", None), "pid", None)

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        try:
            return bool(run_sync(self.km.is_alive)())
        except Exception:
            return False

    def close(self) -> None:
        """Shut the kernel down now and remove its folder (never raises)."""
        from jupyter_core.utils import run_sync

        try:
            if self.kc is not None:
                self.kc.stop_channels()
                self.kc = None
        except Exception as err:
            logger.debug("warm kernel client: %s", err)
        try:
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)
        except Exception as err:  # already dead, or half started
            logger.debug("warm kernel shutdown: %s", err)
        try:
            run_sync(self.km.cleanup_resources)()
        except Exception as err:
            logger.debug("warm kernel cleanup: %s", err)
        shutil.rmtree(self.folder, ignore_errors=True)


async def _execute(kc: Any, code: str, timeout: float) -> dict[str, Any]:
    """Run ``code`` silently through the kernel client ``kc``; returns the reply's content."""
    reply = await kc.execute_interactive(
        code, silent=True, store_history=False, timeout=timeout, output_hook=lambda m: None
    )
    return dict(reply["content"])


class _Pool(threading.local):
    kernel: WarmKernel | None = None


_POOL = _Pool()
_ALL: list[WarmKernel] = []  # every kernel this process started and has not closed
_ALL_LOCK = threading.Lock()


def _kernel(digest: str, limit: int) -> WarmKernel:
    """This thread's warm kernel for a batch context, started or replaced as needed."""
    kernel = _POOL.kernel
    if kernel is not None and (
        kernel.digest != digest or kernel.reports >= limit or not kernel.alive()
    ):
        discard()
        kernel = None
    if kernel is None:
        kernel = WarmKernel(digest)
        with _ALL_LOCK:
            _ALL.append(kernel)
        _POOL.kernel = kernel
    return kernel


def discard() -> None:
    """Close this thread's warm kernel (the next report starts a new one)."""
    kernel, _POOL.kernel = _POOL.kernel, None
    if kernel is not None:
        with _ALL_LOCK:
            if kernel in _ALL:
                _ALL.remove(kernel)
        kernel.close()


@atexit.register
def close_all() -> None:
    """Close every warm kernel of this process (at exit; tests call it too)."""
    with _ALL_LOCK:
        kernels = list(_ALL)
        _ALL.clear()
    _POOL.kernel = None
    for kernel in kernels:
        kernel.close()


def current_pid() -> int | None:
    """The process id of this thread's warm kernel, if it has one (for tests)."""
    return _POOL.kernel.pid if _POOL.kernel is not None else None


def _prelude_refused() -> Exception:
    """What the warm engine raises when a kernel will not run the prelude."""
    return JobFailed("报告内核无法重置（内核已被替换，请重试）")


def kernel_render(kernel: str = "warm") -> Callable[[ReportJob, bytes], ReportResult]:
    """The job function for a kernel setting: ``warm`` or ``fresh`` (:data:`KERNELS`)."""
    if kernel == "warm":
        # a kept kernel needs planlib's papermill engine (planlib._patches); turned off, each
        # report starts its own kernel as with ``fresh``
        return render_warm if enabled("papermill-warm-engine") else render_job
    if kernel == "fresh":
        return render_job
    raise PlanlibError(f"未知的内核方式：{kernel}（可选：{'、'.join(KERNELS)}）")


def render_warm(job: ReportJob, context: bytes) -> ReportResult:
    """:func:`~planlib.reporting.jobs.render_job` in this thread's warm kernel; never raises."""
    return render_warm_with(job, context, REPORTS_PER_KERNEL)


def render_warm_with(job: ReportJob, context: bytes, limit: int) -> ReportResult:
    """As :func:`render_warm`, replacing the kernel after ``limit`` reports."""
    digest = hashlib.blake2b(context, digest_size=16).hexdigest()

    def execute(
        job: ReportJob, template: Path, out_path: Path, params: dict[str, Any], dog: Watchdog
    ) -> None:
        import papermill

        papermill_warm_engine(ENGINE, _prelude_refused)
        kernel = _kernel(digest, limit)
        dog.kernels.append(kernel.km)
        kernel.reports += 1
        papermill.execute_notebook(
            **papermill_arguments(job, template, out_path, params),
            engine_name=ENGINE,
            # written once at the end (and on an error), not twice per cell: 30 writes of a
            # notebook growing to 0.5 MB of charts cost about 0.4 s a report
            request_save_on_cell_execute=False,
            km=kernel.km,
            kc=kernel.kc,
            prelude=_prelude(out_path.parent),
        )

    started = time.monotonic()
    try:
        result = run_job(job, context, execute)
    except BaseException as err:  # run_job never raises; a KeyboardInterrupt may
        discard()
        message = f"{type(err).__name__}: {err}"
        return ReportResult(job.key, "failed", {}, message, time.monotonic() - started)
    if result.status != "ok":
        discard()  # whatever broke this report may have broken the kernel's state
    return result
