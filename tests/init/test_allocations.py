"""The sample's allocation file is one a bureau would write: no stock target below what the
county already has at the start of the year, the shares adding up to the city's target."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import planlib
from planlib.init.allocations import raise_to_baselines


def test_raise_to_baselines_starts_from_what_each_county_has() -> None:
    """City 30; counties have 5, 0, 3 (8): the increment 22 is shared by the headroom the given
    figures leave (2 − 5 → 0, 10 − 0 → 10, 4 − 3 → 1), as whole schools adding up exactly."""
    out = raise_to_baselines(30, np.array([5.0, 0.0, 3.0]), np.array([2.0, 10.0, 4.0]), 0)
    assert out.sum() == 30 and (out >= [5, 0, 3]).all()
    assert out.tolist() == [5.0, 20.0, 5.0]
    flat = raise_to_baselines(6, np.array([1.0, 1.0]), np.array([0.0, 0.0]), 0)
    assert flat.tolist() == [3.0, 3.0]  # no weights: even shares


@pytest.mark.slow
@pytest.mark.parametrize("seed", [2022, 5])
def test_the_sample_allocation_file_has_no_stock_target_below_the_baseline(
    tmp_path, seed: int
) -> None:
    out = tmp_path / "city"
    planlib.make_sample(out, seed=seed, counties=12, schools_per_county=30)
    run = planlib.monitor(out, "2022Q2")
    a = run.assessment
    stock = a[(a["indicator"] == "provincial_model_high_schools") & (a["level"] == "county")]
    q1 = stock[stock["period"] == "2022Q1"].set_index("org_code")["value"]
    q2 = stock[stock["period"] == "2022Q2"].set_index("org_code")
    assert (q2["target_source"] == "分解文件").all()
    assert (q2["target"] >= q1.reindex(q2.index)).all()
    assert q2["target"].sum() == 30
    assert not (run.problems["rule"] == "allocation_below_baseline").any()
    alloc = pd.read_csv(out / "allocations.csv", dtype={"county": str})
    assert len(alloc) == len(pd.read_csv(planlib.resources.data_dir() / "allocations" / "2022.csv"))
