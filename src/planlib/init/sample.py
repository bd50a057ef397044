"""The sample city as a workspace: ``planlib sample-data`` and ``planlib.make_sample``.

The bundled plan of the year (``data/plans/<year>.yaml``) goes through the same ``init`` every
bureau's plan goes through, with the bundled allocations of that year and the sample city's
returns, so the demo is one workspace like any other.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import PlanlibError
from ..resources import data_dir
from ..returns.sample import SampleSummary, check_options
from .create import init_workspace, is_sample_folder


def make_sample(
    out_dir: str | Path,
    *,
    seed: int = 2022,
    counties: int = 12,
    schools_per_county: int = 250,
    provinces: int | None = None,
    year: int = 2022,
    fmt: str = "excel",
    plan: str | Path | None = None,
) -> SampleSummary:
    """Write the sample city (or country) as a workspace in ``out_dir``; deterministic for a seed.

    ``plan``: a plan file or document (default: the bundled plan of ``year``). An existing
    ``out_dir`` is replaced whole only when an earlier sample or workspace made it.
    """
    check_options(counties, schools_per_county, fmt)
    final = Path(out_dir)
    occupied = final.exists() and (not final.is_dir() or any(final.iterdir()))
    if occupied and not ((final / "planlib.toml").is_file() or is_sample_folder(final)):
        raise PlanlibError(
            f"输出目录 {final} 已存在且不是 planlib 示例数据目录，为避免覆盖请换一个空目录"
        )
    plan_file = Path(plan) if plan is not None else data_dir() / "plans" / f"{year}.yaml"
    if not plan_file.is_file():
        raise PlanlibError(f"没有 {year} 年的内置计划；请用 plan= 给出计划文件")
    bundled = data_dir() / "allocations" / f"{year}.csv"
    result = init_workspace(
        final,
        plan_file,
        allocations=bundled if plan is None and bundled.is_file() else None,
        sample=True,
        year=year,
        seed=seed,
        force=True,
        sample_options={
            "counties": counties,
            "schools_per_county": schools_per_county,
            "provinces": provinces,
            "fmt": fmt,
        },
    )
    assert result.sample is not None
    return result.sample
