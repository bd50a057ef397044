"""The planlib command as a user runs it: a real process, exit codes, no tracebacks."""

from __future__ import annotations

import subprocess
import sys

import pytest

import planlib


def run(*args: str, cwd=None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planlib", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_version():
    r = run("--version")
    assert r.returncode == 0 and planlib.__version__ in r.stdout


def test_plan_show_lists_all_targets_with_departments():
    r = run("plan", "show")
    assert r.returncode == 0, r.stderr
    for word in (
        "学前三年毛入学率",
        "补充师资",
        "财务处",
        "组织人事处、审计室",
        "力争、左右",
        "牵头处室",
    ):
        assert word in r.stdout
    # 16 numbered target rows
    assert all(f" {i} " in r.stdout for i in range(1, 17))


def test_plan_show_on_a_broken_file_exits_1_without_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "title: 计划\ntasks:\n- {section: 1, number: 1, title: x, targets: [{indicator: a, "
        "comparator: '=>', value: 1, unit: '%'}]}\n",
        encoding="utf-8",
    )
    r = run("plan", "show", str(bad))
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert "tasks[0].targets[0].comparator" in r.stderr and str(bad) in r.stderr


def test_missing_file_exits_1(tmp_path):
    r = run("plan", "show", str(tmp_path / "none.yaml"))
    assert r.returncode == 1 and "不存在" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("plan", "nope"), "没有这个命令「nope」"),
        (("--bogus",), "没有这个选项：--bogus"),
        (("plan", "show", "a", "b"), "多余的参数"),
        (("validate", "no-such-dir"), "路径「no-such-dir」不存在"),
        (("sample-data", "x", "--counties", "0"), "不在允许的范围"),
        (("report", "--data", "."), "缺少选项 --out"),
    ],
)
def test_usage_errors_exit_2_in_chinese(args, words):
    r = run(*args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and "Error:" not in r.stderr
    assert words in r.stderr and "用法：" in r.stderr


@pytest.mark.parametrize("args", [(), ("plan",), ("plan", "show")])
def test_every_command_has_help(args):
    r = run(*args, "--help")
    assert r.returncode == 0 and "Usage" in r.stdout
