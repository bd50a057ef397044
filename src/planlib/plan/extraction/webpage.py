"""Saved web pages (.html): the page's text in reading order, data tables as ``|`` rows.

Read with the standard library's tokenizer (``html.parser``), which takes broken markup as
it comes; scripts, styles and forms are skipped, block elements break lines, and a table that
holds another table or long paragraphs is page layout, read as text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from .documents import Document, table_lines
from .shapes import header_like

_BLOCKS = frozenset(
    (
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "article",
        "dd",
        "dt",
        "dl",
        "blockquote",
        "pre",
        "header",
        "footer",
        "tr",
        "table",
        "hr",
        "center",
        "form",
        "main",
        "aside",
        "nav",
    )
)
_SKIP = {"script", "style", "noscript", "template", "head", "select", "option", "button", "svg"}


class _PageParser(HTMLParser):
    """Lines of a web page: block elements break lines, data tables become ``|`` rows.

    A table that holds another table or long paragraphs is page layout: its text is read as
    text. ``rowspan`` repeats a cell down the rows it covers (a group column such as 一、教育文化).
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skip = 0
        self.tables: list[dict[str, object]] = []  # open tables, innermost last
        self.title: str | None = None
        self.meta_title: str | None = None
        self._in_title = False
        self._title: list[str] = []

    # the table being filled, if any
    def _table(self) -> dict[str, object] | None:
        return self.tables[-1] if self.tables else None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag in _SKIP:
            self.skip += 1
            return
        if tag == "title":
            self._in_title = True
        if tag == "meta" and a.get("name", "").lower() in ("articletitle", "title", "dc.title"):
            self.meta_title = a.get("content") or self.meta_title
        if tag == "table":
            self._break()
            self.tables.append({"rows": [], "row": None, "cell": None, "span": {}, "nested": False})
            if len(self.tables) > 1:
                # the tables around the parent were marked when the parent opened
                self.tables[-2]["nested"] = True
            return
        t = self._table()
        if t is not None and tag == "tr":
            t["row"] = []
            return
        if t is not None and tag in ("td", "th"):
            if t["row"] is None:
                t["row"] = []
            t["cell"] = []
            t["cell_span"] = (_int(a.get("rowspan")), _int(a.get("colspan")))
            return
        if tag in _BLOCKS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if tag == "title":
            self._in_title = False
            self.title = "".join(self._title).strip() or None
        t = self._table()
        if t is not None and tag in ("td", "th") and t["cell"] is not None:
            self._break()
            text = "\n".join(t["cell"])  # type: ignore[arg-type]
            row = t["row"]
            assert isinstance(row, list)
            row.append((text, t["cell_span"]))
            t["cell"] = None
            return
        if t is not None and tag == "tr":
            self._end_row(t)
            return
        if tag == "table" and t is not None:
            self._break()
            self._end_row(t)
            self.tables.pop()
            self._emit_table(t)
            return
        if tag in _BLOCKS:
            self._break()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)
            return
        if self.skip:
            return
        self.current.append(data)

    def _break(self) -> None:
        text = "".join(self.current)
        self.current = []
        t = self._table()
        if t is not None and t["cell"] is not None:
            if text.strip():
                cell = t["cell"]
                assert isinstance(cell, list)
                cell.append(text.strip())
            return
        for line in text.splitlines():
            if line.strip():
                self.lines.append(line.strip())

    def _end_row(self, t: dict[str, object]) -> None:
        row = t["row"]
        if row:
            rows = t["rows"]
            assert isinstance(rows, list)
            rows.append(row)
        t["row"] = None

    def _emit_table(self, t: dict[str, object]) -> None:
        rows = t["rows"]
        assert isinstance(rows, list)
        cells = [c for r in rows for c, _ in r]
        labelled = bool(rows) and len(rows[0]) >= 3 and header_like([c for c, _ in rows[0]])
        layout = (
            bool(t["nested"])
            or max((len(r) for r in rows), default=0) < 2
            or any(len(c) > 600 or (c.count("\n") >= 3 and not labelled) for c in cells)
        )
        if layout:
            for c in cells:
                self.lines.extend(x for x in c.split("\n") if x.strip())
            return
        self.lines.extend(table_lines(_grid(rows)))

    def close(self) -> None:
        super().close()
        self._break()


def _int(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 100))
    except ValueError:
        return 1


def _grid(rows: list[list[tuple[str, tuple[int, int]]]]) -> list[list[str]]:
    """A table's rows with rowspan cells repeated down and colspan cells padded."""
    pending: dict[int, tuple[str, int]] = {}  # column -> (text, rows still covered)
    out: list[list[str]] = []
    for row in rows:
        line: list[str] = []
        col = 0
        at = 0  # the next of the row's own cells
        far = max(pending, default=-1)  # the last column still covered from above
        while at < len(row) or far >= col:
            if col in pending:
                text, left = pending[col]
                line.append(text)
                if left <= 1:
                    del pending[col]
                else:
                    pending[col] = (text, left - 1)
                col += 1
                continue
            if at == len(row):
                line.append("")  # a gap before a cell still covered from above
                col += 1
                continue
            text, (rowspan, colspan) = row[at]
            at += 1
            text = " ".join(text.split())
            for k in range(colspan):
                line.append(text if k == 0 else "")
                if rowspan > 1:
                    pending[col + k] = (text if k == 0 else "", rowspan - 1)
                    far = max(far, col + k)
            col += colspan
        out.append(line)
    return out


def read_html(text: str) -> Document:
    """A saved web page: its text lines in order, tables as ``|`` rows, its title."""
    parser = _PageParser()
    parser.feed(text)
    parser.close()
    title = parser.meta_title or parser.title
    if title:
        title = re.split(r"\s*[-_|｜—]+\s*", title.strip())[0] or title
    return Document("\n".join(parser.lines), "html", title)
