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

Only the recursion runs year by year, in place in preallocated rows (an input that is the
same for every row of the batch is used as a number, not a broadcast array). Series that
follow from the recursion without feeding back into it (realised growth, the deflator,
real defence spending, borrowing for defence, net investment, the current balance and the
SFA) are computed on first use, over all years at once, with the same arithmetic, so a
Monte Carlo run that never reads them never pays for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from budgetsim.model.scenario import Scenario
from budgetsim.model.workspace import Workspace, empty

if TYPE_CHECKING:
    from budgetsim.model.arrays import ArrayLike, FloatArray, IntArray

    Cols = slice | IntArray
    #: An input's value in one year: a number when every batch row has the same value.
    Value = float | FloatArray


@dataclass(frozen=True)
class Paths:
    """Every series of the model, each of shape ``(batch, years)``, in currency or fractions.

    The fields are the year-by-year recursion; the properties below them are computed from
    the fields and the scenario on first read (and then kept)."""

    gdp: FloatArray
    defence: FloatArray
    baseline_defence: FloatArray
    extra: FloatArray
    cuts: FloatArray
    tax: FloatArray
    pools: FloatArray  # (n_pools, batch, years)
    receipts: FloatArray
    other_spending: FloatArray
    interest: FloatArray
    conventional_rate: FloatArray
    psnb: FloatArray
    debt: FloatArray
    # base-year values the rules need, shape (batch,)
    gdp0: FloatArray
    debt0: FloatArray
    scenario: Scenario = field(repr=False, compare=False)

    @property
    def batch(self) -> int:
        return int(self.gdp.shape[0])

    def _full(self, a: ArrayLike) -> FloatArray:
        return np.broadcast_to(np.asarray(a, dtype=np.float64), self.gdp.shape)

    @cached_property
    def deflator(self) -> FloatArray:
        return self._full(self.scenario.deflator).copy()

    @cached_property
    def real_growth(self) -> FloatArray:
        """Realised real growth; equals the input growth without demand feedback."""
        y = self.gdp
        y_before = np.concatenate([np.full((y.shape[0], 1), self.scenario.gdp0), y[:, :-1]], axis=1)
        return np.asarray(y / y_before / (1.0 + self._full(self.scenario.deflator)) - 1.0)

    @cached_property
    def defence_real(self) -> FloatArray:
        """Defence at base-year prices: deflated by the defence price index, which grows by
        the deflator plus the defence price premium each year."""
        scn = self.scenario
        index = np.cumprod(1.0 + self._full(scn.deflator) + scn.price_premium, axis=1)
        return np.asarray(self.defence / index)

    # Series that are elementwise in the year: computed for the columns ``cols`` only.
    def _borrowing_for_defence(self, cols: Cols) -> FloatArray:
        return np.asarray(self.extra[:, cols] - self.cuts[:, cols] - self.tax[:, cols])

    def _net_investment(self, cols: Cols) -> FloatArray:
        scn = self.scenario
        nu = self._full(scn.other_investment)[:, cols]
        return np.asarray(scn.capital_share * self.defence[:, cols] + nu * self.gdp[:, cols])

    def _current_balance(self, cols: Cols) -> FloatArray:
        return np.asarray(self._net_investment(cols) - self.psnb[:, cols])

    @cached_property
    def borrowing_for_defence(self) -> FloatArray:
        return self._borrowing_for_defence(slice(None))

    @cached_property
    def net_investment(self) -> FloatArray:
        return self._net_investment(slice(None))

    @cached_property
    def current_balance(self) -> FloatArray:
        return self._current_balance(slice(None))

    def at(self, name: str, cols: IntArray) -> FloatArray:
        """Series ``name`` in the years at positions ``cols``, shape ``(batch, len(cols))``:
        the numbers of ``getattr(self, name)[:, cols]``, without computing the other years
        of a series that is computed on first read."""
        derive = {
            "borrowing_for_defence": self._borrowing_for_defence,
            "net_investment": self._net_investment,
            "current_balance": self._current_balance,
        }.get(name)
        if derive is not None and name not in self.__dict__:
            return derive(cols)
        return np.asarray(getattr(self, name)[:, cols])

    @cached_property
    def sfa(self) -> FloatArray:
        return self._full(self.scenario.sfa).copy()


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


