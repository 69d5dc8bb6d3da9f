"""Numeric edge cases: extreme but valid inputs run and keep the model's invariants; a
diverging scenario stops with the year it diverges, never a NaN, an infinity or a number
beyond meaning in any output.

Each case is tests/fixtures/small.yaml (base 2024, horizon 2030, debt 90 % of GDP, rates 3
and 4 %, growth 1.5 % real and 2 % inflation) changed by ``--set``-style overrides, so the
overrides go through the same validation as a file.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from budgetsim import DivergenceError, Result, Scenario, run, simulate
from budgetsim.input.files import load_file
from budgetsim.model.guard import MAX_DEBT_RATIO
from tests.conftest import ROOT

SMALL = ROOT / "tests" / "fixtures" / "small.yaml"


def load(*overrides: str) -> Scenario:
    return load_file(SMALL, overrides)


def assert_invariants(scn: Scenario, res: Result) -> None:
    """docs/model.md invariants 1 and 2, every series finite, the share path met on this basis."""
    for name, values in res.series.items():
        assert np.isfinite(values).all(), name
    p = simulate(scn)
    before = np.concatenate([p.debt0[:, None], p.debt[:, :-1]], axis=1)
    size = float(np.max(np.abs(np.concatenate([p.debt, before, p.psnb], axis=1))))
    assert_allclose(p.debt - before, p.psnb + p.sfa, rtol=1e-9, atol=1e-12 * size)
    assert_allclose(p.cuts + p.tax + p.borrowing_for_defence, p.extra, rtol=1e-9, atol=1e-9)
    assert_allclose(res.series["defence_pct_gdp"], scn.share * 100.0, rtol=1e-9, atol=1e-12)
    assert len(res.years) == scn.horizon - scn.base_year


EXTREMES = {
    "0% target": ("defence.milestones={2030: 0}",),
    "100% target": ("defence.milestones={2030: 100}",),
    "1-year horizon": ("years.horizon=2025", "defence.milestones={2025: 3}"),
    "100-year horizon": ("years.horizon=2124",),
    "200-year horizon": ("years.horizon=2224",),
    "zero debt": ("finances.debt=0", "finances.psnb=0"),
    "negative debt": ("finances.debt=-200", "finances.psnb=-10"),
    "negative rates": (
        "interest.short_rate=-1",
        "interest.long_rate=-0.5",
        "interest.conventional_rate=-0.5",
    ),
    "zero growth and prices": ("economy.real_growth=0", "economy.deflator=0"),
    "falling prices": ("economy.deflator=-5",),
}


@pytest.mark.parametrize("overrides", EXTREMES.values(), ids=EXTREMES.keys())
def test_extreme_valid_inputs_run_and_keep_invariants(overrides: tuple[str, ...]) -> None:
    scn = load(*overrides)
    assert_invariants(scn, run(scn))


def test_zero_target_spends_nothing_in_the_target_year() -> None:
    res = run(load("defence.milestones={2030: 0}"))
    assert res.series["defence"][-1] == 0.0
    assert res.summary.target_met is True
    # Less than the baseline: the saving is negative extra spending, none of it funded.
    assert res.series["extra_defence"][-1] < 0.0
    assert res.summary.cumulative_cuts == 0.0


def test_hundred_percent_target_borrows_all_of_it() -> None:
    res = run(load("defence.milestones={2030: 100}"))
    assert res.summary.defence_pct_gdp_in_target_year == pytest.approx(100.0)
    assert res.summary.target_met is True
    borrowed = res.series["borrowing_for_defence"]
    assert_allclose(borrowed, res.series["extra_defence"])  # no funding source given


def test_one_year_horizon_has_one_row() -> None:
    res = run(load("years.horizon=2025", "defence.milestones={2025: 3}"))
    assert res.years == (2025,)
    assert res.summary.defence_pct_gdp_in_target_year == pytest.approx(3.0)


def test_zero_debt_pays_no_interest_in_the_first_year() -> None:
    res = run(load("finances.debt=0", "finances.psnb=0"))
    assert res.series["interest"][0] == 0.0
    assert res.series["interest"][1] > 0.0  # the first year's borrowing pays interest after


def test_negative_rates_lower_debt_service() -> None:
    low = run(
        load("interest.short_rate=-1", "interest.long_rate=-1", "interest.conventional_rate=-1")
    )
    assert (np.asarray(low.series["interest"]) < 0.0).all()


# --- divergence ------------------------------------------------------------------------------

EXPLODING = (
    "interest.short_rate=100",
    "interest.long_rate=100",
    "interest.conventional_rate=100",
    "economy.real_growth=-50",
)


def test_exploding_debt_reports_the_year_it_diverges() -> None:
    scn = load(*EXPLODING)
    with pytest.raises(DivergenceError) as info:
        run(scn)
    assert info.value.year == 2028
    message = str(info.value)
    assert message.startswith("debt passes 10000 % of GDP in 2028-29: the scenario diverges")
    # The year named is the first in which the ratio is past the limit, not later.
    with np.errstate(all="ignore"):
        p = simulate(scn)
    ratio = np.abs(p.debt[0] / p.gdp[0])
    assert ratio[scn.years.tolist().index(2027)] <= MAX_DEBT_RATIO < ratio[2028 - 2025]


def test_divergence_in_the_last_year_still_counts() -> None:
    """Horizon 2028: the limit is passed in the horizon year itself."""
    with pytest.raises(DivergenceError) as info:
        run(load(*EXPLODING, "years.horizon=2028", "defence.milestones={2028: 3}"))
    assert info.value.year == 2028


def test_no_divergence_a_year_before() -> None:
    res = run(load(*EXPLODING, "years.horizon=2027", "defence.milestones={2027: 3}"))
    assert np.isfinite(res.series["debt_pct_gdp"]).all()
    assert res.series["debt_pct_gdp"][-1] < MAX_DEBT_RATIO * 100.0


def test_risk_premium_spiral_is_caught_before_overflow() -> None:
    with pytest.raises(DivergenceError) as info:
        run(load("interest.risk_premium={slope: 1, threshold: 0}", "years.horizon=2224"))
    assert info.value.year is not None
    assert 2025 <= info.value.year <= 2224


def test_feedback_that_drives_gdp_below_zero_is_refused() -> None:
    with pytest.raises(DivergenceError) as info:
        run(
            load(
                "economy.feedback={persistence: 1, cuts_multiplier: 5}",
                "funding.sources=[{name: all}]",
                "defence.milestones={2030: 100}",
            )
        )
    assert info.value.year == 2027
    assert "GDP falls to zero or below in 2027" in str(info.value)
