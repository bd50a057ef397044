"""A batch's output folder: one batch at a time, files written safely, write errors in words.

- :class:`BatchLock`: ``OUT/.planlib-report.lock``, locked with ``flock`` by the batch's parent
  process for the whole batch, names its holder (process id, start time). The system drops the
  lock when the holder ends however it ends (SIGKILL too), so a lock file left behind never
  blocks. A batch that ends removes the file while it still holds it; one that got the lock
  checks that the file it locked is still the one at that name (else it locks the new one), so
  a removed file is never held by one batch while another locks its successor. Workers and
  kernels never hold it (Python's descriptors are not inherited by the processes it starts).
- :func:`write_atomic`: a new file with a random name beside the target (``mkstemp``: created
  with ``O_EXCL``, so nothing planted there is written through), renamed over the target.
- :func:`batch_log`: the batch's log file, never opened through a symlink.
- :func:`output_error`: an ``OSError`` as a :class:`ReportOutputError` naming the file and the
  cause in Chinese (磁盘已满, 只读文件系统, 没有写入权限 …).
"""

from __future__ import annotations

import errno
import io
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from types import TracebackType

from ..errors import ReportOutputError
from ..safety import replace_file

LOCK_NAME = ".planlib-report.lock"

_CAUSES = {
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "磁盘配额已用完",
    errno.EROFS: "只读文件系统",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EFBIG: "文件超过允许的大小",
    errno.ENAMETOOLONG: "文件名过长",
    errno.ENOENT: "目录不存在",
    errno.ENOTDIR: "路径中有一项不是目录",
    errno.ELOOP: "是符号链接，出于安全不跟随",
    errno.EIO: "磁盘读写错误",
}


def output_error(path: Path, err: OSError) -> ReportOutputError:
    """``err`` (raised writing ``path``) as a Chinese message that names the file and the cause."""
    cause = _CAUSES.get(err.errno or 0) or err.strerror or type(err).__name__
    code = errno.errorcode.get(err.errno or 0)
    detail = f"（{code}: {err.strerror}）" if code and err.strerror else ""
    error = ReportOutputError(f"无法写入 {path}：{cause}{detail}")
    error.__cause__ = err
    return error


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a new file renamed over it (:func:`planlib.safety.
    replace_file`: never written through a planted link, never half a report); an ``OSError``
    is raised as :class:`ReportOutputError` naming ``path``."""
    try:
        replace_file(path, data)
    except OSError as err:
        raise output_error(path, err) from err


class BatchLock:
    """The output folder ``out`` for this batch alone, while the lock is held (a context manager).

    Another batch holding it: :class:`ReportOutputError` naming the folder and the holder's process
    id and start time, or with ``wait`` a message to ``waiting`` and a wait until it ends. No-op
    where ``fcntl`` is missing (Windows)."""

    def __init__(
        self, out: Path, wait: bool = False, waiting: Callable[[str], None] | None = None
    ) -> None:
        self.out = out
        self.path = out / LOCK_NAME
        self.wait = wait
        self.waiting = waiting
        self._fd: int | None = None

    def __enter__(self) -> BatchLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    def acquire(self) -> None:
        try:
            import fcntl
        except ImportError:  # no flock here: one batch per folder is the user's to keep
            return
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        told = False
        while self._fd is None:
            try:
                fd = os.open(self.path, flags, 0o644)
            except OSError as err:
                raise output_error(self.path, err) from err
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    busy = self._busy(fd)
                    if not self.wait:
                        raise ReportOutputError(
                            f"{busy}请等它结束后再运行，或换一个 --out 目录（加 --wait 可排队等待）。"
                        ) from None
                    if self.waiting is not None and not told:
                        self.waiting(f"{busy}等它结束后开始……")
                        told = True
                    fcntl.flock(fd, fcntl.LOCK_EX)
            except BaseException:
                os.close(fd)
                raise
            if self._still_there(fd):
                self._fd = fd
            else:  # its holder removed it as it ended: lock the file at the name now
                os.close(fd)
        self._stamp(self._fd)

    def _still_there(self, fd: int) -> bool:
        """Whether the locked file is still the one named ``LOCK_NAME`` in the folder."""
        try:
            there = os.stat(self.path, follow_symlinks=False)
        except FileNotFoundError:
            return False
        mine = os.fstat(fd)
        return (there.st_dev, there.st_ino) == (mine.st_dev, mine.st_ino)

    def release(self) -> None:
        """Let the next batch in: the file removed while still held, then closed (unlocked)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            with suppress(OSError):
                if self._still_there(fd):
                    os.unlink(self.path)
            os.close(fd)

    def _stamp(self, fd: int) -> None:
        """Who holds the folder: read by a second batch for its message (best effort)."""
        started = datetime.now().astimezone().isoformat(timespec="seconds")
        text = json.dumps({"pid": os.getpid(), "started": started}) + "\n"
        with suppress(OSError):  # a full disk: the reports' own writes will say so
            os.ftruncate(fd, 0)
            os.pwrite(fd, text.encode("utf-8"), 0)

    def _busy(self, fd: int) -> str:
        """The message for a folder another batch holds: its process id and start time."""
        holder: dict[str, object] = {}
        for _ in range(10):  # the holder writes its stamp just after it locks
            with suppress(OSError, ValueError):
                holder = json.loads(os.pread(fd, 4096, 0).decode("utf-8") or "{}")
            if holder:
                break
            time.sleep(0.05)
        pid = holder.get("pid", "未知")
        started = str(holder.get("started", "未知")).replace("T", " ")
        return (
            f"输出目录 {self.out} 正由另一个 planlib report 使用（进程 {pid}，开始于 {started}）。"
        )


class _QuietLogFile(logging.FileHandler):
    """The batch's log file: never opened through a symlink, and a record it cannot write (a
    full disk) is dropped silently: the error that matters is reported on its own."""

    def _open(self) -> io.TextIOWrapper:
        path = Path(self.baseFilename)
        if path.is_symlink():  # as for reports: replaced by a file of ours, never followed
            path.unlink()
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        return open(os.open(path, flags, 0o666), "a", encoding=self.encoding)

    def handleError(self, record: logging.LogRecord) -> None:
        pass


@contextmanager
def batch_log(path: Path, log: logging.Logger) -> Iterator[None]:
    """The file ``path`` receives ``log``'s records (INFO and above) while the batch runs."""
    try:
        handler = _QuietLogFile(path, encoding="utf-8")
    except OSError as err:
        raise output_error(path, err) from err
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        yield
    finally:
        log.removeHandler(handler)
        handler.close()
