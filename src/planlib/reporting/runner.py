"""The report batch: check the request, compute once, run jobs, write files safely, index them.

The client alone writes to the output folder, and one batch at a time (:class:`~planlib.
reporting.outdir.BatchLock`): each file is written beside its final name and renamed over it
(:func:`~planlib.reporting.outdir.write_atomic`), so a report that fails (or a batch that is
killed) never replaces a good one. ``index.html``, ``manifest.json`` and ``planlib-report.log``
describe the batch. A batch stopped by Ctrl-C (KeyboardInterrupt; the CLI turns SIGTERM into
one too) stops its workers, keeps the reports made, lists the others in the manifest as
``interrupted`` and raises KeyboardInterrupt again with a one-line Chinese message. A file that
cannot be written stops the batch with a :class:`ReportOutputError` naming it and the cause.
"""

from __future__ import annotations

import logging
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..returns.orgunits import OrgUnits

from ..errors import PlanlibError, ReportOutputError, UnknownNameError, UsageError
from .context import ReportContext, build_context, children
from .context import departments as reported_departments
from .executors import Executor, LocalExecutor
from .index import INTERRUPTED, LOG_NAME, index_html
from .index import entry as _entry
from .index import manifest as _manifest
from .jobs import ReportJob, ReportResult
from .outdir import BatchLock, batch_log, output_error, write_atomic

FORMATS = ("html", "pdf")
KINDS = ("county", "department", "city")
"""The kinds of report a batch can hold (``--only``)."""
_KIND_WORDS = {"县市区": "county", "县": "county", "处室": "department", "总览": "city"}
MANIFEST_NAME = "manifest.json"
INDEX_NAME = "index.html"
NOTEBOOKS = {
    "county": "county_report.ipynb",
    "city": "city_overview.ipynb",
    "department": "department_report.ipynb",
}
DEFAULT_TIMEOUT = 600.0

log = logging.getLogger("planlib.report")


def safe_key(text: str) -> str:
    """A file stem from a code or name: letters, digits, Han characters, ``-`` and ``_`` only."""
    key = re.sub(r"[^0-9A-Za-z\u4e00-\u9fff_-]+", "_", str(text)).strip("._-")
    return key[:80] or "report"


def parse_formats(text: str | Sequence[str]) -> tuple[str, ...]:
    items = [t.strip().lower() for t in (text.split(",") if isinstance(text, str) else text)]
    items = [t for t in items if t]
    bad = [t for t in items if t not in FORMATS]
    if bad or not items:
        raise UsageError(f"无法识别的格式：{'、'.join(bad) or '（空）'}（可选：html、pdf）")
    return tuple(dict.fromkeys(items))


