"""Each indicator against a hand-worked example, roll-up as ratio of sums, settings, missing data."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import planlib
from planlib.monitoring.indicators import (
    INDICATOR_COLUMNS,
    IndicatorFileError,
    Settings,
    SettingsError,
)

CITY, A, B = "130100", "130102", "130104"  # 甲区 is small, 乙县 is four times larger

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
SCHOOLS = pd.DataFrame(
    [
        ("s01", A, "小学", "公办"),
        ("s02", A, "初中", "公办"),
        ("s03", A, "普通高中", "公办"),
        ("s04", A, "中职", "公办"),
        ("s05", B, "小学", "公办"),
        ("s06", B, "九年一贯制", "公办"),
        ("s07", B, "小学", "民办"),
        ("s08", B, "中职", "公办"),
        ("s09", B, "中职", "民办"),
        ("s10", B, "普通高中", "公办"),
    ],
    columns=["code", "county_code", "stage", "ownership"],
).assign(name=lambda f: f["code"])

COUNTY_VALUES = {
    A: {
        "pop_3_5": 1000, "pop_3_5_hukou": 1250, "kg_enrol_total": 950, "kg_enrol_public": 500,
        "kg_enrol_inclusive_private": 350, "kg_enrol_other_private": 100,
        "school_age_children": 2000, "school_age_enrolled": 1990,
        "compulsory_enrol_total": 8000, "compulsory_enrol_private": 400,
        "junior_grad_cohort": 950, "grade1_entry_cohort": 1000, "cohort_transfer_in": 30,
        "cohort_transfer_out": 10, "disabled_school_age": 50, "disabled_placed": 48,
        "hs_enrol_general": 1500, "hs_enrol_vocational": 600, "pop_15_17": 2200,
        "pop_15_18": 2800, "pop_15_17_hukou": 2100, "edu_budget": 150000,
        "teacher_posts_new": 100, "teachers_recruited": 300,
    },
    B: {
        "pop_3_5": 4000, "pop_3_5_hukou": 3750, "kg_enrol_total": 3900, "kg_enrol_public": 2000,
        "kg_enrol_inclusive_private": 1500, "kg_enrol_other_private": 400,
        "school_age_children": 8000, "school_age_enrolled": 8000,
        "compulsory_enrol_total": 30000, "compulsory_enrol_private": 3000,
        "junior_grad_cohort": 4100, "grade1_entry_cohort": 4000, "cohort_transfer_in": 50,
        "cohort_transfer_out": 150, "disabled_school_age": 150, "disabled_placed": 150,
        "hs_enrol_general": 5000, "hs_enrol_vocational": 3800, "pop_15_17": 8000,
        "pop_15_18": 10500, "pop_15_17_hukou": 8400, "edu_budget": 650000,
        "teacher_posts_new": 300, "teachers_recruited": 900,
    },
}  # fmt: skip
SCHOOL_VALUES = {
    "std_compliant": {"s01": 1, "s02": 0, "s05": 1, "s06": 1, "s07": 0},
    "provincial_model": {"s03": 1, "s10": 0},
    "smart_campus_built": {"s01": 1, "s02": 1, "s03": 0, "s05": 1, "s06": 0, "s07": 1},
    "voc_std_compliant": {"s04": 1, "s08": 0, "s09": 1},
}


def values_frame(period: str = "2022Q2", scale: float = 1.0) -> pd.DataFrame:
    rows = [
        (code, period, element, float(v) * scale)
        for code, items in COUNTY_VALUES.items()
        for element, v in items.items()
    ]
    rows += [
        (school, period, element, float(v))
        for element, items in SCHOOL_VALUES.items()
        for school, v in items.items()
    ]
    rows.append((CITY, period, "city_key_majors", 3.0))
    frame = pd.DataFrame(rows, columns=["org_code", "period", "element", "value"])
    return frame.assign(file="returns/x.xlsx", row=5, column="值")


ORG = SimpleNamespace(units=UNITS, schools=SCHOOLS)


def compute(values: pd.DataFrame | None = None, **kw) -> pd.DataFrame:
    return planlib.compute_indicators(
        values if values is not None else values_frame(), org_units=ORG, **kw
    )


@pytest.fixture(autouse=True)
def _bundled_definitions(in_workspace_2022):  # type: ignore[no-untyped-def]
    """These tests compute the 2022 plan's 16 indicators: its workspace is in force."""
    return in_workspace_2022


