"""The task ledger: reading progress returns (real .xlsx) and colouring tasks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from planlib.monitoring.tasks import parse_due, task_status
from planlib.plan.model import Plan, Target, Task
from planlib.returns.ledger import LEDGER_COLUMNS, read_ledger

HEADER = [
    "任务编号",
    "责任处室",
    "报告期",
    "进展状态",
    "进展情况",
    "佐证材料",
    "下一步计划",
    "计划完成时间",
]


def write_return(path, rows, title="2022年第二季度重点任务进展台账"):
    wb = Workbook()
    ws = wb.active
    ws.append([title])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_read_a_real_workbook_with_a_title_row(tmp_path):
    write_return(
        tmp_path / "2022Q2.xlsx",
        [
            [
                "1.1",
                "区域教育中心建设专班",
                "2022Q2",
                "推进中",
                "已成立专班",
                "文件",
                "出台方案",
                "2022-12-31",
            ],
            [1.2, "发展规划处", None, "已完成", "已召开部署会", "", "", "2022年6月"],
        ],
    )
    ledger, problems = read_ledger(tmp_path, root=tmp_path)
    assert problems == []
    assert list(ledger.columns[: len(LEDGER_COLUMNS)]) == LEDGER_COLUMNS
    assert list(ledger["task_id"]) == ["1.1", "1.2"]
    # A missing period is taken from the title row; Excel rows are counted from 1.
    assert list(ledger["period"]) == ["2022Q2", "2022Q2"]
    assert list(ledger["row"]) == [3, 4] and set(ledger["file"]) == {"2022Q2.xlsx"}


def test_problems_name_file_row_and_column(tmp_path):
    path = write_return(
        tmp_path / "x.xlsx",
        [
            ["1.1", "专班", "2022Q2", "差不多", "", "", "", ""],
            ["", "专班", "2022年第九季度", "推进中", "", "", "", ""],
        ],
        title="台账",
    )
    _, problems = read_ledger(path)
    by_rule = {p.rule: p for p in problems}
    assert by_rule["ledger_status"].row == 3 and by_rule["ledger_status"].column == "进展状态"
    assert by_rule["ledger_status"].value == "差不多"
    assert by_rule["ledger_period"].row == 4 and "报告期" in by_rule["ledger_period"].message
    assert by_rule["ledger_task"].row == 4
    headerless = tmp_path / "y.csv"
    headerless.write_text("a,b\n1,2\n", encoding="utf-8")
    _, problems = read_ledger(headerless)
    assert problems[0].rule == "ledger_header" and "表头" in problems[0].message


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2022-06-30", "2022-06-30"),
        ("2022年6月", "2022-06-30"),
        ("6月底", "2022-06-30"),
        ("2022年9月15日", "2022-09-15"),
        ("2022年第三季度", "2022-09-30"),
        ("2022年底", "2022-12-31"),
    ],
)
def test_due_dates_as_people_write_them(text, date):
    assert parse_due(text, 2022) == pd.Timestamp(date)


def test_unreadable_due_date_is_none():
    assert parse_due("尽快", 2022) is None and parse_due(np.nan) is None


def plan() -> Plan:
    return Plan(
        "测试计划",
        year=2022,
        tasks=(
            Task(1, 1, "无目标的任务", responsible_units=("专班",)),
            Task(1, 2, "另一项任务", lead_units=("发展规划处",), responsible_units=("机关各处室",)),
            Task(
                1,
                3,
                "有目标的任务",
                lead_units=("财务处",),
                targets=(
                    Target(
                        "新建智慧校园", ">=", 113, "所", code="new_smart_campuses", scope="total"
                    ),
                    Target(
                        "补充师资",
                        "~",
                        4000,
                        "人",
                        code="teachers_recruited",
                        aspirational=True,
                        approximate=True,
                        scope="total",
                    ),
                ),
            ),
        ),
    )


def ledger(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=LEDGER_COLUMNS)


def assessment(period, smart, recruited) -> pd.DataFrame:
    def row(indicator, name, **kw):
        return {
            "org_code": "130100", "level": "city", "period": period, "task_id": "1.3",
            "indicator": indicator, "indicator_name": name, "temporal": "flow", **kw,
        }  # fmt: skip

    return pd.DataFrame(
        [
            row("new_smart_campuses", "新建智慧校园数", aspirational=False, **smart),
            row("teachers_recruited", "补充教师数", aspirational=True, **recruited),
        ]
    )


def colours(frame: pd.DataFrame) -> dict[str, str]:
    return dict(zip(frame["task_id"], frame["colour"], strict=True))


def test_colours_from_reports_alone():
    reports = ledger(
        [
            ["1.1", "专班", "2022Q2", "推进中", "进展顺利", "", "", "2022-12-31"],
            ["1.2", "发展规划处", "2022Q2", "推进中", "", "", "", "2022-05-31"],
            ["1.1", "专班", "2022Q1", "滞后", "", "", "", ""],
        ]
    )
    out = task_status(plan(), reports, None, "2022Q2")
    c = colours(out)
    assert c["1.1"] == "green"
    assert (
        c["1.2"] == "red"
        and "已超过计划完成时间（2022-05-31）" in out.set_index("task_id").loc["1.2", "reasons"]
    )
    assert (
        c["1.3"] == "yellow" and "本期未报送进展" in out.set_index("task_id").loc["1.3", "reasons"]
    )
    assert out.set_index("task_id").loc["1.3", "missing_reports"] == "财务处"
    assert set(out["colour_name"]) == {"绿", "红", "黄"}


def test_self_reported_delay_and_not_started_after_half_year_are_yellow():
    reports = ledger(
        [
            ["1.1", "专班", "2022Q3", "未启动", "", "", "", ""],
            ["1.2", "发展规划处", "2022Q3", "滞后", "", "", "", ""],
        ]
    )
    out = task_status(plan(), reports, None, "2022Q3").set_index("task_id")
    assert out.loc["1.1", "colour"] == "yellow" and "仍未启动" in out.loc["1.1", "reasons"]
    assert (
        out.loc["1.2", "colour"] == "yellow" and "发展规划处自报滞后" in out.loc["1.2", "reasons"]
    )


def test_targets_colour_the_task():
    reports = ledger([["1.3", "财务处", "2022Q2", "推进中", "", "", "", "2022-12-31"]])
    on_track = assessment(
        "2022Q2",
        {"status": "未达标", "progress": "正常", "projected_status": "达标"},
        {"status": "未达标", "progress": "正常", "projected_status": "达标"},
    )
    assert colours(task_status(plan(), reports, on_track, "2022Q2"))["1.3"] == "green"
    behind = assessment(
        "2022Q2",
        {"status": "未达标", "progress": "滞后", "projected_status": "未达标"},
        {"status": "未达标", "progress": "正常", "projected_status": "达标"},
    )
    out = task_status(plan(), reports, behind, "2022Q2").set_index("task_id")
    assert (
        out.loc["1.3", "colour"] == "red"
        and "新建智慧校园数按预测年底难以达标" in out.loc["1.3", "reasons"]
    )
    assert out.loc["1.3", "n_targets_behind"] == 1 and out.loc["1.3", "n_targets"] == 2


def test_year_end_misses_hard_targets_red_aspirational_and_near_ones_yellow():
    reports = ledger([["1.3", "财务处", "2022Q4", "已完成", "", "", "", ""]])
    aspirational_miss = assessment(
        "2022Q4",
        {"status": "达标", "progress": "超前", "projected_status": "达标"},
        {"status": "未达标", "progress": "滞后", "projected_status": "未达标"},
    )
    out = task_status(plan(), reports, aspirational_miss, "2022Q4").set_index("task_id")
    assert out.loc["1.3", "colour"] == "yellow" and "（力争）" in out.loc["1.3", "reasons"]
    hard_miss = assessment(
        "2022Q4",
        {"status": "未达标", "progress": "滞后", "projected_status": "未达标"},
        {"status": "达标", "progress": "正常", "projected_status": "达标"},
    )
    assert colours(task_status(plan(), reports, hard_miss, "2022Q4"))["1.3"] == "red"
    # reported done, but a target ends the year only near: not green
    near = assessment(
        "2022Q4",
        {"status": "达标", "progress": "超前", "projected_status": "达标"},
        {"status": "接近", "progress": "正常", "projected_status": "接近"},
    )
    out = task_status(plan(), reports, near, "2022Q4").set_index("task_id")
    assert out.loc["1.3", "colour"] == "yellow" and "略低于目标" in out.loc["1.3", "reasons"]
    assert out.loc["1.3", "reasons"].startswith("任务已报完成，但")  # why not green, at once


def test_a_broken_or_empty_ledger_file_is_a_problem_not_a_crash(tmp_path):
    (tmp_path / "text.xlsx").write_text("not a workbook", encoding="utf-8")
    (tmp_path / "empty.xlsx").write_bytes(b"")
    _, problems = read_ledger(tmp_path)
    assert sorted(p.file for p in problems) == ["empty.xlsx", "text.xlsx"]
    assert all(p.rule == "unreadable" and "无法读取" in p.message for p in problems)
    assert not any("Error" in p.message for p in problems)  # no Python exception names


def test_a_cover_sheet_before_the_ledger_is_skipped(tmp_path):
    from openpyxl import load_workbook

    path = write_return(tmp_path / "x.xlsx", [["1.1", "专班", "2022Q2", "推进中", "", "", "", ""]])
    wb = load_workbook(path)
    wb.create_sheet("封面", 0)["A1"] = "某某处 2022 年第二季度 工作台账"
    wb.save(path)
    ledger, problems = read_ledger(path)
    assert ledger["task_id"].tolist() == ["1.1"] and not problems


def test_common_ways_of_writing_a_status_are_read_as_meant(tmp_path):
    path = write_return(
        tmp_path / "x.xlsx",
        [
            ["1.1", "专班", "2022Q2", "完成", "", "", "", ""],
            ["1.2", "专班", "2022Q2", "进行中", "", "", "", ""],
        ],
    )
    ledger_frame, problems = read_ledger(path)
    assert ledger_frame["status"].tolist() == ["已完成", "推进中"] and not problems
