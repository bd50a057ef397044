"""A workspace's own catalog: the library indicators its plan uses, its plan indicators, and
exactly the data elements (and rules) those need, written as the workspace's two YAML files.

The library (``data/library/``) is read as YAML, not through the loaders, so each entry is copied
as the library writes it (comments aside) and the workspace files stay readable and editable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..catalog.expressions import parse_expression
from ..errors import ExpressionError, WorkspaceError
from ..workspace import library_dir

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class LibraryFiles:
    """The library's raw YAML: the indicators file and the dictionary file, as mappings."""

    indicators: Mapping[str, Any]
    dictionary: Mapping[str, Any]

    @property
    def entries(self) -> dict[str, Mapping[str, Any]]:
        """Indicator entries by code, in library order."""
        return {str(e["code"]): e for e in self.indicators.get("indicators") or []}

    @property
    def elements(self) -> dict[str, Mapping[str, Any]]:
        """Data element entries by code, in library order."""
        return {str(e["code"]): e for e in self.dictionary.get("elements") or []}

    @property
    def standards(self) -> dict[str, Mapping[str, Any]]:
        """Per-school standards (``school_standards``) by code."""
        return {str(e["code"]): e for e in self.indicators.get("school_standards") or []}


def _read(path: Path) -> Mapping[str, Any]:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, yaml.YAMLError) as err:
        raise WorkspaceError(f"无法读取指标库文件 {path}：{err}") from None
    if not isinstance(raw, Mapping):
        raise WorkspaceError(f"指标库文件 {path} 格式错误：应为键值表")
    return raw


@lru_cache(maxsize=2)
def library_files(folder: str | None = None) -> LibraryFiles:
    """The bundled library's two files, read once per process."""
    root = Path(folder) if folder else library_dir()
    return LibraryFiles(_read(root / "indicators.yaml"), _read(root / "dictionary.yaml"))


def _formulas(entry: Mapping[str, Any]) -> Iterable[str]:
    """Every formula text of an indicator entry (all options of a ``choose``)."""
    for key in ("numerator", "denominator"):
        value = entry.get(key)
        todo = [value]
        while todo:
            node = todo.pop()
            if isinstance(node, str):
                yield node
            elif isinstance(node, Mapping):
                todo.extend(
                    node.get("options", node).values() if "options" in node else node.values()
                )
    value = entry.get("value")  # a dispersion indicator's per-school value
    if isinstance(value, Mapping):
        yield from (str(v) for k, v in value.items() if k in ("numerator", "denominator"))


def _named(text: str) -> set[str] | None:
    """The elements one formula names; None when it cannot be read (the loader reports a bad
    formula with its place)."""
    try:
        return {t.element for t in parse_expression(text).terms if t.element}
    except ExpressionError:
        return None


def element_codes(entry: Mapping[str, Any]) -> set[str]:
    """The data elements (and per-school standards) an indicator entry's formulas name."""
    return set().union(*(_named(text) or set() for text in _formulas(entry)))


