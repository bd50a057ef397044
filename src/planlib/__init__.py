"""planlib: a Chinese education bureau's yearly work plan as tasks, targets and monitoring reports.

The public API, for notebooks and scripts (``notebooks/cookbook.ipynb`` shows each in use)::

    import planlib
    plan = planlib.load_plan()                     # the bundled 市教育局2022年工作要点
    plan.targets_frame()                           # one row per quantitative target
    run = planlib.monitor("data/sample", "latest") # the whole chain, once
    run.assessment                                 # value, target, status, 还需 per unit and target
    run.select("学前三年毛入学率", "高新区", "all")  # rows by the plan's wording and unit names
    planlib.by_department(run.assessment, plan)    # each 处室's targets across the counties
    planlib.style.use()                            # the report style for your own charts

Workspaces (a folder per plan year, found from the current folder): ``init_workspace``,
``check_workspace``, ``open_workspace``, ``use_workspace``. Reading: ``load_dataset``, ``validate``, ``load_org_units``, ``load_returns``. Computing:
``compute_indicators``, ``assess``, ``task_status``. Plans: ``extract_plan``, ``dump_plan``,
``diff_plans``. Charts: ``planlib.charts``. Every error is a :class:`PlanlibError` with a Chinese
message; a wrong argument says what was expected.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from . import fonts
from .resources import package_version

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time each name loads on first use
    from .catalog.dictionary import Dictionary, load_dictionary
    from .errors import DataFileError, PlanFileError, PlanlibError, Problem
    from .init.check import check_workspace
    from .init.create import InitResult, init_workspace
    from .init.sample import make_sample
    from .monitoring.allocations import load_allocations
    from .monitoring.assessment import assess
    from .monitoring.departments import by_department
    from .monitoring.indicators import IndicatorSet, Settings, compute_indicators, load_indicators
    from .monitoring.pipeline import Monitoring, monitor
    from .monitoring.tasks import task_status
    from .periods import resolve_period, resolve_periods
    from .plan.diff import diff_plans
    from .plan.extraction.extract import Extraction, ExtractionWarning, extract_plan, read_plan_text
    from .plan.files import dump_plan, load_plan
    from .plan.model import Framework, Plan, Section, Target, Task, Unit
    from .reporting.export import export
    from .resources import data_dir, package_version
    from .returns.dataset import Dataset, load_dataset, validate
    from .returns.orgunits import OrgUnits, load_org_units
    from .returns.reading import load_returns, read_returns
    from .returns.validation import ValidationResult
    from .workspace import Workspace, open_workspace, use_workspace

_PUBLIC: dict[str, str] = {
    "DataFileError": "planlib.errors",
    "Dataset": "planlib.returns.dataset",
    "Dictionary": "planlib.catalog.dictionary",
    "Extraction": "planlib.plan.extraction.extract",
    "ExtractionWarning": "planlib.plan.extraction.extract",
    "Framework": "planlib.plan.model",
    "IndicatorSet": "planlib.monitoring.indicators",
    "Monitoring": "planlib.monitoring.pipeline",
    "OrgUnits": "planlib.returns.orgunits",
    "Plan": "planlib.plan.model",
    "PlanFileError": "planlib.errors",
    "PlanlibError": "planlib.errors",
    "Problem": "planlib.errors",
    "Section": "planlib.plan.model",
    "Settings": "planlib.monitoring.indicators",
    "Target": "planlib.plan.model",
    "Task": "planlib.plan.model",
    "Unit": "planlib.plan.model",
    "ValidationResult": "planlib.returns.validation",
    "InitResult": "planlib.init.create",
    "Workspace": "planlib.workspace",
    "check_workspace": "planlib.init.check",
    "init_workspace": "planlib.init.create",
    "open_workspace": "planlib.workspace",
    "use_workspace": "planlib.workspace",
    "assess": "planlib.monitoring.assessment",
    "by_department": "planlib.monitoring.departments",
    "compute_indicators": "planlib.monitoring.indicators",
    "data_dir": "planlib.resources",
    "diff_plans": "planlib.plan.diff",
    "dump_plan": "planlib.plan.files",
    "export": "planlib.reporting.export",
    "extract_plan": "planlib.plan.extraction.extract",
    "load_allocations": "planlib.monitoring.allocations",
    "load_dataset": "planlib.returns.dataset",
    "load_dictionary": "planlib.catalog.dictionary",
    "load_indicators": "planlib.monitoring.indicators",
    "load_org_units": "planlib.returns.orgunits",
    "load_plan": "planlib.plan.files",
    "load_returns": "planlib.returns.reading",
    "make_sample": "planlib.init.sample",
    "monitor": "planlib.monitoring.pipeline",
    "package_version": "planlib.resources",
    "read_plan_text": "planlib.plan.extraction.extract",
    "read_returns": "planlib.returns.reading",
    "resolve_period": "planlib.periods",
    "resolve_periods": "planlib.periods",
    "task_status": "planlib.monitoring.tasks",
    "validate": "planlib.returns.dataset",
}
"""Where each public name lives: ``import planlib`` stays light (the CLI, report kernels) and a
name's module is imported when the name is first used."""

__version__ = package_version()

fonts.install()  # Chinese in analysts' own matplotlib/seaborn charts; matplotlib loads only when used

_MODULES = {"style": "planlib.charts.style", "charts": "planlib.charts"}
"""Public submodules: ``planlib.style.use()``, ``planlib.charts.status_heatmap(...)``."""


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        value = import_module(_MODULES[name])
        globals()[name] = value
        return value
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'planlib' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC) | set(_MODULES))


__all__ = [
    "DataFileError",
    "Dataset",
    "Dictionary",
    "Extraction",
    "ExtractionWarning",
    "Framework",
    "IndicatorSet",
    "InitResult",
    "Monitoring",
    "OrgUnits",
    "Plan",
    "PlanFileError",
    "PlanlibError",
    "Problem",
    "Section",
    "Settings",
    "Target",
    "Task",
    "Unit",
    "ValidationResult",
    "Workspace",
    "__version__",
    "assess",
    "by_department",
    "check_workspace",
    "compute_indicators",
    "data_dir",
    "diff_plans",
    "dump_plan",
    "export",
    "extract_plan",
    "init_workspace",
    "load_allocations",
    "load_dataset",
    "load_dictionary",
    "load_indicators",
    "load_org_units",
    "load_plan",
    "load_returns",
    "make_sample",
    "monitor",
    "open_workspace",
    "read_plan_text",
    "read_returns",
    "resolve_period",
    "resolve_periods",
    "task_status",
    "use_workspace",
    "validate",
]
