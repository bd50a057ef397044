"""Checks on a county's school rows over time, where the county sheet alone says nothing.

- ``school_sum_falls`` (error): a year-to-date element reported per school (a flag such as
  本年建成智慧校园, or a count) whose sum over a county's schools falls within a year: the
  schools were filled for this quarter only. Each school whose value fell is named (file, row,
  column), and the county's element for that quarter is not counted (a sum of a quarter's
  own figures would silently pass for the year's).
- ``stale_schools`` (warning): a county's school sheet identical to its previous quarter's
  while the county's own totals changed: last quarter's school sheet copied under this
  quarter's title. The warning names both files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..catalog.dictionary import Dictionary
from ..errors import Problem
from ..periods import parse_period

if TYPE_CHECKING:
    from .orgunits import OrgUnits
    from .validation import RowKeys

_SAID_PER_COUNTY = 10  # schools named per county and element; the rest counted


def _quarter(p: str) -> int:
    try:
        q = parse_period(p)
    except ValueError:
        return -1
    return q.year * 4 + q.quarter - 1


def _school_frame(values: pd.DataFrame, rows: np.ndarray, org_units: OrgUnits) -> pd.DataFrame:
    county_of = dict(
        zip(
            org_units.schools["code"].astype(str),
            org_units.schools["county_code"].astype(str),
            strict=True,
        )
    )
    f = values.iloc[rows][["org_code", "period", "element", "value", "file", "row", "column"]]
    f = f.assign(pos=rows, county=f["org_code"].map(county_of))
    quarters = {p: _quarter(p) for p in f["period"].unique()}
    return f.assign(t=f["period"].map(quarters)).dropna(subset=["county"])


@dataclass(frozen=True)
class _Codes:
    """Per value: its school's county (an index into ``counties``, -1 for none), its quarter
    number (-1 for none) and its element code, from validation's integer row keys."""

    county: np.ndarray
    counties: pd.Index
    t: np.ndarray
    element: np.ndarray
    elements: pd.Index

    @classmethod
    def of(cls, keys: RowKeys, org_units: OrgUnits) -> _Codes:
        schools = org_units.schools
        county_of = dict(
            zip(schools["code"].astype(str), schools["county_code"].astype(str), strict=True)
        )
        names = [county_of.get(str(o), "") for o in keys.org_uniques]
        idx, counties = pd.factorize(pd.Index(names))
        idx = np.where(np.asarray(names, dtype=object) == "", -1, idx)
        county = np.append(idx, -1)[keys.org]
        quarter = np.array([_quarter(str(p)) for p in keys.period_uniques] + [-1])
        return cls(county, counties, quarter[keys.period], keys.element, keys.element_uniques)


