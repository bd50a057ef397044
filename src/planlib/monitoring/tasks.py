"""Task colours (红/黄/绿): each task's signal from the ledger's reports and its targets' status.

Each task gets a colour as supervision systems (督查督办) do: green on track; yellow behind
序时进度, self-reported 滞后 or with no report; red overdue or clearly off track. A task with
targets also takes the worst signal of its targets' assessment.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from ..checks import expect_type
from ..periods import Period, find_period, parse_period
from ..plan.model import Plan
from ..returns.ledger import LEDGER_COLUMNS
from .risks import misses_at_year_end

COLOURS: dict[str, str] = {"green": "绿", "yellow": "黄", "red": "红"}
_RANK = {"green": 0, "yellow": 1, "red": 2}

TASK_STATUS_COLUMNS: list[str] = [
    "task_id",
    "title",
    "lead_units",
    "responsible_units",
    "period",
    "colour",
    "colour_name",
    "reasons",
    "reported_status",
    "reporting_units",
    "missing_reports",
    "account",
    "next_step",
    "due",
    "n_targets",
    "n_targets_met",
    "n_targets_behind",
]


def period_end(period: Period) -> pd.Timestamp:
    """The last day of the quarter."""
    return pd.Timestamp(period.year, 3 * period.quarter, 1) + pd.offsets.MonthEnd(0)


def parse_due(text: Any, year: int | None = None) -> pd.Timestamp | None:
    """A planned completion date: 2022-06-30, 2022年6月, 6月底, 2022年第二季度 … (None if unreadable)."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    if isinstance(text, pd.Timestamp):
        return text
    s = str(text).strip()
    if not s:
        return None
    quarter = find_period(s)
    if quarter:
        return period_end(quarter)
    m = re.search(r"(?:(\d{4})\s*年)?\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?", s)
    if m and (m.group(1) or year):
        y, mo = int(m.group(1)) if m.group(1) else int(year or 0), int(m.group(2))
        if 1 <= mo <= 12:
            if m.group(3):
                try:
                    return pd.Timestamp(y, mo, int(m.group(3)))
                except ValueError:
                    return None
            return pd.Timestamp(y, mo, 1) + pd.offsets.MonthEnd(0)
    m = re.fullmatch(r"(\d{4})\s*年?(?:底|末)?", s)
    if m:
        return pd.Timestamp(int(m.group(1)), 12, 31)
    try:
        return pd.Timestamp(s)
    except (ValueError, TypeError):
        return None


def task_status(
    plan: Plan,
    ledger: pd.DataFrame | None,
    assessment: pd.DataFrame | None,
    period: str | Period,
    org_code: str | None = None,
) -> pd.DataFrame:
    """Every task's colour for ``period``: one row per task (:data:`TASK_STATUS_COLUMNS`).

    ``ledger`` holds progress reports (:data:`LEDGER_COLUMNS`); ``assessment`` is the output of
    ``assess`` (its city-level rows, or ``org_code``'s, are the task's targets). Colours:
    red when overdue (past 计划完成时间 and not 已完成), or a hard target missed at year end or
    projected to miss; yellow when no report came, a department reports 滞后, a task has not
    started after half the year, or a target is behind 序时进度, missed so far, 力争 and
    projected to miss, or without data; green otherwise.
    """
    expect_type(plan, "task_status", "计划（planlib.load_plan() 的结果）", "Plan")
    p = parse_period(period)
    ps = str(p)
    end = period_end(p)
    led = ledger if ledger is not None else pd.DataFrame(columns=LEDGER_COLUMNS)
    led = led[led["period"].astype(str) == ps]
    a = assessment if assessment is not None else pd.DataFrame()
    if not a.empty:
        a = a[a["period"].astype(str) == ps]
        a = a[a["org_code"] == org_code] if org_code is not None else a[a["level"] == "city"]
    rows = []
    for t in plan.tasks:
        reasons: list[tuple[str, str]] = []
        reports = led[led["task_id"] == t.id]
        expected = list(t.lead_units or t.responsible_units)
        reported_units = list(dict.fromkeys(reports["unit"].astype(str)))
        missing = [u for u in expected if u not in reported_units]
        if reports.empty:
            reasons.append(("yellow", "本期未报送进展"))
        statuses = list(dict.fromkeys(reports["status"].astype(str)))
        if "滞后" in statuses:
            who = "、".join(reports.loc[reports["status"] == "滞后", "unit"].astype(str))
            reasons.append(("yellow", f"{who}自报滞后"))
        if "未启动" in statuses and p.year_share >= 0.5:
            reasons.append(("yellow", "已过半年仍未启动"))
        dues = [d for d in (parse_due(x, p.year) for x in reports["due"]) if d is not None]
        due = min(dues) if dues else None
        done = bool(statuses) and all(s == "已完成" for s in statuses)
        if due is not None and due < end and not done:
            reasons.append(("red", f"已超过计划完成时间（{due:%Y-%m-%d}）仍未完成"))
        tt = a[a["task_id"] == t.id] if not a.empty else a
        found, met, behind = target_reasons(tt, p)
        reasons.extend(found)
        n_targets = len(t.targets)
        colour = max((c for c, _ in reasons), key=_RANK.__getitem__, default="green")
        if done and colour != "green":  # a task reported done but not green says why at once
            reasons.insert(0, (colour, "任务已报完成，但"))
        rows.append(
            {
                "task_id": t.id,
                "title": t.title,
                "lead_units": "、".join(t.lead_units),
                "responsible_units": "、".join(t.responsible_units),
                "period": ps,
                "colour": colour,
                "colour_name": COLOURS[colour],
                "reasons": _joined([text for _, text in reasons]),
                "reported_status": "、".join(statuses),
                "reporting_units": "、".join(reported_units),
                "missing_reports": "、".join(missing),
                "account": "；".join(x for x in reports["account"].astype(str) if x),
                "next_step": "；".join(x for x in reports["next_step"].astype(str) if x),
                "due": f"{due:%Y-%m-%d}" if due is not None else "",
                "n_targets": n_targets,
                "n_targets_met": met,
                "n_targets_behind": behind,
            }
        )
    return pd.DataFrame(rows, columns=TASK_STATUS_COLUMNS)


