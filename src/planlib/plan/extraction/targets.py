"""Quantitative targets in a task's prose: 学前三年毛入学率达到93.5%, 力争补充师资4000人左右.

A target is a number with a unit, the phrase that leads up to it (subject, 力争, a verb such as
达到 or 控制在) and what follows it (以上, 以内, 左右). The phrase starts after the last clause
break (，。；：) or after an earlier target that a 、 joins to it ("义务教育入学率达到100%、
巩固率达到98%", where the second target shares the subject 义务教育). A number with a unit that
fits no pattern is reported, never dropped in silence.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from ..model import Comparator, Target
from .quantities import Quantity, find_quantities, grammar

Lookup = Callable[[str], str | None]

_COVERAGE_RE = re.compile(r"(?:全覆盖|100%覆盖)")
_ACHIEVED_RE = re.compile(r"^(?:基本)?(?:实现|达到|做到)|(?:基本)?(?:实现|达到|做到)$")
_BREAKS = "，。；：！？"
_CLAUSE_ENDS = "，,。；;！？"


@lru_cache(maxsize=1)
def _verbs() -> tuple[str, ...]:
    """Every comparator verb, longest first (a phrase ends with the longest it can)."""
    g = grammar()
    return tuple(sorted((w for ws in g.verbs.values() for w in ws), key=len, reverse=True))


# a year, or a sub-item number inside an item: （1） 1. ① 一是
# (matched at a position: ``match`` anchors there, as ``^`` would at the start of a phrase)
_LEAD_RE = re.compile(
    r"((到|至)?\d{4}年(底|末)?(前)?|（\d{1,2}）|（[一二三四五六七八九十]{1,3}）|\d{1,2}[.、]|[①-⑳]"
    r"|[⑴-⒇]|[一二三四五六七八九十]{1,3}是|第[一二三四五六七八九十]{1,3}|首先|其次|再次|最后)"
)
_NOUN_RE = re.compile(r"[^，。；：、！？（）]{1,20}")
_TAIL_RE = re.compile(r"[^，。；：！？]{0,8}")
_YEAR_RE = re.compile(r"(?:到|至)(20\d\d)年")
_BRACKET_STEP = {"（": 1, "(": 1, "）": -1, ")": -1}


@dataclass(frozen=True)
class Found:
    """A target read from the text, or a number that could not be read as one (``target`` None)."""

    start: int
    end: int
    target: Target | None
    message: str = ""  # why it is no target, or a doubt about the target taken
    dated: str | None = None  # a year written just before it (到2025年): maybe not this year's


def _strip_leads(phrase: str) -> str:
    """The phrase without the words that lead up to a target (全市, 到2025年, （1）…).

    Positions move instead of the phrase being cut each time, so a phrase that opens with many
    leads costs its length, not its length times their number."""
    pos, end = 0, len(phrase)
    changed = True
    while changed and pos < end:
        changed = False
        m = _LEAD_RE.match(phrase, pos)
        if m and m.end() > pos:
            pos = m.end()
            changed = True
        for word in grammar().leads:
            if phrase.startswith(word, pos) and end - pos > len(word):
                pos += len(word)
                changed = True
    return phrase[pos:]


def _restore_subject(subject: str, previous: str) -> str:
    """巩固率 after 义务教育入学率 → 义务教育巩固率: a short name borrows the earlier one's subject."""
    if (
        previous
        and len(subject) <= 4
        and len(previous) > len(subject) + 1
        and subject[-1] == previous[-1]
    ):
        stem = previous[: len(previous) - len(subject)]
        # 毛/净 qualify the earlier measure (毛入学率), not the subject: 高中阶段教育巩固率
        return stem.rstrip("毛净") + subject
    return subject


def bracket_depths(text: str) -> list[int]:
    """How many brackets are open before each position of ``text`` (one more entry than
    characters): computed once per text, so asking at every number costs nothing more."""
    return [0, *accumulate(_BRACKET_STEP.get(c, 0) for c in text)]


@dataclass(frozen=True)
class _Shared:
    """One value of 甲、乙分别达到x、y: its own subject, the verb and suffix all share."""

    subject: str
    verb: str
    suffix: str
    source: str


def _name_parts(names_text: str) -> list[str]:
    """甲、乙和丙 → [甲, 乙, 丙], by the joiners of the grammar (longest first)."""
    joiners = sorted(grammar().joiners, key=len, reverse=True)
    if not joiners:
        return [names_text]
    pattern = "|".join(map(re.escape, joiners))
    return [p for p in re.split(pattern, names_text) if p]


