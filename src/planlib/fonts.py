"""Chinese in an analyst's own charts: after ``import planlib``, matplotlib and seaborn draw Han
characters with the bundled Noto Sans SC instead of boxes and "Glyph missing" warnings.

``import planlib`` must stay light (the CLI, report kernels), so matplotlib is not imported here:
when it is already imported the font is added at once, otherwise a one-shot import hook adds it
the moment matplotlib finishes importing. Only a fallback family is appended to
``font.family`` (Latin text keeps its usual font); nothing else in the caller's settings
changes. ``sns.set_theme()`` replaces that list: call ``planlib.style.use()`` after it.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from .errors import FontMissingError

FONT_FAMILY = "Noto Sans SC"
"""The family name the bundled font registers under."""


def font_path() -> Path:
    """Path of the bundled Noto Sans SC font file (from the pip package pylopdf-fonts-zh-cn)."""
    try:
        import pylopdf_fonts_zh_cn
    except ImportError as err:  # pragma: no cover - a broken install
        raise FontMissingError(
            "找不到中文字体包 pylopdf-fonts-zh-cn，请重新安装 planlib（pip install planlib）"
        ) from err
    path = Path(pylopdf_fonts_zh_cn.__file__).resolve().parent / "NotoSansSC-Regular.otf"
    if not path.is_file():  # pragma: no cover - a broken install
        raise FontMissingError(f"中文字体文件缺失：{path}")
    return path


def add_chinese_fallback() -> None:
    """Register the bundled font and append it to ``font.family`` (once; idempotent)."""
    import matplotlib as mpl
    from matplotlib import font_manager

    path = str(font_path())
    if not any(f.fname == path for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(path)
    # matplotlib falls back glyph by glyph only along ``font.family`` (a generic name such as
    # sans-serif resolves to one font), so the family goes at the end of that list
    families = list(mpl.rcParams["font.family"])
    if FONT_FAMILY not in families:
        mpl.rcParams["font.family"] = [*families, FONT_FAMILY]


class _AfterMatplotlib(importlib.abc.MetaPathFinder):
    """Finds nothing itself: wraps the loader of ``matplotlib`` so the fallback is added right
    after the module has run, then removes itself."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "matplotlib":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            with contextlib.suppress(Exception):  # never break the caller's import over a font
                add_chinese_fallback()

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def install() -> None:
    """Add the fallback now if matplotlib is loaded, else when it is first imported."""
    if "matplotlib" in sys.modules:
        with contextlib.suppress(Exception):  # a font must never break ``import planlib``
            add_chinese_fallback()
        return
    if not any(isinstance(f, _AfterMatplotlib) for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterMatplotlib())


__all__ = ["FONT_FAMILY", "add_chinese_fallback", "font_path", "install"]
