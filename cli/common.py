"""What every command shares: failing with one line, loading and running a scenario,
emitting a Document (to stdout or atomically to a file), and the options several commands
take.

The command modules and :mod:`budgetsim.cli.app` all import from here, and app registers
the commands; so no command module imports app.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from budgetsim.cli import EXIT_BAD_INPUT, EXIT_CHECK_FAILED
from budgetsim.cli.files import warn, write_atomic
from budgetsim.cli.present.emit import Document, Format, print_document, render_text
from budgetsim.errors import ScenarioError
from budgetsim.input.files import load_with_spec
from budgetsim.input.loader import Loaded
from budgetsim.model.guard import DivergenceError
from budgetsim.model.result import Result, run
from budgetsim.model.scenario import Scenario


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """One line on stderr, then exit with ``code`` (bad input by default).

    Parameters
    ----------
    message : str
        The line to print (a trailing newline is not doubled).
    code : int
        The exit code (:data:`~budgetsim.cli.EXIT_BAD_INPUT` by default).

    Raises
    ------
    typer.Exit
        Always, with ``code``.
    """
    sys.stderr.write(message.rstrip("\n") + "\n")
    raise typer.Exit(code)


def loaded_or_fail(
    path: Path,
    overrides: list[str] | None = None,
    texts: dict[str, str] | None = None,
    quiet: bool = False,
) -> Loaded:
    """Load a scenario with its validated file (bad input: exit 2) and print its warnings to
    stderr. ``texts``: as for :func:`budgetsim.input.files.load_file`.

    Parameters
    ----------
    path : Path
        The scenario file.
    overrides : list of str, optional
        ``--set`` assignments, ``key.path=value``.
    texts : dict of str to str, optional
        The files' texts by name, read only if not there already; added to.
    quiet : bool
        Print no warnings (``--quiet``).

    Returns
    -------
    Loaded
        The validated spec and the Scenario.

    Raises
    ------
    typer.Exit
        Exit code 2 after printing the problems, for bad input.
    """
    try:
        loaded = load_with_spec(path, overrides or (), texts)
    except ScenarioError as exc:
        fail(str(exc))
    if not quiet:
        warn(loaded.scenario)
    return loaded


def load_or_fail(
    path: Path,
    overrides: list[str] | None = None,
    texts: dict[str, str] | None = None,
    quiet: bool = False,
) -> Scenario:
    """Load a scenario (bad input: exit 2) and print its warnings to stderr.

    Parameters
    ----------
    path : Path
        The scenario file.
    overrides : list of str, optional
        ``--set`` assignments, ``key.path=value``.
    texts : dict of str to str, optional
        The files' texts by name, as for :func:`loaded_or_fail`.
    quiet : bool
        Print no warnings (``--quiet``).

    Returns
    -------
    Scenario

    Raises
    ------
    typer.Exit
        Exit code 2 after printing the problems, for bad input.
    """
    return loaded_or_fail(path, overrides, texts, quiet).scenario


def run_or_fail(
    path: Path,
    overrides: list[str] | None = None,
    texts: dict[str, str] | None = None,
    quiet: bool = False,
) -> Result:
    """Load and run a scenario; a divergent run is exit 1.

    Parameters
    ----------
    path : Path
        The scenario file.
    overrides : list of str, optional
        ``--set`` assignments, ``key.path=value``.
    texts : dict of str to str, optional
        The files' texts by name, as for :func:`loaded_or_fail`.
    quiet : bool
        Print no warnings (``--quiet``).

    Returns
    -------
    Result
        The run, in output units.

    Raises
    ------
    typer.Exit
        Exit code 2 for bad input, 1 for a run that diverges.
    """
    scenario = load_or_fail(path, overrides, texts, quiet)
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


def emit_text(text: str, output: Path | None) -> None:
    """Text to stdout, or to the ``--output`` file."""
    if output is None:
        sys.stdout.write(text)
        return
    write_or_fail(output, text)


def emit(doc: Document, fmt: Format, output: Path | None) -> None:
    """A command's Document in the format asked for: to a terminal as wide as it is, to a
    pipe or a file as plain text, never cut.

    Parameters
    ----------
    doc : Document
        What the command prints.
    fmt : Format
        The ``--format`` asked for.
    output : Path or None
        The ``--output`` file, written atomically; None: stdout.

    Raises
    ------
    typer.Exit
        Exit code 2 when ``output`` cannot be written.
    """
    if fmt is Format.table and output is None and sys.stdout.isatty():
        from rich.console import Console

        print_document(doc, Console())
        return
    emit_text(render_text(doc, fmt), output)


# readable=False: the loader says "permission denied" in one line itself, where the parser
# would print a box of several.
FileArg = Annotated[
    Path,
    typer.Argument(help="Scenario YAML file.", show_default=False, metavar="FILE", readable=False),
]
FilesArg = Annotated[
    list[Path],
    typer.Argument(help="Scenario YAML files.", show_default=False, metavar="FILE", readable=False),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write to this file (atomically) instead of stdout.", metavar="PATH"
    ),
]
QuietOpt = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help="Print no warnings about implausible values (errors are still printed).",
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
