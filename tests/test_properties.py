"""Property tests of the model's invariants (docs/model.md, "Invariants worth property-testing",
numbers 1-9 and 11) over generated scenarios.

Every example is a scenario mapping built by :mod:`tests.strategies` and loaded through the
real loader, so validation is exercised too. Tolerances are tight (rtol 1e-9 or better, or
exact equality where the computation is the same); where one is looser, or has an absolute
part, the test says why. Each property is paired with a check that a trivial implementation
(everything zero, a constant path, a source that never takes anything) would fail.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from numpy.typing import NDArray

from budgetsim import Paths, Result, Scenario, ScenarioError, run, simulate
from budgetsim.model.result import OPTIONAL_SERIES, SERIES_UNITS
from tests.strategies import (
    SHAPES,
    Mode,
    Shape,
    component_dicts,
    decimals,
    funded_by_uncapped_tax,
    horizon_pairs,
    raise_milestones,
    scale_currency,
    scenario_dicts,
    shift_paths,
    steady_state_dicts,
    to_scenario,
)

FloatArray = NDArray[np.float64]

RATIO_SERIES = tuple(
    name
    for name, unit in SERIES_UNITS.items()
    if unit.startswith("%") and name not in OPTIONAL_SERIES
)
CURRENCY_SERIES = tuple(
    name
    for name, unit in SERIES_UNITS.items()
    if unit.startswith("currency") and name not in OPTIONAL_SERIES
)
RATE_PATHS = (
    ("interest", "short_rate"),
    ("interest", "long_rate"),
    ("interest", "real_index_linked_rate"),
    ("interest", "index_inflation"),
)


def debt_before(paths: Paths) -> FloatArray:
    """B_{t-1} for every year t: the base-year debt, then the debt path shifted by one."""
    return np.concatenate([paths.debt0[:, None], paths.debt[:, :-1]], axis=1)


def debt_ratio(res: Result) -> FloatArray:
    return res.series["debt"] / res.series["gdp"]


def pool_caps(scn: Scenario, paths: Paths) -> list[FloatArray]:
    """Each pool's cap per (batch, year) in currency: cash, % of GDP times GDP, or none."""
    caps = []
    for pool in scn.pools:
        if pool.cap_cash is not None:
            caps.append(np.broadcast_to(pool.cap_cash, paths.gdp.shape))
        elif pool.cap_gdp is not None:
            caps.append(pool.cap_gdp * paths.gdp)
        else:
            caps.append(np.full(paths.gdp.shape, np.inf))
    return caps


# -- 1 --------------------------------------------------------------------------------------


@given(data=scenario_dicts(), offsets=st.lists(decimals(-1, 1), min_size=1, max_size=3))
def test_inv1_debt_moves_by_borrowing_plus_sfa(data: dict[str, Any], offsets: list[float]) -> None:
    """Invariant 1: B_t - B_{t-1} = PSNB_t + SFA_t in every year and every batch row.

    Holds unconditionally (any basis, funding, feedback, risk premium, debt of either sign).
    The batch rows shift real growth and the long rate by up to a point either way (as Monte
    Carlo draws do). Tolerance: rtol 1e-9 plus an absolute 1e-12 of the largest of |B|,
    |PSNB| and |SFA|, the rounding of one addition of those sizes.
    Paired checks: PSNB is built from its parts (D + O + I - R, with R = rho Y + T and
    O = omega Y - C), not backed out of the debt path; row 0 (no shift) is the deterministic
    run; the debt change telescopes to the sum of PSNB + SFA.
    """
    scn = to_scenario(data)
    shift = np.array([0.0, *offsets])[:, None] / 100.0
    batch = replace(scn, real_growth=scn.real_growth + shift, long_rate=scn.long_rate + shift)
    p = simulate(batch)
    before = debt_before(p)
    size = float(np.max(np.abs(np.concatenate([p.debt, before, p.psnb, p.sfa], axis=1))))
    assert_allclose(p.debt - before, p.psnb + p.sfa, rtol=1e-9, atol=1e-12 * size)
    assert_allclose(
        p.debt[:, -1] - p.debt0,
        (p.psnb + p.sfa).sum(axis=1),
        rtol=1e-9,
        atol=1e-12 * scn.n_years * size,
    )

    flows = p.defence + p.other_spending + p.interest - p.receipts
    assert_allclose(p.psnb, flows, rtol=1e-12, atol=1e-12 * size)
    assert_allclose(p.receipts, batch.receipts * p.gdp + p.tax, rtol=1e-12)
    assert_allclose(
        p.other_spending, batch.other_spending * p.gdp - p.cuts, rtol=1e-12, atol=1e-12 * size
    )
    assert_allclose(p.sfa, np.broadcast_to(scn.sfa, p.sfa.shape), rtol=0, atol=0)

    res = run(scn)
    for name, series in (("debt", p.debt), ("psnb", p.psnb), ("gdp", p.gdp)):
        assert_array_equal(res.series[name], series[0])


