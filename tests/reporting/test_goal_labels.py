"""Plan-level targets (总体目标) in the report charts, whose labels are indicator names alone."""

from __future__ import annotations

import pandas as pd

from planlib.reporting.html import chart_rows


def test_charts_name_a_plan_level_target_apart_from_a_tasks_target():
    rows = pd.DataFrame(
        {"task_id": ["总体目标", "1.3"], "indicator": ["x", "x"], "indicator_name": ["入园率"] * 2}
    )
    assert chart_rows(rows)["indicator_name"].tolist() == ["入园率（总体目标）", "入园率"]
    assert chart_rows(rows.iloc[1:]) is not None and chart_rows(rows.iloc[1:]).equals(rows.iloc[1:])
