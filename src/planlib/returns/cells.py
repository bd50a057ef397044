"""The cell checks of county returns: one cell of a table to a number, and a pandera schema over all.

Reading a return (reading.py) finds the header and turns each (data row, element column) into a
cell still holding the text or number as typed. This module takes those cells the rest of the
way: ``parse_number`` reads one cell ("12,345", "12，345", "９３．５", "93.5%", 是/否, a blank),
and ``check_cells`` converts to the dictionary unit and runs every check at once (negative,
out of range, a flag not 1/0, a percentage where a count belongs, a count with decimals, an
unreadable period), each failure a ``Problem`` with file, Excel row and column — not just the
first. pandera is imported only when cells are checked, so report kernels and most commands,
which never read a workbook, do not pay for it. ``VALUE_COLUMNS``, the tidy values it returns,
and ``_problem`` live here too because reading.py builds on them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import pandera.pandas

from ..catalog.dictionary import Dictionary
from ..errors import Problem

_PERIOD = re.compile(r"\d{4}Q[1-4]")
VALUE_COLUMNS = ["org_code", "period", "element", "value", "file", "row", "column"]
_FLAG_WORDS = {"是": 1.0, "否": 0.0, "√": 1.0, "×": 0.0, "Y": 1.0, "N": 0.0, "有": 1.0, "无": 0.0}


def _problem(
    file: str, row: int | None, column: str | None, value: Any, message: str, **kw: Any
) -> Problem:
    shown = None if value is None else str(value)
    return Problem(file, row, column, shown, message, **kw)


def parse_number(raw: Any) -> tuple[float, str | None]:
    """A cell as a number: (value, None), or (nan, reason) — reason "empty" for a blank cell."""
    if raw is None:
        return np.nan, "empty"
    if isinstance(raw, bool):
        return float(raw), None
    if isinstance(raw, int | float):
        if raw != raw:  # NaN: a blank cell that went through a DataFrame
            return np.nan, "empty"
        return (float(raw), None) if np.isfinite(raw) else (np.nan, "不是有限数字")
    s = unicodedata.normalize("NFKC", str(raw)).strip()
    if not s or s in ("-", "—", "/"):
        return np.nan, "empty"
    if s in _FLAG_WORDS:
        return _FLAG_WORDS[s], None
    s = re.sub(r"[\s,]", "", s)
    if s.endswith("%"):
        s = s[:-1]
    try:
        value = float(s)
    except ValueError:
        return np.nan, "不是数字"
    return (value, None) if np.isfinite(value) else (np.nan, "不是有限数字")


# --- cell checks (pandera) -------------------------------------------------------------------


@cache
def _cell_schema() -> pandera.pandas.DataFrameSchema:
    # imported here: report kernels and most CLI commands never read a workbook (0.2 s saved)
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {
            "org_code": pa.Column(str),
            "period": pa.Column(
                str, pa.Check(lambda s: s.str.fullmatch(_PERIOD.pattern), name="period")
            ),
            "value": pa.Column(float, pa.Check(lambda s: s >= 0, name="negative"), nullable=True),
        },
        checks=[
            pa.Check(lambda f: f["value"].isna() | (f["value"] <= f["max"]), name="above_range"),
            pa.Check(
                lambda f: f["value"].isna() | (f["value"] >= f["min"]) | (f["value"] < 0),
                name="below_range",
            ),
            pa.Check(
                lambda f: (f["kind"] != "flag") | f["value"].isna() | f["value"].isin([0.0, 1.0]),
                name="flag",
            ),
            pa.Check(lambda f: ~f["percent"], name="percent"),
            pa.Check(
                lambda f: (f["kind"] != "count") | f["value"].isna() | (f["value"] % 1 == 0),
                name="whole",
            ),
        ],
    )


_CHECK_MESSAGES = {
    "period": "报告期无法识别（应写作 2022Q1 或 2022年第一季度）",
    "negative": "数值不能为负数",
    "above_range": "数值超出允许范围（上限 {max:g}{unit}）",
    "below_range": "数值低于允许范围（下限 {min:g}{unit}）",
    "flag": "应填 1/0 或 是/否",
    # every element of a return is a count, an amount or a flag: rates are computed, not reported
    "percent": "该列应填数量（{unit}），不应填百分数",
    "whole": "该列为计数（{unit}），应为整数（是否填成了比例或小数？）",
}


def check_cells(cells: pd.DataFrame, d: Dictionary) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse and check every cell; return tidy values (bad cells dropped) and the problems."""
    if cells.empty:
        return pd.DataFrame(columns=VALUE_COLUMNS), []
    problems: list[Problem] = []
    parsed = [parse_number(v) for v in cells["raw"].tolist()]
    values = np.array([p[0] for p in parsed], dtype="float64") * cells["factor"].to_numpy(
        dtype="float64"
    )
    reasons = [p[1] for p in parsed]
    meta = d.frame().set_index("code")
    frame = cells.assign(
        value=values,
        min=cells["element"].map(meta["min"]),
        max=cells["element"].map(meta["max"]),
        kind=cells["element"].map(meta["kind"]),
        unit=cells["element"].map(meta["unit"]),
        percent=[isinstance(v, str) and v.strip().endswith(("%", "％")) for v in cells["raw"]],
    ).reset_index(drop=True)
    bad = np.zeros(len(frame), dtype=bool)
    for i, reason in enumerate(reasons):
        if reason is None:
            continue
        r = frame.iloc[i]
        if reason == "empty":
            problems.append(
                _problem(
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
                _problem(
                    r.file,
                    int(r.row),
                    r.column,
                    r.raw,
                    f"{reason}，无法读取",
                    org_code=r.org_code,
                    period=r.period,
                    rule="not_numeric",
                )
            )
            bad[i] = True
    from pandera.errors import SchemaErrors

    try:
        _cell_schema().validate(frame, lazy=True)
    except SchemaErrors as err:
        fc = err.failure_cases
        fc = fc[fc["index"].notna()]
        for check, index in zip(fc["check"].astype(str), fc["index"].astype(int), strict=True):
            if bad[index]:
                continue
            r = frame.iloc[index]
            name = check.split(":")[0].strip()
            template = _CHECK_MESSAGES.get(name, f"未通过检查 {check}")
            message = template.format(max=r["max"], min=r["min"], unit=r["unit"])
            problems.append(
                _problem(
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
