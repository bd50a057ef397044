"""县域义务教育优质均衡: the 校际差异系数 and the per-school "at least 6 of 7" rule, by hand.

Built on the library's 优质均衡 part (data/library/indicators.yaml, read alone) and small fixtures in tmp_path;
every number is worked out here, beside the test that checks it.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml

import planlib
from planlib.catalog.definitions import load_indicators
from planlib.catalog.dictionary import load_dictionary
from planlib.catalog.expressions import school_filters
from planlib.catalog.standards import SchoolStandard, StandardItem
from planlib.errors import IndicatorFileError

LIBRARY = Path(__file__).resolve().parents[2] / "data" / "library" / "indicators.yaml"
LIBRARY_DICTIONARY = LIBRARY.with_name("dictionary.yaml")


def _balance_only() -> Path:
    """The library's 优质均衡 part alone: its school standards and the indicators built on them."""
    import tempfile

    raw = yaml.safe_load(LIBRARY.read_text(encoding="utf-8"))
    keep = [
        i
        for i in raw["indicators"]
        if i.get("kind") in ("dispersion", "mean") or "balance_standard_share" in i["code"]
    ]
    out = Path(tempfile.mkdtemp(prefix="planlib-balance-")) / "balance.yaml"
    data = {"school_standards": raw["school_standards"], "indicators": keep}
    out.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return out


BALANCE = _balance_only()
CITY, A, B = "130100", "130102", "130104"
PERIOD = "2023Q4"

UNITS = pd.DataFrame(
    {
        "code": [CITY, A, B],
        "name": ["示例市", "甲区", "乙县"],
        "type": ["市", "区", "县"],
        "parent_code": ["", CITY, CITY],
        "level": ["city", "county", "county"],
        "depth": [0, 1, 1],
    }
)
# 甲区: the published teaching example (5 小学) and one 初中 that reported its enrolment only.
# 乙县: four 小学 of 100 students for the 6-of-7 rule.
SCHOOLS = pd.DataFrame(
    [
        *[(f"a{i}", A, "小学", "公办") for i in range(1, 6)],
        ("a6", A, "初中", "公办"),
        *[(f"b{i}", B, "小学", "公办") for i in range(1, 5)],
    ],
    columns=["code", "county_code", "stage", "ownership"],
).assign(name=lambda f: f["code"])
ORG = SimpleNamespace(units=UNITS, schools=SCHOOLS)

# Worked example: students and books (here: 教学及辅助用房面积, the arithmetic is the same).
EXAMPLE_P = [45, 37, 89, 76, 55]
EXAMPLE_A = [279, 137, 935, 160, 402]

# 乙县, per school of 100 students, the seven items (thresholds for 小学: 4.2, 1, 0.9 per hundred;
# 4.5, 7.5 ㎡; 2000 元; 2.3 per hundred). Only 体育运动场馆 and 多媒体教室 vary:
#   b1 meets all 7                                            → meets
#   b2 meets 6, 体育运动场馆 675 ㎡ = 6.75 ㎡ each = 90% of 7.5   → meets
#   b3 meets 6, 体育运动场馆 600 ㎡ = 6.0 ㎡ each = 80% of 7.5    → fails (under 85%)
#   b4 meets 5: 体育运动场馆 90%, 多媒体教室 2 per hundred = 87% → fails (only 5 met)
B_COMMON = {
    "enrolment": 100,
    "teachers_above_degree": 4.2,  # exactly the threshold: met
    "backbone_teachers": 1,
    "pe_art_teachers": 1,
    "teaching_aux_area": 500,
    "equipment_value": 25,  # 万元: 2500 元 per student
}
B_VARYING = {
    "b1": {"sports_area": 800, "multimedia_rooms": 3},
    "b2": {"sports_area": 675, "multimedia_rooms": 3},
    "b3": {"sports_area": 600, "multimedia_rooms": 3},
    "b4": {"sports_area": 675, "multimedia_rooms": 2},
}


def values_frame(drop: tuple[tuple[str, str], ...] = ()) -> pd.DataFrame:
    rows = []
    for school, p, a in zip([f"a{i}" for i in range(1, 6)], EXAMPLE_P, EXAMPLE_A, strict=True):
        rows += [(school, "enrolment", p), (school, "teaching_aux_area", a)]
    rows.append(("a6", "enrolment", 300))
    for school, varying in B_VARYING.items():
        rows += [(school, e, v) for e, v in {**B_COMMON, **varying}.items()]
    rows = [r for r in rows if (r[0], r[1]) not in drop]
    frame = pd.DataFrame(rows, columns=["org_code", "element", "value"]).assign(period=PERIOD)
    frame["value"] = frame["value"].astype("float64")
    return frame[["org_code", "period", "element", "value"]]


