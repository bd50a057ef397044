"""Writing the fictional sample city (or country): a data folder with quarterly returns for one year.

``write_sample`` (through ``planlib init --sample``, ``planlib sample-data`` and
``planlib.make_sample``) writes the numbers of sample_values.py, and numbers steered by any plan's
targets for other elements (sample_generic.py), as county bureaus send them: an .xlsx per county and quarter (sheets 县级汇总 and 学校明细, a title row and a unit
row above the header, headers worded differently between counties, amounts in 万元 or 亿元), a
few counties as CSV (one GBK with thousands separators, one UTF-8 with BOM), and one county
late with its third quarter (the latest quarter is complete); besides them the org-unit and
school lists, the city's own items and the task ledger. A national-size set is written as
Parquet instead. It writes into a folder its caller builds beside the destination and swaps in,
so an interrupted run never leaves half a folder.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..catalog.definitions import IndicatorSet
from ..catalog.dictionary import Dictionary, Element
from ..errors import PlanlibError
from ..plan.model import Plan
from .ledger import LEDGER_HEADERS
from .orgunits import UNIT_TYPES
from .sample_generic import complete_values
from .sample_history import with_last_year
from .sample_values import (
    draw_county_values,
    draw_school_values,
    draw_schools,
    draw_units,
    ledger_rows,
)

_CITY_MAJORS = [2, 3, 3, 4]
"""The city's hand-tuned 市级重点建设专业数, quarter by quarter."""

SAMPLE_MARK = "由 planlib sample-data 生成"  # in README.txt: a folder we may replace
LATE_QUARTER = 3
"""The quarter one sample county has not sent yet (a completeness warning, not an error)."""


@dataclass(frozen=True)
class SampleSummary:
    """What was written: counts for the CLI to report."""

    out_dir: Path
    counties: int
    schools: int
    periods: tuple[str, ...]
    files: int
    late: tuple[str, ...]
    late_period: str = ""


# --- writing returns as counties send them ----------------------------------------------------

_ALIAS_STYLE = {"kg_enrol_total": "在园幼儿人数", "hs_enrol_vocational": "中职在校生数"}
"""The common aliases some counties write instead of the dictionary names."""
_PLAIN_UNITS = ("人", "个", "名")
"""Dictionary units a header does not state (counts of people and things)."""


def _in_yi(e: Element, d: Dictionary, style: int) -> float | None:
    """The factor to write an amount in 亿元 (every other county), or None to keep its unit."""
    factor = d.units.get(e.unit, {}).get("亿元")
    return factor if e.kind == "amount" and style % 2 and factor else None


def _header(e: Element, d: Dictionary, style: int) -> str:
    """A column header as a county writes it: the name, an alias in some counties, and the unit
    in brackets where it is not a plain count (一般公共预算教育投入（万元）)."""
    if style % 3 == 1 and _ALIAS_STYLE.get(e.code) in e.aliases:
        return _ALIAS_STYLE[e.code]
    if _in_yi(e, d, style):
        return f"{e.name}（亿元）"
    if e.unit not in _PLAIN_UNITS and d.units.get(e.unit, {}).get(e.unit) == 1:
        return f"{e.name}（{e.unit}）"
    return e.name


def _cells(
    row: pd.Series | object, elements: Sequence[Element], d: Dictionary, style: int
) -> list[object]:
    """The element cells of one row: counts and flags as integers, amounts as decimals."""
    out: list[object] = []
    for e in elements:
        v = getattr(row, e.code) if not isinstance(row, pd.Series) else row[e.code]
        if e.kind != "amount":
            out.append(int(v))
            continue
        factor = _in_yi(e, d, style)
        out.append(round(float(v) / (factor or 1), 4))
    return out


def _table(
    title: str, unit_line: str, header: Sequence[object], rows: Iterable[Sequence[object]]
) -> list[list[object]]:
    return [[title], [unit_line], list(header), *(list(r) for r in rows)]


