"""The task ledger (台账): departments' progress returns on every task, and task colours.

Most tasks in a plan carry no number, so each period every department reports on its tasks:
status 未启动 / 推进中 / 已完成 / 滞后, a short account, evidence, next step and the planned
completion date. Each task gets a colour as supervision systems (督查督办) do: green on track;
yellow behind 序时进度, self-reported 滞后 or with no report; red overdue or clearly off track.
A task with targets also takes the worst signal of its targets' city-level assessment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem
from ..periods import Period, find_period, parse_period
from ..plan.model import Plan
from .reading import read_raw_tables

LEDGER_COLUMNS: list[str] = [
    "task_id", "unit", "period", "status", "account", "evidence", "next_step", "due",
]  # fmt: skip
"""The ledger frame: one row per (task, department, period) progress report."""

LEDGER_HEADERS: dict[str, str] = {
    "任务编号": "task_id",
    "责任处室": "unit",
    "报告期": "period",
    "进展状态": "status",
    "进展情况": "account",
    "佐证材料": "evidence",
    "下一步计划": "next_step",
    "计划完成时间": "due",
}
"""Column headers of the progress return as written, and the ledger column each fills."""

HEADER_ALIASES: dict[str, str] = {
    "任务": "task_id",
    "编号": "task_id",
    "责任单位": "unit",
    "牵头处室": "unit",
    "处室": "unit",
    "状态": "status",
    "完成情况": "account",
    "进展": "account",
    "佐证": "evidence",
    "下步计划": "next_step",
    "完成时限": "due",
    "完成时间": "due",
}

LEDGER_STATUSES: tuple[str, ...] = ("未启动", "推进中", "已完成", "滞后")
STATUS_ALIASES = {
    "完成": "已完成", "已经完成": "已完成", "完成了": "已完成", "已办结": "已完成", "办结": "已完成",
    "进行中": "推进中", "正在推进": "推进中", "推进": "推进中", "在推进": "推进中", "实施中": "推进中",
    "未开始": "未启动", "尚未启动": "未启动", "未开展": "未启动",
    "延期": "滞后", "进度滞后": "滞后", "落后": "滞后",
}  # fmt: skip
"""How departments also write the four statuses; read as the status they mean."""

COLOURS: dict[str, str] = {"green": "绿", "yellow": "黄", "red": "红"}
_RANK = {"green": 0, "yellow": 1, "red": 2}

TASK_STATUS_COLUMNS: list[str] = [
    "task_id", "title", "lead_units", "responsible_units", "period", "colour", "colour_name",
    "reasons", "reported_status", "reporting_units", "missing_reports", "account", "next_step",
    "due", "n_targets", "n_targets_met", "n_targets_behind",
]  # fmt: skip


# --- reading progress returns -----------------------------------------------------------------


def _header_row(rows: list[list[Any]]) -> int | None:
    for i, row in enumerate(rows[:10]):
        cells = {str(c).strip() for c in row if c is not None}
        if "任务编号" in cells or ("任务" in cells and "进展状态" in cells):
            return i
    return None


def _task_id(value: Any) -> str:
    text = str(value).strip() if value is not None else ""
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    return text.replace("．", ".").replace("。", ".")


def read_ledger(
    paths: str | Path | Iterable[str | Path], root: str | Path | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read progress returns (.xlsx or .csv; a title row above the header is fine).

    ``paths`` is a file, a folder (every .xlsx/.csv in it) or a list of files. Returns the
    ledger frame (:data:`LEDGER_COLUMNS`, strings; ``row`` and ``file`` say where each came
    from) and the problems found, each with file, Excel row and column.
    """
    if isinstance(paths, str | Path):
        p = Path(paths)
        files = (
            sorted(
                f
                for f in p.iterdir()
                if f.suffix.lower() in (".xlsx", ".csv") and not f.name.startswith("~$")
            )
            if p.is_dir()
            else [p]
        )
    else:
        files = [Path(f) for f in paths]
    frames: list[pd.DataFrame] = []
    problems: list[Problem] = []
    for f in files:
        name = str(f.relative_to(root)) if root is not None and f.is_relative_to(root) else f.name
        try:
            tables = read_raw_tables(f, name)
        except ValueError as err:
            problems.append(Problem(name, None, None, None, f"无法读取：{err}", rule="unreadable"))
            continue
        # the first sheet with a ledger header (a blank or cover sheet before it is fine)
        found = [(t.rows, _header_row(t.rows)) for t in tables]
        rows, h = next(((r, i) for r, i in found if i is not None), (tables[0].rows, None))
        if h is None:
            problems.append(
                Problem(
                    name,
                    1,
                    None,
                    None,
                    "找不到表头（应有「任务编号」「进展状态」等列）",
                    rule="ledger_header",
                )
            )
            continue
        header = [str(c).strip() if c is not None else "" for c in rows[h]]
        mapping = {i: LEDGER_HEADERS.get(c) or HEADER_ALIASES.get(c) for i, c in enumerate(header)}
        have = {v for v in mapping.values() if v}
        for need in ("task_id", "status"):
            if need not in have:
                label = next(k for k, v in LEDGER_HEADERS.items() if v == need)
                problems.append(
                    Problem(name, h + 1, label, None, f"缺少列「{label}」", rule="ledger_header")
                )
        if not {"task_id", "status"} <= have:
            continue
        default_period = find_period(
            " ".join(str(c) for r in rows[:h] for c in r if c) + " " + f.stem
        )
        records = []
        for offset, row in enumerate(rows[h + 1 :], start=h + 2):
            if not any(c not in (None, "") and str(c).strip() for c in row):
                continue
            rec: dict[str, Any] = {c: "" for c in LEDGER_COLUMNS}
            for i, c in enumerate(row):
                col = mapping.get(i)
                if col and c is not None:
                    rec[col] = _task_id(c) if col == "task_id" else _cell_text(c)
            rec["file"], rec["row"] = name, offset
            rec["status"] = STATUS_ALIASES.get(rec["status"], rec["status"])
            header_of = {v: header[i] for i, v in mapping.items() if v}
            if rec["status"] not in LEDGER_STATUSES:
                problems.append(
                    Problem(name, offset, header_of["status"], rec["status"],
                            f"进展状态应为 {'、'.join(LEDGER_STATUSES)} 之一", rule="ledger_status")
                )  # fmt: skip
            try:
                rec["period"] = (
                    str(parse_period(rec["period"]))
                    if rec["period"]
                    else (str(default_period) if default_period else "")
                )
            except ValueError as err:
                problems.append(
                    Problem(
                        name,
                        offset,
                        header_of.get("period", "报告期"),
                        rec["period"],
                        str(err),
                        rule="ledger_period",
                    )
                )
                rec["period"] = ""
            if not rec["period"]:
                problems.append(
                    Problem(
                        name,
                        offset,
                        "报告期",
                        None,
                        "缺少报告期（表内或文件名中应有 2022Q1 这样的报告期）",
                        rule="ledger_period",
                    )
                )
            if not rec["task_id"]:
                problems.append(
                    Problem(
                        name, offset, header_of["task_id"], None, "任务编号为空", rule="ledger_task"
                    )
                )
            records.append(rec)
        frames.append(pd.DataFrame(records, columns=[*LEDGER_COLUMNS, "file", "row"]))
    if not frames:
        return pd.DataFrame(columns=[*LEDGER_COLUMNS, "file", "row"]), problems
    return pd.concat(frames, ignore_index=True).astype({"row": "int64"}), problems


