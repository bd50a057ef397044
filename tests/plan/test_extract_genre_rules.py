"""The rules the genre corpus relies on, each tried on variations: quantities by grammar, items
by any enumeration, furniture by shape, goals by shape, 力争 over joined clauses."""

from __future__ import annotations

import pytest

import planlib
from planlib.plan.extraction.quantities import chinese_value, find_quantities


def _plan(body: str) -> planlib.Plan:
    return planlib.extract_plan("某县教育局2024年工作要点\n" + body, codes=False).plan


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("加固校舍3.03万平方米", [(3.03, "万平方米")]),
        ("配备计算机6834台", [(6834, "台")]),
        ("培训教师1.2万人次", [(1.2, "万人次")]),
        ("完成三十所学校改造", [(30, "所")]),
        ("毛入园率达到百分之八十五", [(85, "%")]),
        ("建设实验校3—5所", [(3, "所")]),
        ("发生率控制在0.5‰以内", [(0.5, "‰")]),
        ("招聘一千二百人", [(1200, "人")]),
        # what is no quantity: years, ordinals, document numbers, dates, phone numbers, spans
        ("2022年第3批〔2022〕5号文件1-3月电话0551-82563775", []),
        ("每3个月开展一次", [(1, "次")]),
    ],
)
def test_quantities_by_grammar(text: str, expected: list[tuple[float, str]]) -> None:
    assert [(q.value, q.unit) for q in find_quantities(text)] == expected


@pytest.mark.parametrize(
    ("word", "value"),
    [("三十", 30), ("两", 2), ("一千二百", 1200), ("十二点五", 12.5), ("二〇二二", None)],
)
def test_chinese_numerals(word: str, value: float | None) -> None:
    assert chinese_value(word) == value


@pytest.mark.parametrize(
    ("marker_a", "marker_b"),
    [("一是", "二是"), ("第一，", "第二，"), ("首先，", "其次，"), ("首先，", "最后，")],
)
@pytest.mark.parametrize("joined", ["", "\n"])
def test_run_in_items_are_tasks_when_nothing_else_is_numbered(
    marker_a: str, marker_b: str, joined: str
) -> None:
    p = _plan(
        f"一、发展教育\n{marker_a}扩大学位供给。新建学校4所。{joined}{marker_b}加强师资。招聘教师90名。\n"
    )
    assert [t.title for t in p.tasks] == ["扩大学位供给", "加强师资"]
    assert [[(g.value, g.unit) for g in t.targets] for t in p.tasks] == [[(4, "所")], [(90, "名")]]


def test_run_in_clauses_inside_numbered_items_stay_in_the_item() -> None:
    p = _plan(
        "一、发展教育\n（一）扩大学位。一是新建学校4所；二是新增学位900个。\n（二）加强师资。一是招聘教师90名。\n"
    )
    assert [t.title for t in p.tasks] == ["扩大学位", "加强师资"]
    assert len(p.tasks[0].targets) == 2


def test_unnumbered_paragraph_tasks() -> None:
    p = _plan(
        "一、发展教育\n扩大学位供给。新建学校4所，新增学位900个。\n加强师资建设。招聘教师90名。\n"
        "二、保障\n改善办学条件。维修校舍1.5万平方米。\n"
    )
    assert [t.id for t in p.tasks] == ["1.1", "1.2", "2.3"]  # numbered on, as 1. 2. 3. are
    assert p.tasks[2].targets[0].unit == "万平方米"


def test_a_whole_plan_on_one_line() -> None:
    line = (
        "来源：某县教育局 点击数：12 某县教育局2024年工作要点 今年工作总体平稳。 一、发展教育 "
        "1.扩大学位供给。新建学校4所。（牵头股室：基教股）2.加强师资。招聘教师90名。 打印本页"
    )
    r = planlib.extract_plan(line, codes=False)
    assert r.plan.title == "某县教育局2024年工作要点"
    assert [t.title for t in r.plan.tasks] == ["扩大学位供给", "加强师资"]


def test_a_contents_list_is_not_item_one() -> None:
    p = _plan(
        "目录\n一、发展教育……………1\n1.扩大学位供给……………1\n2.加强师资…………2\n"
        "一、发展教育\n1.扩大学位供给。新建学校4所。\n2.加强师资。招聘教师90名。\n"
    )
    assert [t.title for t in p.tasks] == ["扩大学位供给", "加强师资"]
    assert p.tasks[0].targets[0].value == 4


