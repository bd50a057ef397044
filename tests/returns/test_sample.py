"""The sample city: deterministic, in the formats counties send, telling a story against the plan."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

import planlib


def digest(folder) -> dict[str, str]:
    out = {}
    for f in sorted(folder.rglob("*")):
        if f.is_file() and f.suffix in (".csv", ".parquet"):
            out[str(f.relative_to(folder))] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def test_deterministic_for_a_seed(tmp_path):
    a = planlib.make_sample(tmp_path / "a", seed=3, counties=3, schools_per_county=30)
    planlib.make_sample(tmp_path / "b", seed=3, counties=3, schools_per_county=30)
    planlib.make_sample(tmp_path / "c", seed=4, counties=3, schools_per_county=30)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a") != digest(tmp_path / "c")
    assert a.counties == 3


def test_formats_as_counties_send_them(small_sample):
    files = {f.suffix for f in (small_sample / "returns").rglob("*.*")}
    assert files == {".xlsx", ".csv"}
    gbk = next((small_sample / "returns" / "2022Q1").glob("*_县级.csv"))
    raw = gbk.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "教育统计季报" in raw.decode("gb18030")
    assert len(list((small_sample / "ledger").glob("*.xlsx"))) == 4


@pytest.mark.slow
def test_indicators_land_near_the_targets_with_spread():
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        planlib.make_sample(tmp, seed=2022)
        ds = planlib.load_dataset(tmp)
        ind = planlib.compute_indicators(ds, periods=["2022Q4"])
    county = ind[ind["level"] == "county"].pivot_table(
        index="org_code", columns="indicator", values="value"
    )
    assert len(county) == 12
    rate = county["preschool_gross_enrolment_rate"]
    assert rate.between(85, 103).all() and (rate < 93.5).any() and (rate >= 93.5).any()
    private = county["private_compulsory_share"]
    assert (private > 5).any() and (private <= 5).any()
    assert county["inclusive_kindergarten_share"].between(78, 95).all()


def test_national_size_parquet_tree(tmp_path):
    s = planlib.make_sample(
        tmp_path, provinces=3, counties=30, schools_per_county=25, fmt="parquet"
    )
    assert s.counties == 30
    ds = planlib.load_dataset(tmp_path)
    levels = ds.org_units.units["level"].value_counts()
    assert levels["country"] == 1 and levels["province"] == 3 and levels["county"] == 30
    assert not (ds.problems["severity"] == "error").any()
    ind = planlib.compute_indicators(ds, periods=["2022Q4"])
    assert {"country", "province", "city", "county"} <= set(ind["level"]) or {
        "province",
        "county",
    } <= set(ind["level"])
    assert isinstance(ds.values, pd.DataFrame) and len(ds.periods) == 4


@pytest.mark.slow
def test_a_new_sample_replaces_an_old_one_whole_and_spares_other_folders(tmp_path):
    out = tmp_path / "city"
    planlib.make_sample(out, seed=1, counties=6, schools_per_county=20)
    planlib.make_sample(out, seed=1, counties=3, schools_per_county=20)
    units = pd.read_csv(out / "org_units.csv", dtype=str)
    reported = {f.name.split("_")[0].split(".")[0] for f in (out / "returns").rglob("*.*")}
    assert reported == set(units.loc[units["parent_code"].notna(), "code"])  # no stale county
    assert planlib.validate(out).ok
    assert [p.name for p in tmp_path.iterdir()] == ["city"]  # no work folders left behind
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(planlib.PlanlibError, match="不是 planlib 示例数据目录"):
        planlib.make_sample(mine, counties=2, schools_per_county=20)
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
