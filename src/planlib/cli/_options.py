"""Options shared by every command that runs the monitoring chain (compute, assess, ledger, report).

One definition each, so ``planlib report`` takes exactly what ``planlib assess`` takes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..catalog.settings import Settings
from ..errors import PlanlibError
from ..periods import PeriodRequest

if TYPE_CHECKING:
    from ..workspace import Workspace

PERIOD_HELP = (
    "报告期：latest（最新）、一个季度（2022Q2、2022年第二季度）、一年（2022）、范围"
    "（2022Q1:2022Q3 或 2022Q1至2022Q3）或 all（全部）；输出所选的每个季度。"
)


class PeriodSpec(click.ParamType):
    """A ``--period`` value, read once into a :class:`~planlib.periods.PeriodRequest` before any
    data is read (exit 2 if unreadable). The request is still its text, so it goes wherever a
    period string goes; resolving it against the data reads nothing again.

    Whether the data has the quarters is checked later, by :func:`planlib.periods.resolve_periods`
    (exit 1, naming the quarters there are).
    """

    name = "报告期"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> PeriodRequest:
        try:
            return PeriodRequest(str(value).strip())
        except PlanlibError as err:
            self.fail(str(err), param, ctx)


PERIOD = click.option(
    "--period",
    "period_text",
    type=PeriodSpec(),
    default="latest",
    show_default=True,
    help=PERIOD_HELP,
)

PERIOD = click.option(
    "--period",
    "period_text",
    type=PeriodSpec(),
    default="latest",
    show_default=True,
    help=PERIOD_HELP,
)

PLAN = click.option(
    "--plan",
    "plan_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="计划文件（默认为工作区的计划；不在工作区中时为内置的 2022 年计划）。",
)
SET = click.option(
    "--set",
    "pairs",
    multiple=True,
    metavar="键=值",
    help="口径设置，可重复，如 --set population_basis=户籍 --set high_school_age_band=15–18。",
)
ALLOCATIONS = click.option(
    "--allocations",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="分解目标文件 CSV（county,indicator,target）；默认为工作区的 allocations.csv。",
)


def monitoring_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--plan``, ``--set`` and ``--allocations``: what changes how targets are judged."""
    return PLAN(SET(ALLOCATIONS(command)))


def _parse_value(text: str) -> Any:
    low = text.strip().lower()
    if low in ("true", "yes", "是"):
        return True
    if low in ("false", "no", "否"):
        return False
    try:
        return float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        return text.strip()


def parse_settings(pairs: Sequence[str]) -> Settings:
    """``--set key=value`` pairs; ``tolerance.<indicator>=x`` sets one tolerance."""
    data: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise PlanlibError(f"设置「{pair}」应写作 键=值，如 population_basis=户籍")
        key, value = (x.strip() for x in pair.split("=", 1))
        if key.startswith("tolerance."):
            data.setdefault("tolerance", {})[key.split(".", 1)[1]] = _parse_value(value)
        else:
            data[key] = _parse_value(value)
    return Settings.coerce(data)


def current_workspace() -> Workspace:
    """The workspace in force, or a usage error saying how to make or name one."""
    from ..workspace import active_workspace

    ws = active_workspace()
    if ws is None:
        raise click.UsageError(
            "当前目录不在任何工作区中：请进入工作区目录（含 planlib.toml），或用 --workspace 目录"
            " 指定；新建工作区请运行 planlib init 目录 --plan 计划文件"
        )
    return ws


def data_folder(data: Path | None) -> Path:
    """The data folder a command reads: the one given (a workspace folder brings its own plan and
    catalog), else the workspace in force."""
    from ..workspace import workspace_of

    if data is None:
        return current_workspace().data_dir
    ws = workspace_of(data)
    if ws is not None:
        enter_workspace(ws)
    return data


def enter_workspace(ws: Workspace | str | Path) -> Workspace:
    """Put ``ws`` in force for this command and the processes it starts (report kernels read
    ``PLANLIB_WORKSPACE``), undone when the command ends: callers in the same process (tests,
    notebooks running the CLI) see nothing left behind."""
    import os

    from ..workspace import ENV_VAR, activate, deactivate

    before = os.environ.get(ENV_VAR)
    active = activate(ws)

    def restore() -> None:
        deactivate(active)
        if before is None:
            os.environ.pop(ENV_VAR, None)
        else:
            os.environ[ENV_VAR] = before

    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.find_root().call_on_close(restore)
    return active
