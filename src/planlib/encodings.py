"""Decoding Chinese text files: UTF-8 (with or without BOM), UTF-16 (Excel's “Unicode 文本”
save: little-endian with a BOM; also without one), GB18030/GBK.

Plan texts, CSV returns, progress ledgers and allocation files all arrive in one of these. Short
GBK texts fool statistical detectors (they guess UTF-16 or a Latin code page), so a strict
GB18030 decode that yields Chinese is preferred over a guess that does not.
"""

from __future__ import annotations

import charset_normalizer

from .errors import TextEncodingError

_CHINESE_ENCODINGS = ("gb2312", "gbk", "gb18030", "hz", "gb")


def cjk_share(text: str) -> float:
    """Share of Han characters (and CJK punctuation) among the non-ASCII characters (1.0 if none)."""
    wide = [c for c in text if ord(c) > 127]
    if not wide:
        return 1.0
    han = sum(1 for c in wide if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f")
    han += sum(1 for c in wide if "\uff00" <= c <= "\uffef" or c in "“”‘’…—")
    return han / len(wide)


def _utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 text saved without a BOM, told by its zero bytes: in a Chinese table most
    characters are ASCII (digits, commas, tabs), whose high byte is zero (UTF-8 and GBK hold
    no zero bytes at all)."""
    head = raw[:4000]
    if len(head) < 4 or b"\x00" not in head:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    encoding = "utf-16-le" if odd > 2 * even else "utf-16-be" if even > 2 * odd else None
    if encoding is None or max(even, odd) < len(head) // 8:
        return None
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        return None
    return text if cjk_share(text) >= 0.9 else None


def decode_text(raw: bytes) -> str:
    """The text of ``raw``; TextEncodingError with a Chinese reason when it cannot be told."""
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8")
        except UnicodeDecodeError:
            raise TextEncodingError("文件以 UTF-8 BOM 开头，但内容不是有效的 UTF-8") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise TextEncodingError("文件以 UTF-16 BOM 开头，但内容无法解码") from None
    unmarked = _utf16_without_bom(raw)
    if unmarked is not None:
        return unmarked
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(raw).best()
    guess = best.encoding.lower().replace("-", "").replace("_", "") if best else ""
    if any(guess.startswith(e.replace("-", "")) for e in _CHINESE_ENCODINGS):
        return raw.decode("gb18030", errors="replace")
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    if text and cjk_share(text) >= 0.9:
        return text
    if best is not None and cjk_share(str(best)) >= 0.9 and "\x00" not in str(best):
        return str(best)
    raise TextEncodingError("无法识别文件编码（支持 UTF-8、带 BOM 的 UTF-8、GB18030/GBK）")
