"""Property tests of the fiscal-rule features the allies' scenarios rely on: the defence
exemption (Germany's debt brake, docs/model.md "defence_exemption"), the escape clause (the EU
national escape clause, "escape_clause") and the ceilings (EU 3 % deficit, 60 % debt).

Each test states the invariant it guards. Rules are evaluated on one simulated run with and
without the feature (``dataclasses.replace`` on the rule), so the difference isolates it.
Tolerances are relative 1e-9 of the largest currency amount involved: one subtraction of
numbers that size.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from budgetsim import simulate
from budgetsim.model.engine import Paths
from budgetsim.model.rules import evaluate
from budgetsim.model.scenario import RuleSpec, Scenario
from tests.strategies import decimals, raise_milestones, scale_currency, scenario_dicts, to_scenario

DEFICIT_RULES = ("deficit_ceiling", "current_balance")
DEBT_RULES = ("debt_ceiling", "debt_falling")


def rule(kind: str, scn: Scenario, **kw: Any) -> RuleSpec:
    """A rule of ``kind`` checked in every projected year (limit 3 % or 60 % of GDP)."""
    limit = {"deficit_ceiling": 0.03, "debt_ceiling": 0.60}.get(kind)
    base = RuleSpec(
        name=kind,
        type=kind,
        years=tuple(int(y) for y in scn.years),
        limit=limit,
        defence_exemption=None,
        escape_limit=0.0,
        escape_years=(),
    )
    return replace(base, **kw)


def tol(paths: Paths) -> float:
    return 1e-9 * float(np.max(np.abs(np.concatenate([paths.gdp, paths.debt, paths.psnb]))))


def zero_rates(data: dict[str, Any]) -> dict[str, Any]:
    """Every interest rate zero and all debt conventional: extra borrowing costs nothing, so
    a rule's headroom can change only through what the rule itself measures."""
    out = copy.deepcopy(data)
    out["interest"] = {
        "maturity": out["interest"]["maturity"],
        "conventional_rate": 0.0,
        "short_rate": 0.0,
        "long_rate": 0.0,
    }
    return out


def all_borrowed(data: dict[str, Any]) -> dict[str, Any]:
    """Extra defence all borrowed and all current spending (no capital share, which would
    move the current balance by the investment part), as in the allies' files."""
    out = copy.deepcopy(data)
    out["funding"] = {"mode": "waterfall", "tax_freeze": True, "sources": []}
    out["defence"].pop("capital_share", None)
    return out


@given(
    data=scenario_dicts(n_years=8),
    kind=st.sampled_from(DEFICIT_RULES + DEBT_RULES),
    z=decimals(0, 4),
)
def test_exemption_removes_exactly_defence_above_the_threshold(
    data: dict[str, Any], kind: str, z: float
) -> None:
    """Defence above z % of GDP is left out of what the rule measures: in flows for the
    deficit rules (headroom rises by max(0, D - zY) that year), cumulated for the debt rules
    (debt falls by the running sum; debt_falling compares two years, each net of its sum).
    Paired: for the deficit rules the change is never negative and is zero in exactly the
    years where defence is at or below the threshold."""
    scn = to_scenario(data)
    paths = simulate(scn)
    plain = evaluate(rule(kind, scn), scn, paths)
    exempt = evaluate(rule(kind, scn, defence_exemption=z / 100), scn, paths)
    above = np.maximum(0.0, paths.defence - z / 100 * paths.gdp)
    gain = exempt.headroom - plain.headroom
    if kind in DEFICIT_RULES:
        assert_allclose(gain, above, rtol=0, atol=tol(paths))
        # Zero where defence is at the threshold: up to rounding, as ``above`` computes
        # D - zY itself (2.6e-19 for D = zY = 1e-4 of GDP, where the rule has exactly 0).
        assert_array_equal(gain > tol(paths), above > tol(paths))
        assert (gain >= 0.0).all()
    elif kind == "debt_ceiling":
        assert_allclose(gain, np.cumsum(above, axis=1), rtol=0, atol=tol(paths))
        assert (gain >= -tol(paths)).all()
    else:  # debt_falling: the ratio change, with both years' debt net of their running sums
        cum = np.cumsum(above, axis=1)
        before = np.concatenate([np.zeros_like(cum[:, :1]), cum[:, :-1]], axis=1)
        gdp_before = np.concatenate([paths.gdp0[:, None], paths.gdp[:, :-1]], axis=1)
        assert_allclose(gain, cum - before * paths.gdp / gdp_before, rtol=0, atol=tol(paths))


@given(
    data=scenario_dicts(
        n_years=8, basis="share", feedback=False, risk_premium=False, sources=False
    ),
    kind=st.sampled_from(("deficit_ceiling", "current_balance", "debt_ceiling")),
    delta=decimals(0.1, 3),
)
def test_borrowed_defence_above_the_exemption_leaves_the_rule_unchanged(
    data: dict[str, Any], kind: str, delta: float
) -> None:
    """Germany's debt brake: with defence above the exempt share in every year, borrowing
    for more defence does not move the rule's headroom (with zero interest rates, so the
    extra borrowing carries no interest, which is not exempt). Paired: without the
    exemption the same rise cuts the headroom by the extra spending."""
    base = zero_rates(all_borrowed(data))
    low, high = to_scenario(base), to_scenario(raise_milestones(base, delta))
    z = max(0.0, float(np.floor(min(low.base_share, float(np.min(low.share))) * 1e4)) / 1e4)
    p_low, p_high = simulate(low), simulate(high)
    spec = rule(kind, low, defence_exemption=z)
    h_low = evaluate(spec, low, p_low).headroom
    h_high = evaluate(spec, high, p_high).headroom
    size = max(tol(p_low), tol(p_high))
    assert_allclose(h_high, h_low, rtol=0, atol=size)

    plain = rule(kind, low)
    drop = evaluate(plain, low, p_low).headroom - evaluate(plain, high, p_high).headroom
    extra = p_high.defence - p_low.defence
    assert_allclose(drop, np.cumsum(extra, axis=1) if kind == "debt_ceiling" else extra, atol=size)


