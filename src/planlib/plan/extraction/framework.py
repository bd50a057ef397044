"""A plan's overall frame from its preamble: 围绕“12881”总体工作思路，即坚持“…”一个目标…

Bureau plans often state a numbered frame (one goal, two priorities, eight projects, eight
reforms) in the preamble. Reading it gives a reviewer the tags tasks can be filed under; a
list whose length differs from the count the text states ("八项工程") is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Framework
from .structure import chinese_number

_NAME_RE = re.compile(r"围绕“([^“”]{2,16})”(?:总体)?(?:工作)?(?:思路|布局|要求)")
_GOAL_RE = re.compile(r"“([^“”]{2,40})”(?:一个|1个)目标")
_COUNT = r"(两|[一二三四五六七八九十]{1,3}|\d{1,2})"
_LIST_RE = re.compile(r"”?等?" + _COUNT + r"(?:项|大|个)(重点|工程|改革)")
_LIVELIHOOD_RE = re.compile(r"((?:努力|着力|切实)?办好一批民生实事)")


@dataclass(frozen=True)
class FrameworkReading:
    """The frame read from the preamble, and mismatches between stated and listed counts."""

    framework: Framework
    problems: tuple[str, ...]


def _items(body: str) -> list[str]:
    """Names in a quoted list; nested ‘双减’ becomes “双减” once the outer quotes are gone."""
    names = [n.strip("“”") for n in body.split("、")]
    return [n.replace("‘", "“").replace("’", "”") for n in names if n]


class _QuoteScanner:
    """The text from the last opening “ before a place (the list may lack its closing ”), or
    None when a ， or 。 comes after it; asked at places in order, it reads the text once."""

    _MARKS = re.compile(r"[“，。]")

    def __init__(self, text: str) -> None:
        self.text = text
        self.scanned = 0
        self.quote = -1
        self.stop = -1

    def before(self, end: int) -> str | None:
        for m in self._MARKS.finditer(self.text, self.scanned, max(end, self.scanned)):
            if m.group(0) == "“":
                self.quote = m.start()
            else:
                self.stop = m.start()
        self.scanned = max(end, self.scanned)
        if self.quote == -1 or self.stop > self.quote:
            return None
        return self.text[self.quote + 1 : end]


def read_framework(preamble: str) -> FrameworkReading:
    """The Framework a normalised preamble states; an empty one when it states none."""
    name = _NAME_RE.search(preamble)
    if name is None:
        return FrameworkReading(Framework(), ())
    goal = _GOAL_RE.search(preamble, name.end())
    lists: dict[str, list[str]] = {}
    problems: list[str] = []
    quotes = _QuoteScanner(preamble)
    for m in _LIST_RE.finditer(preamble, name.end()):
        if m.group(2) in lists:
            continue
        body = quotes.before(m.start())
        if body is None:
            continue
        items = _items(body)
        word = m.group(1).replace("两", "二")
        stated = int(word) if word.isdigit() else chinese_number(word)
        if stated is not None and stated != len(items):
            problems.append(
                f"总体思路中的「{m.group(1)}项{m.group(2)}」列出了 {len(items)} 项，与所述数目不符"
            )
        lists[m.group(2)] = items
    livelihood = _LIVELIHOOD_RE.search(preamble, name.end())
    try:
        framework = Framework(
            name=name.group(1),
            goal=goal.group(1) if goal else "",
            priorities=tuple(dict.fromkeys(lists.get("重点", []))),
            projects=tuple(dict.fromkeys(lists.get("工程", []))),
            reforms=tuple(dict.fromkeys(lists.get("改革", []))),
            livelihood=livelihood.group(1) if livelihood else "",
        )
    except ValueError as err:  # a malformed list: keep the name, report the rest
        return FrameworkReading(Framework(name=name.group(1)), (f"总体思路无法读取：{err}",))
    return FrameworkReading(framework, tuple(problems))
