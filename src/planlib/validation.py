"""Checks on county returns beyond single cells: codes, duplicates, cross-element rules in the
spirit of DHIS2 validation rules, quarter-on-quarter jumps and completeness.

Every problem names the file, the row as Excel numbers it, the column header and the value, with a
plain Chinese message and a severity. ``validate`` is what ``planlib validate`` runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

from .dictionary import Dictionary, load_dictionary
from .errors import Problem
from .orgunits import OrgUnits
from .periods import parse_period

PROBLEM_COLUMNS = [f.name for f in fields(Problem)]


def problems_frame(problems: Iterable[Problem]) -> pd.DataFrame:
    """One row per problem, errors first, then by file and row."""
    frame = pd.DataFrame([vars(p) for p in problems], columns=PROBLEM_COLUMNS)
    if frame.empty:
        return frame.astype({"row": "Int64"})
    frame["row"] = frame["row"].astype("Int64")
    order = frame["severity"].map({"error": 0, "warning": 1})
    return (
        frame.assign(_o=order)
        .sort_values(["_o", "file", "row"], kind="stable", na_position="first")
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def _p(
    r: pd.Series, message: str, rule: str, severity: str = "error", value: object = None
) -> Problem:
    return Problem(
        str(r["file"]),
        int(r["row"]),
        str(r["column"]),
        None if value is None else f"{value:g}" if isinstance(value, float) else str(value),
        message,
        severity,
        str(r["org_code"]),
        str(r["period"]),
        rule,
    )


def _isin(items: pd.Index, codes: pd.Series) -> np.ndarray:
    """Membership of strings in a code list, in Arrow (pandas' string isin loops in Python)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.is_in(pa.array(items.astype(str)), value_set=pa.array(codes.astype(str)))
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)


def check_codes(
    values: pd.DataFrame, org_units: OrgUnits, d: Dictionary
) -> tuple[pd.Series, list[Problem]]:
    """Unknown county or school codes; returns a mask of rows to keep and the problems."""
    # factorize once: membership is then checked on the distinct codes, not on every row
    org_idx, org_uniques = pd.factorize(values["org_code"])
    el_idx, el_uniques = pd.factorize(values["element"])
    levels = {e.code: e.level for e in d.elements}
    is_school = np.array([levels.get(str(e)) == "school" for e in el_uniques], dtype=bool)[el_idx]
    uniq = pd.Index(org_uniques)
    in_units = _isin(uniq, org_units.units["code"])[org_idx]
    in_schools = _isin(uniq, org_units.schools["code"])[org_idx]
    known = np.where(is_school, in_schools, in_units)
    level = pd.Series(np.where(is_school, "school", "unit"), index=values.index)
    keep = pd.Series(known, index=values.index)
    problems = []
    first = values.assign(_level=level)[~keep].drop_duplicates(["file", "row"])
    for _, r in first.iterrows():
        kind = "学校标识码" if r["_level"] == "school" else "行政区划代码"
        problems.append(
            Problem(
                str(r["file"]),
                int(r["row"]),
                kind,
                str(r["org_code"]),
                f"{kind}「{r['org_code']}」不在单位名录中，该行未计入",
                "error",
                str(r["org_code"]),
                str(r["period"]),
                "unknown_code",
            )
        )
    return keep, problems


def check_duplicates(values: pd.DataFrame) -> tuple[pd.Series, list[Problem]]:
    """The same org unit, period and element reported twice: the first is kept."""
    key = np.zeros(len(values), dtype="int64")
    for col in ("org_code", "period", "element"):
        codes, uniques = pd.factorize(values[col])
        key = key * (len(uniques) + 1) + codes
    dup = pd.Series(pd.Index(key).duplicated(keep="first"), index=values.index)
    problems: list[Problem] = []
    if not dup.any():
        return ~dup, problems
    twice = pd.Series(key, index=values.index).isin(key[dup.to_numpy()])
    firsts = (
        values[twice & ~dup]
        .drop_duplicates(["org_code", "period", "element"])
        .set_index(["org_code", "period", "element"])
    )
    for _, r in values[dup].drop_duplicates(["file", "row"]).iterrows():
        f = firsts.loc[(r["org_code"], r["period"], r["element"])]  # type: ignore[index]
        problems.append(
            Problem(
                str(r["file"]),
                int(r["row"]),
                None,
                str(r["org_code"]),
                f"单位 {r['org_code']} 的 {r['period']} 数据重复（首次出现在 {f['file']} 第 {f['row']} 行），本行未计入",
                "error",
                str(r["org_code"]),
                str(r["period"]),
                "duplicate",
            )
        )
    return ~dup, problems


