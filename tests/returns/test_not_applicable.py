"""A school element that does not apply to a school (省级示范性高中 for a primary school) is not
未填报: the forms hold "—" there, and the reader neither warns about it nor counts it as owed."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

import planlib
from planlib.catalog.applicability import applies, school_scopes
from planlib.catalog.definitions import load_indicators
from planlib.catalog.dictionary import Dictionary, load_dictionary
from planlib.forms.blank import write_forms
from planlib.returns.dataset import load_dataset

NA = "—"


def _fill(form: Path, d: Dictionary, values: dict[tuple[str, str], float]) -> tuple[int, int]:
    """Type the values into every input cell of a form that is not "—"; (typed, "—" cells)."""
    wb = openpyxl.load_workbook(form)
    typed = dashes = 0
    for ws in (wb["县级汇总"], wb["学校明细"]):
        columns = {j: d.match(c.value) for j, c in enumerate(ws[3], start=1)}
        for r in range(4, ws.max_row + 1):
            code = ws.cell(r, 1).value
            for j, m in columns.items():
                if m is None or m.kind != "element":
                    continue
                cell = ws.cell(r, j)
                if cell.value == NA:
                    dashes += 1
                    continue
                cell.value = values[(str(code), str(m.element))]  # every input cell: a value
                typed += 1
    wb.save(form)
    return typed, dashes


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sample city whose 2022Q4 returns are its blank forms filled with its own values, "—"
    cells left as they are."""
    tmp = tmp_path_factory.mktemp("na")
    root = tmp / "city"
    planlib.make_sample(root, seed=7, counties=3, schools_per_county=20)
    v = load_dataset(root).values
    q4 = v[v["period"].eq("2022Q4") & v["file"].str.startswith("returns")]
    values = dict(zip(zip(q4["org_code"], q4["element"], strict=True), q4["value"], strict=True))
    forms = write_forms(root, "2022Q4", tmp / "forms").files
    d = load_dictionary(root / "dictionary.yaml")
    counts = [_fill(f, d, values) for f in forms]
    assert sum(n for n, _ in counts) > 0
    assert sum(n for _, n in counts) > 0  # there are cells that do not apply
    shutil.rmtree(root / "returns" / "2022Q4")
    (root / "returns" / "2022Q4").mkdir()
    for f in forms:
        shutil.copy(f, root / "returns" / "2022Q4" / f.name)
    return root


def test_filled_forms_give_no_empty_cell_warnings(filled: Path) -> None:
    problems = planlib.validate(filled).problems
    q4 = problems[problems["period"].eq("2022Q4")]
    assert not q4["rule"].eq("empty_cell").any(), q4.head().to_string()
    assert not problems["severity"].eq("error").any()


def test_filled_forms_are_complete(filled: Path) -> None:
    quality = load_dataset(filled).quality()
    q4 = quality[quality["period"].eq("2022Q4")]
    assert len(q4) == 3
    assert (q4["completeness"] == 1.0).all(), q4.to_string()
    assert (q4["elements_reported"] == q4["elements_expected"]).all()


def test_a_blank_applicable_cell_still_warns(filled: Path, tmp_path: Path) -> None:
    data = tmp_path / "city"
    shutil.copytree(filled, data)
    schools = load_dataset(data).org_units.schools
    d = load_dictionary(data / "dictionary.yaml")
    form = sorted((data / "returns" / "2022Q4").glob("*.xlsx"))[0]
    wb = openpyxl.load_workbook(form)
    ws = wb["学校明细"]
    columns = [j for j, c in enumerate(ws[3], start=1) if (m := d.match(c.value)) and m.element]
    row, column = next(
        (r, j)
        for r in range(4, ws.max_row + 1)
        for j in columns
        if ws.cell(r, j).value not in (None, NA)
    )  # a cell that applies
    school = str(ws.cell(row, 1).value)
    ws.cell(row, column).value = None  # left blank
    wb.save(form)
    ds = load_dataset(data, cache=False)
    empty = ds.problems[ds.problems["rule"].eq("empty_cell")]
    assert list(zip(empty["org_code"], empty["row"], strict=True)) == [(school, row)]
    q4 = ds.quality().query("period == '2022Q4'").set_index("org_code")
    county = str(schools.set_index("code").loc[school, "county_code"])
    assert q4.loc[county, "elements_reported"] == q4.loc[county, "elements_expected"] - 1


def test_applies_by_stage_and_ownership() -> None:
    stage = (("stage", ("普通高中",)),)
    public_vocational = (("ownership", ("公办",)), ("stage", ("中职",)))
    scopes = {"provincial_model": (stage,), "voc_std_compliant": (public_vocational,)}
    assert applies(scopes, "provincial_model", "普通高中", "民办")
    assert not applies(scopes, "provincial_model", "小学", "公办")
    assert applies(scopes, "voc_std_compliant", "中职", "公办")
    assert not applies(scopes, "voc_std_compliant", "中职", "民办")
    assert not applies(scopes, "voc_std_compliant", "普通高中", "公办")
    assert applies(scopes, "smart_campus_built", "幼儿园", "民办")  # no filter: everywhere


def test_library_scopes() -> None:
    scopes = school_scopes(load_indicators(), load_dictionary())
    assert applies(scopes, "provincial_model", "普通高中", "公办")
    assert not applies(scopes, "provincial_model", "小学", "公办")
    assert applies(scopes, "enrolment", "初中", "民办")
    assert not applies(scopes, "voc_std_compliant", "中职", "民办")
    assert "smart_campus_built" not in scopes  # used without a filter, or not at all
    assert applies(scopes, "smart_campus_built", "特殊教育", "公办")
