"""Benchmark: ``load_dataset`` on a data folder against merely opening its workbooks with pandas.

Three ways, measured side by side in one process, in a rotating order (each way first, middle
and last in turn), each repeated ``--repeats`` times after one untimed warm-up of each (so
imports are paid before timing):

- ``pandas``: ``pd.read_excel(path, sheet_name=None)`` for every .xlsx of the folder, with
  pandas' default engine (openpyxl) — the cells only: no header search, no checks;
- ``cold``: ``planlib.load_dataset(folder, cache=False)`` — every workbook and CSV parsed and
  checked, org units, validation across files, the ledger, checksums;
- ``warm``: ``planlib.load_dataset(folder)`` with unchanged files: parsed files come from the
  cache (a fresh temporary ``PLANLIB_CACHE_DIR``, filled before timing); checks across files
  run as always.

Prints the median and range of each and the ratios of the medians, and checks that the cold
and warm loads give the same values and problems.

Run: ``.venv/bin/python benchmarks/bench_load.py [--data data/sample] [--repeats 5]``

Measured 1 Dec 2026 (2-core VM shared with other work; data/sample: 12 counties, 43 .xlsx and
12 CSV files), ``--repeats 7``, median (range):

- pandas 3.18 s (2.58–3.26), cold 0.81 s (0.72–0.96), warm 0.40 s (0.31–0.53);
- pandas ÷ cold 3.9×, pandas ÷ warm 7.9×, cold ÷ warm 2.0×; cold and warm gave the same values
  and problems. Before this change ``load_dataset`` took 11.5 s here (openpyxl and one pandera
  validation per table).

6 Dec 2026 (issue 26: cell, formula, year-to-date and owner rules; the table reader split),
on a VM loaded by other work so that medians of this script swung 3× between runs: cold loads
of ``planlib sample-data`` interleaved old/new in fresh processes, best of 3 per process, 4
processes each: old min 0.99 s (median 1.17), new min 0.86 s (median 1.05) — no slower.

A fresh ``python -c "import planlib; planlib.load_dataset(...)"`` adds about 1 s of start-up
(Python, pandas, pyarrow) that no cache removes: 1.7–2.4 s cold, 1.5–1.8 s warm.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd

import planlib

ROOT = Path(__file__).resolve().parents[1]


def pandas_read(folder: Path) -> Callable[[], object]:
    files = sorted(folder.rglob("*.xlsx"))

    def run() -> object:
        with warnings.catch_warnings():
            # pandas 3.1 says its default engine will change; the default is what is measured
            warnings.simplefilter("ignore")
            return [pd.read_excel(f, sheet_name=None) for f in files]

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "sample")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    folder: Path = args.data
    repeats = max(3, args.repeats)
    xlsx = sorted(folder.rglob("*.xlsx"))
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())

    with tempfile.TemporaryDirectory(prefix="planlib-bench-cache-") as cache:
        os.environ["PLANLIB_CACHE_DIR"] = cache
        ways: dict[str, Callable[[], object]] = {
            "pandas": pandas_read(folder),
            "cold": lambda: planlib.load_dataset(folder, cache=False),
            "warm": lambda: planlib.load_dataset(folder),
        }
        for run in ways.values():
            run()  # warm-up: imports, and the cache filled for "warm"
        times: dict[str, list[float]] = {k: [] for k in ways}
        names = list(ways)
        for i in range(repeats):
            order = names[i % 3 :] + names[: i % 3]
            for name in order:
                start = time.perf_counter()
                ways[name]()
                times[name].append(time.perf_counter() - start)
        cold = planlib.load_dataset(folder, cache=False)
        warm = planlib.load_dataset(folder)
    same = cold.values.equals(warm.values) and cold.problems.equals(warm.problems)

    print(f"data: {folder} ({len(xlsx)} .xlsx, {size / 1e6:.1f} MB in all), {repeats} repeats")
    print(f"{'way':<8}{'median s':>10}{'min s':>9}{'max s':>9}")
    median = {k: statistics.median(v) for k, v in times.items()}
    for name, values in times.items():
        print(f"{name:<8}{median[name]:>10.3f}{min(values):>9.3f}{max(values):>9.3f}")
    print(f"pandas / cold: {median['pandas'] / median['cold']:.1f}×")
    print(f"pandas / warm: {median['pandas'] / median['warm']:.1f}×")
    print(f"cold / warm:   {median['cold'] / median['warm']:.1f}×")
    print(f"cold and warm give the same values and problems: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