def compute(values: pd.DataFrame | None = None, defs=None) -> pd.DataFrame:
    return planlib.compute_indicators(
        values if values is not None else values_frame(),
        org_units=ORG,
        indicators=defs if defs is not None else load_indicators(BALANCE),
    )


def pick(frame: pd.DataFrame, indicator: str, org: str) -> pd.Series:
    row = frame[(frame["indicator"] == indicator) & (frame["org_code"] == org)]
    assert len(row) == 1, (indicator, org)
    return row.iloc[0]


def cv_by_hand(students: list[float], totals: list[float]) -> float:
    """The definition itself: weights Pᵢ/P, per-student values, the unit's value ΣA ÷ ΣP."""
    p, a = np.asarray(students, float), np.asarray(totals, float)
    x, mean = a / p, a.sum() / p.sum()
    return float(np.sqrt(np.sum(p / p.sum() * (x - mean) ** 2)) / mean)


# --- 差异系数 -----------------------------------------------------------------------------------


def test_the_published_worked_example_gives_0_52():
    # 6.20, 3.70, 10.51, 2.11, 7.31 per student; county 1913 ÷ 302 = 6.33;
    # weighted squared gaps sum to 10.65; √10.65 = 3.26; 3.26 ÷ 6.33 = 0.52.
    row = pick(compute(), "primary_cv_teaching_aux_area", A)
    assert round(row["value"], 2) == 0.52
    assert row["denominator"] == pytest.approx(1913 / 302)
    assert round(row["numerator"], 2) == 3.26
    assert row["value"] == pytest.approx(cv_by_hand(EXAMPLE_P, EXAMPLE_A))
    assert (row["unit"], row["kind"], row["direction"]) == ("", "dispersion", "lower")
    assert row["missing_reason"] == "" and row["flag"] == ""


def test_the_city_coefficient_is_over_all_its_schools_not_a_mean_of_counties():
    out = compute()
    b_area = [B_COMMON["teaching_aux_area"]] * 4  # 乙县: 5 ㎡ each, its own CV is 0
    assert pick(out, "primary_cv_teaching_aux_area", B)["value"] == pytest.approx(0.0)
    city = pick(out, "primary_cv_teaching_aux_area", CITY)
    expected = cv_by_hand([*EXAMPLE_P, 100, 100, 100, 100], [*EXAMPLE_A, *b_area])
    assert city["value"] == pytest.approx(expected)
    assert city["denominator"] == pytest.approx((1913 + 2000) / (302 + 400))
    county_mean = (pick(out, "primary_cv_teaching_aux_area", A)["value"] + 0.0) / 2
    assert abs(city["value"] - county_mean) > 0.05


def test_factor_scales_the_mean_and_deviation_but_not_the_coefficient():
    out = compute()
    row = pick(out, "primary_cv_equipment_value", B)  # 万元 × 10000 ÷ students = 元
    assert row["denominator"] == pytest.approx(2500.0) and row["value"] == pytest.approx(0.0)
    rooms = pick(out, "primary_cv_multimedia_rooms", B)  # per hundred: 3, 3, 3, 2
    assert rooms["denominator"] == pytest.approx(100 * 11 / 400)
    assert rooms["value"] == pytest.approx(cv_by_hand([100] * 4, [3, 3, 3, 2]))


def test_a_school_missing_an_element_is_left_out_of_the_coefficient():
    out = compute(values_frame(drop=(("a3", "teaching_aux_area"),)))
    row = pick(out, "primary_cv_teaching_aux_area", A)
    keep = [0, 1, 3, 4]
    p, a = [EXAMPLE_P[i] for i in keep], [EXAMPLE_A[i] for i in keep]
    assert row["value"] == pytest.approx(cv_by_hand(p, a))
    assert row["denominator"] == pytest.approx(sum(a) / sum(p))
    assert "部分学校缺少数据" in row["flag"]
    assert "1 个下级单位有学校缺少数据" in pick(out, "primary_cv_teaching_aux_area", CITY)["flag"]


def test_no_usable_school_makes_the_coefficient_missing_with_its_reason():
    out = compute()
    # 甲区's 初中 reported its enrolment but no 教学及辅助用房面积.
    row = pick(out, "junior_cv_teaching_aux_area", A)
    assert np.isnan(row["value"]) and np.isnan(row["numerator"])
    # (the elements by name once balance.yaml joins the library dictionary; by code until then)
    assert row["missing_reason"].startswith("缺少数据：初中学校")
    assert row["missing_reason"].endswith("、在校生数")
    # 乙县 has no 初中 at all.
    row = pick(out, "junior_cv_teaching_aux_area", B)
    assert np.isnan(row["value"]) and "无初中学校" in row["missing_reason"]
    city = pick(out, "junior_cv_teaching_aux_area", CITY)
    assert city["missing_reason"].startswith("1/2 个下级单位缺数")


