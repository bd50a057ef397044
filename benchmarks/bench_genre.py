"""Benchmark: micro precision / recall / F1 of ``extract_plan`` on the genre corpus.

The corpus (``tests/plan/genre/plans``) is plans written in the habits of bureaus' 工作要点
(一是/二是 paragraphs, 第一/首先, whole plans on one web line, contents lists, page furniture,
索引号 blocks, 民生实事 lists, Chinese-numeral quantities …) with gold tasks and targets; the
matching rule is in ``tests/plan/genre/score.py``. Plans marked ``heldout`` were written after
the extractor was changed and are reported apart.

Run: ``.venv/bin/python benchmarks/bench_genre.py [-v]`` (``-v`` lists every miss).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "plan" / "genre"))

from score import Counts, PlanScore, score_corpus, total


def _line(name: str, c: Counts) -> str:
    tp, tr, tf = c.tasks
    gp, gr, gf = c.targets
    return (
        f"{name:<34} tasks P {tp:.2f} R {tr:.2f} F1 {tf:.2f} ({c.task_tp}/{c.task_tp + c.task_fn})"
        f"   targets P {gp:.2f} R {gr:.2f} F1 {gf:.2f} ({c.target_tp}/{c.target_tp + c.target_fn})"
    )


def main(verbose: bool) -> None:
    scores: list[PlanScore] = score_corpus()
    for s in scores:
        print(_line(s.name + (" [held out]" if s.heldout else ""), s.counts))
        if verbose:
            for m in s.counts.missed:
                print("    ", m)
    dev = [s for s in scores if not s.heldout]
    held = [s for s in scores if s.heldout]
    print()
    print(_line(f"micro, written first ({len(dev)})", total(dev)))
    if held:
        print(_line(f"micro, held out ({len(held)})", total(held)))
    print(_line(f"micro, all ({len(scores)})", total(scores)))


if __name__ == "__main__":
    main("-v" in sys.argv)
