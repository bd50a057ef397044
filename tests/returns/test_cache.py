"""The cache of parsed return files: used when files are unchanged, never trusted blindly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import planlib
from planlib.returns import reading


@pytest.fixture()
def data(small_sample: Path, tmp_path: Path) -> Path:
    out = tmp_path / "data"
    shutil.copytree(small_sample, out)
    return out


@pytest.fixture()
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the return files parsed (not taken from the cache), in order."""
    names: list[str] = []
    real = reading._read_table_file

    def counting(f, name, d, period):
        names.append(name)
        return real(f, name, d, period)

    monkeypatch.setattr(reading, "_read_table_file", counting)
    return names


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("a return file was parsed although the cache holds it")

    monkeypatch.setattr(reading, "_read_table_file", refuse)


def same(a: planlib.Dataset, b: planlib.Dataset) -> None:
    pd.testing.assert_frame_equal(a.values, b.values)
    pd.testing.assert_frame_equal(a.problems, b.problems)


def edit(path: Path, sheet: str, cell: str, value) -> None:
    wb = load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)


def return_files(data: Path) -> list[Path]:
    return sorted(
        f for f in (data / "returns").rglob("*.*") if f.suffix in (".xlsx", ".csv")
    ) + sorted((data / "city").glob("*.xlsx"))


def test_a_second_load_reads_no_return_file(data, cache_dir, parsed, monkeypatch):
    first = planlib.load_dataset(data)
    assert len(parsed) == len(return_files(data))  # every workbook and CSV, once
    assert len(list(cache_dir.rglob("*.entry"))) == len(parsed)
    no_parsing(monkeypatch)
    second = planlib.load_dataset(data)
    same(first, second)
    pd.testing.assert_frame_equal(first.inputs, second.inputs)


def test_the_same_bytes_elsewhere_are_a_hit(data, tmp_path, monkeypatch):
    first = planlib.load_dataset(data)
    moved = tmp_path / "elsewhere"
    shutil.copytree(data, moved)
    no_parsing(monkeypatch)
    same(first, planlib.load_dataset(moved))  # file names are relative to the data folder


def test_a_changed_workbook_is_read_again(data, parsed):
    planlib.load_dataset(data)
    path = sorted((data / "returns" / "2022Q2").glob("*.xlsx"))[0]
    ws = load_workbook(path)["县级汇总"]
    col = next(c.column_letter for c in ws[3] if c.value == "3-5岁常住人口数")
    edit(path, "县级汇总", f"{col}4", 12345)
    parsed.clear()
    ds = planlib.load_dataset(data)
    assert parsed == [str(path.relative_to(data))]  # only the changed file
    v = ds.values
    got = v[(v["org_code"] == path.stem) & (v["period"] == "2022Q2") & (v["element"] == "pop_3_5")]
    assert got["value"].tolist() == [12345.0]


def test_a_corrupt_entry_is_ignored_and_written_again(data, cache_dir, parsed, monkeypatch):
    first = planlib.load_dataset(data)
    entries = sorted(cache_dir.rglob("*.entry"))
    entries[0].write_bytes(b"not parquet")
    entries[1].write_bytes(entries[1].read_bytes()[:100])  # cut short
    entries[2].write_bytes(entries[3].read_bytes())  # a valid entry of another file
    parsed.clear()
    same(first, planlib.load_dataset(data))
    assert len(parsed) == 3
    no_parsing(monkeypatch)
    same(first, planlib.load_dataset(data))  # rewritten: a hit again
    assert not [f for f in cache_dir.rglob("*") if f.name.endswith(".tmp")]


def test_cache_false_neither_reads_nor_writes(data, cache_dir, parsed):
    planlib.load_dataset(data, cache=False)
    assert not list(cache_dir.rglob("*.entry"))
    planlib.load_dataset(data)
    parsed.clear()
    planlib.load_dataset(data, cache=False)
    assert len(parsed) == len(return_files(data))


def test_damaged_files_give_the_same_problems_with_and_without_cache(data):
    q2 = sorted((data / "returns" / "2022Q2").glob("*.xlsx"))
    edit(q2[0], "县级汇总", "E4", "很多")
    edit(q2[0], "县级汇总", "F4", -5)
    edit(q2[0], "学校明细", "D5", None)
    edit(q2[1], "县级汇总", "G4", "#DIV/0!")  # a formula error, as Excel stores it
    edit(q2[1], "学校明细", "A6", "9999999999")
    (data / "returns" / "2022Q3" / q2[2].name).write_text("garbage", encoding="utf-8")
    csv = next((data / "returns" / "2022Q1").glob("*_县级.csv"))
    text = csv.read_bytes().decode("gb18030").replace("2022Q1", "2022Q9")
    csv.write_bytes(text.encode("gb18030"))
    fresh = planlib.load_dataset(data, cache=False)
    rules = set(fresh.problems["rule"])
    assert {
        "not_numeric",
        "negative",
        "empty_cell",
        "unknown_code",
        "unreadable",
        "period",
    } <= rules
    same(fresh, planlib.load_dataset(data))  # writing the cache
    same(fresh, planlib.load_dataset(data))  # reading it


def test_a_cache_folder_inside_the_data_folder_is_not_used(data, monkeypatch):
    inside = data / "returns" / "cache"
    monkeypatch.setenv("PLANLIB_CACHE_DIR", str(inside))
    with pytest.warns(UserWarning, match="缓存目录"):
        ds = planlib.load_dataset(data)
    assert not inside.exists() and not ds.problems["severity"].eq("error").any()


def test_an_unwritable_cache_folder_only_costs_time(data, tmp_path, monkeypatch):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    monkeypatch.setenv("PLANLIB_CACHE_DIR", str(blocked))
    same(planlib.load_dataset(data, cache=False), planlib.load_dataset(data))


def test_read_returns_with_a_cache_matches_without(data, cache_dir):
    from planlib.catalog.dictionary import load_dictionary
    from planlib.returns.cache import ReturnCache

    d = load_dictionary()
    store = ReturnCache.open(d, cache_dir)
    plain = reading.read_returns(data / "returns", d)
    for _ in range(2):
        values, problems = reading.read_returns(data / "returns", d, cache=store)
        pd.testing.assert_frame_equal(plain[0], values)
        assert plain[1] == problems


def test_entries_of_code_unused_for_a_month_are_removed(data, cache_dir):
    import os
    import time

    from planlib.returns.cache import _FORMAT, KEEP_DAYS, ReturnCache

    planlib.load_dataset(data)
    root = cache_dir / _FORMAT
    (mine,) = list(root.iterdir())
    old, recent = root / "0ld0ld0ld0ld0ld0", root / "rec3ntrec3ntrec3"
    for folder, age_days in ((old, KEEP_DAYS + 1), (recent, KEEP_DAYS - 1), (mine, KEEP_DAYS + 5)):
        (folder / "ab").mkdir(parents=True, exist_ok=True)
        (folder / "ab" / "entry.parquet").write_bytes(b"x")
        stamp = time.time() - age_days * 86400
        os.utime(folder, (stamp, stamp))
    store = ReturnCache.open(planlib.load_dictionary(), cache_dir)
    assert not old.exists()  # another planlib's entries, unused for a month
    assert recent.exists()  # another planlib, used this month: kept
    assert mine.exists() and store.code_folder == mine  # this planlib's own, marked used again
    assert time.time() - mine.stat().st_mtime < 60
