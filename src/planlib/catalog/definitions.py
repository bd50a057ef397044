"""Indicator definitions (``data/indicators.yaml``) and the settings that choose between them.

An indicator is factor × numerator ÷ denominator over data elements, with its unit, direction,
level and a one-sentence definition. Where sources differ (户籍 or 常住 population, the age band,
巩固率 with 转入/转出 and a cap) the definition offers options and :class:`Settings` chooses one;
every output row states the choice (:mod:`planlib.catalog.settings`).

Two kinds are computed from values derived per school (standards.py): ``kind: dispersion``, the
enrolment-weighted 差异系数 of a per-student value over a unit's schools, and ``kind: mean``, the
mean of such coefficients (综合差异系数). An indicators file may also define ``school_standards``:
per-school rules (the 优质均衡 "6 of 7") whose codes ``sum_schools`` counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..checks import close_matches, unknown
from ..errors import IndicatorFileError
from ..workspace import catalog_file
from .expressions import ExpressionError, Linear, Term, parse_expression
from .settings import CHOICES, Judgement, Settings
from .standards import Dispersion, SchoolStandard, parse_dispersion, parse_standards

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_JUDGEMENT_KEYS = {"approximate_band", "aspirational_slack", "progress_band"}
_KINDS = ("ratio", "total", "dispersion", "mean")
_SCHOOL_KINDS = ("dispersion", "mean")  # computed from per-school values, not a formula
_LEVELS = ("county", "city")
_TEMPORAL = ("stock", "flow")
_DIRECTIONS = ("higher", "lower")
_KEYS = {
    "code",
    "name",
    "aliases",
    "kind",
    "numerator",
    "denominator",
    "factor",
    "unit",
    "direction",
    "level",
    "temporal",
    "gross",
    "cap_setting",
    "tolerance",
    "basis",
    "definition",
    "precision",
    "count_unit",
    "source",
    "category",
    "origin",
    "library_code",
    "confirmed",
    "value",
    "stage",
    "ownership",
    "of",
}


@dataclass(frozen=True)
class Formula:
    """A formula that may depend on settings: one expression per combination of choices."""

    choose: tuple[str, ...] = ()
    options: Mapping[tuple[str, ...], Linear] = field(default_factory=dict)

    def resolve(self, settings: Settings) -> Linear:
        key = tuple(str(getattr(settings, c)) for c in self.choose)
        return self.options[key]

    @property
    def all_terms(self) -> set[Term]:
        return {t for lin in self.options.values() for t in lin.terms}


@dataclass(frozen=True)
class Indicator:
    """One indicator definition, as in ``data/indicators.yaml``."""

    code: str
    name: str
    aliases: tuple[str, ...]
    kind: str
    numerator: Formula
    denominator: Formula | None
    factor: float
    unit: str
    direction: str
    level: str
    temporal: str
    gross: bool
    cap_setting: str | None
    tolerance: float
    basis: str
    definition: str
    count_unit: str = ""
    """What a ratio's numerator counts (人, 所): the unit of 还需 (still needed)."""
    precision: int = 1
    """Decimals it is published with (bulletins: one for rates, none for counts); values are
    judged as printed at this precision."""
    source: str = ""
    """The official document whose definition it follows (or 本计划 for a plan's own)."""
    category: str = ""
    """The library's grouping (学前教育, 义务教育 …), for ``planlib catalog``."""
    dispersion: Dispersion | None = None
    """``kind: dispersion``: the per-school value whose 差异系数 this is, and its schools."""
    of: tuple[str, ...] = ()
    """``kind: mean``: the codes of the dispersion indicators it averages."""

    @property
    def terms(self) -> tuple[Term, ...]:
        """Every summable term under any settings (a dispersion's three sums; a mean: none)."""
        if self.dispersion is not None:
            return self.dispersion.terms
        den = self.denominator.all_terms if self.denominator else set()
        return tuple(sorted(self.numerator.all_terms | den))

    def basis_text(self, settings: Settings) -> str:
        """The settings this indicator used, e.g. 常住人口，15–17岁."""
        keys = list(self.numerator.choose) + list(
            self.denominator.choose if self.denominator else ()
        )
        parts = [settings.words(k) for k in dict.fromkeys(keys)]
        if self.basis:
            parts.append(self.basis)
        if self.cap_setting:
            parts.append(settings.words(self.cap_setting))
        return "，".join(parts)

    def tolerance_for(self, settings: Settings) -> float:
        """接近 tolerance: percentage points for ratios, a share of the target for totals."""
        return float(settings.tolerance.get(self.code, self.tolerance))


