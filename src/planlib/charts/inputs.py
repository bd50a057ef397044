"""What the public chart functions take, checked before drawing: an analyst's slip (an indicator
frame for an assessment, a heatmap of every county in every quarter, a trend of twelve counties)
gets a sentence saying what was wanted, not a KeyError; what a chart can draw (a line per unit in a
trend, a column per unit and quarter in a heatmap) it draws, up to what stays readable."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from ..checks import describe
from ..errors import UsageError

F = TypeVar("F", bound=Callable[..., Any])

PANELS = ("task_id", "indicator", "indicator_name", "status", "org_name")
"""What a chart with a row or panel per target needs."""


def _names(rows: Any, column: str) -> list[str]:
    return [str(v) for v in dict.fromkeys(rows[column].astype(str))] if column in rows else []


MAX_UNITS = 6
"""The most units a trend draws, a line each, before the lines cannot be told apart."""

MAX_COLUMNS = 24
"""The most unit-and-quarter columns a heatmap of several quarters draws."""


def _usage(rows: Any, name: str, needs: tuple[str, ...]) -> None:
    """Refuse anything that is not assessment rows with the columns the chart needs."""
    if not hasattr(rows, "columns"):
        raise UsageError(
            f"{name}() 需要评估结果表（run.assessment 或 run.select(...) 的结果），"
            f"而不是{describe(rows)}"
        )
    columns = set(map(str, rows.columns))
    missing = [c for c in needs if c not in columns]
    if missing and len(rows):
        hint = (
            "；这是指标表（compute_indicators 的结果），请传入评估结果 run.assessment"
            if "value" in columns and "status" not in columns
            else ""
        )
        raise UsageError(f"{name}() 需要评估结果表，缺少列：{'、'.join(missing)}{hint}")


def _columns_fit(rows: Any, name: str) -> None:
    """A heatmap of several quarters draws a column per unit and quarter: at most MAX_COLUMNS."""
    periods, units = _names(rows, "period"), _names(rows, "org_name")
    if len(periods) > 1 and len(periods) * len(units) > MAX_COLUMNS:
        raise UsageError(
            f"{name}() 每个单位的每个季度画一列，而这些行含 {len(units)} 个单位、"
            f"{len(periods)} 个季度（{'、'.join(periods[:4])}），共 {len(periods) * len(units)} 列，"
            f"超过 {MAX_COLUMNS} 列；请先选一个季度，如 run.select(period=run.period)，"
            "或选几个单位"
        )


def _units_fit(rows: Any, name: str) -> None:
    """A trend draws a line per unit: at most MAX_UNITS, or the lines run together."""
    units = _names(rows, "org_name")
    if len(units) > MAX_UNITS:
        raise UsageError(
            f"{name}() 每个单位画一条线，最多 {MAX_UNITS} 个单位，而这些行含 {len(units)} 个单位"
            f'（{"、".join(units[:4])}…）；请先选几个单位，如 run.select(unit="{units[0]}")，'
            "或用 status_heatmap() 比较各单位"
        )


def checked(
    *, needs: tuple[str, ...] = ("status",), few_columns: bool = False, few_units: bool = False
) -> Callable[[F], F]:
    """Wrap a chart function: its first argument must be assessment rows (``run.assessment`` or
    ``run.select(...)``), with no more columns or lines than the chart can draw readably."""

    def wrap(draw: F) -> F:
        name = draw.__name__

        @functools.wraps(draw)
        def run(rows: Any, *args: Any, **kwargs: Any) -> Any:
            _usage(rows, name, needs)
            if few_columns:
                _columns_fit(rows, name)
            if few_units:
                _units_fit(rows, name)
            return draw(rows, *args, **kwargs)

        return run  # type: ignore[return-value]

    return wrap
