"""The sections of the report notebooks: each returns HTML for one output cell.

Notebooks stay thin (parameters and one call per section); every threshold, word and colour is
here or in :mod:`planlib.charts.style`. Text from data is escaped; charts are embedded as PNG at print
resolution, so the HTML page, the PDF made from it and the executed notebook look the same.
"""

from __future__ import annotations

import base64
import io
import math
from datetime import datetime, timedelta, timezone
from html import escape
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from ..charts import figures as charts
from ..charts import style
from ..errors import PlanlibError
from ..periods import parse_period
from .context import ReportContext, open_context

__all__ = ["Html", "open_context"]

CSS = """
.pl { font-family: "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "Source Han Sans SC",
      sans-serif; color: #212121; line-height: 1.55; font-size: 10.5pt; }
.pl h1 { font-size: 19pt; margin: 0 0 2pt 0; font-weight: 700; }
.pl h2 { font-size: 13.5pt; margin: 14pt 0 5pt 0; padding-bottom: 2pt;
         border-bottom: 1.5pt solid #455a64; font-weight: 700; }
.pl .meta { color: #616161; font-size: 9pt; margin-bottom: 8pt; }
.pl .meta span { white-space: nowrap; margin-right: 1.2em; }
.pl table.t th { white-space: nowrap; }
.pl .cards { display: flex; gap: 6pt; margin: 6pt 0; }
.pl .card { flex: 1; border-radius: 4pt; padding: 5pt 8pt; color: white; }
.pl .card b { font-size: 18pt; display: block; line-height: 1.2; }
.pl .card.s2 { color: #212121; }
.pl table.t { border-collapse: collapse; width: 100%; font-size: 8.6pt; margin: 4pt 0; }
.pl table.t th { background: #eceff1; text-align: left; padding: 3pt 4pt; font-weight: 700; }
.pl table.t td { border-bottom: 0.5pt solid #cfd8dc; padding: 2.5pt 4pt; vertical-align: top; }
.pl table.t td.n { text-align: right; white-space: nowrap; }
.pl table.t tr { page-break-inside: avoid; }
.pl .badge { display: inline-block; border-radius: 3pt; padding: 0 4pt; color: white;
             white-space: nowrap; font-size: 8.2pt; }
.pl .note { color: #616161; font-size: 8.6pt; }
.pl ul { margin: 2pt 0 4pt 0; padding-left: 14pt; }
.pl img.fig { width: 100%; display: block; margin: 4pt 0; }
.pl .mono { font-family: "DejaVu Sans Mono", monospace; font-size: 7.2pt; word-break: break-all; }
"""

_TASK_WORDS = {"green": "绿", "yellow": "黄", "red": "红"}


class Html:
    """An output cell's HTML (what Jupyter shows via ``_repr_html_``)."""

    def __init__(self, body: str) -> None:
        self.body = body

    def _repr_html_(self) -> str:
        return f'<div class="pl">{self.body}</div>'

    def __str__(self) -> str:
        return self._repr_html_()


BEIJING = timezone(timedelta(hours=8), "北京时间")  # fixed offset: no tz database needed


def e(value: Any) -> str:
    """Escaped text of a data value ("—" for missing)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return escape(str(value))


def num(value: Any, unit: str = "", signed: bool = False, decimals: int = 1) -> str:
    """A number as reports print it: one decimal at most, thousands separated."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "—"
    if math.isnan(v):
        return "—"
    text = f"{v:+,.{decimals}f}" if signed else f"{v:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.lstrip("+-") == "0":
        # a gap that rounds to nothing: show the hundredths when there are some (a "0%" beside
        # 接近 puzzles a reader), else no sign ("-0%" reads as a miss)
        text = f"{v:+.2f}" if signed and abs(v) >= 0.005 else "0"
    return escape(text + (unit if unit in ("%", "‰") else ""))


