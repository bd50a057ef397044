"""The parse cache never serves a value its file did not give: not for a file re-saved while it
was read, not from a damaged entry (a flipped bit, a cut-short or empty file, garbage, a text
``row``), and it still pays off when nothing changed."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

import planlib
from planlib.returns import cache, reading
from planlib.returns.filing import FilePeriods


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample city, with one workbook given a cell problem (so its entry holds problems
    as well as values)."""
    out = tmp_path_factory.mktemp("integrity") / "city"
    planlib.make_sample(out, seed=7, counties=3, schools_per_county=20)
    edit(damaged(out), "县级汇总", "E4", "很多")
    return out


@pytest.fixture()
def data(city: Path, tmp_path: Path) -> Path:
    out = tmp_path / "data"
    shutil.copytree(city, out)
    return out


@pytest.fixture()
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the return files parsed (not taken from the cache), in order."""
    names: list[str] = []
    real = reading._read_table_file

    def counting(f, name, d, periods):
        names.append(name)
        return real(f, name, d, periods)

    monkeypatch.setattr(reading, "_read_table_file", counting)
    return names


def damaged(data: Path) -> Path:
    return sorted((data / "returns" / "2022Q2").glob("*.xlsx"))[0]


def edit(path: Path, sheet: str, cell: str, value) -> None:
    wb = load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)


def same(a: planlib.Dataset, b: planlib.Dataset) -> None:
    pd.testing.assert_frame_equal(a.values, b.values)
    pd.testing.assert_frame_equal(a.problems, b.problems)


def dictionary(data: Path) -> planlib.Dictionary:
    """The dictionary the data folder is read with (the sample is a workspace: its own)."""
    return planlib.load_dictionary(data / "dictionary.yaml")


def entry_of(data: Path, cache_dir: Path, path: Path) -> Path:
    """The cache entry of return file ``path`` (of the bundled dictionary)."""
    name = str(path.relative_to(data))
    store = cache.ReturnCache.open(dictionary(data), cache_dir)
    key = store.key(cache.file_digest(path), path.suffix, FilePeriods.of(name).key)
    return store.path(key)


def population_cell(path: Path) -> str:
    ws = load_workbook(path)["县级汇总"]
    col = next(c.column_letter for c in ws[3] if c.value == "3-5岁常住人口数")
    return f"{col}4"


# --- (a) a file re-saved while it is read -------------------------------------------------------


def test_a_file_resaved_while_read_is_not_cached_under_its_first_hash(
    data, cache_dir, parsed, monkeypatch
):
    path = damaged(data)
    name = str(path.relative_to(data))
    original = path.read_bytes()
    edit(path, "县级汇总", population_cell(path), 1)  # the re-saved content: another value
    resaved = path.read_bytes()
    clean_resaved = planlib.load_dataset(data, cache=False)
    path.write_bytes(original)
    clean_original = planlib.load_dataset(data, cache=False)
    assert not clean_original.values.equals(clean_resaved.values)

    real = reading._read_table_file
    swapped: list[str] = []

    def resaved_after_hashing(f, file_name, d, periods):
        if file_name == name and not swapped:  # hashed (as the original) by now: re-saved
            f.write_bytes(resaved)
            swapped.append(file_name)
        return real(f, file_name, d, periods)

    monkeypatch.setattr(reading, "_read_table_file", resaved_after_hashing)
    with pytest.warns(UserWarning, match="读取过程中被修改"):
        raced = planlib.load_dataset(data)
    assert swapped == [name]
    assert raced.inputs.set_index("path")["sha256"][name] == hashlib.sha256(original).hexdigest()
    same(clean_resaved, raced)  # this load read the re-saved file, and said so
    assert not entry_of_bytes(data, cache_dir, path, original).exists()

    monkeypatch.setattr(reading, "_read_table_file", real)
    path.write_bytes(original)  # the original again: its own values, parsed afresh
    counted: list[str] = []
    monkeypatch.setattr(
        reading, "_read_table_file", lambda f, n, d, p: counted.append(n) or real(f, n, d, p)
    )
    same(clean_original, planlib.load_dataset(data))
    assert counted == [name]
    same(clean_original, planlib.load_dataset(data))  # and now from the cache
    assert counted == [name]
    path.write_bytes(resaved)
    same(clean_resaved, planlib.load_dataset(data))


def entry_of_bytes(data: Path, cache_dir: Path, path: Path, content: bytes) -> Path:
    """The entry a file of ``content`` at ``path`` would have."""
    name = str(path.relative_to(data))
    store = cache.ReturnCache.open(dictionary(data), cache_dir)
    key = store.key(hashlib.sha256(content).hexdigest(), path.suffix, FilePeriods.of(name).key)
    return store.path(key)


def test_put_hashes_the_file_parsed_again(data, cache_dir):
    d = dictionary(data)
    path = damaged(data)
    name = str(path.relative_to(data))
    store = cache.ReturnCache.open(d, cache_dir)
    periods = FilePeriods.of(name)
    key = store.key(cache.file_digest(path), path.suffix, periods.key)
    table, problems, _ = reading._read_table_file(path, name, d, periods)
    edit(path, "县级汇总", population_cell(path), 2)  # changed after it was hashed
    with pytest.warns(UserWarning, match="读取过程中被修改"):
        assert not store.put(key, name, table, problems)  # the file this thread hashed
    with pytest.warns(UserWarning, match="读取过程中被修改"):
        assert not store.put(key, name, table, problems, source=path)
    assert not store.put(key, name, table, problems)  # no file of that digest any more
    assert store.get(key, name) is None
    assert not store.put("0" * 64, name, table, problems, source=path)  # not a key it made
    key = store.key(cache.file_digest(path), path.suffix, periods.key)
    table, problems, _ = reading._read_table_file(path, name, d, periods)
    assert store.put(key, name, table, problems)
    hit = store.get(key, name)
    assert hit is not None and hit[0] is not None
    assert hit[0].equals(table) and hit[1] == problems


# --- (b) single-bit flips ------------------------------------------------------------------------


def flips(entry: Path, seed: int = 20221, n: int = 200):
    """The entry's bytes with one bit flipped, at ``n`` random positions (a fixed seed)."""
    good = entry.read_bytes()
    for bit in random.Random(seed).sample(range(len(good) * 8), n):
        flipped = bytearray(good)
        flipped[bit // 8] ^= 1 << (bit % 8)
        yield bit, bytes(flipped)


@pytest.mark.parametrize(
    "loads",
    [
        pytest.param(20, id="every 10th loaded"),
        pytest.param(200, id="all loaded", marks=pytest.mark.slow),
    ],
)
def test_no_single_bit_flip_in_an_entry_is_served(data, cache_dir, parsed, loads):
    clean = planlib.load_dataset(data, cache=False)
    path = damaged(data)
    name = str(path.relative_to(data))
    same(clean, planlib.load_dataset(data))  # entries written
    assert clean.problems["file"].str.startswith(name).any()  # the entry holds problems too
    entry = entry_of(data, cache_dir, path)
    good = entry.read_bytes()
    store = cache.ReturnCache.open(dictionary(data), cache_dir)
    key = entry.stem
    assert store.get(key, name) is not None
    for i, (bit, flipped) in enumerate(flips(entry)):
        entry.write_bytes(flipped)
        assert store.get(key, name) is None, f"bit {bit}: a damaged entry was used"
        if i % (200 // loads):
            continue
        parsed.clear()
        same(clean, planlib.load_dataset(data))
        assert parsed == [name], f"bit {bit}: a damaged entry was used"
        assert entry.read_bytes() == good  # rewritten as it was


# --- (c) entries that cannot be used ------------------------------------------------------------


def rewritten(good: bytes, change) -> bytes:
    """An entry with a sound checksum whose payload was changed by ``change(table, meta)``."""
    stored = pq.read_table(pa.py_buffer(good[cache._HEADER :]))
    table, meta = change(stored.replace_schema_metadata(None), stored.schema.metadata)
    sink = pa.BufferOutputStream()
    pq.write_table(table.replace_schema_metadata(meta), sink)
    payload = sink.getvalue().to_pybytes()
    return cache._MAGIC + hashlib.sha256(payload).digest() + payload


def text_row(table: pa.Table, meta: dict) -> tuple[pa.Table, dict]:
    at = table.schema.get_field_index("row")
    return table.set_column(at, "row", table["row"].cast(pa.string())), meta


def text_problem_row(table: pa.Table, meta: dict) -> tuple[pa.Table, dict]:
    import json

    stored = json.loads(meta[cache._META])
    for p in stored["problems"]:
        p[1] = f"第{p[1]}行"  # a row as a clerk writes it
    return table, {cache._META: json.dumps(stored, ensure_ascii=False).encode()}


def renamed_column(table: pa.Table, meta: dict) -> tuple[pa.Table, dict]:
    return table.rename_columns([*table.column_names[:-1], "列"]), meta


DAMAGE = {
    "text row": lambda good, other: rewritten(good, text_row),
    "text row of a problem": lambda good, other: rewritten(good, text_problem_row),
    "renamed column": lambda good, other: rewritten(good, renamed_column),
    "truncated": lambda good, other: good[: len(good) // 2],
    "header only": lambda good, other: good[: cache._HEADER],
    "empty": lambda good, other: b"",
    "garbage": lambda good, other: bytes(random.Random(3).randrange(256) for _ in range(4000)),
    "bare parquet (old layout)": lambda good, other: good[cache._HEADER :],
    "unknown version": lambda good, other: b"PLNLIB\x09\n" + good[len(cache._MAGIC) :],
    "another file's entry": lambda good, other: other,
    "checksum of other bytes": lambda good, other: good[: cache._HEADER] + b"x" * 100,
}


@pytest.mark.parametrize("kind", DAMAGE)
def test_an_unusable_entry_is_a_fresh_parse(data, cache_dir, parsed, monkeypatch, kind):
    clean = planlib.load_dataset(data, cache=False)
    planlib.load_dataset(data)
    path = damaged(data)
    name = str(path.relative_to(data))
    entry = entry_of(data, cache_dir, path)
    good = entry.read_bytes()
    other = entry_of(data, cache_dir, sorted((data / "returns" / "2022Q3").glob("*.xlsx"))[0])
    entry.write_bytes(DAMAGE[kind](good, other.read_bytes()))
    parsed.clear()
    same(clean, planlib.load_dataset(data))
    assert parsed == [name]
    assert entry.read_bytes() == good  # rewritten
    parsed.clear()
    same(clean, planlib.load_dataset(data))
    assert parsed == []


# --- (d) the cache still pays off; entries are written whole ------------------------------------


def test_an_unchanged_folder_is_served_from_the_cache(data, cache_dir, parsed):
    first = planlib.load_dataset(data)
    assert len(parsed) == len(list(cache_dir.rglob(f"*{cache.ENTRY_SUFFIX}"))) > 10
    parsed.clear()
    same(first, planlib.load_dataset(data))
    assert parsed == []
    same(first, planlib.load_dataset(data, cache=False))


def test_entries_are_moved_into_place_from_a_temporary_file_beside_them(
    data, cache_dir, monkeypatch
):
    moves: list[tuple[Path, Path]] = []
    real = os.replace

    def replace(src, dst):
        moves.append((Path(src), Path(dst)))
        assert Path(src).stat().st_size == Path(src).stat().st_size > cache._HEADER
        real(src, dst)

    monkeypatch.setattr(cache.os, "replace", replace)
    planlib.load_dataset(data)
    assert moves
    for src, dst in moves:
        assert src.parent == dst.parent and src.name.endswith(".tmp") and not src.exists()
        assert dst.suffix == cache.ENTRY_SUFFIX

    def failing(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(cache.os, "replace", failing)
    monkeypatch.setenv("PLANLIB_CACHE_DIR", str(cache_dir / "other"))
    same(planlib.load_dataset(data, cache=False), planlib.load_dataset(data))
    assert not [f for f in (cache_dir / "other").rglob("*") if f.is_file()]  # no temp file left