def check_rules(values: pd.DataFrame, d: Dictionary) -> tuple[pd.Series, list[Problem]]:
    """Cross-element rules per org unit and period; error rules drop the elements they name."""
    named = {t.element for r in d.rules for t in (*r.left.terms, *r.right.terms)}
    sub = values[values["element"].isin(named)]
    wide = sub.pivot_table(
        index=["org_code", "period"], columns="element", values="value", aggfunc="first"
    )
    where = sub.drop_duplicates(["org_code", "period", "element"]).set_index(
        ["org_code", "period", "element"]
    )
    keep = pd.Series(True, index=values.index)
    problems = []
    for rule in d.rules:
        names = [t.element for t in (*rule.left.terms, *rule.right.terms)]
        if any(n not in wide for n in names):
            continue
        cols = {t.key: wide[t.element] for t in (*rule.left.terms, *rule.right.terms)}
        frame = pd.DataFrame(cols, index=wide.index)
        left, right = rule.left.evaluate(frame), rule.right.evaluate(frame)
        ok = {
            "<=": left <= right + 1e-9,
            ">=": left >= right - 1e-9,
            "<": left < right,
            ">": left > right,
            "==": (left - right).abs() <= 1e-6 * right.abs().clip(lower=1),
        }[rule.op]
        failed = ~ok & left.notna() & right.notna()
        for org, period in wide.index[failed.to_numpy()]:
            first = rule.left.terms[0].element
            r = where.loc[(org, period, first)]  # type: ignore[index]
            lv, rv = left.loc[(org, period)], right.loc[(org, period)]
            problems.append(
                Problem(
                    str(r["file"]),
                    int(r["row"]),
                    str(r["column"]),
                    f"{lv:g}",
                    f"{rule.message}（左边 {lv:g}，右边 {rv:g}）",
                    rule.severity,
                    org,
                    period,
                    rule.code,
                )
            )
            if rule.severity == "error":
                drop = (
                    (values["org_code"] == org)
                    & (values["period"] == period)
                    & values["element"].isin(names)
                )
                keep &= ~drop
    return keep, problems


def check_jumps(values: pd.DataFrame, d: Dictionary) -> list[Problem]:
    """Stocks that move more than the dictionary's threshold from the previous quarter (warning)."""
    stocks = {
        e.code
        for e in d.elements
        if e.temporal == "stock" and e.kind != "flag" and e.level != "school"
    }
    v = values[values["element"].isin(stocks)].copy()
    if v.empty:
        return []
    previous = {p: str(parse_period(p).previous()) for p in v["period"].unique()}
    v["prev_period"] = v["period"].map(previous)
    prev = v[["org_code", "period", "element", "value"]].rename(
        columns={"period": "prev_period", "value": "prev"}
    )
    j = v.merge(prev, on=["org_code", "prev_period", "element"], how="inner")
    change = (j["value"] - j["prev"]).abs() / j["prev"].where(
        j["prev"] >= max(d.jump_min_base, 1e-9)
    )
    problems = []
    for _, r in j[change > d.jump_threshold].iterrows():
        problems.append(
            Problem(
                str(r["file"]),
                int(r["row"]),
                str(r["column"]),
                f"{r['value']:g}",
                f"与上季度（{r['prev']:g}）相比变动超过 {d.jump_threshold:.0%}，请核对",
                "warning",
                str(r["org_code"]),
                str(r["period"]),
                "jump",
            )
        )
    return problems


