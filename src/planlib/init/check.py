"""``planlib check``: what is left to settle in a workspace before its reports can be trusted.

Targets without an indicator, indicators whose data elements no form asks for, departments a
target names that the plan does not, allocations that do not add up to the city's target or
name units the registry lacks, and plan indicators a person has not yet confirmed.
"""

from __future__ import annotations

import math

import pandas as pd

from ..catalog.definitions import IndicatorSet, load_indicators
from ..catalog.dictionary import Dictionary, load_dictionary
from ..errors import PlanlibError
from ..plan.files import load_plan
from ..plan.model import Plan
from ..workspace import Workspace

CHECK_COLUMNS = ["severity", "topic", "item", "message"]
"""``severity``: 错误 (a report would be wrong or incomplete) or 提示 (worth a look)."""


def _row(severity: str, topic: str, item: str, message: str) -> dict[str, str]:
    return {"severity": severity, "topic": topic, "item": item, "message": message}


def _targets(plan: Plan, defs: IndicatorSet) -> list[dict[str, str]]:
    rows = []
    for task, t in plan.targets:
        if not t.code:
            rows.append(
                _row(
                    "错误", "目标", f"任务 {task.id}「{t.indicator}」", "未对应任何指标，不会被评估"
                )
            )
        elif t.code not in defs:
            rows.append(
                _row(
                    "错误",
                    "目标",
                    f"任务 {task.id}「{t.indicator}」",
                    f"对应的指标 {t.code} 不在 indicators.yaml 中",
                )
            )
    for g in plan.goals:
        if not g.code or g.code not in defs:
            rows.append(_row("错误", "目标", f"总体目标「{g.indicator}」", "未对应工作区中的指标"))
    return rows


def _elements(defs: IndicatorSet, dictionary: Dictionary) -> list[dict[str, str]]:
    have = {e.code: e for e in dictionary.elements}
    rows = []
    used: set[str] = set()
    for ind in defs:
        formulas = [ind.numerator, *([ind.denominator] if ind.denominator else [])]
        for term in {t for f in formulas for t in f.all_terms}:
            if not term.element:
                continue
            used.add(term.element)
            e = have.get(term.element)
            want = "school" if term.kind == "school_sum" else ("county", "city")
            if e is None:
                rows.append(
                    _row(
                        "错误",
                        "数据元素",
                        f"{ind.name}（{ind.code}）",
                        f"用到的数据元素 {term.element} 不在 dictionary.yaml 中：报表不会要求填报",
                    )
                )
            elif e.level not in want:
                rows.append(
                    _row(
                        "错误",
                        "数据元素",
                        f"{ind.name}（{ind.code}）",
                        f"数据元素 {e.name}（{e.code}）的层级为 {e.level}，与公式的用法不符",
                    )
                )
    for e in dictionary.elements:
        if e.code not in used and e.required:
            rows.append(
                _row(
                    "提示", "数据元素", f"{e.name}（{e.code}）", "没有指标用到它，报表仍会要求填报"
                )
            )
    return rows


def _departments(plan: Plan) -> list[dict[str, str]]:
    known = {u.name for u in plan.units}
    for task in plan.tasks:
        known |= set(task.lead_units) | set(task.responsible_units)
    rows = []
    for task, t in plan.targets:
        for unit in t.units:
            if unit not in known:
                rows.append(
                    _row(
                        "提示",
                        "处室",
                        f"任务 {task.id}「{t.indicator}」",
                        f"责任处室「{unit}」不在计划列出的单位中，请核对名称",
                    )
                )
    if plan.tasks and not known:
        rows.append(_row("提示", "处室", "全部任务", "计划中没有牵头或责任处室，处室报告无法生成"))
    return rows


def _allocations(ws: Workspace, plan: Plan, defs: IndicatorSet) -> list[dict[str, str]]:
    from ..monitoring.allocations import load_allocations
    from ..returns.orgunits import load_org_units

    if not ws.allocations_path.is_file():
        return [
            _row("提示", "分解目标", "allocations.csv", "没有分解目标文件：县区目标按默认方法分解")
        ]
    try:
        alloc = load_allocations(ws.allocations_path, year=ws.year, indicators=defs)
        units = load_org_units(ws.data_dir).units
    except PlanlibError as err:
        return [_row("错误", "分解目标", "allocations.csv", str(err))]
    counties = units[units["level"] == "county"]
    names = dict(zip(counties["name"].astype(str), counties["code"].astype(str), strict=False))
    codes = set(counties["code"].astype(str))
    rows = []
    for county in sorted(set(alloc["county"].astype(str)) - codes - set(names)):
        rows.append(_row("错误", "分解目标", county, "单位表中没有这个县市区"))
    from .allocations import shared_targets

    for code, target, unit in shared_targets(plan, defs):
        ind = defs[code]
        part = alloc[alloc["indicator"] == code]
        filled = {names.get(c, c) for c in part["county"].astype(str)} & codes
        total = float(part["target"].sum())
        item = f"{ind.name}（{ind.code}）"
        if filled >= codes and not math.isclose(total, target, rel_tol=1e-9, abs_tol=1e-6):
            rows.append(
                _row(
                    "错误",
                    "分解目标",
                    item,
                    f"各县市区目标之和 {total:g}{unit} 与全市目标 {target:g}{unit} 不等",
                )
            )
        elif not filled >= codes:
            rows.append(
                _row(
                    "提示",
                    "分解目标",
                    item,
                    f"{len(codes - filled)} 个县市区未填写分解目标，按默认方法分解",
                )
            )
    return rows


def _plan_indicators(ws: Workspace) -> list[dict[str, str]]:
    import yaml

    raw = yaml.safe_load(ws.indicators_path.read_text(encoding="utf-8")) or {}
    return [
        _row(
            "提示",
            "本计划指标",
            f"{e.get('name')}（{e.get('code')}）",
            "按计划原文建立，请确认分子、分母与报送口径",
        )
        for e in raw.get("indicators") or []
        if e.get("origin") == "plan" and not e.get("confirmed")
    ]


def check_workspace(ws: Workspace) -> pd.DataFrame:
    """Everything left to settle in ``ws``: one row per finding (:data:`CHECK_COLUMNS`)."""
    plan = load_plan(ws.plan_path)
    defs = load_indicators(ws.indicators_path)
    dictionary = load_dictionary(ws.dictionary_path)
    rows = [
        *_targets(plan, defs),
        *_elements(defs, dictionary),
        *_departments(plan),
        *_allocations(ws, plan, defs),
        *_plan_indicators(ws),
    ]
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)
