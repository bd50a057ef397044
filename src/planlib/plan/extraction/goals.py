"""Plan-level targets: goals a plan states outside any task, before its first task.

Plans often open with a 主要目标 (工作目标, 总体目标…) paragraph, a section so titled, or an
item (（二）主要目标) whose sentences are the year's targets for the whole city: 学前三年毛入园率
达到92%, 举办全民健身赛事100场次. They go into ``Plan.goals``, not into a task. Targets elsewhere
in the preamble or a section's intro (a past year's figure, a slogan) stay out, with a warning.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..model import Target
from .structure import TEXT_LABEL_RE, Block, find_clause, item_marker, section_marker
from .targets import Lookup, find_targets
from .text import LinedText
from .titles import split_title

_GOAL = r"(?:20\d\d年)?(?:主要|工作|总体|发展|年度|预期|全年|年度工作|主要工作)?目标(?:任务|要求)?|主要指标"
GOAL_TITLE_RE = re.compile(r"(?:" + _GOAL + r")")
GOAL_LABEL_RE = re.compile(
    r"(?:(?:主要|工作|总体|发展|年度|预期|全年|年度工作|主要工作)目标|目标任务|主要指标)(?:是|为)?[：:]"
)
# labels that end a goal paragraph
_OTHER_LABEL_RE = re.compile(r"(指导思想|基本原则|总体要求|工作思路|工作重点|重点任务)[：:]")

# headings of a plan's framing: the ideas before its tasks and the safeguards after them
FRAMING_RE = re.compile(
    r"指导思想|基本原则|总体要求|总体思路|工作思路|工作原则|保障措施|工作要求|组织保障|工作保障"
)

Warn = Callable[..., None]


@dataclass
class GoalReading:
    """The plan-level targets found and the item blocks that were goal paragraphs, not tasks."""

    goals: list[Target]
    goal_items: list[Block]


def is_goal_title(title: str) -> bool:
    """主要目标, 2023年工作目标, 主要指标: a heading whose paragraph is the plan's goals."""
    return bool(GOAL_TITLE_RE.fullmatch(title.strip().rstrip("。：:")))


def _spans(text: str, whole: bool) -> list[tuple[int, int]]:
    """Where in ``text`` goals are written: all of it, or from each goal label to the next.

    The labels that end a goal paragraph are found once, in one pass over the text; each goal
    label then takes the first that follows it (a label ends with its colon, so no label seen
    from the start of the text runs across the end of another)."""
    if whole:
        return [(0, len(text))]
    goal_labels = list(GOAL_LABEL_RE.finditer(text))
    if not goal_labels:
        return []
    stops = sorted(
        n.start()
        for rx in (TEXT_LABEL_RE, _OTHER_LABEL_RE)
        for n in rx.finditer(text)
        if not GOAL_LABEL_RE.match(text, n.start())
    )
    spans: list[tuple[int, int]] = []
    for m in goal_labels:
        k = bisect_left(stops, m.end())
        spans.append((m.end(), stops[k] if k < len(stops) else len(text)))
    return spans


def _union(spans: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Spans merged where they overlap or touch: (starts, ends), sorted, for bisection."""
    starts: list[int] = []
    ends: list[int] = []
    for a, b in sorted(spans):
        if a >= b:
            continue
        if ends and a <= ends[-1]:
            ends[-1] = max(ends[-1], b)
        else:
            starts.append(a)
            ends.append(b)
    return starts, ends


class _Reader:
    def __init__(self, lookup: Lookup | None, warn: Warn, year: int | None) -> None:
        self.lookup = lookup
        self.warn = warn
        self.year = year
        self.goals: list[Target] = []
        self.seen: set[Target] = set()  # the goals, to find a repeat without a scan

    def take(self, text: LinedText, spans: list[tuple[int, int]], where: str) -> None:
        """Targets inside ``spans`` become goals; those outside are said to be in no task."""
        starts, ends = _union(spans)
        for f in find_targets(text.text, self.lookup):
            line = text.line_at(f.start)
            k = bisect_right(starts, f.start) - 1
            inside = k >= 0 and f.start < ends[k]
            if not inside:
                if f.target is not None:
                    self.warn(
                        line, f"{where}中的目标「{f.target.source}」不在任何编号任务内，未归入任务"
                    )
                continue
            if f.target is None:
                self.warn(line, f"{where}（总体目标）：{f.message}，请人工核对")
                continue
            if f.message:
                self.warn(line, f"{where}（总体目标）：{f.message}，请人工核对")
            if f.dated and f.dated[1:5] != str(self.year):
                self.warn(
                    line,
                    f"{where}（总体目标）：「{f.target.source}」前写有「{f.dated}」，"
                    "可能是该年的目标而非本年度目标，请人工核对",
                )
            if f.target not in self.seen:
                self.seen.add(f.target)
                self.goals.append(f.target)


def read_goals(
    blocks: Sequence[Block], lookup: Lookup | None, warn: Warn, year: int | None
) -> GoalReading:
    """Goals in the blocks before the first task, and warnings for targets left in no task."""
    reader = _Reader(lookup, warn, year)
    goal_items: list[Block] = []
    started = False  # a real task has been seen
    goal_section = False
    for block in blocks:
        if block.kind == "preamble":
            text = block.joined()
            if find_clause(text.text) is not None:
                warn(
                    block.first_line,
                    f"开头的「{text.text[:12]}……」带有责任分工，"
                    "可能是前一项（未包含）的后半部分，未归入任务",
                )
                continue
            reader.take(text, _spans(text.text, False), "前言")
        elif block.kind == "section":
            heading = block.joined().text
            mark = section_marker(heading)
            title_text = heading[mark[1] if mark else 0 :]
            goal_section = not started and is_goal_title(title_text)
            if block.intro:
                intro = block.intro_text()
                spans = [] if started else _spans(intro.text, goal_section)
                reader.take(intro, spans, f"第 {block.number} 部分的导语")
        elif block.kind == "item" and not started:
            joined = block.joined()
            marker = item_marker(joined.text)
            body = joined[marker[2] if marker else 0 :].strip()
            title, _ = split_title(body, block)
            # under a goals heading, an item that states targets is a goal (1.学前三年毛入园率
            # 达到92%。); one with a title of its own is a task (1.学前教育提质扩容。新建…)
            stated = goal_section and _states_targets(title.text)
            if find_clause(body.text) is None and (stated or is_goal_title(title.text)):
                goal_items.append(block)
                reader.take(
                    body, [(0, len(body))], f"第 {block.section or 1} 部分第 {block.number} 项"
                )
            elif not FRAMING_RE.fullmatch(title.text.strip()):
                started = True  # 指导思想 and the like come before the goals, not instead
    return GoalReading(reader.goals, goal_items)


def _states_targets(title: str) -> bool:
    """Whether an item's title sentence is itself a target (学前三年毛入园率达到92%)."""
    return any(f.target is not None for f in find_targets(title))
