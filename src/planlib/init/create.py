"""``planlib init``: a workspace for one plan, from a plan document to everything the commands read.

Every quantitative target is matched to a library indicator by its wording and unit; a target
no library indicator fits gets a plan indicator made from its own words. The workspace holds
only the indicators and data elements its plan needs. What init had to assume is written to
``待确认清单.md`` for a person to check. The folder is built beside its destination and renamed
into place, so an interrupted init leaves nothing half-made.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..catalog.definitions import IndicatorSet, load_indicators
from ..catalog.dictionary import Dictionary, load_dictionary
from ..catalog.matching import LIKELY, Match, describe_match, match_target, plan_indicator
from ..errors import PlanlibError, WorkspaceError
from ..plan.files import load_plan, plan_text, write_text_atomic
from ..plan.model import Plan, Target
from ..returns.sample import SampleSummary
from ..workspace import CONFIG_NAME, Workspace, library_dir, open_workspace
from .catalog import Composition, LibraryFiles, library_files, yaml_text

PLAN_SUFFIXES = (".yaml", ".yml", ".json")
CHECKLIST_NAME = "待确认清单.md"


@dataclass(frozen=True)
class Decision:
    """How one target got its indicator: ``how`` is 计划文件, 名称一致, 相近, 待确认 or 本计划指标."""

    where: str  # 任务 1.3 / 总体目标
    wording: str  # the target as written: 学前三年毛入学率达到93.5%
    indicator: str  # the code chosen
    how: str
    note: str = ""


@dataclass(frozen=True)
class InitResult:
    """What ``init`` made, for the command to report."""

    workspace: Workspace
    plan: Plan
    decisions: tuple[Decision, ...]
    to_confirm: tuple[str, ...]
    library_indicators: int
    plan_indicators: int
    elements: int
    sample_files: int = 0
    sample: SampleSummary | None = None


def read_plan_document(path: Path) -> tuple[Plan, list[str]]:
    """A plan file (.yaml/.json) as it is, any other document through extraction."""
    if path.suffix.lower() in PLAN_SUFFIXES:
        return load_plan(path), []
    from ..plan.extraction.extract import extract_plan

    result = extract_plan(path, codes=False)
    return result.plan, [str(w) for w in result.warnings]


def _target_where(task_id: str | None) -> str:
    return f"任务 {task_id}" if task_id else "总体目标"


def _wording(t: Target) -> str:
    return t.source or f"{t.indicator}{t.value:g}{t.unit}"


class _Matcher:
    """Decides each target's indicator, gathering the catalog and the checklist on the way."""

    def __init__(self, library: IndicatorSet, dictionary: Dictionary, raw: LibraryFiles) -> None:
        self.library = library
        self.composition = Composition(raw)
        self.decisions: list[Decision] = []
        self.to_confirm: list[str] = []
        self.names_in_use = {e.name for e in dictionary.elements}
        self.by_name: dict[str, str] = {}  # plan indicators, one per wording

    def settle(self, t: Target, task_id: str | None) -> Target:
        where = _target_where(task_id)
        if t.code and t.code in self.library:
            self.composition.use(t.code)
            self.decisions.append(Decision(where, _wording(t), t.code, "计划文件"))
            return t
        m = match_target(self.library, t.indicator, t.unit, t.source)
        if m.code is not None and m.confidence in ("exact", "likely"):
            return self._library(t, m, where)
        close = m.confidence == "uncertain" and m.reason == "候选接近" and m.score >= LIKELY
        if m.code is not None and close:
            return self._library(t, m, where)  # one of a few close ones: the best, to confirm
        return self._plan(t, where, m)

    def _library(self, t: Target, m: Match, where: str) -> Target:
        assert m.code is not None
        self.composition.use(m.code)
        how = {"exact": "名称一致", "likely": "相近", "uncertain": "待确认"}[m.confidence]
        self.decisions.append(
            Decision(where, _wording(t), m.code, how, describe_match(m, self.library))
        )
        if m.confidence != "exact":
            self.to_confirm.append(f"{where}「{_wording(t)}」：{describe_match(m, self.library)}")
        return dataclasses.replace(t, code=m.code)

    def _plan(self, t: Target, where: str, m: Match) -> Target:
        code = self.by_name.get(t.indicator)
        if code is None:
            code = self._new_plan_indicator(t, where, m)
            self.by_name[t.indicator] = code
        self.decisions.append(Decision(where, _wording(t), code, "本计划指标"))
        return dataclasses.replace(t, code=code)

    def _new_plan_indicator(self, t: Target, where: str, m: Match) -> str:
        """A plan indicator for ``t``'s wording, or the one already made under the same name
        (两处「新建标准化考点N个」 are one indicator)."""
        made = {str(i["name"]): str(i["code"]) for i in self.composition.plan_indicators}
        used = set(self.library.codes) | set(made.values())
        entry, elements = plan_indicator(t.indicator, t.unit, t.comparator, used, self.names_in_use)
        if str(entry["name"]) in made:
            return made[str(entry["name"])]
        self.composition.add_plan(entry, elements)
        self.names_in_use |= {str(e["name"]) for e in elements}
        code = str(entry["code"])
        near = "、".join(
            f"{self.library[c].name} {score:.2f}" for c, score in m.candidates if c in self.library
        )
        self.to_confirm.append(
            f"{where}「{_wording(t)}」：指标库中没有对应指标，已按计划原文建立本计划指标"
            f"「{entry['name']}」（{code}），需各县市区报送："
            f"{'、'.join(str(e['name']) for e in elements)}。请确认口径，或在 indicators.yaml 中"
            "改用标准指标" + (f"（指标库中最接近的：{near}）" if near else "") + "。"
        )
        return code


