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

# The public surface, written once: each name and the module it lives in (its home, where it is
# defined). ``import planlib`` stays light (the CLI, report kernels): a name's module is imported
# when the name is first used. ``__all__`` and ``dir()`` come from this table; the imports under
# TYPE_CHECKING below (for type checkers and IDEs) are checked against it by tests/test_public.py.
_PUBLIC: dict[str, str] = {
    # errors
    "DataFileError": "planlib.errors",
    "PlanFileError": "planlib.errors",
    "PlanlibError": "planlib.errors",
    "Problem": "planlib.errors",
    # bundled data, workspaces, periods
    "data_dir": "planlib.resources",
    "package_version": "planlib.resources",
    "Workspace": "planlib.workspace",
    "open_workspace": "planlib.workspace",
    "use_workspace": "planlib.workspace",
    "resolve_period": "planlib.periods",
    "resolve_periods": "planlib.periods",
    # what can be measured
    "Dictionary": "planlib.catalog.dictionary",
    "load_dictionary": "planlib.catalog.dictionary",
    "IndicatorSet": "planlib.catalog.definitions",
    "load_indicators": "planlib.catalog.definitions",
    "Settings": "planlib.catalog.settings",
    # plans
    "Framework": "planlib.plan.model",
    "Plan": "planlib.plan.model",
    "Section": "planlib.plan.model",
    "Target": "planlib.plan.model",
    "Task": "planlib.plan.model",
    "Unit": "planlib.plan.model",
    "dump_plan": "planlib.plan.files",
    "load_plan": "planlib.plan.files",
    "diff_plans": "planlib.plan.diff",
    "Extraction": "planlib.plan.extraction.extract",
    "ExtractionWarning": "planlib.plan.extraction.warnings",
    "extract_plan": "planlib.plan.extraction.extract",
    "read_plan_text": "planlib.plan.extraction.extract",
    # returns
    "Dataset": "planlib.returns.dataset",
    "load_dataset": "planlib.returns.dataset",
    "validate": "planlib.returns.dataset",
    "OrgUnits": "planlib.returns.orgunits",
    "load_org_units": "planlib.returns.orgunits",
    "load_returns": "planlib.returns.reading",
    "read_returns": "planlib.returns.reading",
    "ValidationResult": "planlib.returns.validation",
    # monitoring
    "load_allocations": "planlib.monitoring.allocations",
    "assess": "planlib.monitoring.assessment",
    "by_department": "planlib.monitoring.departments",
    "status_counts": "planlib.monitoring.departments",
    "schools_to_close_gap": "planlib.monitoring.gaps",
    "projected_misses": "planlib.monitoring.risks",
    "supervision_items": "planlib.monitoring.supervision",
    "compute_indicators": "planlib.monitoring.indicators",
    "Monitoring": "planlib.monitoring.pipeline",
    "monitor": "planlib.monitoring.pipeline",
    "task_status": "planlib.monitoring.tasks",
    # workspaces made and checked
    "check_workspace": "planlib.init.check",
    "InitResult": "planlib.init.create",
    "init_workspace": "planlib.init.create",
    "make_sample": "planlib.init.sample",
    # tables for people
    "export": "planlib.reporting.export",
}

_MODULES: dict[str, str] = {"style": "planlib.charts.style", "charts": "planlib.charts"}
"""Public submodules: ``planlib.style.use()``, ``planlib.charts.status_heatmap(...)``."""

if TYPE_CHECKING:  # ``X as X``: an explicit re-export, whatever a checker makes of __all__
    from . import charts as charts
    from .catalog.definitions import IndicatorSet as IndicatorSet
    from .catalog.definitions import load_indicators as load_indicators
    from .catalog.dictionary import Dictionary as Dictionary
    from .catalog.dictionary import load_dictionary as load_dictionary
    from .catalog.settings import Settings as Settings
    from .charts import style as style
    from .errors import DataFileError as DataFileError
    from .errors import PlanFileError as PlanFileError
    from .errors import PlanlibError as PlanlibError
    from .errors import Problem as Problem
    from .init.check import check_workspace as check_workspace
    from .init.create import InitResult as InitResult
    from .init.create import init_workspace as init_workspace
    from .init.sample import make_sample as make_sample
    from .monitoring.allocations import load_allocations as load_allocations
    from .monitoring.assessment import assess as assess
    from .monitoring.departments import by_department as by_department
    from .monitoring.departments import status_counts as status_counts
    from .monitoring.gaps import schools_to_close_gap as schools_to_close_gap
    from .monitoring.indicators import compute_indicators as compute_indicators
    from .monitoring.pipeline import Monitoring as Monitoring
    from .monitoring.pipeline import monitor as monitor
    from .monitoring.risks import projected_misses as projected_misses
    from .monitoring.supervision import supervision_items as supervision_items
    from .monitoring.tasks import task_status as task_status
    from .periods import resolve_period as resolve_period
    from .periods import resolve_periods as resolve_periods
    from .plan.diff import diff_plans as diff_plans
    from .plan.extraction.extract import Extraction as Extraction
    from .plan.extraction.extract import extract_plan as extract_plan
    from .plan.extraction.extract import read_plan_text as read_plan_text
    from .plan.extraction.warnings import ExtractionWarning as ExtractionWarning
    from .plan.files import dump_plan as dump_plan
    from .plan.files import load_plan as load_plan
    from .plan.model import Framework as Framework
    from .plan.model import Plan as Plan
    from .plan.model import Section as Section
    from .plan.model import Target as Target
    from .plan.model import Task as Task
    from .plan.model import Unit as Unit
    from .reporting.export import export as export
    from .resources import data_dir as data_dir
    from .resources import package_version as package_version
    from .returns.dataset import Dataset as Dataset
    from .returns.dataset import load_dataset as load_dataset
    from .returns.dataset import validate as validate
    from .returns.orgunits import OrgUnits as OrgUnits
    from .returns.orgunits import load_org_units as load_org_units
    from .returns.reading import load_returns as load_returns
    from .returns.reading import read_returns as read_returns
    from .returns.validation import ValidationResult as ValidationResult
    from .workspace import Workspace as Workspace
    from .workspace import open_workspace as open_workspace
    from .workspace import use_workspace as use_workspace

__version__ = package_version()

fonts.install()  # Chinese in analysts' own matplotlib/seaborn charts; matplotlib loads only when used


def __getattr__(name: str) -> Any:
    home = _MODULES.get(name)
    if home is not None:
        value = import_module(home)
    elif name in _PUBLIC:
        value = getattr(import_module(_PUBLIC[name]), name)
    else:
        raise AttributeError(f"module 'planlib' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC) | set(_MODULES))


__all__ = ["__version__", *_PUBLIC]
