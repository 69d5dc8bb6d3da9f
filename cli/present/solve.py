"""The solve and frontier presenters: a :class:`Solution` or a :class:`Frontier` as a
Document for the one emitter."""

from __future__ import annotations

import string
from typing import TYPE_CHECKING

from budgetsim.cli.present.emit import Document, Sheet, Table, md_text, number
from budgetsim.cli.present.tables import run_intro, run_sheets, run_table, summary_lines

if TYPE_CHECKING:
    from budgetsim.model.result import Result
    from budgetsim.solve.checks import Solution
    from budgetsim.solve.frontier import Frontier


def answer_lines(sol: Solution, verbose: bool = False) -> list[str]:
    """The answer and, for min-cuts and tax-rise, each source's amounts; with ``verbose``,
    how it was found (the method and the model rows run).

    Parameters
    ----------
    sol : Solution
        The solver's answer.
    verbose : bool
        Add the method line.

    Returns
    -------
    list of str
    """
    lines = [sol.message]
    if verbose:
        lines.append(f"method: {sol.method}; {sol.model_rows} model rows run")
    if sol.amounts and sol.result is not None:
        labels = sol.result.year_labels
        unit = sol.result.unit
        for name, values in sol.amounts.items():
            cells = [
                f"{lab} {number(v, unit)}" for lab, v in zip(labels, values, strict=True) if v > 0
            ]
            lines.append(f"{name}: {', '.join(cells) or 'nothing in any year'}")
    return lines


def solution_sheet(sol: Solution) -> Sheet:
    """The answer as a sheet: one row, the answer, its unit and the binding check."""
    b = sol.binding
    return Sheet(
        "answer",
        ["goal", "answer", "unit", "binding_rule", "binding_year", "headroom", "message"],
        ["", sol.unit if sol.unit != "year" else "", "", "", "", sol.unit, ""],
        [
            [
                sol.kind,
                sol.answer if sol.unit != "year" or sol.answer is None else int(sol.answer),
                sol.unit,
                None if b is None else b.rule,
                None if b is None else b.year,
                None if b is None else b.headroom,
                sol.message,
            ]
        ],
    )


def solution_document(sol: Solution, result: Result, goal: str, verbose: bool = False) -> Document:
    """``budgetsim solve``: the solved scenario's table, the answer and the summary.

    Parameters
    ----------
    sol : Solution
        A feasible answer.
    result : Result
        The solved scenario's run (``sol.result``), in output units.
    goal : str
        The ``--for`` value, for the table's title.
    verbose : bool
        Also how the answer was found.

    Returns
    -------
    Document
        JSON ``{"solution": ..., "run": ...}``; CSV as ``budgetsim run`` writes it; xlsx
        with the answer as a sheet of its own.
    """
    answer = answer_lines(sol, verbose)
    return Document(
        tables=[run_table(result, f"{result.title}: solved for {goal} ({result.unit})")],
        notes=[*answer, *summary_lines(result)],
        data={"solution": sol.to_dict(), "run": result.to_dict()},
        sheets=[*run_sheets(result), solution_sheet(sol)],
        markdown_intro=f"**{md_text(answer[0])}**\n\n" + run_intro(result),
        markdown_notes=summary_lines(result),
    )


def rule_keys(fr: Frontier) -> dict[str, str]:
    """A short key for each rule a frontier cell names: ``(a)``, ``(b)``... in order."""
    names = list(dict.fromkeys(c.rule for c in fr.cells if not c.feasible and c.rule))
    letters = string.ascii_lowercase
    return {n: f"({letters[k % 26]}{'' if k < 26 else k // 26})" for k, n in enumerate(names)}


def frontier_table_cell(fr: Frontier, target: float, year: int, keys: dict[str, str]) -> str:
    """A frontier cell as the table shows it: ``pass``, ``cuts X`` or ``FAIL (a)``, the
    rule named by its key (:func:`rule_keys`), so that a column stays narrow.

    Parameters
    ----------
    fr : Frontier
        The solved grid.
    target : float, % of GDP
        One of its target shares.
    year : int
        One of its target years.
    keys : dict of str to str
        :func:`rule_keys`.

    Returns
    -------
    str
    """
    c = fr.cell(target, year)
    if not c.feasible:
        return f"FAIL {keys.get(c.rule or '', '')}".rstrip()
    return f"cuts {number(c.cuts_needed, fr.unit)}" if c.cuts_needed else "pass"


def frontier_years(fr: Frontier, verbose: bool = False) -> list[int]:
    """The target years the table shows: from the first in which some target share passes
    (every year with ``verbose``, or when none passes).

    Parameters
    ----------
    fr : Frontier
        The solved grid.
    verbose : bool
        Show every year.

    Returns
    -------
    list of int
    """
    years = list(fr.years)
    feasible = [y for y in years if any(fr.cell(t, y).feasible for t in fr.targets)]
    if verbose or not feasible:
        return years
    return years[years.index(feasible[0]) :]


def frontier_sheet(fr: Frontier) -> Sheet:
    """Every cell of the grid, a row each (the JSON's records)."""
    unit = fr.unit
    return Sheet(
        "frontier",
        [
            "target_pct_gdp",
            "year",
            "label",
            "passes_as_written",
            "feasible",
            "rule",
            "rule_year",
            "headroom",
            "extra_cost",
            "cuts_needed",
        ],
        ["% of GDP", "", "", "", "", "", "", unit, unit, unit],
        [
            [
                c.target_pct_gdp,
                c.year,
                c.label,
                c.passes_as_written,
                c.feasible,
                c.rule,
                c.rule_year,
                c.headroom,
                c.extra_cost,
                c.cuts_needed,
            ]
            for c in fr.cells
        ],
    )


def frontier_document(fr: Frontier, verbose: bool = False) -> Document:
    """``budgetsim frontier``: target shares down, target years across, and the key.

    Parameters
    ----------
    fr : Frontier
        The solved grid.
    verbose : bool
        Every target year (not only from the first in which some target passes) and the
        model rows run.

    Returns
    -------
    Document
    """
    keys = rule_keys(fr)
    years = frontier_years(fr, verbose)
    labels = [fr.cell(fr.targets[0], y).label for y in years]
    header = ["Target % GDP", *labels]
    rows: list[list[str]] = []
    for t in fr.targets:
        rows.append([f"{t:g}", *(frontier_table_cell(fr, t, y, keys) for y in years)])
        rows.append(["  extra cost", *(number(fr.cell(t, y).extra_cost, fr.unit) for y in years)])
    notes = [
        "pass: passes every rule with the extra spending borrowed; cuts X: passes with at "
        f"least X {fr.unit} of cuts in total; FAIL: the rule fails even with every pool cut "
        f"to its cap. extra cost: extra defence spending over the projection, {fr.unit}."
    ]
    if keys:
        notes.append("FAIL " + ", ".join(f"{k} {name}" for name, k in keys.items()) + ".")
    dropped = [fr.cell(fr.targets[0], y).label for y in fr.years if y not in years]
    if dropped:
        span = dropped[0] if len(dropped) == 1 else f"{dropped[0]} to {dropped[-1]}"
        notes.append(
            f"Target years {span} left out: no target share passes in them (--verbose shows them)."
        )
    if verbose:
        notes.append(f"{fr.model_rows} model rows run.")
    title = f"{fr.title}: feasibility by target year"
    return Document(
        tables=[Table(title, header, rows)],
        notes=notes,
        data=fr.to_dict(),
        sheets=[frontier_sheet(fr)],
        markdown_intro=f"## {md_text(title)}\n\n",
        note_indent="",
    )
