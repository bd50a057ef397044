"""Tables as plans: a 任务分解表 as Excel, as a Word table, as a web page or CSV, flattened to
one cell per line, or as ``|`` rows gives every row as a task with its units, due date and
targets; a 民生实事 table whose group cell is merged down its rows likewise."""

from __future__ import annotations

import csv
from html import escape
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from plan_documents import FIXTURES, make_docx, make_pdf, make_xlsx

import planlib
from planlib.plan.extraction.tables import column_role
from planlib.plan.files import plan_from_dict, plan_to_dict

HEADER = ["类别", "序号", "工作任务", "具体内容", "牵头单位", "责任单位", "完成时限"]
ROWS = [
    ["一、学前教育", "1", "扩大普惠性学前教育资源",
     "新建、改扩建公办幼儿园8所，新增学位2400个，学前三年毛入园率达到92%。",
     "学前教育科", "发展规划科、财务科", "2024年12月底前"],
    ["一、学前教育", "2", "提升保教质量", "开展幼儿园保育教育质量评估，省级示范幼儿园达到15所。",
     "学前教育科", "各县（市、区）教育局", "2024年11月底前"],
    ["二、义务教育", "3", "推进义务教育优质均衡",
     "义务教育巩固率保持在99%以上，大班额比例控制在2%以内。", "基础教育科", "督导室", "全年"],
    ["二、义务教育", "4", "深化课后服务", "课后服务参与率达到95%，实现有需求学生全覆盖。",
     "基础教育科", "各中小学", "2024年9月底前"],
    ["三、教师队伍", "5", "补充中小学教师", "招聘中小学教师600名左右，培训教师达到8000人次。",
     "组织人事科", "财务科、教师发展中心", "2024年8月底前"],
    ["三、教师队伍", "6", "加强师德师风建设", "开展师德专题教育，师德考核合格率达到100%。",
     "组织人事科", "机关党委", "长期坚持"],
]  # fmt: skip
TITLE = "XX市教育局2024年工作要点任务分解表"
EXPECTED = [
    ("1.1", "扩大普惠性学前教育资源", ("学前教育科",), ("发展规划科", "财务科"), "2024年12月底前",
     [("新建、改扩建公办幼儿园", 8, "所"), ("新增学位", 2400, "个"), ("学前三年毛入园率", 92, "%")]),
    ("1.2", "提升保教质量", ("学前教育科",), ("各县（市、区）教育局",), "2024年11月底前",
     [("省级示范幼儿园", 15, "所")]),
    ("2.3", "推进义务教育优质均衡", ("基础教育科",), ("督导室",), "全年",
     [("义务教育巩固率", 99, "%"), ("大班额比例", 2, "%")]),
    ("2.4", "深化课后服务", ("基础教育科",), ("各中小学",), "2024年9月底前",
     [("课后服务参与率", 95, "%"), ("有需求学生覆盖率", 100, "%")]),
    ("3.5", "补充中小学教师", ("组织人事科",), ("财务科", "教师发展中心"), "2024年8月底前",
     [("招聘中小学教师", 600, "名"), ("培训教师", 8000, "人次")]),
    ("3.6", "加强师德师风建设", ("组织人事科",), ("机关党委",), "长期坚持",
     [("师德考核合格率", 100, "%")]),
]  # fmt: skip


def shape(plan: planlib.Plan) -> list[tuple[object, ...]]:
    def targets(t: planlib.Task) -> list[tuple[str, float, str]]:
        return [(g.indicator, g.value, g.unit) for g in t.targets]

    return [
        (t.id, t.title, t.lead_units, t.responsible_units, t.due, targets(t)) for t in plan.tasks
    ]


