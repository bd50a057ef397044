"""The report runner end to end: real papermill, kernels, nbconvert and WeasyPrint.

One batch runs once per session (kernels are slow on a shared 2-core machine) and many tests
look at what it wrote: one county is made to fail inside its real kernel, and a good earlier
report of that county must survive.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest
from pypdf import PdfReader

import planlib
from planlib.reporting import content, jobs, kernels, runner
from planlib.reporting.context import build_context, context_from_bytes
from planlib.reporting.executors import LocalExecutor, get_executor
from planlib.reporting.html import gap_text, value_text
from planlib.reporting.sections import _gap_for_reader

FAILING = "990103"  # the county made to fail
GOOD_OLD = b"<html>an earlier good report</html>"


class Sabotage:
    """Hands one county an unknown code, so its real notebook raises in its real kernel."""

    def __init__(self) -> None:
        self.inner = LocalExecutor(jobs=2)

    def run(self, batch: Iterable[jobs.ReportJob], context: bytes) -> Iterator[jobs.ReportResult]:
        changed = [
            dataclasses.replace(j, parameters={**j.parameters, "county": "000000"})
            if j.key == FAILING
            else j
            for j in batch
        ]
        yield from self.inner.run(changed, context)


@pytest.fixture(scope="session")
def sample(three_county_sample: Path) -> Path:
    return three_county_sample


@pytest.fixture(scope="session")
def batch(sample: Path, tmp_path_factory: pytest.TempPathFactory) -> runner.BatchOutcome:
    out = tmp_path_factory.mktemp("reports-out")
    (out / f"{FAILING}.html").write_bytes(GOOD_OLD)
    return runner.run_reports(
        sample, out, "latest", "all", "html,pdf", Sabotage(), departments=["发展规划处"]
    )


@pytest.fixture(scope="session")
def manifest(batch: runner.BatchOutcome) -> dict:  # type: ignore[type-arg]
    return json.loads((batch.out / "manifest.json").read_text(encoding="utf-8"))


def ok_entries(manifest: dict) -> list[dict]:  # type: ignore[type-arg]
    return [r for r in manifest["reports"] if r["status"] == "ok"]


@pytest.mark.slow
def test_batch_exit_code_and_failed_county_isolated(batch: runner.BatchOutcome) -> None:
    assert batch.exit_code == 1
    assert [e["key"] for e in batch.failed] == [FAILING]
    assert "未知的单位代码" in batch.failed[0]["error"]
    kinds = {e["kind"] for e in batch.entries if e["status"] == "ok"}
    assert kinds == {"county", "city", "department"}


@pytest.mark.slow
def test_manifest_has_the_documented_keys(  # type: ignore[type-arg]
    manifest: dict, sample: Path, batch: runner.BatchOutcome
) -> None:
    assert set(manifest) >= {"period", "generated_at", "planlib_version", "inputs", "reports"}
    assert manifest["period"] == "2022Q4"
    assert manifest["planlib_version"] == planlib.__version__
    for item in manifest["inputs"]:
        digest = hashlib.sha256((sample / item["path"]).read_bytes()).hexdigest()
        assert digest == item["sha256"]
    for report in manifest["reports"]:
        assert set(report) >= {"county_code", "county_name", "status", "files", "error"}
        assert set(report["files"]) == {"ipynb", "html", "pdf"}
    counties = [r for r in manifest["reports"] if r["kind"] == "county"]
    assert sorted(r["county_code"] for r in counties) == ["990102", FAILING, "990104"]
    failed = next(r for r in counties if r["county_code"] == FAILING)
    assert failed["status"] == "failed" and failed["error"]
    assert failed["files"]["html"] == f"{FAILING}.html"  # the old good file is still there
    assert failed["files"]["pdf"] is None
    for report in manifest["reports"]:  # what was written this run, checkable later
        for kind, digest in report["sha256"].items():
            written = batch.out / report["files"][kind]
            assert hashlib.sha256(written.read_bytes()).hexdigest() == digest
    assert failed["sha256"] == {}


@pytest.mark.slow
def test_no_half_written_file_replaces_a_good_report(batch: runner.BatchOutcome) -> None:
    assert (batch.out / f"{FAILING}.html").read_bytes() == GOOD_OLD
    assert not list(batch.out.glob(".*.part"))


def test_write_atomic_keeps_the_old_file_when_writing_fails(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "990102.pdf"
    target.write_bytes(b"good")

    def boom(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        runner.write_atomic(target, b"half")
    assert target.read_bytes() == b"good"
    assert list(tmp_path.iterdir()) == [target]


@pytest.mark.slow
def test_html_shows_outputs_only(batch: runner.BatchOutcome, manifest: dict) -> None:  # type: ignore[type-arg]
    for entry in ok_entries(manifest):
        html = (batch.out / entry["files"]["html"]).read_text(encoding="utf-8")
        assert '<html lang="zh">' in html
        assert "jp-InputArea" not in html and "report.open_context" not in html
        assert "import" not in html.split("<body>")[1].split("<img")[0]
    county = (batch.out / "990102.html").read_text(encoding="utf-8")
    for heading in (
        "总体情况",
        "各项目标完成情况",
        "季度趋势",
        "在全市的位置",
        "数据质量",
        "数据来源",
    ):
        assert heading in county


@pytest.mark.slow
def test_pdf_has_chinese_text_and_embeds_the_bundled_font(batch: runner.BatchOutcome) -> None:
    reader = PdfReader(str(batch.out / "990102.pdf"))
    text = "".join(page.extract_text() or "" for page in reader.pages)
    assert "城关区" in text and "监测报告" in text and "达标" in text
    # checksums live in manifest.json and index.html, not on a reader's pages, nor file names
    assert not re.search(r"[0-9a-f]{64}", text) and "manifest.json" not in text
    assert "数据来源" in text
    assert re.search(r"[0-9a-f]{64}", (batch.out / "index.html").read_text(encoding="utf-8"))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    fonts = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Noto-Sans-SC" in f for f in fonts), fonts


@pytest.mark.slow
def test_executed_notebooks_are_clean_and_collapsed(
    batch: runner.BatchOutcome, manifest: dict
) -> None:  # type: ignore[type-arg]
    for entry in ok_entries(manifest):
        nb = nbformat.read(str(batch.out / entry["files"]["ipynb"]), as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code and all(c.metadata["jupyter"]["source_hidden"] for c in code)
        for cell in code:
            for out in cell.get("outputs", []):
                assert out["output_type"] != "error"
                assert not (out["output_type"] == "stream" and out["name"] == "stderr"), out
                text = json.dumps(out, ensure_ascii=False)
                assert "Warning" not in text and "findfont" not in text


@pytest.mark.slow
def test_index_links_every_report_and_names_the_failure(batch: runner.BatchOutcome) -> None:
    index = (batch.out / "index.html").read_text(encoding="utf-8")
    for name in ("990102.html", "990102.pdf", "city.pdf", "dept-发展规划处.html"):
        assert f'href="{name}"' in index
    assert "生成失败" in index and "未知的单位代码" in index
    assert "达标" in index


@pytest.mark.slow
def test_log_file_beside_the_manifest(batch: runner.BatchOutcome) -> None:
    log = (batch.out / runner.LOG_NAME).read_text(encoding="utf-8")
    assert "失败" in log and FAILING in log and "结束" in log


@pytest.mark.slow
def test_context_round_trip(sample: Path) -> None:
    ctx = build_context(sample, "2022Q3")
    back = context_from_bytes(ctx.to_bytes())
    assert back.period == "2022Q3" and back.meta["previous_period"] == "2022Q2"
    assert back.assessment.shape == ctx.assessment.shape
    assert set(back.assessment["period"]) == {"2022Q1", "2022Q2", "2022Q3"}
    assert back.assessment["org_code"].str.len().eq(6).all()  # codes stay strings
    # the as-of quarter as reports say it, worked out once and carried in the zip
    assert back.meta["period_label"] == back.period_label == "2022年第三季度"
    assert back.meta["previous_label"] == back.previous_label == "2022年第二季度"
    older = dataclasses.replace(
        back, meta={k: v for k, v in back.meta.items() if not k.endswith("_label")}
    )  # a context from a batch before the labels were carried says the same
    assert (older.period_label, older.previous_label) == ("2022年第三季度", "2022年第二季度")


@pytest.mark.slow
def test_a_context_read_again_is_a_copy_no_report_can_change(sample: Path) -> None:
    """A warm kernel reads one batch context for report after report from the last read kept:
    what one report does to its frames or meta never reaches the next, and other bytes are
    read anew."""
    data = build_context(sample, "2022Q3").to_bytes()
    first = context_from_bytes(data)
    expected = first.assessment.copy(deep=True)
    first.assessment.loc[first.assessment.index[0], "value"] = -1.0
    first.assessment["status"] = "达标"
    first.units.iloc[:, 0] = None
    first.meta["period"] = "1999Q1"
    first.meta["periods"].append("1999Q2")
    again = context_from_bytes(data)
    pd.testing.assert_frame_equal(again.assessment, expected)
    assert (
        again.units.iloc[:, 0].notna().all()
        and again.period == "2022Q3"
        and "1999Q2" not in again.meta["periods"]
    )
    assert again.assessment is not first.assessment
    other = context_from_bytes(build_context(sample, "2022Q2").to_bytes())
    assert other.period == "2022Q2"


def test_unknown_county_is_refused_before_any_work(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "planlib", "report", "--data", str(sample), "--out", str(out),
         "--county", "990102,123456"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "123456" in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists()


def test_usage_checks(sample: Path) -> None:
    with pytest.raises(runner.UsageError):
        runner.parse_formats("html,docx")
    with pytest.raises(runner.UsageError):
        runner.check_units(sample, "990100")  # the root has no parent to compare with
    assert runner.check_units(sample, "990102, 990104") == ["990102", "990104"]
    assert runner.check_units(sample, "all") is None


def test_units_are_checked_against_one_registry(sample: Path) -> None:
    """The registry loaded once serves both checks; a school (by code or by name) is no unit a
    report is made for, and says so instead of failing on a missing parent."""
    from planlib.returns.orgunits import load_org_units

    units = load_org_units(sample)
    school = units.schools.iloc[len(units.schools) // 2]
    for spec in (str(school["code"]), str(school["name"])):
        with pytest.raises(runner.UsageError, match="是学校"):
            runner.check_units(sample, f"990102、{spec}", units)
    county = units.units[units.units["parent_code"].fillna("").astype(str) != ""].iloc[-1]
    assert runner.check_units(sample, str(county["name"]), units) == [str(county["code"])]
    root = str(units.units.loc[units.units["parent_code"].fillna("") == "", "code"].iloc[0])
    assert runner.check_root(sample, root, units) == root


def test_names_never_reach_paths_unsanitised() -> None:
    assert runner.safe_key("../../etc/passwd") == "etc_passwd"
    assert runner.safe_key("dept-财务处/审计") == "dept-财务处_审计"
    assert runner.safe_key("...") == "report"


def test_data_text_is_escaped() -> None:
    import pandas as pd

    html = content.table(pd.DataFrame({"单位": ["<script>alert(1)</script>"]}))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_executor_registry() -> None:
    assert isinstance(get_executor("local", jobs=2), LocalExecutor)
    with pytest.raises(planlib.PlanlibError):
        get_executor("ray")


def _notebook(tmp_path: Path, source: str) -> str:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "language": "python",
        "display_name": "Python 3",
    }
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(path))
    return str(path)  # absolute: resolves outside notebooks/


@pytest.mark.slow
def test_whole_notebook_timeout_kills_the_kernel(tmp_path: Path) -> None:
    job = jobs.ReportJob("t", "county", "超时", _notebook(tmp_path, "import time\ntime.sleep(120)"),
                         {}, ("html",), timeout=4)  # fmt: skip
    result = jobs.render_job(job, b"")
    assert result.status == "failed" and "超时" in (result.error or "")
    assert result.seconds < 60 and result.files == {}


@pytest.mark.slow
def test_a_dying_kernel_is_a_failed_result(tmp_path: Path) -> None:
    job = jobs.ReportJob("d", "county", "死", _notebook(tmp_path, "import os\nos._exit(1)"),
                         {}, ("html",), timeout=60)  # fmt: skip
    result = jobs.render_job(job, b"")
    assert result.status == "failed" and result.error


def _warm(job: jobs.ReportJob, context: bytes = b"ctx", limit: int = 25) -> jobs.ReportResult:
    return kernels.render_warm_with(job, context, limit)


@pytest.fixture
def warm_kernels() -> Iterator[None]:
    kernels.close_all()
    yield
    kernels.close_all()


@pytest.mark.slow
def test_warm_kernel_runs_report_after_report_in_a_fresh_namespace(
    tmp_path: Path, warm_kernels: None
) -> None:
    """Two reports in one kept kernel: the second sees nothing of the first, its cells count
    from 1, and papermill injected its parameters as it does on a new kernel."""
    first = _notebook(tmp_path, "leak = county * 2\nprint(leak)")
    (tmp_path / "second").mkdir()
    second = _notebook(tmp_path / "second", "assert 'leak' not in globals(), leak\nprint(county)")
    a = _warm(jobs.ReportJob("a", "county", "甲", first, {"county": "990102"}, ("html",)))
    pid = kernels.current_pid()
    kept = kernels._POOL.kernel
    client = kept.kc if kept is not None else None
    b = _warm(jobs.ReportJob("b", "county", "乙", second, {"county": "990103"}, ("html",)))
    assert (a.status, b.status) == ("ok", "ok"), (a.error, b.error)
    assert pid is not None and kernels.current_pid() == pid  # the same kernel ran both
    # through the kernel's one client (no new client waiting for IOPub per report), which
    # hands the second report none of the first's messages
    assert client is not None and kernels._POOL.kernel is kept and kept.kc is client
    assert client.channels_running
    nb = nbformat.reads(b.files["ipynb"].decode("utf-8"), as_version=4)
    injected, cell = nb.cells
    assert "injected-parameters" in injected.metadata["tags"]
    assert 'county = "990103"' in injected.source
    assert [injected.execution_count, cell.execution_count] == [1, 2]
    assert [o.get("text") for o in cell.outputs] == ["990103\n"] and not injected.outputs
    assert "990102990102" in a.files["html"].decode("utf-8")


@pytest.mark.slow
def test_warm_kernel_is_replaced_after_a_failure_every_n_reports_and_for_a_new_context(
    tmp_path: Path, warm_kernels: None
) -> None:
    good = jobs.ReportJob("g", "county", "好", _notebook(tmp_path, "x = 1"), {}, ("html",))
    (tmp_path / "bad").mkdir()
    bad = jobs.ReportJob("b", "county", "坏", _notebook(tmp_path / "bad", "1 / 0"), {}, ("html",))
    assert _warm(good).status == "ok"
    first = kernels.current_pid()
    failed = _warm(bad)
    assert failed.status == "failed" and "ZeroDivisionError" in (failed.error or "")
    assert kernels.current_pid() is None  # discarded with the failed report
    assert _warm(good).status == "ok"
    second = kernels.current_pid()
    assert second not in (None, first)
    assert _warm(good, limit=2).status == "ok" and kernels.current_pid() == second
    assert _warm(good, limit=2).status == "ok" and kernels.current_pid() != second  # 2 done
    third = kernels.current_pid()
    assert _warm(good, context=b"another batch").status == "ok"
    assert kernels.current_pid() != third


@pytest.mark.slow
def test_warm_kernel_timeout_and_death_are_failed_results_and_the_next_report_runs(
    tmp_path: Path, warm_kernels: None
) -> None:
    slow = jobs.ReportJob("t", "county", "超时", _notebook(tmp_path, "import time\ntime.sleep(120)"),
                          {}, ("html",), timeout=4)  # fmt: skip
    result = _warm(slow)
    assert result.status == "failed" and "超时" in (result.error or "")
    assert result.seconds < 60 and result.files == {}
    (tmp_path / "die").mkdir()
    die = jobs.ReportJob("d", "county", "死", _notebook(tmp_path / "die", "import os\nos._exit(1)"),
                         {}, ("html",), timeout=60)  # fmt: skip
    dead = _warm(die)
    assert dead.status == "failed" and "内核意外退出" in (dead.error or "")
    (tmp_path / "ok").mkdir()
    after = _warm(
        jobs.ReportJob("o", "county", "好", _notebook(tmp_path / "ok", "1"), {}, ("html",))
    )
    assert after.status == "ok", after.error


def test_kernel_setting_chooses_the_job_function() -> None:
    assert get_executor("local", jobs=1).render is kernels.render_warm  # type: ignore[attr-defined]
    fresh = get_executor("local", jobs=1, kernel="fresh")
    assert fresh.render is jobs.render_job  # type: ignore[attr-defined]
    with pytest.raises(planlib.PlanlibError, match="未知的内核方式"):
        get_executor("local", kernel="tepid")


def test_num_small_gaps_keep_their_sign_and_none_reads_as_minus_zero() -> None:
    num = content.num
    assert num(-0.02, "%", signed=True) == "-0.02%"  # beside 接近, "0%" would puzzle a reader
    assert num(0.04, "%", signed=True) == "+0.04%"
    assert num(-0.001, "%", signed=True) == "0%"  # never "-0%"
    assert num(0.0, signed=True) == "0"
    assert num(-3.0, signed=True) == "-3"
    assert num(2.5, "%", signed=True) == "+2.5%"
    assert num(float("nan")) == "—"


@pytest.mark.slow
def test_a_batch_about_a_province_of_a_national_tree(tmp_path: Path) -> None:
    """--root: a province's overview over its cities, each city's report, real kernels."""
    data = tmp_path / "national"
    planlib.make_sample(data, seed=5, provinces=2, counties=8, schools_per_county=20, fmt="parquet")
    units = planlib.load_org_units(data).units
    province = str(units.loc[units["type"] == "省", "code"].iloc[0])
    cities = units.loc[units["parent_code"] == province, "code"].astype(str).tolist()
    with pytest.raises(runner.UsageError, match="未知"):
        runner.check_root(data, "999999")
    county = str(units.loc[units["type"].isin(["县", "区", "县级市"]), "code"].iloc[0])
    with pytest.raises(runner.UsageError, match="没有下级"):
        runner.check_root(data, county)

    out = tmp_path / "out"
    outcome = runner.run_reports(
        data, out, "latest", "all", "html", LocalExecutor(jobs=2), root=province, departments=False
    )
    assert outcome.exit_code == 0, outcome.failed
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    by_kind = {k: [r for r in manifest["reports"] if r["kind"] == k] for k in ("city", "county")}
    assert [r["county_code"] for r in by_kind["city"]] == [province]
    assert sorted(r["county_code"] for r in by_kind["county"]) == sorted(cities)
    overview = (out / "city.html").read_text(encoding="utf-8")
    names = dict(zip(units["code"].astype(str), units["name"].astype(str), strict=True))
    assert names[province] in overview
    assert all(names[c] in overview for c in cities)  # the heatmap's rows are its cities


def test_gap_reads_plus_when_better_than_target_in_both_directions(sample: Path) -> None:
    ctx = build_context(sample)
    rows = ctx.assessment[ctx.assessment["period"] == ctx.period]
    shown = _gap_for_reader(rows)
    lower = rows["direction"] == "lower"
    assert lower.any() and (~lower).any()
    # the gap is the printed value's, to what the status was judged against (the schedule
    # before year end for a flow)
    goal = rows["expected_value"].where(rows["judged_against"] == "序时目标", rows["target"])
    assert (shown[lower] == goal[lower] - rows["value_shown"][lower]).all()
    assert (shown[~lower].dropna() == (rows["value_shown"] - goal)[~lower].dropna()).all()
    met = rows["status"] == "达标"
    exact = rows["comparator"].isin([">=", "<="])
    assert (shown[met & exact].dropna() >= -1e-9).all()  # a met ≥/≤ target never reads as a miss


@pytest.mark.slow
def test_department_entries_show_their_own_targets(
    batch: runner.BatchOutcome, manifest: dict, sample: Path
) -> None:  # type: ignore[type-arg]
    import re

    dept = next(r for r in manifest["reports"] if r["kind"] == "department")
    assert dept["county_code"] is None  # a 处室 has no division code
    ctx = build_context(sample)
    mine = ctx.departments[ctx.departments["department"] == dept["county_name"]]
    index = (batch.out / "index.html").read_text(encoding="utf-8")
    row = next(r for r in index.split("<tr>") if dept["county_name"] in r)
    chips = [int(n) for n in re.findall(r"(?:达标|接近|未达标|无数据) (\d+)</span>", row)]
    assert sum(chips) == len(mine)
    assert chips[0] == int((mine["city_status"] == "达标").sum())


def test_ranks_share_a_place_when_tied(sample: Path) -> None:
    ctx = build_context(sample)
    tab = content.standing(ctx, str(ctx.meta["root"]))
    score = list(zip(tab["达标"], tab["接近"], strict=True))
    for i, a in enumerate(score):
        for j, b in enumerate(score):
            if a == b and i != j:
                assert tab["名次"].iloc[i] == tab["名次"].iloc[j] and tab["并列"].iloc[i]
            elif a > b:
                assert tab["名次"].iloc[i] < tab["名次"].iloc[j]
    # values print at their published precision, which is what their status was judged on
    # with their decimals, zeros too: the precision is part of what the number says
    assert value_text(100.0, 1, "%") == "100.0%" and value_text(55.9, 1, "%") == "55.9%"
    assert value_text(207.66, 2, "亿元") == "207.66亿元" and value_text(113, 0, "所") == "113所"
    assert value_text(12.3, 2, "亿元") == "12.30亿元" and value_text(56, 1, "%") == "56.0%"
    assert gap_text(-3.5, "%") == "-3.5个百分点" and gap_text(-9, "所", 0) == "-9所"
    assert gap_text(-10, "%") == "-10.0个百分点" and gap_text(-0.004, "%") == "0.0个百分点"
    assert content.when("2026-11-29T02:17:11+00:00") == "2026-11-29 10:17（北京时间）"