def _complete(names: list[str]) -> list[str]:
    """小学、初中学业质量监测合格率 → 小学学业质量监测合格率, 初中学业质量监测合格率.

    The last name carries the head every name shares; an earlier name that does not end the way
    the last does is a short one (小学) and takes the last one's head after as many characters
    as the name before the last has (初中|学业质量监测合格率): parallel names are alike in
    length. A head shorter than two characters is no head. The other way round, a later short
    name ending like the first (入学率、巩固率) borrows the first one's subject."""
    last = names[-1]
    head = last[len(names[-2]) :]
    if len(head) >= 2:
        names = [n if n[-1] == last[-1] else n + head for n in names[:-1]] + [last]
    # 残疾儿童义务教育入学率、巩固率: a later short name borrows the first one's subject
    return [names[0]] + [_restore_subject(n, names[0]) for n in names[1:]]


def _shared_values(text: str, quantities: Sequence[Quantity]) -> dict[int, _Shared]:
    """Each value of a 分别 sentence (甲、乙分别达到x和y) by where its number starts: 2–4
    subjects, as many values joined by 、/和, each subject completed from the shared head."""
    g = grammar()
    if not g.respectively or not any(w in text for w in g.respectively):
        return {}
    out: dict[int, _Shared] = {}
    by_start = sorted(quantities, key=lambda q: q.start)
    for m in re.finditer("|".join(map(re.escape, g.respectively)), text):
        after = [q for q in by_start if q.start >= m.end()]
        if not after or not _is_verb(text[m.end() : after[0].start]):
            continue
        run = [after[0]]
        for q in after[1:]:
            gap = text[run[-1].end : q.start].strip()
            if gap and gap not in g.joiners:  # 96%和90%, 96%、90%, 96% 90%
                break
            run.append(q)
        start = max(text.rfind(c, 0, m.start()) for c in _BREAKS) + 1
        names = _name_parts(_strip_leads(_strip_modals(_strip_leads(text[start : m.start()]))))
        if not 2 <= len(names) == len(run) <= 4 or any(len(n) < 2 for n in names):
            continue
        verb = text[m.end() : after[0].start]
        source = text[start : run[-1].end]
        for q, name in zip(run, _complete(names), strict=True):
            out[q.start] = _Shared(name, verb, q.suffix or run[-1].suffix, source)
    return out


def _is_verb(words: str) -> bool:
    return words == "" or words in _verbs()


def _read_shared(q: Quantity, shared: _Shared, lookup: Lookup | None, aspirational: bool) -> Found:
    """One subject's own value of a 分别 sentence."""
    comparator, change = _comparator(shared.verb, shared.suffix, q.ranged)
    target = Target(
        indicator=shared.subject,
        comparator=comparator,
        value=q.value,
        unit=q.unit,
        code=_code(lookup, shared.subject),
        aspirational=aspirational,
        approximate=comparator == "~",
        scope="rate" if q.kind == "rate" else "total",
        source=shared.source,
        change=change,
    )
    return Found(q.start, q.end, target)


def find_targets(text: str, lookup: Lookup | None = None) -> list[Found]:
    """Every target in ``text`` (normalised), in order, and every number that fit no pattern.

    Each step costs what it reads: the bracket depths are counted once for the whole text, a
    phrase is looked for back to the number before it, never back to the start of the text,
    and the words that govern a sentence (力争, 确保) are read once, in one pass."""
    found: list[Found] = []
    quantities = find_quantities(text)
    matches: list[tuple[int, Quantity | re.Match[str]]] = [(q.start, q) for q in quantities]
    numbers = _Spans([(q.start, q.end) for q in quantities])
    for m in _COVERAGE_RE.finditer(text):
        if not numbers.holds(m.start()):
            matches.append((m.start(), m))
    matches.sort(key=lambda x: x[0])
    depths = bracket_depths(text) if matches else []
    modals = _ModalScanner(text)
    shared = _shared_values(text, quantities)
    previous_end, previous_indicator = -1, ""
    for _, item in matches:
        at, stop = (item.start, item.end) if isinstance(item, Quantity) else item.span()
        start, joined = _phrase_start(text, at, previous_end)
        quiet = isinstance(item, Quantity) and item.chinese
        if depths[at] > 0:
            if not quiet:
                what = "数值" if isinstance(item, Quantity) else ""
                said = item.written if isinstance(item, Quantity) else item.group(0)
                found.append(Found(at, stop, None, f"括号内的{what}「{said}」未作为目标抽取"))
                previous_end, previous_indicator = stop, ""
            continue
        aspirational = modals.aspirational_at(at)
        previous = previous_indicator if joined else ""
        # 达到30个，力争达到35个: a verb and a number alone restate the target before
        if not joined and previous_indicator and text[previous_end:start] in ("，", ","):
            previous = "=" + previous_indicator
        if isinstance(item, Quantity) and item.start in shared:
            f = _read_shared(item, shared[item.start], lookup, aspirational)
        elif isinstance(item, Quantity):
            f = _read_number(text, item, start, previous, lookup, aspirational)
        else:
            f = _read_coverage(text, item, start, lookup, aspirational)
        if f.target is None and (quiet or not f.message):
            continue  # 学前三年, 一批, 推进…全覆盖: words, not quantities
        found.append(f)
        # a later phrase starts after this number, whether or not it became a target
        previous_end = stop
        previous_indicator = f.target.indicator if f.target else ""
    return sorted(found, key=lambda f: f.start)


