"""The fiscal rules on hand-made paths: each rule type, exemption and escape clause checked
against numbers worked out by hand (three years, GDP 1000 a year, batch of two rows where
the second differs), so every comparison, sign and limit in sim/rules.py is pinned."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from budgetsim.model.engine import Paths
from budgetsim.model.rules import evaluate, evaluate_all
from budgetsim.model.scenario import RuleSpec, Scenario

YEARS = np.array([2025, 2026, 2027])


def paths(**given: Any) -> Paths:
    """Paths of shape (2, 3); GDP 1000 every year; anything not given is zero. A series the
    engine derives on first read (current_balance, say) is given by filling its cache."""
    shape = (2, 3)
    fields: dict[str, Any] = {name: np.zeros(shape) for name in Paths.__dataclass_fields__}
    fields["pools"] = np.zeros((0, *shape))
    fields["gdp"] = np.full(shape, 1000.0)
    fields["gdp0"] = np.full(2, 1000.0)
    fields["debt0"] = np.full(2, 800.0)
    fields["receipts"] = np.full(shape, 400.0)
    fields["scenario"] = SimpleNamespace(years=YEARS)
    derived: dict[str, Any] = {}
    for name, value in given.items():
        target = fields if name in fields else derived
        size = fields[name].shape if name in fields else shape
        target[name] = np.broadcast_to(np.asarray(value, dtype=float), size).copy()
    out = Paths(**fields)
    out.__dict__.update(derived)
    return out


def scenario(*rules: RuleSpec) -> Scenario:
    return cast(Scenario, SimpleNamespace(years=YEARS, rules=rules))


def rule(
    type_: str,
    limit: float | None = None,
    years: tuple[int, ...] = (2025, 2026, 2027),
    exemption: float | None = None,
    escape: float = 0.0,
    escape_years: tuple[int, ...] = (),
) -> RuleSpec:
    return RuleSpec("r", type_, years, limit, exemption, escape, escape_years)


def test_deficit_ceiling_headroom_and_edge() -> None:
    # PSNB 30, 40, 50 against a 4 % limit (40): passes, exactly at the limit, fails.
    p = paths(psnb=[[30, 40, 50], [30, 40, 50]])
    out = evaluate(rule("deficit_ceiling", 0.04), scenario(), p)
    assert_allclose(out.headroom[0], [10, 0, -10])
    assert_array_equal(out.passed[0], [True, True, False])
    assert_allclose(out.measured[0], [0.03, 0.04, 0.05])
    assert out.limit == 0.04
    assert_array_equal(out.all_passed, [False, False])


def test_deficit_ceiling_defence_exemption() -> None:
    # Defence 30 (3 % of GDP), exempt above 2 %: 10 taken out of the deficit of 50.
    p = paths(psnb=50, defence=30)
    out = evaluate(rule("deficit_ceiling", 0.04, exemption=0.02), scenario(), p)
    assert_allclose(out.headroom[0], [0, 0, 0])
    assert out.passed.all()
    # Defence below the exemption threshold: nothing is exempt (not a negative exemption).
    low = evaluate(rule("deficit_ceiling", 0.04, exemption=0.05), scenario(), p)
    assert_allclose(low.headroom[0], [-10, -10, -10])


def test_escape_clause_in_its_years_up_to_its_limit() -> None:
    # Extra defence 15 a year; clause up to 1 % of GDP (10) in 2026 only.
    p = paths(psnb=50, extra=15)
    out = evaluate(rule("deficit_ceiling", 0.04, escape=0.01, escape_years=(2026,)), scenario(), p)
    assert_allclose(out.headroom[0], [-10, 0, -10])
    # Extra spending below the clause's limit: only the extra spending is allowed.
    small = paths(psnb=50, extra=4)
    out = evaluate(
        rule("deficit_ceiling", 0.04, escape=0.01, escape_years=(2026,)), scenario(), small
    )
    assert_allclose(out.headroom[0], [-10, -6, -10])
    # Negative extra spending (a cut to defence) earns no room.
    cut = paths(psnb=50, extra=-20)
    out = evaluate(
        rule("deficit_ceiling", 0.04, escape=0.01, escape_years=(2026,)), scenario(), cut
    )
    assert_allclose(out.headroom[0], [-10, -10, -10])


def test_current_balance() -> None:
    p = paths(current_balance=[[5, 0, -5], [1, 1, 1]], defence=[[0, 0, 30], [0, 0, 0]])
    out = evaluate(rule("current_balance"), scenario(), p)
    assert_allclose(out.headroom, [[5, 0, -5], [1, 1, 1]])
    assert_array_equal(out.passed, [[True, True, False], [True, True, True]])
    assert_allclose(out.measured[0], [0.005, 0, -0.005])
    assert_array_equal(out.all_passed, [False, True])
    exempt = evaluate(rule("current_balance", exemption=0.02), scenario(), p)
    assert_allclose(exempt.headroom[0], [5, 0, 5])  # 30 - 20 exempt in 2027


def test_current_balance_escape_clause_adds_room() -> None:
    # Balance -8; extra defence 15, clause up to 1 % of GDP (10) in 2026: +2 there.
    p = paths(current_balance=-8, extra=15)
    out = evaluate(rule("current_balance", escape=0.01, escape_years=(2026,)), scenario(), p)
    assert_allclose(out.headroom[0], [-8, 2, -8])
    assert_array_equal(out.passed[0], [False, True, False])


def test_a_zero_escape_limit_allows_nothing() -> None:
    p = paths(psnb=50, extra=15)
    out = evaluate(rule("deficit_ceiling", 0.04, escape=0.0, escape_years=(2026,)), scenario(), p)
    assert_allclose(out.headroom[0], [-10, -10, -10])


def test_debt_ceiling_with_cumulated_exemption() -> None:
    p = paths(debt=[[850, 900, 950], [850, 900, 950]], defence=30)
    out = evaluate(rule("debt_ceiling", 0.9), scenario(), p)
    assert_allclose(out.headroom[0], [50, 0, -50])
    assert_array_equal(out.passed[0], [True, True, False])
    assert_allclose(out.measured[0], [0.85, 0.9, 0.95])
    # 10 a year exempt (defence 30 above 2 % of GDP), cumulated: 10, 20, 30.
    ex = evaluate(rule("debt_ceiling", 0.9, exemption=0.02), scenario(), p)
    assert_allclose(ex.headroom[0], [60, 20, -20])


def test_debt_falling_compares_with_the_year_before() -> None:
    # Debt ratio 0.8 in the base year, then 0.79, 0.79, 0.80: falls, flat (fails), rises.
    p = paths(debt=[[790, 790, 800], [790, 790, 800]])
    out = evaluate(rule("debt_falling"), scenario(), p)
    assert_allclose(out.headroom[0], [10, 0, -10])
    assert_array_equal(out.passed[0], [True, False, False])
    assert_allclose(out.measured[0], [0.79, 0.79, 0.8])
    # A fall of half a unit of currency still counts as falling.
    tiny = evaluate(rule("debt_falling"), scenario(), paths(debt=799.5))
    assert_allclose(tiny.headroom[0], [0.5, 0, 0])
    assert_array_equal(tiny.passed[0], [True, False, False])
    # Second row: different base-year debt.
    p2 = paths(debt=[[790, 790, 800]], debt0=[800.0, 780.0])
    out2 = evaluate(rule("debt_falling"), scenario(), p2)
    assert_allclose(out2.headroom[1], [-10, 0, -10])


def test_debt_falling_compares_with_the_year_just_before() -> None:
    # Debt ratio 0.8 in the base year, then 0.79, 0.78, 0.785: each year against the one
    # just before it (not two years back, not the year itself).
    p = paths(debt=[[790, 780, 785], [790, 780, 785]])
    out = evaluate(rule("debt_falling"), scenario(), p)
    assert_allclose(out.headroom[0], [10, 10, -5])
    assert_array_equal(out.passed[0], [True, True, False])
    # Only the later years: still compared with the year before each.
    late = evaluate(rule("debt_falling", years=(2026, 2027)), scenario(), p)
    assert_allclose(late.headroom[0], [10, -5])


def test_interest_ceiling() -> None:
    p = paths(interest=[[30, 40, 50], [0, 0, 0]])
    out = evaluate(rule("interest_ceiling", 0.1), scenario(), p)
    assert_allclose(out.headroom[0], [10, 0, -10])
    assert_array_equal(out.passed[0], [True, True, False])
    assert_allclose(out.measured[0], [0.075, 0.1, 0.125])


def test_rule_years_select_columns() -> None:
    p = paths(psnb=[[30, 40, 50], [30, 40, 50]])
    out = evaluate(rule("deficit_ceiling", 0.04, years=(2027,)), scenario(), p)
    assert out.years == (2027,)
    assert_allclose(out.headroom, [[-10], [-10]])
    out = evaluate(rule("deficit_ceiling", 0.04, years=(2025, 2026)), scenario(), p)
    assert_allclose(out.headroom[0], [10, 0])
    assert out.all_passed.tolist() == [True, True]


def test_evaluate_all_keeps_order_and_names() -> None:
    a = RuleSpec("a", "current_balance", (2025,), None, None, 0.0, ())
    b = RuleSpec("b", "interest_ceiling", (2026,), 0.1, None, 0.0, ())
    outs = evaluate_all(scenario(a, b), paths(current_balance=0))
    assert [o.name for o in outs] == ["a", "b"]
    assert [o.type for o in outs] == ["current_balance", "interest_ceiling"]


def test_unknown_rule_type_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown rule type 'nope'"):
        evaluate(rule("nope"), scenario(), paths())
