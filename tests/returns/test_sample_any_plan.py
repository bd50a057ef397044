"""The sample writer for any plan: the plan's own elements, steered to a mix of statuses."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from planlib import make_sample
from planlib.catalog.definitions import load_indicators
from planlib.catalog.dictionary import load_dictionary
from planlib.monitoring.assessment import assess
from planlib.monitoring.indicators import compute_indicators
from planlib.periods import resolve_periods
from planlib.plan.files import dump_plan
from planlib.plan.model import Plan, Target, Task
from planlib.resources import data_dir
from planlib.returns.dataset import load_dataset
from planlib.returns.ledger import read_ledger
from planlib.returns.sample import write_sample
from planlib.workspace import use_workspace

LIBRARY = [
    "preschool_gross_enrolment_rate",  # a ratio over county elements
    "education_budget",  # a flow total in 亿元
    "standardized_school_coverage",  # a school-flag ratio
    "private_compulsory_share",  # direction: lower
]
EXTRA = yaml.safe_load(
    """
indicators:
  - {code: new_places_total, name: 新增学位数, kind: total, numerator: new_places, factor: 1,
     unit: 个, direction: higher, level: county, temporal: flow, tolerance: {share: 0.05},
     definition: 本年新增的中小学幼儿园学位数。}
  - {code: large_class_share, name: 大班额比例, kind: ratio, numerator: large_classes,
     denominator: classes_total, factor: 100, unit: "%", direction: lower, level: county,
     temporal: stock, tolerance: {points: 0.5}, definition: 大班额班级数占班级总数的百分比。}
  - {code: safe_campus_rate, name: 平安校园达标率, kind: ratio,
     numerator: "sum_schools(safe_campus, stage=小学|初中|九年一贯制)",
     denominator: "count_schools(stage=小学|初中|九年一贯制)", factor: 100, unit: "%",
     direction: higher, level: county, temporal: stock, tolerance: {points: 2.0},
     definition: 平安校园达标的义务教育学校占比。}
  - {code: city_trainings, name: 市级教师培训场次, kind: total, numerator: city_training_sessions,
     factor: 1, unit: 场次, direction: higher, level: city, temporal: flow,
     tolerance: {share: 0.05}, definition: 市级组织的教师培训场次。}
elements:
  - {code: new_places, name: 新增学位数, unit: 个, level: county, kind: count, temporal: flow,
     range: [0, 200000]}
  - {code: large_classes, name: 大班额班级数, unit: 个, level: county, kind: count,
     temporal: stock, range: [0, 50000]}
  - {code: classes_total, name: 中小学班级总数, unit: 个, level: county, kind: count,
     temporal: stock, range: [0, 200000]}
  - {code: safe_campus, name: 平安校园达标, unit: 个, level: school, kind: flag, temporal: stock,
     range: [0, 1]}
  - {code: city_training_sessions, name: 市级教师培训场次, unit: 场次, level: city, kind: count,
     temporal: flow, range: [0, 5000]}
rule: {code: large_le_total, left: large_classes, op: "<=", right: classes_total,
       severity: error, message: 大班额班级数不应超过班级总数}
