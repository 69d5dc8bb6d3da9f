"""Charts of ``budgetsim sweep`` and ``budgetsim sensitivity``.

- ``sweep``: a heat map of one rule's headroom (or chance of passing) over two varied keys,
  with the pass/fail boundary drawn as a line (headroom 0; an even chance with draws);
- ``tornado``: the sensitivity indices of one outcome, a bar per key, largest on top.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np

from budgetsim import __version__
from budgetsim.cli.present.charts import ChartError, Look, figure, save

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from budgetsim.explore.api import Sensitivity
    from budgetsim.explore.chunks import Sweep


def axis_label(key: str, unit: str) -> str:
    """A varied key as an axis names it: ``economy.real_growth, shift (% a year)``.

    Parameters
    ----------
    key : str
        As the sweep names it (``KEY`` or ``KEY+=``).
    unit : str
        Its unit in the file.

    Returns
    -------
    str
    """
    name = key.removesuffix("+=")
    what = f"{name}, shift" if key.endswith("+=") else name
    if unit.startswith("%") and key.endswith("+="):
        unit = "pp" + unit.removeprefix("%")  # a shift of a percentage: points
    return f"{what} ({unit})" if unit else what


def sweep_grid(s: Sweep, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The two keys' values and a column on their grid.

    Parameters
    ----------
    s : Sweep
        A sweep of exactly two keys.
    column : str
        A column of :attr:`Sweep.columns`.

    Returns
    -------
    x, y : ndarray
        The first and second key's values, ascending.
    z : ndarray, shape (len(y), len(x))
        The column (NaN where a point diverged).

    Raises
    ------
    ChartError
        Not two keys.
    """
    if len(s.keys) != 2:
        raise ChartError(f"--chart sweep: give two --vary keys, not {len(s.keys)}")
    x, xi = np.unique(s.values[:, 0], return_inverse=True)
    y, yi = np.unique(s.values[:, 1], return_inverse=True)
    z = np.full((len(y), len(x)), np.nan)
    values = np.where(s.columns["diverged"] > 0, np.nan, s.columns[column])
    z[yi.ravel(), xi.ravel()] = values
    return x, y, z


def _edges(v: np.ndarray) -> np.ndarray:
    if len(v) == 1:
        return np.array([v[0] - 0.5, v[0] + 0.5])
    mid = (v[:-1] + v[1:]) / 2
    return np.concatenate([[v[0] - (mid[0] - v[0])], mid, [v[-1] + (v[-1] - mid[-1])]])


def build_sweep(s: Sweep, rule: str, source: str, look: Look | None = None) -> Figure:
    """The heat map of ``rule``'s headroom (its chance of passing, for a sweep with draws)
    over the sweep's two keys, with the pass/fail boundary.

    Parameters
    ----------
    s : Sweep
        A sweep of two keys.
    rule : str
        One of :attr:`Sweep.rules`.
    source : str
        The scenario file, for the footnote.
    look : Look, optional
        ``--title``, ``--size``, ``--dpi``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ChartError
        Not two keys, an unknown rule, a rule not checked in the rules' year, or
        matplotlib missing.
    """
    if rule not in s.rules:
        raise ChartError(f"--rule: {rule!r}: the scenario's rules are {', '.join(s.rules)}")
    chance = s.draws > 0
    column = f"p_pass:{rule}" if chance else f"headroom:{rule}"
    x, y, z = sweep_grid(s, column)
    if not np.isfinite(z).any():
        raise ChartError(f"--rule: {rule!r} is not checked in {s.year_label}; give --year")
    look = look or Look()
    title = (
        f"Chance the {rule} passes in {s.year_label}"
        if chance
        else f"{rule[:1].upper()}{rule[1:]}: headroom in {s.year_label}"
    )

    def draw(fig: Figure) -> None:
        from matplotlib.colors import TwoSlopeNorm
        from matplotlib.lines import Line2D

        ax = fig.add_subplot()
        if chance:
            shown = z * 100.0
            mesh = ax.pcolormesh(
                _edges(x), _edges(y), shown, cmap="RdBu", vmin=0.0, vmax=100.0, shading="flat"
            )
            level, label = 50.0, "even chance"
            bar_label = f"chance the {rule} passes, % of {s.draws:,} draws"
        else:
            shown = z
            top = float(np.nanmax(np.abs(shown))) or 1.0
            mesh = ax.pcolormesh(
                _edges(x),
                _edges(y),
                shown,
                cmap="RdBu",
                norm=TwoSlopeNorm(0.0, -top, top),
                shading="flat",
            )
            level, label = 0.0, "pass / fail"
            bar_label = f"headroom, {s.unit} (blue: passes; red: fails)"
        bar = fig.colorbar(mesh, ax=ax)
        bar.set_label(bar_label)
        handles = []
        finite = np.isfinite(shown)
        if len(x) > 1 and len(y) > 1 and np.nanmin(shown) < level < np.nanmax(shown):
            filled = np.where(finite, shown, level)
            lines = ax.contour(x, y, filled, levels=[level], colors="black", linewidths=2.0)
            ax.clabel(lines, fmt={level: label}, inline=True, fontsize=8)
        if (~finite).any():
            yy, xx = np.nonzero(~finite)
            ax.scatter(x[xx], y[yy], marker="x", color="black", s=12)
            handles.append(
                Line2D([], [], color="black", marker="x", linestyle="", label="diverges")
            )
        if handles:
            ax.legend(handles=handles, loc="lower right", fontsize=8, framealpha=0.9)
        ax.set_xlabel(axis_label(s.keys[0], s.key_units[0]))
        ax.set_ylabel(axis_label(s.keys[1], s.key_units[1]))
        ax.set_title(s.title, loc="left", fontsize=8, fontweight="normal")
        ax.grid(False)

    keys = " and ".join(f"--vary {k}" for k in s.keys)
    note = (
        f"Source: budgetsim {__version__}, budgetsim sweep of {source} over {keys} "
        f"({s.points:,} points); each cell is one point's run"
        + (f" with {s.draws:,} draws of the scenario's shocks (seed {s.seed})." if chance else ".")
    )
    return figure(title, draw, textwrap.wrap(note, look.note_chars), look)


