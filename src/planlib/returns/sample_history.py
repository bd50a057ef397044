"""Last year's four quarterly county returns of the sample city, so a flow is projected by last
year's quarterly pattern (上年同期进度) as it is where a bureau has last year's returns.

Made from this year's county frame after it is complete, with its own seeded generator, so this
year's numbers do not move: each county a little lower (1–5%: populations, enrolment and spending
grow), a stock following this year's drift over the quarters, a flow's year to date this year's
share of its year-end with a little noise (spending back-loaded as this year). Where the frames
already hold last year's fourth quarter (a plan with change targets) that is the year-end and
only the earlier quarters are made. The schools' sheets repeat this year's of the same quarter
(the registry is this year's; a county sheet alone would leave every school unreported).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..catalog.dictionary import Dictionary
from .sample_sheet import Grid, Sheet, element_rng, enforce_rules, round_free


def with_last_year(
    frames: dict[str, pd.DataFrame], d: Dictionary, year: int, seed: int
) -> dict[str, pd.DataFrame]:
    """The frames with last year's quarters they lack put first (county and school levels),
    in period order."""
    county = last_year_county(frames["county"], d, year, seed)
    school = last_year_schools(frames["school"], year, county["period"])
    out = dict(frames)
    for level, extra in (("county", county), ("school", school)):
        both = pd.concat([extra, frames[level]], ignore_index=True)
        out[level] = both.sort_values("period", kind="stable").reset_index(drop=True)
    return out


def last_year_county(county: pd.DataFrame, d: Dictionary, year: int, seed: int) -> pd.DataFrame:
    """Rows (org_code, period, the county elements) for the quarters of ``year - 1`` the frame
    lacks, quarter by quarter, units in this year's order."""
    elements = d.elements_at("county")
    now = _quarters(county, year)
    codes = now[0]["org_code"].to_numpy(dtype=object)
    rng = element_rng(seed, "history")
    shrink = rng.uniform(0.95, 0.99, len(codes))
    noise = rng.uniform(0.97, 1.03, (len(codes), 3))
    given = county[county["period"] == f"{year - 1}Q4"].set_index("org_code").reindex(codes)
    has_end = (county["period"] == f"{year - 1}Q4").any()
    grid = Grid(codes)
    for e in elements:
        v = np.column_stack([q[e.code].to_numpy(dtype="float64") for q in now])
        end = (
            given[e.code].to_numpy(dtype="float64")
            if has_end
            else v[:, 3] * (1.0 if e.kind == "flag" else shrink)
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(v[:, 3:] != 0, v / v[:, 3:], 1.0)
        if e.temporal == "flow" and e.kind != "flag":
            share[:, :3] = np.maximum.accumulate(np.minimum(share[:, :3] * noise, 1.0), axis=1)
        grid.values[e.code] = end[:, None] * share
    grid.free = set(grid.values)
    county_rules = tuple(
        r
        for r in d.rules
        if all(d[t.element].level == "county" for t in (*r.left.terms, *r.right.terms) if t.element)
    )
    s = Sheet(
        dataclasses.replace(d, rules=county_rules),
        grid,
        Grid(np.array([], dtype=object)),
        Grid(np.array([], dtype=object)),
        pd.DataFrame(),
        np.array([], dtype=int),
        np.ones(len(codes)),
        seed,
    )
    round_free(s)
    enforce_rules(s)
    wanted = [q for q in range(1, 5) if f"{year - 1}Q{q}" not in set(county["period"])]
    cols: dict[str, object] = {
        "org_code": np.tile(codes, len(wanted)),
        "period": np.repeat([f"{year - 1}Q{q}" for q in wanted], len(codes)),
    }
    for e in elements:
        v = grid.values[e.code][:, [q - 1 for q in wanted]].T.ravel()
        cols[e.code] = v if e.kind == "amount" else v.astype("int64")
    return pd.DataFrame(cols)


def last_year_schools(school: pd.DataFrame, year: int, periods: Iterable[str]) -> pd.DataFrame:
    """The school rows of last year's ``periods``: this year's of the same quarter, relabelled."""
    wanted = {f"{year}Q{p[-1]}": p for p in dict.fromkeys(periods)}
    rows = school[school["period"].isin(wanted)]
    return rows.assign(period=rows["period"].map(wanted)).reset_index(drop=True)


def _quarters(county: pd.DataFrame, year: int) -> list[pd.DataFrame]:
    """This year's four quarters of the county frame, each in the first quarter's unit order."""
    first = county[county["period"] == f"{year}Q1"]
    order = first["org_code"].to_numpy()
    return [
        county[county["period"] == f"{year}Q{q}"].set_index("org_code").reindex(order).reset_index()
        for q in range(1, 5)
    ]


__all__ = ["last_year_county", "last_year_schools", "with_last_year"]
