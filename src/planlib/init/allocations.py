"""A workspace's ``allocations.csv``: each county's share of the plan's city totals.

Rates apply to every county as they stand; totals (新建、新增、投入 …) are shared out. Without the
bureau's own file, init writes a template with a row per county and total target: the target
left empty (the default split applies until someone fills it in), or, for the sample city,
filled by each county's share of the registry's schools, adding up to the city target.

A stock total (示范高中 30 所) is written as a bureau writes it: what each county has when the
year begins plus its share of the city's increment, so no county's target is below what it
already has. For the sample city the start is read from its own first quarter's returns (a
given file's figures then weigh the shares of the increment).
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
        text = Path(given_file).read_text(encoding="utf-8-sig")
        write_text_atomic(
            dest, stock_from_baselines(work, plan, indicators, text) if filled else text
        )
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
    text = buf.getvalue()
    write_text_atomic(dest, stock_from_baselines(work, plan, indicators, text) if filled else text)
    return dest


def stock_codes(plan: Plan, indicators: IndicatorSet) -> dict[str, float]:
    """Indicator code → city target of every stock total the counties share."""
    return {
        code: value
        for code, value, _unit in shared_targets(plan, indicators)
        if indicators[code].temporal == "stock"
    }


def sample_baselines(work: Path, codes: list[str]) -> dict[tuple[str, str], float]:
    """(county code, indicator) → its value in the sample's first quarter of returns."""
    from ..monitoring.indicators import compute_indicators
    from ..returns.dataset import load_dataset

    dataset = load_dataset(work)
    if not dataset.periods:
        return {}
    found = compute_indicators(dataset, periods=[dataset.periods[0]])
    found = found[found["indicator"].isin(codes) & (found["level"] == "county")].dropna(
        subset=["value"]
    )
    return {
        (str(c), str(i)): float(v)
        for c, i, v in zip(found["org_code"], found["indicator"], found["value"], strict=True)
    }


def raise_to_baselines(
    city_target: float, baselines: np.ndarray, weights: np.ndarray, decimals: int
) -> np.ndarray:
    """Targets that start from each county's baseline and share the city's increment: by the
    headroom ``weights`` leave above the baseline where there is any, else by ``weights``."""
    increment = max(city_target - float(baselines.sum()), 0.0)
    headroom = np.maximum(weights - baselines, 0.0)
    w = headroom if headroom.sum() > 0 else np.where(weights > 0, weights, 0.0)
    w = w if w.sum() > 0 else np.ones_like(w)
    return baselines + _split(increment, w, decimals)


def stock_from_baselines(work: Path, plan: Plan, indicators: IndicatorSet, text: str) -> str:
    """The allocation CSV ``text`` with its stock-total rows set from the sample's baselines
    (see :func:`raise_to_baselines`); other rows as they are."""
    stocks = stock_codes(plan, indicators)
    if not stocks:
        return text
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not {"county", "indicator", "target"} <= set(rows[0]):
        return text
    col = {name: rows[0].index(name) for name in ("county", "indicator", "target")}
    base = sample_baselines(work, list(stocks))
    for code, city_target in stocks.items():
        lines = [
            r
            for r in rows[1:]
            if len(r) > col["target"] and indicators.lookup(r[col["indicator"]]) == code
        ]
        had = np.array([base.get((r[col["county"]], code), np.nan) for r in lines])
        if not lines or np.isnan(had).any():
            continue
        weights = np.array([_number(r[col["target"]]) for r in lines])
        figures = raise_to_baselines(city_target, had, weights, indicators[code].precision)
        for r, f in zip(lines, figures, strict=True):
            r[col["target"]] = f"{f:g}"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def _number(text: str) -> float:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return 0.0
