"""The frozen Scenario the engine runs: every path expanded over the projection years, in
model units (fractions of GDP, of debt or a year; currency in the scenario's unit).

A Scenario is built from a validated file by the input layer (:mod:`budgetsim.input.build`),
which converts each key once, by the unit the registry declares for it. After that nothing
reads the file: the Scenario carries what every later stage needs (its title, country,
currency, how years are labelled, its milestones and where its figures come from) and
returns changed copies of itself (:meth:`Scenario.with_target`,
:meth:`Scenario.with_amounts`, :meth:`Scenario.baseline`).

Arrays have shape ``(years,)``; the engine also accepts ``(batch, years)`` for any of them
(``dataclasses.replace`` a path with a stacked array to sweep it), so one code path serves a
deterministic run, Monte Carlo draws and solver perturbations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from budgetsim.errors import Problem
from budgetsim.model.paths import share_path
from budgetsim.model.units import from_percent

if TYPE_CHECKING:
    from budgetsim.model.arrays import ArrayLike, FloatArray, IntArray


#: The range a defence share may take, % of GDP (the registry's bounds on every share key;
#: the solvers search it whole).
SHARE_RANGE_PCT = (0.0, 100.0)


def year_label(year: int, style: str = "fiscal") -> str:
    """How a year is shown: ``2025 -> '2025-26'`` for fiscal years, ``'2025'`` for calendar.

    Parameters
    ----------
    year : int
        The year, for a fiscal year the calendar year it starts in.
    style : {"fiscal", "calendar"}
        The scenario's ``years.label``.

    Returns
    -------
    str
        The label tables, charts and messages show.
    """
    return f"{year}-{(year + 1) % 100:02d}" if style == "fiscal" else str(year)


@dataclass(frozen=True)
class Pool:
    """A funding source: cuts to a spending pool or a tax rise.

    Attributes
    ----------
    name : str
        The source's name, as the file gives it.
    kind : {"cuts", "tax"}
        Cuts to other spending, or a tax rise.
    cap_cash : ndarray, shape (years,) or (batch, years), or None
        Most it can give a year, currency.
    cap_gdp : ndarray, shape (years,) or (batch, years), or None
        Most it can give a year, fraction of GDP.
    share : float or None
        In ``shares`` mode, the fraction of the extra spending it meets.
    amount : ndarray, shape (years,) or (batch, years), or None
        Exactly this much a year, currency, whatever the extra spending (a solver's answer,
        or ``amount:`` in a file); caps, shares and the mode are then not used for it.
    component : int or None
        Position in :attr:`Scenario.components` of the component whose own funding it is
        (it meets only that component's extra spending); None: the scenario's funding.
    """

    name: str
    kind: str
    cap_cash: FloatArray | None
    cap_gdp: FloatArray | None
    share: float | None
    amount: FloatArray | None = None
    component: int | None = None


@dataclass(frozen=True)
class FundingGroup:
    """Sources that meet one part of the extra spending together, in one mode; borrowing
    takes what they leave (docs/model.md, "Funding the extra spending").

    Attributes
    ----------
    component : int or None
        The component whose own funding this is (it meets that component's extra spending);
        None: the scenario's funding, which meets the extra spending of every component
        without funding of its own (all of it, without components).
    mode : {"waterfall", "shares"}
        How its sources share the extra spending.
    pools : tuple of int
        Positions of its sources in :attr:`Scenario.pools`, in waterfall order.
    """

    component: int | None
    mode: str
    pools: tuple[int, ...]


@dataclass(frozen=True)
class RuleSpec:
    """A fiscal rule in model units.

    Attributes
    ----------
    name, type : str
        The rule's name and type (``deficit_ceiling``, ``current_balance``,
        ``debt_falling``, ``debt_ceiling`` or ``interest_ceiling``).
    years : tuple of int
        The years it is checked in, ascending.
    limit : float or None
        The ceiling of a ceiling rule, a fraction (of GDP, of receipts for interest).
    defence_exemption : float or None
        Defence above this fraction of GDP is left out of what the rule measures.
    escape_limit : float
        The escape clause's deviation, fraction of GDP (0 when there is none).
    escape_years : tuple of int
        The years the escape clause applies in.
    measure : {"net_debt", "psnfl"}
        The stock a debt rule looks at: net debt, or public sector net financial
        liabilities (:attr:`Scenario.psnfl0`).
    """

    name: str
    type: str
    years: tuple[int, ...]
    limit: float | None
    defence_exemption: float | None
    escape_limit: float
    escape_years: tuple[int, ...]
    measure: str = "net_debt"

    @property
    def measure_text(self) -> str:
        """What the rule measures, in words, for tables and reports."""
        if self.type in ("debt_falling", "debt_ceiling"):
            stock = "net debt" if self.measure == "net_debt" else "net financial liabilities"
            return f"{stock}, % of GDP"
        return {
            "deficit_ceiling": "borrowing, % of GDP",
            "current_balance": "current budget balance",
            "interest_ceiling": "debt interest, % of receipts",
        }[self.type]


@dataclass(frozen=True)
class Component:
    """One part of defence spending with its own path (``defence.components``).

    Attributes
    ----------
    name : str
        The component's name, as the file gives it (e.g. ``core``, ``intelligence``).
    base_share : float
        Its spending in the base year, fraction of GDP (for resilience: how much existing
        spending already qualifies).
    milestones : tuple of (int, float)
        (year, fraction of GDP), ascending.
    shape : {"linear", "front", "back", "step"}
        The path between milestones.
    shape_power : float
        Exponent of the front- and back-loaded shapes.
    share : ndarray, shape (years,)
        Its share path, fraction of GDP.
    baseline_share : ndarray, shape (years,)
        Its baseline's share path, fraction of GDP; its extra spending is measured against it.
    capital_share : float
        Fraction of it that is net investment (capital spending).
    cash : ndarray, shape (years,), or None
        Its spending in cash, currency, nominal or at base-year prices (``cash_real``), in
        place of a share path (``share`` is then zero); None: it follows ``share``.
    cash_real : bool
        Whether ``cash`` is at base-year prices (uplifted by the defence price index).
    funding_mode : {"waterfall", "shares"} or None
        The mode of its own funding (its sources are the pools whose ``component`` is this
        component); None: the scenario's funding meets its extra spending.
    """

    name: str
    base_share: float
    milestones: tuple[tuple[int, float], ...]
    shape: str
    shape_power: float
    share: FloatArray
    baseline_share: FloatArray
    capital_share: float
    cash: FloatArray | None = None
    cash_real: bool = False
    funding_mode: str | None = None

    def path(
        self, base_year: int, years: IntArray, milestones: Sequence[tuple[int, ArrayLike]]
    ) -> FloatArray:
        """Its share path through ``milestones``.

        Parameters
        ----------
        base_year : int
            The year of :attr:`base_share`.
        years : ndarray of int, shape (years,)
            The projection years.
        milestones : sequence of (int, float or ndarray of shape (batch,))
            (year, fraction of GDP), ascending.

        Returns
        -------
        ndarray, shape (batch, years)
            Fractions of GDP.
        """
        return share_path(
            base_year,
            self.base_share,
            [y for y, _ in milestones],
            [v for _, v in milestones],
            years,
            self.shape,
            self.shape_power,
        )


@dataclass(frozen=True)
class Target:
    """A spending target that counts some of the defence components (``defence.targets``).

    Attributes
    ----------
    name : str
        The target's name (e.g. ``NATO core``).
    components : tuple of int
        Positions in :attr:`Scenario.components` of the components it counts.
    share : float
        The share of GDP the counted components must reach, a fraction.
    year : int
        The first year it applies in; it is checked in that year and every later one.
    """

    name: str
    components: tuple[int, ...]
    share: float
    year: int


@dataclass(frozen=True)
class ShockModel:
    """The VAR(1) shocks of the uncertainty layer, in model units (fractions a year).

    Attributes
    ----------
    sd : ndarray, shape (3,)
        Innovation standard deviations: real growth, deflator, rate change.
    corr : ndarray, shape (3, 3)
        Innovation correlations, in the same order.
    persistence : ndarray, shape (3,)
        The diagonal of A.
    """

    sd: FloatArray
    corr: FloatArray
    persistence: FloatArray

    def factor(self) -> FloatArray:
        """F with F F' = S, shape (3, 3), from the eigen-decomposition of the correlations,
        so a singular (perfectly correlated) matrix works too."""
        w, v = np.linalg.eigh(self.corr)
        return np.asarray(self.sd[:, None] * (v * np.sqrt(np.clip(w, 0.0, None))))


@dataclass(frozen=True)
class UncertaintySettings:
    """A scenario's ``uncertainty:`` section in model units, with the run's settings.

    Attributes
    ----------
    shocks : ShockModel
    draws, seed : int
        Default number of Monte Carlo draws and the random seed.
    debt_threshold : float
        Debt ratio (fraction of GDP) whose chance of being exceeded is reported.
    """

    shocks: ShockModel
    draws: int
    seed: int
    debt_threshold: float


@dataclass(frozen=True)
class Scenario:
    """A validated scenario in model units (fractions, currency), over projection years.

    Paths are arrays of shape ``(years,)`` (or ``(batch, years)`` in a batch); ratios are
    fractions (0.025 is 2.5 % of GDP), cash is in :attr:`currency`. The identity fields
    (title to warnings) say what the scenario is; the rest are the model's inputs, named as
    in docs/model.md.

    Attributes
    ----------
    title, country, currency : str
        From ``meta``; ``currency`` is the unit of every cash figure (e.g. ``"GBP bn"``).
    source : str
        The file (or ``<string>``) it was loaded from.
    reference : str
        ``meta.reference``: where its figures come from.
    year_style : {"fiscal", "calendar"}
        How years are labelled (:func:`year_label`).
    base_year, horizon : int
        The base year t0 and the last projected year tN.
    years : ndarray of int, shape (years,)
        The projected years, ``base_year + 1`` to ``horizon``.
    gdp0 : float
        Nominal GDP in the base year, currency.
    real_growth, deflator : ndarray, shape (years,) or (batch, years)
        Real GDP growth and GDP deflator growth, fractions a year.
    persistence : float
        Share of last year's output gap that persists (h), a fraction.
    m_defence, m_cuts, m_tax : float
        Growth-feedback multipliers of extra defence, cuts and tax rises (0: no feedback).
    base_share : float
        Defence in the base year, fraction of GDP.
    basis : {"share", "cash"}
        Whether defence follows ``share`` or ``cash``.
    milestones : tuple of (int, float)
        (year, fraction of GDP), ascending; the last is the target.
    shape : {"linear", "front", "back", "step"}
        The path between milestones.
    shape_power : float
        Exponent of the front- and back-loaded shapes.
    share : ndarray, shape (years,) or (batch, years)
        Defence, fraction of GDP (used on the share basis).
    cash : ndarray, shape (years,) or (batch, years)
        Defence, currency, nominal or at base-year prices (used on the cash basis).
    cash_real : bool
        Whether ``cash`` is at base-year prices (deflated by the defence price index).
    price_premium : float
        Defence inflation over the GDP deflator, fraction a year.
    baseline_share : ndarray, shape (years,) or (batch, years)
        The baseline's defence, fraction of GDP; extra spending is measured against it.
    capital_share : float
        Fraction of defence spending that is net investment.
    mode : {"waterfall", "shares"}
        How the funding sources share the extra spending.
    tax_freeze : bool
        No tax rises.
    pools : tuple of Pool
        The funding sources, in waterfall order; borrowing takes the rest.
    debt0, psnb0 : float
        Net debt at the end of the base year and borrowing in it, currency.
    receipts, other_spending, other_investment : ndarray, shape (years,) or (batch, years)
        Receipts before any tax rise, other primary spending before cuts, and net
        investment other than defence's, fractions of GDP.
    sfa : ndarray, shape (years,) or (batch, years)
        Stock-flow adjustment, currency.
    maturity : float
        Average maturity of conventional debt, years.
    floating, index_linked : float
        Shares of debt paying the short rate and index-linked, fractions of debt.
    rate0 : float
        Effective rate on conventional debt in the base year, fraction a year.
    short_rate, long_rate : ndarray, shape (years,) or (batch, years)
        The short (policy) rate and the market yield on new long-term debt, fractions a
        year.
    real_il_rate, il_inflation : ndarray, shape (years,) or (batch, years)
        The real yield on index-linked debt and the price index uprating it, fractions a
        year.
    premium_slope : float
        Rise in rates per unit of debt ratio above ``premium_threshold`` (0: off).
    premium_threshold : float
        Debt ratio above which the risk premium applies, fraction of GDP.
    rules : tuple of RuleSpec
        The fiscal rules.
    uncertainty : UncertaintySettings or None
        The shocks of ``fan``, if the file sets them.
    warnings : tuple of Problem
        Values that loaded but are implausible for their key.
    components : tuple of Component
        Defence split into parts (empty: one path). With components, ``share``,
        ``baseline_share`` and ``base_share`` are their sums (``share`` counts only the
        components on share paths; those on cash paths add their cash to defence), and the
        component at :attr:`driver` takes up any change to ``share`` (a solver's candidate
        paths). ``pools`` then holds the scenario's sources first, then each component's
        own, in the order of the components.
    targets : tuple of Target
        Targets counting some components; the first is the headline target solvers move.
    psnfl0 : float or None
        Public sector net financial liabilities at the end of the base year, currency
        (None: not modelled).
    psnfl_sfa : ndarray, shape (years,) or (batch, years), or None
        Change in PSNFL not explained by borrowing, currency.
    """

    # what the scenario is
    title: str
    country: str
    currency: str
    source: str  # the file (or ``<string>``) it was loaded from
    reference: str  # meta.reference: where its figures come from
    year_style: str  # "fiscal" or "calendar"
    base_year: int
    horizon: int
    years: IntArray
    # macro
    gdp0: float
    real_growth: FloatArray
    deflator: FloatArray
    persistence: float
    m_defence: float
    m_cuts: float
    m_tax: float
    # defence
    base_share: float
    basis: str  # "share" or "cash"
    milestones: tuple[tuple[int, float], ...]  # (year, fraction of GDP), ascending
    shape: str
    shape_power: float
    share: FloatArray  # used on the share basis
    cash: FloatArray  # used on the cash basis
    cash_real: bool
    price_premium: float
    baseline_share: FloatArray
    capital_share: float
    # funding
    mode: str
    tax_freeze: bool
    pools: tuple[Pool, ...]
    # public finances
    debt0: float
    psnb0: float
    receipts: FloatArray
    other_spending: FloatArray
    other_investment: FloatArray
    sfa: FloatArray
    # interest
    maturity: float
    floating: float
    index_linked: float
    rate0: float
    short_rate: FloatArray
    long_rate: FloatArray
    real_il_rate: FloatArray
    il_inflation: FloatArray
    premium_slope: float
    premium_threshold: float
    rules: tuple[RuleSpec, ...]
    uncertainty: UncertaintySettings | None = None  # the shocks of `fan`, if the file sets them
    #: Values that loaded but are implausible for their key, each located like an error
    #: (its message starts with "warning: "). The command line prints them to stderr.
    warnings: tuple[Problem, ...] = ()
    # defence components and the targets that count them (none: defence is one path)
    components: tuple[Component, ...] = ()
    targets: tuple[Target, ...] = ()
    # public sector net financial liabilities: a second debt-like stock (None: not modelled)
    psnfl0: float | None = None
    psnfl_sfa: FloatArray | None = None

    @property
    def n_years(self) -> int:
        """Number of projected years."""
        return len(self.years)

    @property
    def target_year(self) -> int | None:
        """The scenario's defence target year: the headline target's (the first of
        ``targets``) with components, else the last milestone's; None without either."""
        if self.targets:
            return self.targets[0].year
        return self.milestones[-1][0] if self.milestones else None

    @property
    def target_share(self) -> float | None:
        """The target's share, fraction of GDP (as :attr:`target_year`), or None."""
        if self.targets:
            return self.targets[0].share
        return self.milestones[-1][1] if self.milestones else None

    @property
    def driver(self) -> int:
        """The component a solver moves: the first one the headline target counts that
        follows a share path (the first component with a share path when the target counts
        none, or when there is no target; the first component when none has one)."""
        counted = self.targets[0].components if self.targets else ()
        shared = [k for k, c in enumerate(self.components) if c.cash is None]
        return next((k for k in counted if k in shared), shared[0] if shared else 0)

    @property
    def funding_groups(self) -> tuple[FundingGroup, ...]:
        """Who meets which extra spending: the scenario's funding first, then each
        component with funding of its own, in the order of :attr:`components`."""
        groups = [
            FundingGroup(
                None, self.mode, tuple(k for k, p in enumerate(self.pools) if p.component is None)
            )
        ]
        for c, comp in enumerate(self.components):
            if comp.funding_mode is not None:
                pools = tuple(k for k, p in enumerate(self.pools) if p.component == c)
                groups.append(FundingGroup(c, comp.funding_mode, pools))
        return tuple(groups)

    def defence_price_index(self, shape: tuple[int, int]) -> FloatArray:
        """The defence price index PD_t (1 in the base year), shape ``shape`` (batch,
        years): it grows by the deflator plus the defence price premium each year.

        Parameters
        ----------
        shape : tuple of (int, int)
            (batch, years) of the run.

        Returns
        -------
        ndarray, shape (batch, years)
            Index, 1 in the base year.
        """
        deflator = np.broadcast_to(np.asarray(self.deflator, dtype=np.float64), shape)
        return np.asarray(np.cumprod(1.0 + deflator + self.price_premium, axis=1))

    def component_cash(self, shape: tuple[int, int]) -> FloatArray | None:
        """Each component's cash path in nominal currency (zero for a component on a share
        path), shape (components, batch, years); None when no component has a cash path.

        Parameters
        ----------
        shape : tuple of (int, int)
            (batch, years) of the run (the defence price index varies with the deflator).

        Returns
        -------
        ndarray, shape (components, batch, years), or None
            Currency: a real path times the defence price index, a nominal one as given.
        """
        if all(c.cash is None for c in self.components):
            return None
        prices = (
            self.defence_price_index(shape) if any(c.cash_real for c in self.components) else None
        )
        out = np.zeros((len(self.components), *shape))
        for k, comp in enumerate(self.components):
            if comp.cash is not None:
                out[k] = comp.cash * prices if prices is not None and comp.cash_real else comp.cash
        return out

    def component_shares(
        self, share: ArrayLike | None = None, cols: slice | IntArray = slice(None)
    ) -> FloatArray:
        """Each component's share path, shape (components, batch, years), fractions of GDP.

        Every component but the :attr:`driver` keeps its own path; the driver is the total
        ``share`` less the others, so a batch of total paths (a solver's candidates) splits
        the same way as the file's own path. A component on a cash path has share zero here
        (its spending is its cash, :meth:`component_cash`).

        Parameters
        ----------
        share : array_like, shape (years,) or (batch, years), optional
            Total defence share paths in the years ``cols`` (default: :attr:`share`).
        cols : slice or ndarray of int
            Positions of the years wanted along the years axis (default: all).

        Returns
        -------
        ndarray, shape (components, batch, len(cols))
        """
        total = np.asarray(self.share if share is None else share, dtype=np.float64)
        if share is None:
            total = total[..., cols]
        total = np.atleast_2d(total)
        # a component's path may be one per batch row (a sweep's points)
        rows = [np.shape(c.share)[0] for c in self.components if np.ndim(c.share) == 2]
        shape = (max([total.shape[0], *rows]), total.shape[1])
        out = np.empty((len(self.components), *shape))
        if not self.components:
            return out
        others = np.zeros(shape)
        for k, comp in enumerate(self.components):
            if k != self.driver:
                out[k] = np.asarray(comp.share)[..., cols]
                others += out[k]
        out[self.driver] = total - others
        return out

    def label(self, year: int) -> str:
        """How tables show ``year`` (2029 -> '2029-30' for fiscal years)."""
        return year_label(year, self.year_style)

    @property
    def year_labels(self) -> tuple[str, ...]:
        """Every projected year's label."""
        return tuple(self.label(int(y)) for y in self.years)

    def span(self) -> str:
        """The projected years as messages show them: '2025-26 to 2035-36'."""
        return f"{self.label(int(self.years[0]))} to {self.label(self.horizon)}"

    def baseline(self) -> Scenario:
        """The same scenario with defence at its baseline share: no extra spending, and no
        funding source giving anything (not even an exact ``amount``)."""
        return replace(
            self,
            basis="share",
            share=self.baseline_share,
            pools=(),
            components=tuple(
                replace(c, share=c.baseline_share, cash=None, funding_mode=None)
                for c in self.components
            ),
        )

    def target_paths(self, targets: Sequence[tuple[int, ArrayLike]]) -> FloatArray:
        """Defence share paths, one row per ``(year, share)`` target.

        Each target takes the place of the last milestone; the milestones before it are kept
        where they fall before its year, the rest dropped.

        Parameters
        ----------
        targets : sequence of (int, float)
            Target year and share, % of GDP (the unit the file uses).

        Returns
        -------
        ndarray, shape (len(targets), years)
            Fractions of GDP; row ``i`` equals the share path of
            ``self.with_target(*targets[i])`` exactly.
        """
        out = np.empty((len(targets), self.n_years))
        by_year: dict[int, list[int]] = {}
        for i, (year, _) in enumerate(targets):
            by_year.setdefault(int(year), []).append(i)
        for year, idx in by_year.items():
            shares = from_percent(np.array([targets[i][1] for i in idx], dtype=np.float64))
            if self.components:
                out[idx] = self._component_total(year, shares)
                continue
            kept: list[tuple[int, ArrayLike]] = [
                (y, v) for y, v in self.milestones[:-1] if y < year
            ]
            out[idx] = self._share_path([*kept, (year, shares)])
        return out

    def _driver_milestones(self, year: int, shares: ArrayLike) -> list[tuple[int, ArrayLike]]:
        """The driver's milestones that make the headline target's counted share reach
        ``shares`` (fractions, scalar or (batch,)) in ``year``: its milestones before
        ``year`` kept, then ``shares`` less the other counted components in ``year``. A
        counted component on a cash path counts its cash over GDP without growth feedback
        (the solvers refuse such a target while feedback is on)."""
        comp = self.components[self.driver]
        j = int(np.searchsorted(self.years, year))
        counted = self.targets[0].components if self.targets else (self.driver,)
        cash = self.component_cash((1, self.n_years))
        gdp = None if cash is None else self._gdp_without_feedback()
        others = 0.0
        for k in counted:
            if k == self.driver:
                continue
            if cash is not None and gdp is not None and self.components[k].cash is not None:
                others += float(cash[k, 0, j] / gdp[j])
            else:
                others += float(self.components[k].share[j])
        kept: list[tuple[int, ArrayLike]] = [(y, v) for y, v in comp.milestones if y < year]
        return [*kept, (int(year), np.asarray(shares, dtype=np.float64) - others)]

    def _gdp_without_feedback(self) -> FloatArray:
        """Nominal GDP from the growth and deflator paths alone, currency, shape (years,)."""
        growth = np.broadcast_to(np.asarray(self.real_growth, dtype=np.float64), self.n_years)
        deflator = np.broadcast_to(np.asarray(self.deflator, dtype=np.float64), self.n_years)
        return np.asarray(self.gdp0 * np.cumprod((1.0 + growth) * (1.0 + deflator)))

    def _component_total(self, year: int, shares: ArrayLike) -> FloatArray:
        """Total share paths, shape (batch, years), with the driver retargeted."""
        comp = self.components[self.driver]
        driver = comp.path(self.base_year, self.years, self._driver_milestones(year, shares))
        others = sum(
            (np.asarray(c.share) for k, c in enumerate(self.components) if k != self.driver),
            np.zeros(self.n_years),
        )
        return np.asarray(driver + others)

    def _share_path(self, milestones: Sequence[tuple[int, ArrayLike]]) -> FloatArray:
        return share_path(
            self.base_year,
            self.base_share,
            [y for y, _ in milestones],
            [v for _, v in milestones],
            self.years,
            self.shape,
            self.shape_power,
        )

    def with_milestones(self, milestones: Sequence[tuple[int, float]]) -> Scenario:
        """The share path through these milestones (year, fraction of GDP), ascending, and
        held after the last; the basis is kept (on the cash basis the last milestone is only
        the target whose attainment is reported).

        Parameters
        ----------
        milestones : sequence of (int, float)
            (year, fraction of GDP), ascending, each year after the base year.

        Returns
        -------
        Scenario
            A copy with ``milestones`` and a read-only ``share`` of shape (years,).
        """
        share = self._share_path(milestones)[0]
        share.flags.writeable = False
        return replace(
            self, milestones=tuple((int(y), float(v)) for y, v in milestones), share=share
        )

    def with_target(self, year: int, share_pct: float) -> Scenario:
        """The defence path retargeted to reach ``share_pct`` % of GDP in ``year``, then held.

        The target takes the place of the last milestone (see :meth:`target_paths`); the
        scenario moves to the share basis.

        Parameters
        ----------
        year : int
            The target year, a projected year.
        share_pct : float, % of GDP
            The target share, in the unit a scenario file uses.

        Returns
        -------
        Scenario
            A copy on the share basis with the new milestones and share path.
        """
        if self.components:
            return self._with_component_target(int(year), from_percent(float(share_pct)))
        kept = [(y, v) for y, v in self.milestones[:-1] if y < year]
        new = self.with_milestones([*kept, (int(year), from_percent(float(share_pct)))])
        return replace(new, basis="share")

    def _with_component_target(self, year: int, share: float) -> Scenario:
        k = self.driver
        comp = self.components[k]
        milestones = tuple(
            (int(y), float(np.asarray(v))) for y, v in self._driver_milestones(year, share)
        )
        path = comp.path(self.base_year, self.years, milestones)[0]
        path.flags.writeable = False
        components = tuple(
            replace(c, milestones=milestones, share=path) if i == k else c
            for i, c in enumerate(self.components)
        )
        targets = self.targets
        if targets:
            targets = (replace(targets[0], year=year, share=share), *targets[1:])
        total = np.sum([np.asarray(c.share) for c in components], axis=0)
        total.flags.writeable = False
        return replace(self, basis="share", components=components, targets=targets, share=total)

    def with_share_paths(self, shares: FloatArray) -> Scenario:
        """A batch: one row per share path (fractions, shape (batch, years)).

        Parameters
        ----------
        shares : ndarray, shape (batch, years)
            Defence share paths, fractions of GDP.

        Returns
        -------
        Scenario
            A copy on the share basis whose ``share`` is ``shares``.
        """
        return replace(self, basis="share", share=shares)

    def with_amounts(self, amounts: Mapping[str, ArrayLike]) -> Scenario:
        """Each named funding source gives exactly its amount a year (currency), whatever
        the extra spending; sources not named keep their settings.

        Parameters
        ----------
        amounts : mapping of str to array_like, shape (years,) or (batch, years)
            Currency a year, per source name.

        Returns
        -------
        Scenario
            A copy whose named pools carry these ``amount`` paths.

        Raises
        ------
        KeyError
            A name that is not one of the scenario's funding sources.
        """
        unknown = set(amounts) - {p.name for p in self.pools}
        if unknown:
            raise KeyError(f"no funding source named {sorted(unknown)[0]!r}")
        pools = tuple(
            p if p.name not in amounts else replace(p, amount=np.asarray(amounts[p.name]))
            for p in self.pools
        )
        return replace(self, pools=pools)
