"""Benchmark: all county reports of the sample city, the planlib runner against the naive loop.

The naive loop is what a user would otherwise write: for each county, the papermill CLI (the
notebook computes everything from the data folder), then ``jupyter nbconvert --to html --no-input``,
one county at a time. The runner computes indicators once, hands them to every notebook and
renders HTML in process, in ``--jobs`` worker processes, each keeping a warm kernel
(``--kernel warm``, what ``planlib report`` does by default; ``--kernel fresh`` starts one per
report). Each side runs ``--repeat`` times (default 3), the order reversed every round so neither
side is always first; the medians and ranges are printed, and the ratio of each round's pair.
The pages of the two sides must carry the same content: the same visible text (the whole
generation time, ``生成时间：2026-12-02 08:03（北京时间）``, masked) and the same chart images.

Run: ``.venv/bin/python benchmarks/bench_reports.py [--counties 12] [--jobs 2] [--repeat 3]``
(``--jobs`` defaults to the number of cores, as ``planlib report`` does).

The shared helpers (page content, medians and ranges, round order) are used by
``bench_batch.py`` too. Measured figures are in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path

BIN = Path(sys.executable).parent

STAMP = re.compile(r"生成时间：\d{4}-\d{2}-\d{2}(?: \d{1,2}:\d{2})?(?:（北京时间）)?")
"""The whole generation time as reports print it (``planlib.reporting.html.when``)."""


class _Content(HTMLParser):
    """Visible text and embedded images of a page (what a reader sees)."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.images: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "title"):
            self._skip += 1
        if tag == "img":
            self.images.append(dict(attrs).get("src") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.text.append(data.strip())


def mask(text: str) -> str:
    """``text`` with every generation time replaced by ``生成时间：…``."""
    return STAMP.sub("生成时间：…", text)


def content(html: str) -> tuple[str, list[str]]:
    """A page's visible text (generation time masked) and its images' ``src``."""
    parser = _Content()
    parser.feed(html)
    return mask(" ".join(parser.text)), parser.images


def pdf_content(pdf: bytes) -> tuple[list[str], list[str]]:
    """Each PDF page's text (generation time masked) and the SHA-256 of every image on it."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    texts = [mask(page.extract_text() or "") for page in reader.pages]
    images = [
        f"{n}:{hashlib.sha256(img.data).hexdigest()}"
        for n, page in enumerate(reader.pages)
        for img in page.images
    ]
    return texts, images


def spread(values: Sequence[float], unit: str = "") -> str:
    """``median（min–max）`` of some measurements."""
    return f"{statistics.median(values):.2f}{unit}（{min(values):.2f}–{max(values):.2f}）"


def round_order(sides: Sequence[str], round_no: int) -> list[str]:
    """The sides in the order round ``round_no`` runs them: forward, then backward, in turn,
    so every side runs first and last as often and run order is not read as speed."""
    return list(sides) if round_no % 2 == 0 else list(reversed(sides))


def run_runner(data: Path, out: Path, jobs: int, kernel: str) -> float:
    from planlib.reporting.context import build_context
    from planlib.reporting.executors import LocalExecutor
    from planlib.reporting.runner import plan_jobs, write_atomic

    start = time.perf_counter()
    ctx = build_context(data, "latest")
    batch = plan_jobs(ctx, None, ("html",), overview=False, departments=False)
    for result in LocalExecutor(jobs=jobs, kernel=kernel).run(batch, ctx.to_bytes()):
        if result.status != "ok":
            raise SystemExit(f"runner: {result.key} failed: {result.error}")
        write_atomic(out / f"{result.key}.html", result.files["html"])
    return time.perf_counter() - start


def run_naive(data: Path, out: Path, counties: list[str], period: str) -> float:
    from planlib.resources import notebooks_dir

    template = notebooks_dir() / "county_report.ipynb"
    start = time.perf_counter()
    for code in counties:
        nb = out / f"{code}.ipynb"
        subprocess.run(
            [str(BIN / "papermill"), str(template), str(nb), "-p", "county", code,
             "-p", "period", period, "-p", "data_dir", str(data), "--no-progress-bar"],
            check=True, capture_output=True, cwd=out,
        )  # fmt: skip
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb)],
            check=True, capture_output=True, cwd=out,
        )  # fmt: skip
    return time.perf_counter() - start


def main() -> int:
    import planlib

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--kernel", choices=["warm", "fresh"], default="warm")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sides = ("runner", "naive")
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        root = Path(tmp)
        data = root / "data"
        planlib.make_sample(data, counties=args.counties)
        period = planlib.load_dataset(data).latest_period
        units = planlib.load_org_units(data).units
        counties = units.loc[units["level"] == "county", "code"].astype(str).tolist()
        print(
            f"{len(counties)} 个县，每方 {args.repeat} 轮、轮流先后；运行器 {args.jobs} 个进程，"
            f"{args.kernel} 内核；{os.cpu_count()} 核（与其他工作共用时请看同轮比值）",
            flush=True,
        )
        times: dict[str, list[float]] = {s: [] for s in sides}
        same = 0
        for n in range(args.repeat):
            outs = {s: root / f"{s}-{n}" for s in sides}
            for side in round_order(sides, n):
                outs[side].mkdir()
                if side == "runner":
                    t = run_runner(data, outs[side], args.jobs, args.kernel)
                else:
                    t = run_naive(data, outs[side], counties, period)
                times[side].append(t)
                print(f"  第{n + 1}轮 {side:<6} {t:6.1f} 秒", flush=True)
            if n == 0:  # the pages of the first round are compared, then every round's freed
                same = _compare(outs["runner"], outs["naive"], counties)
            for folder in outs.values():
                shutil.rmtree(folder)
        ratios = [b / a for a, b in zip(times["runner"], times["naive"], strict=True)]
        print(f"planlib 报告运行器：{spread(times['runner'], ' 秒')}（中位数（最小–最大））")
        print(f"逐个运行 papermill + nbconvert：{spread(times['naive'], ' 秒')}")
        print(f"加速比（每轮两方之比）：{spread(ratios, '×')}（目标 ≥ 3×）")
        print(f"内容一致：{same}/{len(counties)} 个县的页面文字与图表相同")
        return 0 if same == len(counties) else 1


def _compare(fast: Path, slow: Path, counties: list[str]) -> int:
    same = 0
    for code in counties:
        a = content((fast / f"{code}.html").read_text(encoding="utf-8"))
        b = content((slow / f"{code}.html").read_text(encoding="utf-8"))
        if a == b:
            same += 1
        else:
            print(f"  {code}：两种方式生成的页面内容不同（文字相同：{a[0] == b[0]}）")
    return same


if __name__ == "__main__":
    sys.exit(main())
