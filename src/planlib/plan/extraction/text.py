"""Reading a plan's text and cleaning it: encodings, page furniture, line joins, punctuation.

Text pulled from a PDF or a web page breaks lines mid-word, mixes half- and full-width
punctuation, puts spaces around numbers and scatters page furniture (banners, page numbers,
view counts, repeated headers) between the lines. Everything here keeps the source line number
of every character, so a warning can say where in the file a problem sits.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ...encodings import TextEncodingError, decode_text
from ...errors import PlanTextError

# --- reading ----------------------------------------------------------------------------------


def decode_plan_bytes(raw: bytes, path: str | Path = "<文本>") -> str:
    """Decode a plan text (see :func:`planlib.encodings.decode_text`); PlanTextError otherwise.

    Files are read by :func:`planlib.plan.extraction.readers.read_document`, which tells a PDF,
    Word, Excel or web page from a text before it decodes one."""
    try:
        return decode_text(raw)
    except TextEncodingError as err:
        raise PlanTextError(path, str(err)) from None


# --- characters with their line numbers ---------------------------------------------------------


@dataclass(frozen=True)
class LinedText:
    """Text with the 1-based source line of each character (``lines[i]`` is where ``text[i]`` was)."""

    text: str
    lines: tuple[int, ...]

    @staticmethod
    def join(pieces: Iterable[tuple[int, str]]) -> LinedText:
        """Join source lines with nothing between them: a hard line break is not a space."""
        text: list[str] = []
        lines: list[int] = []
        for number, line in pieces:
            text.append(line)
            lines.extend([number] * len(line))
        return LinedText("".join(text), tuple(lines))

    def line_at(self, index: int) -> int | None:
        """The source line of the character at ``index`` (clamped to the text)."""
        if not self.lines:
            return None
        return self.lines[min(max(index, 0), len(self.lines) - 1)]

    def __getitem__(self, key: slice) -> LinedText:
        return LinedText(self.text[key], self.lines[key])

    def __len__(self) -> int:
        return len(self.text)

    def strip(self, chars: str | None = None) -> LinedText:
        start = len(self.text) - len(self.text.lstrip(chars))
        end = len(self.text.rstrip(chars))
        return self[start:end] if end > start else LinedText("", ())


_WIDTH_MAP = {chr(0xFF10 + i): str(i) for i in range(10)} | {"％": "%", "\u3000": " "}
_TO_FULL = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）"}
_WIDTH_TABLE = str.maketrans(_WIDTH_MAP)
# (isprintable() rules out whitespace other than " ", and control and format characters)
_SLOW_RE = re.compile(r"[,:;()．]")
# a "." typed after Chinese (not after a closing bracket), before Chinese or at the end
_HALF_STOP_RE = re.compile(r"(?<=[^\x00-\x7f）】」])\.(?=[^\x00-\x7f]|\Z)")


def _is_ascii(ch: str) -> bool:
    return ch != "" and ord(ch) < 128


def _is_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def normalise(source: LinedText) -> LinedText:
    """Spaces and punctuation as the curated plan files write them.

    Full-width digits and ％ become ASCII; whitespace goes, except one space between two ASCII
    words ("Windows 10"); ASCII , : ; ( ) become full-width unless both neighbours are ASCII
    ("8:30", "1,500" stay).

    A text with no space, control character or ASCII , : ; ( ) ．— most lines of a plan — takes
    a short way (a table for the widths, one pattern for the half-width full stops) to the same
    result, character for character.
    """
    text = source.text
    if text.isprintable() and " " not in text and not _SLOW_RE.search(text):
        out = _HALF_STOP_RE.sub("。", text.translate(_WIDTH_TABLE))
        return LinedText(out, tuple(source.lines))
    return _normalise_each(source)


def _normalise_each(source: LinedText) -> LinedText:
    """:func:`normalise` character by character, for text with spaces or ASCII punctuation."""
    chars = [_WIDTH_MAP.get(c, c) for c in source.text]
    chars = ["." if c == "．" and 0 < i < len(chars) - 1 else c for i, c in enumerate(chars)]
    lines = list(source.lines)
    # drop whitespace, keeping one space between ASCII letters or digits
    kept: list[tuple[str, int]] = []
    pending_space = False
    for ch, line in zip(chars, lines, strict=True):
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf"):
            pending_space = bool(kept)
            continue
        if pending_space and _is_word(kept[-1][0]) and _is_word(ch):
            kept.append((" ", line))
        pending_space = False
        kept.append((ch, line))
    out: list[str] = []
    for i, (ch, _line) in enumerate(kept):
        if ch in _TO_FULL:
            prev = out[-1] if out else ""  # already converted: "；(2)" sees "；"
            nxt = kept[i + 1][0] if i + 1 < len(kept) else ""
            if not (_is_ascii(prev) and _is_ascii(nxt)):
                ch = _TO_FULL[ch]
        elif ch == "." and out and not _is_ascii(out[-1]) and out[-1] not in "）)】」":
            # "建设.新建" or a line ending "5所.": a full stop typed half-width after Chinese
            nxt = kept[i + 1][0] if i + 1 < len(kept) else ""
            if not nxt or not _is_ascii(nxt) or nxt == "(":
                ch = "。"
        out.append(ch)
    return LinedText("".join(out), tuple(line for _, line in kept))


def squeeze(text: str) -> str:
    """A single line normalised on its own (for comparing headers and titles)."""
    return normalise(LinedText(text, (0,) * len(text))).text


# --- page furniture -------------------------------------------------------------------------------

_FURNITURE_WORDS = {
    "vip专免",
    "vip",
    "海报",
    "侵权投诉",
    "摘要：",
    "摘要",
    "展开>>",
    "收起<<",
    "展开",
    "收起",
    "下载",
    "立即下载",
    "免费下载",
    "举报",
    "分享",
    "收藏",
    "打印",
    "关闭",
    "关闭窗口",
    "打印本页",
    "阅读全文",
    "点击查看全文",
    "查看全文",
    "返回顶部",
    "上一页",
    "下一页",
    "相关文档",
    "相关推荐",
    "字号：大中小",
    "【大中小】",
    "【打印】",
    "【关闭】",
    "扫一扫",
    "扫码下载",
    "版权声明",
}
_FURNITURE_RES = [
    re.compile(p)
    for p in (
        r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(\d{1,2}：\d{2}(：\d{2})?)?",  # dates
        r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\d{1,2}:\d{2}(:\d{2})?",
        r"\d+\+?",  # page numbers, 999+ views
        r"[\d.]+[kmgt]?b",  # file sizes
        r"(共)?\d+页",
        r"第\d+页(，|/|,)?(共\d+页)?",
        r"[-—–－]+\d+[-—–－]+",
        r"\d+/\d+",
        r"(浏览|阅读|访问|点击|下载)(量|次数|数)?[：:]?\d+\+?次?",
        r"\d+\+?(次)?(浏览|阅读|下载|收藏)",
        r".{0,20}(发布|更新|上传)(时间|日期)[：:].{0,60}",
        r".{0,40}(浏览|阅读|点击)(次数|量)[：:]?\d+次?",
        r"(首页|当前位置|您的位置|您现在的位置)[：:>»/＞].{0,60}",
        r"(上一篇|下一篇|上一条|下一条)[：:].{0,60}",
        r"(来源|作者|责任编辑|编辑)[：:].{0,20}",
        r"(页码|page)[：:]?\s?\d+(\s?(of|/)\s?\d+)?",
        r"[·•]\d+[·•]",
        # a government site's document record: 索引号：…|成文日期：…
        r"\|?(索引号|文号|发文字号|发布机构|发文机关|成文日期|发布日期|公开方式|公开范围|主题分类|"
        r"体裁分类|组配分类|信息分类|有效性|生成日期|所属机构|文件编号)[：:].*",
        # document sites: paywalls and file facts
        r".{0,20}(vip|会员)[^，。；]{0,6}(免费|专免|专享|下载|阅读)[^，。；]{0,10}",
        r"(格式|大小|文档页数|页数|字数|上传者|贡献者)[：:].{0,30}",
        r"(本文共|全文共)\d+字.{0,40}",
        r"(付费|下载|开通)(文档|会员|vip).{0,20}",
    )
]


def is_furniture(line: str) -> bool:
    """Whether a whole (stripped) line is page furniture rather than the plan's text."""
    return _furniture(squeeze(line))


