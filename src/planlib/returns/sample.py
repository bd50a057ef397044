"""Writing the fictional sample city (or country): a data folder with quarterly returns for one year.

``make_sample`` (``planlib sample-data``) writes the numbers of sample_values.py as county bureaus
send them: an .xlsx per county and quarter (sheets 县级汇总 and 学校明细, a title row and a unit
row above the header, headers worded differently between counties, amounts in 万元 or 亿元), a
few counties as CSV (one GBK with thousands separators, one UTF-8 with BOM), and one county
late with its third quarter (the latest quarter is complete); besides them the org-unit and
school lists, the city's own items and the task ledger. A national-size set is written as
Parquet instead. The folder is written beside the destination and swapped in, so an
interrupted run never leaves half a folder.
"""

from __future__ import annotations

import csv
import dataclasses
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..catalog.dictionary import load_dictionary
from ..errors import PlanlibError
from .sample_values import (
    CITY_NAME,
    COUNTY_COLUMNS,
    SCHOOL_COLUMNS,
    _county_values,
    _ledger_rows,
    _school_values,
    _schools,
    _units,
)

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


def _headers(style: int) -> dict[str, str]:
    """Column headers as a county writes them; ``style`` varies the wording between counties."""
    d = load_dictionary()
    headers = {e.code: e.name for e in d.elements}
    if style % 3 == 1:  # some counties use the common aliases
        headers.update({"kg_enrol_total": "在园幼儿人数", "hs_enrol_vocational": "中职在校生数"})
    headers["edu_budget"] = (
        "一般公共预算教育投入（亿元）" if style % 2 else "一般公共预算教育投入（万元）"
    )
    return headers


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
) -> dict[str, list[list[object]]]:
    h = _headers(style)
    budget = float(county_row["edu_budget"]) / (10000 if style % 2 else 1)
    county_header = ["行政区划代码", "单位名称", "报告期", *(h[c] for c in COUNTY_COLUMNS)]
    values: list[object] = [code, name, period]
    for c in COUNTY_COLUMNS:
        values.append(round(budget, 4) if c == "edu_budget" else int(county_row[c]))
    school_header = ["学校标识码", "学校名称", "学段", *(h[c] for c in SCHOOL_COLUMNS)]
    merged = school_rows.merge(
        schools[["code", "name", "stage"]], left_on="org_code", right_on="code"
    )
    srows = [
        [r.code, r.name, r.stage, *(int(getattr(r, c)) for c in SCHOOL_COLUMNS)]
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


def _write_ledger(out: Path, year: int, rng: np.random.Generator) -> int:
    header = [
        "任务编号",
        "责任处室",
        "报告期",
        "进展状态",
        "进展情况",
        "佐证材料",
        "下一步计划",
        "计划完成时间",
    ]
    for q in range(1, 5):
        _write_xlsx(
            out / "ledger" / f"{year}Q{q}.xlsx",
            {
                "任务进展": _table(
                    f"市教育局{year}年工作要点任务进展台账（{year}年第{'一二三四'[q - 1]}季度）",
                    "填报单位：机关各处室",
                    header,
                    _ledger_rows(year, q, rng),
                )
            },
        )
    return 4


def make_sample(
    out_dir: str | Path,
    *,
    seed: int = 2022,
    counties: int = 12,
    schools_per_county: int = 250,
    provinces: int | None = None,
    year: int = 2022,
    fmt: str = "excel",
) -> SampleSummary:
    """Write a sample data folder (see docs/ARCHITECTURE.md); deterministic for a seed.

    ``fmt="excel"`` writes returns as counties send them; ``fmt="parquet"`` writes one tidy
    ``values.parquet`` for large runs. ``provinces`` makes a country → province → city → county tree.
    """
    if counties < 1 or schools_per_county < 20:
        raise PlanlibError("县级单位数至少为 1，每县学校数至少为 20")
    if fmt not in ("excel", "parquet"):
        raise PlanlibError(f"未知的输出格式「{fmt}」，可用：excel、parquet")
    final = Path(out_dir)
    if final.exists() and (not final.is_dir() or any(final.iterdir())):
        readme = final / "README.txt"
        ours = readme.is_file() and SAMPLE_MARK in readme.read_text(
            encoding="utf-8", errors="replace"
        )
        if not ours:
            raise PlanlibError(
                f"输出目录 {final} 已存在且不是 planlib 示例数据目录，为避免覆盖请换一个空目录"
            )
    # Written beside, then swapped in: an interrupted run never leaves a half-written folder,
    # and an earlier sample's files (other counties, another format) never linger.
    final.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    work.chmod(0o755)  # mkdtemp makes it private; a data folder is shared like any other
    try:
        summary = _write_sample(work, seed, counties, schools_per_county, provinces, year, fmt)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if final.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old.", dir=final.parent))
        final.rename(old / final.name)
        work.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        work.rename(final)
    return dataclasses.replace(summary, out_dir=final)


def _write_sample(
    out: Path,
    seed: int,
    counties: int,
    schools_per_county: int,
    provinces: int | None,
    year: int,
    fmt: str,
) -> SampleSummary:
    rng = np.random.default_rng(seed)
    units = _units(rng, counties, provinces)
    county_units = units[units["type"].isin(["区", "县", "县级市"])]
    codes = county_units["code"].to_numpy()
    schools = _schools(rng, codes, schools_per_county)
    cname = county_units.set_index("code")["name"]
    schools["name"] = schools["county_code"].map(cname) + schools["name"]
    county_values = _county_values(rng, schools, codes, year)
    school_values = _school_values(rng, schools, year)
    top = str(units.loc[units["type"] == "市", "code"].iloc[0]) if provinces is None else None
    out.mkdir(parents=True, exist_ok=True)
    units[["code", "name", "type", "parent_code"]].to_csv(
        out / "org_units.csv", index=False, encoding="utf-8"
    )
    periods = tuple(f"{year}Q{q}" for q in range(1, 5))
    late: tuple[str, ...] = ()
    files = 0
    if fmt == "parquet":
        schools.to_parquet(out / "schools.parquet", index=False)
        long = pd.concat(
            [
                county_values.melt(["org_code", "period"], var_name="element"),
                school_values.melt(["org_code", "period"], var_name="element"),
            ],
            ignore_index=True,
        )
        cities = units.loc[units["type"] == "市", "code"].to_numpy()
        majors = pd.DataFrame(
            {
                "org_code": np.repeat(cities, 4),
                "period": np.tile(list(periods), len(cities)),
                "element": "city_key_majors",
                "value": np.tile([2, 3, 3, 4], len(cities)),
            }
        )
        long = pd.concat([long, majors], ignore_index=True).astype({"value": "float64"})
        long.to_parquet(out / "values.parquet", index=False)
        files = 3
    else:
        schools.to_csv(out / "schools.csv", index=False, encoding="utf-8")
        late = (str(codes[min(5, len(codes) - 1)]),) if len(codes) > 1 else ()
        by_county = county_values.set_index(["org_code", "period"])
        sv = school_values.assign(
            county_code=school_values["org_code"].map(schools.set_index("code")["county_code"])
        )
        for i, code in enumerate(codes):
            name = str(cname[code])
            own_schools = schools[schools["county_code"] == code]
            for q, period in enumerate(periods, start=1):
                if code in late and q == LATE_QUARTER:
                    continue
                label = f"{year}年第{'一二三四'[q - 1]}季度"
                rows = sv[(sv["county_code"] == code) & (sv["period"] == period)]
                tables = _county_tables(
                    name, code, period, label, by_county.loc[(code, period)], own_schools, rows, i
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
        if top is not None:
            for q, period in enumerate(periods, start=1):
                city_rows: list[list[object]] = [[top, CITY_NAME, period, [2, 3, 3, 4][q - 1]]]
                _write_xlsx(
                    out / "city" / f"{period}.xlsx",
                    {
                        "市级汇总": _table(
                            f"{CITY_NAME}教育局市级指标（{period}）",
                            "填报单位：市教育局    单位：个",
                            ["行政区划代码", "单位名称", "报告期", "市级重点建设专业数"],
                            city_rows,
                        )
                    },
                )
                files += 1
        files += _write_ledger(out, year, rng)
    (out / "README.txt").write_text(
        f"planlib 示例数据（虚构）：{len(codes)} 个县级单位、{len(schools)} 所学校、{year} 年四个季度。\n"
        f"{SAMPLE_MARK}（seed={seed}）。\n",
        encoding="utf-8",
    )
    late_period = periods[LATE_QUARTER - 1] if late else ""
    return SampleSummary(out, len(codes), len(schools), periods, files, late, late_period)
