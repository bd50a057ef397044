"""A batch's precomputed data: computed once, serialised once, read by every report notebook.

Indicators and assessments are computed once per batch by the runner; each notebook gets the path
of a zip (parquet frames plus ``meta.json``) instead of recomputing them. A notebook opened by an
analyst without a context computes the same thing from ``data_dir`` with :func:`build_context`.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import threading
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ContextError

FRAMES = (
    "assessment",
    "problems",
    "tasks",
    "departments",
    "inputs",
    "definitions",
    "units",
    "schools",
    "supervision",
    "gaps",
)
"""The frames a context carries, each a parquet file in the zip."""


@dataclass(frozen=True, eq=False)
class ReportContext:
    """Everything a report reads. ``assessment`` holds every period; ``tasks`` the report period.

    ``meta``: period, previous period (and how reports say both), periods, data_dir, generated_at, planlib_version, plan
    title, root org code, and ``report``: the bureau's document settings
    (:func:`.bulletin.report_settings`).
    """

    assessment: pd.DataFrame
    problems: pd.DataFrame
    tasks: pd.DataFrame
    departments: pd.DataFrame
    inputs: pd.DataFrame
    definitions: pd.DataFrame
    units: pd.DataFrame
    schools: pd.DataFrame
    """Every school each county's school-level targets count over, and whether it meets them
    (:func:`planlib.monitoring.behind.school_status`), for the report period."""
    supervision: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The 督办 items of the report period (:func:`planlib.monitoring.supervision.supervision_items`):
    deadline, responsible unit and person, follow-up of last quarter's items, escalation."""
    gaps: pd.DataFrame = field(default_factory=pd.DataFrame)
    """For each county gap on a school-level target, the schools that can close it, ranked,
    needed plus a margin (:func:`planlib.monitoring.gaps.schools_to_close_gap`)."""
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def period(self) -> str:
        return str(self.meta["period"])

    @property
    def period_label(self) -> str:
        """How reports say the report period (2022年第二季度), worked out once by
        :func:`build_context`; a context from an older batch, which lacks it, says it here."""
        label = self.meta.get("period_label")
        return str(label) if label else _label(self.period)

    @property
    def previous_label(self) -> str | None:
        """How reports say the quarter before the report period (None in a year's first)."""
        prev = self.meta.get("previous_period")
        if not prev:
            return None
        label = self.meta.get("previous_label")
        return str(label) if label else _label(str(prev))

    def to_bytes(self) -> bytes:
        """The context as a zip of parquet files (what every report job receives)."""
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
            for name in FRAMES:
                frame: pd.DataFrame = getattr(self, name)
                part = io.BytesIO()
                _plain(frame).to_parquet(part, index=False)
                zf.writestr(f"{name}.parquet", part.getvalue())
            zf.writestr("meta.json", json.dumps(self.meta, ensure_ascii=False))
        return buf.getvalue()


def children(ctx: ReportContext, org: str) -> list[str]:
    """Codes of the org unit's direct children that have assessment rows: the units an overview
    ranks, and in a batch a report each (the one rule for both)."""
    units = ctx.units
    kids = units.loc[units["parent_code"].fillna("").astype(str) == str(org), "code"].astype(str)
    have = set(ctx.assessment["org_code"].astype(str))
    return [k for k in kids if k in have]


def departments(ctx: ReportContext) -> list[str]:
    """Every department (处室) that gets a report: those the plan names (collective names
    dropped by :func:`build_context`), else those that answer for a target; a batch plans a
    report for each and a department's report checks its name against the same list."""
    named = ctx.meta.get("departments")
    if named:
        return list(named)
    return sorted(set(ctx.departments["department"].astype(str)))


