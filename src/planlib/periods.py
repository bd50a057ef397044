"""Reporting periods: quarters written ``2022Q1``, and how much of the year they cover.

Returns come quarterly; in-year counts are cumulative to the period, so ``2022Q3`` covers
three quarters of the year (序时进度 75%).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_PATTERNS = (
    re.compile(r"^\s*(?P<y>\d{4})\s*[Qq]\s*(?P<q>[1-4])\s*$"),
    re.compile(r"^\s*(?P<y>\d{4})\s*[-_/]\s*[Qq]?(?P<q>[1-4])\s*$"),
    re.compile(r"^\s*(?P<y>\d{4})\s*年\s*第?\s*(?P<q>[一二三四1-4])\s*季度?\s*$"),
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


def parse_period(text: str | Period) -> Period:
    """Read ``2022Q1``, ``2022-Q1``, ``2022年第一季度``; ValueError with a Chinese message otherwise."""
    if isinstance(text, Period):
        return text
    for pattern in _PATTERNS:
        m = pattern.match(str(text))
        if m:
            return Period(int(m["y"]), _CN_DIGITS[m["q"]])
    raise ValueError(f"无法识别的报告期「{text}」，应写作 2022Q1 或 2022年第一季度")


def find_period(text: str) -> Period | None:
    """The first period mentioned anywhere in ``text`` (a title row, a file name), or None."""
    m = re.search(r"(\d{4})\s*[Qq]\s*([1-4])", text) or re.search(
        r"(\d{4})\s*年\s*第?\s*([一二三四1-4])\s*季度", text
    )
    return Period(int(m.group(1)), _CN_DIGITS[m.group(2)]) if m else None
