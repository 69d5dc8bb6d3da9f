"""Golden test: the UK baseline reproduces OBR's March 2025 forecast.

Source: OBR Economic and fiscal outlook, March 2025, as copied in ../shared/DATA.md
section 1a (PSNB: 2025-26 and 2029-30 S, middle years S3; PSND: 2029-30 S, others S3;
current budget balance 2029-30 +9.9bn S). Tolerances are those issue #2 sets: PSNB within
5 % of the cash figure and PSND within 1 point of GDP, every year 2025-26 to 2029-30.
"""

from __future__ import annotations

import pytest

from budgetsim import Result, run
from budgetsim.input.files import load_file
from tests.conftest import SCENARIOS

YEARS = (2025, 2026, 2027, 2028, 2029)
OBR_PSNB = (117.7, 97.2, 80.2, 77.4, 74.0)  # GBP bn
OBR_PSND_PCT = (95.1, 95.8, 96.1, 96.3, 96.1)  # % of GDP
OBR_INTEREST = (111.2, 111.4, 117.9, 124.2, 131.6)  # GBP bn
OBR_CURRENT_BALANCE_2029 = 9.9  # GBP bn, headroom against the stability rule (S)


@pytest.fixture(scope="module")
def baseline() -> Result:
    return run(load_file(SCENARIOS / "uk_baseline.yaml"))


@pytest.mark.parametrize(("year", "obr"), list(zip(YEARS, OBR_PSNB, strict=True)))
def test_psnb_within_5_percent(baseline: Result, year: int, obr: float) -> None:
    got = baseline.row("psnb")[baseline.years.index(year)]
    assert abs(got - obr) <= 0.05 * obr, f"{year}: model {got:.1f} vs OBR {obr}"


@pytest.mark.parametrize(("year", "obr"), list(zip(YEARS, OBR_PSND_PCT, strict=True)))
def test_psnd_within_1_point(baseline: Result, year: int, obr: float) -> None:
    got = baseline.row("debt_pct_gdp")[baseline.years.index(year)]
    assert abs(got - obr) <= 1.0, f"{year}: model {got:.2f} % vs OBR {obr} %"


@pytest.mark.parametrize(("year", "obr"), list(zip(YEARS, OBR_INTEREST, strict=True)))
def test_interest_block_tracks_obr(baseline: Result, year: int, obr: float) -> None:
    """The interest block (floating, index-linked, conventional rolling over) with the two
    fitted parameters stays within GBP 1bn of OBR's debt interest each year."""
    got = baseline.row("interest")[baseline.years.index(year)]
    assert abs(got - obr) <= 1.0, f"{year}: model {got:.1f} vs OBR {obr}"


def test_stability_rule_headroom(baseline: Result) -> None:
    """OBR: current budget surplus of GBP 9.9bn in 2029-30 (S); the model within 1bn."""
    rule = next(r for r in baseline.rules if r.type == "current_balance")
    assert rule.years == (2029,)
    assert rule.passed[0]
    assert abs(float(rule.headroom[0]) - OBR_CURRENT_BALANCE_2029) <= 1.0


def test_uk_2030_costs_more_than_the_baseline(baseline: Result) -> None:
    """The government's path adds spending, cuts aid by at most 0.2 % of GDP and borrows
    the rest: debt ends above the baseline and the aid pool never exceeds its cap."""
    policy = run(load_file(SCENARIOS / "uk_2030.yaml"))
    assert policy.summary.target_met is True
    assert policy.summary.extra_debt_at_horizon > 0
    aid = policy.sources["overseas_aid"]
    cap = 0.002 * policy.series["gdp"]
    assert (aid <= cap + 1e-9).all()
    assert aid[policy.years.index(2029)] == pytest.approx(cap[policy.years.index(2029)])
