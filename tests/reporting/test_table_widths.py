"""Report tables are laid out with fixed column widths that planlib computes from the text
(WeasyPrint's automatic table layout measured every cell twice: a third of a PDF's time). The
widths must do what the automatic layout did: keep numbers and badges on one line, give long
text the room that is left, and fill the page's width."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from planlib.reporting.html import TABLE_WIDTH_EM, _column_widths, _em, badge, table


def _widths(html: str) -> list[float]:
    return [float(w) for w in re.findall(r'<col style="width:([0-9.]+)%"/?>', html)]


def test_every_table_has_one_width_per_column_summing_to_the_page() -> None:
    frame = pd.DataFrame({"指标": ["学前三年毛入园率"], "本期值": ["93.5%"], "说明": ["—"]})
    html = table(frame, numeric=("本期值",), keep_empty=True)
    widths = _widths(html)
    assert len(widths) == 3 and sum(widths) == pytest.approx(100, abs=0.2)
    assert html.index("<colgroup>") < html.index("<thead>")


def test_short_columns_share_the_page_in_proportion_to_their_text() -> None:
    widths = _column_widths([["代码", "990102"], ["单位名称很长的一列", "城关区"]], [True, False])
    ones = [_em("990102") + 1, _em("单位名称很长的一列") + 1]  # the header is the longer
    assert widths[0] / widths[1] == pytest.approx(ones[0] / ones[1])


def test_long_text_wraps_while_numbers_and_badges_stay_whole() -> None:
    long_text = "按序时目标评估，序时进度滞后，" * 12  # far wider than the page on one line
    mark = badge("未达标")
    columns = [["本期值", "23.41亿元（完成88.3%）"], ["状态", mark], ["说明", long_text]]
    widths = _column_widths(columns, [True, False, False])
    em = [w / 100 * TABLE_WIDTH_EM for w in widths]
    assert em[0] >= _em("23.41亿元（完成88.3%）") + 1  # the number never wraps
    assert em[1] >= _em("×未达标")  # nor does the badge, a column of its own
    assert em[2] > em[0] + em[1]  # the text takes what is left
    assert sum(em) == pytest.approx(TABLE_WIDTH_EM)


def test_a_long_ascii_word_is_not_split() -> None:
    word = "manifest.json#sha256=0123456789abcdef"
    widths = _column_widths([["文件", word], ["说明", "很长的说明文字" * 30]], [False, False])
    assert widths[0] / 100 * TABLE_WIDTH_EM >= _em(word)


def test_a_cell_of_several_lines_is_as_wide_as_its_longest() -> None:
    cell = "幼儿园在园幼儿数占3–5岁人口的百分比<br/><b>本报告口径：</b>常住人口"
    one = _column_widths([["定义", cell], ["单位", "%"]], [False, True])
    two = _column_widths(
        [["定义", "幼儿园在园幼儿数占3–5岁人口的百分比"], ["单位", "%"]], [False, True]
    )
    assert one == two  # the second, shorter line adds no width
