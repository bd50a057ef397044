"""The notebook templates: committed stripped and thin, and they run on a real kernel."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import papermill
import pytest

import planlib
from planlib.resources import notebooks_dir

NOTEBOOKS = ["county_report", "city_overview", "department_report", "explore", "cookbook"]


def load(name: str) -> nbformat.NotebookNode:
    return nbformat.read(str(notebooks_dir() / f"{name}.ipynb"), as_version=4)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_without_outputs_or_execution_counts(name: str) -> None:
    raw = json.loads((notebooks_dir() / f"{name}.ipynb").read_text(encoding="utf-8"))
    for cell in raw["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    nbformat.validate(load(name))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_parameters_cell_is_tagged_and_holds_values_only(name: str) -> None:
    code = [c for c in load(name).cells if c.cell_type == "code"]
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and params[0] is code[0]
    for node in ast.parse(params[0].source).body:
        assert isinstance(node, ast.Assign)
        assert isinstance(node.value, ast.Constant)  # values, never code


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_thin_no_definitions_no_thresholds(name: str) -> None:
    for cell in load(name).cells:
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        magics_out = [ln for ln in cell.source.splitlines() if not ln.lstrip().startswith("%")]
        tree = ast.parse("\n".join(magics_out))
        for node in ast.walk(tree):
            assert not isinstance(node, ast.FunctionDef | ast.ClassDef | ast.Lambda)
            if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
                assert node.value in (0, 1, 5, 10), f"{name}: a number in a notebook: {node.value}"


def test_report_parameters() -> None:
    names = {
        "county_report": {"county", "period", "data_dir", "context"},
        "city_overview": {"org", "period", "data_dir", "context"},
        "department_report": {"department", "period", "data_dir", "org", "context"},
    }
    for nb, wanted in names.items():
        src = load(nb).cells[0].source
        found = {t.targets[0].id for t in ast.parse(src).body if isinstance(t, ast.Assign)}  # type: ignore[attr-defined]
        assert found == wanted


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("nb-sample") / "city"
    planlib.make_sample(out, seed=5, counties=2, schools_per_county=20)
    return out


def _run(name: str, tmp: Path, **params: object) -> nbformat.NotebookNode:
    out = tmp / f"{name}.out.ipynb"
    papermill.execute_notebook(
        str(notebooks_dir() / f"{name}.ipynb"), str(out), parameters=params,
        kernel_name="python3", progress_bar=False, cwd=str(tmp), shutdown_kernel="immediate",
    )  # fmt: skip
    return nbformat.read(str(out), as_version=4)


def _assert_clean(nb: nbformat.NotebookNode) -> None:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error"
            assert not (out["output_type"] == "stream" and out.get("name") == "stderr"), out


@pytest.mark.slow
def test_explore_runs_on_a_real_kernel_with_the_public_api(sample: Path, tmp_path: Path) -> None:
    nb = _run("explore", tmp_path, data_dir=str(sample))
    _assert_clean(nb)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the heatmap


@pytest.mark.slow
def test_cookbook_answers_each_question_on_a_real_kernel(sample: Path, tmp_path: Path) -> None:
    """The analyst's cookbook runs top to bottom with the public API only: tables for each
    question, an Excel file with Chinese headers, and a seaborn chart without glyph warnings."""
    nb = _run("cookbook", tmp_path, data_dir=str(sample), out_dir=str(tmp_path), county="东湖区")
    _assert_clean(nb)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    html = json.dumps([o.get("data", {}) for o in outputs], ensure_ascii=False)
    assert html.count("<table") >= 6  # a table for every question
    streams = "".join(str(o.get("text", "")) for o in outputs)
    assert "东湖区尚未标准化的义务教育学校" in streams  # question 7 answered by name
    assert any("image/png" in o.get("data", {}) for o in outputs)
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "评估结果.xlsx", read_only=True)
    assert book.sheetnames == ["评估结果", "处室"]
    header = next(book["评估结果"].iter_rows(max_row=1, values_only=True))
    assert "状态" in header and "单位代码" in header


@pytest.mark.slow
def test_city_overview_standalone_computes_from_data_dir(sample: Path, tmp_path: Path) -> None:
    nb = _run("city_overview", tmp_path, data_dir=str(sample), period="2022Q2")
    _assert_clean(nb)
    html = json.dumps([o.get("data", {}) for c in nb.cells for o in c.get("outputs", [])],
                      ensure_ascii=False)  # fmt: skip
    assert "2022年第二季度" in html and "监测总览" in html


def test_the_cookbook_writes_nothing_into_the_checkout_by_default() -> None:
    """Its default out_dir is reports/, which git ignores: running it leaves git status clean."""
    source = "".join(load("cookbook").cells[1].source)
    assert 'out_dir = "../reports"' in source
