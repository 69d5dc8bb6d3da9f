"""The engine's batch axis: inputs of shape (years,), (1, years) or (batch, years) mix; a
batch row equals the deterministic run with that row's inputs; inconsistent batch sizes
and inputs of more than two dimensions are refused."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from budgetsim import Scenario, simulate
from budgetsim.input.files import load_file
from budgetsim.model.engine import _batch_size
from tests.conftest import ROOT

SMALL = ROOT / "tests" / "fixtures" / "small.yaml"


def small() -> Scenario:
    return load_file(SMALL)


def test_batch_size_of_mixed_shapes() -> None:
    n = 6
    assert _batch_size([np.zeros(n)]) == 1
    assert _batch_size([np.zeros((1, n)), np.zeros(n)]) == 1
    assert _batch_size([np.zeros((3, n)), np.zeros(n), np.zeros((1, n))]) == 3
    assert _batch_size([np.zeros((1, n)), np.zeros((4, n))]) == 4
    assert _batch_size([np.zeros((4, n)), np.zeros((4, n)), np.zeros((1, n))]) == 4
    assert _batch_size([]) == 1


def test_inconsistent_batch_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match=r"^inconsistent batch sizes 3 and 2$"):
        _batch_size([np.zeros((3, 6)), np.zeros(6), np.zeros((2, 6))])


def test_three_dimensions_are_refused() -> None:
    with pytest.raises(ValueError, match=r"^an input has 3 dimensions; expected \(batch, years\)$"):
        _batch_size([np.zeros(6), np.zeros((2, 2, 6))])


def test_each_batch_row_is_its_own_run() -> None:
    scn = small()
    growth = np.stack([scn.real_growth, scn.real_growth + 0.01, scn.real_growth - 0.02])
    batch = simulate(replace(scn, real_growth=growth))
    assert batch.batch == 3
    assert batch.gdp.shape == (3, scn.n_years)
    for i in range(3):
        row = simulate(replace(scn, real_growth=growth[i]))
        assert row.batch == 1
        for name in ("gdp", "debt", "interest", "psnb", "defence"):
            assert_array_equal(getattr(batch, name)[i], getattr(row, name)[0], err_msg=name)
    assert_array_equal(batch.gdp0, np.full(3, scn.gdp0))
    assert_array_equal(batch.debt0, np.full(3, scn.debt0))
    # faster growth, more GDP
    assert (batch.gdp[1] > batch.gdp[0]).all()
    assert (batch.gdp[2] < batch.gdp[0]).all()


def test_a_batch_of_one_row_broadcasts_like_a_path() -> None:
    scn = small()
    a = simulate(scn)
    b = simulate(replace(scn, long_rate=scn.long_rate[None, :]))
    assert_allclose(a.debt, b.debt, rtol=0, atol=0)


def test_a_batch_can_come_from_a_funding_cap_alone() -> None:
    """Two rows that differ only in a cap: the batch size is read from the caps too."""
    scn = load_file(SMALL, ["funding.sources=[{name: aid, cap: 5}]"])
    (pool,) = scn.pools
    assert pool.cap_cash is not None
    caps = np.stack([pool.cap_cash, pool.cap_cash * 2])
    out = simulate(replace(scn, pools=(replace(pool, cap_cash=caps),)))
    assert out.batch == 2
    assert_allclose(out.cuts[0], np.minimum(np.maximum(out.extra[0], 0), 5))
    assert_allclose(out.cuts[1], np.minimum(np.maximum(out.extra[1], 0), 10))


# --- one feature at a time, against numbers worked from the equations (docs/model.md) ----


def ybar(scn: Scenario) -> np.ndarray:
    """GDP without feedback: Y_t0 times cumulated real growth and inflation."""
    return scn.gdp0 * np.cumprod((1 + scn.real_growth) * (1 + scn.deflator))


def test_cash_basis_nominal_is_the_cash_path() -> None:
    scn = load_file(SMALL, ["defence.basis=cash", "defence.cash=[20, 21, 22, 23, 24, 25]"])
    out = simulate(scn)
    assert_array_equal(out.defence[0], [20, 21, 22, 23, 24, 25])


def test_cash_basis_real_is_uprated_by_defence_inflation() -> None:
    """Real cash is at base-year prices: times PD_t = prod(1 + p + d), with p = 2 %, d = 1 pp."""
    scn = load_file(
        SMALL,
        [
            "defence.basis=cash",
            "defence.cash=20",
            "defence.cash_prices=real",
            "defence.price_premium=1",
        ],
    )
    out = simulate(scn)
    pd = np.cumprod(np.full(6, 1.03))
    assert_allclose(out.defence[0], 20 * pd, rtol=1e-12)
    assert_allclose(out.defence_real[0], np.full(6, 20.0), rtol=1e-12)


@pytest.mark.parametrize(
    ("multiplier", "sources"),
    [
        ("defence_multiplier", "[]"),
        ("cuts_multiplier", "[{name: aid}]"),
        ("tax_multiplier", "[{name: vat, kind: tax}]"),
    ],
)
def test_growth_feedback_from_each_flow(multiplier: str, sources: str) -> None:
    """l_t = h l_{t-1} + (m_D E - m_C C - m_T T)_{t-1} / Y_{t-1};  Y_t = Ybar_t (1 + l_t),
    with one multiplier at 1 and persistence 0.5."""
    scn = load_file(
        SMALL,
        [
            f"economy.feedback={{persistence: 0.5, {multiplier}: 1}}",
            f"funding.sources={sources}",
            "funding.tax_freeze=false",
        ],
    )
    out = simulate(scn)
    y, e, c, t = out.gdp[0], out.extra[0], out.cuts[0], out.tax[0]
    flow = {"defence_multiplier": e, "cuts_multiplier": -c, "tax_multiplier": -t}[multiplier]
    assert (np.abs(flow) > 0).all()
    level = np.zeros(6)
    for i in range(1, 6):
        level[i] = 0.5 * level[i - 1] + flow[i - 1] / y[i - 1]
    assert_allclose(y, ybar(scn) * (1 + level), rtol=1e-12)
    assert not np.allclose(y, ybar(scn))


def test_waterfall_fills_each_source_to_its_cap_in_order() -> None:
    scn = load_file(
        SMALL,
        [
            "funding.tax_freeze=false",
            "funding.sources=[{name: a, cap: 3}, {name: b, kind: tax, cap: 4},"
            " {name: c, kind: tax, cap: 2}]",
        ],
    )
    out = simulate(scn)
    need = np.maximum(out.extra[0], 0)
    a = np.minimum(need, 3)
    b = np.minimum(need - a, 4)
    c = np.minimum(need - a - b, 2)
    assert need[-1] > 9  # every source is used up by the last year
    assert_allclose(out.pools[:, 0, :], np.stack([a, b, c]), rtol=1e-12, atol=1e-12)
    assert_allclose(out.cuts[0], a, atol=1e-12)
    assert_allclose(out.tax[0], b + c, atol=1e-12)
    assert_allclose(out.borrowing_for_defence[0], out.extra[0] - a - b - c, atol=1e-9)


def test_a_zero_share_takes_nothing() -> None:
    scn = load_file(
        SMALL,
        ["funding.mode=shares", "funding.sources=[{name: a, share: 0}, {name: b, share: 50}]"],
    )
    out = simulate(scn)
    assert_array_equal(out.pools[0, 0], np.zeros(6))
    assert_allclose(out.pools[1, 0], 0.5 * np.maximum(out.extra[0], 0), rtol=1e-12)


def test_risk_premium_on_short_and_long_rates() -> None:
    """Debt 90 % of GDP, threshold 50 %, slope 0.1: both rates rise by 0.1 * 0.4 = 4 points.
    Half the debt floats (3 % + 4); the conventional half rolls over beta = 1/10 + 30/900 of
    its stock at the long rate (4 % + 4) from 3 %."""
    scn = load_file(
        SMALL,
        ["interest.risk_premium={slope: 0.1, threshold: 50}", "interest.floating_share=50"],
    )
    out = simulate(scn)
    beta = 0.1 + 30 / 900
    rl = (1 - beta) * 0.03 + beta * 0.08
    assert_allclose(out.conventional_rate[0, 0], rl, rtol=1e-12)
    assert_allclose(out.interest[0, 0], 900 * (0.5 * 0.07 + 0.5 * rl), rtol=1e-12)
    below = simulate(load_file(SMALL, ["interest.risk_premium={slope: 0.1, threshold: 95}"]))
    assert_allclose(below.interest[0, 0], 900 * ((1 - beta) * 0.03 + beta * 0.04), rtol=1e-12)


def test_no_debt_means_the_whole_stock_is_new() -> None:
    """With no debt there is nothing to roll over: beta = 1, the rate is the long rate."""
    out = simulate(load_file(SMALL, ["finances.debt=0", "finances.psnb=0"]))
    assert out.conventional_rate[0, 0] == pytest.approx(0.04, rel=1e-12)
    assert out.interest[0, 0] == 0.0


def test_a_fixed_amount_is_taken_exactly() -> None:
    """A solver's fixed amount (Pool.amount) is taken as given, whatever the mode and cap,
    and the next source in the waterfall meets only what is left."""
    scn = load_file(SMALL, ["funding.sources=[{name: a}, {name: b}]"])
    a, b = scn.pools
    fixed = np.array([0.5, 1.0, 1.0, 1.0, 1.0, 1.0])  # below the need in every year
    out = simulate(replace(scn, pools=(replace(a, amount=fixed), b)))
    assert_array_equal(out.pools[0, 0], fixed)
    need = np.maximum(out.extra[0], 0)
    assert (need > fixed).all()
    assert_allclose(out.pools[1, 0], need - fixed, atol=1e-12)
    assert_allclose(out.cuts[0], out.pools[0, 0] + out.pools[1, 0])


def test_a_fixed_amount_above_the_need_leaves_the_next_source_at_zero() -> None:
    """Every source gives >= 0: when a fixed amount exceeds what is left, the sources after
    it give nothing (not a negative amount) and the excess lowers borrowing."""
    scn = load_file(SMALL, ["funding.sources=[{name: a}, {name: b}]"])
    a, b = scn.pools
    base = simulate(scn)
    fixed = np.maximum(base.extra[0], 0) + 2.0  # 2 above the need in every year
    out = simulate(replace(scn, pools=(replace(a, amount=fixed), b)))
    assert_array_equal(out.pools[0, 0], fixed)
    assert_array_equal(out.pools[1, 0], np.zeros_like(fixed))
    assert_allclose(out.cuts[0], fixed)
    assert_allclose(out.borrowing_for_defence[0], out.extra[0] - fixed, atol=1e-12)
    assert (out.borrowing_for_defence[0] < 0).all()


def test_net_investment_and_current_balance() -> None:
    """N_t = k_D D_t + nu_t Y_t and CB_t = N_t - PSNB_t (capital share 20 %, nu 1.5 %)."""
    scn = load_file(SMALL, ["defence.capital_share=20", "finances.other_investment=1.5"])
    out = simulate(scn)
    n = 0.2 * out.defence[0] + 0.015 * out.gdp[0]
    assert_allclose(out.net_investment[0], n, rtol=1e-12)
    assert_allclose(out.current_balance[0], n - out.psnb[0], rtol=1e-12)


def test_realised_growth_is_the_input_without_feedback() -> None:
    scn = load_file(SMALL, ["economy.real_growth=[1.5, 2, 0, -1, 3, 1]", "economy.deflator=4"])
    out = simulate(scn)
    assert_allclose(out.real_growth[0], [0.015, 0.02, 0, -0.01, 0.03, 0.01], atol=1e-15)


def test_a_one_year_horizon_keeps_each_batch_row() -> None:
    """With one projection year a batch input has shape (batch, 1): still one value per row,
    not the first row's value for every row."""
    scn = load_file(SMALL, ["years.horizon=2025", "defence.milestones={2025: 3}"])
    growth = np.array([[0.0], [0.01], [0.03]])
    out = simulate(replace(scn, real_growth=growth))
    assert out.gdp.shape == (3, 1)
    assert_allclose(out.gdp[:, 0], 1000 * (1 + growth[:, 0]) * 1.02, rtol=1e-12)


