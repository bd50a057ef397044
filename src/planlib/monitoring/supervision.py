"""督办 items: what a report must press on, with a deadline, an owner, last quarter's follow-up
and an escalation level, as a bureau's 督查通报 lists them.

An item is one of three lapses at a quarter:

- **指标** – a unit (the city or a county) 未达标 or 接近 on a target (:func:`behind_since`: a
  quarter without data neither starts nor ends its run);
- **报表** – a county that sent no return for the quarter (status 未报送);
- **台账** – a department named on a task (牵头 or 责任) that filed no ledger row on it for the
  quarter (status 台账未报送).

Follow-up runs the same rules on the previous quarter of the year: an item there and here is
未整改, one only here 新增, and one only there comes back once as 已整改 (with today's status). A
target item whose unit sent nothing this quarter stays open (未整改, status 未报送): nothing shows
it was fixed. ``quarters_open`` counts the quarters the item has been listed without a break
(for a target: the quarters since its run began); the escalation level follows it by
:class:`SupervisionRules` (default: 1 提醒, 2 督办 from the second quarter open, 3 约谈通报
from the third), which a bureau sets in ``planlib.toml``::

    [report.supervision]
    escalate_after = [2, 3]        # quarters open for levels 2 and 3
    levels = ["提醒", "督办", "约谈通报"]
    return_deadline_days = 10      # a quarter's return is due this many days after it ends
    county_bureau = "{name}教育局"  # who answers for a county's items

Deadline: the plan's 完成时限 for the task when it falls after the quarter, else the department's
own 计划完成时间 from the ledger, else the next quarter's return deadline.

Columns (:data:`SUPERVISION_COLUMNS`): ``period``, ``item_kind`` (指标/报表/台账), ``org_code``,
``org_name``, ``level`` (city/county; "" for a 台账 item), ``task_id``, ``task_title``,
``indicator``, ``indicator_name`` ("" unless 指标), ``status`` (未达标/接近/未报送/台账未报送;
on 已整改 rows today's status, e.g. 达标/已报送), ``since`` (the run's first quarter),
``quarters_behind`` (quarters with data in the run), ``missing_periods`` (the run's quarters
without data, comma-joined codes), ``value_shown``, ``precision``, ``unit``, ``target_text``,
``still_needed`` (the exact shortfall), ``still_needed_unit``, ``met_by_rounding``,
``deadline`` (YYYY-MM-DD), ``deadline_source`` (计划完成时间/台账计划完成时间/下季度报送截止),
``responsible_unit``, ``responsible_person`` ("" unless the ledger names one in a ``person``
column), ``follow_up`` (新增/未整改/已整改), ``quarters_open``, ``escalation`` (1–3),
``escalation_name``, ``departments`` (the 处室 answering for the item, 、-joined).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import UsageError
from ..periods import Period, parse_period
from .behind import behind_since
from .tasks import parse_due, period_end

if TYPE_CHECKING:
    from .pipeline import Monitoring

SUPERVISION_COLUMNS: list[str] = [
    "period",
    "item_kind",
    "org_code",
    "org_name",
    "level",
    "task_id",
    "task_title",
    "indicator",
    "indicator_name",
    "status",
    "since",
    "quarters_behind",
    "missing_periods",
    "value_shown",
    "precision",
    "unit",
    "target_text",
    "still_needed",
    "still_needed_unit",
    "met_by_rounding",
    "deadline",
    "deadline_source",
    "responsible_unit",
    "responsible_person",
    "follow_up",
    "quarters_open",
    "escalation",
    "escalation_name",
    "departments",
]

KEY = ["item_kind", "org_code", "task_id", "indicator", "responsible_unit"]
"""What makes an item the same item from one quarter to the next."""

ORDER = {"未报送": 0, "台账未报送": 0, "未达标": 1, "接近": 2}


@dataclass(frozen=True)
class SupervisionRules:
    """How items escalate and when they are due; a bureau sets them in ``[report.supervision]``."""

    escalate_after: tuple[int, int] = (2, 3)
    levels: tuple[str, str, str] = ("提醒", "督办", "约谈通报")
    return_deadline_days: int = 10
    county_bureau: str = "{name}教育局"

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> SupervisionRules:
        """The rules from a ``[report.supervision]`` table (missing keys keep the defaults)."""
        raw = dict(config or {})
        unknown = sorted(
            set(raw) - {"escalate_after", "levels", "return_deadline_days", "county_bureau"}
        )
        if unknown:
            raise UsageError(
                f"[report.supervision] 中的设置 {'、'.join(unknown)} 无法识别；可用："
                "escalate_after、levels、return_deadline_days、county_bureau"
            )
        after = tuple(raw.get("escalate_after", cls.escalate_after))
        if (
            len(after) != 2
            or not all(isinstance(n, int) and n >= 1 for n in after)
            or (after[0] > after[1])
        ):
            raise UsageError(
                f"[report.supervision] escalate_after 应为两个递增的正整数（如 [2, 3]），实际为 {after!r}"
            )
        levels = tuple(str(x) for x in raw.get("levels", cls.levels))
        if len(levels) != 3:
            raise UsageError(
                '[report.supervision] levels 应为三级名称，如 ["提醒", "督办", "约谈通报"]'
            )
        days = raw.get("return_deadline_days", cls.return_deadline_days)
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 90:
            raise UsageError(
                f"[report.supervision] return_deadline_days 应为 0–90 的整数，实际为 {days!r}"
            )
        bureau = str(raw.get("county_bureau", cls.county_bureau))
        return cls((after[0], after[1]), (levels[0], levels[1], levels[2]), days, bureau)

    def level(self, quarters_open: int) -> int:
        """1, 2 or 3 for an item open this many quarters."""
        return 1 + sum(quarters_open >= n for n in self.escalate_after)


def rules_of(run: Monitoring) -> SupervisionRules:
    """The rules of the run's workspace (its ``planlib.toml``), else the defaults."""
    ws = getattr(run.dataset, "workspace", None)
    config = (getattr(ws, "report", None) or {}).get("supervision") if ws is not None else None
    return SupervisionRules.from_config(config)