def badge(status: Any) -> str:
    s = str(status) if isinstance(status, str) and status else "无数据"
    fg = "#212121" if s == "接近" else "white"
    return (
        f'<span class="badge" style="background:{style.status_colour(s)};color:{fg}">{e(s)}</span>'
    )


def task_badge(colour: str) -> str:
    fg = "#212121" if colour == "yellow" else "white"
    bg = style.TASK_COLOURS.get(colour, style.STATUS_COLOURS["无数据"])
    word = _TASK_WORDS.get(colour, "—")
    return f'<span class="badge" style="background:{bg};color:{fg}">{word}</span>'


def figure_html(fig: Figure, alt: str) -> str:
    """A figure as an embedded PNG at print resolution (sharp on A4)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=200)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img class="fig" alt="{escape(alt)}" src="data:image/png;base64,{data}">'


def table(frame: pd.DataFrame, numeric: tuple[str, ...] = (), raw: tuple[str, ...] = ()) -> str:
    """An HTML table; cells escaped unless their column is in ``raw`` (already HTML)."""
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for rec in frame.itertuples(index=False):
        cells = []
        for col, val in zip(frame.columns, rec, strict=True):
            text = str(val) if col in raw else e(val)
            cls = ' class="n"' if col in numeric else ""
            cells.append(f"<td{cls}>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="t"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _unit_row(ctx: ReportContext, code: str) -> pd.Series:
    units = ctx.units
    hit = units[units["code"].astype(str) == str(code)]
    if hit.empty:
        raise PlanlibError(f"未知的单位代码：{code}")
    return hit.iloc[0]


def _period_label(period: str) -> str:
    return parse_period(period).label


def _rows(ctx: ReportContext, code: str, period: str | None = None) -> pd.DataFrame:
    a = ctx.assessment
    out = a[a["org_code"].astype(str) == str(code)]
    if period is not None:
        out = out[out["period"].astype(str) == period]
    return out


def _counts(rows: pd.DataFrame) -> dict[str, int]:
    counts = rows["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in style.STATUSES}


def _cards(counts: dict[str, int]) -> str:
    out = []
    for k, s in enumerate(style.STATUSES):
        out.append(
            f'<div class="card s{k}" style="background:{style.status_colour(s)}">'
            f"<b>{counts[s]}</b>{e(s)}</div>"
        )
    return '<div class="cards">' + "".join(out) + "</div>"


def _full_name(ctx: ReportContext, code: str) -> str:
    row = _unit_row(ctx, code)
    parent = str(row.get("parent_code") or "")
    if parent:
        prow = _unit_row(ctx, parent)
        return f"{prow['name']}{row['name']}"
    return str(row["name"])


def when(stamp: Any) -> str:
    """An ISO timestamp as a reader here writes it, in Beijing time: 2026-11-29 10:17（北京时间）."""
    try:
        t = datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)
    if t.tzinfo is None:
        return f"{t:%Y-%m-%d %H:%M}"
    return f"{t.astimezone(BEIJING):%Y-%m-%d %H:%M}（北京时间）"


def title(ctx: ReportContext, code: str | None, subject: str) -> Html:
    """The page title, the report period and where the numbers come from, plus the report CSS."""
    root = str(ctx.meta.get("root") or "")
    name = _full_name(ctx, code) if code else (_full_name(ctx, root) if root else "")
    label = _period_label(ctx.period)
    files = len(_input_filter(ctx, code if code and code != root else None))
    items = [
        f"报告期：{e(label)}（{e(ctx.period)}）",
        f"依据：{e(ctx.meta.get('plan_title'))}",
        f"数据：{files} 个文件（清单与校验值见附录）",
        f"生成时间：{e(when(ctx.meta.get('generated_at')))}",
    ]
    meta = " ".join(f"<span>{item}</span>" for item in items)
    heading = f"{e(name)}{e(label)}{e(subject)}"
    body = f"<style>{CSS}</style><h1>{heading}</h1><div class='meta'>{meta}</div>"
    return Html(body)


def _changes(ctx: ReportContext, code: str) -> tuple[list[str], list[str]]:
    prev = ctx.meta.get("previous_period")
    if not prev:
        return [], []
    rank = {s: k for k, s in enumerate(style.STATUSES[:3])}
    now = _rows(ctx, code, ctx.period)
    before = _rows(ctx, code, str(prev))
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
    rows = _rows(ctx, code, ctx.period)
    counts = _counts(rows)
    n = len(rows)
    name = _unit_row(ctx, code)["name"]
    lines = [
        f"{e(name)}本期共评估 <b>{n}</b> 项量化目标：达标 <b>{counts['达标']}</b> 项，"
        f"接近 {counts['接近']} 项，未达标 <b>{counts['未达标']}</b> 项，无数据 {counts['无数据']} 项。"
    ]
    better, worse = _changes(ctx, code)
    prev = ctx.meta.get("previous_period")
    before = _rows(ctx, code, str(prev)) if prev else None
    if prev and before is not None and (before.empty or before["status"].eq("无数据").all()):
        plabel = _period_label(str(prev))
        lines.append(f"{e(plabel)}本单位没有可用数据（未报送），无法与上季度比较。")
    elif prev:
        plabel = _period_label(str(prev))
        if not better and not worse:
            lines.append(f"与{e(plabel)}相比，各项目标的状态没有变化。")
        if better:
            lines.append(f"与{e(plabel)}相比好转 {len(better)} 项：{'；'.join(better)}。")
        if worse:
            lines.append(f"与{e(plabel)}相比变差 {len(worse)} 项：{'；'.join(worse)}。")
    missed = rows[rows["status"] == "未达标"].copy()
    if not missed.empty:
        missed = missed.assign(rel=(missed["gap"].abs() / missed["target"].abs()).fillna(0))
        worst = missed.sort_values("rel", ascending=False).head(3)
        items = "；".join(
            f"{e(r.indicator_name)} {_value_text(r.value, r.target, str(r.unit))}（目标 {e(r.target_text)}）"
            for r in worst.itertuples(index=False)
        )
        lines.append(f"差距最大的目标：{items}。")
    if counts["无数据"]:
        lines.append("“无数据”表示本期缺少计算该指标所需的报送数据，原因见表格与数据质量一节。")
    body = _cards(counts) + "".join(f"<p>{line}</p>" for line in lines)
    return Html(body)


def _reason(r: Any) -> str:
    if str(r.status) == "无数据":
        return e(r.missing_reason) if isinstance(r.missing_reason, str) else "缺少数据"
    year_end = str(getattr(r, "period", "")).endswith("Q4")  # the status says it all by then
    if isinstance(r.progress, str) and r.progress and not year_end:
        return f"序时进度：{e(r.progress)}"
    if (
        isinstance(r.projected_status, str)
        and r.projected_status
        and r.projected_status != r.status
    ):
        return f"预计全年：{e(r.projected_status)}"
    return ""


def _value_text(value: Any, target: Any, unit: str) -> str:
    """The value with its unit, with as many decimals as it takes not to print the target's
    number for a value that is not the target (99.997% against 100% is not "100%")."""
    suffix = "" if unit in ("%", "‰") else e(unit)
    text = num(value, unit)
    try:
        differs = float(value) != float(target) and not math.isnan(float(target))
    except (TypeError, ValueError):
        differs = False
    decimals = 1
    while differs and decimals < 4 and text == num(target, unit, decimals=decimals):
        decimals += 1
        text = num(value, unit, decimals=decimals)
    return text + suffix if text != "—" else text


def _gap_text(gap: Any, unit: str) -> str:
    """A signed gap in the indicator's unit; a gap between percentages is in 个百分点."""
    text = num(gap, "", signed=True)
    if text == "—":
        return text
    return text + ("个百分点" if unit == "%" else "‰" if unit == "‰" else e(unit))


