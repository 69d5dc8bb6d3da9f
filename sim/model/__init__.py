"""The model: a frozen :class:`Scenario` in, :class:`Result` (or a batch's
:class:`~budgetsim.model.engine.Paths`) out.

It reads no files, prints nothing and imports nothing from the input, solve, uncertainty
or command-line layers (import-linter checks this in ``make lint``).
"""

from __future__ import annotations

from budgetsim.model.engine import Paths, simulate
from budgetsim.model.guard import DivergenceError, run_batch
from budgetsim.model.result import Result, RuleCheck, RuleOutcome, Summary, run
from budgetsim.model.scenario import Scenario

__all__ = [
    "DivergenceError",
    "Paths",
    "Result",
    "RuleCheck",
    "RuleOutcome",
    "Scenario",
    "Summary",
    "run",
    "run_batch",
    "simulate",
]