def settle_targets(plan: Plan, matcher: _Matcher) -> Plan:
    """The plan with every target's ``code`` set."""
    goals = tuple(matcher.settle(g, None) for g in plan.goals)
    tasks = tuple(
        dataclasses.replace(task, targets=tuple(matcher.settle(t, task.id) for t in task.targets))
        for task in plan.tasks
    )
    return dataclasses.replace(plan, goals=goals, tasks=tasks)


def _config_text(plan: Plan, year: int) -> str:
    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [
        "# planlib 工作区配置：本目录下运行的 planlib 命令都读取这里列出的文件。",
        "# 计划、指标和数据元素可以直接编辑；改动后运行 planlib check 查看还需确认的事项。",
        "[plan]",
        f"title = {q(plan.title)}",
        f"year = {year}",
        f"issuer = {q(plan.issuer)}",
        'file = "plan.yaml"',
        "",
        "[files]",
        'indicators = "indicators.yaml"',
        'dictionary = "dictionary.yaml"',
        'allocations = "allocations.csv"',
        "",
        '# 口径设置（与 --set 相同），如 population_basis = "户籍"',
        "[settings]",
    ]
    return "\n".join(lines) + "\n"


def _check_destination(folder: Path, force: bool) -> None:
    if not folder.exists():
        return
    if not folder.is_dir():
        raise WorkspaceError(f"{folder} 已存在且不是目录")
    ours = (folder / CONFIG_NAME).is_file() or is_sample_folder(folder)
    if any(folder.iterdir()) and not (force and ours):
        hint = "；要重建已有的工作区请加 --force" if (folder / CONFIG_NAME).is_file() else ""
        raise WorkspaceError(f"目录 {folder} 不是空目录，为避免覆盖请换一个目录{hint}")


def is_sample_folder(folder: Path) -> bool:
    """A folder an earlier sample run wrote (its README.txt carries the mark)."""
    from ..returns.sample import SAMPLE_MARK

    readme = folder / "README.txt"
    return readme.is_file() and SAMPLE_MARK in readme.read_text(encoding="utf-8", errors="replace")