def _county_tables(
    name: str,
    code: str,
    period: str,
    label: str,
    county_row: pd.Series,
    schools: pd.DataFrame,
    school_rows: pd.DataFrame,
    style: int,
    d: Dictionary,
) -> dict[str, list[list[object]]]:
    county_elements = d.elements_at("county")
    school_elements = d.elements_at("school")
    county_header = [
        "行政区划代码",
        "单位名称",
        "报告期",
        *(_header(e, d, style) for e in county_elements),
    ]
    values: list[object] = [code, name, period, *_cells(county_row, county_elements, d, style)]
    school_header = [
        "学校标识码",
        "学校名称",
        "学段",
        *(_header(e, d, style) for e in school_elements),
    ]
    merged = school_rows.merge(
        schools[["code", "name", "stage"]], left_on="org_code", right_on="code"
    )
    srows = [
        [r.code, r.name, r.stage, *_cells(r, school_elements, d, style)]
        for r in merged.itertuples(index=False)
    ]
    unit = "单位：人、所、亿元" if style % 2 else "单位：人、所、万元"
    return {
        "县级汇总": _table(
            f"{name}教育统计季报（{label}）",
            f"填报单位：{name}教育局    {unit}",
            county_header,
            [values],
        ),
        "学校明细": _table(
            f"{name}学校情况表（{label}）",
            f"填报单位：{name}教育局    单位：人；1=是，0=否",
            school_header,
            srows,
        ),
    }


