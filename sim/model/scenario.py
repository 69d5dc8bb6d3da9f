"""The frozen Scenario the engine runs: every path expanded over the projection years and
every percentage turned into a fraction. This module is the one place units change.

Arrays have shape ``(years,)``; the engine also accepts ``(batch, years)`` for any of them
(``dataclasses.replace`` a path with a stacked array to sweep it), so one code path serves a
deterministic run, Monte Carlo draws and solver perturbations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from budgetsim.input.errors import Loc, Problem
from budgetsim.input.registry import ScenarioSpec
from budgetsim.model.defence import share_path
from budgetsim.model.paths import PathError, PathValue, expand
from budgetsim.uncertainty.shocks import ShockModel, Uncertainty, correlation_problem

if TYPE_CHECKING:
    from budgetsim.model.arrays import FloatArray, IntArray

PCT = 0.01

CEILING_RULES = ("deficit_ceiling", "debt_ceiling", "interest_ceiling")


@dataclass(frozen=True)
class Pool:
    """A funding source: cuts to a spending pool or a tax rise, capped per year."""

    name: str
    kind: str  # "cuts" or "tax"
    cap_cash: FloatArray | None
    cap_gdp: FloatArray | None  # fraction of GDP
    share: float | None  # fraction of the extra spending (shares mode)
    # An exact amount given each year, in cash, instead of the cap and the mode: the solvers
    # set it (with perturbations along the batch axis); no scenario file can.
    amount: FloatArray | None = None


@dataclass(frozen=True)
class RuleSpec:
    name: str
    type: str
    years: tuple[int, ...]
    limit: float | None  # fraction
    defence_exemption: float | None  # fraction of GDP
    escape_limit: float  # fraction of GDP (0 when none)
    escape_years: tuple[int, ...]


@dataclass(frozen=True)
class Scenario:
    """A validated scenario in model units (fractions, currency), over projection years."""

    spec: ScenarioSpec
    source: str
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
    basis: str
    share: FloatArray  # used on the share basis
    cash: FloatArray  # used on the cash basis
    cash_real: bool
    price_premium: float
    baseline_share: FloatArray
    capital_share: float
    target_year: int | None
    target_share: float | None
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
    uncertainty: Uncertainty | None = None  # the shocks of `fan`, if the file sets them
    #: Values that loaded but are implausible for their key (sim/plausibility.py), each as
    #: a Problem whose message starts with "warning: ". The CLI prints them to stderr.
    warnings: tuple[Problem, ...] = ()

    @property
    def title(self) -> str:
        return self.spec.meta.title

    @property
    def currency(self) -> str:
        return self.spec.meta.currency

    @property
    def n_years(self) -> int:
        return len(self.years)


def _frozen(a: FloatArray) -> FloatArray:
    a.flags.writeable = False
    return a


class _Builder:
    """Expands paths and collects every cross-key problem before giving up."""

    def __init__(self, spec: ScenarioSpec) -> None:
        self.spec = spec
        self.problems: list[tuple[Loc, str]] = []
        base, horizon = spec.years.base, spec.years.horizon
        if horizon <= base:
            self.problems.append((("years", "horizon"), f"{horizon} is not after base {base}"))
            horizon = base + 1
        if horizon - base > 200:
            self.problems.append(
                (("years", "horizon"), f"at most 200 projected years, not {horizon - base}")
            )
            horizon = base + 200
        self.base, self.horizon = base, horizon
        self.years = np.arange(base + 1, horizon + 1, dtype=np.int64)

    def error(self, loc: Loc, message: str) -> None:
        self.problems.append((loc, message))

    def path(self, loc: Loc, value: PathValue, scale: float = 1.0) -> FloatArray:
        try:
            return _frozen(expand(value, self.years) * scale)
        except PathError as exc:
            self.error(loc, str(exc))
            return _frozen(np.zeros(len(self.years)))

    def year_in_horizon(self, loc: Loc, year: int) -> None:
        if not self.base < year <= self.horizon:
            self.error(loc, f"year {year} is outside the projection {self.base + 1}-{self.horizon}")

    def build(self, source: str) -> Scenario | None:
        s = self.spec
        d, fin, it, fb = s.defence, s.finances, s.interest, s.economy.feedback

        milestones = sorted((d.milestones or {}).items())
        for year, _ in milestones:
            self.year_in_horizon(("defence", "milestones", year), year)
        if d.basis == "cash" and d.cash is None:
            self.error(("defence", "cash"), "the cash basis needs a 'cash' path")
        if d.basis == "share" and d.cash is not None:
            self.error(("defence", "cash"), "'cash' is only used with basis: cash")
        ms_years = [y for y, _ in milestones]
        ms_shares = [v * PCT for _, v in milestones]
        share = _frozen(
            share_path(
                self.base,
                d.base_share * PCT,
                ms_years,
                ms_shares,
                self.years,
                d.shape,
                d.shape_power,
            )[0]
        )
        cash = (
            self.path(("defence", "cash"), d.cash)
            if d.cash is not None
            else _frozen(np.zeros(len(self.years)))
        )
        baseline_share = (
            self.path(("defence", "baseline_share"), d.baseline_share, PCT)
            if d.baseline_share is not None
            else _frozen(np.full(len(self.years), d.base_share * PCT))
        )
        pools = self._pools()
        rules = self._rules()
        uncertainty = self._uncertainty()
        if it.floating_share + it.index_linked_share > 100.0:
            self.error(
                ("interest", "index_linked_share"),
                f"floating ({it.floating_share}) and index-linked ({it.index_linked_share}) "
                "shares add up to more than 100 % of debt",
            )
        values: dict[str, Any] = dict(
            real_growth=self.path(("economy", "real_growth"), s.economy.real_growth, PCT),
            deflator=self.path(("economy", "deflator"), s.economy.deflator, PCT),
            receipts=self.path(("finances", "receipts"), fin.receipts, PCT),
            other_spending=self.path(("finances", "other_spending"), fin.other_spending, PCT),
            other_investment=self.path(("finances", "other_investment"), fin.other_investment, PCT),
            sfa=self.path(("finances", "sfa"), fin.sfa),
            short_rate=self.path(("interest", "short_rate"), it.short_rate, PCT),
            long_rate=self.path(("interest", "long_rate"), it.long_rate, PCT),
            real_il_rate=self.path(
                ("interest", "real_index_linked_rate"), it.real_index_linked_rate, PCT
            ),
            il_inflation=self.path(("interest", "index_inflation"), it.index_inflation, PCT),
        )
        if self.problems:
            return None
        return Scenario(
            spec=s,
            source=source,
            base_year=self.base,
            horizon=self.horizon,
            years=self.years,
            gdp0=s.economy.gdp,
            persistence=fb.persistence,
            m_defence=fb.defence_multiplier,
            m_cuts=fb.cuts_multiplier,
            m_tax=fb.tax_multiplier,
            base_share=d.base_share * PCT,
            basis=d.basis,
            share=share,
            cash=cash,
            cash_real=d.cash_prices == "real",
            price_premium=d.price_premium * PCT,
            baseline_share=baseline_share,
            capital_share=d.capital_share * PCT,
            target_year=milestones[-1][0] if milestones else None,
            target_share=milestones[-1][1] * PCT if milestones else None,
            mode=s.funding.mode,
            tax_freeze=s.funding.tax_freeze,
            pools=pools,
            debt0=fin.debt,
            psnb0=fin.psnb,
            maturity=it.maturity,
            floating=it.floating_share * PCT,
            index_linked=it.index_linked_share * PCT,
            rate0=it.conventional_rate * PCT,
            premium_slope=it.risk_premium.slope,
            premium_threshold=it.risk_premium.threshold * PCT,
            rules=rules,
            uncertainty=uncertainty,
            **values,
        )

    def _pools(self) -> tuple[Pool, ...]:
        f = self.spec.funding
        pools: list[Pool] = []
        seen: set[str] = set()
        total_share = 0.0
        for i, src in enumerate(f.sources):
            loc: Loc = ("funding", "sources", i)
            if src.name in seen:
                self.error((*loc, "name"), f"a source named {src.name!r} is given twice")
            seen.add(src.name)
            if src.kind == "tax" and f.tax_freeze:
                self.error(
                    (*loc, "kind"),
                    "a tax source is not allowed while funding.tax_freeze is true; lift the "
                    "freeze (tax_freeze: false) or fund this another way",
                )
            if src.cap is not None and src.cap_pct_gdp is not None:
                self.error((*loc, "cap"), "give either cap or cap_pct_gdp, not both")
            if f.mode == "shares":
                if src.share is None:
                    self.error((*loc, "share"), "every source needs a share in shares mode")
                else:
                    total_share += src.share
            elif src.share is not None:
                self.error((*loc, "share"), "share is only used with funding.mode: shares")
            pools.append(
                Pool(
                    name=src.name,
                    kind=src.kind,
                    cap_cash=None if src.cap is None else self.path((*loc, "cap"), src.cap),
                    cap_gdp=None
                    if src.cap_pct_gdp is None
                    else self.path((*loc, "cap_pct_gdp"), src.cap_pct_gdp, PCT),
                    share=None if src.share is None else src.share * PCT,
                )
            )
        if total_share > 100.0 + 1e-9:
            self.error(
                ("funding", "sources"), f"shares add up to {total_share:g} %, more than 100 %"
            )
        return tuple(pools)

    def _uncertainty(self) -> Uncertainty | None:
        u = self.spec.uncertainty
        if u is None:
            return None
        corr = np.eye(3)
        for (i, j), rho in (
            ((0, 1), u.corr_growth_deflator),
            ((0, 2), u.corr_growth_rate),
            ((1, 2), u.corr_deflator_rate),
        ):
            corr[i, j] = corr[j, i] = rho
        problem = correlation_problem(corr)
        if problem is not None:
            self.error(("uncertainty", "corr_growth_deflator"), problem)
        shocks = ShockModel(
            sd=_frozen(np.array([u.growth_sd, u.deflator_sd, u.rate_sd]) * PCT),
            corr=_frozen(corr),
            persistence=_frozen(
                np.array([u.growth_persistence, u.deflator_persistence, u.rate_persistence])
            ),
        )
        return Uncertainty(
            shocks=shocks, draws=u.draws, seed=u.seed, debt_threshold=u.debt_threshold * PCT
        )

    def _rules(self) -> tuple[RuleSpec, ...]:
        out: list[RuleSpec] = []
        all_years = tuple(int(y) for y in self.years)
        for i, r in enumerate(self.spec.rules):
            loc: Loc = ("rules", i)
            if r.type in CEILING_RULES and r.limit is None:
                self.error((*loc, "limit"), f"a {r.type} rule needs a limit")
            if r.type not in CEILING_RULES and r.limit is not None:
                self.error((*loc, "limit"), f"a {r.type} rule takes no limit")
            if r.type == "interest_ceiling" and (
                r.defence_exemption is not None or r.escape_clause is not None
            ):
                self.error(
                    loc, "defence exemptions and escape clauses apply to deficit and debt rules"
                )
            if r.escape_clause is not None and r.type not in ("deficit_ceiling", "current_balance"):
                self.error(
                    (*loc, "escape_clause"),
                    "an escape clause applies to the deficit rules (deficit_ceiling, "
                    "current_balance)",
                )
            years = tuple(r.years) if r.years is not None else all_years
            if not years:
                self.error((*loc, "years"), "the list of years is empty")
            for j, y in enumerate(years if r.years is not None else ()):
                self.year_in_horizon((*loc, "years", j), y)
            esc = r.escape_clause
            for j, y in enumerate(esc.years if esc is not None else ()):
                self.year_in_horizon((*loc, "escape_clause", "years", j), y)
            out.append(
                RuleSpec(
                    name=r.name,
                    type=r.type,
                    years=tuple(sorted(set(years))),
                    limit=None if r.limit is None else r.limit * PCT,
                    defence_exemption=None
                    if r.defence_exemption is None
                    else r.defence_exemption * PCT,
                    escape_limit=0.0 if esc is None else esc.limit * PCT,
                    escape_years=() if esc is None else tuple(esc.years),
                )
            )
        return tuple(out)


def build_scenario(
    spec: ScenarioSpec, source: str
) -> tuple[Scenario | None, list[tuple[Loc, str]]]:
    """Turn a validated spec into model units; return the problems found across keys."""
    builder = _Builder(spec)
    scenario = builder.build(source)
    return scenario, builder.problems
