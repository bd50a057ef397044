"""County shares of the city's targets (分解目标): ``data/allocations/<year>.csv``.

The plan's targets are city-wide. An allocation file gives a county its own target for an
indicator (county, indicator, target); ``assess`` uses it in place of the city's.
"""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..catalog.definitions import IndicatorSet, load_indicators
from ..encodings import decode_text
from ..errors import AllocationFileError, TextEncodingError
from ..plan.model import Plan
from ..workspace import allocations_file

ALLOCATION_COLUMNS = ("county", "indicator", "target")
SCHEDULE_COLUMNS = ("q1", "q2", "q3")
"""Optional: the share of the year's target due by the end of each quarter (20% or 0.2), for a
year-to-date flow whose 序时进度 is not even (建设项目 that finish late in the year)."""


def default_allocations_path(year: int | None) -> Path:
    """The workspace's ``allocations.csv`` for its year, else ``data/allocations/<year>.csv``."""
    return allocations_file(year)


def load_allocations(
    path: str | Path | None = None,
    *,
    year: int | None = 2022,
    indicators: IndicatorSet | None = None,
) -> pd.DataFrame:
    """Read an allocation file: one row per (county, indicator) with the county's target.

    ``county`` may be a code or a name (resolved later against the org units); ``indicator`` a
    code or any name the definitions know. An optional ``basis`` column says how the city's
    target was split (按在校生数, 按上年完成数 …); reports quote it. Returns columns county,
    indicator, target, basis, q1, q2, q3, file, row (``row`` is the line in the CSV, header = 1).
    ``q1``–``q3`` (optional) give a flow's own schedule: the cumulative share of the target due
    by each quarter's end; without them 序时进度 is the share of the year gone. A missing default
    file gives an empty frame.

    For a stock total (省级示范性高中数) the figures are read as each county's share of the
    city's increment on top of what it has at the start of the year (see ``assess``).
    """
    p = Path(path) if path is not None else default_allocations_path(year)
    empty = pd.DataFrame(
        {
            "county": pd.Series(dtype=object),
            "indicator": pd.Series(dtype=object),
            "target": pd.Series(dtype="float64"),
            "basis": pd.Series(dtype=object),
            **{q: pd.Series(dtype="float64") for q in SCHEDULE_COLUMNS},
            "file": pd.Series(dtype=object),
            "row": pd.Series(dtype="int64"),
        }
    )
    if not p.exists():
        if path is None:
            return empty
        raise AllocationFileError(f"文件 {p}：分解目标文件不存在")
    try:
        text = decode_text(p.read_bytes())
    except TextEncodingError as err:
        raise AllocationFileError(f"文件 {p}：{err}") from None
    reader = csv.reader(io.StringIO(text))
    rows = [r for r in reader]
    if not rows:
        return empty
    header = [h.strip() for h in rows[0]]
    missing = [c for c in ALLOCATION_COLUMNS if c not in header]
    if missing:
        raise AllocationFileError(
            f"文件 {p}，第 1 行：缺少列 {'、'.join(missing)}（应有 county,indicator,target）"
        )
    defs = indicators if indicators is not None else load_indicators()
    col = {
        c: header.index(c) for c in (*ALLOCATION_COLUMNS, "basis", *SCHEDULE_COLUMNS) if c in header
    }
    out = []
    seen: dict[tuple[str, str], int] = {}
    for line, r in enumerate(rows[1:], start=2):
        if not any(x.strip() for x in r) or r[0].lstrip().startswith("#"):
            continue
        cells = {c: (r[i].strip() if i < len(r) else "") for c, i in col.items()}
        row = _allocation_row(cells, p, line, defs, seen)
        if row is not None:
            out.append(row)
    if not out:
        return empty
    return pd.DataFrame(out).astype({"target": "float64", "row": "int64"})


