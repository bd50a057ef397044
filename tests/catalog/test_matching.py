"""Matching a plan's targets to library indicators, and plan indicators where none fits.

The wordings below are invented in the habits of real plans (scope words, verbs and comparators
leaked into names, brackets, 的, 比例/占比 and 数 differences); none is copied from a document.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from planlib.catalog.definitions import IndicatorSet, load_indicators
from planlib.catalog.dictionary import load_dictionary
from planlib.catalog.matching import (
    LIKELY,
    WEAK,
    Match,
    describe_match,
    match_target,
    normalise,
    plan_indicator,
    stages,
)
from planlib.resources import data_dir

SURE = ("exact", "likely")


@pytest.fixture(scope="module")
def live() -> IndicatorSet:
    return load_indicators(data_dir() / "library" / "indicators.yaml")


def _ratio(code: str, name: str, aliases: tuple[str, ...] = (), direction: str = "higher") -> dict:
    return {
        "code": code, "name": name, "aliases": list(aliases), "kind": "ratio",
        "numerator": f"{code}_n", "denominator": f"{code}_d", "factor": 100, "unit": "%",
        "direction": direction, "level": "county", "tolerance": {"points": 1.0},
    }  # fmt: skip


def _total(code: str, name: str, unit: str, aliases: tuple[str, ...] = ()) -> dict:
    return {
        "code": code, "name": name, "aliases": list(aliases), "kind": "total",
        "numerator": f"{code}_v", "factor": 1, "unit": unit, "direction": "higher",
        "level": "county", "tolerance": {"share": 0.05},
    }  # fmt: skip


FIXTURE = [
    _ratio("primary_net", "小学净入学率", ("小学学龄儿童净入学率",)),
    _ratio("primary_degree", "小学专任教师本科以上学历比例", ("小学专任教师本科及以上学历占比",)),
    _ratio("junior_degree", "初中专任教师本科以上学历比例"),
    _ratio("fitness_good", "学生体质健康优良率"),
    _ratio("myopia", "中小学生近视率", direction="lower"),
    _ratio("std_coverage", "义务教育标准化学校覆盖率"),
    _ratio("hs_gross", "高中阶段毛入学率"),
    _ratio("kg_gross", "学前三年毛入园率", ("学前三年毛入学率",)),
    _ratio("broadband", "中小学互联网接入率"),
    _total("smart", "新建智慧校园数", "所"),
    _total("budget", "教育经费投入", "万元", ("教育经费总投入",)),
    _total("teachers", "专任教师数", "人"),
    _total("trainings", "教师培训人次", "人次"),
    _total("majors", "市级重点建设专业数", "个"),
]


@pytest.fixture(scope="module")
def fixture_lib(tmp_path_factory: pytest.TempPathFactory) -> IndicatorSet:
    path = tmp_path_factory.mktemp("lib") / "indicators.yaml"
    path.write_text(yaml.safe_dump({"indicators": FIXTURE}, allow_unicode=True), encoding="utf-8")
    return load_indicators(path)


# --- the live library: the original 16, worded as plans word them ---------------------------------
@pytest.mark.parametrize(
    ("name", "unit", "code"),
    [
        ("学前三年毛入学率", "%", "preschool_gross_enrolment_rate"),
        ("全市学前三年毛入园率达到", "%", "preschool_gross_enrolment_rate"),
        ("学前三年毛入园（学）率", "%", "preschool_gross_enrolment_rate"),
        ("各县（市、区）普惠性幼儿园覆盖率", "%", "inclusive_kindergarten_share"),
        ("普惠园在园幼儿比例", "%", "inclusive_kindergarten_share"),
        ("公办幼儿园在园幼儿所占比例", "%", "public_kindergarten_share"),
        ("我市义务教育入学率保持在", "%", "compulsory_enrolment_rate"),
        ("九年义务教育巩固率稳定在", "%", "compulsory_retention_rate"),
        ("全区义务教育标准化学校达标率", "%", "standardized_school_coverage"),
        ("民办义务教育在校生比重控制在", "%", "private_compulsory_share"),
        ("适龄残疾儿童少年入学(安置)率", "%", "disabled_placement_rate"),
        ("适龄残疾儿童少年入学率", "%", "disabled_placement_rate"),
        ("全县高中阶段毛入学率力争达到", "%", "high_school_gross_enrolment_rate"),
        ("公办中职学校标准化率达", "%", "public_vocational_standardization_rate"),
        ("省级示范性高中", "所", "provincial_model_high_schools"),
        ("市级重点建设专业", "个", "city_key_majors"),
        ("新建智慧校园", "所", "new_smart_campuses"),
        ("全市一般公共预算教育经费", "亿元", "education_budget"),
        ("一般公共预算教育投入", "万元", "education_budget"),
        ("新增教师编制", "人", "new_teacher_posts"),
        ("全年补充教师", "人", "teachers_recruited"),
    ],
)
def test_live_names_after_normalisation_are_exact(live, name, unit, code):
    m = match_target(live, name, unit)
    assert (m.code, m.confidence, m.score) == (code, "exact", 1.0)


@pytest.mark.parametrize(
    ("name", "unit", "code"),
    [
        ("学前教育三年毛入园率", "%", "preschool_gross_enrolment_rate"),
        ("毛入园率", "%", "preschool_gross_enrolment_rate"),  # 入园 says 学前 by itself
        ("学前三年幼儿毛入园率", "%", "preschool_gross_enrolment_rate"),
        ("义务教育阶段适龄儿童入学率", "%", "compulsory_enrolment_rate"),
        ("九年义务教育阶段巩固率", "%", "compulsory_retention_rate"),
        ("义务教育标准化学校建设覆盖率", "%", "standardized_school_coverage"),
        ("高中阶段教育的毛入学率", "%", "high_school_gross_enrolment_rate"),
        ("新建成智慧校园数", "所", "new_smart_campuses"),
        ("一般公共预算教育经费投入", "亿元", "education_budget"),
    ],
)
def test_live_variants_are_likely(live, name, unit, code):
    m = match_target(live, name, unit)
    assert m.code == code and m.confidence in SURE, m
    assert m.score >= LIKELY and m.candidates[0][0] == code


@pytest.mark.parametrize(
    ("name", "unit", "wrong"),
    [
        ("初中净入学率", "%", "compulsory_enrolment_rate"),
        ("中小学生近视率", "%", "compulsory_enrolment_rate"),
        ("新建公办幼儿园", "所", "new_smart_campuses"),
        ("教师培训", "人次", "teachers_recruited"),
        ("学生体质健康优良率", "%", "preschool_gross_enrolment_rate"),
        ("义务教育阶段专任教师本科以上学历占比", "%", "private_compulsory_share"),
    ],
)
def test_live_unrelated_targets_never_match(live, name, unit, wrong):
    # The library grows while plans are matched: whatever else these find, never ``wrong``.
    m = match_target(live, name, unit)
    assert not (m.code == wrong and m.confidence in SURE), m
    assert dict(m.candidates).get(wrong, 0.0) < WEAK


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("初中净入学率", "%"),
        ("中小学教师培训经费", "万元"),
        ("新建公办幼儿园", "所"),
        ("九年义务教育巩固率", "%"),  # not in this library: nothing, not a near name
        ("民办义务教育在校生比重", "%"),
        ("公办中职学校标准化率", "%"),
    ],
)
def test_fixture_unrelated_targets_find_nothing(fixture_lib, name, unit):
    m = match_target(fixture_lib, name, unit)
    assert (m.code, m.confidence) == (None, "none"), m
    assert m.score < WEAK and len(m.candidates) == 3


def test_live_vocational_never_matches_compulsory_standardisation(live):
    m = match_target(live, "中职学校标准化率", "%")
    assert m.code != "standardized_school_coverage"
    assert dict(m.candidates).get("standardized_school_coverage", 0) < WEAK


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("一般公共预算教育投入", "%"),  # an amount named, a percentage given (a growth rate?)
        ("省级示范性高中数", "%"),
        ("高中阶段毛入学率", "人"),  # a count with a 率 name
        ("新增教师可用编制数", "%"),
    ],
)
def test_live_exact_name_with_conflicting_unit_is_only_uncertain(live, name, unit):
    m = match_target(live, name, unit)
    assert m.confidence == "uncertain" and "单位" in m.reason
    assert m.score < WEAK


def test_live_bare_rate_word_is_uncertain(live):
    m = match_target(live, "入学率", "%")
    assert m.confidence == "uncertain" and m.reason == "候选接近"
    assert len({c for c, s in m.candidates if s >= WEAK}) >= 2


def test_source_phrase_is_a_weaker_signal(fixture_lib):
    bare = match_target(fixture_lib, "毛入学率", "%")
    assert bare.confidence == "uncertain"
    pre = match_target(fixture_lib, "毛入学率", "%", text="到年底，全市学前三年毛入学率达到92%以上")
    hs = match_target(fixture_lib, "毛入学率", "%", text="高中阶段毛入学率稳定在95%")
    assert (pre.code, pre.confidence) == ("kg_gross", "likely")
    assert (hs.code, hs.confidence) == ("hs_gross", "likely")
    # The text never overrides the name itself.
    m = match_target(fixture_lib, "初中净入学率", "%", text="全市小学净入学率达到100%")
    assert m.confidence == "none"


# --- rules, on a small library of similar names ----------------------------------------------------
@pytest.mark.parametrize(
    ("name", "unit", "code", "confidence"),
    [
        ("小学专任教师本科及以上学历比例", "%", "primary_degree", "exact"),
        ("小学专任教师本科以上学历占比", "%", "primary_degree", "exact"),
        ("初中专任教师本科及以上学历的比例", "%", "junior_degree", "exact"),
        ("全市学生体质健康优良率", "%", "fitness_good", "exact"),
        ("学生体质健康达标优良率", "%", "fitness_good", "likely"),
        ("中小学生近视率控制在", "%", "myopia", "exact"),
        ("中小学生视力不良率", "%", "myopia", "uncertain"),  # words the target adds
        ("中小学生体质健康合格率", "%", None, "none"),  # 合格 is another grade than 优良
        ("普通高中毛入学率", "%", "hs_gross", "uncertain"),  # stages agree, names differ
        ("新建智慧校园", "个", "smart", "exact"),  # 个 and 所 both count things
        ("全市教育经费总投入", "亿元", "budget", "exact"),  # 亿元 ↔ 万元
        ("专任教师", "名", "teachers", "exact"),  # 名 ↔ 人
        ("教师培训", "人次", "trainings", "exact"),
        ("学前教育三年毛入学率", "%", "kg_gross", "likely"),
    ],
)
def test_fixture_rules(fixture_lib, name, unit, code, confidence):
    m = match_target(fixture_lib, name, unit)
    assert (m.code, m.confidence) == (code, confidence), m


@pytest.mark.parametrize(
    ("name", "unit", "wrong"),
    [
        ("初中净入学率", "%", "primary_net"),  # stages disagree
        ("初中学龄儿童净入学率", "%", "primary_net"),
        ("高校专任教师本科以上学历比例", "%", "primary_degree"),
        ("中职学校标准化率", "%", "std_coverage"),
        ("入学率", "%", "myopia"),
        ("近视率", "%", "primary_net"),
        ("新建公办幼儿园", "所", "smart"),
        ("教育经费投入", "%", "budget"),  # a percentage is never a total
        ("专任教师", "万元", "teachers"),  # money is not people
        ("中小学互联网接入", "所", "broadband"),  # a count is never a rate
    ],
)
def test_fixture_must_not_match(fixture_lib, name, unit, wrong):
    m = match_target(fixture_lib, name, unit)
    assert not (m.code == wrong and m.confidence in SURE), m
    assert dict(m.candidates).get(wrong, 0.0) < LIKELY


def test_near_identical_neighbours_make_it_uncertain(fixture_lib):
    # Only the stage tells these apart; without one, neither may be taken.
    m = match_target(fixture_lib, "专任教师本科以上学历比例", "%")
    assert m.confidence == "uncertain" and m.reason == "候选接近"
    assert {c for c, _ in m.candidates[:2]} == {"primary_degree", "junior_degree"}


def test_unit_missing_falls_back_on_the_name(fixture_lib):
    assert match_target(fixture_lib, "学生体质健康优良率").confidence == "exact"
    assert match_target(fixture_lib, "新建智慧校园数").code == "smart"


def test_normalise_and_stages():
    assert normalise("各县（市、区）学前三年毛入园率力争达到92%以上") == ("学前三年毛入园率",)
    assert normalise("适龄残疾儿童少年入学（安置）率") == (
        "适龄残疾儿童少年入学率",
        "适龄残疾儿童少年入学安置率",
    )
    assert normalise("省级示范性高中数") == normalise("省级示范性高中")
    assert normalise("专任教师本科及以上学历比例") == normalise("专任教师本科以上学历占比")
    assert normalise("城区学校大班额比例")[0].startswith("城区")  # a subset, not a scope
    assert stages("职业高中招生数") == {"vocational"}
    assert stages("高中阶段毛入学率") == {"upper"}
    assert stages("九年一贯制") == frozenset()


def test_describe_match(live):
    line = describe_match(match_target(live, "学前教育三年毛入园率", "%"), live)
    assert line.startswith(
        "学前教育三年毛入园率 → 学前三年毛入园率（preschool_gross_enrolment_rate）"
    )
    assert "相似度 0.85" in line and "其他候选" in line
    assert "名称一致" in describe_match(match_target(live, "补充教师", "人"), live)
    none = describe_match(match_target(live, "家长学校开办率", "%"), live)
    assert none.startswith("家长学校开办率：指标库中没有相符的指标")
    unsure = describe_match(match_target(live, "入学率", "%"), live)
    assert "请确认" in unsure and "候选接近" in unsure
    assert Match(None, "none", 0.0).candidates == ()


# --- plan indicators --------------------------------------------------------------------------------
def _round_trip(tmp_path: Path, entry: dict, elements: list[dict]) -> None:
    """The dicts load with the library's own loaders: same schemas."""
    ind = tmp_path / "indicators.yaml"
    ind.write_text(yaml.safe_dump({"indicators": [entry]}, allow_unicode=True), encoding="utf-8")
    dic = tmp_path / "dictionary.yaml"
    dic.write_text(yaml.safe_dump({"elements": elements}, allow_unicode=True), encoding="utf-8")
    loaded = load_indicators(ind)
    assert loaded[entry["code"]].source == "本计划"
    assert {e.code for e in load_dictionary(dic).elements} == {e["code"] for e in elements}


