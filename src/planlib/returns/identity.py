"""Whose numbers a row and a file are: identity checks across a set of returns.

- **Names against the registry.** Every row's name (单位名称, 学校名称) is compared with the
  registry's name of its code: a name that is another unit's is an error naming both, and the
  row is not counted (a code column pasted back in another order, a neighbour's template).
  When several rows of one table disagree so, the code column is out of line with the names
  and the whole table is refused.
- **One county per file.** A file's county is decided once, from its name and folder (a county
  code or name), its title rows (填报单位：城关区教育局) and its contents (the county of each
  row). When the name and the contents disagree the file is at fault and none of it is
  counted; rows of another county in a county's file are errors: never counted for the other.
- **One return per county and quarter.** Two files giving one county's rows of one level for
  one quarter: a name saying 更正/修订/修改/最终 or a later 报出日期 wins and the other is set
  aside (a warning naming both); otherwise both are refused (an error naming the county).

What reading knows of a table beyond its values (the names per row, its title, its send date)
comes as a ``_facts`` record among its problems (so it is cached with them), which
:func:`split_facts` takes out before any problem is shown.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from ..errors import Problem

if TYPE_CHECKING:
    from .orgunits import OrgUnits

FACTS = "_facts"
_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
_CORRECTED = re.compile(r"更正|修订|修改|最终|终稿|更新")
_SPACES = re.compile(r"[\s\u3000]+")


def facts_problem(where: str, names: dict[int, str], title: str, sent: str | None) -> Problem:
    """The record of what a table says beyond its values (never shown: see split_facts)."""
    payload = {"names": {str(r): n for r, n in names.items()}, "title": title[:300], "sent": sent}
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return Problem(where, None, None, None, text, "warning", None, None, FACTS)


@dataclass
class Facts:
    """Per table (file［sheet］): row names, title text and send date (报出日期)."""

    names: dict[str, dict[int, str]] = field(default_factory=dict)
    title: dict[str, str] = field(default_factory=dict)
    sent: dict[str, str] = field(default_factory=dict)


def split_facts(problems: Iterable[Problem]) -> tuple[list[Problem], Facts]:
    """The problems to show, and the facts records among them."""
    shown: list[Problem] = []
    facts = Facts()
    for p in problems:
        if p.rule != FACTS:
            shown.append(p)
            continue
        try:
            payload = json.loads(p.message)
        except ValueError:
            continue
        facts.names[p.file] = {int(r): str(n) for r, n in payload.get("names", {}).items()}
        facts.title[p.file] = str(payload.get("title") or "")
        if payload.get("sent"):
            facts.sent[p.file] = str(payload["sent"])
    return shown, facts


@lru_cache(maxsize=65536)
def norm(name: Any) -> str:
    """A name compared loosely: NFKC, no spaces, no brackets' width differences."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(name or "")))


def physical(where: str) -> str:
    """The file of a table (``file［sheet］`` → ``file``)."""
    return where.split("［", 1)[0]


class Registry:
    """Names and counties of the registry's units and schools, by code and by name."""

    def __init__(self, org_units: OrgUnits) -> None:
        units, schools = org_units.units, org_units.schools

        def column(frame: pd.DataFrame, name: str) -> list[str]:
            return frame[name].astype(str).tolist()

        school_codes = column(schools, "code")
        self.name_of = dict(zip(column(units, "code"), column(units, "name"), strict=True))
        self.name_of |= dict(zip(school_codes, column(schools, "name"), strict=True))
        counties = units[units["code"].isin(org_units.counties()["code"])]
        self.county_names = dict(
            zip(column(counties, "code"), column(counties, "name"), strict=True)
        )
        self.county_of = {c: c for c in self.county_names}
        self.county_of |= dict(zip(school_codes, column(schools, "county_code"), strict=True))

    @classmethod
    def of(cls, org_units: OrgUnits) -> Registry:
        return cls(org_units)

    @cached_property
    def code_of(self) -> dict[str, str]:
        """Loose name -> code, for names borne by one unit only (built when first needed)."""
        seen = Counter(norm(n) for n in self.name_of.values())
        return {norm(n): c for c, n in self.name_of.items() if seen[norm(n)] == 1}

    def county_said(self, text: str) -> str | None:
        """The one county a text names by code or by name, else None."""
        return county_said(text, self.county_names)


def county_said(text: str, counties: Mapping[str, str]) -> str | None:
    """The one county (``counties``: code -> name) a text names by its code or its name, else
    None (none named, or several)."""
    codes = {c for c in _CODE.findall(text) if c in counties}
    if len(codes) == 1:
        return codes.pop()
    if codes:
        return None
    flat = norm(text)
    found = {c for c, n in counties.items() if n and norm(n) in flat}
    return found.pop() if len(found) == 1 else None


