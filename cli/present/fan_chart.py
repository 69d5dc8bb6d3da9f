"""The fan chart of debt % of GDP from a Monte Carlo run (``budgetsim fan``).

It reads a :class:`budgetsim.uncertainty.montecarlo.Fan` (the uncertainty run's
result): nested bands
between symmetric percentiles (P5-P95 lightest, P25-P75 darkest), the median as a solid
line, the deterministic path dashed, and the scenario's debt threshold dotted. Bands are
told apart by shade and named in the legend, so the chart reads in greyscale.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from budgetsim import __version__
from budgetsim.cli.present.charts import Look, figure, outside_legend, save, year_axis
from budgetsim.model.units import to_percent
from budgetsim.uncertainty.montecarlo import percentile_name

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from budgetsim.uncertainty.montecarlo import Fan

TITLE = "Debt, % of GDP: the range of outcomes"
SERIES = "debt_pct_gdp"
BAND_GREYS = ("#e4e4e4", "#c4c4c4", "#9a9a9a", "#707070")


def bands(fan: Fan) -> list[tuple[float, float]]:
    """Pairs of percentiles (low, high) symmetric about the median, widest first."""
    qs = fan.percentiles
    return [(q, 100.0 - q) for q in qs if q < 50.0 and (100.0 - q) in qs]


def notes(fan: Fan, width: int = 160) -> list[str]:
    """The footnote lines: where the fan comes from, its resolution, and the chance debt is
    above the threshold in the last year.

    Parameters
    ----------
    fan : Fan
        The Monte Carlo run.
    width : int
        Characters a line.

    Returns
    -------
    list of str
        Lines of at most ``width`` characters.
    """
    last = fan.year_labels[-1]
    text = (
        f"Source: budgetsim {__version__}, budgetsim fan of {fan.source}: {fan.draws:,} draws, "
        f"seed {fan.seed}, shocks to growth, the deflator and gilt yields from the scenario's "
        f"uncertainty section. Percentiles within {fan.resolution[SERIES]:g} pp. Chance debt "
        f"is above {fan.debt_threshold_pct_gdp:g} % of GDP in {last}: "
        f"{to_percent(float(fan.p_debt_above[-1])):.1f} %."
    )
    return textwrap.wrap(text, width)


def build_fan(fan: Fan, look: Look | None = None) -> Figure:
    """The fan of debt % of GDP as a matplotlib Figure (not yet saved).

    Parameters
    ----------
    fan : Fan
        The Monte Carlo run; its ``debt_pct_gdp`` percentiles and central path, % of GDP.
    look : Look, optional
        ``--title``, ``--size``, ``--dpi``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ChartError
        matplotlib is not installed.
    """
    values = fan.series[SERIES]
    row = {q: values[k] for k, q in enumerate(fan.percentiles)}
    years = list(fan.years)

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        for k, (lo, hi) in enumerate(bands(fan)):
            ax.fill_between(
                years,
                row[lo],
                row[hi],
                color=BAND_GREYS[min(k, len(BAND_GREYS) - 1)],
                linewidth=0,
                label=f"{percentile_name(lo)} to {percentile_name(hi)}",
            )
        if 50.0 in row:
            ax.plot(years, row[50.0], color="black", linewidth=1.8, label="median")
        ax.plot(
            years,
            fan.central[SERIES],
            color="#0072B2",
            linestyle="--",
            marker="o",
            markersize=3.5,
            label="central (no shocks)",
        )
        ax.axhline(
            fan.debt_threshold_pct_gdp,
            color="black",
            linewidth=0.9,
            linestyle=":",
            label=f"threshold {fan.debt_threshold_pct_gdp:g} % of GDP",
        )
        year_axis(ax, dict(zip(years, fan.year_labels, strict=True)))
        ax.set_ylabel("Debt, % of GDP")
        ax.set_title(fan.title, loc="left", fontsize=8, fontweight="normal")
        outside_legend(fig, [ax])

    look = look or Look()
    return figure(TITLE, draw, notes(fan, look.note_chars), look)


def render_fan(fan: Fan, fmt: str = "png", look: Look | None = None) -> bytes:
    """The fan chart as PNG or SVG bytes, the same bytes for the same Fan.

    Parameters
    ----------
    fan : Fan
        The Monte Carlo run.
    fmt : {"png", "svg", "pdf"}
        The image format.
    look : Look, optional
        ``--title``, ``--size``, ``--dpi``.

    Returns
    -------
    bytes

    Raises
    ------
    ChartError
        matplotlib is not installed.
    """
    return save(build_fan(fan, look), fmt)