def pick(frame: pd.DataFrame, indicator: str, org: str, period: str = "2022Q2") -> pd.Series:
    row = frame[
        (frame["indicator"] == indicator) & (frame["org_code"] == org) & (frame["period"] == period)
    ]
    assert len(row) == 1, (indicator, org, period)
    return row.iloc[0]


# --- definitions ------------------------------------------------------------------------------


def test_sixteen_definitions_and_every_plan_name_maps_to_its_code(plan):
    defs = planlib.load_indicators()
    assert len(defs) == 16
    for _task, target in plan.targets:
        assert defs.lookup(target.indicator) == target.code, target.indicator
    assert defs.lookup("学前三年毛入园率") == "preschool_gross_enrolment_rate"
    assert defs.lookup("省级示范性高中数") == "provincial_model_high_schools"
    assert defs.lookup("（不存在的指标）") is None
    frame = defs.frame()
    assert set(frame["unit"]) == {"%", "所", "个", "亿元", "名", "人"}
    assert (
        frame.loc[frame["indicator"] == "private_compulsory_share", "direction"].item() == "lower"
    )
    assert frame.loc[frame["indicator"] == "city_key_majors", "level"].item() == "city"


def test_a_bad_definition_file_names_the_entry(tmp_path):
    path = tmp_path / "ind.yaml"
    path.write_text(
        "indicators:\n  - {code: x, name: X, kind: ratio, numerator: 'a * b', denominator: c,"
        " factor: 100, unit: '%', direction: higher, level: county}\n",
        encoding="utf-8",
    )
    with pytest.raises(IndicatorFileError, match=r"indicators\[0\]\.numerator.*不能相乘"):
        planlib.load_indicators(path)
    path.write_text(
        "indicators:\n  - {code: x, name: X, kind: ratio, numerator: a, denominator: c,"
        " factor: 100, unit: '%', direction: up, level: county}\n",
        encoding="utf-8",
    )
    with pytest.raises(IndicatorFileError, match="direction"):
        planlib.load_indicators(path)


# --- each formula against a hand-worked example ------------------------------------------------

HAND_WORKED = [
    # indicator, org, numerator, denominator, value
    ("preschool_gross_enrolment_rate", A, 950, 1000, 95.0),
    ("preschool_gross_enrolment_rate", B, 3900, 4000, 97.5),
    ("inclusive_kindergarten_share", A, 850, 950, 850 / 950 * 100),
    ("public_kindergarten_share", B, 2000, 3900, 2000 / 3900 * 100),
    ("compulsory_enrolment_rate", A, 1990, 2000, 99.5),
    ("compulsory_retention_rate", A, 950, 1000, 95.0),
    ("compulsory_retention_rate", B, 4100, 4000, 102.5),
    # 甲区: 小学 s01 ✓, 初中 s02 ✗ → 1/2; 乙县: s05 ✓, s06 ✓, 民办 s07 ✗ → 2/3.
    ("standardized_school_coverage", A, 1, 2, 50.0),
    ("standardized_school_coverage", B, 2, 3, 200 / 3),
    ("private_compulsory_share", B, 3000, 30000, 10.0),
    ("disabled_placement_rate", A, 48, 50, 96.0),
    ("high_school_gross_enrolment_rate", A, 2100, 2200, 2100 / 2200 * 100),
    ("high_school_gross_enrolment_rate", B, 8800, 8000, 110.0),
    # 公办中职 only: 甲区 s04 ✓ → 1/1; 乙县 s08 ✗ (民办 s09 does not count) → 0/1.
    ("public_vocational_standardization_rate", A, 1, 1, 100.0),
    ("public_vocational_standardization_rate", B, 0, 1, 0.0),
    ("provincial_model_high_schools", A, 1, np.nan, 1.0),
    ("new_smart_campuses", B, 2, np.nan, 2.0),
    ("education_budget", A, 150000, np.nan, 15.0),  # 万元 → 亿元
    ("new_teacher_posts", B, 300, np.nan, 300.0),
    ("teachers_recruited", A, 300, np.nan, 300.0),
    ("city_key_majors", CITY, 3, np.nan, 3.0),
]


