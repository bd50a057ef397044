"""The sheets of a blank form: the county row, the school rows, and the texts of the 填表说明 and
上期累计 sheets. Cells, styles, data validation and protection; :mod:`planlib.forms.blank`
chooses what goes in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..catalog.dictionary import Dictionary, Element
from ..periods import Period
from .sheets import (
    FONT_NAME,
    HEADER_FILL,
    content_width,
    header_width,
    page_setup,
    put_text,
    wrapped_lines,
)

_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_LOCKED_FILL = PatternFill("solid", fgColor=HEADER_FILL)
_FONT = Font(name=FONT_NAME, size=11)
_BOLD = Font(name=FONT_NAME, size=11, bold=True)
FIRST_DATA_ROW = 4  # title row, unit row, header row, then data (as counties expect)
_KIND_TEXT = {"count": "整数", "amount": "数值，可保留小数", "flag": "1（是）或 0（否）"}
NOT_APPLICABLE = "—"
"""What a school's cell holds when the element does not apply to it (grey, locked): the reader
reads it as a blank cell."""
_NA_FONT = Font(name=FONT_NAME, size=11, color="808080")


def header_text(e: Element) -> str:
    """The column header of an element: its name and unit, 在园幼儿数（人）; flags without one."""
    if e.kind == "flag":
        return e.name
    # a year-to-date flow says so where the dictionary knows the wording: 补充教师数（本年累计）（人）
    ytd = f"{e.name}（本年累计）"
    name = ytd if e.temporal == "flow" and ytd in e.aliases else e.name
    return f"{name}（{e.unit}）"


def plain(x: float) -> str:
    """A number as Excel and a clerk read it, every digit kept: 122381.7, 150."""
    x = float(x)
    return str(int(x)) if x.is_integer() else repr(x)


def _number(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,g}"


def element_checks(e: Element, d: Dictionary) -> list[str]:
    """The checks a value of ``e`` must pass, in words (what validate will say)."""
    checks = [f"{_KIND_TEXT[e.kind]}，取值 {_number(e.minimum)}–{_number(e.maximum)}"]
    if e.kind == "flag":
        checks = ["只能填 1（是）或 0（否）"]
    for rule in d.rules:
        terms = {t.element for t in (*rule.left.terms, *rule.right.terms)}
        if e.code in terms:
            checks.append(f"{rule.message}（{'错误' if rule.severity == 'error' else '警告'}）")
    if e.temporal == "flow" and e.kind != "flag" and e.level != "school":
        checks.append("本年累计数不应小于同年上季度（警告）")
    if e.temporal == "stock" and e.kind != "flag" and e.level != "school":
        checks.append(
            f"与上季度相比变动超过 {d.jump_threshold:.0%}（上季度不少于 "
            f"{_number(d.jump_min_base)} 时）须核对（警告）"
        )
    return checks


def element_definition(e: Element) -> str:
    """What a value of ``e`` is: whose, which moment or span, in which unit."""
    whose = "本校" if e.level == "school" else "本县（市、区）全域合计"
    if e.temporal == "flow":
        when = "本年 1 月 1 日至报告期末的累计数（不是当季数）"
    else:
        when = "报告期末的时点数"
    if e.kind == "flag":
        span = "本年 1 月 1 日至报告期末" if e.temporal == "flow" else "报告期末"
        return f"{whose}在{span}是否{e.name.removeprefix('是否')}：是填 1，否填 0"
    return f"{whose}{e.name}，{when}，单位：{e.unit}"


def _frame(
    ws: Worksheet, title: str, unit_line: str, headers: Sequence[str], ids: Sequence[Sequence[str]]
) -> None:
    """Title, unit line and header row; the identifying columns as wide as ``ids`` (their
    values), the element columns as their header wrapped on three lines (numbers below)."""
    put_text(ws.cell(1, 1), title).font = Font(name=FONT_NAME, size=14, bold=True)
    put_text(ws.cell(2, 1), unit_line).font = _FONT
    lines = 1
    for j, text in enumerate(headers, start=1):
        cell = put_text(ws.cell(3, j), text)
        cell.font, cell.fill, cell.border = _BOLD, _LOCKED_FILL, _BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        width = header_width(text)
        if j <= len(ids):
            width = max(width, content_width(ids[j - 1], maximum=30))
        ws.column_dimensions[get_column_letter(j)].width = width
        lines = max(lines, wrapped_lines(text, width))
    ws.row_dimensions[3].height = max(45, lines * 14.5 + 6)
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, len(ids) + 1)
    # no password: the lock stops slips, not people (审核 can unprotect in 审阅 → 撤销工作表保护)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    _styles(ws)


def _print(ws: Worksheet, ids: int, title: str) -> None:
    """A4, the header row on every page, the identifying columns on every group of columns
    (the title and unit lines print once, on the first page: the page header names the form)."""
    page_setup(ws, title_rows=(3, 3), id_cols=ids, title=title)


def _styles(ws: Worksheet) -> None:
    """Named styles for locked and input cells: one assignment per cell, not five (speed)."""
    from openpyxl.styles import NamedStyle

    wb = ws.parent
    if "planlib锁定" in wb.named_styles:
        return
    locked = NamedStyle("planlib锁定", font=_FONT, fill=_LOCKED_FILL, border=_BOX)
    wb.add_named_style(locked)
    na = NamedStyle("planlib不适用", font=_NA_FONT, fill=_LOCKED_FILL, border=_BOX)
    na.alignment = Alignment(horizontal="center")
    wb.add_named_style(na)
    for name, fmt in (("planlib整数", "0"), ("planlib数值", "General")):
        style = NamedStyle(name, font=_FONT, border=_BOX, number_format=fmt)
        style.protection = Protection(locked=False)
        wb.add_named_style(style)


def _locked(ws: Worksheet, row: int, col: int, value: object) -> None:
    cell = ws.cell(row, col)
    cell.style = "planlib锁定"  # before the text: a named style would reset its quote prefix
    put_text(cell, value)


def _inputs(
    ws: Worksheet, col: int, first: int, last: int, e: Element, na: frozenset[int] = frozenset()
) -> None:
    """Input cells of ``e`` in rows ``first``–``last``; the rows ``na`` grey, locked and marked
    not applicable (the element does not apply to that school)."""
    style = "planlib数值" if e.kind == "amount" else "planlib整数"
    for row in range(first, last + 1):
        cell = ws.cell(row, col)
        if row in na:
            cell.style = "planlib不适用"
            put_text(cell, NOT_APPLICABLE)
        else:
            cell.style = style


def validation_for(e: Element, lower: float | None = None) -> DataValidation:
    """The data validation of an input cell of ``e`` (``lower``: last quarter's year-to-date)."""
    if e.kind == "flag":
        dv = DataValidation(type="list", formula1='"1,0"', allow_blank=True)
        dv.error = f"「{e.name}」只能填 1（是）或 0（否）"
    else:
        kind = "whole" if e.kind == "count" else "decimal"
        low = e.minimum if lower is None else max(e.minimum, lower)
        dv = DataValidation(
            type=kind,
            operator="between",
            formula1=plain(low),
            formula2=plain(e.maximum),
            allow_blank=True,
        )
        what = "整数" if e.kind == "count" else "数值"
        dv.error = f"「{e.name}」应为 {plain(low)}–{plain(e.maximum)} 之间的{what}（{e.unit}）"
        if lower is not None:
            dv.error += f"；上季度本年累计为 {plain(lower)}，本年累计数不应减少"
            dv.errorStyle = "warning"  # a correction of last quarter is possible: warn, allow
    dv.errorTitle = "填报值不符合要求"
    dv.promptTitle = e.name[:32]
    dv.prompt = element_definition(e)[:250]
    dv.showErrorMessage = True
    dv.showInputMessage = True
    return dv


def _element_columns(
    ws: Worksheet,
    start: int,
    elements: Sequence[Element],
    d: Dictionary,
    last_row: int,
    previous: Mapping[str, float],
    na: Mapping[str, frozenset[int]] | None = None,
) -> None:
    for j, e in enumerate(elements, start=start):
        header = ws.cell(3, j)
        note = f"{element_definition(e)}。\n校验：" + "；".join(element_checks(e, d))
        header.comment = Comment(note, "planlib", width=320, height=160)
        if last_row < FIRST_DATA_ROW:
            continue
        _inputs(ws, j, FIRST_DATA_ROW, last_row, e, (na or {}).get(e.code, frozenset()))
        dv = validation_for(e, previous.get(e.code))
        ws.add_data_validation(dv)
        letter = get_column_letter(j)
        dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")


def county_sheet(
    ws: Worksheet,
    code: str,
    name: str,
    when: Period,
    d: Dictionary,
    previous: Mapping[str, float],
) -> None:
    """Sheet 县级汇总: one row for the county, every county element a column."""
    elements = d.elements_at("county")
    headers = ["行政区划代码", "单位名称", "报告期", *(header_text(e) for e in elements)]
    title = f"{name}教育统计季报（{when.label}）"
    ids = [[code], [name], [str(when)]]
    unit_line = f"填报单位：{name}教育局    单位：见各列标题    报告期：{when.label}"
    _frame(ws, title, unit_line, headers, ids)
    for col, value in enumerate((code, name, str(when)), start=1):
        _locked(ws, FIRST_DATA_ROW, col, value)
    _element_columns(ws, 4, elements, d, FIRST_DATA_ROW, previous)
    _print(ws, len(ids), title)


def school_sheet(
    ws: Worksheet,
    name: str,
    when: Period,
    d: Dictionary,
    schools: pd.DataFrame,
    not_applicable: Mapping[str, frozenset[str]] | None = None,
) -> None:
    """Sheet 学校明细: one row per school of the registry, every school element a column.

    ``not_applicable``: element code → the codes of the schools it does not apply to (their
    cells grey, locked and marked —)."""
    elements = d.elements_at("school")
    fields = ("code", "name", "stage", "ownership")
    ids = [[str(v) for v in schools[f]] for f in fields]
    title = f"{name}学校情况表（{when.label}）"
    _frame(
        ws,
        title,
        f"填报单位：{name}教育局    单位：人；1=是，0=否    报告期：{when.label}",
        ["学校标识码", "学校名称", "学段", "办学性质", *(header_text(e) for e in elements)],
        ids,
    )
    row = FIRST_DATA_ROW - 1
    rows: dict[str, int] = {}
    for row, s in enumerate(schools.itertuples(index=False), start=FIRST_DATA_ROW):
        for col, value in enumerate((s.code, s.name, s.stage, s.ownership), start=1):
            _locked(ws, row, col, value)
        rows[str(s.code)] = row
    na = {
        code: frozenset(rows[c] for c in codes if c in rows)
        for code, codes in (not_applicable or {}).items()
    }
    _element_columns(ws, len(fields) + 1, elements, d, row, {}, na)
    _print(ws, len(fields), title)


def guide_lines(name: str, when: Period, d: Dictionary) -> list[str]:
    """The text of the 填表说明 sheet, a paragraph per line (``#`` a heading, 【】 bold)."""
    lines = [
        f"# {name}教育统计季报（{when.label}）填表说明",
        "",
        "【一、表格】县级汇总：本县（市、区）全域合计，一行；学校明细：每所学校一行，学校名单、"
        "学段、办学性质来自学校名录。",
        "【二、填写】灰色单元格（表头、代码、名称、学段、报告期）已锁定，请勿修改；白色单元格为填报项，"
        "选中时显示该项的口径，填写不符合要求时会提示。工作表保护未设密码。"
        f"学校明细中标“{NOT_APPLICABLE}”的灰色单元格表示该项不适用于该校（如小学的省级示范性高中），"
        "无需填写。",
        "【三、单位】各项的计量单位见列标题括号，请按列标题的单位填写（如金额为万元，不要填元或亿元）。",
        "【四、累计数】标明“本年累计”的项目填本年 1 月 1 日至报告期末的累计数，不是当季数。",
        "【五、名单变动】学校新建、撤并或更名，请在报送时另附说明，不要自行增删行或修改代码。",
        "",
        "【各数据项的口径、单位和校验】",
    ]
    for level, label in (("county", "县级汇总"), ("school", "学校明细")):
        lines.append(f"【{label}】")
        for i, e in enumerate(d.elements_at(level), start=1):
            optional = "" if e.required else "（选填）"
            lines.append(
                f"{i}. {header_text(e)}{optional}：{element_definition(e)}。"
                f"校验：{'；'.join(element_checks(e, d))}。"
            )
    return lines


def reference_lines(
    name: str,
    when: Period,
    flows: Sequence[Element],
    county_prev: Mapping[str, float],
    school_prev: pd.DataFrame,
    schools: pd.DataFrame,
) -> list[str]:
    """The text of the hidden 上期累计 sheet: last quarter's year-to-date values, for checking."""
    prev = when.previous()
    lines = [f"# {name} 上期（{prev.label}）本年累计数（仅供核对，不计入本期）", ""]
    for e in flows:
        if e.level == "county":
            value = county_prev.get(e.code)
            shown = "上期未报" if value is None else f"{plain(value)} {e.unit}"
            lines.append(f"{e.name}：{shown}")
    names = dict(zip(schools["code"], schools["name"], strict=True))
    for e in (e for e in flows if e.level == "school"):
        done = school_prev[(school_prev["element"] == e.code) & (school_prev["value"] == 1)]
        lines.append(f"{e.name}：上期已为 1 的学校 {len(done)} 所")
        lines += [f"    {c} {names.get(c, '')}" for c in sorted(done["org_code"])]
    return lines