"""
)
"""The plan's own indicators, elements and rule, beside the library's (as a bureau adds them)."""
EXTRA_INDICATORS, EXTRA_ELEMENTS, EXTRA_RULE = EXTRA["indicators"], EXTRA["elements"], EXTRA["rule"]
CONFIG = (
    '[plan]\nyear = 2023\nfile = "plan.yaml"\n[files]\nindicators = "indicators.yaml"\n'
    'dictionary = "dictionary.yaml"\nallocations = "allocations.csv"\n'
)


def _target(name: str, code: str, cmp: str, value: float, unit: str, scope: str = "rate"):
    return Target(name, cmp, value, unit, code=code, scope=scope)  # type: ignore[arg-type]


def _task(number: str, title: str, lead: str, *targets: Target, **more: tuple[str, ...]) -> Task:
    """A task numbered as the plan numbers it ("1.2"), led by one department."""
    section, n = (int(x) for x in number.split("."))
    return Task(section, n, title, lead_units=(lead,), targets=targets, **more)  # type: ignore[arg-type]


PLAN = Plan(
    title="某市教育局2023年工作要点",
    year=2023,
    issuer="某市教育局",
    tasks=(
        _task(
            "1.1",
            "普及学前教育",
            "学前教育处",
            _target("学前三年毛入园率", "preschool_gross_enrolment_rate", ">=", 92, "%"),
        ),
        _task(
            "1.2",
            "保障教育投入",
            "财务处",
            _target("一般公共预算教育投入", "education_budget", ">=", 200, "亿元", "total"),
            responsible_units=("发展规划处",),
        ),
        _task(
            "1.3",
            "推进义务教育优质均衡",
            "义务教育处",
            _target("义务教育标准化学校覆盖率", "standardized_school_coverage", ">=", 20, "%"),
            _target("民办义务教育在校生占比", "private_compulsory_share", "<=", 5, "%"),
            _target("大班额比例", "large_class_share", "<=", 2, "%"),
            _target("平安校园达标率", "safe_campus_rate", ">=", 85, "%"),
        ),
        _task(
            "2.1",
            "扩容增位",
            "发展规划处",
            _target("新增学位数", "new_places_total", ">=", 6000, "个", "total"),
        ),
        _task(
            "2.2",
            "加强教师培训",
            "教师工作处",
            _target("市级教师培训场次", "city_trainings", ">=", 60, "场次", "total"),
        ),
        Task(3, 1, "加强党的建设"),  # no departments named: the issuer reports on it
    ),
)
TARGETED = [g.code for _, g in PLAN.targets]


def _names(text: str) -> set[str]:
    return set(re.findall(r"[a-z_][a-z0-9_]*", text))


def write_catalog(folder: Path, plan: Plan = PLAN) -> None:
    """indicators.yaml and dictionary.yaml: the library's four plus the plan's own."""
    lib = data_dir() / "library"
    inds = yaml.safe_load((lib / "indicators.yaml").read_text(encoding="utf-8"))
    dic = yaml.safe_load((lib / "dictionary.yaml").read_text(encoding="utf-8"))
    chosen = [i for i in inds["indicators"] if i["code"] in LIBRARY]
    used = _names(" ".join(f"{i['numerator']} {i.get('denominator', '')}" for i in chosen))
    inds["indicators"] = chosen + EXTRA_INDICATORS
    dic["elements"] = [e for e in dic["elements"] if e["code"] in used] + EXTRA_ELEMENTS
    codes = {e["code"] for e in dic["elements"]}
    dic["rules"] = [r for r in dic["rules"] if _names(f"{r['left']} {r['right']}") <= codes] + [
        EXTRA_RULE
    ]
    dic["peer_ratios"] = [
        p for p in dic["peer_ratios"] if _names(f"{p['numerator']} {p['denominator']}") <= codes
    ]
    for name, data in (("indicators.yaml", inds), ("dictionary.yaml", dic)):
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "planlib.toml").write_text(CONFIG, encoding="utf-8")
    dump_plan(plan, folder / "plan.yaml")


def allocations(folder: Path) -> pd.DataFrame:
    """The city totals shared by each county's schools (as init fills them for a sample city)."""
    schools = pd.read_csv(folder / "schools.csv", dtype=str)
    size = schools.groupby("county_code").size() + 1
    return pd.concat(
        [
            pd.DataFrame(
                {"county": size.index, "indicator": code, "target": value * size / size.sum()}
            )
            for code, value in (("new_places_total", 6000), ("education_budget", 200))
        ],
        ignore_index=True,
    )