def next_return_deadline(p: Period, rules: SupervisionRules) -> pd.Timestamp:
    """When the next quarter's return is due: its last day plus the rules' days."""
    following = Period(p.year + (p.quarter == 4), p.quarter % 4 + 1)
    return period_end(following) + pd.Timedelta(days=rules.return_deadline_days)


def _deadline(
    task: Any, ledger: pd.DataFrame, p: Period, rules: SupervisionRules
) -> tuple[str, str]:
    """(deadline, where it comes from) for an item of ``task`` (None: no task) at ``p``."""
    end = period_end(p)
    if task is not None:
        due = parse_due(getattr(task, "due", ""), p.year)
        if due is not None and due > end:
            return f"{due:%Y-%m-%d}", "计划完成时间"
        mine = ledger[ledger["task_id"].astype(str) == task.id] if len(ledger) else ledger
        dues = [d for d in (parse_due(x, p.year) for x in mine.get("due", [])) if d is not None]
        later = [d for d in dues if d > end]
        if later:
            return f"{min(later):%Y-%m-%d}", "台账计划完成时间"
    return f"{next_return_deadline(p, rules):%Y-%m-%d}", "下季度报送截止"


def _person(ledger: pd.DataFrame, task_id: str, unit: str) -> str:
    """The person the ledger names for (task, department), latest first; "" when none."""
    if ledger.empty or "person" not in ledger:
        return ""
    mine = ledger[(ledger["task_id"].astype(str) == task_id) & (ledger["unit"].astype(str) == unit)]
    named = [str(x) for x in mine.sort_values("period")["person"] if str(x).strip()]
    return named[-1] if named else ""


