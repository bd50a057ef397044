"""The sections of a county's report (``notebooks/county_report.ipynb``): the headline with
what changed since the previous quarter, the bullet and trend charts, and the ranks among the
county's siblings. Its targets table, data quality and appendix are in :mod:`.sections`.
"""

from __future__ import annotations

import pandas as pd

from ..charts import figures as charts
from ..charts import style
from .context import ReportContext
from .html import Html, chart_rows, e, figure_html, num, place_text, table, value_text
from .sections import (
    judged_goal,
    org_rows,
    standing,
    status_cards,
    status_counts,
    unit_row,
)


def _changes(ctx: ReportContext, code: str) -> tuple[list[str], list[str]]:
    prev = ctx.meta.get("previous_period")
    if not prev:
        return [], []
    rank = {s: k for k, s in enumerate(style.STATUSES[:3])}
    now = org_rows(ctx, code, ctx.period)
    before = org_rows(ctx, code, str(prev))
    m = now.merge(before, on=["task_id", "indicator"], suffixes=("", "_prev"))
    better: list[str] = []
    worse: list[str] = []
    for r in m.itertuples(index=False):
        a, b = rank.get(str(r.status)), rank.get(str(r.status_prev))
        if a is None or b is None or a == b:
            continue
        text = f"{e(r.indicator_name)}（{e(r.status_prev)}→{e(r.status)}）"
        (better if a < b else worse).append(text)
    return better, worse


def headline(ctx: ReportContext, code: str) -> Html:
    """How many targets are met, and what changed since the previous quarter."""
    rows = org_rows(ctx, code, ctx.period)
    counts = status_counts(rows)
    n = len(rows)
    name = unit_row(ctx, code)["name"]
    lines = [
        f"{e(name)}本期共评估<b>{n}</b>项量化目标：达标<b>{counts['达标']}</b>项，"
        f"接近{counts['接近']}项，未达标<b>{counts['未达标']}</b>项，无数据{counts['无数据']}项。"
    ]
    better, worse = _changes(ctx, code)
    prev = ctx.meta.get("previous_period")
    before = org_rows(ctx, code, str(prev)) if prev else None
    if prev and before is not None and (before.empty or before["status"].eq("无数据").all()):
        plabel = ctx.previous_label or str(prev)
        lines.append(f"{e(plabel)}本单位没有可用数据（未报送），无法与上季度比较。")
    elif prev:
        plabel = ctx.previous_label or str(prev)
        if not better and not worse:
            lines.append(f"与{e(plabel)}相比，各项目标的状态没有变化。")
        if better:
            lines.append(f"与{e(plabel)}相比好转{len(better)}项：{'；'.join(better)}。")
        if worse:
            lines.append(f"与{e(plabel)}相比变差{len(worse)}项：{'；'.join(worse)}。")
    missed = rows[rows["status"] == "未达标"].copy()
    if not missed.empty:
        goal = judged_goal(missed)
        missed = missed.assign(rel=((missed["value_shown"] - goal).abs() / goal.abs()).fillna(0))
        worst = missed.sort_values("rel", ascending=False).head(3)
        items = "；".join(
            f"{e(r.indicator_name)}为{value_text(r.value_shown, r.precision, str(r.unit))}（目标{e(r.target_text)}）"
            for r in worst.itertuples(index=False)
        )
        lines.append(f"差距最大的目标：{items}。")
    if counts["无数据"]:
        lines.append("“无数据”表示本期缺少计算该指标所需的报送数据，原因见表格与数据质量一节。")
    body = status_cards(counts) + "".join(f"<p>{line}</p>" for line in lines)
    return Html(body)


def bullets(ctx: ReportContext, code: str) -> Html:
    """Value against target for every target of the period (a bullet chart)."""
    rows = org_rows(ctx, code, ctx.period)
    fig = charts.bullet_chart(chart_rows(rows))
    caption = (
        "比率类目标在同一百分比刻度上比较；数量类目标按完成本单位目标的比例比较（100%即达到目标），"
        "条末注本期值。竖线为目标（越低越好的指标为上限）；符号与灰度表示目标完成状态：✓达标、△接近、×未达标、—无数据。"
    )
    return Html(figure_html(fig, "各项目标完成情况", caption))


