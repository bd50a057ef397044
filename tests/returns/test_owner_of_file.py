"""The one rule for which county a return file belongs to (issue 29): ``owner_of_file``."""

from __future__ import annotations

import pytest

from planlib.returns.identity import owner_of_file

COUNTIES = {"990102": "城关区", "990103": "东湖区", "990104": "南江区"}


@pytest.mark.parametrize(
    ("path", "owner"),
    [
        ("returns/2022Q4/990102.xlsx", "990102"),
        ("returns/2022Q4/990103_县级.csv", "990103"),
        ("returns/2022Q4/东湖区2022年四季度报表（更正）.xlsx", "990103"),
        ("returns/2022Q4/城关区/学校明细.xlsx", "990102"),  # the folder names it
        ("returns/2022Q4/990104.xlsx［学校明细］", "990104"),  # a sheet suffix ignored
        ("returns/2022Q4/990102_990103.xlsx", None),  # two counties: no owner by name
        ("returns/2022Q4/报表.xlsx", None),
        ("returns/2022Q4/990199.xlsx", None),  # a code of no county
        ("returns/2022Q4/9901020001.xlsx", None),  # a school code is not a county code
    ],
)
def test_owner_of_file(path, owner):
    assert owner_of_file(path, COUNTIES) == owner


def test_the_file_name_wins_over_its_folder():
    assert owner_of_file("returns/城关区/东湖区.xlsx", COUNTIES) == "990103"