@pytest.mark.parametrize(("indicator", "org", "num", "den", "value"), HAND_WORKED)
def test_each_formula_against_a_hand_worked_example(indicator, org, num, den, value):
    row = pick(compute(), indicator, org)
    assert row["numerator"] == pytest.approx(num)
    if np.isnan(den):
        assert np.isnan(row["denominator"])
    else:
        assert row["denominator"] == pytest.approx(den)
    assert row["value"] == pytest.approx(value)
    assert row["missing_reason"] == ""


def test_frame_shape_names_and_units():
    out = compute()
    assert list(out.columns) == INDICATOR_COLUMNS
    # 15 county indicators × (2 counties + city) + city_key_majors at the city only.
    assert len(out) == 15 * 3 + 1
    assert not out.duplicated(["org_code", "period", "indicator"]).any()
    row = pick(out, "education_budget", CITY)
    assert (row["unit"], row["indicator_name"], row["level"]) == (
        "亿元",
        "一般公共预算教育投入",
        "city",
    )
    assert pick(out, "preschool_gross_enrolment_rate", A)["org_name"] == "甲区"
    assert pick(out, "preschool_gross_enrolment_rate", A)["parent_code"] == CITY
    assert pick(out, "preschool_gross_enrolment_rate", A)["basis"] == "常住人口，3–5岁"


def test_city_only_indicator_exists_only_at_the_city():
    out = compute()
    assert set(out.loc[out["indicator"] == "city_key_majors", "org_code"]) == {CITY}


# --- roll-up ----------------------------------------------------------------------------------


def test_city_ratio_is_ratio_of_sums_not_mean_of_county_rates():
    row = pick(compute(), "preschool_gross_enrolment_rate", CITY)
    assert (row["numerator"], row["denominator"]) == (950 + 3900, 1000 + 4000)
    assert row["value"] == pytest.approx(97.0)
    assert row["value"] != pytest.approx((95.0 + 97.5) / 2)
    cov = pick(compute(), "standardized_school_coverage", CITY)
    assert cov["value"] == pytest.approx(3 / 5 * 100)


def test_counts_and_amounts_sum_over_counties():
    out = compute()
    assert pick(out, "education_budget", CITY)["value"] == pytest.approx(80.0)
    assert pick(out, "new_smart_campuses", CITY)["value"] == 4.0
    assert pick(out, "provincial_model_high_schools", CITY)["value"] == 1.0


def test_stocks_and_flows_take_the_period_value_never_a_sum_over_quarters():
    both = pd.concat([values_frame("2022Q1", scale=0.5), values_frame("2022Q2")])
    out = compute(both)
    # Population (a stock) and the year-to-date budget are as reported in each period.
    assert pick(out, "preschool_gross_enrolment_rate", A, "2022Q2")["denominator"] == 1000
    assert pick(out, "preschool_gross_enrolment_rate", A, "2022Q1")["denominator"] == 500
    assert pick(out, "education_budget", A, "2022Q2")["value"] == pytest.approx(15.0)
    assert pick(out, "education_budget", A, "2022Q1")["value"] == pytest.approx(7.5)
    only_q1 = compute(both, periods="2022Q1")
    assert set(only_q1["period"]) == {"2022Q1"}


