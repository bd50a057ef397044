"""Checks on county returns beyond single cells: codes, duplicates, cross-element rules in the
spirit of DHIS2 validation rules, plausibility (``plausibility.py``), completeness of returns
and of each county's school list.

Every problem names the file, the row as Excel numbers it, the column header and the value, with a
plain Chinese message and a severity. ``validate`` is what ``planlib validate`` runs.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from ..catalog.applicability import Scopes, not_applicable
from ..catalog.dictionary import Dictionary
from ..errors import Problem
from ..periods import parse_period
from .cells import cap_problems
from .coverage import check_school_coverage, registry_positions
from .identity import check_identity, owner_of_file, split_facts
from .orgunits import OrgUnits
from .schoolsums import school_checks

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


@dataclass(frozen=True)
class RowKeys:
    """Integer codes of each row's org unit, period and element, computed once per validation.

    National returns hold ~10 million rows; hashing their strings is the dear part of every
    check, so the checks share one factorisation instead of each hashing the columns again.
    """

    org: np.ndarray
    org_uniques: pd.Index
    period: np.ndarray
    period_uniques: pd.Index
    element: np.ndarray
    element_uniques: pd.Index
    row: np.ndarray  # one int64 per (org unit, period, element)
    space: int  # every row key lies in range(space)

    @classmethod
    def of(cls, values: pd.DataFrame) -> RowKeys:
        org, org_uniques = pd.factorize(values["org_code"])
        period, period_uniques = pd.factorize(values["period"])
        element, element_uniques = pd.factorize(values["element"])
        return cls.from_codes(org, org_uniques, period, period_uniques, element, element_uniques)

    @classmethod
    def from_codes(
        cls,
        org: np.ndarray,
        org_uniques: Any,
        period: np.ndarray,
        period_uniques: Any,
        element: np.ndarray,
        element_uniques: Any,
    ) -> RowKeys:
        """Keys from codes a reader already made (-1 for a missing value; a table may hold
        values no row uses)."""
        o, p, e = pd.Index(org_uniques), pd.Index(period_uniques), pd.Index(element_uniques)
        n_p, n_e = len(p) + 1, len(e) + 1
        row = (org.astype("int64") * n_p + period) * n_e + element
        space = (len(o) + 1) * n_p * n_e
        return cls(org, o, period, p, element, e, row, space)

    def take(self, mask: np.ndarray) -> RowKeys:
        """The keys of the rows where ``mask`` holds (the same code tables)."""
        if mask.all():
            return self
        return dataclasses.replace(
            self,
            org=self.org[mask],
            period=self.period[mask],
            element=self.element[mask],
            row=self.row[mask],
        )

    def __len__(self) -> int:
        return len(self.row)

    def scan_key(self, mask: np.ndarray | None = None) -> np.ndarray:
        """The row keys of the rows where ``mask`` holds, renumbered one to one (below
        ``space``, negative only where a code is missing) so that rows next to each other in the
        file mostly get neighbouring numbers: the org unit innermost when it changes from row to
        row (a file written period by period and element by element), :attr:`row` otherwise. A
        bitmap marked in this order is written in sequence, not all over: a third of the time
        for 10 M rows."""

        def kept(codes: np.ndarray) -> np.ndarray:
            return codes if mask is None else codes[mask]

        org = kept(self.org)
        head = org[:10_000]
        if np.count_nonzero(head[1:] != head[:-1]) <= len(head) // 2:
            return kept(self.row)
        n_o, n_e = len(self.org_uniques) + 1, len(self.element_uniques) + 1
        dtype = np.int32 if self.space < 1 << 31 else np.int64
        return (kept(self.period).astype(dtype) * n_e + kept(self.element)) * n_o + org

    def school_rows(self, d: Dictionary) -> np.ndarray:
        """Per row: whether its element is a school-level one (a missing element is not)."""
        levels = {e.code: e.level for e in d.elements}
        school = [levels.get(str(e)) == "school" for e in self.element_uniques]
        return np.array([*school, False], dtype=bool)[self.element]  # code -1 reads the False


def _all_distinct(key: np.ndarray, space: int) -> bool | None:
    """Whether every key differs, by marking a bitmap of the key range (no hashing); None when
    the range is too wide for a bitmap. Keys of missing codes (-1) are negative: counted apart."""
    if space > max(64 * len(key), 1 << 24) or space > 1 << 31:
        return None
    valid = key[key >= 0]
    seen = np.zeros(space, dtype=bool)
    seen[valid] = True
    return int(np.count_nonzero(seen)) == len(valid) and len(valid) == len(key)


def check_codes(
    values: pd.DataFrame,
    org_units: OrgUnits,
    d: Dictionary,
    keys: RowKeys | None = None,
    school_pos: np.ndarray | None = None,
) -> tuple[np.ndarray, list[Problem]]:
    """Unknown county or school codes; returns a mask of rows to keep and the problems.

    ``school_pos``: each of ``keys.org_uniques``' row in the school registry, or -1, when the
    caller has it (:func:`registry_positions`)."""
    k = keys if keys is not None else RowKeys.of(values)
    # membership is checked on the distinct codes, then spread to the rows by their integer codes
    in_units = _isin(k.org_uniques, org_units.units["code"])
    if school_pos is None or len(school_pos) != len(k.org_uniques):
        school_pos = registry_positions(k.org_uniques, org_units.schools["code"])
    in_schools = school_pos >= 0
    is_school = k.school_rows(d)
    known = np.where(is_school, in_schools[k.org], in_units[k.org]) & (k.org >= 0)
    problems: list[Problem] = []
    if known.all():
        return known, problems
    bad = values[~known].assign(school_row=is_school[~known]).drop_duplicates(["file", "row"])
    for r in bad.itertuples(index=False):
        kind = "学校标识码" if r.school_row else "行政区划代码"
        message = f"{kind}「{r.org_code}」不在单位名录中，该行未计入"
        if _SCIENTIFIC.fullmatch(str(r.org_code)):
            message = (
                f"{kind}「{r.org_code}」是 Excel 显示的科学计数法，代码的位数已丢失，该行未计入："
                "请把该列设为文本格式，重新填写完整的代码"
            )
        problems.append(
            Problem(
                str(r.file),
                int(r.row),
                kind,
                str(r.org_code),
                message,
                "error",
                str(r.org_code),
                str(r.period),
                "unknown_code",
            )
        )
    return known, problems


_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?[Ee]\+?\d{1,2}")


def check_duplicates(
    values: pd.DataFrame, row_key: np.ndarray | None = None, space: int | None = None
) -> tuple[np.ndarray, list[Problem]]:
    """The same org unit, period and element reported twice: the first is kept.

    ``row_key`` and ``space`` are :attr:`RowKeys.row` (or :meth:`RowKeys.scan_key`: any one to
    one numbering below ``space``) and :attr:`RowKeys.space` for these rows (computed when not
    given).
    """
    if row_key is None or space is None:
        keys = RowKeys.of(values)
        row_key, space = keys.row, keys.space
    key = row_key
    problems: list[Problem] = []
    if _all_distinct(key, space):  # the usual case, in a tenth of the time of hashing 10M keys
        return np.ones(len(key), dtype=bool), problems
    dup = pd.Series(key).duplicated(keep="first").to_numpy()
    if not dup.any():
        return ~dup, problems
    twice = np.isin(key, key[dup])
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
                        f"{name}（{code}）{p}的报表未报送",
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
    keys: RowKeys | None = None  # integer codes of ``values``' rows, reused by the computation

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
            # a problem of a whole file (unreadable, refused) is its owner's
            counties = self.org_units.counties()
            names = dict(
                zip(counties["code"].astype(str), counties["name"].astype(str), strict=True)
            )
            files = p["file"].astype(str)
            owners = {f: owner_of_file(f, names) or "" for f in files[org == ""].unique()}
            org = org.where(org != "", files.map(lambda f: owners.get(f, "")))
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
    values: pd.DataFrame,
    problems: list[Problem],
    org_units: OrgUnits | None,
    d: Dictionary,
    keys: RowKeys | None = None,
) -> ValidationResult:
    """Run the checks that need the whole set (and the registry) on values read from files.

    ``keys`` are the rows' integer codes when the reader already has them (the tidy Parquet
    reader takes them from the file's dictionary pages); otherwise they are computed here.
    """
    from .plausibility import check_plausibility

    all_problems, facts = split_facts(problems)
    if keys is None or len(keys) != len(values):
        keys = RowKeys.of(values)
    keep = np.ones(len(values), dtype=bool)
    school_pos = None
    if org_units is not None:
        school_pos = registry_positions(keys.org_uniques, org_units.schools["code"])
        known, found = check_codes(values, org_units, d, keys, school_pos)
        keep &= known
        all_problems += found
        if len(values):
            at = np.flatnonzero(keep)
            sub = values if len(at) == len(values) else values.iloc[at]
            ok, found = check_identity(sub, facts, org_units, keys.school_rows(d)[at])
            keep[at[~ok]] = False
            all_problems += found
    kept = values if keep.all() else values[keep]
    first, found = check_duplicates(kept, keys.scan_key(None if keep.all() else keep), keys.space)
    keep[np.flatnonzero(keep)[~first]] = False
    all_problems += found
    # Rules, plausibility and completeness concern unit-level elements only: give them those
    # rows (a few percent of national data, where school rows are the bulk).
    # (a dictionary whose rules name school elements gives them every kept row)
    named = {t.element for r in d.rules for t in (*r.left.terms, *r.right.terms)}
    school_rules = any(d[e].level == "school" for e in named if e in d.codes)
    school = keys.school_rows(d)
    unit_mask = keep if school_rules else keep & ~school
    unit_pos = np.flatnonzero(unit_mask)
    unit_rows = values.iloc[unit_pos]
    k, found = check_rules(unit_rows, d)
    if not k.all():
        ok = k.to_numpy()
        keep[unit_pos[~ok]] = False
        unit_mask[unit_pos[~ok]] = False
        unit_pos, unit_rows = unit_pos[ok], unit_rows[ok]
    all_problems += found
    found = check_plausibility(unit_rows, keys.take(unit_mask), d)
    keep[unit_pos[_fallen(unit_rows, found)]] = False
    all_problems += found
    if org_units is not None:
        all_problems += school_checks(values, keep, school, org_units, d, keys)
    kept = values if keep.all() else values[keep]
    if org_units is not None:
        all_problems += check_completeness(unit_rows, org_units, d)
        all_problems += check_school_coverage(values, keys, keep, org_units, school_pos)
    return ValidationResult(
        problems_frame(cap_problems(all_problems)),
        kept.reset_index(drop=True),
        org_units,
        keys.take(keep),
    )


def _fallen(rows: pd.DataFrame, problems: list[Problem]) -> np.ndarray:
    """Per row of ``rows``: whether it is a year-to-date figure that fell (not counted)."""
    from .plausibility import FALLS

    cells = {(p.file, p.row, p.column) for p in problems if p.rule == FALLS}
    if not cells:
        return np.zeros(len(rows), dtype=bool)
    keys = zip(rows["file"].tolist(), rows["row"].tolist(), rows["column"].tolist(), strict=True)
    return np.fromiter((k in cells for k in keys), dtype=bool, count=len(rows))


def drop_not_applicable(
    problems: pd.DataFrame,
    values: pd.DataFrame,
    org_units: OrgUnits,
    scopes: Scopes,
    d: Dictionary,
) -> pd.DataFrame:
    """``problems`` without the 未填报 (``empty_cell``) warnings of school rows whose element does
    not apply to the school's stage and ownership in the registry
    (:mod:`planlib.catalog.applicability`): a blank or "—" there is what the form asks for."""
    from .headers import match_header

    empty = problems["rule"].eq("empty_cell") & problems["row"].notna()
    schools = org_units.schools
    if not scopes or not empty.any() or schools.empty:
        return problems
    na = not_applicable(scopes, schools)
    seen = values[["file", "column", "element"]].drop_duplicates(["file", "column"])
    by_cell = dict(
        zip(zip(seen["file"], seen["column"], strict=True), seen["element"], strict=True)
    )

    def element(file: str, column: str) -> str | None:
        m = match_header(d, column)
        if m is not None and m.kind == "element":
            return str(m.element)
        found = by_cell.get((file, column))
        return None if found is None else str(found)

    at = problems.index[empty]
    sub = problems.loc[at, ["file", "column", "org_code"]].astype("object")
    drop = [
        (e := element(str(f), str(c))) is not None and str(o) in na.get(e, ())
        for f, c, o in sub.itertuples(index=False)
    ]
    if not any(drop):
        return problems
    return problems.drop(index=at[np.array(drop, dtype=bool)]).reset_index(drop=True)
