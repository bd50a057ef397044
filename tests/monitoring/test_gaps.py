"""The schools that can close a gap: only where a gap exists, never schools already meeting the
flag, ranked, as many as needed plus the documented margin (issues 27 and 28)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import planlib
from planlib.catalog.expressions import Term
from planlib.catalog.standards import SchoolStandard, StandardItem
from planlib.monitoring import schools_to_close_gap
from planlib.monitoring.gaps import GAP_COLUMNS, _flag_candidates, margin


@pytest.fixture(scope="module")
def run(small_sample: Path) -> planlib.Monitoring:
    return planlib.monitor(small_sample, "2022Q4")


def test_margin_is_two_or_a_fifth_of_those_needed() -> None:
    assert [margin(n) for n in (1, 5, 10, 11, 16)] == [2, 2, 2, 3, 4]


def test_lists_only_where_a_gap_exists_and_only_schools_not_meeting(run) -> None:
    out = schools_to_close_gap(run)
    assert list(out.columns) == GAP_COLUMNS and not out.empty
    a = run.assessment
    county = a[(a["period"] == "2022Q4") & (a["level"] == "county")].set_index(
        ["org_code", "indicator"]
    )
    listed = set(zip(out["county_code"], out["indicator"], strict=True))
    for key in listed:
        assert county.loc[key, "still_needed"] > 0  # a gap, exactly
    met = county[county["still_needed"].fillna(0) == 0]
    assert not listed & set(met.index)  # a county without a gap gets no list
    flags = out[out["way"] == "达到标准"]
    status = run.schools(behind=False).set_index(["school_code", "indicator"])["meets"]
    for code, ind in zip(flags["school_code"], flags["indicator"], strict=True):
        assert not bool(status.get((code, ind), False))  # never a school already meeting it


def test_as_many_as_needed_plus_the_margin_ranked(run) -> None:
    out = schools_to_close_gap(run)
    for (_c, _i), grp in out.groupby(["county_code", "indicator"]):
        needed, listed = int(grp["needed"].iloc[0]), int(grp["listed"].iloc[0])
        assert len(grp) == listed <= needed + margin(needed)
        assert grp["rank"].tolist() == list(range(1, listed + 1))
        assert grp["within_needed"].sum() == min(needed, listed)
        if grp["way"].iloc[0] == "达到标准":
            assert needed == min(int(np.ceil(grp["still_needed"].iloc[0])), listed)
        else:  # pupils: the needed ones cover the shortfall, one fewer would not
            pupils = grp["enrolment"].to_numpy()
            assert (np.diff(pupils) <= 0).all()  # largest first
            gap = grp["still_needed"].iloc[0]
            if grp["covers"].iloc[-1] >= gap:
                assert pupils[:needed].sum() >= gap > pupils[: needed - 1].sum()


def test_kindergartens_that_could_change_category_cover_an_enrolment_gap(run) -> None:
    out = schools_to_close_gap(run)
    kg = out[out["indicator"].isin(["inclusive_kindergarten_share", "public_kindergarten_share"])]
    assert not kg.empty
    assert set(kg["stage"]) == {"幼儿园"}
    inclusive = kg[kg["indicator"] == "inclusive_kindergarten_share"]
    assert set(inclusive["ownership"]) <= {"民办"}  # 公办 and 普惠 already count
    assert set(inclusive["way"]) <= {"转为普惠性民办或公办"}
    public = kg[kg["indicator"] == "public_kindergarten_share"]
    assert "公办" not in set(public["ownership"])


def test_a_unit_is_picked_by_name(run) -> None:
    out = schools_to_close_gap(run)
    code = out["county_code"].iloc[0]
    name = run.dataset.org_units.units.set_index("code").loc[code, "name"]
    one = schools_to_close_gap(run, unit=name)
    assert set(one["county_code"]) == {code} and len(one) == (out["county_code"] == code).sum()


def test_under_a_per_school_standard_the_closest_schools_come_first() -> None:
    """Three items (ratio ≥ 10 each): S1 meets 2 of 3, S2 1 of 3 but close on the rest, S3 1 of 3
    and far; S4 already meets the standard and is never listed."""
    items = tuple(StandardItem(f"项目{k}", f"x{k}", "pupils", 1.0, 10.0) for k in (1, 2, 3))
    standard = SchoolStandard("std_x", "某标准", ("小学",), items, need=3)
    defs = SimpleNamespace(standards=(standard,))
    wide = pd.DataFrame(
        {
            "x1": [12, 12, 12, 12],
            "x2": [11, 9, 2, 12],
            "x3": [5, 9.5, 3, 12],
            "pupils": [1, 1, 1, 1],
            "std_x": [0, 0, 0, 1],
        },
        index=["S1", "S2", "S3", "S4"],
    )
    frame = pd.DataFrame(
        {"code": wide.index, "name": wide.index, "stage": "小学", "ownership": "公办"},
        index=wide.index,
    ).assign(enrolment=100.0, items_met=np.nan, items_total=np.nan, shortfall=np.nan)
    term = Term("school_sum", "std_x", (("stage", ("小学",)),))
    out = _flag_candidates(frame, term, defs, wide)  # type: ignore[arg-type]
    assert out["code"].tolist() == ["S1", "S2", "S3"]
    assert out["items_met"].tolist() == [2, 1, 1] and out["items_total"].tolist() == [3, 3, 3]
