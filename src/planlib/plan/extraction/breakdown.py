"""A breakdown table's rows (:mod:`.tables`) as sections and tasks of a plan.

Each row is a task: its number from the 序号 column (or its numbered task cell), its title from
the 工作任务 cell (else the first sentence of the content), its text from the content cells,
its units from the 牵头 and 责任 columns, ``due`` from 完成时限 and its targets read from its
text cells. The group column (一、教育文化) gives the sections, numbered as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..model import Section, Target, Task
from .structure import chinese_number, item_marker, section_marker, split_units
from .tables import Row, Table
from .targets import Lookup, find_targets
from .text import LinedText, normalise, squeeze

Warn = Callable[..., None]


@dataclass
class Breakdown:
    sections: list[Section]
    tasks: list[Task]


def _units(cells: list[str]) -> tuple[str, ...]:
    names: list[str] = []
    for cell in cells:
        for name in split_units(squeeze(cell)):
            # a PDF or a Word cell may list units one per line: 县教育局 县财政局
            parts = name.split() if " " in name else [name]
            for part in parts:
                if part not in names:
                    names.append(part)
    return tuple(names)


def _normalised(text: str) -> str:
    return normalise(LinedText(text, (0,) * len(text))).text


def _sentences(cells: list[str]) -> str:
    out: list[str] = []
    for cell in cells:
        s = _normalised(cell).strip()
        if s:
            out.append(s if s.endswith(("。", "；", "！", "？")) else s + "。")
    return "".join(out)


def read_breakdown(tables: list[Table], lookup: Lookup | None, warn: Warn) -> Breakdown:
    """Sections and tasks from breakdown tables, with warnings for rows missing units."""
    sections = _Sections()
    tasks: list[Task] = []
    seen: set[tuple[int, int]] = set()
    counter = 0
    for table in tables:
        for row in table.rows:
            section = _section(row.group, sections)
            counter = row.number or _task_number(row) or counter + 1
            if (section.number, counter) in seen:
                warn(row.line, f"表格中第 {section.number} 部分的任务编号 {counter} 重复，已跳过")
                continue
            seen.add((section.number, counter))
            tasks.append(_task(row, section.number, counter, lookup, warn))
    if not sections:
        sections[""] = Section(1, "第1部分")
    return Breakdown(sorted(sections.values(), key=lambda s: s.number), tasks)


class _Sections(dict[str, Section]):
    """Sections by group text, with the numbers taken so far (kept as it grows, not recounted)."""

    def __init__(self) -> None:
        super().__init__()
        self.used: set[int] = set()
        self.top = 0


def _section(group: str, sections: _Sections) -> Section:
    if group in sections:
        return sections[group]
    marker = section_marker(group) if group else None
    title = group[marker[1] :].strip() if marker else group
    used = sections.used
    number = marker[0] if marker and marker[0] not in used else sections.top + 1
    used.add(number)
    sections.top = max(sections.top, number)
    section = Section(number, title or f"第{number}部分")
    sections[group] = section
    return section


def _task_number(row: Row) -> int | None:
    for cell in row.text("task") + row.text("content"):
        mark = item_marker(squeeze(cell))
        if mark:
            return mark[1]
    return None


_MARK_RE = re.compile(r"^(\d{1,3}[.、]|（[一二三四五六七八九十\d]{1,3}）)")


def _task(row: Row, section: int, number: int, lookup: Lookup | None, warn: Warn) -> Task:
    where = f"表格第 {section} 部分第 {number} 项"
    title = "".join(_normalised(c) for c in row.text("task"))
    title = _MARK_RE.sub("", title).strip().rstrip("。；")
    text = _sentences(row.text("content"))
    if not title:
        end = text.find("。")
        title, text = (text[:end], text[end + 1 :]) if end > 0 else (text.rstrip("。"), "")
    title = title or f"第{number}项"
    lead = _units(row.text("lead"))
    responsible = tuple(u for u in _units(row.text("responsible")) if u not in lead)
    if not lead and not responsible:
        warn(row.line, f"{where}没有牵头或责任单位", "no_units", where)
    due = "、".join(_normalised(c) for c in row.text("due"))
    content = f"{title}。{text}"
    targets: list[Target] = []
    for f in find_targets(content, lookup):
        if f.target is None:
            warn(row.line, f"{where}：{f.message}，请人工核对")
            continue
        if f.message:
            warn(row.line, f"{where}：{f.message}，请人工核对")
        targets.append(f.target)
    return Task(
        section=section,
        number=number,
        title=title,
        text=text,
        lead_units=lead,
        responsible_units=responsible,
        targets=tuple(targets),
        due=due,
    )


__all__ = ["Breakdown", "chinese_number", "read_breakdown"]
