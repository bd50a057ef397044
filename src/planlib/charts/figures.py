"""The report charts, unchecked: what the report pages call with rows they made themselves.

Each takes assessment frames (docs/ARCHITECTURE.md) and returns a Figure, drawn in the
:mod:`planlib.charts.style` without touching pyplot's global figure list. Reports print on
black-and-white lasers: a status always shows as tone (the worse, the darker), mark (✓△×—) and,
on bars, texture; no text is rotated; every axis or cell says its unit. One convention for
targets throughout: solid black is what the status is judged against this quarter (the target;
for a flow before year end its share due, 序时), dashed black the full-year target where that
differs. Analysts call the checked versions in :mod:`planlib.charts`.

Each chart lives in the module of its idea: :mod:`.bullet` (one unit's targets), :mod:`.trend`
(quarter by quarter), :mod:`.heatmap` (targets × units), :mod:`.ranking` (units on one target),
:mod:`.progress` (flows against their schedule); :mod:`.common` holds what they share.
"""

from __future__ import annotations

from .bullet import bullet_chart
from .heatmap import status_heatmap
from .progress import share_done_chart
from .ranking import ranking_chart
from .trend import trend_chart

__all__ = ["bullet_chart", "ranking_chart", "share_done_chart", "status_heatmap", "trend_chart"]
