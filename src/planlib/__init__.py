"""planlib: a Chinese education bureau's yearly work plan as tasks, targets and monitoring reports.

The public API, for notebooks and scripts::

    import planlib
    plan = planlib.load_plan()          # the bundled 市教育局2022年工作要点
    plan.targets_frame()                # one row per quantitative target
    run = planlib.monitor("data/sample", "latest")  # dataset, indicators, assessment, tasks
"""

from .catalog.dictionary import Dictionary, load_dictionary
from .errors import DataFileError, PlanFileError, PlanlibError, Problem
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
from .resources import data_dir, package_version
from .returns.dataset import Dataset, load_dataset, validate
from .returns.orgunits import OrgUnits, load_org_units
from .returns.reading import load_returns, read_returns
from .returns.sample import make_sample
from .returns.validation import ValidationResult

__version__ = package_version()

__all__ = [
    "DataFileError",
    "Dataset",
    "Dictionary",
    "Extraction",
    "ExtractionWarning",
    "Framework",
    "IndicatorSet",
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
    "__version__",
    "assess",
    "by_department",
    "compute_indicators",
    "data_dir",
    "diff_plans",
    "dump_plan",
    "extract_plan",
    "load_allocations",
    "load_dataset",
    "load_dictionary",
    "load_indicators",
    "load_org_units",
    "load_plan",
    "load_returns",
    "make_sample",
    "monitor",
    "read_plan_text",
    "read_returns",
    "resolve_period",
    "resolve_periods",
    "task_status",
    "validate",
]
