"""The HTML kit of the reports: the CSS, the output-cell wrapper and the small formatters.

Every report kind builds its sections from these. Text from data is escaped (``e``, ``table``);
numbers print with one decimal at most (``num``); charts are embedded as PNG at print resolution
(``figure_html``), so the HTML page, the PDF made from it and the executed notebook look the same.
"""

from __future__ import annotations

import base64
import io
import math
from datetime import datetime, timedelta, timezone
from html import escape
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from ..charts import style

CSS = """
.pl { font-family: "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "Source Han Sans SC",
      sans-serif; color: #212121; line-height: 1.55; font-size: 10.5pt; }
.pl h1 { font-size: 19pt; margin: 0 0 2pt 0; font-weight: 700; }
.pl h2 { font-size: 13.5pt; margin: 14pt 0 5pt 0; padding-bottom: 2pt;
         border-bottom: 1.5pt solid #455a64; font-weight: 700; }
.pl .meta { color: #616161; font-size: 9pt; margin-bottom: 8pt; }
.pl .meta span { white-space: nowrap; margin-right: 1.2em; }
.pl table.t th { white-space: nowrap; }
.pl .cards { display: flex; gap: 6pt; margin: 6pt 0; }
.pl .card { flex: 1; border-radius: 4pt; padding: 5pt 8pt; color: white; }
.pl .card b { font-size: 18pt; display: block; line-height: 1.2; }
.pl .card.s3 { border: 1px solid #bdbdbd; }
.pl table.t { border-collapse: collapse; width: 100%; font-size: 8.6pt; margin: 4pt 0; }
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


BEIJING = timezone(timedelta(hours=8), "北京时间")  # fixed offset: no tz database needed


def e(value: Any) -> str:
    """Escaped text of a data value ("—" for missing)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return escape(str(value))


def num(value: Any, unit: str = "", signed: bool = False, decimals: int = 1) -> str:
    """A number as reports print it: one decimal at most, thousands separated."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "—"
    if math.isnan(v):
        return "—"
    text = f"{v:+,.{decimals}f}" if signed else f"{v:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.lstrip("+-") == "0":
        # a gap that rounds to nothing: show the hundredths when there are some (a "0%" beside
        # 接近 puzzles a reader), else no sign ("-0%" reads as a miss)
        text = f"{v:+.2f}" if signed and abs(v) >= 0.005 else "0"
    return escape(text + (unit if unit in ("%", "‰") else ""))


def _value_text(value: Any, precision: Any, unit: str) -> str:
    """A value as published: ``precision`` decimals (trailing zeros dropped) and its unit.

    Assessments judge ``value_shown`` (the value at this precision), so the printed number and
    the status always agree: 99.997% prints 100% and is 达标 against 不低于 100%.
    """
    suffix = "" if unit in ("%", "‰") else e(unit)
    text = num(value, unit, decimals=_decimals(precision))
    return text + suffix if text != "—" else text


def value_texts(rows: pd.DataFrame, column: str = "value_shown", unit: str = "unit") -> list[str]:
    """Each row's ``column`` as published (its ``precision``, its ``unit``): a table column."""
    return [
        _value_text(v, p, str(u))
        for v, p, u in zip(rows[column], rows["precision"], rows[unit], strict=True)
    ]


def _gap_text(gap: Any, unit: str, precision: Any = 1) -> str:
    """A signed gap in the indicator's unit at its precision; between percentages in 个百分点."""
    text = num(gap, "", signed=True, decimals=_decimals(precision))
    if text == "—":
        return text
    return text + ("个百分点" if unit == "%" else "‰" if unit == "‰" else e(unit))


def _decimals(precision: Any) -> int:
    try:
        return max(0, min(4, int(precision)))
    except (TypeError, ValueError):
        return 1


def _place(rank: int, tied: bool) -> str:
    return f"{rank}（并列）" if tied else str(rank)


def badge(status: Any) -> str:
    s = str(status) if isinstance(status, str) and status else "无数据"
    return (
        f'<span class="badge" style="background:{style.status_colour(s)};'
        f'color:{style.status_ink(s)}">{style.status_mark(s)}{e(s)}</span>'
    )


def task_badge(colour: str) -> str:
    fg = "#212121" if colour == "yellow" else "white"
    bg = style.TASK_COLOURS.get(colour, style.STATUS_COLOURS["无数据"])
    word = _TASK_WORDS.get(colour, "—")
    return f'<span class="badge" style="background:{bg};color:{fg}">{word}</span>'


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
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=200, bbox_inches="tight", pad_inches=0.02)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    img = f'<img class="fig" alt="{escape(title)}" src="data:image/png;base64,{data}">'
    note = f"<p class='note figcap'>{caption}</p>" if caption else ""
    return f"<div class='figure'><p class='figtitle'>{escape(title)}</p>{img}{note}</div>"


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
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for rec in frame.itertuples(index=False):
        cells = []
        for col, val in zip(frame.columns, rec, strict=True):
            text = str(val) if col in raw else e(val)
            cls = ' class="n"' if col in numeric else ' class="w"' if col in nowrap else ""
            cells.append(f"<td{cls}>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="t"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def when(stamp: Any) -> str:
    """An ISO timestamp as a reader here writes it, in Beijing time: 2026-11-29 10:17（北京时间）."""
    try:
        t = datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)
    if t.tzinfo is None:
        return f"{t:%Y-%m-%d %H:%M}"
    return f"{t.astimezone(BEIJING):%Y-%m-%d %H:%M}（北京时间）"
