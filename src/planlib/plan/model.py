"""The plan data model: a 工作要点 as sections, tasks, departments and quantitative targets.

Objects are frozen dataclasses validated when built, so a ``Plan`` in hand is always consistent.
Every ``*_frame()`` method returns a new tidy DataFrame whose row grain its docstring states.
Nothing here knows about files: the plain structure of a plan file and its conversion to and
from a ``Plan`` (``plan_from_dict``, ``plan_to_dict``) live in files.py.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import pandas as pd

from ..errors import ModelError

Comparator = Literal[">=", "<=", "==", "~"]
Scope = Literal["rate", "total"]

COMPARATORS: dict[str, str] = {
    ">=": "不低于",
    "<=": "不高于",
    "==": "等于",
    "~": "左右",
}
"""Known comparators and how reports say them."""

UNITS: frozenset[str] = frozenset(
    {
        "%",
        "个百分点",
        "所",
        "个",
        "项",
        "家",
        "亿元",
        "万元",
        "元",
        "名",
        "人",
        "人次",
        "间",
        "套",
        "次",
        "场次",
        "场",
        "座",
        "处",
    }
)
"""Units plans use most; any unit of the right shape is taken (:func:`is_unit`)."""

_UNIT_RE = re.compile(
    r"%|‰|个百分点|[万亿千百]?[\u4e00-\u9fff]{1,5}次?|[万亿千]?[A-Za-z][A-Za-z²³/]{0,5}"
)
_DIGIT = re.compile(r"[0-9０-９]")
_NUMERAL = re.compile(r"[一二三四五六七八九十零〇两]")
_MAGNITUDE = re.compile(r"[万亿千百]+")


def is_unit(text: str) -> bool:
    """Whether ``text`` has the shape of a unit of measure: %, ‰, 个百分点, a measure word or
    unit of one to five Han characters (with 万/亿/千/百 before it and 次 after it: 万平方米,
    万人次), or a Latin unit (km, m²); never a number, nor a word with a numeral in it."""
    if not isinstance(text, str) or not _UNIT_RE.fullmatch(text):
        return False
    if text in UNITS:
        return True
    return not (_DIGIT.search(text) or _NUMERAL.match(text) or _MAGNITUDE.fullmatch(text))


SCOPES: dict[str, str] = {
    "rate": "各县市区均须达到的比率",
    "total": "全市总量，分解到各县市区",
}

UNIT_KINDS: tuple[str, ...] = ("处室", "专班", "单位")


def _text(value: Any, key: str, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise ModelError(key, f"应为文字，实际为 {value!r}")
    value = value.strip()
    if not value and not allow_empty:
        raise ModelError(key, "不能为空")
    return value


def _names(values: Iterable[Any], key: str) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise ModelError(key, f"应为名称列表，实际为 {values!r}")
    names = tuple(_text(v, f"{key}[{i}]") for i, v in enumerate(values))
    seen: set[str] = set()
    for i, n in enumerate(names):
        if n in seen:
            raise ModelError(f"{key}[{i}]", f"名称「{n}」重复")
        seen.add(n)
    return names


def _positive_int(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ModelError(key, f"应为正整数，实际为 {value!r}")
    return value


def unit_kind(name: str) -> str:
    """Guess what kind of body a responsibility clause names, from the end of its name."""
    if name.endswith("专班"):
        return "专班"
    if name.endswith(
        ("处", "室", "科", "办", "办公室", "委", "馆", "中心")
    ) and not name.startswith(("各", "机关各")):
        return "处室"
    return "单位"


@dataclass(frozen=True)
class Unit:
    """A body named in a responsibility clause: a 处室, a 专班 or another 单位."""

    name: str
    kind: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", _text(self.name, "name"))
        kind = self.kind or unit_kind(self.name)
        if kind not in UNIT_KINDS:
            raise ModelError("kind", f"未知的单位类型「{kind}」，可用：{'、'.join(UNIT_KINDS)}")
        object.__setattr__(self, "kind", kind)


@dataclass(frozen=True)
class Framework:
    """A plan's overall frame, such as "12881": one goal, priorities, projects, reforms."""

    name: str = ""
    goal: str = ""
    priorities: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    reforms: tuple[str, ...] = ()
    livelihood: str = ""

    def __post_init__(self) -> None:
        for key in ("priorities", "projects", "reforms"):
            object.__setattr__(self, key, _names(getattr(self, key), key))

    @property
    def tags(self) -> tuple[str, ...]:
        """Every name a task may be tagged with."""
        extra = tuple(t for t in (self.goal, self.livelihood) if t)
        return extra + self.priorities + self.projects + self.reforms


