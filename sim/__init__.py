"""budgetsim: what defence-spending promises cost under tax freezes and fiscal rules.

The model core. It reads no files and prints nothing: give it scenario text
(:func:`load_text`), run it (:func:`run`) and read the :class:`Result`. The command line and
file handling live in :mod:`budgetsim.cli` (``budgetsim.input.files.load_file`` reads a
scenario file from disk).

Names are imported on first use, so ``import budgetsim`` stays cheap for a command-line
tool that is started many times.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Check": "budgetsim.solve.checks",
    "DivergenceError": "budgetsim.model.guard",
    "Frontier": "budgetsim.solve.frontier",
    "Paths": "budgetsim.model.engine",
    "Problem": "budgetsim.errors",
    "Result": "budgetsim.model.result",
    "RuleOutcome": "budgetsim.model.result",
    "Scenario": "budgetsim.model.scenario",
    "ScenarioError": "budgetsim.errors",
    "Solution": "budgetsim.solve.checks",
    "SolveError": "budgetsim.solve.checks",
    "Summary": "budgetsim.model.result",
    "load_text": "budgetsim.input.loader",
    "run": "budgetsim.model.result",
    "simulate": "budgetsim.model.engine",
    "solve_earliest_year": "budgetsim.solve.search",
    "solve_frontier": "budgetsim.solve.search",
    "solve_max_share": "budgetsim.solve.search",
    "solve_min_cuts": "budgetsim.solve.search",
    "solve_tax_rise": "budgetsim.solve.search",
}

__all__ = [
    "Check",
    "DivergenceError",
    "Frontier",
    "Paths",
    "Problem",
    "Result",
    "RuleOutcome",
    "Scenario",
    "ScenarioError",
    "Solution",
    "SolveError",
    "Summary",
    "__version__",
    "load_text",
    "run",
    "simulate",
    "solve_earliest_year",
    "solve_frontier",
    "solve_max_share",
    "solve_min_cuts",
    "solve_tax_rise",
]

if TYPE_CHECKING:
    from budgetsim.errors import Problem, ScenarioError
    from budgetsim.input.loader import load_text
    from budgetsim.model.engine import Paths, simulate
    from budgetsim.model.guard import DivergenceError
    from budgetsim.model.result import Result, RuleOutcome, Summary, run
    from budgetsim.model.scenario import Scenario
    from budgetsim.solve.checks import Check, Solution, SolveError
    from budgetsim.solve.frontier import Frontier
    from budgetsim.solve.search import (
        solve_earliest_year,
        solve_frontier,
        solve_max_share,
        solve_min_cuts,
        solve_tax_rise,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'budgetsim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