class _ModalScanner:
    """Whether the words governing a place make it aspirational: 力争 governs every target
    joined to it by 、 和 及 (力争A、B和C: all three) up to the next ， or 。, unless 确保
    comes after it. Asked at places in order, it reads the text once."""

    def __init__(self, text: str) -> None:
        g = grammar()
        words = sorted((*g.aspirational, *g.firm), key=len, reverse=True)
        self.aspirational = set(g.aspirational)
        self.pattern = re.compile("|".join(map(re.escape, words)) + f"|[{_CLAUSE_ENDS}]")
        self.text = text
        self.scanned = 0
        self.state = False

    def aspirational_at(self, place: int) -> bool:
        for m in self.pattern.finditer(self.text, self.scanned, max(place, self.scanned)):
            word = m.group(0)
            self.state = word in self.aspirational
        self.scanned = max(place, self.scanned)
        return self.state


class _Spans:
    """Sorted, non-overlapping (start, end) spans: which one holds a position, by bisection."""

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        self.starts = [s for s, _ in spans]
        self.ends = [e for _, e in spans]

    def holds(self, pos: int) -> bool:
        k = bisect_right(self.starts, pos) - 1
        return k >= 0 and pos < self.ends[k]


def _phrase_start(text: str, number_start: int, previous_end: int) -> tuple[int, bool]:
    """Where the phrase leading to a number starts, and whether a 、 joins it to the one before.

    A clause break is looked for back to the number before only (from just before its end, so a
    break right after it still counts): farther back the phrase would start at that number
    anyway."""
    floor = max(previous_end - 1, 0)
    start = max(text.rfind(c, floor, number_start) for c in _BREAKS) + 1
    if previous_end > start and text[previous_end : previous_end + 1] == "、":
        return previous_end + 1, True
    return max(start, previous_end), False


def _read_coverage(
    text: str, m: re.Match[str], start: int, lookup: Lookup | None, aspirational: bool
) -> Found:
    """…实现全覆盖: a 100% target on the subject's 覆盖率."""
    raw = text[start : m.end()]
    source = _strip_leads(raw)
    subject = _strip_modals(source[: len(source) - len(m.group(0))])
    achieved = _ACHIEVED_RE.search(subject)
    if achieved is None:  # 推进审计工作全覆盖: an aim, not a stated coverage
        return Found(m.start(), m.end(), None)
    subject = (subject[: achieved.start()] + subject[achieved.end() :]).removeprefix("对")
    if not subject and start >= 2 and text[start - 1] in "，,":
        # 推进校长负责制，年内实现全覆盖: what is covered is the clause before
        floor = max(0, start - 60)
        before = max(text.rfind(c, floor, start - 1) for c in _BREAKS) + 1
        before = before if before > 0 else floor
        subject = _strip_modals(_strip_leads(text[before : start - 1]))
    if not subject:
        return Found(m.start(), m.end(), None, f"「{raw}」没有指标名称")
    indicator = subject if subject.endswith("覆盖率") else subject + "覆盖率"
    target = Target(
        indicator,
        ">=",
        100.0,
        "%",
        code=_code(lookup, indicator),
        aspirational=aspirational,
        scope="rate",
        source=source,
    )
    return Found(start, m.end(), target)


def _comparator(verb: str, suffix: str, ranged: bool) -> tuple[Comparator, bool]:
    """The comparator a verb and a suffix make, and whether the value is a change."""
    g = grammar()
    kind, after = g.verb_kind(verb), g.suffix_kind(suffix)
    change = kind in ("rise", "fall")
    comparator: Comparator = "<=" if kind in ("at_most", "fall") else ">="
    if after == "at_most":
        comparator = "<="
    elif after == "at_least" or ranged:
        comparator = ">="
    if after == "about" or kind == "about":
        comparator = "~"
    return comparator, change


