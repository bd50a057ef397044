"""The numbers of the fictional sample city (or country): its org-unit tree, schools and returns.

Everything ``make_sample`` (sample.py) writes comes from here, drawn from one seeded generator:
the tree of units (a city of twelve named counties, more counties named from a pool, or a
country → province → city → county tree), the school registry (stages and ownership in
realistic shares), one row per county and quarter with every county element, one row per
school and quarter with the school flags, and the task ledger's progress rows. Values are drawn
around the 2022 plan's targets with real spread, so some counties meet a target and some miss
it; rates drift up over the quarters and year-to-date counts grow. Generation is vectorised
(numpy), so the same code makes a national-size set (``provinces=31, counties=2850``). Kept
apart from the writing so the numbers can be changed without reading the file layouts.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from ..errors import PlanlibError
from ..plan.model import Plan
from .orgunits import COMPULSORY_STAGES

CITY_CODE = "990100"
CITY_NAME = "云江市"
_COUNTY_NAMES = [
    ("990102", "城关区", "区"),
    ("990103", "东湖区", "区"),
    ("990104", "西山区", "区"),
    ("990105", "南江区", "区"),
    ("990106", "北塘区", "区"),
    ("990111", "高新区", "区"),
    ("990121", "青石县", "县"),
    ("990122", "云岭县", "县"),
    ("990123", "桃源县", "县"),
    ("990124", "柳河县", "县"),
    ("990181", "江口市", "县级市"),
    ("990182", "石门市", "县级市"),
]
_NAME_POOL = list("安宁平和兴丰永清长新泰顺华明阳江河山城乐福康德嘉瑞昌盛源湖溪")
"""Characters two of which make up a made-up place name."""
_STAGES = np.array(["幼儿园", "小学", "初中", "九年一贯制", "普通高中", "中职", "特殊教育"])
_STAGE_P = np.array([0.42, 0.30, 0.12, 0.05, 0.06, 0.04, 0.01])
YTD_SHARES = np.array([0.22, 0.46, 0.71, 1.0])
"""The share of a year's flow done by each quarter end (year-to-date values of a flow)."""

COUNTY_COLUMNS = [
    "pop_3_5",
    "pop_3_5_hukou",
    "pop_6_14",
    "pop_15_17",
    "pop_15_18",
    "pop_15_17_hukou",
    "kg_enrol_total",
    "kg_enrol_public",
    "kg_enrol_inclusive_private",
    "kg_enrol_other_private",
    "school_age_children",
    "school_age_enrolled",
    "compulsory_enrol_total",
    "compulsory_enrol_private",
    "junior_grad_cohort",
    "grade1_entry_cohort",
    "cohort_transfer_in",
    "cohort_transfer_out",
    "disabled_school_age",
    "disabled_placed",
    "hs_enrol_general",
    "hs_enrol_vocational",
    "edu_budget",
    "teacher_posts_new",
    "teachers_recruited",
]
SCHOOL_COLUMNS = [
    "std_compliant",
    "provincial_model",
    "smart_campus_built",
    "voc_std_compliant",
    "enrolment",
]


def draw_units(rng: np.random.Generator, counties: int, provinces: int | None) -> pd.DataFrame:
    """The org-unit tree: the sample city and its counties, or (``provinces``) a country of
    provinces, cities and counties."""
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


def draw_schools(
    rng: np.random.Generator, county_codes: np.ndarray, per_county: int
) -> pd.DataFrame:
    """The school registry: about ``per_county`` schools a county, stages and ownership drawn
    in realistic shares."""
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


def draw_county_values(
    rng: np.random.Generator, schools: pd.DataFrame, codes: np.ndarray, year: int
) -> pd.DataFrame:
    """One row per county and quarter with every county-level element (numbers around targets)."""
    n = len(codes)
    size = schools.groupby("county_code").size().reindex(codes).fillna(1).to_numpy(dtype=float)
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
        ytd = YTD_SHARES[q] * rng.uniform(0.95, 1.05, n) if q < 3 else np.ones(n)
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
    return _as_typed(pd.concat(frames, ignore_index=True))


def _as_typed(out: pd.DataFrame) -> pd.DataFrame:
    """County figures as a clerk types them: whole counts, the budget to 0.1 万元, and the
    parts of kindergarten enrolment adding up to the total exactly."""
    counts = [c for c in COUNTY_COLUMNS if c != "edu_budget"]
    out[counts] = out[counts].round().astype("int64")
    out["edu_budget"] = out["edu_budget"].round(1)
    out["kg_enrol_other_private"] = (
        out["kg_enrol_total"] - out["kg_enrol_public"] - out["kg_enrol_inclusive_private"]
    )
    return out


def draw_school_values(rng: np.random.Generator, schools: pd.DataFrame, year: int) -> pd.DataFrame:
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
                    "smart_campus_built": (u < smart_share * YTD_SHARES[q]).astype(int),
                    "voc_std_compliant": np.where(
                        (stage == "中职") & public, (u < voc_share * grow).astype(int), 0
                    ),
                    "enrolment": size,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def ledger_rows(plan: Plan, year: int, q: int) -> list[list[object]]:
    """The progress rows of quarter ``q``: one per task and department (lead units first); a
    task that names no department is reported by the plan's issuer."""
    rows: list[list[object]] = []
    for i, task in enumerate(plan.tasks):
        units = task.units or (plan.issuer or "市教育局",)
        for j, unit in enumerate(units):
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
            if q == 1 and i == 2 and j == len(units) - 1:
                status = "未启动"  # a department that starts late in the year
                account = f"{unit}正在制定「{task.title}」实施方案，尚未启动。"
            if status == "滞后":
                account = f"{unit}因人员调整，「{task.title}」部分工作未按序时进度完成。"
            rows.append(
                [
                    task.id,
                    unit,
                    f"{year}Q{q}",
                    status,
                    account,
                    f"{unit}{year}年第{q}季度工作台账",
                    "持续推进，按期完成年度任务" if status != "已完成" else "巩固成果，做好总结",
                    due,
                ]
            )
    return rows


TUNED_PLAN = "2022.yaml"
"""The bundled plan (``data/plans/``) whose targets the hand-tuned values are drawn around."""


@cache
def tuned_targets() -> frozenset[tuple[str, str, float]]:
    """The (indicator, comparator, value) targets the hand-tuned values were made for: a plan
    setting one of them keeps the values as they are (the sample city's reports stay)."""
    from ..plan.files import load_plan
    from ..resources import data_dir

    plan = load_plan(data_dir() / "plans" / TUNED_PLAN)
    return frozenset(
        (g.code, g.comparator, g.value)
        for g in (*plan.goals, *(g for _, g in plan.targets))
        if g.code is not None and not g.change
    )