# -- 2 --------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["waterfall", "shares"])
@given(draw=st.data())
def test_inv2_sources_sum_to_extra_within_caps(mode: Mode, draw: st.DataObject) -> None:
    """Invariant 2: for E_t >= 0, C_t + T_t + F_t = E_t, each source >= 0 and within its cap
    (and when E_t < 0 no source is drawn: the saving all reduces borrowing, F_t = E_t).

    Holds for every scenario: both modes, caps in cash and in % of GDP, tax sources when the
    freeze is lifted, feedback on or off, either basis. Tolerance: rtol 1e-12 with an
    absolute 1e-12 of GDP, the rounding of the subtractions that give F.
    Paired checks, from the funding rule itself, so a source that never takes anything
    fails: in waterfall mode pool k takes min(cap_k, what the earlier pools left); in shares
    mode min(share_k E, cap_k); pools of kind cuts add up to C and of kind tax to T. Run
    once per mode, with at least one source.
    """
    scn = to_scenario(draw.draw(scenario_dicts(mode=mode, min_sources=1)))
    p = simulate(scn)
    tol = 1e-12 * p.gdp
    e, c, t, f = p.extra, p.cuts, p.tax, p.borrowing_for_defence
    pos = e >= 0.0

    assert np.all(c >= 0.0)
    assert np.all(t >= 0.0)
    assert np.all(p.pools >= 0.0)
    assert_allclose((c + t + f)[pos], e[pos], rtol=1e-12, atol=float(tol.max()))
    assert np.all(f[pos] >= -tol[pos])
    assert np.all(c[~pos] == 0.0)
    assert np.all(t[~pos] == 0.0)
    assert_array_equal(f[~pos], e[~pos])

    caps = pool_caps(scn, p)
    is_tax = np.array([pool.kind == "tax" for pool in scn.pools], dtype=bool)
    assert_allclose(p.pools[~is_tax].sum(axis=0), c, rtol=1e-12, atol=float(tol.max()))
    assert_allclose(p.pools[is_tax].sum(axis=0), t, rtol=1e-12, atol=float(tol.max()))
    need = np.maximum(e, 0.0)
    left = need.copy()
    for k, pool in enumerate(scn.pools):
        take = p.pools[k]
        assert np.all(take <= caps[k] * (1 + 1e-12))
        if scn.mode == "waterfall":
            expected = np.minimum(caps[k], left)
        else:
            assert pool.share is not None
            expected = np.minimum(pool.share * need, caps[k])
        assert_allclose(take, expected, rtol=1e-12, atol=float(tol.max()))
        if scn.mode == "waterfall" and k == 0:
            # generous cap, something to fund: the first pool must take something
            assert np.all(take[(need > tol) & (caps[k] > tol)] > 0.0)
        left = left - take


# -- 3 --------------------------------------------------------------------------------------