def test_lizheng_governs_every_joined_clause_and_no_further() -> None:
    p = _plan(
        "一、发展教育\n1.扩大学位。力争新建学校4所、新增学位900个和改造校舍3所，招聘教师90名。\n"
    )
    assert [g.aspirational for g in p.tasks[0].targets] == [True, True, True, False]


def test_a_goals_section_of_titled_items_holds_tasks() -> None:
    p = _plan("一、目标任务\n1.学前教育提质。新建幼儿园4所。\n2.义务教育均衡。巩固率达到98%。\n")
    assert [t.title for t in p.tasks] == ["学前教育提质", "义务教育均衡"] and p.goals == ()


def test_a_goal_sentence_is_plan_level() -> None:
    p = _plan(
        "一、总体要求\n主要工作目标是：学前三年毛入园率达到92%。\n二、任务\n1.办学。新建学校2所。\n"
    )
    assert [(g.indicator, g.value) for g in p.goals] == [("学前三年毛入园率", 92)]


def test_a_number_no_target_takes_is_said_with_its_line() -> None:
    r = planlib.extract_plan(
        "某县教育局2024年工作要点\n一、任务\n1.办学。每季度召开3次调度会。\n", codes=False
    )
    assert any(w.line == 3 and "3次" in w.message for w in r.warnings)


@pytest.mark.parametrize("between", ["。（责任股室：党建办）", "（责任股室：党建办）", "。", ""])
def test_a_run_in_series_goes_on_after_any_clause_end(between: str) -> None:
    p = _plan(
        "一、党的建设\n一是加强政治建设，实现学习全覆盖"
        f"{between}二是深化作风建设，开展督查6次。（责任股室：纪检组）\n"
    )
    assert [t.title[:6] for t in p.tasks] == ["加强政治建设", "深化作风建设"]
    if "党建办" in between:
        assert p.tasks[0].lead_units + p.tasks[0].responsible_units == ("党建办",)


@pytest.mark.parametrize("mark", ["第{}，", "第{}、", "第{}是"])
def test_ordinal_headings_on_their_own_lines_over_body_paragraphs(mark: str) -> None:
    body = "".join(
        f"{mark.format(n)}着力办好{what}。\n　　{text}\n"
        for n, what, text in (
            ("一", "学前教育", "新建幼儿园4所，毛入园率达到90%。首先，扩大资源；其次，提升质量。"),
            ("二", "义务教育", "巩固率达到98%。"),
            ("三", "职业教育", "培训农民工3000人次。"),
        )
    )
    p = _plan("今年全县教育工作要坚持稳中求进。\n" + body)
    assert [t.title for t in p.tasks] == [
        "着力办好学前教育",
        "着力办好义务教育",
        "着力办好职业教育",
    ]
    assert [len(t.targets) for t in p.tasks] == [2, 1, 1]


def test_paragraph_tasks_without_sections() -> None:
    p = _plan(
        "　　今年全县教育工作以立德树人为根本，坚持稳中求进，办好人民满意教育。\n"
        "　　扩大学前教育资源。新建幼儿园4所，毛入园率达到90%。\n"
        "　　推进义务教育均衡。巩固率达到98%，消除大班额。\n"
        "　　加强教师队伍建设。招聘教师120名，培训教师3000人次。\n"
        "　　维护校园安全稳定。开展安全检查4次。\n"
    )
    assert [t.title for t in p.tasks] == [
        "扩大学前教育资源",
        "推进义务教育均衡",
        "加强教师队伍建设",
        "维护校园安全稳定",
    ]
    assert sum(len(t.targets) for t in p.tasks) == 6


@pytest.mark.parametrize("gap", [" ", ""])
def test_an_item_right_after_a_mid_line_heading_is_kept(gap: str) -> None:
    line = (
        "某县教育局2024年工作要点 今年工作总体平稳。 一、发展基础教育 1.扩大学位供给。新建学校4所。"
        "2.加强师资。招聘教师90名。 二、提升职业教育服务能力"
        + gap
        + "3.深化产教融合。建设实训基地2个。"
        "4.扩大招生。招生3000人。 打印本页 关闭窗口 版权所有：某县教育局 备案号：某ICP备12345678号"
    )
    r = planlib.extract_plan(line, codes=False)
    assert [t.id for t in r.plan.tasks] == ["1.1", "1.2", "2.3", "2.4"]
    assert not any("截断" in w.message for w in r.warnings), r.warnings


