"""What a table column's header words and cells say it holds: the vocabulary of header names
bureaus use (a weak signal, :mod:`.shapes` weighs it against the cells) and the shapes of a
deadline cell and a units cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_ROLE_RES: list[tuple[str, re.Pattern[str]]] = [
    (role, re.compile(pattern))
    for role, pattern in (
        (
            "other",
            r".*(领导|责任人|联系人|电话|进展|完成情况|成效|备注|序时|评分|得分|分值|督办).*",
        ),
        ("due", r"(计划)?(完成|办结)?(时限|时间|期限|时间节点|节点)(要求|安排)?|时间进度|进度安排"),
        (
            "lead",
            r"(牵头|主要责任|牵头责任|主责|主办|主体责任)(单位|科室|处室|部门|股室|科股)?|责任主体",
        ),
        (
            "responsible",
            r"(责任|配合|协同配合|协办|参与|协同|协作|协助|配合责任)(单位|科室|处室|部门|股室|科股)",
        ),
        ("seq", r"序号?|编号|No\.?"),
        ("group", r"(项目|工作|任务)?(类别|分类|类型)|领域|板块|版块|重点领域|方面|专项"),
        (
            "task",
            r"(工作|重点|主要)?(任务|事项)(名称)?|(民生|实事)?(事项|项目)名称|(民生)?实事(项目|内容)|"
            r"重点工作|工作内容|工作项目|项目|目标与任务|重点工作目标任务|重点任务内容",
        ),
        (
            "content",
            r"(\d{4}年度?)?(具体|年度|主要|工作|任务|预期|建设)?(内容|目标|措施|举措|任务目标|"
            r"目标任务|要求|标准|指标)|完成标准|推进措施|具体工作|目标要求|具体任务",
        ),
    )
]
_DEADLINE_RE = re.compile(
    r"\d{4}年|\d{1,2}月|年底|年内|年末|底前|月底|季度|长期|持续|全年|常态|上半年|下半年|"
    r"\d{4}[-./]\d{1,2}|每月|每季|每年"
)
_UNIT_END_RE = re.compile(
    r".{1,24}(局|委|办|处|科|室|股|中心|馆|站|院|校|学校|单位|政府|部|组|会|队|所|街道|镇|乡|"
    r"区|县|市|专班|公司|部门|各处室|机构|党委|支部)"
)


def column_role(name: str) -> str | None:
    """序号 → seq, 牵头单位 → lead …; None for a cell that is no known header."""
    s = re.sub(r"\s+", "", name).strip("：:*＊")
    if not s or len(s) > 16:
        return None
    for role, pattern in _ROLE_RES:
        if pattern.fullmatch(s):
            return role
    return None


def is_header_row(cells: Sequence[str]) -> bool:
    """Whether these cells read as a 任务分解表 header (a task or content column and a units
    or deadline column among at least three known ones)."""
    return is_header_roles([column_role(c) for c in cells])


def is_header_roles(roles: Sequence[str | None]) -> bool:
    known = [r for r in roles if r]
    return (
        len(known) >= 3
        and len(known) >= 0.6 * len(roles)
        and any(r in ("task", "content") for r in known)
        and any(r in ("lead", "responsible", "due") for r in known)
    )


def looks_like_deadline(text: str) -> bool:
    return bool(text) and len(text) <= 40 and bool(_DEADLINE_RE.search(text))


def looks_like_units(text: str) -> bool:
    parts = [p for p in re.split(r"[、，,；;/／\s]+", text) if p]
    return bool(parts) and "。" not in text and all(_UNIT_END_RE.fullmatch(p) for p in parts)
