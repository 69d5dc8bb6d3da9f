"""The solver's frontier as a heat map: target share down, target year across.

It reads a :class:`budgetsim.solve.frontier.Frontier` (the solver's result) and draws each cell as
``budgetsim frontier`` prints it: ``pass`` (white), the least cuts that pass (grey, darker
for more), or ``FAIL`` and the rule that fails even with every pool cut to its cap (cross-
hatched). The words are written in every cell, so the chart reads the same in greyscale.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np

from budgetsim import __version__
from budgetsim.cli.present.charts import figure, save
from budgetsim.cli.present.tables import frontier_cell

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    from budgetsim.solve.frontier import Frontier

TITLE = "Which target, by which year, the fiscal rules allow"


def cuts_grid(fr: Frontier) -> np.ndarray:
    """Least cuts that pass, targets down and years across; NaN where no path passes.

    Parameters
    ----------
    fr : Frontier
        The solved grid.

    Returns
    -------
    ndarray, shape (len(fr.targets), len(fr.years))
        Least total cuts over the projection, currency (0 where none are needed).
    """
    return np.array(
        [
            [
                np.nan if not (c := fr.cell(t, y)).feasible else (c.cuts_needed or 0.0)
                for y in fr.years
            ]
            for t in fr.targets
        ]
    )


def notes(fr: Frontier, source: str) -> list[str]:
    """The footnote lines: where the grid comes from and how to read a cell.

    Parameters
    ----------
    fr : Frontier
        The solved grid (for its currency unit).
    source : str
        The scenario file.

    Returns
    -------
    list of str
        Lines of at most 160 characters.
    """
    text = (
        f"Source: budgetsim {__version__}, budgetsim frontier of {source}. pass: passes every "
        f"rule with the extra spending borrowed; cuts X: passes with at least X {fr.unit} of "
        "cuts in total (shade: more cuts, darker); FAIL rule (hatched): that rule fails even "
        "with every pool cut to its cap."
    )
    return textwrap.wrap(text, 160)


def build_frontier(fr: Frontier, source: str) -> Figure:
    """The heat map as a Figure; ``source`` is the scenario file, for the footnote."""
    grid = cuts_grid(fr)
    labels = dict(zip(fr.years, fr.labels, strict=True))
    title = fr.title

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        top = float(np.nanmax(grid)) if np.isfinite(grid).any() else 0.0
        shown = np.where(np.isnan(grid), 0.0, grid)
        ax.pcolormesh(
            np.arange(len(fr.years) + 1) - 0.5,
            np.arange(len(fr.targets) + 1) - 0.5,
            shown,
            cmap="Greys",
            vmin=0.0,
            vmax=max(top, 1e-9) * 1.8,  # the darkest cell stays light enough for its text
            edgecolors="white",
            linewidth=1.0,
        )
        for i, t in enumerate(fr.targets):
            for j, y in enumerate(fr.years):
                if np.isnan(grid[i, j]):
                    ax.add_patch(_rectangle(j - 0.5, i - 0.5, facecolor="#f2f2f2", hatch="xxx"))
                ax.text(
                    j,
                    i,
                    frontier_cell(fr, t, y, sep="\n"),
                    ha="center",
                    va="center",
                    fontsize=6.5 if len(fr.years) <= 6 else 6,
                    fontweight="bold" if np.isnan(grid[i, j]) else "normal",
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6, "alpha": 0.85}
                    if np.isnan(grid[i, j])
                    else None,
                )
        ax.set_xticks(range(len(fr.years)), [labels[y] for y in fr.years])
        ax.set_yticks(range(len(fr.targets)), [f"{t:g}" for t in fr.targets])
        ax.set_xlim(-0.5, len(fr.years) - 0.5)
        ax.set_ylim(-0.5, len(fr.targets) - 0.5)
        ax.grid(False)
        ax.set_xlabel("Target year (the share is reached in this year, then held)")
        ax.set_ylabel("Target, % of GDP")
        ax.set_title(title, loc="left", fontsize=8, fontweight="normal")
        if any("-" in labels[y] for y in fr.years):
            ax.tick_params(axis="x", labelrotation=45)

    return figure(TITLE, draw, notes(fr, source))


def _rectangle(x: float, y: float, **style: Any) -> Rectangle:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), 1.0, 1.0, edgecolor="#606060", linewidth=0.6, **style)


def render_frontier(fr: Frontier, source: str, fmt: str = "png") -> bytes:
    """The heat map as PNG or SVG bytes.

    Parameters
    ----------
    fr : Frontier
        The solved grid.
    source : str
        The scenario file, for the footnote.
    fmt : {"png", "svg"}
        The image format.

    Returns
    -------
    bytes
        The same bytes for the same Frontier.

    Raises
    ------
    ChartError
        matplotlib is not installed.
    """
    return save(build_frontier(fr, source), fmt)
