"""Feedback to county clerks: each county's own return with its problems marked in place.

For a quarter, every county whose return has problems gets a copy of its submitted workbook (a
CSV return: a workbook built from it, rows as the CSV numbers them) with each problem cell
filled in a status colour, its number format showing × (error) or △ (warning) before the value
so a grey print tells them apart, and a comment holding the message; a 问题清单 sheet comes first,
each problem a row linked to its cell. A county without problems gets a receipt (本期报表校验通过);
an index workbook says who must resubmit. The submitted files are only read, never written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import PlanlibError, UsageError
from ..periods import Period, find_period, resolve_period
from ..safety import write_error
from ..workspace import use_workspace, workspace_of
from .marking import marked_copy
from .sheets import (
    distinct,
    header_row,
    page_setup,
    put_text,
    save_atomic,
    sheet_title,
    split_location,
    unit_path,
)

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from ..returns.dataset import Dataset

RECEIPT_SHEET = "校验回执"
INDEX_SHEET = "反馈汇总"
PASSED = "本期报表校验通过"
_COUNTY_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class CountyFeedback:
    """One county's outcome: status 需修改后重新报送 / 请核对警告 / 校验通过 / 未报送."""

    code: str
    name: str
    status: str
    errors: int
    warnings: int
    path: Path | None


@dataclass(frozen=True)
class FeedbackWritten:
    """What :func:`write_feedback` wrote, county by county, and the index workbook."""

    period: str
    counties: tuple[CountyFeedback, ...]
    index: Path
    skipped: int = 0  # problems that concern no county (the city's own return, the ledger)
    notes: list[str] = field(default_factory=list)

    @property
    def any_errors(self) -> bool:
        return any(c.errors for c in self.counties)


def _period_of(path: str) -> str | None:
    found = find_period(path)
    return str(found) if found else None


def _county_files(ds: Dataset, code: str, members: set[str], period: str) -> list[str]:
    """Return files of a county for a quarter: named by its code, or holding its rows."""
    paths = [str(p) for p in ds.inputs["path"]]
    named = [
        p
        for p in paths
        if p.startswith("returns")
        and _period_of(p) == period
        and code in _COUNTY_CODE.findall(Path(p).name)
    ]
    v = ds.values
    rows = v[v["org_code"].isin(members) & v["period"].eq(period)]
    held = [split_location(str(f))[0] for f in rows["file"].unique()]  # values name the sheet
    return sorted(set(named) | set(held))


def _county_problems(
    problems: pd.DataFrame, files: list[str], members: set[str], period: str
) -> pd.DataFrame:
    base = problems["file"].astype(str).map(lambda f: split_location(f)[0])
    mine = base.isin(files) | (problems["org_code"].isin(members) & problems["period"].eq(period))
    return problems[mine & ~problems["rule"].eq("missing_return")].reset_index(drop=True)


def write_feedback(
    data_dir: str | Path,
    out: str | Path,
    period: str | None = None,
    *,
    progress: Progress | None = None,
) -> FeedbackWritten:
    """Check the returns of ``data_dir`` for ``period`` (default: the latest) and write, per
    county, its marked copy or its receipt into ``out``, plus ``反馈汇总_<period>.xlsx``.
    A data folder that is a workspace is read with its own dictionary."""
    with use_workspace(workspace_of(data_dir)):
        return _write_feedback(data_dir, out, period, progress)


def _write_feedback(
    data_dir: str | Path, out: str | Path, period: str | None, progress: Progress | None
) -> FeedbackWritten:
    from ..returns.dataset import load_dataset

    root = Path(data_dir)
    ds = load_dataset(root)
    folders = [_period_of(str(p)) for p in ds.inputs["path"] if str(p).startswith("returns")]
    available = sorted({*ds.periods, *(p for p in folders if p)})
    if not available:
        raise PlanlibError(f"数据目录 {root} 中没有任何县区报表")
    try:
        when = resolve_period(available, period or "latest")
    except PlanlibError as err:
        raise UsageError(str(err)) from None
    target = Path(out)
    label = Period(int(when[:4]), int(when[-1])).label
    schools = ds.org_units.schools
    counties = ds.org_units.counties()
    results = []
    claimed: set[int] = set()
    taken: list[Path] = []
    for i, (code, name) in enumerate(counties[["code", "name"]].itertuples(index=False)):
        code, name = str(code), str(name)
        if progress is not None:
            progress(name, i, len(counties))
        members = {code, *schools.loc[schools["county_code"] == code, "code"].astype(str)}
        files = _county_files(ds, code, members, when)
        found = _county_problems(ds.problems, files, members, when)
        claimed |= set(
            ds.problems.index[
                ds.problems["file"].isin(found["file"])
                | (ds.problems["org_code"].isin(members) & ds.problems["period"].eq(when))
            ]
        )
        n_err = int(found["severity"].eq("error").sum())
        n_warn = int(found["severity"].eq("warning").sum())
        receipt = distinct(unit_path(target, code, name, f"_{when}_校验回执.xlsx"), taken)
        marked = unit_path(target, code, name, f"_{when}_问题反馈.xlsx")
        taken.append(receipt)
        _remove_stale(receipt, marked)
        if not files:
            results.append(CountyFeedback(code, name, "未报送", n_err, n_warn, None))
        elif found.empty:
            _write_receipt(receipt, ds, code, name, label, files)
            results.append(CountyFeedback(code, name, "校验通过", 0, 0, receipt))
        else:
            marked_copy(marked, root, files, found, f"{name}{label}")
            status = "需修改后重新报送" if n_err else "请核对警告"
            results.append(CountyFeedback(code, name, status, n_err, n_warn, marked))
    if progress is not None:
        progress("", len(counties), len(counties))
    index = target / f"反馈汇总_{when}.xlsx"
    _write_index(index, results, label, when)
    in_period = ds.problems["period"].eq(when) | ds.problems["file"].astype(str).map(
        lambda f: _period_of(f) == when
    )
    skipped = int((in_period & ~ds.problems.index.isin(list(claimed))).sum())
    return FeedbackWritten(when, tuple(results), index, skipped)


