"""The solve and frontier presenters: a :class:`Solution` or a :class:`Frontier` as a
Document for the one emitter."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from budgetsim.cli.present.emit import Document, Table
from budgetsim.cli.present.tables import frontier_cell, run_csv, run_intro, run_table, summary_lines

if TYPE_CHECKING:
    from budgetsim.model.result import Result
    from budgetsim.solve.checks import Solution
    from budgetsim.solve.frontier import Frontier


def answer_lines(sol: Solution) -> list[str]:
    """The answer, the method and, for min-cuts and tax-rise, each source's amounts."""
    lines = [sol.message, f"method: {sol.method}; {sol.model_rows} model rows run"]
    if sol.amounts and sol.result is not None:
        labels = sol.result.year_labels
        for name, values in sol.amounts.items():
            cells = [f"{lab} {v:,.3f}" for lab, v in zip(labels, values, strict=True) if v > 0]
            lines.append(f"{name}: {', '.join(cells) or 'nothing in any year'}")
    return lines


def solution_document(sol: Solution, result: Result, goal: str) -> Document:
    """``budgetsim solve``: the solved scenario's table, the answer and the summary.

    Parameters
    ----------
    sol : Solution
        A feasible answer.
    result : Result
        The solved scenario's run (``sol.result``), in output units.
    goal : str
        The ``--for`` value, for the table's title.

    Returns
    -------
    Document
        JSON ``{"solution": ..., "run": ...}``; CSV as ``budgetsim run`` writes it.
    """
    answer = answer_lines(sol)
    return Document(
        tables=[run_table(result, f"{result.title}: solved for {goal} ({result.unit})")],
        notes=[*answer, *summary_lines(result)],
        data={"solution": sol.to_dict(), "run": result.to_dict()},
        csv=run_csv(result),
        markdown_intro=f"**{answer[0]}**\n\n" + run_intro(result),
        markdown_notes=summary_lines(result),
    )


def frontier_document(fr: Frontier) -> Document:
    """``budgetsim frontier``: target shares down, target years across, and the key."""
    header = ["Target % GDP", *fr.labels]
    rows: list[list[str]] = []
    for t in fr.targets:
        rows.append([f"{t:g}", *(frontier_cell(fr, t, y) for y in fr.years)])
        rows.append(["  extra cost", *(f"{fr.cell(t, y).extra_cost:,.1f}" for y in fr.years)])
    notes = [
        "pass: passes every rule with the extra spending borrowed; cuts X: passes with at "
        f"least X {fr.unit} of cuts in total; FAIL rule: that rule fails even with every "
        f"pool cut to its cap. extra cost: extra defence spending over the projection, "
        f"{fr.unit}.",
        f"{fr.model_rows} model rows run.",
    ]
    title = f"{fr.title}: feasibility by target year"
    records: list[dict[str, Any]] = [asdict(c) for c in fr.cells]
    return Document(
        tables=[Table(title, header, rows)],
        notes=notes,
        data=fr.to_dict(),
        csv=[list(records[0]), *(list(r.values()) for r in records)],
        markdown_intro=f"## {title}\n\n",
        note_indent="",
    )
