"""What every command shares: failing with one line, loading and running a scenario,
writing output (to stdout or atomically to a file), rendering tables, and the options
several commands take.

The command modules and :mod:`budgetsim.cli.app` all import from here, and app registers
the commands; so no command module imports app.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from budgetsim.cli import EXIT_BAD_INPUT, EXIT_CHECK_FAILED
from budgetsim.cli.files import warn, write_atomic
from budgetsim.cli.present.tables import Format, rich_table, split_columns
from budgetsim.errors import ScenarioError
from budgetsim.input.files import load_with_spec
from budgetsim.input.loader import Loaded
from budgetsim.model.guard import DivergenceError
from budgetsim.model.result import Result, run
from budgetsim.model.scenario import Scenario


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """One line on stderr, then exit with ``code`` (bad input by default)."""
    sys.stderr.write(message.rstrip("\n") + "\n")
    raise typer.Exit(code)


def loaded_or_fail(
    path: Path, overrides: list[str] | None = None, texts: dict[str, str] | None = None
) -> Loaded:
    """Load a scenario with its validated file (bad input: exit 2) and print its warnings to
    stderr. ``texts``: as for :func:`budgetsim.input.files.load_file`."""
    try:
        loaded = load_with_spec(path, overrides or (), texts)
    except ScenarioError as exc:
        fail(str(exc))
    warn(loaded.scenario)
    return loaded


def load_or_fail(
    path: Path, overrides: list[str] | None = None, texts: dict[str, str] | None = None
) -> Scenario:
    """Load a scenario (bad input: exit 2) and print its warnings to stderr."""
    return loaded_or_fail(path, overrides, texts).scenario


def run_or_fail(
    path: Path, overrides: list[str] | None = None, texts: dict[str, str] | None = None
) -> Result:
    """Load and run a scenario; a divergent run is exit 1."""
    scenario = load_or_fail(path, overrides, texts)
    try:
        return run(scenario)
    except DivergenceError as exc:
        fail(f"{path}: {exc}", EXIT_CHECK_FAILED)


def write_or_fail(path: Path, data: str | bytes) -> None:
    """Write a file atomically; if it cannot be written, one line and exit code 2."""
    try:
        write_atomic(path, data)
    except OSError as exc:
        fail(f"{path}: cannot write: {exc.strerror or exc}")


def emit(text: str, output: Path | None) -> None:
    """Text to stdout, or to the ``--output`` file."""
    if output is None:
        sys.stdout.write(text)
        return
    write_or_fail(output, text)


Table = tuple[str, list[str], list[list[str]]]  # title, header, rows


def render(
    title: str,
    header: list[str],
    rows: list[list[str]],
    notes: list[str],
    output: Path | None,
) -> None:
    """A table (split into blocks of columns on a narrow terminal) and notes under it.

    To a terminal: as wide as the terminal. To a pipe or a file: plain text, never cut.
    """
    render_tables([(title, header, rows)], notes, output)


def render_tables(tables: list[Table], notes: list[str], output: Path | None) -> None:
    """Several tables, one after the other, then the notes; as :func:`render`."""
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
        emit(text, output)


FileArg = Annotated[
    Path, typer.Argument(help="Scenario YAML file.", show_default=False, metavar="FILE")
]
FilesArg = Annotated[
    list[Path],
    typer.Argument(help="Scenario YAML files.", show_default=False, metavar="FILE"),
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