@given(data=scenario_dicts(tax=False))
def test_inv3_tax_freeze_keeps_receipts_at_baseline_ratio(data: dict[str, Any]) -> None:
    """Invariant 3: under a tax freeze T_t = 0 and receipts / GDP = rho_t, every year.

    Holds for every scenario with ``tax_freeze: true`` (the strategy then draws cuts
    sources only), with feedback on or off (GDP moves, the ratio does not). rtol 1e-12: the
    ratio is rho Y / Y.
    Paired checks: a tax source under the freeze is rejected with an error naming the
    freeze; with the freeze lifted and an uncapped tax source the tax rise is exactly the
    extra spending and receipts / GDP rises to rho + E/Y (strictly above rho where E > 0).
    """
    scn = to_scenario(data)
    assert scn.tax_freeze
    res = run(scn)
    assert np.all(res.series["tax_rise"] == 0.0)
    assert_allclose(res.series["receipts"] / res.series["gdp"], scn.receipts, rtol=1e-12)

    smuggled = copy.deepcopy(data)
    smuggled["funding"]["sources"].append({"name": "hidden_tax", "kind": "tax"})
    with pytest.raises(ScenarioError, match="tax_freeze"):
        to_scenario(smuggled)

    lifted = to_scenario(funded_by_uncapped_tax(data))
    out = run(lifted)
    e, y = out.series["extra_defence"], out.series["gdp"]
    assert_allclose(out.series["tax_rise"], np.maximum(e, 0.0), rtol=1e-12)
    ratio = out.series["receipts"] / y
    assert_allclose(ratio, lifted.receipts + np.maximum(e, 0.0) / y, rtol=1e-12)
    rising = e > 1e-12 * y
    assert np.all(ratio[rising] > np.broadcast_to(lifted.receipts, ratio.shape)[rising])


# -- 4 --------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
@given(draw=st.data())
def test_inv4_milestones_met_exactly(shape: Shape, draw: st.DataObject) -> None:
    """Invariant 4: a feasible path meets each milestone share exactly in its year.

    On the share basis every path the loader accepts is feasible (the share path is set by
    the milestones; on the cash basis the share is whatever the cash buys, so the invariant
    does not apply). Holds with feedback (D = s Y whatever Y is) and any funding.
    Tolerance rtol 1e-12 (atol 1e-12 points for a zero share): D / Y * 100 against the
    milestone.
    Paired checks on the path between milestones, so a path that jumps straight to the
    target fails: the share lies between the neighbouring milestones; linear is the straight
    line; step holds the previous level until the milestone year; back-loaded lies on or
    below the line and front-loaded on or above it (for a rising segment, the reverse for a
    falling one), each exactly on its documented curve (x^k, 1-(1-x)^k); after the last
    milestone the share is held; the summary reports the target met. Run once per shape.
    """
    data = draw.draw(scenario_dicts(basis="share", shape=shape))
    scn = to_scenario(data)
    res = run(scn)
    share = res.series["defence_pct_gdp"]
    years = [int(y) for y in scn.years]
    ms = sorted(data["defence"]["milestones"].items())
    for year, value in ms:
        assert_allclose(share[years.index(year)], value, rtol=1e-12, atol=1e-12)
    assert res.summary.target_met is True
    assert res.summary.defence_pct_gdp_in_target_year is not None
    assert_allclose(res.summary.defence_pct_gdp_in_target_year, ms[-1][1], rtol=1e-12, atol=1e-12)

    power = data["defence"].get("shape_power", 2.0)
    knots = [(scn.base_year, data["defence"]["base_share"]), *ms]
    eps = 1e-12
    for i, year in enumerate(years):
        got = share[i]
        if year > ms[-1][0]:
            assert_allclose(got, ms[-1][1], rtol=1e-12, atol=1e-12)
            continue
        j = next(j for j in range(1, len(knots)) if knots[j - 1][0] < year <= knots[j][0])
        (y0, v0), (y1, v1) = knots[j - 1], knots[j]
        lo, hi = min(v0, v1), max(v0, v1)
        assert lo - eps <= got <= hi + eps
        x = (year - y0) / (y1 - y0)
        line = v0 + (v1 - v0) * x
        if shape == "linear":
            assert_allclose(got, line, rtol=1e-12, atol=1e-12)
        elif shape == "step" and year < y1:
            assert_allclose(got, v0, rtol=1e-12, atol=1e-12)
        elif shape == "back":
            assert (got - line) * np.sign(v1 - v0) <= eps
            assert_allclose(got, v0 + (v1 - v0) * x**power, rtol=1e-12, atol=1e-12)
        elif shape == "front":
            assert (got - line) * np.sign(v1 - v0) >= -eps
            assert_allclose(got, v0 + (v1 - v0) * (1 - (1 - x) ** power), rtol=1e-12, atol=1e-12)


# -- 5 --------------------------------------------------------------------------------------


