"""The house rules of ``src/planlib``, checked on the source itself.

Which folder may import which is read from the "may import" column of the folder table in
``docs/ARCHITECTURE.md`` (the one place the rule is written): a module imports its own folder, what
its row names ("X and below" brings what X may import too) and the foundation modules, at the top
or inside a function. Besides: no import cycles, no function over 80 lines, no module reaching for
another module's underscore names, no ``# fmt: skip``, every exception class in ``errors.py``.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "planlib"
ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"
MAX_FUNCTION_LINES = 80
TOP = {"planlib", "planlib.__main__"}
"""The package's own ``__init__`` and ``__main__``: above every folder."""


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for p in sorted(SRC.rglob("*.py"))}


@cache
def _tree(module: str) -> ast.Module:
    return ast.parse(MODULES[module].read_text(encoding="utf-8"))


# --- the rule as the document writes it --------------------------------------------------------


def _table_rows() -> list[list[str]]:
    """The cells of the folder table (the one whose header ends in "may import")."""
    rows: list[list[str]] = []
    in_table = False
    for line in ARCHITECTURE.read_text(encoding="utf-8").splitlines():
        if line.startswith("|") and line.rstrip("| ").endswith("may import"):
            in_table = True
            continue
        if in_table and not line.startswith("|"):
            break
        if in_table and not line.startswith("|---"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    assert rows, f"no folder table with a 'may import' column in {ARCHITECTURE}"
    return rows


def _row_stage(cell: str) -> str:
    if cell.startswith("foundation"):
        return "foundation"
    name = re.fullmatch(r"`(\w+)/`", cell)
    assert name, f"folder cell not understood: {cell!r}"
    return name.group(1)


FOUNDATION = set(re.findall(r"`(\w+)\.py`", _table_rows()[0][0]))
"""The top-level modules of the foundation row, by name (``errors``, ``periods``, …)."""
RULES = {_row_stage(row[0]): row[-1] for row in _table_rows()}
STAGES = set(RULES) - {"foundation"}


@cache
def allowed(stage: str) -> frozenset[str]:
    """The stages ``stage`` may import, from its "may import" cell (and itself, and foundation)."""
    text = re.sub(r"\s*\([^)]*\)", "", RULES[stage]).strip()
    if text == "everything":
        return frozenset(RULES)
    if text == "each other":
        return frozenset({"foundation", stage})
    below = text.endswith(" and below")
    names = [n.strip() for n in re.split(r",|\band\b", text.removesuffix(" and below"))]
    unknown = [n for n in names if n not in RULES]
    assert not unknown, f"{stage}: 'may import' names unknown folders {unknown}: {RULES[stage]!r}"
    out = {"foundation", stage, *names}
    if below:
        for name in names:
            out |= allowed(name)
    return frozenset(out)


def test_the_rules_are_read_as_meant() -> None:
    """The reading of the table, on rows whose meaning is plain from the words."""
    assert {"errors", "periods", "workspace", "checks", "safety"} <= FOUNDATION
    assert allowed("catalog") == {"foundation", "catalog"}
    assert allowed("charts") == {"foundation", "charts"}
    assert allowed("forms") == allowed("returns") | {"forms"}
    assert "forms" not in allowed("init") and "monitoring" in allowed("init")
    assert allowed("cli") == set(RULES)


# --- what the code does -------------------------------------------------------------------------


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


def _package(module: str) -> str:
    return module if MODULES[module].name == "__init__.py" else module.rsplit(".", 1)[0]


def _from_target(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = _package(module).split(".")
    base = base[: len(base) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(module: str) -> set[str]:
    """Every planlib module ``module`` imports when it runs, at the top or inside a function."""
    found: set[str] = set()
    for node in _runtime_nodes(_tree(module)):
        if isinstance(node, ast.ImportFrom):
            target = _from_target(module, node)
            if not target.startswith("planlib"):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in MODULES:
                    found.add(sub)
                elif not (target == "planlib" and alias.name.startswith("__")):
                    found.add(target)  # a package's metadata (``__file__``) is no import of it
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("planlib")}
    found.discard(module)
    return found


def _stage(module: str) -> str:
    """The folder (or ``foundation``) a module belongs to; ``planlib`` for the top."""
    if module in TOP:
        return "planlib"
    name = module.split(".")[1]
    return "foundation" if name in FOUNDATION else name


def test_every_module_has_a_row() -> None:
    rowless = sorted(m for m in MODULES if m not in TOP and _stage(m) not in RULES)
    assert not rowless, f"modules in no row of {ARCHITECTURE.name}'s folder table: {rowless}"


@pytest.mark.parametrize("module", sorted(set(MODULES) - TOP))
def test_imports_follow_the_table(module: str) -> None:
    stage = _stage(module)
    if stage not in RULES:
        pytest.fail(f"{module}: no row for it in {ARCHITECTURE.name}")
    wrong = sorted(t for t in _imports(module) if t not in TOP and _stage(t) not in allowed(stage))
    assert not wrong, f"{module} ({stage}) imports what its row does not allow: {wrong}"


def test_nothing_imports_the_top() -> None:
    wrong = sorted(m for m in MODULES if m not in TOP and _imports(m) & TOP)
    assert not wrong, f"modules importing planlib/__init__ or __main__: {wrong}"


def test_no_import_cycles() -> None:
    graph = {m: {t for t in _imports(m) if t in MODULES} for m in MODULES}
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


# --- the size and shape of the code --------------------------------------------------------------


def _long_functions(module: str) -> list[str]:
    return [
        f"{node.name} (line {node.lineno}): {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(_tree(module))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_function_over_80_lines(module: str) -> None:
    assert not _long_functions(module), f"{module}: {_long_functions(module)}"


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _underscore_reaches(module: str) -> list[str]:
    """Names starting with ``_`` that ``module`` takes from another module: ``from .x import _y``,
    or ``x._y`` on a planlib module it imported. A private module of its own package
    (``from ._options import …``, ``from . import _console``) is its own business."""
    found: list[str] = []
    bound: set[str] = set()  # local names of imported planlib modules
    for node in ast.walk(_tree(module)):
        if isinstance(node, ast.ImportFrom):
            target = _from_target(module, node)
            if not target.startswith("planlib"):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in MODULES:
                    bound.add(alias.asname or alias.name)
                    if _private(alias.name) and target != _package(module):
                        found.append(f"line {node.lineno}: {sub}")
                elif _private(alias.name):
                    found.append(f"line {node.lineno}: {target}.{alias.name}")
        elif isinstance(node, ast.Import):
            bound |= {a.asname for a in node.names if a.asname and a.name in MODULES}
    for node in ast.walk(_tree(module)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in bound
            and _private(node.attr)
        ):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_takes_another_modules_underscore_names(module: str) -> None:
    assert not _underscore_reaches(module), f"{module}: {_underscore_reaches(module)}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_fmt_skip(module: str) -> None:
    text = MODULES[module].read_text(encoding="utf-8")
    marks = [
        n for n, line in enumerate(text.splitlines(), 1) if re.search(r"fmt:\s*(skip|off)", line)
    ]
    assert not marks, f"{module}: '# fmt: skip/off' on lines {marks}"


def test_every_exception_class_lives_in_errors() -> None:
    elsewhere = []
    for module in MODULES:
        if module == "planlib.errors":
            continue
        for node in ast.walk(_tree(module)):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(b, ast.Name) and b.id.endswith(("Error", "Exception"))
                for b in node.bases
            ):
                elsewhere.append(f"{module}.{node.name}")
    # a private control-flow exception that never reaches a caller may stay with its code
    assert [e for e in elsewhere if not e.rsplit(".", 1)[1].startswith("_")] == []
