"""A part of a report batch (``run_reports(kinds=…, counties=…, departments=…)``).

The planning tests run the real chain with a recording executor (no kernel); the slow one
renders a county and the overview on real kernels.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

import planlib
from planlib.errors import UnknownNameError
from planlib.reporting import content, runner
from planlib.reporting.context import ReportContext, build_context
from planlib.reporting.executors import LocalExecutor
from planlib.reporting.jobs import ReportJob, ReportResult


@pytest.fixture(scope="module")
def sample(three_county_sample: Path) -> Path:
    return three_county_sample


@pytest.fixture(scope="module")
def ctx(sample: Path) -> ReportContext:
    return build_context(sample)


@pytest.fixture(scope="module")
def county(ctx: ReportContext) -> str:
    return str(ctx.units.loc[ctx.units["level"] == "county", "code"].iloc[0])


class Recorder:
    """An executor that renders nothing: every job comes back ok with a small HTML file."""

    def __init__(self) -> None:
        self.jobs: list[ReportJob] = []

    def run(self, jobs: Iterable[ReportJob], context: bytes) -> Iterator[ReportResult]:
        for job in jobs:
            self.jobs.append(job)
            yield ReportResult(job.key, "ok", {"html": f"<p>{job.title}</p>".encode()}, None, 0.0)


def _batch(sample: Path, ctx: ReportContext, out: Path, **kwargs: object) -> tuple:
    rec = Recorder()
    outcome = runner.run_reports(sample, out, formats="html", executor=rec, context=ctx, **kwargs)  # type: ignore[arg-type]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return rec, outcome, manifest


def test_parse_kinds_accepts_codes_and_chinese_words() -> None:
    assert runner.parse_kinds(None) == runner.KINDS
    assert runner.parse_kinds("city, county") == ("county", "city")  # in KINDS order
    assert runner.parse_kinds("县市区、总览") == ("county", "city")
    assert runner.parse_kinds(["department"]) == ("department",)
    with pytest.raises(runner.UsageError, match="无法识别的报告种类：school"):
        runner.parse_kinds("county,school")
    with pytest.raises(runner.UsageError, match="（空）"):
        runner.parse_kinds(" , ")


def test_unknown_department_names_its_close_matches(plan: planlib.Plan) -> None:
    assert runner.check_department_names(plan, "财务处, 审计室") == ["财务处", "审计室"]
    with pytest.raises(UnknownNameError) as err:
        runner.check_department_names(plan, ["财物处"])
    message = str(err.value)
    assert "财物处" in message and "是否是：财务处" in message and "可用：" in message
    assert isinstance(err.value, runner.UsageError)  # exit 2 in the CLI
    with pytest.raises(UnknownNameError, match="机关各处室"):  # a collective has no report
        runner.check_department_names(plan, ["机关各处室"])


def test_one_county_alone(sample: Path, ctx: ReportContext, county: str, tmp_path: Path) -> None:
    rec, outcome, manifest = _batch(sample, ctx, tmp_path, counties=county, kinds="county")
    assert [(j.kind, j.key) for j in rec.jobs] == [("county", county)]
    assert outcome.partial
    assert manifest["parts"] == {"kinds": ["county"], "counties": [county], "departments": []}
    assert [r["key"] for r in manifest["reports"]] == [county]
    assert {p.name for p in tmp_path.iterdir()} == {
        f"{county}.html",
        "index.html",
        "manifest.json",
        runner.LOG_NAME,
    }
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "本批只生成了部分报告" in index and "共1份报告" in index
    assert f"{county}.html" in index and "city.html" not in index and "处室报告" not in index


def test_a_county_and_the_overview(
    sample: Path, ctx: ReportContext, county: str, tmp_path: Path
) -> None:
    rec, _, manifest = _batch(sample, ctx, tmp_path, counties=county, kinds=["county", "city"])
    assert sorted((j.kind, j.key) for j in rec.jobs) == [("city", "city"), ("county", county)]
    assert {r["kind"] for r in manifest["reports"]} == {"city", "county"}


def test_one_department(sample: Path, ctx: ReportContext, tmp_path: Path) -> None:
    rec, _, manifest = _batch(sample, ctx, tmp_path, kinds="department", departments=["财务处"])
    assert [(j.kind, j.title) for j in rec.jobs] == [("department", "财务处")]
    assert manifest["parts"]["departments"] == ["财务处"]
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "处室报告" in index and "县市区报告" not in index


def test_every_kind_by_default_is_not_partial(
    sample: Path, ctx: ReportContext, tmp_path: Path
) -> None:
    rec, outcome, manifest = _batch(sample, ctx, tmp_path)
    kinds = [j.kind for j in rec.jobs]
    assert kinds.count("city") == 1 and kinds.count("county") == 3
    assert kinds.count("department") == len(content.departments(ctx))
    assert not outcome.partial and manifest["parts"]["counties"] == "all"
    assert "本批只生成了部分报告" not in (tmp_path / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"counties": "990102", "kinds": "city"}, "没有 county"),
        ({"departments": ["财务处"], "kinds": "county"}, "没有 department"),
        ({"departments": False, "kinds": "department"}, "没有要生成的报告"),
        ({"departments": "财物处"}, "是否是：财务处"),
    ],
)
def test_contradictions_are_refused_before_any_work(
    sample: Path, tmp_path: Path, kwargs: dict, words: str
) -> None:
    out = tmp_path / "out"
    with pytest.raises(runner.UsageError, match=words):
        runner.run_reports(sample, out, formats="html", executor=Recorder(), **kwargs)
    assert not out.exists()


@pytest.mark.slow
def test_a_county_and_the_overview_on_real_kernels(
    sample: Path, county: str, tmp_path: Path
) -> None:
    outcome = runner.run_reports(
        sample, tmp_path, counties=county, formats="html", executor=LocalExecutor(jobs=2),
        kinds="county,city",
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.failed
    assert {p.name for p in tmp_path.iterdir()} == {
        f"{county}.ipynb", f"{county}.html", "city.ipynb", "city.html",
        "index.html", "manifest.json", runner.LOG_NAME,
    }  # fmt: skip
    assert "云江市" in (tmp_path / "city.html").read_text(encoding="utf-8")
