"""``planlib report`` for a part of the batch: ``--county``, ``--department``, ``--only``."""

from __future__ import annotations

import json

import pytest

from planlib.cli.report import report_parts
from planlib.reporting.runner import KINDS, LOG_NAME, UsageError

COUNTY = "990102"  # 城关区 in the sample city


def test_parts_from_the_options() -> None:
    every = {"kinds": KINDS, "counties": "all", "departments": True}
    assert report_parts(None, None, None) == every
    assert report_parts(None, COUNTY, None) == {**every, "kinds": ("county",), "counties": COUNTY}
    assert report_parts("county,city", COUNTY, None)["kinds"] == ("county", "city")
    assert report_parts(None, None, "财务处") == {
        "kinds": ("department",), "counties": "all", "departments": "财务处"
    }  # fmt: skip
    assert report_parts(None, "all", None)["kinds"] == ("county",)  # every county, nothing else
    assert report_parts("department", None, "all")["departments"] is True
    with pytest.raises(UsageError, match="--only 中没有 county"):
        report_parts("city", COUNTY, None)
    with pytest.raises(UsageError, match="--only 中没有 department"):
        report_parts("county", None, "财务处")


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
    r = planlib_cli("report", "--data", sample, "--out", tmp_path, "--county", COUNTY,
                    "--period", "2022", "--jobs", "1")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert {p.name for p in tmp_path.iterdir()} == {
        f"{COUNTY}.ipynb", f"{COUNTY}.html", f"{COUNTY}.pdf",
        "index.html", "manifest.json", LOG_NAME,
    }  # fmt: skip
    assert "报告按其中最后一个季度（2022年第四季度）生成" in r.stdout
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["period"] == "2022Q4"
    assert [(e["kind"], e["county_code"]) for e in manifest["reports"]] == [("county", COUNTY)]
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert f"{COUNTY}.pdf" in index and "本批只生成了部分报告" in index


@pytest.mark.slow
def test_one_department_alone(planlib_cli, sample, tmp_path) -> None:
    r = planlib_cli("report", "--data", sample, "--out", tmp_path, "--department", "财务处",
                    "--only", "department", "--format", "html", "--jobs", "1")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert {p.name for p in tmp_path.iterdir()} == {
        "dept-财务处.ipynb", "dept-财务处.html", "index.html", "manifest.json", LOG_NAME,
    }  # fmt: skip
    assert "财务处" in (tmp_path / "dept-财务处.html").read_text(encoding="utf-8")
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parts"] == {"kinds": ["department"], "counties": [], "departments": ["财务处"]}


def test_counties_may_be_named(sample) -> None:  # type: ignore[no-untyped-def]
    from planlib.reporting.runner import check_units

    assert check_units(sample, "城关区、990103") == [COUNTY, "990103"]
