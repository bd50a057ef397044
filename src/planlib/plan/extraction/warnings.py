"""Extraction warnings, and how many of one kind are said once.

A reviewer reads every warning, so the same finding is not repeated item by item: twelve
items without a responsibility clause make one warning that counts them and lists where
they are, and a message said word for word twice is said once with its lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ExtractionWarning:
    """Something the extractor could not place, with the source line (1-based) it concerns.

    ``kind`` groups warnings of one finding (``no_clause`` …) and ``where`` names the item;
    both serve :func:`collapse` and take no part in comparisons.
    """

    line: int | None
    message: str
    kind: str = field(default="", compare=False, repr=False)
    where: str = field(default="", compare=False, repr=False)

    def describe(self) -> str:
        """第 12 行：…… (the line is left out when unknown)."""
        return f"第 {self.line} 行：{self.message}" if self.line else self.message

    def __str__(self) -> str:
        return self.describe()


GROUPED: dict[str, str] = {
    "no_clause": "{n} 项任务没有责任处室（牵头处室、责任单位等），部门留空：{where}",
    "no_title": "{n} 项任务没有标题句：{where}",
    "several_clauses": (
        "{n} 项任务中有多处责任分工括注，可能并入了后面的条目（编号缺失或缺少句号），"
        "只采用最后一处，请核对原文：{where}"
    ),
    "empty_clause": "{n} 项任务的责任处室条款没有列出单位：{where}",
    "no_units": "{n} 行没有牵头或责任单位：{where}",
    "no_due": "{n} 行没有完成时限：{where}",
}
"""Findings said once for all the items they concern: the template of the joint warning."""

_LISTED = 8  # places named in a joint warning before 等


def _places(items: list[ExtractionWarning]) -> str:
    names = [f"{w.where}（第 {w.line} 行）" if w.line else w.where for w in items[:_LISTED]]
    more = f"等（共 {len(items)} 处）" if len(items) > _LISTED else ""
    return "、".join(names) + more


def collapse(warnings: Iterable[ExtractionWarning]) -> tuple[ExtractionWarning, ...]:
    """Warnings in line order, each finding once: kinds in :data:`GROUPED` counted, exact
    repeats joined (``（共 3 处：第 4、9、12 行）``)."""
    ordered = sorted(warnings, key=lambda w: (w.line is None, w.line or 0))
    by_kind: dict[str, list[ExtractionWarning]] = {}
    by_message: dict[str, list[ExtractionWarning]] = {}
    for w in ordered:
        if w.kind in GROUPED and w.where:
            by_kind.setdefault(w.kind, []).append(w)
        else:
            by_message.setdefault(w.message, []).append(w)
    out: list[ExtractionWarning] = []
    for kind, items in by_kind.items():
        if len(items) == 1:
            out.append(items[0])
        else:
            message = GROUPED[kind].format(n=len(items), where=_places(items))
            out.append(ExtractionWarning(items[0].line, message, kind))
    for message, items in by_message.items():
        if len(items) == 1:
            out.append(items[0])
            continue
        lines = [str(w.line) for w in items if w.line]
        said = f"（共 {len(items)} 处：第 {'、'.join(lines)} 行）" if lines else ""
        out.append(ExtractionWarning(items[0].line, message + said, items[0].kind))
    return tuple(sorted(out, key=lambda w: (w.line is None, w.line or 0)))
