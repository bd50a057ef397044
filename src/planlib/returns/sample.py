"""A fictional but realistic sample city (or country) with quarterly returns for one year.

Values are drawn around the 2022 plan's targets with real spread, so some counties meet a target
and some miss it; rates drift up over the quarters and year-to-date counts grow. Returns are
written as county bureaus send them: an .xlsx per county and quarter (sheets 县级汇总 and 学校明细,
a title row and a unit row above the header), a few counties as CSV (one GBK, one UTF-8 with
BOM), and one county late with its third quarter (the latest quarter is complete). Generation is vectorised (numpy), so the same
code makes a national-size set (``provinces=31, counties=2850``) written as Parquet.
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
from .orgunits import COMPULSORY_STAGES

SAMPLE_MARK = "由 planlib sample-data 生成"  # in README.txt: a folder we may replace

CITY_CODE = "990100"
CITY_NAME = "云江市"
_COUNTY_NAMES = [
    ("990102", "城关区", "区"), ("990103", "东湖区", "区"), ("990104", "西山区", "区"),
    ("990105", "南江区", "区"), ("990106", "北塘区", "区"), ("990111", "高新区", "区"),
    ("990121", "青石县", "县"), ("990122", "云岭县", "县"), ("990123", "桃源县", "县"),
    ("990124", "柳河县", "县"), ("990181", "江口市", "县级市"), ("990182", "石门市", "县级市"),
]  # fmt: skip
_NAME_POOL = [
    "安",
    "宁",
    "平",
    "和",
    "兴",
    "丰",
    "永",
    "清",
    "长",
    "新",
    "泰",
    "顺",
    "华",
    "明",
    "阳",
    "江",
    "河",
    "山",
    "城",
    "乐",
    "福",
    "康",
    "德",
    "嘉",
    "瑞",
    "昌",
    "盛",
    "源",
    "湖",
    "溪",
]
_STAGES = np.array(["幼儿园", "小学", "初中", "九年一贯制", "普通高中", "中职", "特殊教育"])
_STAGE_P = np.array([0.42, 0.30, 0.12, 0.05, 0.06, 0.04, 0.01])
PERIODS_OF_YEAR = ("Q1", "Q2", "Q3", "Q4")
LATE_QUARTER = 3
"""The quarter one sample county has not sent yet (a completeness warning, not an error)."""
_YTD = np.array([0.22, 0.46, 0.71, 1.0])  # share of the year's flow done by each quarter end

COUNTY_COLUMNS = [
    "pop_3_5", "pop_3_5_hukou", "pop_6_14", "pop_15_17", "pop_15_18", "pop_15_17_hukou",
    "kg_enrol_total", "kg_enrol_public", "kg_enrol_inclusive_private", "kg_enrol_other_private",
    "school_age_children", "school_age_enrolled", "compulsory_enrol_total", "compulsory_enrol_private",
    "junior_grad_cohort", "grade1_entry_cohort", "cohort_transfer_in", "cohort_transfer_out",
    "disabled_school_age", "disabled_placed", "hs_enrol_general", "hs_enrol_vocational",
    "edu_budget", "teacher_posts_new", "teachers_recruited",
]  # fmt: skip
SCHOOL_COLUMNS = [
    "std_compliant",
    "provincial_model",
    "smart_campus_built",
    "voc_std_compliant",
    "enrolment",
]


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


def _units(rng: np.random.Generator, counties: int, provinces: int | None) -> pd.DataFrame:
    if provinces is None:
        rows: list[tuple[str, str, str]]
        if counties <= len(_COUNTY_NAMES):
            rows = _COUNTY_NAMES[:counties]
        else:
            rows = list(_COUNTY_NAMES) + [
                (
                    f"99{(i // 99) + 2:02d}{i % 99 + 1:02d}",
                    f"{_NAME_POOL[i % 30]}{_NAME_POOL[(i // 30) % 30]}县",
                    "县",
                )
                for i in range(counties - len(_COUNTY_NAMES))
            ]
        county = pd.DataFrame(rows, columns=["code", "name", "type"]).assign(parent_code=CITY_CODE)
        top = pd.DataFrame(
            [{"code": CITY_CODE, "name": CITY_NAME, "type": "市", "parent_code": ""}]
        )
        return pd.concat([top, county], ignore_index=True)
    if not 1 <= provinces <= 89 or counties < provinces:
        raise PlanlibError("省的数量应为 1–89，且县级单位数不少于省的数量")
    per_province = np.full(provinces, counties // provinces)
    per_province[: counties % provinces] += 1
    tree: list[dict[str, str]] = [
        {"code": "000000", "name": "全国（示例）", "type": "国家", "parent_code": ""}
    ]
    types = np.array(["区", "县", "县", "县级市", "县", "区"])
    for p in range(provinces):
        pcode = f"{11 + p:02d}"
        pname = f"{_NAME_POOL[p % 30]}{_NAME_POOL[(p * 7 + 3) % 30]}省"
        tree.append({"code": f"{pcode}0000", "name": pname, "type": "省", "parent_code": "000000"})
        n_cities = int(np.ceil(per_province[p] / 9))
        for c in range(n_cities):
            ccode = f"{pcode}{c + 1:02d}00"
            tree.append(
                {
                    "code": ccode,
                    "name": f"{pname}第{c + 1}市",
                    "type": "市",
                    "parent_code": f"{pcode}0000",
                }
            )
        for k in range(per_province[p]):
            c, j = divmod(k, 9)
            t = str(types[k % len(types)])
            code = f"{pcode}{c + 1:02d}{j + 1:02d}"
            name = f"{_NAME_POOL[(k + p) % 30]}{_NAME_POOL[(k * 3 + c) % 30]}{t if t != '县级市' else '市'}"
            tree.append(
                {"code": code, "name": name, "type": t, "parent_code": f"{pcode}{c + 1:02d}00"}
            )
    return pd.DataFrame(tree)


def _schools(rng: np.random.Generator, county_codes: np.ndarray, per_county: int) -> pd.DataFrame:
    sizes = np.maximum(
        20, rng.normal(per_county, per_county * 0.15, len(county_codes)).round().astype(int)
    )
    county = np.repeat(county_codes, sizes)
    serial = np.concatenate([np.arange(1, s + 1) for s in sizes])
    stage = rng.choice(_STAGES, size=len(county), p=_STAGE_P)
    u = rng.random(len(county))
    ownership = np.where(
        stage == "幼儿园",
        np.where(u < 0.45, "公办", np.where(u < 0.82, "普惠性民办", "民办")),
        np.where(u < 0.9, "公办", "民办"),
    )
    ownership = np.where(np.isin(stage, ["特殊教育"]), "公办", ownership)
    codes = np.char.add(county.astype(str), np.char.zfill(serial.astype(str), 4))
    kind = pd.Series(stage).map(
        {
            "幼儿园": "幼儿园",
            "小学": "小学",
            "初中": "中学",
            "九年一贯制": "学校",
            "普通高中": "高级中学",
            "中职": "职业学校",
            "特殊教育": "特殊教育学校",
        }
    )
    names = [f"第{n}{k}" for n, k in zip(serial, kind, strict=True)]
    frame = pd.DataFrame(
        {
            "code": codes,
            "name": names,
            "county_code": county,
            "stage": stage,
            "ownership": ownership,
        }
    )
    return frame


def _county_values(
    rng: np.random.Generator, schools: pd.DataFrame, codes: np.ndarray, year: int
) -> pd.DataFrame:
    """One row per county and quarter with every county-level element (numbers around targets)."""
    n = len(codes)
    size = schools.groupby("county_code").size().reindex(codes).to_numpy(dtype=float)
    kg = size * rng.uniform(50, 70, n)  # children in kindergartens at Q4
    gross = rng.uniform(88, 99, n)
    gross[0] = 101.5  # one county's gross rate is over 100%: shown and flagged
    inclusive = rng.uniform(80, 93, n)
    public = np.minimum(rng.uniform(48, 62, n), inclusive - 15)
    pop_3_5 = kg / gross * 100
    pop_6_14 = pop_3_5 * rng.uniform(3.0, 3.4, n)
    pop_15_17 = pop_6_14 / 3 * rng.uniform(0.9, 1.0, n)
    entry = pop_6_14 / 9 * rng.uniform(0.98, 1.02, n)
    retention = rng.uniform(96, 99.5, n)
    hs_gross = rng.uniform(88, 97, n)
    private = rng.uniform(2, 9, n)
    enrolment = rng.uniform(99.6, 100, n)
    placement = rng.uniform(93, 99.5, n)
    weight = size / size.mean()
    budget = 2_160_000 / 12 * weight * rng.uniform(0.85, 1.1, n)  # 万元 for the year
    posts = 1500 / 12 * weight * rng.uniform(0.8, 1.15, n)
    recruits = 4000 / 12 * weight * rng.uniform(0.85, 1.12, n)
    hukou_3_5 = rng.uniform(0.93, 1.04, n)
    hukou_15_17 = rng.uniform(0.93, 1.05, n)
    band_15_18 = rng.uniform(1.3, 1.36, n)
    comp_ratio = rng.uniform(0.97, 1.03, n)
    t_in = entry * rng.uniform(0.01, 0.03, n)
    t_out = entry * rng.uniform(0.01, 0.03, n)
    frames = []
    for q in range(4):
        drift = (q - 3) * 0.35  # rates rise a little each quarter, reaching the Q4 level
        g = 1 + (q - 3) * 0.002  # populations grow slowly
        ytd = _YTD[q] * rng.uniform(0.95, 1.05, n) if q < 3 else np.ones(n)
        kg_q = kg * (1 + drift / 100)
        p35 = pop_3_5 * g
        pub = kg_q * (public + drift) / 100
        inc = kg_q * (inclusive + drift) / 100 - pub
        p614 = pop_6_14 * g
        children = p614 * 0.98
        comp = p614 * comp_ratio
        dis = p614 * 0.003
        p1517 = pop_15_17 * g
        hs = p1517 * (hs_gross + drift) / 100
        frame = pd.DataFrame(
            {
                "org_code": codes,
                "period": f"{year}Q{q + 1}",
                "pop_3_5": p35,
                "pop_3_5_hukou": p35 * hukou_3_5,
                "pop_6_14": p614,
                "pop_15_17": p1517,
                "pop_15_18": p1517 * band_15_18,
                "pop_15_17_hukou": p1517 * hukou_15_17,
                "kg_enrol_total": kg_q,
                "kg_enrol_public": pub,
                "kg_enrol_inclusive_private": inc,
                "kg_enrol_other_private": kg_q - pub - inc,
                "school_age_children": children,
                "school_age_enrolled": children * np.minimum(enrolment + drift / 10, 100) / 100,
                "compulsory_enrol_total": comp,
                "compulsory_enrol_private": comp * (private - drift / 2) / 100,
                "junior_grad_cohort": entry * retention / 100,
                "grade1_entry_cohort": entry,
                "cohort_transfer_in": t_in,
                "cohort_transfer_out": t_out,
                "disabled_school_age": dis,
                "disabled_placed": dis * np.minimum(placement + drift / 2, 100) / 100,
                "hs_enrol_general": hs * 0.6,
                "hs_enrol_vocational": hs * 0.4,
                "edu_budget": budget * ytd,
                "teacher_posts_new": posts * ytd,
                "teachers_recruited": recruits * ytd,
            }
        )
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    counts = [c for c in COUNTY_COLUMNS if c != "edu_budget"]
    out[counts] = out[counts].round().astype("int64")
    out["edu_budget"] = out["edu_budget"].round(1)
    # the parts of kindergarten enrolment add up to the total exactly
    out["kg_enrol_other_private"] = (
        out["kg_enrol_total"] - out["kg_enrol_public"] - out["kg_enrol_inclusive_private"]
    )
    return out


def _school_values(rng: np.random.Generator, schools: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per school and quarter with the school flags (stable or growing over the year)."""
    n = len(schools)
    stage = schools["stage"].to_numpy()
    public = schools["ownership"].to_numpy() == "公办"
    county = schools["county_code"].to_numpy()
    counties, idx = np.unique(county, return_inverse=True)
    u = rng.random(n)  # a school's rank within its county decides which flags it carries
    std_share = rng.uniform(0.10, 0.32, len(counties))[idx]
    voc_share = rng.uniform(0.40, 0.75, len(counties))[idx]
    model_share = rng.uniform(0.10, 0.21, len(counties))[idx]
    smart_share = rng.uniform(0.028, 0.046, len(counties))[idx]
    compulsory = np.isin(stage, COMPULSORY_STAGES)
    size = np.select(
        [stage == "幼儿园", compulsory, stage == "普通高中", stage == "中职"],
        [
            rng.integers(60, 300, n),
            rng.integers(300, 2400, n),
            rng.integers(900, 3000, n),
            rng.integers(500, 2500, n),
        ],
        rng.integers(40, 200, n),
    )
    frames = []
    for q in range(4):
        grow = 1 + (q - 3) * 0.06
        frames.append(
            pd.DataFrame(
                {
                    "org_code": schools["code"].to_numpy(),
                    "period": f"{year}Q{q + 1}",
                    "std_compliant": np.where(compulsory, (u < std_share * grow).astype(int), 0),
                    "provincial_model": np.where(
                        stage == "普通高中", (u < model_share).astype(int), 0
                    ),
                    "smart_campus_built": (u < smart_share * _YTD[q]).astype(int),
                    "voc_std_compliant": np.where(
                        (stage == "中职") & public, (u < voc_share * grow).astype(int), 0
                    ),
                    "enrolment": size,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


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


def _ledger_rows(year: int, q: int, rng: np.random.Generator) -> list[list[object]]:
    from ..plan.files import load_plan

    plan = load_plan()
    rows: list[list[object]] = []
    for i, task in enumerate(plan.tasks):
        for j, unit in enumerate(task.units):
            if (i, j, q) == (4, 2, 4):
                continue  # one department forgot to report in the last quarter
            status = "推进中"
            if q == 4 and i in (0, 3):
                status = "已完成"
            if i == 4 and q >= 3 and j == 0:
                status = "滞后"
            due = f"{year}-06-30" if (i == 1 and j == 0) else f"{year}-12-31"
            if i == 1 and j == 0 and q >= 3:
                status = "推进中"  # due at mid-year and not done: overdue
            account = f"{unit}按计划推进「{task.title}」，第{q}季度完成阶段工作。"
            if q == 1 and i == 2 and j == len(task.units) - 1:
                status = "未启动"  # a department that starts late in the year
                account = f"{unit}正在制定「{task.title}」实施方案，尚未启动。"
            if status == "滞后":
                account = f"{unit}因人员调整，「{task.title}」部分工作未按序时进度完成。"
            rows.append(
                [task.id, unit, f"{year}Q{q}", status, account, f"{unit}{year}年第{q}季度工作台账",
                 "持续推进，按期完成年度任务" if status != "已完成" else "巩固成果，做好总结", due]
            )  # fmt: skip
    return rows


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