@given(data=scenario_dicts(basis="share", baseline_share=False), delta=decimals(0.01, 2))
def test_inv5_target_at_baseline_changes_nothing(data: dict[str, Any], delta: float) -> None:
    """Invariant 5: a target equal to the baseline gives zero extra spending and the
    baseline debt path.

    Here the baseline is the default (the base share held) and every milestone is set to the
    base share, with any shape, funding, feedback, rates and rules. Exact: the share path is
    then the base share itself, so E is exactly 0, no source is drawn, and every series equals
    that of the same scenario with no milestones at all (an independent baseline run).
    Paired check: raising the milestones by ``delta`` > 0 gives positive extra spending in
    the first milestone year.
    """
    s0 = data["defence"]["base_share"]
    flat = copy.deepcopy(data)
    flat["defence"]["milestones"] = dict.fromkeys(data["defence"]["milestones"], s0)
    scn = to_scenario(flat)
    res = run(scn)
    for name in ("extra_defence", "cuts", "tax_rise", "borrowing_for_defence"):
        assert np.all(res.series[name] == 0.0), name
    for pooled in res.sources.values():
        assert np.all(pooled == 0.0)

    plain = copy.deepcopy(flat)
    del plain["defence"]["milestones"]
    base = run(to_scenario(plain))
    for name in res.series:
        assert_array_equal(res.series[name], base.series[name], err_msg=name)
    assert res.summary.extra_debt_at_horizon == 0.0
    assert res.summary.debt_pct_gdp_at_horizon == res.summary.baseline_debt_pct_gdp_at_horizon

    higher = run(to_scenario(raise_milestones(flat, delta)))
    first = int(np.searchsorted(scn.years, min(flat["defence"]["milestones"])))
    assert higher.series["extra_defence"][first] > 0.0


@given(data=scenario_dicts(basis="share", feedback=False))
def test_inv5_target_on_a_baseline_path(data: dict[str, Any]) -> None:
    """Invariant 5 with a moving baseline: when the baseline share path is the target path
    itself (a {year: share} map through the base share and the milestones, with the linear
    shape), extra spending is zero and debt follows the baseline run, every year.

    Tolerance: the two paths are the same straight lines computed two ways (map
    interpolation and the milestone path), which agree to rounding; so E is zero to 1e-12 of
    GDP (not exactly) and the debt path equals the baseline's to rtol 1e-9 with an absolute
    1e-12 of GDP. Feedback off, so a rounding-sized E cannot feed back into GDP.
    Paired check: the defence share is not held flat: it reaches each milestone.
    """
    path = copy.deepcopy(data)
    ms = path["defence"]["milestones"]
    path["defence"]["shape"] = "linear"
    path["defence"]["baseline_share"] = {path["years"]["base"]: path["defence"]["base_share"], **ms}
    scn = to_scenario(path)
    res = run(scn)
    y = res.series["gdp"]
    assert_allclose(res.series["extra_defence"], 0.0, atol=float(1e-12 * y.max()))
    base = simulate(scn.baseline())
    size = float(np.max(np.abs(np.concatenate([y, base.debt[0]]))))
    assert_allclose(res.series["debt"], base.debt[0], rtol=1e-9, atol=1e-12 * size)
    idx = np.searchsorted(scn.years, list(ms))
    assert_allclose(res.series["defence_pct_gdp"][idx], list(ms.values()), rtol=1e-12)


# -- 6 --------------------------------------------------------------------------------------


def _compare_scaled(res: Result, scaled: Result, k: float, *, exact: bool) -> None:
    if exact:
        for name in RATIO_SERIES:
            assert_array_equal(scaled.series[name], res.series[name], err_msg=name)
        for name in CURRENCY_SERIES:
            assert_array_equal(scaled.series[name], res.series[name] * k, err_msg=name)
        return
    size = float(np.max(np.abs(res.series["debt"]))) + float(np.max(res.series["gdp"]))
    for name in RATIO_SERIES:
        assert_allclose(scaled.series[name], res.series[name], rtol=1e-9, atol=1e-9, err_msg=name)
    for name in CURRENCY_SERIES:
        assert_allclose(
            scaled.series[name],
            res.series[name] * k,
            rtol=1e-9,
            atol=1e-11 * size * k,
            err_msg=name,
        )


