"""The one guarded batch runner: the engine and the rules with numpy's floating-point
warnings silenced, then a check that every row still means something.

A path that explodes overflows to inf or NaN; numpy would print a RuntimeWarning for each
operation. Every caller (a deterministic run, the solvers, the stress tests, Monte Carlo)
runs the model through :func:`run_batch` instead, which silences those warnings and marks
each row that diverged, so the caller reports it once, in its own words, or (a solver
searching past the answer) treats it as failing.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from budgetsim.model.engine import Paths, simulate
from budgetsim.model.rules import RuleBatch, evaluate_all

if TYPE_CHECKING:
    from budgetsim.model.arrays import BoolArray
    from budgetsim.model.scenario import Scenario
    from budgetsim.model.workspace import Workspace

#: Debt beyond this many times GDP (10,000 % of GDP) is a diverging scenario, not a forecast:
#: no country has carried more than about 2.6 times its GDP.
MAX_DEBT_RATIO = 100.0


class DivergenceError(ArithmeticError):
    """The model left the range where its numbers mean anything; carries the first year
    (``None`` where the caller cannot name one, as for Monte Carlo draws).

    Raised when GDP falls to zero or below (growth feedback stronger than the economy), when
    debt passes :data:`MAX_DEBT_RATIO` times GDP either way (interest far above growth), or
    when any series is not a finite number. No such number ever reaches a presenter.

    Parameters
    ----------
    message : str
        What diverged, where and what to check.
    year : int, optional
        The first year it diverged in.

    Attributes
    ----------
    year : int or None
    """

    def __init__(self, message: str, year: int | None = None) -> None:
        super().__init__(message)
        self.year = year


def quietly() -> AbstractContextManager[Any]:
    """numpy's floating-point warnings off: overflow to inf and NaN is checked afterwards."""
    return np.errstate(all="ignore")


def gdp_collapsed(paths: Paths) -> BoolArray:
    """(batch, years): GDP at or below zero (or not a number)."""
    return np.asarray(~(paths.gdp > 0.0))


def debt_exploded(paths: Paths) -> BoolArray:
    """(batch, years): debt beyond MAX_DEBT_RATIO times GDP either way (or not a number)."""
    return np.asarray(~(np.abs(paths.debt) <= MAX_DEBT_RATIO * paths.gdp))


def _all_in_range(paths: Paths) -> bool:
    """A sufficient test that no row diverged, in three reductions and no temporaries:
    GDP's minimum above zero and the largest debt (either way) within MAX_DEBT_RATIO times
    it. Each element then passes :func:`gdp_collapsed` and :func:`debt_exploded` (rounding
    is monotone, so ``MAX_DEBT_RATIO * min(gdp) <= MAX_DEBT_RATIO * gdp`` element by
    element); a NaN anywhere makes a reduction NaN and the test False. False says nothing:
    the element-wise tests then decide. In a Monte Carlo chunk this replaces five passes
    over the batch (and their temporaries) by three reductions."""
    y, b = paths.gdp, paths.debt
    if y.size == 0:
        return True
    limit = MAX_DEBT_RATIO * y.min()  # NaN if any GDP is; every comparison is then False
    return bool(limit > 0.0 and b.max() <= limit and -b.min() <= limit)


@dataclass(frozen=True)
class Divergence:
    """Where a batch diverged first.

    Attributes
    ----------
    what : str
        What happened, in words (``"GDP falls to zero or below"``).
    kind : {"gdp", "debt"}
    year : int
        The first year in which any row diverged this way.
    rows : ndarray of bool, shape (batch,)
        The rows that diverged this way in any year.
    """

    what: str
    kind: str
    year: int
    rows: BoolArray


def divergence(scn: Scenario, paths: Paths) -> Divergence | None:
    """The first way the batch diverged: GDP collapsing is looked for before debt exploding.

    Parameters
    ----------
    scn : Scenario
        The scenario run (for its years).
    paths : Paths
        The engine's paths, shape (batch, years).

    Returns
    -------
    Divergence or None
        None when every row stayed finite and in range.
    """
    if _all_in_range(paths):
        return None
    for kind, bad, what in (
        ("gdp", gdp_collapsed(paths), "GDP falls to zero or below"),
        ("debt", debt_exploded(paths), f"debt passes {MAX_DEBT_RATIO * 100:g} % of GDP"),
    ):
        years = bad.any(axis=0)
        if years.any():
            year = int(scn.years[np.argmax(years)])
            return Divergence(what, kind, year, np.asarray(bad.any(axis=1)))
    return None


@dataclass(frozen=True)
class Batch:
    """The engine's paths for a batch and, if asked for, every rule's outcomes.

    Attributes
    ----------
    paths : Paths
        Every series, shape (batch, years).
    rules : tuple of RuleBatch
        Each rule's outcomes, in the scenario's order (empty when not asked for).
    diverged : Divergence or None
        Where the batch diverged first; None when every row stayed finite and in range.
    """

    paths: Paths
    rules: tuple[RuleBatch, ...]
    diverged: Divergence | None


def run_batch(scn: Scenario, ws: Workspace | None = None, *, rules: bool = True) -> Batch:
    """Run the engine over every row of ``scn``'s batch, evaluate its rules, and find any
    divergence, with numpy's floating-point warnings silenced throughout.

    Parameters
    ----------
    scn : Scenario
        Inputs of shape ``(years,)`` or ``(batch, years)``.
    ws : Workspace, optional
        Arrays to reuse (:mod:`budgetsim.model.workspace`).
    rules : bool
        Whether to evaluate the fiscal rules.

    Returns
    -------
    Batch
        ``diverged`` is None when every row stayed finite and in range; the caller decides
        whether a diverged row is an error (a run) or a failing candidate (a solver).
    """
    with quietly():
        paths = simulate(scn, ws)
        outcomes = evaluate_all(scn, paths) if rules else ()
        found = divergence(scn, paths)
    return Batch(paths, outcomes, found)
