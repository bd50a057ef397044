"""Values derived per school before anything is summed: school standards and dispersion sums.

Two kinds of definition live here, both read from an indicators file:

- a **school standard** (``school_standards:``): items, each a per-student value of a school
  (factor × numerator ÷ denominator) with a threshold; a school meets the standard when at least
  ``need`` items reach their threshold and every item reaches ``floor`` × its threshold (the
  优质均衡 "6 of 7, the rest at 85%"). Each school gets 1 or 0 under the standard's code, which
  indicators sum like any school element: ``sum_schools(balance_primary, stage=小学)``. A school
  lacking any element it needs gets no value: it is not counted as meeting.
- a **dispersion** (``kind: dispersion``): the enrolment-weighted 差异系数 of a per-student value
  over a unit's schools. With school i's total Aᵢ and students Pᵢ, Xᵢ = Aᵢ/Pᵢ and X̄ = ΣAᵢ/ΣPᵢ,
  Σ(Pᵢ/P)(Xᵢ − X̄)² = (Σ Aᵢ²/Pᵢ)/P − X̄², so three additive sums over schools (ΣPᵢ, ΣAᵢ, ΣAᵢ²/Pᵢ)
  give the coefficient for any set of schools: they roll up the org-unit tree like any term.

The arithmetic on arrays is here too, so a definition and what it computes read together.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import IndicatorFileError
from .expressions import Term, school_filters

_NAME = "[A-Za-z_][A-Za-z0-9_]*"
_STANDARD_KEYS = {"code", "name", "stage", "items", "need", "floor", "definition", "source"}
_ITEM_KEYS = {"name", "numerator", "denominator", "factor", "min"}
_EPS = 1e-9  # 21 teachers for 500 students is 4.2 per hundred, whatever the floating point says


@dataclass(frozen=True)
class StandardItem:
    """One item of a school standard: factor × numerator ÷ denominator ≥ ``minimum``."""

    name: str
    numerator: str
    denominator: str
    factor: float
    minimum: float

    def value(self, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        """Per school: the item's value; NaN when an element is missing or the denominator ≤ 0."""
        num, den = columns[self.numerator], columns[self.denominator]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(den > 0, self.factor * num / den, np.nan)


