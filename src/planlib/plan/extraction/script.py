"""Plans in traditional script (繁體): read as simplified, the original wording kept.

Every rule downstream (enumerations, units, comparators, department names) is written for
simplified script, so a reader converts a whole document whose Han characters are largely
traditional with OpenCC (``t2s``: phrase-aware, maintained) and keeps the original text beside
the converted one. A simplified document is left exactly as it is: a stray traditional
character in a quotation does not trigger a conversion.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

_SHARE = 0.02  # of the Han characters: a simplified text has next to none that convert
_LEAST = 3


@lru_cache(maxsize=1)
def _converter() -> Any:
    try:
        import opencc
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    return opencc.OpenCC("t2s")


def _han(text: str) -> int:
    return sum(1 for c in text if "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf")


def simplified(text: str) -> str | None:
    """``text`` in simplified script when it is written in traditional script, else None."""
    converter = _converter()
    if converter is None or not text:
        return None
    converted: str = converter.convert(text)
    if converted == text:
        return None
    changed = sum(1 for a, b in zip(text, converted, strict=False) if a != b)
    if len(converted) != len(text):
        changed = max(changed, abs(len(converted) - len(text)))
    if changed < _LEAST or changed < _SHARE * _han(text):
        return None
    return converted


def to_simplified(text: str) -> str:
    """``text`` converted to simplified script whatever its share of traditional characters
    (a document's title once the document is known to be traditional)."""
    converter = _converter()
    return converter.convert(text) if converter is not None and text else text
