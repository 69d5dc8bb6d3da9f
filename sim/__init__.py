"""budgetsim: what defence-spending promises cost under tax freezes and fiscal rules.

The model core. It reads no files and prints nothing: give it scenario text
(:func:`load_text`), run it (:func:`run`) and read the :class:`Result`. The command line and
file handling live in :mod:`budgetsim.cli`.
"""

from budgetsim.engine import Paths, simulate
from budgetsim.errors import Problem, ScenarioError
from budgetsim.loader import load_text
from budgetsim.result import DivergenceError, Result, Summary, run
from budgetsim.rules import RuleOutcome
from budgetsim.scenario import Scenario

__version__ = "0.1.0"

__all__ = [
    "DivergenceError",
    "Paths",
    "Problem",
    "Result",
    "RuleOutcome",
    "Scenario",
    "ScenarioError",
    "Summary",
    "__version__",
    "load_text",
    "run",
    "simulate",
]
