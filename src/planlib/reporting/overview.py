"""The sections of an overview of a parent org unit over its children (the city over its
counties, or a province over its cities; ``notebooks/city_overview.ipynb``).

Which unit the overview is about (``overview_org``) is in :mod:`.sections` and its children
(``children``) in :mod:`.context`, since department reports and the batch use them too.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..charts import figures as charts
from ..charts import style
from ..monitoring.risks import misses_at_year_end, year_end_key
from ..periods import parse_period
from .context import ReportContext, children
from .followup import supervision_section
from .html import (
    Html,
    badge,
    chart_rows,
    e,
    figure_html,
    place_text,
    table,
    value_text,
    value_texts,
)
from .sections import (
    judged_goal,
    org_rows,
    standing,
    status_cards,
    status_counts,
    still_needed_text,
    targets_table,
    unit_row,
)


def overview_headline(ctx: ReportContext, org: str) -> Html:
    """The parent's own status counts and how its children stand."""
    rows = org_rows(ctx, org, ctx.period)
    counts = status_counts(rows)
    kids = children(ctx, org)
    a = ctx.assessment
    kid_rows = a[a["org_code"].astype(str).isin(kids) & (a["period"].astype(str) == ctx.period)]
    per = kid_rows.groupby("org_name", sort=False)["status"].apply(lambda s: (s == "达标").mean())
    name = unit_row(ctx, org)["name"]
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
    return Html(status_cards(counts) + "".join(f"<p>{line}</p>" for line in lines))


def overview_heatmap(ctx: ReportContext, org: str) -> Html:
    kids = children(ctx, org)
    a = ctx.assessment
    rows = a[a["org_code"].astype(str).isin(kids) & (a["period"].astype(str) == ctx.period)]
    fig = charts.status_heatmap(chart_rows(rows))
    caption = "每格为该单位本期的指标值（带单位）；符号与灰度表示目标完成状态：✓达标、△接近、×未达标、—无数据。"
    return Html(figure_html(fig, "各单位目标完成状态", caption))


def overview_totals(ctx: ReportContext, org: str) -> Html:
    """The parent's own values against its targets (city totals against the city targets)."""
    return targets_table(ctx, org)


def overview_shares(ctx: ReportContext, org: str) -> Html:
    rows = org_rows(ctx, org, ctx.period)
    fig = charts.share_done_chart(chart_rows(rows))
    caption = (
        "年内累计类目标（新建、投入、编制、补充教师）已完成全年目标的比例；"
        "黑色竖线为按序时进度本季度末应完成的比例，虚线为全年目标。存量目标按全年目标评估，不在此图。"
    )
    return Html(figure_html(fig, "累计类目标完成全年目标的比例", caption))


def overview_ranking(ctx: ReportContext, org: str) -> Html:
    """Children ranked by the number of targets met, and a chart for the targets most missed."""
    kids = children(ctx, org)
    a = ctx.assessment
    rows = a[a["org_code"].astype(str).isin(kids) & (a["period"].astype(str) == ctx.period)]
    if rows.empty:
        return Html("<p>没有可排名的下级单位。</p>")
    tab = standing(ctx, org)
    tab["名次"] = [place_text(r, t) for r, t in zip(tab["名次"], tab["并列"], strict=True)]
    tab = tab.drop(columns=["并列", "org_code"]).rename(columns={"org_name": "单位"})
    note = "<p class='note'>按达标目标数排名，相同时比接近数；两者都相同为并列。</p>"
    parts = [table(tab, numeric=("名次", *style.STATUSES)) + note]
    missed = rows.groupby(["task_id", "indicator"], sort=False)["status"].apply(
        lambda s: (s == "未达标").sum()
    )
    for task, ind in missed.sort_values(ascending=False).head(2).index:
        part = chart_rows(rows[(rows["task_id"] == task) & (rows["indicator"] == ind)])
        fig = charts.ranking_chart(part)
        name = str(part["indicator_name"].iloc[0])
        total = str(part["kind"].iloc[0]) == "total"
        caption = (
            ("按完成本单位目标的比例" if total else "按指标值")
            + "从好到差排列；短竖线为各单位自己的目标；符号与灰度表示目标完成状态：✓达标、△接近、×未达标、—无数据。"
        )
        parts.append(figure_html(fig, f"{name}：各单位排名", caption))
    return Html("".join(parts))


RISKS = 3
"""How many targets not projected to miss the overview still names as risks (those most
children miss, or projected only near)."""
FOLLOW_UP = 3
"""The 督办 list of an older batch: the children with the most targets missed, this many places."""


def _kid_rows(ctx: ReportContext, org: str) -> pd.DataFrame:
    a = ctx.assessment
    kids = children(ctx, org)
    return a[a["org_code"].astype(str).isin(kids) & (a["period"].astype(str) == ctx.period)]


