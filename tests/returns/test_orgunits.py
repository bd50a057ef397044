"""Org units form a tree of any depth; bad registries are refused with a clear message."""

from __future__ import annotations

import pandas as pd
import pytest

from planlib import OrgUnits, load_org_units
from planlib.returns.orgunits import OrgUnitError

UNITS = pd.DataFrame(
    {
        "code": ["000000", "110000", "110100", "110101", "110102", "120000", "120100", "120101"],
        "name": ["全国", "甲省", "甲市", "一区", "二县", "乙省", "乙市", "三区"],
        "type": ["国家", "省", "市", "区", "县", "省", "市", "区"],
        "parent_code": ["", "000000", "110000", "110100", "110100", "000000", "120000", "120100"],
    }
)
SCHOOLS = pd.DataFrame(
    {
        "code": ["1101010001"],
        "name": ["一区第一小学"],
        "county_code": ["110101"],
        "stage": ["小学"],
        "ownership": ["公办"],
    }
)


def test_levels_depth_and_ancestry():
    ou = OrgUnits.from_frames(UNITS, SCHOOLS)
    u = ou.units.set_index("code")
    assert u.loc["110101", "level"] == "county" and u.loc["110101", "depth"] == 3
    assert u.loc["000000", "depth"] == 0 and ou.root() == "000000"
    anc = ou.ancestry()
    assert set(anc.loc[anc["code"] == "110101", "ancestor_code"]) == {"110100", "110000", "000000"}
    assert set(anc.loc[anc["code"] == "110101", "ancestor_level"]) == {
        "city",
        "province",
        "country",
    }
    assert list(ou.counties()["code"]) == ["110101", "110102", "120101"]
    assert list(ou.counties("110000")["code"]) == ["110101", "110102"]
    assert ou.name("1101010001") == "一区第一小学"


@pytest.mark.parametrize(
    ("units", "schools", "words"),
    [
        (UNITS.assign(type=UNITS["type"].replace({"区": "镇"})), SCHOOLS, "单位类型"),
        (pd.concat([UNITS, UNITS.tail(1)]), SCHOOLS, "重复"),
        (
            UNITS.assign(parent_code=UNITS["parent_code"].replace({"120100": "999999"})),
            SCHOOLS,
            "上级代码",
        ),
        (UNITS, SCHOOLS.assign(county_code="999999"), "县区代码不在单位表中"),
        (UNITS, SCHOOLS.assign(stage="大学"), "学段"),
    ],
)
def test_bad_registries(units, schools, words):
    with pytest.raises(OrgUnitError, match=words):
        OrgUnits.from_frames(units, schools)


def test_codes_keep_leading_zeros(tmp_path):
    UNITS.to_csv(tmp_path / "org_units.csv", index=False)
    SCHOOLS.to_csv(tmp_path / "schools.csv", index=False)
    ou = load_org_units(tmp_path)
    assert "000000" in set(ou.units["code"])
    with pytest.raises(OrgUnitError, match="org_units"):
        load_org_units(tmp_path / "nowhere")


def test_a_unit_without_parent_beside_the_root_is_refused():
    import pandas as pd

    from planlib.returns.orgunits import OrgUnitError, OrgUnits

    units = pd.DataFrame(
        {
            "code": ["990100", "990102", "990103"],
            "name": ["云江市", "城关区", "西山区"],
            "type": ["市", "区", "区"],
            "parent_code": ["", "990100", ""],  # 西山区 lost its parent: it would leave the city
        }
    )
    with pytest.raises(OrgUnitError, match="只有一个顶级单位") as err:
        OrgUnits.from_frames(units)
    assert "第 4 行 990103（西山区）" in str(err.value)


def test_a_returns_subfolder_says_to_point_one_level_up(small_sample):
    import planlib

    for sub in (small_sample / "returns", small_sample / "returns" / "2022Q4"):
        with pytest.raises(planlib.PlanlibError, match="请指向上一级的数据目录") as err:
            planlib.load_dataset(sub)
        assert str(small_sample.resolve()) in str(err.value)