def _remove_stale(*paths: Path) -> None:
    """Remove an earlier run's answers: they must not contradict this one."""
    for stale in paths:
        try:
            stale.unlink(missing_ok=True)
        except OSError as err:
            raise write_error(err, stale) from None


def _title(ws: Worksheet, text: str, note: str = "") -> None:
    from openpyxl.styles import Font

    from .sheets import FONT_NAME

    put_text(ws.cell(1, 1), text).font = Font(name=FONT_NAME, bold=True, size=14)
    if note:
        put_text(ws.cell(2, 1), note)


def _new_workbook(title: str) -> tuple[Workbook, Worksheet]:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet_title(title)
    return wb, ws


def _write_receipt(
    path: Path, ds: Dataset, code: str, name: str, label: str, files: list[str]
) -> None:
    from datetime import datetime

    from ..resources import package_version

    wb, ws = _new_workbook(RECEIPT_SHEET)
    _title(ws, PASSED, f"{name}（{code}）{label}报表已收到，校验未发现错误或警告，无需修改。")
    digests = dict(zip(ds.inputs["path"].astype(str), ds.inputs["sha256"].astype(str), strict=True))
    header_row(ws, 4, ["收到的文件", "SHA-256"])
    for i, f in enumerate(files, start=5):
        put_text(ws.cell(i, 1), f)
        put_text(ws.cell(i, 2), digests.get(f, ""))
    at = 6 + len(files)
    put_text(ws.cell(at, 1), f"校验时间：{datetime.now():%Y-%m-%d %H:%M}")
    put_text(ws.cell(at + 1, 1), f"校验工具：planlib {package_version()}")
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 66
    page_setup(ws, title_rows=(4, 4), title=f"{name}{label}{RECEIPT_SHEET}")
    save_atomic(wb, path)


def _write_index(path: Path, results: list[CountyFeedback], label: str, when: str) -> None:
    from openpyxl.styles import Font

    wb, ws = _new_workbook(INDEX_SHEET)
    redo = [r for r in results if r.errors]
    _title(
        ws,
        f"{label}报表校验反馈汇总",
        f"共 {len(results)} 个县（市、区）：{len(redo)} 个需修改后重新报送，"
        f"{sum(r.status == '未报送' for r in results)} 个未报送。",
    )
    header_row(ws, 4, ["行政区划代码", "单位名称", "报告期", "结果", "错误", "警告", "反馈文件"])
    order = {"需修改后重新报送": 0, "未报送": 1, "请核对警告": 2, "校验通过": 3}
    for i, r in enumerate(sorted(results, key=lambda r: (order[r.status], r.code)), start=5):
        for j, value in enumerate((r.code, r.name, when, r.status), start=1):
            put_text(ws.cell(i, j), value)
        ws.cell(i, 5).value = r.errors
        ws.cell(i, 6).value = r.warnings
        if r.path is not None:
            cell = put_text(ws.cell(i, 7), r.path.name)
            cell.hyperlink = r.path.name  # beside the index: the link survives moving the folder
            cell.font = Font(color="0563C1", underline="single")
    for col, width in zip("ABCDEFG", (14, 14, 10, 18, 8, 8, 44), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A5"
    ws.auto_filter.ref = f"A4:G{max(5, 4 + len(results))}"
    page_setup(ws, title_rows=(4, 4), id_cols=2, title=f"{label}报表校验反馈汇总")
    save_atomic(wb, path)