def parse_kinds(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """The kinds of report asked for (``county,city``; 县市区、处室、总览 too); None: every kind."""
    if text is None:
        return KINDS
    words = [t.strip().lower() for t in (_split(text) if isinstance(text, str) else text)]
    items = [_KIND_WORDS.get(t, t) for t in words if t]
    bad = [t for t in items if t not in KINDS]
    if bad or not items:
        raise UsageError(
            f"无法识别的报告种类：{'、'.join(bad) or '（空）'}"
            "（可选：county 县市区、department 处室、city 总览）"
        )
    return tuple(k for k in KINDS if k in items)


def _split(text: str) -> list[str]:
    return re.split("[,，、]", text)


def check_department_names(plan: Any, wanted: str | Sequence[str]) -> list[str]:
    """The departments asked for, each one the plan gives a report; otherwise an error that
    names the close matches (``财物处`` → 财务处) and every valid name."""
    import difflib

    from ..monitoring.departments import department_names
    from ..plan.files import load_plan
    from ..plan.model import Plan

    the_plan = plan if isinstance(plan, Plan) else load_plan(plan)
    known = [d for d in department_names(the_plan) if "各" not in d]  # as build_context
    names = _split(wanted) if isinstance(wanted, str) else wanted
    asked = list(dict.fromkeys(d.strip() for d in names if d.strip()))
    unknown = [d for d in asked if d not in known]
    if not asked or unknown:
        close = [m for d in unknown for m in difflib.get_close_matches(d, known, 3, 0.4)]
        hint = f"是否是：{'、'.join(dict.fromkeys(close))}？" if close else ""
        raise UnknownNameError(
            f"计划中没有可生成报告的处室「{'、'.join(unknown) or '（空）'}」。{hint}"
            f"可用：{'、'.join(known)}"
        )
    return asked


def check_units(data_dir: str | Path, spec: str, units: OrgUnits | None = None) -> list[str] | None:
    """The org codes asked for (``all`` → None), each checked against org_units before any work.

    Accepts any unit that has a parent (a county, or a city in a province's tree), by code or
    by name (城关区); an unknown one is refused naming the closest units, a school as a school.
    """
    from ..returns.orgunits import load_org_units

    if spec.strip().lower() in ("", "all"):
        return None
    units = units if units is not None else load_org_units(data_dir)
    table = units.units
    parents = table.set_index(table["code"].astype(str))["parent_code"].fillna("").astype(str)
    try:
        codes = [units.code(c.strip()) for c in re.split(r"[,，、]", spec) if c.strip()]
    except PlanlibError as err:
        raise UsageError(f"{err}（单位表：{Path(data_dir) / 'org_units.csv'}）") from err
    schools = [c for c in codes if c not in parents.index]
    if schools:
        raise UsageError(f"{'、'.join(schools)} 是学校，不是单位；报告按单位（县市区）生成")
    roots = [c for c in codes if not parents[c]]
    if roots:
        raise UsageError(f"{'、'.join(roots)} 是根单位，没有上级可比较；其总览报告会自动生成")
    return list(dict.fromkeys(codes))


def check_root(data_dir: str | Path, root: str | None, units: OrgUnits | None = None) -> str | None:
    """The unit a batch is about (None: the root of the tree), checked before any work."""
    from ..returns.orgunits import load_org_units

    if root is None or not root.strip():
        return None
    table = (units if units is not None else load_org_units(data_dir)).units
    code = root.strip()
    if code not in set(table["code"].astype(str)):
        raise UsageError(f"未知的单位代码：{code}（见 {Path(data_dir) / 'org_units.csv'}）")
    if not (table["parent_code"].fillna("").astype(str) == code).any():
        raise UsageError(f"单位 {code} 没有下级单位，无法生成总览；请用 --county {code}")
    return code


def plan_jobs(
    ctx: ReportContext,
    counties: list[str] | None,
    formats: tuple[str, ...] = FORMATS,
    timeout: float = DEFAULT_TIMEOUT,
    overview: bool = True,
    departments: bool | Sequence[str] = True,
    root: str | None = None,
) -> list[ReportJob]:
    """The batch: an overview of ``root`` (default: the root of the tree, e.g. the city) over
    its children, a report for every child (or the given units), and every department."""
    units = ctx.units
    root = str(root or ctx.meta.get("root") or "")
    names = dict(zip(units["code"].astype(str), units["name"].astype(str), strict=True))
    have = set(ctx.assessment["org_code"].astype(str))
    if counties is None:
        counties = children(ctx, root) if root else []
    base = {"period": ctx.period, "data_dir": str(ctx.meta.get("data_dir", ""))}
    jobs: list[ReportJob] = []
    if overview and root in have:
        jobs.append(
            ReportJob(
                safe_key("city"),
                "city",
                names.get(root, root),
                NOTEBOOKS["city"],
                {**base, "org": root},
                formats,
                timeout,
                label=ctx.period_label,
            )
        )
    for code in counties:
        jobs.append(
            ReportJob(
                safe_key(code),
                "county",
                names.get(code, code),
                NOTEBOOKS["county"],
                {**base, "county": code},
                formats,
                timeout,
                label=ctx.period_label,
            )
        )
    if departments:
        every = reported_departments(ctx)
        chosen = every if departments is True else [d for d in every if d in set(departments)]
        for dept in chosen:
            jobs.append(
                ReportJob(
                    safe_key(f"dept-{dept}"),
                    "department",
                    dept,
                    NOTEBOOKS["department"],
                    {**base, "department": dept, "org": root or None},
                    formats,
                    timeout,
                    label=ctx.period_label,
                )
            )
    return jobs


def with_batch_font(ctx: ReportContext, jobs: list[ReportJob]) -> list[ReportJob]:
    """The jobs told where the batch's font is: the bundled font cut once to every character the
    batch's reports can show (cached on disk by their hash), from which each HTML page cuts its
    own in a tenth of a second instead of half a second (:func:`planlib.fonts.page_font`)."""
    import dataclasses

    from ..fonts import batch_font
    from .context import FRAMES
    from .render import batch_text

    started = time.monotonic()
    font = batch_font(batch_text((getattr(ctx, name) for name in FRAMES), ctx.meta))
    log.info("报告字体已准备，用时 %.1f 秒", time.monotonic() - started)
    return [dataclasses.replace(job, font=str(font or "")) for job in jobs]


@dataclass
class BatchOutcome:
    """What a batch did: one entry per report, plus where the index and manifest are."""

    out: Path
    period: str
    label: str = ""
    """The period as reports say it (2022年第二季度)."""
    entries: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    parts: dict[str, Any] = field(default_factory=dict)
    """What the batch was asked to render: ``kinds``, ``counties`` and ``departments`` ("all",
    or the codes and names); see :func:`run_reports`."""
    interrupted: bool = False
    """Stopped early (Ctrl-C, SIGTERM): the reports not made are listed as ``interrupted``."""

    @property
    def partial(self) -> bool:
        """True when the batch rendered only a part: some kinds, counties or departments."""
        p = self.parts
        return bool(p) and (
            p["kinds"] != list(KINDS) or p["counties"] != "all" or p["departments"] != "all"
        )

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [e for e in self.entries if e["status"] != "ok"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


Progress = Callable[[ReportJob, ReportResult, int, int], None]


def run_reports(
    data_dir: str | Path,
    out: str | Path,
    period: str = "latest",
    counties: str = "all",
    formats: str | Sequence[str] = FORMATS,
    executor: Executor | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
    context: ReportContext | None = None,
    departments: bool | str | Sequence[str] = True,
    root: str | None = None,
    plan: Any = None,
    settings: Any = None,
    allocations: Any = None,
    kinds: str | Sequence[str] | None = None,
    wait: bool = False,
    waiting: Callable[[str], None] | None = None,
) -> BatchOutcome:
    """Render a batch into ``out``; returns the outcome (``exit_code`` 0 all ok, 1 some failed).

    Usage problems (unknown county, bad format) raise :class:`UsageError` before any work.
    ``departments``: False for none, or the names of the departments to render (default all;
    a name the plan has no report for is an :class:`UnknownNameError` naming close matches).
    ``root``: the unit whose overview heads the batch, e.g. a province or a city of a national
    tree (default: the root of the tree); without ``counties`` its children are reported.
    ``plan``, ``settings``, ``allocations``: as for :func:`planlib.monitor` (and ``planlib assess``).
    ``kinds``: which kinds of report to render (:data:`KINDS`, default every kind): a part of
    a batch, e.g. ``kinds="county", counties="990102"`` renders that county's report alone.
    ``index.html`` and ``manifest.json`` then list what this batch rendered.
    ``out`` is locked for the batch: another batch in it is a :class:`ReportOutputError` naming
    its process, or with ``wait`` a wait for it (``waiting`` gets a message first). A file that
    cannot be written is a :class:`ReportOutputError` naming it and the cause (also logged).
    Ctrl-C: the batch stops, keeps what it made, writes the manifest (the rest ``interrupted``)
    and raises KeyboardInterrupt with a one-line Chinese message.
    """
    start = time.monotonic()
    fmts = parse_formats(formats)
    chosen, departments = _check_parts(kinds, counties, departments, plan)
    wanted, overview_of = _check_units_and_root(data_dir, counties, root)
    out_dir = Path(out)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise output_error(out_dir, err) from err
    with BatchLock(out_dir, wait=wait, waiting=waiting), batch_log(out_dir / LOG_NAME, log):
        try:
            log.info("开始：数据目录 %s，报告期 %s，输出 %s", data_dir, period, out_dir)
            ctx = (
                context
                if context is not None
                else build_context(
                    data_dir, period, plan=plan, settings=settings, allocations=allocations
                )
            )
            log.info(
                "指标与评估已计算（报告期 %s），用时 %.1f 秒", ctx.period, time.monotonic() - start
            )
            jobs = plan_jobs(
                ctx,
                wanted if "county" in chosen else [],
                fmts,
                timeout,
                overview="city" in chosen,
                departments=departments,
                root=overview_of,
            )
            parts = _parts(chosen, wanted, departments)
            outcome = _render_batch(ctx, jobs, out_dir, executor, progress, parts, start)
        except ReportOutputError as err:
            log.error("%s", err)
            raise
    if outcome.interrupted:
        done = len(outcome.entries) - len(outcome.failed)
        raise KeyboardInterrupt(
            f"已中断：{done} 份报告已完成，其余 {len(outcome.failed)} 份未生成"
            f"（见 {out_dir / MANIFEST_NAME}）"
        )
    return outcome


def _check_units_and_root(
    data_dir: str | Path, counties: str, root: str | None
) -> tuple[list[str] | None, str | None]:
    """The counties asked for (None: all) and the overview's unit, checked against the org
    units (read once for both, and only when either is given)."""
    from ..returns.orgunits import load_org_units

    needs_units = counties.strip().lower() not in ("", "all") or bool(root and root.strip())
    units = load_org_units(data_dir) if needs_units else None
    return check_units(data_dir, counties, units), check_root(data_dir, root, units)


def _parts(
    chosen: tuple[str, ...], wanted: list[str] | None, departments: bool | list[str]
) -> dict[str, Any]:
    """What the batch was asked to render, for the manifest (see :class:`BatchOutcome`)."""
    return {
        "kinds": list(chosen),
        "counties": ("all" if wanted is None else wanted) if "county" in chosen else [],
        "departments": "all" if departments is True else list(departments or []),
    }


def _render_batch(
    ctx: ReportContext,
    jobs: list[ReportJob],
    out_dir: Path,
    executor: Executor | None,
    progress: Progress | None,
    parts: dict[str, Any],
    start: float,
) -> BatchOutcome:
    """Run the planned jobs, write each report as it comes, then the manifest and the index."""
    if any("html" in job.formats for job in jobs):
        jobs = with_batch_font(ctx, jobs)
    runner = executor if executor is not None else LocalExecutor()
    log.info("共 %d 份报告（%s），执行器 %r", len(jobs), "、".join(parts["kinds"]), runner)
    outcome = BatchOutcome(out=out_dir, period=ctx.period, label=ctx.period_label, parts=parts)
    results = _collect(runner, jobs, ctx, outcome, progress)
    with _signals_held() if outcome.interrupted else nullcontext():
        _finish(ctx, jobs, results, outcome, start)
    return outcome


def _check_parts(
    kinds: str | Sequence[str] | None,
    counties: str,
    departments: bool | str | Sequence[str],
    plan: Any,
) -> tuple[tuple[str, ...], bool | list[str]]:
    """The kinds of report asked for and the departments (True: all, False: none, or names),
    refused before any work when they contradict each other."""
    chosen = parse_kinds(kinds)
    if counties.strip().lower() not in ("", "all") and "county" not in chosen:
        raise UsageError("指定了县市区，但报告种类中没有 county（县市区报告）")
    if not isinstance(departments, bool):  # names: checked now, before any work
        departments = check_department_names(plan, departments) if departments else False
        if departments and "department" not in chosen:
            raise UsageError("指定了处室，但报告种类中没有 department（处室报告）")
    if "department" not in chosen:
        departments = False
    if chosen == ("department",) and departments is False:
        raise UsageError("没有要生成的报告：报告种类只有处室报告，却未选任何处室")
    return chosen, departments


def _collect(
    runner: Executor,
    jobs: list[ReportJob],
    ctx: ReportContext,
    outcome: BatchOutcome,
    progress: Progress | None,
) -> dict[str, ReportResult]:
    """Run the jobs, writing each report as it comes (a result counts once its files are
    written). Ctrl-C (KeyboardInterrupt) marks the outcome ``interrupted``; leaving early for
    any reason closes the executor's stream, which stops its workers at once."""
    by_key = {j.key: j for j in jobs}
    results: dict[str, ReportResult] = {}
    stream = runner.run(jobs, ctx.to_bytes())
    try:
        for n, result in enumerate(stream, start=1):
            job = by_key[result.key]
            if result.status == "ok":
                for kind, data in result.files.items():
                    write_atomic(outcome.out / f"{job.key}.{kind}", data)
                log.info("完成 %s（%s），%.1f 秒", job.title, job.key, result.seconds)
            else:
                log.error("失败 %s（%s）：%s", job.title, job.key, result.error)
            results[job.key] = result
            if progress is not None:
                progress(job, result, n, len(jobs))
    except KeyboardInterrupt:
        outcome.interrupted = True
        log.warning("已中断：%d 份报告已返回，停止其余报告", len(results))
    finally:
        with _signals_held() if outcome.interrupted else nullcontext():
            close = getattr(stream, "close", None)
            if callable(close):
                close()
    return results


def _finish(
    ctx: ReportContext,
    jobs: list[ReportJob],
    results: dict[str, ReportResult],
    outcome: BatchOutcome,
    start: float,
) -> None:
    """The entries of every job (one never returned: failed, or ``interrupted``), the manifest
    and the index."""
    status, why = (INTERRUPTED, "已中断，未生成") if outcome.interrupted else ("failed", None)
    for job in jobs:  # an executor that lost a job still gets it listed
        if job.key not in results:
            results[job.key] = ReportResult(job.key, status, {}, why or "执行器没有返回结果", 0.0)
    out_dir = outcome.out
    outcome.entries = [_entry(job, results[job.key], out_dir) for job in jobs]
    outcome.seconds = time.monotonic() - start
    write_atomic(out_dir / MANIFEST_NAME, _manifest(ctx, outcome))
    page = index_html(ctx, jobs, outcome)
    font = next((job.font for job in jobs if job.font), "")
    if font and not outcome.interrupted:  # an HTML batch: the index carries its glyphs too
        from .render import with_font

        page = with_font(page, Path(font))
    write_atomic(out_dir / INDEX_NAME, page.encode("utf-8"))
    log.info(
        "%s：%d 份成功，%d 份失败或未生成，用时 %.1f 秒",
        "已中断" if outcome.interrupted else "结束",
        len(outcome.entries) - len(outcome.failed),
        len(outcome.failed),
        outcome.seconds,
    )


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM ignored while a stopped batch winds up (a second Ctrl-C must not cut
    its manifest short; it takes well under a second); only the main thread can do this."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in old.items():
            if handler is not None:
                signal.signal(sig, handler)


def plain_progress(job: ReportJob, result: ReportResult, done: int, total: int) -> None:
    """Log lines for cron and CI (no terminal): one line per finished report."""
    word = "完成" if result.status == "ok" else f"失败：{result.error}"
    print(
        f"[{done}/{total}] {job.title}（{job.key}）{word}，{result.seconds:.1f}秒", file=sys.stderr
    )
