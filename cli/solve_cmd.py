"""``budgetsim solve`` and ``budgetsim frontier``: what is affordable under the rules.

Thin like the other commands: load, solve (budgetsim.solve.search, which imports scipy only when
a linear programme is needed), present with the presenters ``run`` uses. An answer that no
path passes is an answer: one line on stderr, exit code 1. A question the scenario cannot
answer (a tax rise under the tax freeze, say) is bad input: exit code 2.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from budgetsim.cli import EXIT_CHECK_FAILED
from budgetsim.cli.common import (
    FileArg,
    FormatOpt,
    OutputOpt,
    QuietOpt,
    SetOpt,
    emit,
    emit_text,
    fail,
    load_or_fail,
    loaded_or_fail,
    write_or_fail,
)
from budgetsim.cli.present.emit import Format, to_json
from budgetsim.cli.present.solve import frontier_document, solution_document
from budgetsim.errors import ScenarioError
from budgetsim.model.guard import DivergenceError

if TYPE_CHECKING:
    from budgetsim.model.scenario import Scenario
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
    quiet: QuietOpt = False,
) -> None:
    """Solve for what is affordable: the answer, the binding rule and the solved path."""
    from budgetsim.input.edit import solved_spec, to_yaml
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
    if not sol.feasible or sol.result is None or sol.scenario is None:
        if format is Format.json:
            emit_text(to_json({"solution": sol.to_dict()}), output)
        fail(f"{file}: {sol.message}", EXIT_CHECK_FAILED)
    if write_scenario is not None:
        header = [
            f"Solved by `budgetsim solve {file} --for {goal.value}`: {sol.message}",
            "Every figure is copied from the scenario solved; see that file for sources.",
        ]
        spec = solved_spec(loaded.spec, sol.scenario, sol.target)
        write_or_fail(write_scenario, to_yaml(spec, header))
    emit(solution_document(sol, sol.result, goal.value), format, output)


def _numbers(text: str, what: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        fail(f"--{what}: {text!r} is not a comma-separated list of numbers")


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
    quiet: QuietOpt = False,
) -> None:
    """Which target share by which year passes every rule; if not, which rule breaks."""
    _, fr = frontier_of(file, targets, years, set_, quiet)
    emit(frontier_document(fr), format, output)
