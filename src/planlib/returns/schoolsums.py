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

from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from ..catalog.dictionary import Dictionary
from ..errors import Problem
from ..periods import parse_period

if TYPE_CHECKING:
    from .orgunits import OrgUnits

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


def check_school_sums(
    values: pd.DataFrame, school: np.ndarray, org_units: OrgUnits, d: Dictionary
) -> tuple[np.ndarray, list[Problem]]:
    """``school_sum_falls`` (see the module): positions of ``values`` to drop, and errors.
    ``school``: per row, whether it is a kept school-level row."""
    flows = [e.code for e in d.elements if e.level == "school" and e.temporal == "flow"]
    rows = np.flatnonzero(school & values["element"].isin(flows).to_numpy())
    if not len(rows):
        return np.array([], dtype=np.int64), []
    f = _school_frame(values, rows, org_units)
    sums = f.groupby(["county", "element", "t"], sort=True)["value"].sum().reset_index()
    sums["prev_t"] = sums.groupby(["county", "element"])["t"].shift()
    sums["prev"] = sums.groupby(["county", "element"])["value"].shift()
    same_year = (sums["prev_t"] // 4) == (sums["t"] // 4)
    falls = sums[same_year & (sums["value"] < sums["prev"] - 1e-9)]
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
        str(s["file"]), int(s["row"]), str(s["column"]), value, message, "error",
        str(s["org_code"]), str(s["period"]), "school_sum_falls",
    )  # fmt: skip


def check_stale_schools(
    values: pd.DataFrame, school: np.ndarray, org_units: OrgUnits, d: Dictionary
) -> list[Problem]:
    """``stale_schools`` (see the module): warnings naming both files."""
    pl = d.plausibility
    rows = np.flatnonzero(school)
    if not len(rows):
        return []
    f = _school_frame(values, rows, org_units)
    f = f[f["t"] >= 0]
    key = f["org_code"] + "\x00" + f["element"]
    f = f.assign(key=key)
    county_rows = values.iloc[np.flatnonzero(~school)]
    county_q = county_rows.assign(t=county_rows["period"].map(_quarter))
    groups: dict[tuple[str, int], pd.DataFrame] = {
        (str(cast(tuple, k)[0]), int(cast(tuple, k)[1])): g
        for k, g in f.groupby(["county", "t"], sort=True)
    }
    same: dict[tuple[str, int], float] = {}  # share of values equal to the quarter before
    for (county, t), now in groups.items():
        before = groups.get((county, t - 1))
        if before is None or len(now) < pl.stale_min_elements or len(now) != len(before):
            continue
        prev = dict(zip(before["key"], before["value"], strict=True))
        same[county, t] = float(((now["key"].map(prev) - now["value"]).abs() <= 1e-9).mean())
    problems: list[Problem] = []
    for (county, t), share in same.items():
        # a county whose school figures moved the quarter before, and whose totals moved now
        moved_before = same.get((county, t - 1), 1.0) < pl.stale_share
        if share < pl.stale_share or not moved_before:
            continue
        if not _county_changed(county_q, str(county), int(t)):
            continue  # the whole return is last quarter's: said by the stale check
        now = groups[county, t]
        first = now.sort_values("row").iloc[0]
        was = str(groups[county, t - 1]["file"].iloc[0])
        problems.append(
            Problem(
                str(first["file"]),
                int(first["row"]),
                None,
                None,
                f"学校明细与上季度（{was}）的 {len(now)} 个数据中有 {share:.0%} 完全相同，而本县"
                "上季度的学校数据有变化、本季度汇总数也已变化：疑为沿用了上季度的学校明细表"
                "（只改了标题），请核对",
                "warning",
                str(county),
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
    values: pd.DataFrame, keep: np.ndarray, school: np.ndarray, org_units: OrgUnits,
    d: Dictionary,
) -> list[Problem]:  # fmt: skip
    """Both checks on the kept rows (``school``: per row, whether its element is a school
    one); rows of a fallen sum are dropped from ``keep`` (changed in place)."""
    if not (school & keep).any():
        return []
    drop, problems = check_school_sums(values, school & keep, org_units, d)
    keep[drop] = False
    return problems + check_stale_schools(values, school & keep, org_units, d)
