"""The sections of a department's (处室's) report (``notebooks/department_report.ipynb``):
the targets it leads or shares, city-wide and across the children of an org unit.
"""

from __future__ import annotations

import pandas as pd

from ..charts import figures as charts
from ..charts import style
from .context import ReportContext
from .html import Html, _value_text, badge, e, figure_html, table
from .sections import _cards, children, overview_org


def departments(ctx: ReportContext) -> list[str]:
    """Every department (处室) the plan names that gets a report: those that answer for a
    target, and those that lead or share a task without one (their report is the ledger's)."""
    named = ctx.meta.get("departments")
    if named:
        return list(named)
    return sorted(set(ctx.departments["department"].astype(str)))


def department_headline(ctx: ReportContext, department: str) -> Html:
    from ..monitoring.departments import check_departments  # not at kernel start-up

    check_departments(department, departments(ctx))
    d = ctx.departments[ctx.departments["department"].astype(str) == department]
    if d.empty:
        return Html(
            f"<p>{e(department)}在本计划中没有负责的量化目标；"
            "以下为其牵头或参与的任务在台账中的进展。</p>"
        )
    counts = {s: int((d["city_status"] == s).sum()) for s in style.STATUSES}
    lead = int((d["role"] == "牵头").sum())
    text = (
        f"{e(department)}牵头或负责<b>{len(d)}</b>项量化目标（牵头{lead}项，责任"
        f"{len(d) - lead}项）。按全市口径："
        f"达标{counts['达标']}项，接近{counts['接近']}项，未达标{counts['未达标']}项，"
        f"无数据{counts['无数据']}项。"
    )
    return Html(_cards(counts) + f"<p>{text}</p>")


def department_targets(ctx: ReportContext, department: str) -> Html:
    d = ctx.departments[ctx.departments["department"].astype(str) == department]
    if d.empty:
        return Html("<p>没有负责的量化目标。</p>")
    frame = pd.DataFrame(
        {
            "任务": d["task_id"],
            "指标": d["indicator_name"],
            "角色": d["role"],
            "全市值": [
                _value_text(v, p, str(u))
                for v, p, u in zip(d["city_value_shown"], d["precision"], d["unit"], strict=True)
            ],
            "目标": [
                f"{e(text)}（序时目标{_value_text(x, p, str(u))}）"
                if str(j) == "序时目标"
                else e(text)
                for text, j, x, p, u in zip(
                    d["target_text"],
                    d["city_judged_against"],
                    d["city_expected_value"],
                    d["precision"],
                    d["unit"],
                    strict=True,
                )
            ],
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
    return Html(table(frame, numeric=("全市值",), raw=("全市值", "目标", "状态")) + notes)


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
