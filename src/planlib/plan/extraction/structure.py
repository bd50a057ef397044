"""A plan's outline: its title, numbered sections (一、…) and items (1. 1、 （一） (1)).

A line starts a section or an item only where a person would see one: at the start of a line,
with the next number in sequence, and after a line that closes a sentence (or after a heading).
That is what keeps a hard-wrapped line that happens to begin with "二、" or "3." in the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .text import LinedText, normalise, squeeze

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}  # fmt: skip


def chinese_number(word: str) -> int | None:
    """一 → 1, 十二 → 12, 二十三 → 23; None for anything else."""
    if not word or any(c not in _CN_DIGITS and c != "十" for c in word):
        return None
    if "十" not in word:
        return _CN_DIGITS[word] if len(word) == 1 else None
    tens, _, ones = word.partition("十")
    if "十" in ones or len(tens) > 1 or len(ones) > 1:
        return None
    value = (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return value if value > 0 else None


_SECTION_RE = re.compile(r"^(?:第)?([一二三四五六七八九十]{1,3})(?:部分)?[、.]")
_ITEM_RES: dict[str, re.Pattern[str]] = {
    "arabic": re.compile(r"^(\d{1,3})[.、](?![\d%])"),
    "paren_cn": re.compile(r"^（([一二三四五六七八九十]{1,3})）"),
    "paren_num": re.compile(r"^（(\d{1,3})）"),
}
_CLOSERS = tuple('。）)；;：:！!？?”"」】')
_TITLE_ENDINGS = ("工作要点", "工作计划", "要点", "计划", "工作安排", "安排", "方案", "分解表",
                  "任务表", "清单", "一览表")  # fmt: skip
_TITLE_RE = re.compile(
    r"(\d{4}|[〇零一二三四五六七八九]{4})年.{0,30}"
    r"(工作要点|工作计划|要点|计划|工作安排|安排|方案|分解表|任务表|清单|一览表)"
)


def item_marker(line: str) -> tuple[str, int, int] | None:
    """(style, number, length of the marker) when a normalised line opens with an item number."""
    for style, pattern in _ITEM_RES.items():
        m = pattern.match(line)
        if m:
            raw = m.group(1)
            number = int(raw) if raw.isdigit() else chinese_number(raw)
            if number:
                return style, number, m.end()
    return None


def section_marker(line: str) -> tuple[int, int] | None:
    """(number, length of the marker) when a normalised line opens with 一、 … 十二、."""
    m = _SECTION_RE.match(line)
    if not m:
        return None
    number = chinese_number(m.group(1))
    return (number, m.end()) if number else None


def find_title(lines: Sequence[tuple[int, str]]) -> tuple[int, str] | None:
    """The first line that reads like a plan's title (…2022年工作要点), normalised.

    A line that ends with the genre word wins over one that only contains it, so the covering
    notice 关于印发《…2023年工作要点》的通知 does not become the title.
    """
    candidates = [(n, squeeze(t)) for n, t in lines]
    candidates = [(n, s) for n, s in candidates if 4 <= len(s) <= 60 and _TITLE_RE.search(s)]
    for number, s in candidates:
        if _TITLE_RE.search(s) and s.endswith(_TITLE_ENDINGS):
            return number, s
    for number, s in candidates:
        if not s.endswith("。"):
            return number, s
    return None


@dataclass
class Block:
    """A run of source lines: the preamble, a section heading or an item."""

    kind: str  # "preamble" | "section" | "subsection" | "item"
    number: int = 0
    section: int = 0
    style: str = ""
    lines: list[tuple[int, str]] = field(default_factory=list)
    intro: list[tuple[int, str]] = field(default_factory=list)  # prose under a section heading
    heading: bool = False  # an item whose first line is its title alone (1.全面从严治党)
    group: str = ""  # an item's subsection heading ((一)推进学前教育普及普惠), if any

    @property
    def first_line(self) -> int | None:
        return self.lines[0][0] if self.lines else None

    def joined(self) -> LinedText:
        """The block's text with line breaks joined and spaces and punctuation normalised."""
        return normalise(LinedText.join(self.lines))

    def intro_text(self) -> LinedText:
        """The prose between a section heading and its first item, normalised."""
        return normalise(LinedText.join(self.intro))


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


