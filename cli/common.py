"""What every command shares: failing with one line, loading and running a scenario,
emitting a Document (to stdout or atomically to a file), and the options several commands
take.

The command modules and :mod:`budgetsim.cli.app` all import from here, and app registers
the commands; so no command module imports app.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from budgetsim.cli import EXIT_BAD_INPUT, EXIT_CHECK_FAILED
from budgetsim.cli.files import OutputRefused, commit, warn
from budgetsim.cli.present.emit import (
    BINARY,
    Document,
    Format,
    FormatError,
    plain_lines,
    print_document,
    render,
)
from budgetsim.errors import ScenarioError
from budgetsim.input.files import load_with_spec
from budgetsim.input.loader import Loaded
from budgetsim.model.guard import DivergenceError
from budgetsim.model.result import Result, run
from budgetsim.model.scenario import Scenario


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """One line on stderr (control characters in it shown escaped), then exit with ``code``
    (bad input by default).

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
    sys.stderr.write(plain_lines(message.rstrip("\n")) + "\n")
    raise typer.Exit(code)


#: The files the running command has read; emptied as each command starts
#: (:func:`budgetsim.cli.app.main_callback`), so tests that run many commands in one
#: process start each with none.
_INPUTS: set[Path] = set()


def add_inputs(paths: Iterable[str | Path]) -> None:
    """Note files the running command read, so that no output overwrites one of them.

    Parameters
    ----------
    paths : iterable of str or Path
        Files read: scenarios, their ``extends`` parents, a history CSV.
    """
    _INPUTS.update(Path(p) for p in paths)


def command_inputs() -> set[Path]:
    """The files the running command has read (:func:`add_inputs`)."""
    return set(_INPUTS)


def new_command() -> None:
    """Forget the inputs of an earlier command (called as each command starts)."""
    _INPUTS.clear()


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
    texts = {} if texts is None else texts
    try:
        loaded = load_with_spec(path, overrides or (), texts)
    except ScenarioError as exc:
        fail(str(exc))
    finally:
        add_inputs(texts)
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


class Outputs:
    """Everything a command writes, produced first and then written together.

    Files are added with :meth:`file` (or through :meth:`document` and :meth:`text` with an
    ``--output``); what goes to stdout is kept too. :meth:`commit` checks every path, writes
    every file (:func:`budgetsim.cli.files.commit`: all or none) and only then prints to
    stdout; a command that fails before committing has written nothing.
    """

    def __init__(self) -> None:
        self._files: list[tuple[Path, bytes]] = []
        self._stdout: list[str | bytes | Document] = []

    def file(self, path: Path, data: str | bytes) -> None:
        """Add a file to write: text (as UTF-8) or bytes."""
        self._files.append((path, data.encode("utf-8") if isinstance(data, str) else data))

    def text(self, text: str | bytes, output: Path | None) -> None:
        """Text (or bytes) for stdout, or for the ``--output`` file."""
        if output is None:
            self._stdout.append(text)
        else:
            self.file(output, text)

    def document(self, doc: Document, style: Style) -> None:
        """A command's Document in the style asked for (:class:`Style`): to a terminal as
        wide as it is, to a pipe or a file as plain text, never cut.

        Parameters
        ----------
        doc : Document
            What the command prints.
        style : Style
            ``--format``, ``--output``, ``--raw``, ``--units``.

        Raises
        ------
        typer.Exit
            Exit code 2 for a workbook asked for on a terminal or without openpyxl.
        """
        fmt = style.format
        if fmt is Format.table and style.output is None and sys.stdout.isatty():
            self._stdout.append(doc)
            return
        if fmt in BINARY and style.output is None and sys.stdout.isatty():
            fail(f"--format {fmt.value}: a workbook is not text; give -o FILE.{fmt.value}")
        try:
            self.text(render(doc, fmt, style.raw, style.units), style.output)
        except FormatError as exc:
            fail(str(exc))

    def commit(self) -> None:
        """Write every file (or none: one line and exit code 2), then print to stdout.

        Raises
        ------
        typer.Exit
            Exit code 2 when an output cannot or may not be written.
        """
        try:
            commit(self._files, command_inputs())
        except OutputRefused as exc:
            fail(str(exc))
        for item in self._stdout:
            if isinstance(item, Document):
                from rich.console import Console

                print_document(item, Console())
            elif isinstance(item, bytes):
                sys.stdout.flush()
                sys.stdout.buffer.write(item)
            else:
                sys.stdout.write(item)


@dataclass(frozen=True)
class Style:
    """How a command's results are written: the options every results command takes.

    Attributes
    ----------
    format : Format
        ``--format``.
    output : Path or None
        ``--output``; None: stdout.
    raw : bool
        ``--raw``: CSV and xlsx numbers in full precision.
    units : bool
        ``--units``: a units row under the CSV header.
    verbose : bool
        ``--verbose``: also the solver's workings, rows that repeat others, tests not run.
    """

    format: Format = Format.table
    output: Path | None = None
    raw: bool = False
    units: bool = False
    verbose: bool = False


def write_or_fail(path: Path, data: str | bytes) -> None:
    """Write one file (:class:`Outputs`); if it cannot be written, one line and exit 2."""
    out = Outputs()
    out.file(path, data)
    out.commit()


def emit_text(text: str, output: Path | None) -> None:
    """Text to stdout, or to the ``--output`` file."""
    out = Outputs()
    out.text(text, output)
    out.commit()


def emit(doc: Document, style: Style) -> None:
    """A command's Document in the style asked for, to stdout or the ``--output`` file.

    Parameters
    ----------
    doc : Document
        What the command prints.
    style : Style
        The format and output options.

    Raises
    ------
    typer.Exit
        Exit code 2 when the output cannot be written.
    """
    out = Outputs()
    out.document(doc, style)
    out.commit()


# readable=False: an unreadable file is reported by the loader, in its one-line form.
FileArg = Annotated[
    Path,
    typer.Argument(help="Scenario YAML file.", show_default=False, metavar="FILE", readable=False),
]
FilesArg = Annotated[
    list[Path],
    typer.Argument(help="Scenario YAML files.", show_default=False, metavar="FILE", readable=False),
]
FormatOpt = Annotated[
    Format,
    typer.Option("--format", "-f", help="Output format (xlsx: needs budgetsim[xlsx], and -o)."),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write to this file (atomically) instead of stdout.", metavar="PATH"
    ),
]
RawOpt = Annotated[
    bool, typer.Option("--raw", help="CSV and xlsx: every digit, not rounded to the unit.")
]
UnitsOpt = Annotated[
    bool, typer.Option("--units", help="CSV: a second row with each column's unit.")
]
VerboseOpt = Annotated[
    bool,
    typer.Option(
        "--verbose", "-v", help="Also the solver's workings, repeated rows and tests not run."
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
