"""The small formula language of indicator definitions: sums of data elements, never ``eval``.

A numerator or denominator is a linear combination of *terms*, so that rolling up the org-unit
tree (summing every term over the units below) and evaluating the formula commute::

    kg_enrol_public + kg_enrol_inclusive_private
    grade1_entry_cohort + cohort_transfer_in - cohort_transfer_out
    sum_schools(std_compliant, stage=小学|初中|九年一贯制)
    count_schools(stage=中职, ownership=公办)

A bare name is a data element reported by the unit itself (a county or the city);
``sum_schools(element, filters)`` sums a school-level element over the unit's schools that match
the filters (registry columns such as ``stage`` and ``ownership``); ``count_schools(filters)``
counts the schools in the registry. Numbers may scale or be added (``2 * a``, ``a / 2``, ``a + 1``)
but two terms may not multiply: the result must stay linear.

The element of ``sum_schools`` may also be a value derived per school before anything is summed:
the code of a school standard (``school_standards`` in an indicators file, 1 for a school that
meets it), so ``sum_schools(balance_primary, stage=小学)`` counts the schools that meet it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import ExpressionError

TermKind = Literal["unit", "school_sum", "school_count"]
SCHOOL_FILTER_COLUMNS: tuple[str, ...] = ("stage", "ownership")
"""Registry columns a school filter may name."""


@dataclass(frozen=True, order=True)
class Term:
    """One summable quantity: a unit's element, a sum over matching schools, or a school count."""

    kind: TermKind
    element: str = ""
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def key(self) -> str:
        """A canonical text, used as the column name when terms are laid out side by side."""
        where = ", ".join(f"{k}={'|'.join(v)}" for k, v in self.filters)
        if self.kind == "unit":
            return self.element
        if self.kind == "school_sum":
            return f"sum_schools({self.element}{', ' + where if where else ''})"
        return f"count_schools({where})"

    def describe(self, labels: Mapping[str, str] | None = None) -> str:
        """The term in a reviewer's words, e.g. ``pop_3_5（3-5岁常住人口数）``."""
        labels = labels or {}
        where = "".join("/".join(v) for _, v in self.filters)
        if self.kind == "school_count":
            return f"{where or '全部'}学校数（学校名录）"
        name = self.element + (f"（{labels[self.element]}）" if self.element in labels else "")
        if self.kind == "school_sum":
            return f"{where + '学校' if where else '各校'}{name}之和"
        return name


@dataclass(frozen=True)
class Linear:
    """``constant + Σ coefficient × term``: what every formula reduces to."""

    coefficients: tuple[tuple[Term, float], ...] = ()
    constant: float = 0.0
    text: str = field(default="", compare=False)

    @property
    def terms(self) -> tuple[Term, ...]:
        return tuple(t for t, _ in self.coefficients)

    def evaluate(self, frame: pd.DataFrame) -> pd.Series:
        """The formula over ``frame`` (one column per ``term.key``); NaN wherever a term is NaN.

        Raises ``KeyError`` naming a term whose column is absent.
        """
        out = np.full(len(frame), self.constant, dtype="float64")
        for term, coef in self.coefficients:
            out = out + coef * frame[term.key].to_numpy(dtype="float64", na_value=np.nan)
        return pd.Series(out, index=frame.index, dtype="float64")

    def __str__(self) -> str:
        return self.text or " + ".join(f"{c:g}*{t.key}" for t, c in self.coefficients)


# --- parsing ----------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?|\.\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>[-+*/(),=|])|(?P<word>[^\s\-+*/(),=|]+))"
)


@dataclass
class _Tok:
    kind: str
    text: str
    pos: int


