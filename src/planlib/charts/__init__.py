"""Charts: one print-safe style with a bundled Chinese font, and the figures the reports draw.

Analysts use the same functions in JupyterLab: ``from planlib import charts``;
``charts.status_heatmap(assessment_rows)``. Each takes assessment frames and returns a Figure.
"""

from .figures import bullet_chart, ranking_chart, share_done_chart, status_heatmap, trend_chart

__all__ = ["bullet_chart", "ranking_chart", "share_done_chart", "status_heatmap", "trend_chart"]
