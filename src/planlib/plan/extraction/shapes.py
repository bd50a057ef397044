"""Tables by shape: a run of rows with a stable cell count is a table, whatever wrote it.

A row's cells come from ``|`` pipes (as every reader writes Word, Excel and web tables),
tabs, runs of two or more spaces or full-width spaces. Each column's role is decided from its
cells first: dates and 月份/季度 make a deadline column, department names (…处, …科, …局,
…中心) a units column, long sentences or sentences with numbers the content, short whole
numbers in order the row number, other numbers money or a quantity. The header's words are
one weak signal (``data/extraction/table_columns.yaml`` and :func:`.tables.column_role`):
they tell a lead from a co-operating units column and name the place, money and progress
columns, so a header worded as no plan before (具体任务及目标, 责任科室, 时间节点) still reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise

import yaml

from ...resources import data_dir
from ..model import is_unit
from .columns import column_role, looks_like_deadline, looks_like_units
from .structure import item_marker, section_marker

_SPACES = re.compile(r"[ \u00a0]{2,}|\u3000+|\t")
_SEQ = re.compile(r"\d{1,3}[.、．]?")
_NUMBER = re.compile(r"[-+]?\d[\d,，]*(\.\d+)?\s*(万元|亿元|元|万|亿)?")
_HAS_NUMBER = re.compile(r"\d")
_YEAR = re.compile(r"\d{4}年度?")
_PAREN_UNIT = re.compile(r"[（(]([^）)]{1,6})[）)]")
TEXT_ROLES = ("task", "content")
UNIT_ROLES = ("lead", "responsible")
DETAIL_ROLES = ("place", "money", "quantity")


def pipe_cells(line: str) -> list[str]:
    """The cells of a ``|`` row (the outer bars are optional)."""
    s = line.strip()
    if s.startswith(("|", "｜")):
        s = s[1:]
    if s.endswith(("|", "｜")):
        s = s[:-1]
    return [c.strip() for c in re.split(r"[|｜]", s)]


def split_cells(line: str) -> list[str]:
    """A line's cells: by pipes, else by tabs, runs of spaces or full-width spaces; a line of
    prose is one cell."""
    s = line.strip()
    if "|" in s or "｜" in s:
        return pipe_cells(s)
    if "\t" in s:
        return [c.strip() for c in s.split("\t")]
    return [c.strip() for c in _SPACES.split(s) if c.strip()]


@lru_cache(maxsize=1)
def _hints() -> dict[str, list[re.Pattern[str]]]:
    path = data_dir() / "extraction" / "table_columns.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["hints"]
    return {role: [re.compile(p) for p in patterns] for role, patterns in raw.items()}


def header_hint(name: str) -> str | None:
    """The role a header's words suggest among those the cells cannot tell (place, money…)."""
    s = re.sub(r"\s+", "", name)
    for role, patterns in _hints().items():
        if any(p.search(s) for p in patterns):
            return role
    return None


def header_like(cells: Sequence[str]) -> bool:
    """Whether a row reads as column names: short labels, none a number, date or sentence."""
    filled = [c for c in cells if c.strip()]
    return len(filled) >= 2 and all(
        len(c) <= 16
        and "。" not in c
        and not _HAS_NUMBER.search(_YEAR.sub("", _PAREN_UNIT.sub("", c)))
        and not looks_like_deadline(c)
        for c in filled
    )


def unit_of(name: str) -> str:
    """The unit a header gives its numbers: 年度投资（万元） → 万元."""
    m = _PAREN_UNIT.search(name)
    return m.group(1).strip() if m else ""


def label_of(name: str) -> str:
    """A header without its unit: 年度投资（万元） → 年度投资."""
    return _PAREN_UNIT.sub("", re.sub(r"\s+", "", name))


def _share(cells: Sequence[str], test: object) -> float:
    assert callable(test)
    return sum(1 for c in cells if test(c)) / len(cells) if cells else 0.0


def _is_seq(cells: Sequence[str]) -> bool:
    numbers = [int(re.sub(r"\D", "", c)) for c in cells if _SEQ.fullmatch(c)]
    if len(numbers) < 0.8 * len(cells) or not numbers:
        return False
    return all(b > a for a, b in pairwise(numbers))


def _measure(cell: str) -> bool:
    """A unit of measure alone in a cell (所, 套, 万平方米), not a department's name."""
    return len(cell) <= 4 and is_unit(cell) and not looks_like_units(cell)