def test_rollover_share_follows_last_years_borrowing_and_debt() -> None:
    """beta_t = min(1, 1/M + max(0, PSNB_{t-1}) / B_{t-1}) where B_{t-1} > 0, else 1, and
    r^L_t = (1 - beta_t) r^L_{t-1} + beta_t i^L_t, row by row in a batch whose rows are:
    debt below zero, a small debt with small borrowing, a small debt with borrowing above
    it (beta capped at 1) and a small debt with a surplus (only the maturing 1/M)."""
    scn = load_file(SMALL, ["finances.debt=0.5", "finances.psnb=0", "defence.milestones={2030: 2}"])
    y = ybar(scn)  # no feedback: GDP is known before the run
    ones = np.ones(6)
    rho = scn.receipts
    scn = replace(
        scn,
        receipts=np.stack([rho, rho, rho - 0.005, rho + 0.005]),
        sfa=np.stack([-20 * ones, 0 * ones, -0.005 * y, 0.005 * y]),
    )
    out = simulate(scn)
    b_prev = np.concatenate([np.full((4, 1), 0.5), out.debt[:, :-1]], axis=1)
    psnb_prev = np.concatenate([np.zeros((4, 1)), out.psnb[:, :-1]], axis=1)
    assert (out.debt[0] < 0).all()
    assert ((b_prev[1:] > 0) & (b_prev[1:] < 1)).all()  # small positive debts
    assert (out.psnb[2] > 1).all() and (out.psnb[3] < 0).all()
    safe = np.where(b_prev > 0, b_prev, 1.0)
    beta = np.where(b_prev > 0, np.minimum(1, 0.1 + np.maximum(0, psnb_prev) / safe), 1.0)
    assert_array_equal(beta[0, 1:], 1.0)
    assert_array_equal(beta[2, 1:], 1.0)
    assert_allclose(beta[3], 0.1)
    assert (beta[1, 1:] > 0.1).all() and (beta[1, 1:] < 1).all()
    rl = np.empty((4, 6))
    before = np.full(4, 0.03)
    for t in range(6):
        rl[:, t] = before = (1 - beta[:, t]) * before + beta[:, t] * 0.04
    assert_allclose(out.conventional_rate, rl, rtol=1e-12)


