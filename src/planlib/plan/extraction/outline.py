"""A plan's outline: preamble, numbered sections (一、…), subsection headings and items.

A line starts a section or an item only where a person would see one: at the start of a line,
with the next number in sequence, and after a line that closes a sentence (or after a heading).
That is what keeps a hard-wrapped line that happens to begin with "二、" or "3." in the text.

The items are those of one kind (:mod:`.enumeration` decides which): numbered at a line start
(1. 1、 （一） (1)), run-in (一是, 第一，, 首先，: the lines were cut before them), or
unnumbered paragraphs that open with a title sentence. Reading is one pass over the lines, in
named steps: does the line open a paragraph, is it a section heading, a subsection heading, an
item, or the continuation of the block before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .enumeration import NEXT, opens_with_title, run_in_marker
from .structure import (
    TEXT_LABEL_RE,
    Block,
    closes_strongly,
    item_marker,
    section_marker,
)
from .text import squeeze

Marker = tuple[str, int, int]


@dataclass
class Outline:
    """What the structure pass found, in document order."""

    blocks: list[Block]
    item_style: str | None
    gaps: list[tuple[int, str]] = field(default_factory=list)  # (line, what is missing)

    @property
    def sections(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "section"]

    @property
    def items(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "item"]


def outline(lines: Sequence[tuple[int, str]], *, items: str = "numbered") -> Outline:
    """Split cleaned lines (furniture and title removed) into preamble, sections and items.

    ``items`` says which enumeration makes the items: ``numbered`` (at a line start),
    ``run_in`` (一是/第一/首先, each already on a line of its own) or ``paragraphs``.

    The numbering may start anywhere (an extract from 二、 or from item 17, a page 2 that opens
    at 8、): the first heading or item is taken at whatever number it carries when it opens a
    paragraph at the start of the text or after a closed sentence. Gaps are collected in
    ``gaps``, one entry each, for a single warning.
    """
    reader = _OutlineReader(lines, items)
    for number, text in lines:
        reader.read(number, text)
    return reader.result()


def _line_width(lines: Sequence[tuple[int, str]]) -> int:
    """The width the text was wrapped at: the length most longer lines reach (75th percentile)."""
    lengths = sorted(len(t.strip()) for _, t in lines if len(t.strip()) >= 4)
    return lengths[(len(lengths) * 3) // 4] if lengths else 0


class _OutlineReader:
    """The state of one pass over the lines."""

    def __init__(self, lines: Sequence[tuple[int, str]], items: str) -> None:
        self.items = items
        self.blocks: list[Block] = [Block("preamble")]
        self.sub_style = _subsection_style(lines) if items == "numbered" else None
        self.sectionless = not any(section_marker(squeeze(t)) for _, t in lines)
        self.item_style: str | None = "arabic" if self.sub_style else None
        self.group = ""
        self.restarted: int | None = None  # the line where numbering restarted in a subsection
        self.last_section = 0
        self.last_item = 0
        self.prev_end = ""
        self.full = 0.8 * _line_width(lines)
        self.heading_open = False  # the heading filled its line: the next may continue it
        self.missing_sections: list[tuple[int, list[int]]] = []
        self.missing_items: list[tuple[int, list[int]]] = []
        self.starts: list[tuple[int, str]] = []
        self.in_section: dict[int, int] = {}  # items so far in each section

    # --- the steps ----------------------------------------------------------------------------

    def read(self, number: int, text: str) -> None:
        s = squeeze(text)
        if not s:
            return
        current = self.blocks[-1]
        opens = self._opens(current)
        if self._section(number, text, s, opens):
            return
        mark = self._marker(s)
        if mark and self._subsection(number, text, s, mark, opens):
            return
        # a run-in piece was cut where its series goes on: it opens whatever came before
        run_in = self.items == "run_in"
        if mark and (opens or run_in) and self._item(number, text, s, mark, current):
            return
        self._continue(number, text, s, current)

    def _opens(self, current: Block) -> bool:
        """A heading or item opens a paragraph: after a heading, after a closed sentence or
        after a bare responsibility clause (责任部门：基础教育科)."""
        prev = self.prev_end
        return (
            not prev
            or closes_strongly(prev)
            or (current.kind == "section" and not current.intro)
            or (current.kind == "subsection" and len(current.lines) == 1)
            # a line that stopped short of the wrap width ended its paragraph (an issuer's
            # name, a banner title, a sentence closed with "." instead of "。")
            or (self.full > 0 and len(prev) < 0.6 * self.full and not self.heading_open)
            or _sentence_dot(prev)
        )

    def _marker(self, s: str) -> Marker | None:
        if self.items == "run_in":
            return run_in_marker(s)
        if self.items == "paragraphs":
            # under a heading, or (a plan without headings) after the opening paragraph
            placed = self.last_section > 0 or (self.sectionless and bool(self.blocks[0].lines))
            return ("paragraph", self.last_item + 1, 0) if placed and opens_with_title(s) else None
        return item_marker(s)

    def _section(self, number: int, text: str, s: str, opens: bool) -> bool:
        """一、提高质量: a section heading, when its number comes next (a lost page may skip
        one or two, said in a gap)."""
        sec = section_marker(s)
        if sec is None:
            return False
        # a short line that is all heading (二、提高质量) is a heading whatever came before
        heading_like = len(s) <= 24 and not any(c in s for c in "，,；;")
        skip = sec[0] - self.last_section - 1
        if skip > 0 and self.last_section == 0:
            # an extract may open at 二、: a heading line at the start or after a closed
            # sentence; anything else is a number in the prose
            first_ok = heading_like and opens
            skip = 0 if first_ok else -1
            if first_ok:
                self.starts.append((number, f"部分编号从第 {sec[0]} 部分开始"))
        strong = closes_strongly(self.prev_end) or heading_like
        if not (0 <= skip <= 2 and ((opens or heading_like) if skip == 0 else strong)):
            return False
        if skip and self.last_section:
            self.missing_sections.append((number, list(range(self.last_section + 1, sec[0]))))
        self.last_section = sec[0]
        self.group = ""
        self.blocks.append(Block("section", number=self.last_section, lines=[(number, text)]))
        self.heading_open = len(text.strip()) >= self.full and "。" not in s
        self.prev_end = s
        return True

    def _subsection(self, number: int, text: str, s: str, mark: Marker, opens: bool) -> bool:
        """（一）推进学前教育普及普惠: a heading over the numbered tasks, not a task."""
        if not (self.sub_style and mark[0] == self.sub_style and opens):
            return False
        self.group = s[mark[2] :].strip().rstrip("。：:")
        self.blocks.append(
            Block("subsection", number=mark[1], section=self.last_section, lines=[(number, text)])
        )
        self.heading_open = False
        self.prev_end = s
        return True

    def _item(self, number: int, text: str, s: str, mark: Marker, current: Block) -> bool:
        """An item of the plan's item style, when its number is in sequence."""
        style, n, _ = mark
        if self.item_style is not None and style != self.item_style:
            return False
        if n == NEXT:
            n = self.last_item + 1
        placed = self._in_sequence(number, s, n, current)
        if placed is None:
            return False
        self.item_style = style
        self.last_item = n
        self.in_section[self.last_section] = self.in_section.get(self.last_section, 0) + 1
        self.blocks.append(
            Block(
                "item",
                number=placed,
                section=self.last_section,
                style=style,
                lines=[(number, text)],
                group=self.group,
            )
        )
        self.prev_end = s
        return True

    def _in_sequence(self, number: int, s: str, n: int, current: Block) -> int | None:
        """The item's number within its section when ``n`` continues the numbering, else None."""
        under_heading = current.kind in ("section", "subsection")
        in_section = self.in_section.get(self.last_section, 0)
        if self.last_item == 0:
            if n == 1 or under_heading:
                return n
            if not self.prev_end or closes_strongly(self.prev_end):
                # an extract or a later page opens at item 17: take it, say so once
                self.starts.append((number, f"条目编号从第 {n} 项开始"))
                return n
            return None
        if current.kind == "subsection" and n == 1:
            # numbering that starts again in each subsection: number on within the section
            if self.restarted is None and in_section + 1 > 1:
                self.restarted = number
            return in_section + 1
        if n == self.last_item + 1 or (under_heading and n == 1):
            return in_section + 1 if self.restarted is not None else n
        jump = self.last_item + 1 < n <= self.last_item + (10 if _titled(s) else 3)
        if jump and closes_strongly(self.prev_end):
            self.missing_items.append((number, list(range(self.last_item + 1, n))))
            return n
        return None

    def _continue(self, number: int, text: str, s: str, current: Block) -> None:
        """A line that opens nothing: the intro of a section, or more of the block before."""
        if current.kind == "section" and not self.heading_open:
            current.intro.append((number, text))
        else:
            if (
                current.kind == "item"
                and len(current.lines) == 1
                and _heading_line(squeeze(current.lines[0][1]), s, self.full)
            ):
                current.heading = True
            current.lines.append((number, text))
            self.heading_open = (
                current.kind == "section" and len(text.strip()) >= self.full and "。" not in s
            )
        self.prev_end = s

    # --- the result ---------------------------------------------------------------------------

    def result(self) -> Outline:
        blocks = self.blocks
        if not blocks[0].lines:
            blocks = blocks[1:]
        return Outline(blocks, self.item_style, self._gaps())

    def _gaps(self) -> list[tuple[int, str]]:
        gaps: list[tuple[int, str]] = []
        if self.missing_sections:
            missing = _numbers(self.missing_sections)
            gaps.append(
                (
                    self.missing_sections[0][0],
                    f"部分编号不连续：缺少第 {missing} 部分（原文可能缺页）",
                )
            )
        if self.missing_items:
            missing = _numbers(self.missing_items)
            gaps.append(
                (self.missing_items[0][0], f"条目编号不连续：缺少第 {missing} 项（原文可能缺页）")
            )
        if self.restarted is not None:
            gaps.append(
                (
                    self.restarted,
                    "条目编号在各小节（（一）（二）……）内重新开始：任务按所在部分内的顺序编号，"
                    "请核对编号",
                )
            )
        if self.starts:
            said = "，".join(what for _, what in self.starts)
            gaps.append((self.starts[0][0], f"{said}：文本可能是节选，前面的内容未包含"))
        return gaps


