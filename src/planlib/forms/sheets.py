"""What the forms, the feedback workbooks and the exports share: styles, inert text cells,
atomic saving, a text box, and the page setup every printed sheet gets (:func:`page_setup`).

The 填表说明 of a form is text in cells (:func:`text_sheet`), one wrapped column within the
width of A4 portrait, so it prints whole on every app; the returns reader skips it as a sheet of
instructions. The hidden reference sheet (上期累计), read on screen, holds its text in a text box
over an empty grid (the one kind of sheet content the reader does not read at all), as wide as
that column.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from ..catalog.dictionary import normalise_header
from ..errors import OutputError
from ..safety import formula_like, inside, safe_filename, write_file

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

FONT_NAME = "宋体"
HEADER_FILL = "D9D9D9"  # grey: locked header and code cells
ERROR_FILL = "F4B6B6"  # prints as a mid grey
WARNING_FILL = "FFF2B3"  # prints as a light grey
ERROR_MARK = "×"
WARNING_MARK = "△"
LIST_SHEET = "问题清单"
LIST_HEADERS = ("文件", "工作表", "行", "列", "值", "问题", "严重程度")
_SHEET_SUFFIX = re.compile(r"^(?P<file>.*?)(?:［(?P<sheet>[^］]*)］)?$")
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


def put_text(cell: Cell, value: Any) -> Cell:
    """Write ``value`` as text that stays text: a name like ``=1+1`` or ``@x`` is never a formula,
    neither in the file nor after a clerk edits the cell (quote prefix). Control characters,
    which a worksheet cannot hold, become �."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # control characters cannot be stored in .xlsx at all: shown as � rather than failing
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", "" if value is None else str(value))
    cell.value = text
    cell.data_type = "s"
    if formula_like(text):
        cell.quotePrefix = True
    return cell


_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def put_value(cell: Cell, value: Any) -> Cell:
    """A value read from a return: numbers as numbers, anything else as inert text."""
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        cell.value = value
    elif isinstance(value, str) and _NUMBER.fullmatch(value.strip()) and len(value) < 16:
        number = float(value)
        cell.value = int(number) if number.is_integer() and "." not in value else number
    else:
        put_text(cell, value)
    return cell


def mark_format(mark: str) -> str:
    """A number format that shows ``mark`` before the value (text too), leaving the value as it
    is: a problem cell reads as a problem on a grey print as well as in colour."""
    return f'"{mark} "General;"{mark} "-General;"{mark} "0;"{mark} "@'


def save_atomic(
    wb: Workbook, path: Path, textboxes: Mapping[str, Sequence[str]] | None = None
) -> None:
    """Save beside ``path`` and rename over it: a reader never sees half a workbook.

    ``textboxes`` maps a sheet title to its text box paragraphs (the sheet must be empty).
    """
    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    if textboxes:
        data = _with_textboxes(data, [ws.title for ws in wb.worksheets], textboxes)
    write_file(path, data)  # a full disk or a read-only folder: an OutputError naming the file


def unit_path(folder: Path, code: str, name: str, tail: str) -> Path:
    """Where a unit's workbook goes: ``<code>_<name><tail>`` in ``folder``, the code and name
    (data, perhaps hostile) made one safe file name and the result checked to stay in ``folder``."""
    stem = safe_filename(f"{code}_{name}", fallback=safe_filename(code, "单位"))
    return inside(folder, folder / f"{stem}{tail}")


def distinct(path: Path, taken: Iterable[Path]) -> Path:
    """``path``, unless an earlier unit's file has the same name (two codes that differ only in
    characters a file name cannot hold): then an :class:`OutputError`, never an overwrite."""
    if any(path.name.casefold() == p.name.casefold() for p in taken):
        raise OutputError(f"两个单位的输出文件同名（{path.name}），请检查 org_units.csv 中的代码")
    return path


