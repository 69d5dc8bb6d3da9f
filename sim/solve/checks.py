"""What every solver shares: rule checks as one matrix, batched share paths, the answer types.

A *check* is one rule in one of its years. Running the engine over a batch of candidate
paths and stacking every rule outcome gives a ``(batch, checks)`` matrix of headroom and of
pass/fail, which is all a solver looks at.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from budgetsim.model.guard import Batch, run_batch
from budgetsim.model.result import Result
from budgetsim.model.scenario import SHARE_RANGE_PCT, Scenario

if TYPE_CHECKING:
    from budgetsim.model.arrays import BoolArray, FloatArray


class SolveError(ValueError):
    """The question cannot be asked of this scenario (the message says why and what to do)."""


@dataclass(frozen=True)
class Check:
    """One rule in one year, with its headroom (currency) at the answer.

    Attributes
    ----------
    rule : str
        The rule's name.
    year : int
    label : str
        The year as tables show it.
    headroom : float
        How much more could be spent that year before the rule fails, currency (negative:
        the size of the breach).
    """

    rule: str
    year: int
    label: str  # the year as tables show it, e.g. 2029-30
    headroom: float


@dataclass(frozen=True)
class Solution:
    """A solver's answer. ``feasible`` is False when no path passes; ``binding`` then names
    the rule and year that fail even at the most favourable end of the search.

    Attributes
    ----------
    kind : {"max-share", "earliest-year", "min-cuts", "tax-rise"}
        The question answered.
    feasible : bool
        Whether some path passes every rule.
    answer : float or None
        % of GDP (max-share), a year (earliest-year) or the total over the projection in
        currency (min-cuts, tax-rise); None when infeasible.
    unit : str
        The unit of ``answer``: ``"% of GDP"``, ``"year"`` or the scenario's currency.
    binding : Check or None
        The rule and year that bind at the answer (or fail, when infeasible).
    message : str
        The answer in a sentence.
    method : str
        How it was found.
    scenario : Scenario or None
        The solved scenario (model units); None when infeasible.
    result : Result or None
        The solved scenario run as ``budgetsim run`` runs it.
    target : tuple of (int, float) or None
        The solved (year, share % of GDP), if the solver moved the target.
    amounts : dict of str to tuple of float
        min-cuts and tax-rise: each solved source's amount a year, currency.
    model_rows : int
        Rows of the batch axis the engine ran to find the answer.
    """

    kind: str  # max-share, earliest-year, min-cuts or tax-rise
    feasible: bool
    answer: float | None  # % of GDP, a year, or currency (total over the years)
    unit: str
    binding: Check | None
    message: str
    method: str
    scenario: Scenario | None = None  # the solved scenario
    result: Result | None = None  # the solved scenario run as `budgetsim run` runs it
    target: tuple[int, float] | None = None  # the solved (year, share % of GDP), if moved
    amounts: dict[str, tuple[float, ...]] = field(default_factory=dict)  # per source, a year
    model_rows: int = 0  # rows of the batch axis the engine ran to find the answer

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON form of the answer (docs/output.md)."""
        return {
            "goal": self.kind,
            "feasible": self.feasible,
            "answer": self.answer,
            "unit": self.unit,
            "binding": None if self.binding is None else asdict(self.binding),
            "message": self.message,
            "method": self.method,
            "amounts": {k: list(v) for k, v in self.amounts.items()},
            "model_rows": self.model_rows,
        }


def require_rules(scn: Scenario) -> None:
    """Refuse a scenario without fiscal rules: there is nothing to solve against.

    Parameters
    ----------
    scn : Scenario

    Raises
    ------
    SolveError
        The scenario sets no rules.
    """
    if not scn.rules:
        raise SolveError("the scenario sets no fiscal rules, so there is nothing to solve against")


def check_share(share: float, what: str = "the share") -> None:
    """A target share (% of GDP) must lie in the registry's milestone range.

    Parameters
    ----------
    share : float, % of GDP
        The target share asked for.
    what : str
        What to call it in the message.

    Raises
    ------
    SolveError
        ``share`` is outside :data:`~budgetsim.model.scenario.SHARE_RANGE_PCT`.
    """
    lo, hi = SHARE_RANGE_PCT
    if not lo <= share <= hi:
        raise SolveError(f"{what} {share:g} is outside {lo:g} to {hi:g} % of GDP")


