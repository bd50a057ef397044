"""Reporting periods: quarters written ``2022Q1``, and how much of the year they cover.

Returns come quarterly; in-year counts are cumulative to the period, so ``2022Q3`` covers
three quarters of the year (序时进度 75%).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import total_ordering
from typing import Any

from .errors import PlanlibError

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_PATTERNS = (
    re.compile(r"^\s*(?P<y>\d{4})\s*[Qq]\s*(?P<q>[1-4])\s*$"),
    re.compile(r"^\s*(?P<y>\d{4})\s*[-_/]\s*[Qq]?(?P<q>[1-4])\s*$"),
    re.compile(r"^\s*(?P<y>\d{4})\s*年度?\s*第?\s*(?P<q>[一二三四1-4])\s*季度?\s*$"),
)


@total_ordering
@dataclass(frozen=True)
class Period:
    """A quarter of a year; orders by time and prints as ``2022Q1``."""

    year: int
    quarter: int

    def __post_init__(self) -> None:
        if not 1 <= self.quarter <= 4:
            raise ValueError(f"季度应为 1–4，实际为 {self.quarter}")

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return (self.year, self.quarter) < (other.year, other.quarter)

    @property
    def label(self) -> str:
        """How reports say it: 2022年第一季度."""
        return f"{self.year}年第{'一二三四'[self.quarter - 1]}季度"

    @property
    def year_share(self) -> float:
        """Share of the year gone at the end of the period (序时进度)."""
        return self.quarter / 4

    def previous(self) -> Period:
        """The quarter before."""
        return Period(self.year, self.quarter - 1) if self.quarter > 1 else Period(self.year - 1, 4)

    def quarters_of_year_to_date(self) -> list[Period]:
        """Q1 up to this quarter."""
        return [Period(self.year, q) for q in range(1, self.quarter + 1)]


def parse_period(text: str | Period, year: int | None = None) -> Period:
    """Read ``2022Q1``, ``2022-Q1``, ``2022年第一季度``, ``2022年1季度``; with ``year`` (from the
    folder or the file name) also ``一季度``, ``第一季度``, ``Q1``. ValueError with a Chinese
    message otherwise."""
    if isinstance(text, Period):
        return text
    for pattern in _PATTERNS:
        m = pattern.match(str(text))
        if m:
            return Period(int(m["y"]), _CN_DIGITS[m["q"]])
    if year is not None:
        m = _YEARLESS.match(str(text))
        if m:
            return Period(year, _CN_DIGITS[m["q"] or m["qq"]])
    raise ValueError(f"无法识别的报告期「{text}」，应写作 2022Q1 或 2022年第一季度")


# 2022Q4, 2022 Q4, 2022-Q4, 2022_Q4, 2022/Q4, 2022年Q4: what parse_period accepts
_FIND_Q = re.compile(r"(?<!\d)(\d{4})\s*[-–—_/.年]?\s*[Qq]\s*([1-4])(?!\d)")
# 2022年第四季度, 2022年4季度, 2022年度第4季度
_FIND_CN = re.compile(r"(?<!\d)(\d{4})\s*年度?\s*第?\s*([一二三四1-4])\s*季度")
# 四季度, 第四季度, Q4 (a year must come from elsewhere)
_FIND_YEARLESS = re.compile(
    r"(?<![\d年一二三四])第?\s*([一二三四1-4])\s*季度|(?<![0-9A-Za-z])[Qq]([1-4])(?![0-9])"
)
_YEARLESS = re.compile(r"^\s*(?:第?\s*(?P<q>[一二三四1-4])\s*季度?|[Qq](?P<qq>[1-4]))\s*$")
_FIND_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def find_period(text: str, year: int | None = None) -> Period | None:
    """The first period mentioned anywhere in ``text`` (a title row, a file name), or None.

    With ``year`` (the folder's or the file name's), a quarter written without one (四季度,
    第四季度, Q4) is that quarter of ``year``.
    """
    m = _FIND_Q.search(text) or _FIND_CN.search(text)
    if m:
        return Period(int(m.group(1)), _CN_DIGITS[m.group(2)])
    if year is not None:
        m = _FIND_YEARLESS.search(text)
        if m:
            return Period(year, _CN_DIGITS[m.group(1) or m.group(2)])
    return None


_DATE_CELL = re.compile(
    r"^\s*((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*(?:月)?(?:\s*[-/.]?\s*\d{1,2}\s*日?)?"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*$"
)


def period_of_cell(value: object, year: int | None = None) -> Period | None:
    """The quarter a 报告期 cell names: any spelling :func:`find_period` reads, or a date (an
    Excel date such as 2022-12-31, or written 2022/12/31, 2022年12月), taken as the quarter it
    falls in. Only for a cell that holds the period: a date in a title is a 报出日期."""
    import datetime

    if isinstance(value, datetime.date):
        return Period(value.year, (value.month - 1) // 3 + 1)
    text = str(value)
    found = find_period(text, year)
    if found is not None:
        return found
    m = _DATE_CELL.match(text)
    if m and 1 <= int(m.group(2)) <= 12:
        return Period(int(m.group(1)), (int(m.group(2)) - 1) // 3 + 1)
    return None


def find_year(text: str) -> int | None:
    """The first year (1900–2099) written in ``text`` as four digits of their own, or None."""
    m = _FIND_YEAR.search(text)
    return int(m.group(1)) if m else None


LATEST = ("latest", "最新", "")
ALL = ("all", "全部")
_YEAR = re.compile(r"^\s*(\d{4})\s*年?(?:全年)?\s*$")
_RANGE = re.compile(r"\s*(?:\.\.|:|～|~|至|到|—|–)\s*")
_EXAMPLES = (
    "示例：2022Q4、2022年第四季度、22Q4、2022-12、Q4（最新数据的年份）、latest（最新）、"
    "2022（全年）、2022Q1:2022Q3、2022Q1-2022Q3、all"
)


def _sorted(available: Iterable[str | Period]) -> list[Period]:
    return sorted({parse_period(p) for p in available})


@dataclass(frozen=True)
class Written:
    """A quarter as a request writes it; ``year`` None when left out (Q2, 二季度: the year of the
    newest data)."""

    year: int | None
    quarter: int

    def on(self, have: Sequence[Period]) -> Period:
        """The quarter meant, given the quarters with data (oldest first)."""
        return Period(self.year if self.year is not None else have[-1].year, self.quarter)


class PeriodRequest(str):
    """A ``--period`` value read once: still its own text (so it goes wherever a period request
    string goes), and what it asks for, so resolving it against the data re-reads nothing.

    ``kind``: ``latest``, ``all``, ``year`` (``year``), ``range`` (``first``, ``last``) or
    ``quarter`` (``first``). Unreadable text is a :class:`PlanlibError` with examples.
    """

    kind: str
    year: int | None
    first: Written | None
    last: Written | None

    def __new__(cls, text: str | Period) -> PeriodRequest:
        if isinstance(text, PeriodRequest):
            return text
        self = super().__new__(cls, str(text))
        self.kind, self.year, self.first, self.last = _read_request(str(text).strip())
        return self

    @property
    def several(self) -> bool:
        """Whether it may name more than one quarter (a year, a range, all)."""
        return self.kind in ("all", "year", "range")

    def select(self, have: Sequence[Period]) -> list[Period]:
        """The quarters it names among ``have`` (sorted, non-empty); an error naming the quarters
        there are when it names none."""
        shown = "、".join(str(p) for p in have)
        if self.kind == "latest":
            return [have[-1]]
        if self.kind == "all":
            return list(have)
        if self.kind == "year":
            chosen = [p for p in have if p.year == self.year]
            if not chosen:
                raise PlanlibError(f"{self.year} 年没有任何季度的数据；已有：{shown}")
            return chosen
        assert self.first is not None
        first = self.first.on(have)
        if self.kind == "quarter":
            if first not in have:
                raise PlanlibError(f"报告期 {first} 没有数据；已有：{shown}")
            return [first]
        assert self.last is not None
        last = self.last.on(have)
        if last < first:
            raise PlanlibError(f"报告期范围「{self}」的起点晚于终点")
        chosen = [p for p in have if first <= p <= last]
        if not chosen:
            raise PlanlibError(f"{first} 至 {last} 没有任何季度的数据；已有：{shown}")
        return chosen


def _read_request(text: str) -> tuple[str, int | None, Written | None, Written | None]:
    """(kind, year, first, last) of a period request's text."""
    low = text.lower()
    if low in LATEST:
        return "latest", None, None, None
    if low in ALL:
        return "all", None, None, None
    year = _YEAR.match(text)
    if year:
        return "year", int(year.group(1)), None, None
    parts = [x for x in _RANGE.split(text) if x] if _RANGE.search(text) else _dash_range(text)
    if len(parts) == 2:
        first, last = _written(parts[0]), _written(parts[1])
        if (first.year is None) == (last.year is None) and (last.year or 0, last.quarter) < (
            first.year or 0,
            first.quarter,
        ):
            raise PlanlibError(f"报告期范围「{text}」的起点晚于终点")
        return "range", None, first, last
    return "quarter", None, _written(text), None