def _swap_in(work: Path, final: Path) -> None:
    if final.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old.", dir=final.parent))
        final.rename(old / final.name)
        work.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        work.rename(final)


def init_workspace(
    folder: str | Path,
    plan_file: str | Path,
    *,
    org_units: str | Path | None = None,
    schools: str | Path | None = None,
    allocations: str | Path | None = None,
    sample: bool = False,
    year: int | None = None,
    seed: int = 2022,
    force: bool = False,
    sample_options: Mapping[str, Any] | None = None,
) -> InitResult:
    """Make a workspace in ``folder`` for the plan in ``plan_file`` (a plan file, or a document
    to extract: .txt/.docx/.pdf/.xlsx/.html). Without ``org_units`` the sample city's units
    and schools are used; ``sample`` also writes that city's returns for the plan's elements
    (``sample_options``: counties, schools_per_county, provinces, fmt, as ``make_sample``)."""
    final = Path(folder)
    _check_destination(final, force)
    plan_path = Path(plan_file)
    if not plan_path.is_file():
        raise WorkspaceError(f"计划文件 {plan_path} 不存在")
    plan, warnings = read_plan_document(plan_path)
    the_year = year or plan.year
    if the_year is None:
        raise WorkspaceError(f"计划 {plan_path} 中没有年份，请用 --year 指定（如 --year 2023）")
    plan = dataclasses.replace(plan, year=the_year)
    if schools is not None and org_units is None:
        raise WorkspaceError("给出学校名录（--schools）时也要给出单位表（--org-units）")
    root = library_dir()
    library = load_indicators(root / "indicators.yaml")
    dictionary = load_dictionary(root / "dictionary.yaml")
    matcher = _Matcher(library, dictionary, library_files(str(root)))
    plan = settle_targets(plan, matcher)
    final.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    work.chmod(0o755)
    comp = matcher.composition
    catalog = (comp.indicators_file(), comp.dictionary_file())  # made once: written and counted
    try:
        summary = _write(
            work,
            plan,
            matcher,
            catalog,
            warnings,
            (org_units, schools, allocations),
            sample,
            seed,
            dict(sample_options or {}),
        )
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _swap_in(work, final)
    return InitResult(
        workspace=open_workspace(final),
        plan=plan,
        decisions=tuple(matcher.decisions),
        to_confirm=tuple(matcher.to_confirm),
        library_indicators=len(comp.codes),
        plan_indicators=len(comp.plan_indicators),
        elements=len(catalog[1]["elements"]),
        sample_files=summary.files if summary and sample else 0,
        sample=dataclasses.replace(summary, out_dir=final) if summary and sample else None,
    )


def _write(
    work: Path,
    plan: Plan,
    matcher: _Matcher,
    catalog: tuple[dict[str, Any], dict[str, Any]],
    warnings: Sequence[str],
    given: tuple[str | Path | None, str | Path | None, str | Path | None],
    sample: bool,
    seed: int,
    options: dict[str, Any],
) -> SampleSummary | None:
    """Every file of the workspace, into ``work``; what the sample writer wrote, if it ran."""
    assert plan.year is not None
    org_units, schools, allocations = given
    write_text_atomic(work / "plan.yaml", plan_text(plan))
    write_text_atomic(
        work / "indicators.yaml", yaml_text(catalog[0], INDICATORS_HEADER.format(title=plan.title))
    )
    write_text_atomic(
        work / "dictionary.yaml", yaml_text(catalog[1], DICTIONARY_HEADER.format(title=plan.title))
    )
    write_text_atomic(work / CONFIG_NAME, _config_text(plan, plan.year))
    (work / "returns").mkdir(exist_ok=True)
    indicators = load_indicators(work / "indicators.yaml")
    dictionary = load_dictionary(work / "dictionary.yaml")
    units_frame = schools_frame = None
    if org_units is not None:
        units_frame, schools_frame = _copy_registry(work, Path(org_units), schools)
    summary = None
    if sample:
        from ..returns.sample import write_sample

        shares = _read_allocations(allocations, indicators) if allocations else None
        summary = write_sample(
            work,
            plan=plan,
            indicators=indicators,
            dictionary=dictionary,
            allocations=shares,
            units=units_frame,
            schools=schools_frame,
            seed=seed,
            **options,
        )
    elif org_units is None:  # the sample city's registry only: returns are the bureau's to send
        from ..returns.sample import write_registry

        write_registry(work, seed=seed)
    from .allocations import write_allocations

    write_allocations(work, plan, indicators, given_file=allocations, filled=sample)
    write_text_atomic(work / CHECKLIST_NAME, checklist_text(plan, matcher, warnings, sample))
    return summary


