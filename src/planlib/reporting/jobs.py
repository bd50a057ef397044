"""One report job and its result: what every executor (local processes, Dask) runs.

``render_job`` runs a notebook with papermill on a new kernel in a private temp folder, renders
HTML and PDF in process and returns the files as bytes: it never raises and never writes outside
its temp folder, so a failure (an exception in the notebook, a kernel that dies, a timeout) is a
result like any other and the client alone decides what reaches the output folder.
:func:`planlib.reporting.kernels.render_warm` does the same in a kernel kept warm across reports;
both share :func:`run_job` (temp folder, watchdog, error wording, HTML and PDF).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import JobFailed

logger = logging.getLogger(__name__)

CONTEXT_PARAMETER = "context"
"""The notebook parameter that receives the path of the batch context."""


@dataclass(frozen=True)
class ReportJob:
    """One report to render (values only: it travels to worker processes and machines)."""

    key: str  # safe file stem, e.g. "990102", "city", "dept-财务处"
    kind: str  # "county" | "city" | "department"
    title: str  # for index and manifest (the county name etc.)
    notebook: str  # template file name in notebooks/
    parameters: dict[str, Any] = field(default_factory=dict)  # JSON values, never code
    formats: tuple[str, ...] = ("html", "pdf")
    timeout: float = 600.0  # whole-notebook timeout in seconds
    font: str = ""  # the batch's font (planlib.fonts.batch_font) the HTML page's font is cut from
    label: str = ""  # the report period as pages say it (ReportContext.period_label)


@dataclass(frozen=True)
class ReportResult:
    """What came back: ``files`` maps "ipynb"/"html"/"pdf" to content (empty when failed)."""

    key: str
    status: str  # "ok" | "failed"
    files: dict[str, bytes]
    error: str | None
    seconds: float


class Watchdog:
    """Kills the job's kernel when the whole-notebook timeout passes (papermill has none)."""

    def __init__(self, timeout: float) -> None:
        self.kernels: list[Any] = []
        """The kernel managers to kill when the time is up (a warm kernel is added by hand)."""
        self.fired = False
        self._timer = threading.Timer(timeout, self._fire)
        self._timer.daemon = True

    def manager_class(self) -> type:
        from jupyter_client.manager import AsyncKernelManager

        sink = self.kernels

        class WatchedKernelManager(AsyncKernelManager):  # type: ignore[misc]
            def __init__(self, **kw: Any) -> None:
                super().__init__(**kw)
                # IPC sockets in the job's private folder: no port clashes between kernels.
                self.transport = "ipc"
                self.ip = "kernel-ipc"

            async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]
                await super().start_kernel(**{**kernel_launch_options(), **kw})
                sink.append(self)

        return WatchedKernelManager

    def _fire(self) -> None:
        import psutil  # a dependency of ipykernel

        self.fired = True
        for km in self.kernels:
            pid = getattr(getattr(km, "provisioner", None), "pid", None)
            if pid is None:
                continue
            try:
                proc = psutil.Process(pid)
                for child in proc.children(recursive=True):
                    child.kill()
                proc.kill()
            except psutil.Error:
                pass

    def __enter__(self) -> Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def _notebook_error(path: Path) -> str | None:
    """The error a failed notebook shows (its ename: evalue), if it was written."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return f"{out.get('ename')}: {out.get('evalue')}"
    return None


Execute = Callable[[ReportJob, Path, Path, dict[str, Any], "Watchdog"], None]
"""Runs the parameterised template (path) into the executed notebook (path) in the temp folder
(path) under the watchdog; raises what papermill raises."""


def render_job(job: ReportJob, context: bytes) -> ReportResult:
    """Run one report on a new kernel in a private temp dir; never raises; returns the files."""
    return run_job(job, context, _execute_fresh)


def run_job(job: ReportJob, context: bytes, execute: Execute) -> ReportResult:
    """One report through ``execute`` (a new or a warm kernel); never raises."""
    start = time.monotonic()
    try:
        files = _render(job, context, execute)
    except JobFailed as err:
        return ReportResult(job.key, "failed", {}, str(err), time.monotonic() - start)
    except BaseException as err:
        logger.debug("report %s failed:\n%s", job.key, traceback.format_exc())
        message = f"{type(err).__name__}: {err}"
        return ReportResult(job.key, "failed", {}, message, time.monotonic() - start)
    return ReportResult(job.key, "ok", files, None, time.monotonic() - start)


def _execute_fresh(
    job: ReportJob, template: Path, out_path: Path, params: dict[str, Any], dog: Watchdog
) -> None:
    """Today's path: papermill starts a kernel for this report and shuts it down after."""
    import papermill

    papermill.execute_notebook(
        **papermill_arguments(job, template, out_path, params),
        shutdown_kernel="immediate",
        kernel_manager_class=dog.manager_class(),
    )


