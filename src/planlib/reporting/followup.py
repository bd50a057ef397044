"""督办事项 on the page: every miss and every lapse of the period named, with a deadline (整改时限)
and a responsible unit (and person where the ledger names one) on each, last quarter's items
followed up (已整改/未整改) and those not fixed escalated (提醒 → 督办 → 约谈通报).

The items are :func:`planlib.monitoring.supervision.supervision_items`, carried by the context
(``ctx.supervision``); this module only words and groups them. Items on the same target, at the
same level of escalation and with the same deadline share a row that names every unit with what
it still needs, so twelve counties 接近 on one rate are one row, not twelve, and none is left out.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..periods import parse_period
from .context import ReportContext
from .html import Html, date_words, e
from .sections import still_needed_text

QUARTER_WORDS = {1: "一季度", 2: "二季度", 3: "三季度", 4: "四季度"}
LAPSES = ("未报送", "台账未报送")
"""Statuses that are a missing return, not a missed target."""
_GROUP = [
    "escalation",
    "escalation_name",
    "item_kind",
    "task_id",
    "task_title",
    "indicator",
    "indicator_name",
    "status",
    "follow_up",
    "deadline",
    "deadline_source",
]


def items_for(
    ctx: ReportContext, department: str | None = None, code: str | None = None
) -> pd.DataFrame:
    """The context's 督办 items, those a department answers for, or one unit's."""
    s = ctx.supervision
    if s.empty or "status" not in s:
        return s
    s = s[s["period"].astype(str) == ctx.period]
    if department is not None:
        named = s["departments"].fillna("").astype(str).str.split("、")
        s = s[[department in d for d in named]]
    if code is not None:
        s = s[s["org_code"].astype(str) == str(code)]
    return _with_kind(ctx, s)


def _with_kind(ctx: ReportContext, items: pd.DataFrame) -> pd.DataFrame:
    """Each item with its target's kind and comparator from the assessment (how its 还需 is
    worded: 减少 for a ceiling, decimals for money)."""
    if {"kind", "comparator"} <= set(items.columns):
        return items
    key = ["org_code", "task_id", "indicator"]
    a = ctx.assessment[ctx.assessment["period"].astype(str) == ctx.period]
    a = a[[*key, "kind", "comparator"]].astype({k: str for k in key}).drop_duplicates(key)
    out = items.astype({k: str for k in key}).merge(a, on=key, how="left")
    return out.fillna({"kind": "", "comparator": ""})


def quarter_words(periods: Any, lapse: str = "未报送") -> str:
    """Quarters without data, as a 督办 row says them: 三季度未报送, 二、三季度未报送 (a unit
    that owes a return), or with ``lapse`` 数据不全 (a total one of its parts left empty)."""
    codes = [p for p in str(periods or "").replace("，", ",").split(",") if p.strip()]
    if not codes:
        return ""
    words = [QUARTER_WORDS[parse_period(p.strip()).quarter] for p in codes]
    return (
        "、".join(w.removesuffix("季度") for w in words[:-1])
        + ("、" if len(words) > 1 else "")
        + f"{words[-1]}{lapse}"
    )


def run_words(r: Any) -> str:
    """How long a unit has been behind: 一季度起连续3个季度，三季度未报送."""
    n = int(float(getattr(r, "quarters_behind", 0) or 0))
    since = str(getattr(r, "since", "") or "")
    # a county owes its return; a city's total is only incomplete when a county's is missing
    owes = str(getattr(r, "level", "county") or "county") == "county"
    missing = quarter_words(getattr(r, "missing_periods", ""), "未报送" if owes else "数据不全")
    if not since or (n <= 1 and not missing):
        text = "本季度起"
    else:
        text = f"{QUARTER_WORDS[parse_period(since).quarter]}起"
        text += f"连续{n}个季度" if n > 1 else ""
    return text + (f"，{missing}" if missing else "")


def unit_words(r: Any, run: bool = True) -> str:
    """One unit in a 督办 row: its name, what it still needs and (``run``) since when; a lapse
    as such."""
    name = e(r.org_name) if str(r.org_name or "") else e(r.responsible_unit)
    if str(r.status) == "未报送":
        return f"{name}（{quarter_words(r.period) or '本季度未报送'}）"
    if str(r.status) == "台账未报送":
        return f"{name}（任务进展台账未报送）"
    if str(r.follow_up) == "已整改":
        return f"{name}（已达到目标）"
    need = still_needed_text(r)
    parts = [f"还需{need}" if need else "", run_words(r) if run else ""]
    text = "，".join(p for p in parts if p)
    return f"{name}（{text}）" if text else name


def responsible_words(group: pd.DataFrame) -> str:
    """The responsible units of a row (each unit's own bureau, the 处室 at city level) with the
    persons the ledger names."""
    seen: dict[str, str] = {}
    for unit, person in zip(
        group["responsible_unit"].fillna("").astype(str),
        group["responsible_person"].fillna("").astype(str),
        strict=True,
    ):
        if unit and (unit not in seen or person):
            seen[unit] = person
    own = {f"{n}教育局" for n in group["org_name"].fillna("").astype(str)}
    if len(seen) > 1 and set(seen) <= own:  # each unit answers for itself
        people = [f"{e(u)}（{e(p)}）" for u, p in seen.items() if p]
        return "所列各单位教育局" + ("；" + "、".join(people) if people else "")
    return "、".join(f"{e(u)}（{e(p)}）" if p else e(u) for u, p in seen.items())


def deadline_words(deadline: Any, source: Any) -> str:
    """整改时限 as a date (2022年9月30日前) and where it comes from."""
    text = date_words(deadline)
    if text == "—":
        return text
    return f"{text}前" + (f"（{e(source)}）" if str(source or "") else "")


def grouped(items: pd.DataFrame) -> list[str]:
    """One numbered item per target, status, follow-up, escalation and deadline, as 督查通报
    list them: the target and its state, the units with their shortfall (since when said once
    when they share it), then 责任单位（责任人） and 整改时限."""
    out = []
    keys = [k for k in _GROUP if k in items]
    for key, g in items.groupby(keys, sort=False, dropna=False):
        r = dict(zip(keys, key, strict=True))
        lapse = str(r.get("item_kind")) != "指标" or str(r.get("status")) in LAPSES
        subject = (
            f"任务{e(r['task_id'])}　{e(r['task_title'])}" if lapse else e(r["indicator_name"])
        )
        runs = {run_words(x) for x in g.itertuples(index=False)}
        shared = len(runs) == 1 and len(g) > 1 and not lapse
        level = "，".join(e(x) for x in (r["escalation_name"], r["follow_up"]) if str(x or ""))
        said = f"，均为{next(iter(runs))}" if shared else ""
        units = "；".join(unit_words(x, run=not shared) for x in g.itertuples(index=False))
        count = f"{len(g)}个单位" if g["org_code"].astype(str).nunique() > 1 else ""
        out.append(
            f"<li><b>{subject}</b>（{e(r['status'])}{count}{said}；{level}）：{units}。"
            f"<br><span class='resp'>责任单位（责任人）：{responsible_words(g)}；"
            f"整改时限：{deadline_words(r['deadline'], r['deadline_source'])}。</span></li>"
        )
    return out


def _lead(items: pd.DataFrame, who: str) -> str:
    open_ = items[items["follow_up"].astype(str) != "已整改"]
    by_level = open_["escalation_name"].value_counts()
    levels = "，".join(
        f"{e(name)}{int(n)}项"
        for name, n in by_level.reindex(
            open_.sort_values("escalation", ascending=False)["escalation_name"].unique()
        ).items()
    )
    follow = items["follow_up"].astype(str).value_counts()
    return (
        f"<p>本期{who}督办事项共<b>{len(open_)}</b>项（{levels}）："
        f"新增{int(follow.get('新增', 0))}项，上期督办未整改{int(follow.get('未整改', 0))}项"
        f"（已升级督办等级）；上期督办事项已整改{int(follow.get('已整改', 0))}项。"
        "未报送数据或台账的，按未报送督办。</p>"
    )


def supervision_section(
    ctx: ReportContext, department: str | None = None, code: str | None = None, who: str = ""
) -> Html:
    """督办事项: the open items (未达标 and lapses first, then 接近, most escalated first), each
    with its units, responsible units and persons and deadline; then last quarter's items now
    fixed."""
    items = items_for(ctx, department, code)
    if items.empty:
        return Html("<p>本期没有需要督办的事项。</p>")
    parts = [_lead(items, who)]
    fixed = items[items["follow_up"].astype(str) == "已整改"]
    open_ = items[items["follow_up"].astype(str) != "已整改"]
    near = open_["status"].astype(str) == "接近"
    for title, part in (
        ("未达标和未报送事项", open_[~near]),
        ("接近目标、需防止滑落的事项", open_[near]),
    ):
        if part.empty:
            continue
        parts.append(
            f"<p class='sub'><b>{title}</b>（{len(part)}项）</p>"
            + "<ol class='items'>"
            + "".join(grouped(part))
            + "</ol>"
        )
    if len(fixed):
        names = "；".join(
            f"{e(r.org_name or r.responsible_unit)}"
            + (e(r.indicator_name) if str(r.indicator_name or "") else "（已补报）")
            for r in fixed.itertuples(index=False)
        )
        parts.append(f"<p><b>上期督办已整改（{len(fixed)}项）：</b>{names}。</p>")
    parts.append(
        "<p class='note'>督办等级：首次列入为提醒，上期督办未整改的升为督办，连续未整改的约谈通报；"
        "整改时限取计划完成时间，未规定的取下季度报表报送截止日。</p>"
    )
    return Html("".join(parts))


def county_followup(ctx: ReportContext, code: str) -> Html:
    """A county's own 督办 items (its misses and missing returns), as the city lists them."""
    if ctx.supervision.empty:
        return Html("<p>本期没有督办事项的记录。</p>")
    return supervision_section(ctx, code=str(code), who="本单位")
