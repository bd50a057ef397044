"""Excerpts of plans as people paste them: numbering that starts anywhere, heading lines that
stand alone, labels, warnings said once, and a title that is never page furniture."""

from __future__ import annotations

from pathlib import Path

import planlib

FIXTURES = Path(__file__).parent / "fixtures" / "plans"
FROM_17 = FIXTURES / "excerpt_from_item_17.txt"
PAGE_2 = FIXTURES / "page2_from_8.txt"
HEADINGS = FIXTURES / "headings_with_labels.txt"


def messages(result: planlib.Extraction) -> list[str]:
    return [w.message for w in result.warnings]


def test_an_extract_starting_at_item_17_gives_its_items() -> None:
    result = planlib.extract_plan(FROM_17)
    p = result.plan
    assert [t.number for t in p.tasks] == [17, 18, 19, 22, 23]
    assert p.task("1.17").title == "维护教育系统安全稳定"
    assert p.task("1.17").responsible_units == ("基础教育处", "学前教育处")
    # the page number between items 18 and 19 is furniture, not text
    assert p.task("1.18").text.endswith("示范校20所。")
    got = [(g.indicator, g.value, g.unit) for _, g in p.targets]
    assert ("中小学幼儿园一键报警装置安装率", 100, "%") in got
    assert ("中小学心理健康教育专职教师配备率", 85, "%") in got
    said = messages(result)
    assert sum("从第 17 项开始" in m for m in said) == 1
    assert [m for m in said if "不连续" in m] == [
        "条目编号不连续：缺少第 20、21 项（原文可能缺页）"
    ]
    # no body line is taken for a title
    assert p.title == "（未识别标题）"
    assert "未找到编号任务" not in " ".join(said)


def test_a_page_two_starting_at_8_gives_its_items_and_flags_the_orphan_tail() -> None:
    result = planlib.extract_plan(PAGE_2)
    p = result.plan
    assert [t.id for t in p.tasks] == ["1.8", "1.9", "3.10", "3.11"]
    assert p.task("1.9").responsible_units == ("规划建设股",)
    assert p.task("3.11").targets[0].comparator == "~"
    said = messages(result)
    assert any("前一项（未包含）的后半部分" in m for m in said)
    assert any("从第 8 项开始" in m and "从第 3 部分开始" in m for m in said)
    assert "办公室" not in p.title


def test_heading_lines_stand_alone_and_labels_stay_out_of_titles() -> None:
    result = planlib.extract_plan(HEADINGS)
    p = result.plan
    assert [s.number for s in p.sections] == [2, 3]
    assert [t.title for t in p.tasks] == [
        "全面从严治党",
        "扩大优质教育资源",
        "县域义务教育优质均衡发展通过省级督导评估",
        "强化经费保障",
    ]
    first = p.task("2.1")
    assert first.text.startswith("目标任务：深入推进全面从严治党")
    assert "主要措施：" in first.text
    assert (first.lead_units, first.responsible_units) == (("机关党委",), ("组织人事科",))
    assert [(g.indicator, g.value) for g in first.targets] == [("基层党组织标准化建设达标率", 100)]
    assert [g.indicator for g in p.task("2.2").targets] == ["新增公办学位", "普惠性幼儿园覆盖率"]
    assert p.task("3.4").targets[0].aspirational
    assert any("从第 2 部分开始" in m for m in messages(result))


def test_a_label_inside_the_first_sentence_ends_the_title() -> None:
    text = "某县教育局2024年工作要点\n一、重点工作\n1.全面从严治党目标任务：党组织覆盖率达到100%。（牵头科室：党办）\n"
    task = planlib.extract_plan(text).plan.tasks[0]
    assert task.title == "全面从严治党"
    assert task.text == "目标任务：党组织覆盖率达到100%。"