def _gap_for_reader(rows: pd.DataFrame) -> pd.Series:
    """The gap signed so that + is better than the target: value − target, or target − value
    for lower-is-better indicators (民办占比 8.8% against ≤ 5% reads −3.8, a miss)."""
    if "direction" not in rows:
        return rows["gap"]
    lower = rows["direction"].astype(str).eq("lower")
    return rows["gap"].where(~lower, -rows["gap"])


def targets_table(ctx: ReportContext, code: str) -> Html:
    """Every target of one org unit: value, target, gap and status in colour."""
    rows = _rows(ctx, code, ctx.period)
    if rows.empty:
        return Html("<p>本期没有可评估的目标。</p>")
    frame = pd.DataFrame(
        {
            "任务": rows["task_id"].astype(str),
            "指标": rows["indicator_name"],
            "本期值": [
                _value_text(v, t, str(u))
                for v, t, u in zip(rows["value"], rows["target"], rows["unit"], strict=True)
            ],
            "目标": rows["target_text"],
            "差距": [
                _gap_text(v, str(u))
                for v, u in zip(_gap_for_reader(rows), rows["unit"], strict=True)
            ],
            "状态": [badge(s) for s in rows["status"]],
            "说明": [_reason(r) for r in rows.itertuples(index=False)],
        }
    )
    note = (
        "<p class='note'>差距 = 本期值 − 目标（越低越好的指标为目标 − 本期值），正数表示好于目标；"
        "比率类指标的差距以百分点计。"
        "累计类目标（如新建数、投入）按序时进度评估。</p>"
    )
    return Html(
        table(frame, numeric=("本期值", "差距"), raw=("本期值", "差距", "状态", "说明")) + note
    )


