"""Benchmark: ``extract_plan`` on generated 工作要点 of about 1, 2, 4 and 8 MB — linear or not.

Each plan is in the genre: a title, a 主要目标 paragraph, numbered sections (一、二、…), items
(1. 2. …, restarting under each section) with targets (学前三年毛入园率达到92%, 新建学校3所,
力争补充师资400人左右, 实现…全覆盖, 56人以上大班额…控制在3%以内), bracketed asides with numbers
inside, and a responsibility clause each (（牵头处室：…；责任单位：各县（市、区）教育局…）).
The same text is read four ways, side by side in one run (each size, every shape in turn):

- ``lines``: a text file, a paragraph per line;
- ``one_line``: the same text as one long line (no line breaks at all);
- ``prose``: that one line without its responsibility clauses, so the whole text is one
  paragraph of prose in which every number is read as a target;
- ``html``: the paragraphs as ``<p>`` elements of a saved web page.

Prints the seconds and seconds per MB of each, and time(largest) / time(smallest) per shape:
about the ratio of the sizes (8) when extraction is linear, its square (64) when quadratic.
Then a 200-item plan (from a file, codes looked up in the bundled catalog) must take under 2 s.

Run: ``.venv/bin/python benchmarks/bench_extract.py [--sizes 1 2 4 8] [--items 200]``

Measured 6 Dec 2026 (2-core VM shared with other work, so a few tenths of a second of noise),
``--sizes 1 2 4 8``, seconds (s/MB) at 1 / 2 / 4 / 8 MB:

- ``lines``    1.42 (1.41) / 3.28 (1.64) / 5.70 (1.42) / 16.51 (2.06); 8 MB ÷ 1 MB 11.6×
- ``one_line`` 0.61 (0.61) / 1.07 (0.53) / 2.16 (0.54) /  4.94 (0.62); 8.1×
- ``prose``    0.76 (1.10) / 1.43 (1.04) / 3.12 (1.14) /  4.75 (0.86); 6.3× (0.69–5.49 MB)
- ``html``     1.40 (1.36) / 3.15 (1.54) / 6.36 (1.55) /  8.46 (1.03); 6.1×
- the 200-item plan (65 kB): 0.18 s.

After issue 25 (structure first: enumerations, quantities by grammar, furniture by shape),
6 Dec 2026, same VM, ``--sizes 0.25 0.5 1``, s/MB at 1 MB: ``lines`` 1.71, ``one_line`` 1.83,
``prose`` 2.35, ``html`` 1.75; 1 MB ÷ 0.25 MB 5.1 / 5.4 / 6.0 / 5.1 (linear ≈ 4, noisy); the
200-item plan: 0.16 s.

The work done is linear (``tests/plan/test_extract_scaling.py`` counts it); the 11.6× of
``lines`` at 8 MB was not investigated further: ``html``, the same paragraphs through the same
steps after reading, took 8.5 s in the same run, so it is likely the shared machine.

Before this change (the same generator and machine, the code at 3baaf8c),
``--sizes 0.125 0.25 0.5``, seconds (s/MB):

- ``lines``    0.36 (2.9) / 1.27 (5.0) / 1.56 (3.1); 0.5 MB ÷ 0.125 MB 4.3×
- ``one_line`` 0.43 (3.4) / 0.97 (3.9) / 1.91 (3.8); 4.5×
- ``prose``    1.71 (19.8) / 7.49 (43.5) / 26.83 (77.9); 15.7× for 4× the text: quadratic
  (the bracket depth of every number counted from the start of the text), which extrapolates
  to about two hours for the 5.5 MB of the 8 MB row;
- ``html``     0.45 (3.5) / 0.73 (2.8) / 1.50 (2.9); 3.4×
- the 200-item plan: 0.31 s.

Before and after found the same number of targets and warnings at 0.125 and 0.25 MB.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from html import escape
from pathlib import Path
from random import Random

from planlib.plan.extraction.extract import extract_plan

_CN = "一二三四五六七八九"
_CLAUSE = "（牵头处室：基础教育处；责任单位：各县（市、区）教育局、发展规划处）"
_TARGETS = (
    "学前三年毛入园率达到{p}%",
    "新建学校{n}所",
    "义务教育巩固率达到{p}%、高中阶段毛入学率达到{q}%",
    "力争补充师资{m}人左右",
    "新增公办学位{m}个",
    "培训教师{m}人次以上",
    "{s}6人以上大班额比例控制在{s}%以内",
    "普惠性幼儿园覆盖率达到{p}%",
    "改扩建校舍{n}所",
    "实现义务教育学校课后服务全覆盖",
)
_PER_SECTION = 400  # items under one section heading (numbers stay within 1–999)


def _section_number(n: int) -> str:
    """1 → 一, 12 → 十二, 35 → 三十五 (up to 99)."""
    if n < 10:
        return _CN[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN[tens - 1]) + "十" + (_CN[ones - 1] if ones else "")


def _item(rng: Random, k: int) -> str:
    targets = "，".join(
        rng.choice(_TARGETS).format(
            p=rng.randint(85, 99),
            q=rng.randint(90, 99),
            n=rng.randint(2, 40),
            m=rng.randint(100, 5000),
            s=rng.randint(1, 5),
        )
        for _ in range(2)
    )
    return (
        f"{k}.推进教育优质均衡发展。深化集团化办学改革（今年新增{rng.randint(2, 9)}个教育集团），"
        f"{targets}。加强督导评估，建立健全长效机制。{_CLAUSE}"
    )


def paragraphs(size: int, *, items: int | None = None, seed: int = 1) -> list[str]:
    """A plan of about ``size`` bytes of UTF-8 (or of ``items`` items), a paragraph a string."""
    rng = Random(seed)
    out = [
        "市教育局2024年工作要点",
        "2024年全市教育工作的总体要求是：坚持立德树人根本任务，办好人民满意的教育。",
        "主要目标：学前三年毛入园率达到92%，义务教育巩固率达到97%，新建学校3所。",
    ]
    total = count = 0
    while (total < size) if items is None else (count < items):
        if count % _PER_SECTION == 0:
            section = count // _PER_SECTION + 1
            out.append(f"{_section_number(section)}、第{section}方面重点工作")
        paragraph = _item(rng, count % _PER_SECTION + 1)
        out.append(paragraph)
        total += len(paragraph.encode("utf-8"))
        count += 1
    return out


def _page(paras: list[str]) -> str:
    body = "".join(f"<p>{escape(p)}</p>\n" for p in paras)
    return f"<html><head><meta charset='utf-8'><title>{paras[0]}</title></head><body>{body}</body></html>"


SHAPES: dict[str, tuple[str, Callable[[list[str]], str]]] = {
    "lines": (".txt", lambda paras: "\n".join(paras)),
    "one_line": (".txt", lambda paras: "".join(paras)),
    "prose": (".txt", lambda paras: "".join(paras).replace(_CLAUSE, "")),
    "html": (".html", _page),
}


def _timed(path: Path) -> tuple[float, int, int]:
    start = time.perf_counter()
    result = extract_plan(path, codes=False)
    seconds = time.perf_counter() - start
    targets = sum(len(t.targets) for t in result.plan.tasks) + len(result.plan.goals)
    return seconds, targets, len(result.warnings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 2, 4, 8], help="MB")
    parser.add_argument("--items", type=int, default=200)
    args = parser.parse_args()
    extract_plan("市教育局2024年工作要点\n1.办好教育。新建学校3所。", codes=False)  # imports

    times: dict[str, list[float]] = {name: [] for name in SHAPES}
    print(f"{'shape':<10}{'MB':>6}{'seconds':>10}{'s/MB':>8}{'targets':>9}{'warnings':>10}")
    with tempfile.TemporaryDirectory(prefix="planlib-bench-extract-") as tmp:
        for mb in args.sizes:
            paras = paragraphs(int(mb * 1_000_000))
            for name, (suffix, make) in SHAPES.items():
                path = Path(tmp) / f"{name}{suffix}"
                path.write_text(make(paras), encoding="utf-8")
                real = path.stat().st_size / 1e6
                seconds, targets, warnings = _timed(path)
                times[name].append(seconds)
                print(
                    f"{name:<10}{real:>6.2f}{seconds:>10.2f}{seconds / real:>8.2f}{targets:>9}{warnings:>10}"
                )
        growth = args.sizes[-1] / args.sizes[0]
        print(f"time({args.sizes[-1]:g} MB) / time({args.sizes[0]:g} MB), linear ≈ {growth:g}:")
        for name, values in times.items():
            print(f"  {name:<10}{values[-1] / values[0]:>6.1f}")

        path = Path(tmp) / "items.txt"
        path.write_text("\n".join(paragraphs(0, items=args.items)), encoding="utf-8")
        start = time.perf_counter()
        result = extract_plan(path)  # codes from the bundled catalog, as `plan extract` does
        seconds = time.perf_counter() - start
        verdict = "under 2 s" if seconds < 2 else "OVER 2 s"
        print(
            f"{args.items}-item plan ({path.stat().st_size / 1e3:.0f} kB, "
            f"{len(result.plan.tasks)} tasks): {seconds:.2f} s, {verdict}"
        )


if __name__ == "__main__":
    main()
