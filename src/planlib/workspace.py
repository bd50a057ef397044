"""A workspace: the folder a bureau works in for one plan year, found the way git finds a repo.

``planlib init`` makes it; every command reads it. A workspace is a folder with ``planlib.toml``
beside the plan (``plan.yaml``), the indicators and data elements this plan needs
(``indicators.yaml``, ``dictionary.yaml``), the county allocations (``allocations.csv``), the
org units and school registry and the returns (``returns/``, ``ledger/``, ``city/``): the
workspace folder is also the data folder ``load_dataset`` reads.

Which workspace is in force, first match wins: one set with :func:`use_workspace` (the CLI's
``--workspace``, or a dataset read from a workspace folder), ``PLANLIB_WORKSPACE``, then the
current folder and its parents. Without one, planlib reads its bundled library of standard
indicators and the bundled 2022 plan.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import WorkspaceError
from .resources import data_dir

CONFIG_NAME = "planlib.toml"
ENV_VAR = "PLANLIB_WORKSPACE"

_FILES = {
    "plan": "plan.yaml",
    "indicators": "indicators.yaml",
    "dictionary": "dictionary.yaml",
    "allocations": "allocations.csv",
}


@dataclass(frozen=True)
class Workspace:
    """One workspace as its ``planlib.toml`` describes it (paths resolved against its folder)."""

    root: Path
    year: int
    issuer: str = ""
    title: str = ""
    files: Mapping[str, Path] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)
    report: Mapping[str, Any] = field(default_factory=dict)

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def plan_path(self) -> Path:
        return self.files["plan"]

    @property
    def indicators_path(self) -> Path:
        return self.files["indicators"]

    @property
    def dictionary_path(self) -> Path:
        return self.files["dictionary"]

    @property
    def allocations_path(self) -> Path:
        return self.files["allocations"]

    @property
    def data_dir(self) -> Path:
        """Where org_units.csv, schools.csv and returns/ live: the workspace folder itself."""
        return self.root


def _fail(path: Path, where: str, message: str) -> WorkspaceError:
    return WorkspaceError(f"工作区配置 {path}{('，' + where) if where else ''}：{message}")


def open_workspace(folder: str | Path) -> Workspace:
    """Read ``folder/planlib.toml``; a :class:`WorkspaceError` naming the file if it cannot."""
    root = Path(folder).expanduser()
    config = root / CONFIG_NAME if root.is_dir() or not root.name.endswith(".toml") else root
    root = config.parent.resolve()
    try:
        raw = tomllib.loads(config.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WorkspaceError(
            f"{root} 不是 planlib 工作区（没有 {CONFIG_NAME}）；请先运行 planlib init {root} --plan 计划文件"
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        raise _fail(config, "", f"无法读取（{err}）") from None
    except tomllib.TOMLDecodeError as err:
        raise _fail(config, "", f"不是有效的 TOML：{err}") from None
    plan = raw.get("plan", {})
    if not isinstance(plan, Mapping):
        raise _fail(config, "[plan]", "应为一节（表）")
    year = plan.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 1990 <= year <= 2100:
        raise _fail(config, "[plan] year", f"应为计划年份（如 2023），实际为 {year!r}")
    files: dict[str, Path] = {}
    sections = {"plan": plan, **{k: raw.get("files", {}) for k in _FILES if k != "plan"}}
    for key, default in _FILES.items():
        section = sections[key]
        value = section.get("file" if key == "plan" else key, default)
        if not isinstance(value, str) or not value.strip():
            raise _fail(config, f"{key} 文件", f"应为文件名，实际为 {value!r}")
        files[key] = (root / value).resolve()
    for name in ("settings", "report"):
        if not isinstance(raw.get(name, {}), Mapping):
            raise _fail(config, f"[{name}]", "应为一节（表）")
    return Workspace(
        root=root,
        year=year,
        issuer=str(plan.get("issuer", "")),
        title=str(plan.get("title", "")),
        files=files,
        settings=dict(raw.get("settings", {})),
        report=dict(raw.get("report", {})),
    )


def find_workspace(start: str | Path | None = None) -> Workspace | None:
    """The workspace holding ``start`` (default: the current folder), looking upwards; or None."""
    here = Path(start) if start is not None else Path.cwd()
    try:
        here = here.resolve()
    except OSError:
        return None
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return open_workspace(folder)
    return None


_ACTIVE: list[Workspace] = []


def active_workspace() -> Workspace | None:
    """The workspace in force: :func:`use_workspace`, ``PLANLIB_WORKSPACE``, then the cwd."""
    if _ACTIVE:
        return _ACTIVE[-1]
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return open_workspace(env)
    return find_workspace()


@contextmanager
def use_workspace(workspace: Workspace | str | Path | None) -> Iterator[Workspace | None]:
    """Within the block, ``workspace`` is in force (None: no change)."""
    if workspace is None:
        yield active_workspace()
        return
    ws = workspace if isinstance(workspace, Workspace) else open_workspace(workspace)
    _ACTIVE.append(ws)
    try:
        yield ws
    finally:
        deactivate(ws)


def activate(workspace: Workspace | str | Path) -> Workspace:
    """Put ``workspace`` in force for the rest of the process (the CLI, once per command) and in
    ``PLANLIB_WORKSPACE``, so report kernels and workers started from here read it too."""
    ws = workspace if isinstance(workspace, Workspace) else open_workspace(workspace)
    _ACTIVE.append(ws)
    os.environ[ENV_VAR] = str(ws.root)
    return ws


def workspace_of(folder: str | Path) -> Workspace | None:
    """The workspace whose data folder is ``folder`` (it holds ``planlib.toml``), else None."""
    p = Path(folder)
    if (p / CONFIG_NAME).is_file():
        return open_workspace(p)
    return None


def library_dir() -> Path:
    """The bundled library of standard indicators and data elements."""
    return data_dir() / "library"


def catalog_file(kind: str) -> Path:
    """The file of ``kind`` (``indicators``, ``dictionary``) in force: the active workspace's,
    else the bundled library's."""
    ws = active_workspace()
    if ws is not None:
        return ws.files[kind]
    return library_dir() / _FILES[kind]


def plan_file() -> Path:
    """The plan in force: the active workspace's, else the bundled 2022 plan."""
    ws = active_workspace()
    if ws is not None:
        return ws.plan_path
    return data_dir() / "plans" / "2022.yaml"


def allocations_file(year: int | None) -> Path:
    """The allocation file for ``year``: the active workspace's when it is that year's plan,
    else the bundled ``data/allocations/<year>.csv``."""
    ws = active_workspace()
    if ws is not None and (year is None or ws.year == year):
        return ws.allocations_path
    return data_dir() / "allocations" / f"{year}.csv"


def deactivate(workspace: Workspace) -> None:
    """Undo one :func:`activate` of ``workspace`` (the latest; earlier ones stay in force)."""
    for i in range(len(_ACTIVE) - 1, -1, -1):
        if _ACTIVE[i] is workspace:
            del _ACTIVE[i]
            return