def bullets(ctx: ReportContext, code: str) -> Html:
    """Value against target for every target of the period (a bullet chart)."""
    rows = _rows(ctx, code, ctx.period)
    fig = charts.bullet_chart(rows)
    note = "<p class='note'>彩色横条为本期值，黑色竖线为目标；每项指标使用各自的刻度。</p>"
    return Html(figure_html(fig, "各项目标完成情况") + note)


def trends(ctx: ReportContext, code: str) -> Html:
    """Quarter-by-quarter values of every target this year."""
    rows = _rows(ctx, code)
    keys = list(dict.fromkeys(zip(rows["task_id"], rows["indicator"], strict=True)))
    # two rows of panels per image: the page can break between them, so the first part fills
    # the space the bullet chart leaves instead of the whole grid moving to a new page
    parts = [keys[i : i + 8] for i in range(0, len(keys), 8)] or [[]]
    figures = []
    for part in parts:
        wanted = set(part)
        mask = [k in wanted for k in zip(rows["task_id"], rows["indicator"], strict=True)]
        figures.append(figure_html(charts.trend_chart(rows[mask]), "季度趋势"))
    note = "<p class='note'>横轴为季度，圆点颜色为当季状态，虚线为目标。</p>"
    return Html("".join(figures) + note)


def _siblings(ctx: ReportContext, code: str) -> pd.DataFrame:
    parent = str(_unit_row(ctx, code).get("parent_code") or "")
    units = ctx.units
    codes = set(
        units.loc[units["parent_code"].fillna("").astype(str) == parent, "code"].astype(str)
    )
    a = ctx.assessment
    return a[a["org_code"].astype(str).isin(codes) & (a["period"].astype(str) == ctx.period)]


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


def _place(rank: int, tied: bool) -> str:
    return f"{rank}（并列）" if tied else str(rank)