def split_location(file: str) -> tuple[str, str]:
    """``returns/2022Q4/990102.xlsx［县级汇总］`` → (file, sheet); a CSV has no sheet ("")."""
    m = _SHEET_SUFFIX.match(file)
    assert m is not None
    return m["file"], m["sheet"] or ""


def sheet_title(text: str) -> str:
    """A worksheet title Excel accepts: none of ``[]:*?/\\``, no quote at either end, 31 long."""
    return _BAD_TITLE.sub("_", text)[:31].strip("'") or "Sheet"


def sheet_ref(title: str, cell: str) -> str:
    """A link location to ``cell`` on sheet ``title`` (a quote in the title doubled)."""
    return "'{}'!{}".format(title.replace("'", "''"), cell)


def header_row(ws: Worksheet, row: int, headers: tuple[str, ...] | list[str]) -> None:
    from openpyxl.styles import Font, PatternFill

    for j, text in enumerate(headers, start=1):
        cell = put_text(ws.cell(row, j), text)
        cell.font = Font(name=FONT_NAME, bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)


HEADER_ROWS = 30  # the reader looks for a header in the first 20 rows, two-level ones a row more


class HeaderLookup:
    """Where each header of a sheet stands (its first rows), to find a problem's column: by the
    header text as written, else by the data element it names (a two-level header's problems
    name the combined label, the sheet holds its parts)."""

    def __init__(self, ws: Worksheet) -> None:
        from ..catalog.dictionary import load_dictionary

        d = load_dictionary()
        self._d = d
        self.by_text: dict[str, list[tuple[int, int]]] = {}
        self.by_element: dict[str, list[tuple[int, int]]] = {}
        for r, row in enumerate(ws.iter_rows(max_row=min(ws.max_row, HEADER_ROWS)), start=1):
            for c, cell in enumerate(row, start=1):
                value: Any = cell.value
                if value is None or not str(value).strip():
                    continue
                self.by_text.setdefault(normalise_header(value), []).append((r, c))
                m = d.match(value)
                if m is not None and m.element is not None:
                    self.by_element.setdefault(m.element, []).append((r, c))

    def column(self, header: str, row: int | None) -> int | None:
        """The column of ``header`` in the nearest header row above ``row`` (None: not found)."""
        m = self._d.match(header)
        for places in (
            self.by_text.get(normalise_header(header), []),
            self.by_element.get(m.element, []) if m is not None and m.element else [],
        ):
            above = [p for p in places if row is None or p[0] < row] or places
            if above:
                return max(above)[1]
        return None


_NS = {
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_DRAWING_TYPE = "application/vnd.openxmlformats-officedocument.drawing+xml"


def _paragraph(text: str) -> str:
    bold = text.startswith("【") or text.startswith("#")
    shown = text.lstrip("#").strip()
    size = 1400 if text.startswith("#") else 1050
    attrs = f'lang="zh-CN" altLang="en-US" sz="{size}"' + (' b="1"' if bold else "")
    if not shown:
        return f"<a:p><a:endParaRPr {attrs}/></a:p>"
    run = (
        f'<a:r><a:rPr {attrs}><a:latin typeface="{FONT_NAME}"/><a:ea typeface="{FONT_NAME}"/>'
        f"</a:rPr><a:t>{escape(shown)}</a:t></a:r>"
    )
    return f"<a:p>{run}</a:p>"


def _drawing(lines: Sequence[str]) -> str:
    """A text box over column A (the sheet sets it :data:`GUIDE_WIDTH` wide: within A4)."""
    rows = max(30, int(len(lines) * 1.25) + 4)
    body = "".join(_paragraph(line) for line in lines)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<xdr:wsDr xmlns:xdr="{_NS["xdr"]}" xmlns:a="{_NS["a"]}">'
        '<xdr:twoCellAnchor editAs="absolute">'
        "<xdr:from><xdr:col>0</xdr:col><xdr:colOff>95250</xdr:colOff>"
        "<xdr:row>0</xdr:row><xdr:rowOff>95250</xdr:rowOff></xdr:from>"
        f"<xdr:to><xdr:col>1</xdr:col><xdr:colOff>0</xdr:colOff>"
        f"<xdr:row>{rows}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
        '<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="2" name="说明文字"/>'
        '<xdr:cNvSpPr txBox="1"/></xdr:nvSpPr>'
        '<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="6400000" cy="6000000"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:solidFill><a:srgbClr val="FFFFFF"/>'
        '</a:solidFill><a:ln w="9525"><a:solidFill><a:srgbClr val="808080"/></a:solidFill></a:ln>'
        '</xdr:spPr><xdr:txBody><a:bodyPr vertOverflow="overflow" wrap="square" rtlCol="0" '
        'anchor="t"/><a:lstStyle/>'
        f"{body}</xdr:txBody></xdr:sp><xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>"
    )


