"""Issue 27: on a black-and-white print the worse a status, the darker it prints.

Charts are drawn from the sample city's real assessment, printed to grey the two ways a reader's
page is (PIL's ``convert("L")`` of the report PNG, and ``pdftoppm -gray`` of a PDF), and each
status's bars and cells are measured where matplotlib placed them.
"""

from __future__ import annotations

import io
import itertools
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import QuadMesh
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox
from PIL import Image

import planlib
from planlib import charts
from planlib.charts import style

DPI = 100
ORDER = ("达标", "接近", "未达标")


@pytest.fixture(scope="module")
def counties(small_sample: Path) -> pd.DataFrame:
    run = planlib.monitor(small_sample, "2022Q2")
    a = run.assessment
    return a[(a["period"] == run.period) & (a["level"] == "county")].reset_index(drop=True)


def _whole(fig: Figure) -> Bbox:
    """The whole figure (no tight crop): pixel positions stay the figure's own."""
    fig.set_dpi(DPI)
    return Bbox([[0, 0], list(fig.get_size_inches())])


def _grey_png(fig: Figure) -> np.ndarray:
    buf = io.BytesIO()
    FigureCanvasAgg(fig)
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches=_whole(fig))
    return np.asarray(Image.open(buf).convert("L"), dtype=float)


def _grey_pdf(fig: Figure, tmp: Path) -> np.ndarray:
    FigureCanvasAgg(fig)
    fig.savefig(tmp / "chart.pdf", dpi=DPI, bbox_inches=_whole(fig))
    subprocess.run(
        ["pdftoppm", "-gray", "-r", str(DPI), "-png", "-singlefile", "chart.pdf", "grey"],
        cwd=tmp,
        check=True,
    )
    return np.asarray(Image.open(tmp / "grey.png").convert("L"), dtype=float)


def _mean_in(image: np.ndarray, box: np.ndarray, fig: Figure) -> float:
    """Mean grey inside a display-space box, shrunk a little so edges and grid do not count."""
    (x0, y0), (x1, y1) = box
    scale = DPI / fig.dpi
    height = image.shape[0]
    left, right = sorted((x0 * scale, x1 * scale))
    low, high = sorted((height - y1 * scale, height - y0 * scale))
    dx, dy = (right - left) * 0.2, (high - low) * 0.2
    part = image[int(low + dy) : int(high - dy) + 1, int(left + dx) : int(right - dx) + 1]
    assert part.size, box
    return float(part.mean())


def _bar_darkness(fig: Figure, image: np.ndarray) -> dict[str, list[float]]:
    """Each bar's mean grey, by the status whose colour the bar has."""
    fig.canvas.draw()
    colour = {style.status_colour(s): s for s in style.STATUSES}
    out: dict[str, list[float]] = {}
    for ax in fig.axes:
        for bar in ax.patches:
            if not isinstance(bar, Rectangle) or bar.get_width() <= 0:
                continue
            rgb = "#{:02x}{:02x}{:02x}".format(*(round(c * 255) for c in bar.get_facecolor()[:3]))
            if rgb in colour:
                box = bar.get_window_extent().get_points()
                out.setdefault(colour[rgb], []).append(_mean_in(image, box, fig))
    return out


def _assert_ordered(darkness: dict[str, list[float]], where: str) -> None:
    seen = [s for s in ORDER if darkness.get(s)]
    assert len(seen) >= 2, (where, darkness.keys())
    means = {s: float(np.mean(darkness[s])) for s in seen}
    for better, worse in itertools.pairwise(seen):
        assert max(darkness[worse]) < min(darkness[better]) - 25, (where, means)


@pytest.mark.slow
@pytest.mark.parametrize("printer", ["pil", "pdftoppm"])
def test_ranked_bars_print_darker_the_worse_their_status(
    counties: pd.DataFrame, printer: str, tmp_path: Path
) -> None:
    if printer == "pdftoppm" and not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    checked = 0
    for _, rows in counties.groupby("indicator", sort=False):
        if rows["status"].isin(ORDER).sum() < 2 or rows["status"].nunique() < 2:
            continue
        fig = charts.ranking_chart(rows)
        image = _grey_png(fig) if printer == "pil" else _grey_pdf(fig, tmp_path)
        _assert_ordered(_bar_darkness(fig, image), str(rows["indicator_name"].iloc[0]))
        checked += 1
    assert checked >= 3


@pytest.mark.slow
def test_heatmap_cells_print_darker_the_worse_their_status(counties: pd.DataFrame) -> None:
    """Every cell of the status heatmap, measured in grey: each 未达标 cell darker than every
    接近 cell, each 接近 cell darker than every 达标 cell; 无数据 cells carry their cross."""
    rows = counties.copy()
    rows.loc[rows.index[:3], "status"] = "无数据"  # a county that filed nothing for three targets
    fig = charts.status_heatmap(rows)
    image = _grey_png(fig)
    fig.canvas.draw()
    ax = fig.axes[0]
    mesh = next(c for c in ax.collections if isinstance(c, QuadMesh))
    codes = np.asarray(mesh.get_array()).reshape(mesh.get_coordinates().shape[:2][0] - 1, -1)
    corners = ax.transData.transform(mesh.get_coordinates().reshape(-1, 2))
    corners = corners.reshape(*mesh.get_coordinates().shape)
    darkness: dict[str, list[float]] = {}
    spread: dict[str, list[float]] = {}
    for (r, c), code in np.ndenumerate(codes):
        status = style.STATUSES[int(code)]
        box = np.array([corners[r, c], corners[r + 1, c + 1]])
        darkness.setdefault(status, []).append(_mean_in(image, box, fig))
        (x0, y0), (x1, y1) = box
        h = image.shape[0]
        top, bottom = int(h - max(y0, y1)) + 3, int(h - min(y0, y1)) - 3
        cell = image[top:bottom, int(min(x0, x1)) + 3 : int(max(x0, x1)) - 3]
        spread.setdefault(status, []).append(float(cell.std()))
    _assert_ordered(darkness, "heatmap")
    assert darkness["无数据"] and min(spread["无数据"]) > 10  # crossed: not a flat pale grey