def test_any_depth_province_city_county():
    units = pd.DataFrame(
        {
            "code": ["130000", CITY, A, B, "130200", "130202"],
            "name": ["示例省", "示例市", "甲区", "乙县", "另一市", "丙区"],
            "type": ["省", "市", "区", "县", "市", "区"],
            "parent_code": ["", "130000", CITY, CITY, "130000", "130200"],
            "level": ["province", "city", "county", "county", "city", "county"],
            "depth": [0, 1, 2, 2, 1, 2],
        }
    )
    extra = pd.DataFrame(
        {
            "org_code": ["130202", "130202"],
            "period": ["2022Q2"] * 2,
            "element": ["pop_3_5", "kg_enrol_total"],
            "value": [5000.0, 4000.0],
        }
    )
    values = pd.concat([values_frame(), extra], ignore_index=True)
    out = planlib.compute_indicators(
        values, org_units=SimpleNamespace(units=units, schools=SCHOOLS)
    )
    prov = pick(out, "preschool_gross_enrolment_rate", "130000")
    assert (prov["numerator"], prov["denominator"]) == (950 + 3900 + 4000, 1000 + 4000 + 5000)
    assert prov["level"] == "province"
    assert pick(out, "preschool_gross_enrolment_rate", "130200")["value"] == pytest.approx(80.0)
    # City-only indicators roll up from the cities: one city reported, the other did not.
    prov_majors = pick(out, "city_key_majors", "130000")
    assert np.isnan(prov_majors["value"]) and "1/2 个下级单位缺数" in prov_majors["missing_reason"]


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 10_000), st.integers(0, 12_000)), min_size=2, max_size=6))
def test_city_ratio_lies_between_its_counties(pairs):
    codes = [f"1302{i:02d}" for i in range(len(pairs))]
    units = pd.DataFrame(
        {
            "code": [CITY, *codes],
            "name": ["市", *codes],
            "type": ["市"] + ["县"] * len(codes),
            "parent_code": ["", *[CITY] * len(codes)],
            "level": ["city"] + ["county"] * len(codes),
        }
    )
    rows = [(c, "2022Q1", "pop_3_5", float(p)) for c, (p, _) in zip(codes, pairs, strict=True)]
    rows += [
        (c, "2022Q1", "kg_enrol_total", float(k)) for c, (_, k) in zip(codes, pairs, strict=True)
    ]
    values = pd.DataFrame(rows, columns=["org_code", "period", "element", "value"])
    out = planlib.compute_indicators(values, org_units=SimpleNamespace(units=units, schools=None))
    rates = out[out["indicator"] == "preschool_gross_enrolment_rate"]
    county = rates.loc[rates["level"] == "county", "value"]
    city = rates.loc[rates["level"] == "city", "value"].item()
    assert county.min() - 1e-9 <= city <= county.max() + 1e-9


# --- settings ---------------------------------------------------------------------------------


def test_settings_change_the_formula_and_are_stated():
    hukou = compute(settings={"population_basis": "户籍", "high_school_age_band": "15-18"})
    row = pick(hukou, "preschool_gross_enrolment_rate", A)
    assert row["denominator"] == 1250 and row["basis"] == "户籍人口，3–5岁"
    hs = pick(hukou, "high_school_gross_enrolment_rate", A)
    # There is no 15–18 户籍 population in the data: missing with the reason, never zero.
    assert np.isnan(hs["value"]) and "pop_15_18_hukou" in hs["missing_reason"]
    assert hs["basis"] == "户籍人口，15–18岁"
    band = pick(
        compute(settings={"high_school_age_band": "15–18"}), "high_school_gross_enrolment_rate", A
    )
    assert band["denominator"] == 2800


def test_retention_adjustment_and_cap():
    adjusted = compute(settings=Settings(retention_base="调整转入转出"))
    assert pick(adjusted, "compulsory_retention_rate", A)["denominator"] == 1000 + 30 - 10
    capped = compute(settings={"retention_cap": True})
    row = pick(capped, "compulsory_retention_rate", B)
    assert row["value"] == 100.0 and "封顶" in row["flag"] and "102.5" in row["flag"]
    assert row["basis"] == "基数为入学时人数，封顶100%"
    uncapped = pick(compute(), "compulsory_retention_rate", B)
    assert uncapped["value"] == pytest.approx(102.5) and "核实" in uncapped["flag"]


def test_gross_rate_over_100_is_flagged_never_capped():
    row = pick(compute(settings={"retention_cap": True}), "high_school_gross_enrolment_rate", B)
    assert row["value"] == pytest.approx(110.0)
    assert "超过100%" in row["flag"] and "未封顶" in row["flag"]


def test_settings_refuse_unknown_keys_and_bad_values():
    with pytest.raises(SettingsError, match="未知的设置：age_band"):
        Settings.coerce({"age_band": "15–17"})
    with pytest.raises(SettingsError, match="population_basis"):
        Settings(population_basis="常驻")
    with pytest.raises(SettingsError, match="未知的设置"):
        Settings().replace(cap=True)
    assert Settings().replace(retention_cap=True).retention_cap is True
    with pytest.raises(SettingsError, match="未定义：no_such_indicator"):
        compute(settings={"tolerance": {"no_such_indicator": 1.0}})
    assert "户籍人口" in Settings(population_basis="户籍").describe()


