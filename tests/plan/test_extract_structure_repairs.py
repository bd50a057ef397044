"""Plan texts a reviewer's QA pass broke the extractor with: each must give the right tasks, or
say plainly what it could not place (never silently merge items or lose sections)."""

from __future__ import annotations

import planlib

HEAD = "某县教育局2024年工作要点\n"


def extract(body: str) -> tuple[planlib.Plan, list[str]]:
    result = planlib.extract_plan(HEAD + body)
    return result.plan, [w.message for w in result.warnings]


def shape(plan: planlib.Plan) -> list[tuple[int, int, str, tuple[str, ...]]]:
    return [(t.section, t.number, t.title, t.lead_units) for t in plan.tasks]


def test_an_unpunctuated_line_before_the_first_heading_does_not_hide_the_outline():
    plan, _ = extract(
        "蓬江区教育局\n一、扩大资源\n（一）加快学校建设。新建中小学校5所。（牵头科室：规划建设科）\n"
        "二、提高质量\n（二）深化课堂教学改革。课后服务参与率达到95%。（牵头科室：教研室）\n"
    )
    assert shape(plan) == [
        (1, 1, "加快学校建设", ("规划建设科",)),
        (2, 2, "深化课堂教学改革", ("教研室",)),
    ]


def test_a_gap_in_the_numbering_keeps_every_item_and_says_what_is_missing():
    plan, warnings = extract(
        "一、扩大资源\n1.加快学校建设。新建中小学校5所。（牵头科室：规划股）\n"
        "2.推进普惠。普惠性幼儿园覆盖率达到90%。（牵头科室：基教股）\n"
        "4.补充教师。招聘教师100人。（牵头科室：人事股）\n"
        "二、提高质量\n5.深化课堂教学改革。课后服务参与率达到95%。（牵头科室：教研室）\n"
        "四、强化保障\n6.加大投入。教育经费投入达到3亿元。（牵头科室：财务股）\n"
    )
    assert [t.number for t in plan.tasks] == [1, 2, 4, 5, 6]
    assert plan.tasks[1].lead_units == ("基教股",) and plan.tasks[2].lead_units == ("人事股",)
    assert any("缺少第 3 项" in w for w in warnings)
    assert any("缺少第 3 部分" in w for w in warnings)


def test_an_item_without_full_stop_or_clause_does_not_swallow_the_next_sections():
    plan, warnings = extract(
        "一、扩大资源\n1.加快学校建设。新建中小学校5所\n二、提高质量\n"
        "2.深化课堂教学改革。课后服务参与率达到95%。（牵头科室：教研室）\n"
        "三、队伍建设\n3.补充教师。招聘教师100人。（牵头科室：人事股）\n"
    )
    assert [(t.section, t.number) for t in plan.tasks] == [(1, 1), (2, 2), (3, 3)]
    assert plan.tasks[0].lead_units == () and any("没有责任处室" in w for w in warnings)


def test_half_width_full_stops_after_chinese_end_sentences():
    plan, _ = extract(
        "2024年,全区教育工作要统筹推进各项改革.\n一、扩大资源\n"
        "（一）加快学校建设.新建中小学校5所.(牵头科室:规划建设科)\n"
    )
    assert shape(plan) == [(1, 1, "加快学校建设", ("规划建设科",))]
    assert [g.value for _, g in plan.targets] == [5.0]


def test_gushi_labels_and_square_brackets_are_clauses():
    plan, _ = extract(
        "一、推进教育优质均衡\n"
        "1.推进集团化办学。新组建教育集团5个。（牵头股室：基础教育股；配合单位：教研室）\n"
        "(1)城区学校牵头组建集团3个；\n(2)乡镇学校牵头组建集团2个。\n"
        "2.加强保障。新建学校3所。【牵头科室：基教股】\n"
    )
    assert plan.tasks[0].lead_units == ("基础教育股",)
    assert plan.tasks[0].responsible_units == ("教研室",)
    assert plan.tasks[1].lead_units == ("基教股",)


