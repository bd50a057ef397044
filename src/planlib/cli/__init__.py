"""The ``planlib`` command: one group, a module per command family.

Exit codes everywhere: 0 ok, 1 problems in inputs (or a batch with failures), 2 usage error.
Errors are printed in Chinese, never as a traceback (set PLANLIB_DEBUG=1 to see one).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from ..errors import PlanlibError
from ..resources import package_version
from ._console import err_console, plain

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _Group(click.Group):
    """Orders commands as registered (the order a new user needs them), not alphabetically."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


@click.group(cls=_Group, context_settings=CONTEXT_SETTINGS)
@click.version_option(
    package_version(), "-V", "--version", prog_name="planlib", message="%(prog)s %(version)s"
)
@click.option(
    "-w",
    "--workspace",
    "workspace_dir",
    type=click.Path(exists=True, file_okay=False),
    help="工作区目录（含 planlib.toml）；默认为当前目录所在的工作区，或环境变量 PLANLIB_WORKSPACE。",
)
@click.pass_context
def cli(ctx: click.Context, workspace_dir: str | None) -> None:
    """planlib：把教育局年度工作要点变成任务和可量化目标，按县市区计算指标、评估进度并生成监测报告。

    \b
    常用命令：
      planlib init DIR --plan 计划文件   为一份计划建立工作区（之后在 DIR 中运行各命令）
      planlib check                     列出工作区中尚待确定的事项
      planlib catalog                   标准指标库
      planlib plan show                 查看计划的任务与目标
      planlib sample-data DIR           生成示例城市的数据
      planlib validate DIR              检查县市区报送的数据
      planlib forms DIR --period P      生成下发给各县市区的空白报表
      planlib feedback DIR              生成退回修改的标注报表与回执
      planlib assess DIR --period P     计算指标并评估目标完成情况
      planlib report --data DIR ...     生成监测报告（HTML、PDF）
    在工作区中（或给出 --workspace）各命令的 DIR、--data 可省略。
    """
    _enter_workspace(ctx, workspace_dir)


def _enter_workspace(ctx: click.Context, folder: str | None) -> None:
    """Put the named (or found) workspace in force for the command and what it starts."""
    from ..workspace import active_workspace
    from ._options import enter_workspace

    if ctx.resilient_parsing:
        return
    ws = folder or active_workspace()
    if ws is not None:
        enter_workspace(ws)


def _register() -> None:
    from . import plan

    cli.add_command(plan.plan)
    for module_name in ("workspace", "data", "forms", "indicators", "report"):
        try:
            module = __import__(f"{__name__}.{module_name}", fromlist=["COMMANDS"])
        except ModuleNotFoundError as err:
            if err.name != f"{__name__}.{module_name}":
                raise
            continue
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


# click words its usage errors in English; the ones users meet, in Chinese (others as they are)
_CLICK_MESSAGES = [
    (r"Invalid value for (.*?): (.*)", r"参数 \1 的值无效：\2"),
    (r"(?:Path|File|Directory) '(.*)' does not exist\.", r"路径「\1」不存在。"),
    (r"(?:File|Path) '(.*)' is a directory\.", r"「\1」是目录，这里需要文件。"),
    (r"Directory '(.*)' is a file\.", r"「\1」是文件，这里需要目录。"),
    (r"(.*) is not in the range (.*)\.", r"\1 不在允许的范围 \2 内。"),
    (r"'(.*)' is not a valid (?:integer|float)(?: range)?\.", r"「\1」不是有效的数字。"),
    (r"'(.*)' is not one of (.*)\.", r"「\1」不是可选值之一：\2。"),
    (r"No such option: (.*?)(?: Did you mean (.*)\?)?$", r"没有这个选项：\1"),
    (r"No such option '(.*)'\.(?: Did you mean (.*)\?)?$", r"没有这个选项：\1"),
    (r"No such command '(.*)'\.", r"没有这个命令「\1」。"),
    (r"Missing argument '(.*)'\.", r"缺少参数 \1。"),
    (r"Missing option '(.*)'\.", r"缺少选项 \1。"),
    (r"Option '(.*)' requires an argument\.", r"选项 \1 需要一个值。"),
    (r"Got unexpected extra arguments? \((.*)\)", r"多余的参数：\1"),
]


def chinese_usage_message(message: str) -> str:
    """A click usage message in Chinese, clause by clause (unknown wording is kept)."""
    import re

    for pattern, words in _CLICK_MESSAGES:
        match = re.fullmatch(pattern, message.strip(), flags=re.S)
        if match:
            translated = match.expand(words)
            # "Invalid value for X: <inner>": the inner part is a click message too
            inner = match.groups()[-1] if pattern.startswith("Invalid") else None
            if inner:
                translated = translated.replace(inner, chinese_usage_message(inner))
            return translated
    return message


def _show_in_chinese(err: click.ClickException) -> None:
    ctx = getattr(err, "ctx", None)
    if ctx is not None:
        usage = ctx.get_usage().replace("Usage: ", "用法：", 1)
        err_console.print(usage, highlight=False, markup=False)
        err_console.print(
            f"请运行 {ctx.command_path} -h 查看帮助。\n", highlight=False, markup=False
        )
    message = chinese_usage_message(err.format_message())
    err_console.print(f"错误：{message}", highlight=False, markup=False)


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the console script: runs the CLI and turns errors into exit codes."""
    try:
        return cli.main(args=argv, prog_name="planlib", standalone_mode=False)
    except click.exceptions.Abort:
        err_console.print("已中止。")
        sys.exit(130)
    except click.ClickException as err:  # usage errors: exit 2
        _show_in_chinese(err)
        sys.exit(err.exit_code)
    except PlanlibError as err:
        err_console.print(f"[bold red]错误：[/]{plain(err)}", highlight=False, markup=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("已中断。")
        sys.exit(130)
    except Exception as err:  # a bug in planlib: say so plainly, keep the traceback for debugging
        if os.environ.get("PLANLIB_DEBUG"):
            raise
        err_console.print(
            f"[bold red]planlib 内部错误[/]（{type(err).__name__}：{plain(err)}）。"
            "这不是您数据的问题；设置环境变量 PLANLIB_DEBUG=1 重新运行可查看详细信息，请报告给开发者。",
            highlight=False,
        )
        sys.exit(1)
