"""A request typed once at the edge (planlib.request.Request)."""

from __future__ import annotations

from pathlib import Path

import pytest

from planlib.errors import PlanlibError
from planlib.periods import PeriodRequest
from planlib.request import Request


@pytest.mark.parametrize(
    ("asked", "units"),
    [
        (None, None),
        ("all", None),
        ("全部", None),
        (" ", None),
        ("990102", ("990102",)),
        ("城关区、990103，990104,990102", ("城关区", "990103", "990104", "990102")),
        (["990102", " 990102 ", ""], ("990102",)),
    ],
)
def test_units_are_split_once(tmp_path: Path, asked, units) -> None:
    request = Request.make(tmp_path, units=asked)
    assert request.units == units
    assert request.units_text == ("all" if units is None else ",".join(units))


def test_the_period_is_read_once_and_stays_text(tmp_path: Path) -> None:
    request = Request.make(tmp_path, "2022年第二季度")
    assert isinstance(request.period, PeriodRequest) and request.period == "2022年第二季度"
    assert request.period.kind == "quarter" and not request.period.several
    assert Request.make(tmp_path, request.period).period is request.period
    with pytest.raises(PlanlibError, match="无法识别的报告期"):
        Request.make(tmp_path, "下个季度")


def test_a_data_folder_that_is_a_workspace_brings_it(tmp_path: Path) -> None:
    assert Request.make(tmp_path).workspace is None
    (tmp_path / "planlib.toml").write_text("[plan]\nyear = 2023\n", encoding="utf-8")
    found = Request.make(tmp_path).workspace
    assert found is not None and found.root == tmp_path


def test_chain_holds_what_changes_the_judgement(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    request = Request.make(tmp_path, plan=plan, allocations=None)
    assert request.chain() == {"plan": plan, "settings": None, "allocations": None}
    assert request.kinds == ("county", "department", "city") and request.root is None
