"""National benchmark: loading, validation, indicators and assessment vs. the same in DuckDB SQL.

    python benchmarks/bench_compute.py            # generate once into benchmarks/out/, then time
    python benchmarks/bench_compute.py --data DIR # any Parquet data folder (values.parquet …)
    python benchmarks/bench_compute.py --repeats 5 --baseline-src /tmp/old/src  # vs. another tree

Each run is a fresh process so its peak memory (ru_maxrss) is its own. The pandas path times
planlib's stages one after another: load (read values.parquet and the org units, each key
column hashed once), validate (reusing those codes), compute_indicators (all indicators, all
units, every period) and assess. The DuckDB path reads the same files and computes the same 16
indicators in SQL (``national_sql.py``). The sides alternate (pandas, DuckDB, [baseline],
pandas, DuckDB, …), each ``--repeats`` times (at least 3), so a busy moment on a shared machine
falls on both; medians and ranges are printed and the ratios use medians. ``--baseline-src``
adds a third side: the pandas path of another source tree (e.g. ``git archive`` of an earlier
commit), to measure a change before and after in the same run. Results are compared number
by number (every run against the first DuckDB run) before any ratio is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
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
    from planlib import make_sample  # the sample city as a workspace of the 2022 plan

    print(f"生成全国规模示例数据到 {folder} …", flush=True)
    t = time.perf_counter()
    make_sample(folder, fmt="parquet", **NATIONAL)
    print(f"  用时 {time.perf_counter() - t:.1f} 秒", flush=True)


def run_pandas(folder: Path, result: Path) -> list[dict[str, float | str]]:
    """planlib's own path, stage by stage, in this (fresh) process."""
    import planlib
    from planlib.catalog.dictionary import load_dictionary
    from planlib.returns.orgunits import load_org_units
    from planlib.returns.validation import validate_values

    try:  # the load_dataset path: a lone Parquet file is read with its row codes
        from planlib.returns.dataset import read_values
    except ImportError:  # a baseline tree from before it existed
        read_values = None

    rows: list[dict[str, float | str]] = []

    cpu = [time.process_time()]

    def stage(name: str, started: float) -> None:
        now = time.process_time()
        rows.append(
            {
                "stage": name,
                "seconds": time.perf_counter() - started,
                "peak_mb": _peak_mb(),
                "cpu": now - cpu[0],
            }
        )
        cpu[0] = now

    t = time.perf_counter()
    d = load_dictionary()
    org_units = load_org_units(folder)
    if read_values is not None:
        values, problems, keys = read_values([folder / "values.parquet"], d, folder)
        stage("load", t)
        t = time.perf_counter()
        checked = validate_values(values, problems, org_units, d, keys)
    else:
        from planlib.returns.reading import read_returns

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
    rows.append({"stage": "problems", "seconds": float(len(checked.problems)), "peak_mb": 0})
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
    return [
        {"stage": "duckdb", "seconds": seconds, "peak_mb": _peak_mb(), "cpu": time.process_time()}
    ]


def _child(
    path: str, folder: Path, result: Path, src: str | None = None
) -> list[dict[str, float | str]]:
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
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
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


