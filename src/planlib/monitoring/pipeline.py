"""The monitoring chain assembled once: data folder → indicators → assessment → task colours.

Every entry point calls :func:`monitor`: the ``compute``/``assess``/``ledger`` commands, the report
context of ``planlib report``, and analysts' notebooks. So a setting, a plan file or an allocation
file changes every output the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..catalog.definitions import IndicatorSet, Settings, load_indicators
from ..checks import describe
from ..errors import PlanlibError, UsageError
from ..periods import AsOf, as_of, resolve_periods
from ..periods import year_to_date as _year_to_date
from ..plan.files import load_plan
from ..plan.model import Plan
from ..returns.dataset import Dataset, load_dataset
from ..returns.ledger import check_ledger
from ..returns.validation import problems_frame
from ..workspace import use_workspace
from .assessment import assess
from .excluded import removed_units
from .indicators import compute_indicators
from .tasks import task_status


@dataclass(frozen=True, eq=False)
class Monitoring:
    """One run of the chain, as of ``period`` (the last quarter the request named).

    ``selected``: the quarters the request named (one for ``latest`` or a quarter; several for a
    year, a range or ``all``). ``periods``: those plus the quarters of ``period``'s year up to it,
    so trends and the previous quarter are there. ``indicators`` and ``assessment``: one row per
    (org unit, period, indicator/target) for ``periods``. ``tasks``: one row per task, coloured
    for ``period``. ``problems``: the data's problems plus the ledger's (reports naming a task
    the plan does not have).
    """

    dataset: Dataset
    plan: Plan
    settings: Settings
    definitions: IndicatorSet
    period: str
    selected: list[str]
    periods: list[str]
    indicators: pd.DataFrame
    assessment: pd.DataFrame
    tasks: pd.DataFrame
    problems: pd.DataFrame
    as_of: AsOf | None = None
    """The as-of quarter resolved once (its label, its year to date with data, the previous
    quarter); None on a Monitoring made by hand."""

    def summary(self) -> dict[str, Any]:
        """What the run is, in a few numbers: plan, as-of quarter, units, targets by status."""
        a = self.assessment
        mine = a[a["period"].astype(str) == self.period]
        root = mine["parent_code"].fillna("").astype(str) == ""
        top, below = mine[root], mine[~root]
        statuses = ["达标", "接近", "未达标", "无数据"]
        severity = self.problems["severity"] if "severity" in self.problems else pd.Series([])
        return {
            "计划": self.plan.title,
            "报告期": self.period,
            "计算的季度": "、".join(self.periods),
            "单位": int(self.dataset.org_units.units.shape[0]),
            "目标": int(top["target"].notna().sum() if len(top) else 0),
            **{f"全市{s}": int((top["status"] == s).sum()) for s in statuses},
            **{f"下级{s}": int((below["status"] == s).sum()) for s in statuses},
            "数据错误": int((severity == "error").sum()),
            "数据警告": int((severity == "warning").sum()),
        }

    def __repr__(self) -> str:
        s = self.summary()
        parts = [f"{k} {v}" for k, v in s.items() if k not in ("计划", "报告期", "计算的季度")]
        return (
            f"<Monitoring {s['计划']}，{s['报告期']}（计算 {len(self.periods)} 个季度）："
            + "，".join(parts)
            + ">"
        )

    def _repr_html_(self) -> str:
        """A card in Jupyter: the run's plan, quarter and status counts (the frames are
        attributes: ``.assessment``, ``.indicators``, ``.tasks``, ``.problems``)."""
        from html import escape

        rows = "".join(
            f"<tr><th style='text-align:left'>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>"
            for k, v in self.summary().items()
        )
        return (
            "<div><b>planlib 监测结果</b>（属性：assessment、indicators、tasks、problems；"
            "select() 按指标、单位与报告期选取）"
            f"<table>{rows}</table></div>"
        )

    def schools(
        self,
        indicator: str | None = None,
        unit: str | Sequence[str] | None = None,
        *,
        behind: bool = True,
    ) -> pd.DataFrame:
        """The schools a school-level target counts over (标准化, 省级示范高中, 智慧校园 …) as of
        ``period``: by default those not meeting it yet, per county, in code order. ``indicator``:
        a code, name or the plan's wording; ``unit``: county codes or names. Columns: county,
        task, indicator, school code and name, stage, ownership, ``meets``, ``reported``."""
        from .behind import school_status

        frame = school_status(
            self.dataset.values,
            self.dataset.org_units.schools,
            self.assessment,
            self.definitions,
            self.settings,
            self.period,
        )
        if indicator is not None:
            frame = frame[frame["indicator"] == self.definitions[indicator].code]
        if unit is not None:
            units = [unit] if isinstance(unit, str) else list(unit)
            org = self.dataset.org_units
            frame = frame[frame["county_code"].isin({org.code(u) for u in units})]
        if behind:
            frame = frame[~frame["meets"].astype(bool)]
        names = self.dataset.org_units.units.set_index("code")["name"]
        frame = frame.assign(county_name=frame["county_code"].map(names))
        return frame.reset_index(drop=True)

    @property
    def year_to_date(self) -> list[str]:
        """The quarters of ``period``'s year up to it that have data."""
        if self.as_of is not None and str(self.as_of) == self.period:
            return list(self.as_of.year_to_date)
        return _year_to_date(self.periods, self.period)

    @property
    def previous_period(self) -> str | None:
        """The quarter with data before ``period`` in the same year (None in its first)."""
        before = self.year_to_date[:-1]
        return before[-1] if before else None

    def select(
        self,
        indicator: str | Sequence[str] | None = None,
        unit: str | Sequence[str] | None = None,
        period: str | None = None,
    ) -> pd.DataFrame:
        """Assessment rows picked by the words an analyst has at hand, in division-code order.

        ``indicator``: a code, the indicator's name, an alias or the plan's own wording
        (学前三年毛入学率 finds 学前三年毛入园率). ``unit``: codes or names (高新区). ``period``:
        as ``--period`` (latest, a quarter, a year, a range, all); default every computed quarter.
        Unknown names are errors listing the closest ones.
        """
        a = self.assessment
        if indicator is not None:
            names = [indicator] if isinstance(indicator, str) else list(indicator)
            codes = {self.definitions[n].code for n in names}
            a = a[a["indicator"].isin(codes)]
        if unit is not None:
            units = [unit] if isinstance(unit, str) else list(unit)
            org = self.dataset.org_units
            a = a[a["org_code"].isin({org.code(u) for u in units})]
        if period is not None:
            a = a[a["period"].astype(str).isin(resolve_periods(self.periods, period))]
        a = a.sort_values(["org_code", "period", "task_id"], kind="stable").reset_index(drop=True)
        if isinstance(a["org_name"].dtype, pd.CategoricalDtype):  # legends and groupbys list
            a["org_name"] = a["org_name"].cat.remove_unused_categories()  # only the units chosen
        return a


