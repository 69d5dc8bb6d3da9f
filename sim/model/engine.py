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
With defence components, components on cash paths add their cash to :math:`D_t`, and a
component with funding of its own meets its extra spending :math:`E_{c,t}` from its own
sources (docs/model.md, sections 4 and 5).

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

from budgetsim.model.scenario import FundingGroup, Scenario
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
    the fields and the scenario on first read (and then kept).

    Attributes
    ----------
    gdp : ndarray, shape (batch, years)
        Nominal GDP, currency.
    defence, baseline_defence : ndarray, shape (batch, years)
        Defence spending and the baseline's, currency.
    extra : ndarray, shape (batch, years)
        Extra defence spending over the baseline, currency (negative below it).
    cuts, tax : ndarray, shape (batch, years)
        The extra spending met by cuts and by tax rises, currency.
    pools : ndarray, shape (n_pools, batch, years)
        What each funding source gives, currency, in the scenario's order.
    receipts, other_spending : ndarray, shape (batch, years)
        Receipts (tax rises included) and other primary spending (cuts taken off), currency.
    interest : ndarray, shape (batch, years)
        Debt interest, currency.
    conventional_rate : ndarray, shape (batch, years)
        Effective rate on conventional debt, fraction a year.
    psnb, debt : ndarray, shape (batch, years)
        Borrowing in the year and net debt at its end, currency.
    gdp0, debt0 : ndarray, shape (batch,)
        Base-year GDP and debt, currency (the falling-debt rule starts from them).
    scenario : Scenario
        The scenario run (its other paths are read by the properties).
    group_extra : ndarray, shape (groups, batch, years), or None
        The extra spending each funding group of :attr:`Scenario.funding_groups` met,
        currency; None when the scenario's funding meets all of it (it is then ``extra``).
    """

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
    group_extra: FloatArray | None = field(default=None, repr=False, compare=False)

    @property
    def batch(self) -> int:
        """Number of rows of the batch (runs)."""
        return int(self.gdp.shape[0])

    def _full(self, a: ArrayLike) -> FloatArray:
        return np.broadcast_to(np.asarray(a, dtype=np.float64), self.gdp.shape)

    @cached_property
    def deflator(self) -> FloatArray:
        """GDP deflator growth, fraction a year, shape (batch, years)."""
        return self._full(self.scenario.deflator).copy()

    @cached_property
    def real_growth(self) -> FloatArray:
        """Realised real growth, fraction a year, shape (batch, years); equals the input
        growth without demand feedback."""
        y = self.gdp
        y_before = np.concatenate([np.full((y.shape[0], 1), self.scenario.gdp0), y[:, :-1]], axis=1)
        return np.asarray(y / y_before / (1.0 + self._full(self.scenario.deflator)) - 1.0)

    @cached_property
    def defence_real(self) -> FloatArray:
        """Defence at base-year prices: deflated by the defence price index, which grows by
        the deflator plus the defence price premium each year. Currency at base-year prices,
        shape (batch, years)."""
        return np.asarray(self.defence / self.defence_prices)

    @cached_property
    def defence_prices(self) -> FloatArray:
        """The defence price index PD_t (1 in the base year), shape (batch, years): it
        grows by the deflator plus the defence price premium each year."""
        return self.scenario.defence_price_index(self.gdp.shape)

    @cached_property
    def extra_real(self) -> FloatArray:
        """Extra defence spending at base-year prices, deflated by the defence price index
        as :attr:`defence_real` is, currency, shape (batch, years)."""
        return np.asarray(self.extra / self.defence_prices)

    # Series that are elementwise in the year: computed for the columns ``cols`` only.
    def _borrowing_for_defence(self, cols: Cols) -> FloatArray:
        return np.asarray(self.extra[:, cols] - self.cuts[:, cols] - self.tax[:, cols])

    def _component_spending(self, cols: Cols) -> FloatArray:
        scn = self.scenario
        shares = scn.component_shares(self._full(scn.share)[:, cols], cols)
        spending = np.asarray(shares * self.gdp[:, cols])
        if self.component_cash is not None:  # the same arithmetic as the engine's
            spending += self.component_cash[:, :, cols]
        return spending

    def headline_share(self, cols: Cols) -> FloatArray:
        """The share of GDP the headline target counts, a fraction, shape
        (batch, len(cols)): the counted components' spending (all of defence when the
        scenario names no targets) over GDP.

        Parameters
        ----------
        cols : slice or ndarray of int
            Year positions.
        """
        scn = self.scenario
        if not scn.targets:
            return np.asarray(self.defence[:, cols] / self.gdp[:, cols])
        counted = self._component_spending(cols)[list(scn.targets[0].components)].sum(axis=0)
        return np.asarray(counted / self.gdp[:, cols])

    def _component_extra(self, cols: Cols) -> FloatArray:
        scn = self.scenario
        gdp = self.gdp[:, cols]  # a baseline path may be one per batch row (a sweep's points)
        base = np.array([np.asarray(c.baseline_share)[..., cols] * gdp for c in scn.components])
        return np.asarray(self._component_spending(cols) - base)

    def _net_investment(self, cols: Cols) -> FloatArray:
        scn = self.scenario
        nu = self._full(scn.other_investment)[:, cols]
        if scn.components:  # each component's capital share of its spending above baseline
            capital = np.array([c.capital_share for c in scn.components])[:, None, None]
            extra = self._component_extra(cols)
            return np.asarray((capital * extra).sum(axis=0) + nu * self.gdp[:, cols])
        return np.asarray(scn.capital_share * self.defence[:, cols] + nu * self.gdp[:, cols])

    def _current_balance(self, cols: Cols) -> FloatArray:
        return np.asarray(self._net_investment(cols) - self.psnb[:, cols])

    @cached_property
    def component_spending(self) -> FloatArray:
        """Each defence component's spending, currency, shape (components, batch, years)
        (components of zero length without components)."""
        return self._component_spending(slice(None))

    @cached_property
    def component_extra(self) -> FloatArray:
        """Each defence component's spending above its baseline, currency, shape
        (components, batch, years)."""
        return self._component_extra(slice(None))

    @cached_property
    def component_cash(self) -> FloatArray | None:
        """Each component's cash path in nominal currency (zero for a share path), shape
        (components, batch, years); None when no component has a cash path."""
        return self.scenario.component_cash(self.gdp.shape)

    @property
    def funding_need(self) -> FloatArray:
        """The extra spending each funding group of :attr:`Scenario.funding_groups` meets,
        currency, shape (groups, batch, years): ``extra`` alone when the scenario's funding
        meets all of it."""
        return self.extra[None] if self.group_extra is None else self.group_extra

    @cached_property
    def group_borrowing(self) -> FloatArray:
        """What each funding group leaves to borrowing: its extra spending less its
        sources, currency, shape (groups, batch, years); they add up (to rounding) to
        :attr:`borrowing_for_defence`."""
        need = self.funding_need
        out = need.copy()
        for g, group in enumerate(self.scenario.funding_groups):
            for k in group.pools:
                out[g] -= self.pools[k]
        return out

    @cached_property
    def extra_today(self) -> FloatArray:
        """Extra defence spending in today's terms: its share of GDP times the base year's
        GDP, currency, shape (batch, years)."""
        return np.asarray(self.extra / self.gdp * self.gdp0[:, None])

    @cached_property
    def psnfl(self) -> FloatArray:
        """Public sector net financial liabilities at the end of each year, currency,
        shape (batch, years): :math:`L_t = L_{t-1} + PSNB_t + SFA^L_t` (NaN when the
        scenario does not model them)."""
        scn = self.scenario
        if scn.psnfl0 is None:
            return np.full(self.gdp.shape, np.nan)
        # Summed a year at a time over (years, batch) memory, the engine's layout: the same
        # additions in the same order as a cumsum along the rows, without strided passes.
        flows = self.psnb.T + (0.0 if scn.psnfl_sfa is None else self._full(scn.psnfl_sfa).T)
        np.cumsum(flows, axis=0, out=flows)
        flows += scn.psnfl0
        return flows.T

    @cached_property
    def borrowing_for_defence(self) -> FloatArray:
        """Extra defence spending met by borrowing (extra less cuts and tax), currency."""
        return self._borrowing_for_defence(slice(None))

    @cached_property
    def net_investment(self) -> FloatArray:
        """Net investment: defence's capital share plus other investment, currency."""
        return self._net_investment(slice(None))

    @cached_property
    def current_balance(self) -> FloatArray:
        """Current balance: net investment less borrowing, currency (positive: a surplus)."""
        return self._current_balance(slice(None))

    def at(self, name: str, cols: IntArray) -> FloatArray:
        """Series ``name`` in the years at positions ``cols``, shape ``(batch, len(cols))``:
        the numbers of ``getattr(self, name)[:, cols]``, without computing the other years
        of a series that is computed on first read.

        Parameters
        ----------
        name : str
            A field or property of shape (batch, years), e.g. ``"current_balance"``.
        cols : ndarray of int, shape (k,)
            Positions of the years along the years axis (0 is the first projected year).

        Returns
        -------
        ndarray, shape (batch, k)
            In the series' own unit (currency or fractions).
        """
        derive = {
            "borrowing_for_defence": self._borrowing_for_defence,
            "net_investment": self._net_investment,
            "current_balance": self._current_balance,
            "component_spending": self._component_spending,
            "component_extra": self._component_extra,
        }.get(name)
        if derive is not None and name not in self.__dict__:
            return derive(cols)
        return np.asarray(getattr(self, name)[..., cols])

    @cached_property
    def sfa(self) -> FloatArray:
        """Stock-flow adjustment, currency, shape (batch, years)."""
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


