"""The HTML kit of the reports: the CSS, the output-cell wrapper and the small formatters.

Every report kind builds its sections from these. Text from data is escaped (``e``, ``table``,
``figure_html``'s title) after :func:`planlib.checks.clean_text` drops its bidirectional and
control characters (a U+202E in a unit's name would reverse the text after it on the page);
numbers print with one decimal at most (``num``); charts are embedded as PNG at print resolution
(``figure_html``), so the HTML page, the PDF made from it and the executed notebook look the same.
"""

from __future__ import annotations

import base64
import io
import math
import re
import unicodedata
from html import escape, unescape
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..charts import style
from ..checks import clean_text

CSS = """
.pl { font-family: "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "Source Han Sans SC",
      sans-serif; color: #212121; line-height: 1.55; font-size: 10.5pt; }
.pl h1 { font-size: 19pt; margin: 0 0 2pt 0; font-weight: 700; text-align: center; }
.pl h2 { font-size: 13.5pt; margin: 14pt 0 5pt 0; padding-bottom: 2pt;
         border-bottom: 1.5pt solid #455a64; font-weight: 700; }
.pl .meta { color: #616161; font-size: 9pt; margin-bottom: 8pt; }
.pl .dochead { text-align: center; border-bottom: 1.5pt solid #212121; margin-bottom: 8pt;
               padding-bottom: 3pt; }
.pl .dochead .bureau { font-size: 22pt; font-weight: 700; letter-spacing: 0.15em; }
.pl .dochead .docno { font-size: 10.5pt; margin-top: 2pt; }
.pl .to { margin: 4pt 0 2pt 0; }
.pl p.sub { margin: 6pt 0 0 0; break-after: avoid; page-break-after: avoid; }
.pl .sign { text-align: right; margin: 14pt 2em 10pt 0; break-inside: avoid; }
.pl .sign p { margin: 0; }
.pl .colophon { margin-top: 14pt; border-top: 1pt solid #212121; border-bottom: 1pt solid #212121;
                font-size: 9.5pt; break-inside: avoid; page-break-inside: avoid; }
.pl .colophon p { margin: 2pt 0; }
.pl .meta span { white-space: nowrap; margin-right: 1.2em; }
.pl table.t th { white-space: nowrap; }
.pl .cards { display: flex; gap: 6pt; margin: 6pt 0; }
.pl .card { flex: 1; border-radius: 4pt; padding: 5pt 8pt; color: white; }
.pl .card b { font-size: 18pt; display: block; line-height: 1.2; }
.pl .card.s3 { border: 1px solid #bdbdbd; }
.pl table.t { border-collapse: collapse; width: 100%; font-size: 8.6pt; margin: 4pt 0;
              table-layout: fixed; }
.pl table.t th { background: #eceff1; text-align: left; padding: 3pt 4pt; font-weight: 700; }
.pl table.t td { border-bottom: 0.5pt solid #cfd8dc; padding: 2.5pt 4pt; vertical-align: top; }
.pl table.t td.n { text-align: right; white-space: nowrap; }
.pl table.t td.w { white-space: nowrap; }
.pl table.t tr { page-break-inside: avoid; }
.pl .badge { display: inline-block; border-radius: 3pt; padding: 0 4pt; color: white;
             white-space: nowrap; font-size: 8.2pt; }
.pl .note { color: #616161; font-size: 8.6pt; }
.pl ul { margin: 2pt 0 4pt 0; padding-left: 14pt; }
.pl img.fig { width: 100%; display: block; margin: 2pt 0; }
.pl .figure { break-inside: avoid; page-break-inside: avoid; margin: 6pt 0 4pt 0; }
.pl .figtitle { font-weight: 700; font-size: 9.6pt; margin: 0; }
.pl .figcap { margin: 0 0 4pt 0; }
.pl h2, .pl .figtitle { break-after: avoid; page-break-after: avoid; }
.pl ol.risks { margin: 2pt 0 4pt 0; padding-left: 16pt; }
.pl ol.risks li { margin-bottom: 3pt; }
.pl ol.items { margin: 2pt 0 6pt 0; padding-left: 18pt; }
.pl ol.items li { margin-bottom: 4pt; break-inside: avoid; page-break-inside: avoid; }
.pl ol.items .resp { color: #424242; font-size: 9.5pt; }
.pl .mono { font-family: "DejaVu Sans Mono", monospace; font-size: 7.2pt; word-break: break-all; }
"""


