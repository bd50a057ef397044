"""What the report notebooks import: ``from planlib.reporting import content as report``.

Each function returns HTML for one output cell (``report.headline(ctx, county)``), so the
notebooks stay thin: parameters and one call per section. This module only gathers them; they
live in

- :mod:`.html`: the HTML kit (CSS, ``Html``, escaping, number and time formatting, tables, figures);
- :mod:`.sections`: what every report kind shares (title, headings, the targets table, the task
  ledger, data quality, the appendix; the org tree: ``children``, ``overview_org``, ``standing``);
- :mod:`.county`, :mod:`.overview`, :mod:`.department`: the sections of one report kind.

Those modules never import this one. A name the notebooks (or the runner) call goes in
``__all__`` below; renaming or removing one breaks committed notebooks and earlier report runs.
"""

from __future__ import annotations

from ..periods import when
from .context import children, departments, open_context
from .county import bullets, headline, ranks, trends
from .department import (
    department_followup,
    department_headline,
    department_heatmap,
    department_targets,
)
from .followup import county_followup
from .html import Html, num, table
from .overview import (
    overview_followup,
    overview_headline,
    overview_heatmap,
    overview_outlook,
    overview_ranking,
    overview_risks,
    overview_shares,
    overview_totals,
)
from .schools import school_lists
from .sections import (
    appendix,
    overview_org,
    quality,
    section,
    standing,
    targets_table,
    tasks_table,
    title,
)

__all__ = [
    "Html",
    "appendix",
    "bullets",
    "children",
    "county_followup",
    "department_followup",
    "department_headline",
    "department_heatmap",
    "department_targets",
    "departments",
    "headline",
    "num",
    "open_context",
    "overview_followup",
    "overview_headline",
    "overview_heatmap",
    "overview_org",
    "overview_outlook",
    "overview_ranking",
    "overview_risks",
    "overview_shares",
    "overview_totals",
    "quality",
    "ranks",
    "school_lists",
    "section",
    "standing",
    "table",
    "targets_table",
    "tasks_table",
    "title",
    "trends",
    "when",
]