def _cell_text(value: Any) -> str:
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def check_ledger(ledger: pd.DataFrame, plan: Plan) -> list[Problem]:
    """Reports naming a task the plan does not have."""
    known = {t.id for t in plan.tasks}
    bad = ledger[~ledger["task_id"].isin(known)]
    return [
        Problem(
            str(r.get("file", "")),
            int(r["row"]) if "row" in r and pd.notna(r["row"]) else None,
            "任务编号",
            str(r["task_id"]),
            f"计划中没有任务 {r['task_id']}",
            severity="warning",
            rule="ledger_task",
        )
        for _, r in bad.iterrows()
    ]


# --- colours ----------------------------------------------------------------------------------


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
        n_targets = len(t.targets)
        met = behind = 0
        for r in tt.itertuples(index=False):
            name = f"{r.indicator_name}"
            if r.status == "达标":
                met += 1
                continue
            if r.status == "无数据":
                reasons.append(("yellow", f"{name}无数据"))
                continue
            hard = not bool(r.aspirational)
            if p.quarter == 4 and r.status == "未达标":
                behind += 1
                reasons.append(
                    ("red" if hard else "yellow", f"{name}全年未达标{'' if hard else '（力争）'}")
                )
            elif p.quarter == 4 and r.status == "接近":
                behind += 1  # the year is over: near is not done, whatever the task report says
                reasons.append(("yellow", f"{name}全年接近但未达标"))
            elif p.quarter >= 2 and r.projected_status == "未达标" and hard:
                behind += 1
                reasons.append(("red", f"{name}按预测年底难以达标"))
            elif r.progress == "滞后":
                behind += 1
                reasons.append(("yellow", f"{name}落后于序时进度"))
            elif r.status in ("未达标", "接近") and r.temporal != "flow":
                behind += 1
                reasons.append(("yellow", f"{name}{r.status!s}"))
            elif r.projected_status == "未达标":
                behind += 1
                reasons.append(("yellow", f"{name}按预测年底难以达标{'' if hard else '（力争）'}"))
        colour = max((c for c, _ in reasons), key=_RANK.__getitem__, default="green")
        rows.append(
            {
                "task_id": t.id,
                "title": t.title,
                "lead_units": "、".join(t.lead_units),
                "responsible_units": "、".join(t.responsible_units),
                "period": ps,
                "colour": colour,
                "colour_name": COLOURS[colour],
                "reasons": "；".join(dict.fromkeys(text for _, text in reasons)),
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


__all__ = [
    "LEDGER_COLUMNS",
    "LEDGER_HEADERS",
    "LEDGER_STATUSES",
    "TASK_STATUS_COLUMNS",
    "check_ledger",
    "parse_due",
    "read_ledger",
    "task_status",
]
