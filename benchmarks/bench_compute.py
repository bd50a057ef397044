"""National benchmark: loading, validation, indicators and assessment vs. the same in DuckDB SQL.

    python benchmarks/bench_compute.py            # generate once into benchmarks/out/, then time
    python benchmarks/bench_compute.py --data DIR # any Parquet data folder (values.parquet …)

Each path runs in its own fresh process so its peak memory (ru_maxrss) is its own. The pandas
path times planlib's stages one after another: load (read values.parquet and the org units),
validate, compute_indicators (all indicators, all units, every period) and assess. The DuckDB
path reads the same files and computes the same 16 indicators in SQL (``national_sql.py``).
Both results are compared number by number before the ratio is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
NATIONAL = {"provinces": 31, "counties": 2850, "schools_per_county": 175}
GOAL_SECONDS = 10.0
GOAL_RATIO = 2.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def ensure_data(folder: Path, regenerate: bool = False) -> None:
    """Write the national sample once (``planlib sample-data`` with the national sizes)."""
    if (folder / "values.parquet").exists() and not regenerate:
        return
    from planlib.returns.sample import make_sample

    print(f"生成全国规模示例数据到 {folder} …", flush=True)
    t = time.perf_counter()
    make_sample(folder, fmt="parquet", **NATIONAL)
    print(f"  用时 {time.perf_counter() - t:.1f} 秒", flush=True)


def run_pandas(folder: Path, result: Path) -> list[dict[str, float | str]]:
    """planlib's own path, stage by stage, in this (fresh) process."""
    import planlib
    from planlib.catalog.dictionary import load_dictionary
    from planlib.returns.orgunits import load_org_units
    from planlib.returns.reading import read_returns
    from planlib.returns.validation import validate_values

    rows: list[dict[str, float | str]] = []

    def stage(name: str, started: float) -> None:
        rows.append(
            {"stage": name, "seconds": time.perf_counter() - started, "peak_mb": _peak_mb()}
        )

    t = time.perf_counter()
    d = load_dictionary()
    org_units = load_org_units(folder)
    values, problems = read_returns([folder / "values.parquet"], d, root=folder)
    stage("load", t)
    t = time.perf_counter()
    checked = validate_values(values, problems, org_units, d)
    stage("validate", t)
    t = time.perf_counter()
    indicators = planlib.compute_indicators(checked)  # reuses the row keys validation made
    stage("compute_indicators", t)
    t = time.perf_counter()
    assessment = planlib.assess(indicators, planlib.load_plan())
    stage("assess", t)
    rows.append({"stage": "rows", "seconds": float(len(indicators)), "peak_mb": len(assessment)})
    indicators[["org_code", "period", "indicator", "numerator", "denominator", "value"]].to_parquet(
        result, index=False
    )
    return rows


def run_duckdb(folder: Path, result: Path) -> list[dict[str, float | str]]:
    sys.path.insert(0, str(HERE))
    from national_sql import compute_with_duckdb

    t = time.perf_counter()
    frame = compute_with_duckdb(folder)
    seconds = time.perf_counter() - t
    frame.to_parquet(result, index=False)
    return [{"stage": "duckdb", "seconds": seconds, "peak_mb": _peak_mb()}]


def _child(path: str, folder: Path, result: Path) -> list[dict[str, float | str]]:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        path,
        "--data",
        str(folder),
        "--result",
        str(result),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{path} 路径运行失败（退出码 {done.returncode}）")
    rows: list[dict[str, float | str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return rows


def compare(pandas_result: Path, duckdb_result: Path) -> tuple[int, int]:
    """(rows compared, rows that differ) on numerator, denominator and value."""
    import numpy as np
    import pandas as pd

    keys = ["org_code", "period", "indicator"]
    a = pd.read_parquet(pandas_result)
    b = pd.read_parquet(duckdb_result)
    both = a.merge(b, on=keys, how="outer", suffixes=("_pd", "_db"), indicator=True)
    unmatched = int((both["_merge"] != "both").sum())
    bad = np.zeros(len(both), dtype=bool)
    for col in ("numerator", "denominator", "value"):
        x = both[f"{col}_pd"].to_numpy(dtype="float64")
        y = both[f"{col}_db"].to_numpy(dtype="float64")
        bad |= ~np.isclose(x, y, rtol=1e-9, atol=1e-9, equal_nan=True)
    if bad.any():
        print(both.loc[bad].head(10).to_string())
    return len(both), int(bad.sum()) + unmatched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=OUT / "national")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--child", choices=["pandas", "duckdb"])
    parser.add_argument("--result", type=Path)
    args = parser.parse_args()
    if args.child:
        run = run_pandas if args.child == "pandas" else run_duckdb
        print(json.dumps(run(args.data, args.result)))
        return

    ensure_data(args.data, args.regenerate)
    OUT.mkdir(exist_ok=True)
    pd_result, db_result = OUT / "indicators_pandas.parquet", OUT / "indicators_duckdb.parquet"
    pandas_rows = _child("pandas", args.data, pd_result)
    duck_rows = _child("duckdb", args.data, db_result)
    n, differ = compare(pd_result, db_result)

    stages = {str(r["stage"]): r for r in pandas_rows}
    n_ind = int(float(stages.pop("rows")["seconds"]))
    duck = duck_rows[0]
    print(
        f"\n数据：{args.data}（{platform.node()}，{os.cpu_count()} 核，Python {platform.python_version()}）"
    )
    print(f"{'阶段':<22}{'秒':>8}{'峰值内存 MB':>14}")
    total = 0.0
    for name, r in stages.items():
        total += float(r["seconds"])
        print(f"{'pandas ' + name:<22}{float(r['seconds']):>8.2f}{float(r['peak_mb']):>14.0f}")
    print(f"{'pandas 合计':<22}{total:>8.2f}")
    print(f"{'duckdb 读取+指标':<22}{float(duck['seconds']):>8.2f}{float(duck['peak_mb']):>14.0f}")
    load_compute = float(stages["load"]["seconds"]) + float(stages["compute_indicators"]["seconds"])
    ratio_compute = float(stages["compute_indicators"]["seconds"]) / float(duck["seconds"])
    ratio_lc = load_compute / float(duck["seconds"])
    print(f"\n指标行数 {n_ind}；与 DuckDB 逐行比对 {n} 行，不一致 {differ} 行")
    print(f"比值 compute_indicators / DuckDB：{ratio_compute:.2f}×")
    print(f"比值 (读取 + compute_indicators) / DuckDB：{ratio_lc:.2f}×（目标 ≤ {GOAL_RATIO:g}×）")
    print(f"全流程（读取、校验、指标、评估）{total:.1f} 秒（目标 < {GOAL_SECONDS:g} 秒）")
    if differ:
        raise SystemExit("pandas 与 DuckDB 的结果不一致")


if __name__ == "__main__":
    main()
