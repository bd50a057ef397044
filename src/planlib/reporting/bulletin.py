"""The report as a bureau issues a 督查通报: the document header (issuing bureau, 文号 left for the
bureau to fill, title, 主送), the data-source line in words, the 落款 (bureau and date) and the
版记 (抄送/报送, 印发).

What a bureau writes for itself is the ``[report]`` table of its workspace's ``planlib.toml``::

    [report]
    bureau = "云江市教育局"          # 发文机关 (default: the plan's issuer, named for the city)
    number_prefix = "云教督"         # 文号 prefix: 云教督〔2022〕  号
    cc = ["市人民政府教育督导室"]     # 抄送
    report_to = ["市人民政府"]        # 报送
    signature = "云江市教育局"        # 落款 (default: the bureau)

Read once by :func:`report_settings` into the context's meta; every report of a batch says the same.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import PlanlibError
from ..periods import BEIJING, parse_period
from .html import e

REPORT_KEYS = ("bureau", "number_prefix", "cc", "report_to", "signature")
"""The keys of the ``[report]`` table that this module reads."""
OTHER_KEYS = ("supervision",)
"""Sub-tables of ``[report]`` others read (``[report.supervision]``: the 督办 escalation)."""

UNIT_WORDS = ("县", "市", "区")
"""How 通报 name the kinds of county-level units they are sent to: 各县（市、区）."""


def _texts(value: Any, key: str, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.replace("，", "、").split("、") if v.strip()]
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    raise PlanlibError(f"{where} 的 [report] {key} 应为文字或文字的列表，实际为 {value!r}")


def report_settings(data_dir: str | Path, issuer: str, root_name: str) -> dict[str, Any]:
    """The ``[report]`` table of the workspace at ``data_dir`` (if it is one), with defaults:
    the bureau is the plan's issuer named for the city (市教育局 of 云江市 → 云江市教育局)."""
    from ..workspace import workspace_of

    try:
        ws = workspace_of(data_dir)
    except PlanlibError:
        ws = None  # a broken planlib.toml is reported by the commands that read it
    raw: dict[str, Any] = dict(ws.report) if ws is not None else {}
    where = str(ws.config_path) if ws is not None else "planlib.toml"
    unknown = sorted(set(raw) - set(REPORT_KEYS) - set(OTHER_KEYS))
    if unknown:
        raise PlanlibError(
            f"{where} 的 [report] 有未知的项：{'、'.join(unknown)}"
            f"（可用：{'、'.join(REPORT_KEYS + OTHER_KEYS)}）"
        )
    bureau = str(raw.get("bureau") or default_bureau(issuer, root_name))
    return {
        "bureau": bureau,
        "number_prefix": str(raw.get("number_prefix") or ""),
        "cc": _texts(raw.get("cc"), "cc", where),
        "report_to": _texts(raw.get("report_to"), "report_to", where),
        "signature": str(raw.get("signature") or bureau),
    }


def default_bureau(issuer: str, root_name: str) -> str:
    """The issuing bureau's full name: an issuer that starts with the kind of unit the root is
    (市教育局, the root 云江市) is named for it; a full name is kept; none gives 〈root〉教育局."""
    issuer, root_name = issuer.strip(), root_name.strip()
    if not issuer:
        return f"{root_name}教育局" if root_name else "教育局"
    if root_name and not issuer.startswith(root_name) and issuer[0] == root_name[-1]:
        return root_name + issuer[1:]
    return issuer


def chinese_date(stamp: Any) -> str:
    """An ISO time stamp as a 公文 date, in Beijing: 2023年1月5日."""
    try:
        t = datetime.fromisoformat(str(stamp))
    except ValueError:
        return ""
    if t.tzinfo is not None:
        t = t.astimezone(BEIJING)
    return f"{t.year}年{t.month}月{t.day}日"


def quarter_end(period: str) -> str:
    """The last day of a quarter, as 公文 write it: 2022年6月30日."""
    p = parse_period(period)
    month = 3 * p.quarter
    after = date(p.year + 1, 1, 1) if month == 12 else date(p.year, month + 1, 1)
    d = after - timedelta(days=1)
    return f"{d.year}年{d.month}月{d.day}日"


def county_kinds(units: pd.DataFrame, parent: str) -> str:
    """The county-level units of ``parent`` as a 通报 addresses them: 各县（市、区）, 各区."""
    kids = units[units["parent_code"].fillna("").astype(str) == str(parent)]
    words = [w for w in UNIT_WORDS if kids["type"].astype(str).str.endswith(w).any()]
    if not words:
        return "各下级单位"
    head, *rest = words
    return f"各{head}" + (f"（{'、'.join(rest)}）" if rest else "")


def header(meta: dict[str, Any], heading: str, to: str) -> str:
    """The document header: bureau, 文号 (the number left blank for the bureau), the title
    and the 主送 line."""
    settings = meta.get("report") or {}
    year = parse_period(str(meta["period"])).year
    number = f"{e(settings.get('number_prefix', ''))}〔{year}〕　　号"
    return (
        "<div class='dochead'>"
        f"<div class='bureau'>{e(settings.get('bureau', ''))}</div>"
        f"<div class='docno'>{number}</div></div>"
        f"<h1>{e(heading)}</h1>" + (f"<p class='to'>{e(to)}：</p>" if to else "")
    )


def source_line(meta: dict[str, Any], label: str, reporters: str, filed: str) -> str:
    """Where the numbers came from, in words: whose returns, for which quarter (``label``, as
    the context says it), how many were filed (``filed``: 12个单位中11个已报送), as of when."""
    period = str(meta["period"])
    plan = e(meta.get("plan_title"))
    note = f"（{e(filed)}）" if filed else ""
    return (
        f"<div class='meta'><span>依据：{plan}</span>"
        f"<span>数据来源：{e(reporters)}{e(label)}报表{note}，数据截至{quarter_end(period)}</span>"
        "</div>"
    )


def closing(meta: dict[str, Any]) -> str:
    """落款 (bureau and date), set right as 公文 end."""
    settings = meta.get("report") or {}
    return (
        f"<div class='sign'><p>{e(settings.get('signature', ''))}</p>"
        f"<p>{chinese_date(meta.get('generated_at'))}</p></div>"
    )


def colophon(meta: dict[str, Any]) -> str:
    """版记: 报送 and 抄送 lines and who printed it when."""
    settings = meta.get("report") or {}
    lines = []
    if settings.get("report_to"):
        lines.append(f"报送：{'，'.join(e(x) for x in settings['report_to'])}。")
    cc = settings.get("cc") or ["局领导", "局机关各处室"]
    lines.append(f"抄送：{'，'.join(e(x) for x in cc)}。")
    printed = f"{e(settings.get('bureau', ''))}　　{chinese_date(meta.get('generated_at'))}印发"
    lines.append(printed)
    return "<div class='colophon'>" + "".join(f"<p>{line}</p>" for line in lines) + "</div>"
