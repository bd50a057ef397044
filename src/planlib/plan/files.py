"""Reading and writing plan files (YAML or JSON), with errors that name the file and key path."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from ..errors import ModelError, PlanFileError
from ..resources import default_plan_path
from .model import Plan, plan_from_dict, plan_to_dict


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


def load_plan(path: str | Path | None = None) -> Plan:
    """Read and validate a plan file; the bundled 2022 plan when no path is given.

    >>> plan = load_plan()
    >>> len(plan.targets)
    16
    """
    p = Path(path) if path is not None else default_plan_path()
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
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def dump_plan(plan: Plan, path: str | Path, fmt: str | None = None) -> None:
    """Write a plan file; the format follows the suffix (.json or .yaml) unless given."""
    p = Path(path)
    fmt = fmt or ("json" if p.suffix.lower() == ".json" else "yaml")
    write_text_atomic(p, plan_text(plan, fmt))