def owner_of_file(path: str | PurePath, counties: Mapping[str, str]) -> str | None:
    """The county a return file belongs to by where it lies: the one county its file name
    names (by code or name), else the nearest folder that names one; None if none does.

    ``counties`` maps county codes to names. The one rule for a file's county: reading
    (:func:`check_owners`, which also weighs the title and the rows), quality and the
    reports use it. A sheet suffix (``file［sheet］``) is ignored."""
    path = PurePath(physical(str(path)))
    said = county_said(path.stem, counties)
    if said is not None:
        return said
    for folder in reversed(path.parent.parts):
        said = county_said(folder, counties)
        if said is not None:
            return said
    return None


def _p(
    file: str,
    row: int | None,
    code: str | None,
    period: str | None,
    message: str,
    rule: str,
    severity: str = "error",
    column: str | None = None,
) -> Problem:
    return Problem(file, row, column, code, message, severity, code, period, rule)


@dataclass
class _Rows:
    """The rows of a values frame coded once: each value's file (an integer code), the files'
    physical names, and one entry per (table, Excel row) with its org code and period."""

    values: pd.DataFrame
    fcode: np.ndarray
    files: list[str]
    phys: list[str]
    first: np.ndarray  # position of each (table, row)'s first value

    @classmethod
    def of(cls, values: pd.DataFrame) -> _Rows:
        fcode, uniques = pd.factorize(values["file"])
        files = [str(u) for u in uniques]
        row = values["row"].to_numpy(dtype=np.int64)
        key = fcode.astype(np.int64) * (int(row.max()) + 1 if len(row) else 1) + row
        first = np.unique(key, return_index=True)[1]
        return cls(values, fcode, files, [physical(f) for f in files], first)

    @cached_property
    def _table(self) -> pd.DataFrame:
        at = self.first
        v = self.values
        return pd.DataFrame(
            {
                "file": np.asarray(self.files, dtype=object)[self.fcode[at]],
                "row": v["row"].to_numpy()[at],
                "org_code": v["org_code"].take(at).to_numpy(dtype=object),
                "period": v["period"].take(at).to_numpy(dtype=object),
                "pos": at,
                "phys": np.asarray(self.phys, dtype=object)[self.fcode[at]],
            }
        )

    def table(self, keep: np.ndarray) -> pd.DataFrame:
        """One row per (table, Excel row) still kept: file, row, org_code, period, pos, phys."""
        return self._table[keep[self.first]]

    def of_file(self, phys: str) -> np.ndarray:
        """Per value: whether it is in the (physical) file."""
        return np.isin(self.fcode, [i for i, p in enumerate(self.phys) if p == phys])

    def of_table(self, where: str) -> np.ndarray:
        return self.fcode == self.files.index(where)


def check_names(rows: _Rows, keep: np.ndarray, facts: Facts, reg: Registry) -> list[Problem]:
    """Rows whose name is another unit's: errors, not counted; a table with several such rows
    has its code column out of line with its names and is refused whole (``keep`` changed)."""
    if not facts.names:
        return []
    table = rows.table(keep)
    table = table[table["file"].isin(list(facts.names))]
    names = facts.names
    files, codes = table["file"].tolist(), table["org_code"].tolist()
    said_all = np.array(
        [names[f].get(r) for f, r in zip(files, table["row"].tolist(), strict=True)], dtype=object
    )
    own_all = np.array([reg.name_of.get(c) for c in codes], dtype=object)
    odd = (said_all != own_all) & (said_all != None) & (own_all != None)  # noqa: E711
    table = table[odd]
    bad: dict[str, list[tuple[int, str, str, str, str]]] = {}
    for f, r, code, period in zip(
        table["file"].tolist(),
        table["row"].tolist(),
        table["org_code"].tolist(),
        table["period"].tolist(),
        strict=True,
    ):
        said, own = names[f][int(r)], reg.name_of[code]
        if norm(said) == norm(own):
            continue
        other = reg.code_of.get(norm(said))
        if other is not None and other != code:
            bad.setdefault(f, []).append((int(r), code, said, other, period))
    problems: list[Problem] = []
    row_of = rows.values["row"].to_numpy()
    for f, hits in bad.items():
        named = len(facts.names[f])
        for r, code, said, other, period in hits:
            problems.append(
                _p(
                    f,
                    r,
                    code,
                    period,
                    f"代码 {code} 在单位名录中是「{reg.name_of[code]}」，本行名称「{said}」却是代码 "
                    f"{other} 的单位：代码与名称不符，该行未计入；请核对代码列是否错位或套用了他人的表格",
                    "name_mismatch",
                    column="名称",
                )
            )
        in_table = rows.of_table(f)
        if len(hits) >= 2 and len(hits) >= 0.1 * named:
            keep &= ~in_table
            problems.append(
                _p(
                    f,
                    hits[0][0],
                    None,
                    hits[0][4],
                    f"本表有 {len(hits)} 行的代码与名称分属不同单位，代码列与名称列已错位"
                    "（如代码列单独排过序），整张表未计入；请核对后重新报送",
                    "name_mismatch",
                )
            )
        else:
            keep &= ~(in_table & np.isin(row_of, [h[0] for h in hits]))
    return problems


