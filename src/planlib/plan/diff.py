"""What changed between two plans: the review a new year's plan needs.

Tasks are matched by title similarity (numbers shift from year to year), targets by indicator
code, or by the indicator name as written when a code is missing. ``目标提高``/``目标降低``
say the target value went up or down, whatever the comparator (for a ``<=`` target, 目标降低
means a stricter cap).
"""

from __future__ import annotations

from difflib import SequenceMatcher

import pandas as pd

from .model import Plan, Target, Task

KINDS: tuple[str, ...] = (
    # tasks
    "任务新增",
    "任务删除",
    "任务变更",
    "部门变更",
    "时限变更",
    # targets
    "目标新增",
    "目标删除",
    "目标提高",
    "目标降低",
    "比较方式变更",
    "单位变更",
)
"""Every kind of change, in the order a reviewer reads them for one task."""

COLUMNS: tuple[str, ...] = ("kind", "task_id", "task", "indicator", "old", "new")

TITLE_SIMILARITY = 0.5
"""Titles at least this similar (difflib ratio) may be the same task in two years."""


def _similarity(a: Task, b: Task) -> float:
    if a.title == b.title:
        return 1.0
    return SequenceMatcher(None, a.title, b.title, autojunk=False).ratio()


def match_tasks(old: Plan, new: Plan) -> list[tuple[Task | None, Task | None]]:
    """Pairs (old task, new task) in new-plan order; None on one side for added or dropped.

    Greedy on similarity: the most alike titles pair first, each task pairs at most once.
    """
    scores = sorted(
        (
            (_similarity(a, b), i, j)
            for i, a in enumerate(old.tasks)
            for j, b in enumerate(new.tasks)
        ),
        key=lambda x: (-x[0], x[1], x[2]),
    )
    old_of_new: dict[int, int] = {}
    used: set[int] = set()
    for score, i, j in scores:
        if score < TITLE_SIMILARITY:
            break
        if i in used or j in old_of_new:
            continue
        used.add(i)
        old_of_new[j] = i
    pairs: list[tuple[Task | None, Task | None]] = []
    for j, b in enumerate(new.tasks):
        pairs.append((old.tasks[old_of_new[j]] if j in old_of_new else None, b))
    pairs += [(a, None) for i, a in enumerate(old.tasks) if i not in used]
    return pairs


def _same_target(a: Target, b: Target) -> bool:
    if a.code is not None and b.code is not None:
        return a.code == b.code
    return a.indicator == b.indicator


def _units_text(t: Task) -> str:
    lead = "、".join(t.lead_units) or "无"
    responsible = "、".join(t.responsible_units) or "无"
    return f"牵头：{lead}；责任：{responsible}"


def _flags(g: Target) -> tuple[str, bool, bool, bool]:
    return (g.comparator, g.aspirational, g.approximate, g.change)


def diff_plans(old: Plan, new: Plan) -> pd.DataFrame:
    """One row per change from ``old`` to ``new``: kind, task_id, task, indicator, old, new.

    ``task_id`` and ``task`` are the new plan's (the old one's for a dropped task); ``old`` and
    ``new`` describe the two sides in words (a title, departments, 不低于 93.5%). Changes to
    the plan-level targets come first, with an empty ``task_id`` and ``task`` 总体目标.
    """
    rows: list[dict[str, str]] = []
    pairs = match_tasks(old, new)
    rows += _goal_changes(old, new)

    def row(kind: str, task: Task, indicator: str = "", before: str = "", after: str = "") -> None:
        rows.append(
            {
                "kind": kind,
                "task_id": task.id,
                "task": task.title,
                "indicator": indicator,
                "old": before,
                "new": after,
            }
        )

    # targets left unmatched within their task pair may have moved to another task
    pending_old: list[tuple[Task, Target]] = []
    pending_new: list[tuple[Task, Target]] = []
    matched: list[tuple[Task, Target, Target]] = []
    for a, b in pairs:
        olds = list(a.targets) if a is not None else []
        if b is not None:
            for g in b.targets:
                hit = next((h for h in olds if _same_target(h, g)), None)
                if hit is None:
                    pending_new.append((b, g))
                else:
                    olds.remove(hit)
                    matched.append((b, hit, g))
        if a is not None:
            pending_old += [(a, h) for h in olds]
    moved: list[tuple[Task, Target, Target]] = []
    for task, g in list(pending_new):
        elsewhere = next((p for p in pending_old if _same_target(p[1], g)), None)
        if elsewhere is not None:
            pending_old.remove(elsewhere)
            pending_new.remove((task, g))
            moved.append((task, elsewhere[1], g))

    changes: dict[str, list[tuple[str, str, str, str]]] = {}
    for task, h, g in matched + moved:
        for change in _target_changes(h, g):
            changes.setdefault(task.id, []).append(change)
    for task, g in pending_new:
        changes.setdefault(task.id, []).append(("目标新增", g.indicator, "", _describe(g)))

    for a, b in pairs:
        if b is None:
            assert a is not None
            row("任务删除", a, before=a.title)
            for task, h in [p for p in pending_old if p[0] is a]:
                row("目标删除", task, h.indicator, _describe(h), "")
            continue
        if a is None:
            row("任务新增", b, after=b.title)
        else:
            if a.title != b.title:
                row("任务变更", b, before=a.title, after=b.title)
            if (a.lead_units, a.responsible_units) != (b.lead_units, b.responsible_units):
                row("部门变更", b, before=_units_text(a), after=_units_text(b))
            if a.due != b.due:
                row("时限变更", b, before=a.due or "未写明", after=b.due or "未写明")
            for _, h in [p for p in pending_old if p[0] is a]:
                row("目标删除", b, h.indicator, _describe(h), "")
        for kind, indicator, before, after in changes.get(b.id, []):
            row(kind, b, indicator, before, after)
    return pd.DataFrame(rows, columns=list(COLUMNS)).astype(dict.fromkeys(COLUMNS, "str"))


PLAN_GOALS = "总体目标"
"""The ``task`` column of a change to a plan-level target (``task_id`` is empty)."""


def _goal_changes(old: Plan, new: Plan) -> list[dict[str, str]]:
    """Changes to the plan-level targets (``Plan.goals``), matched like a task's targets."""
    olds = list(old.goals)
    found: list[tuple[str, str, str, str]] = []
    for g in new.goals:
        hit = next((h for h in olds if _same_target(h, g)), None)
        if hit is None:
            found.append(("目标新增", g.indicator, "", _describe(g)))
        else:
            olds.remove(hit)
            found += _target_changes(hit, g)
    found += [("目标删除", h.indicator, _describe(h), "") for h in olds]
    return [
        {"kind": k, "task_id": "", "task": PLAN_GOALS, "indicator": i, "old": a, "new": b}
        for k, i, a, b in found
    ]


def _describe(g: Target) -> str:
    return g.describe().replace(" ", "")


def _target_changes(h: Target, g: Target) -> list[tuple[str, str, str, str]]:
    out: list[tuple[str, str, str, str]] = []
    before, after = _describe(h), _describe(g)
    if h.unit != g.unit:  # values in different units do not compare: one row says it all
        return [("单位变更", g.indicator, before, after)]
    if h.value != g.value:
        kind = "目标提高" if g.value > h.value else "目标降低"
        out.append((kind, g.indicator, before, after))
    if _flags(h) != _flags(g):
        out.append(("比较方式变更", g.indicator, before, after))
    return out
