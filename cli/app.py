"""The ``budgetsim`` command: run, compare, validate and schema here, and every command
registered on :data:`app` (the others live in modules of their own).

Commands are thin: load (budgetsim.cli.files), run (budgetsim.run), present
(budgetsim.cli.present.tables); what they share is in budgetsim.cli.common. Bad input is a
ScenarioError, printed once to stderr as ``FILE:LINE: key.path: message`` lines, exit code
2. Results go to stdout or, with ``--output``, to a file written atomically.
"""

from __future__ import annotations

import re
import sys
import warnings
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from budgetsim import __version__
from budgetsim.cli import EXIT_BAD_INPUT
from budgetsim.cli.check_cmd import check_command
from budgetsim.cli.common import (
    FileArg,
    FilesArg,
    FormatOpt,
    OutputOpt,
    QuietOpt,
    RawOpt,
    SetOpt,
    Style,
    UnitsOpt,
    emit,
    emit_text,
    fail,
    new_command,
    run_or_fail,
)
from budgetsim.cli.examples_cmd import examples_command
from budgetsim.cli.files import warn
from budgetsim.cli.plot_cmd import plot_command, report_command
from budgetsim.cli.present.emit import Format, plain, plain_lines, to_json
from budgetsim.cli.present.tables import (
    common_year,
    compare_document,
    metric_document,
    run_document,
)
from budgetsim.cli.serve_cmd import serve_command
from budgetsim.cli.solve_cmd import frontier_command, solve_command
from budgetsim.cli.sweep_cmd import sensitivity_command, sweep_command
from budgetsim.cli.uncertainty_cmd import calibrate_command, fan_command, stress_command
from budgetsim.errors import ScenarioError
from budgetsim.input.files import load_file
from budgetsim.model.result import SERIES_UNITS


def usage_line(exc: Any) -> str:
    """A usage error (an unknown option, a value of the wrong type, a missing argument) as
    the one line every other error is: ``budgetsim CMD: message; see budgetsim CMD -h``.

    Parameters
    ----------
    exc : click.UsageError
        The parser's error (typer's copy of click's; only its message and context are read).

    Returns
    -------
    str
    """
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "budgetsim"
    message = " ".join(str(exc.format_message()).split()).rstrip(".")
    message = re.sub(r"(: )?Value error, ", r"\1", message)
    return f"{where}: {message}; see '{where} -h'"