_TASK_WORDS = {"green": "绿", "yellow": "黄", "red": "红"}


class Html:
    """An output cell's HTML (what Jupyter shows via ``_repr_html_``)."""

    def __init__(self, body: str) -> None:
        self.body = body

    def _repr_html_(self) -> str:
        return f'<div class="pl">{self.body}</div>'

    def __str__(self) -> str:
        return self._repr_html_()


def e(value: Any) -> str:
    """Escaped text of a data value ("—" for missing), without bidirectional or control
    characters."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return escape(clean_text(str(value)))


_PERIOD_CODE = re.compile(r"(?<![0-9A-Za-z])(\d{4})Q([1-4])(?![0-9A-Za-z])")
_CODE_IN_BRACKETS = re.compile(r"[（(]\d{6,}[)）]")
_QUARTER_NAMES = "一二三四"


def reader_words(text: Any) -> str:
    """A message from the data (a validation problem) as a reader reads it: period codes as
    quarters (2022Q3 → 2022年第三季度), a unit's code in brackets after its name dropped."""
    out = _CODE_IN_BRACKETS.sub("", str(text))
    return _PERIOD_CODE.sub(lambda m: f"{m[1]}年第{_QUARTER_NAMES[int(m[2]) - 1]}季度", out)


def date_words(value: Any) -> str:
    """A date as 公文 write it (2022年12月31日); ``—`` when there is none."""
    m = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", str(value or ""))
    return f"{int(m[1])}年{int(m[2])}月{int(m[3])}日" if m else "—"


def num(
    value: Any, unit: str = "", signed: bool = False, decimals: int = 1, fixed: bool = False
) -> str:
    """A number as reports print it: one decimal at most, thousands separated. ``fixed``
    keeps the trailing zeros (a value at its published precision prints 56.0%, 12.30亿元)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "—"
    if math.isnan(v):
        return "—"
    text = f"{v:+,.{decimals}f}" if signed else f"{v:,.{decimals}f}"
    if "." in text and not fixed:
        text = text.rstrip("0").rstrip(".")
    if text.lstrip("+-").strip("0.") == "":
        # a gap that rounds to nothing: show the hundredths when there are some (a "0%" beside
        # 接近 puzzles a reader), else no sign ("-0%" reads as a miss)
        zero = f"{0:.{decimals}f}" if fixed else "0"
        text = f"{v:+.2f}" if signed and abs(v) >= 0.005 and decimals < 2 else zero
    return escape(text + (unit if unit in ("%", "‰") else ""))


def value_text(value: Any, precision: Any, unit: str) -> str:
    """A value as published: ``precision`` decimals (trailing zeros dropped) and its unit.

    Assessments judge ``value_shown`` (the value at this precision), so the printed number and
    the status always agree: 99.997% prints 100.0% and is 达标 against 不低于 100%. The
    decimals are printed, zeros too (56.0%, 12.30亿元): they say how precise the number is.
    """
    suffix = "" if unit in ("%", "‰") else e(unit)
    text = num(value, unit, decimals=_decimals(precision), fixed=True)
    return text + suffix if text != "—" else text


def value_texts(rows: pd.DataFrame, column: str = "value_shown", unit: str = "unit") -> list[str]:
    """Each row's ``column`` as published (its ``precision``, its ``unit``): a table column."""
    return [
        value_text(v, p, str(u))
        for v, p, u in zip(rows[column], rows["precision"], rows[unit], strict=True)
    ]


def gap_text(gap: Any, unit: str, precision: Any = 1) -> str:
    """A signed gap in the indicator's unit at its precision; between percentages in 个百分点."""
    text = num(gap, "", signed=True, decimals=_decimals(precision), fixed=True)
    if text == "—":
        return text
    return text + ("个百分点" if unit == "%" else "‰" if unit == "‰" else e(unit))


def _decimals(precision: Any) -> int:
    try:
        return max(0, min(4, int(precision)))
    except (TypeError, ValueError):
        return 1


