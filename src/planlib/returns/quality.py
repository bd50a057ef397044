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

from ..catalog.applicability import Filters, folder_scopes, not_applicable
from ..catalog.dictionary import Dictionary
from ..periods import find_period
from .cells import PERIOD_CODE
from .identity import owner_of_file
from .reading import RETURN_SUFFIXES

if TYPE_CHECKING:
    from .dataset import Dataset

QUALITY_COLUMNS = [
    "org_code",
    "name",
    "period",
    "files",
    "elements_expected",
    "elements_reported",
    "completeness",
    "errors",
    "warnings",
    "missing",
]
_SHEET = re.compile(r"［[^［］]*］$")


def quality(ds: Dataset, d: Dictionary) -> pd.DataFrame:
    """One row per county and period with data; see :meth:`Dataset.quality` for the columns."""
    counties = ds.org_units.counties()[["code", "name"]].astype(str)
    periods = ds.periods
    grid = pd.MultiIndex.from_product([counties["code"], periods], names=["org_code", "period"])
    schools = ds.org_units.schools
    county_of = dict(zip(counties["code"], counties["code"], strict=True)) | dict(
        zip(schools["code"].astype(str), schools["county_code"].astype(str), strict=True)
    )
    named = _named_files(ds, dict(zip(counties["code"], counties["name"], strict=True)))

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
    # a school owes the required school elements that apply to it (its stage and ownership)
    scopes = _scopes(ds, d)
    na = {e: c for e, c in not_applicable(scopes, schools).items() if e in required}
    if na:
        keys = zip(reported["org_code"], reported["element"], strict=True)
        applicable = [o not in na.get(e, ()) for o, e in keys]
        reported = reported[np.array(applicable, dtype=bool)]
    per_school = sum(1 for e in d.elements if e.required and e.level == "school")
    per_county = sum(1 for e in d.elements if e.required and e.level == "county")
    county_of_school = schools["county_code"].astype(str)
    n_schools = schools.groupby(county_of_school).size()
    expected = per_county + per_school * n_schools.reindex(counties["code"], fill_value=0)
    if na:
        school_county = dict(zip(schools["code"].astype(str), county_of_school, strict=True))
        exempt = pd.Series([school_county[c] for codes in na.values() for c in codes], dtype="str")
        expected = expected - exempt.value_counts().reindex(expected.index, fill_value=0)

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


def _scopes(ds: Dataset, d: Dictionary) -> dict[str, tuple[Filters, ...]]:
    """Which school elements apply to which schools: the dataset's, else worked out from the
    indicators in force for its folder."""
    if ds.scopes is not None:
        return ds.scopes
    return folder_scopes(ds.path, d) if ds.path.is_dir() else {}


def _count(rows: pd.DataFrame, grid: pd.MultiIndex) -> np.ndarray:
    """How many of ``rows`` (with county and period columns) fall on each (county, period)."""
    n = rows.groupby(["county", "period"]).size()
    n.index = n.index.set_names(["org_code", "period"])
    return n.reindex(grid, fill_value=0).to_numpy(dtype="int64")


def _named_files(ds: Dataset, counties: dict[str, str]) -> pd.DataFrame:
    """Return files whose name (or folder) gives a county (:func:`identity.owner_of_file`)
    and whose path a quarter (990102.xlsx under returns/2022Q1/): org_code, period, file —
    whatever the file turned out to hold."""
    rows = []
    for path in ds.inputs["path"].astype(str):
        parts = PurePath(path)
        if parts.suffix.lower() not in RETURN_SUFFIXES or "ledger" in parts.parts:
            continue
        owner = owner_of_file(parts, counties)
        period = find_period(path)
        if owner is not None and period is not None:
            rows.append((owner, str(period), path))
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
        lambda x: isinstance(x, str) and bool(PERIOD_CODE.fullmatch(x)) and x in periods
    )
    period = period.where(valid, file.map(owner["period"]))
    placed = pd.DataFrame(
        {"county": county, "period": period, "severity": p["severity"], "rule": p["rule"]}
    )
    return placed[placed["county"].notna() & placed["period"].isin(list(periods))]
