"""What every report kind shares: the title, headings, the targets table, the task ledger,
data quality and the appendix, and the helpers that look up an org unit's rows.

Each public function here returns :class:`~planlib.reporting.html.Html` for one output cell (or,
for ``overview_org`` and ``standing``, the org-tree facts the sections are built on; which
children a unit has is :func:`.context.children`, the rule a batch plans its reports by).
A section only one report kind has lives in :mod:`.county`, :mod:`.overview` or
:mod:`.department`; what more than one kind uses lives here. Every threshold, word and colour is
here, in those modules or in :mod:`planlib.charts.style`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..charts import style
from ..errors import PlanlibError
from ..periods import parse_period
from .bulletin import closing, colophon, county_kinds, default_bureau, header, source_line
from .context import ReportContext, children
from .html import (
    CSS,
    Html,
    badge,
    date_words,
    e,
    gap_text,
    num,
    reader_words,
    table,
    task_badge,
    value_text,
    value_texts,
)
from .schools import has_school_targets, school_lists


def unit_row(ctx: ReportContext, code: str) -> pd.Series:
    """The org unit's row in ``ctx.units`` (name, parent, level); a clear error for an unknown code."""
    units = ctx.units
    hit = units[units["code"].astype(str) == str(code)]
    if hit.empty:
        raise PlanlibError(f"未知的单位代码：{code}")
    return hit.iloc[0]


def _period_words(period: Any) -> str:
    """A quarter as a reader says it (2022年第二季度); blank when there is none."""
    if not isinstance(period, str) or not period:
        return "—"
    try:
        return parse_period(period).label
    except ValueError:
        return e(period)


def org_rows(ctx: ReportContext, code: str, period: str | None = None) -> pd.DataFrame:
    """The unit's assessment rows (of one ``period`` when given, else of every period)."""
    a = ctx.assessment
    out = a[a["org_code"].astype(str) == str(code)]
    if period is not None:
        out = out[out["period"].astype(str) == period]
    return out


