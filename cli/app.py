"""The ``budgetsim`` command: run, compare, validate and schema.

Commands are thin: load (budgetsim.cli.files), run (budgetsim.run), present
(budgetsim.cli.present). Bad input is a ScenarioError, printed once to stderr as
``FILE:LINE: key.path: message`` lines, exit code 2. Results go to stdout or, with
``--output``, to a file written atomically.
"""

from __future__ import annotations

import io
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from budgetsim import __version__
from budgetsim.cli import EXIT_BAD_INPUT as EXIT_BAD_INPUT
from budgetsim.cli import EXIT_CHECK_FAILED as EXIT_CHECK_FAILED
from budgetsim.cli.files import load_file, warn, write_atomic
from budgetsim.cli.present import (
    COMPARE_HEADERS,
    Format,
    compare_cells,
    compare_csv,
    compare_record,
    label_of,
    markdown_table,
    metric_csv,
    metric_rows,
    result_dict,
    rich_table,
    run_csv,
    run_markdown,
    run_rows,
    split_columns,
    summary_lines,
    to_json,
)
from budgetsim.errors import ScenarioError
from budgetsim.result import SERIES_UNITS, DivergenceError, Result, run
from budgetsim.scenario import Scenario

app = typer.Typer(
    name="budgetsim",
    help="What defence-spending promises cost, year by year, under tax freezes and fiscal rules.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    sys.stderr.write(message.rstrip("\n") + "\n")
    raise typer.Exit(code)


def _load(path: Path, overrides: list[str] | None = None) -> Scenario:
    """Load a scenario (bad input: exit 2) and print its warnings to stderr."""
    try:
        scenario = load_file(path, overrides or ())
    except ScenarioError as exc:
        _fail(str(exc))
    warn(scenario)
    return scenario


def _run_file(path: Path, overrides: list[str] | None = None) -> Result:
    scenario = _load(path, overrides)
    try:
        return run(scenario)
    except DivergenceError as exc:
        _fail(f"{path}: {exc}", EXIT_CHECK_FAILED)


def write_or_fail(path: Path, data: str | bytes) -> None:
    """Write a file atomically; if it cannot be written, one line and exit code 2."""
    try:
        write_atomic(path, data)
    except OSError as exc:
        _fail(f"{path}: cannot write: {exc.strerror or exc}")


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    write_or_fail(output, text)


Table = tuple[str, list[str], list[list[str]]]  # title, header, rows


def _render(
    title: str,
    header: list[str],
    rows: list[list[str]],
    notes: list[str],
    output: Path | None,
) -> None:
    """A table (split into blocks of columns on a narrow terminal) and notes under it.

    To a terminal: as wide as the terminal. To a pipe or a file: plain text, never cut.
    """
    _render_tables([(title, header, rows)], notes, output)


def _render_tables(tables: list[Table], notes: list[str], output: Path | None) -> None:
    """Several tables, one after the other, then the notes; as :func:`_render`."""
    from rich.console import Console

    if output is None and sys.stdout.isatty():
        console = Console()
    else:
        console = Console(record=True, width=1000, file=io.StringIO(), color_system=None)
    for title, header, rows in tables:
        blocks = split_columns(header, rows, console.width)
        for k, (head, body) in enumerate(blocks):
            suffix = f" [{k + 1}/{len(blocks)}]" if len(blocks) > 1 else ""
            console.print(rich_table(title + suffix, head, body))
    for note in notes:
        console.print(note, highlight=False, markup=False)
    if console.record:
        text = "\n".join(line.rstrip() for line in console.export_text().splitlines()) + "\n"
        _emit(text, output)


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


FileArg = Annotated[
    Path, typer.Argument(help="Scenario YAML file.", show_default=False, metavar="FILE")
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write to this file (atomically) instead of stdout.", metavar="PATH"
    ),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY.PATH=VALUE",
        help="Override a scenario key, e.g. --set defence.milestones='{2030: 3.5}'. Repeatable.",
        show_default=False,
    ),
]


