"""Plan extraction: the seed text gives the curated 2022 plan; other genres, encodings, warnings.

The fixture texts in ``tests/fixtures/plans`` vary the genre: sections 一 to 十二, items "1、",
"（一）" and "(1)", numbering running on across sections or restarting, every responsibility
clause variant, the target phrasings of DOMAIN.md, page furniture, GBK and UTF-8 with BOM.
``seed_2022.txt`` is the real text the curated ``data/plans/2022.yaml`` was read from.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from cli_run import planlib_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import planlib
from planlib.plan.extraction.extract import Extraction
from planlib.plan.extraction.text import is_furniture, squeeze
from planlib.plan.files import plan_from_dict, plan_to_dict

FIXTURES = Path(__file__).parent / "fixtures" / "plans"
SEED = FIXTURES / "seed_2022.txt"
DISTRICT = FIXTURES / "district_2023_sections.txt"
CITY_GBK = FIXTURES / "city_2024_paren_items_gbk.txt"
COUNTY_BOM = FIXTURES / "county_2022_no_sections_bom.txt"
NOTICE = FIXTURES / "notice_2023_cover_letter.txt"
WEB = FIXTURES / "web_county_2023_page.txt"
BARE = FIXTURES / "city_2024_bare_clauses.txt"

TASK_FIELDS = ("section", "number", "title", "text", "lead_units", "responsible_units")
TARGET_FIELDS = (
    "indicator", "code", "comparator", "value", "unit", "aspirational", "approximate",
    "scope", "source", "change",
)  # fmt: skip


@pytest.fixture(scope="module")
def seed() -> Extraction:
    return planlib.extract_plan(SEED)


# --- the seed and the curated plan --------------------------------------------------------------


def test_seed_plan_header_and_sections(seed: Extraction, plan: planlib.Plan) -> None:
    got = seed.plan
    assert (got.title, got.year, got.issuer) == (plan.title, plan.year, plan.issuer)
    assert got.sections == plan.sections


def test_seed_framework_is_read_from_the_preamble(seed: Extraction, plan: planlib.Plan) -> None:
    assert seed.plan.framework == plan.framework  # "12881": goal, 2 priorities, 8 + 8 lists


def test_framework_count_mismatch_is_warned_and_absent_framework_is_empty() -> None:
    text = (
        "某局2023年工作要点\n围绕“123”总体思路，即坚持“办好教育”一个目标，"
        "突出“提高质量”两项重点，实施“甲工程、乙工程、丙工程”等三项工程。\n"
        "一、总则\n1.任务。内容。(牵头处室:办公室)\n"
    )
    result = planlib.extract_plan(text)
    fw = result.plan.framework
    assert (fw.name, fw.goal, fw.projects) == ("123", "办好教育", ("甲工程", "乙工程", "丙工程"))
    assert [(w.line, w.message) for w in result.warnings] == [
        (2, "总体思路中的「两项重点」列出了 1 项，与所述数目不符")
    ]
    assert planlib.extract_plan(DISTRICT).plan.framework == planlib.Framework()


def test_seed_tasks_agree_with_curated_plan_field_by_field(
    seed: Extraction, plan: planlib.Plan
) -> None:
    got = seed.plan
    assert [t.id for t in got.tasks] == ["1.1", "1.2", "1.3", "1.4", "1.5"]
    for mine, curated in zip(got.tasks, plan.tasks, strict=True):
        for name in TASK_FIELDS:
            assert getattr(mine, name) == getattr(curated, name), (curated.id, name)


def test_seed_targets_agree_with_curated_plan_field_by_field(
    seed: Extraction, plan: planlib.Plan
) -> None:
    assert len(seed.plan.targets) == len(plan.targets) == 16
    for (task, mine), (_, curated) in zip(seed.plan.targets, plan.targets, strict=True):
        for name in TARGET_FIELDS:
            assert getattr(mine, name) == getattr(curated, name), (task.id, curated.indicator, name)
        assert mine.source in task.text


def test_seed_without_indicator_codes_leaves_code_empty() -> None:
    result = planlib.extract_plan(SEED, codes=False)
    assert all(g.code is None for _, g in result.plan.targets)
    assert len(result.plan.targets) == 16


def test_seed_warns_about_the_truncated_tail_and_nothing_else(seed: Extraction) -> None:
    assert len(seed.warnings) == 1
    w = seed.warnings[0]
    assert w.line == 70  # the last line of item 5, cut by the viewer
    assert "截断" in w.message and "勤工俭学办公" in w.message
    assert w.describe().startswith("第 70 行：")


def test_seed_page_furniture_and_summary_blob_stay_out_of_the_plan(seed: Extraction) -> None:
    text = "".join(t.title + t.text for t in seed.plan.tasks)
    for junk in ("VIP", "侵权投诉", "摘要", "展开", "收起", "29.51KB", "...", "2024-06-03"):
        assert junk not in text
    assert seed.plan.tasks[-1].text.endswith("勤工俭学等各项工作争先创优。")


def test_extracted_plan_round_trips_through_the_plan_file(seed: Extraction, tmp_path: Path) -> None:
    for suffix in (".yaml", ".json"):
        out = tmp_path / f"plan{suffix}"
        planlib.dump_plan(seed.plan, out)
        assert planlib.load_plan(out) == seed.plan


def test_extract_accepts_text_a_path_or_a_path_string(seed: Extraction) -> None:
    assert planlib.extract_plan(SEED.read_text(encoding="utf-8")).plan == seed.plan
    assert planlib.extract_plan(str(SEED)).plan == seed.plan


# --- other genres -------------------------------------------------------------------------------


def test_district_twelve_sections_numbering_runs_on() -> None:
    result = planlib.extract_plan(DISTRICT)
    p = result.plan
    assert (p.title, p.year, p.issuer) == ("XX区教育局2023年工作要点", 2023, "XX区教育局")
    assert [s.number for s in p.sections] == list(range(1, 13))
    assert p.sections[10].title == "加强教育督导"
    assert [t.id for t in p.tasks][:5] == ["1.1", "2.2", "3.3", "3.4", "4.5"]
    assert p.tasks[-1].id == "12.13"
    # furniture between the lines of item 2 and item 7 did not leak into the text
    assert p.task("2.2").text.endswith("普惠性幼儿园覆盖率提高2个百分点。")
    assert "阅读" not in p.task("6.7").text and "- 3 -" not in p.task("6.7").text


@pytest.mark.parametrize(
    ("task_id", "lead", "responsible"),
    [
        ("1.1", ["组织科"], ["各中小学"]),  # 牵头科室；配合单位
        ("2.2", ["学前教育科"], ["发展规划科", "财务科"]),  # 牵头单位，责任单位 with 、
        ("3.3", [], ["基础教育科"]),  # only 责任科室: no lead
        ("3.4", ["基础教育科"], ["民办教育科", "督导室"]),  # 牵头处室。责任处室
        ("5.6", ["职成教科"], ["人社局", "工信局"]),  # units separated by ，
        ("10.11", ["办公室", "政策法规科"], []),
        ("12.13", ["办公室"], ["各科室"]),
        ("9.10", [], []),  # no clause at all: a warning, below
    ],
)
def test_district_responsibility_clauses(
    task_id: str, lead: list[str], responsible: list[str]
) -> None:
    task = planlib.extract_plan(DISTRICT).plan.task(task_id)
    assert list(task.lead_units) == lead
    assert list(task.responsible_units) == responsible
    assert "牵头" not in task.text and "责任" not in task.text


def test_district_warnings_name_the_line() -> None:
    warnings = planlib.extract_plan(DISTRICT).warnings
    by_line = {w.line: w.message for w in warnings}
    assert len(warnings) == 2
    assert "3个" in by_line[30] and "未匹配" in by_line[30]  # 开展3个方面专项行动
    assert "没有责任处室" in by_line[46]  # item 10
    lines = DISTRICT.read_text(encoding="utf-8").splitlines()
    assert "3 个方面" in lines[30 - 1]
    assert lines[46 - 1].startswith("10、")


def test_district_targets() -> None:
    p = planlib.extract_plan(DISTRICT).plan
    got = {
        g.indicator: (g.comparator, g.value, g.unit, g.aspirational, g.approximate, g.change)
        for _, g in p.targets
    }
    assert got == {
        "党组织覆盖率": (">=", 100, "%", False, False, False),
        "新增公办幼儿园": (">=", 12, "所", False, False, False),
        "学前三年毛入园率": (">=", 92, "%", False, False, False),
        "普惠性幼儿园覆盖率": (">=", 2, "个百分点", False, False, True),
        "小学入学率": (">=", 100, "%", False, False, False),
        "小学巩固率": (">=", 99.5, "%", False, False, False),
        "大班额比例": ("<=", 2, "%", False, False, False),
        "民办义务教育在校生占比": ("<=", 8, "%", False, False, False),
        "高中阶段教育毛入学率": (">=", 95, "%", False, False, False),
        "学生体质健康优良率": (">=", 50, "%", False, False, False),
        "职业院校毕业生就业率": (">=", 96, "%", False, False, False),
        "补充教师": ("~", 300, "人", True, True, False),
        "培训教师": (">=", 5000, "人次", False, False, False),
        "教育经费投入": (">=", 12.5, "亿元", True, False, False),
        "生均公用经费": (">=", 800, "元", False, False, False),
        "义务教育学校宽带网络覆盖率": (">=", 100, "%", False, False, False),
        "完成学校督导评估": (">=", 30, "所", False, False, False),
        "政务服务事项网上可办率": (">=", 100, "%", False, False, False),
    }
    for task, g in p.targets:
        assert g.source in task.text
        assert g.scope == ("rate" if g.unit in ("%", "个百分点") else "total")


def test_gbk_items_in_brackets_numbering_restarts() -> None:
    raw = CITY_GBK.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    result = planlib.extract_plan(CITY_GBK)
    p = result.plan
    assert p.title == "某市教育局2024年工作计划"
    assert [t.id for t in p.tasks] == ["1.1", "1.2", "2.1", "2.2"]
    assert [t.title for t in p.tasks] == [
        "稳步提升普及水平",
        "优化资源配置",
        "提升教育质量",
        "加强队伍建设",
    ]
    # "(1)" "(2)" inside an item stay in its text; "各县(市、区)教育局" is one unit
    assert p.task("1.2").text == "（1）新建中小学5所；（2）新增学位6000个。"
    assert [g.indicator for g in p.task("1.2").targets] == ["新建中小学", "新增学位"]
    assert p.task("2.2").responsible_units == ("各县（市、区）教育局",)
    assert p.task("2.2").targets[0].comparator == "~"
    assert result.warnings == ()


def test_bom_items_numbered_in_brackets_without_sections() -> None:
    result = planlib.extract_plan(COUNTY_BOM)
    p = result.plan
    assert p.title == "县教育局2022年工作要点"
    assert [t.id for t in p.tasks] == ["1.1", "1.2"]
    assert p.task("1.2").lead_units == ("电教站", "信息中心")
    assert [w.message for w in result.warnings] == [
        "未找到部分标题（一、二、……），所有任务归入第 1 部分"
    ]


def test_covering_notice_is_not_the_title_and_qualifiers_are_not_targets() -> None:
    result = planlib.extract_plan(NOTICE)
    p = result.plan
    assert p.title == "XX市教育局2023年工作要点"  # not 关于印发《…》的通知
    assert p.sections[0].title == "坚持党的全面领导"
    assert p.task("1.1").responsible_units == ("各县（市、区）教育局",)
    assert p.task("3.4").lead_units == ("基础教育处", "校外培训监管处")
    assert [g.indicator for g in p.task("3.5").targets] == ["新建、改扩建中小学校"]
    # 推进…负责制，实现全覆盖: what is covered is the clause before
    assert [(g.value, g.unit) for g in p.task("1.2").targets] == [(100, "%")]
    assert "负责制" in p.task("1.2").targets[0].indicator
    assert [(w.line, w.message) for w in result.warnings] == [
        (
            15,
            "第 3 部分第 5 项：「全面消除56人以上大班额」中的「56人以上」修饰其后的名词，"
            "未作为目标抽取，请人工核对",
        ),
    ]


def test_web_page_copy_with_breadcrumbs_indents_and_full_width_digits() -> None:
    result = planlib.extract_plan(WEB)
    p = result.plan
    assert (p.title, p.year, p.issuer) == ("ＸＸ县教育局2023年工作要点", 2023, "ＸＸ县教育局")
    assert [s.title for s in p.sections] == ["全面加强党的建设", "办好人民满意教育", "强化保障"]
    assert [t.id for t in p.tasks] == ["1.1", "1.2", "2.3", "2.4", "2.5", "3.6", "3.7"]
    assert p.task("2.3").lead_units == ("基教股",) and p.task("3.6").responsible_units == (
        "县财政局",
    )
    got = [(g.indicator, g.comparator, g.value, g.unit) for _, g in p.targets]
    assert got == [
        ("组织集中学习", ">=", 12, "次"),
        ("师德考核合格率", ">=", 100, "%"),
        ("普惠性幼儿园覆盖率", ">=", 90, "%"),
        ("公办园在园幼儿占比", ">=", 55, "%"),
        ("九年义务教育巩固率", ">=", 98.5, "%"),
        ("一本上线人数", ">=", 500, "人"),
        ("本科上线率", ">=", 3, "个百分点"),
        ("教育经费总投入", "~", 3.2, "亿元"),
        # any unit by its grammar, not a whitelist: 万平方米 and ‰ are units too
        ("新建校舍面积", ">=", 2, "万平方米"),
        ("校园安全事故发生率", "<=", 0.1, "‰"),
    ]
    assert "发布时间" not in " ".join(t.text for t in p.tasks)
    assert result.warnings == ()


def test_bare_clauses_on_their_own_line_and_a_section_with_prose_only() -> None:
    result = planlib.extract_plan(BARE)
    p = result.plan
    # the prose under 一、总体要求 is not part of its title
    assert [s.title for s in p.sections] == ["总体要求", "主要任务", "保障措施"]
    assert [t.id for t in p.tasks] == ["2.1", "2.2", "2.3", "3.4"]
    units = [(t.lead_units, t.responsible_units) for t in p.tasks]
    assert units == [
        ((), ("学前教育科",)),  # 责任部门 on the next line, no brackets
        ((), ("基础教育科", "督导室")),  # 责任部门 at the end of the item's line
        (("人事科",), ("各县（市、区）教育局",)),  # 牵头部门 … 配合部门, space-separated
        (("财务科",), ()),
    ]
    assert p.task("2.3").targets[0].value == 1200  # 1,200
    rise = p.task("3.4").targets[0]
    assert (rise.indicator, rise.value, rise.unit, rise.change) == ("教育经费投入", 5, "%", True)
    assert [(w.line, w.message) for w in result.warnings] == [
        (3, "第 1 部分的导语中的目标「学前三年毛入园率达到95%」不在任何编号任务内，未归入任务"),
        (  # a growth in % may be relative (×1.05): kept as written, flagged for the reviewer
            11,
            "第 3 部分第 4 项：「教育经费投入增长5%以上」可能是相对上年的增幅（×1.05），"
            "已按百分点差记录，请人工核对",
        ),
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_every_encoding_reads_to_the_same_plan(encoding: str, tmp_path: Path) -> None:
    text = DISTRICT.read_text(encoding="utf-8")
    path = tmp_path / f"plan-{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    assert planlib.read_plan_text(path) == text
    assert planlib.extract_plan(path).plan == planlib.extract_plan(DISTRICT).plan


def test_short_gbk_text_is_not_mistaken_for_another_encoding(tmp_path: Path) -> None:
    path = tmp_path / "short.txt"
    path.write_bytes("1.推进".encode("gbk"))
    assert planlib.read_plan_text(path) == "1.推进"


def test_unreadable_input_raises_a_chinese_error(tmp_path: Path) -> None:
    with pytest.raises(planlib.PlanlibError, match="文件不存在"):
        planlib.read_plan_text(tmp_path / "missing.txt")
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    with pytest.raises(planlib.PlanlibError, match="不是文本文件"):
        planlib.read_plan_text(binary)


# --- target phrasings ----------------------------------------------------------------------------


def _doc(body: str, clause: str = "（牵头处室：办公室）") -> str:
    return f"某局2023年工作要点\n一、总则\n1.任务。{body}。{clause}\n"


def targets_of(body: str) -> list[tuple[object, ...]]:
    task = planlib.extract_plan(_doc(body), codes=False).plan.tasks[0]
    return [
        (g.indicator, g.comparator, g.value, g.unit, g.aspirational, g.approximate, g.change)
        for g in task.targets
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("学前三年毛入学率达到 93.5%", ("学前三年毛入学率", ">=", 93.5, "%", False, False, False)),
        ("普惠园在园幼儿占比87%以上", ("普惠园在园幼儿占比", ">=", 87, "%", False, False, False)),
        ("大班额比例控制在2%以内", ("大班额比例", "<=", 2, "%", False, False, False)),
        ("民办在校生规模压减到5%以内", ("民办在校生规模", "<=", 5, "%", False, False, False)),
        ("生均公用经费不低于800元", ("生均公用经费", ">=", 800, "元", False, False, False)),
        ("全市新增公办幼儿园12所", ("新增公办幼儿园", ">=", 12, "所", False, False, False)),
        ("公办幼儿园新增12所", ("公办幼儿园新增", ">=", 12, "所", False, False, False)),
        ("新增学位5000个", ("新增学位", ">=", 5000, "个", False, False, False)),
        ("教育投入力争达到216亿元", ("教育投入", ">=", 216, "亿元", True, False, False)),
        ("全市力争补充师资4000人左右", ("补充师资", "~", 4000, "人", True, True, False)),
        ("义务教育巩固率保持在98%以上", ("义务教育巩固率", ">=", 98, "%", False, False, False)),
        ("覆盖率提高2个百分点", ("覆盖率", ">=", 2, "个百分点", False, False, True)),
        ("辍学率降低0.5个百分点", ("辍学率", "<=", 0.5, "个百分点", False, False, True)),
        ("学校宽带网络实现全覆盖", ("学校宽带网络覆盖率", ">=", 100, "%", False, False, False)),
        ("中小学教师约12000名", ("中小学教师", "~", 12000, "名", False, True, False)),
        ("资助学生不少于1,500人", ("资助学生", ">=", 1500, "人", False, False, False)),
        ("奖补资金达到３００万元", ("奖补资金", ">=", 300, "万元", False, False, False)),
    ],
)
def test_target_phrasings(body: str, expected: tuple[object, ...]) -> None:
    assert targets_of(body) == [expected]


@pytest.mark.parametrize(
    ("clause", "lead", "responsible"),
    [
        ("（牵头处室：办公室；责任处室：财务处、审计室）", ["办公室"], ["财务处", "审计室"]),
        ("(牵头单位:教育局,配合单位:财政局,人社局)", ["教育局"], ["财政局", "人社局"]),
        ("（责任单位：各县（市、区）教育局）", [], ["各县（市、区）教育局"]),
        ("（主责处室：体卫艺处。负责单位：各学校）", ["体卫艺处"], ["各学校"]),
        ("牵头科室：办公室 责任科室：人事科", ["办公室"], ["人事科"]),  # bare, no brackets
        ("（牵头处室：办公室、办公室）", ["办公室"], []),  # repeated: kept once, warned
    ],
)
def test_responsibility_clause_variants(
    clause: str, lead: list[str], responsible: list[str]
) -> None:
    result = planlib.extract_plan(_doc("完善制度", clause), codes=False)
    task = result.plan.tasks[0]
    assert (list(task.lead_units), list(task.responsible_units)) == (lead, responsible)
    assert task.text == "完善制度。"
    assert ("重复" in " ".join(w.message for w in result.warnings)) == ("办公室、办公室" in clause)


def test_shared_subject_is_restored() -> None:
    got = targets_of("义务教育入学率达到100%、巩固率达到98%")
    assert [g[0] for g in got] == ["义务教育入学率", "义务教育巩固率"]
    # a list of subjects before one verb is not a shared subject
    assert targets_of("小学、初中入学率达到100%")[0][0] == "小学、初中入学率"
    # 分别: each subject its own value (issue 25; more variations in test_extract_genre_rules)
    assert [(g[0], g[2]) for g in targets_of("入学率、巩固率分别达到100%、98%")] == [
        ("入学率", 100),
        ("巩固率", 98),
    ]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("开展3个方面专项行动", ("3个", "未匹配")),
        ("入学率达到93%（上年为91%）", ("91%", "括号内")),
        ("每学期开展2次集中教研", ("2次", "未匹配")),
        ("全面消除56人以上大班额", ("56人以上", "修饰")),
    ],
)
def test_numbers_that_are_not_targets_are_warned_about(body: str, words: tuple[str, ...]) -> None:
    result = planlib.extract_plan(_doc(body), codes=False)
    messages = [w for w in result.warnings if w.line == 3]
    assert messages, result.warnings
    assert any(all(word in w.message for word in words) for w in messages)


def test_durations_ordinals_and_years_are_neither_targets_nor_warnings() -> None:
    result = planlib.extract_plan(_doc("用3个月时间在全省第2名的基础上完成2023年任务"), codes=False)
    assert result.plan.tasks[0].targets == ()
    assert result.warnings == ()


# --- structure ----------------------------------------------------------------------------------


def test_a_wrapped_line_that_looks_like_a_heading_stays_in_the_text() -> None:
    text = (
        "某局2023年工作要点\n一、总则\n1.推进评价。推动小学一\n二、三年级开展评价，完成\n"
        "3.项工作。(牵头处室:办公室)\n二、保障\n2.落实经费。加大投入。(牵头处室:财务处)\n"
    )
    p = planlib.extract_plan(text).plan
    assert [s.title for s in p.sections] == ["总则", "保障"]
    assert [t.id for t in p.tasks] == ["1.1", "2.2"]
    assert p.task("1.1").text == "推动小学一二、三年级开展评价，完成3.项工作。"


def test_running_headers_and_page_numbers_between_lines_are_dropped() -> None:
    text = (
        "某区教育局2023年工作要点\n一、总则\n1.推进评价。学前三年毛入学率达到\nXX区教育局文件\n"
        "93%。(牵头处室:办公室)\n2.落实经费。\nXX区教育局文件\nPage 3 of 24\n加大投入。"
        "(牵头处室:财务处)\n·4·\nXX区教育局文件\n3.其他。内容。(牵头处室:财务处)\n"
    )
    result = planlib.extract_plan(text)
    assert [t.text for t in result.plan.tasks] == [
        "学前三年毛入学率达到93%。",
        "加大投入。",
        "内容。",
    ]
    assert result.plan.tasks[0].targets[0].value == 93
    assert result.warnings == ()


def test_item_without_clause_and_unreadable_title_fallbacks() -> None:
    result = planlib.extract_plan("一份没有年份的文件\n1.第一项。内容。\n2.\n")
    p = result.plan
    assert p.title == "一份没有年份的文件" and p.year is None
    assert [t.title for t in p.tasks] == ["第一项", "第2项"]
    messages = " ".join(w.describe() for w in result.warnings)
    for word in ("未找到形如", "没有责任处室", "没有标题句", "未找到部分标题"):
        assert word in messages


def test_a_title_broken_after_the_issuer_is_joined() -> None:
    text = "市教育局\n2023年工作要点\n一、总则\n1.任务。内容。(牵头处室:办公室)\n"
    p = planlib.extract_plan(text).plan
    assert (p.title, p.issuer, p.year) == ("市教育局2023年工作要点", "市教育局", 2023)
    # a sentence before the title is not an issuer
    p = planlib.extract_plan("请认真贯彻落实。\n2023年工作要点\n" + text.split("\n", 2)[2]).plan
    assert (p.title, p.issuer) == ("2023年工作要点", "")


def test_empty_text_gives_an_empty_plan_with_warnings() -> None:
    result = planlib.extract_plan("")
    assert result.plan.tasks == ()
    assert any("未找到编号任务" in w.message for w in result.warnings)


# --- properties ---------------------------------------------------------------------------------

_TOKENS = [
    "一、", "二、", "十二、", "1.", "2、", "（一）", "(1)", "\n", "\n", "\n", "。", "，", "、",
    "达到", "93.5", "%", "以上", "以内", "左右", "力争", "新增", "所", "亿元", "个百分点",
    "提高", "实现全覆盖", "(牵头处室:", "责任单位：", "办公室", ")", "）", "（", "摘要:",
    "展开>>", "- 3 -", "2022年工作要点", "\ufeff", " ", "\u3000", "...", "第", "全市",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_TOKENS) | st.text(max_size=4), max_size=60).map("".join))
def test_never_crashes_on_arbitrary_text(text: str) -> None:
    result = planlib.extract_plan(text, codes=False)
    assert isinstance(result.plan, planlib.Plan)
    assert plan_from_dict(plan_to_dict(result.plan)) == result.plan
    for task, g in result.plan.targets:
        assert g.source in task.title + "。" + task.text
    for w in result.warnings:
        assert w.message and (w.line is None or w.line >= 1)


_START = re.compile(r"^(\d+[.、]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）])")
_WRAPPED = {
    "seed": (SEED, "utf-8", "市教育局 2022 年工作要点"),
    "district": (DISTRICT, "utf-8", "XX区教育局 2023 年工作要点"),
    "city-gbk": (CITY_GBK, "gbk", "某市教育局2024年工作计划"),
}


def _parts(name: str) -> tuple[list[str], list[str], list[str]]:
    """A fixture as (header lines, logical paragraphs, tail lines): what a re-wrap keeps.

    Furniture inside the body is left out of the paragraphs (a re-wrap would glue it to text).
    """
    path, encoding, title_line = _WRAPPED[name]
    lines = path.read_text(encoding=encoding).splitlines()
    title = lines.index(title_line)
    tail = lines.index("摘要:") if "摘要:" in lines else len(lines)
    header = squeeze(title_line)
    paragraphs: list[str] = []
    for line in lines[title + 1 : tail]:
        if is_furniture(line) or squeeze(line) == header:
            continue
        if _START.match(line) or not paragraphs:
            paragraphs.append(line)
        else:
            paragraphs[-1] += line
    return lines[: title + 1], paragraphs, lines[tail:]


_FURNITURE = [
    "- 3 -", "— 12 —", "第 2 页 共 24 页", "3/24", "<header>", "999+", "29.51KB", "24 页",
    "展开>>", "收起<<", "摘要:", "2024-06-03", "阅读 1234 次", "", "   ", "VIP专免", "·7·",
]  # fmt: skip


@pytest.mark.parametrize("name", list(_WRAPPED))
@settings(max_examples=40, deadline=None)
@given(
    width=st.integers(min_value=8, max_value=70),
    inserts=st.lists(
        st.tuples(st.floats(min_value=0, max_value=1), st.sampled_from(_FURNITURE)), max_size=8
    ),
    indent=st.sampled_from(["", " ", "\u3000\u3000"]),
    newline=st.sampled_from(["\n", "\r\n", "\n\n", "\n\f"]),
)
def test_rewrapping_and_page_furniture_do_not_change_the_result(
    name: str, width: int, inserts: list[tuple[float, str]], indent: str, newline: str
) -> None:
    path, _, title_line = _WRAPPED[name]
    head, paragraphs, tail = _parts(name)
    body = [
        (indent if i == 0 else "") + p[i : i + width]
        for p in paragraphs
        for i in range(0, len(p), width)
    ]
    lines = head + body + tail
    for where, line in inserts:
        lines.insert(int(where * len(lines)), title_line if line == "<header>" else line)
    result = planlib.extract_plan(newline.join(lines))
    expected = planlib.extract_plan(path)
    assert result.plan == expected.plan
    assert [w.message for w in result.warnings] == [w.message for w in expected.warnings]


# --- the command ----------------------------------------------------------------------------------


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return planlib_cli("plan", "extract", *args, timeout=120)


def test_extract_command_writes_a_plan_file_load_plan_reads(tmp_path: Path) -> None:
    out = tmp_path / "draft.yaml"
    r = run(str(SEED), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert "警告：第 70 行：" in r.stderr and "勤工俭学办公" in r.stderr
    assert "5 项任务、16 个量化目标" in r.stderr
    assert planlib.load_plan(out) == planlib.extract_plan(SEED).plan


def test_extract_command_json_has_the_issue_shape(tmp_path: Path) -> None:
    r = run(str(CITY_GBK), "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["title"] == "某市教育局2024年工作计划" and data["year"] == 2024
    assert data["sections"][1] == {"number": 2, "title": "重点任务"}
    task = data["tasks"][3]
    assert {
        "section",
        "number",
        "title",
        "lead_units",
        "responsible_units",
        "text",
        "targets",
    } <= set(task)
    target = task["targets"][0]
    assert target["comparator"] == "~" and target["value"] == 800 and target["unit"] == "名"
    assert {"indicator", "aspirational", "approximate", "source"} <= set(target)
    out = tmp_path / "draft.json"
    out.write_text(r.stdout, encoding="utf-8")
    assert planlib.load_plan(out) == planlib.extract_plan(CITY_GBK).plan


@pytest.mark.slow
def test_extract_command_exit_codes(tmp_path: Path) -> None:
    r = run(str(tmp_path / "missing.txt"))
    assert r.returncode == 1 and "文件不存在" in r.stderr and "Traceback" not in r.stderr
    assert run().returncode == 2
    assert run(str(SEED), "--format", "xml").returncode == 2