def _tokenize(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExpressionError(text, pos, "无法识别的字符")
        kind = m.lastgroup or ""
        start = m.start(kind)
        tokens.append(_Tok(kind, m.group(kind), start))
        pos = m.end()
    tokens.append(_Tok("end", "", len(text)))
    return tokens


class _Parser:
    """Recursive descent over ``expr := term (± term)*``, ``term := factor ((*|/) factor)*``."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0

    @property
    def tok(self) -> _Tok:
        return self.tokens[self.i]

    def fail(self, message: str) -> ExpressionError:
        return ExpressionError(self.text, self.tok.pos, message)

    def take(self, text: str) -> bool:
        if self.tok.kind == "op" and self.tok.text == text:
            self.i += 1
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.take(text):
            raise self.fail(f"此处应为「{text}」")

    def parse(self) -> dict[Term | None, float]:
        if self.tok.kind == "end":
            raise self.fail("公式为空")
        result = self.expr()
        if self.tok.kind != "end":
            raise self.fail("多余的内容")
        return result

    def expr(self) -> dict[Term | None, float]:
        acc = self.term()
        while True:
            if self.take("+"):
                acc = _add(acc, self.term(), 1.0)
            elif self.take("-"):
                acc = _add(acc, self.term(), -1.0)
            else:
                return acc

    def term(self) -> dict[Term | None, float]:
        acc = self.factor()
        while True:
            pos = self.tok.pos
            if self.take("*"):
                rhs = self.factor()
                if _is_constant(acc):
                    acc = _scale(rhs, acc.get(None, 0.0))
                elif _is_constant(rhs):
                    acc = _scale(acc, rhs.get(None, 0.0))
                else:
                    raise ExpressionError(self.text, pos, "两个数据元素不能相乘（公式须为线性）")
            elif self.take("/"):
                rhs = self.factor()
                if not _is_constant(rhs):
                    raise ExpressionError(self.text, pos, "只能除以常数（比率请写成分子、分母）")
                divisor = rhs.get(None, 0.0)
                if divisor == 0:
                    raise ExpressionError(self.text, pos, "除数为 0")
                acc = _scale(acc, 1.0 / divisor)
            else:
                return acc

    def factor(self) -> dict[Term | None, float]:
        tok = self.tok
        if self.take("-"):
            return _scale(self.factor(), -1.0)
        if self.take("("):
            inner = self.expr()
            self.expect(")")
            return inner
        if tok.kind == "num":
            self.i += 1
            return {None: float(tok.text)}
        if tok.kind == "name":
            self.i += 1
            if tok.text in ("sum_schools", "count_schools") and self.take("("):
                return {self.school_call(tok.text): 1.0}
            if self.tok.kind == "op" and self.tok.text == "(":
                raise ExpressionError(
                    self.text,
                    tok.pos,
                    f"未知的函数「{tok.text}」，可用：sum_schools、count_schools",
                )
            return {Term("unit", tok.text): 1.0}
        raise self.fail("此处应为数据元素、数字或括号")

    def school_call(self, name: str) -> Term:
        element = ""
        if name == "sum_schools":
            if self.tok.kind != "name":
                raise self.fail("sum_schools 的第一个参数应为学校层面的数据元素")
            element = self.tok.text
            self.i += 1
            if not self.take(","):
                self.expect(")")
                return Term("school_sum", element)
        filters: dict[str, tuple[str, ...]] = {}
        while not self.take(")"):
            if filters:
                self.expect(",")
            key_tok = self.tok
            if key_tok.kind != "name" or key_tok.text not in SCHOOL_FILTER_COLUMNS:
                raise self.fail(f"筛选条件应为 {'、'.join(SCHOOL_FILTER_COLUMNS)} 之一")
            self.i += 1
            if key_tok.text in filters:
                raise ExpressionError(self.text, key_tok.pos, f"筛选条件「{key_tok.text}」重复")
            self.expect("=")
            values = [self.filter_value()]
            while self.take("|"):
                values.append(self.filter_value())
            filters[key_tok.text] = tuple(sorted(set(values)))
        kind: TermKind = "school_sum" if name == "sum_schools" else "school_count"
        return Term(kind, element, tuple(sorted(filters.items())))

    def filter_value(self) -> str:
        tok = self.tok
        if tok.kind not in ("word", "name", "num"):
            raise self.fail("此处应为筛选值，如 小学 或 公办")
        self.i += 1
        return tok.text


def school_filters(values: Mapping[str, object]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Registry filters (``{"stage": ["初中", "小学"]}``) in the canonical form of a parsed
    ``sum_schools`` term; ``ValueError`` (Chinese) for an unknown column or an empty value."""
    out: dict[str, tuple[str, ...]] = {}
    for col, raw in values.items():
        if col not in SCHOOL_FILTER_COLUMNS:
            raise ValueError(
                f"筛选条件应为 {'、'.join(SCHOOL_FILTER_COLUMNS)} 之一，实际为 {col!r}"
            )
        items = [raw] if isinstance(raw, str | int | float) else raw
        if not isinstance(items, list | tuple) or not items:
            raise ValueError(f"{col} 应为一个或多个取值（如 小学），实际为 {raw!r}")
        words = [str(v).strip() for v in items]
        if any(not w for w in words):
            raise ValueError(f"{col} 的取值不能为空")
        out[str(col)] = tuple(sorted(set(words)))
    return tuple(sorted(out.items()))


def _is_constant(value: dict[Term | None, float]) -> bool:
    return all(k is None for k in value)


def _add(
    a: dict[Term | None, float], b: dict[Term | None, float], sign: float
) -> dict[Term | None, float]:
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, 0.0) + sign * v
    return out


def _scale(a: dict[Term | None, float], factor: float) -> dict[Term | None, float]:
    return {k: v * factor for k, v in a.items()}


def parse_expression(text: str) -> Linear:
    """Read a formula into a :class:`Linear`; :class:`ExpressionError` (Chinese) if it is not one.

    >>> str(parse_expression("a + 2 * (b - c)").terms[0].key)
    'a'
    """
    if not isinstance(text, str):
        raise ExpressionError(str(text), 0, f"公式应为文字，实际为 {text!r}")
    raw = _Parser(text).parse()
    constant = raw.pop(None, 0.0)
    if not math.isfinite(constant):
        raise ExpressionError(text, 0, "常数不是有限数字")
    coefficients = tuple(sorted((t, c) for t, c in raw.items() if t is not None and c != 0.0))
    if not coefficients:
        raise ExpressionError(text, 0, "公式中没有数据元素")
    return Linear(coefficients, constant, text.strip())
