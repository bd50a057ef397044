"""The task ledger (台账): departments' progress returns on every task, read and checked.

Most tasks in a plan carry no number, so each period every department reports on its tasks:
status 未启动 / 推进中 / 已完成 / 滞后, a short account, evidence, next step and the planned
completion date. Colouring the tasks from these reports is monitoring's work
(:mod:`planlib.monitoring.tasks`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import Problem
from ..periods import find_period, parse_period
from ..plan.model import Plan
from .reading import read_raw_tables

LEDGER_COLUMNS: list[str] = [
    "task_id",
    "unit",
    "period",
    "status",
    "account",
    "evidence",
    "next_step",
    "due",
]
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
_STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "已完成": ("完成", "已经完成", "完成了", "已办结", "办结"),
    "推进中": ("进行中", "正在推进", "推进", "在推进", "实施中"),
    "未启动": ("未开始", "尚未启动", "未开展"),
    "滞后": ("延期", "进度滞后", "落后"),
}
STATUS_ALIASES = {word: status for status, words in _STATUS_WORDS.items() for word in words}
"""How departments also write the four statuses; read as the status they mean."""


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
    frames: list[pd.DataFrame] = []
    problems: list[Problem] = []
    for f in _ledger_files(paths):
        name = str(f.relative_to(root)) if root is not None and f.is_relative_to(root) else f.name
        try:
            tables = read_raw_tables(f, name)
        except ValueError as err:
            problems.append(Problem(name, None, None, None, f"无法读取：{err}", rule="unreadable"))
            continue
        frame = _ledger_table(f, name, [t.rows for t in tables], problems)
        if frame is not None:
            frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=[*LEDGER_COLUMNS, "file", "row"]), problems
    return pd.concat(frames, ignore_index=True).astype({"row": "int64"}), problems


def _ledger_files(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """The files named, or the .xlsx and .csv files of a folder (not Excel's ~$ lock files)."""
    if not isinstance(paths, str | Path):
        return [Path(f) for f in paths]
    p = Path(paths)
    if not p.is_dir():
        return [p]
    return sorted(
        f
        for f in p.iterdir()
        if f.suffix.lower() in (".xlsx", ".csv") and not f.name.startswith("~$")
    )


def _ledger_table(
    f: Path, name: str, sheets: list[list[list[Any]]], problems: list[Problem]
) -> pd.DataFrame | None:
    """The records of a ledger file's first sheet with a ledger header (a blank or cover
    sheet before it is fine); None, with the problem said, when it has no usable header."""
    found = [(rows, _header_row(rows)) for rows in sheets]
    rows, h = next(((r, i) for r, i in found if i is not None), (sheets[0], None))
    if h is None:
        message = "找不到表头（应有「任务编号」「进展状态」等列）"
        problems.append(Problem(name, 1, None, None, message, rule="ledger_header"))
        return None
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
        return None
    default = find_period(" ".join(str(c) for r in rows[:h] for c in r if c) + " " + f.stem)
    header_of = {v: header[i] for i, v in mapping.items() if v}
    records = [
        _ledger_record(row, offset, mapping, header_of, name, default, problems)
        for offset, row in enumerate(rows[h + 1 :], start=h + 2)
        if any(c not in (None, "") and str(c).strip() for c in row)
    ]
    return pd.DataFrame(records, columns=[*LEDGER_COLUMNS, "file", "row"])


def _ledger_record(
    row: list[Any],
    offset: int,
    mapping: dict[int, str | None],
    header_of: dict[str, str],
    name: str,
    default_period: Any,
    problems: list[Problem],
) -> dict[str, Any]:
    """One ledger row as a record, its problems (status, period, task id) said."""
    rec: dict[str, Any] = {c: "" for c in LEDGER_COLUMNS}
    for i, c in enumerate(row):
        col = mapping.get(i)
        if col and c is not None:
            rec[col] = _task_id(c) if col == "task_id" else _cell_text(c)
    rec["file"], rec["row"] = name, offset
    rec["status"] = STATUS_ALIASES.get(rec["status"], rec["status"])
    if rec["status"] not in LEDGER_STATUSES:
        message = f"进展状态应为 {'、'.join(LEDGER_STATUSES)} 之一"
        problems.append(
            Problem(name, offset, header_of["status"], rec["status"], message, rule="ledger_status")
        )
    try:
        said = rec["period"]
        rec["period"] = (
            str(parse_period(said)) if said else (str(default_period) if default_period else "")
        )
    except ValueError as err:
        column = header_of.get("period", "报告期")
        problems.append(Problem(name, offset, column, said, str(err), rule="ledger_period"))
        rec["period"] = ""
    if not rec["period"]:
        message = "缺少报告期（表内或文件名中应有 2022Q1 这样的报告期）"
        problems.append(Problem(name, offset, "报告期", None, message, rule="ledger_period"))
    if not rec["task_id"]:
        column = header_of["task_id"]
        problems.append(Problem(name, offset, column, None, "任务编号为空", rule="ledger_task"))
    return rec


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


__all__ = [
    "LEDGER_COLUMNS",
    "LEDGER_HEADERS",
    "LEDGER_STATUSES",
    "check_ledger",
    "read_ledger",
]
