"""A validated spec -> the frozen :class:`~budgetsim.model.scenario.Scenario`.

This is where units change, once per key: each value is multiplied by the factor of the
unit the registry declares for it (:func:`budgetsim.input.registry.scale_of`), so percent
becomes a fraction here and nowhere else. Paths are expanded over the projection years and
every cross-key problem (a milestone after the horizon, a tax source under the freeze, ...)
is collected before giving up, so a file's problems are reported together.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel

from budgetsim.errors import Problem
from budgetsim.input.registry import ScenarioSpec, Source, scale_of
from budgetsim.model.paths import PathError, PathValue, expand
from budgetsim.model.scenario import (
    Component,
    Pool,
    RuleSpec,
    Scenario,
    ShockModel,
    Target,
    UncertaintySettings,
)

if TYPE_CHECKING:
    from budgetsim.errors import Loc
    from budgetsim.model.arrays import FloatArray

CEILING_RULES = ("deficit_ceiling", "debt_ceiling", "interest_ceiling")
MAX_YEARS = 200


def _frozen(a: FloatArray) -> FloatArray:
    a.flags.writeable = False
    return a


def value(section: BaseModel, name: str) -> Any:
    """Key ``name`` of ``section`` in model units (a number; None stays None)."""
    v = getattr(section, name)
    return None if v is None else v * scale_of(type(section), name)


def correlation_problem(corr: FloatArray) -> str | None:
    """Why a correlation matrix is impossible, or None if it is a valid one."""
    if float(np.linalg.eigvalsh(corr).min()) < -1e-10:
        return (
            "the three correlations cannot hold together (their matrix is not positive "
            "semi-definite); make them less extreme"
        )
    return None


class _Builder:
    """Expands paths and collects every cross-key problem before giving up."""

    def __init__(self, spec: ScenarioSpec) -> None:
        self.spec = spec
        self.problems: list[tuple[Loc, str]] = []
        self.source_names: set[str] = set()  # unique across the scenario and its components
        base, horizon = spec.years.base, spec.years.horizon
        if horizon <= base:
            self.problems.append((("years", "horizon"), f"{horizon} is not after base {base}"))
            horizon = base + 1
        if horizon - base > MAX_YEARS:
            self.problems.append(
                (("years", "horizon"), f"at most {MAX_YEARS} projected years, not {horizon - base}")
            )
            horizon = base + MAX_YEARS
        self.base, self.horizon = base, horizon
        self.years = np.arange(base + 1, horizon + 1, dtype=np.int64)

    def error(self, loc: Loc, message: str) -> None:
        self.problems.append((loc, message))

    def expand(self, loc: Loc, path: PathValue, scale: float) -> FloatArray:
        try:
            return _frozen(expand(path, self.years) * scale)
        except PathError as exc:
            self.error(loc, str(exc))
            return _frozen(np.zeros(len(self.years)))

    def path(self, loc: Loc, section: BaseModel, name: str) -> FloatArray:
        """Key ``name`` of ``section`` (at ``loc``) over the projection years, model units."""
        return self.expand((*loc, name), getattr(section, name), scale_of(type(section), name))

    def optional_path(self, loc: Loc, section: BaseModel, name: str) -> FloatArray | None:
        return None if getattr(section, name) is None else self.path(loc, section, name)

    def year_in_horizon(self, loc: Loc, year: int) -> None:
        if not self.base < year <= self.horizon:
            self.error(loc, f"year {year} is outside the projection {self.base + 1}-{self.horizon}")

    def build(self, source: str, warnings: tuple[Problem, ...]) -> Scenario | None:
        s = self.spec
        d, fin, it, fb = s.defence, s.finances, s.interest, s.economy.feedback

        milestones = sorted((d.milestones or {}).items())
        for year, _ in milestones:
            self.year_in_horizon(("defence", "milestones", year), year)
        if d.basis == "cash" and d.cash is None:
            self.error(("defence", "cash"), "the cash basis needs a 'cash' path")
        if d.basis == "share" and d.cash is not None:
            self.error(("defence", "cash"), "'cash' is only used with basis: cash")
        ms_scale = scale_of(type(d), "milestones")
        base_share = value(d, "base_share")
        n = len(self.years)
        pools = self._pools()
        rules = self._rules()
        uncertainty = self._uncertainty()
        if it.floating_share + it.index_linked_share > 100.0:
            self.error(
                ("interest", "index_linked_share"),
                f"floating ({it.floating_share}) and index-linked ({it.index_linked_share}) "
                "shares add up to more than 100 % of debt",
            )
        economy, finances, interest = ("economy",), ("finances",), ("interest",)
        paths: dict[str, Any] = dict(
            real_growth=self.path(economy, s.economy, "real_growth"),
            deflator=self.path(economy, s.economy, "deflator"),
            receipts=self.path(finances, fin, "receipts"),
            other_spending=self.path(finances, fin, "other_spending"),
            other_investment=self.path(finances, fin, "other_investment"),
            sfa=self.path(finances, fin, "sfa"),
            short_rate=self.path(interest, it, "short_rate"),
            long_rate=self.path(interest, it, "long_rate"),
            real_il_rate=self.path(interest, it, "real_index_linked_rate"),
            il_inflation=self.path(interest, it, "index_inflation"),
            cash=self.optional_path(("defence",), d, "cash"),
            baseline_share=self.optional_path(("defence",), d, "baseline_share"),
            psnfl_sfa=None if fin.psnfl is None else self.path(finances, fin, "psnfl_sfa"),
        )
        components, component_pools = self._components()
        pools = (*pools, *component_pools)
        targets = self._targets(components)
        if self.problems:
            return None
        if paths["cash"] is None:
            paths["cash"] = _frozen(np.zeros(n))
        if paths["baseline_share"] is None:
            paths["baseline_share"] = _frozen(np.full(n, base_share))
        scn = Scenario(
            title=s.meta.title,
            country=s.meta.country,
            currency=s.meta.currency,
            source=source,
            reference=s.meta.reference,
            year_style=s.years.label,
            base_year=self.base,
            horizon=self.horizon,
            years=self.years,
            gdp0=s.economy.gdp,
            persistence=fb.persistence,
            m_defence=fb.defence_multiplier,
            m_cuts=fb.cuts_multiplier,
            m_tax=fb.tax_multiplier,
            base_share=base_share,
            basis=d.basis,
            milestones=(),
            shape=d.shape,
            shape_power=d.shape_power,
            share=_frozen(np.full(n, base_share)),
            cash_real=d.cash_prices == "real",
            price_premium=value(d, "price_premium"),
            capital_share=value(d, "capital_share"),
            mode=s.funding.mode,
            tax_freeze=s.funding.tax_freeze,
            pools=pools,
            debt0=fin.debt,
            psnb0=fin.psnb,
            psnfl0=fin.psnfl,
            maturity=it.maturity,
            floating=value(it, "floating_share"),
            index_linked=value(it, "index_linked_share"),
            rate0=value(it, "conventional_rate"),
            premium_slope=value(it.risk_premium, "slope"),
            premium_threshold=value(it.risk_premium, "threshold"),
            rules=rules,
            uncertainty=uncertainty,
            warnings=warnings,
            **paths,
        )
        if components:
            share = _frozen(np.sum([c.share for c in components], axis=0))
            baseline = _frozen(np.sum([c.baseline_share for c in components], axis=0))
            moved = [  # components whose baseline spending sits in other spending
                c.baseline_share
                for c, spec in zip(components, d.components or (), strict=True)
                if spec.in_other_spending
            ]
            other = paths["other_spending"]
            if moved:
                other = _frozen(other - np.sum(moved, axis=0))
            return replace(
                scn,
                components=components,
                targets=targets,
                share=share,
                baseline_share=baseline,
                other_spending=other,
            )
        # The share path from the milestones, by the one path function every solver uses.
        return scn.with_milestones([(y, v * ms_scale) for y, v in milestones])

    def _components(self) -> tuple[tuple[Component, ...], tuple[Pool, ...]]:
        """The components, and their own funding sources (in the order of the components)."""
        d = self.spec.defence
        if not d.components:
            if d.targets:
                self.error(("defence", "targets"), "targets count components: give components")
            return (), ()
        loc: Loc = ("defence", "components")
        for key in ("milestones", "baseline_share", "cash"):
            if getattr(d, key) is not None:
                self.error(("defence", key), f"with components, give {key} per component")
        if d.basis != "share":
            self.error(("defence", "basis"), "components follow the share basis")
        if d.capital_share != 0.0:
            self.error(
                ("defence", "capital_share"), "with components, give capital_share per component"
            )
        out: list[Component] = []
        pools: list[Pool] = []
        seen: set[str] = set()
        for i, c in enumerate(d.components):
            if c.name in seen:
                self.error((*loc, i, "name"), f"a component named {c.name!r} is given twice")
            seen.add(c.name)
            if c.cash is not None and c.milestones is not None:
                self.error((*loc, i, "cash"), "give milestones or cash, not both")
            if c.cash is None and c.cash_prices != "nominal":
                self.error((*loc, i, "cash_prices"), "cash_prices goes with a cash path")
            ms = sorted((c.milestones or {}).items())
            for year, _ in ms:
                self.year_in_horizon((*loc, i, "milestones", year), year)
            share0 = value(c, "base_share")
            comp = Component(
                name=c.name,
                base_share=share0,
                milestones=tuple((y, v * scale_of(type(c), "milestones")) for y, v in ms),
                shape=c.shape,
                shape_power=c.shape_power,
                share=_frozen(np.zeros(len(self.years))),
                baseline_share=_frozen(np.full(len(self.years), share0)),
                capital_share=value(c, "capital_share"),
                cash=self.optional_path((*loc, i), c, "cash"),
                cash_real=c.cash_prices == "real",
                funding_mode=None if c.funding is None else c.funding.mode,
            )
            if comp.cash is None:  # on a cash path its share is zero: its cash is its spending
                comp = replace(
                    comp, share=_frozen(comp.path(self.base, self.years, comp.milestones)[0])
                )
            baseline = self.optional_path((*loc, i), c, "baseline_share")
            if baseline is not None:
                comp = replace(comp, baseline_share=baseline)
            out.append(comp)
            if c.funding is not None:
                pools.extend(
                    self._sources(
                        c.funding.sources, c.funding.mode, (*loc, i, "funding"), component=i
                    )
                )
        total = sum(c.base_share for c in d.components)
        if abs(total - d.base_share) > 1e-9:
            self.error(
                ("defence", "base_share"),
                f"{d.base_share:g} is not the sum of the components' base shares ({total:g})",
            )
        return tuple(out), tuple(pools)

    def _targets(self, components: tuple[Component, ...]) -> tuple[Target, ...]:
        names = [c.name for c in components]
        out: list[Target] = []
        for i, t in enumerate(self.spec.defence.targets or () if components else ()):
            loc: Loc = ("defence", "targets", i)
            counted = names if t.components is None else t.components
            unknown = [n for n in counted if n not in names]
            if unknown:
                self.error(
                    (*loc, "components"),
                    f"no component named {unknown[0]!r}; the components are {', '.join(names)}",
                )
                continue
            if not counted:
                self.error((*loc, "components"), "the list of components is empty")
                continue
            self.year_in_horizon((*loc, "year"), t.year)
            out.append(
                Target(
                    name=t.name,
                    components=tuple(dict.fromkeys(names.index(n) for n in counted)),
                    share=value(t, "share"),
                    year=t.year,
                )
            )
        return tuple(out)

    def _pools(self) -> tuple[Pool, ...]:
        f = self.spec.funding
        return self._sources(f.sources, f.mode, ("funding",))

    def _sources(
        self, sources: list[Source], mode: str, at: Loc, component: int | None = None
    ) -> tuple[Pool, ...]:
        """The pools of one funding section (at ``at``: the scenario's, or a component's)."""
        f = self.spec.funding
        pools: list[Pool] = []
        seen = self.source_names
        total_share = 0.0
        for i, src in enumerate(sources):
            loc: Loc = (*at, "sources", i)
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
            if src.amount is not None and (
                src.cap is not None or src.cap_pct_gdp is not None or src.share is not None
            ):
                self.error(
                    (*loc, "amount"),
                    "an amount is exact: give no cap, cap_pct_gdp or share with it",
                )
            if mode == "shares":
                if src.share is None and src.amount is None:
                    self.error((*loc, "share"), "every source needs a share in shares mode")
                elif src.share is not None:
                    total_share += src.share
            elif src.share is not None:
                key = "funding.mode" if component is None else "the component's funding.mode"
                self.error((*loc, "share"), f"share is only used with {key}: shares")
            pools.append(
                Pool(
                    name=src.name,
                    kind=src.kind,
                    cap_cash=self.optional_path(loc, src, "cap"),
                    cap_gdp=self.optional_path(loc, src, "cap_pct_gdp"),
                    share=value(src, "share"),
                    amount=self.optional_path(loc, src, "amount"),
                    component=component,
                )
            )
        if total_share > 100.0 + 1e-9:
            self.error((*at, "sources"), f"shares add up to {total_share:g} %, more than 100 %")
        return tuple(pools)

    def _uncertainty(self) -> UncertaintySettings | None:
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
            sd=_frozen(np.array([value(u, k) for k in ("growth_sd", "deflator_sd", "rate_sd")])),
            corr=_frozen(corr),
            persistence=_frozen(
                np.array([u.growth_persistence, u.deflator_persistence, u.rate_persistence])
            ),
        )
        return UncertaintySettings(
            shocks=shocks, draws=u.draws, seed=u.seed, debt_threshold=value(u, "debt_threshold")
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
            if r.measure != "net_debt" and r.type not in ("debt_falling", "debt_ceiling"):
                self.error((*loc, "measure"), "a measure applies to the debt rules")
            if r.measure == "psnfl" and self.spec.finances.psnfl is None:
                self.error(
                    (*loc, "measure"),
                    "the psnfl measure needs finances.psnfl (net financial liabilities in the "
                    "base year)",
                )
            esc = r.escape_clause
            for j, y in enumerate(esc.years if esc is not None else ()):
                self.year_in_horizon((*loc, "escape_clause", "years", j), y)
            out.append(
                RuleSpec(
                    name=r.name,
                    type=r.type,
                    years=tuple(sorted(set(years))),
                    limit=value(r, "limit"),
                    defence_exemption=value(r, "defence_exemption"),
                    escape_limit=0.0 if esc is None else value(esc, "limit"),
                    escape_years=() if esc is None else tuple(esc.years),
                    measure=r.measure,
                )
            )
        return tuple(out)


def build_scenario(
    spec: ScenarioSpec, source: str, warnings: tuple[Problem, ...] = ()
) -> tuple[Scenario | None, list[tuple[Loc, str]]]:
    """Turn a validated spec into model units.

    Parameters
    ----------
    spec : ScenarioSpec
        The validated file (after ``extends`` and overrides).
    source : str
        Where it came from, carried as :attr:`Scenario.source`.
    warnings : tuple of Problem
        Implausible-value warnings to carry.

    Returns
    -------
    scenario : Scenario or None
        None when there are problems.
    problems : list of (key path, message)
        Every cross-key problem found.
    """
    builder = _Builder(spec)
    scenario = builder.build(source, warnings)
    return scenario, builder.problems