@dataclass(frozen=True)
class SchoolStandard:
    """A standard every school of ``stages`` should meet: ``need`` items, the rest at ``floor``."""

    code: str
    name: str
    stages: tuple[str, ...]
    items: tuple[StandardItem, ...]
    need: int
    floor: float = 0.0
    definition: str = ""
    source: str = ""

    @property
    def elements(self) -> tuple[str, ...]:
        """The school elements it needs, in first-use order."""
        return tuple(dict.fromkeys(e for i in self.items for e in (i.numerator, i.denominator)))

    def evaluate(self, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        """Per school: 1.0 if it meets the standard, 0.0 if not, NaN if it lacks an element."""
        values = np.column_stack([item.value(columns) for item in self.items])
        minimum = np.array([item.minimum for item in self.items])
        met = (values >= minimum * (1 - _EPS)).sum(axis=1)
        above_floor = (values >= self.floor * minimum * (1 - _EPS)).all(axis=1)
        meets = ((met >= self.need) & above_floor).astype("float64")
        return np.where(np.isnan(values).any(axis=1), np.nan, meets)


@dataclass(frozen=True)
class Dispersion:
    """The weighted 差异系数 of factor × numerator ÷ denominator over schools matching filters."""

    numerator: str
    denominator: str
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def derived(self) -> tuple[str, str, str]:
        """Names of the per-school values it sums: students Pᵢ, total Aᵢ and Aᵢ²/Pᵢ (each only
        for schools that reported both elements, so the three sums cover the same schools)."""
        pair = f"{self.numerator}/{self.denominator}"
        return (f"@students:{pair}", f"@total:{pair}", f"@square:{pair}")

    @property
    def terms(self) -> tuple[Term, Term, Term]:
        """The three summable terms: ΣPᵢ, ΣAᵢ and Σ Aᵢ²/Pᵢ over the matching schools."""
        p, a, q = (Term("school_sum", name, self.filters) for name in self.derived)
        return p, a, q

    def evaluate(self, columns: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Per school: the three derived values, NaN where an element is missing or Pᵢ ≤ 0."""
        amount, students = columns[self.numerator], columns[self.denominator]
        ok = (students > 0) & ~np.isnan(amount)
        with np.errstate(divide="ignore", invalid="ignore"):
            square = np.where(ok, amount * amount / students, np.nan)
        p, a, q = self.derived
        return {p: np.where(ok, students, np.nan), a: np.where(ok, amount, np.nan), q: square}

    def words(self, labels: Mapping[str, str]) -> str:
        """Its schools and elements in a reviewer's words (for missing-data reasons)."""
        where = "".join("/".join(v) for _, v in self.filters)
        names = [labels.get(e, e) for e in (self.numerator, self.denominator)]
        return f"{where or '各'}学校{'、'.join(names)}"


def coefficient(
    students: np.ndarray, total: np.ndarray, square: np.ndarray, factor: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(CV, weighted standard deviation, X̄) from the three sums; NaN where ΣPᵢ or X̄ is not > 0.

    The standard deviation and X̄ carry ``factor`` (每百名学生: 100); the CV does not depend on it.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(students > 0, total / students, np.nan)
        variance = np.maximum(square / students - mean * mean, 0.0)  # ≥ 0 up to rounding
        sd = np.sqrt(variance)
        cv = np.where(mean > 0, sd / mean, np.nan)
    return cv, factor * sd, factor * mean


# --- reading ----------------------------------------------------------------------------------


def _number(value: Any, path: str | Path | None, where: str, positive: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise IndicatorFileError(path, where, f"应为数字，实际为 {value!r}")
    if not (value > 0 if positive else value >= 0):
        raise IndicatorFileError(
            path, where, f"应为{'正数' if positive else '非负数'}，实际为 {value!r}"
        )
    return float(value)


def _element(value: Any, path: str | Path | None, where: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(_NAME, value.strip()):
        raise IndicatorFileError(path, where, f"应为学校层面数据元素的代码，实际为 {value!r}")
    return value.strip()


def _item(data: Any, path: str | Path | None, where: str) -> StandardItem:
    if not isinstance(data, Mapping):
        raise IndicatorFileError(
            path, where, "应为键值表（name、numerator、denominator、factor、min）"
        )
    for k in data:
        if k not in _ITEM_KEYS:
            raise IndicatorFileError(path, f"{where}.{k}", f"未知的字段「{k}」")
    for k in ("name", "numerator", "denominator", "min"):
        if data.get(k) in (None, ""):
            raise IndicatorFileError(path, f"{where}.{k}", "缺少必填字段")
    return StandardItem(
        name=str(data["name"]),
        numerator=_element(data["numerator"], path, f"{where}.numerator"),
        denominator=_element(data["denominator"], path, f"{where}.denominator"),
        factor=_number(data.get("factor", 1), path, f"{where}.factor"),
        minimum=_number(data["min"], path, f"{where}.min"),
    )


def _stages(value: Any, path: str | Path | None, where: str) -> tuple[str, ...]:
    try:
        return school_filters({"stage": value})[0][1]
    except ValueError as err:
        raise IndicatorFileError(path, where, str(err)) from None


def _standard(data: Any, path: str | Path | None, where: str) -> SchoolStandard:
    if not isinstance(data, Mapping):
        raise IndicatorFileError(path, where, "应为键值表")
    for k in data:
        if k not in _STANDARD_KEYS:
            raise IndicatorFileError(path, f"{where}.{k}", f"未知的字段「{k}」")
    for k in ("code", "name", "stage", "items"):
        if data.get(k) in (None, "", []):
            raise IndicatorFileError(path, f"{where}.{k}", "缺少必填字段")
    code = _element(data["code"], path, f"{where}.code")
    if not isinstance(data["items"], list):
        raise IndicatorFileError(path, f"{where}.items", "应为达标项目的列表")
    items = tuple(_item(d, path, f"{where}.items[{j}]") for j, d in enumerate(data["items"]))
    need = data.get("need", len(items))
    if isinstance(need, bool) or not isinstance(need, int) or not 1 <= need <= len(items):
        raise IndicatorFileError(
            path,
            f"{where}.need",
            f"应为 1–{len(items)} 的整数（至少达到的项目数），实际为 {need!r}",
        )
    floor = _number(data.get("floor", 0), path, f"{where}.floor", positive=False)
    if floor > 1:
        raise IndicatorFileError(
            path, f"{where}.floor", f"应为 0–1 之间的比例（如 0.85），实际为 {floor!r}"
        )
    return SchoolStandard(
        code=code,
        name=str(data["name"]),
        stages=_stages(data["stage"], path, f"{where}.stage"),
        items=items,
        need=need,
        floor=floor,
        definition=str(data.get("definition") or ""),
        source=str(data.get("source") or ""),
    )


def parse_standards(raw: Any, path: str | Path | None = None) -> tuple[SchoolStandard, ...]:
    """The ``school_standards`` list of an indicators file (None: none); IndicatorFileError
    naming the file and the entry when one is malformed or a code repeats."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise IndicatorFileError(path, "school_standards", "应为学校达标标准的列表")
    out = [_standard(d, path, f"school_standards[{i}]") for i, d in enumerate(raw)]
    for i, st in enumerate(out):
        if st.code in (x.code for x in out[:i]):
            raise IndicatorFileError(
                path, f"school_standards[{i}].code", f"标准代码 {st.code} 重复"
            )
    return tuple(out)


def parse_dispersion(data: Mapping[str, Any], key: str, path: str | Path | None) -> Dispersion:
    """The ``value`` and school filters (``stage``, ``ownership``) of a ``kind: dispersion``
    indicator: ``value: {numerator: teaching_aux_area, denominator: enrolment}``."""
    value = data.get("value")
    if not isinstance(value, Mapping) or set(value) != {"numerator", "denominator"}:
        raise IndicatorFileError(
            path,
            f"{key}.value",
            "差异系数指标应写作 value: {numerator: 学校总量元素, denominator: 学生数元素}",
        )
    try:
        filters = school_filters({k: data[k] for k in ("stage", "ownership") if k in data})
    except ValueError as err:
        raise IndicatorFileError(path, f"{key}.stage", str(err)) from None
    if not any(col == "stage" for col, _ in filters):
        raise IndicatorFileError(path, f"{key}.stage", "差异系数指标须指定学段（如 stage: 小学）")
    return Dispersion(
        numerator=_element(value["numerator"], path, f"{key}.value.numerator"),
        denominator=_element(value["denominator"], path, f"{key}.value.denominator"),
        filters=filters,
    )
