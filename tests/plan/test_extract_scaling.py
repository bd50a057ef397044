"""Plan extraction is linear in the text: no step rereads the text, or a growing part of it,
once per number or per line.

These tests time nothing (the machine may be busy). They count work instead:

- the bracket depths that decide whether a number stands inside （…） are counted once per
  text, so the characters they read stay under a small multiple of the text's length;
- the Python-level calls made while extracting (``sys.setprofile`` counts every call and
  every resumption of a generator, so a per-character scan such as ``sum(1 for c in text[:i])``
  shows) grow in proportion to the text: doubling the text must not quadruple them;
- and the results do not move unnoticed: ``EXPECTED`` holds digests of every fixture's
  extraction (and of some hostile texts), renewed only after reading what changed.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from plan_documents import FIXTURES, html_page, seed_paragraphs

from planlib.plan.extraction import extract as extract_module
from planlib.plan.extraction import targets as targets_module
from planlib.plan.extraction.extract import Extraction, extract_plan
from planlib.plan.extraction.text import drop_furniture

_CN = "一二三四五六七八九"


def _cn(n: int) -> str:
    if n < 10:
        return _CN[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN[tens - 1]) + "十" + (_CN[ones - 1] if ones else "")


def _item(k: int) -> str:
    """An item with targets of every kind the reader knows, and numbers it must leave."""
    return (
        f"{k}.推进学前教育普及普惠第{k}项。深化教育综合改革（新建{k % 7 + 2}所试点校），"
        f"学前三年毛入园率达到9{k % 10}%、巩固率达到98%，新建学校{k % 9 + 1}所，"
        f"力争补充师资{100 + k}人左右，培训1.2万人次，实现课后服务全覆盖，"
        f"{k % 5 + 50}人以上大班额比例控制在{k % 4 + 1}%以内。"
        "（牵头处室：基础教育处；责任单位：各县（市、区）教育局、发展规划处）"
    )


def _plan_lines(items: int, per_section: int = 40) -> list[str]:
    lines = ["市教育局2024年工作要点", "主要目标：义务教育巩固率达到97%，新建幼儿园5所。"]
    for k in range(items):
        if k % per_section == 0:
            lines.append(f"{_cn(k // per_section + 1)}、第{k // per_section + 1}方面重点工作")
        lines.append(_item(k % per_section + 1))
    return lines


def _one_line(items: int) -> str:
    """The whole plan as one line without a responsibility clause: one preamble of prose."""
    text = "".join(_plan_lines(items))
    return text.replace("（牵头处室：基础教育处；责任单位：各县（市、区）教育局、发展规划处）", "")


def _hostile() -> dict[str, str]:
    """Texts that made the old code read the text once per number, line or label."""
    digits = "市教育局2024年工作要点\n" + "1所2所3所" * 300 + "\n" + "1234567890." * 200
    summaries = [
        f"第{k}条摘要：全市教育系统深入学习贯彻党的二十大精神推进教育……" for k in range(20)
    ]
    return {
        "one_line": _one_line(30),
        "brackets": "市教育局2024年工作要点\n1.办学（" + "新建学校3所（含分校）、" * 80 + "）。",
        "digits": digits,
        "labels": "市教育局2024年工作要点\n" + "主要目标：新建学校3所。重点任务：抓落实。" * 60,
        "summaries": "\n".join([*summaries, *summaries, *_plan_lines(12)]),
        "leads": "市教育局2024年工作要点\n1.办学。" + "全市" * 200 + "新建学校3所。",
    }


def _table_page() -> str:
    """A 任务分解表 as a web page, its group cells spanning rows, plus a nested layout table."""
    rows = "".join(
        "<tr>"
        + (f"<td rowspan='3'>{_cn(k // 3 + 1)}、第{k // 3 + 1}类</td>" if k % 3 == 0 else "")
        + f"<td>{k + 1}</td><td>新建学校{k + 2}所，学前三年毛入园率达到9{k % 10}%</td>"
        + "<td colspan='2'>基础教育处</td><td>2024年底</td></tr>"
        for k in range(30)
    )
    head = "<tr><td>类别</td><td>序号</td><td>工作任务</td><td>牵头单位</td><td>责任单位</td>"
    return (
        "<html><head><title>市教育局2024年重点任务分解表</title></head><body>"
        "<table><tr><td><table><tr><td>导航</td></tr></table></td></tr></table>"
        f"<table>{head}<td>完成时限</td></tr>{rows}</table></body></html>"
    )


def _digest(result: Extraction) -> str:
    """The extraction as a digest: every field of the plan, its tasks, targets and warnings."""
    return hashlib.sha256(
        repr((result.plan, [(w.line, w.message, w.kind, w.where) for w in result.warnings])).encode(
            "utf-8"
        )
    ).hexdigest()[:16]


def _inputs(tmp: Path) -> Iterator[tuple[str, Path | str]]:
    for path in sorted(FIXTURES.iterdir()):
        yield path.name, path
    page = tmp / "seed.html"
    page.write_text(html_page(seed_paragraphs(), title="市教育局2022年工作要点"), "utf-8")
    yield "seed.html", page
    yield "seed_one_line", "".join(seed_paragraphs())
    table = tmp / "table.html"
    table.write_text(_table_page(), "utf-8")
    yield "table.html", table
    yield "generated", "\n".join(_plan_lines(90))
    yield from _hostile().items()


# renewed when targets became a grammar of quantities and items any enumeration (issue 25):
# every change was read (new targets in 万平方米/‰/全覆盖, the one-line plans now read as
# plans), ``codes=False``
EXPECTED: dict[str, str] = {
    "breakdown_2024_flat.txt": "f3f0578978ff2fa8",
    "city_2024_bare_clauses.txt": "e0071e169326c1a5",
    "city_2024_paren_items_gbk.txt": "4ac76ee8ef6a10c9",
    "county_2022_no_sections_bom.txt": "89707c4c446cbe70",
    "county_2024_main_goals.txt": "d917ce9f9293f989",
    "district_2023_sections.txt": "3fc8998554320db5",
    "excerpt_from_item_17.txt": "0a146ca887abc509",
    "headings_with_labels.txt": "b80ff5d6046eecf5",
    "livelihood_2024_pipes.txt": "7723b2b2441cd461",
    "notice_2023_cover_letter.txt": "ef68d975700b54b4",
    "page2_from_8.txt": "c978a7d28dc765f5",
    "seed_2022.txt": "457112ac57827a76",
    "web_county_2023_page.txt": "a2cb8f6694051015",
    "seed.html": "58b71d91cd6b4284",
    "seed_one_line": "01614f3f824f3374",
    "table.html": "bee7eea71d2541a2",
    "generated": "91a54a7c4834177e",
    "one_line": "c6566196de661c5e",
    "brackets": "50fb380387d91607",
    "digits": "c809998e72c9cc84",
    "labels": "df4f6db1d0c6129f",
    "summaries": "a1f03a72a6fed2d2",
    "leads": "e4c3200e3864e67f",
}


def test_extraction_is_unchanged_on_the_fixtures(tmp_path: Path) -> None:
    got = {name: _digest(extract_plan(source, codes=False)) for name, source in _inputs(tmp_path)}
    assert got == EXPECTED


def _scanned_by_depths(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Patch the bracket-depth count to record how many characters each call reads."""
    scanned: list[int] = []
    original = targets_module.bracket_depths

    def counting(text: str) -> list[int]:
        scanned.append(len(text))
        return original(text)

    monkeypatch.setattr(targets_module, "bracket_depths", counting)
    return scanned