def ranks(ctx: ReportContext, code: str) -> Html:
    """The unit's rank among its siblings (the other counties of its city) on every target."""
    peers = _siblings(ctx, code)
    if peers.empty:
        return Html("<p>没有可比较的同级单位。</p>")
    recs = []
    for (_task, _ind), grp in peers.groupby(["task_id", "indicator"], sort=False):
        grp = grp.dropna(subset=["value"])
        lower = str(grp["direction"].iloc[0]) == "lower" if len(grp) else False
        ordered = grp.sort_values("value", ascending=lower).reset_index(drop=True)
        places = ordered["value"].rank(method="min", ascending=lower).astype(int)
        mine = ordered.index[ordered["org_code"].astype(str) == str(code)]
        first = ordered.iloc[0] if len(ordered) else None
        unit = str(grp["unit"].iloc[0]) if len(grp) else ""
        if len(mine):
            place = int(places.iloc[mine[0]])
            tied = int((places == place).sum()) > 1
            rank_text = f"{_place(place, tied)} / {len(ordered)}"
        else:
            rank_text = "—"
        recs.append(
            {
                "指标": grp["indicator_name"].iloc[0] if len(grp) else "",
                "排名": rank_text,
                "本单位": num(ordered.loc[mine[0], "value"], unit) if len(mine) else "—",
                "同级最好": (
                    f"{e(first['org_name'])} {num(first['value'], unit)}"
                    if first is not None
                    else "—"
                ),
                "同级达标数": f"{int((grp['status'] == '达标').sum())} / {len(ordered)}",
            }
        )
    frame = pd.DataFrame(recs)
    parent = str(_unit_row(ctx, code).get("parent_code") or "")
    tab = standing(ctx, parent).set_index("org_code")
    lead = ""
    if str(code) in tab.index:
        me = tab.loc[str(code)].to_dict()
        lead = (
            f"<p>按达标目标数（相同时比接近数），本单位在同级 {len(tab)} 个单位中列第 "
            f"<b>{_place(int(me['名次']), bool(me['并列']))}</b> 位（达标 {int(me['达标'])} 项，"
            f"接近 {int(me['接近'])} 项）。各指标排名中，越低越好的指标按从低到高排。</p>"
        )
    return Html(
        lead + table(frame, numeric=("排名", "本单位", "同级达标数"), raw=("本单位", "同级最好"))
    )


def quality(ctx: ReportContext, code: str | None = None) -> Html:
    """Data-quality notes from validation: the unit's problems (or every problem)."""
    p = ctx.problems
    if code is not None:
        p = p[p["county_code"].astype(str) == str(code)]
    p = p[p["period"].astype(str).isin([*ctx.meta.get("periods", []), ""]) | p["period"].isna()]
    warnings = ctx.meta.get("assessment_warnings") or []
    if p.empty and not warnings:
        return Html("<p>本期报送数据通过全部校验，没有发现问题。</p>")
    parts = []
    if not p.empty:
        n_err = int((p["severity"] == "error").sum())
        parts.append(
            f"<p>校验发现 {len(p)} 个问题，其中错误 {n_err} 个（错误的数据不参与计算）。</p>"
        )
        frame = pd.DataFrame(
            {
                "级别": p["severity"].map({"error": "错误", "warning": "提醒"}).fillna("提醒"),
                "报告期": p["period"],
                "文件": p["file"],
                "行": p["row"],
                "列": p["column"],
                "问题": p["message"],
            }
        ).head(40)
        parts.append(table(frame))
        if len(p) > 40:
            parts.append(
                f"<p class='note'>另有 {len(p) - 40} 个问题未列出，请运行 planlib validate 查看。</p>"
            )
    if warnings:
        parts.append("<ul>" + "".join(f"<li>{e(w)}</li>" for w in warnings) + "</ul>")
    return Html("".join(parts))


def _input_filter(ctx: ReportContext, code: str | None) -> pd.DataFrame:
    inputs = ctx.inputs
    if code is None:
        return inputs
    others = set(ctx.units["code"].astype(str)) - {str(code)}
    stems = (
        inputs["path"]
        .astype(str)
        .str.rsplit("/", n=1)
        .str[-1]
        .str.split(r"[._]", regex=True)
        .str[0]
    )
    return inputs[~stems.isin(others)]


