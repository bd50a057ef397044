"""How complete and how clean each county's returns are, period by period (``Dataset.quality``).

One row per county and period, from what a loaded dataset already holds (its values, problems,
registry and input files): nothing is read again.
"""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..catalog.dictionary import Dictionary
from ..errors import Problem
from ..periods import find_period
from .reading import RETURN_SUFFIXES

if TYPE_CHECKING:
    from .dataset import Dataset
    from .orgunits import OrgUnits
    from .validation import RowKeys

QUALITY_COLUMNS = [
    "org_code", "name", "period", "files", "elements_expected", "elements_reported",
    "completeness", "errors", "warnings", "missing",
]  # fmt: skip
_SHEET = re.compile(r"［[^［］]*］$")
_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
_QUARTER = re.compile(r"\d{4}Q[1-4]")


def quality(ds: Dataset, d: Dictionary) -> pd.DataFrame:
    """One row per county and period with data; see :meth:`Dataset.quality` for the columns."""
    counties = ds.org_units.counties()[["code", "name"]].astype(str)
    periods = ds.periods
    grid = pd.MultiIndex.from_product([counties["code"], periods], names=["org_code", "period"])
    schools = ds.org_units.schools
    county_of = dict(zip(counties["code"], counties["code"], strict=True)) | dict(
        zip(schools["code"].astype(str), schools["county_code"].astype(str), strict=True)
    )
    named = _named_files(ds, set(counties["code"]))

    # values: what each county (and its schools) reported of what it owes
    required = {e.code for e in d.elements if e.required and e.level in ("county", "school")}
    v = ds.values[["org_code", "period", "element", "file"]].astype(str)
    v = v.assign(
        county=v["org_code"].map(county_of), file=v["file"].str.replace(_SHEET, "", regex=True)
    )
    v = v[v["county"].notna()]
    reported = v[v["element"].isin(list(required))].drop_duplicates(
        ["org_code", "period", "element"]
    )
    per_school = sum(1 for e in d.elements if e.required and e.level == "school")
    per_county = sum(1 for e in d.elements if e.required and e.level == "county")
    n_schools = schools.groupby(schools["county_code"].astype(str)).size()
    expected = per_county + per_school * n_schools.reindex(counties["code"], fill_value=0)

    # files: named after the county under the period's folder, or holding its rows
    named_pairs = named.rename(columns={"org_code": "county"})
    pairs = pd.concat([v[["county", "period", "file"]], named_pairs]).drop_duplicates()

    # problems: on the county of the row (a school's on its county), else on the file's owner
    p = _placed_problems(ds, county_of, named, set(periods))
    late = p[p["rule"] == "missing_return"]
    missing = set(zip(late["county"], late["period"], strict=True))

    out = pd.DataFrame(index=grid).reset_index()
    out["name"] = out["org_code"].map(dict(zip(counties["code"], counties["name"], strict=True)))
    out["files"] = _count(pairs, grid)
    out["elements_expected"] = out["org_code"].map(expected).astype("int64")
    out["elements_reported"] = _count(reported, grid)
    owed = out["elements_expected"].where(out["elements_expected"] > 0)
    out["completeness"] = (out["elements_reported"] / owed).astype("float64")
    out["errors"] = _count(p[p["severity"] == "error"], grid)
    out["warnings"] = _count(p[p["severity"] == "warning"], grid)
    keys = zip(out["org_code"], out["period"], strict=True)
    out["missing"] = np.array([k in missing for k in keys], dtype=bool)
    return out.astype({"org_code": "str", "name": "str", "period": "str"})[QUALITY_COLUMNS]


def _count(rows: pd.DataFrame, grid: pd.MultiIndex) -> np.ndarray:
    """How many of ``rows`` (with county and period columns) fall on each (county, period)."""
    n = rows.groupby(["county", "period"]).size()
    n.index = n.index.set_names(["org_code", "period"])
    return n.reindex(grid, fill_value=0).to_numpy(dtype="int64")


def _named_files(ds: Dataset, counties: set[str]) -> pd.DataFrame:
    """Return files whose name gives a county code and whose path a quarter (990102.xlsx under
    returns/2022Q1/): org_code, period, file — whatever the file turned out to hold."""
    rows = []
    for path in ds.inputs["path"].astype(str):
        parts = PurePath(path)
        if parts.suffix.lower() not in RETURN_SUFFIXES or "ledger" in parts.parts:
            continue
        codes = [c for c in _CODE.findall(parts.name) if c in counties]
        period = find_period(path)
        if codes and period is not None:
            rows.append((codes[-1], str(period), path))
    return pd.DataFrame(rows, columns=["org_code", "period", "file"], dtype="str")