@dataclass(frozen=True)
class Section:
    """A numbered section of the plan (一、二、…)."""

    number: int
    title: str

    def __post_init__(self) -> None:
        _positive_int(self.number, "number")
        object.__setattr__(self, "title", _text(self.title, "title"))


@dataclass(frozen=True)
class Target:
    """A quantitative target written in a task's prose, e.g. 学前三年毛入学率达到93.5%.

    ``indicator`` is the name as written in the plan; ``code`` links it to an indicator
    definition (None until someone has matched it). ``aspirational`` marks 力争 and
    ``approximate`` marks 左右. ``scope`` says whether counties share out a city total
    (``total``) or are each held to the rate (``rate``).
    """

    indicator: str
    comparator: Comparator
    value: float
    unit: str
    code: str | None = None
    aspirational: bool = False
    approximate: bool = False
    scope: Scope = "rate"
    source: str = ""
    change: bool = False
    units: tuple[str, ...] = ()
    """The departments accountable for this target; empty: its task's lead and responsible
    units (:meth:`Task.target_units`)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "indicator", _text(self.indicator, "indicator"))
        object.__setattr__(self, "units", _names(self.units, "units"))
        if self.comparator not in COMPARATORS:
            raise ModelError(
                "comparator",
                f"未知的比较方式 {self.comparator!r}，可用：{' '.join(COMPARATORS)}",
            )
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            raise ModelError("value", f"目标值应为数字，实际为 {self.value!r}")
        if not math.isfinite(self.value):
            raise ModelError("value", f"目标值应为有限数字，实际为 {self.value!r}")
        object.__setattr__(self, "value", float(self.value))
        if not is_unit(self.unit):
            raise ModelError(
                "unit", f"「{self.unit}」不是计量单位（应为 %、个百分点、所、万元、平方米之类）"
            )
        if self.code is not None:
            object.__setattr__(self, "code", _text(self.code, "code"))
        if self.scope not in SCOPES:
            raise ModelError("scope", f"未知的范围 {self.scope!r}，可用：{'、'.join(SCOPES)}")
        for key in ("aspirational", "approximate", "change"):
            if not isinstance(getattr(self, key), bool):
                raise ModelError(key, f"应为 true 或 false，实际为 {getattr(self, key)!r}")
        if self.approximate != (self.comparator == "~"):
            raise ModelError("approximate", "「左右」的目标应使用比较方式 ~，反之亦然")
        object.__setattr__(self, "source", _text(self.source, "source", allow_empty=True))

    def describe(self) -> str:
        """The target in a reviewer's words, e.g. 不低于 93.5%（力争）."""
        value = f"{self.value:g}{self.unit}"
        words = (
            f"{value}左右" if self.comparator == "~" else f"{COMPARATORS[self.comparator]}{value}"
        )
        if self.change:
            words = f"提高 {value}" if self.comparator != "<=" else f"降低 {value}"
        return words + ("（力争）" if self.aspirational else "")