def test_a_batch_of_index_linked_rates() -> None:
    """I_t = B_{t-1} (f i^S + q (rr + pi) + (1 - f - q) r^L): rows that differ in the real
    index-linked rate or the index inflation are each their own run."""
    scn = load_file(SMALL, ["interest.index_linked_share=30", "interest.floating_share=20"])
    rr, pi = scn.real_il_rate, scn.il_inflation
    rows = [(rr, pi), (rr + 0.01, pi), (rr, pi + 0.02)]
    batch = simulate(replace(scn, real_il_rate=np.stack([r for r, _ in rows])))
    both = simulate(
        replace(
            scn,
            real_il_rate=np.stack([r for r, _ in rows]),
            il_inflation=np.stack([p for _, p in rows]),
        )
    )
    for i, (r, p) in enumerate(rows):
        one = simulate(replace(scn, real_il_rate=r, il_inflation=p))
        assert_allclose(both.interest[i], one.interest[0], rtol=1e-12)
        if i < 2:
            assert_allclose(batch.interest[i], one.interest[0], rtol=1e-12)
    first = 900 * (0.2 * 0.03 + 0.3 * (rr[0] + pi[0]) + 0.5 * both.conventional_rate[0, 0])
    assert_allclose(both.interest[0, 0], first, rtol=1e-12)
    assert both.interest[1, 0] == pytest.approx(first + 900 * 0.3 * 0.01, rel=1e-12)
    assert both.interest[2, 0] == pytest.approx(first + 900 * 0.3 * 0.02, rel=1e-12)


def test_shares_after_a_fixed_amount_above_the_need_take_nothing() -> None:
    """In shares mode a source takes its share of the need but never more than is left:
    after a solver's fixed amount above the need, the next source gives 0."""
    scn = load_file(
        SMALL,
        ["funding.mode=shares", "funding.sources=[{name: a, share: 50}, {name: b, share: 50}]"],
    )
    a, b = scn.pools
    need = np.maximum(simulate(scn).extra[0], 0)
    assert (need > 0).any()
    out = simulate(replace(scn, pools=(replace(a, amount=need + 2.0), b)))
    assert_array_equal(out.pools[1, 0], np.zeros(6))
    assert_allclose(out.cuts[0], need + 2.0)
