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


# --- WeasyPrint: a chart's PNG pixels embedded as they are ---------------------------------


def _check_weasyprint_png() -> None:
    """WeasyPrint re-encodes every PNG in ``RasterImage._get_png_data``, a staticmethod taking a
    Pillow image and returning the IDAT bytes: the patch wraps exactly that."""
    from weasyprint.images import RasterImage

    step = RasterImage.__dict__.get("_get_png_data")
    if not isinstance(step, staticmethod):
        raise PatchOutdated("weasyprint.images.RasterImage._get_png_data is gone or not static")
    import inspect

    if list(inspect.signature(step.__func__).parameters) != ["pillow_image"]:
        raise PatchOutdated("RasterImage._get_png_data no longer takes (pillow_image)")


@patch(
    "weasyprint-png-passthrough",
    library="weasyprint",
    written_for=("62", "71"),
    why=(
        "WeasyPrint decodes every chart PNG and compresses its pixels again to take the IDAT "
        "chunks, a tenth of a county PDF's time for the same bytes; the patch hands over the "
        "PNG's own IDAT where the PNG is 8-bit, non-interlaced RGB or grey. Turned off, "
        "WeasyPrint re-encodes as usual: the same pixels, slower"
    ),
    check=_check_weasyprint_png,
)
def weasyprint_png_passthrough(png_stream: Callable[[bytes], bytes | None]) -> None:
    """Let WeasyPrint embed a PNG's compressed pixels as ``png_stream(data)`` returns them (it
    returns ``None`` for any PNG it cannot pass through: WeasyPrint's own step then runs)."""
    import io

    from weasyprint.images import RasterImage

    step = RasterImage.__dict__.get("_get_png_data")
    if not isinstance(step, staticmethod) or getattr(step.__func__, "planlib", False):
        return
    encode = step.__func__

    def png_data(pillow_image: Any) -> bytes:
        source = getattr(pillow_image, "fp", None)  # opened from the image's bytes, not loaded
        if getattr(pillow_image, "format", None) == "PNG" and isinstance(source, io.BytesIO):
            kept = png_stream(source.getvalue())
            if kept is not None:
                return kept
        return bytes(encode(pillow_image))

    png_data.planlib = True  # type: ignore[attr-defined]
    RasterImage._get_png_data = staticmethod(png_data)


# --- CPython: a warm report kernel's warning registries start empty ------------------------


def _check_warnings_reset() -> None:
    """``warnings._filters_mutated()`` bumps the filters' version, which empties every module's
    ``__warningregistry__`` ("shown once" memory) the next time it is consulted."""
    import warnings

    if not callable(getattr(warnings, "_filters_mutated", None)):
        raise PatchOutdated("warnings._filters_mutated is gone (renamed in this Python?)")


@patch(
    "warnings-registry-reset",
    library="python",
    written_for=("3.11", "3.14"),
    why=(
        "a warm report kernel runs report after report; without emptying the 'shown once' "
        "registries a warning a notebook should show is silently skipped in every report after "
        "the first that met it. Turned off (or on a Python without it), a warning shown in one "
        "report may be missing from a later report of the same kernel"
    ),
    check=_check_warnings_reset,
)
def warnings_reset_code(module: str) -> str:
    """A line of kernel code that empties the warning registries, given the name the prelude
    bound ``warnings`` to; guarded, so a Python without the private call skips it."""
    return f"getattr({module}, '_filters_mutated', lambda: None)()\n"


# --- papermill: notebooks run on a kernel papermill did not start -------------------------


def _check_papermill_engine() -> None:
    """The warm engine subclasses papermill's nbclient engine and client: it overrides
    ``NBClientEngine.execute_managed_notebook`` and ``papermill_execute_cells`` and passes a
    started client by assigning ``kc``, which nbclient then neither starts nor stops."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    if not callable(getattr(PapermillNotebookClient, "papermill_execute_cells", None)):
        raise PatchOutdated("PapermillNotebookClient.papermill_execute_cells is gone")
    if not callable(getattr(NBClientEngine, "execute_managed_notebook", None)):
        raise PatchOutdated("NBClientEngine.execute_managed_notebook is gone")
    if not callable(getattr(papermill_engines, "register", None)):
        raise PatchOutdated("papermill_engines.register is gone")
    import inspect

    from nbclient import NotebookClient

    if "self.kc is None" not in inspect.getsource(NotebookClient.async_setup_kernel):
        raise PatchOutdated("nbclient no longer keeps a kernel client it was given (self.kc)")


def _warm_engine(refused: Callable[[], BaseException]) -> type:
    """papermill's nbclient engine, given a started kernel (``km``) and its client (``kc``),
    both left running, and a ``prelude`` run silently before the cells."""
    import logging

    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine

    class WarmClient(PapermillNotebookClient):  # type: ignore[misc]
        prelude = ""

        def papermill_execute_cells(self) -> None:
            msg_id = self.kc.execute(self.prelude, silent=True, store_history=False)
            reply = self.wait_for_reply(msg_id)
            if reply is None or reply["content"].get("status") != "ok":
                logging.getLogger(__name__).debug("prelude reply: %s", reply and reply["content"])
                raise refused()
            super().papermill_execute_cells()

    class WarmEngine(NBClientEngine):  # type: ignore[misc]
        @classmethod
        def execute_managed_notebook(  # type: ignore[override]
            cls,
            nb_man: Any,
            kernel_name: str,
            log_output: bool = False,
            stdout_file: Any = None,
            stderr_file: Any = None,
            start_timeout: int = 60,
            execution_timeout: int | None = None,
            km: Any = None,
            kc: Any = None,
            prelude: str = "",
            **kwargs: Any,
        ) -> Any:
            client = WarmClient(
                nb_man,
                km=km,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logging.getLogger("papermill"),
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            client.prelude = prelude
            client.kc = kc  # the kernel's own client: nbclient starts none and stops none
            try:
                return client.execute()
            finally:
                client.kc = None

    return WarmEngine


@patch(
    "papermill-warm-engine",
    library="papermill",
    written_for=("2.5", "3"),
    why=(
        "a report kernel costs about two seconds to start and import planlib; the warm engine "
        "lets papermill run report after report on one kept kernel (its parameters cell, "
        "metadata and outputs as usual). Turned off, every report starts a fresh kernel "
        "(--kernel fresh): the same reports, slower"
    ),
    check=_check_papermill_engine,
)
@functools.cache
def papermill_warm_engine(name: str, refused: Callable[[], BaseException]) -> bool:
    """Register the warm engine with papermill under ``name`` (once per process); ``refused``
    makes the error raised when a kernel will not run the prelude. Returns True (None when the
    patch is turned off: run reports on fresh kernels instead)."""
    from papermill.engines import papermill_engines

    papermill_engines.register(name, _warm_engine(refused))
    return True


__all__ = [
    "ENV_OFF",
    "REGISTRY",
    "Patch",
    "PatchOutdated",
    "after_import",
    "enabled",
    "papermill_warm_engine",
    "patch",
    "turned_off",
    "version_key",
    "warnings_reset_code",
    "weasyprint_png_passthrough",
]
