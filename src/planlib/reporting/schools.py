"""附录: the schools of a county that do not yet meet each school-level target (标准化, 省级示范高中,
中职标准化, 智慧校园), by stage, so a gap in 所 has names. Read from ``ReportContext.schools``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .context import ReportContext
from .html import Html, e, table

SCHOOL_LIST_CAP = 60
"""A count target (新建智慧校园 N 所) lists the schools not there yet only up to this many; past
it, the few that already count are listed instead (the many others are candidates, not a gap)."""


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
    """附录: for each school-level target (标准化, 省级示范高中, 智慧校园…), the county's schools
    that do not meet it yet, by stage, so the gap in 所 has names."""
    s = ctx.schools
    mine = s[s["county_code"].astype(str) == str(code)] if len(s) else s
    heading = f"<h2>附录{number}　未达到校级目标的学校</h2>"
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
        name = str(grp["indicator_name"].iloc[0])
        behind = grp[~grp["meets"].astype(bool)]
        met = grp[grp["meets"].astype(bool)]
        target = f"：目标为{e(r['target_text'])}，本期{e(r['status'])}；" if r else "："
        total = r is not None and str(r["kind"]) == "total"
        lead = (
            f"<p><b>{e(name)}</b>{target}纳入统计的学校{len(grp)}所，已达到{len(met)}所，"
            f"尚未达到{len(behind)}所"
        )
        unfilled = int((~behind["reported"].astype(bool)).sum())
        lead += f"（其中{unfilled}所未填报或数据有误）。" if unfilled else "。"
        if behind.empty:
            parts.append(lead + "</p>")
            continue
        if total and len(behind) > SCHOOL_LIST_CAP:
            parts.append(
                lead
                + f"尚未达到的学校较多，下面列出已计入的{len(met)}所。</p>"
                + _stage_table(met, county)
            )
            continue
        parts.append(lead + "</p>" + _stage_table(behind, county))
    note = (
        "<p class='note'>名单按学校名录（schools.csv）和本期学校报表：报1为达到，报0为未达到，"
        "未填报或未通过校验的按未达到列出。</p>"
    )
    return Html("".join(parts) + note)


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