def _with_textboxes(data: bytes, titles: list[str], boxes: Mapping[str, Sequence[str]]) -> bytes:
    """The workbook's bytes with a text box drawn on each named (empty) sheet."""
    source = zipfile.ZipFile(io.BytesIO(data))
    files = {i.filename: source.read(i) for i in source.infolist()}
    types = files["[Content_Types].xml"].decode("utf-8")
    for n, title in enumerate(titles, start=1):
        if title not in boxes:
            continue
        sheet = f"xl/worksheets/sheet{n}.xml"
        rels = f"xl/worksheets/_rels/sheet{n}.xml.rels"
        xml = files[sheet].decode("utf-8")
        if "<row" in xml or rels in files:
            raise ValueError(f"sheet {title} must be empty to carry a text box")
        drawing = f"xl/drawings/textbox{n}.xml"
        files[drawing] = _drawing(boxes[title]).encode("utf-8")
        files[rels] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rIdText1" Type="{_REL}/drawing" Target="../drawings/textbox{n}.xml"/>'
            "</Relationships>"
        ).encode()
        files[sheet] = xml.replace(
            "</worksheet>", f'<drawing xmlns:r="{_NS["r"]}" r:id="rIdText1"/></worksheet>'
        ).encode("utf-8")
        types = types.replace(
            "</Types>",
            f'<Override PartName="/{drawing}" ContentType="{_DRAWING_TYPE}"/></Types>',
        )
    files["[Content_Types].xml"] = types.encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in files.items():
            target.writestr(name, content)
    return out.getvalue()


# --- printing ---------------------------------------------------------------------------------
# Every sheet planlib writes is printed by clerks (WPS, Excel, LibreOffice Calc): A4, the title
# and header rows on every page, and columns that fit the paper. Widths are Excel column widths
# (characters of the default font's digit: 7 px in the Calibri 11 of openpyxl's default style);
# a column of width w is 7w + 5 px wide, at 96 px an inch (see :func:`column_mm`).

PAGE_MM = {"portrait": (210.0, 297.0), "landscape": (297.0, 210.0)}
MARGINS_IN = {"left": 0.5, "right": 0.5, "top": 0.75, "bottom": 0.75, "header": 0.3, "footer": 0.3}
MIN_FIT_SCALE = 0.6
"""The smallest scale a sheet is shrunk to so that it prints one page wide (11 pt → 6.6 pt);
a sheet that would need less prints its columns in groups instead."""
GROUP_SCALES = (1.0, 0.9, 0.8, 0.7)
"""Scales a sheet split into column groups may print at: the largest one that needs no more
groups than the smallest does."""
DEFAULT_WIDTH = 8.43  # Excel's width of a column that sets none
GUIDE_WIDTH = 96.0
"""The one column of a text sheet (填表说明): 96 characters, 179 mm, within A4 portrait."""
_LINE_PT = 14.5  # the height of a line of 11 pt text, in points


