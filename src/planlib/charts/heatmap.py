"""Targets × units (or × quarters): a status heatmap whose cells carry tone, mark and value.

No text is rotated; with many columns the column heads stand in upright characters one above
the other, as Chinese is written vertically. 无数据 cells are crossed as well as pale, so on a
grey print they never pass for a light 达标.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from . import style
from .common import column, empty, figure, quarter_word, value_texts

LABEL_PT = 7.5
"""Size of the row and column labels."""


@dataclass
class Grid:
    """The heatmap's content: a status code per cell, each cell's (mark, value, unit), the row
    labels and the column heads."""

    codes: np.ndarray
    cells: np.ndarray
    labels: list[str]
    heads: list[str]


def cell_lines(mark: str, text: str, unit: str, layout: int) -> str:
    """A heatmap cell, by layout: 0 "✓ 20.7亿元"; 1 "✓ 20.7" over "亿元"; 2 the mark over
    "20.7亿元"; 3 mark, number and unit on three lines. A % always stays with its number."""
    if text == "—":
        return mark
    number, rest = (text[: -len(unit)], unit) if unit and unit != "%" else (text, "")
    if not rest or text[-len(rest) :] != rest:
        number, rest = text, ""
    return [
        f"{mark} {text}",
        f"{mark} {number}\n{rest}",
        f"{mark}\n{text}",
        f"{mark}\n{number}\n{rest}",
    ][layout].rstrip()


def fit_cells(cells: np.ndarray, cell_pt: float) -> tuple[np.ndarray, float, list[int]]:
    """The largest font (6.5 down to 5 pt) at which every row's cells fit their width, each
    row in its fewest lines; only the marks if nothing fits (or ``cell_pt`` is 0). Returns the
    texts, the font size and each row's number of lines."""
    nothing = style.status_mark("无数据")
    for fs in (6.5, 6.0, 5.5, 5.0):
        out: list[list[str]] = []
        for row in cells:
            for layout in (0, 2, 1, 3):  # the mark above the value before a unit alone below
                texts = [cell_lines(c[0], c[1], c[2], layout) if c else nothing for c in row]
                widest = max(style.text_width_em(p) for t in texts for p in t.split("\n"))
                if widest * fs <= cell_pt - 4:  # 2 pt clear of the white grid on each side
                    out.append(texts)
                    break
            else:
                break
        else:
            return np.array(out, dtype=object), fs, [max(t.count("\n") + 1 for t in r) for r in out]
    marks = [[c[0] if c else nothing for c in row] for row in cells]
    return np.array(marks, dtype=object), 7.0, [1] * len(cells)


def column_heads(rows: pd.DataFrame, keys: list[tuple[str, str]]) -> list[str]:
    """Each column's head: the unit's name over one quarter, the quarter for one unit over
    several, both (城关区·二季) otherwise."""
    names = dict(zip(_unit(rows), rows["org_name"].astype(str), strict=True))
    units = {u for u, _ in keys}
    periods = {p for _, p in keys}
    if len(periods) <= 1:
        return [names[u] for u, _ in keys]
    if len(units) == 1:
        return [quarter_word(p) for _, p in keys]
    return [f"{names[u]}·{quarter_word(p)}" for u, p in keys]


def _unit(rows: pd.DataFrame) -> pd.Series:
    return (rows["org_code"] if "org_code" in rows else rows["org_name"]).astype(str)


def build_grid(rows: pd.DataFrame) -> Grid:
    """Rows are targets in order of first appearance; columns are units, each unit's quarters
    in order."""
    period = column(rows, "period", "").astype(str)
    unit = _unit(rows)
    rank = {u: k for k, u in enumerate(dict.fromkeys(unit))}
    cols = sorted(dict.fromkeys(zip(unit, period, strict=True)), key=lambda c: (rank[c[0]], c[1]))
    pairs = list(zip(rows["task_id"], rows["indicator"], strict=True))
    keys = list(dict.fromkeys(pairs))
    names = dict(zip(pairs, rows["indicator_name"].astype(str), strict=True))
    code = {s: k for k, s in enumerate(style.STATUSES)}
    codes = np.full((len(keys), len(cols)), code["无数据"], dtype=float)
    cells = np.full(codes.shape, None, dtype=object)
    ri, ci = {k: i for i, k in enumerate(keys)}, {c: j for j, c in enumerate(cols)}
    units = column(rows, "unit", "").fillna("").astype(str)
    statuses = rows["status"].astype(str)
    for key, u, p, s, text, measure in zip(
        pairs, unit, period, statuses, value_texts(rows), units, strict=True
    ):
        codes[ri[key], ci[(u, p)]] = code.get(s, code["无数据"])
        cells[ri[key], ci[(u, p)]] = (style.status_mark(s), text, measure)
    return Grid(codes, cells, [names[k] for k in keys], column_heads(rows, cols))