def _year_end(ctx: ReportContext) -> bool:
    return ctx.period.endswith("Q4")


def _risk_rows(ctx: ReportContext, org: str) -> list[tuple[bool, Any, pd.DataFrame]]:
    """Every target projected to miss (worst first), then up to :data:`RISKS` others that
    children miss or that are projected only near."""
    own = org_rows(ctx, org, ctx.period)
    kids = _kid_rows(ctx, org)
    miss = misses_at_year_end(own, ctx.period)  # the mask the outlook table's 预计状态 shows
    key = year_end_key(ctx.period)
    recs = []
    for r, m in zip(own.itertuples(index=False), miss, strict=True):
        mine = kids[(kids["task_id"] == r.task_id) & (kids["indicator"] == r.indicator)]
        missed = mine[mine["status"] == "未达标"]
        share = len(missed) / len(mine) if len(mine) else 0.0
        score = (2.0 if m else 1.0 if str(getattr(r, key)) == "接近" else 0.0) + share
        if m or score > 0:
            recs.append((bool(m), score, r, missed))
    recs.sort(key=lambda t: (not t[0], -t[1]))
    out: list[tuple[bool, Any, pd.DataFrame]] = [(m, r, x) for m, _s, r, x in recs if m]
    out += [(m, r, x) for m, _s, r, x in recs if not m][:RISKS]
    return out


def overview_risks(ctx: ReportContext, org: str) -> Html:
    """The risks, one sentence each: every target of the parent projected to miss at year end
    (all of them: the outlook table below marks the same ones), then those most children miss
    or projected only near; with the furthest-behind child named."""
    if org_rows(ctx, org, ctx.period).empty:
        return Html("<p>本期没有可评估的目标。</p>")
    recs = _risk_rows(ctx, org)
    if not recs:
        return Html("<p>各项目标均已达到或预计年底能够达到，暂无需要特别关注的风险。</p>")
    items = []
    for _miss, r, missed in recs:
        value = value_text(r.value_shown, r.precision, str(r.unit))
        sentence = (
            f"<b>{e(r.indicator_name)}</b>：本期{value}，目标{e(r.target_text)}，{e(r.status)}"
        )
        if not _year_end(ctx):
            projected = value_text(shown_value(r.projection, r.precision), r.precision, str(r.unit))
            again = "仍" if str(r.projected_status) == str(r.status) else ""
            sentence += f"；预计年底约{projected}，{again}{e(r.projected_status)}"
        if len(missed):
            worst = _worst(missed)
            need = still_needed_text(worst)
            sentence += (
                f"；{len(missed)}个下级单位未达标，差距最大的是{e(worst.org_name)}"
                f"（{value_text(worst.value_shown, worst.precision, str(worst.unit))}"
                + (f"，还需{need}" if need else "")
                + "）"
            )
        items.append(f"<li>{sentence}。</li>")
    n = sum(m for m, _r, _x in recs)
    word = "全年未达标" if _year_end(ctx) else "预计年底未达标"
    lead = f"<p>{word}的目标共<b>{n}</b>项，逐项列出；其后为下级单位多数未达标或预计仅能接近的目标。</p>"
    return Html(lead + "<ol class='risks'>" + "".join(items) + "</ol>")


def shown_value(value: Any, precision: Any) -> float:
    """A projection rounded as values are published (so it prints as the status reads it)."""
    try:
        return round(float(value), int(precision))
    except (TypeError, ValueError):
        return float("nan")


def _worst(rows: pd.DataFrame) -> Any:
    """The row furthest from what it was judged against, relative to it."""
    goal = judged_goal(rows)
    rel = ((rows["value_shown"] - goal).abs() / goal.abs().where(goal != 0)).fillna(0)
    return rows.iloc[int(rel.to_numpy().argmax())]


