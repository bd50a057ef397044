"""Reading and writing plan files (YAML or JSON), with errors that name the file and key path.

A plan file holds the plain structure of a plan (mappings, lists, text and numbers); this module
reads it (``read_plan_data``, refusing a YAML key written twice), turns it into a validated
``Plan`` and back (``plan_from_dict``, ``plan_to_dict``), and loads and dumps whole files
(``load_plan``, ``plan_text``, ``dump_plan``, written atomically). The conversion lives here,
beside the files it serves, so the plan model stays free of file concerns.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from ..errors import ModelError, PlanFileError
from ..safety import replace_file
from ..workspace import plan_file
from .model import Framework, Plan, Section, Target, Task, Unit


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key written twice in one mapping (YAML would keep the last)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"键「{key}」重复", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,  # type: ignore[arg-type]
)


def read_plan_data(path: str | Path) -> Any:
    """The plain structure of a plan file; PlanFileError for unreadable or malformed files."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise PlanFileError(p, "", "文件不存在") from None
    except OSError as err:
        raise PlanFileError(p, "", f"无法读取：{err.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PlanFileError(p, "", "文件不是 UTF-8 编码的文本") from None
    if p.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as err:
            raise PlanFileError(
                p, f"第 {err.lineno} 行第 {err.colno} 列", f"JSON 格式错误：{err.msg}"
            ) from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
        reason = err.problem or err.context or "无法解析"
        raise PlanFileError(p, where, f"YAML 格式错误：{reason}") from None
    except yaml.YAMLError as err:
        raise PlanFileError(p, "", f"YAML 格式错误：{err}") from None


# --- building from plain data (YAML/JSON) -----------------------------------------------------

_TARGET_KEYS = {f for f in Target.__dataclass_fields__}
_TASK_KEYS = {f for f in Task.__dataclass_fields__}
# a plan's own targets are ``goals`` in the model and a top-level ``targets`` list in the file
_PLAN_KEYS = ({f for f in Plan.__dataclass_fields__} - {"goals"}) | {"targets"}
_FRAMEWORK_KEYS = {f for f in Framework.__dataclass_fields__}


def _mapping(value: Any, key: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ModelError(key, f"应为键值表，实际为 {type(value).__name__}")
    return value


def _check_keys(data: Mapping[str, Any], allowed: set[str], required: set[str], key: str) -> None:
    for k in data:
        if k not in allowed:
            raise ModelError(f"{key}.{k}" if key else str(k), f"未知的字段「{k}」")
    for k in sorted(required):
        if k not in data or data[k] is None:
            raise ModelError(f"{key}.{k}" if key else k, "缺少必填字段")


def _list(value: Any, key: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ModelError(key, f"应为列表，实际为 {type(value).__name__}")
    return value


def plan_from_dict(data: Any) -> Plan:
    """Build a validated Plan from the plain structure of a plan file.

    Raises ``ModelError`` whose ``key_path`` points at the offending entry.
    """
    data = _mapping(data, "")
    _check_keys(data, _PLAN_KEYS, {"title"}, "")

    def build(cls: Any, payload: Mapping[str, Any], key: str) -> Any:
        try:
            return cls(**payload)
        except ModelError as err:
            raise err.within(key) from None
        except TypeError as err:  # a wrong-typed field the dataclass could not take
            raise ModelError(key, f"字段类型不正确：{err}") from None

    fw_data = _mapping(data.get("framework") or {}, "framework")
    _check_keys(fw_data, _FRAMEWORK_KEYS, set(), "framework")
    framework = build(
        Framework,
        {
            k: (tuple(_list(v, f"framework.{k}")) if isinstance(v, list) else v)
            for k, v in fw_data.items()
        },
        "framework",
    )
    sections = []
    for i, s in enumerate(_list(data.get("sections"), "sections")):
        s = _mapping(s, f"sections[{i}]")
        _check_keys(s, {"number", "title"}, {"number", "title"}, f"sections[{i}]")
        sections.append(build(Section, s, f"sections[{i}]"))

    def targets_of(items: Any, key: str) -> tuple[Target, ...]:
        targets = []
        for j, g in enumerate(_list(items, key)):
            gkey = f"{key}[{j}]"
            g = _mapping(g, gkey)
            _check_keys(g, _TARGET_KEYS, {"indicator", "comparator", "value", "unit"}, gkey)
            if "units" in g:
                g = {**g, "units": tuple(_list(g["units"], f"{gkey}.units"))}
            targets.append(build(Target, g, gkey))
        return tuple(targets)

    goals = targets_of(data.get("targets"), "targets")
    tasks = []
    for i, t in enumerate(_list(data.get("tasks"), "tasks")):
        key = f"tasks[{i}]"
        t = _mapping(t, key)
        _check_keys(t, _TASK_KEYS, {"section", "number", "title"}, key)
        payload = dict(t)
        payload["targets"] = targets_of(t.get("targets"), f"{key}.targets")
        for k in ("lead_units", "responsible_units", "tags"):
            payload[k] = tuple(_list(t.get(k), f"{key}.{k}"))
        for k in ("text", "notes", "due"):
            if payload.get(k) is None:
                payload[k] = ""
        tasks.append(build(Task, payload, key))
    units = []
    for i, u in enumerate(_list(data.get("units"), "units")):
        u = _mapping(u, f"units[{i}]")
        _check_keys(u, {"name", "kind"}, {"name"}, f"units[{i}]")
        units.append(build(Unit, u, f"units[{i}]"))
    return build(
        Plan,
        {
            "title": data["title"],
            "year": data.get("year"),
            "issuer": data.get("issuer") or "",
            "framework": framework,
            "sections": tuple(sections),
            "tasks": tuple(tasks),
            "units": tuple(units),
            "goals": goals,
        },
        "",
    )


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plain structure of a plan file; ``plan_from_dict`` reads it back to an equal Plan."""
    fw = plan.framework

    def target(g: Target) -> dict[str, Any]:
        out: dict[str, Any] = {
            "indicator": g.indicator,
            "code": g.code,
            "comparator": g.comparator,
            "value": int(g.value) if g.value.is_integer() else g.value,
            "unit": g.unit,
            "aspirational": g.aspirational,
            "approximate": g.approximate,
            "scope": g.scope,
        }
        if g.change:
            out["change"] = True
        if g.units:
            out["units"] = list(g.units)
        out["source"] = g.source
        return out

    return {
        "title": plan.title,
        "year": plan.year,
        "issuer": plan.issuer,
        "framework": {
            "name": fw.name,
            "goal": fw.goal,
            "priorities": list(fw.priorities),
            "projects": list(fw.projects),
            "reforms": list(fw.reforms),
            "livelihood": fw.livelihood,
        },
        "units": [{"name": u.name, "kind": u.kind} for u in plan.units],
        "sections": [{"number": s.number, "title": s.title} for s in plan.sections],
        "targets": [target(g) for g in plan.goals],
        "tasks": [
            {
                "section": t.section,
                "number": t.number,
                "title": t.title,
                "lead_units": list(t.lead_units),
                "responsible_units": list(t.responsible_units),
                "tags": list(t.tags),
                "text": t.text,
                **({"due": t.due} if t.due else {}),
                **({"notes": t.notes} if t.notes else {}),
                "targets": [target(g) for g in t.targets],
            }
            for t in plan.tasks
        ],
    }


def load_plan(path: str | Path | None = None) -> Plan:
    """Read and validate a plan file; by default the workspace's plan (else the bundled 2022 plan).

    >>> plan = load_plan()
    >>> len(plan.targets)
    16
    """
    p = Path(path) if path is not None else plan_file()
    data = read_plan_data(p)
    if data is None:
        raise PlanFileError(p, "", "文件为空")
    try:
        return plan_from_dict(data)
    except ModelError as err:
        raise PlanFileError(p, err.key_path, err.problem) from None


def plan_text(plan: Plan, fmt: str = "yaml") -> str:
    """The plan serialised as a plan file (``yaml`` or ``json``)."""
    data = plan_to_dict(plan)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    raise ValueError(f"unknown format {fmt!r}")


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write beside the destination, then rename: a reader never sees half a file."""
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    replace_file(dest, text.encode("utf-8"))


def dump_plan(plan: Plan, path: str | Path, fmt: str | None = None) -> None:
    """Write a plan file; the format follows the suffix (.json or .yaml) unless given."""
    p = Path(path)
    fmt = fmt or ("json" if p.suffix.lower() == ".json" else "yaml")
    write_text_atomic(p, plan_text(plan, fmt))
