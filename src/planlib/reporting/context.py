"""A batch's precomputed data: computed once, serialised once, read by every report notebook.

Indicators and assessments are computed once per batch by the runner; each notebook gets the path
of a zip (parquet frames plus ``meta.json``) instead of recomputing them. A notebook opened by an
analyst without a context computes the same thing from ``data_dir`` with :func:`build_context`.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ContextError, PlanlibError

FRAMES = ("assessment", "problems", "tasks", "departments", "inputs", "definitions", "units")
"""The frames a context carries, each a parquet file in the zip."""


@dataclass(frozen=True, eq=False)
class ReportContext:
    """Everything a report reads. ``assessment`` holds every period; ``tasks`` the report period.

    ``meta``: period, previous period, periods, data_dir, generated_at, planlib_version, plan
    title, root org code.
    """

    assessment: pd.DataFrame
    problems: pd.DataFrame
    tasks: pd.DataFrame
    departments: pd.DataFrame
    inputs: pd.DataFrame
    definitions: pd.DataFrame
    units: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def period(self) -> str:
        return str(self.meta["period"])

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


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy parquet can store: object columns of mixed values become strings."""
    out = frame.copy()
    out.attrs = {}
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(lambda v: None if v is None or v is pd.NA else str(v))
    return out


def context_from_bytes(data: bytes) -> ReportContext:
    """Read a context written by :meth:`ReportContext.to_bytes`."""
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


def resolve_period(periods: list[str], period: str) -> str:
    """``latest`` → the newest period with data; otherwise the period itself, which must exist."""
    if not periods:
        raise PlanlibError("数据目录中没有任何季度的数据")
    if period in ("", "latest"):
        return periods[-1]
    from ..periods import parse_period

    try:
        wanted = str(parse_period(period))
    except (PlanlibError, ValueError) as err:
        raise PlanlibError(f"无法识别的报告期：{period}（示例：2022Q4 或 latest）") from err
    if wanted not in periods:
        raise PlanlibError(f"报告期 {wanted} 没有数据；可用的报告期：{'、'.join(periods)}")
    return wanted


def build_context(data_dir: str | Path, period: str = "latest", plan: Any = None) -> ReportContext:
    """Load a data folder, compute indicators and assessments once, and gather what reports need."""
    from .. import __version__
    from ..monitoring.assessment import assess, by_department
    from ..monitoring.indicators import compute_indicators, load_indicators
    from ..plan.files import load_plan
    from ..returns.dataset import load_dataset
    from ..returns.ledger import check_ledger, task_status
    from ..returns.validation import problems_frame

    dataset = load_dataset(data_dir)
    the_plan = plan if plan is not None else load_plan()
    periods = dataset.periods
    chosen = resolve_period(periods, period)
    # Only the report's year up to its period: trends and the previous quarter.
    year = chosen[:4]
    wanted = [p for p in periods if p[:4] == year and p <= chosen]
    indicators = compute_indicators(dataset, periods=wanted)
    assessment = assess(indicators, the_plan)
    departments = by_department(assessment, the_plan)
    departments = departments[departments["period"].astype(str) == chosen]
    tasks = task_status(the_plan, dataset.ledger, assessment, chosen)
    units = dataset.org_units.units
    roots = units.loc[units["parent_code"].fillna("").astype(str) == "", "code"]
    before = [p for p in wanted if p < chosen]
    meta = {
        "period": chosen,
        "previous_period": before[-1] if before else None,
        "periods": wanted,
        "data_dir": str(data_dir),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "planlib_version": __version__,
        "plan_title": str(getattr(the_plan, "title", "")),
        "root": str(roots.iloc[0]) if len(roots) else None,
        "assessment_warnings": list(assessment.attrs.get("warnings", [])),
    }
    schools = dataset.org_units.schools.set_index("code")["county_code"]
    ledger_problems = check_ledger(dataset.ledger, the_plan)
    found = (
        pd.concat([dataset.problems, problems_frame(ledger_problems)], ignore_index=True)
        if ledger_problems
        else dataset.problems
    )
    problems = found.assign(county_code=lambda f: f["org_code"].map(schools).fillna(f["org_code"]))
    return ReportContext(
        assessment=assessment,
        problems=problems,
        tasks=tasks,
        departments=departments,
        inputs=dataset.inputs,
        definitions=load_indicators().frame(),
        units=units,
        meta=meta,
    )


def open_context(
    context: str | None = None, data_dir: str | None = None, period: str = "latest"
) -> ReportContext:
    """What a notebook calls: the runner's context file if given, else computed from ``data_dir``."""
    if context:
        return load_context(context)
    if not data_dir:
        raise ContextError("请在参数中给出 data_dir（数据目录）或 context（报告数据文件）")
    return build_context(data_dir, period)
