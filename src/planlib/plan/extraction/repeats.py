"""Which of many short strings occur twice in a long text, in one pass over it.

``drop_furniture`` asks, for every summary line of a web page, whether its opening repeats
elsewhere in the document. Asking ``str.count`` line by line reads the whole document once per
line; here every window of the text is hashed at once (a polynomial hash, vectorised) and each
key's first and last place are read off, then checked against the text itself.
"""

from __future__ import annotations

import numpy as np

_BASE = np.uint64(1_000_003)


def _window_hashes(codes: np.ndarray, width: int) -> np.ndarray:
    """The hash of every ``width`` characters of ``codes`` (arithmetic modulo 2**64)."""
    count = len(codes) - width + 1
    hashes = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(width):
            hashes = hashes * _BASE + codes[k : k + count]
    return hashes


def _hash(key: str) -> int:
    value = 0
    for ch in key:
        value = (value * int(_BASE) + ord(ch)) % (1 << 64)
    return value


def repeated_windows(body: str, keys: set[str]) -> set[str]:
    """The keys that occur at least twice without overlapping in ``body``."""
    codes = np.frombuffer(body.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    out: set[str] = {""} if "" in keys and body else set()  # "".count gives len(body) + 1
    by_width: dict[int, list[str]] = {}
    for key in keys:
        if key and len(key) <= len(body):
            by_width.setdefault(len(key), []).append(key)
    for width, group in by_width.items():
        hashes = _window_hashes(codes, width)
        wanted = np.array(sorted({_hash(k) for k in group}), dtype=np.uint64)
        places = np.flatnonzero(np.isin(hashes, wanted))
        first: dict[int, int] = {}
        last: dict[int, int] = {}
        for pos, value in zip(places.tolist(), hashes[places].tolist(), strict=True):
            first.setdefault(value, pos)
            last[value] = pos
        for key in group:
            h = _hash(key)
            if h not in first:
                continue
            a, b = first[h], last[h]
            if body.startswith(key, a) and body.startswith(key, b):
                # two places at least a key apart: the greedy count reaches 2
                if b >= a + width:
                    out.add(key)
            elif body.count(key) >= 2:  # a hash collision: ask the text itself
                out.add(key)
    return out