def status_counts(rows: pd.DataFrame) -> dict[str, int]:
    """How many rows have each status, every status present (0 when none), in report order."""
    counts = rows["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in style.STATUSES}


def status_cards(counts: dict[str, int]) -> str:
    """The coloured cards with one count per status that open a headline."""
    out = []
    for k, s in enumerate(style.STATUSES):
        out.append(
            f'<div class="card s{k}" style="{style.status_css(s)}">'
            f"<b>{counts[s]}</b>{style.status_mark(s)}{e(s)}</div>"
        )
    return '<div class="cards">' + "".join(out) + "</div>"


def _full_name(ctx: ReportContext, code: str) -> str:
    row = unit_row(ctx, code)
    parent = str(row.get("parent_code") or "")
    if parent:
        prow = unit_row(ctx, parent)
        return f"{prow['name']}{row['name']}"
    return str(row["name"])


def filed_units(ctx: ReportContext, period: str) -> set[str]:
    """Codes of the units whose return for ``period`` is among the batch's data files (whose a
    file is: :func:`planlib.returns.identity.owner_of_file`, the rule reading uses)."""
    from ..returns.identity import owner_of_file  # not at kernel start-up

    units = ctx.units
    counties = units[units["level"].astype(str) == "county"] if "level" in units else units
    names = dict(zip(counties["code"].astype(str), counties["name"].astype(str), strict=True))
    paths = ctx.inputs["path"].astype(str)
    mine = paths[paths.str.contains(f"/{period}/", regex=False)]
    return {o for o in (owner_of_file(p, names) for p in mine) if o is not None}


# ---- the org tree ------------------------------------------------------------------------


def overview_org(ctx: ReportContext, org: str | None) -> str:
    """The org unit an overview is about: ``org`` if given, else the root of the tree (the city)."""
    code = str(org) if org else str(ctx.meta.get("root") or "")
    unit_row(ctx, code)
    return code


def standing(ctx: ReportContext, parent: str) -> pd.DataFrame:
    """The children of ``parent`` ranked by targets met (then by 接近): one row per child with
    名次, 并列 and the status counts. Ties share a place (1, 2, 2, 4), the same everywhere."""
    kids = children(ctx, parent)
    a = ctx.assessment
    rows = a[a["org_code"].astype(str).isin(kids) & (a["period"].astype(str) == ctx.period)]
    tab = (
        rows.groupby(["org_code", "org_name"], sort=False)["status"]
        .value_counts()
        .unstack(fill_value=0)
        .reindex(columns=list(style.STATUSES), fill_value=0)
        .reset_index()
    )
    score = tab["达标"] * 10_000 + tab["接近"]
    tab.insert(0, "名次", score.rank(method="min", ascending=False).astype(int))
    tab.insert(1, "并列", tab["名次"].duplicated(keep=False))
    tab["org_code"] = tab["org_code"].astype(str)
    return tab.sort_values(["名次", "org_code"], kind="stable").reset_index(drop=True)


# ---- the sections ------------------------------------------------------------------------


def title(ctx: ReportContext, code: str | None, subject: str, to: str | None = None) -> Html:
    """The document header as a 通报 has it (bureau, 文号, title, 主送), where the numbers came
    from in words, and the report CSS. ``to`` is who the report is sent to (主送); by default a
    county's own bureau, or for an overview the counties and the bureau's departments."""
    root = str(ctx.meta.get("root") or "")
    name = _full_name(ctx, code) if code else (_full_name(ctx, root) if root else "")
    label = ctx.period_label
    own = bool(code) and str(code) != root and not children(ctx, str(code))
    parent = str(code) if code and not own else root
    kinds = county_kinds(ctx.units, parent)
    if to is None:
        to = f"{unit_row(ctx, str(code))['name']}教育局" if own else f"{kinds}教育局，局机关各处室"
    filed = filed_units(ctx, ctx.period)
    if own:
        reporters = str(unit_row(ctx, str(code))["name"])
        note = "" if str(code) in filed else "本期未报送"
    else:
        reporters, kids = kinds, children(ctx, parent)
        note = f"{len(kids)}个单位中{len(set(kids) & filed)}个已报送"
    meta = {**ctx.meta, "report": ctx.meta.get("report") or _default_report(ctx)}
    body = (
        f"<style>{CSS}</style>"
        + header(meta, f"{name}{label}{subject}", to)
        + source_line(meta, label, reporters, note)
    )
    return Html(body)


def _default_report(ctx: ReportContext) -> dict[str, Any]:
    """Document settings for a context made before they were carried (an older batch)."""
    root = str(ctx.meta.get("root") or "")
    name = str(unit_row(ctx, root)["name"]) if root else ""
    bureau = default_bureau("", name)
    return {"bureau": bureau, "number_prefix": "", "cc": [], "report_to": [], "signature": bureau}


def section(text: str) -> Html:
    """A section heading (for notebooks: keeps headings in the same style as the tables)."""
    return Html(f"<h2>{e(text)}</h2>")


def rounding_words(r: Any) -> str:
    """「按公布精度达标，尚差N人」 for a row 达标 only as printed (55.954% of 56%), else ""."""
    if not bool(getattr(r, "met_by_rounding", False)) or str(r.status) != "达标":
        return ""
    need = still_needed_text(r)
    return f"按公布精度达标，尚差{need}" if need else ""


def _reason(r: Any) -> str:
    if rounding := rounding_words(r):
        return rounding
    if str(r.status) == "无数据":
        return e(r.missing_reason) if isinstance(r.missing_reason, str) else "缺少数据"
    year_end = str(getattr(r, "period", "")).endswith("Q4")  # the status says it all by then
    if isinstance(r.progress, str) and r.progress and not year_end:
        schedule = value_text(r.expected_value, r.precision, str(r.unit))
        return f"按序时目标{schedule}评估；序时进度：{e(r.progress)}"
    if (
        isinstance(r.projected_status, str)
        and r.projected_status
        and r.projected_status != r.status
    ):
        return f"预计全年：{e(r.projected_status)}"
    return ""


def judged_goal(rows: pd.DataFrame) -> pd.Series:
    """What each status was judged against: the schedule (序时目标) before year end for a
    year-to-date flow, else the target."""
    if "judged_against" not in rows:
        return rows["target"]
    paced = rows["judged_against"].astype(str).eq("序时目标")
    return rows["expected_value"].where(paced, rows["target"])


def _gap_for_reader(rows: pd.DataFrame) -> pd.Series:
    """The gap to what the status was judged against, signed so that + is better: value −
    goal, or goal − value for lower-is-better indicators (民办占比 8.8% against ≤ 5% reads
    −3.8, a miss). Before year end a flow's gap is to its schedule, as its status is."""
    gap = rows["value_shown"] - judged_goal(rows) if "value_shown" in rows else rows["gap"]
    if "direction" not in rows:
        return gap
    lower = rows["direction"].astype(str).eq("lower")
    return gap.where(~lower, -gap)


def still_needed_text(r: Any) -> str:
    """还需: the count to add (or, for a lower-is-better rate, to shed) to reach the target."""
    n = getattr(r, "still_needed", float("nan"))
    try:
        n = float(n)
    except (TypeError, ValueError):
        return ""
    if n != n or n <= 0:  # NaN or met
        return ""
    unit = str(getattr(r, "still_needed_unit", "") or "")
    decimals = int(r.precision) if str(r.kind) == "total" else 0
    text = num(n, decimals=decimals) + e(unit)
    return f"减少{text}" if str(r.comparator) == "<=" else text


def targets_table(ctx: ReportContext, code: str) -> Html:
    """Every target of one org unit: value, target, gap and status in colour."""
    rows = org_rows(ctx, code, ctx.period)
    if rows.empty:
        return Html("<p>本期没有可评估的目标。</p>")
    frame = pd.DataFrame(
        {
            "任务": rows["task_id"].astype(str),
            "指标": rows["indicator_name"],
            "本期值": value_texts(rows),
            "目标": rows["target_text"],
            "差距": [
                gap_text(v, str(u), d)
                for v, u, d in zip(
                    _gap_for_reader(rows), rows["unit"], rows["precision"], strict=True
                )
            ],
            "还需": [still_needed_text(r) for r in rows.itertuples(index=False)],
            "状态": [badge(s) for s in rows["status"]],
            "说明": [_reason(r) for r in rows.itertuples(index=False)],
        }
    )
    note = (
        "<p class='note'>差距 = 本期值 − 目标（越低越好的指标为目标 − 本期值；年底前的累计类目标为"
        "本期值 − 序时目标），正数表示好于目标；还需 = 按目标本身（不按四舍五入后的数）计算，"
        "达到目标还要增加（或减少）的人数、学校数或数量，按公布精度达标的也列出尚差之数；"
        "比率类指标的差距以百分点计。数值按公布精度（比率保留一位小数，数量取整）显示和评估。"
        "年底前，累计类目标（如新建数、投入）按序时目标（全年目标 × 已过时间比例）评估。</p>"
    )
    return Html(
        table(
            frame,
            numeric=("本期值", "差距", "还需"),
            raw=("本期值", "差距", "还需", "状态", "说明"),
        )
        + note
    )


def tasks_table(ctx: ReportContext, department: str | None = None) -> Html:
    """The ledger's task colours (红/黄/绿) with reasons, optionally for one department: then
    only its tasks, and of each task's reasons only those about its own targets (a reason naming
    another department's indicator is theirs to answer)."""
    t = ctx.tasks
    reasons = t["reasons"].fillna("").astype(str)
    if department is not None:
        mine = t["lead_units"].astype(str).str.contains(department, regex=False) | t[
            "responsible_units"
        ].astype(str).str.contains(department, regex=False)
        t, reasons = t[mine], reasons[mine]
        reasons = reasons.map(lambda text: own_reasons(ctx, department, text))
    if t.empty:
        return Html("<p>台账中没有相关任务。</p>")
    frame = pd.DataFrame(
        {
            "任务": t["task_id"],
            "名称": t["title"],
            "颜色": [task_badge(str(c)) for c in t["colour"]],
            "报送状态": t["reported_status"],
            "原因": reasons.replace("", "—"),
            "计划完成": t["due"].map(date_words),
        }
    )
    note = (
        "<p class='note'>任务颜色按该任务全部目标评定；原因只列本处室负责的目标。</p>"
        if department is not None
        else ""
    )
    return Html(table(frame, raw=("颜色",)) + note)


def own_reasons(ctx: ReportContext, department: str, text: str) -> str:
    """Of a task's reasons (joined by ；), those a department answers for: the ones naming one
    of its indicators, and the ones naming no indicator at all (the ledger's own)."""
    d = ctx.departments
    own = set(d.loc[d["department"].astype(str) == department, "indicator_name"].astype(str))
    every = set(ctx.definitions["indicator_name"].astype(str))
    kept = []
    for part in (p for p in text.split("；") if p):
        named = {n for n in every if n in part}
        if not named or named & own:
            kept.append(part)
    return "；".join(kept)


def quality(ctx: ReportContext, code: str | None = None, department: str | None = None) -> Html:
    """Data-quality notes from validation: the unit's problems (or every problem); in a
    department's report not those about another department's indicators."""
    p = ctx.problems
    if code is not None:
        p = p[p["county_code"].astype(str) == str(code)]
    if department is not None and len(p):
        p = p[[bool(own_reasons(ctx, department, str(m))) for m in p["message"]]]
    p = p[p["period"].astype(str).isin([*ctx.meta.get("periods", []), ""]) | p["period"].isna()]
    warnings = ctx.meta.get("assessment_warnings") or []
    if p.empty and not warnings:
        return Html("<p>本期报送数据通过全部校验，没有发现问题。</p>")
    parts = []
    if not p.empty:
        n_err = int((p["severity"] == "error").sum())
        parts.append(f"<p>校验发现{len(p)}个问题，其中错误{n_err}个（错误的数据不参与计算）。</p>")
        names = ctx.units.set_index(ctx.units["code"].astype(str))["name"]
        frame = pd.DataFrame(
            {
                "级别": p["severity"].map({"error": "错误", "warning": "提醒"}).fillna("提醒"),
                "报告期": [_period_words(x) for x in p["period"]],
                "单位": p["county_code"].astype(str).map(names).fillna("—"),
                "行": p["row"],
                "列": p["column"],
                "问题": p["message"].map(reader_words),
            }
        ).head(40)
        parts.append(table(frame))
        if len(p) > 40:
            parts.append(
                f"<p class='note'>另有{len(p) - 40}个问题未列出，完整清单见各单位的数据校验反馈表。</p>"
            )
    if warnings:
        parts.append("<ul>" + "".join(f"<li>{e(w)}</li>" for w in warnings) + "</ul>")
    return Html("".join(parts))


NUMERALS = "一二三四五六七八九十"


def _judgement_html(
    ctx: ReportContext, definitions: pd.DataFrame, own: pd.DataFrame | None, number: str = "二"
) -> str:
    """附录二: how every status was reached, one sentence a rule, and how each target was set."""
    near = []
    for r in definitions.itertuples(index=False):
        tol = float(getattr(r, "tolerance", 0.0) or 0.0)
        if str(getattr(r, "kind", "")) == "total":
            near.append(f"{e(r.indicator_name)}{tol:.0%}")
        else:
            near.append(f"{e(r.indicator_name)}{tol:g}个百分点")
    items = [
        "数值按公布精度判断：比率保留一位小数，数量取整（投入保留两位小数），"
        "表中显示的数值就是评估所用的数值。",
        "接近：未达到目标但差距在容差以内。比率类指标的容差以百分点计，总量类以目标的百分比计："
        + "；".join(near)
        + "。",
        *[e(s) for s in ctx.meta.get("judgement", [])],
        "年底前，累计类目标（本年1月至本期的累计数）按序时目标评估：序时目标 = 全年目标 × "
        "已过季度数 ÷ 4（分解目标文件另有进度安排的，按其安排）；存量和比率类目标任何季度都按全年目标"
        "评估。第四季度起一律按全年目标评估。",
    ]
    parts = [
        f"<h2>附录{number}　目标的判断方法</h2><ul>"
        + "".join(f"<li>{i}</li>" for i in items)
        + "</ul>"
    ]
    if own is not None and "allocation_method" in own:
        now = own[own["period"].astype(str) == ctx.period]
        rows = now.drop_duplicates(["task_id", "indicator"])
        methods = pd.DataFrame(
            {
                "指标": rows["indicator_name"],
                "本单位目标": rows["target_text"],
                "目标的确定方法": rows["allocation_method"].fillna(""),
            }
        )
        if len(methods):
            parts.append("<p>本单位各项目标的来源：</p>" + table(methods))
    return "".join(parts)


def appendix(ctx: ReportContext, code: str | None = None, department: str | None = None) -> Html:
    """The 落款, then the appendices: for a county with school-level targets first the schools
    that can close its gaps (:func:`.schools.school_lists`); then the definition of each
    indicator the report speaks of (a department's report: only its own) and how targets are
    judged; last the 版记 (抄送). Where the numbers came from is said under the title."""
    lists = code is not None and has_school_targets(ctx, code)
    start = 2 if lists else 1
    n1, n2 = (NUMERALS[start - 1 + k] for k in range(2))
    a = ctx.assessment
    mine = a[a["org_code"].astype(str) == str(code)] if code is not None else a
    used = set((mine if len(mine) else a)["indicator"].astype(str))  # the report's own indicators
    if department is not None:
        dept = ctx.departments[ctx.departments["department"].astype(str) == department]
        used = set(dept["indicator"].astype(str))
    d = ctx.definitions[ctx.definitions["indicator"].astype(str).isin(used)]
    basis = d["basis"].fillna("").astype(str) if "basis" in d else pd.Series("", index=d.index)
    defs = pd.DataFrame(
        {
            "指标": d["indicator_name"],
            "单位": d["unit"],
            # what this report's numbers use where sources differ (population, age band, base)
            "定义（本报告口径）": [
                e(text) + (f"<br><b>本报告口径：</b>{e(b)}" if b else "")
                for text, b in zip(d["definition"], basis, strict=True)
            ],
        }
    )
    rules = _judgement_html(ctx, d, mine if code is not None else None, n2)
    meta = {**ctx.meta, "report": ctx.meta.get("report") or _default_report(ctx)}
    body = (
        closing(meta)
        + (str(school_lists(ctx, code).body) if lists and code is not None else "")
        + (
            f"<h2>附录{n1}　指标定义</h2>" + table(defs, raw=("定义（本报告口径）",)) + rules
            if len(d)
            else ""
        )
        + colophon(meta)
    )
    return Html(body)
