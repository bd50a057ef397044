"""Consoles and table printing shared by the commands: rich measures CJK width correctly."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:  # pandas loads with the command that needs it, not with `planlib --help`
    import pandas as pd

# When piped, rich would wrap at 80 columns; reports of Chinese tables read better wider.
console = Console(highlight=False, width=None if Console().is_terminal else 200)
err_console = Console(
    stderr=True, highlight=False, width=None if Console(stderr=True).is_terminal else 200
)


def print_table(
    frame: pd.DataFrame,
    columns: dict[str, str],
    *,
    title: str | None = None,
    right: Sequence[str] = (),
) -> None:
    """Print ``frame`` with Chinese headers (``columns`` maps column -> header), CJK-aligned."""
    import pandas as pd

    table = Table(title=title, title_justify="left", show_lines=False, header_style="bold")
    for col, header in columns.items():
        table.add_column(header, justify="right" if col in right else "left", overflow="fold")
    for row in frame[list(columns)].itertuples(index=False):
        table.add_row(*("" if pd.isna(v) else str(v) for v in row))
    console.print(table)