@dataclass(frozen=True)
class FileOwner:
    """What decided a file's county: its name (and folder), its title, its contents."""

    file: str
    by_name: str | None
    by_title: str | None
    by_content: str

    @property
    def county(self) -> str | None:
        said = [c for c in (self.by_name, self.by_title) if c]
        return said[0] if said else None


def _owners(rows: pd.DataFrame, facts: Facts, reg: Registry) -> dict[str, FileOwner]:
    """Each file's owner (files of county or school rows only)."""
    counts: dict[str, Counter[str]] = {}
    county_of = reg.county_of
    files, codes = rows["phys"].tolist(), rows["org_code"].tolist()
    pairs = Counter((f, county_of.get(c)) for f, c in zip(files, codes, strict=True))
    for (f, c), n in pairs.items():
        if c is not None:
            counts.setdefault(str(f), Counter())[str(c)] += n
    titles: dict[str, str] = {}
    for where, title in facts.title.items():
        titles[physical(where)] = titles.get(physical(where), "") + " " + title
    out = {}
    for f, counter in counts.items():
        by_name = owner_of_file(f, reg.county_names)
        content = counter.most_common(1)[0][0]
        by_title = reg.county_said(titles.get(f, "")) if titles.get(f) else None
        out[f] = FileOwner(f, by_name, by_title, content)
    return out


def check_owners(
    rows: _Rows, keep: np.ndarray, facts: Facts, reg: Registry
) -> tuple[list[Problem], dict[str, str]]:
    """A county's file holds only that county's rows: a file whose name (or title) and
    contents disagree is refused whole; rows of another county in it are errors (``keep``
    changed). Returns the problems and each file's county."""
    table = rows.table(keep)
    owners = _owners(table, facts, reg)
    problems: list[Problem] = []
    county: dict[str, str] = {f: o.county or o.by_content for f, o in owners.items()}
    refused: set[str] = set()
    for f, o in owners.items():
        said = o.by_name or o.by_title
        if said is None or o.by_content == said:
            continue
        if o.by_name and o.by_title and o.by_name != o.by_title:
            why = f"文件名表明是{_who(reg, o.by_name)}，标题却是{_who(reg, o.by_title)}"
        else:
            by = "文件名" if o.by_name else "标题"
            why = f"{by}表明是{_who(reg, said)}的报表，内容却主要是{_who(reg, o.by_content)}的数据"
        first = table[table["phys"] == f].iloc[0]
        problems.append(
            _p(
                str(first["file"]),
                int(first["row"]),
                said,
                str(first["period"]),
                f"{why}：无法确定是哪个县区的报表，整个文件未计入（也不计入其他县区）；"
                "请核对文件名和表中的代码、名称后重新报送",
                "file_owner",
            )
        )
        keep &= ~rows.of_file(f)
        county[f] = said
        refused.add(f)
    owned = {f for f, o in owners.items() if o.county and f not in refused}
    stray = table[table["phys"].isin(list(owned))]
    theirs_all = [reg.county_of.get(c) for c in stray["org_code"].tolist()]
    mine_all = [county.get(f) for f in stray["phys"].tolist()]
    odd = [t is not None and t != m for t, m in zip(theirs_all, mine_all, strict=True)]
    stray = stray[np.asarray(odd, dtype=bool)]
    row_of = rows.values["row"].to_numpy()
    for f, r, code, period, phys in zip(
        stray["file"].tolist(),
        stray["row"].tolist(),
        stray["org_code"].tolist(),
        stray["period"].tolist(),
        stray["phys"].tolist(),
        strict=True,
    ):
        mine, theirs = county.get(phys, ""), reg.county_of.get(code)
        if theirs is None or theirs == mine:
            continue
        who = "学校" if code != theirs else "单位"
        problems.append(
            _p(
                f,
                int(r),
                code,
                period,
                f"文件名表明这是{_who(reg, mine)}的报表，但本行{who} {code} 属于{_who(reg, theirs)}"
                "：该行未计入（也不计入其他县区），请核对是否报错了文件或学校",
                "file_owner",
            )
        )
        keep &= ~(rows.of_table(f) & (row_of == r))
    return problems, county


