"""Charts: one print-safe style with a bundled Chinese font, and the figures the reports draw.

Analysts use the same functions in JupyterLab: ``from planlib import charts``;
``charts.status_heatmap(assessment_rows)``. Each takes assessment frames and returns a Figure;
what each takes is checked first (:mod:`planlib.charts.inputs`), so a slip gets a sentence.
"""

from . import figures as _figures
from .inputs import PANELS, checked

bullet_chart = checked()(_figures.bullet_chart)
ranking_chart = checked()(_figures.ranking_chart)
share_done_chart = checked()(_figures.share_done_chart)
status_heatmap = checked(needs=PANELS, few_columns=True)(_figures.status_heatmap)
trend_chart = checked(needs=PANELS, few_units=True)(_figures.trend_chart)

__all__ = ["bullet_chart", "ranking_chart", "share_done_chart", "status_heatmap", "trend_chart"]
