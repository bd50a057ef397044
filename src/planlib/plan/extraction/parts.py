"""A plan's parts written as headed paragraphs: where a heading is a task of its own.

Many city plans write each part as a heading sentence (第一，着力办好学前教育。 / 一、… /
第一部分 …) over one or more unnumbered paragraphs that state the part's targets, and number
items only under some parts (第四，着力办好民生实事。 followed by 1.–4.). A part with a body of
its own and nothing numbered under it is one task, titled by its heading; a part with items
keeps its items, and its body only introduces them. Goal and framing parts (主要目标, 总体要求,
保障措施) are not tasks: :mod:`.goals` reads the goals.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .goals import FRAMING_RE, is_goal_title
from .structure import Block, item_marker, section_marker
from .targets import Lookup, find_targets
from .text import squeeze

Lines = list[tuple[int, str]]

_ORDINAL_RE = re.compile(r"第([一二三四五六七八九十]{1,3})[，,、]")
_HEADING_MAX = 40  # a heading sentence is short; a longer line is a paragraph


def _heading_rest(s: str) -> tuple[str, str] | None:
    """(numeral, the rest of the line) when a line opens with 第一， and a short heading
    sentence (the whole line, or its first sentence with the part's body after it)."""
    m = _ORDINAL_RE.match(s)
    if not m:
        return None
    rest = s[m.end() :].strip()
    end = rest.find("。")
    heading = (rest if end == -1 else rest[:end]).rstrip("：:")
    if not 2 <= len(heading) <= _HEADING_MAX or any(c in heading for c in "；;！？"):
        return None
    return m.group(1), rest


def ordinal_parts(lines: Sequence[tuple[int, str]]) -> Lines:
    """Lines with 第一，…。 headings standing alone read as parts (第一部分…), when the plan
    numbers its items at line starts and has no 一、 headings of its own.

    The headings must run in order from 第一 and the first must come before the first numbered
    item: 第一，/第二， lines inside an item are that item's clauses, not parts."""
    squeezed = [squeeze(t) for _, t in lines]
    if any(section_marker(s) for s in squeezed):
        return list(lines)
    first_item = next((i for i, s in enumerate(squeezed) if item_marker(s)), len(squeezed))
    found: dict[int, tuple[str, str]] = {}
    expected = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
    for i, s in enumerate(squeezed):
        head = _heading_rest(s)
        if head and len(found) < len(expected) and head[0] == expected[len(found)]:
            found[i] = head
    if len(found) < 2 or min(found) > first_item:
        return list(lines)
    return [
        (n, f"第{found[i][0]}部分{found[i][1]}") if i in found else (n, t)
        for i, (n, t) in enumerate(lines)
    ]


def _title(block: Block) -> str:
    heading = block.joined().text
    mark = section_marker(heading)
    title = heading[mark[1] if mark else 0 :].strip()
    return title.split("。")[0].rstrip("：:")


def _body(block: Block) -> str:
    """A part's own body: the heading line's text after its first sentence (一、扩大资源。
    新建学校5所。 on one line) and the lines under the heading."""
    heading = block.joined().text
    end = heading.find("。")
    same_line = heading[end + 1 :] if end != -1 else ""
    return same_line + block.intro_text().text


def _own_body(block: Block, after: Block | None) -> bool:
    """A part with a body, nothing numbered under it and a heading that is neither the plan's
    goals nor its framing."""
    if block.kind != "section" or not _body(block):
        return False
    if after is not None and after.kind != "section":
        return False
    title = _title(block)
    return not (is_goal_title(title) or FRAMING_RE.search(title))


def _states_targets(block: Block, lookup: Lookup | None) -> bool:
    return any(f.target is not None for f in find_targets(_body(block), lookup))


def _heading_lines(block: Block) -> list[tuple[int, str]]:
    """A part's heading lines without the body written on the same line as the heading."""
    out: list[tuple[int, str]] = []
    for number, text in block.lines:
        end = text.find("。")
        if end != -1:
            return [*out, (number, text[: end + 1])]
        out.append((number, text))
    return out


def parts_as_tasks(blocks: Sequence[Block], lookup: Lookup | None) -> list[Block]:
    """The outline's blocks with every part that is a task of its own given an item: its
    heading and body, numbered 1 in its part.

    A part is a task when its own body holds targets; once one is, the plan writes its parts as
    tasks, and every other part with a body of its own is one too (第三，加强党的建设。 over
    prose without a number)."""
    own = [
        _own_body(block, blocks[i + 1] if i + 1 < len(blocks) else None)
        for i, block in enumerate(blocks)
    ]
    if not any(o and _states_targets(b, lookup) for o, b in zip(own, blocks, strict=True)):
        return list(blocks)
    out: list[Block] = []
    for is_task, block in zip(own, blocks, strict=True):
        if not is_task:
            out.append(block)
            continue
        out.append(Block("section", number=block.number, lines=_heading_lines(block)))
        out.append(
            Block(
                "item",
                number=1,
                section=block.number,
                style="section",
                lines=[*block.lines, *block.intro],
                heading=True,
            )
        )
    return out
