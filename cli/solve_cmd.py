"""``budgetsim solve`` and ``budgetsim frontier``: what is affordable under the rules.

Thin like the other commands: load, solve (budgetsim.solve.search, which imports scipy only when
a linear programme is needed), present with the presenters ``run`` uses. An answer that no
path passes is an answer: one line on stderr, exit code 1. A question the scenario cannot
answer (a tax rise under the tax freeze, say) is bad input: exit code 2.
"""

from __future__ import annotations

import math
import re
import shlex
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from budgetsim.cli import EXIT_CHECK_FAILED
from budgetsim.cli.common import (
    FileArg,
    FormatOpt,
    OutputOpt,
    Outputs,
    QuietOpt,
    RawOpt,
    SetOpt,
    Style,
    UnitsOpt,
    VerboseOpt,
    emit,
    fail,
    load_or_fail,
    loaded_or_fail,
)
from budgetsim.cli.present.emit import Format, plain, to_json
from budgetsim.cli.present.solve import frontier_document, solution_document
from budgetsim.errors import ScenarioError
from budgetsim.model.guard import DivergenceError

if TYPE_CHECKING:
    from budgetsim.input.loader import Loaded
    from budgetsim.model.scenario import Scenario
    from budgetsim.solve.checks import Solution
    from budgetsim.solve.frontier import Frontier


class Goal(StrEnum):
    """What ``budgetsim solve --for`` solves for: one solver each."""

    max_share = "max-share"
    earliest_year = "earliest-year"
    min_cuts = "min-cuts"
    tax_rise = "tax-rise"