def _normalise(name: str) -> str:
    table = str.maketrans({"(": "（", ")": "）", " ": "", "\u3000": ""})
    return name.strip().translate(table)


@dataclass(frozen=True)
class IndicatorSet:
    """The indicator definitions in file order; ``lookup`` maps a plan's wording to a code."""

    indicators: tuple[Indicator, ...]
    path: str = ""
    judgement: Judgement = field(default_factory=Judgement)
    standards: tuple[SchoolStandard, ...] = ()
    """School standards (``school_standards``) whose codes ``sum_schools`` may count."""

    def __iter__(self) -> Any:
        return iter(self.indicators)

    def __len__(self) -> int:
        return len(self.indicators)

    def __getitem__(self, code: str) -> Indicator:
        for ind in self.indicators:
            if ind.code == code:
                return ind
        found = self.lookup(str(code))  # a name or alias as a plan writes it
        if found is not None:
            return self[found]
        # every name a plan may use, so a slip in an alias (普惠园覆盖律) finds it; one per indicator
        every = [f"{n}（{i.code}）" for i in self.indicators for n in (i.name, *i.aliases)]
        picked: dict[str, str] = {}
        for near in close_matches(str(code), every, n=20):
            picked.setdefault(near[near.rindex("（") :], near)
        names = list(picked.values())[:5] or [f"{i.name}（{i.code}）" for i in self.indicators]
        raise unknown("指标", str(code), names)

    def __contains__(self, code: object) -> bool:
        return any(ind.code == code for ind in self.indicators)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(ind.code for ind in self.indicators)

    def lookup(self, name: str) -> str | None:
        """The code for a name as a plan writes it (name, alias or code); None when unknown.

        >>> load_indicators().lookup("学前三年毛入学率")
        'preschool_gross_enrolment_rate'
        """
        wanted = _normalise(name)
        for ind in self.indicators:
            if wanted in (ind.code, _normalise(ind.name), *map(_normalise, ind.aliases)):
                return ind.code
        # A plan may add a trailing 数 or drop it: 省级示范性高中数 / 省级示范性高中.
        alt = wanted[:-1] if wanted.endswith("数") else wanted + "数"
        for ind in self.indicators:
            if alt in (_normalise(ind.name), *map(_normalise, ind.aliases)):
                return ind.code
        return None

    def frame(self, settings: Settings | Mapping[str, Any] | None = None) -> pd.DataFrame:
        """One row per indicator: code, name, formulas as resolved under ``settings``, unit …"""
        s = Settings.coerce(settings)
        rows = [
            {
                "indicator": i.code,
                "indicator_name": i.name,
                "aliases": "、".join(i.aliases),
                "kind": i.kind,
                "numerator": str(i.numerator.resolve(s)),
                "denominator": str(i.denominator.resolve(s)) if i.denominator else "",
                "factor": i.factor,
                "unit": i.unit,
                "direction": i.direction,
                "level": i.level,
                "temporal": i.temporal,
                "basis": i.basis_text(s),
                "tolerance": i.tolerance_for(s),
                "precision": i.precision,
                "count_unit": i.count_unit,
                "definition": i.definition,
            }
            for i in self.indicators
        ]
        return pd.DataFrame(rows)


