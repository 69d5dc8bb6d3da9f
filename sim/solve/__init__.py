"""Solving for what is affordable under the fiscal rules.

Every solver runs many candidate paths at once along the engine's batch axis and answers
with a :class:`Solution` (or, for the grid of targets and years, a :class:`Frontier`) that
names the binding rule and year; a question the scenario cannot answer raises
:class:`SolveError`. Arguments are in the units a scenario file uses: shares in % of GDP,
discount rates in % a year. The method of each is in docs/solving.md.
"""

from __future__ import annotations

from collections.abc import Sequence

from budgetsim.model.scenario import Scenario
from budgetsim.solve.checks import Check, Solution, SolveError
from budgetsim.solve.frontier import Cell, Frontier
from budgetsim.solve.search import earliest_year, max_share

__all__ = [
    "Cell",
    "Check",
    "Frontier",
    "Solution",
    "SolveError",
    "solve_earliest_year",
    "solve_frontier",
    "solve_max_share",
    "solve_min_cuts",
    "solve_tax_rise",
]


def solve_max_share(scn: Scenario, year: int | None = None) -> Solution:
    """The highest defence share reached in ``year`` with every fiscal rule passing.

    Parameters
    ----------
    scn : Scenario
        A scenario on the share basis, with at least one rule.
    year : int, optional
        The target year (default: the scenario's last milestone, else the last year a rule
        is checked). Milestones before it are kept, later ones dropped.

    Returns
    -------
    Solution
        ``answer`` in % of GDP (to 1e-6 points), ``binding`` the rule and year a little
        more would break, ``scenario`` and ``result`` the solved path.

    Raises
    ------
    SolveError
        No rules, the cash basis, or a year outside the projection.
    DivergenceError
        The solved scenario diverges when run.
    """
    return max_share(scn, year)


def solve_earliest_year(scn: Scenario, share: float | None = None) -> Solution:
    """The first target year in which ``share`` % of GDP (default: the scenario's target)
    can be reached, and held after, with every rule passing.

    Parameters
    ----------
    scn : Scenario
        A scenario on the share basis, with at least one rule.
    share : float, % of GDP, optional
        The share to reach (default: the scenario's last milestone). Milestones before the
        candidate year are kept, later ones dropped.

    Returns
    -------
    Solution
        ``answer`` is the year; ``binding`` the rule that fails a year earlier.

    Raises
    ------
    SolveError
        No rules, the cash basis, no share and no milestone, or a share outside 0 to 100 %
        of GDP.
    DivergenceError
        The solved scenario diverges when run.
    """
    return earliest_year(scn, share)


def solve_min_cuts(
    scn: Scenario,
    year: int | None = None,
    share: float | None = None,
    discount_pct: float = 0.0,
) -> Solution:
    """The least cuts, within each pool's cap, that keep every rule passing.

    Parameters
    ----------
    scn : Scenario
        With at least one rule and one ``kind: cuts`` funding source.
    year, share : int and float, optional
        Retarget the defence path to ``share`` % of GDP in ``year`` first (``year``
        defaults to the scenario's target year); without ``share`` the path is kept.
    discount_pct : float
        Discount rate, % a year, on later years in the total minimised.

    Returns
    -------
    Solution
        ``answer`` is the total over the projection, currency; ``amounts`` each pool's
        cut a year; ``scenario`` gives those amounts exactly.

    Raises
    ------
    SolveError
        No rules, no ``kind: cuts`` source, a discount at or below -100 %, ``year`` without
        ``share``, a share outside 0 to 100 % of GDP or on the cash basis, or a year outside
        the projection.
    DivergenceError
        The scenario diverges when run.
    """
    from budgetsim.solve.mincost import min_sources

    return min_sources(scn, "cuts", year, share, discount_pct)


def solve_tax_rise(
    scn: Scenario,
    year: int | None = None,
    share: float | None = None,
    discount_pct: float = 0.0,
) -> Solution:
    """The least tax rise that keeps every rule passing (as :func:`solve_min_cuts`, for the
    ``kind: tax`` sources); a :class:`SolveError` while the tax freeze is on.

    Parameters
    ----------
    scn : Scenario
        With at least one rule, the tax freeze off and one ``kind: tax`` funding source.
    year, share : int and float, optional
        Retarget the defence path to ``share`` % of GDP in ``year`` first (``year``
        defaults to the scenario's target year); without ``share`` the path is kept.
    discount_pct : float
        Discount rate, % a year, on later years in the total minimised.

    Returns
    -------
    Solution
        ``answer`` is the total tax rise over the projection, currency; ``amounts`` each
        tax source's rise a year; ``scenario`` gives those amounts exactly.

    Raises
    ------
    SolveError
        The tax freeze is on, or as for :func:`solve_min_cuts` (no ``kind: tax`` source,
        no rules, ...).
    DivergenceError
        The scenario diverges when run.
    """
    from budgetsim.solve.mincost import min_sources

    return min_sources(scn, "tax", year, share, discount_pct)


def solve_frontier(scn: Scenario, targets: Sequence[float], years: Sequence[int]) -> Frontier:
    """For each target share (% of GDP) and target year: whether a path passes every rule
    as funded, the least cuts that would make it pass, the binding rule and the extra cost.

    Parameters
    ----------
    scn : Scenario
        A scenario on the share basis, with at least one rule.
    targets : sequence of float, % of GDP
        Target shares, each reached in the target year and held after.
    years : sequence of int
        Target years, each a projected year.

    Returns
    -------
    Frontier
        One cell per (target, year), target-major; cash in currency.

    Raises
    ------
    SolveError
        No rules, the cash basis, a target outside 0 to 100 % of GDP, or a year outside the
        projection.
    """
    from budgetsim.solve.frontier import frontier

    return frontier(scn, targets, years)
