"""The sections of a department's (处室's) report (``notebooks/department_report.ipynb``):
the targets it leads or shares, city-wide and across the children of an org unit.
"""

from __future__ import annotations

import pandas as pd

from ..charts import figures as charts
from ..charts import style
from ..errors import PlanlibError
from .context import ReportContext
from .html import Html, badge, e, figure_html, num, table
from .sections import _cards, children, overview_org


def departments(ctx: ReportContext) -> list[str]:
    """Every department (处室) that leads or shares a target."""
    return sorted(set(ctx.departments["department"].astype(str)))


def department_headline(ctx: ReportContext, department: str) -> Html:
    d = ctx.departments[ctx.departments["department"].astype(str) == department]
    if d.empty:
        raise PlanlibError(f"处室「{department}」在本期没有目标")
    counts = {s: int((d["city_status"] == s).sum()) for s in style.STATUSES}
    lead = int((d["role"] == "牵头").sum())
    text = (
        f"{e(department)}牵头或负责 <b>{len(d)}</b> 项量化目标（牵头 {lead} 项，责任 "
        f"{len(d) - lead} 项）。按全市口径："
        f"达标 {counts['达标']} 项，接近 {counts['接近']} 项，未达标 {counts['未达标']} 项，"
        f"无数据 {counts['无数据']} 项。"
    )
    return Html(_cards(counts) + f"<p>{text}</p>")


def department_targets(ctx: ReportContext, department: str) -> Html:
    d = ctx.departments[ctx.departments["department"].astype(str) == department]
    frame = pd.DataFrame(
        {
            "任务": d["task_id"],
            "指标": d["indicator_name"],
            "角色": d["role"],
            "全市值": [num(v, str(u)) for v, u in zip(d["city_value"], d["unit"], strict=True)],
            "目标": d["target_text"],
            "状态": [badge(s) for s in d["city_status"]],
            "下级 达标/接近/未达标/无数据": [
                f"{a}/{b}/{c}/{x}"
                for a, b, c, x in zip(
                    d["n_met"], d["n_near"], d["n_missed"], d["n_no_data"], strict=True
                )
            ],
        }
    )
    # who is behind, below the table: a long list of names would crush its columns
    behind = [
        f"<li>{e(r.indicator_name)}：{e(r.behind_units)}</li>"
        for r in d.itertuples(index=False)
        if isinstance(r.behind_units, str) and r.behind_units
    ]
    notes = f"<p>未达标的单位：</p><ul class='behind'>{''.join(behind)}</ul>" if behind else ""
    return Html(table(frame, numeric=("全市值",), raw=("全市值", "状态")) + notes)


def department_heatmap(ctx: ReportContext, department: str, org: str | None = None) -> Html:
    """The department's targets across the children of ``org`` (default: the root's)."""
    d = ctx.departments[ctx.departments["department"].astype(str) == department]
    kids = children(ctx, overview_org(ctx, org))
    a = ctx.assessment
    keys = set(zip(d["task_id"].astype(str), d["indicator"].astype(str), strict=True))
    rows = a[a["org_code"].astype(str).isin(kids) & (a["period"].astype(str) == ctx.period)]
    mask = [
        (t, i) in keys
        for t, i in zip(rows["task_id"].astype(str), rows["indicator"].astype(str), strict=True)
    ]
    rows = rows[mask]
    if rows.empty:
        return Html("<p>没有县市区层面的数据。</p>")
    fig = charts.status_heatmap(rows)
    return Html(figure_html(fig, "各县市区目标完成状态"))