@dataclass
class Composition:
    """What goes into a workspace's catalog, gathered target by target."""

    library: LibraryFiles
    codes: list[str] = field(default_factory=list)
    plan_indicators: list[dict[str, Any]] = field(default_factory=list)
    plan_elements: list[dict[str, Any]] = field(default_factory=list)

    def use(self, code: str) -> None:
        """Take a library indicator; a composite (``of:``) brings the indicators it averages."""
        if code not in self.codes and code in self.library.entries:
            self.codes.append(code)
            for part in self.library.entries[code].get("of") or []:
                self.use(str(part))

    def add_plan(self, indicator: dict[str, Any], elements: Sequence[dict[str, Any]]) -> None:
        if any(i["code"] == indicator["code"] for i in self.plan_indicators):
            return
        self.plan_indicators.append({**indicator, "origin": "plan"})
        known = {e["code"] for e in self.plan_elements}
        self.plan_elements.extend(e for e in elements if e["code"] not in known)

    def indicators_file(self) -> dict[str, Any]:
        lib = self.library
        chosen = set(self.codes)  # in the library's order, whatever order the plan names them
        entries = [
            {**e, "origin": "library", "library_code": c}
            for c, e in lib.entries.items()
            if c in chosen
        ]
        out: dict[str, Any] = {}
        if lib.indicators.get("judgement") is not None:
            out["judgement"] = dict(lib.indicators["judgement"])
        needed = set().union(*(element_codes(e) for e in entries)) if entries else set()
        standards = [s for c, s in lib.standards.items() if c in needed]
        if standards:
            out["school_standards"] = standards
        out["indicators"] = entries + self.plan_indicators
        return out

    def needed_elements(self) -> list[str]:
        entries = [*(self.library.entries[c] for c in self.codes), *self.plan_indicators]
        needed: set[str] = set().union(*(element_codes(e) for e in entries)) if entries else set()
        for code, standard in self.library.standards.items():
            if code in needed:
                for item in standard.get("items") or []:
                    needed |= {str(item.get("numerator", "")), str(item.get("denominator", ""))}
        # a cross-element check on a needed element brings the elements it compares with
        # (the parts of a total, the population an enrolment is checked against)
        for rule in self.library.dictionary.get("rules") or []:
            named = _rule_elements(rule)
            if named & needed:
                needed |= named
        return sorted(needed - {""})

    def primary_elements(self) -> set[str]:
        """Elements the library indicators' formulas use under the default settings: the ones a
        form must ask for (an alternative 口径's, such as 户籍 population, stay optional)."""
        found: set[str] = set()
        for code in self.codes:
            found |= element_codes(_default_entry(self.library.entries[code]))
        return found

    def dictionary_file(self) -> dict[str, Any]:
        lib = self.library
        needed = set(self.needed_elements())
        primary = self.primary_elements()
        library_elements = lib.elements
        # context elements (school enrolment: lists ranked by size, CV weights) always come along
        chosen = [
            {**e, "required": True} if c in primary and not e.get("context") else e
            for c, e in library_elements.items()
            if c in needed or e.get("context")
        ]
        chosen += [e for e in self.plan_elements if e["code"] not in library_elements]
        have = {str(e["code"]) for e in chosen}
        out: dict[str, Any] = {
            k: v for k, v in lib.dictionary.items() if k not in ("elements", "rules", "peer_ratios")
        }
        out["elements"] = chosen
        out["rules"] = [r for r in lib.dictionary.get("rules") or [] if _within(r, have)]
        out["peer_ratios"] = [
            r for r in lib.dictionary.get("peer_ratios") or [] if _within(r, have)
        ]
        return out


def _default_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The entry with each ``choose``/``options`` formula resolved under the default settings."""
    from ..catalog.settings import Settings

    defaults = Settings()
    out = dict(entry)
    for key in ("numerator", "denominator"):
        node = entry.get(key)
        if isinstance(node, Mapping) and "options" in node:
            choose = node.get("choose") or []
            value: Any = node["options"]
            for setting in [choose] if isinstance(choose, str) else choose:
                want = str(getattr(defaults, setting, ""))
                value = {str(k).replace("-", "–"): v for k, v in value.items()}.get(want, "")
            out[key] = value
    return out


def _rule_elements(rule: Mapping[str, Any]) -> set[str]:
    """The elements a rule or peer ratio names (none when a side cannot be read)."""
    sides = [
        _named(str(rule[k])) for k in ("left", "right", "numerator", "denominator") if rule.get(k)
    ]
    return set() if None in sides else set().union(*(x for x in sides if x is not None))


def _within(rule: Mapping[str, Any], have: set[str]) -> bool:
    """Whether every element a rule names is in the workspace's dictionary."""
    named = _rule_elements(rule)
    return bool(named) and named <= have


class _Dumper(yaml.SafeDumper):
    """Short lists (aliases, ranges) on one line, as the library writes them."""


def _represent_list(dumper: Any, data: Any) -> yaml.Node:
    flow = len(data) <= 8 and all(isinstance(x, str | int | float) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(tuple, _represent_list)


def yaml_text(data: Mapping[str, Any], header: str) -> str:
    """A catalog file: a comment header, then the data."""
    body = yaml.dump(dict(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()) + body
