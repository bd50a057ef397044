"""What the forms and the feedback workbooks share: styles, inert text cells, atomic saving,
and a text box (the one kind of sheet content the returns reader does not read as data).

A sheet the reader sees with any cell in it must have a header row naming a code column and a
data element (else the return gets a 找不到表头行 error), so the 填表说明 and the reference
sheet of a form hold their text in a text box over an empty grid: Excel, WPS and LibreOffice
show and print it, the reader skips the sheet as blank.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
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
INPUT_FILL = "FFFFFF"
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
    rows = max(30, int(len(lines) * 1.25) + 4)
    body = "".join(_paragraph(line) for line in lines)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<xdr:wsDr xmlns:xdr="{_NS["xdr"]}" xmlns:a="{_NS["a"]}">'
        '<xdr:twoCellAnchor editAs="absolute">'
        "<xdr:from><xdr:col>0</xdr:col><xdr:colOff>95250</xdr:colOff>"
        "<xdr:row>0</xdr:row><xdr:rowOff>95250</xdr:rowOff></xdr:from>"
        f"<xdr:to><xdr:col>16</xdr:col><xdr:colOff>0</xdr:colOff>"
        f"<xdr:row>{rows}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
        '<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="2" name="说明文字"/>'
        '<xdr:cNvSpPr txBox="1"/></xdr:nvSpPr>'
        '<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="9753600" cy="6000000"/></a:xfrm>'
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