@given(data=scenario_dicts(), power=st.integers(-10, 10).filter(lambda j: j != 0))
def test_inv6_scaling_by_a_power_of_two_is_exact(data: dict[str, Any], power: int) -> None:
    """Invariant 6: scaling every currency level by k > 0 leaves every ratio unchanged.

    Currency levels: base-year GDP, debt and borrowing, the stock-flow adjustment, cash
    defence and cash caps. Holds for every scenario (feedback, risk premium, rules included:
    all of them work on ratios). With k a power of two every multiplication by k is exact in
    floating point, so the ratios must be bit for bit the same and the currency series
    exactly k times as large; rule outcomes identical, headroom k times.
    Paired check (in the comparison): the currency series do scale, so a model that
    normalised everything away would fail.
    """
    k = 2.0**power
    res = run(to_scenario(data))
    scaled = run(to_scenario(scale_currency(data, k)))
    _compare_scaled(res, scaled, k, exact=True)
    for a, b in zip(res.rules, scaled.rules, strict=True):
        assert_array_equal(b.passed, a.passed)
        assert_array_equal(b.measured_pct, a.measured_pct)
        assert_array_equal(b.headroom, a.headroom * k)
    assert scaled.summary.rules_failed == res.summary.rules_failed
    assert scaled.summary.debt_pct_gdp_at_horizon == res.summary.debt_pct_gdp_at_horizon
    assert scaled.summary.cumulative_extra_defence == res.summary.cumulative_extra_defence * k


@given(data=scenario_dicts(), k=decimals(0.001, 1000, 3).filter(lambda v: v != 1.0))
def test_inv6_scaling_by_any_k(data: dict[str, Any], k: float) -> None:
    """Invariant 6 for any k > 0: every ratio unchanged, every currency series times k.

    Scaling by a general k rounds each scaled input once, and borrowing is a difference of
    flows tens of times larger, so the ratios are compared with rtol 1e-9 plus an absolute
    1e-9 percentage points, and currency series with rtol 1e-9 plus 1e-11 of the size of GDP
    and debt (times k): well above rounding over 40 years, far below any modelling error.
    Rule measurements are compared to the same tolerance (pass/fail may legitimately flip
    when the headroom is zero to rounding, so it is not compared here; the power-of-two test
    compares it exactly).
    """
    res = run(to_scenario(data))
    scaled = run(to_scenario(scale_currency(data, k)))
    _compare_scaled(res, scaled, k, exact=False)
    for a, b in zip(res.rules, scaled.rules, strict=True):
        assert_allclose(b.measured_pct, a.measured_pct, rtol=1e-9, atol=1e-9)


# -- 7 --------------------------------------------------------------------------------------


@given(
    data=scenario_dicts(basis="share", feedback=False, positive_debt=True),
    delta=decimals(0.01, 3),
)
def test_inv7_higher_target_means_higher_debt_ratio(data: dict[str, Any], delta: float) -> None:
    """Invariant 7: a higher target (the extra met at least in part by borrowing) gives a
    debt ratio at least as high in every year, and strictly higher once borrowing is higher.

    "Higher": every milestone ``delta`` > 0 points higher, same years and shape, so the share
    path is at least as high every year (each shape is a convex combination of neighbouring
    milestones). Conditions: share basis; no growth feedback (a defence multiplier raises
    GDP and can lower the ratio); debt positive throughout (``positive_debt``: where debt
    crosses zero the engine re-prices the whole stock at the market rate, beta = 1, while a
    path just above zero keeps its old effective rate; debt then added by a stock-flow
    adjustment inherits that rate, so a higher target can end with a lower ratio). Funding
    sources of every kind stay in: cuts and tax rises never exceed the extra spending, so
    D - C - T rises with the target. Tolerance: a relative 1e-12 for "at least as high".
    Paired checks: where borrowing for defence is strictly higher in some year the ratio is
    strictly higher in at least one year; with no sources borrowing is the whole extra, so
    it is strictly higher in the first milestone year and the ratio strictly higher from
    that year on.
    """
    lo = run(to_scenario(data))
    hi = run(to_scenario(raise_milestones(data, delta)))
    assert np.all(hi.series["defence_pct_gdp"] >= lo.series["defence_pct_gdp"] - 1e-12)
    b_lo, b_hi = debt_ratio(lo), debt_ratio(hi)
    assert np.all(b_hi >= b_lo - 1e-12 * np.abs(b_lo))

    f_lo, f_hi = lo.series["borrowing_for_defence"], hi.series["borrowing_for_defence"]
    if np.any(f_hi > f_lo + 1e-9 * lo.series["gdp"]):
        assert np.any(b_hi > b_lo)
    if not data["funding"]["sources"]:
        first = lo.years.index(min(data["defence"]["milestones"]))
        assert f_hi[first] > f_lo[first]
        assert np.all(b_hi[first:] > b_lo[first:])