def solve_command(
    file: FileArg,
    goal: Annotated[
        Goal,
        typer.Option(
            "--for",
            help="max-share: highest share by the target year; earliest-year: first year the "
            "target share passes; min-cuts: least cuts; tax-rise: least tax rise.",
            show_default=False,
        ),
    ],
    year: Annotated[
        int | None,
        typer.Option(
            help="Target year (default: the last milestone, else the last rule year).",
            metavar="YEAR",
        ),
    ] = None,
    share: Annotated[
        float | None,
        typer.Option(
            help="Target share, % of GDP (earliest-year; min-cuts and tax-rise reach it in "
            "--year). Default: the scenario's last milestone.",
            metavar="PCT",
        ),
    ] = None,
    discount: Annotated[
        float,
        typer.Option(help="Discount rate, % a year, for the total min-cuts/tax-rise minimise."),
    ] = 0.0,
    write_scenario: Annotated[
        Path | None,
        typer.Option(
            "--write-scenario",
            help="Write the solved scenario as YAML (atomically); `budgetsim run` on it "
            "reproduces the answer.",
            metavar="PATH",
        ),
    ] = None,
    format: FormatOpt = Format.table,
    output: OutputOpt = None,
    set_: SetOpt = None,
    raw: RawOpt = False,
    units: UnitsOpt = False,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Solve for what is affordable: the answer, the binding rule and the solved path."""
    from budgetsim.solve import (
        solve_earliest_year,
        solve_max_share,
        solve_min_cuts,
        solve_tax_rise,
    )
    from budgetsim.solve.checks import SolveError

    loaded = loaded_or_fail(file, set_, quiet=quiet)
    scn = loaded.scenario
    try:
        if goal is Goal.max_share:
            if share is not None:
                fail("--share: max-share finds the share; give --year only")
            sol = solve_max_share(scn, year)
        elif goal is Goal.earliest_year:
            if year is not None:
                fail("--year: earliest-year finds the year; give --share only")
            sol = solve_earliest_year(scn, share)
        else:
            solver = solve_min_cuts if goal is Goal.min_cuts else solve_tax_rise
            sol = solver(scn, year, share, discount)
    except SolveError as exc:
        fail(f"{file}: {exc}")
    except ScenarioError as exc:
        fail(str(exc))  # it names its source already
    except DivergenceError as exc:
        fail(f"{file}: {exc}", EXIT_CHECK_FAILED)  # as run, fan and stress do
    style = Style(format, output, raw, units, verbose)
    out = Outputs()
    if not sol.feasible or sol.result is None or sol.scenario is None:
        if format is Format.json:
            out.text(to_json({"solution": sol.to_dict()}), output)
            out.commit()
        fail(f"{file}: {sol.message}", EXIT_CHECK_FAILED)
    if write_scenario is not None:
        command = solve_command_line(file, goal, year, share, discount, set_)
        out.file(write_scenario, solved_yaml(loaded, sol, command))
    # Every output is produced before any is written: a -o that cannot be written leaves
    # the --write-scenario file as it was, and the other way round.
    out.document(solution_document(sol, sol.result, goal.value, verbose), style)
    out.commit()


def solve_command_line(
    file: Path,
    goal: Goal,
    year: int | None,
    share: float | None,
    discount: float,
    overrides: list[str] | None,
) -> str:
    """The ``budgetsim solve`` command that gives this answer, with every option that
    changes it, quoted for a POSIX shell.

    Parameters
    ----------
    file : Path
        The scenario solved.
    goal : Goal
        ``--for``.
    year : int or None
        ``--year``, if given.
    share : float or None
        ``--share``, if given.
    discount : float
        ``--discount``, % a year (left out at 0).
    overrides : list of str or None
        ``--set`` assignments, in order.

    Returns
    -------
    str
    """
    parts = ["budgetsim", "solve", str(file), "--for", goal.value]
    if year is not None:
        parts += ["--year", str(year)]
    if share is not None:
        parts += ["--share", f"{share:g}"]
    if discount:
        parts += ["--discount", f"{discount:g}"]
    for assignment in overrides or ():
        parts += ["--set", assignment]
    return " ".join(shlex.quote(plain(p)) for p in parts)


def _share(pct: float) -> str:
    """A share of GDP to four decimals at most, without trailing zeros: 2.6, 2.5313."""
    return f"{pct:.4f}".rstrip("0").rstrip(".")


def answer_phrase(sol: Solution) -> str:
    """The answer in a few words, for a title: ``2.53 % of GDP in 2029-30``, ``least cuts
    2.4 GBP bn for 2.6 % of GDP in 2029-30``.

    Parameters
    ----------
    sol : Solution
        A feasible answer (with its run).

    Returns
    -------
    str
    """
    assert sol.result is not None and sol.answer is not None
    where = ""
    if sol.target is not None:
        year, pct = sol.target
        where = f"{_share(pct)} % of GDP in {sol.result.label(year)}"
    if sol.kind == "max-share":
        return where
    if sol.kind == "earliest-year":
        share = _share(sol.target[1]) if sol.target is not None else "the target"
        return f"{share} % of GDP from {sol.result.label(int(sol.answer))}"
    noun = "least cuts" if sol.kind == "min-cuts" else "least tax rise"
    return f"{noun} {sol.answer:,.1f} {sol.unit}" + (f" for {where}" if where else "")


def solved_yaml(loaded: Loaded, sol: Solution, command: str) -> str:
    """The solved scenario as a YAML file that says what it is: its title and description
    are the solution's (the solved file's own may no longer hold, "3 % by 2030-31" or
    "taxes are frozen"), and the comment it opens with gives the full command, so the file
    can be made again.

    Parameters
    ----------
    loaded : Loaded
        The scenario solved, as validated (after ``--set``).
    sol : Solution
        A feasible answer.
    command : str
        :func:`solve_command_line`.

    Returns
    -------
    str
        YAML text.
    """
    from budgetsim.input.edit import solved_spec, to_yaml

    assert sol.scenario is not None and sol.result is not None
    spec = solved_spec(loaded.spec, sol.scenario, sol.target)
    source = loaded.scenario.source
    title = f"{Path(source).stem} solved for {sol.kind}: {answer_phrase(sol)}"
    changed = []
    if sol.target is not None:
        year, pct = sol.target
        changed.append(
            f"the target is {_share(pct)} % of GDP in {sol.result.label(year)} (the last "
            "milestone replaced; earlier ones kept)"
        )
    for name, values in sol.amounts.items():
        total = math.fsum(values)
        changed.append(f"{name} gives the solved amount each year ({total:,.1f} {sol.unit} in all)")
    description = (
        f"Written by `{command}`. {sol.message[0].upper()}{sol.message[1:]}. "
        + ("Changed from the file solved: " + "; ".join(changed) + ". " if changed else "")
        + f"Everything else is as in {source} (whose title was: {loaded.scenario.title})."
    )
    meta = spec.meta.model_copy(update={"title": title, "description": description})
    spec = spec.model_copy(update={"meta": meta})
    header = [
        f"Solved by: {command}",
        f"Answer: {sol.message}",
        f"From: {source}. Every figure is copied from it (see it for sources), except the",
        "solved ones named in meta.description.",
    ]
    return to_yaml(spec, header)


def _numbers(text: str, what: str) -> list[float]:
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        fail(f"--{what}: {text!r} is not a comma-separated list of numbers")
    if not all(math.isfinite(v) for v in values):
        fail(f"--{what}: {text!r}: every value must be a finite number")
    return values


def _years(text: str) -> list[int]:
    m = re.fullmatch(r"\s*(\d{4})\s*\.\.\s*(\d{4})\s*", text)
    if m:
        first, last = int(m.group(1)), int(m.group(2))
        if last < first:
            fail(f"--years: {text!r} ends before it starts")
        return list(range(first, last + 1))
    values = _numbers(text, "years")
    if not values or any(v != int(v) for v in values):
        fail(f"--years: {text!r}: give FIRST..LAST or a comma-separated list of years")
    return [int(v) for v in values]


#: Target shares, % of GDP, of ``frontier`` and ``plot --chart frontier`` unless given.
DEFAULT_TARGETS = "2.5,3,3.5,5"


def frontier_of(
    file: Path,
    targets: str,
    years: str | None,
    overrides: list[str] | None,
    quiet: bool = False,
) -> tuple[Scenario, Frontier]:
    """Load a scenario and solve its frontier for ``--targets`` and ``--years`` (as given on
    the command line; default: every projected year). Bad input: one line, exit code 2.

    Parameters
    ----------
    file : Path
        The scenario file.
    targets : str
        Target shares, % of GDP, comma-separated.
    years : str or None
        Target years, ``FIRST..LAST`` or comma-separated; None: every projected year.
    overrides : list of str or None
        ``--set`` assignments.
    quiet : bool
        Print no warnings (``--quiet``).

    Returns
    -------
    scenario : Scenario
        The loaded scenario.
    frontier : Frontier
        Its frontier, cash in currency.

    Raises
    ------
    typer.Exit
        Exit code 2 for bad input or a question the scenario cannot answer.
    """
    from budgetsim.solve import solve_frontier
    from budgetsim.solve.checks import SolveError

    scn = load_or_fail(file, overrides, quiet=quiet)
    shares = _numbers(targets, "targets")
    if not shares:
        fail("--targets: give at least one share")
    target_years = [int(y) for y in scn.years] if years is None else _years(years)
    try:
        return scn, solve_frontier(scn, shares, target_years)
    except SolveError as exc:
        fail(f"{file}: {exc}")


def frontier_command(
    file: FileArg,
    targets: Annotated[
        str, typer.Option(help="Target shares, % of GDP, comma-separated.", metavar="PCT,...")
    ] = DEFAULT_TARGETS,
    years: Annotated[
        str | None,
        typer.Option(
            help="Target years, FIRST..LAST or comma-separated (default: every projected year).",
            metavar="YEARS",
        ),
    ] = None,
    format: FormatOpt = Format.table,
    output: OutputOpt = None,
    set_: SetOpt = None,
    raw: RawOpt = False,
    units: UnitsOpt = False,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Which target share by which year passes every rule; if not, which rule breaks."""
    _, fr = frontier_of(file, targets, years, set_, quiet)
    emit(frontier_document(fr, verbose), Style(format, output, raw, units, verbose))