def test_the_composite_is_the_mean_of_its_seven_coefficients():
    out = compute()
    parts = [
        pick(out, f"primary_cv_{e}", B)["value"]
        for e in (
            "teachers_above_degree", "backbone_teachers", "pe_art_teachers", "teaching_aux_area",
            "sports_area", "equipment_value", "multimedia_rooms",
        )
    ]  # fmt: skip
    row = pick(out, "primary_cv_composite", B)
    assert row["value"] == pytest.approx(np.mean(parts))
    assert row["numerator"] == pytest.approx(np.sum(parts)) and row["denominator"] == 7
    assert row["value"] > 0  # 体育运动场馆 and 多媒体教室 vary
    # 甲区 reported only one of the seven: no composite, and the reason names what is missing.
    a = pick(out, "primary_cv_composite", A)
    assert np.isnan(a["value"])
    assert a["missing_reason"].startswith("缺少分项差异系数：小学每百名学生拥有高于规定学历教师数")
    assert "教学及辅助用房" not in a["missing_reason"]


# --- the 6-of-7 rule ----------------------------------------------------------------------------


def test_six_of_seven_with_the_rest_at_85_percent_by_hand():
    out = compute()
    row = pick(out, "primary_balance_standard_share", B)  # b1 and b2 meet; b3 and b4 do not
    assert (row["numerator"], row["denominator"]) == (2, 4)
    assert row["value"] == pytest.approx(50.0)
    assert row["flag"] == "" and row["missing_reason"] == ""
    # 甲区's schools lack six of the seven elements: none counts as meeting, none is known.
    a = pick(out, "primary_balance_standard_share", A)
    assert np.isnan(a["value"]) and a["missing_reason"].startswith("缺少数据：小学学校")
    assert "小学资源配置达标" in a["missing_reason"]


def test_the_standard_school_by_school():
    std = load_indicators(BALANCE).standards[0]
    assert (std.code, std.stages, std.need, std.floor) == ("balance_primary", ("小学",), 6, 0.85)
    columns = {
        e: np.array([float({**B_COMMON, **B_VARYING[s]}[e]) for s in B_VARYING])
        for e in std.elements
    }
    np.testing.assert_array_equal(std.evaluate(columns), [1.0, 1.0, 0.0, 0.0])
    columns["multimedia_rooms"][0] = np.nan
    assert np.isnan(std.evaluate(columns)[0])


def test_a_school_missing_an_element_is_not_counted_as_meeting():
    out = compute(values_frame(drop=(("b1", "multimedia_rooms"),)))
    row = pick(out, "primary_balance_standard_share", B)  # b1 is not known to meet: 1 of 4
    assert (row["numerator"], row["denominator"], row["value"]) == (1, 4, 25.0)
    assert "部分学校缺少达标所需数据（按未达标计）" in row["flag"]
    # 甲区's schools have no standard values at all: the city's sum is not known either.
    city = pick(out, "primary_balance_standard_share", CITY)
    assert np.isnan(city["value"]) and city["missing_reason"].startswith("1/2 个下级单位缺数")
    only_b = SimpleNamespace(units=UNITS, schools=SCHOOLS[SCHOOLS["county_code"] == B])
    out = planlib.compute_indicators(
        values_frame(drop=(("b1", "multimedia_rooms"),)),
        org_units=only_b,
        indicators=load_indicators(BALANCE),
    )
    city = pick(out, "primary_balance_standard_share", CITY)
    assert city["value"] == 25.0 and "1 个下级单位有学校缺少达标所需数据" in city["flag"]


def test_a_bureau_defines_its_own_standard_without_code(tmp_path):
    path = tmp_path / "own.yaml"
    path.write_text(
        """
school_standards:
  - code: own_rule
    name: 自定两项达标
    stage: [小学, 初中]
    need: 1
    floor: 0.9
    items:
      - {name: 生均体育运动场馆面积, numerator: sports_area, denominator: enrolment, min: 7.0}
      - {name: 每百名学生多媒体教室, numerator: multimedia_rooms, denominator: enrolment,
         factor: 100, min: 2.9}
indicators:
  - {code: own_share, name: 自定达标学校占比, kind: ratio, numerator: "sum_schools(own_rule, stage=小学)",
     denominator: "count_schools(stage=小学)", factor: 100, unit: "%", direction: higher,
     level: county}
""",
        encoding="utf-8",
    )
    # One of the two, the other at 90% (≥ 6.3 ㎡, ≥ 2.61 rooms): b1 8 ㎡ and 3 rooms ✓; b2 6.75 ㎡
    # and 3 rooms ✓; b3 6.0 ㎡ is under 6.3 ✗; b4 6.75 ㎡ and 2 rooms meets neither ✗.
    row = pick(compute(defs=load_indicators(path)), "own_share", B)
    assert (row["numerator"], row["denominator"]) == (2, 4)