def test_plan_indicator_count_flow(tmp_path):
    entry, elements = plan_indicator("全市新建公办幼儿园达到", "所", ">=", set())
    assert entry["code"].startswith("plan_") and len(entry["code"]) == 13
    assert entry["code"].isascii() and "origin" not in entry
    assert (entry["name"], entry["kind"], entry["unit"], entry["temporal"]) == (
        "新建公办幼儿园数", "total", "所", "flow",
    )  # fmt: skip
    assert (entry["precision"], entry["direction"], entry["category"]) == (0, "higher", "学前教育")
    assert entry["tolerance"] == {"share": 0.05}
    (el,) = elements
    assert (el["kind"], el["unit"], el["temporal"], el["level"]) == (
        "count",
        "所",
        "flow",
        "county",
    )
    assert entry["numerator"] == el["code"]
    _round_trip(tmp_path, entry, elements)


def test_plan_indicator_stock_and_stable_code():
    a, (el,) = plan_indicator("省级特色普通高中", "所", ">=", set())
    b, _ = plan_indicator("省级特色普通高中", "所", ">=", set())
    assert a["code"] == b["code"] and el["temporal"] == "stock"
    assert a["category"] == "高中阶段教育"
    assert plan_indicator("校园安全培训", "人次", ">=", set())[1][0]["temporal"] == "flow"


