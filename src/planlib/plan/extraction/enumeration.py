"""The enumerations a plan's items use, wherever they start: at a line start or mid-line.

Plans number their items in many ways: 一、（一）1.（1）① at the start of a line; 一是…二是…,
第一，第二，… and 首先/其次/再次/最后 running on inside a paragraph; or no number at all, each
task a paragraph that opens with a title sentence (加快推进学前教育普及普惠。…). Which kind
makes the tasks is decided by the kinds that occur and the order they first appear in, never by
a fixed level: a plan whose only numbering is 一是/二是 has them as tasks; one with （一）
items and 一是 clauses inside has the clauses as the items' text.

A text copied from a web page may have no line breaks at all, and two items may be glued on
one line ((牵头处室：…）2.推进…): :func:`split_lines` cuts such lines where a person would see
a new paragraph, before anything else is read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise

from .quantities import grammar
from .structure import chinese_number, item_marker, section_marker
from .text import squeeze

Lines = list[tuple[int, str]]

_CN = "[一二三四五六七八九十]{1,3}"
_RUN_IN_RES: dict[str, re.Pattern[str]] = {
    "shi": re.compile(rf"({_CN})是(?![的否不])"),
    "ordinal": re.compile(rf"第({_CN})(?:[，,、：:]|是(?![的否不]))"),
    "sequence": re.compile(r"(首先|其次|再次|然后|最后)[，,、：:]"),
}
_SEQUENCE = {"首先": 1, "其次": 2, "再次": 3, "然后": 3}
NEXT = -1
"""The number of 最后 (last): whatever comes next in the sequence."""
RUN_IN_STYLES = frozenset(_RUN_IN_RES)

# a run-in marker anywhere; it starts an item at the start of a line, after a closed clause
# or a closing bracket (…。（责任股室：党建办）二是…), or, with no mark before it, when it is
# the next of its series on the line (一是…，…二是…)
_RUN_IN_ANY_RE = re.compile(
    rf"{_CN}是(?![的否不])|第{_CN}(?:[，,、：:]|是(?![的否不]))|(?:首先|其次|再次|然后|最后)[，,、：:]"
)
_CLAUSE_END = "。；;：:！？）)」】"
# a line-start marker glued after a closed sentence or clause: …。2.推进 / …）（三）加强
_GLUED_RE = re.compile(
    r"(?<=[。；;）)】])\s*(?=(?:\d{1,3}[.、](?![\d%])|（[一二三四五六七八九十\d]{1,3}）"
    r"|[一二三四五六七八九十]{1,3}、))"
)
_LONG = 300  # a line this long is a whole paragraph, or a whole page copied without breaks
_ITEM_START_RE = re.compile(r"\d{1,3}[.、](?![\d%])")
_GAP_RE = re.compile(r"[ \t\u3000\xa0]+")


def run_in_marker(line: str) -> tuple[str, int, int] | None:
    """(style, number, length of the marker) when a normalised line opens with 一是, 第一，
    or 首先/其次/再次/最后 (number :data:`NEXT`)."""
    for style, pattern in _RUN_IN_RES.items():
        m = pattern.match(line)
        if not m:
            continue
        word = m.group(1)
        if style == "sequence":
            return style, _SEQUENCE.get(word, NEXT), m.end()
        number = chinese_number(word)
        if number:
            return style, number, m.end()
    return None


@lru_cache(maxsize=1)
def _units() -> tuple[str, ...]:
    g = grammar()
    return (*g.scales, *(w for words in g.measures.values() for w in words))


def _split_gaps(text: str) -> list[str]:
    """A long line cut at its gaps of whitespace, except a gap between a number and its words
    (达到 93.5%, 2022 年: how PDFs and web pages space numbers)."""
    pieces: list[str] = []
    last = 0
    for m in _GAP_RE.finditer(text):
        left = text[m.start() - 1] if m.start() else ""
        right = text[m.end()] if m.end() < len(text) else ""
        if not left or not right:
            continue
        if right.isascii() and not (not left.isascii() and _ITEM_START_RE.match(text, m.end())):
            continue  # 达到 93.5%: a number spaced from its words (一、发展教育 1.扩大… is cut)
        if left.isascii() and (not left.isdigit() or text.startswith(_units(), m.end())):
            continue  # 2022 年, 1.5 万人: a number and its unit
        pieces.append(text[last : m.start()])
        last = m.end()
    pieces.append(text[last:])
    return [p for p in pieces if p.strip()]


def _cut(text: str, pattern: re.Pattern[str]) -> list[str]:
    """``text`` cut before every place ``pattern`` matches (an empty match marks a place)."""
    cuts = [m.start() if m.group(0) == "" else m.end() for m in pattern.finditer(text)]
    cuts = [c for c in cuts if 0 < c < len(text)]
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in pairwise(bounds) if text[a:b].strip()]


def split_lines(lines: Sequence[tuple[int, str]]) -> Lines:
    """Lines cut where a new paragraph starts mid-line: a long line at its whitespace gaps,
    after a title or a section heading that runs on into the text, and before an item number
    glued after a closed sentence. Each piece keeps its source line number."""
    out: Lines = []
    few = sum(1 for _, t in lines if t.strip()) <= 3  # a page copied without its breaks
    for number, text in lines:
        if _TABLE_ROW_RE.search(text):
            out.append((number, text))  # a table row keeps its cells (1.…；2.… in one cell)
            continue
        pieces = _split_gaps(text) if len(text) > _HEADED and (few or _paged(text)) else [text]
        # words a PDF spaced apart (加 快 推 进) are no paragraphs
        if len(pieces) > 1 and sorted(map(len, pieces))[len(pieces) // 2] < 6:
            pieces = [text]
        for piece in pieces:
            for part in _cut_heading(piece) if len(piece) > 8 else [piece]:
                glued = _cut(part, _GLUED_RE) if len(part) > 8 else [part]
                out.extend((number, p) for p in glued)
    return out


_HEADED = 60
# a row of cells: pipes, a tab, or three gaps of two spaces or more (how shapes.split_cells
# parts a row)
_TABLE_ROW_RE = re.compile(r"[|｜\t]|(?:\S[ \u3000]{2,}){3}")
_MARKER_AFTER_GAP_RE = re.compile(
    r"[ \t\u3000\xa0]+(?:[一二三四五六七八九十]{1,3}、|\d{1,3}[.、](?![\d%])|（[一二三四五六七八九十\d]{1,3}）)"
)


def _paged(text: str) -> bool:
    """A long line that is a page of paragraphs run together: headings and items after its
    gaps (a table row's cells are parted by gaps too, but not before numbered headings)."""
    return len(text) > _LONG and len(_MARKER_AFTER_GAP_RE.findall(text)) >= 2


# a title that runs on into the text: 市教育局2022年工作要点2022年是…
_RUN_ON_TITLE_RE = re.compile(
    r"[^，。；：]{0,30}?(?:\d{4}|[〇零一二三四五六七八九]{4})\s?年[^，。；：]{0,20}?工作(?:要点|计划)"
)
# a section heading glued to its first item: 一、总体要求1.推进… / 一、总体要求（一）推进…
_RUN_ON_HEADING_RE = re.compile(
    r"[一二三四五六七八九十]{1,3}、[^，。；：、（]{2,30}?(?=(?<!\d)\d{1,3}[.、](?![\d%])|（[一二三四五六七八九十\d]{1,3}）)"
)


def _cut_heading(text: str) -> list[str]:
    """A long line cut after a run-on title at its start, and after every section heading
    glued to the first item under it."""
    pieces: list[str] = []
    title = _RUN_ON_TITLE_RE.match(text) if len(text) > _HEADED else None
    if title and title.end() < len(text):
        pieces.append(text[: title.end()])
        text = text[title.end() :]
    cuts = sorted({c for m in _RUN_ON_HEADING_RE.finditer(text) for c in (m.start(), m.end())})
    bounds = [0, *[c for c in cuts if 0 < c < len(text)], len(text)]
    pieces.extend(text[a:b] for a, b in pairwise(bounds) if text[a:b].strip())
    return pieces


def split_run_ins(lines: Sequence[tuple[int, str]]) -> Lines:
    """Lines cut before each 一是 / 第一， / 首先， that follows a closed clause."""
    return [(number, p) for number, text in lines for p in _run_in_starts(text)]


def _run_in_starts(text: str) -> list[str]:
    cuts = [at for at, _ in run_in_places(text)]
    bounds = sorted({0, *[c for c in cuts if c > 0], len(text)})
    return [text[a:b] for a, b in pairwise(bounds) if text[a:b].strip()]


def run_in_places(text: str) -> list[tuple[int, tuple[str, int, int]]]:
    """Where run-in items start in a line, with their markers (see :data:`_RUN_IN_ANY_RE`)."""
    places: list[tuple[int, tuple[str, int, int]]] = []
    last: dict[str, int] = {}
    for m in _RUN_IN_ANY_RE.finditer(text):
        mark = run_in_marker(text[m.start() : m.end() + 1])
        if mark is None:
            continue
        style, number, _ = mark
        after_mark = m.start() == 0 or text[m.start() - 1] in _CLAUSE_END
        in_series = style in last and number in (last[style] + 1, NEXT)
        if after_mark or in_series:
            places.append((m.start(), mark))
            last[style] = number if number != NEXT else last.get(style, 0) + 1
    return places


def _counts(lines: Sequence[tuple[int, str]]) -> tuple[int, int, int, list[str]]:
    """Section headings, line-start items, run-in items (1 or 2 of a kind) and the run-in
    kinds in the order they first appear."""
    sections = items = run_ins = 0
    kinds: list[str] = []
    for _, text in lines:
        s = squeeze(text)
        if section_marker(s):
            sections += 1
        elif item_marker(s):
            items += 1
        for _, mark in run_in_places(s):
            if mark[1] in (1, 2, NEXT):
                run_ins += 1
                if mark[0] not in kinds:
                    kinds.append(mark[0])
    return sections, items, run_ins, kinds


def uses_run_in(lines: Sequence[tuple[int, str]]) -> bool:
    """Whether a plan's tasks are its run-in items (一是/第一/首先): it numbers nothing at a
    line start below its sections, and has a run of them (a first and a second)."""
    _, items, run_ins, kinds = _counts(lines)
    return items == 0 and run_ins >= 2 and bool(kinds)


_TITLE_SENTENCE_RE = re.compile(r"[^，。；：、！？]{4,30}[。：]")


def opens_with_title(line: str) -> bool:
    """A paragraph that opens with a short title sentence: 加快推进学前教育普及普惠。…"""
    return bool(_TITLE_SENTENCE_RE.match(line)) and not item_marker(line)


def uses_paragraphs(lines: Sequence[tuple[int, str]]) -> bool:
    """Whether a plan's tasks are unnumbered paragraphs: it has no item numbers of any kind,
    its lines are whole paragraphs (each closes its sentence) and most paragraphs under its
    headings (or after its opening paragraph, when it has none) open with a title sentence."""
    _, items, run_ins, _ = _counts(lines)
    if items or run_ins >= 2:
        return False
    squeezed = [squeeze(t) for _, t in lines]
    # under the first heading; without headings, after the opening paragraph
    first = next((i for i, s in enumerate(squeezed) if section_marker(s)), None)
    first = first if first is not None else 1
    body = [s for s in squeezed[first:] if s and not section_marker(s)]
    whole = [s for s in body if s.endswith(("。", "）", ")", "；"))]
    titled = [s for s in whole if opens_with_title(s)]
    return len(body) >= 2 and len(whole) >= 0.8 * len(body) and len(titled) >= 0.6 * len(body)
