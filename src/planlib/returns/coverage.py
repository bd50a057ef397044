"""Is a county's school list complete? Its school details against the registry (schools.csv),
per period: the check ``planlib validate`` runs at the gate, in the notion the computation flags
as 部分学校未报送明细. Works on the row codes of validation, never on the strings of each row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import numpy as np
import pandas as pd

from ..errors import Problem

if TYPE_CHECKING:
    from .orgunits import OrgUnits
    from .validation import RowKeys


def registry_positions(items: pd.Index, table: pd.Series) -> np.ndarray:
    """Per entry of ``items``: its position in ``table``, or -1 (a hash probe in Arrow)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    where = pc.index_in(pa.array(items.astype(str)), value_set=pa.array(table.astype(str)))
    return np.asarray(where.fill_null(-1).to_numpy(zero_copy_only=False), dtype="int64")


def check_school_coverage(
    values: pd.DataFrame,
    keys: RowKeys,
    keep: np.ndarray,
    org_units: OrgUnits,
    school_pos: np.ndarray | None = None,
) -> list[Problem]:
    """``school_coverage``: a county that sent a return for a period (its own rows or its
    schools') whose school details lack schools the registry lists under it: the notion of the
    computation's 部分学校未报送明细, said at the gate with the count and the stages missing
    (warning). Works on the codes of the distinct units (``keep``: the rows that passed;
    ``school_pos``: each org code's row in the registry, when the caller has it)."""
    reg = org_units.schools
    counties = org_units.counties()["code"].astype(str)
    if reg.empty or counties.empty or not len(keys):
        return []
    n_p, n_c, n_o = len(keys.period_uniques), len(counties), len(keys.org_uniques)
    if school_pos is None or len(school_pos) != n_o:
        school_pos = registry_positions(keys.org_uniques, reg["code"])
    county_of_reg = registry_positions(pd.Index(reg["county_code"].astype(str)), counties)
    county = registry_positions(keys.org_uniques, counties)  # per org code: its county
    county = np.where(county >= 0, county, np.r_[county_of_reg, -1][school_pos])
    # which org codes reported anything, per period: one bitmap, no hashing of rows
    ok = keep
    if keys.org.min(initial=0) < 0 or keys.period.min(initial=0) < 0:
        ok = keep & (keys.org >= 0) & (keys.period >= 0)
    pair = keys.org * n_p + keys.period
    flat = np.zeros(n_o * n_p, dtype=bool)
    flat[pair if ok.all() else pair[ok]] = True
    seen = flat.reshape(n_o, n_p)
    c1 = county + 1  # 0: no county
    sent = np.stack(
        [np.bincount(c1, weights=seen[:, p], minlength=n_c + 1)[1:] > 0 for p in range(n_p)],
        axis=1,
    )
    listed = county_of_reg >= 0
    expected = np.bincount(county_of_reg[listed], minlength=n_c)
    reported = np.zeros((len(reg), n_p), dtype=bool)  # registry school x period
    is_school = school_pos >= 0
    reported[school_pos[is_school]] = seen[is_school]
    got = np.stack(
        [
            np.bincount(county_of_reg[listed], weights=reported[listed, p], minlength=n_c)
            for p in range(n_p)
        ],
        axis=1,
    )
    short = sent & (got < expected[:, None])
    if not short.any():
        return []
    file_of = _file_of(values, keys, county, short, ok)
    names = dict(zip(org_units.units["code"].astype(str), org_units.units["name"], strict=True))
    problems = []
    for c, p in zip(*np.nonzero(short), strict=True):
        missing = reg[listed & (county_of_reg == c) & ~reported[:, p]]
        stages = missing["stage"].astype(str).value_counts()
        code, period = str(counties.iloc[c]), str(keys.period_uniques[p])
        problems.append(
            Problem(
                str(file_of.get((c, p), "（未报送）")),
                None,
                "学校明细",
                None,
                f"{names.get(code, code)}（{code}）{period}的学校明细缺少学校名录（schools.csv）"
                f"中的 {len(missing)} 所学校（名录共 {int(expected[c])} 所，报送 "
                f"{int(got[c, p])} 所；缺 {'、'.join(f'{s} {n} 所' for s, n in stages.items())}），"
                "这些学校的数据不计入汇总，请补报",
                "warning",
                code,
                period,
                "school_coverage",
            )
        )
    return problems


def _file_of(
    values: pd.DataFrame, keys: RowKeys, county: np.ndarray, short: np.ndarray, ok: np.ndarray
) -> dict[tuple[int, int], str]:
    """The file each short (county, period) sent its rows in (the most common one), found in
    one pass over the rows."""
    n_p = short.shape[1]
    row_county = np.r_[county, -1][keys.org]
    cell = np.where((row_county >= 0) & (keys.period >= 0), row_county * n_p + keys.period, -1)
    rows = np.flatnonzero(np.r_[short.ravel(), False][cell] & ok)  # -1 reads the False
    found = pd.DataFrame(
        {"c": row_county[rows], "p": keys.period[rows], "file": values["file"].to_numpy()[rows]}
    )
    most = found.groupby(["c", "p"])["file"].agg(lambda f: f.mode().iloc[0])
    out: dict[tuple[int, int], str] = {}
    for key, f in most.items():
        c, p = cast(tuple[int, int], key)
        out[int(c), int(p)] = str(f)
    return out
