"""The Scenario's changed copies (retargeted, share paths, exact amounts) and the shock
model's factor (sim/model/scenario.py), on tests/fixtures/small.yaml (base 2024, horizon
2030, defence from 2 % of GDP to 3 % in 2030)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from budgetsim.input.files import load_file
from budgetsim.model.engine import simulate
from budgetsim.model.scenario import Scenario, ShockModel
from tests.conftest import ROOT

SMALL = ROOT / "tests" / "fixtures" / "small.yaml"


def cash(*overrides: str) -> Scenario:
    """small.yaml on the cash basis: defence 20 a year, whatever the share path says."""
    return load_file(SMALL, ["defence.basis=cash", "defence.cash=20", *overrides])


def test_with_target_moves_a_cash_scenario_to_the_share_basis() -> None:
    """Retargeting sets the share path and defence follows it: on a cash scenario too."""
    scn = cash("defence.milestones={2027: 2.5, 2030: 3}").with_target(2029, 4.0)
    assert scn.basis == "share"
    assert scn.milestones == ((2027, 0.025), (2029, 0.04))
    out = simulate(scn)
    assert_allclose(out.defence[0] / out.gdp[0], scn.share, rtol=1e-12)
    assert out.defence[0, -1] / out.gdp[0, -1] == pytest.approx(0.04, rel=1e-12)


def test_with_share_paths_moves_a_cash_scenario_to_the_share_basis() -> None:
    shares = np.array([np.full(6, 0.02), np.linspace(0.02, 0.05, 6)])
    scn = cash().with_share_paths(shares)
    assert scn.basis == "share"
    out = simulate(scn)
    assert_allclose(out.defence / out.gdp, shares, rtol=1e-12)


def test_with_milestones_gives_a_read_only_share_path() -> None:
    """The Scenario is frozen, and so is the share path it carries: writing to it fails
    instead of changing every later run that shares the array."""
    scn = load_file(SMALL).with_milestones([(2026, 0.025), (2030, 0.03)])
    assert scn.share[1] == pytest.approx(0.025, rel=1e-12)
    with pytest.raises(ValueError, match="read-only"):
        scn.share[0] = 0.5


def test_with_amounts_sets_the_named_sources_and_keeps_the_others() -> None:
    scn = load_file(SMALL, ["funding.sources=[{name: a, cap: 3}, {name: b, cap: 4}]"])
    a, b = scn.pools
    amounts = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    new = scn.with_amounts({"b": amounts})
    assert new.pools[0] is a
    assert new.pools[1].amount is not None
    assert_array_equal(new.pools[1].amount, amounts)
    assert new.pools[1].cap_cash is b.cap_cash
    assert_array_equal(simulate(new).pools[1, 0], amounts)


def test_with_amounts_refuses_a_source_the_scenario_does_not_have() -> None:
    """An unknown name is an error, not silently dropped; the first in alphabetical order is
    named."""
    scn = load_file(SMALL, ["funding.sources=[{name: a}]"])
    with pytest.raises(KeyError, match=r"^\"no funding source named 'c'\"$"):
        scn.with_amounts({"a": [1.0] * 6, "d": [1.0] * 6, "c": [1.0] * 6})
    with pytest.raises(KeyError, match=r"^\"no funding source named 'x'\"$"):
        scn.with_amounts({"x": [1.0] * 6})


@pytest.mark.parametrize(
    "corr",
    [
        [[1.0, 0.3, -0.2], [0.3, 1.0, 0.5], [-0.2, 0.5, 1.0]],
        # singular (the first and third shocks are one); numpy finds an eigenvalue of about
        # -1e-16 for it, which the factor must treat as zero
        [[1.0, 0.5, 1.0], [0.5, 1.0, 0.5], [1.0, 0.5, 1.0]],
    ],
)
def test_the_shock_factor_reproduces_the_covariance(corr: list[list[float]]) -> None:
    """F F' = diag(sd) corr diag(sd), for a regular and a singular correlation matrix."""
    sd = np.array([0.01, 0.02, 0.005])
    model = ShockModel(sd=sd, corr=np.array(corr), persistence=np.zeros(3))
    f = model.factor()
    assert f.shape == (3, 3)
    assert np.isfinite(f).all()
    assert_allclose(f @ f.T, np.outer(sd, sd) * np.array(corr), rtol=0, atol=1e-15)