def text_width(text: str) -> int:
    """How many character widths ``text`` takes: CJK and full-width characters count two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def column_mm(width: float) -> float:
    """The printed width in mm (at 100%) of a column of Excel width ``width``: 7w + 5 px at
    96 px an inch, so about 1.85 mm a character plus 1.3 mm (width 10 → 19.8 mm)."""
    return (7.0 * width + 5.0) * 25.4 / 96.0


def printable_mm(orientation: str) -> float:
    """The width inside the left and right margins of an A4 page in ``orientation``."""
    return PAGE_MM[orientation][0] - (MARGINS_IN["left"] + MARGINS_IN["right"]) * 25.4


def header_width(text: str, lines: int = 3, minimum: float = 8.0, maximum: float = 16.0) -> float:
    """The width of a column whose header wraps onto at most ``lines`` lines (numbers below)."""
    return float(min(maximum, max(minimum, -(-text_width(text) // lines) + 3)))


def content_width(texts: Iterable[str], minimum: float = 6.0, maximum: float = 40.0) -> float:
    """A column width for ``texts`` (longer ones wrap): the widest, capped."""
    widest = max((text_width(t) for t in texts), default=0)
    return float(min(maximum, max(minimum, widest + 2)))


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` wraps onto in a column of ``width`` (generously: a line holds a
    character less than the column, CJK counted double)."""
    room = int(max(1.0, (7.0 * width - 4.0) / 7.4))
    return sum(max(1, -(-text_width(part) // room)) for part in str(text).split("\n"))


def fit_rows(ws: Any, first: int, last: int, widths: Mapping[int, float]) -> None:
    """Set the height of rows ``first``–``last`` to hold their wrapped text (every app prints a
    row as high as it is set; not all of them grow one to its text)."""
    for row in ws.iter_rows(min_row=first, max_row=last):
        lines = 1.0
        for cell in row:
            if cell.value is None or not (cell.alignment and cell.alignment.wrap_text):
                continue
            size = float(cell.font.sz or 11) if cell.font else 11.0
            n = wrapped_lines(str(cell.value), widths.get(cell.column, DEFAULT_WIDTH) * 11 / size)
            lines = max(lines, n * size / 11)
        if lines > 1:
            ws.row_dimensions[row[0].row].height = round(lines * _LINE_PT + 4, 1)


@dataclass(frozen=True)
class PrintPlan:
    """How a sheet prints: orientation, scale (None: shrunk to one page wide by the app) and
    the column groups after the identifying columns, each printed on its own pages."""

    orientation: str
    scale: float | None
    id_cols: int
    groups: tuple[tuple[int, int], ...]  # (first, last) column numbers, 1-based


def _groups(widths: Sequence[float], id_cols: int, room: float) -> list[tuple[int, int]]:
    """The columns after ``id_cols`` packed into groups of at most ``room`` mm each."""
    groups: list[tuple[int, int]] = []
    start, used = id_cols + 1, 0.0
    for j in range(id_cols + 1, len(widths) + 1):
        mm = column_mm(widths[j - 1])
        if j > start and used + mm > room:
            groups.append((start, j - 1))
            start, used = j, 0.0
        used += mm
    if start <= len(widths):
        groups.append((start, len(widths)))
    return groups


def plan_print(widths: Sequence[float], id_cols: int = 0) -> PrintPlan:
    """Portrait when the columns fit (or nearly), else landscape shrunk to one page wide when
    that keeps :data:`MIN_FIT_SCALE`, else landscape in groups of columns, the identifying
    columns repeated on each."""
    total = sum(column_mm(w) for w in widths)
    whole = ((1, len(widths)),) if widths else ()
    if total <= printable_mm("portrait") / 0.85:
        return PrintPlan("portrait", None, 0, whole)
    if total <= printable_mm("landscape") / MIN_FIT_SCALE:
        return PrintPlan("landscape", None, 0, whole)
    ids = sum(column_mm(w) for w in widths[:id_cols])
    if ids > printable_mm("landscape") * 0.45:
        id_cols, ids = 0, 0.0
    found = {s: _groups(widths, id_cols, printable_mm("landscape") / s - ids) for s in GROUP_SCALES}
    fewest = min(len(g) for g in found.values())
    scale = max(s for s, g in found.items() if len(g) == fewest)
    return PrintPlan("landscape", scale, id_cols, tuple(found[scale]))


def _header_text(text: str) -> str:
    return text.replace("&", "&&")[:200]


def sheet_widths(ws: Any, columns: int, default: Any = DEFAULT_WIDTH) -> list[Any]:
    """The widths of columns 1–``columns`` as the sheet sets them (``default`` where not; a
    width read from a file may cover a range of columns)."""
    from openpyxl.utils import column_index_from_string

    found: dict[int, float] = {}
    for key, dim in list(ws.column_dimensions.items()):
        if not dim.width:
            continue
        first = dim.min or column_index_from_string(key)
        for j in range(first, max(first, dim.max or first) + 1):
            found[j] = float(dim.width)
    return [found.get(j, default) for j in range(1, columns + 1)]


def page_setup(
    ws: Any,
    *,
    title_rows: int | tuple[int, int] | None = 1,
    id_cols: int = 0,
    title: str | None = None,
    columns: int | None = None,
) -> PrintPlan:
    """Make ``ws`` print on A4: orientation and scale by its column widths (set them first),
    ``title_rows`` (the last title row, or a range) on every page, columns too wide for a page
    split into groups with the first ``id_cols`` columns repeated, page margins, the sheet's
    ``title`` as the page header and 第 N 页，共 M 页 as the footer.

    ``columns``: how many columns the sheet has (a write-only sheet cannot say; call this
    before its first row). Returns the plan, which the tests hold to the paper's width.
    """
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.pagebreak import Break
    from openpyxl.worksheet.properties import PageSetupProperties

    n = columns if columns is not None else ws.max_column
    plan = plan_print(sheet_widths(ws, n), id_cols)
    setup = ws.page_setup
    setup.paperSize = "9"  # Worksheet.PAPERSIZE_A4 (a write-only sheet lacks the name)
    setup.orientation = plan.orientation
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = plan.scale is None
    if plan.scale is None:
        setup.fitToWidth, setup.fitToHeight = 1, 0
    else:
        setup.scale = round(plan.scale * 100)
        for _, last in plan.groups[:-1]:
            ws.col_breaks.append(Break(id=last))
        if plan.id_cols:
            ws.print_title_cols = f"A:{get_column_letter(plan.id_cols)}"
    if title_rows is not None:
        first, last = (1, title_rows) if isinstance(title_rows, int) else title_rows
        ws.print_title_rows = f"{first}:{last}"
    for side, inches in MARGINS_IN.items():
        setattr(ws.page_margins, side, inches)
    ws.oddHeader.center.text = _header_text(title or ws.title)
    ws.oddHeader.center.size = 10
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.size = 9
    return plan


def text_sheet(ws: Worksheet, lines: Sequence[str], title: str | None = None) -> None:
    """A sheet of text (填表说明): a paragraph a row, wrapped in one column within A4 portrait,
    ``#`` a heading, 【…】 in bold; the first row repeats on every printed page."""
    from openpyxl.styles import Alignment, Font

    ws.column_dimensions["A"].width = GUIDE_WIDTH
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, line in enumerate(lines, start=1):
        heading = line.startswith("#")
        cell = put_text(ws.cell(i, 1), line.lstrip("#").strip())
        bold = heading or line.startswith("【")
        cell.font = Font(name=FONT_NAME, size=14 if heading else 11, bold=bold)
        cell.alignment = wrap
    fit_rows(ws, 1, len(lines), {1: GUIDE_WIDTH})
    ws.sheet_view.showGridLines = False
    ws.print_options.gridLines = False
    page_setup(ws, title_rows=1, title=title)
