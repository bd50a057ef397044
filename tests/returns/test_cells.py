"""Cell checks: the array checks give the problems pandera gives for the cell schema."""

from __future__ import annotations

import datetime
import re
import unicodedata

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planlib.catalog.dictionary import load_dictionary
from planlib.returns.cells import (
    _CHECK_MESSAGES,
    CELL_COLUMNS,
    FLAG_WORDS,
    VALUE_COLUMNS,
    CellNote,
    TableCells,
    cell_problem,
    cell_schema,
    check_cells,
    check_tables,
    parse_number,
    reason_rule,
    scale,
)

D = load_dictionary()
ELEMENTS = [e.code for e in D.elements]


def pandera_check_cells(cells: pd.DataFrame):
    """The cell checks as they were written for pandera (one lazy validation of the schema);
    the reference the array checks are held to."""
    from pandera.errors import SchemaErrors

    problems = []
    meta = D.frame().set_index("code")
    parsed = [parse_number(v) for v in cells["raw"].tolist()]
    units = cells["element"].map(meta["unit"]).tolist()
    for i, (raw, factor) in enumerate(zip(cells["raw"], cells["factor"], strict=True)):
        said = re.fullmatch(r"(-?\d+(?:\.\d+)?)(\D+)", str(raw).strip())
        if parsed[i][1] and "单位" in parsed[i][1] and said and said[2] == units[i] and factor == 1:
            parsed[i] = (float(said[1]), None)  # a number with its column's own unit
    values = scale(
        np.array([p[0] for p in parsed], dtype="float64"), cells["factor"].to_numpy(float)
    )
    frame = cells.assign(
        value=values,
        min=cells["element"].map(meta["min"]),
        max=cells["element"].map(meta["max"]),
        kind=cells["element"].map(meta["kind"]),
        unit=cells["element"].map(meta["unit"]),
        percent=[isinstance(v, str) and v.strip().endswith(("%", "％")) for v in cells["raw"]],
    ).reset_index(drop=True)
    bad = np.zeros(len(frame), dtype=bool)
    for i, (_, reason) in enumerate(parsed):
        if reason is None:
            continue
        r = frame.iloc[i]
        if reason == "empty":
            problems.append(
                cell_problem(
                    r.file,
                    int(r.row),
                    r.column,
                    None,
                    "未填报（空白），该项按缺失处理",
                    severity="warning",
                    org_code=r.org_code,
                    period=r.period,
                    rule="empty_cell",
                )
            )
        else:
            problems.append(
                cell_problem(
                    r.file,
                    int(r.row),
                    r.column,
                    r.raw,
                    f"{reason}，无法读取",
                    org_code=r.org_code,
                    period=r.period,
                    rule=reason_rule(reason),
                )
            )
            bad[i] = True
    for i, raw in enumerate(frame["raw"].tolist()):  # yes/no words outside a flag column
        r = frame.iloc[i]
        word = (
            unicodedata.normalize("NFKC", raw).strip().lstrip("'‘’`").strip()
            if isinstance(raw, str)
            else None
        )
        if word not in FLAG_WORDS or r.kind == "flag" or parsed[i][1] is not None:
            continue
        if word == "无":
            problems.append(
                cell_problem(
                    r.file,
                    int(r.row),
                    r.column,
                    raw,
                    f"「无」按 0{r.unit}计入",
                    severity="warning",
                    org_code=r.org_code,
                    period=r.period,
                    rule="none_as_zero",
                )
            )
        else:
            problems.append(
                cell_problem(
                    r.file,
                    int(r.row),
                    r.column,
                    raw,
                    f"该列应填数量（{r.unit}），「{word}」不是数字，无法读取",
                    org_code=r.org_code,
                    period=r.period,
                    rule="not_numeric",
                )
            )
            bad[i] = True
    try:
        cell_schema().validate(frame, lazy=True)
    except SchemaErrors as err:
        fc = err.failure_cases
        fc = fc[fc["index"].notna()]
        for check, index in zip(fc["check"].astype(str), fc["index"].astype(int), strict=True):
            if bad[index]:
                continue
            r = frame.iloc[index]
            name = check.split(":")[0].strip()
            message = _CHECK_MESSAGES[name].format(max=r["max"], min=r["min"], unit=r["unit"])
            problems.append(
                cell_problem(
                    r.file,
                    int(r.row),
                    r.column if name != "period" else "报告期",
                    r.raw if name != "period" else r.period,
                    message,
                    org_code=r.org_code,
                    period=r.period,
                    rule=name,
                )
            )
            bad[index] = True
    good = frame[~bad & frame["value"].notna()]
    return good[VALUE_COLUMNS].reset_index(drop=True), problems


SAMPLE_CELLS: list[object] = [None, "", " ", "-", "很多", "1,234", "12，345", "９３．５", "93.5%"]
SAMPLE_CELLS += ["5％", "-3%", "是", "否", "1.2.3", "#DIV/0!", "#REF!", "2022-03-01"]
SAMPLE_CELLS += [datetime.date(2022, 3, 1), 0.5, 1.0, 0, 1, 2, True, False, 1e12, float("inf")]
SAMPLE_CELLS += ["inf", "nan"]
"""Cells as clerks leave them: blanks, separators, full-width digits, words, dates, numbers."""
RAWS = st.one_of(
    st.integers(-5, 3_000_000),
    st.floats(-10, 1e7, allow_nan=False),
    st.floats(-10, 1e7).map(str),  # numbers in text, as CSV cells are
    st.from_regex(r"\A[ \u3000]?[-+]?[0-9０-９_,，．.]{1,6}(e[0-9])?[%％]?[ \u3000]?\Z"),
    st.sampled_from(SAMPLE_CELLS),
)
CELL = st.tuples(
    st.sampled_from(["990102", "9901020001"]),
    st.sampled_from(["2022Q1", "2022Q4", "2022Q9", "", "第一季度"]),
    st.sampled_from(ELEMENTS),
    RAWS,
    st.sampled_from([1.0, 1.0, 10000.0, 0.1]),
)


