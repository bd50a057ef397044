"""The bundled library of standard indicators: what it holds, and that it is consistent."""

from __future__ import annotations

import pytest
import yaml

from planlib.catalog.definitions import load_indicators
from planlib.catalog.dictionary import load_dictionary, normalise_header
from planlib.resources import data_dir

LIBRARY = data_dir() / "library"
CATEGORIES = {
    "学前教育", "义务教育", "高中阶段教育", "职业教育", "高等教育", "特殊教育", "教师队伍",
    "教育经费", "办学条件", "学生发展", "教育信息化", "终身教育", "综合",
}  # fmt: skip
ORIGINAL: dict[str, tuple[object, object]] = {
    # numerator and denominator of the 16 first indicators, as in git show HEAD (ba956f4)
    "preschool_gross_enrolment_rate": (
        "kg_enrol_total",
        {"choose": ["population_basis"], "options": {"常住": "pop_3_5", "户籍": "pop_3_5_hukou"}},
    ),
    "inclusive_kindergarten_share": (
        "kg_enrol_public + kg_enrol_inclusive_private",
        "kg_enrol_total",
    ),
    "public_kindergarten_share": ("kg_enrol_public", "kg_enrol_total"),
    "compulsory_enrolment_rate": ("school_age_enrolled", "school_age_children"),
    "compulsory_retention_rate": (
        "junior_grad_cohort",
        {
            "choose": ["retention_base"],
            "options": {
                "入学人数": "grade1_entry_cohort",
                "调整转入转出": "grade1_entry_cohort + cohort_transfer_in - cohort_transfer_out",
            },
        },
    ),
    "standardized_school_coverage": (
        "sum_schools(std_compliant, stage=小学|初中|九年一贯制)",
        "count_schools(stage=小学|初中|九年一贯制)",
    ),
    "private_compulsory_share": ("compulsory_enrol_private", "compulsory_enrol_total"),
    "disabled_placement_rate": ("disabled_placed", "disabled_school_age"),
    "high_school_gross_enrolment_rate": (
        "hs_enrol_general + hs_enrol_vocational",
        {
            "choose": ["population_basis", "high_school_age_band"],
            "options": {
                "常住": {"15–17": "pop_15_17", "15–18": "pop_15_18"},
                "户籍": {"15–17": "pop_15_17_hukou", "15–18": "pop_15_18_hukou"},
            },
        },
    ),
    "public_vocational_standardization_rate": (
        "sum_schools(voc_std_compliant, stage=中职, ownership=公办)",
        "count_schools(stage=中职, ownership=公办)",
    ),
    "provincial_model_high_schools": ("sum_schools(provincial_model, stage=普通高中)", None),
    "city_key_majors": ("city_key_majors", None),
    "new_smart_campuses": ("sum_schools(smart_campus_built)", None),
    "education_budget": ("edu_budget", None),
    "new_teacher_posts": ("teacher_posts_new", None),
    "teachers_recruited": ("teachers_recruited", None),
}


@pytest.fixture(scope="module")
def indicators():
    return load_indicators(LIBRARY / "indicators.yaml")


@pytest.fixture(scope="module")
def dictionary():
    return load_dictionary(LIBRARY / "dictionary.yaml")


def test_library_loads_with_enough_indicators(indicators, dictionary) -> None:
    """Both files load; the library covers at least 85 indicators."""
    assert len(indicators) >= 85
    assert len(dictionary.elements) >= 100
    assert len(set(indicators.codes)) == len(indicators)


def test_every_indicator_names_its_source_and_category(indicators) -> None:
    """Each definition cites a document (or the common local wording) and has a known category."""
    for ind in indicators:
        assert ind.source.strip(), ind.code
        assert ind.category in CATEGORIES, ind.code
        assert ind.definition.strip(), ind.code
    assert {ind.category for ind in indicators} == CATEGORIES


def test_new_indicators_have_two_to_six_aliases(indicators) -> None:
    """Plans word an indicator in several ways; every added indicator lists a few of them."""
    for ind in indicators:
        if ind.code not in ORIGINAL and ind.kind in ("ratio", "total"):
            assert 2 <= len(ind.aliases) <= 6, ind.code


