"""The ``planlib`` command: one group, a module per command family.

Exit codes everywhere: 0 ok, 1 problems in inputs (or a batch with failures), 2 usage error.
Errors are printed in Chinese, never as a traceback (set PLANLIB_DEBUG=1 to see one).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from .. import __version__
from ..errors import PlanlibError
from ._console import err_console

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _Group(click.Group):
    """Orders commands as registered (the order a new user needs them), not alphabetically."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


@click.group(cls=_Group, context_settings=CONTEXT_SETTINGS)
@click.version_option(
    __version__, "-V", "--version", prog_name="planlib", message="%(prog)s %(version)s"
)
def cli() -> None:
    """planlib：把教育局年度工作要点变成任务和可量化目标，按县市区计算指标、评估进度并生成监测报告。

    \b
    常用命令：
      planlib plan show                 查看计划的任务与目标
      planlib sample-data DIR           生成示例城市的数据
      planlib validate DIR              检查县市区报送的数据
      planlib assess DIR --period P     计算指标并评估目标完成情况
      planlib report --data DIR ...     生成监测报告（HTML、PDF）
    """


def _register() -> None:
    from . import plan

    cli.add_command(plan.plan)
    for module_name in ("data", "indicators", "report"):
        try:
            module = __import__(f"{__name__}.{module_name}", fromlist=["COMMANDS"])
        except ModuleNotFoundError as err:
            if err.name != f"{__name__}.{module_name}":
                raise
            continue
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the console script: runs the CLI and turns errors into exit codes."""
    try:
        return cli.main(args=argv, prog_name="planlib", standalone_mode=False)
    except click.exceptions.Abort:
        err_console.print("已中止。")
        sys.exit(130)
    except click.ClickException as err:  # usage errors: exit 2
        err.show()
        sys.exit(err.exit_code)
    except PlanlibError as err:
        err_console.print(f"[bold red]错误：[/]{err}", highlight=False, markup=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("已中断。")
        sys.exit(130)
    except Exception as err:  # a bug in planlib: say so plainly, keep the traceback for debugging
        if os.environ.get("PLANLIB_DEBUG"):
            raise
        err_console.print(
            f"[bold red]planlib 内部错误[/]（{type(err).__name__}：{err}）。"
            "这不是您数据的问题；设置环境变量 PLANLIB_DEBUG=1 重新运行可查看详细信息，请报告给开发者。",
            highlight=False,
        )
        sys.exit(1)
