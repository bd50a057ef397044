"""A department that answers for no quantitative target (it only leads tasks in the ledger):
its report says so once per section instead of implying that nobody is behind."""

from __future__ import annotations

import pandas as pd

from planlib.reporting import department
from planlib.reporting.html import Html


class _Ctx:
    """What the department sections read: only 财务处 answers for a target."""

    def __init__(self) -> None:
        self.departments = pd.DataFrame(
            {"department": ["财务处"], "task_id": ["1.4"], "indicator": ["x"]}
        )
        self.meta = {"departments": ["财务处", "办公室"]}
        self.supervision = pd.DataFrame()  # no 督办 item: not even a missing ledger return


def test_sections_of_a_department_without_targets_say_so() -> None:
    ctx = _Ctx()
    followup = department.department_followup(ctx, "办公室").body  # type: ignore[arg-type]
    assert "办公室没有负责的量化目标，无督办清单" in followup
    assert "无需督办" not in followup  # not "nobody is behind": there is nothing to be behind on
    assert "办公室没有负责的量化目标" in department.department_heatmap(ctx, "办公室").body  # type: ignore[arg-type]
    targets = department.department_targets(ctx, "办公室")  # type: ignore[arg-type]
    assert isinstance(targets, Html) and targets.body == ""
