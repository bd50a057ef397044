"""Quantitative targets in a task's prose: 学前三年毛入学率达到93.5%, 力争补充师资4000人左右.

A target is a number with a unit, the phrase that leads up to it (subject, 力争, a verb such as
达到 or 控制在) and what follows it (以上, 以内, 左右). The phrase starts after the last clause
break (，。；：) or after an earlier target that a 、 joins to it ("义务教育入学率达到100%、
巩固率达到98%", where the second target shares the subject 义务教育). A number with a unit that
fits no pattern is reported, never dropped in silence.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate

from ..model import Comparator, Target

Lookup = Callable[[str], str | None]

_UNITS = "个百分点|%|亿元|万元|元|人次|场次|所|个|项|家|名|人|间|套|次|场|座|处"
_NUMBER_RE = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(" + _UNITS + r")(以上|以内|以下|左右)?"
)
# words after 个 that make it a duration or a measure, not a count
_NOT_A_COUNT = ("个月", "个工作日", "个小时", "个学期", "个学年", "个年度")
# 1.2万人次, 3千所, 0.1‰, 500台: a unit no target can carry (万元 and 亿元 can)
_SCALED_RE = re.compile(
    r"(?<![\d.,第])\d+(?:\.\d+)?(?:[万千亿](?!元)[^\d，。；：、（）以左]{0,3}"
    r"|‰|平方米|亩|台|册|张|批|支|门|节|本|条|篇|部|栋|辆|公里)"
)
_COVERAGE_RE = re.compile(r"(实现|达到)(全覆盖|100%覆盖)")
_BREAKS = "，。；：！？"

# verb at the end of the phrase before the number: (comparator, change, kind)
_AT_LEAST = ("达到", "达", "保持在", "保持", "稳定在", "不低于", "不少于", "超过", "突破",
             "提高到", "提升到", "提高至", "提升至", "增加到", "增加至", "增至", "增长到",
             "扩大到", "扩大至", "为", "占", "在")  # fmt: skip
_AT_MOST = ("控制在", "压减到", "压减至", "压缩到", "压缩至", "降低到", "降低至", "降到", "降至",
            "减少到", "减少至", "下降到", "下降至", "不超过", "不高于", "低于")  # fmt: skip
_RISE = ("提高", "提升", "增加", "增长", "上升")
_FALL = ("降低", "减少", "下降", "压减", "压缩")
_COUNTED = ("新增", "新建")  # the verb belongs to the indicator: 教师可用编制新增
_VERBS = sorted((*_AT_LEAST, *_AT_MOST, *_RISE, *_FALL, *_COUNTED, "约", "大约"), key=len)[::-1]
# a phrase that opens with one of these names a count without a verb before the number
_OPENING_VERBS = ("新建", "新增", "建成", "改扩建", "创建", "培育", "认定", "招聘", "招录", "补充",
                  "培训", "完成", "引进", "资助", "建设", "打造", "遴选", "评选", "举办", "承办",
                  "新组建", "组建", "新设立", "设立", "新开设", "开设", "新改扩建",
                  "创成", "建立", "挂牌", "命名", "选树", "推出")  # fmt: skip
_LEADS = ("全市", "全省", "全县", "全区", "各县（市、区）", "各县市区", "各地", "确保", "其中",
          "同时", "并且", "到年底", "年底前", "年内", "今年", "当年", "全年")  # fmt: skip
# a year, or a sub-item number inside an item: （1） 1. ①
# (matched at a position: ``match`` anchors there, as ``^`` would at the start of a phrase)
_LEAD_RE = re.compile(
    r"((到|至)?\d{4}年(底|末)?(前)?|（\d{1,2}）|（[一二三四五六七八九十]{1,3}）|\d{1,2}[.、]|[①-⑳])"
)
_MODALS = ("力争", "确保", "要", "须", "必须", "将", "努力", "争取")
_OPENING_MODALS = ("力争", "确保", "努力", "争取")
_ASPIRATIONAL = ("力争", "争取", "努力")
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
        for word in _LEADS:
            if phrase.startswith(word, pos) and end - pos > len(word):
                pos += len(word)
                changed = True
    return phrase[pos:]


def _value(whole: str, fraction: str | None) -> float | None:
    try:
        value = float(whole.replace(",", "") + (fraction or ""))
    except ValueError:
        return None
    return value if math.isfinite(value) and value < 1e13 else None


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


def find_targets(text: str, lookup: Lookup | None = None) -> list[Found]:
    """Every target in ``text`` (normalised), in order, and every number that fit no pattern.

    Each step costs what it reads: the bracket depths are counted once for the whole text, a
    phrase is looked for back to the number before it, never back to the start of the text."""
    found: list[Found] = []
    matches: list[tuple[int, int, re.Match[str], str]] = []
    for m in _NUMBER_RE.finditer(text):
        if m.group(3) == "个" and text.startswith(_NOT_A_COUNT, m.start(3)):
            continue
        if m.start() > 0 and text[m.start() - 1] == "第":
            continue  # an ordinal: 第3名
        matches.append((m.start(), m.end(), m, "number"))
    numbers = _Spans([(s, e) for s, e, _, _ in matches])
    covered: list[tuple[int, int]] = []
    for m in _COVERAGE_RE.finditer(text):
        if not numbers.holds(m.start()):
            matches.append((m.start(), m.end(), m, "coverage"))
            covered.append((m.start(), m.end()))
    coverage = _Spans(covered)
    for m in _SCALED_RE.finditer(text):
        if not (numbers.holds(m.start()) or coverage.holds(m.start())):
            found.append(
                Found(
                    m.start(),
                    m.end(),
                    None,
                    f"数值「{m.group(0)}」的单位不在可用单位中，未作为目标抽取",
                )
            )
    matches.sort(key=lambda x: x[0])

    depths = bracket_depths(text) if matches else []
    previous_end, previous_indicator = -1, ""
    for start_num, _, m, kind in matches:
        start, joined = _phrase_start(text, start_num, previous_end)
        if depths[m.start()] > 0:
            what = "" if kind == "coverage" else "数值"
            found.append(
                Found(m.start(), m.end(), None, f"括号内的{what}「{m.group(0)}」未作为目标抽取")
            )
            previous_end, previous_indicator = m.end(), ""
            continue
        reader = _read_coverage if kind == "coverage" else _read_number
        f = reader(text, m, start, previous_indicator if joined else "", lookup)
        found.append(f)
        # a later phrase starts after this number, whether or not it became a target
        previous_end = m.end()
        previous_indicator = f.target.indicator if f.target else ""
    return sorted(found, key=lambda f: f.start)


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
    text: str, m: re.Match[str], start: int, previous: str, lookup: Lookup | None
) -> Found:
    """…实现全覆盖: a 100% target on the subject's 覆盖率."""
    raw = text[start : m.end()]
    source = _strip_leads(raw)
    subject = _strip_modals(source[: len(source) - len(m.group(0))])
    if not subject:
        return Found(m.start(), m.end(), None, f"「{raw}」没有指标名称")
    indicator = subject if subject.endswith("覆盖率") else subject + "覆盖率"
    aspirational = any(w in source for w in _ASPIRATIONAL)
    target = Target(indicator, ">=", 100.0, "%", code=_code(lookup, indicator),
                    aspirational=aspirational, scope="rate", source=source)  # fmt: skip
    return Found(start, m.end(), target)


