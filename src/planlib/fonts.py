"""Chinese in an analyst's own charts: after ``import planlib``, matplotlib and seaborn draw Han
characters with the bundled Noto Sans SC instead of boxes and "Glyph missing" warnings.

``import planlib`` must stay light (the CLI, report kernels), so matplotlib is not imported here:
when it is already imported the font is added at once, otherwise a one-shot import hook (in
:mod:`planlib._patches`) adds it the moment matplotlib finishes importing. Only a fallback family is appended to
``font.family`` (Latin text keeps its usual font); nothing else in the caller's settings
changes. ``sns.set_theme()`` replaces that list: call ``planlib.style.use()`` after it.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from ._patches import after_import
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


def install() -> None:
    """Add the fallback now if matplotlib is loaded, else when it is first imported (through
    the ``matplotlib-import-hook`` patch in :mod:`planlib._patches`)."""
    if "matplotlib" in sys.modules:
        with contextlib.suppress(Exception):  # a font must never break ``import planlib``
            add_chinese_fallback()
        return
    after_import("matplotlib", add_chinese_fallback)


__all__ = ["FONT_FAMILY", "add_chinese_fallback", "font_path", "install"]