def _target_items(run: Monitoring, p: str, rules: SupervisionRules) -> list[dict[str, Any]]:
    """指标 items at ``p``: every unit 未达标 or 接近 on a target."""
    behind = behind_since(run.assessment, p)
    if behind.empty:
        return []
    a = run.assessment[run.assessment["period"].astype(str) == p]
    extra = {
        (str(o), str(t), str(i)): (
            str(lv),
            u if isinstance(u, str) else "",
            ld if isinstance(ld, str) else "",
        )
        for o, t, i, lv, u, ld in zip(
            a["org_code"],
            a["task_id"],
            a["indicator"],
            a["level"],
            a["units"],
            a["lead_units"],
            strict=True,
        )
    }
    tasks = {t.id: t for t in run.plan.tasks}
    ledger = _ledger_upto(run, p)
    when = parse_period(p)
    out = []
    for r in behind.to_dict("records"):
        level, own, lead = extra[(str(r["org_code"]), str(r["task_id"]), str(r["indicator"]))]
        units = own or lead
        county = level != "city"
        task = tasks.get(str(r["task_id"]))
        owner = rules.county_bureau.format(name=r["org_name"]) if county else units
        first = units.split("、")[0] if units else ""
        deadline, source = _deadline(task, ledger[ledger["period"].astype(str) == p], when, rules)
        out.append(
            {
                **{c: r.get(c) for c in SUPERVISION_COLUMNS if c in r},
                "item_kind": "指标",
                "level": level,
                "task_title": task.title if task is not None else "",
                "deadline": deadline,
                "deadline_source": source,
                "responsible_unit": owner,
                "responsible_person": "" if county else _person(ledger, str(r["task_id"]), first),
                "departments": units,
            }
        )
    return out


def _ledger_upto(run: Monitoring, p: str) -> pd.DataFrame:
    led = run.dataset.ledger
    if led is None or led.empty:
        return pd.DataFrame(columns=["task_id", "unit", "period", "due"])
    wanted = parse_period(p)
    at = led["period"].astype(str).map(lambda x: parse_period(x) <= wanted)
    return led[at.to_numpy(dtype=bool)]


def _reported(run: Monitoring, p: str) -> set[str]:
    """The counties with any value (their own or their schools') at ``p``."""
    v = run.dataset.values
    codes = set(v.loc[v["period"].astype(str) == p, "org_code"].astype(str))
    schools = run.dataset.org_units.schools
    counties = schools.loc[schools["code"].astype(str).isin(codes), "county_code"].astype(str)
    return codes | set(counties)


def _return_items(run: Monitoring, p: str, rules: SupervisionRules) -> list[dict[str, Any]]:
    """报表 items at ``p``: every county that sent no return, with its run of missed quarters."""
    units = run.dataset.org_units.units
    counties = units[units["level"] == "county"]
    quarters = [q for q in run.periods if q[:4] == p[:4] and q <= p]
    sent = {q: _reported(run, q) for q in quarters}
    departments = "、".join(
        dict.fromkeys(
            d
            for text in run.assessment.loc[run.assessment["level"] == "county", "units"].astype(str)
            for d in text.split("、")
            if d
        )
    )
    when = parse_period(p)
    deadline = f"{next_return_deadline(when, rules):%Y-%m-%d}"
    out = []
    for code, name in zip(counties["code"].astype(str), counties["name"].astype(str), strict=True):
        if code in sent.get(p, set()):
            continue
        run_of = []
        for q in reversed(quarters):
            if code in sent[q]:
                break
            run_of.append(q)
        out.append(
            {
                "item_kind": "报表",
                "org_code": code,
                "org_name": name,
                "level": "county",
                "task_id": "",
                "task_title": "",
                "indicator": "",
                "indicator_name": "",
                "status": "未报送",
                "since": run_of[-1],
                "quarters_behind": len(run_of),
                "missing_periods": ",".join(sorted(run_of)),
                "deadline": deadline,
                "deadline_source": "下季度报送截止",
                "responsible_unit": rules.county_bureau.format(name=name),
                "responsible_person": "",
                "departments": departments,
            }
        )
    return out