def monitor(
    data: str | Path | Dataset,
    period: str = "latest",
    *,
    plan: Plan | str | Path | None = None,
    settings: Settings | Mapping[str, Any] | None = None,
    allocations: Any = None,
    definitions: IndicatorSet | None = None,
    year_to_date: bool = True,
) -> Monitoring:
    """Load (or take) a data folder and compute, assess and colour everything as of ``period``.

    ``period``: ``latest``/``最新``, a quarter, a year, a range or ``all``; the chain is *as of*
    the last quarter named (see :func:`planlib.periods.resolve_periods`). ``plan``: a Plan, a plan file or
    None (the bundled plan). ``settings``: 口径 settings (``Settings`` or a mapping, as
    ``--set``). ``allocations``: None (the bundled file for the plan's year), a path, a frame, or
    False (none). ``year_to_date``: also compute the earlier quarters of the year (trends, the
    previous quarter); False computes the selected quarters only.
    """
    period = _checked(data, period)
    dataset = data if isinstance(data, Dataset) else load_dataset(data)
    # a data folder that is a workspace brings its own plan, catalog, allocations and settings
    with use_workspace(getattr(dataset, "workspace", None)) as ws:
        the_plan = plan if isinstance(plan, Plan) else load_plan(plan)
        defs = definitions if definitions is not None else load_indicators()
        if allocations is None and ws is not None and ws.year == the_plan.year:
            allocations = ws.allocations_path if ws.allocations_path.is_file() else False
    if settings is None and ws is not None and ws.settings:
        settings = dict(ws.settings)
    chosen_settings = Settings.coerce(settings).check_codes(defs)
    selected, wanted = _quarters(dataset.periods, period, the_plan, year_to_date)
    chosen = selected[-1]
    indicators = compute_indicators(
        dataset, periods=wanted, settings=chosen_settings, indicators=defs
    )
    last_year = _last_year(selected, dataset.periods, wanted)
    history = (
        compute_indicators(dataset, periods=last_year, settings=chosen_settings, indicators=defs)
        if last_year
        else None
    )
    assessment = assess(
        indicators,
        the_plan,
        allocations=allocations,
        settings=chosen_settings,
        definitions=defs,
        history=history,  # flows projected by last year's quarterly pattern where it is there
        excluded=removed_units(dataset),  # counties left out: the city's totals less their part
    )
    tasks = task_status(the_plan, dataset.ledger, assessment, chosen)
    # the ledger's problems and the allocation file's likely slips join the data's
    more = [*check_ledger(dataset.ledger, the_plan), *assessment.attrs.get("problems", [])]
    problems = (
        pd.concat([dataset.problems, problems_frame(more)], ignore_index=True)
        if more
        else dataset.problems
    )
    return Monitoring(
        dataset=dataset,
        plan=the_plan,
        settings=chosen_settings,
        definitions=defs,
        period=chosen,
        selected=selected,
        periods=wanted,
        indicators=indicators,
        assessment=assessment,
        tasks=tasks,
        problems=problems,
        as_of=as_of(dataset.periods, chosen),
    )