def frame_of(cells, file="f.xlsx［县级汇总］", first_row=4):
    return pd.DataFrame(
        [
            (o, p, e, raw, f, file, first_row + i, f"列{e}", "county")
            for i, (o, p, e, raw, f) in enumerate(cells)
        ],
        columns=CELL_COLUMNS,
    )


@settings(max_examples=100, deadline=None)
@given(st.lists(CELL, min_size=1, max_size=40))
def test_array_checks_give_pandera_s_problems(cells):
    frame = frame_of(cells)
    values, problems = check_cells(frame, D)
    want_values, want_problems = pandera_check_cells(frame)
    assert problems == want_problems
    pd.testing.assert_frame_equal(values, want_values, check_dtype=False)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(CELL, min_size=1, max_size=15), min_size=1, max_size=4))
def test_tables_checked_at_once_as_one_by_one(tables):
    frames = [frame_of(t, file=f"f.xlsx［表{k}］") for k, t in enumerate(tables)]
    one_by_one = [check_cells(f, D) for f in frames]
    at_once = check_tables(
        [
            TableCells(
                f"f.xlsx［表{k}］",
                "county",
                f["org_code"].tolist(),
                f["period"].tolist(),
                f["element"].tolist(),
                [c[3] for c in t],
                f["factor"].tolist(),
                f["row"].tolist(),
                f["column"].tolist(),
            )
            for k, (f, t) in enumerate(zip(frames, tables, strict=True))
        ],
        D,
    )
    assert at_once[1] == [p for _, p in one_by_one]
    expected = pd.concat([v for v, _ in one_by_one], ignore_index=True)
    pd.testing.assert_frame_equal(
        at_once[0].to_pandas().astype(expected.dtypes.to_dict()), expected
    )


def test_a_value_shows_as_it_sat_in_its_table():
    # a table of numbers only is a float column: its 99999999 is shown as 99999999.0, as before
    numbers = frame_of(
        [("990102", "2022Q2", "pop_3_5", 99999999, 1.0), ("990102", "2022Q2", "pop_6_14", 2.5, 1.0)]
    )
    mixed = frame_of(
        [("990102", "2022Q2", "pop_3_5", 99999999, 1.0), ("990102", "2022Q2", "pop_6_14", "x", 1.0)]
    )
    assert [p.value for p in check_cells(numbers, D)[1] if p.rule == "above_range"] == [
        "99999999.0"
    ]
    assert [p.value for p in check_cells(mixed, D)[1] if p.rule == "above_range"] == ["99999999"]


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(
            alphabet="0123456789０１２３４５６７８９.．,，_ +-eE%％\u3000\t是否Nn", max_size=10
        ),
        st.floats().map(str),
        st.text(max_size=6),
    )
)
def test_the_fast_path_for_text_numbers_agrees_with_parse_number(text):
    from planlib.returns.cells import _parse_all

    numbers, reasons, _words = _parse_all([text])
    value, reason = parse_number(text)
    assert (numbers[0] == value) or (numbers[0] != numbers[0] and value != value)
    assert reasons == ([] if reason is None else [(0, reason)])


@pytest.mark.parametrize(
    ("raw", "words", "rule"),
    [
        ("#DIV/0!", "Excel 错误值「#DIV/0!」", "excel_error"),
        ("#REF!", "Excel 错误值「#REF!」", "excel_error"),
        (datetime.datetime(2022, 3, 1), "单元格是日期（2022-03-01）", "date_in_number"),
        ("2022/3/1", "单元格是日期", "date_in_number"),
        ("很多", "不是数字", "not_numeric"),
    ],
)
def test_what_a_cell_really_is_has_its_own_message(raw, words, rule):
    frame = frame_of([("990102", "2022Q1", "pop_3_5", raw, 1.0)])
    values, [p] = check_cells(frame, D)
    assert values.empty and words in p.message and p.rule == rule and p.severity == "error"
    assert (p.row, p.column) == (4, "列pop_3_5")


def test_a_cell_note_gives_its_message_not_a_blank():
    note = CellNote("formula_uncalculated", "公式未计算：请在 Excel 中打开并保存后重新报送")
    frame = frame_of([("990102", "2022Q1", "pop_3_5", note, 1.0)])
    values, [p] = check_cells(frame, D)
    assert values.empty and p.message == note.message and p.rule == "formula_uncalculated"
    assert p.severity == "error"


@pytest.mark.parametrize(
    ("raw", "value", "rules"),
    [(2.1571, 21571, []), (0.0001, 1, []), (1.23456789, None, ["whole"])],
)
def test_a_count_converted_from_wan_ren_is_compared_with_a_tolerance(raw, value, rules):
    # 2.1571 × 10000 = 21570.999999999996 in binary floating point: a whole 21,571 children
    frame = frame_of([("990102", "2022Q1", "pop_3_5", raw, 10000.0)])
    values, problems = check_cells(frame, D)
    assert [p.rule for p in problems] == rules
    assert values["value"].tolist() == ([] if value is None else [value])