def resolve_periods(
    available: Iterable[str | Period], spec: str | Period | Sequence[str | Period] | None = "latest"
) -> list[str]:
    """The quarters a request names, among those with data, oldest first.

    ``spec`` is ``latest``/``最新`` (the newest quarter), a quarter (``2022Q2``, ``2022年第二季度``),
    a year (``2022``: its quarters with data), a range (``2022Q1:2022Q3``, ``2022Q1至2022Q3``),
    ``all``/``全部`` or None (every quarter), or a list of quarters; a :class:`PeriodRequest`
    (read once at the edge) is not read again. A quarter or range without data is an error naming
    the quarters there are: never an empty or silently shorter answer.
    """
    have = _sorted(available)
    if not have:
        raise PlanlibError("数据中没有任何报告期的数据")
    if spec is None:
        return [str(p) for p in have]
    if not isinstance(spec, str | Period):
        wanted = [_written(s).on(have) for s in spec]
        lacking = [str(w) for w in wanted if w not in have]
        if lacking:
            shown = "、".join(str(p) for p in have)
            raise PlanlibError(f"报告期 {'、'.join(lacking)} 没有数据；已有：{shown}")
        return [str(w) for w in sorted(set(wanted))]
    return [str(p) for p in PeriodRequest(spec).select(have)]