def check_school_sums(
    values: pd.DataFrame, school: np.ndarray, org_units: OrgUnits, d: Dictionary, codes: _Codes
) -> tuple[np.ndarray, list[Problem]]:
    """``school_sum_falls`` (see the module): positions of ``values`` to drop, and errors.
    ``school``: per row, whether it is a kept school-level row."""
    flows = {e.code for e in d.elements if e.level == "school" and e.temporal == "flow"}
    is_flow = np.array([str(e) in flows for e in codes.elements] + [False])
    rows = np.flatnonzero(school & is_flow[codes.element] & (codes.county >= 0) & (codes.t >= 0))
    if not len(rows):
        return np.array([], dtype=np.int64), []
    n_e = len(codes.elements) + 1
    t0 = int(codes.t[rows].min())
    span = int(codes.t[rows].max()) - t0 + 1
    group = (codes.county[rows].astype(np.int64) * n_e + codes.element[rows]) * span
    group += codes.t[rows] - t0
    uniq, inverse = np.unique(group, return_inverse=True)
    sums = np.bincount(inverse, weights=values["value"].to_numpy(dtype="float64")[rows])
    series = uniq // span
    t = uniq % span + t0
    prev_same = np.zeros(len(uniq), dtype=bool)
    prev_same[1:] = (series[1:] == series[:-1]) & (t[1:] // 4 == t[:-1] // 4)
    fell = np.zeros(len(uniq), dtype=bool)
    fell[1:] = prev_same[1:] & (sums[1:] < sums[:-1] - 1e-9)
    if not fell.any():
        return np.array([], dtype=np.int64), []
    sums_frame = pd.DataFrame(
        {
            "county": [str(codes.counties[int(x) // n_e]) for x in series],
            "element": [str(codes.elements[int(x) % n_e]) for x in series],
            "t": t,
            "value": sums,
        }
    )
    sums_frame["prev_t"] = np.append(np.nan, t[:-1])
    sums_frame["prev"] = np.append(np.nan, sums[:-1])
    falls = sums_frame[fell]
    f = _school_frame(values, rows, org_units)
    drop: list[np.ndarray] = []
    problems: list[Problem] = []
    names = {e.code: e.name for e in d.elements}
    for rec in falls.to_dict("records"):
        r: Any = pd.Series(rec)
        now = f[(f["county"] == r.county) & (f["element"] == r.element) & (f["t"] == r.t)]
        before = f[(f["county"] == r.county) & (f["element"] == r.element) & (f["t"] == r.prev_t)]
        prev_of = dict(zip(before["org_code"], before["value"], strict=True))
        fell = now[now["value"] < now["org_code"].map(prev_of).fillna(-1) - 1e-9]
        drop.append(now["pos"].to_numpy())
        period_before = f"{int(r.prev_t) // 4}Q{int(r.prev_t) % 4 + 1}"
        head = (
            f"「{names.get(r.element, r.element)}」是本年累计数（1月以来），本县各校合计由 "
            f"{period_before} 的 {r.prev:g} 降至 {r.value:g}"
        )
        tail = "：疑为只填了本季度的数，请填写1月以来的累计数；本县该项本季度未计入"
        if fell.empty:  # schools left out: the sum fell without any school falling
            first = now.iloc[0] if len(now) else None
            if first is not None:
                problems.append(_error(first, f"{head}{tail}", None))
            continue
        for _, s in fell.head(_SAID_PER_COUNTY).iterrows():
            problems.append(_error(s, f"{head}；本校上季度为 {prev_of[s['org_code']]:g}{tail}", s))
        if len(fell) > _SAID_PER_COUNTY:
            s = fell.iloc[_SAID_PER_COUNTY]
            more = f"……另有 {len(fell) - _SAID_PER_COUNTY} 所学校同样比上季度减少（{head}）"
            problems.append(_error(s, more, s))
    return (np.concatenate(drop) if drop else np.array([], dtype=np.int64)), problems


def _error(s: pd.Series, message: str, shown: pd.Series | None) -> Problem:
    value = None if shown is None else f"{shown['value']:g}"
    return Problem(
        str(s["file"]),
        int(s["row"]),
        str(s["column"]),
        value,
        message,
        "error",
        str(s["org_code"]),
        str(s["period"]),
        "school_sum_falls",
    )


def check_stale_schools(
    values: pd.DataFrame,
    school: np.ndarray,
    org_units: OrgUnits,
    d: Dictionary,
    codes: _Codes,
    keys: RowKeys,
) -> list[Problem]:
    """``stale_schools`` (see the module): warnings naming both files. Array operations on
    the school rows; frames only for the few county quarters found."""
    pl = d.plausibility
    rows = np.flatnonzero(school)
    if not len(rows):
        return []
    org, el, t = keys.org[rows], codes.element[rows], codes.t[rows]
    el_u = codes.elements
    c = codes.county[rows]
    cty_names = codes.counties
    ok = (t >= 0) & (c >= 0)
    v = values["value"].to_numpy(dtype="float64")[rows]
    k = org.astype(np.int64) * (len(el_u) + 1) + el
    order = np.lexsort((t, k))
    ks, ts = k[order], t[order]
    prev_same = np.zeros(len(order), dtype=bool)
    prev_same[1:] = (ks[1:] == ks[:-1]) & (ts[1:] == ts[:-1] + 1)
    equal = np.zeros(len(order), dtype=bool)
    equal[order[1:]] = prev_same[1:] & (np.abs(v[order[1:]] - v[order[:-1]]) <= 1e-9)
    t0, span = int(t[ok].min(initial=0)), int(t[ok].max(initial=0)) - int(t[ok].min(initial=0)) + 2
    g = np.where(ok, c.astype(np.int64) * span + (t - t0) + 1, 0)
    size = np.bincount(g, minlength=len(cty_names) * span + span + 1)
    share = np.bincount(g, weights=equal, minlength=len(size)) / np.maximum(size, 1)
    before = np.maximum(np.arange(len(size)) - 1, 0)
    has_before = (size[before] == size) & (size >= pl.stale_min_elements) & (size > 0)
    moved_before = (share[before] < pl.stale_share) & (size[np.maximum(before - 1, 0)] > 0)
    stale = has_before & (share >= pl.stale_share) & moved_before
    stale[0] = False
    problems: list[Problem] = []
    county_rows = values.iloc[np.flatnonzero(~school)] if stale.any() else values.iloc[:0]
    county_q = county_rows.assign(t=county_rows["period"].map(_quarter))
    for gi in np.flatnonzero(stale).tolist():
        county, tt = str(cty_names[(gi - 1) // span]), (gi - 1) % span + t0
        if not _county_changed(county_q, county, tt):
            continue  # the whole return is last quarter's: said by the stale check
        sub = values.iloc[rows[(g == gi) | (g == gi - 1)]]
        g_sub = g[(g == gi) | (g == gi - 1)]
        now = sub[g_sub == gi].sort_values("row")
        first = now.iloc[0]
        was = str(sub[g_sub == gi - 1]["file"].iloc[0])
        problems.append(
            Problem(
                str(first["file"]),
                int(first["row"]),
                None,
                None,
                f"学校明细与上季度（{was}）的 {len(now)} 个数据中有 {share[gi]:.0%} 完全相同，而本县"
                "上季度的学校数据有变化、本季度汇总数也已变化：疑为沿用了上季度的学校明细表"
                "（只改了标题），请核对",
                "warning",
                county,
                str(first["period"]),
                "stale_schools",
            )
        )
    return problems


def _county_changed(county_q: pd.DataFrame, county: str, t: int) -> bool:
    mine = county_q[county_q["org_code"] == county]
    now = mine[mine["t"] == t].set_index("element")["value"]
    before = mine[mine["t"] == t - 1].set_index("element")["value"]
    both = now.index.intersection(before.index)
    if not len(both):
        return False
    return bool((now.loc[both] - before.loc[both]).abs().gt(1e-9).any())


def school_checks(
    values: pd.DataFrame,
    keep: np.ndarray,
    school: np.ndarray,
    org_units: OrgUnits,
    d: Dictionary,
    keys: RowKeys,
) -> list[Problem]:
    """Both checks on the kept rows (``school``: per row, whether its element is a school
    one); rows of a fallen sum are dropped from ``keep`` (changed in place)."""
    if not (school & keep).any():
        return []
    codes = _Codes.of(keys, org_units)
    drop, problems = check_school_sums(values, school & keep, org_units, d, codes)
    keep[drop] = False
    return problems + check_stale_schools(values, school & keep, org_units, d, codes, keys)