def _per_year(a: ArrayLike, nb: int, n: int) -> list[Value]:
    """An input's value in each year: a number where every batch row shares it (a path of
    shape ``(years,)`` or ``(1, years)``), else that year's column of the batch."""
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim == 2 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim <= 1:
        return [float(v) for v in np.broadcast_to(arr, (n,))]
    arr = np.broadcast_to(arr, (nb, n))
    return [arr[:, t] for t in range(n)]


def _add(a: Value, b: Value, out: FloatArray) -> Value:
    if isinstance(a, float) and isinstance(b, float):
        return a + b
    return np.add(a, b, out=out)


def simulate(scn: Scenario, ws: Workspace | None = None) -> Paths:
    """Run the model over every row of the batch implied by the scenario's arrays.

    With a workspace (:mod:`budgetsim.model.workspace`) the paths live in its arrays and are
    overwritten by the next call that uses it."""
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

    def per_year(a: ArrayLike) -> list[Value]:
        return _per_year(a, nb, n)

    g, p = per_year(scn.real_growth), per_year(scn.deflator)
    share, cash, s0 = per_year(scn.share), per_year(scn.cash), per_year(scn.baseline_share)
    rho, omega, sfa = per_year(scn.receipts), per_year(scn.other_spending), per_year(scn.sfa)
    i_s, i_l = per_year(scn.short_rate), per_year(scn.long_rate)
    rr, pi = per_year(scn.real_il_rate), per_year(scn.il_inflation)
    caps_cash = [None if p_.cap_cash is None else per_year(p_.cap_cash) for p_ in scn.pools]
    caps_gdp = [None if p_.cap_gdp is None else per_year(p_.cap_gdp) for p_ in scn.pools]
    amounts = [None if p_.amount is None else per_year(p_.amount) for p_ in scn.pools]
    is_tax = [p_.kind == "tax" for p_ in scn.pools]
    shares = [p_.share or 0.0 for p_ in scn.pools]
    waterfall = scn.mode == "waterfall"
    npools = len(scn.pools)

    # Outputs are year-major memory, returned as (batch, years) views, so each year of the
    # loop below writes contiguous rows in place.
    Y, D, D0, E, C, T, REC, OTH, INT, RL, PSNB, B = (
        empty(ws, f"engine.out{i}", (n, nb)) for i in range(12)
    )
    pools = empty(ws, "engine.pools", (npools, n, nb))
    og, op, tmp, tmp2, beta, rem, need, cap, prem, short_b, long_b, qc_b = (
        empty(ws, f"engine.tmp{i}", (nb,)) for i in range(12)
    )

    f, q, M = scn.floating, scn.index_linked, scn.maturity
    conventional = 1.0 - f - q
    y_init = np.full(nb, scn.gdp0)
    ybar = y_init.copy()
    b_init = np.full(nb, scn.debt0)
    psnb_init = np.full(nb, scn.psnb0)
    rl_init = np.full(nb, scn.rate0)
    lvl = np.zeros(nb)
    impulse = np.zeros(nb)  # m_D E - m_C C - m_T T, last year, / Y
    pd = np.ones(nb)  # the defence price index, needed here only for real cash paths
    real_cash = scn.basis == "cash" and scn.cash_real
    feedback = scn.m_defence != 0.0 or scn.m_cuts != 0.0 or scn.m_tax != 0.0

    for t in range(n):
        y_prev = Y[t - 1] if t else y_init
        b_prev = B[t - 1] if t else b_init
        psnb_prev = PSNB[t - 1] if t else psnb_init
        rl_prev = RL[t - 1] if t else rl_init
        y, d, d0, e, cuts, tax = Y[t], D[t], D0[t], E[t], C[t], T[t]

        onep = _add(1.0, p[t], op)
        if feedback:
            np.multiply(ybar, _add(1.0, g[t], og), out=ybar)
            ybar *= onep
            lvl *= scn.persistence
            lvl += impulse
            np.add(1.0, lvl, out=tmp)
            np.multiply(ybar, tmp, out=y)
        else:  # GDP is its trend
            np.multiply(y_prev, _add(1.0, g[t], og), out=y)
            y *= onep
        if real_cash:
            pd *= _add(onep, scn.price_premium, tmp)
        if scn.basis == "cash":
            if scn.cash_real:
                np.multiply(cash[t], pd, out=d)
            else:
                np.copyto(d, cash[t])
        else:
            np.multiply(share[t], y, out=d)
        np.multiply(s0[t], y, out=d0)
        np.subtract(d, d0, out=e)

        # Funding: each source >= 0 and within its cap; borrowing takes the rest.
        np.maximum(e, 0.0, out=rem)
        if not waterfall:
            np.copyto(need, rem)
        cuts.fill(0.0)
        tax.fill(0.0)
        for k in range(npools):
            take = pools[k, t]
            fixed = amounts[k]
            if fixed is not None:  # set by a solver: exactly this much, whatever is left
                np.copyto(take, fixed[t])
            else:
                want = rem if waterfall else np.multiply(need, shares[k], out=take)
                cc, cg = caps_cash[k], caps_gdp[k]
                if cc is not None:
                    np.minimum(want, cc[t], out=take)
                elif cg is not None:
                    np.minimum(want, np.multiply(cg[t], y, out=cap), out=take)
                elif want is not take:
                    np.copyto(take, want)
                np.minimum(take, rem, out=take)  # rem < 0 after a fixed amount above the need
                np.maximum(take, 0.0, out=take)
            rem -= take
            if is_tax[k]:
                tax += take
            else:
                cuts += take

        short: Value = i_s[t]
        long_: Value = i_l[t]
        if scn.premium_slope != 0.0:
            np.divide(b_prev, y_prev, out=prem)
            prem -= scn.premium_threshold
            np.maximum(0.0, prem, out=prem)
            prem *= scn.premium_slope
            short = np.add(short, prem, out=short_b)
            long_ = np.add(long_, prem, out=long_b)
        if b_prev.min() > 0.0:  # false for a NaN too
            np.maximum(0.0, psnb_prev, out=beta)
            beta /= b_prev
            np.add(1.0 / M, beta, out=beta)
            np.minimum(1.0, beta, out=beta)
        else:  # no stock to roll over where B <= 0
            safe_b = np.where(b_prev > 0.0, b_prev, 1.0)
            np.copyto(
                beta,
                np.where(
                    b_prev > 0.0,
                    np.minimum(1.0, 1.0 / M + np.maximum(0.0, psnb_prev) / safe_b),
                    1.0,
                ),
            )
        rl = RL[t]
        np.subtract(1.0, beta, out=tmp)
        tmp *= rl_prev
        np.multiply(beta, long_, out=rl)
        rl += tmp
        # b_prev * (f short + q (rr + pi) + conventional rl), summed in that order
        fs = f * short if isinstance(short, float) else np.multiply(short, f, out=tmp2)
        rpi = _add(rr[t], pi[t], qc_b)
        qc = q * rpi if isinstance(rpi, float) else np.multiply(rpi, q, out=qc_b)
        part = _add(fs, qc, tmp2)
        np.multiply(rl, conventional, out=tmp)
        np.add(part, tmp, out=tmp)
        np.multiply(b_prev, tmp, out=INT[t])

        np.multiply(rho[t], y, out=REC[t])
        REC[t] += tax
        np.multiply(omega[t], y, out=OTH[t])
        OTH[t] -= cuts
        psnb = PSNB[t]
        np.add(d, OTH[t], out=psnb)
        psnb += INT[t]
        psnb -= REC[t]
        np.add(b_prev, psnb, out=B[t])
        B[t] += sfa[t]

        if feedback:
            np.multiply(scn.m_defence, e, out=impulse)
            impulse -= np.multiply(scn.m_cuts, cuts, out=tmp)
            impulse -= np.multiply(scn.m_tax, tax, out=tmp)
            impulse /= y

    return Paths(
        gdp=Y.T,
        defence=D.T,
        baseline_defence=D0.T,
        extra=E.T,
        cuts=C.T,
        tax=T.T,
        pools=pools.transpose(0, 2, 1),
        receipts=REC.T,
        other_spending=OTH.T,
        interest=INT.T,
        conventional_rate=RL.T,
        psnb=PSNB.T,
        debt=B.T,
        gdp0=np.full(nb, scn.gdp0),
        debt0=np.full(nb, scn.debt0),
        scenario=scn,
    )