def _formula(value: Any, key: str, path: str | Path | None) -> Formula:
    try:
        if isinstance(value, str):
            return Formula((), {(): parse_expression(value)})
        if isinstance(value, Mapping) and set(value) == {"choose", "options"}:
            choose = value["choose"]
            if isinstance(choose, str):
                choose = [choose]
            if not isinstance(choose, list) or not choose:
                raise IndicatorFileError(path, f"{key}.choose", "应为设置名称的列表")
            for c in choose:
                if c not in CHOICES or c == "projection":
                    raise IndicatorFileError(
                        path,
                        f"{key}.choose",
                        f"「{c}」不是可选口径的设置，可用：population_basis、"
                        "high_school_age_band、retention_base",
                    )
            options: dict[tuple[str, ...], Linear] = {}

            def walk(node: Any, depth: int, prefix: tuple[str, ...], where: str) -> None:
                if depth == len(choose):
                    if not isinstance(node, str):
                        raise IndicatorFileError(path, where, "应为公式文字")
                    options[prefix] = parse_expression(node)
                    return
                setting = choose[depth]
                if not isinstance(node, Mapping):
                    raise IndicatorFileError(path, where, f"应为按 {setting} 取值分列的键值表")
                allowed = set(CHOICES[setting])
                got = {str(k).replace("-", "–") for k in node}
                if got != allowed:
                    raise IndicatorFileError(
                        path, where, f"{setting} 的取值应恰为 {'、'.join(sorted(allowed))}"
                    )
                for k, v in node.items():
                    kk = str(k).replace("-", "–")
                    walk(v, depth + 1, (*prefix, kk), f"{where}.{kk}")

            walk(value["options"], 0, (), f"{key}.options")
            return Formula(tuple(choose), options)
    except ExpressionError as err:
        raise IndicatorFileError(path, key, str(err)) from None
    raise IndicatorFileError(path, key, "应为公式文字，或含 choose 与 options 的键值表")


def _fields(data: Any, key: str, path: str | Path | None) -> str:
    """Check the keys of an entry; its kind."""
    if not isinstance(data, Mapping):
        raise IndicatorFileError(path, key, "应为键值表")
    for k in data:
        if k not in _KEYS:
            raise IndicatorFileError(path, f"{key}.{k}", f"未知的字段「{k}」")
    kind = data.get("kind")
    if kind not in _KINDS:
        where = f"{key}.kind"
        if kind in (None, ""):
            raise IndicatorFileError(path, where, "缺少必填字段")
        raise IndicatorFileError(path, where, f"应为 {'、'.join(_KINDS)} 之一，实际为 {kind!r}")
    school = kind in _SCHOOL_KINDS
    needed = ["code", "name", "direction", "level"]
    needed += {"dispersion": ["value"], "mean": ["of"]}.get(kind, ["numerator", "factor", "unit"])
    for k in needed:
        if data.get(k) in (None, ""):
            raise IndicatorFileError(path, f"{key}.{k}", "缺少必填字段")
    misplaced = {"numerator", "denominator"} if school else {"value", "stage", "ownership", "of"}
    if kind == "mean":
        misplaced |= {"value", "stage", "ownership", "factor"}
    for k in sorted(misplaced & set(data)):
        raise IndicatorFileError(path, f"{key}.{k}", f"{kind} 类指标不使用字段「{k}」")
    if kind == "ratio" and data.get("denominator") is None:
        raise IndicatorFileError(path, f"{key}.denominator", "比率指标须有分母")
    if kind == "total" and data.get("denominator") is not None:
        raise IndicatorFileError(path, f"{key}.denominator", "总量指标不应有分母")
    return str(kind)


def _tolerance(data: Mapping[str, Any], kind: str, key: str, path: str | Path | None) -> float:
    tol = data.get("tolerance") or {}
    want = "share" if kind == "total" else "points"
    if not isinstance(tol, Mapping) or set(tol) - {want}:
        label = {"ratio": "比率", "total": "总量"}.get(kind, "差异系数")
        raise IndicatorFileError(
            path, f"{key}.tolerance", f"{label}指标的容差应写作 {{{want}: 数值}}"
        )
    tolerance = tol.get(want, 0.0)
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or tolerance < 0:
        raise IndicatorFileError(path, f"{key}.tolerance.{want}", "应为非负数")
    return float(tolerance)


