"""Tables by shape: columns read by what their cells hold, header words only a weak signal.

The tables here use header wordings no fixture used before, cells parted by tabs, runs of
spaces or full-width spaces, a 民生实事 project table (place, scale, money, time) and one in
traditional script; each must give its rows as tasks with their units, due dates and targets.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from plan_documents import make_docx, make_xlsx

import planlib
from planlib.plan.extraction.shapes import column_roles, split_cells

HEADER = ["序号", "重点工作", "具体任务及目标", "责任科室", "时间节点"]
ROWS = [
    [
        "1",
        "学前教育普及普惠",
        "新建公办幼儿园6所，新增学位1620个，普惠性幼儿园覆盖率达到88%。",
        "学前教育股",
        "2025年10月",
    ],
    [
        "2",
        "县域义务教育优质均衡",
        "完成3所薄弱学校改造，义务教育巩固率保持在99.5%以上。",
        "基础教育股、计财股",
        "2025年第四季度",
    ],
    ["3", "教师队伍建设", "公开招聘教师320名，教师培训达到4500人次。", "人事股", "2025年8月底"],
]
WANT = [
    ("1.1", "学前教育普及普惠", ("学前教育股",), (), "2025年10月", {("个", 1620), ("%", 88)}),
    ("1.2", "县域义务教育优质均衡", ("基础教育股", "计财股"), (), "2025年第四季度", {("%", 99.5)}),
    ("1.3", "教师队伍建设", ("人事股",), (), "2025年8月底", {("名", 320), ("人次", 4500)}),
]
TITLE = "某县教育局2025年重点工作任务分解表"


def shape(plan: planlib.Plan) -> list[tuple[object, ...]]:
    return [
        (
            t.id,
            t.title,
            t.lead_units + t.responsible_units,
            (),
            t.due,
            {(g.unit, g.value) for g in t.targets},
        )
        for t in plan.tasks
    ]


def _covers(got: list[tuple[object, ...]], want: list[tuple[object, ...]]) -> None:
    """Every row a task with its title, units and due date; the wanted targets among its own."""
    assert [g[:5] for g in got] == [(w[0], w[1], w[2] + w[3], (), w[4]) for w in want]
    for g, w in zip(got, want, strict=True):
        assert w[5] <= g[5], (g, w)


def _text(sep: str) -> str:
    return "\n".join([TITLE, sep.join(HEADER), *(sep.join(r) for r in ROWS)]) + "\n"


@pytest.mark.parametrize("sep", ["\t", "  ", "    ", "\u3000"], ids=["tab", "2sp", "4sp", "fw"])
def test_a_table_parted_by_tabs_or_spaces(sep: str) -> None:
    plan = planlib.extract_plan(_text(sep), codes=False).plan
    _covers(shape(plan), WANT)


def test_unseen_header_words_in_excel_and_word(tmp_path: Path) -> None:
    xlsx = make_xlsx(tmp_path / "t.xlsx", [HEADER, *ROWS], title_row=TITLE)
    docx = make_docx(tmp_path / "t.docx", [TITLE, [HEADER, *ROWS]])
    for path in (xlsx, docx):
        _covers(shape(planlib.extract_plan(path, codes=False).plan), WANT)


@pytest.mark.parametrize(
    "header",
    [
        ["编号", "工作事项", "主要内容", "承办单位", "办结时间"],
        ["", "", "", "", ""],  # no header words at all: the cells alone
        ["No", "项", "目标要求", "负责", "时限"],
    ],
)
def test_columns_are_told_by_their_cells(header: list[str]) -> None:
    roles = column_roles(header, ROWS)
    assert roles == ["seq", "task", "content", "lead", "due"]


LIVELIHOOD = [
    ["序号", "项目名称", "建设地点", "建设规模及内容", "年度投资（万元）", "责任单位", "建设时间"],
    [
        "1",
        "城东第二小学新建工程",
        "城东新区",
        "新建教学楼2栋，建筑面积1.8万平方米，新增学位1350个",
        "5200",
        "县教育局",
        "2025年3月—12月",
    ],
    [
        "2",
        "城关幼儿园改扩建",
        "城关镇",
        "改扩建园舍3200平方米，新增学位180个",
        "860",
        "县教育局、城关镇人民政府",
        "2025年9月前",
    ],
]


def test_a_livelihood_project_table_gives_scale_and_money_as_targets(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "民生实事.xlsx", LIVELIHOOD, title_row="某县2025年民生实事项目表")
    plan = planlib.extract_plan(path, codes=False).plan
    assert [t.title for t in plan.tasks] == ["城东第二小学新建工程", "城关幼儿园改扩建"]
    first = plan.tasks[0]
    assert first.units == ("县教育局",) and first.due == "2025年3月—12月"
    assert "城东新区" in first.text
    got = {(g.value, g.unit) for g in first.targets}
    assert {(1350, "个"), (5200, "万元")} <= got


def test_traditional_script_is_read_as_simplified(tmp_path: Path) -> None:
    opencc = pytest.importorskip("opencc")
    to_traditional = opencc.OpenCC("s2t").convert
    rows = [[to_traditional(c) for c in r] for r in LIVELIHOOD]
    path = make_xlsx(
        tmp_path / "t.xlsx", rows, title_row=to_traditional("某县2025年民生实事项目表")
    )
    plan = planlib.extract_plan(path, codes=False).plan
    assert [t.title for t in plan.tasks] == ["城东第二小学新建工程", "城关幼儿园改扩建"]
    assert plan.tasks[1].units == ("县教育局", "城关镇人民政府")
    assert {(180, "个"), (860, "万元")} <= {(g.value, g.unit) for g in plan.tasks[1].targets}


def test_a_task_cell_merged_over_several_content_rows(tmp_path: Path) -> None:
    header = ["工作任务", "具体措施", "牵头单位", "完成时限"]
    rows = [
        header,
        ["提升办学条件", "新建学校5所。", "计财科", "2025年12月"],
        ["提升办学条件", "改造校舍2.6万平方米。", "计财科", "2025年12月"],
        ["加强教师培训", "培训校长200人次。", "教师科", "2025年6月"],
    ]
    path = make_docx(tmp_path / "m.docx", ["某市教育局2025年工作任务分解表", rows])
    plan = planlib.extract_plan(path, codes=False).plan
    assert [t.title for t in plan.tasks] == ["提升办学条件", "加强教师培训"]
    assert "改造校舍" in plan.tasks[0].text


@pytest.mark.parametrize(
    ("line", "cells"),
    [
        ("a | b | c", ["a", "b", "c"]),
        ("a\tb\t\tc", ["a", "b", "", "c"]),
        ("序号  工作任务   牵头单位", ["序号", "工作任务", "牵头单位"]),
        ("序号\u3000工作任务\u3000牵头单位", ["序号", "工作任务", "牵头单位"]),
        ("市教育局 2022 年工作要点", ["市教育局 2022 年工作要点"]),
    ],
)
def test_cells_from_any_separator(line: str, cells: list[str]) -> None:
    assert split_cells(line) == cells


GENRE_TABLES = Path(__file__).parent / "genre" / "tables"


def test_the_table_genre_corpus_scores_above_the_bar() -> None:
    """The table-layout plans of the genre corpus (tabs, spaces, pipes in traditional script, a
    web page with a two-row header, one cell per line), scored as the corpus is scored."""
    import sys

    import yaml

    sys.path.insert(0, str(GENRE_TABLES.parent))
    score = pytest.importorskip("score")
    total = score.Counts()
    for gold in sorted(GENRE_TABLES.glob("*.yaml")):
        source = next(p for p in GENRE_TABLES.glob(gold.stem + ".*") if p.suffix != ".yaml")
        plan = planlib.extract_plan(source, codes=False).plan
        total.add(score.score_plan(plan, yaml.safe_load(gold.read_text(encoding="utf-8"))))
    assert total.tasks[2] >= 0.9, total.missed
    assert total.targets[2] >= 0.85, total.missed


def test_a_table_without_a_header_is_read_by_its_cells() -> None:
    text = "\n".join([TITLE, *("\t".join(r) for r in ROWS)]) + "\n"
    _covers(shape(planlib.extract_plan(text, codes=False).plan), WANT)


def test_one_cell_per_line_with_unseen_header_words() -> None:
    """Copied from a web page: every cell on its own line, rows opening at their number."""
    text = "\n".join([TITLE, *HEADER, *(c for r in ROWS for c in r)]) + "\n"
    _covers(shape(planlib.extract_plan(text, codes=False).plan), WANT)


ALIGNED = """\
某县教育局2025年重点工作任务分解表
序号  重点工作              具体任务及目标                          责任科室        时间节点
1     学前教育普及普惠      新建公办幼儿园6所，新增学位1620个，     学前教育股      2025年10月
                            普惠性幼儿园覆盖率达到88%。