def trends(ctx: ReportContext, code: str) -> Html:
    """Quarter-by-quarter values of every target this year."""
    rows = org_rows(ctx, code)
    keys = list(dict.fromkeys(zip(rows["task_id"], rows["indicator"], strict=True)))
    # two rows of panels per image: the page can break between them, so the first part fills
    # the space the bullet chart leaves instead of the whole grid moving to a new page
    parts = [keys[i : i + 8] for i in range(0, len(keys), 8)] or [[]]
    figures = []
    for n, part in enumerate(parts):
        wanted = set(part)
        mask = [k in wanted for k in zip(rows["task_id"], rows["indicator"], strict=True)]
        figures.append(
            figure_html(
                charts.trend_chart(chart_rows(rows[mask])),
                "各项目标的季度趋势" + ("（续）" if n else ""),
            )
        )
    caption = (
        "<p class='note'>横轴为季度，纵轴为指标值（单位见各小图标题）；点的符号和灰度为当季状态，"
        "虚线为目标。</p>"
    )
    return Html("".join(figures) + caption)


def _siblings(ctx: ReportContext, code: str) -> pd.DataFrame:
    parent = str(unit_row(ctx, code).get("parent_code") or "")
    units = ctx.units
    codes = set(
        units.loc[units["parent_code"].fillna("").astype(str) == parent, "code"].astype(str)
    )
    a = ctx.assessment
    return a[a["org_code"].astype(str).isin(codes) & (a["period"].astype(str) == ctx.period)]


def _ranked_value(r: pd.Series, unit: str, total: bool) -> str:
    """A value as ranked: with its 完成率 for a total (what the rank is by)."""
    text = value_text(r["value_shown"], r["precision"], unit)
    return f"{text}（完成{num(r['share_done'] * 100, '%')}）" if total else text


def ranks(ctx: ReportContext, code: str) -> Html:
    """The unit's rank among its siblings (the other counties of its city) on every target.

    Rates are ranked by value; totals by 完成率 (value ÷ the county's own target), so a small
    county is not ranked last for being small.
    """
    peers = _siblings(ctx, code)
    if peers.empty:
        return Html("<p>没有可比较的同级单位。</p>")
    recs = []
    for (_task, _ind), grp in peers.groupby(["task_id", "indicator"], sort=False):
        total = len(grp) > 0 and str(grp["kind"].iloc[0]) == "total"
        key = "share_done" if total else "value_shown"
        grp = grp.dropna(subset=[key])
        lower = str(grp["direction"].iloc[0]) == "lower" if len(grp) else False
        ordered = grp.sort_values(key, ascending=lower).reset_index(drop=True)
        places = ordered[key].rank(method="min", ascending=lower).astype(int)
        mine = ordered.index[ordered["org_code"].astype(str) == str(code)]
        first = ordered.iloc[0] if len(ordered) else None
        unit = str(grp["unit"].iloc[0]) if len(grp) else ""

        if len(mine):
            place = int(places.iloc[mine[0]])
            tied = int((places == place).sum()) > 1
            rank_text = f"{place_text(place, tied)} / {len(ordered)}"
        else:
            rank_text = "—"
        recs.append(
            {
                "指标": grp["indicator_name"].iloc[0] if len(grp) else "",
                "排名依据": "完成率" if total else "指标值",
                "排名": rank_text,
                "本单位": _ranked_value(ordered.loc[mine[0]], unit, total) if len(mine) else "—",
                "同级最好": (
                    f"{e(first['org_name'])}（{_ranked_value(first, unit, total)}）"
                    if first is not None
                    else "—"
                ),
                "同级达标数": f"{int((grp['status'] == '达标').sum())} / {len(ordered)}",
            }
        )
    frame = pd.DataFrame(recs)
    parent = str(unit_row(ctx, code).get("parent_code") or "")
    tab = standing(ctx, parent).set_index("org_code")
    lead = ""
    if str(code) in tab.index:
        me = tab.loc[str(code)].to_dict()
        order = "并列第" if bool(me["并列"]) else "列第"
        lead = (
            f"<p>按达标目标数（相同时比接近数），本单位在同级{len(tab)}个单位中{order}"
            f"<b>{int(me['名次'])}</b>位（达标{int(me['达标'])}项，接近{int(me['接近'])}项）。"
            "各指标排名中，比率类按指标值、数量类按完成率（本期值 ÷ 本单位目标）排，"
            "越低越好的指标按从低到高排。</p>"
        )
    return Html(
        lead + table(frame, numeric=("排名", "本单位", "同级达标数"), raw=("本单位", "同级最好"))
    )
