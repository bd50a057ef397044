"""Outputs that hostile or broken inputs cannot turn against the user.

Names from data (a unit in ``org_units.csv``) become file names only through
:func:`safe_filename`, and every such file is checked by :func:`inside` to lie in its output
folder. Text that a spreadsheet would run as a formula is made inert (:func:`formula_like`,
:func:`inert_csv`). Writing goes through :func:`write_file` (or reports its failure with
:func:`write_error`), so a full disk, a read-only folder or a closed pipe is told as what it is, in
Chinese, naming the file or 标准输出.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import io
import os
import re
import stat
import tempfile
import unicodedata
from pathlib import Path
from typing import IO, Any

from .errors import OutputError

NAME_BYTES = 120
"""The longest name :func:`safe_filename` returns, in UTF-8 bytes (file systems allow 255)."""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What makes Excel, WPS or LibreOffice read a cell as a formula (OWASP CSV injection)."""

_SEPARATORS = re.compile(r'[/\\<>:"|?*]')  # path separators and what Windows refuses in a name
_DOTS = re.compile(r"\.{2,}")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_DEVICES = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}
_CAUSES = {
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "磁盘配额已用完",
    errno.EROFS: "文件系统只读",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EPIPE: "输出管道已关闭（读取输出的程序已退出，如 | head）",
    errno.ENOTDIR: "路径中有同名的文件，不是文件夹",
    errno.EEXIST: "路径中有同名的文件，不是文件夹",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EIO: "磁盘读写错误",
    errno.ENOENT: "所在文件夹不存在",
}


def safe_filename(name: object, fallback: str = "未命名", *, limit: int = NAME_BYTES) -> str:
    """``name`` as one file name on any system: no path separators or ``..``, no control or
    invisible (bidi, zero-width) characters, no leading dots or spaces, none of ``<>:"|?*``,
    not a Windows device name, at most ``limit`` bytes of UTF-8 (cut between characters), never
    empty (nothing left but ``_``: ``fallback``, made safe alike, else ``_``)."""
    text = unicodedata.normalize("NFC", "" if name is None else str(name))
    kept = []
    for ch in text:
        kind = unicodedata.category(ch)
        if kind in ("Cf", "Cs"):  # bidi overrides, zero-width marks, lone surrogates: dropped
            continue
        kept.append("_" if kind in ("Cc", "Zl", "Zp") else ch)
    text = _DOTS.sub("_", _SEPARATORS.sub("_", "".join(kept)))
    text = text.strip(" .")
    if text.split(".")[0].strip().upper() in _DEVICES:
        text = f"_{text}"
    text = text.encode("utf-8")[:limit].decode("utf-8", "ignore").rstrip(" .")
    if text.strip("_ "):
        return text
    if fallback and fallback != name:  # nothing of the name was left but underscores
        return safe_filename(fallback, "", limit=limit)
    return "_"


def inside(folder: str | Path, path: str | Path) -> Path:
    """``path`` when it lies within ``folder`` (symbolic links and ``..`` resolved), else an
    :class:`OutputError`: nothing is written outside the folder a user named."""
    base, full = Path(folder).resolve(), Path(path).resolve()
    if full == base or not full.is_relative_to(base):
        raise OutputError(
            f"拒绝写入 {path}：它不在输出目录 {folder} 之内（文件名来自数据，可能含有 ../ 等路径成分）"
        )
    return Path(path)


def formula_like(text: str) -> bool:
    """True when a spreadsheet would take ``text`` for a formula (= + - @, tab, carriage return)."""
    return text.startswith(FORMULA_START)


def inert_csv(value: object) -> object:
    """A CSV cell Excel will not run: text that looks like a formula gets a leading ``'``;
    numbers, and text that is a plain number (``-5``), stay as they are."""
    if isinstance(value, str) and formula_like(value) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def printable(text: object) -> str:
    """``text`` for a terminal or a file name's message: :func:`planlib.checks.clean_text`."""
    from .checks import clean_text

    return clean_text(str(text))


def write_error(err: OSError, where: str | Path | None) -> OutputError:
    """The Chinese error for a failed write to ``where`` (None: standard output)."""
    cause = _CAUSES.get(err.errno or 0) or err.strerror or str(err)
    target = "标准输出" if where is None else str(where)
    return OutputError(f"无法写入 {target}：{cause}")


def _special(path: Path) -> bool:
    """A target that must be written into, not replaced: a device, a pipe, a symbolic link."""
    return path.is_symlink() or (path.exists() and not path.is_file())


@functools.cache
def new_file_mode() -> int:
    """What ``open()`` would give a new file: 0o666 less the umask (mkstemp gives 0o600)."""
    try:  # Linux: read without changing it (changing it would race with other threads)
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def replace_file(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` into a new file beside ``path`` and rename it over ``path``: a reader never
    sees half a file, a failure leaves the old one, and the new file's name is random and made
    exclusively (``mkstemp``), so nothing planted beside it is written through; a symlink at
    ``path`` is replaced, never followed. ``mode``: default, what ``open()`` would give. Raises
    the ``OSError`` as it is, for the caller to word."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".part", dir=path.parent)
    done = False
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), new_file_mode() if mode is None else mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        done = True
    finally:
        if not done:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def write_file(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path``: beside it and renamed over it (:func:`replace_file`), or
    straight into a device, pipe or symbolic link (``/dev/stdout``). Any failure is an
    :class:`OutputError` naming the file and the cause."""
    path = Path(path)
    try:
        if _special(path):
            with open(path, "wb") as fh:
                fh.write(data)
                fh.flush()
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, data, 0o644)
    except OSError as err:
        raise write_error(err, path) from None


def sync_stream(stream: IO[Any]) -> None:
    """Flush ``stream`` and, when a regular file is behind it, that file to disk: a full disk
    shows now, not as a file cut short after the command said it was done."""
    stream.flush()
    try:
        fileno = stream.fileno()
    except (io.UnsupportedOperation, AttributeError, ValueError):  # captured in memory
        return
    if stat.S_ISREG(os.fstat(fileno).st_mode):
        os.fsync(fileno)


def discard_stream(stream: IO[Any]) -> None:
    """Point a broken stream's file descriptor at the null device: what is still buffered for it
    goes nowhere when Python exits instead of failing a second time."""
    with contextlib.suppress(OSError, AttributeError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, stream.fileno())
        finally:
            os.close(null)