def _read_number(
    text: str,
    q: Quantity,
    start: int,
    previous: str,
    lookup: Lookup | None,
    aspirational: bool,
) -> Found:
    """subject [力争] [verb] number unit [以上|以内|左右]: a target, or why it is not one."""
    end = q.end
    raw = text[start:end]
    source = _strip_leads(raw)
    pre = source[: len(source) - (end - q.start)]
    number = q.written

    def miss(message: str) -> Found:
        return Found(q.start, end, None, message)

    verb = next((v for v in _verbs() if pre.endswith(v)), "")
    subject = _strip_modals(pre[: len(pre) - len(verb)])
    if q.suffix and end < len(text) and text[end] not in _BREAKS + "、）)":
        # 56人以上大班额: the number qualifies the noun after it, it is not a target
        return miss(
            f"「{_context(text, start, end)}」中的「{number}」修饰其后的名词，未作为目标抽取"
        )
    opening = subject.startswith(grammar().opening_verbs)
    if q.chinese and pre.endswith("等"):
        return miss("")  # 实施“甲、乙、丙”等三项工程: the count of a list, said in words
    closes = end >= len(text) or text[end] in _BREAKS + "、"
    counted = _counted(text, q, subject, closes)
    # 年检覆盖率100%。: a rate named and stated, without a verb between
    stated = q.kind == "rate" and closes and subject.endswith(("率", "比例", "占比"))
    if not (verb or q.suffix or opening or counted or stated):
        return miss(f"「{_context(text, start, end)}」中的数值「{number}」未匹配任何目标句式")
    is_counted = grammar().verb_kind(verb) == "counted"
    bare = verb + subject if is_counted else subject
    if not q.suffix and (bare in grammar().opening_verbs or (not subject and is_counted)):
        # the count's noun follows the number: 新增5000个学位, 完成30所学校督导评估
        noun = _NOUN_RE.match(text, end)
        if noun:
            subject, verb = bare + noun.group(0), ""
            source += noun.group(0)
            end = noun.end()
    restated = previous.startswith("=")
    if restated and not subject and verb:
        subject = previous[1:]
    if subject.endswith("分别") or not subject:
        return miss(f"「{raw}」中的数值「{number}」未能对应到指标名称")
    comparator, change = _comparator(verb, q.suffix, q.ranged)
    if previous and not restated:
        subject = _restore_subject(subject, previous)
    indicator = subject + verb if grammar().verb_kind(verb) == "counted" else subject
    target = Target(
        indicator=indicator,
        comparator=comparator,
        value=q.value,
        unit=q.unit,
        code=_code(lookup, indicator),
        aspirational=aspirational,
        approximate=comparator == "~",
        scope="rate" if q.kind == "rate" else "total",
        source=source,
        change=change,
    )
    relative = change and q.unit == "%" and verb in ("增长", "增加", "下降", "减少")
    doubt = f"「{source}」可能是相对上年的增幅（×{1 + q.value / 100:g}），已按百分点差记录"
    year = _YEAR_RE.search(text, max(0, start - 30), start)
    return Found(start, end, target, doubt if relative else "", year.group(0) if year else None)


def _counted(text: str, q: Quantity, subject: str, closes: bool) -> bool:
    """A count that closes its clause counts what the clause names (创建清廉学校示范点10个。),
    as does a count in figures closed by a short noun of one or two characters (办学规模12个班，)."""
    if not subject or "每" in subject:
        return False
    if q.kind == "amount":
        return closes
    if q.kind != "count":
        return False
    named = _NOUN_RE.match(text, q.end) if not (closes or q.chinese) else None
    return closes or (
        named is not None
        and len(named.group(0)) <= 2
        and (named.end() >= len(text) or text[named.end()] in _BREAKS)
    )


def _context(text: str, start: int, end: int) -> str:
    """The phrase around a number, up to the next clause break (for a warning)."""
    tail = _TAIL_RE.match(text, end)
    return text[start:end] + (tail.group(0) if tail else "")


def _strip_modals(subject: str) -> str:
    """The subject without 力争, 确保, 要 … at its end (and 力争 … at its start); positions move
    rather than the subject being cut each time."""
    start, end = 0, len(subject)
    changed = True
    while changed:
        changed = False
        for word in grammar().modals:
            if subject.endswith(word, start, end) and end - start >= len(word):
                end -= len(word)
                changed = True
            if (
                word in grammar().opening_modals
                and subject.startswith(word, start, end)
                and end - start > len(word)
            ):
                start += len(word)
                changed = True
    return subject[start:end].strip("，、 ")


def _code(lookup: Lookup | None, indicator: str) -> str | None:
    return lookup(indicator) if lookup is not None else None
