"""budgetsim: what defence-spending promises cost under tax freezes and fiscal rules.

The model core. It reads no files and prints nothing: give it scenario text
(:func:`load_text`), run it (:func:`run`) and read the :class:`Result`. The command line and
file handling live in :mod:`budgetsim.cli` (``budgetsim.cli.files.load_file`` reads a
scenario file from disk).

Names are imported on first use, so ``import budgetsim`` stays cheap for a command-line
tool that is started many times.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Check": "budgetsim.solvecore",
    "DivergenceError": "budgetsim.result",
    "Frontier": "budgetsim.frontier",
    "Paths": "budgetsim.engine",
    "Problem": "budgetsim.errors",
    "Result": "budgetsim.result",
    "RuleOutcome": "budgetsim.rules",
    "Scenario": "budgetsim.scenario",
    "ScenarioError": "budgetsim.errors",
    "Solution": "budgetsim.solvecore",
    "SolveError": "budgetsim.solvecore",
    "Summary": "budgetsim.result",
    "load_text": "budgetsim.loader",
    "run": "budgetsim.result",
    "simulate": "budgetsim.engine",
    "solve_earliest_year": "budgetsim.solve",
    "solve_frontier": "budgetsim.solve",
    "solve_max_share": "budgetsim.solve",
    "solve_min_cuts": "budgetsim.solve",
    "solve_tax_rise": "budgetsim.solve",
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
    from budgetsim.engine import Paths, simulate
    from budgetsim.errors import Problem, ScenarioError
    from budgetsim.frontier import Frontier
    from budgetsim.loader import load_text
    from budgetsim.result import DivergenceError, Result, Summary, run
    from budgetsim.rules import RuleOutcome
    from budgetsim.scenario import Scenario
    from budgetsim.solve import (
        solve_earliest_year,
        solve_frontier,
        solve_max_share,
        solve_min_cuts,
        solve_tax_rise,
    )
    from budgetsim.solvecore import Check, Solution, SolveError


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'budgetsim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