def _checked(data: Any, period: Any) -> str:
    """The period as text, after checking ``data`` and ``period`` are of a kind monitor takes."""
    if not isinstance(data, Dataset | str | Path):
        raise UsageError(
            f"monitor() 需要数据目录（路径）或数据集（load_dataset 的结果），而不是{describe(data)}"
        )
    if isinstance(period, int) and not isinstance(period, bool):
        period = str(period)  # monitor(ds, 2022): the year
    if not isinstance(period, str):
        raise UsageError(
            f'monitor() 的报告期应为文字，如 "latest"、"2022Q2"、"2022"，而不是{describe(period)}'
        )
    return period


def _quarters(
    available: list[str], period: str, plan: Plan, year_to_date: bool
) -> tuple[list[str], list[str]]:
    """The quarters asked for (held to the plan's year) and those to compute: each selected
    quarter's year so far (a range may span two years) and last year's Q4 for change targets."""
    selected = _in_plan_year(resolve_periods(available, period), period, plan)
    so_far = (
        sorted({q for s in selected for q in _year_to_date(available, s)}, key=available.index)
        if year_to_date
        else []
    )
    wanted = sorted(
        set(selected) | set(so_far) | _baselines(plan, selected, available), key=available.index
    )
    return selected, wanted


def _in_plan_year(selected: list[str], period: str, plan: Plan) -> list[str]:
    """The quarters asked for, held to the plan's year: ``all`` keeps the plan year's; any other
    request naming a quarter of another year is an error naming both years (2023 returns are
    never judged against a 2022 plan without a word)."""
    if plan.year is None:
        return selected
    mine = [q for q in selected if int(q[:4]) == plan.year]
    if str(period).strip().lower() in ("all", "全部") and mine:
        return mine
    other = sorted({q[:4] for q in selected if int(q[:4]) != plan.year})
    if other:
        quarters = "、".join(q for q in selected if q[:4] in other)
        raise PlanlibError(
            f"报告期 {quarters} 属于 {'、'.join(other)} 年，而计划「{plan.title}」是 {plan.year} 年的；"
            f"请用 {'、'.join(other)} 年的计划（--plan 或该年的工作区），或选 {plan.year} 年的报告期"
        )
    return selected


def _last_year(
    selected: Sequence[str], available: Sequence[str], wanted: Sequence[str]
) -> list[str]:
    """Last year's quarters the data has (not already computed), for the flows' projection by
    last year's quarterly pattern."""
    years = {int(q[:4]) - 1 for q in selected}
    have = set(available) - set(wanted)
    return [f"{y}Q{q}" for y in sorted(years) for q in range(1, 5) if f"{y}Q{q}" in have]


def _baselines(plan: Plan, selected: Sequence[str], available: Sequence[str]) -> set[str]:
    """Last year's fourth quarter, where the data has it, for a plan with change targets
    (提高 X 个百分点 is judged against it)."""
    if not any(t.change for t in (*plan.goals, *(g for _, g in plan.targets))):
        return set()
    return {f"{int(q[:4]) - 1}Q4" for q in selected} & set(available)


__all__ = ["Monitoring", "monitor"]