def _allocation_row(
    cells: dict[str, str],
    p: Path,
    line: int,
    defs: IndicatorSet,
    seen: dict[tuple[str, str], int],
) -> dict[str, Any] | None:
    """One line of an allocation file, checked (None: a template line not filled in yet)."""
    if not cells["county"]:
        raise AllocationFileError(f"文件 {p}，第 {line} 行，列「county」：县市区为空")
    if not cells["target"]:
        return None  # a template row not filled in yet: the default split applies
    code = defs.lookup(cells["indicator"])
    if code is None:
        raise AllocationFileError(
            f"文件 {p}，第 {line} 行，列「indicator」（值 {cells['indicator']}）：未知的指标"
        )
    try:
        target = float(cells["target"].replace(",", ""))
    except ValueError:
        raise AllocationFileError(
            f"文件 {p}，第 {line} 行，列「target」（值 {cells['target']}）：目标值应为数字"
        ) from None
    if not np.isfinite(target) or target < 0:
        raise AllocationFileError(
            f"文件 {p}，第 {line} 行，列「target」（值 {cells['target']}）：目标值应为非负数"
        )
    key = (cells["county"], code)
    if key in seen:
        raise AllocationFileError(
            f"文件 {p}，第 {line} 行：{cells['county']} 的 {code} 与第 {seen[key]} 行重复"
        )
    seen[key] = line
    return {
        "county": cells["county"],
        "indicator": code,
        "target": target,
        "basis": cells.get("basis", ""),
        **_schedule(cells, p, line),
        "file": str(p),
        "row": line,
    }


def _schedule(cells: dict[str, str], path: Path, line: int) -> dict[str, float]:
    """q1–q3 as shares of the year (20%, 0.2 or 20 all mean a fifth), rising, within 0–1."""
    out: dict[str, float] = {}
    for q in SCHEDULE_COLUMNS:
        text = cells.get(q, "").strip()
        if not text:
            out[q] = float("nan")
            continue
        try:
            share = float(text.rstrip("%％"))
        except ValueError:
            raise AllocationFileError(
                f"文件 {path}，第 {line} 行，列「{q}」（值 {text}）：序时进度应为比例，如 20% 或 0.2"
            ) from None
        share = share / 100 if text.endswith(("%", "％")) or share > 1 else share
        if not 0 <= share <= 1:
            raise AllocationFileError(
                f"文件 {path}，第 {line} 行，列「{q}」（值 {text}）：序时进度应在 0 到 100% 之间"
            )
        out[q] = share
    given = [v for v in out.values() if v == v]
    if any(b < a for a, b in itertools.pairwise(given)):
        raise AllocationFileError(
            f"文件 {path}，第 {line} 行：各季度的序时进度应逐季不减（q1 ≤ q2 ≤ q3）"
        )
    return out


def allocations_frame(
    allocations: Any, plan: Plan, indicators: IndicatorSet | None
) -> pd.DataFrame:
    if allocations is False:
        return pd.DataFrame(
            columns=["county", "indicator", "target", "basis", "file", "row"]
        ).astype({"target": "float64"})
    if isinstance(allocations, pd.DataFrame):
        missing = [c for c in ALLOCATION_COLUMNS if c not in allocations]
        if missing:
            raise AllocationFileError(f"分解目标表缺少列：{'、'.join(missing)}")
        frame = allocations.copy()
        defs = indicators if indicators is not None else load_indicators()
        frame["county"] = frame["county"].astype(str)
        codes = frame["indicator"].astype(str).map(defs.lookup)
        if codes.isna().any():
            bad = frame.loc[codes.isna(), "indicator"].iloc[0]
            raise AllocationFileError(f"分解目标表：未知的指标「{bad}」")
        frame["indicator"] = codes
        frame["target"] = frame["target"].astype("float64")
        defaults: dict[str, str | float | int] = {"basis": "", "file": "", "row": 0}
        defaults.update({q: float("nan") for q in SCHEDULE_COLUMNS})
        for c, default in defaults.items():
            if c not in frame:
                frame[c] = default
        return frame
    path = None if allocations is None else Path(allocations)
    return load_allocations(path, year=plan.year, indicators=indicators)


__all__ = [
    "ALLOCATION_COLUMNS",
    "SCHEDULE_COLUMNS",
    "default_allocations_path",
    "load_allocations",
]