_PARTS = (
    ("一", "推进学前教育普惠发展", ["学前教育方面，新建公办园6所；义务教育方面，消除大班额12个。"]),
    (
        "二",
        "提升职业教育办学水平",
        ["首先，新增专业点4个；其次，培训农民工2500人次。", "校企合作企业达到30家。"],
    ),
    ("三", "建设高素质教师队伍", ["公开招聘教师150名，最后，完成校长轮训1轮。"]),
)
_LAST_PART = ["改造薄弱学校运动场8个。", "新增学位1200个。", "配备教学一体机450台。"]


@pytest.mark.parametrize("mark", ["第{}，", "第{}、", "{}、", "第{}部分 "])
@pytest.mark.parametrize("intro", ["", "今年为群众办好以下实事：\n"])
@pytest.mark.parametrize("after_heading", ["\n", ""])  # the body on the heading's line, or below
def test_a_part_with_a_body_and_no_items_is_one_task(
    mark: str, intro: str, after_heading: str
) -> None:
    body = "今年全市教育工作要坚持稳中求进，办好人民满意的教育。\n"
    for n, heading, paragraphs in _PARTS:
        body += f"{mark.format(n)}{heading}。{after_heading}"
        body += "".join(
            f"{p}\n" if after_heading == "" and k == 0 else f"　　{p}\n"
            for k, p in enumerate(paragraphs)
        )
    body += f"{mark.format('四')}办好教育民生实事。\n{intro}"
    body += "".join(f"{k}.{item}\n" for k, item in enumerate(_LAST_PART, start=1))
    r = planlib.extract_plan("某市教育局2025年工作要点\n" + body, codes=False)
    titles = [t.title for t in r.plan.tasks]
    assert titles == [heading for _, heading, _ in _PARTS] + [i.rstrip("。") for i in _LAST_PART]
    assert [len(t.targets) for t in r.plan.tasks] == [2, 3, 2, 1, 1, 1]
    assert [t.section for t in r.plan.tasks] == [1, 2, 3, 4, 4, 4]
    assert [s.title for s in r.plan.sections][:3] == [heading for _, heading, _ in _PARTS]
    assert not any("不在任何编号任务内" in w.message for w in r.warnings), r.warnings


def test_a_framing_part_and_a_part_introducing_its_items_are_no_tasks() -> None:
    p = _plan(
        "一、总体要求\n　　坚持稳中求进，全县学前三年毛入园率达到91%。\n"
        "二、推进义务教育优质均衡\n　　今年新建学校3所。具体如下：\n1.新建城区小学2所。\n2.新建乡镇初中1所。\n"
        "三、加强教师队伍建设\n　　招聘教师80名，培训教师2000人次。\n"
    )
    assert [t.title for t in p.tasks] == ["新建城区小学2所", "新建乡镇初中1所", "加强教师队伍建设"]


def test_ordinal_lines_inside_a_numbered_item_stay_clauses_of_it() -> None:
    p = _plan(
        "1.加强党的建设。\n第一，开展专题学习12次。\n第二，建设示范支部5个。\n2.推进依法治教。培训校长60人。\n"
    )
    assert [t.title for t in p.tasks] == ["加强党的建设", "推进依法治教"]
    assert len(p.tasks[0].targets) == 2