def test_several_clauses_in_one_item_are_reported():
    # the second item lost its number: its clause lands in the first item
    _, warnings = extract(
        "一、全面加强党的建设\n"
        "1.深化理论武装。开展理论学习12次以上。（牵头科室：办公室）"
        "加强基层党组织建设。党组织书记、校长分设比例达到100%。（牵头科室：组织人事股）\n"
    )
    assert any("2 处责任分工" in w for w in warnings)


def test_subsection_headings_over_numbered_tasks():
    # 一、 / （一） / 1.: the three-level outline of many plans; the 1. items are the tasks and
    # a subsection heading is their tag; a person named before the units is not a unit
    plan, warnings = extract(
        "一、全面加强党的建设\n（一）强化政治引领\n"
        "1.深化理论武装。开展理论学习12次以上。\n牵头领导：王某某 责任股室：办公室\n"
        "2.加强基层党组织建设。党组织书记、校长分设比例达到100%。（牵头科室：组织人事股）\n"
        "（二）建强干部队伍\n"
        "3.加强干部培训。组建培训专班3个。（责任股室：组织人事股）\n"
    )
    assert [(t.id, t.title) for t in plan.tasks] == [
        ("1.1", "深化理论武装"), ("1.2", "加强基层党组织建设"), ("1.3", "加强干部培训"),
    ]  # fmt: skip
    assert [t.tags for t in plan.tasks] == [("强化政治引领",)] * 2 + [("建强干部队伍",)]
    assert plan.task("1.1").responsible_units == ("办公室",)
    assert plan.task("1.2").lead_units == ("组织人事股",)
    assert [(g.indicator, g.value) for g in plan.task("1.3").targets] == [("组建培训专班", 3)]
    assert warnings == []


def test_numbering_that_restarts_in_each_subsection_numbers_on_within_the_section():
    plan, warnings = extract(
        "一、重点任务\n（一）学前教育\n1.扩充资源。新建幼儿园3所。（责任股室：学前股）\n"
        "2.提升质量。示范园达到5所。（责任股室：学前股）\n"
        "（二）义务教育\n1.推进均衡。巩固率达到99%。（责任股室：基教股）\n"
    )
    assert [(t.id, t.title, t.tags) for t in plan.tasks] == [
        ("1.1", "扩充资源", ("学前教育",)),
        ("1.2", "提升质量", ("学前教育",)),
        ("1.3", "推进均衡", ("义务教育",)),
    ]
    assert any("各小节" in w and "重新开始" in w for w in warnings)


def test_a_shared_subject_drops_the_earlier_measures_gross():
    plan, _ = extract(
        "一、重点工作\n1.巩固普及成果。高中阶段教育毛入学率达到96%、巩固率达到95%。"
        "（牵头科室：高中教育股）\n"
    )
    assert [g.indicator for _, g in plan.targets] == [
        "高中阶段教育毛入学率",
        "高中阶段教育巩固率",
    ]


def test_growth_in_percent_and_a_later_years_target_are_flagged_not_silently_taken():
    _, warnings = extract(
        "一、重点工作\n1.加大投入。生均公用经费增长10%。到2025年，智慧校园覆盖率达到60%。"
        "到2024年底，课后服务参与率达到95%。（牵头科室：计财股）\n"
    )
    assert any("相对上年的增幅（×1.1）" in w for w in warnings)
    assert any("「到2025年」" in w for w in warnings)
    assert not any("2024年" in w for w in warnings)  # the plan's own year is no doubt


def test_units_separated_by_a_slash_are_two_units():
    plan, _ = extract("一、重点工作\n1.加强保障。新建学校3所。（牵头科室：人事股/财务股）\n")
    assert plan.tasks[0].lead_units == ("人事股", "财务股")