def overview_outlook(ctx: ReportContext, org: str) -> Html:
    """Every target of the parent: value now, status, and the projected year-end status (at Q4,
    the year's result), with how many children miss it."""
    own = org_rows(ctx, org, ctx.period)
    if own.empty:
        return Html("<p>本期没有可评估的目标。</p>")
    kids = _kid_rows(ctx, org)
    missed = kids[kids["status"] == "未达标"].groupby(["task_id", "indicator"]).size()
    n_kids = kids.groupby(["task_id", "indicator"]).size()
    data: dict[str, list[str]] = {
        "任务": own["task_id"].astype(str).tolist(),
        "指标": own["indicator_name"].astype(str).tolist(),
        "目标": own["target_text"].astype(str).tolist(),
        "本期值": value_texts(own),
        "本期状态": [badge(s) for s in own["status"]],
    }
    if not _year_end(ctx):
        data["预计年底"] = [
            value_text(shown_value(v, p), p, str(u))
            for v, p, u in zip(own["projection"], own["precision"], own["unit"], strict=True)
        ]
        data["预计状态"] = [badge(s) for s in own["projected_status"]]
    keys = list(zip(own["task_id"], own["indicator"], strict=True))
    data["下级未达标"] = [
        f"{int(missed.get(k, 0))} / {int(n_kids.get(k, 0))}" if n_kids.get(k, 0) else "—"
        for k in keys
    ]
    note = (
        f"<p class='note'>预计年底：{projection_words(own)}预计状态按全年目标判断。"
        "下级未达标 = 本期未达标的下级单位数 / 有该目标的下级单位数。</p>"
        if not _year_end(ctx)
        else "<p class='note'>第四季度为全年实际值，按全年目标判断。下级未达标 = 未达标的下级单位数 / 有该目标的下级单位数。</p>"
    )
    cols = ("本期值", "预计年底", "下级未达标")
    return Html(
        table(pd.DataFrame(data), numeric=cols, raw=("本期值", "预计年底", "本期状态", "预计状态"))
        + note
    )


def projection_words(rows: pd.DataFrame) -> str:
    """How each target was projected, as the assessment says it (上年同期进度 where last year's
    returns exist, else the pace or the trend), the targets named under each method."""
    if "projection_method" not in rows:
        return ""
    methods = rows["projection_method"].fillna("").astype(str)
    parts = []
    for method, grp in rows.groupby(methods, sort=False):
        if method:
            names = "、".join(dict.fromkeys(e(n) for n in grp["indicator_name"]))
            parts.append(f"{names}{e(method)}")
    return "；".join(parts) + "。" if parts else ""


def overview_followup(ctx: ReportContext, org: str) -> Html:
    """督办事项: every miss and lapse of the period, with deadline, responsible unit and person,
    follow-up of last quarter's items and escalation (:mod:`.followup`)."""
    if not ctx.supervision.empty:
        return supervision_section(ctx)
    return _followup_by_behind(ctx, org)


def _followup_by_behind(ctx: ReportContext, org: str) -> Html:
    """督办 from a context without 督办 items (an older batch): the children with the most
    targets missed (ties share a place), each with the targets missed longest."""
    from ..monitoring.behind import behind_since  # not at kernel start-up

    kids = _kid_rows(ctx, org)
    a = ctx.assessment
    mine_rows = a[a["org_code"].astype(str).isin(set(kids["org_code"].astype(str)))]
    behind = behind_since(mine_rows, ctx.period)
    if behind.empty:
        return Html("<p>本期没有未达标的下级单位，无需督办。</p>")
    counts = behind.groupby("org_code").size().sort_values(ascending=False, kind="stable")
    places = counts.rank(method="min", ascending=False)
    chosen = list(counts.index[places <= FOLLOW_UP])
    names = kids.drop_duplicates("org_code").set_index(
        kids.drop_duplicates("org_code")["org_code"].astype(str)
    )["org_name"]
    rows = []
    for code in chosen:
        mine = behind[behind["org_code"].astype(str) == str(code)]
        longest = mine.sort_values("quarters_behind", ascending=False, kind="stable")
        items = "；".join(
            f"{e(r.indicator_name)}（{since_text(r.since, int(str(r.quarters_behind)))}"
            + (f"，还需{t}" if (t := still_needed_text(r)) else "")
            + "）"
            for r in longest.head(3).itertuples(index=False)
        )
        more = f"等{len(mine)}项" if len(mine) > 3 else ""
        long_behind = int((mine["quarters_behind"] >= 2).sum())
        rows.append(
            {
                "单位": names.get(str(code), str(code)),
                "未达标": f"{len(mine)}项",
                "连续两个季度以上": f"{long_behind}项",
                "主要差距（何时起未达标，还需）": items + more,
            }
        )
    lead = (
        f"<p>本期未达标目标最多的{len(rows)}个单位，建议约谈或督办"
        f"（按未达标项数排前{FOLLOW_UP}位，并列的一并列出）：</p>"
    )
    return Html(
        lead
        + table(
            pd.DataFrame(rows),
            numeric=("未达标", "连续两个季度以上"),
            raw=("主要差距（何时起未达标，还需）",),
            nowrap=("单位",),
        )
    )


QUARTER_WORDS = {1: "一季度", 2: "二季度", 3: "三季度", 4: "四季度"}


def since_text(since: Any, quarters: int) -> str:
    """Since when a unit has been behind, as 督办 lists say it: 本季度起, 一季度起."""
    if quarters <= 1:
        return "本季度起"
    return f"{QUARTER_WORDS.get(parse_period(str(since)).quarter, str(since))}起"
