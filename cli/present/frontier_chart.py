"""The solver's frontier as a heat map: target share down, target year across.

It reads a :class:`budgetsim.solve.frontier.Frontier` (the solver's result) and draws each cell as
``budgetsim frontier`` prints it: ``pass`` (white), the least cuts that pass (grey, darker
for more), or ``FAIL`` and the key of the rule that fails even with every pool cut to its
cap (cross-hatched; the footnote names the rules). The words are written in every cell, in
a size that fits the cell, so the chart reads the same in greyscale.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np

from budgetsim import __version__
from budgetsim.cli.present.charts import Look, figure, save
from budgetsim.cli.present.solve import frontier_table_cell, rule_keys

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


def notes(fr: Frontier, source: str, width: int = 160) -> list[str]:
    """The footnote lines: where the grid comes from, how to read a cell, and the rule each
    key names.

    Parameters
    ----------
    fr : Frontier
        The solved grid (for its currency unit).
    source : str
        The scenario file.
    width : int
        Characters a line.

    Returns
    -------
    list of str
        Lines of at most ``width`` characters.
    """
    keys = rule_keys(fr)
    named = "; ".join(f"{k} {name}" for name, k in keys.items())
    text = (
        f"Source: budgetsim {__version__}, budgetsim frontier of {source}. pass: passes every "
        f"rule with the extra spending borrowed; cuts X: passes with at least X {fr.unit} of "
        "cuts in total (shade: more cuts, darker); FAIL (hatched): the rule fails even "
        "with every pool cut to its cap" + (f": {named}." if named else ".")
    )
    return textwrap.wrap(text, width)


def build_frontier(fr: Frontier, source: str, look: Look | None = None) -> Figure:
    """The heat map as a Figure; ``source`` is the scenario file, for the footnote.

    Parameters
    ----------
    fr : Frontier
        The solved grid.
    source : str
        The scenario file.
    look : Look, optional
        ``--title``, ``--size``, ``--dpi``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    look = look or Look()
    grid = cuts_grid(fr)
    labels = dict(zip(fr.years, fr.labels, strict=True))
    title = fr.title
    keys = rule_keys(fr)
    texts = {
        (i, j): frontier_table_cell(fr, t, y, keys).replace(" ", "\n", 1)
        for i, t in enumerate(fr.targets)
        for j, y in enumerate(fr.years)
    }
    width_in = (look.size or (8.0, 4.8))[0]
    # The widest cell text must fit its cell: the axes take about 85 % of the width; a
    # character of DejaVu Sans is about 0.62 of the font size wide.
    chars = max(len(line) for text in texts.values() for line in text.split("\n"))
    cell_pt = width_in * 72 * 0.85 / len(fr.years)
    size = max(4.0, min(8.0, 0.85 * cell_pt / (0.62 * chars)))

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
        for (i, j), text in texts.items():
            failed = bool(np.isnan(grid[i, j]))
            if failed:
                ax.add_patch(_rectangle(j - 0.5, i - 0.5, facecolor="#f2f2f2", hatch="xxx"))
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize=size,
                fontweight="bold" if failed else "normal",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6, "alpha": 0.85}
                if failed
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

    return figure(TITLE, draw, notes(fr, source, look.note_chars), look)


def _rectangle(x: float, y: float, **style: Any) -> Rectangle:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), 1.0, 1.0, edgecolor="#606060", linewidth=0.6, **style)


def render_frontier(fr: Frontier, source: str, fmt: str = "png", look: Look | None = None) -> bytes:
    """The heat map as PNG or SVG bytes.

    Parameters
    ----------
    fr : Frontier
        The solved grid.
    source : str
        The scenario file, for the footnote.
    fmt : {"png", "svg", "pdf"}
        The image format.
    look : Look, optional
        ``--title``, ``--size``, ``--dpi``.

    Returns
    -------
    bytes
        The same bytes for the same Frontier.

    Raises
    ------
    ChartError
        matplotlib is not installed.
    """
    return save(build_frontier(fr, source, look), fmt)
