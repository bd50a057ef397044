"""A request to the monitoring chain, typed once at the edge and carried down.

The CLI (each chain command) and the API turn what a user asked for into a :class:`Request`
once: the data folder and the workspace it belongs to, the plan, allocations and settings that
change how targets are judged, the period (a :class:`~planlib.periods.PeriodRequest`, read once),
the units and departments asked for and the kinds of report. What lies below takes the values
from it instead of reading strings again. Resolving the period against the data's quarters
happens where the data is loaded, once (:func:`planlib.periods.as_of`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .periods import PeriodRequest
from .workspace import Workspace, workspace_of

if TYPE_CHECKING:
    from .catalog.settings import Settings

ALL_WORDS = ("", "all", "全部")
"""How a request says "every unit" or "every department"."""


def _all_or_list(value: str | Sequence[str] | None) -> tuple[str, ...] | None:
    """``all``/``全部``/None → None (every one); ``a,b``/``a，b``/``a、b`` or a list → the items."""
    if value is None:
        return None
    items = (
        value.replace("，", ",").replace("、", ",").split(",") if isinstance(value, str) else value
    )
    kept = tuple(dict.fromkeys(i.strip() for i in items if i.strip()))
    if not kept or (len(kept) == 1 and kept[0].lower() in ALL_WORDS):
        return None
    return kept


@dataclass(frozen=True)
class Request:
    """What one command or API call asks for. ``units`` and ``departments``: None for every one,
    else the codes or names asked for (checked against the registry and the plan by the stage
    that reads them). ``settings``: a :class:`~planlib.catalog.settings.Settings` or None."""

    data_dir: Path
    period: PeriodRequest = field(default_factory=lambda: PeriodRequest("latest"))
    workspace: Workspace | None = None
    plan: Path | None = None
    allocations: Path | None = None
    settings: Settings | None = None
    units: tuple[str, ...] | None = None
    departments: tuple[str, ...] | None = None
    kinds: tuple[str, ...] = ("county", "department", "city")
    root: str | None = None

    @classmethod
    def make(
        cls,
        data_dir: str | Path,
        period: str | PeriodRequest = "latest",
        *,
        units: str | Sequence[str] | None = None,
        departments: str | Sequence[str] | None = None,
        **rest: Any,
    ) -> Request:
        """A request from what a user typed: the period read once, the units and departments
        split once (``all``/``全部`` → every one), the workspace of the data folder found once."""
        folder = Path(data_dir)
        return cls(
            data_dir=folder,
            period=PeriodRequest(period),
            workspace=rest.pop("workspace", None) or workspace_of(folder),
            units=_all_or_list(units),
            departments=_all_or_list(departments),
            **rest,
        )

    def chain(self) -> dict[str, Any]:
        """The keyword arguments of :func:`planlib.monitor` (and ``build_context``) that change
        how targets are judged."""
        return {"plan": self.plan, "settings": self.settings, "allocations": self.allocations}

    @property
    def units_text(self) -> str:
        """``units`` as today's string parameters take them (``all`` or ``a,b``)."""
        return "all" if self.units is None else ",".join(self.units)


__all__ = ["ALL_WORDS", "Request"]