_ELLIPSIS = ("...", "…", "。。。")
_PUNCT_RE = re.compile(r"[，。；：、（）()“”,;:]")
_OPENS_RE = re.compile(
    r"^([一二三四五六七八九十]{1,3}、|\d{1,3}[.、]|（[一二三四五六七八九十\d]{1,3}）)"
)


def _could_be_header(line: str) -> bool:
    """A running header is a short title-like line: no sentence punctuation, not an item start.

    Short fragments of hard-wrapped prose ("教育") repeat too, so very short lines never count.
    """
    return 6 <= len(line) <= 30 and not _OPENS_RE.match(line) and not _PUNCT_RE.search(line)


def drop_furniture(
    lines: Sequence[tuple[int, str]], header: str | None, *, keep_numbers: bool = False
) -> list[tuple[int, str]]:
    """The lines that carry the plan: furniture, repeated headers and summary blobs removed.

    A summary blob is a long line that ends in an ellipsis and repeats text found elsewhere
    (web viewers print the document's opening again under 摘要). ``keep_numbers`` keeps a
    number alone on a line (``12``, ``12 |``): in a table flattened to one cell per line it
    is a row number, not a page number.
    """
    squeezed = [squeeze(t) for _, t in lines]
    furniture = [_furniture(s) for s in squeezed]
    counts = Counter(squeezed)
    running = {s for s, n in counts.items() if n >= 3 and _could_be_header(s)}
    # the text a summary blob repeats, without the headers a page break put into it
    body = "".join(
        s
        for s, f in zip(squeezed, furniture, strict=True)
        if not f and s not in running and s != header
    )
    kept: list[tuple[int, str, str | None]] = []  # line, text, the opening of a summary blob
    seen_header = False
    for (number, text), s, is_furn in zip(lines, squeezed, furniture, strict=True):
        if keep_numbers and s.rstrip("|｜").isdigit():
            kept.append((number, text, None))
            continue
        if is_furn or s in running:
            continue  # furniture, or a running header printed on every page
        if header is not None and s == header:
            if seen_header:
                continue  # a header repeated on every page
            seen_header = True
        opening = None
        if s.endswith(_ELLIPSIS) and len(s) >= 30:
            blob = s.rstrip(".…。")
            if header is not None and blob.startswith(header) and len(blob) > len(header) + 10:
                blob = blob[len(header) :]  # the viewer glues the title to the opening text
            opening = blob[:20]
        kept.append((number, text, opening))
    repeated = repeated_in(body, {o for _, _, o in kept if o is not None})
    return [(n, t) for n, t, o in kept if o is None or o not in repeated]


def _furniture(squeezed: str) -> bool:
    """:func:`is_furniture` of a line already squeezed."""
    s = squeezed.lower()
    return not s or s in _FURNITURE_WORDS or any(r.fullmatch(s) for r in _FURNITURE_RES)


def repeated_in(body: str, keys: set[str]) -> set[str]:
    """The keys found at least twice, without overlapping, in ``body`` (``body.count(k) >= 2``).

    A few keys are counted directly; many are found in one pass over ``body`` (every window
    of a key's length hashed at once), so a page of summary lines does not read the body once
    per line."""
    if len(keys) <= 8:
        return {k for k in keys if body.count(k) >= 2}
    from .repeats import repeated_windows

    return repeated_windows(body, keys)
