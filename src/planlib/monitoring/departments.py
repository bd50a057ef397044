"""The responsibility view: each 处室's targets, the city's value and how its counties stand."""

from __future__ import annotations

import pandas as pd

from ..plan.model import Plan
from .assessment import STATUSES


def by_department(assessment: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """Assessment rolled up by department: one row per (department, role, target, period).

    Each 处室 sees every target of the tasks it leads (牵头) or shares (责任): the city-level
    value and status, and how many counties are 达标/接近/未达标/无数据, naming those behind.
    """
    units = plan.units_frame()
    units = units.assign(role=units["role"].map({"lead": "牵头", "responsible": "责任"}))
    columns = [
        "department", "kind", "role", "task_id", "indicator", "indicator_name", "period",
        "target_text", "unit", "city_value", "city_target", "city_status", "city_progress",
        "n_units", "n_met", "n_near", "n_missed", "n_no_data", "behind_units",
    ]  # fmt: skip
    if assessment.empty or units.empty:
        return pd.DataFrame(columns=columns)
    key = ["task_id", "indicator", "period"]
    a = assessment
    top = a[a["level"] == "city"]
    city = top.groupby(key, sort=False).agg(
        city_value=("value", "first"),
        city_target=("target", "first"),
        city_status=("status", "first"),
        city_progress=("progress", "first"),
    )
    counties = a[a["level"] == "county"]
    counts = pd.crosstab(
        [counties["task_id"], counties["indicator"], counties["period"]], counties["status"]
    ).reindex(columns=list(STATUSES), fill_value=0)
    behind = (
        counties[counties["status"] == "未达标"]
        .sort_values("org_code")
        .groupby(key, sort=False)["org_name"]
        .agg("、".join)
    )
    base = (
        a.drop_duplicates(key)[[*key, "indicator_name", "target_text", "unit"]]
        .set_index(key)
        .join(city)
        .join(counts)
        .join(behind.rename("behind_units"))
        .reset_index()
    )
    for s in STATUSES:
        base[s] = base[s].fillna(0).astype("int64") if s in base else 0
    base = base.rename(
        columns={"达标": "n_met", "接近": "n_near", "未达标": "n_missed", "无数据": "n_no_data"}
    )
    base["n_units"] = base[["n_met", "n_near", "n_missed", "n_no_data"]].sum(axis=1).astype("int64")
    base["behind_units"] = base["behind_units"].fillna("")
    out = units.rename(columns={"unit": "department"}).merge(base, on="task_id", how="inner")
    out = out.sort_values(["department", "role", "task_id", "period"], kind="stable")
    return out[columns].reset_index(drop=True)


__all__ = ["by_department"]