def _who(reg: Registry, code: str) -> str:
    return f"{reg.county_names.get(code, code)}（{code}）"


_DATE = re.compile(r"(20\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def _sent_key(text: str | None) -> tuple[int, int, int] | None:
    m = _DATE.search(text or "")
    return (int(m[1]), int(m[2]), int(m[3])) if m else None


def check_one_return(
    rows: _Rows, keep: np.ndarray, facts: Facts, county: dict[str, str], levels: np.ndarray
) -> list[Problem]:
    """Two files for one county, quarter and level (county rows, school rows): the corrected
    one (更正/修订/修改/最终 in its name, or the later 报出日期) wins and the other is set aside
    with a warning naming both; otherwise both are refused with an error naming the county.

    ``levels`` holds per value whether its element is a school one (``keep`` changed)."""
    table = rows.table(keep)
    at = table["pos"].to_numpy()
    f_code, f_u = pd.factorize(table["phys"])
    p_code, p_u = pd.factorize(table["period"])
    combined = (f_code.astype(np.int64) * (len(p_u) + 1) + p_code) * 2 + levels[at]
    first = np.unique(combined, return_index=True)[1]
    frame = pd.DataFrame(
        {
            "file": np.asarray(f_u, dtype=object)[f_code[first]],
            "period": np.asarray(p_u, dtype=object)[p_code[first]],
            "level": levels[at][first],
        }
    )
    frame = frame[frame["file"].isin(list(county))]
    frame["county"] = frame["file"].map(county)
    sent: dict[str, tuple[int, int, int]] = {}
    for where, text in facts.sent.items():
        k = _sent_key(text)
        if k is not None:
            sent[physical(where)] = max(k, sent.get(physical(where), k))
    problems: list[Problem] = []
    period_col = rows.values["period"].to_numpy()
    said: set[tuple[str, ...]] = set()
    for key, group in frame.groupby(["county", "period", "level"], sort=False):
        c, period = str(cast(tuple, key)[0]), str(cast(tuple, key)[1])
        files = sorted(set(group["file"]))
        if len(files) < 2 or (c, period, *files) in said:
            continue
        said.add((c, period, *files))
        winner = _winner(files, sent)
        for f in files:
            if f == winner:
                continue
            keep &= ~(rows.of_file(f) & (period_col == period))
        names = "、".join(files)
        if winner is not None:
            for f in files:
                if f != winner:
                    problems.append(
                        _p(
                            f,
                            None,
                            c,
                            str(period),
                            f"{c} {period} 有两份报表：{names}；以更正后的「{winner}」为准，"
                            f"本文件未计入",
                            "superseded",
                            severity="warning",
                        )
                    )
        else:
            for f in files:
                problems.append(
                    _p(
                        f,
                        None,
                        c,
                        str(period),
                        f"县区 {c} 的 {period} 报表有 {len(files)} 份（{names}），无法确定以哪份为准，"
                        "均未计入；请只保留一份（更正后的文件名可注明“更正”）后重新报送",
                        "two_returns",
                    )
                )
    return problems


def _winner(files: list[str], sent: dict[str, tuple[int, int, int]]) -> str | None:
    marked = [f for f in files if _CORRECTED.search(PurePath(f).stem)]
    if len(marked) == 1:
        return marked[0]
    dates = [sent.get(f) for f in files]
    if all(dates):
        best = max(d for d in dates if d)
        top = [f for f, d in zip(files, dates, strict=True) if d == best]
        if len(top) == 1:
            return top[0]
    return None


def check_identity(
    values: pd.DataFrame, facts: Facts, org_units: OrgUnits, school: np.ndarray
) -> tuple[np.ndarray, list[Problem]]:
    """Names against the registry, one county per file, one return per county and quarter:
    the rows to keep and the problems. ``school``: per row, whether its element is a school
    one."""
    reg = Registry.of(org_units)
    rows = _Rows.of(values)
    keep = np.ones(len(values), dtype=bool)
    problems = check_names(rows, keep, facts, reg)
    found, county = check_owners(rows, keep, facts, reg)
    problems += found
    problems += check_one_return(rows, keep, facts, county, school)
    return keep, problems