def require_share_basis(scn: Scenario, what: str) -> None:
    """Refuse a scenario on the cash basis for a question that moves the share path, and a
    component file whose headline target cannot be moved through a share path.

    Parameters
    ----------
    scn : Scenario
    what : str
        The question, for the message (e.g. ``"max-share"``).

    Raises
    ------
    SolveError
        The scenario is on the cash basis; every component the headline target counts (or,
        without targets, every component) follows a cash path; or the headline target
        counts a component on a cash path while growth feedback is on (its share of GDP
        would then move with the answer).
    """
    if scn.basis != "share":
        raise SolveError(
            f"{what} moves the share-of-GDP path; this scenario is on the cash basis "
            "(defence.basis: cash)"
        )
    if not scn.components:
        return
    counted = scn.targets[0].components if scn.targets else range(len(scn.components))
    cash = [scn.components[k].name for k in counted if scn.components[k].cash is not None]
    if len(cash) == len(counted):
        whose = "the scenario has"
        if scn.targets:
            whose = f"the headline target ({scn.targets[0].name}) counts"
        raise SolveError(
            f"{what} moves a component's share-of-GDP path; {whose} only components on "
            f"cash paths ({', '.join(cash)}): give one of them milestones"
        )
    feedback = scn.m_defence != 0.0 or scn.m_cuts != 0.0 or scn.m_tax != 0.0
    if cash and scn.targets and feedback:
        raise SolveError(
            f"{what}: the headline target counts {', '.join(cash)}, on a cash path, and "
            "growth feedback is on, so its share of GDP would move with the answer; switch "
            "the feedback off (economy.feedback) or give it milestones"
        )


def default_year(scn: Scenario) -> int:
    """The target year: the scenario's last milestone, else the last year a rule is checked."""
    if scn.target_year is not None:
        return scn.target_year
    return max(y for rule in scn.rules for y in rule.years)


def check_year(scn: Scenario, year: int) -> int:
    """A target year must be a projected year.

    Parameters
    ----------
    scn : Scenario
    year : int
        The target year asked for.

    Returns
    -------
    int
        ``year``, unchanged.

    Raises
    ------
    SolveError
        ``year`` is not after the base year or is after the horizon.
    """
    if not scn.base_year < year <= scn.horizon:
        raise SolveError(f"year {scn.label(year)} is outside the projection, {scn.span()}")
    return year


def run_candidates(
    scn: Scenario, shares: FloatArray | None = None, amounts: Mapping[str, FloatArray] | None = None
) -> Batch:
    """The engine and the rules over a batch of candidates: share paths (one row each;
    None: the scenario's own defence path) and, optionally, exact amounts for the funding
    sources (each of shape (batch, years)).

    A candidate far beyond the answer may make debt explode; its checks then fail (NaN
    headroom compares false), which is what a search needs to see.

    Parameters
    ----------
    scn : Scenario
        The scenario the candidates vary.
    shares : ndarray, shape (batch, years), optional
        Defence share paths, fractions of GDP; None keeps the scenario's own path.
    amounts : mapping of str to ndarray, shape (batch, years), optional
        Exact amounts a year for the named funding sources, currency.

    Returns
    -------
    Batch
        The paths and every rule's outcomes, one row per candidate; a diverged row is not
        an error here.
    """
    batch = scn if amounts is None else scn.with_amounts(amounts)
    if shares is not None:
        batch = batch.with_share_paths(shares)
    return run_batch(batch)


def check_names(scn: Scenario) -> list[tuple[str, int]]:
    """(rule name, year) of every check, in the column order of :func:`checks`.

    Parameters
    ----------
    scn : Scenario

    Returns
    -------
    list of (str, int)
    """
    return [(rule.name, y) for rule in scn.rules for y in rule.years]


def checks(batch: Batch) -> tuple[FloatArray, BoolArray]:
    """Headroom and pass/fail of every check, each of shape (batch, checks).

    Parameters
    ----------
    batch : Batch
        A batch run with its rules.

    Returns
    -------
    headroom : ndarray, shape (batch, checks)
        Currency; columns in the order of :func:`check_names`.
    passed : ndarray of bool, shape (batch, checks)
    """
    headroom = np.concatenate([o.headroom for o in batch.rules], axis=1)
    passed = np.concatenate([o.passed for o in batch.rules], axis=1)
    return headroom, passed


def make_check(scn: Scenario, index: int, headroom: float) -> Check:
    """The :class:`Check` of column ``index`` of the check matrix, with this headroom.

    Parameters
    ----------
    scn : Scenario
    index : int
        Column of :func:`checks` (a position in :func:`check_names`).
    headroom : float
        The check's headroom, currency.

    Returns
    -------
    Check
    """
    rule, year = check_names(scn)[index]
    return Check(rule, year, scn.label(year), float(headroom))


def tightest(candidates: BoolArray, headroom: FloatArray) -> int:
    """Among the checks marked in ``candidates``, the one with the least headroom.

    Parameters
    ----------
    candidates : ndarray of bool, shape (checks,)
        The checks to choose from.
    headroom : ndarray, shape (checks,)
        Their headroom, currency; NaN counts as the least.

    Returns
    -------
    int
        The column of the tightest marked check (the first of equals).
    """
    masked = np.where(candidates, np.nan_to_num(headroom, nan=-np.inf), np.inf)
    return int(np.argmin(masked))


def result_check(result: Result, rule: str, year: int) -> float:
    """The headroom of one check in a finished run.

    Parameters
    ----------
    result : Result
        The run.
    rule : str
        The rule's name.
    year : int
        A year the rule is checked in.

    Returns
    -------
    float
        Headroom, currency.

    Raises
    ------
    KeyError
        The rule is not checked in that year.
    """
    for c in result.checks():
        if c.rule == rule and c.year == year:
            return c.headroom
    raise KeyError((rule, year))
