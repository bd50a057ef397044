"""``planlib report`` for a part of the batch: ``--county``, ``--department``, ``--only``."""

from __future__ import annotations

import json

import pytest

from planlib.cli.report import batch_arguments, report_kinds
from planlib.reporting.runner import KINDS, LOG_NAME, UsageError
from planlib.request import Request

COUNTY = "990102"  # 城关区 in the sample city
FILES = ("ipynb", "html", "pdf")


def test_kinds_from_the_options() -> None:
    assert report_kinds(None, None, None) == KINDS
    assert report_kinds(None, COUNTY, None) == ("county",)
    assert report_kinds("county,city", COUNTY, None) == ("county", "city")
    assert report_kinds(None, None, "财务处") == ("department",)
    assert report_kinds(None, "all", None) == ("county",)  # every county, nothing else
    assert report_kinds("县市区、总览", None, None) == ("county", "city")
    with pytest.raises(UsageError, match="--only 中没有 county"):
        report_kinds("city", COUNTY, None)
    with pytest.raises(UsageError, match="--only 中没有 department"):
        report_kinds("county", None, "财务处")


def test_the_batch_takes_the_request_read_once(tmp_path) -> None:
    every = {"counties": "all", "departments": True}

    def parts(**asked):
        got = batch_arguments(Request.make(tmp_path, "2022Q2", **asked))
        return {k: got[k] for k in every}

    assert parts() == every
    assert parts(units=COUNTY) == {**every, "counties": COUNTY}
    assert parts(units="城关区、990103") == {**every, "counties": "城关区,990103"}
    assert parts(units="全部", departments="all") == every
    assert parts(departments="财务处，基础教育处") == {
        **every,
        "departments": ("财务处", "基础教育处"),
    }
    request = Request.make(tmp_path, "2022Q1:2022Q3", kinds=("city",), root="990100")
    assert request.period.kind == "range" and request.period == "2022Q1:2022Q3"
    assert (
        batch_arguments(request)["kinds"] == ("city",)
        and batch_arguments(request)["root"] == "990100"
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--department", "财物处"), "是否是：财务处"),
        (("--department", "财务处", "--only", "department", "--county", COUNTY), "--only 中没有"),
        (("--only", "学校"), "无法识别的报告种类：学校"),
        (("--county", "123456"), "没有单位「123456」"),
        (("--county", "城关"), "是否是：城关区（"),  # a name's first characters find the unit
    ],
)
def test_refused_with_exit_2_before_any_work(planlib_cli, sample, tmp_path, args, words) -> None:
    out = tmp_path / "out"
    r = planlib_cli("report", "--data", sample, "--out", out, *args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert words in r.stderr and "用法：" in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()


def test_help_says_what_a_multi_quarter_period_means(planlib_cli) -> None:
    r = planlib_cli("report", "--help")
    assert r.returncode == 0
    text = " ".join(r.stdout.split())
    assert "最后一个季度" in text and "--only" in text and "--department" in text


@pytest.mark.slow
def test_one_county_alone_writes_its_files_only(planlib_cli, sample, tmp_path) -> None:
    r = planlib_cli(
        "report",
        "--data",
        sample,
        "--out",
        tmp_path,
        "--county",
        COUNTY,
        "--period",
        "2022",
        "--jobs",
        "1",
    )
    assert r.returncode == 0, r.stderr
    names = {"index.html", "manifest.json", LOG_NAME}
    assert {p.name for p in tmp_path.iterdir()} == {f"{COUNTY}.{x}" for x in FILES} | names
    assert "报告按其中最后一个季度（2022年第四季度）生成" in r.stdout
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["period"] == "2022Q4"
    assert [(e["kind"], e["county_code"]) for e in manifest["reports"]] == [("county", COUNTY)]
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert f"{COUNTY}.pdf" in index and "本批只生成了部分报告" in index


@pytest.mark.slow
def test_one_department_alone(planlib_cli, sample, tmp_path) -> None:
    r = planlib_cli(
        "report",
        "--data",
        sample,
        "--out",
        tmp_path,
        "--department",
        "财务处",
        "--only",
        "department",
        "--format",
        "html",
        "--jobs",
        "1",
    )
    assert r.returncode == 0, r.stderr
    names = {"dept-财务处.ipynb", "dept-财务处.html", "index.html", "manifest.json", LOG_NAME}
    assert {p.name for p in tmp_path.iterdir()} == names
    assert "财务处" in (tmp_path / "dept-财务处.html").read_text(encoding="utf-8")
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parts"] == {"kinds": ["department"], "counties": [], "departments": ["财务处"]}


def test_counties_may_be_named(sample) -> None:  # type: ignore[no-untyped-def]
    from planlib.reporting.runner import check_units

    assert check_units(sample, "城关区、990103") == [COUNTY, "990103"]
