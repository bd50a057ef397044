"""What the public functions check about what they are given, and how they say it.

An analyst's likeliest slips (a Dataset where an indicator table is wanted, a county's name where
its code is wanted, a misspelt department) should end in one Chinese sentence that says what was
expected and what to call instead, not in a ``KeyError`` from deep inside pandas.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from .errors import UnknownNameError, UsageError


def clean_text(text: str) -> str:
    r"""``text`` from data (a unit's name, a header, a note) made safe to show a reader in a
    terminal, an HTML report or a chart. Format characters (Unicode category Cf: the
    bidirectional controls U+200E/F, U+202A–202E, U+2066–2069, zero-width characters, the byte
    order mark, tag characters) are dropped; other control characters (C0 and C1, e.g. ESC,
    which starts a terminal escape sequence) become U+FFFD; tab and line feed stay, and a
    carriage return becomes a line feed.

    Format characters are dropped because they are invisible where they belong: without them the
    text reads in the order it is stored (a right-to-left override can no longer make a stored
    南区 read as 区南, or hide a file's real extension), and no box appears in a county's name.
    A control character has no place in text a person typed, so a reader is shown that one was
    there. Only characters change: markup (rich's ``[b]``, HTML, ``$`` for matplotlib) is each
    output's own escaping.

    >>> clean_text("南江区\u202e") == "南江区", clean_text("a\r\nb\x1b[31m")
    (True, 'a\nb\ufffd[31m')
    """
    if text.isprintable():  # nearly every name: no copy
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(_shown(ch) for ch in text)


def _shown(ch: str) -> str:
    """One character as :func:`clean_text` shows it: a format character dropped, another
    control character (not tab or line feed) as U+FFFD, anything else itself."""
    kind = unicodedata.category(ch)
    if kind == "Cf":
        return ""
    if kind == "Cc" and ch not in "\t\n":
        return "\ufffd"
    return ch


_KINDS: dict[str, str] = {
    "Dataset": "数据集（load_dataset 的结果）",
    "ValidationResult": "校验结果（validate 的结果）",
    "Monitoring": "监测结果（monitor 的结果）",
    "Plan": "计划（load_plan 的结果）",
    "OrgUnits": "单位表（load_org_units 的结果）",
    "IndicatorSet": "指标定义（load_indicators 的结果）",
}

FRAME_KINDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("评估结果（assess 的结果）", frozenset({"status", "task_id", "target"})),
    ("指标表（compute_indicators 的结果）", frozenset({"indicator", "value", "numerator"})),
    ("数据值表（Dataset.values）", frozenset({"org_code", "period", "element", "value"})),
)
"""Frames told apart by their columns, most specific first."""

HINTS: dict[tuple[str, str], str] = {
    (
        "Dataset",
        "indicators",
    ): "请先运行 planlib.compute_indicators(数据集)，或用 planlib.monitor(数据目录) 一步完成",
    ("Monitoring", "indicators"): "监测结果里已有：run.indicators（评估结果为 run.assessment）",
    ("Monitoring", "assessment"): "监测结果里已有：run.assessment",
    ("Dataset", "assessment"): "请先运行 planlib.monitor(数据集).assessment",
    ("指标表（compute_indicators 的结果）", "assessment"): "请先运行 planlib.assess(指标表, 计划)",
}


def describe(value: Any) -> str:
    """What a value is, in a reader's words: 数据集（load_dataset 的结果）, 指标表…"""
    name = type(value).__name__
    if name in _KINDS:
        return _KINDS[name]
    columns = getattr(value, "columns", None)
    if columns is not None:
        have = set(map(str, columns))
        for label, needed in FRAME_KINDS:
            if needed <= have:
                return label
        return f"表格（列：{'、'.join(list(map(str, columns))[:6])}）"
    if isinstance(value, str):
        return f"文本「{value[:40]}」"
    if value is None:
        return "None"
    return name


def expect_frame(value: Any, function: str, wanted: str, columns: Iterable[str], key: str) -> Any:
    """``value`` if it is a frame with ``columns``; else a UsageError naming what ``function``
    wanted (``wanted``) and what it got, with a hint for the usual slips (``key``: which hint)."""
    needed = set(columns)
    have = set(map(str, getattr(value, "columns", ())))
    if getattr(value, "columns", None) is not None and needed <= have:
        return value
    got = describe(value)
    hint = HINTS.get((type(value).__name__, key)) or HINTS.get((got, key))
    missing = sorted(needed - have) if getattr(value, "columns", None) is not None else []
    lack = f"（缺少列：{'、'.join(missing)}）" if missing and got.startswith("表格") else ""
    raise UsageError(
        f"{function}() 需要{wanted}，而不是{got}{lack}" + (f"；{hint}" if hint else "")
    )


def expect_type(value: Any, function: str, wanted: str, type_name: str, hint: str = "") -> Any:
    """``value`` if its class (or a base class) is named ``type_name``; else a UsageError."""
    if any(t.__name__ == type_name for t in type(value).__mro__):
        return value
    raise UsageError(
        f"{function}() 需要{wanted}，而不是{describe(value)}" + (f"；{hint}" if hint else "")
    )


def close_matches(name: str, candidates: Sequence[str], n: int = 5) -> list[str]:
    """The candidates nearest to ``name``: those containing it (or it them) first, then by
    similarity of characters (difflib), so 高新 finds 高新区 and 财务 finds 财务处."""
    text = str(name).strip()
    keys = {c: re.sub(r"（[^）]*）$", "", c) for c in candidates}  # 高新区（990111）→ 高新区
    inside = [c for c, k in keys.items() if text and (text in c or k in text)]
    ordered = [c for c, k in keys.items() if text and _subsequence(text, k)]  # 学前入园
    by_key = difflib.get_close_matches(text, list(keys.values()), n=n, cutoff=0.5)
    similar = [c for c, k in keys.items() if k in by_key]
    return list(dict.fromkeys([*inside, *ordered, *similar]))[:n]


def _subsequence(short: str, long: str) -> bool:
    """Whether ``short``'s characters appear in ``long`` in order (an abbreviation)."""
    it = iter(long)
    return len(short) >= 2 and all(ch in it for ch in short)


def unknown(
    kind: str, name: str, candidates: Sequence[str], listing: int = 12, always_list: bool = False
) -> UnknownNameError:
    """The error for a name that is not one of ``candidates``: the close matches, and (when
    there are none, or ``always_list``) the first ``listing`` valid names."""
    near = close_matches(name, candidates)
    guess = f"是否是：{'、'.join(near)}？" if near else ""
    if near and not always_list:
        return UnknownNameError(f"没有{kind}「{name}」；{guess}")
    shown = list(candidates)[:listing]
    more = f"等{len(candidates)}个" if len(candidates) > listing else ""
    return UnknownNameError(f"没有{kind}「{name}」；{guess}可用：{'、'.join(shown)}{more}")


__all__ = [
    "clean_text",
    "close_matches",
    "describe",
    "expect_frame",
    "expect_type",
    "unknown",
]
