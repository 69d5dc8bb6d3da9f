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

from budgetsim.model.engine import Paths
from budgetsim.model.scenario import RuleSpec, Scenario

if TYPE_CHECKING:
    from budgetsim.model.arrays import BoolArray, FloatArray, IntArray

    Cols = slice | IntArray


@dataclass(frozen=True)
class RuleBatch:
    """One rule over its years: arrays of shape ``(batch, len(years))``.

    Attributes
    ----------
    name, type : str
        The rule's name and type.
    years : tuple of int
        The years it is checked in.
    passed : ndarray of bool, shape (batch, len(years))
        Whether it holds.
    headroom : ndarray, shape (batch, len(years))
        How much more could be spent before it fails, currency (negative: the breach).
    measured : ndarray, shape (batch, len(years))
        What the rule measures, a fraction (of GDP; of receipts for an interest ceiling).
    limit : float or None
        The ceiling, same unit; None for rules without one.
    measure : str
        What the rule measures, in words (:attr:`RuleSpec.measure_text`).
    """

    name: str
    type: str
    years: tuple[int, ...]
    passed: BoolArray
    headroom: FloatArray
    measured: FloatArray  # the quantity the rule looks at, as a fraction (of GDP or receipts)
    limit: float | None
    measure: str = ""

    @property
    def all_passed(self) -> BoolArray:
        """Whether the rule holds in every one of its years, per batch row."""
        return np.asarray(self.passed.all(axis=1))


def _exempt(rule: RuleSpec, paths: Paths, cols: Cols) -> FloatArray:
    defence = paths.defence[:, cols]
    if rule.defence_exemption is None:
        return np.zeros_like(defence)
    return np.maximum(0.0, defence - rule.defence_exemption * paths.gdp[:, cols])


def _escape(rule: RuleSpec, scn: Scenario, paths: Paths, cols: IntArray) -> FloatArray:
    extra = paths.extra[:, cols]
    if rule.escape_limit <= 0.0:
        return np.zeros_like(extra)
    in_years = np.isin(scn.years[cols], rule.escape_years)
    room = np.minimum(np.maximum(extra, 0.0), rule.escape_limit * paths.gdp[:, cols])
    return np.where(in_years[None, :], room, 0.0)


def evaluate(rule: RuleSpec, scn: Scenario, paths: Paths) -> RuleBatch:
    """The rule in its years. Only those years' columns are computed (the previous year's
    too for a falling-debt rule, and every year up to them for a cumulated exemption).

    Parameters
    ----------
    rule : RuleSpec
        The rule, in model units.
    scn : Scenario
        The scenario run (its years, for the rule's columns).
    paths : Paths
        The engine's paths, shape (batch, years).

    Returns
    -------
    RuleBatch
        Pass/fail, headroom (currency) and the measure (fraction) per batch row and year.
    """
    idx = np.searchsorted(scn.years, np.asarray(rule.years))
    y = paths.gdp[:, idx]
    if rule.type == "deficit_ceiling":
        assert rule.limit is not None
        deficit = paths.psnb[:, idx] - _exempt(rule, paths, idx) - _escape(rule, scn, paths, idx)
        headroom = rule.limit * y - deficit
        measured = deficit / y
        ok = headroom >= 0.0
    elif rule.type == "current_balance":
        balance = (
            paths.at("current_balance", idx)
            + _exempt(rule, paths, idx)
            + _escape(rule, scn, paths, idx)
        )
        headroom, measured = balance, balance / y
        ok = headroom >= 0.0
    elif rule.type in ("debt_ceiling", "debt_falling"):
        # exemptions cumulate over every year; without one, subtracting 0 changes nothing
        cumulated = None
        if rule.defence_exemption is not None:
            cumulated = np.cumsum(_exempt(rule, paths, slice(None)), axis=1)

        stock, stock0 = paths.debt, paths.debt0
        if rule.measure == "psnfl":  # the loader makes sure the scenario models PSNFL
            stock = paths.psnfl
            stock0 = np.full_like(paths.debt0, np.nan if scn.psnfl0 is None else scn.psnfl0)

        def ratio_at(cols: IntArray) -> tuple[FloatArray, FloatArray]:
            debt = stock[:, cols]
            if cumulated is not None:
                debt = debt - cumulated[:, cols]
            return debt, debt / paths.gdp[:, cols]

        debt, ratio = ratio_at(idx)
        if rule.type == "debt_ceiling":
            assert rule.limit is not None
            headroom = rule.limit * y - debt
            ok = headroom >= 0.0
        else:
            _, ratio_before = ratio_at(np.maximum(idx - 1, 0))
            start = (stock0 / paths.gdp0)[:, None]
            before = np.where(idx[None, :] == 0, start, ratio_before)
            headroom = (before - ratio) * y
            ok = headroom > 0.0
        measured = ratio
    elif rule.type == "interest_ceiling":
        assert rule.limit is not None
        receipts, interest = paths.receipts[:, idx], paths.interest[:, idx]
        headroom = rule.limit * receipts - interest
        measured = interest / receipts
        ok = headroom >= 0.0
    else:  # pragma: no cover - the schema admits no other type
        raise ValueError(f"unknown rule type {rule.type!r}")
    return RuleBatch(
        name=rule.name,
        type=rule.type,
        years=rule.years,
        passed=np.asarray(ok),
        headroom=np.asarray(headroom),
        measured=np.asarray(measured),
        limit=rule.limit,
        measure=rule.measure_text,
    )


def evaluate_all(scn: Scenario, paths: Paths) -> tuple[RuleBatch, ...]:
    """Every rule of ``scn`` on ``paths`` (:func:`evaluate`), in the scenario's order.

    Parameters
    ----------
    scn : Scenario
        The scenario run.
    paths : Paths
        The engine's paths, shape (batch, years).

    Returns
    -------
    tuple of RuleBatch
    """
    return tuple(evaluate(rule, scn, paths) for rule in scn.rules)