def _pipes(path: Path) -> Path:
    """The table as | rows, the group written only on the first row of its group."""
    lines = [TITLE, " | ".join(HEADER) + " |"]
    previous = ""
    for row in ROWS:
        cells = row if row[0] != previous else row[1:]
        previous = row[0]
        lines.append(" | ".join(cells) + " |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _csv(path: Path) -> Path:
    with path.open("w", encoding="gbk", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(ROWS)
    return path


def _html(path: Path) -> Path:
    """A web page whose group cells span their rows (rowspan)."""
    body = ["<tr>" + "".join(f"<th>{h}</th>" for h in HEADER) + "</tr>"]
    for i, row in enumerate(ROWS):
        first = i == 0 or ROWS[i - 1][0] != row[0]
        span = sum(1 for r in ROWS if r[0] == row[0])
        cells = [f"<td rowspan='{span}'>{escape(row[0])}</td>"] if first else []
        cells += [f"<td>{escape(c)}</td>" for c in row[1:]]
        body.append("<tr>" + "".join(cells) + "</tr>")
    page = f"<html><head><title>{TITLE}</title></head><body><table>{''.join(body)}</table></body></html>"
    path.write_text(page, encoding="utf-8")
    return path


FORMS = {
    "xlsx": lambda d: make_xlsx(d / "t.xlsx", [HEADER, *ROWS], title_row=TITLE, merge_down=0),
    "docx": lambda d: make_docx(d / "t.docx", [TITLE, [HEADER, *ROWS]], merge_first=True),
    "flat": lambda d: FIXTURES / "breakdown_2024_flat.txt",
    "pipes": lambda d: _pipes(d / "t.txt"),
    "csv": lambda d: _csv(d / "t.csv"),
    "html": lambda d: _html(d / "t.html"),
}


@pytest.mark.parametrize("form", list(FORMS))
def test_a_breakdown_table_gives_every_row_as_a_task(form: str, tmp_path: Path) -> None:
    path = FORMS[form](tmp_path)
    result = planlib.extract_plan(path)
    p = result.plan
    assert shape(p) == EXPECTED
    assert [(s.number, s.title) for s in p.sections] == [
        (1, "学前教育"),
        (2, "义务教育"),
        (3, "教师队伍"),
    ]
    assert p.task("1.1").text == ROWS[0][3]
    assert len(p.targets) == sum(len(e[5]) for e in EXPECTED)
    if form == "csv":  # a CSV has no title row: the file name is no title either
        assert [w.message for w in result.warnings] == [
            "未找到计划标题，暂以「（未识别标题）」代替"
        ]
    else:
        assert (p.title, p.year) == (TITLE, 2024)
        assert result.warnings == ()


def test_a_breakdown_table_in_a_pdf(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "t.pdf", [TITLE, [HEADER, *ROWS]])
    assert shape(planlib.extract_plan(path).plan) == EXPECTED


@pytest.mark.parametrize("after", ["", "附：以上任务于年底前报送完成情况。"])
def test_a_breakdown_table_in_a_pdf_without_ruling_lines(tmp_path: Path, after: str) -> None:
    # a Word table with its borders removed: cells wrap over several lines (序/号, 学前/教育/科);
    # a line after the table stays out of its last row
    blocks = [TITLE, [HEADER, *ROWS], *([after] if after else [])]
    path = make_pdf(tmp_path / "t.pdf", blocks, ruled=False)
    assert shape(planlib.extract_plan(path).plan) == EXPECTED


def test_an_unruled_pdf_table_continued_on_the_next_page(tmp_path: Path) -> None:
    rows = [[r[0], str(n), *r[2:]] for n, r in enumerate(ROWS * 5, start=1)]
    path = make_pdf(tmp_path / "t.pdf", [TITLE, [HEADER, *rows]], ruled=False)
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) >= 2  # the table runs over a page break, its header on page 1 only
    p = planlib.extract_plan(path).plan
    assert [t.number for t in p.tasks] == list(range(1, 31))
    assert [t.lead_units for t in p.tasks] == [e[2] for e in EXPECTED] * 5
    assert [t.due for t in p.tasks] == [e[4] for e in EXPECTED] * 5


def test_a_livelihood_table_with_merged_group_cells_and_numbered_tasks() -> None:
    result = planlib.extract_plan(FIXTURES / "livelihood_2024_pipes.txt")
    p = result.plan
    assert p.title == "XX市2024年民生实事项目任务分解表"
    assert [(s.number, s.title) for s in p.sections] == [(4, "教育文化"), (5, "体育健身")]
    assert [t.id for t in p.tasks] == ["4.14", "4.15", "4.16", "5.17"]
    assert p.task("4.15").title == "推进学校塑胶运动场地建设"
    assert p.task("4.14").responsible_units == ("市住房城乡建设局", "市自然资源局")
    assert all(t.lead_units == ("市教育体育局",) for t in p.tasks)
    assert [t.due for t in p.tasks] == [
        "2024年12月底前", "2024年10月底前", "2024年9月底前", "2024年11月底前",
    ]  # fmt: skip
    assert [(g.indicator, g.value, g.unit) for g in p.task("5.17").targets] == [
        ("举办全民健身赛事", 100, "场次"),
        ("新建社区健身设施", 20, "处"),
    ]
    assert p.task("4.16").targets[0].indicator == "义务教育学校课后服务覆盖率"
    assert "索引号" not in " ".join(t.text for t in p.tasks)


def test_a_breakdown_table_round_trips_with_its_due_dates(tmp_path: Path) -> None:
    p = planlib.extract_plan(FIXTURES / "breakdown_2024_flat.txt").plan
    out = tmp_path / "plan.yaml"
    planlib.dump_plan(p, out)
    assert planlib.load_plan(out) == p
    assert "due: 长期坚持" in out.read_text(encoding="utf-8")


def test_rows_without_units_are_counted_once() -> None:
    text = "\n".join(
        ["序号 | 工作任务 | 具体内容 | 牵头单位 | 完成时限 |"]
        + [f"{n} | 任务{n} | 新建学校{n}所。 |  | 2024年底 |" for n in (1, 2, 3)]
    )
    said = [w.message for w in planlib.extract_plan(text).warnings]
    assert [m for m in said if "没有牵头或责任单位" in m] == [
        "3 行没有牵头或责任单位：表格第 1 部分第 1 项（第 2 行）、表格第 1 部分第 2 项（第 3 行）、"
        "表格第 1 部分第 3 项（第 4 行）"
    ]


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("序号", "seq"), ("工作任务", "task"), ("重点任务", "task"), ("民生事项名称", "task"),
        ("具体内容", "content"), ("目标任务", "content"), ("2022年度任务目标", "content"),
        ("工作措施", "content"), ("牵头单位", "lead"), ("主要责任单位", "lead"),
        ("牵头科室", "lead"), ("牵头责任单位", "lead"), ("责任单位", "responsible"),
        ("配合单位", "responsible"), ("协同配合单位", "responsible"), ("完成时限", "due"),
        ("时间节点", "due"), ("类别", "group"), ("分管县领导", "other"), ("牵头领导", "other"),
        ("监督电话", "other"), ("全面从严治党", None),
    ],
)  # fmt: skip
def test_column_names_bureaus_use(name: str, role: str | None) -> None:
    assert column_role(name) == role


def test_prose_with_a_table_like_line_is_still_prose() -> None:
    text = "某县教育局2024年工作要点\n一、重点工作\n1.加强党建。内容。（牵头科室：党办）\n"
    assert [t.id for t in planlib.extract_plan(text).plan.tasks] == ["1.1"]


_TOKENS = [
    "序号", "工作任务", "具体内容", "牵头单位", "责任单位", "完成时限", "类别", " | ", "|", "\n",
    "\n", "1", "2", "3", "14.", "一、教育文化", "新建学校3所", "达到95%", "教育局", "、", "。",
    "2024年底前", "（", "）", "｜", "序号 工作任务 牵头单位",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_TOKENS) | st.text(max_size=3), max_size=60).map("".join))
@example("14.序号\n序号序号序号达到95%")  # a heading line's words once ran into the next target
def test_table_reading_never_crashes(text: str) -> None:
    result = planlib.extract_plan(text, codes=False)
    assert plan_from_dict(plan_to_dict(result.plan)) == result.plan
    for task, g in result.plan.targets:
        assert g.source in task.title + "。" + task.text