def _school_kind(
    data: Mapping[str, Any], kind: str, key: str, path: str | Path | None
) -> tuple[Formula, Dispersion | None, tuple[str, ...]]:
    """A dispersion's value and schools, or a mean's components; a formula that only names them
    (for ``IndicatorSet.frame`` and readers: it has no terms)."""
    if kind == "dispersion":
        disp = parse_dispersion(data, key, path)
        where = ", ".join(f"{k}={'|'.join(v)}" for k, v in disp.filters)
        text = f"差异系数({disp.numerator} / {disp.denominator}, {where})"
        return Formula((), {(): Linear((), 0.0, text)}), disp, ()
    of = data["of"]
    if not isinstance(of, list) or len(of) < 2 or not all(isinstance(c, str) for c in of):
        raise IndicatorFileError(path, f"{key}.of", "应为至少两个差异系数指标代码的列表")
    if len(set(of)) != len(of):
        raise IndicatorFileError(path, f"{key}.of", "指标代码重复")
    text = f"平均({', '.join(of)})"
    return Formula((), {(): Linear((), 0.0, text)}), None, tuple(of)


def _indicator(data: Any, key: str, path: str | Path | None) -> Indicator:
    kind = _fields(data, key, path)

    def choice(k: str, allowed: Sequence[str], default: str | None = None) -> str:
        v = data.get(k, default)
        if v not in allowed:
            raise IndicatorFileError(
                path, f"{key}.{k}", f"应为 {'、'.join(allowed)} 之一，实际为 {v!r}"
            )
        return str(v)

    factor = data.get("factor", 1)
    if isinstance(factor, bool) or not isinstance(factor, int | float) or not factor > 0:
        raise IndicatorFileError(path, f"{key}.factor", f"应为正数，实际为 {factor!r}")
    cap = data.get("cap_setting")
    if cap is not None and cap != "retention_cap":
        raise IndicatorFileError(path, f"{key}.cap_setting", "目前只支持 retention_cap")
    precision = data.get("precision", {"ratio": 1, "total": 0}.get(kind, 2))
    if isinstance(precision, bool) or not isinstance(precision, int) or not 0 <= precision <= 4:
        raise IndicatorFileError(path, f"{key}.precision", "应为 0–4 的整数（保留的小数位数）")
    aliases = data.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise IndicatorFileError(path, f"{key}.aliases", "应为名称列表")
    dispersion: Dispersion | None = None
    of: tuple[str, ...] = ()
    if kind in _SCHOOL_KINDS:
        numerator, dispersion, of = _school_kind(data, kind, key, path)
    else:
        numerator = _formula(data["numerator"], f"{key}.numerator", path)
    denominator = data.get("denominator")
    unit = str(data.get("unit") or "")
    return Indicator(
        code=str(data["code"]),
        name=str(data["name"]),
        aliases=tuple(aliases),
        kind=kind,
        numerator=numerator,
        denominator=(
            _formula(denominator, f"{key}.denominator", path) if denominator is not None else None
        ),
        factor=float(factor),
        unit=unit,
        direction=choice("direction", _DIRECTIONS),
        level=choice("level", _LEVELS),
        temporal=choice("temporal", _TEMPORAL, "stock"),
        gross=bool(data.get("gross", False)),
        cap_setting=cap,
        tolerance=_tolerance(data, kind, key, path),
        basis=str(data.get("basis") or ""),
        definition=str(data.get("definition") or ""),
        precision=precision,
        count_unit=str(data.get("count_unit") or (unit if kind == "total" else "")),
        source=str(data.get("source") or ""),
        category=str(data.get("category") or ""),
        dispersion=dispersion,
        of=of,
    )