# -- 8 --------------------------------------------------------------------------------------


GROWTH_KEYS = {
    "real": (("economy", "real_growth"),),
    "deflator": (("economy", "deflator"),),
    "both": (("economy", "real_growth"), ("economy", "deflator")),
}


@given(
    data=scenario_dicts(basis="share", cash_caps=False, positive_debt=True),
    delta=decimals(0.05, 3),
    which=st.sampled_from(sorted(GROWTH_KEYS)),
)
def test_inv8_higher_growth_lowers_debt_ratio(
    data: dict[str, Any], delta: float, which: str
) -> None:
    """Invariant 8 (growth): higher growth gives a debt ratio no higher in any year, and
    strictly lower in the first year.

    Growth (real, deflator or both) raised by ``delta`` > 0 points in every year.
    Conditions: debt positive throughout, with a non-negative stock-flow adjustment
    (``positive_debt``), share-basis defence and caps in % of GDP or none. Cash-denominated
    items do not scale with GDP: a cash cap on cuts is a smaller share of a larger GDP (the
    deficit ratio rises), and a negative cash SFA shrinks as a ratio; so the strategy leaves
    them out rather than weakening the assertion. Feedback may be on: the impulse is a ratio
    to GDP, unchanged by the growth path. Tolerance: a relative 1e-12 for "no higher".
    Paired checks: GDP is strictly higher every year; the first-year ratio strictly lower
    (B_t0 (1 + r) is divided by a larger GDP).
    """
    lo = run(to_scenario(data))
    hi = run(to_scenario(shift_paths(data, GROWTH_KEYS[which], delta)))
    assert np.all(hi.series["gdp"] > lo.series["gdp"])
    assert np.all(lo.series["debt"] > 0.0)
    b_lo, b_hi = debt_ratio(lo), debt_ratio(hi)
    assert np.all(b_hi <= b_lo * (1 + 1e-12))
    assert b_hi[0] < b_lo[0]


@given(data=scenario_dicts(positive_debt=True), delta=decimals(0.05, 3))
def test_inv8_higher_rates_raise_debt_ratio(data: dict[str, Any], delta: float) -> None:
    """Invariant 8 (rates): higher interest rates give a debt ratio no lower in any year, and
    strictly higher in the first year.

    Every rate raised by ``delta`` > 0 points: short and long rates, the real index-linked
    yield, index inflation and the base-year effective conventional rate. Condition: debt
    positive throughout (``positive_debt``). Rates do not move GDP or the primary flows, so
    every basis, cap and feedback setting is allowed. Tolerance: a relative 1e-12.
    Paired checks: interest is strictly higher in the first year (B_t0 > 0), and so the
    ratio strictly higher.
    """
    higher = shift_paths(data, RATE_PATHS, delta)
    rate0 = data["interest"]["conventional_rate"]
    higher["interest"]["conventional_rate"] = round(rate0 + delta, 6)
    lo = run(to_scenario(data))
    hi = run(to_scenario(higher))
    assert np.all(lo.series["debt"] > 0.0)
    assert_array_equal(hi.series["gdp"], lo.series["gdp"])
    b_lo, b_hi = debt_ratio(lo), debt_ratio(hi)
    assert np.all(b_hi >= b_lo * (1 - 1e-12))
    assert hi.series["interest"][0] > lo.series["interest"][0]
    assert b_hi[0] > b_lo[0]


# -- 9 --------------------------------------------------------------------------------------