def place_text(rank: int, tied: bool) -> str:
    """A rank as tables print it: 3, or 3（并列） when another unit shares the place."""
    return f"{rank}（并列）" if tied else str(rank)


def badge(status: Any) -> str:
    s = str(status) if isinstance(status, str) and status else "无数据"
    return f'<span class="badge" style="{style.status_css(s)}">{style.status_mark(s)}{e(s)}</span>'


def task_badge(colour: str) -> str:
    word = _TASK_WORDS.get(colour, "—")
    return f'<span class="badge" style="{style.task_css(colour)}">{word}</span>'


def chart_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows for a chart, whose labels are indicator names alone: a plan-level target (总体目标)
    is named 「…（总体目标）」 so it is not mistaken for a task's target on the same indicator."""
    from ..monitoring.assessment import GOALS_TASK

    if "task_id" not in rows or not (rows["task_id"] == GOALS_TASK).any():
        return rows
    goal = (rows["task_id"] == GOALS_TASK).to_numpy()
    names = rows["indicator_name"].astype(str).to_numpy(dtype=object)
    names[goal] = names[goal] + "（总体目标）"
    return rows.assign(indicator_name=names)


def figure_html(fig: Figure, title: str, caption: str = "") -> str:
    """A chart with its heading above and its caption (how to read it) below, kept on one page;
    the chart is an embedded PNG at print resolution (sharp on A4)."""
    data = base64.b64encode(chart_png(fig)).decode("ascii")
    heading = escape(clean_text(title))  # it may name an indicator or a unit
    img = f'<img class="fig" alt="{heading}" src="data:image/png;base64,{data}">'
    note = f"<p class='note figcap'>{caption}</p>" if caption else ""
    return f"<div class='figure'><p class='figtitle'>{heading}</p>{img}{note}</div>"


PRINT_DPI = 200
_PAD_PX = 4  # 0.02 in at 200 dpi: the margin left around a chart's ink


