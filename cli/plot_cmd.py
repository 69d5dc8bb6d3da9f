"""The ``plot`` and ``report`` commands (charts need the extra ``budgetsim[plot]``).

Registered in :mod:`budgetsim.cli.app`. matplotlib is
imported only when a chart is drawn, so other commands start as fast as before.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from budgetsim.cli.common import (
    FilesArg,
    Outputs,
    QuietOpt,
    SetOpt,
    fail,
    run_or_fail,
    write_or_fail,
)
from budgetsim.cli.present.charts import (
    CHARTS,
    DEFAULT_CHART,
    DPI,
    FORMATS,
    MAX_SERIES,
    ChartError,
    Look,
    render_chart,
)
from budgetsim.cli.present.emit import plain
from budgetsim.cli.solve_cmd import DEFAULT_TARGETS, frontier_of
from budgetsim.cli.uncertainty_cmd import fan_of
from budgetsim.errors import ScenarioError
from budgetsim.model.result import Result

#: The solver's frontier as a heat map: drawn from one scenario's Frontier, not from Results.
FRONTIER = "frontier"
#: The Monte Carlo fan of debt % of GDP: drawn from one scenario's Fan.
FAN = "fan"
#: A rule's headroom over two varied keys (budgetsim sweep), and sensitivity indices.
SWEEP = "sweep"
TORNADO = "tornado"
ALL_CHARTS = (*CHARTS, FAN, FRONTIER, SWEEP, TORNADO)


def _draw(results: Sequence[Result], chart: str, fmt: str, look: Look | None = None) -> bytes:
    try:
        return render_chart(results, chart, fmt, look)
    except ChartError as exc:
        fail(str(exc))


def capped(results: Sequence[Result], what: str) -> list[Result]:
    """At most :data:`MAX_SERIES` scenarios for one chart; when there are more, the first
    ones, and a line on stderr saying which were left out.

    Parameters
    ----------
    results : sequence of Result
        The runs, in the order given.
    what : str
        The command, for the message.

    Returns
    -------
    list of Result
    """
    if len(results) <= MAX_SERIES:
        return list(results)
    left = len(results) - MAX_SERIES
    sys.stderr.write(
        plain(
            f"{what}: {len(results)} scenarios; a chart draws at most {MAX_SERIES}, so the "
            f"first {MAX_SERIES} are drawn and {left} left out (from {results[MAX_SERIES].source})"
        )
        + "\n"
    )
    return list(results[:MAX_SERIES])


def _size(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*[xX]\s*(\d+(?:\.\d+)?)\s*", text)
    if not m:
        fail(f"--size: {text!r}: give WIDTHxHEIGHT in inches, such as 8x4.8")
    width, height = float(m.group(1)), float(m.group(2))
    if not (2 <= width <= 40 and 2 <= height <= 40):
        fail(f"--size: {text!r}: each side must be 2 to 40 inches")
    return width, height


def _look(title: str | None, size: str | None, dpi: int) -> Look:
    return Look(title=title, size=_size(size), dpi=dpi)


TitleOpt = Annotated[
    str | None,
    typer.Option(help="The chart's title, in place of its own.", metavar="TEXT"),
]
SizeOpt = Annotated[
    str | None,
    typer.Option(
        help="Width x height in inches [default: 8x4.8; the funding chart grows with its panels].",
        metavar="WxH",
        show_default=False,
    ),
]
DpiOpt = Annotated[
    int, typer.Option(help="Pixels an inch in a PNG (200 for print).", min=50, max=600)
]


def plot_command(
    files: FilesArg,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Image to write (atomically): .png, .svg or .pdf.",
            metavar="PATH",
            show_default=False,
        ),
    ],
    chart: Annotated[
        str,
        typer.Option(help=f"Chart to draw: {', '.join(ALL_CHARTS)}.", metavar="NAME"),
    ] = DEFAULT_CHART,
    targets: Annotated[
        str | None,
        typer.Option(
            help="--chart frontier: target shares, % of GDP, comma-separated "
            f"[default: {DEFAULT_TARGETS}].",
            metavar="PCT,...",
            show_default=False,
        ),
    ] = None,
    years: Annotated[
        str | None,
        typer.Option(
            help="--chart frontier: target years, FIRST..LAST or comma-separated "
            "(default: every projected year).",
            metavar="YEARS",
        ),
    ] = None,
    draws: Annotated[
        int | None,
        typer.Option(
            help="--chart fan: number of draws (default: uncertainty.draws).", min=1, max=10**9
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            help="--chart fan: random seed (default: uncertainty.seed); sweep, tornado: the "
            "seed of the draws or samples (default 0).",
            min=0,
        ),
    ] = None,
    vary: Annotated[
        list[str] | None,
        typer.Option(
            "--vary",
            metavar="KEY=LOW:HIGH[:STEP]",
            help="--chart sweep: two keys, KEY=LOW:HIGH:STEP (as budgetsim sweep); "
            "tornado: ranges KEY=LOW:HIGH (as budgetsim sensitivity).",
            show_default=False,
        ),
    ] = None,
    rule: Annotated[
        str | None,
        typer.Option(
            help="--chart sweep: the rule whose headroom is drawn (default: the first).",
            metavar="NAME",
            show_default=False,
        ),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            metavar="YEAR",
            help="--chart sweep, tornado: the rules' year (default: the first checked).",
            show_default=False,
        ),
    ] = None,
    method: Annotated[
        str, typer.Option(help="--chart tornado: sobol or morris.", metavar="NAME")
    ] = "sobol",
    samples: Annotated[
        int,
        typer.Option(help="--chart tornado: N, as budgetsim sensitivity.", min=2, max=2**20),
    ] = 1024,
    measure: Annotated[
        str | None,
        typer.Option(
            "--output-measure",
            metavar="NAME",
            help="--chart tornado: the outcome drawn (default: the first rule's headroom).",
            show_default=False,
        ),
    ] = None,
    set_: SetOpt = None,
    title: TitleOpt = None,
    size: SizeOpt = None,
    dpi: DpiOpt = DPI,
    quiet: QuietOpt = False,
) -> None:
    """Draw one chart of one or several scenarios as PNG, SVG or PDF (needs matplotlib)."""
    if chart not in ALL_CHARTS:
        fail(f"--chart: unknown chart {chart!r}; one of: {', '.join(ALL_CHARTS)}")
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        fail(f"--output: {output}: give a file name ending in .png, .svg or .pdf")
    look = _look(title, size, dpi)
    if chart != FRONTIER and (targets is not None or years is not None):
        fail("--targets, --years: only for --chart frontier")
    if chart not in (FAN, SWEEP, TORNADO) and (draws is not None or seed is not None):
        fail("--draws, --seed: only for --chart fan, sweep or tornado")
    if chart not in (SWEEP, TORNADO) and (vary or rule or year is not None or measure):
        fail("--vary, --rule, --year, --output-measure: only for --chart sweep or tornado")
    if chart in (FRONTIER, FAN, SWEEP, TORNADO) and len(files) != 1:
        fail(f"--chart {chart}: give one scenario file, not {len(files)}")
    if chart == SWEEP:
        image = _sweep(files[0], vary, rule, draws, seed, year, set_, fmt, look, quiet)
    elif chart == TORNADO:
        if draws is not None:
            fail("--draws: not for --chart tornado")
        image = _tornado(
            files[0], vary, method, samples, measure, seed, year, set_, fmt, look, quiet
        )
    elif chart == FRONTIER:
        image = _frontier(files[0], targets or DEFAULT_TARGETS, years, set_, fmt, look, quiet)
    elif chart == FAN:
        image = _fan(files[0], draws, seed, set_, fmt, look, quiet)
    else:
        results = capped([run_or_fail(f, set_, quiet=quiet) for f in files], "plot")
        image = _draw(results, chart, fmt, look)
    write_or_fail(output, image)


def _frontier(
    file: Path,
    targets: str,
    years: str | None,
    overrides: list[str] | None,
    fmt: str,
    look: Look,
    quiet: bool,
) -> bytes:
    """The solver's frontier of one scenario as a heat map (``budgetsim frontier``'s grid)."""
    from budgetsim.cli.present.frontier_chart import render_frontier

    _, fr = frontier_of(file, targets, years, overrides, quiet)
    try:
        return render_frontier(fr, str(file), fmt, look)
    except ChartError as exc:
        fail(str(exc))


def _fan(
    file: Path,
    draws: int | None,
    seed: int | None,
    overrides: list[str] | None,
    fmt: str,
    look: Look,
    quiet: bool,
) -> bytes:
    """The Monte Carlo fan of debt % of GDP (``budgetsim fan``'s percentiles) of one scenario."""
    from budgetsim.cli.present.fan_chart import render_fan

    result = fan_of(file, draws, seed, None, overrides, quiet)
    try:
        return render_fan(result, fmt, look)
    except ChartError as exc:
        fail(str(exc))


def _source(file: Path, overrides: list[str] | None) -> str:
    """The scenario file as a footnote names it, with the ``--set`` assignments applied."""
    return " ".join([str(file), *(f"--set {a}" for a in overrides or [])])


def _sweep(
    file: Path,
    vary: list[str] | None,
    rule: str | None,
    draws: int | None,
    seed: int | None,
    year: int | None,
    overrides: list[str] | None,
    fmt: str,
    look: Look,
    quiet: bool,
) -> bytes:
    """A rule's headroom (chance of passing, with draws) over two keys of a sweep."""
    from budgetsim.cli.present.sweep_chart import render_sweep
    from budgetsim.cli.sweep_cmd import sweep_of

    if len(vary or []) != 2:
        fail(f"--chart sweep: give two --vary keys, not {len(vary or [])}")
    s = sweep_of(
        file, vary, draws=draws or 0, seed=seed or 0, year=year, overrides=overrides, quiet=quiet
    )
    if not s.rules:
        fail(f"--chart sweep: {file} has no rules to draw")
    try:
        return render_sweep(s, rule or s.rules[0], _source(file, overrides), fmt, look)
    except ChartError as exc:
        fail(str(exc))


def _tornado(
    file: Path,
    vary: list[str] | None,
    method: str,
    samples: int,
    measure: str | None,
    seed: int | None,
    year: int | None,
    overrides: list[str] | None,
    fmt: str,
    look: Look,
    quiet: bool,
) -> bytes:
    """The sensitivity indices of one outcome (budgetsim sensitivity)."""
    from budgetsim.cli.present.sweep_chart import render_tornado
    from budgetsim.cli.sweep_cmd import sensitivity_of

    r = sensitivity_of(
        file,
        vary,
        method=method,
        samples=samples,
        measures=[measure] if measure else None,
        seed=seed or 0,
        year=year,
        overrides=overrides,
        quiet=quiet,
    )
    try:
        return render_tornado(r, measure or r.measures[0], _source(file, overrides), fmt, look)
    except ChartError as exc:
        fail(str(exc))


def report_command(
    files: FilesArg,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Report to write: .html (one self-contained file) or .md (PNGs beside it).",
            metavar="PATH",
            show_default=False,
        ),
    ],
    quiet: QuietOpt = False,
) -> None:
    """Write an HTML or Markdown report with charts, tables and sources (needs matplotlib).

    It shows the summary, the charts, the year-by-year table, the rule checks, the
    assumptions with their sources and, for several files, the comparison.
    """
    from budgetsim.cli.present.report import chart_plan, html_report, markdown_report
    from budgetsim.input.assumptions import assumptions_of

    kind = output.suffix.lower()
    if kind not in (".html", ".htm", ".md"):
        fail(f"--output: {output}: give a file name ending in .html or .md")
    texts: dict[str, str] = {}  # each file is read once, for the run and the assumptions
    results = [run_or_fail(f, texts=texts, quiet=quiet) for f in files]
    try:
        assumptions = [assumptions_of(f, texts) for f in files]
    except ScenarioError as exc:  # pragma: no cover - the file was just read and run
        fail(str(exc))
    plots = chart_plan(capped(results, "report"))
    images = {p.key: _draw(p.results, p.chart, "png") for p in plots}
    # Every file is produced before any is written, and then written together: a report
    # whose PNG cannot be written leaves the old report (and every old PNG) as it was.
    out = Outputs()
    if kind == ".md":
        names = {p.key: f"{output.stem}-{p.key}.png" for p in plots}
        out.file(output, markdown_report(results, assumptions, plots, names))
        for key, png in images.items():
            out.file(output.with_name(names[key]), png)
    else:
        out.file(output, html_report(results, assumptions, plots, images))
    out.commit()
