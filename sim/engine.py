r"""The model: one pass over the years, vectorised along a leading batch axis.

Every input array may have shape ``(years,)`` or ``(batch, years)``; every output has shape
``(batch, years)``. A deterministic run is a batch of one; draws, sweep points and solver
perturbations are rows of the same batch, so they all run through this one function.

Per year t (fractions; Y in currency):

.. math::

    \bar Y_t &= \bar Y_{t-1}(1+g_t)(1+p_t), \qquad
    l_t = h\,l_{t-1} + m_D\frac{E_{t-1}}{Y_{t-1}} - m_C\frac{C_{t-1}}{Y_{t-1}}
          - m_T\frac{T_{t-1}}{Y_{t-1}}, \qquad Y_t = \bar Y_t (1 + l_t) \\
    D_t &= s_t Y_t \text{ (or the cash path)}, \quad E_t = D_t - s^0_t Y_t
          = C_t + T_t + F_t \\
    \beta_t &= \min\!\big(1, 1/M + \max(0, PSNB_{t-1})/B_{t-1}\big), \quad
    r^L_t = (1-\beta_t) r^L_{t-1} + \beta_t i^L_t \\
    I_t &= B_{t-1}\big(f\,i^S_t + q(rr_t + \pi_t) + (1-f-q) r^L_t\big) \\
    R_t &= \rho_t Y_t + T_t, \quad O_t = \omega_t Y_t - C_t, \quad
    PSNB_t = D_t + O_t + I_t - R_t \\
    CB_t &= k_D D_t + \nu_t Y_t - PSNB_t, \quad B_t = B_{t-1} + PSNB_t + SFA_t

With the risk premium on, :math:`i^S_t, i^L_t \mathrel{+}= \phi\max(0, b_{t-1} - \bar b)`.
Where :math:`B_{t-1} \le 0` there is no stock to roll over and :math:`\beta_t = 1`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from budgetsim.scenario import Scenario

if TYPE_CHECKING:
    from budgetsim.arrays import ArrayLike, FloatArray


@dataclass(frozen=True)
class Paths:
    """Every series of the model, each of shape ``(batch, years)``, in currency or fractions."""

    gdp: FloatArray
    real_growth: FloatArray
    deflator: FloatArray
    defence: FloatArray
    defence_real: FloatArray
    baseline_defence: FloatArray
    extra: FloatArray
    cuts: FloatArray
    tax: FloatArray
    borrowing_for_defence: FloatArray
    pools: FloatArray  # (n_pools, batch, years)
    receipts: FloatArray
    other_spending: FloatArray
    interest: FloatArray
    conventional_rate: FloatArray
    psnb: FloatArray
    net_investment: FloatArray
    current_balance: FloatArray
    sfa: FloatArray
    debt: FloatArray
    # base-year values the rules need, shape (batch,)
    gdp0: FloatArray
    debt0: FloatArray

    @property
    def batch(self) -> int:
        return int(self.gdp.shape[0])


def _batch_size(arrays: list[ArrayLike]) -> int:
    size = 1
    for a in arrays:
        arr = np.asarray(a)
        if arr.ndim == 2 and arr.shape[0] != 1:
            if size not in (1, arr.shape[0]):
                raise ValueError(f"inconsistent batch sizes {size} and {arr.shape[0]}")
            size = arr.shape[0]
        elif arr.ndim > 2:
            raise ValueError(f"an input has {arr.ndim} dimensions; expected (batch, years)")
    return size


def simulate(scn: Scenario) -> Paths:
    """Run the model over every row of the batch implied by the scenario's arrays."""
    n = scn.n_years
    pool_caps = [a for p in scn.pools for a in (p.cap_cash, p.cap_gdp, p.amount) if a is not None]
    inputs: list[ArrayLike] = [
        scn.real_growth,
        scn.deflator,
        scn.share,
        scn.cash,
        scn.baseline_share,
        scn.receipts,
        scn.other_spending,
        scn.other_investment,
        scn.sfa,
        scn.short_rate,
        scn.long_rate,
        scn.real_il_rate,
        scn.il_inflation,
        *pool_caps,
    ]
    nb = _batch_size(inputs)

    def full(a: ArrayLike) -> FloatArray:
        return np.broadcast_to(np.asarray(a, dtype=np.float64), (nb, n))

    g, p = full(scn.real_growth), full(scn.deflator)
    share, cash, s0 = full(scn.share), full(scn.cash), full(scn.baseline_share)
    rho, omega, nu, sfa = (
        full(scn.receipts),
        full(scn.other_spending),
        full(scn.other_investment),
        full(scn.sfa),
    )
    i_s, i_l = full(scn.short_rate), full(scn.long_rate)
    rr, pi = full(scn.real_il_rate), full(scn.il_inflation)
    caps_cash = [None if p_.cap_cash is None else full(p_.cap_cash) for p_ in scn.pools]
    caps_gdp = [None if p_.cap_gdp is None else full(p_.cap_gdp) for p_ in scn.pools]
    amounts = [None if p_.amount is None else full(p_.amount) for p_ in scn.pools]
    is_tax = np.array([p_.kind == "tax" for p_ in scn.pools], dtype=bool)
    shares = np.array([p_.share or 0.0 for p_ in scn.pools], dtype=np.float64)
    npools = len(scn.pools)

    # Outputs are (batch, years) views of year-major memory, so writing one year of every
    # row, as the loop below does, is a contiguous write.
    def out() -> FloatArray:
        return np.empty((n, nb), dtype=np.float64).T

    Y, D, Dreal, D0, E, C, T, F = (out() for _ in range(8))
    REC, OTH, INT, RL, PSNB, N, CB, B = (out() for _ in range(8))
    pools = np.zeros((npools, n, nb), dtype=np.float64).transpose(0, 2, 1)

    f, q, M = scn.floating, scn.index_linked, scn.maturity
    conventional = 1.0 - f - q
    y_prev = np.full(nb, scn.gdp0)
    ybar_prev = y_prev.copy()
    b_prev = np.full(nb, scn.debt0)
    psnb_prev = np.full(nb, scn.psnb0)
    rl_prev = np.full(nb, scn.rate0)
    lvl_prev = np.zeros(nb)
    impulse_prev = np.zeros(nb)  # m_D E - m_C C - m_T T, last year, / Y
    pd_prev = np.ones(nb)
    feedback = scn.m_defence != 0.0 or scn.m_cuts != 0.0 or scn.m_tax != 0.0

    for t in range(n):
        ybar = ybar_prev * (1.0 + g[:, t]) * (1.0 + p[:, t])
        if feedback:
            lvl = scn.persistence * lvl_prev + impulse_prev
            y = ybar * (1.0 + lvl)
        else:
            lvl = lvl_prev
            y = ybar
        pd = pd_prev * (1.0 + p[:, t] + scn.price_premium)
        if scn.basis == "cash":
            d = cash[:, t] * pd if scn.cash_real else cash[:, t].copy()
        else:
            d = share[:, t] * y
        d0 = s0[:, t] * y
        e = d - d0

        # Funding: each source >= 0 and within its cap; borrowing takes the rest.
        need = np.maximum(e, 0.0)
        remaining = need.copy()
        cuts = np.zeros(nb)
        tax = np.zeros(nb)
        for k in range(npools):
            cap = np.full(nb, np.inf)
            cc, cg = caps_cash[k], caps_gdp[k]
            if cc is not None:
                cap = cc[:, t]
            elif cg is not None:
                cap = cg[:, t] * y
            fixed = amounts[k]
            if fixed is not None:  # set by a solver: exactly this much, whatever is left
                take = fixed[:, t]
            else:
                want = remaining if scn.mode == "waterfall" else shares[k] * need
                take = np.clip(np.minimum(want, cap), 0.0, None)
                take = np.minimum(take, remaining)
            remaining = remaining - take
            pools[k, :, t] = take
            if is_tax[k]:
                tax += take
            else:
                cuts += take
        borrow = e - cuts - tax

        prem = 0.0
        if scn.premium_slope != 0.0:
            prem = scn.premium_slope * np.maximum(0.0, b_prev / y_prev - scn.premium_threshold)
        short = i_s[:, t] + prem
        long_ = i_l[:, t] + prem
        safe_b = np.where(b_prev > 0.0, b_prev, 1.0)
        beta = np.where(
            b_prev > 0.0,
            np.minimum(1.0, 1.0 / M + np.maximum(0.0, psnb_prev) / safe_b),
            1.0,
        )
        rl = (1.0 - beta) * rl_prev + beta * long_
        interest = b_prev * (f * short + q * (rr[:, t] + pi[:, t]) + conventional * rl)

        receipts = rho[:, t] * y + tax
        other = omega[:, t] * y - cuts
        psnb = d + other + interest - receipts
        net_inv = scn.capital_share * d + nu[:, t] * y
        debt = b_prev + psnb + sfa[:, t]

        Y[:, t], D[:, t], Dreal[:, t], D0[:, t], E[:, t] = y, d, d / pd, d0, e
        C[:, t], T[:, t], F[:, t] = cuts, tax, borrow
        REC[:, t], OTH[:, t], INT[:, t], RL[:, t] = receipts, other, interest, rl
        PSNB[:, t], N[:, t], CB[:, t], B[:, t] = psnb, net_inv, net_inv - psnb, debt

        if feedback:
            impulse_prev = (scn.m_defence * e - scn.m_cuts * cuts - scn.m_tax * tax) / y
        ybar_prev, y_prev, lvl_prev, pd_prev = ybar, y, lvl, pd
        b_prev, psnb_prev, rl_prev = debt, psnb, rl

    y_before = np.concatenate([np.full((nb, 1), scn.gdp0), Y[:, :-1]], axis=1)
    realised_growth = Y / y_before / (1.0 + p) - 1.0  # equals g without feedback
    return Paths(
        gdp=Y,
        real_growth=realised_growth,
        deflator=p.copy(),
        defence=D,
        defence_real=Dreal,
        baseline_defence=D0,
        extra=E,
        cuts=C,
        tax=T,
        borrowing_for_defence=F,
        pools=pools,
        receipts=REC,
        other_spending=OTH,
        interest=INT,
        conventional_rate=RL,
        psnb=PSNB,
        net_investment=N,
        current_balance=CB,
        sfa=sfa.copy(),
        debt=B,
        gdp0=np.full(nb, scn.gdp0),
        debt0=np.full(nb, scn.debt0),
    )