@dataclass(frozen=True)
class Task:
    """A numbered item of the plan: a title sentence, a body, departments and targets."""

    section: int
    number: int
    title: str
    text: str = ""
    lead_units: tuple[str, ...] = ()
    responsible_units: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    targets: tuple[Target, ...] = ()
    notes: str = ""
    due: str = ""
    """The deadline as the plan writes it (完成时限: 2022年12月底前, 长期坚持); empty when none."""

    def __post_init__(self) -> None:
        _positive_int(self.section, "section")
        _positive_int(self.number, "number")
        object.__setattr__(self, "title", _text(self.title, "title"))
        object.__setattr__(self, "text", _text(self.text, "text", allow_empty=True))
        object.__setattr__(self, "notes", _text(self.notes, "notes", allow_empty=True))
        object.__setattr__(self, "due", _text(self.due, "due", allow_empty=True))
        for key in ("lead_units", "responsible_units", "tags"):
            object.__setattr__(self, key, _names(getattr(self, key), key))
        targets = tuple(self.targets)
        for i, t in enumerate(targets):
            if not isinstance(t, Target):
                raise ModelError(f"targets[{i}]", "应为 Target")
        object.__setattr__(self, "targets", targets)

    @property
    def id(self) -> str:
        """A stable reference such as ``1.3`` (section 一, item 3)."""
        return f"{self.section}.{self.number}"

    @property
    def units(self) -> tuple[str, ...]:
        """Lead units first, then responsible units, each once."""
        return tuple(dict.fromkeys(self.lead_units + self.responsible_units))

    def target_units(self, target: Target) -> tuple[str, ...]:
        """Who answers for ``target``: the units it names, else all of the task's units."""
        return target.units or self.units


def _target_fields(g: Target) -> dict[str, Any]:
    """The columns a target has in every frame, whether it belongs to a task or the plan."""
    return {
        "code": g.code,
        "indicator": g.indicator,
        "comparator": g.comparator,
        "value": g.value,
        "unit": g.unit,
        "aspirational": g.aspirational,
        "approximate": g.approximate,
        "change": g.change,
        "scope": g.scope,
        "target_text": g.describe(),
    }


