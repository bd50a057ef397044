"""A formula saved without its result, computed when it is plain arithmetic over cells of its
own sheet (``=B4+C4+D4``, ``=SUM(E5:E44)``, ``=(B4-C4)*2``).

openpyxl and scripts write formulas without their values, and so do some clerks' tools; Excel
would compute them on opening. What is computed here is only what Excel would compute from the
very cells the sheet holds: numbers, cell references, ``+ - * /``, brackets and ``SUM`` over
references and ranges. A reference to another sheet or workbook, any other function, a text
cell or a cell itself uncalculated leaves the formula uncomputed (the cell stays an error).
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Collection
from typing import Any

from openpyxl.utils import column_index_from_string

_REF = re.compile(r"\$?([A-Z]{1,3})\$?(\d{1,7})")
_RANGE = re.compile(rf"{_REF.pattern}:{_REF.pattern}")
_SUM = re.compile(r"SUM\(([^()]*)\)", re.IGNORECASE)
_ALLOWED = re.compile(r"^[\d.+\-*/() ]*$")
_OPS: dict[type, Callable[..., float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


class _NotComputable(Exception):
    pass


def _column(letters: str) -> int:
    """The 0-based index of Excel's column ``letters`` (A → 0)."""
    return column_index_from_string(letters) - 1


def compute_formula(
    formula: str, rows: list[list[Any]], uncalculated: Collection[tuple[int, int]]
) -> float | None:
    """The value of ``formula`` (with its leading ``=``) over ``rows`` (Excel row r is
    ``rows[r - 1]``, columns 0-based), or None when it is not plain arithmetic over numbers of
    this sheet. A blank cell counts 0, as in Excel; ``uncalculated`` cells are not computable."""
    text = formula.lstrip("=").strip().upper()
    if not text or "!" in text or "[" in text or '"' in text:
        return None

    def cell(r: int, c: int) -> float:
        if (r, c) in uncalculated:
            raise _NotComputable
        v = rows[r - 1][c] if r - 1 < len(rows) and c < len(rows[r - 1]) else None
        if v is None or v == "":
            return 0.0
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise _NotComputable
        return float(v)

    def total(args: str) -> str:
        s = 0.0
        for arg in filter(None, (a.strip() for a in args.split(","))):
            if m := _RANGE.fullmatch(arg):
                r1, r2 = sorted((int(m[2]), int(m[4])))
                c1, c2 = sorted((_column(m[1]), _column(m[3])))
                s += sum(cell(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
            else:
                s += _eval(_REF.sub(reference, arg))
        return repr(s)

    def reference(m: re.Match[str]) -> str:
        return repr(cell(int(m[2]), _column(m[1])))

    try:
        text = _SUM.sub(lambda m: total(m[1]), text)
        text = _REF.sub(reference, text)
        return _eval(text)
    except (_NotComputable, ZeroDivisionError, SyntaxError, ValueError, IndexError):
        return None


def _eval(text: str) -> float:
    """Arithmetic of numbers only (no name, no call): the parsed tree walked, never eval()."""
    if not _ALLOWED.match(text):
        raise _NotComputable

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](walk(node.operand))
        raise _NotComputable

    return walk(ast.parse(text, mode="eval"))
