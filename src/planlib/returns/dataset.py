"""A data folder as one object: org units, checked values, problems, the task ledger, checksums.

``load_dataset`` never stops at a bad county file: its problems are listed and the other counties
load, so a report batch can mark that county failed and go on.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from ..catalog.applicability import Filters, folder_scopes
from ..catalog.dictionary import Dictionary, load_dictionary
from ..errors import PlanlibError, Problem, UsageError
from ..periods import parse_period, resolve_period
from ..workspace import Workspace, workspace_of
from .cache import CACHE_ENV, ReturnCache, file_digest
from .orgunits import OrgUnits, load_org_units
from .reading import read_returns, return_files
from .validation import (
    RowKeys,
    ValidationResult,
    drop_not_applicable,
    problems_frame,
    validate_values,
)


@dataclass(frozen=True, eq=False)
class Dataset:
    """Everything read from a data folder.

    ``values``: one row per org unit, period and element (only rows that passed validation).
    ``problems``: one row per problem found. ``ledger``: one row per task, department and period.
    ``inputs``: one row per file read, with its SHA-256.
    """

    path: Path
    org_units: OrgUnits
    values: pd.DataFrame
    problems: pd.DataFrame
    ledger: pd.DataFrame
    inputs: pd.DataFrame
    keys: RowKeys | None = None  # integer codes of ``values``' rows (saves the computation a pass)
    dictionary: Dictionary | None = None  # the one the values were read with
    workspace: Workspace | None = None  # the workspace the folder is (its plan and catalog)
    scopes: dict[str, tuple[Filters, ...]] | None = None
    """School element → the schools it applies to (:mod:`planlib.catalog.applicability`),
    under the indicators in force for the folder; None: not worked out."""

    @property
    def periods(self) -> list[str]:
        """Periods with data, oldest first."""
        return [str(p) for p in sorted({parse_period(p) for p in self.values["period"].unique()})]

    @property
    def latest_period(self) -> str:
        """The newest quarter with data (what ``latest`` means everywhere)."""
        if self.values.empty:
            raise PlanlibError(f"数据目录 {self.path} 中没有任何可用数据")
        return resolve_period(self.periods, "latest")

    def errors_for(self, org_code: str) -> pd.DataFrame:
        """Error-level problems of one county (its own rows and its schools'), by code or name;
        an unknown unit is an error naming the closest ones (never an empty answer)."""
        org_code = self.org_units.code(org_code)
        p = self.problems
        schools = set(
            self.org_units.schools.loc[self.org_units.schools["county_code"] == org_code, "code"]
        )
        mine = p["org_code"].eq(org_code) | p["org_code"].isin(schools)
        return p[mine & p["severity"].eq("error")]

    def without(self, units: str | int | Sequence[str | int]) -> Dataset:
        """The same data with some units left out (codes or names), with everything below them
        and their schools, from the tree as well as the values: what the city's values would
        be over the other counties (a unit kept in the tree without data would make every total
        above it 无数据, as it should in a report)."""
        asked = [units] if isinstance(units, (str, int)) else units
        if not isinstance(asked, Iterable) or isinstance(asked, bytes):
            raise UsageError(
                "without() 需要单位名称或代码（或它们的列表），如 ds.without('高新区')；"
                f"收到的是 {type(units).__name__}"
            )
        codes = {self.org_units.code(str(u)) for u in asked}
        for code in list(codes):
            codes |= self.org_units.descendants(code)
        schools = self.org_units.schools
        dropped = codes | set(schools.loc[schools["county_code"].isin(codes), "code"])
        keep = ~self.values["org_code"].isin(dropped).to_numpy()
        table = self.org_units.units
        tree = replace(
            self.org_units,
            units=table[~table["code"].isin(dropped)].reset_index(drop=True),
            schools=schools[~schools["code"].isin(dropped)].reset_index(drop=True),
        )
        return replace(
            self, org_units=tree, values=self.values[keep].reset_index(drop=True), keys=None
        )

    def quality(self) -> pd.DataFrame:
        """How complete and clean the returns are: one row per county and period with data.

        Columns: ``org_code``, ``name`` (the county); ``period``; ``files`` (return files for
        it: named after the county in the period's folder, or holding its or its schools'
        rows); ``elements_expected`` (values it owes: each required county element once and
        each required school element once per school the registry lists under it);
        ``elements_reported`` (those it sent that passed the checks); ``completeness``
        (reported ÷ expected, NaN when nothing is owed); ``errors``, ``warnings`` (problems on
        its or its schools' rows, or in its files; the 未报送 warning counts too); ``missing``
        (True when the return was not sent: 未报送, no county-level value for the period).
        Problems that concern no county (the ledger, city-level items) are not counted.

        >>> ds.quality().query("missing")[["name", "period"]]  # doctest: +SKIP
        """
        from .quality import quality

        return quality(self, self.dictionary or load_dictionary())


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, as hex (what ``Dataset.inputs`` lists)."""
    return file_digest(path)


def load_dataset(
    data_dir: str | Path, dictionary: Dictionary | None = None, *, cache: bool = True
) -> Dataset:
    """Read a data folder as ``planlib sample-data`` writes it (see docs/ARCHITECTURE.md).

    With ``cache`` (the default), a return file read before with the same bytes, dictionary and
    planlib version is not parsed again (:mod:`planlib.returns.cache`; ``PLANLIB_CACHE_DIR``
    says where entries live); the checks across files run on every load. ``cache=False``
    reads every file.
    """
    from .ledger import read_ledger

    root = Path(data_dir)
    if not root.is_dir():
        raise PlanlibError(f"数据目录 {root} 不存在")
    ws = workspace_of(root)
    d = dictionary or load_dictionary(ws.dictionary_path if ws else None)
    org_units = load_org_units(root)
    sources = [root / "returns", root / "city"] if (root / "returns").is_dir() else [root]
    sources = [s for s in sources if s.exists()]
    if (root / "values.parquet").exists() and sources == [root]:
        sources = [root / "values.parquet"]
    ledger_dir = root / "ledger"
    files = [
        *(
            p
            for p in (
                root / n
                for n in ("org_units.csv", "org_units.parquet", "schools.csv", "schools.parquet")
            )
            if p.exists()
        ),
        *return_files(sources),
        *(sorted(ledger_dir.glob("*.*")) if ledger_dir.is_dir() else []),
    ]
    digests = {f: file_digest(f) for f in files if f.is_file()}
    store = _open_cache(root, d) if cache else None
    values, problems, keys = read_values(sources, d, root, store, digests)
    result = validate_values(values, problems, org_units, d, keys)
    scopes = folder_scopes(root, d)  # a blank where an element does not apply is no problem
    result = replace(
        result,
        problems=drop_not_applicable(result.problems, values, org_units, scopes, d),
    )
    ledger = pd.DataFrame(
        columns=["task_id", "unit", "period", "status", "account", "evidence", "next_step", "due"]
    )
    ledger_problems: list[Problem] = []
    if ledger_dir.is_dir():
        ledger, ledger_problems = read_ledger(ledger_dir, root=root)
    inputs = pd.DataFrame(
        [{"path": str(f.relative_to(root)), "sha256": digests[f]} for f in files if f in digests],
        columns=["path", "sha256"],
    )
    problems_all = result.problems
    if ledger_problems:
        kept = [
            Problem(
                **{str(k): v for k, v in r.items()}
                | {"row": None if pd.isna(r["row"]) else int(r["row"])}
            )
            for r in result.problems.to_dict("records")
        ]
        problems_all = problems_frame([*kept, *ledger_problems])
    return Dataset(
        root, org_units, result.values, problems_all, ledger, inputs, result.keys, d, ws, scopes
    )


def read_values(
    sources: Sequence[Path],
    d: Dictionary,
    root: Path,
    store: ReturnCache | None = None,
    digests: dict[Path, str] | None = None,
) -> tuple[pd.DataFrame, list[Problem], RowKeys | None]:
    """The values of a data folder's sources, their problems and, for a lone tidy Parquet file
    (national data), the rows' integer codes made while reading (validation reuses them)."""
    if len(sources) == 1 and sources[0].suffix.lower() == ".parquet" and sources[0].is_file():
        from .tidy import read_tidy

        src = sources[0]
        name = str(src.relative_to(root)) if src.is_relative_to(root) else str(src)
        return read_tidy(src, name, d)
    values, problems = read_returns(sources, d, root=root, cache=store, digests=digests, facts=True)
    return values, problems, None


def _open_cache(root: Path, d: Dictionary) -> ReturnCache | None:
    """The cache of parsed return files, or None when its folder lies inside the data folder
    (its Parquet files would be read as returns)."""
    store = ReturnCache.open(d)
    if store.folder.resolve().is_relative_to(root.resolve()):
        warnings.warn(
            f"缓存目录 {store.folder} 位于数据目录 {root} 之内，本次不使用缓存；"
            f"请把环境变量 {CACHE_ENV} 设为数据目录以外的文件夹",
            stacklevel=3,
        )
        return None
    return store


def validate(
    paths: str | Path | Iterable[str | Path], dictionary: Dictionary | None = None
) -> ValidationResult:
    """Check returns: a data folder (with org_units.csv) or return files. Never raises for bad data."""
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    folder = Path(items[0]) if len(items) == 1 else None
    marks = ("org_units.csv", "org_units.parquet", "schools.csv", "schools.parquet", "returns")
    if folder is not None and folder.is_dir() and any((folder / m).exists() for m in marks):
        # a data folder: its org units are required (load_dataset says so when they are missing)
        ds = load_dataset(folder, dictionary=dictionary)
        return ValidationResult(ds.problems, ds.values, ds.org_units, ds.keys)
    d = dictionary or load_dictionary()
    values, problems = read_returns(items, d, facts=True)
    return validate_values(values, problems, None, d)