def _ledger_items(run: Monitoring, p: str, rules: SupervisionRules) -> list[dict[str, Any]]:
    """台账 items at ``p``: each department named on a task that filed no ledger row on it."""
    led = run.dataset.ledger
    if led is None or led.empty:
        return []  # a bureau that keeps no ledger is not told it missed one
    ledger = _ledger_upto(run, p)
    now = ledger[ledger["period"].astype(str) == p]
    when = parse_period(p)
    out = []
    for task in run.plan.tasks:
        expected = list(dict.fromkeys((*task.lead_units, *task.responsible_units)))
        filed = set(now.loc[now["task_id"].astype(str) == task.id, "unit"].astype(str))
        deadline, source = _deadline(task, now, when, rules)
        for unit in expected:
            if unit in filed:
                continue
            out.append(
                {
                    "item_kind": "台账",
                    "org_code": "",
                    "org_name": unit,
                    "level": "",
                    "task_id": task.id,
                    "task_title": task.title,
                    "indicator": "",
                    "indicator_name": "",
                    "status": "台账未报送",
                    "since": p,
                    "quarters_behind": 1,
                    "missing_periods": "",
                    "deadline": deadline,
                    "deadline_source": source,
                    "responsible_unit": unit,
                    "responsible_person": _person(ledger, task.id, unit),
                    "departments": unit,
                }
            )
    return out


def items_at(run: Monitoring, period: str, rules: SupervisionRules) -> pd.DataFrame:
    """Every item at ``period`` before follow-up (the same rules for every quarter)."""
    rows = [
        *_target_items(run, period, rules),
        *_return_items(run, period, rules),
        *_ledger_items(run, period, rules),
    ]
    frame = pd.DataFrame(rows).reindex(columns=SUPERVISION_COLUMNS)
    return frame.assign(period=period)


def supervision_items(
    run: Monitoring,
    period: str | None = None,
    *,
    department: str | None = None,
    org_code: str | None = None,
    rules: SupervisionRules | None = None,
) -> pd.DataFrame:
    """Every 督办 item at ``period`` (default the run's), with last quarter's follow-up and the
    escalation level (:data:`SUPERVISION_COLUMNS`, described in the module docstring).

    ``department``: the items that department answers for (its targets, county rows included,
    its own ledger lapses, and missing county returns when it has county targets). ``org_code``:
    one unit's items (a code or a name). ``rules``: default the workspace's
    ``[report.supervision]``, else :class:`SupervisionRules`' defaults.
    """
    p = str(period or run.period)
    if p not in run.periods:
        raise UsageError(f"报告期 {p} 不在本次计算的季度（{'、'.join(run.periods)}）中")
    rules = rules or rules_of(run)
    quarters = [q for q in run.periods if q[:4] == p[:4] and q <= p]
    frames = {q: items_at(run, q, rules) for q in quarters}
    now = frames[p]
    prev = frames[quarters[-2]] if len(quarters) > 1 else now.iloc[0:0]
    keys = {q: set(_keys(f)) for q, f in frames.items()}
    now = _follow_up(now, prev, keys[quarters[-2]] if len(quarters) > 1 else set())
    now = pd.concat([now, _closed(run, p, prev, set(_keys(now)))], ignore_index=True)
    now["quarters_open"] = _open(now, quarters, keys)
    level = [
        0 if f == "已整改" else rules.level(int(n))
        for f, n in zip(now["follow_up"], now["quarters_open"], strict=True)
    ]
    now["escalation"] = level
    now["escalation_name"] = [rules.levels[n - 1] if n else "" for n in level]
    now = _chosen(run, now, department, org_code)
    order = now.assign(
        _f=now["follow_up"].eq("已整改"), _s=now["status"].map(ORDER).fillna(3)
    ).sort_values(
        ["_f", "escalation", "_s", "quarters_behind", "org_code", "task_id"],
        ascending=[True, False, True, False, True, True],
        kind="stable",
    )
    out = order[SUPERVISION_COLUMNS].reset_index(drop=True)
    return out.astype({"quarters_open": "int64", "escalation": "int64"})


