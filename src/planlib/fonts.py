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
import functools
import sys
from collections.abc import Callable
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


# Subsets of the bundled font for HTML pages: a page carries the glyphs it shows, so a browser
# without a Chinese font still reads it. Subsetting the whole 8 MB font costs about 0.45 s a page,
# so a batch first cuts a "batch font" once (the characters its reports can use, ~1,500 glyphs,
# ~0.7 s) and each page is cut from that in about 0.1 s; both are kept on disk by the hash of
# their character set (``$PLANLIB_CACHE_DIR`` or the user cache folder), so a batch run again
# cuts nothing. A page using a character outside its batch font is cut from the whole font.

SUBSET_LAYOUT = "fonts-2"
"""The cache folder of font subsets (bump when the subsetting options change)."""
KEEP_DAYS = 30
"""A cached subset unused this long is removed when another is written."""
_MEMO: dict[str, bytes] = {}


def font_cache_dir() -> Path:
    """Where font subsets are kept: ``$PLANLIB_CACHE_DIR/fonts-1`` or the user cache folder's."""
    import os

    env = os.environ.get("PLANLIB_CACHE_DIR")
    if env:
        return Path(env) / SUBSET_LAYOUT
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("planlib")) / SUBSET_LAYOUT


def _key(chars: str, kind: str) -> str:
    import hashlib

    source = font_path()
    stamp = f"{source.name}:{source.stat().st_size}:{kind}:{chars}"
    return hashlib.sha256(stamp.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _charset(text: str) -> str:
    """The distinct characters of ``text`` the bundled font draws, sorted (a space always)."""
    drawn = _bundled_cmap()
    return "".join(sorted({c for c in text if ord(c) in drawn} | {" "}))


@functools.cache
def _bundled_cmap() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(str(font_path()), lazy=True).getBestCmap())


@functools.cache
def _cmap_of(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(str(path), lazy=True).getBestCmap())


def _cut(source: Path, chars: str, flavor: str | None) -> bytes:
    """The glyphs of ``chars`` from the font at ``source``: outlines and metrics only (no
    hinting, no OpenType layout: horizontal CJK text needs neither; no subroutines), timestamps
    kept, so the same characters always give the same bytes."""
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source), lazy=True, recalcBBoxes=False, recalcTimestamp=False)
    options = subset.Options()
    options.flavor = flavor
    options.layout_features = []
    options.hinting = False
    options.desubroutinize = True  # a cut of a flat font is 2.5x faster, and a little smaller
    options.recalc_bounds = False
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx"]
    cutter = subset.Subsetter(options)
    cutter.populate(text=chars)
    cutter.subset(font)
    font.flavor = flavor
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


def _cached(key: str, suffix: str, make: Callable[[], bytes]) -> Path:
    """The cache file ``key``+``suffix``, made by ``make`` when missing (written atomically;
    an unwritable cache only costs the time)."""
    import os
    import time

    from .safety import replace_file

    folder = font_cache_dir()
    path = folder / f"{key}{suffix}"
    if path.is_file():
        with contextlib.suppress(OSError):
            os.utime(path)
        return path
    data = make()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        replace_file(path, data)
        cutoff = time.time() - KEEP_DAYS * 86400
        for old in folder.iterdir():
            if old.is_file() and old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
    except OSError:
        _MEMO[key] = data
    return path


def forget_page_fonts() -> None:
    """Drop the page fonts this process keeps in memory (the disk cache stays)."""
    _MEMO.clear()


def batch_font(text: str) -> Path | None:
    """An OpenType cut of the bundled font to the characters of ``text`` (everything a batch's
    reports may show), kept on disk by their hash; None when it cannot be stored."""
    chars = _charset(text)
    key = _key(chars, "batch")
    path = _cached(key, ".otf", lambda: _cut(font_path(), chars, None))
    return path if path.is_file() else None


def page_font(text: str, within: Path | None = None) -> bytes:
    """A WOFF font with exactly the glyphs ``text`` uses, cut from the batch font ``within``
    when it has them all (fast), else from the whole bundled font; kept by the hash of the
    characters, in this process and on disk."""
    chars = _charset(text)
    key = _key(chars, "page")
    if key in _MEMO:
        return _MEMO[key]
    usable = within is not None and within.is_file() and {ord(c) for c in chars} <= _cmap_of(within)
    source = within if usable and within is not None else font_path()
    path = _cached(key, ".woff", lambda: _cut(source, chars, "woff"))
    data = _MEMO.get(key) or path.read_bytes()
    if len(_MEMO) > 64:
        _MEMO.clear()
    _MEMO[key] = data
    return data


__all__ = [
    "FONT_FAMILY",
    "add_chinese_fallback",
    "batch_font",
    "font_cache_dir",
    "font_path",
    "forget_page_fonts",
    "install",
    "page_font",
]
