"""What the public chart functions take, checked before drawing: an analyst's slip (an indicator
frame for an assessment, four quarters where a cell holds one, two counties in one trend) gets a
sentence saying what was wanted, not a KeyError or a zig-zag through two units."""

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


def checked(
    *, needs: tuple[str, ...] = ("status",), one_period: bool = False, one_unit: bool = False
) -> Callable[[F], F]:
    """Wrap a chart function: its first argument must be assessment rows (``run.assessment`` or
    ``run.select(...)``), of one quarter and/or one unit where the chart draws only one."""

    def wrap(draw: F) -> F:
        name = draw.__name__

        @functools.wraps(draw)
        def run(rows: Any, *args: Any, **kwargs: Any) -> Any:
            columns = set(map(str, getattr(rows, "columns", ())))
            if not hasattr(rows, "columns"):
                raise UsageError(
                    f"{name}() 需要评估结果表（run.assessment 或 run.select(...) 的结果），"
                    f"而不是{describe(rows)}"
                )
            missing = [c for c in needs if c not in columns]
            if missing and len(rows):
                hint = (
                    "；这是指标表（compute_indicators 的结果），请传入评估结果 run.assessment"
                    if "value" in columns and "status" not in columns
                    else ""
                )
                raise UsageError(f"{name}() 需要评估结果表，缺少列：{'、'.join(missing)}{hint}")
            periods = _names(rows, "period")
            if one_period and len(periods) > 1:
                raise UsageError(
                    f"{name}() 每格画一个季度的状态，而这些行含 {len(periods)} 个季度"
                    f"（{'、'.join(periods[:4])}）；请先选一个季度，如 run.select(period=run.period)，"
                    "或用 trend_chart() 看各季度的走势"
                )
            units = _names(rows, "org_name")
            if one_unit and len(units) > 1:
                raise UsageError(
                    f"{name}() 画一个单位各季度的走势，而这些行含 {len(units)} 个单位"
                    f'（{"、".join(units[:4])}）；请先选一个单位，如 run.select(unit="{units[0]}")，'
                    "或用 status_heatmap() 比较各单位"
                )
            return draw(rows, *args, **kwargs)

        return run  # type: ignore[return-value]

    return wrap
