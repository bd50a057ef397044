"""Every reach into another library's internals, in one room.

planlib uses a few private corners of other libraries, each measured and explained where it is
registered here. Each entry is a :class:`Patch`: the library it reaches into, the versions it was
written and tested for, a ``check`` that says whether the internals still look the way the patch
assumes (``tests/test_patches.py`` runs every check against the installed versions, so an upgrade
that moves them fails loudly there), and a name under which a user can turn it off.

Turning patches off: ``PLANLIB_NO_PATCHES=matplotlib-import-hook,...`` (names as registered
below, comma-separated) or ``PLANLIB_NO_PATCHES=all``. A patch turned off does nothing; planlib
then takes the ordinary public path (slower, or without the convenience the patch adds).

Adding an entry (one block at the end of this file)::

    def _check_x() -> None:
        \"\"\"Raise PatchOutdated when lib's private thing is gone or has changed shape.\"\"\"
        ...

    @patch(
        "lib-thing",
        library="lib",                  # distribution name, as ``pip show`` spells it
        written_for=("1.2", "2"),       # tested from 1.2 up to (not including) 2
        why="what it saves or fixes, and what happens without it",
        check=_check_x,
    )
    def apply_lib_thing(...) -> None:   # called where planlib needs it; a no-op when turned off
        ...
"""

from __future__ import annotations

import contextlib
import functools
import importlib.abc
import importlib.machinery
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from types import ModuleType
from typing import Any, TypeVar

from .errors import PatchOutdated

ENV_OFF = "PLANLIB_NO_PATCHES"
"""Environment variable naming the patches to turn off (comma-separated, or ``all``)."""

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Patch:
    """One reach into another library's internals."""

    name: str
    library: str
    written_for: tuple[str, str]
    """Versions tested: from the first (included) up to the second (excluded)."""
    why: str
    check: Callable[[], None]
    """Raises :class:`PatchOutdated` when the internals no longer look as the patch assumes."""

    def installed_version(self) -> str | None:
        """The library's installed version, or ``None`` when it is not installed."""
        if self.library == "python":
            return ".".join(str(part) for part in sys.version_info[:3])
        try:
            return metadata.version(self.library)
        except metadata.PackageNotFoundError:
            return None

    def in_range(self) -> bool:
        """Whether the installed version is one the patch was written for."""
        version = self.installed_version()
        if version is None:
            return False
        low, high = (version_key(v) for v in self.written_for)
        return low <= version_key(version) < high

    def enabled(self) -> bool:
        """Whether the user has not turned this patch off."""
        return enabled(self.name)


REGISTRY: dict[str, Patch] = {}
"""Every patch, by name, in the order registered."""


def version_key(version: str) -> tuple[int, ...]:
    """``"3.11.2"`` → ``(3, 11, 2)``; a pre-release tail (``rc1``, ``.dev0``) is ignored."""
    parts: list[int] = []
    for piece in version.split("."):
        digits = re.match(r"\d+", piece)
        if digits is None:
            break
        parts.append(int(digits.group()))
        if digits.group() != piece:
            break
    return tuple(parts)


def turned_off() -> set[str]:
    """Names in ``PLANLIB_NO_PATCHES`` (read each time, so a test or a notebook can change it)."""
    return {part.strip() for part in os.environ.get(ENV_OFF, "").split(",") if part.strip()}


def enabled(name: str) -> bool:
    """Whether patch ``name`` is on (every patch is, unless named in ``PLANLIB_NO_PATCHES``)."""
    if name not in REGISTRY:
        raise KeyError(f"no patch named {name!r}")
    off = turned_off()
    return "all" not in off and name not in off


def patch(
    name: str,
    *,
    library: str,
    written_for: tuple[str, str],
    why: str,
    check: Callable[[], None],
) -> Callable[[F], F]:
    """Register a patch and make the decorated function that applies it a no-op (returning
    ``None``) while the patch is turned off."""
    if name in REGISTRY:
        raise ValueError(f"patch {name!r} registered twice")
    REGISTRY[name] = Patch(name, library, written_for, why, check)

    def decorate(apply: F) -> F:
        @functools.wraps(apply)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not enabled(name):
                return None
            return apply(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


# --- Python's import system: run a callback right after a module finishes importing ---------


def _check_import_hook() -> None:
    """The hook asks ``PathFinder`` for matplotlib's spec and wraps its loader's
    ``exec_module``: both must still exist and the loader must take the assignment."""
    spec = importlib.machinery.PathFinder.find_spec("matplotlib")
    if spec is None or spec.loader is None:
        raise PatchOutdated("PathFinder no longer finds matplotlib (installed another way?)")
    if not callable(getattr(spec.loader, "exec_module", None)):
        raise PatchOutdated("matplotlib's loader has no exec_module")
    try:
        spec.loader.exec_module = spec.loader.exec_module  # type: ignore[method-assign]
    except (AttributeError, TypeError) as err:
        raise PatchOutdated("matplotlib's loader refuses a wrapped exec_module") from err


class _AfterImport(importlib.abc.MetaPathFinder):
    """Finds nothing itself: wraps the loader of one module so ``callback`` runs right after the
    module has run, then removes itself."""

    def __init__(self, module: str, callback: Callable[[], None]) -> None:
        self.module = module
        self.callback = callback

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != self.module:
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        run = loader.exec_module
        callback = self.callback

        def exec_module(module: ModuleType) -> None:
            run(module)
            with contextlib.suppress(Exception):  # never break the caller's import over a hook
                callback()

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


@patch(
    "matplotlib-import-hook",
    library="matplotlib",
    written_for=("3.5", "4"),
    why=(
        "import planlib must not import matplotlib (the CLI and report kernels stay light), yet "
        "an analyst's own charts need the Chinese fallback font the moment matplotlib loads; "
        "turned off, call planlib.style.use() (or planlib.fonts.add_chinese_fallback()) yourself"
    ),
    check=_check_import_hook,
)
def after_import(module: str, callback: Callable[[], None]) -> None:
    """Run ``callback`` once, right after ``module`` is first imported (at once if it already
    is); an error in the callback is swallowed, never breaking the import."""
    if module in sys.modules:
        with contextlib.suppress(Exception):
            callback()
        return
    if not any(isinstance(f, _AfterImport) and f.module == module for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterImport(module, callback))


__all__ = [
    "ENV_OFF",
    "REGISTRY",
    "Patch",
    "PatchOutdated",
    "after_import",
    "enabled",
    "patch",
    "turned_off",
    "version_key",
]
