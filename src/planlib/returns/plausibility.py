"""Plausibility of county returns: is each number of the right order of magnitude?

Every unit-level element (stocks, year-to-date flows, small counts) is compared with the unit's
own earlier returns (the previous quarter, the same quarter a year before) and, through the
dictionary's ``peer_ratios``, with the other counties of the same period; a return that repeats
the previous quarter's values is flagged as sent again. Thresholds live in
``data/dictionary.yaml`` (``jump_*``, ``plausibility``, ``peer_ratios``). Every check gives
warnings that say what was compared, never errors: a good return is never blocked, and no value
is changed or dropped.

The checks work on integer codes (:class:`~planlib.returns.validation.RowKeys`) with NumPy sorts
and bincounts, never a Python loop over rows: only the rows found wanting become messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..catalog.dictionary import Dictionary, PeerRatio
from ..catalog.expressions import Linear
from ..errors import Problem
from ..periods import parse_period

if TYPE_CHECKING:
    from .validation import RowKeys

_NONE = -(1 << 40)  # "no such quarter" in the quarter-number arrays


def _num(x: float) -> str:
    """A number as a person writes it: 20.7, 2067000, 0.0123 (no exponent, no float noise)."""
    if not np.isfinite(x):
        return str(x)
    if abs(x) >= 100 or float(x).is_integer():
        return f"{x:.1f}".removesuffix(".0")
    return np.format_float_positional(x, precision=3, fractional=False, trim="-")


def _times(ratio: float) -> str:
    """``增长 14.7 倍`` or ``减少到 1/10.0``: a ratio of two values in words."""
    if ratio >= 1:
        return f"增长 {ratio - 1:.1f} 倍" if ratio >= 2 else f"增长 {ratio - 1:.0%}"
    return f"减少到 1/{1 / ratio:.1f}" if ratio <= 0.5 else f"减少 {1 - ratio:.0%}"


@dataclass(frozen=True)
class History:
    """The unit-level rows of non-flag elements, sorted by unit, element and quarter, each with
    the unit's previous return of the element and the one before (positions into ``rows``)."""

    rows: np.ndarray  # positions in the values frame given
    org: np.ndarray
    element: np.ndarray
    t: np.ndarray  # quarter number: year * 4 + quarter - 1
    value: np.ndarray
    prev: np.ndarray  # position (in this history) of the previous return, -1 when none
    prev2: np.ndarray  # …and of the one before it
    year_ago: np.ndarray  # position of the same element four quarters before, -1 when none

    @classmethod
    def of(cls, values: pd.DataFrame, keys: RowKeys, d: Dictionary) -> History:
        meta = {e.code: e for e in d.elements}
        wanted = np.array(
            [
                (e := meta.get(str(c))) is not None and e.kind != "flag" and e.level != "school"
                for c in keys.element_uniques
            ]
            + [False],
            dtype=bool,
        )
        quarter = np.array([_quarter_number(p) for p in keys.period_uniques] + [_NONE])
        t_all = quarter[keys.period]
        rows = np.flatnonzero(wanted[keys.element] & (t_all != _NONE))
        org, element, t = keys.org[rows], keys.element[rows], t_all[rows]
        order = np.lexsort((t, element, org))
        rows, org, element, t = rows[order], org[order], element[order], t[order]
        value = values["value"].to_numpy(dtype="float64")[rows]
        n = len(rows)
        same = np.zeros(n, dtype=bool)
        same[1:] = (org[1:] == org[:-1]) & (element[1:] == element[:-1]) & (t[1:] > t[:-1])
        idx = np.arange(n)
        prev = np.where(same, idx - 1, -1)
        prev2 = np.where(same & (prev >= 1), idx - 2, -1)
        prev2[prev2 >= 0] = np.where(same[prev[prev2 >= 0]], prev2[prev2 >= 0], -1)
        # the same quarter a year before: a sorted search on (unit, element, quarter) keys
        t0 = int(t.min()) if n else 0
        span = int(t.max()) - t0 + 5 if n else 1
        n_e = len(keys.element_uniques) + 1
        key = (org.astype("int64") * n_e + element) * span + (t - t0 + 4)
        hit = np.minimum(np.searchsorted(key, key - 4), max(n - 1, 0))
        year_ago = np.where(key[hit] == key - 4, hit, -1) if n else prev
        return cls(rows, org, element, t, value, prev, prev2, year_ago)


def _quarter_number(text: object) -> int:
    try:
        p = parse_period(str(text))
    except ValueError:
        return _NONE
    return p.year * 4 + p.quarter - 1


def _label(t: int, now: int) -> str:
    if t == now - 1:
        return "上季度"
    if t == now - 4:
        return "上年同期"
    return f"{t // 4}年第{'一二三四'[t % 4]}季度"