def resolve_period(available: Iterable[str | Period], spec: str | Period | None = "latest") -> str:
    """The one quarter a report or an assessment is *as of*: the last of :func:`resolve_periods`.

    ``latest`` is the newest quarter with data; a year means its last quarter with data.
    """
    return resolve_periods(available, spec)[-1]


@dataclass(frozen=True)
class AsOf:
    """A request resolved against the quarters with data, once: the quarter it is *as of*, the
    quarters it names, and the year to date of the as-of quarter. Prints as the as-of code."""

    period: Period
    selected: tuple[str, ...]
    year_to_date: tuple[str, ...]

    def __str__(self) -> str:
        return str(self.period)

    @property
    def code(self) -> str:
        """``2022Q2``."""
        return str(self.period)

    @property
    def label(self) -> str:
        """How reports say it: 2022年第二季度."""
        return self.period.label

    @property
    def previous(self) -> str | None:
        """The quarter with data before it in the same year (None in its first)."""
        return self.year_to_date[-2] if len(self.year_to_date) > 1 else None


def as_of(available: Iterable[str | Period], spec: str | Period | None = "latest") -> AsOf:
    """Resolve a period request against the quarters with data, once (see :class:`AsOf`)."""
    have = list(available)
    selected = resolve_periods(have, spec)
    period = parse_period(selected[-1])
    return AsOf(period, tuple(selected), tuple(year_to_date(have, period)))


_SHORT_YEAR = re.compile(
    r"^\s*(?P<y>\d{2})\s*(?:[Qq]|年第?|年度第?)\s*(?P<q>[一二三四1-4])\s*季?度?\s*$"
)
_MONTH = re.compile(
    r"^\s*(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*月?(?:份|末|底)?\s*$"
)


def _written(text: str | Period) -> Written:
    """A quarter as people write one in a request: 2022Q2, 2022年第二季度, 22Q2, 2022-06 or
    2022年6月 (the quarter that month ends in), and Q2 or 二季度 (the year of the newest data)."""
    try:
        p = parse_period(text)
        return Written(p.year, p.quarter)
    except ValueError:
        pass
    raw = str(text)
    m = _SHORT_YEAR.match(raw)
    if m:
        return Written(2000 + int(m["y"]), _CN_DIGITS[m["q"]])
    m = _MONTH.match(raw)
    if m and 1 <= int(m["m"]) <= 12:
        return Written(int(m["y"]), (int(m["m"]) - 1) // 3 + 1)
    m = _YEARLESS.match(raw)
    if m:
        return Written(None, _CN_DIGITS[m["q"] or m["qq"]])
    raise PlanlibError(f"无法识别的报告期「{text}」（{_EXAMPLES}）")


def _dash_range(text: str) -> list[str]:
    """``2022Q2-2022Q4``: two quarters joined by a hyphen (a hyphen inside one, 2022-Q2, is not
    a range), else no parts."""
    for i, ch in enumerate(text):
        if ch != "-":
            continue
        left, right = text[:i], text[i + 1 :]
        try:
            _written(left), _written(right)
        except PlanlibError:
            continue
        return [left, right]
    return []


def year_to_date(available: Iterable[str | Period], period: str | Period) -> list[str]:
    """The quarters of ``period``'s year up to it that have data (what in-year flows need)."""
    p = parse_period(period)
    return [str(q) for q in _sorted(available) if q.year == p.year and q <= p]


BEIJING = timezone(timedelta(hours=8), "北京时间")  # fixed offset: no tz database needed


def when(stamp: Any) -> str:
    """An ISO timestamp as a reader here writes it, in Beijing time: 2026-11-29 10:17（北京时间）."""
    try:
        t = datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)
    if t.tzinfo is None:
        return f"{t:%Y-%m-%d %H:%M}"
    return f"{t.astimezone(BEIJING):%Y-%m-%d %H:%M}（北京时间）"