@given(data=steady_state_dicts())
def test_inv9_rate_equal_to_growth_holds_debt_ratio(data: dict[str, Any]) -> None:
    """Invariant 9: with the interest rate equal to nominal growth and a zero primary
    balance, the debt ratio stays at its base-year value.

    Conditions (built by ``steady_state_dicts``): no floating or index-linked debt,
    conventional_rate = long_rate = (1+g)(1+p)-1 (constant paths, or maturity 1 so the stock
    re-prices each year and the paths may vary), no risk premium, receipts = other spending
    + the defence share, no extra spending (milestones at the base share), no SFA. Debt of
    either sign; funding, feedback and rules as generated (no extra spending, so they do
    nothing). Tolerance: rtol 1e-9 plus an absolute 1e-12 (the primary balance is zero only
    to the rounding of rho Y - omega Y - s Y).
    Paired checks: one point less of receipts makes the ratio rise by exactly 1 point a year
    (b_t = b_{t-1} + 0.01); one point more on the rate raises it when debt is positive.
    """
    scn = to_scenario(data)
    res = run(scn)
    b0 = scn.debt0 / scn.gdp0
    assert_allclose(debt_ratio(res), b0, rtol=1e-9, atol=1e-12)

    deficit = shift_paths(data, (("finances", "receipts"),), -1.0)
    rising = debt_ratio(run(to_scenario(deficit)))
    steps = np.arange(1, scn.n_years + 1)
    assert_allclose(rising, b0 + 0.01 * steps, rtol=1e-9, atol=1e-12)

    if scn.debt0 > 0:
        dearer = shift_paths(data, (("interest", "long_rate"),), 1.0)
        dearer["interest"]["conventional_rate"] = data["interest"]["conventional_rate"] + 1.0
        b = debt_ratio(run(to_scenario(dearer)))
        assert np.all(b > b0)


# -- 11 -------------------------------------------------------------------------------------