def test_every_formula_term_is_an_element_of_the_right_level(indicators, dictionary) -> None:
    """Bare names are county (or, for city indicators, city) elements; sum_schools sums school
    elements."""
    level = {e.code: e.level for e in dictionary.elements}
    level |= {st.code: "school" for st in indicators.standards}  # derived per school, summed alike
    for ind in indicators:
        unit_levels = {"county"} if ind.level == "county" else {"county", "city"}
        formulas = [ind.numerator] + ([ind.denominator] if ind.denominator else [])
        for formula in formulas:
            for term in formula.all_terms:
                if term.kind == "unit":
                    assert level.get(term.element) in unit_levels, (ind.code, term.element)
                elif term.kind == "school_sum":
                    assert level.get(term.element) == "school", (ind.code, term.element)


def test_elements_have_known_units_and_unique_headers(dictionary) -> None:
    """Every unit converts, and no header (name or alias) names two elements."""
    seen: dict[str, str] = {}
    for e in dictionary.elements:
        assert e.unit in dictionary.units, e.code
        assert e.minimum <= e.maximum, e.code
        for header in (e.name, *e.aliases):
            key = normalise_header(header)
            assert seen.setdefault(key, e.code) == e.code, header


@pytest.mark.parametrize(
    ("wording", "code"),
    [
        ("学前三年毛入学率", "preschool_gross_enrolment_rate"),
        ("普惠性幼儿园覆盖率", "inclusive_kindergarten_share"),
        ("幼儿园专任教师专科以上学历比例", "kindergarten_teacher_college_share"),
        ("每千人口托位数", "childcare_places_per_thousand"),
        ("新建、改扩建公办幼儿园", "kindergartens_built"),
        ("优质园覆盖率", "quality_kindergarten_coverage"),
        ("义务教育学校大班额比例", "compulsory_large_class_share"),
        ("随迁子女在公办学校就读比例", "migrant_public_school_share"),
        ("课后服务参与率", "after_school_participation"),
        ("学生总体近视率", "myopia_rate"),
        ("普职比", "vocational_intake_share"),
        ("“双师型”教师比例", "dual_qualified_teacher_share"),
        ("小学专任教师本科及以上学历比例", "primary_teacher_bachelor_share"),
        ("初中师生比", "junior_pupil_teacher_ratio"),
        ("培训教师", "teacher_training"),
        ("财政教育支出占比", "education_budget_share"),
        ("生均公用经费", "compulsory_public_funds_per_student"),
        ("学生体质健康优良率", "fitness_good_rate"),
        ("学生体质健康达标率", "fitness_pass_rate"),
        ("中小学互联网接入率", "internet_access_rate"),
        ("社区学校覆盖率", "community_education_coverage"),
        ("主要劳动年龄人口平均受教育年限", "labour_force_schooling_years"),
        ("送教上门", "home_delivered_education"),
        ("新建校舍面积", "new_building_area"),
    ],
)
def test_plan_wordings_resolve(indicators, wording: str, code: str) -> None:
    """Wordings found in real plans resolve to the intended indicator."""
    assert indicators.lookup(wording) == code


def test_original_indicators_are_unchanged(indicators) -> None:
    """The first 16 indicators keep their codes, order, formulas and aliases; only source and
    category were added."""
    assert indicators.codes[: len(ORIGINAL)] == tuple(ORIGINAL)
    raw = yaml.safe_load((LIBRARY / "indicators.yaml").read_text(encoding="utf-8"))
    current = {d["code"]: d for d in raw["indicators"]}
    for code, (numerator, denominator) in ORIGINAL.items():
        assert current[code]["numerator"] == numerator, code
        assert current[code].get("denominator") == denominator, code
        assert indicators[code].source and indicators[code].category, code
    assert indicators["preschool_gross_enrolment_rate"].aliases == (
        "学前三年毛入学率",
        "学前教育毛入园率",
        "学前三年毛入园（学）率",
    )
