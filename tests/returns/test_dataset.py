"""A data folder as one object: a bad county file does not stop the others."""

from __future__ import annotations

import shutil

import planlib


def test_dataset_parts(small_sample):
    ds = planlib.load_dataset(small_sample)
    # the sample carries last year's returns too (flows are projected with last year's pattern)
    assert ds.periods == [f"{y}Q{q}" for y in (2021, 2022) for q in (1, 2, 3, 4)]
    assert ds.latest_period == "2022Q4"
    assert list(ds.values.columns) == [
        "org_code",
        "period",
        "element",
        "value",
        "file",
        "row",
        "column",
    ]
    assert ds.values["org_code"].map(type).eq(str).all()
    assert {"org_units.csv", "schools.csv"} <= set(ds.inputs["path"])
    assert ds.inputs["sha256"].str.len().eq(64).all()
    assert set(ds.ledger["status"]) <= {"未启动", "推进中", "已完成", "滞后"} and len(ds.ledger) > 0


def test_one_bad_county_does_not_stop_the_rest(small_sample, tmp_path):
    data = tmp_path / "d"
    shutil.copytree(small_sample, data)
    victim = sorted((data / "returns" / "2022Q2").glob("*.xlsx"))[0]
    county = victim.stem
    victim.write_text("garbage", encoding="utf-8")
    ds = planlib.load_dataset(data)
    q2 = ds.values[ds.values["period"] == "2022Q2"]
    assert county not in set(q2["org_code"])
    others = set(ds.org_units.counties()["code"]) - {county}
    assert others <= set(q2["org_code"]) | set(ds.org_units.schools["code"]) or others & set(
        q2["org_code"]
    )
    assert (ds.problems["rule"] == "unreadable").sum() == 1
