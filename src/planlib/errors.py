"""Errors that reach users: each names where the problem is and says it in Chinese.

Every error a user can cause is a :class:`PlanlibError`; the CLI prints its message and exits 1.
Anything else is a bug in planlib.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class PlanlibError(Exception):
    """A problem in the user's input (a file, a setting); its message is Chinese and complete."""


class PlanFileError(PlanlibError):
    """A plan file that cannot be read or is not a valid plan.

    ``key_path`` is where in the file the problem sits, e.g. ``tasks[2].targets[0].comparator``.
    """

    def __init__(self, path: str | Path | None, key_path: str, message: str) -> None:
        self.path = str(path) if path is not None else None
        self.key_path = key_path
        self.problem = message
        where = f"文件 {self.path}" if self.path else "计划数据"
        if key_path:
            where += f"，位置 {key_path}"
        super().__init__(f"{where}：{message}")


class ModelError(ValueError):
    """Raised while building a model object; ``key_path`` is relative to the object being built."""

    def __init__(self, key_path: str, message: str) -> None:
        self.key_path = key_path
        self.problem = message
        super().__init__(f"{key_path}：{message}" if key_path else message)

    def within(self, prefix: str) -> ModelError:
        """The same error seen from the parent object that holds this one at ``prefix``."""
        if not prefix:
            return self
        if not self.key_path:
            return ModelError(prefix, self.problem)
        sep = "" if self.key_path.startswith("[") else "."
        return ModelError(f"{prefix}{sep}{self.key_path}", self.problem)


class PatchOutdated(RuntimeError):
    """A library planlib patches (``planlib._patches``) has changed the internals the patch relies
    on: for maintainers (``tests/test_patches.py``), never shown to users."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a data file, located as a person sees it in Excel."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    severity: str = "error"  # "error" or "warning"
    org_code: str | None = None
    period: str | None = None
    rule: str = ""

    def describe(self) -> str:
        """One line in Chinese: 文件 x，第 n 行，列「c」（值 v）：message."""
        parts = [f"文件 {self.file}"]
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"列「{self.column}」")
        where = "，".join(parts)
        if self.value not in (None, ""):
            where += f"（值 {self.value}）"
        level = "错误" if self.severity == "error" else "警告"
        return f"[{level}] {where}：{self.message}"


class DataFileError(PlanlibError):
    """Data files with errors that stop loading; holds every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = [p.describe() for p in problems[:50]]
        if len(problems) > 50:
            lines.append(f"……另有 {len(problems) - 50} 个问题未列出")
        super().__init__("数据文件有错误：\n" + "\n".join(lines))


# --- errors of each stage (one module, so a caller finds every error the package raises) ---


class UsageError(PlanlibError):
    """A request that cannot run (unknown county, bad format): refused before any work (exit 2)."""


class UnknownNameError(UsageError, KeyError):
    """A unit, department or indicator that does not exist; the message lists close matches.

    Also a ``KeyError``, so code that looked a name up in a mapping keeps working."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0]) if self.args else ""


class ContextError(PlanlibError):
    """A report context file is missing or unreadable."""


class SchedulerUnreachableError(PlanlibError):
    """The Dask scheduler did not answer, or has no worker to run reports on."""


class PlanTextError(PlanlibError):
    """A plan text that cannot be read (missing, not text, or an encoding we cannot tell)."""

    def __init__(self, path: str | Path, message: str) -> None:
        self.path = str(path)
        super().__init__(f"文件 {self.path}：{message}")


class OrgUnitError(PlanlibError):
    """An org-unit or school registry that cannot be used."""


class TextEncodingError(ValueError):
    """Bytes that are not text in a supported encoding; the message is Chinese."""


class AllocationFileError(PlanlibError):
    """An allocation file that cannot be read; names the file, row and column."""


class IndicatorFileError(PlanlibError):
    """An indicator definitions file that cannot be read or is not valid."""

    def __init__(self, path: str | Path | None, key_path: str, message: str) -> None:
        self.path = str(path) if path is not None else None
        where = f"文件 {self.path}" if self.path else "指标定义"
        if key_path:
            where += f"，位置 {key_path}"
        super().__init__(f"{where}：{message}")


class SettingsError(PlanlibError):
    """An unknown setting or a value it cannot take."""


class ExpressionError(PlanlibError):
    """A formula that cannot be read; the message quotes it and points at the position."""

    def __init__(self, text: str, position: int, message: str) -> None:
        self.text = text
        self.position = position
        pointer = f"「{text[:position]}⟨此处⟩{text[position:]}」"
        super().__init__(f"公式 {pointer} 第 {position + 1} 个字符：{message}")


class FontMissingError(PlanlibError):
    """The bundled Chinese font is not installed (the package pylopdf-fonts-zh-cn)."""


class DictionaryError(PlanlibError):
    """A data dictionary file that is not valid."""


class WorkspaceError(PlanlibError):
    """A workspace (``planlib.toml`` and the files it names) that cannot be found or read."""


class OutputError(PlanlibError):
    """An output that cannot be written as asked: a file name from data that would leave its
    folder, a full disk, a read-only folder, no permission, a closed pipe; names file and cause."""


class ReturnLimitError(ValueError):
    """A return file over one of the reading caps (zip size or ratio, rows, columns, cells):
    refused before it is parsed; the message names the cap in Chinese."""


class ReportOutputError(OutputError, OSError):
    """The output folder of a report batch cannot be used: another batch is writing to it, or a
    file in it cannot be written; the message names the folder or file and the cause (磁盘已满,
    只读文件系统, 没有写入权限 …). An :class:`OutputError`, and an :class:`OSError` too, caused by
    the one the system raised."""


class JobFailed(Exception):
    """A report job's failure already worded for the manifest (a notebook error, a timeout, a
    kernel that died or would not start): the job records the message as the report's error."""
