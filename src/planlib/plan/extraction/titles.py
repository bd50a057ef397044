"""A plan's title, year and issuer: from its title line, else a title-like opening line, else
the file's own metadata (a Word or PDF title, a web page's <title>, the file name).

Page furniture never becomes the title (a paywall marker, an 索引号 row), and neither does a
sentence of the body: a fallback title is a short line without sentence punctuation that
comes before the first heading or item.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .furniture import fields_after_title, front_matter
from .structure import (
    TEXT_LABEL_RE,
    Block,
    chinese_number,
    find_title,
    item_marker,
    section_marker,
)
from .text import LinedText, is_furniture, squeeze

_YEAR_RE = re.compile(r"(\d{4}|[〇零一二三四五六七八九]{4})年")
_ISSUER_LINE_RE = re.compile(
    r"[\u4e00-\u9fffＡ-Ｚａ-ｚA-Za-z]{2,16}(局|委员会|委|厅|政府|办公室|部)"
)
_SENTENCE_RE = re.compile(r"[，。；：！？,;:!?|｜（）()]")
UNTITLED = "（未识别标题）"


@dataclass(frozen=True)
class TitleReading:
    """The title found, where, and the body lines left once it is taken out."""

    title: str
    year: int | None
    issuer: str
    body: list[tuple[int, str]]
    line: int | None  # the source line of the title, None when it came from elsewhere
    how: str  # "title" (…年工作要点), "line" (a title-like line), "meta" (the file's own title
    # that reads like a plan's), "hint" (any other file title or name), "none"


def header_line(lines: Sequence[tuple[int, str]]) -> str | None:
    """The normalised title line (…2022年工作要点), for dropping its repeats as page headers."""
    found = find_title([(n, t) for n, t in lines if not is_furniture(t)])
    return found[1] if found else None


def _title_like(s: str) -> bool:
    return (
        4 <= len(s) <= 40
        and not _SENTENCE_RE.search(s)
        and not TEXT_LABEL_RE.match(s)
        and not item_marker(s)
        and not section_marker(s)
        and not is_furniture(s)
    )


def read_title(
    lines: Sequence[tuple[int, str]],
    kept: list[tuple[int, str]],
    hint: str | None = None,
    *,
    named: bool = False,
) -> TitleReading:
    """The plan's title from ``kept`` (furniture dropped) or ``hint``; ``lines`` is the raw text.

    ``hint`` is the file's own title, or its name when ``named`` (always said in a warning)."""
    found = find_title([(n, t) for n, t in lines if not is_furniture(t)])
    how = "title"
    title = found[1] if found else None
    if title is None:
        # a title-like line before the first heading or item
        for _, t in kept[:6]:
            s = squeeze(t)
            if item_marker(s) or section_marker(s):
                break
            if _title_like(s):
                title, how = s, "line"
                break
    body = list(kept)
    line = None
    if title is not None:
        for i, (n, t) in enumerate(kept):
            if squeeze(t) == title:
                line = n
                first = i
                issuer_line = squeeze(kept[i - 1][1]) if i > 0 else ""
                if _ISSUER_LINE_RE.fullmatch(issuer_line) and _YEAR_RE.match(title):
                    # a title set large breaks after the issuer: 市教育局 / 2022年工作要点
                    title = issuer_line + title
                    first = i - 1
                # what a web page or a record puts around the title is no part of the plan
                before = front_matter(kept[:first])
                after = fields_after_title(kept[i + 1 :])
                body = [p for k, p in enumerate(kept[:first]) if k not in before] + [
                    p for k, p in enumerate(kept[i + 1 :]) if k not in after
                ]
                break
    if title is None and hint and hint.strip():
        # the file's own title (Word, PDF, <title>); one that reads like a plan's needs no word
        title = squeeze(hint)
        how = "meta" if find_title([(0, title)]) and not named else "hint"
    if title is None:
        title, how = UNTITLED, "none"
    year, issuer = year_and_issuer(title)
    return TitleReading(title, year, issuer, body, line, how)


def year_and_issuer(title: str) -> tuple[int | None, str]:
    """2022 and 市教育局 from 市教育局2022年工作要点."""
    m = _YEAR_RE.search(title)
    if not m:
        return None, ""
    raw = m.group(1)
    year = int(raw) if raw.isdigit() else int("".join(str(_cn_digit(c)) for c in raw))
    issuer = title[: m.start()].strip()
    return (year if 1949 <= year <= 2200 else None), issuer


def _cn_digit(c: str) -> int:
    return 0 if c in "〇零" else chinese_number(c) or 0


def split_title(content: LinedText, block: Block) -> tuple[LinedText, LinedText]:
    """The title sentence and the rest of an item's text.

    The title ends at the first 。, at the end of a heading line that stands alone
    (1.全面从严治党 / 目标任务：…), or before a label such as 目标任务： (which stays in the text).
    A label that opens the item (1.目标任务：…) is left out of the title.
    """
    lead = TEXT_LABEL_RE.match(content.text)
    if lead:
        content = content[lead.end() :]
    end = content.text.find("。")
    cut = len(content) if end == -1 else end
    if block.heading and content.lines:
        first = content.lines[0]
        k = next((i for i, line in enumerate(content.lines) if line != first), len(content))
        cut = min(cut, k)
    label = TEXT_LABEL_RE.search(content.text, 1)
    if label and label.start() < cut:
        cut = label.start()
    title = content[:cut]
    rest = content[cut + 1 :] if cut == end else content[cut:]
    return title, rest.strip()