@dataclass(frozen=True)
class Plan:
    """A bureau's yearly work plan (工作要点).

    ``goals`` are the plan-level targets, stated outside any task (a 主要目标 paragraph:
    学前三年毛入园率达到92%); plan files keep them in a top-level ``targets`` list. ``targets``
    (the property) lists the tasks' targets with their tasks, as before.
    """

    title: str
    year: int | None = None
    issuer: str = ""
    framework: Framework = field(default_factory=Framework)
    sections: tuple[Section, ...] = ()
    tasks: tuple[Task, ...] = ()
    units: tuple[Unit, ...] = ()
    goals: tuple[Target, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", _text(self.title, "title"))
        if self.year is not None and (
            isinstance(self.year, bool)
            or not isinstance(self.year, int)
            or not 1949 <= self.year <= 2200
        ):
            raise ModelError("year", f"年份应为 1949–2200 的整数，实际为 {self.year!r}")
        object.__setattr__(self, "issuer", _text(self.issuer, "issuer", allow_empty=True))
        sections = tuple(self.sections)
        tasks = tuple(self.tasks)
        numbers = [s.number for s in sections]
        for i, n in enumerate(numbers):
            if n in numbers[:i]:
                raise ModelError(f"sections[{i}].number", f"部分编号 {n} 重复")
        seen: dict[tuple[int, int], int] = {}
        known_tags = set(self.framework.tags)
        for i, t in enumerate(tasks):
            if sections and t.section not in numbers:
                raise ModelError(f"tasks[{i}].section", f"部分编号 {t.section} 不在 sections 中")
            key = (t.section, t.number)
            if key in seen:
                raise ModelError(
                    f"tasks[{i}].number",
                    f"任务编号 {t.number} 与 tasks[{seen[key]}] 重复（第 {t.section} 部分）",
                )
            seen[key] = i
            for j, tag in enumerate(t.tags):
                if known_tags and tag not in known_tags:
                    raise ModelError(
                        f"tasks[{i}].tags[{j}]", f"标签「{tag}」不是 framework 中的工程、改革或目标"
                    )
        # Every unit named by a task is known to the plan; declared units keep their kind.
        declared = {u.name: u for u in self.units}
        for t in tasks:
            for name in t.units:
                declared.setdefault(name, Unit(name))
        goals = tuple(self.goals)
        for i, g in enumerate(goals):
            if not isinstance(g, Target):
                raise ModelError(f"targets[{i}]", "应为 Target")
        object.__setattr__(self, "sections", sections)
        object.__setattr__(self, "tasks", tasks)
        object.__setattr__(self, "units", tuple(declared.values()))
        object.__setattr__(self, "goals", goals)

    # --- lookups -----------------------------------------------------------------------------
    def task(self, task_id: str) -> Task:
        """The task with id ``section.number``; KeyError when absent."""
        for t in self.tasks:
            if t.id == task_id:
                return t
        raise KeyError(task_id)

    @property
    def targets(self) -> tuple[tuple[Task, Target], ...]:
        """Every target with the task that holds it, in plan order."""
        return tuple((t, g) for t in self.tasks for g in t.targets)

    def section_title(self, number: int) -> str:
        for s in self.sections:
            if s.number == number:
                return s.title
        return ""

    def replace(self, **changes: Any) -> Plan:
        """A changed copy (validated again); the original is untouched."""
        return replace(self, **changes)

    # --- tidy frames ---------------------------------------------------------------------------
    def tasks_frame(self) -> pd.DataFrame:
        """One row per task: id, section, number, title, departments, tags, target count and
        the deadline as written (``due``, empty when the plan gives none)."""
        rows = [
            {
                "task_id": t.id,
                "section": t.section,
                "section_title": self.section_title(t.section),
                "number": t.number,
                "title": t.title,
                "lead_units": "、".join(t.lead_units),
                "responsible_units": "、".join(t.responsible_units),
                "tags": "、".join(t.tags),
                "n_targets": len(t.targets),
                "due": t.due,
            }
            for t in self.tasks
        ]
        columns = [
            "task_id",
            "section",
            "section_title",
            "number",
            "title",
            "lead_units",
            "responsible_units",
            "tags",
            "n_targets",
            "due",
        ]
        frame = pd.DataFrame(rows, columns=columns)
        return frame.astype({"section": "int64", "number": "int64", "n_targets": "int64"})

    def targets_frame(self) -> pd.DataFrame:
        """One row per target, with its task and departments beside it."""
        rows = [
            {
                "task_id": t.id,
                "task_title": t.title,
                **_target_fields(g),
                "lead_units": "、".join(t.lead_units),
                "responsible_units": "、".join(t.responsible_units),
                "units": "、".join(t.target_units(g)),
                "source": g.source,
            }
            for t, g in self.targets
        ]
        columns = [
            "task_id",
            "task_title",
            "code",
            "indicator",
            "comparator",
            "value",
            "unit",
            "aspirational",
            "approximate",
            "change",
            "scope",
            "target_text",
            "lead_units",
            "responsible_units",
            "units",
            "source",
        ]
        return pd.DataFrame(rows, columns=columns).astype({"value": "float64"})

    def goals_frame(self) -> pd.DataFrame:
        """One row per plan-level target (``goals``), with the columns of ``targets_frame`` that
        do not belong to a task."""
        rows = [
            {
                **_target_fields(g),
                "units": "、".join(g.units),
                "source": g.source,
            }
            for g in self.goals
        ]
        columns = [
            "code",
            "indicator",
            "comparator",
            "value",
            "unit",
            "aspirational",
            "approximate",
            "change",
            "scope",
            "target_text",
            "units",
            "source",
        ]
        return pd.DataFrame(rows, columns=columns).astype({"value": "float64"})

    def units_frame(self) -> pd.DataFrame:
        """One row per (department, task, role): which 处室 or 单位 leads (牵头) or shares (责任)
        which task. ``department`` and ``role`` as in :func:`planlib.by_department` (``unit``
        elsewhere is a unit of measure: %, 所, 亿元)."""
        rows = [
            {"department": name, "kind": self._unit_kind(name), "task_id": t.id, "role": role}
            for t in self.tasks
            for role, names in (("牵头", t.lead_units), ("责任", t.responsible_units))
            for name in names
        ]
        return pd.DataFrame(rows, columns=["department", "kind", "task_id", "role"])

    def unit_kind(self, name: str) -> str:
        """处室, 直属单位, 专班 …: as the plan's units list says, else guessed from the name."""
        return self._unit_kind(name)

    def _unit_kind(self, name: str) -> str:
        for u in self.units:
            if u.name == name:
                return u.kind
        return unit_kind(name)