def test_plan_indicator_amount_in_yi_yuan(tmp_path):
    entry, (el,) = plan_indicator("教育费附加投入", "亿元", ">=", set())
    assert (entry["unit"], entry["factor"], entry["precision"]) == ("亿元", 0.0001, 2)
    assert (el["unit"], el["kind"], el["temporal"]) == ("万元", "amount", "flow")
    assert entry["tolerance"] == {"share": 0.03} and entry["category"] == "综合"
    _round_trip(tmp_path, entry, [el])


def test_plan_indicator_rate_with_derived_parts(tmp_path):
    entry, (num, den) = plan_indicator("学生体质健康优良率", "%", ">=", set())
    assert (num["name"], den["name"]) == ("体质健康优良学生数", "体质健康测试学生数")
    assert (entry["kind"], entry["factor"], entry["unit"], entry["precision"]) == (
        "ratio", 100, "%", 1,
    )  # fmt: skip
    assert entry["tolerance"] == {"points": 1.0} and entry["count_unit"] == "人"
    assert (entry["numerator"], entry["denominator"]) == (num["code"], den["code"])
    _round_trip(tmp_path, entry, [num, den])
    _, (n2, d2) = plan_indicator("小学专任教师本科及以上学历比例", "%", ">=", set())
    assert (n2["name"], d2["name"]) == ("小学本科及以上学历专任教师数", "小学专任教师数")
    _, (n3, d3) = plan_indicator("民办学校在校生占全部在校生比例", "%", "<=", set())
    assert (n3["name"], d3["name"]) == ("民办学校在校生数", "全部在校生数")


