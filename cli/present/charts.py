"""Charts: draw Results with matplotlib (the optional extra ``budgetsim[plot]``).

Presenters read only Results. matplotlib is imported inside :func:`render`, with the Agg
backend, so ``budgetsim run`` never pays for it. Every chart uses one fixed style (reset to
matplotlib's defaults first, so a user's matplotlibrc changes nothing), tells scenarios apart
by line style, marker and hatch as well as colour (readable in greyscale), keeps its legend
outside the plotting area (so it never covers a line), reads every name as plain text (no
``$...$`` mathtext), and writes no date or software version into the file: the same Results
give byte-identical PNG, SVG and PDF.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from budgetsim import __version__
from budgetsim.model.result import Result

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: What a chart's ``draw`` may return: what to do once the figure is laid out (labels that
#: must know the plotting area's size in pixels), or None.
Finish = Callable[[], None] | None

INSTALL_HINT = "pip install 'budgetsim[plot]'"

#: NATO's core defence target agreed at The Hague, 25 June 2025: 3.5 % of GDP by 2035.
NATO_CORE_PCT, NATO_CORE_YEAR = 3.5, 2035
NATO_NOTE = "NATO core target 3.5 % of GDP by 2035 (The Hague summit, 25 June 2025)."

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.8, 100
#: Pixel size of a chart (PNG) at the default size and dpi, width by height.
SIZE_PX = (int(WIDTH_IN * DPI), int(HEIGHT_IN * DPI))
#: The image formats, by the output file's ending.
FORMATS = ("png", "svg", "pdf")
#: The most scenarios one chart draws: beyond a dozen lines no reader tells them apart (and
#: every one keeps its own colour and marker up to here).
MAX_SERIES = 12
#: Height of one panel of the funding chart, inches: the chart grows with its panels.
PANEL_IN = 1.7

# Okabe-Ito's colours (distinct for colour-blind readers) and, past them, Paul Tol's muted
# ones: MAX_SERIES colours, none repeated. Line styles, markers and hatches keep the
# scenarios apart in greyscale too; no two of the first MAX_SERIES share a marker.
COLOURS = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
    "#000000", "#882255", "#999933", "#332288", "#44AA99", "#AA4499",
)  # fmt: skip
LINESTYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "p", "h", "*")
HATCHES = ("//", "\\\\", "..", "xx", "--", "++", "oo", "||")
GREYS = ("#404040", "#808080", "#b0b0b0", "#d8d8d8", "#606060", "#a0a0a0", "#f0f0f0")

STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 9,
    "axes.grid": True,
    "axes.axisbelow": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "grid.color": "#d0d0d0",
    "grid.linewidth": 0.6,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "hatch.linewidth": 0.8,
    "svg.hashsalt": "budgetsim",  # fixed ids in SVG output
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "savefig.dpi": DPI,
    # A title, rule or file name is text: "$x_1$" is shown as written, never as math.
    "text.parse_math": False,
}


@dataclass(frozen=True)
class Look:
    """What the command line may change in any chart: its title, size and resolution.

    Attributes
    ----------
    title : str or None
        Replaces the chart's own title.
    size : (float, float) or None
        Width and height, inches (default 8 x 4.8; the funding chart grows with its
        panels).
    dpi : int
        Pixels an inch of a PNG.
    """

    title: str | None = None
    size: tuple[float, float] | None = None
    dpi: int = DPI

    @property
    def note_chars(self) -> int:
        """Characters a footnote line may take at this width (6 pt text)."""
        return int((self.size or (WIDTH_IN, HEIGHT_IN))[0] * 20)


class ChartError(Exception):
    """A chart cannot be drawn (matplotlib missing, or inputs it cannot show)."""


@dataclass(frozen=True)
class Chart:
    """One chart of Results: its name, what it shows, its title and how it is drawn.

    Attributes
    ----------
    name : str
        The name ``--chart`` takes.
    description : str
        What it shows, in a line.
    title : str
        The title drawn on it.
    draw : callable
        ``draw(fig, results)`` puts the chart on a Figure; it may return what is to be
        done once the figure is laid out (:func:`figure`).
    """

    name: str
    description: str
    title: str
    draw: Callable[[Figure, Sequence[Result]], Finish]


def _name(result: Result) -> str:
    return Path(result.source).stem


def _style(k: int) -> dict[str, Any]:
    return {
        "color": COLOURS[k % len(COLOURS)],
        "linestyle": LINESTYLES[k % len(LINESTYLES)],
        "marker": MARKERS[k % len(MARKERS)],
        "markersize": 3.5,
    }


def outside_legend(fig: Figure, axes: Sequence[Axes], extra: Sequence[Any] = ()) -> None:
    """One legend for the whole figure, outside the plotting area on the right, so that it
    never covers a line or a bar: every labelled artist of ``axes`` (each label once, in
    order), then ``extra`` handles (already labelled).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure with constrained layout.
    axes : sequence of Axes
        The panels whose artists the legend names.
    extra : sequence of artists
        More entries at the end (a key to line styles, say).
    """
    handles: dict[str, Any] = {}
    for ax in axes:
        for h, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, h)
    for h in extra:
        handles.setdefault(h.get_label(), h)
    if handles:
        fig.legend(list(handles.values()), list(handles), loc="outside right upper")


def _year_axis(ax: Axes, results: Sequence[Result]) -> None:
    """Years on the x axis, labelled as the scenarios label them (2029-30 or 2029)."""
    year_axis(ax, {y: lab for r in results for y, lab in zip(r.years, r.year_labels, strict=True)})


def year_axis(ax: Axes, labels: Mapping[int, str]) -> None:
    """Years on the x axis with these labels; beyond 12 years, every second (third...) one."""
    years = sorted(labels)
    step = max(1, len(years) // 12 + (1 if len(years) > 12 else 0))
    ticks = years[::step]
    ax.set_xticks(ticks, [labels[y] for y in ticks])
    fiscal = any("-" in labels[y] for y in ticks)
    if fiscal:
        ax.tick_params(axis="x", labelrotation=45)
    ax.set_xlabel("Fiscal year" if fiscal else "Year")


def _one_unit(results: Sequence[Result], what: str) -> str:
    units = sorted({r.unit for r in results})
    if len(units) > 1:
        raise ChartError(
            f"{what} needs scenarios in one currency unit; got {', '.join(units)} "
            "(plot them one at a time, or use a chart in % of GDP)"
        )
    return units[0]


def _subtitle(ax: Axes, results: Sequence[Result]) -> None:
    if len(results) == 1:
        ax.set_title(results[0].title, loc="left", fontsize=8, fontweight="normal")


#: Size of the labels of component lines, points; they are kept this far apart and more.
END_LABEL_PT = 7.0


def spread(ys: Sequence[float], gap: float, low: float = 0.0, high: float = 1.0) -> list[float]:
    """Positions as close to ``ys`` as they can be with every two at least ``gap`` apart and
    all within ``low`` to ``high`` (where they fit): labels that must not overlap.

    Parameters
    ----------
    ys : sequence of float
        Where each label would go, in any order.
    gap : float
        The least distance between two labels, in the units of ``ys``.
    low, high : float
        The range the labels stay in.

    Returns
    -------
    list of float
        Each label's position, in the order of ``ys``.
    """
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    out = [0.0] * len(ys)
    floor = low
    for i in order:  # upwards: each at least a gap above the one below
        out[i] = max(ys[i], floor)
        floor = out[i] + gap
    ceiling = high
    for i in reversed(order):  # then down from the top, where they ran past it
        out[i] = min(out[i], ceiling)
        ceiling = out[i] - gap
    return out


def _end_labels(ax: Axes, ends: Sequence[tuple[float, float, str, str]]) -> None:
    """Name each line just right of the plotting area, level with its end, spread out so
    that no two labels overlap (a thin leader joins each label to its line). Called once the
    figure is laid out, when the plotting area's height is known.

    Parameters
    ----------
    ax : Axes
        The plot, laid out, its y limits set.
    ends : sequence of (x, y, label, colour)
        Each line's last point, in data units, its label and colour.
    """
    bottom, top = ax.get_ylim()
    height_pt = ax.get_window_extent().height * 72 / ax.figure.dpi
    gap = 1.3 * END_LABEL_PT / height_pt  # a label's height, with some air, as a fraction
    at = [(y - bottom) / (top - bottom) for _, y, _, _ in ends]
    for (x, y, label, colour), where in zip(ends, spread(at, gap), strict=True):
        ax.annotate(
            label,
            (x, y),
            xytext=(1.02, where),
            textcoords="axes fraction",
            ha="left",
            va="center",
            fontsize=END_LABEL_PT,
            color=colour,
            annotation_clip=False,
            # the leader ends at the label's left edge, so it never crosses another label
            arrowprops={"arrowstyle": "-", "color": colour, "linewidth": 0.5,
                        "relpos": (0.0, 0.5), "shrinkA": 1, "shrinkB": 0},
        )  # fmt: skip


def draw_defence_share(fig: Figure, results: Sequence[Result]) -> Finish:
    """Defence % of GDP of each scenario, its milestones, its components stacked (thin
    lines: the first component, then each next one added, labelled right of the plot), and
    NATO's core target.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to draw on, in the house style.
    results : sequence of Result
        The scenarios, in output units.
    """
    ax = fig.add_subplot()
    ends: list[tuple[float, float, str, str]] = []  # each component line's end, for its label
    for k, r in enumerate(results):
        ax.plot(r.years, r.row("defence_pct_gdp"), label=_name(r), **_style(k))
        # each component stacked under the total, thin, in the scenario's colour
        stacked = np.zeros(len(r.years))
        for n, (name, share) in enumerate(r.component_shares.items()):
            stacked = stacked + share
            ax.plot(r.years, stacked, color=COLOURS[k % len(COLOURS)], linewidth=0.8, alpha=0.8)
            label = name if n == 0 else f"+ {name}"
            ends.append((r.years[-1], float(stacked[-1]), label, COLOURS[k % len(COLOURS)]))
        if r.milestones:
            ys, vs = zip(*r.milestones, strict=True)
            ax.plot(
                ys,
                vs,
                linestyle="none",
                marker="*",
                markersize=10,
                markerfacecolor="white",
                markeredgecolor=COLOURS[k % len(COLOURS)],
                label="_nolegend_",
            )
    last = max(max(r.years) for r in results)
    if last >= NATO_CORE_YEAR - 5:
        # In the legend, not written on the chart: a label there would cross the lines or
        # the subtitle.
        ax.axhline(
            NATO_CORE_PCT,
            color="black",
            linewidth=0.9,
            linestyle=(0, (6, 3)),
            label=f"NATO core target,\n{NATO_CORE_PCT:g} % by {NATO_CORE_YEAR}",
        )
    _subtitle(ax, results)
    ax.set_ylabel("% of GDP")
    ax.set_ylim(bottom=0, top=max(ax.get_ylim()[1], NATO_CORE_PCT * 1.1))
    _year_axis(ax, results)
    # The scenarios first, then what the marks mean.
    from matplotlib.lines import Line2D

    star = Line2D(
        [], [], linestyle="none", marker="*", markersize=10, markerfacecolor="white",
        markeredgecolor="#404040", label="milestones",
    )  # fmt: skip
    outside_legend(fig, [ax], [star] if any(r.milestones for r in results) else [])
    return (lambda: _end_labels(ax, ends)) if ends else None


def draw_defence_cash(fig: Figure, results: Sequence[Result]) -> None:
    """Defence in cash, nominal and at base-year prices, of each scenario.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to draw on, in the house style.
    results : sequence of Result
        The scenarios, in output units.

    Raises
    ------
    ChartError
        The scenarios are in different currency units.
    """
    from matplotlib.lines import Line2D

    unit = _one_unit(results, "the cash chart")
    ax = fig.add_subplot()
    for k, r in enumerate(results):
        style = _style(k)
        style["linestyle"] = "-"
        ax.plot(r.years, r.row("defence"), label=_name(r), **style)
        style["linestyle"] = (0, (1, 1.5))
        style["markerfacecolor"] = "white"
        ax.plot(r.years, r.row("defence_real"), label="_nolegend_", **style)
    _subtitle(ax, results)
    ax.set_ylabel(f"{unit} (real: at base-year prices)")
    ax.set_ylim(bottom=0)
    _year_axis(ax, results)
    # A scenario is a colour and marker; nominal and real are told apart by the line, so
    # the legend names each scenario once and the two lines once.
    base = sorted({r.base_year for r in results})
    prices = f"{base[0]}" if len(base) == 1 else "base-year"
    key = [
        Line2D([], [], color="#404040", linestyle="-", label="solid: nominal"),
        Line2D(
            [],
            [],
            color="#404040",
            linestyle=(0, (1, 1.5)),
            label=f"dotted: real,\n{prices} prices",
        ),
    ]
    outside_legend(fig, [ax], key)


def _funding_parts(r: Result) -> list[tuple[str, list[float]]]:
    parts = []
    for kind, word in (("cuts", "cut"), ("tax", "tax")):
        for name, values in r.sources.items():
            if r.source_kinds[name] == kind:
                parts.append((f"{word}: {name}", [float(v) for v in values]))
    parts.append(("borrowed", r.row("borrowing_for_defence")))
    return parts


def draw_funding(fig: Figure, results: Sequence[Result]) -> None:
    """The extra spending as stacked bars (cuts by pool, tax, borrowing), a panel a scenario;
    negative parts (borrowing below zero) stack down from zero.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to draw on, in the house style.
    results : sequence of Result
        The scenarios, in output units.

    Raises
    ------
    ChartError
        The scenarios are in different currency units.
    """
    unit = _one_unit(results, "the funding chart")
    axes = fig.subplots(len(results), 1, sharex=True, sharey=True, squeeze=False)[:, 0]
    for ax, r in zip(axes, results, strict=True):
        # Positive parts stack up from zero, negative ones (a saving borrowed back, as where
        # one component saves and another's own source pays for it) down from zero.
        up = [0.0] * len(r.years)
        down = [0.0] * len(r.years)
        for k, (label, values) in enumerate(_funding_parts(r)):
            bottom = [d if v < 0 else u for u, d, v in zip(up, down, values, strict=True)]
            ax.bar(
                r.years,
                values,
                bottom=bottom,
                label=label,
                color=GREYS[k % len(GREYS)] if label != "borrowed" else "white",
                edgecolor="black",
                linewidth=0.6,
                hatch=HATCHES[k % len(HATCHES)],
            )
            up = [u + max(v, 0.0) for u, v in zip(up, values, strict=True)]
            down = [d + min(v, 0.0) for d, v in zip(down, values, strict=True)]
        ax.plot(
            r.years,
            r.row("extra_defence"),
            linestyle="none",
            marker="_",
            markersize=12,
            color="black",
            label="extra defence",
        )
        ax.set_ylabel(unit)
        if len(results) > 1:
            ax.set_title(_name(r), loc="left", fontsize=8, fontweight="normal")
    if len(results) == 1:
        _subtitle(axes[0], results)
    # One legend for every panel: the parts of all scenarios, in stacking order.
    outside_legend(fig, list(axes))
    _year_axis(axes[-1], results)


def draw_debt(fig: Figure, results: Sequence[Result]) -> None:
    """Debt % of GDP above, borrowing % of GDP below, a line a scenario.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to draw on, in the house style.
    results : sequence of Result
        The scenarios, in output units.
    """
    top, bottom = fig.subplots(2, 1, sharex=True)
    for k, r in enumerate(results):
        top.plot(r.years, r.row("debt_pct_gdp"), label=_name(r), **_style(k))
        bottom.plot(r.years, r.row("psnb_pct_gdp"), label=_name(r), **_style(k))
    _subtitle(top, results)
    top.set_ylabel("Debt, % of GDP")
    bottom.set_ylabel("Borrowing, % of GDP")
    bottom.axhline(0, color="black", linewidth=0.6)
    outside_legend(fig, [top])
    _year_axis(bottom, results)


def rule_names(results: Sequence[Result]) -> list[str]:
    """The fiscal rules of the scenarios by name, each once, in the order they come.

    Parameters
    ----------
    results : sequence of Result
        The scenarios.

    Returns
    -------
    list of str
    """
    return list(dict.fromkeys(rule.name for r in results for rule in r.rules))


def draw_headroom(fig: Figure, results: Sequence[Result]) -> None:
    """Each rule's headroom (currency) in each year it is checked: a panel a rule, the
    years checked across, a stem from zero a scenario (side by side within a year).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to draw on, in the house style.
    results : sequence of Result
        The scenarios, in output units.

    Raises
    ------
    ChartError
        The scenarios are in different currency units.
    """
    unit = _one_unit(results, "the headroom chart")
    names = rule_names(results)
    if not names:
        ax = fig.add_subplot()
        _subtitle(ax, results)
        ax.text(0.5, 0.5, "No fiscal rules are set", transform=ax.transAxes, ha="center")
        return
    # One scale for every rule (one currency), so the panels compare as they look.
    axes = fig.subplots(len(names), 1, sharex=True, sharey=True, squeeze=False)[:, 0]
    # Within a year the scenarios checked in it stand side by side, so no stem hides another.
    checked: dict[tuple[str, int], list[int]] = {}
    for k, r in enumerate(results):
        for c in r.checks():
            checked.setdefault((c.rule, c.year), []).append(k)
    width = 0.8 / max(len(ks) for ks in checked.values())

    def place(name: str, year: int, k: int) -> float:
        ks = checked[(name, year)]
        return year + (ks.index(k) - (len(ks) - 1) / 2) * width

    years = {year for _, year in checked}
    for k, r in enumerate(results):
        style = _style(k)
        for ax, name in zip(axes, names, strict=True):
            checks = [c for c in r.checks() if c.rule == name]
            if not checks:
                continue
            xs = [place(name, c.year, k) for c in checks]
            hs = [c.headroom for c in checks]
            ax.vlines(xs, 0, hs, color=style["color"], linewidth=1.2)
            ax.plot(
                xs,
                hs,
                linestyle="none",
                marker=style["marker"],
                markersize=5,
                color=style["color"],
                label=_name(r),
            )
    for n, (ax, name) in enumerate(zip(axes, names, strict=True)):
        ax.axhline(0, color="black", linewidth=0.9)
        ax.set_ylabel(unit)
        # one scenario: its title above the first rule's name, as other charts show it
        title = f"{results[0].title}\n{name}" if n == 0 and len(results) == 1 else name
        ax.set_title(title, loc="left", fontsize=8, fontweight="normal")
    labels = {y: lab for r in results for y, lab in zip(r.years, r.year_labels, strict=True)}
    year_axis(axes[-1], {y: labels[y] for y in years})
    axes[-1].set_xlim(min(years) - 0.6, max(years) + 0.6)
    outside_legend(fig, list(axes))


CHARTS: dict[str, Chart] = {
    c.name: c
    for c in (
        Chart(
            "defence-share",
            "defence % of GDP against the milestones and NATO's target",
            "Defence spending, % of GDP",
            draw_defence_share,
        ),
        Chart(
            "defence-cash",
            "defence in cash, nominal and real at base-year prices",
            "Defence spending in cash, nominal and real",
            draw_defence_cash,
        ),
        Chart(
            "funding",
            "the extra spending as stacked bars: cuts by pool, tax, borrowing",
            "How the extra defence spending is paid for",
            draw_funding,
        ),
        Chart(
            "debt",
            "debt % of GDP and borrowing % of GDP",
            "Debt and borrowing, % of GDP",
            draw_debt,
        ),
        Chart(
            "headroom",
            "each fiscal rule's headroom in the years it is checked",
            "Fiscal rule headroom (below zero: the rule fails)",
            draw_headroom,
        ),
    )
}
DEFAULT_CHART = "defence-share"


def footnote(results: Sequence[Result], width: int = 160, max_lines: int = 3) -> list[str]:
    """Where the numbers come from: the scenario files and, if it fits, their references.

    Parameters
    ----------
    results : sequence of Result
        The scenarios drawn.
    width : int
        Characters a line.
    max_lines : int
        Beyond this many lines the references are left out (each file cites its figures).

    Returns
    -------
    list of str
    """
    files = ", ".join(r.source for r in results)
    head = f"Source: budgetsim {__version__}, scenario "
    head += ("files " if len(results) > 1 else "file ") + files
    refs = [" ".join(r.reference.split()) for r in results if r.reference.strip()]
    full = textwrap.wrap(head + (". Figures: " + " | ".join(refs) if refs else "."), width)
    if len(full) <= max_lines:
        return full
    short = head + "; each file's meta.reference and comments cite its figures."
    return textwrap.wrap(short, width)


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise ChartError(
            f"charts need matplotlib, which is not installed; install it with: {INSTALL_HINT}"
        ) from None
    matplotlib.use("Agg", force=True)
    return matplotlib


def _rc(mpl: Any) -> dict[str, Any]:
    rc = dict(mpl.rcParamsDefault)
    rc.pop("backend", None)
    rc.update(STYLE)
    return rc


def figure(
    title: str,
    draw: Callable[[Figure], Finish],
    notes: Sequence[str],
    look: Look | None = None,
    height: float = HEIGHT_IN,
) -> Figure:
    """A Figure in the house style: the title, what ``draw`` puts on it, footnote lines.

    Parameters
    ----------
    title : str
        The chart's title, top left (``look.title`` replaces it).
    draw : callable
        ``draw(fig)`` puts the chart on the Figure; what it returns, if anything, is called
        once the figure is laid out (with the footnote's room taken).
    notes : sequence of str
        Footnote lines, bottom left.
    look : Look, optional
        ``--title``, ``--size``, ``--dpi``.
    height : float
        The chart's own height, inches, where no ``--size`` is given.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ChartError
        matplotlib is not installed (or ``draw`` raises it).
    """
    look = look or Look()
    mpl = _pyplot()
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    width_in, height_in = look.size or (WIDTH_IN, height)
    with mpl.rc_context(_rc(mpl)):
        fig = Figure(figsize=(width_in, height_in), dpi=look.dpi, layout="constrained")
        fig.suptitle(look.title or title, x=0.01, ha="left", fontsize=11, fontweight="bold")
        finish = draw(fig)
        fig.text(0.01, 0.01, "\n".join(notes), fontsize=6, color="#404040", va="bottom")
        engine = fig.get_layout_engine()
        if isinstance(engine, ConstrainedLayoutEngine):
            # The footnote's height in figure fractions: 6 pt lines, 1.4 apart, plus a gap.
            line = 6 * 1.4 / 72 / height_in
            margin = 0.01 + line * (len(notes) + 0.6)
            engine.set(rect=(0, margin, 1, 1 - margin))
        if finish is not None:
            fig.draw_without_rendering()  # the layout, so the plotting area has its size
            finish()
    return fig


def save(fig: Figure, fmt: str = "png") -> bytes:
    """PNG, SVG or PDF bytes with no date or software version in them: same Figure, same
    bytes.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The chart.
    fmt : {"png", "svg", "pdf"}
        The image format.

    Returns
    -------
    bytes
    """
    mpl = _pyplot()
    buf = io.BytesIO()
    with mpl.rc_context(_rc(mpl)):
        if fmt == "svg":
            fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
        elif fmt == "pdf":
            fig.savefig(
                buf,
                format="pdf",
                metadata={"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
            )
        else:
            fig.savefig(buf, format="png", dpi=fig.dpi, metadata={"Software": None})
    return buf.getvalue()


def build(
    results: Sequence[Result], chart: str = DEFAULT_CHART, look: Look | None = None
) -> Figure:
    """The chart as a matplotlib Figure (not yet saved). Raises :class:`ChartError`.

    Parameters
    ----------
    results : sequence of Result
        The scenarios to draw, in output units (at most :data:`MAX_SERIES`).
    chart : str
        A key of :data:`CHARTS`.
    look : Look, optional
        ``--title``, ``--size``, ``--dpi``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    spec = CHARTS[chart]
    notes = footnote(results, (look or Look()).note_chars)
    if spec.name == "defence-share":
        notes.insert(0, NATO_NOTE)
    height = HEIGHT_IN
    if spec.name == "funding":
        height = max(HEIGHT_IN, PANEL_IN * len(results) + 1.4)
    elif spec.name == "headroom":  # a panel a rule
        height = max(HEIGHT_IN, PANEL_IN * len(rule_names(results)) + 1.4)
    return figure(spec.title, lambda fig: spec.draw(fig, results), notes, look, height)


def render_chart(
    results: Sequence[Result],
    chart: str = DEFAULT_CHART,
    fmt: str = "png",
    look: Look | None = None,
) -> bytes:
    """One chart of ``results`` as PNG, SVG or PDF bytes, the same bytes for the same Results.

    Parameters
    ----------
    results : sequence of Result
        The scenarios to draw, in output units (at most :data:`MAX_SERIES`).
    chart : str
        A key of :data:`CHARTS`.
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
        matplotlib is not installed, or a cash chart of scenarios in different units.
    """
    return save(build(results, chart, look), fmt)