def check_completeness(values: pd.DataFrame, org_units: OrgUnits, d: Dictionary) -> list[Problem]:
    """Which county and period has no return at all (reports expected vs received)."""
    periods = sorted(values["period"].unique(), key=parse_period)
    county_elements = {e.code for e in d.elements_at("county")}
    got = set(
        map(
            tuple,
            values.loc[values["element"].isin(county_elements), ["org_code", "period"]]
            .drop_duplicates()
            .to_numpy(),
        )
    )
    problems = []
    for code, name in org_units.counties()[["code", "name"]].itertuples(index=False):
        for p in periods:
            if (code, p) not in got:
                problems.append(
                    Problem(
                        "（未报送）",
                        None,
                        None,
                        None,
                        f"{name}（{code}）{p} 的报表未报送",
                        "warning",
                        code,
                        p,
                        "missing_return",
                    )
                )
    return problems


@dataclass(frozen=True)
class ValidationResult:
    """Problems found in a set of returns, and the values that passed."""

    problems: pd.DataFrame
    values: pd.DataFrame
    org_units: OrgUnits | None = None

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not (self.problems["severity"] == "error").any()

    def summary(self) -> pd.DataFrame:
        """One row per county: its name, errors and warnings (the county of a school included)."""
        p = self.problems
        org = p["org_code"].fillna("")
        if self.org_units is not None:
            county_of = self.org_units.schools.set_index("code")["county_code"]
            org = org.map(county_of).fillna(org)
        frame = pd.DataFrame({"org_code": org, "severity": p["severity"]})
        out = (
            frame.assign(
                errors=frame["severity"].eq("error"), warnings=frame["severity"].eq("warning")
            )
            .groupby("org_code", as_index=False)[["errors", "warnings"]]
            .sum()
        )
        if self.org_units is not None:
            counties = self.org_units.counties()[["code", "name"]].rename(
                columns={"code": "org_code"}
            )
            out = counties.merge(out, on="org_code", how="outer").fillna(
                {"errors": 0, "warnings": 0}
            )
            out["name"] = out["name"].fillna(out["org_code"])
        else:
            out["name"] = out["org_code"]
        return out.astype({"errors": "int64", "warnings": "int64"})[
            ["org_code", "name", "errors", "warnings"]
        ]


def validate_values(
    values: pd.DataFrame, problems: list[Problem], org_units: OrgUnits | None, d: Dictionary
) -> ValidationResult:
    """Run the checks that need the whole set (and the registry) on values read from files."""
    all_problems = list(problems)
    keep = pd.Series(True, index=values.index)
    if org_units is not None:
        k, found = check_codes(values, org_units, d)
        keep &= k
        all_problems += found
    k, found = check_duplicates(values[keep])
    keep.loc[k.index] &= k
    all_problems += found
    k, found = check_rules(values[keep], d)
    keep.loc[k.index] &= k
    all_problems += found
    all_problems += check_jumps(values[keep], d)
    if org_units is not None:
        all_problems += check_completeness(values[keep], org_units, d)
    return ValidationResult(
        problems_frame(all_problems), values[keep].reset_index(drop=True), org_units
    )


def validate(
    paths: str | Path | Iterable[str | Path], dictionary: Dictionary | None = None
) -> ValidationResult:
    """Check returns: a data folder (with org_units.csv) or return files. Never raises for bad data."""
    from .dataset import load_dataset

    items = [paths] if isinstance(paths, str | Path) else list(paths)
    if (
        len(items) == 1
        and Path(items[0]).is_dir()
        and (
            (Path(items[0]) / "org_units.csv").exists()
            or (Path(items[0]) / "org_units.parquet").exists()
        )
    ):
        ds = load_dataset(items[0], dictionary=dictionary)
        return ValidationResult(ds.problems, ds.values, ds.org_units)
    from .returns import read_returns

    d = dictionary or load_dictionary()
    values, problems = read_returns(items, d)
    return validate_values(values, problems, None, d)
