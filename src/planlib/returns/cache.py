"""A cache of what reading one return file gave: its checked values and its own problems.

Reading a city's workbooks is most of ``load_dataset``; a quarter's files rarely change between
two loads. An entry is keyed by what the result depends on: the file's SHA-256 (the one
``Dataset.inputs`` lists), the parts of the data dictionary that reading uses, planlib's version
with a fingerprint of the reading code, and the quarter the file name gives (a CSV without one
in its title takes it from there). Checks across files (codes, duplicates, rules, completeness)
are not cached: they run on every load.

Entries are Parquet files in ``$PLANLIB_CACHE_DIR``, else the user cache folder
(``platformdirs.user_cache_dir("planlib")``), never in the data folder. File names are stored
relative to the file, so the same bytes under another name or data folder are a hit. An entry
is written to a temporary file and moved into place (readers never see half a file); one that
cannot be read is ignored and written again. A cache that cannot be written is not an error:
loading just takes longer.

Entries sit in a folder per reading code (planlib version and reading-code digest), so a new
version never reads an old one's entries. Opening the cache marks its folder as used; folders no
planlib has used for :data:`KEEP_DAYS` days (an old version's, or an edited checkout's) are
removed then, so the cache does not grow without bound.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..catalog.dictionary import Dictionary
from ..errors import Problem
from ..resources import package_version

if TYPE_CHECKING:
    import pyarrow as pa

CACHE_ENV = "PLANLIB_CACHE_DIR"
_FORMAT = "returns-1"  # bump when an entry's layout changes
_META = b"planlib"
KEEP_DAYS = 30
"""A code folder unused this long is removed when the cache is next opened."""
# the code that decides what reading one file gives: every module of returns/ (a new reading
# module is covered without being listed) and the foundation and catalog modules reading uses
_READING_CODE = ("catalog/dictionary.py", "periods.py", "encodings.py", "checks.py")


def cache_dir() -> Path:
    """Where entries live: ``$PLANLIB_CACHE_DIR`` if set, else the user cache folder."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("planlib"))


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@cache
def _code_stamp() -> str:
    """planlib's version and a digest of the reading code (an editable install keeps its
    version while the code changes), and the workbook reader's version."""
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256(f"{_FORMAT}|{package_version()}".encode())
    here = Path(__file__).resolve().parents[1]
    modules = [*sorted(p.relative_to(here).as_posix() for p in here.glob("returns/*.py"))]
    for rel in [*modules, *_READING_CODE]:
        h.update(rel.encode() + b"\0" + (here / rel).read_bytes())
    for dist in ("python-calamine", "openpyxl"):
        try:
            h.update(f"|{dist}={version(dist)}".encode())
        except PackageNotFoundError:
            h.update(f"|{dist}=none".encode())
    return h.hexdigest()