def _placed_problems(
    ds: Dataset, county_of: dict[str, str], named: pd.DataFrame, periods: set[str]
) -> pd.DataFrame:
    """Problems with the county and period they concern: the row's unit and quarter when the
    problem has them, else the owner the file's name and folder give; problems that concern
    no county (the ledger, city-level items) are left out."""
    p = ds.problems
    file = p["file"].astype(str).str.replace(_SHEET, "", regex=True)
    owner = named.drop_duplicates("file").set_index("file")
    org = p["org_code"].astype("object").where(p["org_code"].notna(), None)
    county = org.map(county_of)
    county = county.where(county.notna(), file.map(owner["org_code"]))
    period = p["period"].astype("object")
    valid = period.map(
        lambda x: isinstance(x, str) and bool(_QUARTER.fullmatch(x)) and x in periods
    )
    period = period.where(valid, file.map(owner["period"]))
    placed = pd.DataFrame(
        {"county": county, "period": period, "severity": p["severity"], "rule": p["rule"]}
    )
    return placed[placed["county"].notna() & placed["period"].isin(list(periods))]


def check_school_coverage(
    values: pd.DataFrame,
    keys: RowKeys,
    keep: np.ndarray,
    org_units: OrgUnits,
    school_pos: np.ndarray | None = None,
) -> list[Problem]:
    """``school_coverage``: a county that sent a return for a period (its own rows or its
    schools') whose school details lack schools the registry lists under it: the notion of the
    computation's 部分学校未报送明细, said at the gate with the count and the stages missing
    (warning). Works on the codes of the distinct units (``keep``: the rows that passed;
    ``school_pos``: each org code's row in the registry, when the caller has it)."""
    from .validation import registry_positions

    reg = org_units.schools
    counties = org_units.counties()["code"].astype(str)
    if reg.empty or counties.empty or not len(keys):
        return []
    n_p, n_c, n_o = len(keys.period_uniques), len(counties), len(keys.org_uniques)
    if school_pos is None or len(school_pos) != n_o:
        school_pos = registry_positions(keys.org_uniques, reg["code"])
    county_of_reg = registry_positions(pd.Index(reg["county_code"].astype(str)), counties)
    county = registry_positions(keys.org_uniques, counties)  # per org code: its county
    county = np.where(county >= 0, county, np.r_[county_of_reg, -1][school_pos])
    # which org codes reported anything, per period: one bitmap, no hashing of rows
    ok = keep
    if keys.org.min(initial=0) < 0 or keys.period.min(initial=0) < 0:
        ok = keep & (keys.org >= 0) & (keys.period >= 0)
    pair = keys.org * n_p + keys.period
    flat = np.zeros(n_o * n_p, dtype=bool)
    flat[pair if ok.all() else pair[ok]] = True
    seen = flat.reshape(n_o, n_p)
    c1 = county + 1  # 0: no county
    sent = np.stack(
        [np.bincount(c1, weights=seen[:, p], minlength=n_c + 1)[1:] > 0 for p in range(n_p)],
        axis=1,
    )
    listed = county_of_reg >= 0
    expected = np.bincount(county_of_reg[listed], minlength=n_c)
    reported = np.zeros((len(reg), n_p), dtype=bool)  # registry school x period
    is_school = school_pos >= 0
    reported[school_pos[is_school]] = seen[is_school]
    got = np.stack(
        [
            np.bincount(county_of_reg[listed], weights=reported[listed, p], minlength=n_c)
            for p in range(n_p)
        ],
        axis=1,
    )
    short = sent & (got < expected[:, None])
    if not short.any():
        return []
    # the file each short county sent its rows in (the most common one), found in one pass
    row_county = np.r_[county, -1][keys.org]
    cell = np.where((row_county >= 0) & (keys.period >= 0), row_county * n_p + keys.period, -1)
    rows = np.flatnonzero(np.r_[short.ravel(), False][cell] & ok)  # -1 reads the False
    found = pd.DataFrame(
        {
            "c": row_county[rows],
            "p": keys.period[rows],
            "file": values["file"].to_numpy()[rows],
        }
    )
    file_of = found.groupby(["c", "p"])["file"].agg(lambda f: f.mode().iloc[0]).to_dict()
    names = dict(zip(org_units.units["code"].astype(str), org_units.units["name"], strict=True))
    problems = []
    for c, p in zip(*np.nonzero(short), strict=True):
        missing = reg[listed & (county_of_reg == c) & ~reported[:, p]]
        stages = missing["stage"].astype(str).value_counts()
        code, period = str(counties.iloc[c]), str(keys.period_uniques[p])
        problems.append(
            Problem(
                str(file_of.get((c, p), "（未报送）")),
                None,
                "学校明细",
                None,
                f"{names.get(code, code)}（{code}）{period}的学校明细缺少学校名录（schools.csv）"
                f"中的 {len(missing)} 所学校（名录共 {int(expected[c])} 所，报送 "
                f"{int(got[c, p])} 所；缺 {'、'.join(f'{s} {n} 所' for s, n in stages.items())}），"
                "这些学校的数据不计入汇总，请补报",
                "warning",
                code,
                period,
                "school_coverage",
            )
        )
    return problems