def _read_number(
    text: str, m: re.Match[str], start: int, previous: str, lookup: Lookup | None
) -> Found:
    """subject [力争] [verb] number unit [以上|以内|左右]: a target, or why it is not one."""
    end = m.end()
    raw = text[start:end]
    source = _strip_leads(raw)
    pre = source[: len(source) - len(m.group(0))]
    number = m.group(0)

    def miss(message: str) -> Found:
        return Found(m.start(), end, None, message)

    whole, fraction, unit, suffix = m.group(1), m.group(2), m.group(3), m.group(4) or ""
    value = _value(whole, fraction)
    if value is None:
        return miss(f"数值「{number}」无法读作数字")
    verb = next((v for v in _VERBS if pre.endswith(v)), "")
    subject = _strip_modals(pre[: len(pre) - len(verb)])
    if suffix and end < len(text) and text[end] not in _BREAKS + "、）)":
        # 56人以上大班额: the number qualifies the noun after it, it is not a target
        return miss(
            f"「{_context(text, start, end)}」中的「{number}」修饰其后的名词，未作为目标抽取"
        )
    if not (verb or suffix or subject.startswith(_OPENING_VERBS)):
        return miss(f"「{_context(text, start, end)}」中的数值「{number}」未匹配任何目标句式")
    bare = verb + subject if verb in _COUNTED else subject
    if not suffix and (bare in _OPENING_VERBS or (not subject and verb in _COUNTED)):
        # the count's noun follows the number: 新增5000个学位, 完成30所学校督导评估
        noun = _NOUN_RE.match(text, end)
        if noun:
            subject, verb = bare + noun.group(0), ""
            source += noun.group(0)
            end = noun.end()
    if subject.endswith("分别") or not subject:
        return miss(f"「{raw}」中的数值「{number}」未能对应到指标名称")
    change = verb in _RISE or verb in _FALL
    comparator: Comparator = "<=" if verb in _AT_MOST or verb in _FALL else ">="
    if suffix in ("以内", "以下"):
        comparator = "<="
    elif suffix == "以上":
        comparator = ">="
    approximate = suffix == "左右" or verb in ("约", "大约")
    if approximate:
        comparator = "~"
    if previous:
        subject = _restore_subject(subject, previous)
    indicator = subject + verb if verb in _COUNTED else subject
    target = Target(
        indicator=indicator,
        comparator=comparator,
        value=value,
        unit=unit,
        code=_code(lookup, indicator),
        aspirational=any(w in source for w in _ASPIRATIONAL),
        approximate=approximate,
        scope="rate" if unit in ("%", "个百分点") else "total",
        source=source,
        change=change,
    )
    relative = change and unit == "%" and verb in ("增长", "增加", "下降", "减少")
    doubt = f"「{source}」可能是相对上年的增幅（×{1 + value / 100:g}），已按百分点差记录"
    year = _YEAR_RE.search(text, max(0, start - 30), start)
    return Found(start, end, target, doubt if relative else "", year.group(0) if year else None)


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
        for word in _MODALS:
            if subject.endswith(word, start, end) and end - start >= len(word):
                end -= len(word)
                changed = True
            if (
                word in _OPENING_MODALS
                and subject.startswith(word, start, end)
                and end - start > len(word)
            ):
                start += len(word)
                changed = True
    return subject[start:end].strip("，、 ")


def _code(lookup: Lookup | None, indicator: str) -> str | None:
    return lookup(indicator) if lookup is not None else None
