"""Blank return forms: one workbook per county, made from the data dictionary and the org units.

A form is what ``planlib.returns`` reads best: a title row (the county and the quarter), a unit
row, a header row of dictionary names with units in brackets, then the county's row (sheet 县级汇总)
or one row per school of the registry (sheet 学校明细), codes, names and stages filled in. Every
input cell carries Excel data validation for its element (whole numbers in range for counts,
decimals for amounts, 1/0 for flags); header and code cells are locked by sheet protection
without a password. A school element that does not apply to a school (the indicator formulas
use it only for schools of other stages or ownership: 省级示范性高中 through
``sum_schools(provincial_model, stage=普通高中)``; the rule is
:mod:`planlib.catalog.applicability`) is grey, locked and marked — in its row. The
填表说明 sheet holds its text in wrapped cells within A4 portrait, the hidden 上期累计 sheet in a
text box (see :mod:`planlib.forms.sheets`); every sheet prints on A4 (``sheets.page_setup``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..catalog.applicability import Filters, folder_scopes, not_applicable
from ..catalog.dictionary import Dictionary, load_dictionary
from ..errors import PlanlibError, UsageError
from ..periods import Period, parse_period
from ..returns.orgunits import OrgUnits, load_org_units
from ..workspace import workspace_of
from .layout import (
    county_sheet,
    guide_lines,
    reference_lines,
    school_sheet,
)
from .sheets import GUIDE_WIDTH, distinct, page_setup, save_atomic, text_sheet, unit_path

COUNTY_SHEET = "县级汇总"
SCHOOL_SHEET = "学校明细"
GUIDE_SHEET = "填表说明"
REFERENCE_SHEET = "上期累计"

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class FormsWritten:
    """What :func:`write_forms` wrote: one path per county, in code order."""

    period: str
    files: tuple[Path, ...]
    reference_period: str | None
    """The quarter whose year-to-date values the forms quote (None: Q1, or none found)."""


def _select(org_units: OrgUnits, counties: str | Iterable[str] | None) -> pd.DataFrame:
    table = org_units.counties()
    if counties is None or (isinstance(counties, str) and counties.strip() in ("all", "全部", "")):
        return table
    asked = [counties] if isinstance(counties, str) else list(counties)
    names = [x.strip() for item in asked for x in str(item).replace("，", ",").split(",")]
    codes = [org_units.code(n) for n in names if n]
    not_county = [c for c in codes if c not in set(table["code"])]
    if not_county:
        raise UsageError(f"{'、'.join(not_county)} 不是县级单位（县、县级市、区），无法生成报表")
    return table[table["code"].isin(codes)].reset_index(drop=True)


def _previous_values(data_dir: Path, period: Period, d: Dictionary) -> pd.DataFrame:
    """The year-to-date values of the quarter before ``period`` in the same year (empty in Q1)."""
    empty = pd.DataFrame(columns=["org_code", "element", "value"])
    if period.quarter == 1 or not (data_dir / "returns").is_dir():
        return empty
    from ..returns.dataset import load_dataset

    values = load_dataset(data_dir, d).values
    flows = [e.code for e in d.elements if e.temporal == "flow"]
    prev = str(period.previous())
    keep = values["period"].eq(prev) & values["element"].isin(flows)
    return values.loc[keep, ["org_code", "element", "value"]].reset_index(drop=True)


def write_forms(
    data_dir: str | Path,
    period: str | Period,
    out: str | Path,
    *,
    counties: str | Iterable[str] | None = None,
    dictionary: Dictionary | None = None,
    progress: Progress | None = None,
) -> FormsWritten:
    """Write one blank form per county for ``period`` into ``out`` (``<code>_<name>_<period>.xlsx``,
    code and name made a safe file name: no path parts, no control or bidi characters).
    ``period``: a :class:`Period` (what the CLI read once), or its text.

    ``counties``: None or "all" for every county, else codes or names (a list or "a,b").
    """
    root = Path(data_dir)
    if not root.is_dir():
        raise PlanlibError(f"数据目录 {root} 不存在")
    try:
        when = parse_period(period)
    except ValueError as err:
        raise UsageError(str(err)) from None
    ws = workspace_of(root)  # a workspace's forms ask for exactly its elements
    d = dictionary or load_dictionary(ws.dictionary_path if ws else None)
    org_units = load_org_units(root)
    chosen = _select(org_units, counties)
    previous = _previous_values(root, when, d)
    scopes = folder_scopes(root, d)
    target = Path(out)
    files: list[Path] = []
    for i, unit in enumerate(chosen.itertuples(index=False), start=1):
        code, name = str(unit.code), str(unit.name)
        if progress is not None:
            progress(name, i - 1, len(chosen))
        path = distinct(unit_path(target, code, name, f"_{when}.xlsx"), files)
        _write_form(path, code, name, when, org_units, d, previous, scopes)
        files.append(path)
    if progress is not None and len(chosen):
        progress("", len(chosen), len(chosen))
    ref = str(when.previous()) if when.quarter > 1 and not previous.empty else None
    return FormsWritten(str(when), tuple(files), ref)


def _write_form(
    path: Path,
    code: str,
    name: str,
    when: Period,
    org_units: OrgUnits,
    d: Dictionary,
    previous: pd.DataFrame,
    scopes: dict[str, tuple[Filters, ...]],
) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = COUNTY_SHEET
    mine = previous[previous["org_code"] == code]
    prev_county = dict(zip(mine["element"], mine["value"], strict=True))
    county_sheet(ws, code, name, when, d, prev_county)
    schools = org_units.schools[org_units.schools["county_code"] == code].sort_values("code")
    na = not_applicable(scopes, schools)
    school_sheet(wb.create_sheet(SCHOOL_SHEET), name, when, d, schools, na)
    text_sheet(wb.create_sheet(GUIDE_SHEET), guide_lines(name, when, d), f"{name}填表说明")
    boxes: dict[str, list[str]] = {}
    flows = [e for e in d.elements if e.temporal == "flow" and e.level in ("county", "school")]
    if when.quarter > 1 and flows:
        ref = wb.create_sheet(REFERENCE_SHEET)
        ref.sheet_state = "hidden"
        ref.column_dimensions["A"].width = GUIDE_WIDTH  # the text box spans column A
        page_setup(ref, title_rows=None, title=f"{name}上期累计数")
        school_prev = previous[previous["org_code"].isin(set(schools["code"]))]
        boxes[REFERENCE_SHEET] = reference_lines(
            name, when, flows, prev_county, school_prev, schools
        )
    save_atomic(wb, path, boxes)