def _subsection_style(lines: Sequence[tuple[int, str]]) -> str | None:
    """ "paren_cn" when （一） headings stand over numbered items (一、 / （一） / 1.): the
    three-level outline of many plans, where the 1. items are the tasks; else None."""
    seen_heading = False
    headings = items = 0
    for _, text in lines:
        mark = item_marker(squeeze(text))
        if mark is None:
            continue
        if mark[0] == "paren_cn":
            seen_heading = True
            headings += 1
        elif mark[0] == "arabic" and seen_heading:
            items += 1
    return "paren_cn" if headings and items >= headings else None


def _numbers(missing: list[tuple[int, list[int]]]) -> str:
    """3、7、9–11: every missing number once, runs of three or more as a range."""
    values = sorted({n for _, ns in missing for n in ns})
    runs: list[list[int]] = []
    for v in values:
        if runs and v == runs[-1][-1] + 1:
            runs[-1].append(v)
        else:
            runs.append([v])
    return "、".join(
        f"{r[0]}–{r[-1]}" if len(r) >= 3 else "、".join(str(v) for v in r) for r in runs
    )


def _titled(line: str) -> bool:
    """An item line that opens with a short title sentence (8.推进…。): safe across a big gap."""
    mark = item_marker(line)
    rest = line[mark[2] :] if mark else line
    end = rest.find("。")
    return 2 <= end <= 40 or (end == -1 and 2 <= len(rest) <= 30)


def _heading_line(first: str, nxt: str, full: float) -> bool:
    """An item's first line is a heading of its own (1.全面从严治党, no 。, short of the wrap
    width), or the next line opens with a label (目标任务：…)."""
    mark = item_marker(first) or run_in_marker(first)
    rest = first[mark[2] :] if mark else first
    if not rest or "。" in rest or rest.endswith(("，", "、", "；")):
        return False
    if TEXT_LABEL_RE.match(nxt):
        return True
    return len(rest) <= 30 and (full <= 0 or len(first) < 0.6 * full)


def _sentence_dot(text: str) -> bool:
    """A line closed with a half-width "." after Chinese text (not a number like 2.)."""
    return len(text) >= 2 and text.endswith(".") and not text[-2].isascii()
