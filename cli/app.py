"""The ``budgetsim`` command: run, compare, validate and schema here, and every command
registered on :data:`app` (the others live in modules of their own).

Commands are thin: load (budgetsim.cli.files), run (budgetsim.run), present
(budgetsim.cli.present.tables); what they share is in budgetsim.cli.common. Bad input is a
ScenarioError, printed once to stderr as ``FILE:LINE: key.path: message`` lines, exit code
2. Results go to stdout or, with ``--output``, to a file written atomically.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from budgetsim import __version__
from budgetsim.cli import EXIT_BAD_INPUT
from budgetsim.cli.check_cmd import check_command
from budgetsim.cli.common import (
    FileArg,
    FilesArg,
    FormatOpt,
    OutputOpt,
    QuietOpt,
    SetOpt,
    emit,
    emit_text,
    fail,
    run_or_fail,
)
from budgetsim.cli.files import warn
from budgetsim.cli.plot_cmd import plot_command, report_command
from budgetsim.cli.present.emit import Format, to_json
from budgetsim.cli.present.tables import (
    common_year,
    compare_document,
    metric_document,
    run_document,
)
from budgetsim.cli.solve_cmd import frontier_command, solve_command
from budgetsim.cli.uncertainty_cmd import calibrate_command, fan_command, stress_command
from budgetsim.errors import ScenarioError
from budgetsim.input.files import load_file
from budgetsim.model.result import SERIES_UNITS

app = typer.Typer(
    name="budgetsim",
    help="What defence-spending promises cost, year by year, under tax freezes and fiscal rules.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"budgetsim {__version__}\n")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """What defence-spending promises cost, year by year, under tax freezes and fiscal rules."""


def run_command(
    file: FileArg,
    format: FormatOpt = Format.table,
    output: OutputOpt = None,
    set_: SetOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Run one scenario and show the year-by-year path, the funding and the fiscal rules."""
    emit(run_document(run_or_fail(file, set_, quiet=quiet)), format, output)


def compare_command(
    files: FilesArg,
    year: Annotated[
        int | None,
        typer.Option(
            help="Year to compare (default: the last year every scenario reaches).",
            metavar="YEAR",
        ),
    ] = None,
    metric: Annotated[
        str | None,
        typer.Option(
            help="Show this one series for every year instead, scenarios across.",
            metavar="SERIES",
        ),
    ] = None,
    format: FormatOpt = Format.table,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Set several scenarios side by side: one row each, in one year."""
    results = [run_or_fail(f, quiet=quiet) for f in files]
    if metric is not None:
        if metric not in SERIES_UNITS:
            fail(f"--metric: unknown series {metric!r}; one of: {', '.join(SERIES_UNITS)}")
        if year is not None:
            fail("--year: --metric shows every year; leave out one of the two")
        emit(metric_document(results, metric), format, output)
        return
    if year is None:
        year = common_year(results)
        if year is None:
            fail("the scenarios share no projection year; give --year")
    elif not all(year in r.years for r in results):
        fail(f"--year {year}: not a projection year of every scenario")
    emit(compare_document(results, year), format, output)


def validate_command(
    files: FilesArg,
    quiet: QuietOpt = False,
) -> None:
    """Check scenario files; print OK or every problem, one line each."""
    bad = False
    for f in files:
        try:
            scenario = load_file(f)
        except ScenarioError as exc:
            bad = True
            sys.stderr.write(f"{exc}\n")
        else:
            if not quiet:
                warn(scenario)
            sys.stdout.write(f"{f}: OK\n")
    if bad:
        raise typer.Exit(EXIT_BAD_INPUT)


class SchemaFormat(StrEnum):
    """The formats of ``budgetsim schema``: JSON Schema, or the Markdown parameter reference."""

    json = "json"
    markdown = "markdown"


def schema_command(
    format: Annotated[
        SchemaFormat, typer.Option("--format", "-f", help="json: JSON Schema; markdown: docs.")
    ] = SchemaFormat.json,
    output: OutputOpt = None,
) -> None:
    """Print the JSON Schema of a scenario file (or the parameter reference as Markdown)."""
    from budgetsim.input.reference import json_schema, markdown_reference

    if format is SchemaFormat.markdown:
        emit_text(markdown_reference(), output)
    else:
        emit_text(to_json(json_schema()), output)


# Every command is a plain function, most in a module of its own; they are registered
# here, in the order `budgetsim --help` lists them.
app.command("run")(run_command)
app.command("compare")(compare_command)
app.command("validate")(validate_command)
app.command("schema")(schema_command)
app.command("solve")(solve_command)  # docs/solving.md
app.command("frontier")(frontier_command)
app.command("fan")(fan_command)  # docs/uncertainty.md
app.command("stress")(stress_command)
app.command("calibrate")(calibrate_command)
app.command("plot")(plot_command)  # docs/charts.md
app.command("report")(report_command)  # docs/report.md
app.command("check")(check_command)  # docs/cli.md#budgetsim-check
