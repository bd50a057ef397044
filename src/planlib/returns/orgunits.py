"""Org units: the tree province → city → county (县、县级市、区) → school, of any depth.

Read from ``org_units.csv`` (code, name, type, parent_code) and ``schools.csv`` (code, name,
county_code, stage, ownership); codes are kept as strings so leading zeros survive.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..checks import unknown
from ..errors import OrgUnitError, UsageError

UNIT_TYPES: dict[str, str] = {
    "国家": "country",
    "省": "province",
    "自治区": "province",
    "直辖市": "province",
    "市": "city",
    "地区": "city",
    "州": "city",
    "县": "county",
    "县级市": "county",
    "区": "county",
    "旗": "county",
}
"""Unit types as written, and the level each sits at."""

STAGES: tuple[str, ...] = (
    "幼儿园",
    "小学",
    "初中",
    "九年一贯制",
    "普通高中",
    "中职",
    "特殊教育",
    "高校",
)
OWNERSHIPS: tuple[str, ...] = ("公办", "民办", "普惠性民办")
COMPULSORY_STAGES: tuple[str, ...] = ("小学", "初中", "九年一贯制")


def _read_table(path: Path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
        return frame.astype({c: "str" for c in frame.columns if frame[c].dtype == object})
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="gb18030")


@dataclass(frozen=True, eq=False)
class OrgUnits:
    """Administrative units and schools.

    ``units``: one row per administrative unit (code, name, type, parent_code, level, depth).
    ``schools``: one row per school (code, name, county_code, stage, ownership).
    """

    units: pd.DataFrame
    schools: pd.DataFrame

    @classmethod
    def from_frames(cls, units: pd.DataFrame, schools: pd.DataFrame | None = None) -> OrgUnits:
        """Validate and complete the frames (level and depth are derived from the tree)."""
        u = units.copy()
        for col in ("code", "name", "type", "parent_code"):
            if col not in u:
                raise OrgUnitError(f"单位表缺少列「{col}」")
            u[col] = u[col].fillna("").astype(str).str.strip()
        dup = u.loc[u["code"].duplicated(), "code"]
        if not dup.empty:
            raise OrgUnitError(f"单位表中代码重复：{'、'.join(dup.unique()[:10])}")
        bad_type = u.loc[~u["type"].isin(list(UNIT_TYPES)), "type"]
        if not bad_type.empty:
            raise OrgUnitError(f"单位表中有未知的单位类型：{'、'.join(bad_type.unique()[:10])}")
        known = set(u["code"])
        orphans = u.loc[(u["parent_code"] != "") & ~u["parent_code"].isin(known), "code"]
        if not orphans.empty:
            raise OrgUnitError(f"单位表中这些单位的上级代码不存在：{'、'.join(orphans[:10])}")
        roots = u[u["parent_code"] == ""]
        if len(roots) != 1:
            listed = "、".join(
                f"第 {i + 2} 行 {c}（{n}）"
                for i, c, n in zip(roots.index, roots["code"], roots["name"], strict=True)
            )
            raise OrgUnitError(
                f"单位表应有且只有一个顶级单位（上级代码为空），实际有 {len(roots)} 个"
                + (f"：{listed}；除顶级单位外，每个单位都要填写上级代码" if listed else "")
            )
        u["level"] = u["type"].map(UNIT_TYPES)
        parent = u.set_index("code")["parent_code"]
        depth = pd.Series(0, index=u.index)
        current = u["parent_code"]
        for _ in range(len(u) + 1):
            has_parent = current != ""
            if not has_parent.any():
                break
            depth = depth + has_parent.astype(int)
            current = current.map(parent).fillna("").where(has_parent, "")
        else:
            raise OrgUnitError("单位表的上下级关系有循环")
        u["depth"] = depth.astype("int64")
        s = (
            schools.copy()
            if schools is not None
            else pd.DataFrame(columns=["code", "name", "county_code", "stage", "ownership"])
        )
        for col in ("code", "name", "county_code", "stage", "ownership"):
            if col not in s:
                raise OrgUnitError(f"学校表缺少列「{col}」")
            s[col] = s[col].fillna("").astype(str).str.strip()
        problems = []
        if s["code"].duplicated().any():
            problems.append(f"学校代码重复：{'、'.join(s.loc[s['code'].duplicated(), 'code'][:5])}")
        bad_county = ~s["county_code"].isin(known)
        if bad_county.any():
            listed = "、".join(
                f"第 {i + 2} 行 学校 {c} 的县区代码「{k}」"
                for i, c, k in zip(
                    s.index[bad_county][:5],
                    s.loc[bad_county, "code"][:5],
                    s.loc[bad_county, "county_code"][:5],
                    strict=True,
                )
            )
            problems.append(
                f"学校所属县区代码不在单位表中：{listed}（共 {int(bad_county.sum())} 所）"
            )
        bad_stage = ~s["stage"].isin(STAGES)
        if bad_stage.any():
            problems.append(f"未知的学段：{'、'.join(s.loc[bad_stage, 'stage'].unique()[:5])}")
        bad_own = ~s["ownership"].isin(OWNERSHIPS)
        if bad_own.any():
            problems.append(
                f"未知的办学性质：{'、'.join(s.loc[bad_own, 'ownership'].unique()[:5])}"
            )
        if problems:
            raise OrgUnitError("学校表有问题：" + "；".join(problems))
        return cls(units=u.reset_index(drop=True), schools=s.reset_index(drop=True))

    # --- lookups -------------------------------------------------------------------------------
    def root(self) -> str:
        """The code of the top unit (the city for a city's data, the country for national data)."""
        roots = self.units.loc[self.units["parent_code"] == "", "code"]
        if len(roots) != 1:
            raise OrgUnitError(f"单位表应有且只有一个顶级单位，实际有 {len(roots)} 个")
        return str(roots.iloc[0])

    def city(self) -> str:
        """The city code when the data is one city's; otherwise the root."""
        cities = self.units.loc[self.units["level"] == "city", "code"]
        return str(cities.iloc[0]) if len(cities) == 1 else self.root()

    def counties(self, parent: str | None = None) -> pd.DataFrame:
        """County-level units (under ``parent`` when given), in code order."""
        c = self.units[self.units["level"] == "county"]
        if parent is not None:
            c = c[c["code"].isin(self.descendants(parent))]
        return c.sort_values("code").reset_index(drop=True)

    def children(self, code: str) -> pd.DataFrame:
        return (
            self.units[self.units["parent_code"] == code].sort_values("code").reset_index(drop=True)
        )

    def descendants(self, code: str) -> set[str]:
        """Codes of every administrative unit below ``code``."""
        out: set[str] = set()
        frontier = {code}
        while frontier:
            nxt = set(self.units.loc[self.units["parent_code"].isin(frontier), "code"])
            frontier = nxt - out
            out |= nxt
        return out

    def name(self, code: str) -> str:
        """The name of a unit or school by its code. A name given for a code, or an unknown
        code, is an error naming the right code or the closest ones."""
        code = str(code)
        hit = self.units.loc[self.units["code"] == code, "name"]
        if hit.empty:
            hit = self.schools.loc[self.schools["code"] == code, "name"]
        if not hit.empty:
            return str(hit.iloc[0])
        if self._by_name(code):
            raise UsageError(f"name() 需要单位代码；「{code}」是单位名称，代码为 {self.code(code)}")
        raise self._unknown(code)

    def code(self, name_or_code: str) -> str:
        """The code of a unit (or school) given its name or code: 高新区 → 990111."""
        text = str(name_or_code).strip()
        if text in set(self.units["code"]) or text in set(self.schools["code"]):
            return text
        found = self._by_name(text)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise UsageError(f"有多个单位名为「{text}」（{'、'.join(found)}），请用代码")
        raise self._unknown(text)

    def _by_name(self, name: str) -> list[str]:
        units = self.units.loc[self.units["name"] == name, "code"]
        if len(units):
            return [str(c) for c in units]
        return [str(c) for c in self.schools.loc[self.schools["name"] == name, "code"]]

    def _unknown(self, text: str) -> Exception:
        pairs = zip(self.units["code"].astype(str), self.units["name"].astype(str), strict=True)
        # a code is matched against codes (990199 → 990122…), a name against names
        by_code = text.isdigit()
        names = [f"{c}（{n}）" if by_code else f"{n}（{c}）" for c, n in pairs]
        return unknown("单位", text, names)

    def ancestry(self) -> pd.DataFrame:
        """Pairs (code, ancestor_code, ancestor_level) for every unit and each unit above it."""
        parent = self.units.set_index("code")["parent_code"]
        level = self.units.set_index("code")["level"]
        pairs = []
        current = pd.DataFrame(
            {"code": self.units["code"], "ancestor_code": self.units["parent_code"]}
        )
        while True:
            current = current[current["ancestor_code"] != ""]
            if current.empty:
                break
            pairs.append(current)
            current = current.assign(ancestor_code=current["ancestor_code"].map(parent).fillna(""))
        out = (
            pd.concat(pairs, ignore_index=True)
            if pairs
            else pd.DataFrame({"code": pd.Series(dtype=str), "ancestor_code": pd.Series(dtype=str)})
        )
        return out.assign(ancestor_level=out["ancestor_code"].map(level))


def load_org_units(data_dir: str | Path) -> OrgUnits:
    """Read ``org_units`` and ``schools`` (.csv or .parquet) from a data folder."""
    d = Path(data_dir)

    def find(stem: str) -> Path | None:
        for suffix in (".parquet", ".csv"):
            if (d / f"{stem}{suffix}").exists():
                return d / f"{stem}{suffix}"
        return None

    units_path = find("org_units")
    if units_path is None:
        # pointed at returns/ (or a quarter's folder in it): the data folder is further up
        up = next((p for p in d.resolve().parents[:3] if any(p.glob("org_units.*"))), None)
        hint = f"；这是报表子目录，请指向上一级的数据目录 {up}" if up is not None else ""
        raise OrgUnitError(f"数据目录 {d} 中没有单位表 org_units.csv{hint}")
    schools_path = find("schools")
    try:
        units = _read_table(units_path)
        schools = _read_table(schools_path) if schools_path else None
    except (OSError, ValueError) as err:
        raise OrgUnitError(f"无法读取单位表：{err}") from None
    try:
        return OrgUnits.from_frames(units, schools)
    except OrgUnitError as err:
        about_schools = str(err).startswith("学校表") and schools_path is not None
        name = schools_path.name if about_schools and schools_path else units_path.name
        raise OrgUnitError(f"{name}：{err}") from None