@style.styled
def status_heatmap(
    rows: pd.DataFrame, title: str | None = None, label_values: bool = True
) -> Figure:
    """Targets (rows) × org units (columns): each cell's tone and mark give the status, its text
    the value with unit. No text is rotated; with many columns the unit names stand in upright
    characters one above the other, as Chinese is written vertically.

    ``rows``: assessment rows of one period for several org units, or of several quarters (a
    column per unit and quarter, each headed by its quarter). The height grows with the number
    of targets: 0.35 in a row, more when the values need two or three lines.
    """
    if rows.empty:
        return empty("没有可显示的数据")
    grid = build_grid(rows)
    n_cols = grid.codes.shape[1]
    labels = grid.labels
    if n_cols > 12:  # narrow cells: long target names take two lines to leave the cells room
        labels = [style.wrap(n, math.ceil(len(n) / 2)) if len(n) > 10 else n for n in labels]
    left = max(style.text_width_em(p) for n in labels for p in n.split("\n")) * LABEL_PT / 72
    left += 0.15
    # the text width of A4, unless so few units that cells would stretch past an inch each
    width = min(style.A4_WIDTH_IN, max(left + 0.08 + n_cols, 4.3))
    plot_w = width - left - 0.08
    cell_pt = plot_w * 72 / n_cols
    texts, fs, lines = fit_cells(grid.cells, cell_pt if label_values else 0.0)
    edges = np.concatenate([[0.0], np.cumsum([max(0.35, k * fs * 1.25 / 72 + 0.1) for k in lines])])
    upright = max(map(style.text_width_em, grid.heads)) * LABEL_PT > cell_pt * 0.95
    head_h = (max(map(len, grid.heads)) if upright else 1) * LABEL_PT * 1.2 / 72 + 0.12
    top, bottom = head_h + (0.32 if title else 0.04), 0.42
    height = top + edges[-1] + bottom
    fig = figure(height, width=width, fixed=True)
    ax = fig.add_axes((left / width, bottom / height, plot_w / width, edges[-1] / height))
    _cells(ax, grid.codes, edges)
    centres = (edges[:-1] + edges[1:]) / 2
    ax.set_yticks(centres, labels, fontsize=LABEL_PT, linespacing=1.05)
    heads = ["\n".join(h) if upright else h for h in grid.heads]
    ax.set_xticks(np.arange(n_cols) + 0.5, heads, fontsize=LABEL_PT, linespacing=1.0)
    for (r, c), text in np.ndenumerate(texts):
        ink = style.status_ink(style.STATUSES[int(grid.codes[r, c])])
        ax.text(
            c + 0.5,
            centres[r],
            text,
            ha="center",
            va="center",
            fontsize=fs,
            color=ink,
            linespacing=1.1,
        )
    if title:
        fig.suptitle(title, fontsize=10.5, y=1 - 0.06 / height, va="top")
    if label_values and fs == 7.0:
        fig.text(
            0.99,
            0.02 / height,
            "单位较多，格内只标完成状态",
            ha="right",
            va="bottom",
            fontsize=7,
            color="#424242",
        )
    handles = style.status_patches(style.STATUSES, hatch=False)
    handles[-1].set_hatch(style.status_hatch("无数据"))  # only 无数据's cells are crossed
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=4,
        fontsize=7.5,
        bbox_to_anchor=(0.5, 0.02 / height),
    )
    return fig


def _cells(ax: Axes, codes: np.ndarray, edges: np.ndarray) -> None:
    """The coloured cells on a white grid, rows as tall as their text needs (a count's unit
    takes a line a rate's % does not), 无数据 cells crossed."""
    n_cols = codes.shape[1]
    cmap = ListedColormap([style.status_colour(s) for s in style.STATUSES])
    norm = BoundaryNorm(np.arange(len(style.STATUSES) + 1) - 0.5, cmap.N)
    ax.pcolormesh(
        np.arange(n_cols + 1), edges, codes, cmap=cmap, norm=norm, edgecolors="white", linewidth=1.5
    )
    missing = style.STATUSES.index("无数据")
    for r, c in zip(*np.nonzero(codes == missing), strict=True):
        ax.add_patch(
            Rectangle(
                (c + 0.04, edges[r] + 0.03),
                0.92,
                edges[r + 1] - edges[r] - 0.06,
                fill=False,
                linewidth=0,
                hatch=style.status_hatch("无数据"),
                hatchcolor=style.HATCH_COLOURS["无数据"],
                zorder=2,
            )
        )
    ax.set_ylim(edges[-1], 0)
    ax.set_xlim(0, n_cols)
    ax.xaxis.tick_top()
    ax.tick_params(length=0, pad=2)
    for side in ax.spines.values():
        side.set_visible(False)
