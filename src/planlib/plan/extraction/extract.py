"""Draft a plan file from a 工作要点 text: tasks, departments and targets, with warnings.

The draft is for a person to review, so whatever cannot be placed (an item without a
responsibility clause, a number that fits no target pattern, a truncated tail) comes back as a
warning with its source line instead of being dropped::

    result = extract_plan(Path("2023年工作要点.txt"))
    for w in result.warnings:
        print(w)                       # 第 88 行：……
    dump_plan(result.plan, "data/plans/2023.yaml")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ...errors import PlanlibError
from ..model import Framework, Plan, Section, Target, Task
from .breakdown import read_breakdown
from .documents import Document
from .enumeration import RUN_IN_STYLES as RUN_IN
from .enumeration import run_in_marker, split_lines, split_run_ins, uses_paragraphs, uses_run_in
from .framework import read_framework
from .furniture import drop_page_furniture
from .goals import read_goals
from .outline import outline
from .parts import ordinal_parts, parts_as_tasks
from .readers import read_document
from .structure import Block, count_clauses, find_clause, item_marker, section_marker
from .tables import Table, find_tables
from .targets import find_targets
from .text import LinedText
from .titles import header_line, read_title, split_title
from .warnings import ExtractionWarning, collapse

__all__ = ["Extraction", "ExtractionWarning", "extract_plan", "read_plan_text"]

Lookup = Callable[[str], str | None]
_CLOSED = tuple("。）)；！？”」")


@dataclass(frozen=True)
class Extraction:
    """The draft plan and the warnings a reviewer should read before using it."""

    plan: Plan
    warnings: tuple[ExtractionWarning, ...]


@lru_cache(maxsize=1)
def _bundled_lookup() -> Lookup | None:
    from ...catalog.definitions import load_indicators

    try:
        return load_indicators().lookup
    except PlanlibError:
        return None


def read_plan_text(path: str | Path) -> str:
    """The text of a plan document (text in any Chinese encoding, .docx, .pdf, .xlsx, .csv,
    .html), tables as ``|`` rows; PlanTextError when it cannot be read.

    >>> read_plan_text("计划.docx")  # doctest: +SKIP
    '市教育局2022年工作要点\\n...'
    """
    return read_document(path).text


def _source_text(source: str | Path) -> tuple[str, str | None, bool]:
    """The text to read, and a title to fall back on (the file's own, else its name).

    Raw text is read the way a text file is: in traditional script it is converted to
    simplified (the original kept on the :class:`Document`, as the readers keep it)."""
    path: Path | None = source if isinstance(source, Path) else None
    if path is None and isinstance(source, str) and "\n" not in source and len(source) < 1024:
        try:
            if Path(source).is_file():
                path = Path(source)
        except (OSError, ValueError):
            pass
    if path is None:
        return Document(str(source), "text").in_simplified().text, None, False
    document = read_document(path)
    if document.title:
        return document.text, document.title, False
    stem = path.stem
    hint = stem if any("\u4e00" <= c <= "\u9fff" for c in stem) else None
    return document.text, hint, True


def extract_plan(
    source: str | Path,
    *,
    lookup: Lookup | None = None,
    codes: bool = True,
) -> Extraction:
    """Read a 工作要点 (its text, or a path to a plan document) into a Plan.

    A path may be a text in any Chinese encoding, a Word (.docx), PDF, Excel (.xlsx), CSV or
    saved web page (.html): the kind is told from the content (:func:`read_document`).

    ``lookup`` maps an indicator name as written to an indicator code; by default the bundled
    indicator definitions' ``lookup`` (``codes=False`` leaves every ``code`` empty).

    >>> r = extract_plan("市教育局2022年工作要点\\n一、总体要求\\n1.办好教育。学前三年毛入学率达到93.5%。"
    ...                  "(牵头处室:办公室)")
    >>> [(t.indicator, t.value) for t in r.plan.tasks[0].targets]
    [('学前三年毛入学率', 93.5)]
    """
    text, hint, named = _source_text(source)
    text = text.lstrip("\ufeff")
    if codes and lookup is None:
        lookup = _bundled_lookup()
    if not codes:
        lookup = None
    return _Extractor(_remembered(lookup)).run(text, hint, named=named)


def _remembered(lookup: Lookup | None) -> Lookup | None:
    """``lookup`` asked once per indicator name in a run (a plan names the same ones again)."""
    if lookup is None:
        return None
    known: dict[str, str | None] = {}

    def remembered(name: str) -> str | None:
        if name not in known:
            known[name] = lookup(name)
        return known[name]

    return remembered


class _Extractor:
    """One extraction run: collects warnings while it builds sections and tasks."""

    def __init__(self, lookup: Lookup | None) -> None:
        self.lookup = lookup
        self.warnings: list[ExtractionWarning] = []
        self.year: int | None = None  # the plan's year, once the title is known

    def warn(self, line: int | None, message: str, kind: str = "", where: str = "") -> None:
        self.warnings.append(ExtractionWarning(line, message, kind, where))

    def run(self, text: str, hint: str | None = None, *, named: bool = False) -> Extraction:
        lines = split_lines(list(enumerate(text.splitlines(), start=1)))
        kept = drop_page_furniture(lines, header_line(lines))
        head = read_title(lines, kept, hint, named=named)
        title, year, issuer, body = head.title, head.year, head.issuer, head.body
        self.year = year
        # a table flattened to one cell per line numbers its rows on lines of their own
        numbered = drop_page_furniture(lines, header_line(lines), keep_numbers=True)
        taken = {n for n, _ in kept} - {n for n, _ in body}  # the title's lines
        table_body = [(n, t) for n, t in numbered if n not in taken]
        tables = find_tables(table_body)
        if tables:
            body = table_body
            framework, goals, sections, tasks = self._from_tables(body, tables)
        else:
            framework, goals, sections, tasks = self._from_text(body)
        if head.how == "line":
            self.warn(head.line, f"未找到形如「××年工作要点」的标题，暂以「{title}」为标题")
        elif head.how == "hint":
            source = "文件名" if named else "文件信息中的标题"
            self.warn(None, f"正文中未找到计划标题，暂以{source}「{title}」为标题")
        elif head.how == "none":
            self.warn(None, f"未找到计划标题，暂以「{title}」代替")
        plan = Plan(
            title=title,
            year=year,
            issuer=issuer,
            framework=framework,
            sections=tuple(sections),
            tasks=tuple(tasks),
            goals=tuple(goals),
        )
        return Extraction(plan, collapse(self.warnings))

    def _from_text(
        self, body: list[tuple[int, str]]
    ) -> tuple[Framework, list[Target], list[Section], list[Task]]:
        """Sections and items of a plan written as prose, numbered by whichever enumeration
        the plan uses (:mod:`.enumeration`)."""
        items_are = "numbered"
        if uses_run_in(body):
            items_are, body = "run_in", split_run_ins(body)
        elif uses_paragraphs(body):
            items_are = "paragraphs"
        else:
            body = ordinal_parts(body)
        shape = outline(body, items=items_are)
        for line, message in shape.gaps:
            self.warn(line, message)
        blocks = parts_as_tasks(shape.blocks, self.lookup)
        framework = self._framework(blocks)
        sections = [self._section(b) for b in blocks if b.kind == "section"]
        reading = read_goals(blocks, self.lookup, self.warn, self.year)
        goal_items = {id(g) for g in reading.goal_items}
        items = [b for b in blocks if b.kind == "item" and id(b) not in goal_items]
        if not items:
            self.warn(None, "未找到编号任务（1. 1、（一）(1)），计划中没有任务")
        elif not sections:
            self.warn(items[0].first_line, "未找到部分标题（一、二、……），所有任务归入第 1 部分")
        last = blocks[-1] if blocks else None
        tasks: list[Task] = []
        seen: set[tuple[int, int]] = set()
        for block in items:
            task = self._task(block, is_last=block is last)
            key = (task.section, task.number)
            if key in seen:
                self.warn(
                    block.first_line, f"任务编号 {task.number} 在第 {task.section} 部分重复，已跳过"
                )
                continue
            seen.add(key)
            tasks.append(task)
        # every task's section must exist: one whose heading was not found gets a placeholder
        have = {sec.number for sec in sections}
        for number in sorted({t.section for t in tasks} - have):
            if sections:
                first = next(b.first_line for b in items if (b.section or 1) == number)
                self.warn(first, f"第 {number} 部分的标题未识别，暂以「第{number}部分」代替")
            sections.append(Section(number, f"第{number}部分"))
        sections.sort(key=lambda sec: sec.number)
        return framework, reading.goals, sections, tasks

    def _from_tables(
        self, body: list[tuple[int, str]], tables: list[Table]
    ) -> tuple[Framework, list[Target], list[Section], list[Task]]:
        """A plan given as breakdown tables: the prose before the first is its preamble."""
        prose = [(n, t) for n, t in body if n < tables[0].first_line]
        shape = outline(prose)
        framework = self._framework(shape.blocks)
        reading = read_goals(shape.blocks, self.lookup, self.warn, self.year)
        goal_items = {id(g) for g in reading.goal_items}
        items = [b for b in shape.items if id(b) not in goal_items]
        if items:
            self.warn(
                items[0].first_line,
                f"表格之前还有 {len(items)} 个编号条目，任务按表格抽取，这些条目未归入任务",
            )
        result = read_breakdown(tables, self.lookup, self.warn)
        if not result.tasks:
            self.warn(tables[0].first_line, "找到了任务分解表的表头，但表中没有任务行")
        return framework, reading.goals, result.sections, result.tasks

    def _framework(self, blocks: list[Block]) -> Framework:
        preamble = next((b for b in blocks if b.kind == "preamble"), None)
        if preamble is None:
            return Framework()
        reading = read_framework(preamble.joined().text)
        for problem in reading.problems:
            self.warn(preamble.first_line, problem)
        return reading.framework

    def _section(self, block: Block) -> Section:
        joined = block.joined()
        marker = section_marker(joined.text)
        title = joined.text[marker[1] if marker else 0 :].strip().rstrip("。：")
        if not title:
            title = f"第{block.number}部分"
            self.warn(block.first_line, f"第 {block.number} 部分没有标题")
        return Section(block.number, title)

    def _task(self, block: Block, *, is_last: bool) -> Task:
        body = _item_body(block)
        section = block.section or 1
        where = f"第 {section} 部分第 {block.number} 项"
        clause = find_clause(body.text)
        clauses = count_clauses(body.text)
        if clauses > 1:
            self.warn(
                block.first_line,
                f"{where}中有 {clauses} 处责任分工括注，可能并入了后面的条目（编号缺失或缺少句号），"
                "只采用最后一处，请核对原文",
                "several_clauses",
                f"{where}（{clauses} 处）",
            )
        lead: tuple[str, ...] = ()
        responsible: tuple[str, ...] = ()
        content = body
        if clause is None:
            self.warn(
                block.first_line,
                f"{where}没有责任处室（牵头处室、责任单位等），部门留空",
                "no_clause",
                where,
            )
        else:
            lead, responsible = clause.lead, clause.responsible
            rest = body[clause.end :].strip("。；; ")
            content = LinedText(
                body.text[: clause.start] + rest.text, body.lines[: clause.start] + rest.lines
            ).strip()
            line = body.line_at(clause.start)
            if not lead and not responsible:
                self.warn(line, f"{where}的责任处室条款没有列出单位", "empty_clause", where)
            for name in clause.duplicates:
                self.warn(line, f"{where}的单位「{name}」重复列出，只保留一次")
            if clause.truncated:
                units = lead + responsible
                tail = f"，末位单位「{units[-1]}」可能不完整" if units else ""
                cut = "文本在此截断：" if is_last else ""
                self.warn(
                    body.line_at(len(body) - 1),
                    f"{cut}{where}的责任处室括号未闭合{tail}，请核对原文",
                )
        if clause is None and is_last and content.text and not content.text.endswith(_CLOSED):
            self.warn(content.line_at(len(content) - 1), f"文本在此截断：{where}未写完，请核对原文")
        title, text = split_title(content, block)
        title_text = title.text.strip().rstrip("：:，,")
        if not title_text:
            title_text = f"第{block.number}项"
            self.warn(block.first_line, f"{where}没有标题句", "no_title", where)
        targets: list[Target] = []
        # the title and the rest apart: a heading line (14.全面从严治党) ends without a 。, and its
        # words must not open the first target of the next line (全面从严治党学前三年毛入园率)
        for part, f in ((p, f) for p in (title, text) for f in find_targets(p.text, self.lookup)):
            if f.target is None:
                self.warn(part.line_at(f.start), f"{where}：{f.message}，请人工核对")
            else:
                targets.append(f.target)
                # taken, with a doubt a reviewer should settle
                line = part.line_at(f.start)
                if f.message:
                    self.warn(line, f"{where}：{f.message}，请人工核对")
                if f.dated and f.dated[1:5] != str(self.year):  # 到2022年底 in 2022 is fine
                    self.warn(
                        line,
                        f"{where}：「{f.target.source}」前写有「{f.dated}」，"
                        "可能是该年的目标而非本年度目标，请人工核对",
                    )
        return Task(
            section=section,
            number=block.number,
            title=title_text,
            text=text.text,
            lead_units=lead,
            responsible_units=responsible,
            tags=(block.group,) if block.group else (),
            targets=tuple(targets),
        )


def _item_body(block: Block) -> LinedText:
    """An item's text without its number (1. / 一是 / 第一，; a paragraph task has none)."""
    joined = block.joined()
    if block.style == "paragraph":
        return joined.strip()
    if block.style == "section":  # a part that is a task of its own: 二、… and its body
        heading = section_marker(joined.text)
        return joined[heading[1] if heading else 0 :].strip()
    marker = run_in_marker(joined.text) if block.style in RUN_IN else item_marker(joined.text)
    return joined[marker[2] if marker else 0 :].strip()