@app.command("run")
def run_command(
    file: FileArg,
    format: FormatOpt = Format.table,
    output: OutputOpt = None,
    set_: SetOpt = None,
) -> None:
    """Run one scenario and show the year-by-year path, the funding and the fiscal rules."""
    result = _run_file(file, set_)
    if format is Format.json:
        _emit(to_json(result_dict(result)), output)
    elif format is Format.csv:
        _emit(run_csv(result), output)
    elif format is Format.markdown:
        _emit(run_markdown(result), output)
    else:
        _render(
            f"{result.title} ({result.unit})",
            ["", *result.year_labels],
            [[label, *cells] for label, cells in run_rows(result)],
            [f"  {line}" for line in summary_lines(result)],
            output,
        )


@app.command("compare")
def compare_command(
    files: Annotated[
        list[Path],
        typer.Argument(help="Scenario YAML files.", show_default=False, metavar="FILE"),
    ],
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
) -> None:
    """Set several scenarios side by side: one row each, in one year."""
    results = [_run_file(f) for f in files]
    if metric is not None:
        if metric not in SERIES_UNITS:
            _fail(f"--metric: unknown series {metric!r}; one of: {', '.join(SERIES_UNITS)}")
        if year is not None:
            _fail("--year: --metric shows every year; leave out one of the two")
        header, rows = metric_rows(results, metric)
        if format is Format.json:
            data = {
                "metric": metric,
                "scenarios": [
                    {
                        "scenario": r.title,
                        "source": r.source,
                        "unit": r.unit_of(metric),
                        "years": list(r.years),
                        "values": r.row(metric),
                    }
                    for r in results
                ],
            }
            _emit(to_json(data), output)
        elif format is Format.csv:
            _emit(metric_csv(results, metric), output)
        elif format is Format.markdown:
            _emit(markdown_table(header, rows), output)
        else:
            units = sorted({r.unit_of(metric) for r in results})
            _render(f"{metric} ({', '.join(units)})", header, rows, [], output)
        return
    common = set(results[0].years).intersection(*(r.years for r in results[1:]))
    if year is None:
        if not common:
            _fail("the scenarios share no projection year; give --year")
        year = max(common)
    elif year not in common:
        _fail(f"--year {year}: not a projection year of every scenario")
    records = [compare_record(r, year) for r in results]
    if format is Format.json:
        _emit(to_json({"year": year, "scenarios": records}), output)
    elif format is Format.csv:
        _emit(compare_csv(records), output)
    else:
        rows = [compare_cells(rec) for rec in records]
        label = label_of(results[0], year)
        if format is Format.markdown:
            _emit(f"Compared in {label}.\n\n" + markdown_table(COMPARE_HEADERS, rows), output)
        else:
            _render(f"Compared in {label}", list(COMPARE_HEADERS), rows, [], output)


@app.command("validate")
def validate_command(
    files: Annotated[
        list[Path],
        typer.Argument(help="Scenario YAML files.", show_default=False, metavar="FILE"),
    ],
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
            warn(scenario)
            sys.stdout.write(f"{f}: OK\n")
    if bad:
        raise typer.Exit(EXIT_BAD_INPUT)


class SchemaFormat(StrEnum):
    json = "json"
    markdown = "markdown"


@app.command("schema")
def schema_command(
    format: Annotated[
        SchemaFormat, typer.Option("--format", "-f", help="json: JSON Schema; markdown: docs.")
    ] = SchemaFormat.json,
    output: OutputOpt = None,
) -> None:
    """Print the JSON Schema of a scenario file (or the parameter reference as Markdown)."""
    from budgetsim.registry import json_schema, markdown_reference

    if format is SchemaFormat.markdown:
        _emit(markdown_reference(), output)
    else:
        _emit(to_json(json_schema()), output)


# The solver commands live in their own module; importing it registers them.
from budgetsim.cli import solve_cmd as _solve_cmd  # noqa: E402, F401

# fan, stress and calibrate live in their own module (docs/uncertainty.md).
from budgetsim.cli import uncertainty_cmd  # noqa: E402

uncertainty_cmd.register(app)

# `plot` and `report` live in their own module, which adds them to `app` when imported.
from budgetsim.cli import plot_cmd as _plot_cmd  # noqa: E402, F401

# check lives in its own module (docs/cli.md#budgetsim-check).
from budgetsim.cli.check_cmd import check_command  # noqa: E402

app.command("check")(check_command)
