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
from collections.abc import Iterable
from dataclasses import dataclass, field
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


def norm(name: Any) -> str:
    """A name compared loosely: NFKC, no spaces, no brackets' width differences."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(name or "")))


def physical(where: str) -> str:
    """The file of a table (``file［sheet］`` → ``file``)."""
    return where.split("［", 1)[0]


@dataclass(frozen=True)
class Registry:
    """Names and counties of the registry's units and schools, by code and by name."""

    name_of: dict[str, str]
    code_of: dict[str, str]  # loose name -> code (names borne by one unit only)
    county_of: dict[str, str]
    county_names: dict[str, str]  # county code -> name

    @classmethod
    def of(cls, org_units: OrgUnits) -> Registry:
        units, schools = org_units.units, org_units.schools
        name_of = dict(zip(units["code"].astype(str), units["name"].astype(str), strict=True))
        name_of |= dict(zip(schools["code"].astype(str), schools["name"].astype(str), strict=True))
        seen = Counter(norm(n) for n in name_of.values())
        code_of = {norm(n): c for c, n in name_of.items() if seen[norm(n)] == 1}
        counties = org_units.counties()
        county_names = dict(zip(counties["code"].astype(str), counties["name"], strict=True))
        county_of = {c: c for c in county_names}
        county_of |= dict(
            zip(schools["code"].astype(str), schools["county_code"].astype(str), strict=True)
        )
        return cls(name_of, code_of, county_of, county_names)

    def county_said(self, text: str) -> str | None:
        """The one county a text names by code or by name (longest name first), else None."""
        codes = {c for c in _CODE.findall(text) if c in self.county_names}
        if len(codes) == 1:
            return codes.pop()
        if codes:
            return None
        flat = norm(text)
        found = {c for c, n in self.county_names.items() if n and norm(n) in flat}
        return found.pop() if len(found) == 1 else None


def _p(
    file: str, row: int | None, code: str | None, period: str | None, message: str, rule: str,
    severity: str = "error", column: str | None = None,
) -> Problem:  # fmt: skip
    return Problem(file, row, column, code, message, severity, code, period, rule)


def check_names(
    values: pd.DataFrame, facts: Facts, reg: Registry
) -> tuple[np.ndarray, list[Problem]]:
    """Rows whose name is another unit's: errors, not counted; a table with several such rows
    has its code column out of line with its names and is refused whole."""
    keep = np.ones(len(values), dtype=bool)
    if not facts.names:
        return keep, []
    rows = values[values["file"].isin(list(facts.names))].drop_duplicates(["file", "row"])
    bad: dict[str, list[tuple[int, str, str, str, str]]] = {}
    for f, r, code, period in zip(
        rows["file"].tolist(), rows["row"].tolist(), rows["org_code"].tolist(),
        rows["period"].tolist(), strict=True,
    ):  # fmt: skip
        said = facts.names[f].get(int(r))
        own = reg.name_of.get(code)
        if not said or own is None or norm(said) == norm(own):
            continue
        other = reg.code_of.get(norm(said))
        if other is not None and other != code:
            bad.setdefault(f, []).append((int(r), code, said, other, period))
    problems: list[Problem] = []
    files = values["file"].to_numpy()
    for f, hits in bad.items():
        named = len(facts.names[f])
        for r, code, said, other, period in hits:
            problems.append(
                _p(f, r, code, period,
                   f"代码 {code} 在单位名录中是「{reg.name_of[code]}」，本行名称「{said}」却是代码 "
                   f"{other} 的单位：代码与名称不符，该行未计入；请核对代码列是否错位或套用了他人的表格",
                   "name_mismatch", column="名称")
            )  # fmt: skip
        if len(hits) >= 2 and len(hits) >= 0.1 * named:
            keep &= files != f
            problems.append(
                _p(f, hits[0][0], None, hits[0][4],
                   f"本表有 {len(hits)} 行的代码与名称分属不同单位，代码列与名称列已错位"
                   "（如代码列单独排过序），整张表未计入；请核对后重新报送", "name_mismatch")
            )  # fmt: skip
        else:
            mask = values["row"].isin([h[0] for h in hits]).to_numpy() & (files == f)
            keep &= ~mask
    return keep, problems


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
    for f, code in zip(rows["file"].tolist(), rows["org_code"].tolist(), strict=True):
        c = reg.county_of.get(code)
        if c is not None:
            counts.setdefault(physical(f), Counter())[c] += 1
    titles: dict[str, str] = {}
    for where, title in facts.title.items():
        titles[physical(where)] = titles.get(physical(where), "") + " " + title
    out = {}
    for f, counter in counts.items():
        path = PurePath(f)
        by_name = reg.county_said(path.stem) or next(
            (c for c in map(reg.county_said, reversed(path.parent.parts)) if c), None
        )
        content = counter.most_common(1)[0][0]
        by_title = reg.county_said(titles.get(f, "")) if titles.get(f) else None
        out[f] = FileOwner(f, by_name, by_title, content)
    return out