# --- missing data -----------------------------------------------------------------------------


def test_missing_element_makes_the_value_missing_with_a_reason_never_zero():
    values = values_frame()
    values = values[~((values["org_code"] == A) & (values["element"] == "kg_enrol_public"))]
    out = compute(values)
    county = pick(out, "public_kindergarten_share", A)
    assert np.isnan(county["value"]) and np.isnan(county["numerator"])
    assert "kg_enrol_public" in county["missing_reason"]
    city = pick(out, "public_kindergarten_share", CITY)
    assert np.isnan(city["value"])
    assert "1/2 个下级单位缺数" in city["missing_reason"]
    # The other county is unaffected.
    assert pick(out, "public_kindergarten_share", B)["value"] == pytest.approx(2000 / 3900 * 100)


def test_a_county_that_reported_nothing():
    values = values_frame()
    values = values[values["org_code"] != B]
    row = pick(compute(values), "preschool_gross_enrolment_rate", B)
    assert np.isnan(row["value"]) and row["missing_reason"] == "本期未报送数据"


def test_school_details_missing_or_partial():
    values = values_frame()
    no_flags = values[values["element"] != "std_compliant"]
    row = pick(compute(no_flags), "standardized_school_coverage", A)
    assert np.isnan(row["value"]) and "std_compliant" in row["missing_reason"]
    partial = values[values["org_code"] != "s07"]
    row = pick(compute(partial), "standardized_school_coverage", B)
    assert row["value"] == pytest.approx(200 / 3) and "部分学校未报送明细" in row["flag"]
    city = pick(compute(partial), "standardized_school_coverage", CITY)
    assert "1 个下级单位" in city["flag"]


def test_zero_denominator_is_missing_with_reason():
    schools = SCHOOLS[SCHOOLS["code"] != "s04"]  # 甲区 has no 公办中职 left
    out = planlib.compute_indicators(
        values_frame(), org_units=SimpleNamespace(units=UNITS, schools=schools)
    )
    row = pick(out, "public_vocational_standardization_rate", A)
    assert np.isnan(row["value"]) and "分母为 0" in row["missing_reason"]
    # The city still counts 乙县's one school: a county without such schools adds 0, not NaN.
    assert pick(out, "public_vocational_standardization_rate", CITY)["value"] == 0.0


def test_inputs_are_not_mutated_and_codes_keep_leading_zeros():
    units = UNITS.assign(code=["010000", "010101", "010102"], parent_code=["", "010000", "010000"])
    values = values_frame().replace({"org_code": {A: "010101", B: "010102", CITY: "010000"}})
    schools = SCHOOLS.replace({"county_code": {A: "010101", B: "010102"}})
    before = (units.copy(), values.copy(), schools.copy())
    out = planlib.compute_indicators(
        values, org_units=SimpleNamespace(units=units, schools=schools)
    )
    pd.testing.assert_frame_equal(units, before[0])
    pd.testing.assert_frame_equal(values, before[1])
    pd.testing.assert_frame_equal(schools, before[2])
    assert {"010000", "010101", "010102"} == set(out["org_code"])


def test_dataset_object_is_accepted_and_bad_input_is_refused():
    ds = SimpleNamespace(values=values_frame(), org_units=ORG)
    assert len(planlib.compute_indicators(ds)) == 46
    with pytest.raises(planlib.PlanlibError, match="org_units"):
        planlib.compute_indicators(values_frame())
    with pytest.raises(planlib.PlanlibError, match="缺少列"):
        planlib.compute_indicators(values_frame().drop(columns="element"), org_units=ORG)


# --- the command ------------------------------------------------------------------------------


