"""The house rules of ``src/planlib`` (docs/ARCHITECTURE.md), checked on the source itself.

Stages import downward only: cli → reporting → charts, monitoring → forms → returns → plan → catalog →
the foundation modules (errors, periods, resources, encodings, checks). No import cycles, lazy imports
included; no module over 500 lines; every exception class in ``errors.py``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "planlib"
FOUNDATION = {"errors", "periods", "resources", "encodings", "checks", "fonts", "workspace", "safety"}  # fmt: skip
LAYERS = ["catalog", "plan", "returns", "forms", "monitoring", "init", "charts", "reporting", "cli"]
"""Lowest first; a module may import its own stage, any lower one, and the foundation."""


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for p in sorted(SRC.rglob("*.py"))}


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under ``if TYPE_CHECKING:`` (type hints, never imported)."""
    out: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        out.append(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and getattr(child.test, "id", "") == "TYPE_CHECKING":
                todo.extend(child.orelse)
                continue
            todo.append(child)
    return out


def _imports(path: Path) -> set[str]:
    """Every planlib module ``path`` imports when it runs, at the top or inside a function."""
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if not target.startswith("planlib"):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in MODULES else target)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("planlib")}
    found.discard(module)
    return found


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "planlib"


def _rank(module: str) -> int:
    stage = _stage(module)
    if stage in FOUNDATION:
        return 0
    if stage in LAYERS:
        return 1 + LAYERS.index(stage)
    return len(LAYERS) + 1  # planlib/__init__ and __main__: the top


def test_every_stage_folder_is_known() -> None:
    stages = {_stage(m) for m in MODULES} - {"planlib", "__main__"}
    assert stages <= FOUNDATION | set(LAYERS), stages - FOUNDATION - set(LAYERS)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_downward_only(module: str) -> None:
    upward = sorted(target for target in _imports(MODULES[module]) if _rank(target) > _rank(module))
    assert not upward, f"{module} imports a later stage: {upward}"


def test_no_import_cycles() -> None:
    graph = {m: {t for t in _imports(p) if t in MODULES} for m, p in MODULES.items()}
    # a package's __init__ re-exporting its own modules is not a cycle with them
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(node: str, trail: list[str]) -> bool:
        state[node] = 1
        for nxt in graph[node]:
            if nxt.startswith(node + ".") or node == "planlib":
                continue
            if state.get(nxt) == 1:
                cycle.extend([*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt])
                return True
            if state.get(nxt) is None and visit(nxt, [*trail, nxt]):
                return True
        state[node] = 2
        return False

    for m in graph:
        if state.get(m) is None and visit(m, [m]):
            break
    assert not cycle, " → ".join(cycle)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_over_500_lines(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= 500, f"{module}: {lines} lines"


def test_every_exception_class_lives_in_errors() -> None:
    elsewhere = []
    for module, path in MODULES.items():
        if module == "planlib.errors":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(b, ast.Name) and b.id.endswith(("Error", "Exception"))
                for b in node.bases
            ):
                elsewhere.append(f"{module}.{node.name}")
    # a private control-flow exception that never reaches a caller may stay with its code
    assert [e for e in elsewhere if not e.rsplit(".", 1)[1].startswith("_")] == []
