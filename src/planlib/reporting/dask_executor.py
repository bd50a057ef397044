"""Report batches on a Dask cluster: each report is one task, its files come back as bytes.

Workers need planlib installed (the same version) but no shared folder: the context (the
pickled dataset and assessment every report reads) is scattered to every worker once, each task
returns its rendered files in a :class:`~planlib.reporting.jobs.ReportResult`, and the client
writes them. A task whose worker dies is re-run on another worker by the scheduler; a task that
raises is retried ``retries`` times. The order results arrive in is the order they finish.

Start a cluster with ``dask scheduler`` and ``dask worker tcp://HOST:8786`` on each machine, then
``planlib report ... --executor dask --scheduler tcp://HOST:8786`` (or set
``DASK_SCHEDULER_ADDRESS``). ``--scheduler local`` starts a cluster on this machine.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from ..errors import PlanlibError, SchedulerUnreachableError

if TYPE_CHECKING:
    from .jobs import ReportJob, ReportResult

ENV_ADDRESS = "DASK_SCHEDULER_ADDRESS"
"""The environment variable Dask itself reads for the scheduler address."""

LOCAL = "local"
"""The address that starts a throwaway cluster on this machine (one process per core)."""

RenderFn = Callable[["ReportJob", bytes], "ReportResult"]


def _default_render(kernel: str = "warm") -> RenderFn:
    from .kernels import kernel_render  # imported late: the runner imports this module lazily

    return kernel_render(kernel)


def _failed(job: Any, message: str, seconds: float) -> ReportResult:
    """A failed result for a job the cluster could not finish (render_job itself never raises)."""
    from .jobs import ReportResult

    return ReportResult(key=job.key, status="failed", files={}, error=message, seconds=seconds)


def _render_task(render: RenderFn, job: ReportJob, context: bytes) -> ReportResult:
    """What runs on a worker: render one report; ``context`` arrives already on the worker."""
    from .jobs import settle_worker

    result = render(job, context)
    settle_worker()  # a Dask worker process, started for the cluster
    return result


class DaskExecutor:
    """Runs report jobs as Dask tasks on the scheduler at ``address``.

    ``address``: ``tcp://HOST:PORT``, ``local`` (a cluster on this machine), or None to read
    ``DASK_SCHEDULER_ADDRESS``. ``retries``: re-runs of a task that raised. ``kernel``: ``warm``
    (each worker keeps a kernel across reports, :mod:`planlib.reporting.kernels`) or ``fresh``
    (a kernel per report). ``render``: the job function (tests pass their own; it overrides
    ``kernel``). ``timeout``: seconds to wait for the scheduler to answer.
    """

    name = "dask"

    def __init__(
        self,
        address: str | None = None,
        *,
        retries: int = 2,
        render: RenderFn | None = None,
        timeout: float = 10.0,
        local_workers: int | None = None,
        kernel: str = "warm",
    ) -> None:
        address = address or os.environ.get(ENV_ADDRESS) or None
        if not address:
            raise PlanlibError(
                "未指定 Dask 调度器地址：请用 --scheduler tcp://主机:端口 指定，"
                f"或设置环境变量 {ENV_ADDRESS}；在本机试运行可用 --scheduler local"
            )
        if retries < 0:
            raise PlanlibError(f"重试次数应为非负整数，实际为 {retries}")
        self.address = address
        self.retries = retries
        self.kernel = kernel
        self.render: RenderFn = render if render is not None else _default_render(kernel)
        self.timeout = timeout
        self.local_workers = local_workers

    def __repr__(self) -> str:
        return f"DaskExecutor({self.address!r}, retries={self.retries}, kernel={self.kernel!r})"

    def _connect(self, stack: ExitStack) -> Any:
        """A Client on the scheduler, closed when ``stack`` closes; Chinese error if unreachable."""
        from distributed import Client, LocalCluster

        if self.address == LOCAL:
            n = self.local_workers or os.cpu_count() or 1
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0"
                )
            )
            return stack.enter_context(Client(cluster))
        try:
            client = Client(self.address, timeout=self.timeout)
        except (OSError, TimeoutError, ValueError) as err:
            raise SchedulerUnreachableError(
                f"无法连接 Dask 调度器 {self.address}（等待 {self.timeout:g} 秒）：{err}。"
                "请确认调度器已用 `dask scheduler` 启动、地址与端口正确（形如 tcp://主机:8786），"
                "且本机能访问该端口"
            ) from None
        client = stack.enter_context(client)
        try:
            client.wait_for_workers(1, timeout=self.timeout)
        except TimeoutError:
            raise SchedulerUnreachableError(
                f"Dask 调度器 {self.address} 上没有可用的 worker（等待 {self.timeout:g} 秒）："
                "请先在计算节点上运行 `dask worker " + self.address + "`"
            ) from None
        return client

    def run(self, jobs: Iterable[ReportJob], context: bytes) -> Iterator[ReportResult]:
        """Submit every job, yield each result as its task finishes; never loses a job.

        A job the cluster cannot finish (its workers kept dying, or the scheduler went away)
        comes back as a failed result with the reason, so the batch manifest lists every job.
        """
        from distributed import as_completed

        jobs = list(jobs)
        if not jobs:
            return
        with ExitStack() as stack:
            client = self._connect(stack)
            started = time.perf_counter()
            # One copy per worker, sent before the tasks: no task waits on a 1-to-N transfer.
            shared = client.scatter(context, broadcast=True, hash=False)
            batch = uuid.uuid4().hex[:8]
            owner: dict[str, ReportJob] = {}
            futures = []
            for job in jobs:
                future = client.submit(
                    _render_task,
                    self.render,
                    job,
                    shared,
                    key=f"planlib-report-{batch}-{job.key}",
                    retries=self.retries,
                    pure=False,
                )
                owner[future.key] = job
                futures.append(future)
            for future in as_completed(futures):
                job = owner[future.key]
                try:
                    result = future.result()
                except Exception as err:  # KilledWorker, CommClosedError, a bad render function
                    result = _failed(
                        job,
                        f"在 Dask 集群上生成失败（已重试 {self.retries} 次）："
                        f"{type(err).__name__}: {err}",
                        time.perf_counter() - started,
                    )
                yield result
                future.release()


__all__ = ["ENV_ADDRESS", "LOCAL", "DaskExecutor", "SchedulerUnreachableError"]