@pytest.mark.parametrize("break_", ["\n", " "])
def test_raw_text_in_traditional_script_is_read_as_simplified(break_: str) -> None:
    text = break_.join(
        [
            "某縣教育局2024年工作要點",
            "一、發展基礎教育",
            "1.擴大學位供給。新建學校4所，新增學位900個。（牽頭股室：基礎教育股）",
            "2.加強師資隊伍建設。招聘教師90名。（牽頭股室：人事股）",
        ]
    )
    r = planlib.extract_plan(text, codes=False)
    assert r.plan.title == "某县教育局2024年工作要点"
    assert [t.title for t in r.plan.tasks] == ["扩大学位供给", "加强师资队伍建设"]
    assert r.plan.tasks[0].lead_units == ("基础教育股",)
    assert [len(t.targets) for t in r.plan.tasks] == [2, 1]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "小学、初中学业质量监测合格率分别达到96%和90%",
            [("小学学业质量监测合格率", 96, ">="), ("初中学业质量监测合格率", 90, ">=")],
        ),
        (
            "全县小学、初中、高中巩固率分别为99%、98%、95%",
            [("小学巩固率", 99, ">="), ("初中巩固率", 98, ">="), ("高中巩固率", 95, ">=")],
        ),
        (
            "义务教育巩固率和高中阶段毛入学率分别提高到98.5%、93%",
            [("义务教育巩固率", 98.5, ">="), ("高中阶段毛入学率", 93, ">=")],
        ),
        (
            "残疾儿童义务教育入学率、巩固率分别为97% 95%",
            [("残疾儿童义务教育入学率", 97, ">="), ("残疾儿童义务教育巩固率", 95, ">=")],
        ),
        (
            "城区、乡镇学校大班额比例分别控制在5%和8%以内",
            [("城区学校大班额比例", 5, "<="), ("乡镇学校大班额比例", 8, "<=")],
        ),
        (
            "小学、初中、高中、中职学校生均公用经费分别达到800元、1000元、1200元和1300元",
            [
                ("小学学校生均公用经费", 800, ">="),
                ("初中学校生均公用经费", 1000, ">="),
                ("高中学校生均公用经费", 1200, ">="),
                ("中职学校生均公用经费", 1300, ">="),
            ],
        ),
    ],
)
@pytest.mark.parametrize("lead", ["", "力争"])
def test_subjects_given_values_respectively(
    sentence: str, expected: list[tuple[str, float, str]], lead: str
) -> None:
    r = planlib.extract_plan(
        f"某县教育局2024年工作要点\n一、任务\n1.提升质量。{lead}{sentence}。（牵头股室：基教股）\n",
        codes=False,
    )
    targets = r.plan.tasks[0].targets
    assert [(t.indicator, t.value, t.comparator) for t in targets] == expected
    assert all(t.aspirational == bool(lead) for t in targets)
    assert not any("数值" in w.message for w in r.warnings), r.warnings


def test_respectively_without_values_in_a_row_is_no_shared_target() -> None:
    p = _plan("一、任务\n1.加强交流。各校分别召开座谈会3次，新建学校2所。（牵头股室：基教股）\n")
    assert [(t.indicator, t.value) for t in p.tasks[0].targets][-1] == ("新建学校", 2)


@pytest.mark.parametrize("mark", ["第{}，", "{}、"])
def test_a_part_without_targets_is_a_task_when_the_plan_writes_its_parts_as_tasks(
    mark: str,
) -> None:
    parts = [
        ("一", "扩大优质教育资源", "新建中小学5所，新增学位3600个。"),
        ("二", "加强党的建设", "深入开展主题教育，压实全面从严治党主体责任。"),
        ("三", "办好惠民实事", ""),
        ("四", "保障措施", "加强组织领导，强化督导考核。"),
    ]
    body = "".join(f"{mark.format(n)}{h}。\n" + (f"　　{b}\n" if b else "") for n, h, b in parts)
    body = body.replace("办好惠民实事。\n", "办好惠民实事。\n1.改造食堂12个。\n2.资助学生800人。\n")
    p = _plan("今年全县教育工作要坚持稳中求进。\n" + body)
    assert [t.title for t in p.tasks] == [
        "扩大优质教育资源",
        "加强党的建设",
        "改造食堂12个",
        "资助学生800人",
    ]


def test_parts_without_targets_stay_headings_when_no_part_is_a_task() -> None:
    p = _plan(
        "一、总体要求\n　　坚持稳中求进，办好人民满意的教育。\n"
        "二、重点任务\n1.扩大学位。新建学校3所。\n2.加强师资。招聘教师80名。\n"
        "三、加强党的建设\n　　压实全面从严治党主体责任。\n"
    )
    assert [t.title for t in p.tasks] == ["扩大学位", "加强师资"]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("办学规模36个班，新增学位1620个。", [("办学规模", 36, "个"), ("新增学位", 1620, "个")]),
        ("宿舍楼设计床位480张床。", [("宿舍楼设计床位", 480, "张")]),
        (
            "寄宿规模达到300名学生，配备计算机60台。",
            [("寄宿规模", 300, "名"), ("配备计算机", 60, "台")],
        ),
        # a longer phrase after the count is what is counted, not a short noun: no target
        ("成立3个工作专班。", []),
    ],
)
def test_a_count_closed_by_a_short_noun(
    sentence: str, expected: list[tuple[str, float, str]]
) -> None:
    p = _plan(f"一、任务\n1.建设学校。{sentence}（牵头股室：计财股）\n")
    assert [(t.indicator, t.value, t.unit) for t in p.tasks[0].targets] == expected
