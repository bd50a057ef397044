"""A plan document read to text: the lines every reader gives, tables as ``|`` rows.

Readers (``readers`` for text and CSV, ``webpage``, ``office``, ``pdf``) all give a
:class:`Document`; the extractor never needs to know which one read the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Document:
    """A plan document's text (tables as ``|`` rows), what it was, and its own title if any.

    ``original`` is the text as written when the document was in traditional script and
    ``text`` holds it converted to simplified (:mod:`.script`); else None.
    """

    text: str
    kind: str
    title: str | None = None
    original: str | None = None

    def in_simplified(self) -> Document:
        """This document with its text (and title) in simplified script, the original kept."""
        from .script import simplified, to_simplified

        converted = simplified(self.text)
        if converted is None:
            return self
        title = to_simplified(self.title) if self.title else self.title
        return Document(converted, self.kind, title, self.text)


def table_line(cells: Sequence[str]) -> str:
    """One table row as a line: ``| a | b |``; a cell's own line breaks become spaces."""
    clean = [" ".join(c.replace("|", "｜").split()) for c in cells]
    return "| " + " | ".join(clean) + " |"


def table_lines(rows: Iterable[Sequence[str]]) -> list[str]:
    """Rows as lines; a row with a single filled cell (a merged title or group row such as
    一、教育文化) as plain text."""
    out: list[str] = []
    for row in rows:
        cells = [" ".join((c or "").split()) for c in row]
        filled = [c for c in cells if c]
        if not filled:
            continue
        if len(filled) == 1:
            out.append(filled[0])
        else:
            out.append(table_line(cells))
    return out