@given(pair=horizon_pairs())
def test_inv11_later_horizon_truncated_equals_earlier(
    pair: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    """Invariant 11: running to a later horizon and truncating equals running to the earlier
    horizon, exactly.

    Holds for every scenario whose milestones and rule years fall within the earlier
    horizon (else the shorter one is invalid); paths as constants, lists longer than either
    horizon needs (cut to length) and {year: value} maps with years beyond the earlier
    horizon. Nothing in a year depends on a later one, so every series, every funding
    source and every rule outcome must be bit for bit the same over the common years.
    Paired checks: the later run really is longer and continues past the earlier horizon
    with finite values, and the expanded input paths agree over the common years.
    """
    short, long = pair
    s_scn, l_scn = to_scenario(short), to_scenario(long)
    rs, rl = run(s_scn), run(l_scn)
    n = len(rs.years)
    assert len(rl.years) == l_scn.horizon - l_scn.base_year > n
    assert rl.years[:n] == rs.years
    for field in ("real_growth", "deflator", "receipts", "long_rate", "share", "sfa"):
        assert_array_equal(getattr(l_scn, field)[:n], getattr(s_scn, field), err_msg=field)

    for name in rs.series:
        assert_array_equal(rl.series[name][:n], rs.series[name], err_msg=name)
        assert np.all(np.isfinite(rl.series[name]))
    for src, values in rs.sources.items():
        assert_array_equal(rl.sources[src][:n], values, err_msg=src)
    for a, b in zip(rs.rules, rl.rules, strict=True):
        m = len(a.years)
        assert b.years[:m] == a.years
        assert b.passed[:m] == a.passed
        assert_array_equal(b.headroom[:m], a.headroom)
        assert_array_equal(b.measured_pct[:m], a.measured_pct)
    assert rl.summary.target_year == rs.summary.target_year
    assert rl.summary.target_met == rs.summary.target_met
    assert rl.summary.defence_pct_gdp_in_target_year == rs.summary.defence_pct_gdp_in_target_year


# -- components -----------------------------------------------------------------------------


def _group_caps(scn: Scenario, paths: Paths) -> dict[int, FloatArray]:
    return dict(enumerate(pool_caps(scn, paths)))


@given(data=component_dicts())
def test_components_sum_to_defence_and_cash_paths_spend_their_cash(data: dict[str, Any]) -> None:
    """Components: the components add up to total defence (and their baselines to the
    baseline's defence), every year and batch row; a component on a cash path spends
    exactly its cash (nominal), or its cash times the defence price index (real).

    Holds for every component file: one to three components on milestones, cash or held,
    with or without their own funding, feedback on or off. Tolerance: rtol 1e-12 with an
    absolute 1e-12 of GDP, the rounding of adding the components' shares before
    multiplying by GDP (the total) or after (each component). A cash component's spending
    is compared exactly: the engine and the result add the same cash.
    Paired checks: the batch's second row (growth a point higher) moves every share
    component's spending with GDP, so spending is not a constant; the defence price index
    grows by the deflator plus the premium.
    """
    scn = to_scenario(data)
    batch = replace(scn, real_growth=scn.real_growth + np.array([[0.0], [0.01]]))
    p = simulate(batch)
    tol = float(1e-12 * np.max(np.abs(p.gdp)))
    assert_allclose(p.component_spending.sum(axis=0), p.defence, rtol=1e-12, atol=tol)
    base = np.array([c.baseline_share for c in scn.components]).sum(axis=0)
    assert_allclose(base * p.gdp, p.baseline_defence, rtol=1e-12, atol=tol)
    prices = np.cumprod(1.0 + np.broadcast_to(scn.deflator, p.gdp.shape) + scn.price_premium, 1)
    assert_allclose(p.defence_prices, prices, rtol=1e-12)
    for k, comp in enumerate(scn.components):
        spent = p.component_spending[k]
        if comp.cash is None:
            assert_allclose(spent, comp.share * p.gdp, rtol=1e-12, atol=tol)
            moved = comp.share > 0
            assert np.all(spent[1, moved] > spent[0, moved])
        elif comp.cash_real:
            assert_array_equal(spent, comp.cash * p.defence_prices)
        else:
            assert_array_equal(spent, np.broadcast_to(comp.cash, spent.shape))


@given(data=component_dicts(min_sources=1))
def test_component_funding_within_caps_and_adding_up(data: dict[str, Any]) -> None:
    """Components: each funding group (a component with funding of its own, or the
    scenario's funding for the rest) meets exactly its part of the extra spending: its
    sources, each >= 0, within its cap and (in waterfall mode) in order, plus what it
    borrows equal its extra spending; a component's own group meets that component's extra
    spending, the scenario's the sum of the others'; nothing is drawn from a group whose
    extra spending is negative, and the groups' borrowing adds up to borrowing for defence.

    Holds for every component file. Tolerance: rtol 1e-12 with an absolute 1e-12 of GDP,
    the rounding of the subtractions that give borrowing.
    Paired checks, from the funding rule itself, so a source that never takes anything
    fails: waterfall pool k takes min(cap_k, what the earlier pools of its group left);
    shares pool k takes min(share_k E_g, cap_k).
    """
    scn = to_scenario(data)
    p = simulate(scn)
    tol = float(1e-12 * np.max(np.abs(p.gdp)))
    caps = _group_caps(scn, p)
    need = p.funding_need
    groups = scn.funding_groups
    assert need.shape == (len(groups), *p.gdp.shape)
    unfunded = [c for c, comp in enumerate(scn.components) if comp.funding_mode is None]
    for g, group in enumerate(groups):
        if group.component is None:
            expected = p.component_extra[unfunded].sum(axis=0) if len(groups) > 1 else p.extra
        else:
            expected = p.component_extra[group.component]
        assert_allclose(need[g], expected, rtol=1e-12, atol=tol)
        given = np.zeros_like(p.gdp)
        left = np.maximum(need[g], 0.0)
        for k in group.pools:
            take = p.pools[k]
            assert np.all(take >= 0.0)
            assert np.all(take <= caps[k] * (1 + 1e-12) + tol)
            pool = scn.pools[k]
            if group.mode == "waterfall":
                want = np.minimum(caps[k], left)
            else:
                assert pool.share is not None
                want = np.minimum(pool.share * np.maximum(need[g], 0.0), caps[k])
            assert_allclose(take, want, rtol=1e-12, atol=tol)
            left = left - take
            given += take
        assert np.all(given[need[g] < 0] == 0.0)
        assert_allclose(given + p.group_borrowing[g], need[g], rtol=1e-12, atol=tol)
        pos = need[g] >= 0
        assert np.all(p.group_borrowing[g][pos] >= -tol)
    assert_allclose(
        p.group_borrowing.sum(axis=0), p.borrowing_for_defence, rtol=1e-12, atol=4 * tol
    )