def cell_role(name: str, cells: Sequence[str]) -> str | None:
    """A column's role from its cells, the header's words breaking ties."""
    header = column_role(name) if name else None
    hint = header_hint(name) if name else None
    if not cells:
        return header if header != "other" else None
    if header == "seq" or _is_seq(cells):
        return "seq"
    if _share(cells, _NUMBER.fullmatch) >= 0.8:
        return "money" if hint == "money" or "元" in "".join(cells) else "quantity"
    if _share(cells, looks_like_deadline) >= 0.6:
        return "due"
    if _share(cells, _measure) >= 0.8 and hint in ("unit", None):
        return "unit"  # 所, 个, 万平方米: the unit of the numbers beside it
    if hint == "place":  # 城关镇 and 城东新区 end like department names
        return hint
    if _share(cells, looks_like_units) >= 0.6:
        if hint == "co_operating" or header == "responsible":
            return "responsible"
        return "lead" if hint == "lead" or header == "lead" else "units"
    if _share(cells, lambda c: section_marker(c) and len(c) <= 30) >= 0.6:
        return "group"
    if hint in ("place", "other", "unit"):
        return hint
    if header:
        return header
    mean = sum(len(c) for c in cells) / len(cells)
    return "content" if mean >= 16 or _share(cells, _HAS_NUMBER.search) >= 0.5 else "task"


def column_roles(names: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str | None]:
    """Every column's role, from its header and the cells below it."""
    columns = [
        [r[k].strip() for r in rows if k < len(r) and r[k].strip()] for k in range(len(names))
    ]
    roles = [cell_role(n, c) for n, c in zip(names, columns, strict=True)]
    # units columns the header does not name: the first leads, the others co-operate
    for k, role in enumerate(roles):
        if role == "units":
            roles[k] = "responsible" if "lead" in roles[:k] else "lead"
    # one task column: a second short-text column is content
    tasks = [k for k, r in enumerate(roles) if r == "task"]
    for k in tasks[1:]:
        roles[k] = "content"
    if not tasks:
        contents = [k for k, r in enumerate(roles) if r == "content"]
        if len(contents) >= 2:
            shortest = min(contents, key=lambda k: sum(map(len, columns[k])) / len(columns[k]))
            roles[shortest] = "task"
    return roles


def is_table(roles: Sequence[str | None]) -> bool:
    """Whether columns with these roles make a plan table: text to read and someone, some
    time, place or money beside it."""
    return any(r in TEXT_ROLES for r in roles) and any(
        r in (*UNIT_ROLES, "due", *DETAIL_ROLES) for r in roles
    )


_GAP = re.compile(r"[ \u00a0]{2,}|\u3000+")


def _width(text: str) -> int:
    """Display width as a monospaced text shows it (CJK and full-width characters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _chunks(line: str) -> list[tuple[int, str]]:
    """A space-aligned line's cells with the display column each starts at."""
    out: list[tuple[int, str]] = []
    at = 0
    for part in _GAP.split(line.rstrip()):
        start = line.index(part, at) if part else at
        if part.strip():
            lead = len(part) - len(part.lstrip())
            out.append((_width(line[: start + lead]), part.strip()))
        at = start + len(part)
    return out


def aligned_rows(lines: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """Lines with tables aligned by spaces or tabs made ``|`` rows; in a space-aligned table a
    cell wrapped onto an indented line below (as a PDF copied with its layout gives it) joins
    the cell it stands under, by display column."""
    out: list[tuple[int, str]] = []
    starts: list[int] = []  # the display columns of the open space-aligned row's cells
    cells: list[str] = []
    head: list[int] = []  # the display columns of the run's first row (its header)
    for number, text in lines:
        if "|" in text or "｜" in text or "\t" in text:
            starts = []
            parts = split_cells(text)
            out.append((number, _pipes(parts) if len(parts) >= 3 and "\t" in text else text))
            continue
        chunks = _chunks(text)
        if len(chunks) >= 3:
            if starts and len(chunks) < len(head):
                chunks = _split_overflow(chunks, head)
            head = head if starts and len(head) >= len(chunks) else [s for s, _ in chunks]
            starts, cells = [s for s, _ in chunks], [c for _, c in chunks]
            out.append((number, _pipes(cells)))
            continue
        if _wrapped(text, chunks, starts):
            for start, chunk in chunks:  # the wrapped part of a cell above
                k = max((j for j, s in enumerate(starts) if s <= start + 2), default=0)
                cells[k] += chunk
            out[-1] = (out[-1][0], _pipes(cells))
            continue
        starts = []
        out.append((number, text))
    return out


def _wrapped(text: str, chunks: list[tuple[int, str]], starts: list[int]) -> bool:
    """Whether an indented line holds the wrapped parts of the cells of the row above: it
    starts past the first column (a row number never wraps) and opens no item or section."""
    if not (starts and chunks and len(starts) >= 2 and text[:1].isspace()):
        return False
    first = chunks[0][1]
    return (
        chunks[0][0] >= starts[1] - 2
        and len(chunks) < len(starts)
        and not item_marker(first)
        and not section_marker(first)
    )


def _split_overflow(chunks: list[tuple[int, str]], head: list[int]) -> list[tuple[int, str]]:
    """A cell that ran into the next column, parted from it by a single space, split where
    that column starts."""
    out: list[tuple[int, str]] = []
    for start, chunk in chunks:
        while " " in chunk:
            cut = chunk.rindex(" ")
            at = start + _width(chunk[: cut + 1])
            if not any(abs(at - h) <= 3 and h > start for h in head):
                break
            out.append((start, chunk[:cut]))
            start, chunk = at, chunk[cut + 1 :]
        out.append((start, chunk))
    return sorted(out)


def _pipes(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"
