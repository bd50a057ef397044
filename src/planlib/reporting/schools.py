"""附录: the schools that can close a county's gap on each school-level target (标准化, 省级示范高中,
中职标准化, 智慧校园, and for 普惠/公办 coverage the kindergartens whose category leaves their pupils
out), ranked, as many as it takes plus a margin, and only where the county has a gap.

The lists are :func:`planlib.monitoring.gaps.schools_to_close_gap`, carried by the context
(``ctx.gaps``). The page names schools, not codes: a 局长 or 校长 reads names, and a school's
name is unique within its county in the registry the clerk keeps; the codes are in the exported
tables (``planlib`` 导出) for whoever must key them in.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .context import ReportContext
from .html import Html, e, num, table


def _gaps(ctx: ReportContext, code: str) -> pd.DataFrame:
    g = ctx.gaps
    if g.empty or "county_code" not in g:
        return g
    return g[g["county_code"].astype(str) == str(code)]


def has_school_targets(ctx: ReportContext, code: str) -> bool:
    """Whether the county has a gap some of its schools can close (then it gets the list)."""
    return not _gaps(ctx, code).empty


def _short_name(name: str, county: str) -> str:
    """A school's name without the county's name it starts with."""
    if county and name.startswith(county) and len(name) > len(county):
        return name[len(county) :]
    return name


def school_lists(ctx: ReportContext, code: str, number: str = "一") -> Html:
    """附录: for each school-level target the county has not reached, the schools that can
    close the gap, ranked (closest to the standard or largest first), needed plus a margin."""
    heading = f"<h2>附录{number}　可补齐差距的学校</h2>"
    mine = _gaps(ctx, code)
    if mine.empty:
        return Html(heading + "<p>本单位校级目标没有差距，不列名单。</p>")
    a = ctx.assessment
    own = a[(a["org_code"].astype(str) == str(code)) & (a["period"].astype(str) == ctx.period)]
    targets = {(str(r["task_id"]), str(r["indicator"])): r for r in own.to_dict("records")}
    names = ctx.units.loc[ctx.units["code"].astype(str) == str(code), "name"]
    county = str(names.iloc[0]) if len(names) else ""
    parts = [heading]
    for (task, ind), grp in mine.groupby(["task_id", "indicator"], sort=False):
        r = targets.get((str(task), str(ind)))
        parts.append(_target_list(r, grp.sort_values("rank", kind="stable"), county))
    note = (
        "<p class='note'>只列本单位尚有差距的目标。达到标准类：未达到的学校中，按学校标准的已达项目多、"
        "差距小的在前（无分项标准的按在校生多的在前）；转为普惠（公办）类：按在园幼儿多的在前。"
        "名单为补齐差距所需的学校数，另加少量备选（年内未必都能完成）。</p>"
    )
    return Html("".join(parts) + note)


def _target_list(r: dict[Any, Any] | None, grp: pd.DataFrame, county: str) -> str:
    """One target's list: what the county still needs, how many schools close it, the schools."""
    first = grp.iloc[0]
    unit = str(first["still_needed_unit"] or "")
    need = num(first["still_needed"], decimals=0) + e(unit)
    target = f"目标为{e(r['target_text'])}，本期{e(r['status'])}，" if r else ""
    needed, listed = int(first["needed"]), len(grp)
    lead = (
        f"<p><b>{e(first['indicator_name'])}</b>：{target}还需{need}。"
        f"下列{listed}所中，前{needed}所即可补齐，另列{listed - needed}所备选：</p>"
    )
    enrolment = pd.to_numeric(grp["enrolment"], errors="coerce")
    items = [
        f"{int(m)}/{int(t)}" if pd.notna(m) and pd.notna(t) else ""
        for m, t in zip(grp["items_met"], grp["items_total"], strict=True)
    ]
    frame = pd.DataFrame(
        {
            "序号": grp["rank"].astype(int).astype(str),
            "学校": [_short_name(str(n), county) for n in grp["school_name"]],
            "学段": grp["stage"].astype(str),
            "办学性质": grp["ownership"].astype(str),
            "补齐途径": grp["way"].astype(str),
            "在校（园）生": [num(v, decimals=0) if pd.notna(v) else "" for v in enrolment],
            "已达标项目": items,
        }
    )
    return lead + table(frame, numeric=("序号", "在校（园）生", "已达标项目"), nowrap=("学段",))