def test_compute_command_csv_and_json(tmp_path, monkeypatch):
    import json

    from click.testing import CliRunner

    from planlib.cli import cli
    from planlib.monitoring import pipeline
    from planlib.returns.ledger import LEDGER_COLUMNS
    from planlib.returns.validation import problems_frame

    both = pd.concat([values_frame("2022Q1", scale=0.5), values_frame("2022Q2")])
    dataset = planlib.Dataset(
        path=tmp_path,
        org_units=ORG,
        values=both,
        problems=problems_frame([]),
        ledger=pd.DataFrame(columns=[*LEDGER_COLUMNS, "file", "row"]),
        inputs=pd.DataFrame(columns=["path", "sha256"]),
    )
    monkeypatch.setattr(pipeline, "load_dataset", lambda data: dataset)
    runner = CliRunner()
    r = runner.invoke(cli, ["compute", str(tmp_path), "--period", "latest", "--format", "csv"])
    assert r.exit_code == 0, r.output
    frame = pd.read_csv(__import__("io").StringIO(r.stdout), dtype={"org_code": str})
    for col in (
        "org_code",
        "org_name",
        "level",
        "period",
        "indicator",
        "value",
        "numerator",
        "denominator",
        "unit",
    ):
        assert col in frame.columns
    assert set(frame["period"]) == {"2022Q2"} and set(frame["level"]) == {"city", "county"}
    row = frame[
        (frame["org_code"] == CITY) & (frame["indicator"] == "preschool_gross_enrolment_rate")
    ]
    assert row["value"].item() == pytest.approx(97.0)
    out = tmp_path / "x.json"
    r = runner.invoke(
        cli,
        [
            "compute",
            str(tmp_path),
            "--period",
            "2022Q1",
            "--format",
            "json",
            "-o",
            str(out),
            "--level",
            "county",
        ],
    )
    assert r.exit_code == 0, r.output
    records = json.loads(out.read_text(encoding="utf-8"))
    assert {x["level"] for x in records} == {"county"} and records[0]["period"] == "2022Q1"
    r = runner.invoke(cli, ["compute", str(tmp_path), "--set", "age_band=15-18"])
    assert r.exit_code == 1 and "未知的设置" in str(r.exception)


# --- the real sample city, end to end -------------------------------------------------------

PLAUSIBLE = {
    "preschool_gross_enrolment_rate": (80, 110),
    "inclusive_kindergarten_share": (70, 100),
    "public_kindergarten_share": (35, 75),
    "compulsory_enrolment_rate": (97, 100.5),
    "compulsory_retention_rate": (90, 105),
    "standardized_school_coverage": (0, 60),
    "private_compulsory_share": (0, 15),
    "disabled_placement_rate": (85, 100),
    "high_school_gross_enrolment_rate": (80, 110),
    "public_vocational_standardization_rate": (0, 100),
    "provincial_model_high_schools": (5, 60),
    "city_key_majors": (0, 10),
    "new_smart_campuses": (1, 200),
    "education_budget": (20, 400),
    "new_teacher_posts": (100, 3000),
    "teachers_recruited": (300, 8000),
}


@pytest.fixture(scope="module")
def sample_city(tmp_path_factory):
    out = tmp_path_factory.mktemp("city") / "data"
    planlib.make_sample(out, seed=2022, counties=12, schools_per_county=40)
    return planlib.load_dataset(out)


@pytest.mark.slow
def test_every_indicator_of_the_sample_city_is_plausible(sample_city):
    out = planlib.compute_indicators(sample_city, periods=["2022Q1", "2022Q2"])
    city = out[out["level"] == "city"]
    assert set(city["indicator"]) == set(PLAUSIBLE)
    for row in city.itertuples():
        low, high = PLAUSIBLE[row.indicator]
        assert low <= row.value <= high, (row.indicator, row.period, row.value)
    counties = out[out["level"] == "county"]
    assert counties["org_code"].nunique() == 12
    # A county with no 公办中职 has no standardisation rate (0 ÷ 0), said so; nothing else is missing.
    gaps = counties[counties["value"].isna()]
    assert (gaps["denominator"] == 0).all() and gaps["missing_reason"].str.startswith(
        "分母为 0"
    ).all()
    # In-year flows grow from Q2 to Q3; stocks such as population do not add up over quarters.
    flow = city.set_index(["indicator", "period"])["value"]
    assert flow["education_budget", "2022Q2"] > flow["education_budget", "2022Q1"]