FALLS = "cumulative_falls"
"""The one plausibility rule that is an error: a year-to-date figure below an earlier one of the
same year (as for sums over schools in schoolsums.py); the later figure is not counted."""


def _problem(r: pd.Series, message: str, rule: str, value: float) -> Problem:
    return Problem(
        str(r["file"]),
        int(r["row"]),
        str(r["column"]),
        _num(value),
        message,
        "error" if rule == FALLS else "warning",
        str(r["org_code"]),
        str(r["period"]),
        rule,
    )


def check_plausibility(values: pd.DataFrame, keys: RowKeys, d: Dictionary) -> list[Problem]:
    """Every plausibility check on unit-level rows (``keys`` aligned with ``values``)."""
    h = History.of(values, keys, d)
    return [
        *check_history(values, keys, d, h),
        *check_stale(values, keys, d, h),
        *check_peers(values, keys, d),
    ]


def check_history(
    values: pd.DataFrame, keys: RowKeys, d: Dictionary, history: History | None = None
) -> list[Problem]:
    """Each unit's values against its own earlier returns (one problem per value at most;
    warnings, but a fall of a year-to-date figure is an error):

    - ``jump``: a stock that moves more than ``jump_threshold`` from the last earlier return
      (when that was at least ``jump_min_base``), or any stock or small count that is
      ``magnitude_factor`` times it or a ``magnitude_factor``-th of it (72 → 720);
    - ``cumulative_falls``: a year-to-date flow below the last return of the same year;
    - ``flow_jump``: a year-to-date flow whose quarter's increment is ``flow_factor`` times the
      previous quarter's increment (a budget typed in 千元 under a 万元 header), except for an
      element the dictionary marks ``seasonal`` (teachers are recruited in one quarter);
    - ``year_on_year``: a value ``year_factor`` times the same quarter a year before, or a
      ``year_factor``-th of it, where no earlier check applied.
    """
    h = history if history is not None else History.of(values, keys, d)
    if not len(h.rows):
        return []
    f = _history_found(h, keys, d)
    problems: list[Problem] = []
    for rule, mask in (
        ("jump", f.stock_jump),
        (FALLS, f.falls),
        ("flow_jump", f.flow_jump),
        ("year_on_year", f.yearly),
    ):
        for i in np.flatnonzero(mask).tolist():
            r = values.iloc[h.rows[i]]
            problems.append(_problem(r, _history_text(rule, i, h, f, d), rule, float(h.value[i])))
    return problems


@dataclass
class _HistoryFound:
    """Per history row: which checks of :func:`check_history` it fails, and the figures its
    message quotes."""

    stock_jump: np.ndarray
    falls: np.ndarray
    flow_jump: np.ndarray
    yearly: np.ndarray
    magnitude: np.ndarray
    prev_v: np.ndarray
    prev_t: np.ndarray
    ratio: np.ndarray
    inc: np.ndarray
    inc_prev: np.ndarray
    inc_ratio: np.ndarray
    ago_v: np.ndarray
    yr: np.ndarray