def _keys(frame: pd.DataFrame) -> list[tuple[str, ...]]:
    return [tuple(str(x) for x in row) for row in frame[KEY].fillna("").to_numpy()]


def _follow_up(now: pd.DataFrame, prev: pd.DataFrame, before: set[tuple[str, ...]]) -> pd.DataFrame:
    """新增 or 未整改 for this quarter's items; a target item whose run began earlier is
    未整改 even across a quarter without data."""
    keys = _keys(now)
    earlier = (now["item_kind"] == "指标") & (now["since"].astype(str) < now["period"].astype(str))
    follow = ["未整改" if k in before or e else "新增" for k, e in zip(keys, earlier, strict=True)]
    return now.assign(follow_up=follow)


def _closed(
    run: Monitoring, p: str, prev: pd.DataFrame, current: set[tuple[str, ...]]
) -> pd.DataFrame:
    """Last quarter's items not on this quarter's list: 已整改 with today's status, or (a target
    whose unit sent nothing now) still open as 未报送."""
    gone = prev[[k not in current for k in _keys(prev)]] if len(prev) else prev
    if gone.empty:
        return gone.assign(follow_up=pd.Series(dtype=object))
    a = run.assessment[run.assessment["period"].astype(str) == p]
    status = a.drop_duplicates(["org_code", "task_id", "indicator"]).set_index(
        ["org_code", "task_id", "indicator"]
    )["status"]
    rows = []
    for r in gone.to_dict("records"):
        r = {**r, "period": p}
        if r["item_kind"] == "指标":
            today = str(status.get((r["org_code"], r["task_id"], r["indicator"]), "无数据"))
            if today == "无数据":  # nothing shows it was fixed: still open
                gaps = [g for g in str(r["missing_periods"] or "").split(",") if g]
                r.update(status="未报送", follow_up="未整改", missing_periods=",".join([*gaps, p]))
                rows.append(r)
                continue
            r.update(status=today, follow_up="已整改")
        else:
            r.update(status="已报送", follow_up="已整改")
        rows.append(r)
    return pd.DataFrame(rows).reindex(columns=[*SUPERVISION_COLUMNS])


def _open(
    now: pd.DataFrame, quarters: list[str], keys: dict[str, set[tuple[str, ...]]]
) -> list[int]:
    """Quarters each item has been open: listed in each quarter back from this one without a
    break; a target item counts the quarters since its run began (gaps included)."""
    out = []
    for k, kind, since, p in zip(
        _keys(now), now["item_kind"], now["since"], now["period"], strict=True
    ):
        n = 0
        for q in reversed(quarters):
            if k not in keys[q]:
                break
            n += 1
        if kind == "指标" and isinstance(since, str) and since:
            n = max(n, parse_period(str(p)).quarter - parse_period(since).quarter + 1)
        out.append(max(n, 1))
    return out


def _chosen(
    run: Monitoring, frame: pd.DataFrame, department: str | None, org_code: str | None
) -> pd.DataFrame:
    """The items of one department and/or one unit."""
    if department is not None:
        from .departments import check_departments, department_names

        check_departments(department, department_names(run.plan))
        mine = (
            frame["departments"].fillna("").astype(str).map(lambda s: department in s.split("、"))
        )
        frame = frame[mine.to_numpy(dtype=bool)]
    if org_code is not None:
        code = run.dataset.org_units.code(org_code)
        frame = frame[frame["org_code"].astype(str) == code]
    return frame


__all__ = [
    "SUPERVISION_COLUMNS",
    "SupervisionRules",
    "items_at",
    "next_return_deadline",
    "supervision_items",
]