def _label(period: str) -> str:
    from ..periods import parse_period

    return parse_period(period).label


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy parquet can store: object columns of mixed values become strings."""
    out = frame.copy()
    out.attrs = {}
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(lambda v: None if v is None or v is pd.NA else str(v))
    return out


_LAST: dict[bytes, ReportContext] = {}
_LAST_LOCK = threading.Lock()


def context_from_bytes(data: bytes) -> ReportContext:
    """Read a context written by :meth:`ReportContext.to_bytes`.

    The last context read is kept: a warm report kernel reads the same batch context for report
    after report (8 Parquet frames, 0.05 s each time). Every call gets its own copy of the frames
    and of the meta (1 ms), so a change one report makes is never seen by the next."""
    digest = hashlib.blake2b(data, digest_size=16).digest()
    with _LAST_LOCK:
        kept = _LAST.get(digest)
        if kept is None:
            kept = _read(data)
            _LAST.clear()
            _LAST[digest] = kept
    return ReportContext(
        **{name: getattr(kept, name).copy(deep=True) for name in FRAMES},
        meta=copy.deepcopy(kept.meta),
    )


def _read(data: bytes) -> ReportContext:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            frames = {n: pd.read_parquet(io.BytesIO(zf.read(f"{n}.parquet"))) for n in FRAMES}
            meta = json.loads(zf.read("meta.json").decode("utf-8"))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise ContextError(f"报告数据文件无法读取：{err}") from err
    return ReportContext(**frames, meta=meta)


def load_context(path: str | Path) -> ReportContext:
    """Read a context zip from disk (what a report notebook does first)."""
    p = Path(path)
    if not p.is_file():
        raise ContextError(f"找不到报告数据文件：{p}")
    return context_from_bytes(p.read_bytes())


def build_context(
    data_dir: str | Path,
    period: str = "latest",
    plan: Any = None,
    settings: Any = None,
    allocations: Any = None,
) -> ReportContext:
    """Run the monitoring chain once (:func:`planlib.monitor`) and gather what reports need.

    ``plan``, ``settings`` and ``allocations`` are those of ``monitor`` (and of ``planlib assess``).
    """
    from ..monitoring.behind import school_status
    from ..monitoring.departments import by_department, department_names
    from ..monitoring.gaps import schools_to_close_gap
    from ..monitoring.pipeline import monitor
    from ..resources import package_version
    from .bulletin import report_settings

    run = monitor(data_dir, period, plan=plan, settings=settings, allocations=allocations)
    assessment = run.assessment
    if run.periods != run.year_to_date:  # a report is about one quarter and its year so far
        assessment = assessment[assessment["period"].astype(str).isin(run.year_to_date)]
    departments = by_department(assessment, run.plan)
    departments = departments[departments["period"].astype(str) == run.period]
    units = run.dataset.org_units.units
    roots = units.loc[units["parent_code"].fillna("").astype(str) == "", "code"]
    meta: dict[str, Any] = {
        "period": run.period,
        "previous_period": run.previous_period,
        "periods": run.year_to_date,
        "data_dir": str(data_dir),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "planlib_version": package_version(),
        "plan_title": str(getattr(run.plan, "title", "")),
        "root": str(roots.iloc[0]) if len(roots) else None,
        "assessment_warnings": list(run.assessment.attrs.get("warnings", [])),
        "settings": run.settings.describe(run.definitions),
        "judgement": run.settings.judgement(run.definitions).sentences(),
        # every named department gets a report, except collective names (机关各处室)
        "departments": [d for d in department_names(run.plan) if "各" not in d],
        **_labels(run),
    }
    root_name = units.loc[units["code"].astype(str) == str(meta["root"]), "name"]
    meta["report"] = report_settings(
        data_dir,
        str(getattr(run.plan, "issuer", "") or ""),
        str(root_name.iloc[0]) if len(root_name) else "",
    )
    schools = run.dataset.org_units.schools.set_index("code")["county_code"]
    problems = run.problems.assign(
        county_code=lambda f: f["org_code"].map(schools).fillna(f["org_code"])
    )
    return ReportContext(
        assessment=assessment,
        problems=problems,
        tasks=run.tasks,
        departments=departments,
        inputs=run.dataset.inputs,
        definitions=run.definitions.frame(run.settings),
        units=units,
        schools=school_status(
            run.dataset.values,
            run.dataset.org_units.schools,
            assessment,
            run.definitions,
            run.settings,
            run.period,
        ),
        supervision=_supervision(run),
        gaps=schools_to_close_gap(run, run.period),
        meta=meta,
    )


def _labels(run: Any) -> dict[str, str | None]:
    """How reports say the as-of quarter and the one before it: from the request resolved once
    (``run.as_of``), read by every report (titles, page titles, the index, the CLI's summary)."""
    as_of = run.as_of if run.as_of is not None and str(run.as_of) == run.period else None
    prev = run.previous_period
    return {
        "period_label": as_of.label if as_of is not None else _label(run.period),
        "previous_label": _label(prev) if prev else None,
    }


def _supervision(run: Any) -> pd.DataFrame:
    """The run's 督办 items; none from a monitoring package that does not make them yet."""
    try:
        from ..monitoring.supervision import supervision_items
    except ImportError:
        return pd.DataFrame()
    return supervision_items(run)


def open_context(
    context: str | None = None, data_dir: str | None = None, period: str = "latest"
) -> ReportContext:
    """What a notebook calls: the runner's context file if given, else computed from ``data_dir``."""
    if context:
        return load_context(context)
    if not data_dir:
        raise ContextError("请在参数中给出 data_dir（数据目录）或 context（报告数据文件）")
    return build_context(data_dir, period)