def _read_allocations(path: str | Path, indicators: IndicatorSet) -> pd.DataFrame:
    from ..monitoring.allocations import load_allocations

    return load_allocations(path, indicators=indicators)


def _copy_registry(
    work: Path, org_units: Path, schools: str | Path | None
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The bureau's own unit list (and school registry), checked and copied in."""
    from ..returns.orgunits import load_org_units

    for src, stem in ((org_units, "org_units"), (Path(schools) if schools else None, "schools")):
        if src is None:
            continue
        if not src.is_file():
            raise WorkspaceError(f"文件 {src} 不存在")
        shutil.copyfile(src, work / f"{stem}{src.suffix.lower()}")
    if schools is None:
        pd.DataFrame(columns=["code", "name", "county_code", "stage", "ownership"]).to_csv(
            work / "schools.csv", index=False
        )
    try:
        units = load_org_units(work)
    except PlanlibError as err:
        raise WorkspaceError(f"单位表或学校名录有误：{err}") from None
    return units.units, units.schools


INDICATORS_HEADER = """{title}：本工作区的指标定义（由 planlib init 生成，可编辑）。
origin: library 为指标库中的标准指标（library_code 为其在库中的代码），origin: plan 为按计划原文
建立的本计划指标。各字段的含义见 planlib catalog --help 与 README「Your own plan」。"""

DICTIONARY_HEADER = """{title}：本工作区的数据元素（各县市区每季度报送的项目，由 planlib init 生成，可编辑）。
只含本计划的指标用到的元素；planlib forms 按此生成空白报表。"""


def checklist_text(plan: Plan, matcher: _Matcher, warnings: Sequence[str], sample: bool) -> str:
    """待确认清单: what init assumed, for a person to check before the first quarter's run."""
    lines = [f"# 待确认清单：{plan.title}", ""]
    lines.append(
        f"planlib init 为 {len(plan.tasks)} 项任务的 {len(matcher.decisions)} 个量化目标选定了指标。"
        "下列各项是自动判断的，请逐项确认；改动后运行 `planlib check`。"
    )
    lines += ["", "## 指标对应（需确认）", ""]
    lines += [f"- {x}" for x in matcher.to_confirm] or [
        "- 无：每个目标的名称都与指标库中的指标一致。"
    ]
    lines += [
        "",
        "## 全部目标与指标",
        "",
        "| 位置 | 目标原文 | 指标代码 | 对应方式 |",
        "|---|---|---|---|",
    ]
    lines += [f"| {d.where} | {d.wording} | {d.indicator} | {d.how} |" for d in matcher.decisions]
    if warnings:
        lines += ["", "## 计划提取时的提示", ""]
        lines += [f"- {w}" for w in warnings]
    lines += ["", "## 其他", ""]
    lines.append(
        "- allocations.csv：各县市区的分解目标"
        + (
            "（示例数据已按学校数填写）。"
            if sample
            else "，target 列为空的行按默认方法分解，请填写。"
        )
    )
    lines.append("- org_units.csv、schools.csv：单位表与学校名录，请核对是否为本地最新名录。")
    return "\n".join(lines) + "\n"
