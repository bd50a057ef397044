"""planlib: a Chinese education bureau's yearly work plan as tasks, targets and monitoring reports.

The public API, for notebooks and scripts::

    import planlib
    plan = planlib.load_plan()          # the bundled 市教育局2022年工作要点
    plan.targets_frame()                # one row per quantitative target
"""

from importlib.metadata import PackageNotFoundError, version

from .errors import DataFileError, PlanFileError, PlanlibError, Problem
from .model import Framework, Plan, Section, Target, Task, Unit
from .planfile import dump_plan, load_plan
from .resources import data_dir

try:
    __version__ = version("planlib")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

__all__ = [
    "DataFileError",
    "Framework",
    "Plan",
    "PlanFileError",
    "PlanlibError",
    "Problem",
    "Section",
    "Target",
    "Task",
    "Unit",
    "__version__",
    "data_dir",
    "dump_plan",
    "load_plan",
]