def dictionary_stamp(d: Dictionary) -> str:
    """A digest of what reading uses from the dictionary: elements, identifying headers, units.

    Taken from the dictionary's content rather than its file, so a dictionary changed in memory
    is never mistaken for the file it came from (rules and jump thresholds are checked across
    files on every load, and do not matter here).
    """
    text = repr((d.elements, sorted(d.id_headers.items()), sorted(d.units.items())))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class ReturnCache:
    """Entries for one dictionary in one folder; see the module docstring."""

    folder: Path
    dictionary_key: str

    @classmethod
    def open(cls, d: Dictionary, folder: Path | None = None) -> ReturnCache:
        """The cache for dictionary ``d``; marks this code's folder used and prunes stale ones."""
        store = cls(folder if folder is not None else cache_dir(), dictionary_stamp(d))
        store.prune()
        return store

    @property
    def code_folder(self) -> Path:
        """Where this planlib's entries live (one folder per reading code)."""
        return self.folder / _FORMAT / _code_stamp()[:16]

    def prune(self, keep_days: float = KEEP_DAYS) -> list[Path]:
        """Mark this code's folder used; remove other code folders unused for ``keep_days``.

        Returns the folders removed. Errors (a read-only or shared cache) are ignored.
        """
        removed: list[Path] = []
        mine = self.code_folder
        try:
            if mine.is_dir():
                os.utime(mine)
            cutoff = time.time() - keep_days * 86400
            for other in (self.folder / _FORMAT).iterdir():
                if other != mine and other.is_dir() and other.stat().st_mtime < cutoff:
                    shutil.rmtree(other, ignore_errors=True)
                    removed.append(other)
        except OSError:
            pass
        return removed

    def key(self, digest: str, suffix: str, period: str | None) -> str:
        """The entry key of a file with SHA-256 ``digest``, read with the fallback ``period``."""
        parts = (_code_stamp(), self.dictionary_key, digest, suffix.lower(), period or "")
        return hashlib.sha256("|".join(parts).encode()).hexdigest()

    def path(self, key: str) -> Path:
        return self.code_folder / key[:2] / f"{key}.parquet"

    def get(self, key: str, name: str) -> tuple[pa.Table | None, list[Problem]] | None:
        """The values (None when the file gave none) and problems stored under ``key``, named
        as file ``name``; None when there is no readable entry."""
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        path = self.path(key)
        if not path.is_file():
            return None
        try:
            stored = pq.ParquetFile(path)
            meta = json.loads((stored.schema_arrow.metadata or {})[_META])
            if meta["key"] != key or not stored.schema_arrow.equals(_schema()):
                return None
            problems = [_problem_from(name, p) for p in meta["problems"]]
            if not meta["has_values"]:
                return None, problems
            table = stored.read().replace_schema_metadata(None)
            if table.num_rows != meta["rows"]:
                return None
        except (OSError, ValueError, KeyError, TypeError, IndexError, pa.ArrowException):
            return None  # a damaged entry: read the file again, and the entry is rewritten
        files = pc.binary_join_element_wise(name, table["file"], "")
        return table.set_column(table.schema.get_field_index("file"), "file", files), problems

    def put(self, key: str, name: str, values: pa.Table | None, problems: list[Problem]) -> None:
        """Store a file's result (values from it are named ``name`` + a sheet suffix)."""
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        if any(not p.file.startswith(name) for p in problems):
            return  # a result that names other files is not this file's alone
        table = values_table(None) if values is None else values
        files = table["file"]
        if not pc.all(pc.starts_with(files, name)).as_py() and table.num_rows:
            return
        table = table.set_column(
            table.schema.get_field_index("file"), "file", pc.utf8_slice_codeunits(files, len(name))
        )
        meta = {
            "key": key,
            "has_values": values is not None,
            "rows": table.num_rows,
            "problems": [[p.file[len(name) :], *_problem_fields(p)[1:]] for p in problems],
        }
        try:
            text = json.dumps(meta, ensure_ascii=False)
        except (TypeError, ValueError):
            return  # something that does not round-trip: not cached
        table = table.replace_schema_metadata({_META: text})
        path = self.path(key)
        tmp: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            os.close(fd)
            pq.write_table(table, tmp)
            os.replace(tmp, path)
            tmp = None
        except OSError:
            pass  # a read-only or full cache folder: the next load reads the file again
        finally:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)


def values_table(values: pd.DataFrame | None) -> pa.Table:
    """Tidy values (:data:`~planlib.returns.cells.VALUE_COLUMNS`) as an Arrow table, the form
    entries are stored and concatenated in (no values: an empty table)."""
    import pyarrow as pa

    if values is None:
        return _schema().empty_table()
    # one thread: for a file's few thousand rows, handing columns to a pool costs more
    return pa.Table.from_pandas(values, schema=_schema(), preserve_index=False, nthreads=1)


_FIELDS = [f.name for f in fields(Problem)]


@cache
def _schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [
            ("org_code", pa.string()),
            ("period", pa.string()),
            ("element", pa.string()),
            ("value", pa.float64()),
            ("file", pa.string()),
            ("row", pa.int64()),
            ("column", pa.string()),
        ]
    )


def _problem_fields(p: Problem) -> list[Any]:
    return [getattr(p, f) for f in _FIELDS]


def _problem_from(name: str, stored: list[Any]) -> Problem:
    if len(stored) != len(_FIELDS):
        raise ValueError("entry written by another layout")
    record = dict(zip(_FIELDS, stored, strict=True))
    record["file"] = name + str(record["file"])
    return Problem(**record)