class _Inputs:
    """Each input's value in each year (:func:`_per_year`), read by the blocks."""

    def __init__(self, scn: Scenario, nb: int) -> None:
        n = scn.n_years

        def per_year(a: ArrayLike) -> list[Value]:
            return _per_year(a, nb, n)

        self.g, self.p = per_year(scn.real_growth), per_year(scn.deflator)
        self.share, self.cash = per_year(scn.share), per_year(scn.cash)
        self.s0 = per_year(scn.baseline_share)
        self.rho, self.omega = per_year(scn.receipts), per_year(scn.other_spending)
        self.sfa = per_year(scn.sfa)
        self.i_s, self.i_l = per_year(scn.short_rate), per_year(scn.long_rate)
        self.rr, self.pi = per_year(scn.real_il_rate), per_year(scn.il_inflation)
        self.caps_cash = [None if p.cap_cash is None else per_year(p.cap_cash) for p in scn.pools]
        self.caps_gdp = [None if p.cap_gdp is None else per_year(p.cap_gdp) for p in scn.pools]
        self.amounts = [None if p.amount is None else per_year(p.amount) for p in scn.pools]
        self.is_tax = [p.kind == "tax" for p in scn.pools]
        self.shares = [p.share or 0.0 for p in scn.pools]


class _Engine:
    """The recursion's state and its blocks, one method per block of docs/model.md.

    Outputs are year-major memory, returned as (batch, years) views, so each year of the
    loop writes contiguous rows in place; the scratch vectors are one year of the batch.
    """

    def __init__(self, scn: Scenario, nb: int, ws: Workspace | None) -> None:
        n, npools = scn.n_years, len(scn.pools)
        self.scn, self.x = scn, _Inputs(scn, nb)
        self.Y, self.D, self.D0, self.E, self.C, self.T = (
            empty(ws, f"engine.out{i}", (n, nb)) for i in range(6)
        )
        self.REC, self.OTH, self.INT, self.RL, self.PSNB, self.B = (
            empty(ws, f"engine.out{i}", (n, nb)) for i in range(6, 12)
        )
        self.pools = empty(ws, "engine.pools", (npools, n, nb))
        self.og, self.op, self.tmp, self.tmp2, self.beta, self.rem = (
            empty(ws, f"engine.tmp{i}", (nb,)) for i in range(6)
        )
        self.need, self.cap, self.prem, self.short_b, self.long_b, self.qc_b = (
            empty(ws, f"engine.tmp{i}", (nb,)) for i in range(6, 12)
        )
        self.y_init = np.full(nb, scn.gdp0)
        self.ybar = self.y_init.copy()  # GDP without feedback, when feedback is on
        self.b_init = np.full(nb, scn.debt0)
        self.psnb_init = np.full(nb, scn.psnb0)
        self.rl_init = np.full(nb, scn.rate0)
        self.lvl = np.zeros(nb)  # l_t, the feedback's level gap
        self.impulse = np.zeros(nb)  # m_D E - m_C C - m_T T, last year, / Y
        self.pd = np.ones(nb)  # the defence price index, needed here only for real cash paths
        self.real_cash = scn.basis == "cash" and scn.cash_real
        # A multiplier may be a number or one per batch row (a sweep's points).
        multipliers = (scn.m_defence, scn.m_cuts, scn.m_tax)
        self.feedback = any(bool(np.any(np.asarray(m) != 0.0)) for m in multipliers)
        self.onep: Value = 1.0
        # Components on cash paths: their nominal cash, (components, batch, years), and its
        # sum, added to defence each year (None: none).
        self.comp_cash = scn.component_cash((nb, n))
        self.cash_sum = None if self.comp_cash is None else self.comp_cash.sum(axis=0)
        # Funding groups: the scenario's sources, then each component's own. With only the
        # scenario's, they meet E_t as a whole; otherwise each group meets its components'
        # extra spending, worked out year by year (below).
        self.groups = scn.funding_groups
        self.own = len(self.groups) > 1
        if self.own:
            self.comp_share = scn.component_shares(scn.share)  # (components, 1 or nb, years)
            self.comp_s0 = [_per_year(c.baseline_share, nb, n) for c in scn.components]
            self.unfunded = [
                c for c, comp in enumerate(scn.components) if comp.funding_mode is None
            ]
            self.EC = empty(ws, "engine.comp_extra", (len(scn.components), n, nb))
            self.G = empty(ws, "engine.group_extra", (len(self.groups), n, nb))

    def year(self, t: int) -> None:
        """Every block, in the order of docs/model.md section 11."""
        self.gdp(t)
        self.defence(t)
        self.funding(t)
        self.interest(t)
        self.finances(t)
        if self.feedback:
            self.feedback_impulse(t)

    def before(self, t: int) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Last year's GDP, debt, borrowing and effective conventional rate."""
        if t:
            return self.Y[t - 1], self.B[t - 1], self.PSNB[t - 1], self.RL[t - 1]
        return self.y_init, self.b_init, self.psnb_init, self.rl_init

    def gdp(self, t: int) -> None:
        r"""GDP: :math:`\bar Y_t = \bar Y_{t-1}(1+g_t)(1+p_t)`; with feedback
        :math:`l_t = h\,l_{t-1} + \text{impulse}_{t-1}` and :math:`Y_t = \bar Y_t(1+l_t)`."""
        x, y = self.x, self.Y[t]
        self.onep = onep = _add(1.0, x.p[t], self.op)
        if self.feedback:
            np.multiply(self.ybar, _add(1.0, x.g[t], self.og), out=self.ybar)
            self.ybar *= onep
            self.lvl *= self.scn.persistence
            self.lvl += self.impulse
            np.add(1.0, self.lvl, out=self.tmp)
            np.multiply(self.ybar, self.tmp, out=y)
        else:  # GDP is its trend
            np.multiply(self.before(t)[0], _add(1.0, x.g[t], self.og), out=y)
            y *= onep

    def defence(self, t: int) -> None:
        r"""Defence: :math:`D_t = s_t Y_t` (or the cash path, deflated by
        :math:`PD_t = PD_{t-1}(1 + p_t + d)` when real); :math:`D^0_t = s^0_t Y_t`;
        :math:`E_t = D_t - D^0_t`."""
        scn, x = self.scn, self.x
        y, d = self.Y[t], self.D[t]
        if self.real_cash:
            self.pd *= _add(self.onep, scn.price_premium, self.tmp)
        if scn.basis == "cash":
            if scn.cash_real:
                np.multiply(x.cash[t], self.pd, out=d)
            else:
                np.copyto(d, x.cash[t])
        else:
            np.multiply(x.share[t], y, out=d)
        if self.cash_sum is not None:  # components on cash paths
            d += self.cash_sum[:, t]
        np.multiply(x.s0[t], y, out=self.D0[t])
        np.subtract(d, self.D0[t], out=self.E[t])

    def funding(self, t: int) -> None:
        r"""Funding: :math:`E_t = C_t + T_t + F_t`, each source :math:`\ge 0` and within its
        cap, in waterfall order or by shares; a source with an exact amount gives it;
        borrowing :math:`F_t` takes the rest. A component with funding of its own meets its
        extra spending :math:`E_{c,t}` from its sources first, the rest borrowed; the
        scenario's sources meet the extra spending of the components without."""
        self.C[t].fill(0.0)
        self.T[t].fill(0.0)
        if not self.own:
            self.fund(t, self.groups[0], self.E[t])
            return
        self.component_extra(t)
        for g, group in enumerate(self.groups):
            need = self.G[g, t]
            if group.component is not None:
                np.copyto(need, self.EC[group.component, t])
            else:
                need.fill(0.0)
                for c in self.unfunded:
                    need += self.EC[c, t]
            self.fund(t, group, need)

    def component_extra(self, t: int) -> None:
        r"""Each component's extra spending :math:`E_{c,t} = s_{c,t} Y_t (+ \text{cash}_{c,t})
        - s^0_{c,t} Y_t`, as :attr:`Paths.component_extra` computes it."""
        y, tmp = self.Y[t], self.tmp
        for c in range(len(self.comp_s0)):
            ec = self.EC[c, t]
            np.multiply(self.comp_share[c, :, t], y, out=ec)
            if self.comp_cash is not None:
                ec += self.comp_cash[c, :, t]
            np.multiply(self.comp_s0[c][t], y, out=tmp)
            ec -= tmp

    def fund(self, t: int, group: FundingGroup, extra: FloatArray) -> None:
        """One funding group meets ``extra`` (its part of this year's extra spending) from
        its sources, in its mode; what they give is added to this year's cuts and tax."""
        x, y, rem, need = self.x, self.Y[t], self.rem, self.need
        cuts, tax = self.C[t], self.T[t]
        waterfall = group.mode == "waterfall"
        np.maximum(extra, 0.0, out=rem)
        if not waterfall:
            np.copyto(need, rem)
        for k in group.pools:
            take = self.pools[k, t]
            fixed = x.amounts[k]
            if fixed is not None:  # exactly this much, whatever is left
                np.copyto(take, fixed[t])
            else:
                want = rem if waterfall else np.multiply(need, x.shares[k], out=take)
                cc, cg = x.caps_cash[k], x.caps_gdp[k]
                if cc is not None:
                    np.minimum(want, cc[t], out=take)
                elif cg is not None:
                    np.minimum(want, np.multiply(cg[t], y, out=self.cap), out=take)
                elif want is not take:
                    np.copyto(take, want)
                np.minimum(take, rem, out=take)  # rem < 0 after a fixed amount above the need
                np.maximum(take, 0.0, out=take)
            rem -= take
            if x.is_tax[k]:
                tax += take
            else:
                cuts += take

    def interest(self, t: int) -> None:
        r"""Interest: :math:`\beta_t = \min(1, 1/M + \max(0, PSNB_{t-1})/B_{t-1})` (1 where
        :math:`B_{t-1} \le 0`), :math:`r^L_t = (1-\beta_t) r^L_{t-1} + \beta_t i^L_t`,
        :math:`I_t = B_{t-1}(f i^S_t + q(rr_t + \pi_t) + (1-f-q) r^L_t)`; with the risk
        premium on, :math:`i^S_t, i^L_t \mathrel{+}= \phi\max(0, b_{t-1} - \bar b)`."""
        scn, x = self.scn, self.x
        y_prev, b_prev, psnb_prev, rl_prev = self.before(t)
        beta, tmp, tmp2 = self.beta, self.tmp, self.tmp2
        f, q = scn.floating, scn.index_linked
        short: Value = x.i_s[t]
        long_: Value = x.i_l[t]
        if scn.premium_slope != 0.0:
            prem = self.prem
            np.divide(b_prev, y_prev, out=prem)
            prem -= scn.premium_threshold
            np.maximum(0.0, prem, out=prem)
            prem *= scn.premium_slope
            short = np.add(short, prem, out=self.short_b)
            long_ = np.add(long_, prem, out=self.long_b)
        if b_prev.min() > 0.0:  # false for a NaN too
            np.maximum(0.0, psnb_prev, out=beta)
            beta /= b_prev
            np.add(1.0 / scn.maturity, beta, out=beta)
            np.minimum(1.0, beta, out=beta)
        else:  # no stock to roll over where B <= 0
            safe_b = np.where(b_prev > 0.0, b_prev, 1.0)
            np.copyto(
                beta,
                np.where(
                    b_prev > 0.0,
                    np.minimum(1.0, 1.0 / scn.maturity + np.maximum(0.0, psnb_prev) / safe_b),
                    1.0,
                ),
            )
        rl = self.RL[t]
        np.subtract(1.0, beta, out=tmp)
        tmp *= rl_prev
        np.multiply(beta, long_, out=rl)
        rl += tmp
        # b_prev * (f short + q (rr + pi) + conventional rl), summed in that order
        fs = f * short if isinstance(short, float) else np.multiply(short, f, out=tmp2)
        rpi = _add(x.rr[t], x.pi[t], self.qc_b)
        qc = q * rpi if isinstance(rpi, float) else np.multiply(rpi, q, out=self.qc_b)
        part = _add(fs, qc, tmp2)
        np.multiply(rl, 1.0 - f - q, out=tmp)
        np.add(part, tmp, out=tmp)
        np.multiply(b_prev, tmp, out=self.INT[t])

    def finances(self, t: int) -> None:
        r"""Public finances: :math:`R_t = \rho_t Y_t + T_t`, :math:`O_t = \omega_t Y_t - C_t`,
        :math:`PSNB_t = D_t + O_t + I_t - R_t`, :math:`B_t = B_{t-1} + PSNB_t + SFA_t`."""
        x, y = self.x, self.Y[t]
        rec, oth, psnb = self.REC[t], self.OTH[t], self.PSNB[t]
        np.multiply(x.rho[t], y, out=rec)
        rec += self.T[t]
        np.multiply(x.omega[t], y, out=oth)
        oth -= self.C[t]
        np.add(self.D[t], oth, out=psnb)
        psnb += self.INT[t]
        psnb -= rec
        np.add(self.before(t)[1], psnb, out=self.B[t])
        self.B[t] += x.sfa[t]

    def feedback_impulse(self, t: int) -> None:
        r"""Feedback: next year's impulse
        :math:`(m_D E_t - m_C C_t - m_T T_t) / Y_t`, used only when a multiplier is set."""
        scn, tmp, impulse = self.scn, self.tmp, self.impulse
        np.multiply(scn.m_defence, self.E[t], out=impulse)
        impulse -= np.multiply(scn.m_cuts, self.C[t], out=tmp)
        impulse -= np.multiply(scn.m_tax, self.T[t], out=tmp)
        impulse /= self.Y[t]

    def paths(self, nb: int) -> Paths:
        scn = self.scn
        return Paths(
            gdp=self.Y.T,
            defence=self.D.T,
            baseline_defence=self.D0.T,
            extra=self.E.T,
            cuts=self.C.T,
            tax=self.T.T,
            pools=self.pools.transpose(0, 2, 1),
            receipts=self.REC.T,
            other_spending=self.OTH.T,
            interest=self.INT.T,
            conventional_rate=self.RL.T,
            psnb=self.PSNB.T,
            debt=self.B.T,
            gdp0=np.full(nb, scn.gdp0),
            debt0=np.full(nb, scn.debt0),
            scenario=scn,
            group_extra=self.G.transpose(0, 2, 1) if self.own else None,
        )