def render_sweep(
    s: Sweep, rule: str, source: str, fmt: str = "png", look: Look | None = None
) -> bytes:
    """:func:`build_sweep` as PNG, SVG or PDF bytes.

    Parameters
    ----------
    s : Sweep
    rule : str
    source : str
    fmt : {"png", "svg", "pdf"}
    look : Look, optional

    Returns
    -------
    bytes

    Raises
    ------
    ChartError
        As :func:`build_sweep`.
    """
    return save(build_sweep(s, rule, source, look), fmt)


def measure_title(measure: str) -> str:
    """An outcome in words: ``headroom:stability rule`` -> ``the stability rule's headroom``.

    Parameters
    ----------
    measure : str
        A sweep column.

    Returns
    -------
    str
    """
    if measure.startswith("headroom:"):
        return f"the {measure.removeprefix('headroom:')}'s headroom"
    return {
        "extra_today": "the extra cost (today's terms)",
        "debt_pct_gdp": "debt, % of GDP",
        "psnb_pct_gdp": "borrowing, % of GDP",
    }.get(measure, measure)


def build_tornado(r: Sensitivity, measure: str, source: str, look: Look | None = None) -> Figure:
    """The indices of one outcome: total ST with its confidence interval and first-order
    S1 beside it (Sobol), or mu* with its interval and sigma (Morris); a bar per key, the
    largest on top.

    Parameters
    ----------
    r : Sensitivity
    measure : str
        One of :attr:`Sensitivity.measures`.
    source : str
        The scenario file, for the footnote.
    look : Look, optional

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ChartError
        An outcome not computed, one no key moves, or matplotlib missing.
    """
    if measure not in r.measures:
        raise ChartError(f"--output-measure: {measure!r}: computed: {', '.join(r.measures)}")
    if r.constant(measure):
        raise ChartError(f"--output-measure: {measure!r} does not vary over the ranges given")
    look = look or Look()
    idx = r.indices[measure]
    unit = dict(zip(r.measures, r.measure_units, strict=True))[measure]
    year = r.cost_year_label if measure == "extra_today" else r.year_label
    sobol = r.method == "sobol"
    main, conf, other = ("ST", "ST_conf", "S1") if sobol else ("mu_star", "mu_star_conf", "sigma")
    order = np.argsort(idx[main], kind="stable")  # ascending: barh draws the last on top
    labels = [axis_label(r.keys[k], r.key_units[k]) for k in order]
    title = f"Which assumption decides {measure_title(measure)} in {year}"

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        pos = np.arange(len(order))
        h = 0.38
        ax.barh(
            pos + h / 2,
            idx[main][order],
            h,
            xerr=idx[conf][order],
            color="#2b5c8a",
            capsize=3,
            label="total effect ST (95 % interval)" if sobol else f"mu* ({unit}, 95 % interval)",
        )
        ax.barh(
            pos - h / 2,
            idx[other][order],
            h,
            color="#9fbfdc",
            label="first-order effect S1" if sobol else f"sigma ({unit})",
        )
        for p, v, c in zip(pos, idx[main][order], idx[conf][order], strict=True):
            ax.annotate(
                f"{v:.2f}" if sobol else f"{v:,.1f}",
                (max(float(v), 0.0) + max(float(c), 0.0), p + h / 2),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        ax.set_yticks(pos, labels)
        ax.axvline(0.0, color="#404040", linewidth=0.8)
        ax.set_xlabel(
            "share of the variance of the outcome (Sobol index)"
            if sobol
            else f"mean absolute elementary effect, {unit}"
        )
        if sobol:
            ax.set_xlim(min(0.0, float(np.nanmin(idx["S1"])) - 0.02), 1.05)
        ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
        ax.set_title(r.title, loc="left", fontsize=8, fontweight="normal")
        ax.grid(axis="x", alpha=0.3)

    ranges = "; ".join(
        f"{k} {lo:g} to {hi:g}" for k, (lo, hi) in zip(r.keys, r.bounds, strict=True)
    )
    method = (
        f"Sobol indices from Saltelli sampling (N = {r.samples:,}, {r.evaluations:,} runs)"
        if sobol
        else f"Morris elementary effects ({r.samples:,} trajectories, {r.evaluations:,} runs)"
    )
    note = (
        f"Source: budgetsim {__version__}, budgetsim sensitivity of {source}: {method}, seed "
        f"{r.seed}, SALib. {measure} ({unit}) in {year}. Ranges, uniform: {ranges}."
    )
    height = max(3.2, 1.6 + 0.45 * len(order))
    return figure(title, draw, textwrap.wrap(note, look.note_chars), look, height=height)


def render_tornado(
    r: Sensitivity, measure: str, source: str, fmt: str = "png", look: Look | None = None
) -> bytes:
    """:func:`build_tornado` as PNG, SVG or PDF bytes.

    Parameters
    ----------
    r : Sensitivity
    measure : str
    source : str
    fmt : {"png", "svg", "pdf"}
    look : Look, optional

    Returns
    -------
    bytes

    Raises
    ------
    ChartError
        As :func:`build_tornado`.
    """
    return save(build_tornado(r, measure, source, look), fmt)
