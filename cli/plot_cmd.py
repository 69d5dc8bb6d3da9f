"""The ``plot`` and ``report`` commands (charts need the extra ``budgetsim[plot]``).

Registered on :data:`budgetsim.cli.app.app` when that module is imported. matplotlib is
imported only when a chart is drawn, so other commands start as fast as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from budgetsim.cli.app import EXIT_BAD_INPUT, _fail, _run_file, app
from budgetsim.cli.charts import CHARTS, DEFAULT_CHART, ChartError, render
from budgetsim.cli.files import write_atomic
from budgetsim.errors import ScenarioError
from budgetsim.result import Result

FilesArg = Annotated[
    list[Path],
    typer.Argument(help="Scenario YAML files.", show_default=False, metavar="FILE"),
]


def _write(path: Path, data: str | bytes) -> None:
    try:
        write_atomic(path, data)
    except OSError as exc:
        _fail(f"{path}: cannot write: {exc.strerror or exc}")


def _draw(results: Sequence[Result], chart: str, fmt: str) -> bytes:
    try:
        return render(results, chart, fmt)
    except ChartError as exc:
        _fail(str(exc), EXIT_BAD_INPUT)


@app.command("plot")
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
        typer.Option(help=f"Chart to draw: {', '.join(CHARTS)}.", metavar="NAME"),
    ] = DEFAULT_CHART,
) -> None:
    """Draw one chart of one or several scenarios as PNG or SVG (needs matplotlib)."""
    if chart not in CHARTS:
        _fail(f"--chart: unknown chart {chart!r}; one of: {', '.join(CHARTS)}")
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        _fail(f"--output: {output}: give a file name ending in .png or .svg")
    results = [_run_file(f) for f in files]
    _write(output, _draw(results, chart, fmt))


@app.command("report")
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
) -> None:
    """Write an HTML or Markdown report with charts, tables and sources (needs matplotlib).

    It shows the summary, the charts, the year-by-year table, the rule checks, the
    assumptions with their sources and, for several files, the comparison.
    """
    from budgetsim.cli.assumptions import assumptions_of
    from budgetsim.cli.report import html_report, markdown_report, plan

    kind = output.suffix.lower()
    if kind not in (".html", ".htm", ".md"):
        _fail(f"--output: {output}: give a file name ending in .html or .md")
    results = [_run_file(f) for f in files]
    try:
        assumptions = [assumptions_of(f) for f in files]
    except ScenarioError as exc:  # pragma: no cover - the file was just read and run
        _fail(str(exc))
    plots = plan(results)
    images = {p.key: _draw(p.results, p.chart, "png") for p in plots}
    if kind == ".md":
        names = {p.key: f"{output.stem}-{p.key}.png" for p in plots}
        for key, png in images.items():
            _write(output.with_name(names[key]), png)
        _write(output, markdown_report(results, assumptions, plots, names))
    else:
        _write(output, html_report(results, assumptions, plots, images))