def _spread(xs: list[float]) -> str:
    """``median (min–max)``."""
    return f"{statistics.median(xs):6.2f} ({min(xs):.2f}–{max(xs):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=OUT / "national")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each side (at least 3)")
    parser.add_argument("--baseline-src", help="another tree's src/ folder, run as a third side")
    parser.add_argument("--child", choices=["pandas", "duckdb"])
    parser.add_argument("--result", type=Path)
    args = parser.parse_args()
    if args.child:
        run = run_pandas if args.child == "pandas" else run_duckdb
        print(json.dumps(run(args.data, args.result)))
        return

    ensure_data(args.data, args.regenerate)
    OUT.mkdir(exist_ok=True)
    repeats = max(3, args.repeats)
    sides = ["pandas", "duckdb"] + (["baseline"] if args.baseline_src else [])
    runs: dict[str, list[dict[str, float]]] = {s: [] for s in sides}
    peaks: dict[str, list[float]] = {s: [] for s in sides}
    cpus: dict[str, list[dict[str, float]]] = {s: [] for s in sides}
    differ_total, compared = 0, 0
    reference = OUT / "indicators_duckdb.parquet"
    for i in range(repeats):
        order = sides[i % len(sides) :] + sides[: i % len(sides)]  # each side first in turn
        for side in order:
            result = OUT / f"indicators_{side}.parquet"
            if side == "duckdb":
                rows = _child("duckdb", args.data, result if i == 0 else OUT / "db_again.parquet")
            else:
                src = args.baseline_src if side == "baseline" else None
                rows = _child("pandas", args.data, result, src)
            stages = {str(r["stage"]): r for r in rows}
            runs[side].append({k: float(r["seconds"]) for k, r in stages.items()})
            cpus[side].append({k: float(r.get("cpu", r["seconds"])) for k, r in stages.items()})
            peaks[side].append(
                max(float(r["peak_mb"]) for k, r in stages.items() if k not in ("rows", "problems"))
            )
            print(
                f"  第 {i + 1} 轮 {side:<8} "
                + "  ".join(
                    f"{k} {float(r['seconds']):.2f}"
                    for k, r in stages.items()
                    if k not in ("rows", "problems")
                ),
                flush=True,
            )
        for side in sides:
            if side != "duckdb":
                n, bad = compare(OUT / f"indicators_{side}.parquet", reference)
                compared, differ_total = compared + n, differ_total + bad

    print(
        f"\n数据：{args.data}（{platform.node()}，{os.cpu_count()} 核，Python {platform.python_version()}）"
    )
    print(f"每一方各运行 {repeats} 次，交替进行；中位数（最小–最大），秒")
    print(f"{'阶段':<28}{'中位数（范围）':>24}")
    names = ["load", "validate", "compute_indicators", "assess"]
    medians: dict[str, dict[str, float]] = {}
    for side in sides:
        if side == "duckdb":
            continue
        rs = runs[side]
        for name in names:
            print(f"{side + ' ' + name:<28}{_spread([r[name] for r in rs]):>24}")
        lv = [r["load"] + r["validate"] for r in rs]
        total = [sum(r[n] for n in names) for r in rs]
        print(f"{side + ' 读取+校验':<28}{_spread(lv):>24}")
        lv_cpu = [r["load"] + r["validate"] for r in cpus[side]]
        print(f"{side + ' 读取+校验 CPU 秒':<28}{_spread(lv_cpu):>24}")
        total_cpu = [sum(r[n] for n in names) for r in cpus[side]]
        print(f"{side + ' 合计 CPU 秒':<28}{_spread(total_cpu):>24}")
        print(f"{side + ' 合计':<28}{_spread(total):>24}   峰值内存 {max(peaks[side]):.0f} MB")
        print(f"{side + ' 问题条数':<28}{int(rs[0]['problems']):>8}")
        medians[side] = {
            "lv": statistics.median(lv),
            "lv_cpu": statistics.median(lv_cpu),
            "total": statistics.median(total),
            "lc": statistics.median([r["load"] + r["compute_indicators"] for r in rs]),
            "compute": statistics.median([r["compute_indicators"] for r in rs]),
        }
    duck = [r["duckdb"] for r in runs["duckdb"]]
    print(f"{'duckdb 读取+指标':<28}{_spread(duck):>24}   峰值内存 {max(peaks['duckdb']):.0f} MB")
    duck_cpu = [r["duckdb"] for r in cpus["duckdb"]]
    print(f"{'duckdb 进程 CPU 秒（含导入）':<28}{_spread(duck_cpu):>24}")
    n_ind = int(runs["pandas"][0]["rows"])
    db = statistics.median(duck)
    m = medians["pandas"]
    print(
        f"\n指标行数 {n_ind}；与 DuckDB 逐行比对 {compared} 行（各次合计），不一致 {differ_total} 行"
    )
    print(f"比值 compute_indicators / DuckDB（中位数）：{m['compute'] / db:.2f}×")
    print(
        f"比值 (读取 + compute_indicators) / DuckDB（中位数）：{m['lc'] / db:.2f}×（目标 ≤ {GOAL_RATIO:g}×）"
    )
    print(
        f"全流程（读取、校验、指标、评估）中位数 {m['total']:.1f} 秒（目标 < {GOAL_SECONDS:g} 秒）"
    )
    if "baseline" in medians:
        b = medians["baseline"]
        print(
            f"读取+校验：基线 {b['lv']:.2f} 秒 → 本版 {m['lv']:.2f} 秒（{m['lv'] / b['lv'] - 1:+.0%}）"
        )
        print(
            f"全流程：基线 {b['total']:.2f} 秒 → 本版 {m['total']:.2f} 秒（{m['total'] / b['total'] - 1:+.0%}）"
        )
    if differ_total:
        raise SystemExit("pandas 与 DuckDB 的结果不一致")


if __name__ == "__main__":
    main()