@pytest.mark.parametrize("make", [lambda n: "\n".join(_plan_lines(n)), _one_line])
def test_bracket_depths_read_each_character_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch, make: Callable[[int], str]
) -> None:
    scanned = _scanned_by_depths(monkeypatch)
    for items in (40, 160):
        scanned.clear()
        text = make(items)
        result = extract_plan(text, codes=False)
        assert result.plan.tasks or result.plan.goals or result.warnings
        assert scanned, "the depths were not asked for"
        # the title and the text of each item, the preamble: each character a few times
        assert sum(scanned) <= 3 * len(text)


def _calls(work: Callable[[], object]) -> int:
    """Python-level calls (and generator resumptions) made by ``work``."""
    count = 0

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal count
        if event == "call":
            count += 1

    sys.setprofile(profile)
    try:
        work()
    finally:
        sys.setprofile(None)
    return count


@pytest.mark.parametrize(
    "make",
    [
        lambda n: "\n".join(_plan_lines(n)),
        _one_line,
        lambda n: "市教育局2024年工作要点\n1.办学（" + "新建学校3所（含分校）、" * (4 * n) + "）。",
        lambda n: "市教育局2024年工作要点\n" + "主要目标：新建学校3所。重点任务：抓落实。" * n,
    ],
    ids=["lines", "one_line", "brackets", "labels"],
)
def test_work_grows_in_proportion_to_the_text(make: Callable[[int], str]) -> None:
    small, large = make(20), make(80)
    calls_small = _calls(lambda: extract_plan(small, codes=False))
    calls_large = _calls(lambda: extract_plan(large, codes=False))
    ratio = (calls_large / calls_small) / (len(large) / len(small))
    assert ratio < 1.5, f"4× the text made {calls_large / calls_small:.1f}× the calls"


def test_summary_lines_are_matched_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many summary lines (…… at the end) are looked up together, not a pass each: the same
    lines are dropped either way."""
    lines = list(enumerate(_hostile()["summaries"].splitlines(), start=1))
    kept = drop_furniture(lines, None)
    assert len(kept) == len(lines) - 40  # every summary repeats: all dropped
    few = drop_furniture(lines[:3] + lines[20:23], None)
    assert len(few) == 0


def test_an_indicator_is_looked_up_once_per_run() -> None:
    asked: list[str] = []

    def lookup(name: str) -> str | None:
        asked.append(name)
        return None

    extract_plan("\n".join(_plan_lines(40)), lookup=lookup)
    assert asked and len(asked) == len(set(asked))
    assert extract_module.extract_plan is extract_plan
