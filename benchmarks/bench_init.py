"""Benchmark: ``planlib init`` on a 100-target plan, and loading the library of standard indicators.

Goals (issue «Any bureau's plan, monitored»): init on a 100-target plan under 5 s; loading the
library under 0.1 s. Measured side by side in one process, each repeated ``--repeats`` times
after one untimed warm-up (imports paid before timing):

- ``library``: the library's indicators and dictionary parsed from their YAML (the loaders'
  per-file cache cleared before each run, so every run parses);
- ``match``: every target of the plan matched against the library (no files written);
- ``init``: ``init_workspace`` into a fresh folder from the plan's text (extraction, matching,
  the workspace catalog, the sample city's registry, allocations, checklist), without returns;
- ``init --sample``: the same with the sample city's four quarters of returns.

The plan is made here: 120 target phrases in 24 items of 5 (about 100 read as targets), worded as plans word them (the library's
names and aliases with scope words, verbs and comparators), plus a few no library indicator
fits. Prints medians and ranges, and each goal ÷ its median (> 1: goal met with that margin).

Run: ``.venv/bin/python benchmarks/bench_init.py [--repeats 5]``

Measured 6 Dec 2026 (2-core VM, load average 4.5–7 from other work: take these as upper bounds),
``--repeats 5``, 96 targets extracted from the generated plan, library of 119 indicators:
library 0.073 s (0.046–0.099), matching 0.20 s, init 0.53 s (0.47–0.68), init --sample 5.1 s
(4.3–5.8): goal ÷ median 1.4× for the library, 9.4× for init. Before init wrote only the
registry when no returns are asked for, it generated the sample city and threw its returns away
(5.3 s for init).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from planlib.catalog.definitions import _load_indicators, load_indicators
from planlib.catalog.dictionary import _load as _load_dictionary
from planlib.catalog.dictionary import load_dictionary
from planlib.catalog.matching import match_target
from planlib.init.create import init_workspace, read_plan_document
from planlib.workspace import library_dir

_VERBS = ("达到", "保持在", "提高到", "力争达到", "稳定在")
_SCOPES = ("", "全市", "全州", "我市")


def plan_text(n_targets: int = 120, seed: int = 7) -> str:
    """A plan of ``n_targets`` targets over the library's wordings (and a few of its own)."""
    rng = random.Random(seed)
    defs = load_indicators(library_dir() / "indicators.yaml")
    inds = list(defs)
    lines = ["示范市教育局2025年工作要点", "", "一、重点任务"]
    for item in range(n_targets // 5):
        phrases = []
        for k in range(5):
            ind = inds[(item * 5 + k) % len(inds)]
            name = rng.choice((ind.name, *ind.aliases))
            if (item * 5 + k) % 17 == 16:  # now and then a target no library indicator fits
                name, unit, value = f"新建标准化考点{item}", "个", 3.0
            elif ind.unit == "%":
                unit, value = "%", round(rng.uniform(50, 99), 1)
            else:
                unit, value = ind.unit, float(rng.randint(5, 500))
            verb = "新增" if unit != "%" and ind.temporal == "flow" else rng.choice(_VERBS)
            phrases.append(f"{rng.choice(_SCOPES)}{name}{verb}{value:g}{unit}")
        lines.append(
            f"{item + 1}.推进第{item + 1}项工作。{'，'.join(phrases)}。（牵头处室：办公室）"
        )
    return "\n".join(lines) + "\n"


def timed(run: Callable[[], object], repeats: int) -> list[float]:
    run()  # warm-up
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-init-"))
    plan_file = tmp / "plan.txt"
    plan_file.write_text(plan_text(), encoding="utf-8")
    plan, _ = read_plan_document(plan_file)
    n = len(plan.goals) + sum(len(t.targets) for t in plan.tasks)
    library = load_indicators(library_dir() / "indicators.yaml")
    targets = [*plan.goals, *(t for _, t in plan.targets)]

    def load_library() -> object:
        _load_indicators.cache_clear()
        _load_dictionary.cache_clear()
        return load_indicators(library_dir() / "indicators.yaml"), load_dictionary(
            library_dir() / "dictionary.yaml"
        )

    counter = iter(range(10**6))

    def init(sample: bool) -> Callable[[], object]:
        def run() -> object:
            folder = tmp / f"ws{next(counter)}"
            return init_workspace(folder, plan_file, year=2025, sample=sample)

        return run

    ways = {
        "library": load_library,
        "match": lambda: [match_target(library, t.indicator, t.unit, t.source) for t in targets],
        "init": init(False),
        "init --sample": init(True),
    }
    results = {name: timed(run, args.repeats) for name, run in ways.items()}
    print(f"plan: {n} targets extracted; library: {len(library)} indicators")
    for name, times in results.items():
        print(
            f"{name:14s} median {statistics.median(times):7.3f} s "
            f"({min(times):.3f}–{max(times):.3f}, {len(times)} runs)"
        )
    print(
        f"goal ÷ median: library 0.1 s ÷ {statistics.median(results['library']):.3f} s = "
        f"{0.1 / statistics.median(results['library']):.1f}×; init 5 s ÷ "
        f"{statistics.median(results['init']):.2f} s = {5 / statistics.median(results['init']):.1f}×"
    )


if __name__ == "__main__":
    main()
