"""The monitoring stage: indicators computed from the returns, targets judged, tasks coloured.

``indicators`` (compute_indicators), ``allocations`` (county shares of city targets),
``assessment`` (assess, by_department), ``tasks`` (task colours from the ledger and targets),
``pipeline`` (monitor: the whole chain once, used by the CLI, reports and notebooks),
``behind`` (who is behind since when; each school against a school-level target), ``gaps``
(the schools that can close a county's gap), ``risks`` (every projected miss),
``supervision`` (督办 items with deadline, owner, follow-up and escalation).

The public answers are importable from here; their modules load when first used.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "behind_since": "behind",
    "school_status": "behind",
    "schools_to_close_gap": "gaps",
    "projected_misses": "risks",
    "status_counts": "departments",
    "supervision_items": "supervision",
}


def __getattr__(name: str) -> Any:
    """The public functions, imported on first use (report kernels start light)."""
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = sorted(_EXPORTS)
