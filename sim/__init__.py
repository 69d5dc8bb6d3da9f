"""budgetsim: what defence-spending promises cost under tax freezes and fiscal rules.

A session in a notebook (docs/api.md walks through one)::

    import budgetsim
    scn = budgetsim.load("scenarios/uk_2030.yaml", overrides=["defence.milestones.2030=3.5"])
    res = budgetsim.run(scn)              # a Result: series, rules, summary
    res.summary.rules_failed
    budgetsim.fan(scn, draws=10_000)      # percentiles and chances (a Fan)
    with budgetsim.dask_executor(workers=2) as cluster:  # or a running cluster's address
        budgetsim.fan(scn, draws=10**6, executor=cluster)  # the same numbers, on Dask
    budgetsim.solve_max_share(scn)        # the most affordable share (a Solution)
    budgetsim.sweep("scenarios/uk_2030.yaml", ["economy.real_growth+=-1:1:0.5"])  # a grid

The layers, each a subpackage: :mod:`budgetsim.input` (files and text to a frozen
Scenario), :mod:`budgetsim.model` (the engine, rules and results), :mod:`budgetsim.solve`
and :mod:`budgetsim.uncertainty` (on top of the model), :mod:`budgetsim.explore` (sweeps and
sensitivity, on top of input, model and uncertainty), :mod:`budgetsim.cli` (the command
line). Names are imported on first use, so ``import budgetsim`` stays cheap for a
command-line tool that is started many times.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> (module, attribute).
_EXPORTS: dict[str, tuple[str, str]] = {
    "load": ("budgetsim.input.files", "load_file"),
    "load_text": ("budgetsim.input.loader", "load_text"),
    "Problem": ("budgetsim.errors", "Problem"),
    "ScenarioError": ("budgetsim.errors", "ScenarioError"),
    "Scenario": ("budgetsim.model.scenario", "Scenario"),
    "run": ("budgetsim.model.result", "run"),
    "Result": ("budgetsim.model.result", "Result"),
    "RuleOutcome": ("budgetsim.model.result", "RuleOutcome"),
    "RuleCheck": ("budgetsim.model.result", "RuleCheck"),
    "Summary": ("budgetsim.model.result", "Summary"),
    "simulate": ("budgetsim.model.engine", "simulate"),
    "Paths": ("budgetsim.model.engine", "Paths"),
    "DivergenceError": ("budgetsim.model.guard", "DivergenceError"),
    "solve_max_share": ("budgetsim.solve", "solve_max_share"),
    "solve_earliest_year": ("budgetsim.solve", "solve_earliest_year"),
    "solve_min_cuts": ("budgetsim.solve", "solve_min_cuts"),
    "solve_tax_rise": ("budgetsim.solve", "solve_tax_rise"),
    "frontier": ("budgetsim.solve", "solve_frontier"),
    "Solution": ("budgetsim.solve", "Solution"),
    "Check": ("budgetsim.solve", "Check"),
    "SolveError": ("budgetsim.solve", "SolveError"),
    "Frontier": ("budgetsim.solve", "Frontier"),
    "fan": ("budgetsim.uncertainty", "fan"),
    "Fan": ("budgetsim.uncertainty", "Fan"),
    "stress": ("budgetsim.uncertainty", "stress"),
    "StressResult": ("budgetsim.uncertainty", "StressResult"),
    "calibrate": ("budgetsim.uncertainty", "calibrate"),
    "local_executor": ("budgetsim.uncertainty.execute", "local_executor"),
    "dask_executor": ("budgetsim.uncertainty.execute", "dask_executor"),
    "ExecutorError": ("budgetsim.uncertainty.execute", "ExecutorError"),
    "sweep": ("budgetsim.explore.api", "sweep"),
    "Sweep": ("budgetsim.explore.chunks", "Sweep"),
    "sensitivity": ("budgetsim.explore.api", "sensitivity"),
    "Sensitivity": ("budgetsim.explore.api", "Sensitivity"),
}

__all__ = [
    "Check",
    "DivergenceError",
    "ExecutorError",
    "Fan",
    "Frontier",
    "Paths",
    "Problem",
    "Result",
    "RuleCheck",
    "RuleOutcome",
    "Scenario",
    "ScenarioError",
    "Sensitivity",
    "Solution",
    "SolveError",
    "StressResult",
    "Summary",
    "Sweep",
    "__version__",
    "calibrate",
    "dask_executor",
    "fan",
    "frontier",
    "load",
    "load_text",
    "local_executor",
    "run",
    "sensitivity",
    "simulate",
    "solve_earliest_year",
    "solve_max_share",
    "solve_min_cuts",
    "solve_tax_rise",
    "stress",
    "sweep",
]

if TYPE_CHECKING:
    from budgetsim.errors import Problem, ScenarioError
    from budgetsim.explore.api import Sensitivity, sensitivity, sweep
    from budgetsim.explore.chunks import Sweep
    from budgetsim.input.files import load_file as load
    from budgetsim.input.loader import load_text
    from budgetsim.model.engine import Paths, simulate
    from budgetsim.model.guard import DivergenceError
    from budgetsim.model.result import Result, RuleCheck, RuleOutcome, Summary, run
    from budgetsim.model.scenario import Scenario
    from budgetsim.solve import (
        Check,
        Frontier,
        Solution,
        SolveError,
        solve_earliest_year,
        solve_max_share,
        solve_min_cuts,
        solve_tax_rise,
    )
    from budgetsim.solve import solve_frontier as frontier
    from budgetsim.uncertainty import Fan, StressResult, calibrate, fan, stress
    from budgetsim.uncertainty.execute import ExecutorError, dask_executor, local_executor


def __getattr__(name: str) -> Any:
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'budgetsim' has no attribute {name!r}")
    value = getattr(importlib.import_module(target[0]), target[1])
    globals()[name] = value
    return value
