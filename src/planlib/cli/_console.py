"""Consoles and table printing shared by the commands: rich measures CJK width correctly.

Text from data (a unit's name, a header as a county wrote it, a file name) never reaches rich as
markup: ``[/b]`` in a header would end the command in a ``MarkupError``, and ``[link=…]`` in a
unit's name would become a clickable link. Tables take it as plain ``Text``; a message that mixes
it with planlib's own markup, and a progress bar's description, wrap it in :func:`plain`. Either way :func:`planlib.checks.clean_text` first drops the bidirectional and
control characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..checks import clean_text

if TYPE_CHECKING:  # pandas loads with the command that needs it, not with `planlib --help`
    import pandas as pd

# When piped, rich would wrap at 80 columns; reports of Chinese tables read better wider.
console = Console(highlight=False, width=None if Console().is_terminal else 200)
err_console = Console(
    stderr=True, highlight=False, width=None if Console(stderr=True).is_terminal else 200
)


def plain(value: Any) -> str:
    """``value`` from data as rich markup that shows it literally: cleaned, then escaped. For
    messages mixing data with planlib's own markup, and progress bar descriptions (rich's
    ``TextColumn`` reads ``{task.description}`` as markup).

    >>> plain("[/b]南江区\\u202e")
    '\\\\[/b]南江区'
    """
    return escape(clean_text(str(value)))


def print_table(
    frame: pd.DataFrame,
    columns: dict[str, str],
    *,
    title: str | None = None,
    right: Sequence[str] = (),
) -> None:
    """Print ``frame`` with Chinese headers (``columns`` maps column -> header), CJK-aligned.

    Cells, headers and the title are plain text (never markup), cleaned of bidirectional and
    control characters: they carry names and headers from the data."""
    import pandas as pd

    table = Table(
        title=Text(clean_text(title), style="table.title") if title is not None else None,
        title_justify="left",
        show_lines=False,
        header_style="bold",
    )
    for col, header in columns.items():
        table.add_column(
            Text(clean_text(str(header))),
            justify="right" if col in right else "left",
            overflow="fold",
        )
    for row in frame[list(columns)].itertuples(index=False):
        table.add_row(*(Text("" if pd.isna(v) else clean_text(str(v))) for v in row))
    console.print(table)
