"""Page furniture told by its shape and place, not by its words.

- A contents list (目录): lines that end in a page number after dot leaders (一、总体要求……1),
  or after a gap of spaces in a run under a short heading line; the heading goes with them.
  A contents entry 「1.坚持立德树人……2」 must never become item 1.
- Front matter: what a web page or a record puts above the title (索引号：…, 发布机构：…,
  a player's 「您的浏览器不支持…」): short lines without a sentence in them, and key：value
  lines, before the title or between it and the first sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .structure import has_clause_label, item_marker, section_marker
from .text import drop_furniture, squeeze

_LEADERS_RE = re.compile(r".{1,60}?[.…·．_‥⋯—-]{3,}\s*\d{1,3}")
_GAP_NUMBER_RE = re.compile(r"\S.{0,60}?\s{2,}\d{1,3}\s*")
_SENTENCE_RE = re.compile(r"[，。；！？,;]")
_KEY_VALUE_RE = re.compile(r"[\u4e00-\u9fff]{2,6}[：:][^，。；！？]{0,60}")
_PAGE_RE = re.compile(r"\d{1,3}")
_CLOSED = tuple("。；！？）)」】")
_BRACKET_RE = re.compile(r"[（）()【】]")


def contents_lines(lines: Sequence[tuple[int, str]]) -> set[int]:
    """The indices of the lines of contents lists: entries and the heading above them."""
    out: set[int] = set()
    i = 0
    while i < len(lines):
        j = i
        heading = i > 0 and _short_heading(lines[i - 1][1])
        while j < len(lines) and _entry(lines[j][1], gap_ok=heading or j > i):
            j += 1
        if j - i >= 2 and (
            heading or all(_LEADERS_RE.fullmatch(lines[k][1].strip()) for k in range(i, j))
        ):
            out.update(range(i, j))
            if heading:
                out.add(i - 1)
            i = j
        else:
            i += 1
    return out


def _short_heading(text: str) -> bool:
    s = squeeze(text)
    return 1 <= len(s) <= 4 and not any(c.isdigit() for c in s) and not _SENTENCE_RE.search(s)


def _entry(text: str, *, gap_ok: bool) -> bool:
    """A contents entry: a heading's words then a page number, after leaders (or a gap)."""
    raw = text.strip()
    if not raw or _SENTENCE_RE.search(raw.rstrip("0123456789 .…·")):
        return False
    if _LEADERS_RE.fullmatch(raw):
        return True
    return gap_ok and bool(_GAP_NUMBER_RE.fullmatch(raw))


def is_key_value(text: str) -> bool:
    """索引号：11350…, 发布机构：…, 分享到：: a record's field, not a sentence of the plan."""
    s = squeeze(text)
    return bool(_KEY_VALUE_RE.fullmatch(s)) and not _PAGE_RE.fullmatch(s)


def front_matter(before_title: Sequence[tuple[int, str]]) -> set[int]:
    """The indices of the lines above the title that are furniture: short lines that hold no
    sentence, and key：value fields (a covering letter's sentences stay). Indices, not line
    numbers: the pieces of one long line share its number."""
    out: set[int] = set()
    for k, (_, text) in enumerate(before_title):
        s = squeeze(text)
        if is_key_value(s) or (len(s) <= 40 and not _SENTENCE_RE.search(s)):
            out.add(k)
    return out


def fields_after_title(after_title: Sequence[tuple[int, str]]) -> set[int]:
    """The indices of the key：value fields between the title and the first sentence
    (来源：…, 分享到：)."""
    out: set[int] = set()
    for k, (_, text) in enumerate(after_title):
        s = squeeze(text)
        if _SENTENCE_RE.search(s):
            break
        if is_key_value(s):
            out.add(k)
    return out


def trailing(lines: Sequence[tuple[int, str]]) -> int:
    """How many lines at the end are a page's footer (打印本页, 版权所有：…, 备案号：…): short
    lines without a sentence, a bracket, a number or a responsibility label, and key：value
    fields — never the last item's clause (牵头处室：办公室) or heading."""
    count = 0
    for _, text in reversed(lines):
        s = squeeze(text)
        if not s:
            count += 1
            continue
        if has_clause_label(s) or item_marker(s) or section_marker(s):
            break
        short = len(s) <= 12 and not _SENTENCE_RE.search(s) and not _BRACKET_RE.search(s)
        if not (is_key_value(s) or (short and not any(c.isdigit() for c in s))):
            break
        count += 1
    # a footer follows a finished text: a wrapped line cut short (…勤工俭 / 学办公) is no footer
    rest = [squeeze(t) for _, t in lines[: len(lines) - count]]
    last = next((r for r in reversed(rest) if r), "")
    return count if count and last.endswith(_CLOSED) else 0


def drop_page_furniture(
    lines: Sequence[tuple[int, str]], header: str | None, *, keep_numbers: bool = False
) -> list[tuple[int, str]]:
    """:func:`.text.drop_furniture` (furniture by its words, repeated headers, summary blobs)
    after contents lists are taken out, and a page footer after it (not when ``keep_numbers``:
    a table's last cells, 长期坚持, may look like one)."""
    contents = contents_lines(lines)
    kept = drop_furniture(
        [p for k, p in enumerate(lines) if k not in contents], header, keep_numbers=keep_numbers
    )
    return kept if keep_numbers else kept[: len(kept) - trailing(kept)]