@given(
    data=scenario_dicts(n_years=8),
    kind=st.sampled_from(DEFICIT_RULES),
    limit=decimals(0, 3),
    first=st.integers(0, 7),
    length=st.integers(1, 4),
)
def test_escape_clause_allows_extra_defence_up_to_its_limit_in_its_years(
    data: dict[str, Any], kind: str, limit: float, first: int, length: int
) -> None:
    """The EU national escape clause: in its years the deficit rules allow extra defence
    spending (above the baseline) up to limit % of GDP, so headroom rises by
    min(max(E, 0), limit Y); outside its years nothing changes. Paired: the rise is bounded
    by limit Y and is positive whenever there is extra spending and a positive limit."""
    scn = to_scenario(data)
    paths = simulate(scn)
    years = tuple(int(y) for y in scn.years[first : first + length])
    plain = evaluate(rule(kind, scn), scn, paths)
    esc = evaluate(rule(kind, scn, escape_limit=limit / 100, escape_years=years), scn, paths)
    gain = esc.headroom - plain.headroom
    in_years = np.isin(scn.years, years)[None, :]
    allowed = np.where(
        in_years, np.minimum(np.maximum(paths.extra, 0.0), limit / 100 * paths.gdp), 0.0
    )
    assert_allclose(gain, allowed, rtol=0, atol=tol(paths))
    assert (gain <= limit / 100 * paths.gdp + tol(paths)).all()
    assert_array_equal(gain[:, ~in_years[0]], 0.0)
    assert ((gain > 0) == (in_years & (paths.extra > 0) & (limit > 0))).all()


@given(
    data=scenario_dicts(
        n_years=8, basis="share", feedback=False, risk_premium=False, sources=False
    ),
    delta=decimals(0.1, 1.5),
)
def test_extra_defence_within_the_escape_clause_keeps_the_baseline_verdict(
    data: dict[str, Any], delta: float
) -> None:
    """A borrowing-funded rise in defence of at most the clause's limit, in the clause's
    years, leaves the 3 % deficit rule exactly where the baseline (defence at its baseline
    share) leaves it (zero interest rates, so earlier extra borrowing costs nothing).
    Paired: a rise of more than the limit does lower the headroom in those years."""
    base = zero_rates(all_borrowed(data))
    base["defence"].pop("baseline_share", None)
    s0 = base["defence"]["base_share"]
    base["defence"]["milestones"] = {y: s0 for y in base["defence"]["milestones"]}
    base["defence"]["shape"] = "linear"
    flat = to_scenario(base)
    up = to_scenario(raise_milestones(base, delta))
    years = tuple(int(y) for y in flat.years)
    p_flat, p_up = simulate(flat), simulate(up)
    extra = float(np.max(p_up.extra / p_up.gdp))
    assert extra <= delta / 100 + 1e-12
    spec = rule("deficit_ceiling", flat, escape_limit=0.015, escape_years=years)
    h_flat = evaluate(spec, flat, p_flat).headroom
    h_up = evaluate(spec, up, p_up).headroom
    size = max(tol(p_flat), tol(p_up))
    assert_allclose(h_up, h_flat, rtol=0, atol=size)

    tight = replace(spec, escape_limit=extra / 2)
    shortfall = evaluate(tight, flat, p_flat).headroom - evaluate(tight, up, p_up).headroom
    assert_allclose(
        shortfall, np.maximum(0.0, p_up.extra - extra / 2 * p_up.gdp), rtol=0, atol=size
    )


@given(data=scenario_dicts(n_years=6), k=st.sampled_from((0.001, 0.37, 7.5, 1000.0)))
def test_rule_verdicts_do_not_depend_on_the_currency_unit(data: dict[str, Any], k: float) -> None:
    """Scaling every currency level by k (a scenario in PLN instead of EUR, say) scales each
    rule's headroom by k and leaves its measured ratio and verdict unchanged, so the allies'
    rule checks compare across currencies. Paired: the headroom does scale (it is not a
    ratio in disguise) wherever it is non-zero."""
    data["rules"] = [
        {"name": "EU deficit 3 %", "type": "deficit_ceiling", "limit": 3},
        {"name": "EU debt 60 %", "type": "debt_ceiling", "limit": 60, "defence_exemption": 1},
        {
            "name": "deficit with escape",
            "type": "deficit_ceiling",
            "limit": 0.35,
            "defence_exemption": 1,
            "escape_clause": {"limit": 1.5, "years": [data["years"]["base"] + 1]},
        },
    ]
    one, scaled = to_scenario(data), to_scenario(scale_currency(data, k))
    p1, pk = simulate(one), simulate(scaled)
    for spec1, speck in zip(one.rules, scaled.rules, strict=True):
        r1, rk = evaluate(spec1, one, p1), evaluate(speck, scaled, pk)
        assert_allclose(rk.headroom, k * r1.headroom, rtol=1e-9, atol=k * tol(p1))
        assert_allclose(rk.measured, r1.measured, rtol=1e-9, atol=1e-12)
        clear = np.abs(r1.headroom) > 1e3 * tol(p1)  # verdicts away from a rounding tie
        assert_array_equal(rk.passed[clear], r1.passed[clear])
