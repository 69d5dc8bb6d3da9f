"""Fiscal rules: pass/fail and headroom in currency, per year each rule applies to.

Headroom is how much more could be spent (or borrowed) in that year before the rule fails;
negative headroom is the size of the breach. Defence exemptions take defence spending above
a share of GDP out of what the rule measures (in flows for deficit rules, cumulated for debt
rules); an escape clause allows extra defence spending up to a share of GDP in its years.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from budgetsim.engine import Paths
from budgetsim.scenario import RuleSpec, Scenario

if TYPE_CHECKING:
    from budgetsim.arrays import BoolArray, FloatArray


@dataclass(frozen=True)
class RuleOutcome:
    """One rule over its years: arrays of shape ``(batch, len(years))``."""

    name: str
    type: str
    years: tuple[int, ...]
    passed: BoolArray
    headroom: FloatArray
    measured: FloatArray  # the quantity the rule looks at, as a fraction (of GDP or receipts)
    limit: float | None

    @property
    def all_passed(self) -> BoolArray:
        """Whether the rule holds in every one of its years, per batch row."""
        return np.asarray(self.passed.all(axis=1))


def _exempt(rule: RuleSpec, paths: Paths) -> FloatArray:
    if rule.defence_exemption is None:
        return np.zeros_like(paths.defence)
    return np.maximum(0.0, paths.defence - rule.defence_exemption * paths.gdp)


def _escape(rule: RuleSpec, scn: Scenario, paths: Paths) -> FloatArray:
    allowed = np.zeros_like(paths.defence)
    if rule.escape_limit <= 0.0:
        return allowed
    in_years = np.isin(scn.years, rule.escape_years)
    room = np.minimum(np.maximum(paths.extra, 0.0), rule.escape_limit * paths.gdp)
    return np.where(in_years[None, :], room, 0.0)


def evaluate(rule: RuleSpec, scn: Scenario, paths: Paths) -> RuleOutcome:
    y = paths.gdp
    exempt = _exempt(rule, paths)
    if rule.type == "deficit_ceiling":
        assert rule.limit is not None
        deficit = paths.psnb - exempt - _escape(rule, scn, paths)
        headroom = rule.limit * y - deficit
        measured = deficit / y
        ok = headroom >= 0.0
    elif rule.type == "current_balance":
        balance = paths.current_balance + exempt + _escape(rule, scn, paths)
        headroom, measured = balance, balance / y
        ok = headroom >= 0.0
    elif rule.type in ("debt_ceiling", "debt_falling"):
        debt = paths.debt - np.cumsum(exempt, axis=1)
        ratio = debt / y
        if rule.type == "debt_ceiling":
            assert rule.limit is not None
            headroom = rule.limit * y - debt
            ok = headroom >= 0.0
        else:
            before = np.concatenate([(paths.debt0 / paths.gdp0)[:, None], ratio[:, :-1]], axis=1)
            headroom = (before - ratio) * y
            ok = headroom > 0.0
        measured = ratio
    elif rule.type == "interest_ceiling":
        assert rule.limit is not None
        headroom = rule.limit * paths.receipts - paths.interest
        measured = paths.interest / paths.receipts
        ok = headroom >= 0.0
    else:  # pragma: no cover - the schema admits no other type
        raise ValueError(f"unknown rule type {rule.type!r}")
    idx = np.searchsorted(scn.years, np.asarray(rule.years))
    return RuleOutcome(
        name=rule.name,
        type=rule.type,
        years=rule.years,
        passed=np.asarray(ok[:, idx]),
        headroom=np.asarray(headroom[:, idx]),
        measured=np.asarray(measured[:, idx]),
        limit=rule.limit,
    )


def evaluate_all(scn: Scenario, paths: Paths) -> tuple[RuleOutcome, ...]:
    return tuple(evaluate(rule, scn, paths) for rule in scn.rules)
