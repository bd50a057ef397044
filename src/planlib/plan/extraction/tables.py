"""Tables as plans (任务分解表, 民生实事): finding the header and reading each row's cells.

A header names its columns in the words bureaus use: 序号, 工作任务 (重点任务, 民生事项名称…),
具体内容 or 目标 (目标任务, 工作措施…), 牵头单位 (主要责任单位, 牵头科室…), 责任单位 (配合单位,
协同配合单位…), 完成时限 (时间节点…) and a group column (类别, 领域) whose text, such as
一、教育文化, stands for the section. The same table comes three ways and each is read here:

* a ``|`` row per line, as every reader writes tables (``| 四、教育文化 | 14.改扩建… | … |``);
  a row that lacks its first cells continues a merged group cell from the row above;
* flattened to one cell per line (copied from a PDF or a web page), each row opening with its
  row number alone on a line (or with a numbered task such as ``14.改扩建…``);
* either of those with ``|`` closing each cell's line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .columns import column_role, is_header_roles, looks_like_deadline, looks_like_units
from .shapes import (
    aligned_rows,
    column_roles,
    header_like,
    is_table,
    label_of,
    pipe_cells,
    unit_of,
)
from .structure import item_marker, section_marker
from .text import squeeze


@dataclass
class Row:
    """One row of a breakdown table: its source line, group and cells by column role."""

    line: int
    group: str = ""
    number: int | None = None
    cells: dict[str, list[str]] = field(default_factory=dict)

    def text(self, role: str) -> list[str]:
        return [c for c in self.cells.get(role, []) if c]


@dataclass
class Table:
    """A breakdown table: its columns, rows and the source lines it covers."""

    roles: list[str | None]
    names: list[str]
    rows: list[Row]
    first_line: int
    last_line: int


def find_tables(lines: Sequence[tuple[int, str]]) -> list[Table]:
    """Every breakdown table in ``lines`` (furniture already dropped), in order."""
    lines = aligned_rows(lines)
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        found = _header_at(lines, i)
        if found is None:
            i += 1
            continue
        names, roles, width, stream = found
        reader = _read_stream if stream else _read_rows
        rows, end = reader(lines, i + width, names, roles)
        if tables and tables[-1].roles == roles:
            tables[-1].rows += rows  # the header repeated on the next page
            tables[-1].last_line = lines[end - 1][0]
        else:
            tables.append(Table(roles, names, rows, lines[i][0], lines[end - 1][0]))
        i = max(end, i + 1)
    return tables


def _header_at(
    lines: Sequence[tuple[int, str]], i: int
) -> tuple[list[str], list[str | None], int, bool] | None:
    """(names, roles, lines used, one cell per line) when a header starts at line ``i``."""
    text = lines[i][1]
    if "|" in text or "｜" in text:
        return _shaped_header(lines, i)
    words = text.split()
    if len(words) >= 3 and all(column_role(w) for w in words):
        roles = [column_role(w) for w in words]
        if is_header_roles(roles):
            return words, roles, 1, True
    names: list[str] = []
    for _, t in lines[i : i + 12]:
        cells = [c for c in pipe_cells(t) if c]
        if (
            len(cells) != 1
            or not header_like([cells[0], "列"])
            or _group_line(cells[0]) is not None
            or item_marker(squeeze(cells[0]))
        ):
            break
        names.append(cells[0])
    if len(names) < 3:
        return None
    roles = [column_role(n) for n in names]
    groups = _numbered_groups(lines, i + len(names), len(names))
    shaped: list[str | None] = [None] * len(names)
    if groups and _is_number_line(lines, i + len(names)):
        shaped = column_roles(names, groups)  # the cells decide where the names are unknown
    if is_header_roles(roles):
        return names, [r or s for r, s in zip(roles, shaped, strict=True)], len(names), True
    return (names, shaped, len(names), True) if is_table(shaped) else None


def _is_number_line(lines: Sequence[tuple[int, str]], at: int) -> bool:
    return at < len(lines) and lines[at][1].strip().strip("|｜ ") == "1"


def _numbered_groups(lines: Sequence[tuple[int, str]], start: int, width: int) -> list[list[str]]:
    """A table flattened to one cell per line, as rows: each opens at its number (1, 2, 3 …
    alone on a line); only rows with one cell per column are kept, to judge the columns by."""
    groups: list[list[str]] = []
    expected = 1
    for _, text in lines[start : start + 40 * width]:
        cell = " ".join(c for c in pipe_cells(text) if c)
        if cell == str(expected):
            groups.append([cell])
            expected += 1
        elif groups:
            groups[-1].append(cell)
    return [g for g in groups if len(g) == width]


def _shaped_header(
    lines: Sequence[tuple[int, str]], i: int
) -> tuple[list[str], list[str | None], int, bool] | None:
    """A table's header at line ``i``: one or two rows of labels over rows of the same shape,
    whose columns' cells (and, weakly, names) give a text column and units, time, place or
    money beside it."""
    names = pipe_cells(lines[i][1])
    while names and not names[-1]:
        names.pop()
    if len([c for c in names if c]) < 2:
        return None
    width = 1
    if not header_like(names):  # no header: the cells alone, from the run's first row
        if (i and "|" in lines[i - 1][1]) or not _same_shape(lines[i : i + 3], len(names)):
            return None
        names, width = [""] * len(names), 0
    below = pipe_cells(lines[i + 1][1]) if i + 1 < len(lines) else []
    if (
        width
        and "|" in (lines[i + 1][1] if i + 1 < len(lines) else "")
        and header_like(below)
        and ("" in names or "" in below)
    ):  # a two-row header: 投资（万元） over 总投资 | 年度投资
        names = _stacked_header(names, below)
        width = 2
    rows: list[list[str]] = []
    for _, text in lines[i + width : i + width + 40]:
        if "|" not in text and "｜" not in text:
            if _group_line(text) is None:
                break
            continue
        rows.append(pipe_cells(text))
    if not rows:
        return None
    names = [n or f"第{k + 1}列" for k, n in enumerate(names)]
    vocabulary = [column_role(c) for c in names]
    roles = column_roles(names, rows)
    if not is_table(roles) and not is_header_roles(vocabulary):
        return None
    return names, roles, width, False


def _same_shape(lines: Sequence[tuple[int, str]], width: int) -> bool:
    """Whether these are three ``|`` rows of ``width`` cells (a table without a header)."""
    return len(lines) == 3 and all(
        "|" in t and len([c for c in pipe_cells(t) if c]) == width for _, t in lines
    )


def _stacked_header(upper: list[str], below: list[str]) -> list[str]:
    """Two header rows as one: a name merged across columns (投资（万元）) heads each of the
    names below it (总投资, 年度投资 → 总投资（万元）); a name merged down is said once."""
    width = max(len(upper), len(below))
    upper = upper + [""] * (width - len(upper))
    below = below + [""] * (width - len(below))
    names: list[str] = []
    above = ""
    for a, b in zip(upper, below, strict=True):
        above = a or (above if b else "")
        if not b or b == a:
            names.append(a)
            continue
        label, unit = label_of(above), unit_of(above)
        name = b if label in b or label_of(b) in label else f"{label}{b}"
        names.append(f"{name}（{unit}）" if unit and not unit_of(b) else name)
    return names


def _group_line(text: str) -> str | None:
    """一、教育文化 (or a short merged row) standing for the section of the rows below it."""
    s = squeeze(text)
    if section_marker(s) and len(s) <= 30 and "。" not in s:
        return s
    return None


def _read_rows(
    lines: Sequence[tuple[int, str]], start: int, names: list[str], roles: list[str | None]
) -> tuple[list[Row], int]:
    """``|`` rows, one per line, until a line that is neither a row nor a group heading."""
    rows: list[Row] = []
    group = ""
    i = start
    while i < len(lines):
        number, text = lines[i]
        if "|" not in text and "｜" not in text:
            g = _group_line(text)
            if g is None:
                break
            group = g
            i += 1
            continue
        cells = pipe_cells(text)
        if [c for c in cells if c] == [n for n in names]:
            i += 1  # the header again, on a new page
            continue
        while cells and not cells[-1]:
            cells.pop()
        cells = _align(cells, roles)
        row = _row(number, cells, roles, group, names)
        if row is None:
            i += 1
            continue
        group = row.group
        if rows and _continues(rows[-1], row):
            for role, values in row.cells.items():  # a row cut by a page break goes on
                have = rows[-1].cells.setdefault(role, [])
                have.extend(v for v in values if role == "content" or v not in have)
        else:
            rows.append(row)
        i += 1
    return rows, i


def _continues(last: Row, row: Row) -> bool:
    """A row that goes on with the one above: cut by a page break (no number, no task), or
    under a task cell merged down several content rows (the same task text, no new number)."""
    if row.number is not None and row.number != last.number:
        return False
    if not row.text("task"):
        return bool(row.text("content")) and row.number is None
    return row.text("task") == last.text("task") and row.group == last.group


def _align(cells: list[str], roles: list[str | None]) -> list[str]:
    """A short row lacks the cells merged from the row above: pad where they belong."""
    width = len(roles)
    if len(cells) > width:
        return [*cells[: width - 1], " ".join(c for c in cells[width - 1 :] if c)]
    short = width - len(cells)
    if not short:
        return cells
    task_col = next((k for k, r in enumerate(roles) if r in ("task", "content")), None)
    numbered = next((k for k, c in enumerate(cells) if item_marker(squeeze(c))), None)
    if task_col is not None and numbered is not None and 0 < task_col - numbered <= short:
        shift = task_col - numbered
        return [""] * shift + cells + [""] * (short - shift)
    if (roles[0] == "group" and _group_line(cells[0]) is None) or (
        roles[0] == "seq" and not (cells[0].isdigit())
    ):
        return [""] * short + cells
    return cells + [""] * short


def _detail(role: str, name: str, cell: str, unit: str) -> str:
    """A place, money or quantity cell as a sentence of the row's content: 建设地点：城东新区,
    年度投资6500万元 (the unit from the header or the unit column)."""
    label = label_of(name) if not name.startswith("第") else ""
    if role == "place":
        return f"{label or '地点'}：{cell}"
    if re.fullmatch(r"[-+]?\d[\d,，]*(\.\d+)?", cell):
        return f"{label}{cell.replace(',', '').replace('，', '')}{unit_of(name) or unit}"
    return f"{label}{cell}" if label and not cell.startswith(label) else cell


def _row(
    line: int, cells: list[str], roles: list[str | None], group: str, names: Sequence[str] = ()
) -> Row | None:
    row = Row(line, group)
    unit = next((c for r, c in zip(roles, cells, strict=False) if r == "unit" and c), "")
    details: list[tuple[str, str, str]] = []
    for k, (role, cell) in enumerate(zip(roles, cells, strict=False)):
        if role is None or role in ("other", "unit"):
            continue
        if role in ("place", "money", "quantity"):
            if cell:
                details.append((role, names[k] if k < len(names) else "", cell))
            continue
        if role == "group":
            if cell:
                row.group = squeeze(cell)
            continue
        if role == "seq":
            digits = re.sub(r"\D", "", cell)
            row.number = int(digits) if digits and len(digits) <= 4 else None
            continue
        row.cells.setdefault(role, []).append(cell)
    task = "".join(row.text("task"))
    for role, name, cell in details:
        # a bare 数量 column counts what the task names: 新建公办幼儿园 | 3 | 所
        generic = role == "quantity" and len(label_of(name)) <= 2 and task
        text = _detail(role, task if generic else name, cell, unit)
        row.cells.setdefault("content", []).append(text)
    if not any(row.text(r) for r in ("task", "content")):
        return None
    return row


def _read_stream(
    lines: Sequence[tuple[int, str]], start: int, names: list[str], roles: list[str | None]
) -> tuple[list[Row], int]:
    """A table flattened to one cell per line: rows open at their number or numbered task."""
    has_seq = "seq" in roles
    group = ""
    chunks: list[tuple[int, str, int | None, list[str]]] = []  # line, group, number, cells
    last = 0
    i = start
    while i < len(lines):
        number, raw = lines[i]
        cells = [c for c in pipe_cells(raw) if c]
        text = " ".join(cells)
        if not text:
            i += 1
            continue
        if (
            text == names[0]
            and [c for _, t in lines[i : i + len(names)] for c in pipe_cells(t) if c] == names
        ):
            i += len(names)  # the header again
            continue
        g = _group_line(text)
        if g is not None and (not chunks or len(chunks[-1][3]) > 0):
            group = g
            i += 1
            continue
        n = int(text) if text.isdigit() and len(text) <= 4 else None
        mark = item_marker(squeeze(text))
        opens = (has_seq and n is not None and (not last or 0 < n - last <= 3 or n == 1)) or (
            not has_seq and mark is not None and (not last or 0 < mark[1] - last <= 3)
        )
        if opens:
            value = n if n is not None else (mark[1] if mark else None)
            last = value or last
            chunks.append((number, group, value, [] if n is not None else [text]))
        elif chunks:
            chunks[-1][3].append(text)
        else:
            break
        i += 1
    rows: list[Row] = []
    columns = [r for r in roles if r not in ("seq", "group")]
    for line, grp, value, cells in chunks:
        assigned = _assign(cells, columns)
        row = Row(line, grp, value)
        for role, cell in zip(columns, assigned, strict=True):
            if role is not None and role != "other":
                row.cells.setdefault(role, []).append(cell)
        if any(row.text(r) for r in ("task", "content")):
            rows.append(row)
    return rows, i


def _assign(cells: list[str], columns: list[str | None]) -> list[str]:
    """Cells to columns: exact when the counts agree; else the tail columns (units, deadline,
    others) take the last cells that look like them and the text columns share the rest (a
    cell wrapped over two lines joins up again)."""
    if len(cells) == len(columns):
        return list(cells)
    text_cols = [k for k, r in enumerate(columns) if r in ("task", "content")]
    last_text = max(text_cols) if text_cols else -1
    fewer = len(cells) < len(columns)
    out = [""] * len(columns)
    rest = list(cells)
    for k in range(len(columns) - 1, last_text, -1):
        if len(rest) <= len(text_cols):
            break
        role, cell = columns[k], rest[-1]
        if role == "due":
            fits = looks_like_deadline(cell)
        elif role == "responsible" and fewer:
            # one units cell among fewer cells is the lead's
            fits = looks_like_units(cell) and len(rest) > 1 and looks_like_units(rest[-2])
        elif role in ("lead", "responsible"):
            fits = looks_like_units(cell)
        else:
            fits = not fewer and len(cell) <= 20
        if fits:
            out[k] = rest.pop()
    for j, k in enumerate(text_cols):
        if j == len(text_cols) - 1:
            out[k] = "".join(rest[j:])
        elif j < len(rest):
            out[k] = rest[j]
    return out