def warning_line(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """A Python warning (numpy's "overflow encountered", say) as one line on stderr, not
    the two lines with the source it is shown as by default.

    Parameters
    ----------
    message, category, filename, lineno, file, line
        As for :func:`warnings.showwarning`.
    """
    where = f"{category.__name__} in {Path(filename).name}:{lineno}"
    sys.stderr.write(plain(" ".join(f"warning: {message} ({where})".split())) + "\n")


class OneLineGroup(TyperGroup):
    """The command group with usage errors on one line, as every other error (not the
    parser's framed box of several lines), and every warning on one line."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; a usage error is one line on stderr and exit code 2.

        Parameters
        ----------
        args, prog_name, complete_var, standalone_mode, extra
            As for click's ``Command.main``.

        Returns
        -------
        object
            Only with ``standalone_mode=False``; else the process exits.
        """
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            with warnings.catch_warnings():
                warnings.showwarning = warning_line
                code = super().main(args, prog_name, complete_var, False, **extra)
        except Exception as caught:
            exc: Any = caught
            if not (hasattr(exc, "format_message") and hasattr(exc, "exit_code")):
                if type(exc).__name__ == "Abort":
                    sys.stderr.write("Aborted.\n")
                    sys.exit(1)
                raise
            if type(exc).__name__ == "NoArgsIsHelpError":  # `budgetsim` alone: the help
                exc.show()
            else:
                sys.stderr.write(usage_line(exc) + "\n")
            sys.exit(exc.exit_code)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    name="budgetsim",
    cls=OneLineGroup,
    help="What defence-spending promises cost, year by year, under tax freezes and fiscal rules.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    add_completion=True,
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
    new_command()


def run_command(
    file: FileArg,
    format: FormatOpt = Format.table,
    output: OutputOpt = None,
    set_: SetOpt = None,
    raw: RawOpt = False,
    units: UnitsOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Run one scenario and show the year-by-year path, the funding and the fiscal rules."""
    emit(run_document(run_or_fail(file, set_, quiet=quiet)), Style(format, output, raw, units))


#: Words in a value's comment that mark it as not a sourced figure.
ASSUMED = re.compile(r"\b(assumption|assumed|placeholder|approximation)\b", re.IGNORECASE)


def assumed_keys(files: Sequence[Path], texts: dict[str, str]) -> dict[str, list[str]]:
    """Which figures each file's comments mark as an assumption, an approximation or a
    placeholder: key path -> the files (stems) that do, in the order given.

    Parameters
    ----------
    files : sequence of Path
        The scenario files (already read and run: their texts are in ``texts``).
    texts : dict of str to str
        The files' texts by name, so none is read again.

    Returns
    -------
    dict of str to list of str
    """
    from budgetsim.input.assumptions import assumptions_of

    out: dict[str, list[str]] = {}
    for f in files:
        try:
            rows = assumptions_of(f, texts).rows
        except ScenarioError:  # pragma: no cover - the file was just read and run
            continue
        for row in rows:
            if ASSUMED.search(row.source):
                out.setdefault(row.key, []).append(f.stem)
    return out


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
    baseline: Annotated[
        Path | None,
        typer.Option(
            help="Show the others' differences from this scenario (shown first).",
            metavar="FILE",
            readable=False,
        ),
    ] = None,
    format: FormatOpt = Format.table,
    output: OutputOpt = None,
    raw: RawOpt = False,
    units: UnitsOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Set several scenarios side by side: one row each, in one year, the baseline first."""
    style = Style(format, output, raw, units)
    if baseline is not None and metric is not None:
        fail("--baseline: --metric shows every scenario's series; leave out one of the two")
    paths = list(files)
    base_index = None
    if baseline is not None:
        same = [k for k, f in enumerate(paths) if f == baseline]
        if not same:
            paths.insert(0, baseline)
        base_index = same[0] if same else 0
    texts: dict[str, str] = {}
    results = [run_or_fail(f, texts=texts, quiet=quiet) for f in paths]
    if metric is not None:
        if metric not in SERIES_UNITS:
            fail(f"--metric: unknown series {metric!r}; one of: {', '.join(SERIES_UNITS)}")
        if year is not None:
            fail("--year: --metric shows every year; leave out one of the two")
        emit(metric_document(results, metric), style)
        return
    if base_index is not None:
        base = results[base_index]
        other = next((r for r in results if r.unit != base.unit), None)
        if other is not None:
            fail(
                f"--baseline: {baseline} is in {base.unit} and {other.source} in {other.unit}; "
                "differences need one currency (compare them without --baseline)"
            )
    if year is None:
        year = common_year(results)
        if year is None:
            fail("the scenarios share no projection year; give --year")
    elif not all(year in r.years for r in results):
        fail(f"--year {year}: not a projection year of every scenario")
    assumed = assumed_keys(paths, texts)
    emit(compare_document(results, year, base_index, assumed), style)


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
            sys.stderr.write(f"{plain_lines(str(exc))}\n")
        else:
            if not quiet:
                warn(scenario)
            sys.stdout.write(f"{plain(str(f))}: OK\n")
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
app.command("sweep")(sweep_command)  # docs/sweeps.md
app.command("sensitivity")(sensitivity_command)
app.command("plot")(plot_command)  # docs/charts.md
app.command("report")(report_command)  # docs/report.md
app.command("check")(check_command)  # docs/cli.md#budgetsim-check
app.command("examples")(examples_command)
app.command("serve")(serve_command)  # docs/api-web.md
