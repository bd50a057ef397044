"""The sections of an overview of a parent org unit over its children (the city over its
counties, or a province over its cities; ``notebooks/city_overview.ipynb``).

Which unit the overview is about (``overview_org``) and its children (``children``) are in
:mod:`.sections`, since department reports use them too.
"""

from __future__ import annotations

from ..charts import figures as charts
from ..charts import style
from .context import ReportContext
from .html import Html, _place, e, figure_html, table
from .sections import _cards, _counts, _rows, _unit_row, children, standing, targets_table


def overview_headline(ctx: ReportContext, org: str) -> Html:
    """The parent's own status counts and how its children stand."""
    rows = _rows(ctx, org, ctx.period)
    counts = _counts(rows)
    kids = children(ctx, org)
    a = ctx.assessment
    kid_rows = a[a["org_code"].astype(str).isin(kids) & (a["period"].astype(str) == ctx.period)]
    per = kid_rows.groupby("org_name", sort=False)["status"].apply(lambda s: (s == "达标").mean())
    name = _unit_row(ctx, org)["name"]
    lines = [
        f"{e(name)}全市（汇总）口径共评估<b>{len(rows)}</b>项目标：达标<b>{counts['达标']}</b>项，"
        f"接近{counts['接近']}项，未达标<b>{counts['未达标']}</b>项，无数据{counts['无数据']}项。"
    ]
    if len(per):
        top, bottom = per.max(), per.min()
        tops = "、".join(e(n) for n in per.index[per == top])
        bottoms = "、".join(e(n) for n in per.index[per == bottom])
        lines.append(
            f"下辖{len(kids)}个单位中，达标比例最高的是{tops}（{top:.0%}），"
            f"最低的是{bottoms}（{bottom:.0%}）。"
            if top != bottom
            else f"下辖{len(kids)}个单位的达标比例相同（{top:.0%}）。"
        )
        nodata = kid_rows.groupby("org_name", sort=False)["status"].apply(
            lambda s: (s == "无数据").all()
        )
        if nodata.any():
            lines.append(
                f"本期没有可用数据的单位：{'、'.join(e(n) for n in nodata[nodata].index)}。"
            )
    return Html(_cards(counts) + "".join(f"<p>{line}</p>" for line in lines))


def overview_heatmap(ctx: ReportContext, org: str) -> Html:
    kids = children(ctx, org)
    a = ctx.assessment
    rows = a[a["org_code"].astype(str).isin(kids) & (a["period"].astype(str) == ctx.period)]
    fig = charts.status_heatmap(rows)
    note = "<p class='note'>每格为该单位本期的指标值；符号与颜色表示目标完成状态：✓达标、△接近、×未达标、—无数据（黑白打印也可分辨）。</p>"
    return Html(figure_html(fig, "各单位目标完成状态") + note)


def overview_totals(ctx: ReportContext, org: str) -> Html:
    """The parent's own values against its targets (city totals against the city targets)."""
    return targets_table(ctx, org)


def overview_shares(ctx: ReportContext, org: str) -> Html:
    rows = _rows(ctx, org, ctx.period)
    fig = charts.share_done_chart(rows)
    note = (
        "<p class='note'>年内累计类目标（新建、投入、编制、补充教师）已完成全年目标的比例；"
        "黑色竖线为按序时进度本季度末应完成的比例，虚线为全年目标。存量目标按全年目标评估，不在此图。</p>"
    )
    return Html(figure_html(fig, "累计类目标完成比例") + note)


def overview_ranking(ctx: ReportContext, org: str) -> Html:
    """Children ranked by the number of targets met, and a chart for the targets most missed."""
    kids = children(ctx, org)
    a = ctx.assessment
    rows = a[a["org_code"].astype(str).isin(kids) & (a["period"].astype(str) == ctx.period)]
    if rows.empty:
        return Html("<p>没有可排名的下级单位。</p>")
    tab = standing(ctx, org)
    tab["名次"] = [_place(r, t) for r, t in zip(tab["名次"], tab["并列"], strict=True)]
    tab = tab.drop(columns="并列").rename(columns={"org_code": "代码", "org_name": "单位"})
    note = "<p class='note'>按达标目标数排名，相同时比接近数；两者都相同为并列。</p>"
    parts = [table(tab, numeric=("名次", *style.STATUSES)) + note]
    missed = rows.groupby(["task_id", "indicator"], sort=False)["status"].apply(
        lambda s: (s == "未达标").sum()
    )
    for task, ind in missed.sort_values(ascending=False).head(2).index:
        part = rows[(rows["task_id"] == task) & (rows["indicator"] == ind)]
        fig = charts.ranking_chart(part)
        parts.append(figure_html(fig, str(part["indicator_name"].iloc[0])))
    return Html("".join(parts))