def test_a_heading_lines_words_never_open_the_next_lines_target() -> None:
    """A heading line ends without a 。: the target on the line after it is named by its own
    words, not by the heading's run into them (全面从严治党学前三年毛入园率)."""
    text = (
        "某县教育局2024年工作要点\n一、重点工作\n14.全面从严治党\n"
        "学前三年毛入园率达到95%。（牵头科室：基教股）\n"
        "15.办好学前教育。学前三年毛入园率达到96%。（牵头科室：基教股）\n"
    )
    p = planlib.extract_plan(text).plan
    assert [(t.title, g.indicator, g.value) for t, g in p.targets] == [
        ("全面从严治党", "学前三年毛入园率", 95),
        ("办好学前教育", "学前三年毛入园率", 96),
    ]
    assert all(g.source in t.title + "。" + t.text for t, g in p.targets)


def test_a_wrapped_title_is_not_cut_at_the_line_end() -> None:
    text = (
        "某县教育局2024年工作要点\n一、重点工作\n"
        "1.深入推进县域义务教育优质均衡发展和城乡一体化建设工作。新建学校3所，改造薄弱\n"
        "学校10所，全县义务教育巩固率达到99%。（牵头科室：基教股）\n"
        "2.加快推进学前教育普及普惠和安全优质发展，全面提升保教\n"
        "质量。新建幼儿园2所。（牵头科室：学前股）\n"
    )
    p = planlib.extract_plan(text).plan
    assert p.tasks[1].title == "加快推进学前教育普及普惠和安全优质发展，全面提升保教质量"


def test_gaps_are_said_once_and_missing_clauses_are_counted() -> None:
    body = "".join(f"{n}.任务{n}。完成第{n}项工作。\n" for n in (1, 2, 4, 5, 7, 8, 9))
    result = planlib.extract_plan("某县教育局2024年工作要点\n一、重点工作\n" + body)
    said = messages(result)
    gaps = [m for m in said if "不连续" in m]
    assert gaps == ["条目编号不连续：缺少第 3、6 项（原文可能缺页）"]
    clauses = [m for m in said if "没有责任处室" in m]
    assert len(clauses) == 1
    assert clauses[0].startswith("7 项任务没有责任处室")
    assert "第 1 部分第 9 项（第 9 行）" in clauses[0]


def test_a_long_gap_after_a_titled_item_is_taken() -> None:
    text = (
        "某县教育局2024年工作要点\n一、重点工作\n1.加强党建。内容。（牵头科室：党办）\n"
        "9.推进改革。内容。（牵头科室：改革办）\n"
    )
    result = planlib.extract_plan(text)
    assert [t.number for t in result.plan.tasks] == [1, 9]
    assert any("缺少第 2–8 项" in m for m in messages(result))


def test_the_same_message_twice_is_said_once_with_its_lines() -> None:
    from planlib.plan.extraction.warnings import ExtractionWarning, collapse

    said = collapse(
        [
            ExtractionWarning(9, "重复的话"),
            ExtractionWarning(4, "重复的话"),
            ExtractionWarning(5, "第 1 部分第 2 项没有标题句", "no_title", "第 1 部分第 2 项"),
        ]
    )
    assert [(w.line, w.message) for w in said] == [
        (4, "重复的话（共 2 处：第 4、9 行）"),
        (5, "第 1 部分第 2 项没有标题句"),
    ]


def test_furniture_is_never_the_title_and_the_file_name_is_the_last_resort(
    tmp_path: Path,
) -> None:
    text = (
        "VIP专免\n索引号：113706850042672474/2022-04772\n成文日期：2022-10-08\n"
        "格式：doc\n1.加强党建。内容。（牵头科室：党办）\n"
    )
    path = tmp_path / "某县教育局2024年工作要点.txt"
    path.write_text(text, encoding="utf-8")
    result = planlib.extract_plan(path)
    p = result.plan
    assert (p.title, p.year, p.issuer) == ("某县教育局2024年工作要点", 2024, "某县教育局")
    assert any("暂以文件名「某县教育局2024年工作要点」为标题" in m for m in messages(result))
    plain = planlib.extract_plan(text).plan
    assert plain.title == "（未识别标题）"
    assert [t.title for t in plain.tasks] == ["加强党建"]


def test_a_title_like_opening_line_is_the_title() -> None:
    text = "关于加强中小学安全工作的要点\n1.加强党建。内容。（牵头科室：党办）\n"
    result = planlib.extract_plan(text)
    assert result.plan.title == "关于加强中小学安全工作的要点"
