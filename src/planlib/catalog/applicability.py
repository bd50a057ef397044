"""Which school elements apply to which schools, from the indicator formulas.

A school element applies to a school when some indicator uses it for schools like it: a
``sum_schools(element, stage=…, ownership=…)`` term whose filters the school matches, a school
standard counted over its stages, or the schools of a 差异系数. 省级示范性高中 summed only over
``stage=普通高中`` does not apply to a primary school. An element that some formula uses without
a filter, or that no formula uses, applies to every school.

The blank forms grey out and lock the cells of elements that do not apply
(:mod:`planlib.forms.blank`); the returns reader does not call such a cell 未填报 and does not
count it as owed (:mod:`planlib.returns.dataset`, :mod:`planlib.returns.quality`). Settings do
not matter: every option a definition offers counts (``Indicator.terms``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from .definitions import IndicatorSet
    from .dictionary import Dictionary
    from .expressions import Term

Filters = tuple[tuple[str, tuple[str, ...]], ...]
"""One school filter: (registry column, allowed values) pairs, sorted by column."""

Scopes = Mapping[str, tuple[Filters, ...]]
"""School element → the filters under which it applies; an element absent applies everywhere."""


def school_scopes(
    indicators: IndicatorSet, d: Dictionary | None = None
) -> dict[str, tuple[Filters, ...]]:
    """School element → the school filters (stage, ownership) under which the indicator
    formulas use it: ``sum_schools`` terms, the stages of a school standard they count and the
    schools of a 差异系数. An element used with no filter, or by no indicator, is absent: it
    applies to every school. With ``d``, only its school-level elements are kept."""
    school = {e.code for e in d.elements_at("school")} if d is not None else None
    standards = {s.code: s for s in indicators.standards}
    uses: dict[str, set[Filters]] = {}

    def use(element: str, filters: Filters) -> None:
        if school is None or element in school:
            uses.setdefault(element, set()).add(filters)

    for ind in indicators:
        if ind.dispersion is not None:
            use(ind.dispersion.numerator, ind.dispersion.filters)
            use(ind.dispersion.denominator, ind.dispersion.filters)
            continue
        for term in ind.terms:
            if term.kind != "school_sum":
                continue
            standard = standards.get(term.element)
            if standard is None:
                use(term.element, term.filters)
                continue
            for element in standard.elements:
                use(element, within_stages(term, standard.stages))
    return {e: tuple(sorted(f)) for e, f in uses.items() if () not in f}


def within_stages(term: Term, stages: tuple[str, ...]) -> Filters:
    """A term's filters narrowed to a standard's stages."""
    found = dict(term.filters)
    found["stage"] = tuple(s for s in found.get("stage", stages) if s in stages)
    return tuple(sorted(found.items()))


def _matches(filters: Filters, school: Mapping[str, str]) -> bool:
    return all(str(school.get(column, "")) in values for column, values in filters)


def applies(scopes: Scopes, element: str, stage: str, ownership: str) -> bool:
    """Whether ``element`` applies to a school of ``stage`` and ``ownership`` (registry
    values): True for an element no scope restricts."""
    filters = scopes.get(element)
    if filters is None:
        return True
    school = {"stage": str(stage), "ownership": str(ownership)}
    return any(_matches(f, school) for f in filters)


def not_applicable(scopes: Scopes, schools: pd.DataFrame) -> dict[str, frozenset[str]]:
    """Element → the codes of ``schools`` (registry rows: code, stage, ownership) no scope of
    it covers; every restricted element is a key, its set possibly empty."""
    import pandas as pd

    out: dict[str, frozenset[str]] = {}
    for element, filters in scopes.items():
        covered = pd.Series(False, index=schools.index)
        for f in filters:
            match = pd.Series(True, index=schools.index)
            for column, values in f:
                match &= schools[column].astype(str).isin(values)
            covered |= match
        out[element] = frozenset(schools.loc[~covered, "code"].astype(str))
    return out


def folder_scopes(root: str | Path, d: Dictionary | None = None) -> dict[str, tuple[Filters, ...]]:
    """The scopes of the indicators in force for a data folder: its workspace's
    ``indicators.yaml`` when the folder is a workspace, else the library's."""
    from ..workspace import workspace_of
    from .definitions import load_indicators

    ws = workspace_of(Path(root))
    return school_scopes(load_indicators(ws.indicators_path if ws else None), d)
