"""A cache of what reading one return file gave: its checked values and its own problems.

Reading a city's workbooks is most of ``load_dataset``; a quarter's files rarely change between
two loads. An entry is keyed by what the result depends on: the file's SHA-256 (the one
``Dataset.inputs`` lists), the parts of the data dictionary that reading uses, planlib's version
with a fingerprint of the reading code, and the quarter the file name gives (a CSV without one
in its title takes it from there). Checks across files (codes, duplicates, rules, completeness)
are not cached: they run on every load.

The key's digest is of the bytes parsed: a file is hashed before it is parsed (``Dataset.inputs``
lists that hash) and hashed again before its result is stored, and a result whose file changed
in between (a return re-saved during a load) is not stored, with a warning: the cache never
holds one content's values under another content's hash. (The workbook reader takes a path,
not bytes, so the file cannot be read once and both hashed and parsed from that buffer.) The
file hashed again is the one :meth:`ReturnCache.put` is given as ``source``, else the one this
thread last hashed with :func:`file_digest` under that digest and name.

Entries are files in ``$PLANLIB_CACHE_DIR``, else the user cache folder
(``platformdirs.user_cache_dir("planlib")``), never in the data folder: a header (a magic
string and the SHA-256 of the rest) and a Parquet payload whose schema metadata holds the key,
the row count and the problems. An entry is used only when its checksum, key, schema (column
names and types), row count and every problem's fields are as written; anything else (a flipped
bit, a truncated or empty file, garbage, another layout) is a miss: the file is parsed again and
the entry rewritten. File names are stored relative to the file, so the same bytes under
another name or data folder are a hit. An entry is written to a temporary file made with
``mkstemp`` (``O_EXCL``) in its own folder and moved into place with ``os.replace`` (readers
never see half a file). A cache that cannot be written is not an error: loading just takes
longer.

Entries sit in a folder per reading code (planlib version and reading-code digest), so a new
version never reads an old one's entries. Opening the cache marks its folder as used; folders no
planlib has used for :data:`KEEP_DAYS` days (an old version's, an edited checkout's, or an older
entry layout's) are removed then, so the cache does not grow without bound.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import time
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field, fields
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
_FORMAT = "returns-2"  # bump when an entry's layout changes
_FORMATS = re.compile(r"returns-\d+")  # the layouts' folders: an old one is pruned like old code
_META = b"planlib"
_MAGIC = b"PLNLIB\x02\n"  # an entry's first bytes; then the SHA-256 of the payload after it
_HEADER = len(_MAGIC) + 32
ENTRY_SUFFIX = ".entry"
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


class _Hashed(threading.local):
    """The files this thread hashed last, and their digests (oldest first, at most
    :data:`_HASHED_KEPT`): which file a result stored under a digest came from."""

    def __init__(self) -> None:
        self.digest_of: OrderedDict[Path, str] = OrderedDict()
        self.paths_of: dict[str, list[Path]] = {}

    def record(self, path: Path, digest: str) -> None:
        old = self.digest_of.pop(path, None)
        if old is not None:
            self._forget(path, old)
        self.digest_of[path] = digest
        self.paths_of.setdefault(digest, []).append(path)
        while len(self.digest_of) > _HASHED_KEPT:
            self._forget(*self.digest_of.popitem(last=False))

    def _forget(self, path: Path, digest: str) -> None:
        paths = self.paths_of[digest]
        paths.remove(path)
        if not paths:
            del self.paths_of[digest]

    def latest(self, digest: str, name: str) -> Path | None:
        """The file last hashed to ``digest`` whose path ends with ``name``."""
        tail = Path(name).parts
        for path in reversed(self.paths_of.get(digest, ())):
            if path.parts[-len(tail) :] == tail:
                return path
        return None


_HASHED_KEPT = 1 << 16
_hashed = _Hashed()


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    digest = h.hexdigest()
    _hashed.record(path, digest)
    return digest


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
    _digests: dict[str, str] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )  # key → the file digest it was made from (what put checks the file against)

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
        """Mark this code's folder used; remove other code folders unused for ``keep_days``
        (also those of another entry layout, and then that layout's folder when empty).

        Returns the folders removed. Errors (a read-only or shared cache) are ignored.
        """
        removed: list[Path] = []
        mine = self.code_folder
        try:
            if mine.is_dir():
                os.utime(mine)
            cutoff = time.time() - keep_days * 86400
            layouts = [p for p in self.folder.iterdir() if _FORMATS.fullmatch(p.name)]
            for layout in layouts:
                for other in layout.iterdir():
                    if other != mine and other.is_dir() and other.stat().st_mtime < cutoff:
                        shutil.rmtree(other, ignore_errors=True)
                        removed.append(other)
                if layout.name != _FORMAT and not any(layout.iterdir()):
                    layout.rmdir()
        except OSError:
            pass
        return removed

    def key(self, digest: str, suffix: str, period: str | None) -> str:
        """The entry key of a file with SHA-256 ``digest``, read with the fallback ``period``."""
        parts = (_code_stamp(), self.dictionary_key, digest, suffix.lower(), period or "")
        key = hashlib.sha256("|".join(parts).encode()).hexdigest()
        self._digests[key] = digest
        return key

    def path(self, key: str) -> Path:
        return self.code_folder / key[:2] / f"{key}{ENTRY_SUFFIX}"

    def get(self, key: str, name: str) -> tuple[pa.Table | None, list[Problem]] | None:
        """The values (None when the file gave none) and problems stored under ``key``, named
        as file ``name``; None when there is no sound entry (see the module docstring)."""
        import pyarrow.compute as pc

        try:
            data = self.path(key).read_bytes()
        except OSError:
            return None
        try:
            table, problems = _decode(data, key, name)
        except Exception:  # any damage at all: read the file again, and the entry is rewritten
            return None
        if table is None:
            return None, problems
        files = pc.binary_join_element_wise(name, table["file"], "")
        return table.set_column(table.schema.get_field_index("file"), "file", files), problems

    def put(
        self,
        key: str,
        name: str,
        values: pa.Table | None,
        problems: list[Problem],
        *,
        source: Path | None = None,
    ) -> bool:
        """Store a file's result (values from it are named ``name`` + a sheet suffix); whether
        it was stored.

        ``source`` is the file parsed (else the one this thread last hashed to the key's digest
        under ``name``): it is hashed again, and a result whose file no longer has the digest
        the key was made from is not stored (the file changed while it was read).
        """
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        if any(not p.file.startswith(name) for p in problems):
            return False  # a result that names other files is not this file's alone
        table = values_table(None) if values is None else values
        if not table.schema.equals(_schema()):
            return False
        files = table["file"]
        if not pc.all(pc.starts_with(files, name)).as_py() and table.num_rows:
            return False
        stored = [[p.file[len(name) :], *_problem_fields(p)[1:]] for p in problems]
        if not all(_sound_problem(p) for p in stored):
            return False  # an entry that would be refused when read: not worth writing
        if not self._unchanged(key, name, source):
            return False
        table = table.set_column(
            table.schema.get_field_index("file"), "file", pc.utf8_slice_codeunits(files, len(name))
        )
        meta = {"key": key, "has_values": values is not None, "rows": table.num_rows}
        try:
            text = json.dumps(meta | {"problems": stored}, ensure_ascii=False)
        except (TypeError, ValueError):
            return False  # something that does not round-trip: not cached
        import pyarrow as pa

        sink = pa.BufferOutputStream()
        pq.write_table(table.replace_schema_metadata({_META: text}), sink)
        payload = sink.getvalue()
        return _write_atomic(self.path(key), _MAGIC + hashlib.sha256(payload).digest(), payload)

    def _unchanged(self, key: str, name: str, source: Path | None) -> bool:
        """Whether the file parsed still has the digest ``key`` was made from (warns if not)."""
        digest = self._digests.get(key)
        if digest is None:
            return False  # a key this cache did not make: nothing to check the file against
        path = source if source is not None else _hashed.latest(digest, name)
        if path is None:
            return False
        try:
            now = file_digest(path)
        except OSError:
            return False
        if now != digest:
            warnings.warn(
                f"文件 {name} 在读取过程中被修改（读取前后内容不同），本次读取的结果未写入缓存，"
                "且可能与数据清单中记录的校验值不符；请在文件保存完毕后重新加载",
                stacklevel=4,
            )
            return False
        return True


def _write_atomic(path: Path, header: bytes, payload: pa.Buffer) -> bool:
    """Write an entry to a new temporary file beside ``path`` and move it into place."""
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")  # O_EXCL
        with os.fdopen(fd, "wb") as fh:
            fh.write(header)
            fh.write(memoryview(payload))
        os.replace(tmp, path)
        tmp = None
        return True
    except OSError:
        return False  # a read-only or full cache folder: the next load reads the file again
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _decode(data: bytes, key: str, name: str) -> tuple[pa.Table | None, list[Problem]]:
    """An entry's values (None when the file gave none) and problems; raises on any damage."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    view = memoryview(data)
    if len(data) <= _HEADER or view[: len(_MAGIC)] != _MAGIC:
        raise ValueError("not an entry of this layout")
    payload = view[_HEADER:]
    if hashlib.sha256(payload).digest() != view[len(_MAGIC) : _HEADER]:
        raise ValueError("checksum mismatch")
    stored = pq.ParquetFile(pa.BufferReader(pa.py_buffer(payload)))
    meta = json.loads((stored.schema_arrow.metadata or {})[_META])
    if not isinstance(meta, dict) or meta.get("key") != key:
        raise ValueError("an entry of another key")
    if not stored.schema_arrow.equals(_schema()):
        raise ValueError("columns or types of another layout")
    records = meta["problems"]
    if not isinstance(records, list) or not all(_sound_problem(p) for p in records):
        raise ValueError("problems of another layout")
    problems = [_problem_from(name, p) for p in records]
    rows, has_values = meta["rows"], meta["has_values"]
    if type(rows) is not int or type(has_values) is not bool or stored.metadata.num_rows != rows:
        raise ValueError("row count or flags of another layout")
    if not has_values:
        return None, problems
    table = stored.read().replace_schema_metadata(None)
    if table.num_rows != rows or not table.schema.equals(_schema()):
        raise ValueError("a table other than its metadata says")
    return table, problems


def values_table(values: pd.DataFrame | None) -> pa.Table:
    """Tidy values (:data:`~planlib.returns.cells.VALUE_COLUMNS`) as an Arrow table, the form
    entries are stored and concatenated in (no values: an empty table)."""
    import pyarrow as pa

    if values is None:
        return _schema().empty_table()
    # one thread: for a file's few thousand rows, handing columns to a pool costs more
    return pa.Table.from_pandas(values, schema=_schema(), preserve_index=False, nthreads=1)


_FIELDS = [f.name for f in fields(Problem)]
# what each stored problem field may hold (file is the part after the file's name)
_OPTIONAL_TEXT = (str, type(None))
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "file": (str,),
    "row": (int, type(None)),
    "column": _OPTIONAL_TEXT,
    "value": (str, int, float, type(None)),
    "message": (str,),
    "severity": (str,),
    "org_code": _OPTIONAL_TEXT,
    "period": _OPTIONAL_TEXT,
    "rule": (str,),
}


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


def _sound_problem(stored: Any) -> bool:
    """Whether a stored problem has the fields of :class:`Problem`, each of its type (a text
    row, a bool, a number for a message … are another layout's, or damage)."""
    if not isinstance(stored, list) or len(stored) != len(_FIELDS):
        return False
    for f, v in zip(_FIELDS, stored, strict=True):
        if type(v) not in _FIELD_TYPES[f]:  # exact types: bool is not an int here
            return False
    return stored[_FIELDS.index("severity")] in ("error", "warning")


def _problem_from(name: str, stored: list[Any]) -> Problem:
    record = dict(zip(_FIELDS, stored, strict=True))
    record["file"] = name + str(record["file"])
    return Problem(**record)
