"""Benchmark: what embedding the font costs an HTML report (issue 28).

Runs the sample city's batch once (HTML only) to get every executed report notebook, then makes
each report's HTML page again, side by side, ``--repeat`` times in alternating order:

- ``before``: the page as it was made before the font was embedded (``notebook_html``);
- ``whole``: plus its font cut from the whole bundled font, no cache (the naive way);
- ``batch``: plus the batch font cut once (timed with the batch), each page cut from it, no cache;
- ``cached``: the same batch again: the batch font and every page font found on disk.

Prints per side the batch's total and the median page, and each side's ratio to ``before``.
Run: ``.venv/bin/python benchmarks/bench_html_font.py [--counties 12] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

OUT = Path(__file__).parent / "out" / "html_font"


def _prepare(counties: int) -> tuple[Path, list[nbformat.NotebookNode], object]:
    import planlib
    from planlib.reporting import runner
    from planlib.reporting.context import build_context
    from planlib.reporting.executors import LocalExecutor

    data = OUT / f"city-{counties}"
    if not (data / "org_units.csv").exists():
        planlib.make_sample(data, seed=7, counties=counties)
    pages = OUT / f"pages-{counties}"
    if not list(pages.glob("*.ipynb")):
        runner.run_reports(data, pages, "2022Q2", "all", "html", LocalExecutor())
    books = [nbformat.read(str(p), as_version=4) for p in sorted(pages.glob("*.ipynb"))]
    return data, books, build_context(data, "2022Q2")


def _side(name: str, books: list, ctx: object) -> tuple[float, list[float]]:
    """One side over the whole batch: its total seconds and each page's."""
    from planlib.fonts import batch_font
    from planlib.reporting.context import FRAMES
    from planlib.reporting.render import batch_text, notebook_html, with_font

    cache = tempfile.mkdtemp(prefix="planlib-font-bench-")
    os.environ["PLANLIB_CACHE_DIR"] = cache if name != "cached" else str(OUT / "cache")
    from planlib.fonts import forget_page_fonts

    forget_page_fonts()  # each side starts without the process's memory of earlier sides
    started = time.perf_counter()
    within = None
    if name in ("batch", "cached"):
        within = batch_font(batch_text((getattr(ctx, f) for f in FRAMES), ctx.meta))  # type: ignore[attr-defined]
    pages = []
    for nb in books:
        t = time.perf_counter()
        html = notebook_html(nb, "报告")
        if name != "before":
            html = with_font(html, within)
        pages.append(time.perf_counter() - t)
    return time.perf_counter() - started, pages


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    _, books, ctx = _prepare(args.counties)
    sides = ["before", "whole", "batch", "cached"]
    _side("cached", books, ctx)  # fill the cache the cached side reads
    totals: dict[str, list[float]] = {s: [] for s in sides}
    pages: dict[str, list[float]] = {s: [] for s in sides}
    for r in range(args.repeat):
        for side in sides if r % 2 == 0 else sides[::-1]:
            total, each = _side(side, books, ctx)
            totals[side].append(total)
            pages[side].extend(each)
    base = statistics.median(totals["before"])
    print(f"{len(books)} report pages, {args.repeat} rounds (medians; range of batch totals)")
    print(f"{'side':<8} {'batch s':>8} {'range':>13} {'page s':>8} {'÷ before':>9}")
    for side in sides:
        med = statistics.median(totals[side])
        spread = f"{min(totals[side]):.2f}-{max(totals[side]):.2f}"
        page = statistics.median(pages[side])
        print(f"{side:<8} {med:8.2f} {spread:>13} {page:8.3f} {med / base:9.2f}")


if __name__ == "__main__":
    sys.exit(main())