def load_indicators(path: str | Path | None = None) -> IndicatorSet:
    """Read indicator definitions (default: the workspace's, else the bundled library's)."""
    p = Path(path) if path is not None else catalog_file("indicators")
    try:
        stamp = p.stat().st_mtime_ns
    except FileNotFoundError:
        raise IndicatorFileError(p, "", "文件不存在") from None
    return _load_indicators(str(p.resolve()), stamp)


@lru_cache(maxsize=8)
def _load_indicators(path: str, stamp: int) -> IndicatorSet:
    """Parsed definitions, cached per file version (IndicatorSet is immutable)."""
    p = Path(path)
    try:
        raw = yaml.load(p.read_text(encoding="utf-8"), Loader=_Loader)
    except FileNotFoundError:
        raise IndicatorFileError(p, "", "文件不存在") from None
    except yaml.YAMLError as err:
        raise IndicatorFileError(p, "", f"不是有效的 YAML：{err}") from None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("indicators"), list):
        raise IndicatorFileError(p, "indicators", "应有 indicators 列表")
    items = [_indicator(d, f"indicators[{i}]", p) for i, d in enumerate(raw["indicators"])]
    seen: dict[str, str] = {}
    for i, ind in enumerate(items):
        for name in (ind.code, ind.name, *ind.aliases):
            n = _normalise(name)
            if n in seen and seen[n] != ind.code:
                raise IndicatorFileError(
                    p, f"indicators[{i}]", f"名称「{name}」同时属于 {seen[n]} 与 {ind.code}"
                )
            seen[n] = ind.code
        if ind.code in [x.code for x in items[:i]]:
            raise IndicatorFileError(p, f"indicators[{i}].code", f"指标代码 {ind.code} 重复")
    standards = parse_standards(raw.get("school_standards"), p)
    check_school_references(items, standards, p)
    return IndicatorSet(tuple(items), str(p), _judgement(raw.get("judgement"), p), standards)


def check_school_references(
    items: Sequence[Indicator], standards: Sequence[SchoolStandard], path: str | Path | None
) -> None:
    """A mean averages dispersion indicators of its own level; a ``sum_schools`` of a standard
    names the standard's stages (a school of another stage has no value under it). Called once
    every file of a library is read, since a reference may cross files."""
    by_code = {ind.code: ind for ind in items}
    stages = {st.code: set(st.stages) for st in standards}
    for i, ind in enumerate(items):
        where = f"indicators[{i}]"
        for code in ind.of:
            part = by_code.get(code)
            if part is None or part.kind != "dispersion":
                raise IndicatorFileError(
                    path, f"{where}.of", f"「{code}」不是已定义的差异系数（dispersion）指标"
                )
            if part.level != ind.level:
                raise IndicatorFileError(
                    path, f"{where}.of", f"「{code}」的层级（{part.level}）与本指标不同"
                )
        for term in ind.terms:
            if term.kind != "school_sum" or term.element not in stages:
                continue
            wanted = dict(term.filters).get("stage")
            if wanted is None or not set(wanted) <= stages[term.element]:
                allowed = "|".join(sorted(stages[term.element]))
                raise IndicatorFileError(
                    path,
                    where,
                    f"{term.key} 应限定学段为标准 {term.element} 适用的学段（stage={allowed}）",
                )


def _judgement(data: Any, path: Path) -> Judgement:
    if data is None:
        return Judgement()
    if not isinstance(data, Mapping):
        raise IndicatorFileError(path, "judgement", "应为键值表")
    values: dict[str, float] = {}
    for k, v in data.items():
        if k not in _JUDGEMENT_KEYS:
            raise IndicatorFileError(
                path,
                f"judgement.{k}",
                f"未知的字段「{k}」，可用：{'、'.join(sorted(_JUDGEMENT_KEYS))}",
            )
        if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
            raise IndicatorFileError(path, f"judgement.{k}", f"应为非负数，实际为 {v!r}")
        values[str(k)] = float(v)
    return Judgement(**values)