def _line_width(lines: Sequence[tuple[int, str]]) -> int:
    """The width the text was wrapped at: the length most longer lines reach (75th percentile)."""
    lengths = sorted(len(t.strip()) for _, t in lines if len(t.strip()) >= 4)
    return lengths[(len(lengths) * 3) // 4] if lengths else 0


def outline(lines: Sequence[tuple[int, str]]) -> Outline:
    """Split cleaned lines (furniture and title removed) into preamble, sections and items.

    The numbering may start anywhere (an extract from 二、 or from item 17, a page 2 that opens
    at 8、): the first heading or item is taken at whatever number it carries when it opens a
    paragraph at the start of the text or after a closed sentence. Gaps are collected in
    ``gaps`` and ``start``, one entry each, for a single warning.
    """
    blocks: list[Block] = [Block("preamble")]
    sub_style = _subsection_style(lines)
    item_style: str | None = "arabic" if sub_style else None
    group = ""
    restarted: int | None = None  # the line where numbering first restarted in a subsection
    last_section = 0
    last_item = 0
    prev_end = ""
    full = 0.8 * _line_width(lines)
    heading_open = False  # the heading filled its line, so the next line may continue it
    missing_sections: list[tuple[int, list[int]]] = []
    missing_items: list[tuple[int, list[int]]] = []
    starts: list[tuple[int, str]] = []
    in_section: dict[int, int] = {}  # items so far in each section (counted, never recounted)
    for number, text in lines:
        s = squeeze(text)
        if not s:
            continue
        current = blocks[-1]
        # a heading or item opens a paragraph: after a heading, after a closed sentence or
        # after a bare responsibility clause (责任部门：基础教育科)
        opens = (
            not prev_end
            or _strong(prev_end)
            or (current.kind == "section" and not current.intro)
            or (current.kind == "subsection" and len(current.lines) == 1)
            # a line that stopped short of the wrap width ended its paragraph (an issuer's name,
            # a banner title, a sentence closed with "." instead of "。")
            or (full > 0 and len(prev_end) < 0.6 * full and not heading_open)
            or _sentence_dot(prev_end)
        )
        sec = section_marker(s)
        # a short line that is all heading (二、提高质量) is a heading whatever came before
        heading_like = sec is not None and len(s) <= 24 and not any(c in s for c in "，,；;")
        # a lost page skips a number or two: accept the jump, and say what is missing
        skip = sec[0] - last_section - 1 if sec else -1
        if skip > 0 and last_section == 0:
            # an extract may open at 二、: a heading line at the start or after a closed
            # sentence; anything else is a number in the prose
            first_ok = heading_like and opens
            skip = 0 if first_ok else -1
            if first_ok and sec:
                starts.append((number, f"部分编号从第 {sec[0]} 部分开始"))
        if (
            sec
            and 0 <= skip <= 2
            and ((opens or heading_like) if skip == 0 else (_strong(prev_end) or heading_like))
        ):
            if skip and last_section:
                missing_sections.append((number, list(range(last_section + 1, sec[0]))))
            last_section = sec[0]
            group = ""
            blocks.append(Block("section", number=last_section, lines=[(number, text)]))
            heading_open = len(text.strip()) >= full and "。" not in s
            prev_end = s
            continue
        mark = item_marker(s)
        if mark and sub_style and mark[0] == sub_style and opens:
            # （一）推进学前教育普及普惠: a heading over the numbered tasks, not a task
            group = _heading_text(s, mark[2])
            blocks.append(
                Block("subsection", number=mark[1], section=last_section, lines=[(number, text)])
            )
            heading_open = False
            prev_end = s
            continue
        if mark and opens and (item_style is None or mark[0] == item_style):
            style, n, _ = mark
            number_in_section = n
            under_heading = current.kind in ("section", "subsection")
            if last_item == 0:
                in_sequence = n == 1 or under_heading
                if not in_sequence and (not prev_end or _strong(prev_end)):
                    # an extract or a later page opens at item 17: take it, say so once
                    in_sequence = True
                    starts.append((number, f"条目编号从第 {n} 项开始"))
            elif current.kind == "subsection" and n == 1 and last_item >= 1:
                # numbering that starts again in each subsection: number on within the section
                in_sequence = True
                number_in_section = in_section.get(last_section, 0) + 1
                if restarted is None and number_in_section > 1:
                    restarted = number
            else:
                in_sequence = n == last_item + 1 or (under_heading and n == 1)
                if restarted is not None and in_sequence:
                    number_in_section = in_section.get(last_section, 0) + 1
                jump = last_item + 1 < n <= last_item + (10 if _titled(s) else 3)
                if not in_sequence and jump and _strong(prev_end):
                    missing_items.append((number, list(range(last_item + 1, n))))
                    in_sequence = True
            if in_sequence:
                item_style = style
                last_item = n
                in_section[last_section] = in_section.get(last_section, 0) + 1
                blocks.append(
                    Block(
                        "item",
                        number=number_in_section,
                        section=last_section,
                        style=style,
                        lines=[(number, text)],
                        group=group,
                    )
                )
                prev_end = s
                continue
        if current.kind == "section" and not heading_open:
            current.intro.append((number, text))
        else:
            if (
                current.kind == "item"
                and len(current.lines) == 1
                and _heading_line(squeeze(current.lines[0][1]), s, full)
            ):
                current.heading = True
            current.lines.append((number, text))
            heading_open = current.kind == "section" and len(text.strip()) >= full and "。" not in s
        prev_end = s
    if not blocks[0].lines:
        blocks.pop(0)
    gaps: list[tuple[int, str]] = []
    if missing_sections:
        gaps.append(
            (
                missing_sections[0][0],
                f"部分编号不连续：缺少第 {_numbers(missing_sections)} 部分（原文可能缺页）",
            )
        )
    if missing_items:
        gaps.append(
            (
                missing_items[0][0],
                f"条目编号不连续：缺少第 {_numbers(missing_items)} 项（原文可能缺页）",
            )
        )
    if restarted is not None:
        gaps.append(
            (
                restarted,
                "条目编号在各小节（（一）（二）……）内重新开始：任务按所在部分内的顺序编号，"
                "请核对编号",
            )
        )
    if starts:
        said = "，".join(what for _, what in starts)
        gaps.append((starts[0][0], f"{said}：文本可能是节选，前面的内容未包含"))
    return Outline(blocks, item_style, gaps)


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


def _heading_text(line: str, marker_end: int) -> str:
    """A subsection heading's words: the marker and a closing 。 dropped."""
    return line[marker_end:].strip().rstrip("。：:")


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


# labels that open a part of an item: kept out of its title
TEXT_LABEL_RE = re.compile(
    r"(目标任务|主要目标|工作目标|年度目标|任务目标|总体目标|具体目标|主要任务|重点任务|具体任务|"
    r"工作任务|主要措施|工作措施|具体措施|推进措施|保障措施|主要举措|工作举措|具体举措|"
    r"工作要求|完成时限|时间节点|工作内容|主要内容|具体内容)[：:]"
)


def _heading_line(first: str, nxt: str, full: float) -> bool:
    """An item's first line is a heading of its own (1.全面从严治党, no 。, short of the wrap
    width), or the next line opens with a label (目标任务：…)."""
    mark = item_marker(first)
    rest = first[mark[2] :] if mark else first
    if not rest or "。" in rest or rest.endswith(("，", "、", "；")):
        return False
    if TEXT_LABEL_RE.match(nxt):
        return True
    return len(rest) <= 30 and (full <= 0 or len(first) < 0.6 * full)


def _sentence_dot(text: str) -> bool:
    """A line closed with a half-width "." after Chinese text (not a number like 2.)."""
    return len(text) >= 2 and text.endswith(".") and not text[-2].isascii()


def _strong(prev_end: str) -> bool:
    """The previous line closed a sentence or a responsibility clause: a safe place for a new
    item even when its number is not the next one."""
    return prev_end.endswith(_CLOSERS) or bool(_LABEL_RE.search(prev_end))


# --- responsibility clauses -----------------------------------------------------------------------

_LABEL = r"(牵头|主责|主办|责任|负责|配合|协办|参与|协助)(处室|单位|科室|部门|股室)"
# a person named before the units (牵头领导：王某某 责任股室：…): where a clause may start, and
# whose names are not units
_PERSON = r"(?:牵头|分管|责任|联系|包保)(?:局|市|区|县)?(?:领导|局长|人)"
_LABEL_RE = re.compile(_LABEL + r"[：:]")
_ANY_LABEL_RE = re.compile(rf"(?:{_LABEL}|(?P<person>{_PERSON}))[：:]")
_OPEN_CLAUSE_RE = re.compile(r"[（(【]\s*(?:" + _LABEL + "|" + _PERSON + r")[：:]")
LEAD_LABELS = ("牵头", "主责", "主办")


@dataclass(frozen=True)
class Clause:
    """A responsibility clause: where it starts in the item text, units by role, whether cut."""

    start: int
    end: int
    lead: tuple[str, ...]
    responsible: tuple[str, ...]
    truncated: bool
    duplicates: tuple[str, ...] = ()


def split_units(text: str) -> list[str]:
    """Names separated by 、，；/, not splitting inside brackets: 各县（市、区）教育局 stays whole."""
    names: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch in "（(":
            depth += 1
        elif ch in "）)" and depth:
            depth -= 1
        if depth == 0 and ch in "、，,；;。/／":
            names.append("".join(current))
            current = []
            continue
        current.append(ch)
    names.append("".join(current))
    stripped = (n.strip().strip("：:。").strip() for n in names)
    return [n for n in stripped if n]


def _closing_bracket(text: str, start: int) -> int:
    """Index of the bracket closing the one at ``start`` (nested ones skipped); -1 if none."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] in "（(【":
            depth += 1
        elif text[i] in "）)】":
            depth -= 1
            if depth == 0:
                return i
    return -1


def count_clauses(text: str) -> int:
    """How many bracketed responsibility clauses a text holds (an item should have one)."""
    return len(_OPEN_CLAUSE_RE.findall(text))


def find_clause(text: str) -> Clause | None:
    """The responsibility clause of an item: (牵头处室：A。责任单位：B、C) or a bare 责任单位：… tail."""
    opens = list(_OPEN_CLAUSE_RE.finditer(text))
    if opens:
        start = opens[-1].start()
        close = _closing_bracket(text, start)
        truncated = close == -1
        inner = text[start + 1 : close if close != -1 else len(text)]
        end = close + 1 if close != -1 else len(text)
    else:
        bare = [
            m
            for m in _ANY_LABEL_RE.finditer(text)
            if m.start() == 0 or text[m.start() - 1] in "。；; "
        ]
        after = _ANY_LABEL_RE.finditer(text, bare[0].start()) if bare else iter(())
        if not any(m.group("person") is None for m in after):
            return None  # no label of units (a person alone is no responsibility clause)
        start = bare[0].start()
        inner = text[start:]
        end = len(text)
        truncated = False
    lead: list[str] = []
    responsible: list[str] = []
    duplicates: list[str] = []
    marks = list(_ANY_LABEL_RE.finditer(inner))
    for i, m in enumerate(marks):
        body = inner[m.end() : marks[i + 1].start() if i + 1 < len(marks) else len(inner)]
        if m.group("person") is not None:
            continue  # people, not units
        target = lead if m.group(1) in LEAD_LABELS else responsible
        for name in split_units(body):
            if name in target:
                duplicates.append(name)
            else:
                target.append(name)
    return Clause(start, end, tuple(lead), tuple(responsible), truncated, tuple(duplicates))
