"""A workspace's ``allocations.csv``: each county's share of the plan's city totals.

Rates apply to every county as they stand; totals (新建、新增、投入 …) are shared out. Without the
bureau's own file, init writes a template with a row per county and total target: the target
left empty (the default split applies until someone fills it in), or, for the sample city,
filled by each county's share of the registry's schools, adding up to the city target.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from ..catalog.definitions import IndicatorSet
from ..plan.files import write_text_atomic
from ..plan.model import Plan
from ..returns.orgunits import load_org_units

COLUMNS = ["county", "county_name", "indicator", "indicator_name", "target", "basis"]
SAMPLE_BASIS = "按各县市区学校数"


def shared_targets(plan: Plan, indicators: IndicatorSet) -> list[tuple[str, float, str]]:
    """(indicator code, city target, unit) of every total target counties share, once each."""
    out: dict[str, tuple[str, float, str]] = {}
    for g in (*plan.goals, *(t for _, t in plan.targets)):
        code = g.code
        if not code or code not in indicators or g.change:
            continue
        ind = indicators[code]
        if ind.kind == "total" and ind.level == "county" and code not in out:
            out[code] = (code, g.value, ind.unit)
    return list(out.values())


def _split(total: float, weights: np.ndarray, decimals: int) -> np.ndarray:
    """``total`` shared by ``weights`` at ``decimals``, adding up exactly (largest remainder)."""
    scale = 10**decimals
    raw = total * scale * weights / weights.sum()
    base = np.floor(raw)
    short = round(float(total * scale - base.sum()))
    order = np.argsort(-(raw - base), kind="stable")
    base[order[: max(short, 0)]] += 1
    return base / scale


def write_allocations(
    work: Path, plan: Plan, indicators: IndicatorSet, *, given_file: str | Path | None, filled: bool
) -> Path:
    """Write ``work/allocations.csv``: the bureau's file as given, else the template."""
    dest = work / "allocations.csv"
    if given_file is not None:
        write_text_atomic(dest, Path(given_file).read_text(encoding="utf-8-sig"))
        return dest
    units = load_org_units(work)
    frame = units.units
    counties = frame[frame["level"] == "county"].sort_values("code")
    school_counts = (
        units.schools.groupby("county_code").size() if len(units.schools) else pd.Series(dtype=int)
    )
    weights = school_counts.reindex(counties["code"]).fillna(0).to_numpy(dtype=float) + 1.0
    rows: list[list[object]] = []
    for code, value, _unit in shared_targets(plan, indicators):
        ind = indicators[code]
        figures = _split(value, weights, ind.precision if filled else 0) if filled else None
        for i, (ccode, cname) in enumerate(zip(counties["code"], counties["name"], strict=True)):
            target = "" if figures is None else f"{figures[i]:g}"
            rows.append([ccode, cname, code, ind.name, target, SAMPLE_BASIS if filled else ""])
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    write_text_atomic(dest, buf.getvalue())
    return dest
