"""附录: the schools of a county that do not yet meet each school-level target (标准化, 省级示范高中,
中职标准化, 智慧校园), by stage, so a gap in 所 has names. Read from ``ReportContext.schools``.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from .context import ReportContext
from .html import Html, e, table

MARGIN_SHARE = 0.5
"""A list names the schools needed to close the gap plus this share more (at least
:data:`MARGIN_MIN`): some on the list will not make it this year."""
MARGIN_MIN = 2


def list_length(needed: float) -> int:
    """How many schools a list names for a gap of ``needed`` schools: the gap plus a margin."""
    if needed != needed or needed <= 0:
        return 0
    n = math.ceil(needed)
    return n + max(MARGIN_MIN, math.ceil(n * MARGIN_SHARE))


def _school_names(schools: pd.DataFrame, county: str) -> str:
    """School names joined by 、, without the county's name they start with, marked when the
    school reported nothing usable."""
    out = []
    for name, reported in zip(schools["school_name"].astype(str), schools["reported"], strict=True):
        if county and name.startswith(county) and len(name) > len(county):
            name = name[len(county) :]
        out.append(e(name) + ("" if bool(reported) else "（未填报）"))
    return "、".join(out)


def has_school_targets(ctx: ReportContext, code: str) -> bool:
    """Whether the unit has schools that a school-level target counts over."""
    s = ctx.schools
    return bool(len(s)) and bool((s["county_code"].astype(str) == str(code)).any())


def school_lists(ctx: ReportContext, code: str, number: str = "一") -> Html:
    """附录: for each school-level target (标准化, 省级示范高中, 智慧校园…) the county has not
    reached, the schools that can close the gap, by stage, so the gap in 所 has names."""
    s = ctx.schools
    mine = s[s["county_code"].astype(str) == str(code)] if len(s) else s
    heading = f"<h2>附录{number}　可补齐校级目标差距的学校</h2>"
    if mine.empty:
        return Html(heading + "<p>本单位没有按学校统计的目标。</p>")
    a = ctx.assessment
    own = a[(a["org_code"].astype(str) == str(code)) & (a["period"].astype(str) == ctx.period)]
    targets: dict[tuple[str, str], dict[Any, Any]] = {
        (str(r["task_id"]), str(r["indicator"])): r for r in own.to_dict("records")
    }
    names = ctx.units.loc[ctx.units["code"].astype(str) == str(code), "name"]
    county = str(names.iloc[0]) if len(names) else ""
    parts = [heading]
    for (task, ind), grp in mine.groupby(["task_id", "indicator"], sort=False):
        r = targets.get((str(task), str(ind)))
        parts.append(_target_list(r, grp, county))
    note = (
        "<p class='note'>名单按学校名录和本期学校报表：报1为达到，报0为未达到，"
        "未填报或未通过校验的按未达到列出。</p>"
    )
    return Html("".join(parts) + note)


def _target_list(r: dict[Any, Any] | None, grp: pd.DataFrame, county: str) -> str:
    """One target's list: nothing when it is met; else the schools that can close the gap,
    ranked (by ``rank`` where the context has it), as many as needed plus a margin."""
    name = str(grp["indicator_name"].iloc[0])
    behind = grp[~grp["meets"].astype(bool)]
    met = int(grp["meets"].astype(bool).sum())
    target = f"：目标为{e(r['target_text'])}，本期{e(r['status'])}；" if r else "："
    lead = f"<p><b>{e(name)}</b>{target}纳入统计的学校{len(grp)}所，已达到{met}所"
    try:
        needed = float(r["still_needed"]) if r is not None else float("nan")
    except (TypeError, ValueError):
        needed = float("nan")
    if needed != needed or needed <= 0:
        return lead + "，目标已达到，不列名单。</p>"
    if "rank" in behind:
        behind = behind.sort_values("rank", kind="stable")
    else:  # those that reported first: a school with no usable return is the least certain
        behind = behind.sort_values("reported", ascending=False, kind="stable")
    shown = behind.head(list_length(needed))
    unfilled = int((~shown["reported"].astype(bool)).sum())
    more = f"（其中{unfilled}所未填报或数据有误）" if unfilled else ""
    return (
        lead + f"，还需{math.ceil(needed)}所。下列{len(shown)}所尚未达到、可列入年内建设计划{more}"
        f"（共有{len(behind)}所尚未达到）：</p>" + _stage_table(shown, county)
    )


def _stage_table(schools: pd.DataFrame, county: str) -> str:
    if schools.empty:
        return ""
    frame = pd.DataFrame(
        [
            {"学段": stage, "所数": len(g), "学校": _school_names(g, county)}
            for stage, g in schools.groupby("stage", sort=False)
        ]
    )
    return table(frame, numeric=("所数",), raw=("学校",), nowrap=("学段",))
