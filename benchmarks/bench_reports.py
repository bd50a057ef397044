"""Benchmark: all county reports of the sample city, the planlib runner against the naive loop.

The naive loop is what a user would otherwise write: for each county, the papermill CLI (the
notebook computes everything from the data folder), then ``jupyter nbconvert --to html --no-input``,
one county at a time. The runner computes indicators once, hands them to every notebook and
renders HTML in process, in ``--jobs`` worker processes. Both run in the same invocation on the
same data, and their HTML pages must carry the same content (text and charts).

Run: ``.venv/bin/python benchmarks/bench_reports.py [--counties 12] [--jobs 3]``

Measured (2 cores, 12 counties, HTML only, both in the same run each time):
- 29 Nov 2026, ``--jobs 2`` (the default on 2 cores): runner 24.2 s, naive loop 98.1 s: 4.1×,
  after the report kernel stopped importing pandera and the trend chart dropped constrained
  layout (together about 0.55 s less per report);
- 28 Nov 2026, before those: ``--jobs 3`` 25.3 s vs. 96.3 s (3.8×), ``--jobs 2`` 34.3 s vs.
  98.2 s (2.9×).
Every run: the 12 pairs of pages had the same text and the same chart images.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import planlib
from planlib.reporting.context import build_context
from planlib.reporting.executors import LocalExecutor
from planlib.reporting.runner import plan_jobs, write_atomic
from planlib.resources import notebooks_dir

BIN = Path(sys.executable).parent


class _Content(HTMLParser):
    """Visible text and embedded images of a page (what a reader sees), minus timestamps."""

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


def content(html: str) -> tuple[str, list[str]]:
    parser = _Content()
    parser.feed(html)
    text = " ".join(parser.text)
    text = re.sub(r"生成时间：\S+", "生成时间：…", text)
    return text, parser.images


def run_runner(data: Path, out: Path, jobs: int) -> float:
    start = time.perf_counter()
    ctx = build_context(data, "latest")
    batch = plan_jobs(ctx, None, ("html",), overview=False, departments=False)
    for result in LocalExecutor(jobs=jobs).run(batch, ctx.to_bytes()):
        if result.status != "ok":
            raise SystemExit(f"runner: {result.key} failed: {result.error}")
        write_atomic(out / f"{result.key}.html", result.files["html"])
    return time.perf_counter() - start


def run_naive(data: Path, out: Path, counties: list[str], period: str) -> float:
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        root = Path(tmp)
        data = root / "data"
        planlib.make_sample(data, counties=args.counties)
        period = planlib.load_dataset(data).latest_period
        units = planlib.load_org_units(data).units
        counties = units.loc[units["level"] == "county", "code"].astype(str).tolist()
        fast, slow = root / "runner", root / "naive"
        fast.mkdir()
        slow.mkdir()
        t_runner = run_runner(data, fast, args.jobs)
        print(f"planlib 报告运行器（{args.jobs} 个进程）：{len(counties)} 个县，{t_runner:.1f} 秒")
        t_naive = run_naive(data, slow, counties, period)
        print(f"逐个运行 papermill + nbconvert：{len(counties)} 个县，{t_naive:.1f} 秒")
        print(f"加速比：{t_naive / t_runner:.1f}×（目标 ≥ 3×）")
        same = 0
        for code in counties:
            a = content((fast / f"{code}.html").read_text(encoding="utf-8"))
            b = content((slow / f"{code}.html").read_text(encoding="utf-8"))
            if a == b:
                same += 1
            else:
                print(f"  {code}：两种方式生成的页面内容不同（文字相同：{a[0] == b[0]}）")
        print(f"内容一致：{same}/{len(counties)} 个县的页面文字与图表相同")
        return 0 if same == len(counties) else 1


if __name__ == "__main__":
    sys.exit(main())
