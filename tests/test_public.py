"""The public surface of ``import planlib``: one table (``planlib._PUBLIC``), every name found in
its home module, the type checkers' view agreeing with it, and the import itself light."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

import planlib

INIT = Path(planlib.__file__)
PUBLIC: dict[str, str] = planlib._PUBLIC
SUBMODULES: dict[str, str] = planlib._MODULES


def _is_module(name: str) -> bool:
    try:
        return find_spec(name) is not None
    except ModuleNotFoundError:  # the parent is a module, not a package
        return False


def _type_checking_imports() -> dict[str, str]:
    """name → module of each ``from .x import Name as Name`` under ``if TYPE_CHECKING:`` (the
    submodule itself for ``from .x import submodule as submodule``)."""
    found: dict[str, str] = {}
    for node in ast.parse(INIT.read_text(encoding="utf-8")).body:
        if not (isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"):
            continue
        for stmt in node.body:
            assert isinstance(stmt, ast.ImportFrom) and stmt.level == 1, ast.unparse(stmt)
            for alias in stmt.names:
                assert alias.asname == alias.name, f"{alias.name}: re-export it as itself"
                module = ".".join(["planlib", *([stmt.module] if stmt.module else [])])
                submodule = f"{module}.{alias.name}"  # ``from .charts import style``
                found[alias.name] = submodule if _is_module(submodule) else module
    return found


def test_the_type_checkers_see_exactly_the_public_table() -> None:
    assert _type_checking_imports() == PUBLIC | SUBMODULES


def test_all_is_the_table() -> None:
    assert planlib.__all__ == ["__version__", *PUBLIC]
    assert len(set(planlib.__all__)) == len(planlib.__all__)


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_every_name_resolves_from_its_home(name: str) -> None:
    value = getattr(planlib, name)
    home = inspect.getmodule(value)
    assert home is not None and home.__name__ == PUBLIC[name], (
        f"planlib.{name} is defined in {getattr(home, '__name__', '?')}, listed as {PUBLIC[name]}"
    )


def test_settings_and_indicator_sets_come_from_the_catalog() -> None:
    assert planlib.Settings.__module__ == "planlib.catalog.settings"
    assert planlib.IndicatorSet.__module__ == "planlib.catalog.definitions"


def test_public_submodules_resolve() -> None:
    for name, module in SUBMODULES.items():
        assert getattr(planlib, name).__name__ == module


def test_dir_lists_the_surface() -> None:
    listed = dir(planlib)
    assert set(PUBLIC) | set(SUBMODULES) | {"__version__"} <= set(listed)
    assert listed == sorted(listed)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        planlib.no_such_thing  # noqa: B018
    assert not hasattr(planlib, "assessment")  # a module of planlib, not a public name


def test_star_import_gives_the_table() -> None:
    space: dict[str, object] = {}
    exec("from planlib import *", space)
    assert set(PUBLIC) | {"__version__"} <= set(space)


def test_import_planlib_stays_light() -> None:
    code = (
        "import sys, planlib; heavy = {'pandas', 'matplotlib', 'pandera', 'weasyprint', "
        "'papermill', 'openpyxl'} & set(sys.modules); print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