2     县域义务教育优质均衡  完成3所薄弱学校改造，义务教育巩固率    基础教育股、    2025年第四季度
                            保持在99.5%以上。                       计财股
3     教师队伍建设          公开招聘教师320名，教师培训达到4500人次。 人事股        2025年8月底
"""


def test_a_space_aligned_table_with_wrapped_and_overflowing_cells() -> None:
    """As a PDF copied with its layout: long cells wrap onto indented lines under their
    column, and a cell running into the next is parted from it by one space only."""
    _covers(shape(planlib.extract_plan(ALIGNED, codes=False).plan), WANT)


def test_a_two_row_header_with_a_merged_money_cell(tmp_path: Path) -> None:
    """投资（万元） merged over 总投资 and 年度投资, the other names merged down two rows."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["某区2025年教育民生实事项目计划表"])
    sheet.merge_cells("A1:G1")
    sheet.append(["序号", "项目名称", "建设内容", "投资（万元）", None, "责任单位", "完成时间"])
    sheet.append([None, None, None, "总投资", "年度投资", None, None])
    for col in "ABCFG":
        sheet.merge_cells(f"{col}2:{col}3")
    sheet.merge_cells("D2:E2")
    sheet.append(
        [
            1,
            "实验中学综合楼",
            "新建综合楼1栋，建筑面积9800平方米",
            4200,
            2600,
            "区教育局",
            "2025年12月",
        ]
    )
    sheet.append(
        [2, "乡镇幼儿园提升", "改造乡镇幼儿园14所", 1800, 1500, "区教育局、各乡镇", "2025年9月"]
    )
    book.save(tmp_path / "two.xlsx")
    plan = planlib.extract_plan(tmp_path / "two.xlsx", codes=False).plan
    assert [t.title for t in plan.tasks] == ["实验中学综合楼", "乡镇幼儿园提升"]
    assert plan.tasks[1].units == ("区教育局", "各乡镇") and plan.tasks[1].due == "2025年9月"
    money = {(g.indicator, g.value, g.unit) for g in plan.tasks[1].targets if g.unit == "万元"}
    assert money == {("总投资", 1800, "万元"), ("年度投资", 1500, "万元")}


