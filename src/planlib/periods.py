"""Reporting periods: quarters written ``2022Q1``, and how much of the year they cover.

Returns come quarterly; in-year counts are cumulative to the period, so ``2022Q3`` covers
three quarters of the year (序时进度 75%).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import total_ordering

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


def resolve_periods(
    available: Iterable[str | Period], spec: str | Period | Sequence[str | Period] | None = "latest"
) -> list[str]:
    """The quarters a request names, among those with data, oldest first.

    ``spec`` is ``latest``/``最新`` (the newest quarter), a quarter (``2022Q2``, ``2022年第二季度``),
    a year (``2022``: its quarters with data), a range (``2022Q1:2022Q3``, ``2022Q1至2022Q3``),
    ``all``/``全部`` or None (every quarter), or a list of quarters. A quarter or range without
    data is an error naming the quarters there are: never an empty or silently shorter answer.
    """
    have = _sorted(available)
    if not have:
        raise PlanlibError("数据中没有任何报告期的数据")
    shown = "、".join(str(p) for p in have)
    if spec is None:
        return [str(p) for p in have]
    if not isinstance(spec, str | Period):
        wanted = [_quarter(s) for s in spec]
        lacking = [str(w) for w in wanted if w not in have]
        if lacking:
            raise PlanlibError(f"报告期 {'、'.join(lacking)} 没有数据；已有：{shown}")
        return [str(w) for w in sorted(set(wanted))]
    if isinstance(spec, Period):
        spec = str(spec)
    text = spec.strip()
    low = text.lower()
    if low in LATEST:
        return [str(have[-1])]
    if low in ALL:
        return [str(p) for p in have]
    year = _YEAR.match(text)
    if year:
        chosen = [p for p in have if p.year == int(year.group(1))]
        if not chosen:
            raise PlanlibError(f"{year.group(1)} 年没有任何季度的数据；已有：{shown}")
        return [str(p) for p in chosen]
    parts = [x for x in _RANGE.split(text) if x] if _RANGE.search(text) else _dash_range(text, have)
    if len(parts) == 2:
        start, end = _quarter(parts[0], have), _quarter(parts[1], have)
        if end < start:
            raise PlanlibError(f"报告期范围「{spec}」的起点晚于终点")
        chosen = [p for p in have if start <= p <= end]
        if not chosen:
            raise PlanlibError(f"{start} 至 {end} 没有任何季度的数据；已有：{shown}")
        return [str(p) for p in chosen]
    quarter = _quarter(text, have)
    if quarter not in have:
        raise PlanlibError(f"报告期 {quarter} 没有数据；已有：{shown}")
    return [str(quarter)]


def resolve_period(available: Iterable[str | Period], spec: str | Period | None = "latest") -> str:
    """The one quarter a report or an assessment is *as of*: the last of :func:`resolve_periods`.

    ``latest`` is the newest quarter with data; a year means its last quarter with data.
    """
    return resolve_periods(available, spec)[-1]


_SHORT_YEAR = re.compile(
    r"^\s*(?P<y>\d{2})\s*(?:[Qq]|年第?|年度第?)\s*(?P<q>[一二三四1-4])\s*季?度?\s*$"
)
_MONTH = re.compile(
    r"^\s*(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*月?(?:份|末|底)?\s*$"
)


def _quarter(text: str | Period, have: Sequence[Period] = ()) -> Period:
    """A quarter as people write one in a request: 2022Q2, 2022年第二季度, 22Q2, 2022-06 or
    2022年6月 (the quarter that month ends in), and Q2 or 二季度 when the data's latest year
    makes the year plain."""
    try:
        return parse_period(text)
    except ValueError:
        pass
    raw = str(text)
    m = _SHORT_YEAR.match(raw)
    if m:
        return Period(2000 + int(m["y"]), _CN_DIGITS[m["q"]])
    m = _MONTH.match(raw)
    if m and 1 <= int(m["m"]) <= 12:
        return Period(int(m["y"]), (int(m["m"]) - 1) // 3 + 1)
    if have:
        try:
            return parse_period(raw, year=max(p.year for p in have))
        except ValueError:
            pass
    raise PlanlibError(f"无法识别的报告期「{text}」（{_EXAMPLES}）")


def _dash_range(text: str, have: Sequence[Period]) -> list[str]:
    """``2022Q2-2022Q4``: two quarters joined by a hyphen (a hyphen inside one, 2022-Q2, is not
    a range), else no parts."""
    for i, ch in enumerate(text):
        if ch != "-":
            continue
        left, right = text[:i], text[i + 1 :]
        try:
            _quarter(left, have), _quarter(right, have)
        except PlanlibError:
            continue
        return [left, right]
    return []


def year_to_date(available: Iterable[str | Period], period: str | Period) -> list[str]:
    """The quarters of ``period``'s year up to it that have data (what in-year flows need)."""
    p = parse_period(period)
    return [str(q) for q in _sorted(available) if q.year == p.year and q <= p]
