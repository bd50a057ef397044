"""The sections of a department's (处室's) report (``notebooks/department_report.ipynb``):
the targets it leads or shares, city-wide and across the children of an org unit.
"""

from __future__ import annotations

import pandas as pd

from ..charts import figures as charts
from ..charts import style
from .context import ReportContext, children, departments
from .followup import items_for, supervision_section
from .html import Html, badge, chart_rows, e, figure_html, table, value_text, value_texts
from .overview import since_text
from .sections import overview_org, status_cards, still_needed_text


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
    below = {
        s: int(pd.to_numeric(d[c], errors="coerce").fillna(0).sum())
        for s, c in zip(style.STATUSES, ("n_met", "n_near", "n_missed", "n_no_data"), strict=True)
    }
    if not sum(below.values()):
        return Html(status_cards(counts) + f"<p>{text}</p>")
    text += (
        f"各下级单位的分解目标共{sum(below.values())}项：达标{below['达标']}项，"
        f"接近{below['接近']}项，未达标<b>{below['未达标']}</b>项，无数据{below['无数据']}项"
        "（逐项见督办事项）。"
    )
    return Html(
        "<p class='sub'><b>全市口径</b></p>"
        + status_cards(counts)
        + "<p class='sub'><b>各下级单位分解目标</b></p>"
        + status_cards(below)
        + f"<p>{text}</p>"
    )


def department_targets(ctx: ReportContext, department: str) -> Html:
    d = ctx.departments[ctx.departments["department"].astype(str) == department]
    if d.empty:
        return Html("")  # the headline has said so
    frame = pd.DataFrame(
        {
            "任务": d["task_id"],
            "指标": d["indicator_name"],
            "角色": d["role"],
            "全市值": value_texts(d, "city_value_shown"),
            "目标": [
                f"{e(text)}（序时目标{value_text(x, p, str(u))}）"
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
    return Html(table(frame, numeric=("全市值",), raw=("全市值", "目标", "状态")))


def _has_targets(ctx: ReportContext, department: str) -> bool:
    return bool((ctx.departments["department"].astype(str) == department).any())


def _own_rows(ctx: ReportContext, department: str, org: str | None) -> pd.DataFrame:
    """The assessment rows of the department's targets for the children of ``org``, every
    quarter of the year so far."""
    d = ctx.departments[ctx.departments["department"].astype(str) == department]
    kids = children(ctx, overview_org(ctx, org))
    a = ctx.assessment
    keys = set(zip(d["task_id"].astype(str), d["indicator"].astype(str), strict=True))
    rows = a[a["org_code"].astype(str).isin(kids)]
    mask = [
        (t, i) in keys
        for t, i in zip(rows["task_id"].astype(str), rows["indicator"].astype(str), strict=True)
    ]
    return rows[mask]


def department_followup(ctx: ReportContext, department: str, org: str | None = None) -> Html:
    """督办清单: every child unit behind on one of the department's targets, how far (还需, in
    people, schools or money) and since when, longest first within each target."""
    from ..monitoring.behind import behind_since  # not at kernel start-up

    own = items_for(ctx, department)
    if not _has_targets(ctx, department) and own.empty:
        return Html(
            f"<p>{e(department)}没有负责的量化目标，无督办清单；所牵头或参与任务的进展见任务台账。</p>"
        )
    if not ctx.supervision.empty:
        return supervision_section(ctx, department=department, who=f"{e(department)}负责的")
    behind = behind_since(_own_rows(ctx, department, org), ctx.period)
    if behind.empty:
        return Html("<p>本期各下级单位在本处室负责的目标上均无未达标，无需督办。</p>")
    d = ctx.departments[ctx.departments["department"].astype(str) == department]
    targets = zip(d["task_id"].astype(str), d["indicator"].astype(str), strict=True)
    order = {k: n for n, k in enumerate(dict.fromkeys(targets))}
    behind = behind.assign(
        _o=[
            order.get(k, len(order))
            for k in zip(
                behind["task_id"].astype(str), behind["indicator"].astype(str), strict=True
            )
        ]
    ).sort_values(["_o", "quarters_behind", "org_code"], ascending=[True, False, True])
    frame = pd.DataFrame(
        {
            "指标": behind["indicator_name"],
            "单位": behind["org_name"],
            "本期值": value_texts(behind),
            "目标": behind["target_text"],
            "还需": [still_needed_text(r) or "—" for r in behind.itertuples(index=False)],
            "何时起未达标": [
                since_text(s, int(q)) + (f"（连续{int(q)}个季度）" if int(q) > 1 else "")
                for s, q in zip(behind["since"], behind["quarters_behind"], strict=True)
            ],
        }
    )
    lead = (
        f"<p>本期在{e(department)}负责的目标上未达标的共{len(frame)}项"
        f"（涉及{behind['org_code'].nunique()}个单位），按目标列出，连续未达标时间长的在前：</p>"
    )
    return Html(
        lead + table(frame, numeric=("本期值", "还需"), raw=("本期值", "还需"), nowrap=("单位",))
    )


def department_heatmap(ctx: ReportContext, department: str, org: str | None = None) -> Html:
    """The department's targets across the children of ``org`` (default: the root's)."""
    if not _has_targets(ctx, department):
        return Html(f"<p>{e(department)}没有负责的量化目标，无各单位完成情况。</p>")
    rows = _own_rows(ctx, department, org)
    rows = rows[rows["period"].astype(str) == ctx.period]
    if rows.empty:
        return Html("<p>没有县市区层面的数据。</p>")
    fig = charts.status_heatmap(chart_rows(rows))
    caption = "每格为该单位本期的指标值（带单位）；符号与灰度表示目标完成状态：✓达标、△接近、×未达标、—无数据。"
    return Html(figure_html(fig, "各下级单位目标完成状态", caption))
