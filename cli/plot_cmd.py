"""The ``plot`` and ``report`` commands (charts need the extra ``budgetsim[plot]``).

Registered in :mod:`budgetsim.cli.app`. matplotlib is
imported only when a chart is drawn, so other commands start as fast as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from budgetsim.cli.common import FilesArg, QuietOpt, SetOpt, fail, run_or_fail, write_or_fail
from budgetsim.cli.present.charts import CHARTS, DEFAULT_CHART, ChartError, render_chart
from budgetsim.cli.solve_cmd import DEFAULT_TARGETS, frontier_of
from budgetsim.cli.uncertainty_cmd import fan_of
from budgetsim.errors import ScenarioError
from budgetsim.model.result import Result

#: The solver's frontier as a heat map: drawn from one scenario's Frontier, not from Results.
FRONTIER = "frontier"
#: The Monte Carlo fan of debt % of GDP: drawn from one scenario's Fan.
FAN = "fan"
ALL_CHARTS = (*CHARTS, FAN, FRONTIER)


def _draw(results: Sequence[Result], chart: str, fmt: str) -> bytes:
    try:
        return render_chart(results, chart, fmt)
    except ChartError as exc:
        fail(str(exc))


def plot_command(
    files: FilesArg,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Image to write (atomically): .png or .svg.",
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
        typer.Option(help="--chart fan: random seed (default: uncertainty.seed).", min=0),
    ] = None,
    set_: SetOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Draw one chart of one or several scenarios as PNG or SVG (needs matplotlib)."""
    if chart not in ALL_CHARTS:
        fail(f"--chart: unknown chart {chart!r}; one of: {', '.join(ALL_CHARTS)}")
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        fail(f"--output: {output}: give a file name ending in .png or .svg")
    if chart != FRONTIER and (targets is not None or years is not None):
        fail("--targets, --years: only for --chart frontier")
    if chart != FAN and (draws is not None or seed is not None):
        fail("--draws, --seed: only for --chart fan")
    if chart in (FRONTIER, FAN) and len(files) != 1:
        fail(f"--chart {chart}: give one scenario file, not {len(files)}")
    if chart == FRONTIER:
        write_or_fail(
            output, _frontier(files[0], targets or DEFAULT_TARGETS, years, set_, fmt, quiet)
        )
        return
    if chart == FAN:
        write_or_fail(output, _fan(files[0], draws, seed, set_, fmt, quiet))
        return
    results = [run_or_fail(f, set_, quiet=quiet) for f in files]
    write_or_fail(output, _draw(results, chart, fmt))


def _frontier(
    file: Path,
    targets: str,
    years: str | None,
    overrides: list[str] | None,
    fmt: str,
    quiet: bool,
) -> bytes:
    """The solver's frontier of one scenario as a heat map (``budgetsim frontier``'s grid)."""
    from budgetsim.cli.present.frontier_chart import render_frontier

    _, fr = frontier_of(file, targets, years, overrides, quiet)
    try:
        return render_frontier(fr, str(file), fmt)
    except ChartError as exc:
        fail(str(exc))


def _fan(
    file: Path,
    draws: int | None,
    seed: int | None,
    overrides: list[str] | None,
    fmt: str,
    quiet: bool,
) -> bytes:
    """The Monte Carlo fan of debt % of GDP (``budgetsim fan``'s percentiles) of one scenario."""
    from budgetsim.cli.present.fan_chart import render_fan

    result = fan_of(file, draws, seed, None, overrides, quiet)
    try:
        return render_fan(result, fmt)
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
    plots = chart_plan(results)
    images = {p.key: _draw(p.results, p.chart, "png") for p in plots}
    if kind == ".md":
        names = {p.key: f"{output.stem}-{p.key}.png" for p in plots}
        # The report first: if it cannot be written, no PNG is left beside it (nor an
        # existing one overwritten) for a report that does not exist.
        write_or_fail(output, markdown_report(results, assumptions, plots, names))
        for key, png in images.items():
            write_or_fail(output.with_name(names[key]), png)
    else:
        write_or_fail(output, html_report(results, assumptions, plots, images))
