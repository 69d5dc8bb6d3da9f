"""What every solver shares: rule checks as one matrix, batched share paths, the answer types.

A *check* is one rule in one of its years. Running the engine over a batch of candidate
paths and stacking every rule outcome gives a ``(batch, checks)`` matrix of headroom and of
pass/fail, which is all a solver looks at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from budgetsim.input.registry import Defence, ScenarioSpec
from budgetsim.model.defence import share_path
from budgetsim.model.engine import Paths, simulate
from budgetsim.model.result import Result, year_label
from budgetsim.model.rules import evaluate_all
from budgetsim.model.scenario import PCT, Pool, Scenario

if TYPE_CHECKING:
    from budgetsim.model.arrays import BoolArray, FloatArray


class SolveError(ValueError):
    """The question cannot be asked of this scenario (the message says why and what to do)."""


@dataclass(frozen=True)
class Check:
    """One rule in one year, with its headroom (currency) at the answer."""

    rule: str
    year: int
    label: str  # the year as tables show it, e.g. 2029-30
    headroom: float


@dataclass(frozen=True)
class Solution:
    """A solver's answer. ``feasible`` is False when no path passes; ``binding`` then names
    the rule and year that fail even at the most favourable end of the search."""

    kind: str  # max-share, earliest-year, min-cuts or tax-rise
    feasible: bool
    answer: float | None  # % of GDP, a year, or currency (total over the years)
    unit: str
    binding: Check | None
    message: str
    method: str
    spec: ScenarioSpec | None = None  # the solved scenario, ready to write as YAML
    result: Result | None = None  # the solved scenario run as `budgetsim run` runs it
    amounts: dict[str, tuple[float, ...]] = field(default_factory=dict)  # per source, a year
    model_rows: int = 0  # rows of the batch axis the engine ran to find the answer


def share_bounds() -> tuple[float, float]:
    """The range a milestone may take (% of GDP), from the parameter registry."""
    extra = Defence.model_fields["milestones"].json_schema_extra
    assert isinstance(extra, dict)
    lo, hi = extra["x-min"], extra["x-max"]
    assert isinstance(lo, (int, float)) and isinstance(hi, (int, float))
    return float(lo), float(hi)


def require_rules(scn: Scenario) -> None:
    if not scn.rules:
        raise SolveError("the scenario sets no fiscal rules, so there is nothing to solve against")


def check_share(share: float, what: str = "the share") -> None:
    """A target share (% of GDP) must lie in the registry's milestone range."""
    lo, hi = share_bounds()
    if not lo <= share <= hi:
        raise SolveError(f"{what} {share:g} is outside {lo:g} to {hi:g} % of GDP")


def require_share_basis(scn: Scenario, what: str) -> None:
    if scn.basis != "share":
        raise SolveError(
            f"{what} moves the share-of-GDP path; this scenario is on the cash basis "
            "(defence.basis: cash)"
        )


def default_year(scn: Scenario) -> int:
    """The target year: the scenario's last milestone, else the last year a rule is checked."""
    if scn.target_year is not None:
        return scn.target_year
    return max(y for rule in scn.rules for y in rule.years)


def check_year(scn: Scenario, year: int) -> int:
    if not scn.base_year < year <= scn.horizon:
        raise SolveError(f"year {year} is outside the projection {scn.base_year + 1}-{scn.horizon}")
    return year


def share_rows(scn: Scenario, targets: Sequence[tuple[int, float]]) -> FloatArray:
    """Share paths (fractions), one row per ``(year, share %)`` target, shape (len, years).

    The target replaces the last milestone; earlier ones before the target year are kept, as
    :func:`budgetsim.input.edit.with_target` writes them; the arithmetic is the loader's, so a
    row equals the path of the edited scenario exactly.
    """
    d = scn.spec.defence
    milestones = sorted((d.milestones or {}).items())[:-1]  # the last is the target
    out = np.empty((len(targets), scn.n_years))
    by_year: dict[int, list[int]] = {}
    for i, (year, _) in enumerate(targets):
        by_year.setdefault(year, []).append(i)
    for year, idx in by_year.items():
        kept = [(y, v) for y, v in milestones if y < year]
        shares = np.array([targets[i][1] for i in idx], dtype=np.float64) * PCT
        out[idx] = share_path(
            scn.base_year,
            d.base_share * PCT,
            [y for y, _ in kept] + [year],
            [v * PCT for _, v in kept] + [shares],
            scn.years,
            d.shape,
            d.shape_power,
        )
    return out


def run_rows(
    scn: Scenario, shares: FloatArray | None, pools: tuple[Pool, ...] | None = None
) -> Paths:
    """The engine over a batch of share paths (None: the scenario's own defence path) and,
    optionally, pools with set amounts."""
    batch = replace(scn, pools=scn.pools if pools is None else pools)
    if shares is not None:
        batch = replace(batch, basis="share", share=shares)
    # A candidate far beyond the answer may make debt explode; its checks then fail (NaN
    # headroom compares false), which is what the search needs to see.
    with np.errstate(all="ignore"):
        return simulate(batch)


def check_names(scn: Scenario) -> list[tuple[str, int]]:
    return [(rule.name, y) for rule in scn.rules for y in rule.years]


def checks(scn: Scenario, paths: Paths) -> tuple[FloatArray, BoolArray]:
    """Headroom and pass/fail of every check, each of shape (batch, checks)."""
    with np.errstate(all="ignore"):
        outcomes = evaluate_all(scn, paths)
    headroom = np.concatenate([o.headroom for o in outcomes], axis=1)
    passed = np.concatenate([o.passed for o in outcomes], axis=1)
    return headroom, passed


def make_check(scn: Scenario, index: int, headroom: float) -> Check:
    rule, year = check_names(scn)[index]
    return Check(rule, year, year_label(year, scn.spec.years.label), float(headroom))


def tightest(candidates: BoolArray, headroom: FloatArray) -> int:
    """Among the checks marked in ``candidates``, the one with the least headroom."""
    masked = np.where(candidates, np.nan_to_num(headroom, nan=-np.inf), np.inf)
    return int(np.argmin(masked))


def result_check(result: Result, rule: str, year: int) -> float:
    """The headroom of one check in a finished run."""
    for outcome in result.rules:
        if outcome.name == rule and year in outcome.years:
            return float(outcome.headroom[0, outcome.years.index(year)])
    raise KeyError((rule, year))