# --- the definitions file -----------------------------------------------------------------------


def test_balance_yaml_reads_and_names_plans_use_map_to_it(tmp_path):
    defs = load_indicators(BALANCE)
    assert len(defs) == 18 and len(defs.standards) == 2
    assert defs.lookup("小学校际差异系数") == "primary_cv_composite"
    assert defs.lookup("初中综合差异系数") == "junior_cv_composite"
    assert defs.lookup("小学生均教学及辅助用房面积校际差异系数") == "primary_cv_teaching_aux_area"
    assert defs.lookup("初中资源配置达标率") == "junior_balance_standard_share"
    for ind in defs:
        assert "教督〔2017〕6号" in ind.source and ind.category == "义务教育"
    thresholds = {st.code: [i.minimum for i in st.items] for st in defs.standards}
    assert thresholds == {
        "balance_primary": [4.2, 1, 0.9, 4.5, 7.5, 2000, 2.3],
        "balance_junior": [5.3, 1, 0.9, 5.8, 10.2, 2500, 2.4],
    }
    # Its elements are the library dictionary's school elements; enrolment is the dictionary's.
    d = load_dictionary(LIBRARY_DICTIONARY)
    needed = {e for st in defs.standards for e in st.elements}
    needed |= {e for i in defs if i.dispersion for e in (i.dispersion.numerator, "enrolment")}
    assert {d[e].level for e in needed} == {"school"}
    assert d.match("教学仪器设备值（元）").factor == pytest.approx(0.0001)


INDICATOR = (
    "{code: cv, name: 差异系数, kind: dispersion, value: {numerator: a, denominator: p},"
    " stage: 小学, factor: 100, unit: '', direction: lower, level: county}"
)
STANDARD = (
    "{code: st, name: 达标, stage: 小学, need: 1, items: "
    "[{name: 甲, numerator: a, denominator: p, factor: 100, min: 1}]}"
)


@pytest.mark.parametrize(
    ("standards", "indicators", "where", "message"),
    [
        ([], [INDICATOR.replace(" stage: 小学,", "")], r"indicators\[0\]\.stage", "须指定学段"),
        ([], [INDICATOR.replace(", denominator: p", "")], r"indicators\[0\]\.value", "value:"),
        ([], [INDICATOR.replace("unit: ''", "numerator: a")], r"\.numerator", "不使用字段"),
        ([], [INDICATOR.replace("direction: lower", "direction: lower, tolerance: {share: 1}")],
         r"\.tolerance", "points"),
        ([], [INDICATOR, "{code: m, name: 综合, kind: mean, of: [cv, nope], direction: lower,"
              " level: county}"], r"indicators\[1\]\.of", "「nope」不是已定义的差异系数"),
        ([STANDARD.replace("need: 1", "need: 3")], [], r"school_standards\[0\]\.need", "1–1"),
        ([STANDARD.replace("need: 1", "need: 1, floor: 85")], [], r"\.floor", "0–1"),
        ([STANDARD.replace(", min: 1", "")], [], r"items\[0\]\.min", "缺少必填字段"),
        ([STANDARD.replace("numerator: a", "numerator: 'a + b'")], [], r"items\[0\]\.numerator",
         "数据元素的代码"),
        ([STANDARD, STANDARD], [], r"school_standards\[1\]\.code", "重复"),
        ([STANDARD], ["{code: s, name: 达标率, kind: ratio, numerator: 'sum_schools(st, stage=初中)',"
                      " denominator: 'count_schools(stage=初中)', factor: 100, unit: '%',"
                      " direction: higher, level: county}"], r"indicators\[0\]", "stage=小学"),
    ],
)  # fmt: skip
def test_a_malformed_entry_names_the_file_and_key(tmp_path, standards, indicators, where, message):
    path = tmp_path / "bad.yaml"
    text = "school_standards:\n" + "".join(f"  - {s}\n" for s in standards) if standards else ""
    text += "indicators:\n" + "".join(f"  - {i}\n" for i in indicators) if indicators else ""
    text += "" if indicators else "indicators: []\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(IndicatorFileError, match=rf"bad\.yaml.*{where}.*{message}"):
        load_indicators(path)


def test_school_filters_match_parsed_terms():
    assert school_filters({"stage": ["初中", "小学"], "ownership": "公办"}) == (
        ("ownership", ("公办",)),
        ("stage", ("初中", "小学")),
    )
    with pytest.raises(ValueError, match="筛选条件"):
        school_filters({"county": "甲县"})
    item = StandardItem("甲", "a", "p", 100.0, 1.0)
    std = SchoolStandard("st", "达标", ("小学",), (item,), need=1)
    assert std.elements == ("a", "p")