def _inputs(scn: Scenario) -> list[ArrayLike]:
    pool_paths = [a for p in scn.pools for a in (p.cap_cash, p.cap_gdp, p.amount) if a is not None]
    return [
        scn.real_growth,
        scn.deflator,
        scn.share,
        scn.cash,
        scn.baseline_share,
        scn.receipts,
        scn.other_spending,
        scn.other_investment,
        scn.sfa,
        *(() if scn.psnfl_sfa is None else (scn.psnfl_sfa,)),
        scn.short_rate,
        scn.long_rate,
        scn.real_il_rate,
        scn.il_inflation,
        *pool_paths,
    ]


def simulate(scn: Scenario, ws: Workspace | None = None) -> Paths:
    """Run the model over every row of the batch implied by the scenario's arrays.

    Parameters
    ----------
    scn : Scenario
        Every path of shape ``(years,)`` or ``(batch, years)``; rows of a batch are
        independent runs (draws, candidates, sweep points).
    ws : Workspace, optional
        Arrays to reuse (:mod:`budgetsim.model.workspace`): the paths then live in its
        arrays and are overwritten by the next call that uses it.

    Returns
    -------
    Paths
        Every series, shape ``(batch, years)``, in currency or fractions.

    Raises
    ------
    ValueError
        Inputs with batch sizes that disagree, or with more than two dimensions.

    Notes
    -----
    Numbers that overflow become inf or NaN with numpy's warnings; run through
    :func:`budgetsim.model.guard.run_batch` to have them silenced and the rows that
    diverged found.
    """
    nb = _batch_size(_inputs(scn))
    engine = _Engine(scn, nb, ws)
    for t in range(scn.n_years):
        engine.year(t)
    return engine.paths(nb)