def _history_found(h: History, keys: RowKeys, d: Dictionary) -> _HistoryFound:
    """The checks of :func:`check_history` as array operations over the history rows."""
    pl = d.plausibility
    flows = {e.code for e in d.elements if e.temporal == "flow"}
    temporal = np.array([str(c) in flows for c in keys.element_uniques] + [False], dtype=bool)
    flow = temporal[h.element]
    lumpy = {e.code for e in d.elements if e.seasonal}
    seasonal = np.array([str(c) in lumpy for c in keys.element_uniques] + [False], dtype=bool)
    has_prev = h.prev >= 0
    prev_v = np.where(has_prev, h.value[h.prev], np.nan)
    prev_t = np.where(has_prev, h.t[h.prev], _NONE)
    v = h.value
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = v / prev_v
        big = np.fmax(v, prev_v) >= pl.magnitude_min_base
        magnitude = big & (v > 0) & (prev_v > 0)
        magnitude &= (ratio >= pl.magnitude_factor) | (ratio <= 1 / pl.magnitude_factor)
        share = np.abs(v - prev_v) / np.where(prev_v >= max(d.jump_min_base, 1e-9), prev_v, np.nan)
    stock_jump = ~flow & has_prev & ((share > d.jump_threshold) | magnitude)
    same_year = has_prev & (prev_t // 4 == h.t // 4)
    falls = flow & same_year & (v < prev_v - 1e-9)
    # a flow's increment this quarter against the previous quarter's (from January in Q1)
    p2 = h.prev2
    p2_ok = (p2 >= 0) & (np.where(p2 >= 0, h.t[np.maximum(p2, 0)], _NONE) // 4 == h.t // 4)
    inc = v - prev_v
    inc_prev = np.where(p2_ok, prev_v - h.value[np.maximum(p2, 0)], prev_v)
    consecutive = same_year & (prev_t == h.t - 1)
    consecutive &= np.where(p2_ok, h.t[np.maximum(p2, 0)] == prev_t - 1, prev_t % 4 == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        inc_ratio = inc / inc_prev
    flow_jump = flow & consecutive & ~falls & (inc_prev > 0) & (inc >= pl.magnitude_min_base)
    flow_jump &= (inc_ratio >= pl.flow_factor) & ~seasonal[h.element]
    ago = h.year_ago >= 0
    ago_v = np.where(ago, h.value[np.maximum(h.year_ago, 0)], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        yr = v / ago_v
    yearly = ago & (v > 0) & (ago_v > 0) & (np.fmax(v, ago_v) >= pl.magnitude_min_base)
    yearly &= (yr >= pl.year_factor) | (yr <= 1 / pl.year_factor)
    yearly &= ~(stock_jump | falls | flow_jump)
    return _HistoryFound(
        stock_jump,
        falls,
        flow_jump,
        yearly,
        magnitude,
        prev_v,
        prev_t,
        ratio,
        inc,
        inc_prev,
        inc_ratio,
        ago_v,
        yr,
    )


def _history_text(rule: str, i: int, h: History, f: _HistoryFound, d: Dictionary) -> str:
    """The message of a history check failed by row ``i``."""
    now, before, was = int(h.t[i]), int(f.prev_t[i]), _num(f.prev_v[i])
    if rule == "jump":
        return f"与{_label(before, now)}（{was}）相比{_times(f.ratio[i])}，" + (
            "请核对是否多填或少填了一位数、填错了单位"
            if f.magnitude[i]
            else f"变动超过 {d.jump_threshold:.0%}，请核对"
        )
    if rule == FALLS:
        return (
            f"本年累计数比{_label(before, now)}（{_period(before)}：{was}）减少：本年累计数不会"
            "减少，请核对是否填成了当季数（应填1月以来的累计数）；本季度该项未计入"
        )
    if rule == "flow_jump":
        return (
            f"本年累计数由{_label(before, now)}的 {was} 增至 {_num(h.value[i])}，"
            f"本季度新增 {_num(f.inc[i])}，比上季度新增（{_num(f.inc_prev[i])}）"
            f"增长 {f.inc_ratio[i] - 1:.1f} 倍，请核对单位（如千元填在万元栏）或数值"
        )
    ago_t = int(h.t[h.year_ago[i]])
    return (
        f"与上年同期（{_period(ago_t)}：{_num(f.ago_v[i])}）相比{_times(f.yr[i])}，"
        "请核对是否多填或少填了一位数、填错了单位"
    )


def _period(t: int) -> str:
    return f"{t // 4}Q{t % 4 + 1}"


def check_peers(values: pd.DataFrame, keys: RowKeys, d: Dictionary) -> list[Problem]:
    """``peer_ratio``: a county whose ratio (``peer_ratios`` in the dictionary: budget per
    student, placed per disabled child …) is ``peer_factor`` times the median of the period's
    other units, or a ``peer_factor``-th of it (warnings; a zero ratio has no magnitude and is
    left to the other checks). Laid out as a dense unit x period x element array from the codes.
    """
    if not d.peer_ratios or not len(keys):
        return []
    pl = d.plausibility
    named = sorted(
        {t.element for r in d.peer_ratios for t in (*r.numerator.terms, *r.denominator.terms)}
    )
    where = {e: i for i, e in enumerate(named)}
    col_of = np.array([where.get(str(e), -1) for e in keys.element_uniques] + [-1])
    col = col_of[keys.element]
    rows = np.flatnonzero((col >= 0) & (keys.period >= 0) & (keys.org >= 0))
    if not len(rows):
        return []
    orgs, unit = np.unique(keys.org[rows], return_inverse=True)
    n_u, n_p = len(orgs), len(keys.period_uniques)
    cell = (unit * n_p + keys.period[rows]) * len(named) + col[rows]
    grid = np.full(n_u * n_p * len(named), np.nan)
    grid[cell[::-1]] = values["value"].to_numpy(dtype="float64")[rows[::-1]]  # the first wins
    at = np.full(len(grid), -1, dtype="int64")
    at[cell[::-1]] = rows[::-1]
    frame = pd.DataFrame(grid.reshape(n_u * n_p, len(named)), columns=named)
    problems: list[Problem] = []
    for ratio in d.peer_ratios:
        terms = (*ratio.numerator.terms, *ratio.denominator.terms)
        cols = pd.DataFrame({t.key: frame[t.element] for t in terms})
        num = ratio.numerator.evaluate(cols).to_numpy().reshape(n_u, n_p)
        den = ratio.denominator.evaluate(cols).to_numpy().reshape(n_u, n_p)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where((num > 0) & (den > 0), num / den, np.nan)
        enough = np.count_nonzero(~np.isnan(r), axis=0) >= pl.peer_min_units
        if not enough.any():
            continue
        with np.errstate(all="ignore"):
            median = np.nanmedian(np.where(enough, r, 0.0), axis=0)
            rel = r / np.where(enough & (median > 0), median, np.nan)
        factor = ratio.factor or pl.peer_factor
        first = where[ratio.numerator.terms[0].element]
        for u, p in zip(*np.nonzero((rel >= factor) | (rel <= 1 / factor)), strict=True):
            row = values.iloc[int(at[(u * n_p + p) * len(named) + first])]
            problems.append(_peer_problem(row, ratio, r[u, p], median[p], num[u, p], den[u, p], d))
    return problems


def _peer_problem(
    row: pd.Series,
    ratio: PeerRatio,
    value: float,
    mid: float,
    num: float,
    den: float,
    d: Dictionary,
) -> Problem:
    rel = value / mid
    if ratio.unit == "%":
        value, mid = value * 100, mid * 100
    how = (
        f"为各县中位数（{_num(mid)}）的 {rel:.1f} 倍"
        if rel >= 1
        else f"仅为各县中位数（{_num(mid)}）的 1/{1 / rel:.1f}"
    )
    unit = "%" if ratio.unit == "%" else f" {ratio.unit}" if ratio.unit else ""
    text = (
        f"{ratio.name}为 {_num(value)}{unit}（{_words(ratio.numerator, d)} {_num(num)} ÷ "
        f"{_words(ratio.denominator, d)} {_num(den)}），{how}，"
        "请核对分子、分母的单位（如千元填在万元栏）或是否多填了一位数"
    )
    return _problem(row, text, "peer_ratio", float(row["value"]))


def _words(formula: Linear, d: Dictionary) -> str:
    """A formula in the dictionary's names: 在园幼儿数＋义务教育在校生数."""
    names = {e.code: e.name for e in d.elements}
    parts = [
        (f"{c:g}×" if c != 1 else "") + names.get(t.element, t.element)
        for t, c in formula.coefficients
    ]
    return "＋".join(parts).replace("＋-", "－")


def check_stale(
    values: pd.DataFrame, keys: RowKeys, d: Dictionary, history: History | None = None
) -> list[Problem]:
    """``stale``: a unit's return whose values equal its previous quarter's in at least
    ``stale_share`` of the elements it reported (``stale_min_elements`` or more): last
    quarter's workbook sent again with a new title (warning naming both files)."""
    h = history if history is not None else History.of(values, keys, d)
    pl = d.plausibility
    if not len(h.rows):
        return []
    prev_ok = (h.prev >= 0) & (np.where(h.prev >= 0, h.t[np.maximum(h.prev, 0)], _NONE) == h.t - 1)
    prev_v = h.value[np.maximum(h.prev, 0)]
    equal = prev_ok & (np.abs(h.value - prev_v) <= 1e-9 * np.fmax(np.abs(prev_v), 1))
    # one group per unit and quarter: counts of elements, of those equal to last quarter's
    t0 = int(h.t.min())
    span = int(h.t.max()) - t0 + 1
    group = h.org.astype("int64") * span + (h.t - t0)
    _, g = np.unique(group, return_inverse=True)
    n = np.bincount(g)
    n_equal = np.bincount(g, weights=equal.astype("float64"))
    stale = (n >= pl.stale_min_elements) & (n_equal >= pl.stale_share * n)
    problems: list[Problem] = []
    for gi in np.flatnonzero(stale).tolist():
        members = np.flatnonzero(g == gi)
        first = members[np.argmin(values["row"].to_numpy()[h.rows[members]])]
        r = values.iloc[h.rows[first]]
        before = values.iloc[h.rows[h.prev[members[equal[members]][0]]]]
        problems.append(
            Problem(
                str(r["file"]),
                int(r["row"]),
                None,
                None,
                f"本报表 {int(n[gi])} 个数据项中有 {int(n_equal[gi])} 项与上季度报表"
                f"（{before['file']}，{before['period']}）完全相同，"
                "疑为重复报送了上季度的报表（只改了标题或报告期），请核对",
                "warning",
                str(r["org_code"]),
                str(r["period"]),
                "stale",
            )
        )
    return problems