def papermill_arguments(
    job: ReportJob, template: Path, out_path: Path, params: dict[str, Any]
) -> dict[str, Any]:
    """What every path gives ``papermill.execute_notebook`` for one report (a fresh or a warm
    kernel adds its own): the notebook, its parameters, its folder and its time limit."""
    return {
        "input_path": str(template),
        "output_path": str(out_path),
        "parameters": params,
        "kernel_name": "python3",
        "language": "python",
        "progress_bar": False,
        "log_output": False,
        "cwd": str(out_path.parent),
        "execution_timeout": int(job.timeout) + 1,
    }


_SETTLED = False


def settle_worker() -> None:
    """After a worker process's first report: collect its garbage once and freeze what is left
    (the imported renderers, their caches) out of the garbage collector's sight, so that the
    collections each later report's PDF triggers scan that report's objects only: they were a
    quarter of a PDF's time (0.15 s of 0.65 s). Worker processes only: frozen objects are never
    collected, which a long-lived process of the user's should not get."""
    global _SETTLED
    if not _SETTLED:
        import gc

        gc.collect()
        gc.freeze()
        _SETTLED = True


_PR_SET_PDEATHSIG = 1


def _prctl() -> Any:
    """libc's ``prctl`` on Linux, else None."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def die_with_parent(parent: int | None = None) -> None:
    """Linux: have the system send this process SIGTERM when its parent ends (however it ends:
    SIGKILL too), so that no worker or kernel outlives its batch. ``parent``: the process id
    the caller expects as parent; if that one has already gone, this process stops now. Other
    platforms: nothing (a worker there ends when it next reads from its gone parent)."""
    prctl = _prctl()
    if prctl is None:
        return
    prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    if parent is not None and os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGTERM)


def kernel_launch_options() -> dict[str, Any]:
    """What a kernel manager's ``start_kernel`` passes on to ``Popen`` so that the kernel ends
    with the process that starts it (Linux: a parent-death signal set between fork and exec;
    jupyter_client puts the kernel in a session of its own, out of reach of signals to ours)."""
    prctl = _prctl()
    if prctl is None:
        return {}
    parent, term = os.getpid(), int(signal.SIGTERM)

    def pdeathsig() -> None:  # in the child, before exec: no imports, little allocation
        prctl(_PR_SET_PDEATHSIG, term, 0, 0, 0)
        if os.getppid() != parent:  # the starter ended between fork and here
            os._exit(1)

    return {"preexec_fn": pdeathsig}


def _page_title(job: ReportJob) -> str:
    """The page's title (browser tab, PDF metadata): who, which quarter, which report."""
    kind = {"city": "监测总览", "department": "目标与任务监测报告"}.get(job.kind, "监测报告")
    from ..checks import clean_text

    return clean_text(f"{job.title}{job.label}{kind}")


def _render(job: ReportJob, context: bytes, execute: Execute) -> dict[str, bytes]:
    import nbformat
    from papermill.exceptions import PapermillExecutionError

    from ..resources import notebooks_dir
    from .render import hide_code, html_pdf, notebook_html, with_font

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    template = notebooks_dir() / job.notebook
    if not template.is_file():
        raise JobFailed(f"找不到报告模板：{job.notebook}")
    with tempfile.TemporaryDirectory(prefix="planlib-report-") as tmp:
        work = Path(tmp)
        ctx_path = work / "context.zip"
        ctx_path.write_bytes(context)
        out_path = work / "report.ipynb"
        params = {**job.parameters, CONTEXT_PARAMETER: str(ctx_path)}
        with Watchdog(job.timeout) as dog:
            try:
                execute(job, template, out_path, params, dog)
            except PapermillExecutionError as err:
                raise JobFailed(f"报告笔记本运行出错：{err.ename}: {err.evalue}") from err
            except JobFailed:
                raise
            except Exception as err:
                if dog.fired:
                    raise JobFailed(f"超时：超过 {job.timeout:g} 秒仍未完成，已终止") from err
                name = type(err).__name__
                if "DeadKernel" in name:
                    raise JobFailed("内核意外退出（进程被终止或内存不足）") from err
                found = _notebook_error(out_path)
                raise JobFailed(f"报告笔记本运行失败：{found or f'{name}: {err}'}") from err
        nb = hide_code(nbformat.read(str(out_path), as_version=4))
        files: dict[str, bytes] = {"ipynb": nbformat.writes(nb).encode("utf-8")}
        if "html" in job.formats or "pdf" in job.formats:
            html = notebook_html(nb, _page_title(job))
            if "pdf" in job.formats:  # WeasyPrint embeds the bundled font itself
                files["pdf"] = html_pdf(html)
            if "html" in job.formats:  # the page carries its glyphs for any browser
                within = Path(job.font) if job.font else None
                files["html"] = with_font(html, within).encode("utf-8")
        return files