def test_a_200_row_table_is_read_in_well_under_two_seconds() -> None:
    import time

    rows = ["\t".join(HEADER)] + [
        f"{i}\t推进第{i}项重点工作\t新建学校{i % 7 + 1}所，覆盖率达到{80 + i % 20}%。\t"
        f"第{i % 9 + 1}科\t2025年{i % 12 + 1}月"
        for i in range(1, 201)
    ]
    text = "\n".join([TITLE, *rows])
    planlib.extract_plan(text, codes=False)  # imports and caches warmed
    start = time.perf_counter()
    plan = planlib.extract_plan(text, codes=False).plan
    assert time.perf_counter() - start < 2.0
    assert len(plan.tasks) == 200 and all(len(t.targets) == 2 for t in plan.tasks)


def test_quantity_and_unit_columns_make_the_task_a_target() -> None:
    """项目 | 数量 | 单位: the count is of what the task names; a unit column is no department."""
    text = "\n".join(
        [
            "某县2025年教育民生实事项目清单",
            "序号\t项目\t数量\t单位\t责任单位\t完成时间",
            "1\t新建公办幼儿园\t3\t所\t县教育局\t2025年12月",
            "2\t配备教室护眼灯\t1200\t套\t县教育局\t2025年9月",
            "3\t改造学校运动场\t2.6\t万平方米\t县教育局、县财政局\t2025年11月",
        ]
    )
    plan = planlib.extract_plan(text, codes=False).plan
    got = [
        (t.title, t.units, [(g.indicator, g.value, g.unit) for g in t.targets]) for t in plan.tasks
    ]
    assert got == [
        ("新建公办幼儿园", ("县教育局",), [("新建公办幼儿园", 3, "所")]),
        ("配备教室护眼灯", ("县教育局",), [("配备教室护眼灯", 1200, "套")]),
        ("改造学校运动场", ("县教育局", "县财政局"), [("改造学校运动场", 2.6, "万平方米")]),
    ]