def _write_xlsx(path: Path, tables: dict[str, list[list[object]]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    for sheet, rows in tables.items():
        ws = wb.create_sheet(sheet)
        for r in rows:
            ws.append(r)
        ws["A1"].font = Font(bold=True, size=14)
        for cell in ws[3]:
            cell.font = Font(bold=True)
        ws.column_dimensions["A"].width = 14
        ws.column_dimensions["B"].width = 22
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _write_csv(path: Path, rows: list[list[object]], encoding: str, thousands: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        for r in rows:
            w.writerow(
                [f"{v:,}" if thousands and isinstance(v, int) and v >= 1000 else v for v in r]
            )


def _write_ledger(out: Path, plan: Plan, year: int) -> int:
    header = list(LEDGER_HEADERS)
    issuer = plan.issuer or "市教育局"
    for q in range(1, 5):
        _write_xlsx(
            out / "ledger" / f"{year}Q{q}.xlsx",
            {
                "任务进展": _table(
                    f"{issuer}{year}年工作要点任务进展台账（{year}年第{'一二三四'[q - 1]}季度）",
                    "填报单位：机关各处室",
                    header,
                    ledger_rows(plan, year, q),
                )
            },
        )
    return 4


def check_options(counties: int, schools_per_county: int, fmt: str) -> None:
    """The sample's size and format, checked before anything is written."""
    if counties < 1 or schools_per_county < 20:
        raise PlanlibError("县级单位数至少为 1，每县学校数至少为 20")
    if fmt not in ("excel", "parquet"):
        raise PlanlibError(f"未知的输出格式「{fmt}」，可用：excel、parquet")


@dataclass(frozen=True)
class _Registry:
    """The org units and schools a sample is written for, and whether they were generated."""

    units: pd.DataFrame
    schools: pd.DataFrame
    counties: np.ndarray
    cities: np.ndarray
    names: pd.Series  # code → name
    generated_units: bool
    generated_schools: bool


def _registry(
    rng: np.random.Generator,
    units: pd.DataFrame | None,
    schools: pd.DataFrame | None,
    counties: int,
    schools_per_county: int,
    provinces: int | None,
) -> _Registry:
    if schools is not None and units is None:
        raise PlanlibError("给出学校名录时也应给出单位名录（org_units）")
    tree = (
        draw_units(rng, counties, provinces)
        if units is None
        else units.astype({"code": str}).copy()
    )
    tree["parent_code"] = tree["parent_code"].fillna("").astype(str)
    level = tree["type"].map(UNIT_TYPES)
    codes = tree.loc[level == "county", "code"].to_numpy()
    if len(codes) == 0:
        raise PlanlibError("单位名录中没有县级单位（县、县级市、区），无法生成示例报表")
    names = tree.set_index("code")["name"].astype(str)
    if schools is None:
        school_frame = draw_schools(rng, codes, schools_per_county)
        school_frame["name"] = school_frame["county_code"].map(names) + school_frame["name"]
    else:
        school_frame = schools.astype({"code": str, "county_code": str}).reset_index(drop=True)
        if "ownership" not in school_frame:
            school_frame["ownership"] = "公办"
    cities = tree.loc[level == "city", "code"].to_numpy()
    return _Registry(tree, school_frame, codes, cities, names, units is None, schools is None)


def write_registry(
    out: Path, *, seed: int = 2022, counties: int = 12, schools_per_county: int = 250
) -> None:
    """Write only the sample city's ``org_units.csv`` and ``schools.csv`` (those ``write_sample``
    writes for the same seed): a workspace whose returns are the bureau's own to come."""
    check_options(counties, schools_per_county, "excel")
    reg = _registry(np.random.default_rng(seed), None, None, counties, schools_per_county, None)
    reg.units[["code", "name", "type", "parent_code"]].to_csv(
        Path(out) / "org_units.csv", index=False, encoding="utf-8"
    )
    reg.schools.to_csv(Path(out) / "schools.csv", index=False, encoding="utf-8")


def write_sample(
    out: Path,
    *,
    plan: Plan,
    indicators: IndicatorSet,
    dictionary: Dictionary,
    allocations: pd.DataFrame | None = None,
    units: pd.DataFrame | None = None,
    schools: pd.DataFrame | None = None,
    seed: int = 2022,
    counties: int = 12,
    schools_per_county: int = 250,
    provinces: int | None = None,
    fmt: str = "excel",
) -> SampleSummary:
    """Write a fictional year of returns for ``plan`` into the existing folder ``out``.

    Returns carry exactly the ``dictionary``'s elements (county sheet, school sheet, city file);
    the bundled elements keep their hand-tuned numbers, every other element is generated and
    steered so that the plan's targets over ``indicators`` show 达标, 接近 and 未达标 counties
    (:mod:`planlib.returns.sample_generic`; ``allocations``: county, indicator, target).
    ``units`` and ``schools`` are the bureau's own org units and school registry (not written);
    without them a fictional city (or, with ``provinces``, a country) is made and written.
    The quarters are ``plan.year``'s; the ledger has a row per task and department.
    """
    check_options(counties, schools_per_county, fmt)
    if plan.year is None:
        raise PlanlibError("计划没有年份（year），无法生成示例数据")
    year = plan.year
    out = Path(out)
    rng = np.random.default_rng(seed)
    reg = _registry(rng, units, schools, counties, schools_per_county, provinces)
    codes, school_frame = reg.counties, reg.schools
    known = {
        "county": draw_county_values(rng, school_frame, codes, year),
        "school": draw_school_values(rng, school_frame, year),
        "city": pd.DataFrame({"city_key_majors": np.repeat(_CITY_MAJORS, len(reg.cities))}),
    }
    frames = complete_values(
        plan,
        indicators,
        dictionary,
        school_frame,
        known,
        {"county": codes, "city": reg.cities},
        year,
        seed,
        allocations,
    )
    top = str(reg.cities[0]) if provinces is None and len(reg.cities) == 1 else None
    if reg.generated_units:
        reg.units[["code", "name", "type", "parent_code"]].to_csv(
            out / "org_units.csv", index=False, encoding="utf-8"
        )
    periods = tuple(f"{year}Q{q}" for q in range(1, 5))
    # last year's fourth quarter too, when the plan has change targets (较上年…) to judge
    before = tuple(p for p in dict.fromkeys(frames["county"]["period"]) if p not in periods)
    late: tuple[str, ...] = ()
    if fmt == "parquet":
        empty = out / "returns"
        if empty.is_dir() and not any(empty.iterdir()):
            empty.rmdir()  # load_dataset reads values.parquet only without a returns/ folder
        if reg.generated_schools:
            school_frame.to_parquet(out / "schools.parquet", index=False)
        files = _write_parquet(out, frames, len(reg.cities))
    else:
        if reg.generated_schools:
            school_frame.to_csv(out / "schools.csv", index=False, encoding="utf-8")
        late = (str(codes[min(5, len(codes) - 1)]),) if len(codes) > 1 else ()
        # last year's returns too: flows are projected by last year's quarterly pattern
        written = with_last_year(frames, dictionary, year, seed)
        earlier = tuple(p for p in dict.fromkeys(written["county"]["period"]) if p < periods[0])
        files = _write_returns(out, reg, written, dictionary, (*earlier, *periods), late)
        if top is not None and dictionary.elements_at("city"):
            files += _write_city(out, top, str(reg.names[top]), frames["city"], dictionary, plan)
        if plan.tasks:
            files += _write_ledger(out, plan, year)
    _write_readme(out, len(codes), len(school_frame), year, seed, bool(before), fmt != "parquet")
    late_period = periods[LATE_QUARTER - 1] if late else ""
    return SampleSummary(out, len(codes), len(school_frame), periods, files, late, late_period)


def _write_readme(
    out: Path, counties: int, schools: int, year: int, seed: int, before: bool, history: bool
) -> None:
    """README.txt: what the folder holds, and the mark that lets a later run replace it."""
    last = f"及 {year - 1} 年第四季度（用于较上年变化的目标）" if before else ""
    if history:
        last += f"；另有 {year - 1} 年四个季度的报表（用于按上年同期进度预测全年）"
    (out / "README.txt").write_text(
        f"planlib 示例数据（虚构）：{counties} 个县级单位、{schools} 所学校、{year} 年四个季度{last}。\n"
        f"{SAMPLE_MARK}（seed={seed}）。\n",
        encoding="utf-8",
    )


def _write_parquet(out: Path, frames: dict[str, pd.DataFrame], n_cities: int) -> int:
    # the city's rows unit by unit (each unit's quarters together), as before
    city = frames["city"]
    order = np.argsort(np.tile(np.arange(n_cities), len(city) // max(n_cities, 1)), kind="stable")
    long = pd.concat(
        [
            frames["county"].melt(["org_code", "period"], var_name="element"),
            frames["school"].melt(["org_code", "period"], var_name="element"),
            city.iloc[order].melt(["org_code", "period"], var_name="element"),
        ],
        ignore_index=True,
    ).astype({"value": "float64"})
    long.to_parquet(out / "values.parquet", index=False)
    return 3


def _write_returns(
    out: Path,
    reg: _Registry,
    frames: dict[str, pd.DataFrame],
    d: Dictionary,
    periods: tuple[str, ...],
    late: tuple[str, ...],
) -> int:
    files = 0
    late_period = f"{periods[-1][:4]}Q{LATE_QUARTER}"  # the plan year's third quarter
    schools = reg.schools
    by_county = frames["county"].set_index(["org_code", "period"])
    school_values = frames["school"]
    sv = school_values.assign(
        county_code=school_values["org_code"].map(schools.set_index("code")["county_code"])
    )
    for i, code in enumerate(reg.counties):
        name = str(reg.names[code])
        own_schools = schools[schools["county_code"] == code]
        for period in periods:
            if code in late and period == late_period:
                continue
            label = f"{period[:4]}年第{'一二三四'[int(period[-1]) - 1]}季度"
            rows = sv[(sv["county_code"] == code) & (sv["period"] == period)]
            tables = _county_tables(
                name, code, period, label, by_county.loc[(code, period)], own_schools, rows, i, d
            )
            folder = out / "returns" / period
            if i % 8 == 3:  # a county that sends GBK CSV with thousands separators
                _write_csv(folder / f"{code}_县级.csv", tables["县级汇总"], "gb18030", True)
                _write_csv(folder / f"{code}_学校.csv", tables["学校明细"], "gb18030", False)
                files += 2
            elif i % 8 == 7:  # one that sends UTF-8 CSV with a BOM
                _write_csv(folder / f"{code}_县级.csv", tables["县级汇总"], "utf-8-sig", False)
                _write_csv(folder / f"{code}_学校.csv", tables["学校明细"], "utf-8-sig", False)
                files += 2
            else:
                _write_xlsx(folder / f"{code}.xlsx", tables)
                files += 1
    return files


def _write_city(
    out: Path, top: str, name: str, city: pd.DataFrame, d: Dictionary, plan: Plan
) -> int:
    elements = d.elements_at("city")
    header = ["行政区划代码", "单位名称", "报告期", *(_header(e, d, 0) for e in elements)]
    units = "、".join(dict.fromkeys(e.unit for e in elements))
    mine = city[city["org_code"] == top]
    for row in mine.itertuples(index=False):
        period = str(row.period)
        _write_xlsx(
            out / "city" / f"{period}.xlsx",
            {
                "市级汇总": _table(
                    f"{name}教育局市级指标（{period}）",
                    f"填报单位：{plan.issuer or '市教育局'}    单位：{units}",
                    header,
                    [[top, name, period, *_cells(row, elements, d, 0)]],
                )
            },
        )
    return len(mine)