def test_plan_indicator_lower_is_better_rate():
    entry, (num, den) = plan_indicator("中小学生近视率", "%", "<=", set())
    assert entry["direction"] == "lower" and entry["category"] == "综合"
    assert (num["name"], den["name"]) == ("近视中小学生数", "中小学生数")


def test_plan_indicator_rate_without_good_words_falls_back():
    entry, (num, den) = plan_indicator("学前教育普及普惠县创建率", "%", ">=", set())
    assert num["name"] == "学前教育普及普惠县创建率分子：达标数"
    assert den["name"] == "学前教育普及普惠县创建率分母：总数"
    assert entry["category"] == "学前教育"


def test_plan_indicator_codes_and_names_do_not_clash():
    first, _ = plan_indicator("新建公办幼儿园", "所", ">=", set())
    second, (el,) = plan_indicator(
        "新建公办幼儿园", "所", ">=", {first["code"]}, names_in_use={"新建公办幼儿园数"}
    )
    assert second["code"] == first["code"] + "_2"
    assert el["name"] == "新建公办幼儿园数（本计划）"


# --- speed ------------------------------------------------------------------------------------------
def test_hundred_targets_against_hundred_indicators(tmp_path):
    """Measured on the development machine: about 0.1 s for 100 × 100 (first call included)."""
    stages_ = [
        "学前",
        "小学",
        "初中",
        "义务教育",
        "普通高中",
        "中职",
        "高校",
        "特殊教育",
        "全市",
        "农村",
    ]
    measures = ["专任教师数", "在校生数", "毛入学率", "巩固率", "达标率", "生均经费", "学校数",
                "专任教师研究生学历比例", "体质健康优良率", "近视率"]  # fmt: skip
    items = []
    for i, s in enumerate(stages_):
        for j, m in enumerate(measures):
            code = f"i{i}_{j}"
            rate = m.endswith(("率", "比例"))
            items.append(_ratio(code, s + m) if rate else _total(code, s + m, "人"))
    path = tmp_path / "indicators.yaml"
    path.write_text(yaml.safe_dump({"indicators": items}, allow_unicode=True), encoding="utf-8")
    lib = load_indicators(path)
    targets = [(f"全市{it['name']}达到", it["unit"]) for it in items]
    start = time.perf_counter()
    found = [match_target(lib, n, u) for n, u in targets]
    elapsed = time.perf_counter() - start
    print(f"100 targets × {len(lib)} indicators: {elapsed:.3f} s")
    assert [m.code for m in found] == [it["code"] for it in items]