@pytest.mark.slow
def test_a_late_return_leaves_the_city_value_missing_with_its_reason(sample_city):
    # The sample holds back one county's return for one quarter (a completeness warning).
    p = sample_city.problems
    held = p[p["message"].astype(str).str.contains("未报送")].iloc[0]
    out = planlib.compute_indicators(sample_city, periods=str(held["period"]))
    late = out[
        (out["org_code"] == held["org_code"])
        & (out["indicator"] == "preschool_gross_enrolment_rate")
    ]
    assert late["value"].isna().all() and late["missing_reason"].item() == "本期未报送数据"
    city = out[(out["level"] == "city") & (out["indicator"] == "education_budget")]
    assert city["value"].isna().all() and "1/12 个下级单位缺数" in city["missing_reason"].item()


@pytest.mark.slow
def test_row_keys_from_validation_give_the_same_numbers(small_sample):
    """The keys validation hands on spare a pass; they must never change a number."""
    import dataclasses

    ds = planlib.load_dataset(small_sample)
    assert ds.keys is not None and len(ds.keys) == len(ds.values)
    with_keys = planlib.compute_indicators(ds)
    without = planlib.compute_indicators(ds.values, ds.org_units)
    pd.testing.assert_frame_equal(with_keys, without)
    # values changed after validation (rows dropped): the stale keys are not used
    fewer = dataclasses.replace(ds, values=ds.values.iloc[: len(ds.values) // 2])
    pd.testing.assert_frame_equal(
        planlib.compute_indicators(fewer),
        planlib.compute_indicators(fewer.values, ds.org_units),
    )


@pytest.mark.slow
def test_codes_made_while_reading_parquet_give_the_same_numbers(tmp_path):
    """The tidy Parquet reader hashes each key column once and hands its codes on; with bad
    rows dropped on the way, validation and the computation give what fresh codes give."""
    from planlib.catalog.dictionary import load_dictionary
    from planlib.returns.orgunits import load_org_units
    from planlib.returns.reading import read_returns
    from planlib.returns.tidy import read_tidy
    from planlib.returns.validation import validate_values

    folder = tmp_path / "tidy"
    planlib.make_sample(folder, seed=3, counties=3, schools_per_county=20, fmt="parquet")
    path = folder / "values.parquet"
    frame = pd.read_parquet(path)
    bad = pd.DataFrame(
        {
            "org_code": ["990102", "990103", "990104", "990102"],
            "period": ["2022Q2", "2022Q9", "2022Q2", "2022Q3"],
            "element": ["no_such_element", "pop_3_5", "pop_3_5", "kg_enrol_total"],
            "value": [1.0, 5.0, -3.0, 7.5],
        }
    )
    mixed = pd.concat([bad.iloc[:2], frame, bad.iloc[2:]], ignore_index=True)
    mixed.to_parquet(path, index=False)
    d = load_dictionary()
    units = load_org_units(folder)
    values, problems, keys = read_tidy(path, "values.parquet", d)
    assert keys is not None and len(keys) == len(values) == len(frame)
    assert {p.rule for p in problems} >= {"unknown_column", "period", "above_range"}
    for col in ("org_code", "period", "element"):
        uniques = getattr(keys, f"{col.split('_')[0]}_uniques")
        codes = getattr(keys, col.split("_")[0])
        assert (uniques[codes] == values[col].to_numpy()).all()
    coded = validate_values(values, problems, units, d, keys)
    again, found = read_returns([path], d, root=folder)
    fresh = validate_values(again, found, units, d)
    pd.testing.assert_frame_equal(coded.problems, fresh.problems)
    pd.testing.assert_frame_equal(
        planlib.compute_indicators(coded), planlib.compute_indicators(fresh)
    )
    ds = planlib.load_dataset(folder, cache=False)  # the folder's load takes the same path
    assert ds.keys is not None and len(ds.keys) == len(ds.values)
    pd.testing.assert_frame_equal(ds.problems, coded.problems)
    # rows in no order at all (no runs to encode by): the same problems, the same indicators
    shuffled = tmp_path / "shuffled"
    shutil.copytree(folder, shuffled)
    mixed.sample(frac=1, random_state=0).to_parquet(shuffled / "values.parquet", index=False)
    other = planlib.load_dataset(shuffled, cache=False)
    assert sorted(other.problems["message"]) == sorted(ds.problems["message"])
    key = ["org_code", "period", "indicator"]
    pd.testing.assert_frame_equal(
        planlib.compute_indicators(other).sort_values(key).reset_index(drop=True),
        planlib.compute_indicators(ds).sort_values(key).reset_index(drop=True),
    )
