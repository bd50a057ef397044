"""The data dictionary maps headers as people write them to element codes and units."""

from __future__ import annotations

import pytest

from planlib import load_dictionary
from planlib.catalog.dictionary import DictionaryError


@pytest.fixture(scope="module")
def d():
    return load_dictionary()


@pytest.mark.parametrize(
    ("header", "code", "factor"),
    [
        ("在园幼儿数", "kg_enrol_total", 1.0),
        ("在园幼儿人数", "kg_enrol_total", 1.0),
        (" 在园 幼儿人数 ", "kg_enrol_total", 1.0),
        ("３-５岁常住人口数", "pop_3_5", 1.0),
        ("3～5岁常住人口数", "pop_3_5", 1.0),
        ("一般公共预算教育投入（亿元）", "edu_budget", 10000.0),
        ("一般公共预算教育投入(万元)", "edu_budget", 1.0),
        ("一般公共预算教育投入", "edu_budget", 1.0),
        ("新增教师编制数（本年累计）", "teacher_posts_new", 1.0),
        ("中职在校生数", "hs_enrol_vocational", 1.0),
    ],
)
def test_headers_map_to_elements(d, header, code, factor):
    m = d.match(header)
    assert m is not None and m.kind == "element"
    assert (m.element, m.factor) == (code, factor)


def test_identifying_and_unknown_headers(d):
    assert d.match("行政区划代码").kind == "org_code"
    assert d.match("学校标识码").kind == "school_code"
    assert d.match("报告期").kind == "period"
    assert d.match("学段").kind == "info"
    assert d.match("不存在的列") is None
    odd = d.match("一般公共预算教育投入（美元）")
    assert odd is not None and odd.factor != odd.factor  # NaN: cannot convert


def test_every_plan_element_is_defined(d):
    frame = d.frame()
    assert frame["code"].is_unique
    assert set(frame["level"]) == {"county", "school", "city"}
    assert {
        "pop_3_5",
        "kg_enrol_public",
        "disabled_placed",
        "city_key_majors",
        "smart_campus_built",
    } <= set(frame["code"])
    assert (frame["min"] <= frame["max"]).all()
    assert len(d.rules) >= 5


def test_a_broken_dictionary_is_reported(tmp_path):
    bad = tmp_path / "dict.yaml"
    bad.write_text(
        "elements:\n  - {code: a, name: 甲, unit: 人, level: town, kind: count, range: [0, 1]}\n",
        encoding="utf-8",
    )
    with pytest.raises(DictionaryError, match="level"):
        load_dictionary(bad)
    bad.write_text("elements:\n  - {code: a, name: 甲}\n", encoding="utf-8")
    with pytest.raises(DictionaryError, match=r"elements\[0\]"):
        load_dictionary(bad)


def test_plausibility_thresholds_and_peer_ratios(d, tmp_path):
    pl = d.plausibility
    assert pl.magnitude_factor > 1 and 0 < pl.stale_share <= 1 and pl.peer_min_units >= 3
    codes = {r.code for r in d.peer_ratios}
    assert {"budget_per_student", "placed_per_disabled", "recruited_per_student"} <= codes
    base = (
        "elements:\n  - {code: a, name: 甲, unit: 人, level: county, kind: count, range: [0, 9]}\n"
    )
    bad = tmp_path / "dict.yaml"
    bad.write_text(base + "plausibility: {peer_factr: 3}\n", encoding="utf-8")
    with pytest.raises(DictionaryError, match="peer_factr"):
        load_dictionary(bad)
    bad.write_text(base + "plausibility: {peer_factor: -1}\n", encoding="utf-8")
    with pytest.raises(DictionaryError, match="大于 0"):
        load_dictionary(bad)
    bad.write_text(
        base + "peer_ratios:\n  - {code: r, name: 比, numerator: a, denominator: b}\n",
        encoding="utf-8",
    )
    with pytest.raises(DictionaryError, match=r"peer_ratios\[0\].*b"):
        load_dictionary(bad)
    bad.write_text(
        base + "plausibility: {stale_share: 0.8}\n"
        "peer_ratios:\n  - {code: r, name: 比, numerator: a, denominator: 2 * a, factor: 3}\n",
        encoding="utf-8",
    )
    loaded = load_dictionary(bad)
    assert loaded.plausibility.stale_share == 0.8 and loaded.peer_ratios[0].factor == 3