def target_reasons(rows: pd.DataFrame, p: Period) -> tuple[list[tuple[str, str]], int, int]:
    """A task's signals from its targets' rows at ``p``: (colour, reason) pairs, how many targets
    are met and how many behind.

    A target projected to miss at year end (:func:`~planlib.monitoring.risks.misses_at_year_end`,
    the same mask as the risk list) is red from the second quarter when it is a hard target, and
    a task most of whose targets are projected to miss is red whatever their wording (力争
    included): two of three targets missing is not a yellow task. Before that, 滞后 against
    序时进度, 接近/未达标 stocks and targets without data are yellow.
    """
    reasons: list[tuple[str, str]] = []
    met = behind = 0
    if rows.empty:
        return reasons, met, behind
    misses = misses_at_year_end(rows, str(p)).to_numpy(dtype=bool)
    year_over = p.quarter == 4
    for r, miss in zip(rows.itertuples(index=False), misses, strict=True):
        name = f"{r.indicator_name}"
        hard = not bool(r.aspirational)
        if r.status == "无数据":
            reasons.append(("yellow", f"{name}无数据"))
        elif miss:
            behind += 1
            if year_over:
                reasons.append(("red" if hard else "yellow", _year_result(name, r, "未完成", hard)))
            else:
                colour = "red" if hard and p.quarter >= 2 else "yellow"
                reasons.append((colour, f"{name}按预测年底难以达标{'' if hard else '（力争）'}"))
        elif r.status == "达标":
            met += 1
        elif year_over and r.status == "接近":
            behind += 1  # the year is over: near is not done, whatever the task report says
            short = "略高于目标" if str(getattr(r, "comparator", "")) == "<=" else "略低于目标"
            reasons.append(("yellow", _year_result(name, r, short, hard)))
        elif r.progress == "滞后":
            behind += 1
            reasons.append(("yellow", f"{name}落后于序时进度"))
        elif r.status in ("未达标", "接近") and r.temporal != "flow":
            behind += 1
            reasons.append(("yellow", f"{name}{r.status!s}"))
    judged = int((rows["status"] != "无数据").sum())
    n_miss = int(misses.sum())
    if (p.quarter >= 2 or year_over) and n_miss and 2 * n_miss > judged:
        verdict = "未完成" if year_over else "预计年底难以达标"
        reasons.insert(0, ("red", f"{judged}项目标中{n_miss}项{verdict}"))
    return reasons, met, behind


def _said(r: Any) -> str:
    """A target's value as published (at its precision, with its unit): 207.66亿元, 96.7%."""
    try:
        v = float(getattr(r, "value_shown", getattr(r, "value", float("nan"))))
        digits = max(0, int(getattr(r, "precision", 1)))
    except (TypeError, ValueError):
        return "无数据"
    if v != v:
        return "无数据"
    text = f"{v:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}{getattr(r, 'unit', '')}"


def _year_result(name: str, r: Any, verdict: str, hard: bool) -> str:
    """A target's year in a bulletin's words: 省级示范性高中数全年25所，目标为不低于30所，未完成."""
    goal = str(getattr(r, "target_text", "") or "")
    text = f"{name}全年{_said(r)}" + (f"，目标为{goal}" if goal else "") + f"，{verdict}"
    return text + ("" if hard or "力争" in goal else "（力争）")


def _joined(reasons: list[str]) -> str:
    """The reasons in one sentence: a lead-in (ending 但) runs into the first reason."""
    items = list(dict.fromkeys(reasons))
    if items and items[0].endswith("但") and len(items) > 1:
        items = [items[0] + items[1], *items[2:]]
    return "；".join(items)


__all__ = ["COLOURS", "TASK_STATUS_COLUMNS", "parse_due", "period_end", "task_status"]