def appendix(ctx: ReportContext, code: str | None = None) -> Html:
    """Each indicator's definition and the data sources (file names and SHA-256 checksums)."""
    a = ctx.assessment
    mine = a[a["org_code"].astype(str) == str(code)] if code is not None else a
    used = set((mine if len(mine) else a)["indicator"].astype(str))  # the report's own indicators
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
    files = _input_filter(ctx, code)
    src = pd.DataFrame(
        {
            "文件": files["path"],
            "SHA-256": [f"<span class='mono'>{e(s)}</span>" for s in files["sha256"]],
        }
    )
    body = (
        "<h2>附录一　指标定义</h2>"
        + table(defs, raw=("定义（本报告口径）",))
        + "<h2>附录二　数据来源</h2>"
        + f"<p class='note'>数据目录中的以下文件（相对路径）参与了本报告的计算；"
        f"planlib 版本 {e(ctx.meta.get('planlib_version'))}。</p>" + table(src, raw=("SHA-256",))
    )
    return Html(body)


def section(text: str) -> Html:
    """A section heading (for notebooks: keeps headings in the same style as the tables)."""
    return Html(f"<h2>{e(text)}</h2>")


# ---- the city (or any parent) overview -------------------------------------------------------


def overview_org(ctx: ReportContext, org: str | None) -> str:
    """The org unit an overview is about: ``org`` if given, else the root of the tree (the city)."""
    code = str(org) if org else str(ctx.meta.get("root") or "")
    _unit_row(ctx, code)
    return code


def children(ctx: ReportContext, org: str) -> list[str]:
    """Codes of the org unit's direct children that have assessment rows."""
    units = ctx.units
    kids = units.loc[units["parent_code"].fillna("").astype(str) == str(org), "code"].astype(str)
    have = set(ctx.assessment["org_code"].astype(str))
    return [k for k in kids if k in have]


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
        f"{e(name)}全市（汇总）口径共评估 <b>{len(rows)}</b> 项目标：达标 <b>{counts['达标']}</b> 项，"
        f"接近 {counts['接近']} 项，未达标 <b>{counts['未达标']}</b> 项，无数据 {counts['无数据']} 项。"
    ]
    if len(per):
        top, bottom = per.max(), per.min()
        tops = "、".join(e(n) for n in per.index[per == top])
        bottoms = "、".join(e(n) for n in per.index[per == bottom])
        lines.append(
            f"下辖 {len(kids)} 个单位中，达标比例最高的是{tops}（{top:.0%}），"
            f"最低的是{bottoms}（{bottom:.0%}）。"
            if top != bottom
            else f"下辖 {len(kids)} 个单位的达标比例相同（{top:.0%}）。"
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
    note = "<p class='note'>每格为该单位本期的指标值，颜色为目标完成状态；灰色表示无数据。</p>"
    return Html(figure_html(fig, "各单位目标完成状态") + note)


def overview_totals(ctx: ReportContext, org: str) -> Html:
    """The parent's own values against its targets (city totals against the city targets)."""
    return targets_table(ctx, org)


def overview_shares(ctx: ReportContext, org: str) -> Html:
    rows = _rows(ctx, org, ctx.period)
    fig = charts.share_done_chart(rows)
    note = "<p class='note'>累计类目标（可相加的数量目标）已完成的比例；虚线为序时进度。</p>"
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


def tasks_table(ctx: ReportContext, department: str | None = None) -> Html:
    """The ledger's task colours (红/黄/绿) with reasons, optionally for one department."""
    t = ctx.tasks
    if department is not None:
        mine = t["lead_units"].astype(str).str.contains(department, regex=False) | t[
            "responsible_units"
        ].astype(str).str.contains(department, regex=False)
        t = t[mine]
    if t.empty:
        return Html("<p>台账中没有相关任务。</p>")
    frame = pd.DataFrame(
        {
            "任务": t["task_id"],
            "名称": t["title"],
            "颜色": [task_badge(str(c)) for c in t["colour"]],
            "报送状态": t["reported_status"],
            "原因": t["reasons"].fillna("").replace("", "—"),
            "计划完成": t["due"].astype(str).str[:10],
        }
    )
    return Html(table(frame, raw=("颜色",)))


# ---- departments ----------------------------------------------------------------------------


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
