"""No dead code in ``src/planlib``: vulture's findings, with uses counted in the tests, the
benchmarks, the tools and the notebooks too, are empty once what vulture cannot see is set aside by rule (not by name):

- an attribute set on another library's object (openpyxl's ``ws.freeze_panes = …``): the library
  reads it;
- a decorated function (``@plan.command("show")``): the decorator registers it;
- a dunder (a module's ``__getattr__``) and the arguments of a dunder method (``__exit__``'s
  ``exc, tb``): the protocol calls them;
- an annotated class attribute (a dataclass field such as ``Settings.retention_base``): data,
  read by name;
- a framework hook that a base class calls (:data:`HOOKS`, each with the class that calls it).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest

vulture = pytest.importorskip("vulture")  # a dev extra (pip install -e '.[dev]')

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "planlib"
HOOKS = {
    "list_commands": "click.Group lists a group's commands through it",
    "handle_starttag": "html.parser.HTMLParser calls it",
    "handle_endtag": "html.parser.HTMLParser calls it",
    "handle_data": "html.parser.HTMLParser calls it",
    "handleError": "logging.Handler calls it when emit fails",
}


def _notebook_code(tmp: Path) -> Path:
    """The notebooks' code cells as one Python file, so names they use count as used."""
    cells: list[str] = []
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                source = "".join(cell["source"])
                cells.append(
                    "\n".join(line for line in source.splitlines() if line[:1] not in "%!")
                )
    out = tmp / "notebooks_code.py"
    out.write_text("\n\n".join(cells), encoding="utf-8")
    return out


def _dunder_arguments(path: Path) -> set[tuple[str, int]]:
    """(name, line) of every argument of a dunder method in ``path``."""
    found: set[tuple[str, int]] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef) and re.fullmatch(r"__\w+__", node.name):
            a = node.args
            every = [*a.posonlyargs, *a.args, *a.kwonlyargs, *filter(None, [a.vararg, a.kwarg])]
            found |= {(arg.arg, arg.lineno) for arg in every}
    return found


def _set_aside(item: Any, lines: dict[Path, list[str]]) -> bool:
    name, kind, path = item.name, item.typ, Path(item.filename)
    if kind == "attribute" or name in HOOKS or re.fullmatch(r"__\w+__", name):
        return True
    if kind != "variable":
        return False
    if (name, item.first_lineno) in _dunder_arguments(path):  # a protocol's arguments
        return True
    text = lines.setdefault(path, path.read_text(encoding="utf-8").splitlines())
    return re.match(rf"\s+{re.escape(name)}\s*:", text[item.first_lineno - 1]) is not None


def test_no_dead_code_in_the_package(tmp_path: Path) -> None:
    finder = vulture.Vulture(ignore_decorators=["@*"])
    users = [ROOT / d for d in ("tests", "benchmarks", "tools") if (ROOT / d).is_dir()]
    finder.scavenge([str(SRC), *map(str, users), str(_notebook_code(tmp_path))])
    lines: dict[Path, list[str]] = {}
    dead = [
        f"{Path(i.filename).relative_to(ROOT)}:{i.first_lineno}: {i.typ} {i.name!r}"
        for i in finder.get_unused_code(min_confidence=60)
        if Path(i.filename).is_relative_to(SRC) and not _set_aside(i, lines)
    ]
    assert not dead, "\n".join(dead)
