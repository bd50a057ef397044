"""planlib: a Chinese education bureau's yearly work plan as tasks, targets and monitoring reports.

The public API, for notebooks and scripts::

    import planlib
    plan = planlib.load_plan()          # the bundled 市教育局2022年工作要点
    plan.targets_frame()                # one row per quantitative target
"""

from importlib.metadata import PackageNotFoundError, version

from .catalog.dictionary import Dictionary, load_dictionary
from .errors import DataFileError, PlanFileError, PlanlibError, Problem
from .monitoring.assessment import assess, by_department, load_allocations
from .monitoring.indicators import IndicatorSet, Settings, compute_indicators, load_indicators
from .plan.diff import diff_plans
from .plan.extraction.extract import Extraction, ExtractionWarning, extract_plan, read_plan_text
from .plan.files import dump_plan, load_plan
from .plan.model import Framework, Plan, Section, Target, Task, Unit
from .resources import data_dir
from .returns.dataset import Dataset, load_dataset
from .returns.ledger import task_status
from .returns.orgunits import OrgUnits, load_org_units
from .returns.reading import load_returns, read_returns
from .returns.sample import make_sample
from .returns.validation import ValidationResult, validate

try:
    __version__ = version("planlib")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

__all__ = [
    "DataFileError",
    "Dataset",
    "Dictionary",
    "Extraction",
    "ExtractionWarning",
    "Framework",
    "IndicatorSet",
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
    "read_plan_text",
    "read_returns",
    "task_status",
    "validate",
]