def check_owners(
    values: pd.DataFrame, facts: Facts, reg: Registry
) -> tuple[np.ndarray, list[Problem], dict[str, str]]:
    """A county's file holds only that county's rows: a file whose name (or title) and
    contents disagree is refused whole; rows of another county in it are errors. Returns the
    rows to keep, the problems and each file's county."""
    keep = np.ones(len(values), dtype=bool)
    rows = values.drop_duplicates(["file", "row", "org_code"])
    owners = _owners(rows, facts, reg)
    problems: list[Problem] = []
    phys = values["file"].map(physical).to_numpy()
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
            why = f"{by}表明是{_who(reg, said)}的报表，内容却主要是{_who(reg, str(o.by_content))}的数据"
        first = rows[rows["file"].map(physical) == f].iloc[0]
        problems.append(
            _p(str(first["file"]), int(first["row"]), said, str(first["period"]),
               f"{why}：无法确定是哪个县区的报表，整个文件未计入（也不计入其他县区）；"
               "请核对文件名和表中的代码、名称后重新报送", "file_owner")
        )  # fmt: skip
        keep &= phys != f
        county[f] = said
        refused.add(f)
    stray = rows[rows["file"].map(physical).isin([f for f, o in owners.items() if o.county])]
    for f, r, code, period in zip(
        stray["file"].tolist(), stray["row"].tolist(), stray["org_code"].tolist(),
        stray["period"].tolist(), strict=True,
    ):  # fmt: skip
        mine, theirs = county.get(physical(f), ""), reg.county_of.get(code)
        if theirs is None or theirs == mine or physical(f) in refused:
            continue
        who = "学校" if code != theirs else "单位"
        problems.append(
            _p(f, int(r), code, period,
               f"文件名表明这是{_who(reg, mine)}的报表，但本行{who} {code} 属于{_who(reg, theirs)}"
               "：该行未计入（也不计入其他县区），请核对是否报错了文件或学校", "file_owner")
        )  # fmt: skip
        keep &= ~((values["file"] == f) & (values["row"] == r)).to_numpy()
    return keep, problems, county


def _who(reg: Registry, code: str) -> str:
    return f"{reg.county_names.get(code, code)}（{code}）"


_DATE = re.compile(r"(20\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def _sent_key(text: str | None) -> tuple[int, int, int] | None:
    m = _DATE.search(text or "")
    return (int(m[1]), int(m[2]), int(m[3])) if m else None


def check_one_return(
    values: pd.DataFrame, facts: Facts, county: dict[str, str], levels: np.ndarray
) -> tuple[np.ndarray, list[Problem]]:
    """Two files for one county, quarter and level (county rows, school rows): the corrected
    one (更正/修订/修改/最终 in its name, or the later 报出日期) wins and the other is set aside
    with a warning naming both; otherwise both are refused with an error naming the county.

    ``levels`` holds per row "county" or "school" (the level of its element)."""
    keep = np.ones(len(values), dtype=bool)
    phys = values["file"].map(physical)
    frame = pd.DataFrame(
        {"file": phys, "period": values["period"], "level": levels}
    ).drop_duplicates()
    frame = frame[frame["file"].isin(list(county))]
    frame["county"] = frame["file"].map(county)
    sent: dict[str, tuple[int, int, int]] = {}
    for where, text in facts.sent.items():
        k = _sent_key(text)
        if k is not None:
            sent[physical(where)] = max(k, sent.get(physical(where), k))
    problems: list[Problem] = []
    pa = phys.to_numpy()
    period_col = values["period"].to_numpy()
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
            keep &= ~((pa == f) & (period_col == period))
        names = "、".join(files)
        if winner is not None:
            for f in files:
                if f != winner:
                    problems.append(
                        _p(f, None, c, str(period),
                           f"{c} {period} 有两份报表：{names}；以更正后的「{winner}」为准，"
                           f"本文件未计入", "superseded", severity="warning")
                    )  # fmt: skip
        else:
            for f in files:
                problems.append(
                    _p(f, None, c, str(period),
                       f"县区 {c} 的 {period} 报表有 {len(files)} 份（{names}），无法确定以哪份为准，"
                       "均未计入；请只保留一份（更正后的文件名可注明“更正”）后重新报送", "two_returns")
                )  # fmt: skip
    return keep, problems


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
    values: pd.DataFrame, facts: Facts, org_units: OrgUnits, levels: np.ndarray
) -> tuple[np.ndarray, list[Problem]]:
    """Names against the registry, one county per file, one return per county and quarter:
    the rows to keep and the problems."""
    reg = Registry.of(org_units)
    keep, problems = check_names(values, facts, reg)
    sub = values if keep.all() else values[keep]
    k2, found, county = check_owners(sub, facts, reg)
    keep[np.flatnonzero(keep)[~k2]] = False
    problems += found
    at = np.flatnonzero(keep)
    k3, found = check_one_return(values.iloc[at], facts, county, levels[at])
    keep[at[~k3]] = False
    return keep, problems + found
