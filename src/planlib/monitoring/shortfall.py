"""还需: the real shortfall against a target, in the indicator's own count.

Status is judged at published precision (a bulletin prints 56% and calls it 达标), but what a
unit still has to do is counted against the target itself: 55.954% of a 56% target is 达标 as
printed and still some children short. Such rows carry ``met_by_rounding`` so a page can say
「按公布精度达标，尚差N人」.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def exact_shortfall(
    rows: pd.DataFrame, factor: np.ndarray, goal: np.ndarray, whole: np.ndarray
) -> np.ndarray:
    """What it takes to reach ``goal`` exactly (0 where reached, NaN where unknown).

    A rate (numerator ÷ denominator × factor): the smallest whole number of children, schools or
    teachers to add to the numerator (to shed, for a lower-is-better rate) with the denominator
    held. A total: goal − value, rounded up to a whole count where ``whole`` (people, schools).
    A 左右 target has no single count to reach and is NaN.
    """
    value = rows["value"].to_numpy(dtype="float64")
    numerator = rows["numerator"].to_numpy(dtype="float64")
    denominator = rows["denominator"].to_numpy(dtype="float64")
    comparator = rows["comparator"].to_numpy(dtype=object)
    ratio = (rows["kind"] == "ratio").to_numpy()
    lower = comparator == "<="
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = denominator / factor
        up = np.ceil(goal * scale - 1e-9 * np.maximum(1.0, np.abs(goal * scale))) - numerator
        down = numerator - np.floor(goal * scale + 1e-9 * np.maximum(1.0, np.abs(goal * scale)))
        rate = np.where(lower, down, up)
        total = np.where(lower, value - goal, goal - value)
        total = np.where(total <= 1e-9 * np.maximum(1.0, np.abs(goal)), 0.0, total)
        total = np.where(whole, np.ceil(total - 1e-9), total)
    needed = np.maximum(np.where(ratio, rate, total), 0.0)
    unknown = np.isnan(value) | np.isnan(goal) | (comparator == "~")
    return np.where(unknown, np.nan, needed).astype("float64")


def still_needed(
    rows: pd.DataFrame,
    factor: np.ndarray,
    goal: np.ndarray,
    status: np.ndarray,
    whole: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """还需 per row (the exact shortfall; NaN when met exactly or unknown) and whether the row is
    达标 only at published precision (its status 达标 with a shortfall left)."""
    exact = exact_shortfall(rows, factor, goal, whole)
    short = exact > 0
    needed = np.where(short & (status != "无数据"), exact, np.nan)
    by_rounding = short & (status == "达标")
    return needed.astype("float64"), by_rounding.astype(bool)


__all__ = ["exact_shortfall", "still_needed"]