def make(folder: Path, seed: int = 2023, plan: Plan = PLAN) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_catalog(folder, plan)
    with use_workspace(folder):
        write_sample(
            folder,
            plan=plan,
            indicators=load_indicators(folder / "indicators.yaml"),
            dictionary=load_dictionary(folder / "dictionary.yaml"),
            seed=seed,
            counties=8,
            schools_per_county=40,
        )


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("anyplan") / "ws"
    make(folder)
    return folder


@pytest.fixture(scope="module")
def computed(workspace: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    with use_workspace(workspace):
        ind = load_indicators(workspace / "indicators.yaml")
        ds = load_dataset(workspace, cache=False)
        frame = compute_indicators(ds, indicators=ind)
        result = assess(frame, PLAN, allocations=allocations(workspace), definitions=ind)
    return ds.problems, frame, result


def test_returns_have_exactly_the_dictionarys_elements(workspace):
    wb = load_workbook(workspace / "returns" / "2023Q1" / "990102.xlsx")
    county = [c.value for c in wb["县级汇总"][3]][3:]
    school = [c.value for c in wb["学校明细"][3]][3:]
    d = load_dictionary(workspace / "dictionary.yaml")
    assert county == [
        f"{e.name}（万元）" if e.unit == "万元" else e.name for e in d.elements_at("county")
    ]
    assert school == [e.name for e in d.elements_at("school")]
    city = load_workbook(workspace / "city" / "2023Q4.xlsx").active
    assert [c.value for c in city[3]] == ["行政区划代码", "单位名称", "报告期", "市级教师培训场次"]
    # the plan's year, and last year's returns for the flows' projection by last year's pattern
    assert sorted(p.name for p in (workspace / "returns").iterdir()) == [
        f"{y}Q{q}" for y in (2022, 2023) for q in range(1, 5)
    ]


def test_validates_without_errors(computed):
    problems, _, _ = computed
    assert not (problems["severity"] == "error").any(), problems.head().to_string()
    assert (problems["severity"] == "warning").sum() <= 3  # the late county, little else


def test_every_targeted_indicator_has_every_unit_every_quarter(computed, workspace):
    _, frame, _ = computed
    units = pd.read_csv(workspace / "org_units.csv", dtype=str)
    counties = set(units.loc[units["type"].isin(["区", "县", "县级市"]), "code"])
    late = {c for c in counties if not any((workspace / "returns" / "2023Q3").glob(f"{c}*"))}
    assert len(late) == 1  # one county is late with its third quarter (a completeness demo)
    for code in TARGETED:
        rows = frame[(frame["indicator"] == code) & frame["value"].notna()]
        rows = rows[rows["period"].str.startswith("2023")]  # last year's are there for history
        assert set(rows["period"]) == {f"2023Q{q}" for q in range(1, 5)}, code
        for period, got in rows.groupby("period"):
            want = {"990100"} | (counties if code != "city_trainings" else set())
            if period == "2023Q3" and code != "city_trainings":
                want -= late | {"990100"}  # and the city's total waits for it
            assert want <= set(got["org_code"]), (code, period)


def test_the_plans_own_indicators_show_a_mix_of_statuses(computed):
    _, _, result = computed
    county = result[(result["level"] == "county") & (result["period"] == "2023Q4")]
    assert county["status"].nunique() > 1
    for code in ("new_places_total", "large_class_share", "safe_campus_rate"):
        statuses = county.loc[county["indicator"] == code, "status"].value_counts()
        assert statuses.get("达标", 0) >= len(county) / len(TARGETED) / 3, (code, statuses)
        assert len(statuses) >= 2, (code, statuses)
    # lower is better: the counties that meet 大班额比例 ≤ 2% are below it
    large = county[county["indicator"] == "large_class_share"]
    assert (large.loc[large["status"] == "达标", "value_shown"] <= 2).all()
    city = result[(result["level"] == "city") & (result["indicator"] == "new_places_total")]
    assert city["value"].iloc[-1] == pytest.approx(6000, rel=0.1)


def test_same_seed_same_files(tmp_path, workspace):
    make(tmp_path / "again")
    make(tmp_path / "other", seed=1)

    def content(folder: Path) -> dict[str, object]:
        out: dict[str, object] = {}
        for f in sorted(folder.rglob("*")):
            key = str(f.relative_to(folder))
            if f.suffix == ".xlsx":
                wb = load_workbook(f)
                out[key] = [list(r) for ws in wb.worksheets for r in ws.iter_rows(values_only=True)]
            elif f.is_file():
                out[key] = hashlib.sha256(f.read_bytes()).hexdigest()
        return out

    assert content(tmp_path / "again") == content(workspace)
    assert content(tmp_path / "other") != content(workspace)


def test_ledger_rows_are_the_given_plans_tasks(workspace):
    ledger, problems = read_ledger(workspace / "ledger")
    assert not problems
    assert set(ledger["task_id"]) == {t.id for t in PLAN.tasks}
    assert set(ledger["period"]) == {f"2023Q{q}" for q in range(1, 5)}
    assert set(ledger.loc[ledger["task_id"] == "3.1", "unit"]) == {"某市教育局"}
    assert set(ledger.loc[ledger["task_id"] == "1.2", "unit"]) == {"财务处", "发展规划处"}


def test_the_bureaus_own_registry_is_used_and_not_written(tmp_path, workspace):
    units = pd.read_csv(workspace / "org_units.csv", dtype=str, keep_default_na=False)
    schools = pd.read_csv(workspace / "schools.csv", dtype=str, keep_default_na=False)
    units, schools = units[units["code"] != "990121"], schools[schools["county_code"] != "990121"]
    out = tmp_path / "own"
    out.mkdir()
    plan = Plan(title="无任务的计划", year=2024)
    s = write_sample(
        out,
        plan=plan,
        indicators=load_indicators(workspace / "indicators.yaml"),
        dictionary=load_dictionary(workspace / "dictionary.yaml"),
        units=units,
        schools=schools,
    )
    assert s.counties == 7 and s.schools == len(schools)
    assert s.periods == ("2024Q1", "2024Q2", "2024Q3", "2024Q4")
    assert not (out / "org_units.csv").exists() and not (out / "schools.csv").exists()
    assert not (out / "ledger").exists()  # a plan without tasks has no ledger
    assert {p.name for p in (out / "returns" / "2024Q1").iterdir()} >= {"990102.xlsx"}


def test_the_bundled_sample_is_unchanged(tmp_path):
    """make_sample still writes the numbers it wrote before write_sample (seed 2022)."""
    make_sample(tmp_path, seed=2022, counties=2, schools_per_county=20)
    wb = load_workbook(tmp_path / "returns" / "2022Q4" / "990102.xlsx")
    # the hand-tuned columns as before; the workspace's optional 15-18岁户籍人口数 (the 户籍, 15–18
    # 口径 of 高中阶段毛入学率) follows them
    expected = ["990102", "城关区", "2022Q4", 1796, 1713, 6008, 1813, 2440, 1750, 1823]
    expected += [1072, 519, 232, 5887, 5882, 6022, 501, 645, 670, 20, 17, 18, 18, 1007, 671]
    expected += [205919.4, 160, 424]
    assert [c.value for c in wb["县级汇总"][4]][:28] == expected
    assert wb["学校明细"].max_row == 31
    assert [c.value for c in wb["学校明细"][4]] == [
        "9901020001",
        "城关区第1小学",
        "小学",
        0,
        0,
        0,
        0,
        1884,
    ]
    wb = load_workbook(tmp_path / "returns" / "2022Q1" / "990103.xlsx")
    header = [c.value for c in wb["县级汇总"][3]]
    assert header[9] == "在园幼儿人数" and header[25] == "一般公共预算教育投入（亿元）"
    assert [c.value for c in wb["县级汇总"][4]][25:28] == [2.9224, 24, 55]
    city = load_workbook(tmp_path / "city" / "2022Q4.xlsx").active
    assert [c.value for c in city[4]] == ["990100", "云江市", "2022Q4", 4]
    ledger, _ = read_ledger(tmp_path / "ledger")
    assert ledger["task_id"].nunique() == 5 and set(ledger["period"]) == {
        "2022Q1",
        "2022Q2",
        "2022Q3",
        "2022Q4",
    }


# --- a plan far from the hand-tuned values, with a change target -------------------------------

FAR = Plan(
    title="某州教育体育局2023年工作要点",
    year=2023,
    issuer="某州教育体育局",
    tasks=(
        _task(
            "1.1",
            "普及学前教育",
            "学前教育科",
            _target("学前三年毛入园率", "preschool_gross_enrolment_rate", ">=", 80, "%"),
        ),
        _task(
            "1.2",
            "落实经费保障",
            "计划财务科",
            Target(
                "一般公共预算教育支出",
                ">=",
                12.5,
                "亿元",
                code="education_budget",
                aspirational=True,
                scope="total",
            ),
        ),
        _task(
            "1.3",
            "推进义务教育优质均衡",
            "基础教育科",
            _target("义务教育标准化学校覆盖率", "standardized_school_coverage", ">=", 100, "%"),
            Target(
                "民办义务教育在校生占比较上年",
                "<=",
                0.5,
                "个百分点",
                code="private_compulsory_share",
                change=True,
            ),
        ),
    ),
)


@pytest.fixture(scope="module")
def far(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("far") / "ws"
    make(folder, plan=FAR)
    with use_workspace(folder):
        ind = load_indicators(folder / "indicators.yaml")
        ds = load_dataset(folder, cache=False)
        result = assess(compute_indicators(ds, indicators=ind), FAR, definitions=ind)
    return folder, ds.problems, result


def test_hand_tuned_values_far_from_the_targets_are_steered(far):
    _, _, result = far
    year_end = result[result["period"] == "2023Q4"]
    city = year_end[year_end["level"] == "city"].set_index("indicator")
    assert city.loc["education_budget", "value"] == pytest.approx(12.5, rel=0.1)  # not ≈207亿元
    for code, target in (
        ("standardized_school_coverage", 100),
        ("preschool_gross_enrolment_rate", 80),
    ):
        assert abs(city.loc[code, "value"] - target) <= 3 * city.loc[code, "tolerance"], code
    county = year_end[year_end["level"] == "county"]
    for code in (
        "education_budget",
        "standardized_school_coverage",
        "preschool_gross_enrolment_rate",
    ):
        statuses = county.loc[county["indicator"] == code, "status"].value_counts()
        assert statuses.get("达标", 0) >= 3 and len(statuses) >= 2, (code, statuses)


def test_a_change_target_is_judged_against_last_year(far):
    folder, _, result = far
    # a plan with 较上年 targets: last year's fourth quarter is the baseline, Q1-Q3 the pattern
    assert sorted(p.name for p in (folder / "returns").iterdir()) == [
        f"{y}Q{q}" for y in (2022, 2023) for q in range(1, 5)
    ]
    ds_periods = sorted(p.name for p in (folder / "returns").iterdir())
    assert resolve_periods(ds_periods, "latest") == ["2023Q4"]
    change = result[
        (result["indicator"] == "private_compulsory_share") & (result["period"] == "2023Q4")
    ]
    assert set(change["level"]) == {"city", "county"}
    assert not (change["status"] == "无数据").any()
    assert change.loc[change["level"] == "county", "status"].nunique() >= 2
    assert (change["target_source"] == "较上年第四季度变化").all()


def test_the_far_plans_sample_validates(far):
    _, problems, _ = far
    assert not (problems["severity"] == "error").any(), problems.head().to_string()
    assert (problems["severity"] == "warning").sum() <= 3, problems.to_string()