def chart_png(fig: Figure) -> bytes:
    """The chart as an RGB PNG at :data:`PRINT_DPI`, cropped to its ink and a hairline margin.

    Drawn once: ``savefig(bbox_inches="tight")`` lays every text out in a first pass to find the
    crop and then draws again (a third of a chart's time), and its RGBA image makes the PDF
    renderer split off an alpha mask. A chart whose ink reaches the canvas edge (a label that
    may stand outside the figure) takes the tight path, which never clips."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = FigureCanvasAgg(fig)
    dpi = fig.dpi
    fig.dpi = PRINT_DPI
    try:
        canvas.draw()
        rgba = np.asarray(canvas.buffer_rgba())
    finally:
        fig.dpi = dpi
    h, w = rgba.shape[:2]
    image = Image.frombuffer("RGBA", (w, h), rgba, "raw", "RGBA", 0, 1)
    # ink: any pixel whose colour is not white, whatever its alpha (a pixel read as one little-
    # endian word, alpha its top byte: one comparison a pixel, not three and a reduction)
    ink = (rgba.view("<u4")[..., 0] | 0xFF000000) != 0xFFFFFFFF
    cols, rows = np.flatnonzero(ink.any(axis=0)), np.flatnonzero(ink.any(axis=1))
    buf = io.BytesIO()
    if not len(cols):  # an empty canvas: nothing to crop to
        image.convert("RGB").save(buf, format="png", dpi=(PRINT_DPI, PRINT_DPI))
        return buf.getvalue()
    edge = 2  # ink this close to the canvas's edge may go on beyond it
    if min(cols[0], rows[0], w - 1 - cols[-1], h - 1 - rows[-1]) < edge:
        fig.savefig(buf, format="png", dpi=PRINT_DPI, bbox_inches="tight", pad_inches=0.02)
        return buf.getvalue()
    box = (
        max(cols[0] - _PAD_PX, 0),
        max(rows[0] - _PAD_PX, 0),
        min(cols[-1] + _PAD_PX + 1, w),
        min(rows[-1] + _PAD_PX + 1, h),
    )  # within the canvas
    # level 1: a chart's flat colours compress as well as at the default level, 3x faster
    image.crop(box).convert("RGB").save(
        buf, format="png", dpi=(PRINT_DPI, PRINT_DPI), compress_level=1
    )
    return buf.getvalue()


def _blank(value: Any) -> bool:
    text = e(value).strip()
    return text in ("", "—")


def table(
    frame: pd.DataFrame,
    numeric: tuple[str, ...] = (),
    raw: tuple[str, ...] = (),
    keep_empty: bool = False,
    nowrap: tuple[str, ...] = (),
) -> str:
    """An HTML table; cells escaped unless their column is in ``raw`` (already HTML).

    A column blank in every row (说明 at year end, 还需 when all is met) is left out: an empty
    column reads as missing data. ``keep_empty`` keeps it. ``nowrap`` columns (short names:
    a county, a stage) never break inside a cell."""
    if not keep_empty and len(frame):
        frame = frame[[c for c in frame.columns if not frame[c].map(_blank).all()]]
    head = "".join(f"<th>{escape(clean_text(str(c)))}</th>" for c in frame.columns)
    rows, texts = [], [[str(c)] for c in frame.columns]
    for rec in frame.itertuples(index=False):
        cells = []
        for i, (col, val) in enumerate(zip(frame.columns, rec, strict=True)):
            text = str(val) if col in raw else e(val)
            cls = ' class="n"' if col in numeric else ' class="w"' if col in nowrap else ""
            cells.append(f"<td{cls}>{text}</td>")
            texts[i].append(text)
        rows.append("<tr>" + "".join(cells) + "</tr>")
    fixed = [c in numeric or c in nowrap for c in frame.columns]
    cols = "".join(f'<col style="width:{w:.1f}%">' for w in _column_widths(texts, fixed))
    return (
        f'<table class="t"><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


TABLE_WIDTH_EM = 59.0
"""An A4 page's text width (180 mm) in ems of the tables' 8.6 pt type."""
_CELL_PAD_EM = 1.0  # 4 pt each side, and a little air
_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BADGE = re.compile(r'<span class="badge"[^>]*>(.*?)</span>')
_WORD = re.compile(r"[!-~]+")  # a run of ASCII without spaces: not broken inside


def _em(text: str) -> float:
    """Width in ems, near enough to size columns: Han and full-width forms 1, the rest 0.55."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def _cell_widths(cell: str, header: bool) -> tuple[float, float]:
    """A cell's narrowest width (its longest unbreakable piece: a badge, a number, a word) and
    its width on one line, in ems with padding."""
    pieces = [unescape(b) for b in _BADGE.findall(cell)]
    lines = [unescape(_TAG.sub("", line)) for line in _BREAK.split(cell)]
    text = " ".join(lines)
    one_line = max(_em(line) for line in lines) + _CELL_PAD_EM  # its longest line, unwrapped
    if header:  # headings never wrap
        return one_line, one_line
    pieces += _WORD.findall(text) or []
    narrow = max([1.0, *(_em(p) for p in pieces)]) + _CELL_PAD_EM
    return min(narrow, one_line), one_line


def _column_widths(columns: list[list[str]], fixed: list[bool]) -> list[float]:
    """Column widths in percent, as the browser's automatic table layout would choose them
    (each column between its narrowest and its one-line width, shares of the rest in proportion
    to what it could still use), computed from the text instead of by laying every cell out
    twice: the automatic layout was a third of a report's PDF time. ``fixed`` columns (numbers,
    short names) never wrap."""
    low, high = [], []
    for cells, nowrap in zip(columns, fixed, strict=True):
        sizes = [_cell_widths(c, i == 0) for i, c in enumerate(cells)]
        widest = max(s[1] for s in sizes)
        high.append(widest)
        low.append(widest if nowrap else max(s[0] for s in sizes))
    if sum(high) <= TABLE_WIDTH_EM:
        widths = high
    elif sum(low) >= TABLE_WIDTH_EM:
        widths = low
    else:
        spare = (TABLE_WIDTH_EM - sum(low)) / (sum(high) - sum(low))
        widths = [lo + (hi - lo) * spare for lo, hi in zip(low, high, strict=True)]
    total = sum(widths) or 1.0
    return [100 * w / total for w in widths]
