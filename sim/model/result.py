"""Results of a deterministic run: labelled series in output units, rule outcomes, a summary.

Presenters (tables, CSV, JSON, charts, the report, the web page) read only these. Series are
in output units: cash in the scenario's currency unit, ratios in percent (their names end
in ``_pct...``), converted once, here, on the way out of the model. A run's series are 1-D
arrays over its years and its rule outcomes are plain bools; batches of runs (draws,
candidates) are the engine's :class:`~budgetsim.model.engine.Paths` and the rules'
:class:`~budgetsim.model.rules.RuleBatch`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from budgetsim.model.engine import Paths
from budgetsim.model.guard import (
    MAX_DEBT_RATIO,
    Divergence,
    DivergenceError,
    quietly,
    run_batch,
)
from budgetsim.model.rules import RuleBatch
from budgetsim.model.scenario import Scenario, Target, year_label
from budgetsim.model.units import to_percent

if TYPE_CHECKING:
    from budgetsim.model.arrays import BoolArray, FloatArray

#: Every series a Result carries, with its unit ("currency" is the scenario's unit).
SERIES_UNITS: dict[str, str] = {
    "gdp": "currency",
    "real_growth_pct": "%",
    "deflator_pct": "%",
    "defence": "currency",
    "defence_pct_gdp": "% of GDP",
    "target_pct_gdp": "% of GDP",
    "defence_real": "currency at base-year prices",
    "baseline_defence": "currency",
    "extra_defence": "currency",
    "extra_defence_real": "currency at base-year prices",
    "extra_defence_today": "currency in today's terms (share of GDP x base-year GDP)",
    "cuts": "currency",
    "tax_rise": "currency",
    "borrowing_for_defence": "currency",
    "receipts": "currency",
    "other_spending": "currency",
    "interest": "currency",
    "interest_pct_receipts": "% of receipts",
    "effective_conventional_rate_pct": "%",
    "psnb": "currency",
    "psnb_pct_gdp": "% of GDP",
    "net_investment": "currency",
    "current_balance": "currency",
    "current_balance_pct_gdp": "% of GDP",
    "sfa": "currency",
    "debt": "currency",
    "debt_pct_gdp": "% of GDP",
    "psnfl": "currency",
    "psnfl_pct_gdp": "% of GDP",
}
#: Series a Result carries only when the scenario models them (PSNFL: ``finances.psnfl``).
OPTIONAL_SERIES = ("psnfl", "psnfl_pct_gdp")


@dataclass(frozen=True)
class Summary:
    """The answers a reader wants first (ratios in percent, cash in the scenario's unit).

    Attributes
    ----------
    target_year : int or None
        The last milestone's year; None without milestones.
    target_pct_gdp : float or None
        The last milestone's share, % of GDP.
    defence_pct_gdp_in_target_year : float or None
        The share defence reaches in the target year, % of GDP.
    target_met : bool or None
        Whether it reaches the target (within :data:`TARGET_SLACK_PP`).
    rules_passed : bool
        Whether every rule holds in every year it is checked.
    rules_failed : tuple of str
        The rules that fail in some year, in the scenario's order.
    cumulative_extra_defence, cumulative_cuts, cumulative_tax_rise : float
        Extra defence spending and what cuts and tax rises met of it, summed over the
        projection, currency.
    cumulative_borrowing_for_defence : float
        What borrowing met, summed over the projection, currency.
    debt_pct_gdp_at_horizon, baseline_debt_pct_gdp_at_horizon : float
        Debt in the last projected year, and the baseline's, % of GDP.
    extra_debt_at_horizon : float
        Debt less the baseline's in the last projected year, currency.
    extra_debt_pct_gdp_at_horizon : float
        The same in percentage points of GDP.
    cost_year : int
        The year the cost is read in: the target year, else the last projected year.
    extra_defence_in_cost_year : float
        Extra defence spending that year, nominal currency.
    extra_defence_real_in_cost_year : float
        The same at base-year prices (deflated by the defence price index), currency.
    extra_defence_today_in_cost_year : float
        The same in today's terms (its share of GDP times the base year's GDP), currency.
    extra_defence_pct_gdp_in_cost_year : float
        The same as a share of that year's GDP, %.
    cumulative_extra_defence_today : float
        Extra defence spending in today's terms, summed over the projection, currency.
    """

    target_year: int | None
    target_pct_gdp: float | None
    defence_pct_gdp_in_target_year: float | None
    target_met: bool | None
    rules_passed: bool
    rules_failed: tuple[str, ...]
    cumulative_extra_defence: float
    cumulative_cuts: float
    cumulative_tax_rise: float
    cumulative_borrowing_for_defence: float
    debt_pct_gdp_at_horizon: float
    baseline_debt_pct_gdp_at_horizon: float
    extra_debt_at_horizon: float
    extra_debt_pct_gdp_at_horizon: float
    cost_year: int
    extra_defence_in_cost_year: float
    extra_defence_real_in_cost_year: float
    extra_defence_today_in_cost_year: float
    extra_defence_pct_gdp_in_cost_year: float
    cumulative_extra_defence_today: float


@dataclass(frozen=True)
class TargetOutcome:
    """A spending target that counts some defence components, year by year, for one run.

    Attributes
    ----------
    name : str
    components : tuple of str
        The components it counts.
    share_pct : float
        The share they must reach, % of GDP.
    year : int
        The first year it applies in; it is checked in that year and every later one.
    counted_pct : ndarray, shape (years,)
        What the counted components reach, % of GDP, every projected year.
    gap : ndarray, shape (years,)
        How much more the counted components would need to reach the share, currency
        (negative: spending above it), every projected year.
    """

    name: str
    components: tuple[str, ...]
    share_pct: float
    year: int
    counted_pct: FloatArray
    gap: FloatArray

    def met(self, j: int) -> bool:
        """Whether the counted components reach the share in a projected year.

        Parameters
        ----------
        j : int
            Position of the year among the projected years.

        Returns
        -------
        bool
            True when they reach it (within :data:`TARGET_SLACK_PP`).
        """
        return bool(self.counted_pct[j] >= self.share_pct - TARGET_SLACK_PP)

    def checked(self, years: tuple[int, ...]) -> list[int]:
        """Positions among ``years`` (the run's projected years) in which it applies.

        Parameters
        ----------
        years : tuple of int
            The run's projected years (:attr:`Result.years`).

        Returns
        -------
        list of int
            The positions of its year and every later one.
        """
        return [j for j, y in enumerate(years) if y >= self.year]

    def missed(self, years: tuple[int, ...]) -> list[int]:
        """Positions among ``years`` in which it applies and is missed (see :meth:`checked`).

        Parameters
        ----------
        years : tuple of int
            The run's projected years.

        Returns
        -------
        list of int
        """
        return [j for j in self.checked(years) if not self.met(j)]

    def worst(self, years: tuple[int, ...]) -> int:
        """The position of the year with the largest gap among those missed, or of its first
        year when it is met every year.

        Parameters
        ----------
        years : tuple of int
            The run's projected years.

        Returns
        -------
        int
        """
        missed = self.missed(years)
        return max(missed, key=lambda k: self.gap[k]) if missed else self.checked(years)[0]


@dataclass(frozen=True)
class ComponentFunds:
    """How one funding group met its extra spending, for one run: a component with funding
    of its own, or the scenario's funding for the components without.

    Attributes
    ----------
    component : str or None
        The component whose own funding this is; None: the scenario's funding.
    covers : tuple of str
        The components whose extra spending it meets (the one component, or every
        component without funding of its own).
    mode : {"waterfall", "shares"}
        The mode of its sources.
    extra : ndarray, shape (years,)
        The extra spending it meets, currency (negative: spending below the baseline).
    sources : tuple of str
        Its sources, in waterfall order (what each gave is in :attr:`Result.sources`).
    borrowed : ndarray, shape (years,)
        What its sources left to borrowing, currency (negative: a saving).
    """

    component: str | None
    covers: tuple[str, ...]
    mode: str
    extra: FloatArray
    sources: tuple[str, ...]
    borrowed: FloatArray

    @property
    def cumulative_extra(self) -> float:
        """:attr:`extra` summed over the projection, currency."""
        return float(self.extra.sum())

    @property
    def cumulative_borrowed(self) -> float:
        """:attr:`borrowed` summed over the projection, currency."""
        return float(self.borrowed.sum())


@dataclass(frozen=True)
class RuleCheck:
    """One rule in one year it is checked in.

    Attributes
    ----------
    rule, type : str
        The rule's name and type.
    year : int
    label : str
        The year as tables show it (2029-30).
    passed : bool
    headroom : float
        How much more could be spent that year before the rule fails, currency (negative:
        the size of the breach).
    measured_pct : float
        What the rule measures, % of GDP (of receipts for an interest ceiling).
    limit_pct : float or None
        The ceiling, same unit; None for rules without one.
    measure : str
        What the rule measures, in words (e.g. "net financial liabilities, % of GDP").
    """

    rule: str
    type: str
    year: int
    label: str
    passed: bool
    headroom: float
    measured_pct: float
    limit_pct: float | None
    measure: str = ""

    @property
    def measured_unit(self) -> str:
        """The unit of ``measured_pct`` and ``limit_pct``."""
        return "% of receipts" if self.type == "interest_ceiling" else "% of GDP"


@dataclass(frozen=True)
class RuleOutcome:
    """One rule over the years it is checked in, for one run.

    Attributes
    ----------
    name, type : str
    years : tuple of int
    labels : tuple of str
        The years as tables show them.
    passed : tuple of bool
        Whether it holds, year by year.
    headroom : ndarray, shape (len(years),)
        Currency.
    measured_pct : ndarray, shape (len(years),)
        % of GDP (of receipts for an interest ceiling).
    limit_pct : float or None
    measure : str
        What the rule measures, in words.
    """

    name: str
    type: str
    years: tuple[int, ...]
    labels: tuple[str, ...]
    passed: tuple[bool, ...]
    headroom: FloatArray
    measured_pct: FloatArray
    limit_pct: float | None
    measure: str = ""

    @property
    def holds(self) -> bool:
        """Whether the rule holds in every year it is checked."""
        return all(self.passed)

    def checks(self) -> Iterator[RuleCheck]:
        """The rule year by year."""
        for j, year in enumerate(self.years):
            yield RuleCheck(
                rule=self.name,
                type=self.type,
                year=year,
                label=self.labels[j],
                passed=self.passed[j],
                headroom=float(self.headroom[j]),
                measured_pct=float(self.measured_pct[j]),
                limit_pct=self.limit_pct,
                measure=self.measure,
            )


@dataclass(frozen=True)
class Result:
    """A deterministic run of a scenario, labelled and in output units.

    Attributes
    ----------
    title, source, country : str
        From the scenario (``source`` is the file it was loaded from).
    unit : str
        The currency unit of every cash series (``meta.currency``).
    base_year : int
    years : tuple of int
        The projected years.
    year_labels : tuple of str
        The years as tables show them (2025-26, or 2025 for calendar years).
    series : dict of str to ndarray, shape (len(years),)
        Every series of :data:`SERIES_UNITS`, in the unit it names.
    sources : dict of str to ndarray, shape (len(years),)
        Each funding source's contribution, currency.
    source_kinds : dict of str to str
        Each funding source's kind: "cuts" or "tax".
    rules : tuple of RuleOutcome
    summary : Summary
    milestones : tuple of (int, float)
        The defence milestones, (year, % of GDP).
    reference : str
        Where the scenario's figures come from (``meta.reference``).
    components : dict of str to ndarray, shape (len(years),)
        Each defence component's spending, currency (empty without components).
    component_shares : dict of str to ndarray, shape (len(years),)
        The same, % of GDP.
    targets : tuple of TargetOutcome
        The targets counting components, year by year.
    gdp0 : float
        Base-year GDP, currency: extra spending in today's terms is its share of GDP times
        this.
    component_funds : tuple of ComponentFunds
        When some component has funding of its own: each funding group (the scenario's
        first, then each such component's) with the extra spending it meets, its sources
        and what they left to borrowing; empty when the scenario's funding meets all of it.
    """

    title: str
    source: str
    country: str
    unit: str
    base_year: int
    years: tuple[int, ...]
    year_labels: tuple[str, ...]
    series: dict[str, FloatArray]
    sources: dict[str, FloatArray]
    source_kinds: dict[str, str]
    rules: tuple[RuleOutcome, ...]
    summary: Summary
    milestones: tuple[tuple[int, float], ...] = ()
    reference: str = ""
    components: dict[str, FloatArray] = field(default_factory=dict)
    component_shares: dict[str, FloatArray] = field(default_factory=dict)
    targets: tuple[TargetOutcome, ...] = ()
    gdp0: float = math.nan
    component_funds: tuple[ComponentFunds, ...] = ()

    def row(self, name: str) -> list[float]:
        """One series as a list of floats."""
        return [float(v) for v in self.series[name]]

    def unit_of(self, name: str) -> str:
        """The unit of a series, with 'currency' spelled as the scenario's unit."""
        return SERIES_UNITS[name].replace("currency", self.unit)

    def label(self, year: int) -> str:
        """How tables show ``year`` (2029 -> "2029-30" for fiscal years)."""
        return self.year_labels[self.years.index(year)]

    @property
    def base_label(self) -> str:
        """The base year as tables show it (the base year is not a projected year)."""
        style = "fiscal" if "-" in self.year_labels[0] else "calendar"
        return year_label(self.base_year, style)

    def checks(self) -> Iterator[RuleCheck]:
        """Every rule in every year it is checked in, rule by rule."""
        for rule in self.rules:
            yield from rule.checks()

    def tightest(self) -> RuleCheck | None:
        """The check with the least headroom (the first of equals), or None without rules."""
        return min(self.checks(), key=lambda c: c.headroom, default=None)

    @property
    def checks_passed(self) -> tuple[int, int]:
        """How many checks pass, of how many."""
        checks = list(self.checks())
        return sum(c.passed for c in checks), len(checks)

    @property
    def source_components(self) -> dict[str, str]:
        """The component each of a component's own sources belongs to, by source name."""
        return {s: f.component for f in self.component_funds if f.component for s in f.sources}

    def cumulative_source(self, name: str) -> float:
        """What source ``name`` gave over the projection, currency."""
        return float(self.sources[name].sum())

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON form of a run (docs/output.md): plain numbers and strings."""
        out = self._to_dict()
        if self.components:
            out["components"] = {
                name: {
                    "spending": [float(v) for v in values],
                    "pct_gdp": [float(v) for v in self.component_shares[name]],
                }
                for name, values in self.components.items()
            }
            for f in self.component_funds:
                if f.component is None:
                    continue
                out["components"][f.component]["funding"] = {
                    "mode": f.mode,
                    "extra": [float(v) for v in f.extra],
                    "sources": {s: [float(v) for v in self.sources[s]] for s in f.sources},
                    "borrowed": [float(v) for v in f.borrowed],
                }
            out["targets"] = [
                {
                    "name": t.name,
                    "components": list(t.components),
                    "share_pct_gdp": t.share_pct,
                    "year": t.year,
                    "counted_pct_gdp": [float(v) for v in t.counted_pct],
                    "gap": [float(v) for v in t.gap],
                    "met": [t.met(j) if y >= t.year else None for j, y in enumerate(self.years)],
                }
                for t in self.targets
            ]
        return out

    def _to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.title,
            "source": self.source,
            "country": self.country,
            "unit": self.unit,
            "base_year": self.base_year,
            "years": list(self.years),
            "year_labels": list(self.year_labels),
            "series": {name: self.row(name) for name in self.series},
            "series_units": {name: self.unit_of(name) for name in self.series},
            "sources": {name: [float(v) for v in vals] for name, vals in self.sources.items()},
            "rules": [
                {
                    "name": c.rule,
                    "type": c.type,
                    "year": c.year,
                    "passed": c.passed,
                    "headroom": c.headroom,
                    "measure": c.measure,
                }
                for c in self.checks()
            ],
            "summary": asdict(self.summary),
        }


def series_from(scn: Scenario, paths: Paths) -> dict[str, FloatArray]:
    """Every series of :data:`SERIES_UNITS` from a batch's paths, shape (batch, years), in
    output units: the one place the model's fractions become percent.

    Parameters
    ----------
    scn : Scenario
        The scenario run (for the target share path).
    paths : Paths
        The engine's paths, shape (batch, years), in currency and fractions.

    Returns
    -------
    dict of str to ndarray, shape (batch, years)
        Each series by name, in the unit :data:`SERIES_UNITS` gives: currency, or percent
        for the names with ``_pct``.
    """
    y = paths.gdp
    series = {
        "gdp": y,
        "real_growth_pct": to_percent(paths.real_growth),
        "deflator_pct": to_percent(paths.deflator),
        "defence": paths.defence,
        "defence_pct_gdp": to_percent(paths.defence / y),
        "target_pct_gdp": _target_pct(scn, paths),
        "defence_real": paths.defence_real,
        "baseline_defence": paths.baseline_defence,
        "extra_defence": paths.extra,
        "extra_defence_real": paths.extra_real,
        "extra_defence_today": paths.extra_today,
        "cuts": paths.cuts,
        "tax_rise": paths.tax,
        "borrowing_for_defence": paths.borrowing_for_defence,
        "receipts": paths.receipts,
        "other_spending": paths.other_spending,
        "interest": paths.interest,
        "interest_pct_receipts": to_percent(paths.interest / paths.receipts),
        "effective_conventional_rate_pct": to_percent(paths.conventional_rate),
        "psnb": paths.psnb,
        "psnb_pct_gdp": to_percent(paths.psnb / y),
        "net_investment": paths.net_investment,
        "current_balance": paths.current_balance,
        "current_balance_pct_gdp": to_percent(paths.current_balance / y),
        "sfa": paths.sfa,
        "debt": paths.debt,
        "debt_pct_gdp": to_percent(paths.debt / y),
    }
    if scn.psnfl0 is not None:
        series["psnfl"] = paths.psnfl
        series["psnfl_pct_gdp"] = to_percent(paths.psnfl / y)
    return series


def _target_pct(scn: Scenario, paths: Paths) -> FloatArray:
    """The planned defence path, % of GDP, shape (batch, years): the share path, plus the
    cash of the components on cash paths as a share of GDP."""
    y = paths.gdp
    if paths.component_cash is None:
        return np.broadcast_to(to_percent(scn.share), y.shape).copy()
    planned = np.broadcast_to(scn.share, y.shape) + paths.component_cash.sum(axis=0) / y
    return np.asarray(to_percent(planned))


#: A target share counts as met within this many percentage points (rounding in the path).
TARGET_SLACK_PP = 1e-9


def _first_year(scn: Scenario, bad: BoolArray) -> int | None:
    """The first projection year in which any batch row of ``bad`` is true."""
    years = bad.any(axis=0)
    return int(scn.years[np.argmax(years)]) if years.any() else None


def check_run(scn: Scenario, found: Divergence | None, series: dict[str, FloatArray]) -> None:
    """Raise :class:`DivergenceError` for a run that diverged (``found``) or has a series
    that is not a finite number, naming the first year.

    Parameters
    ----------
    scn : Scenario
        The scenario run (for its years).
    found : Divergence or None
        What :func:`~budgetsim.model.guard.run_batch` found.
    series : dict of str to ndarray, shape (batch, years)
        The run's series (:func:`series_from`), in output units.

    Raises
    ------
    DivergenceError
        GDP at or below zero, debt beyond :data:`MAX_DEBT_RATIO` times GDP, or a series
        that is not a finite number.
    """
    if found is not None and found.kind == "gdp":
        raise DivergenceError(
            f"GDP falls to zero or below in {scn.label(found.year)}: the growth feedback is "
            "stronger than the economy (check economy.feedback)",
            found.year,
        )
    if found is not None:
        raise DivergenceError(
            f"debt passes {MAX_DEBT_RATIO * 100:g} % of GDP in {scn.label(found.year)}: the "
            "scenario diverges (interest far above growth); check rates and growth or shorten "
            "the horizon",
            found.year,
        )
    for name, values in series.items():
        year = _first_year(scn, ~np.isfinite(values))
        if year is not None:
            raise DivergenceError(
                f"{name} is not a finite number from {scn.label(year)}: the scenario diverges "
                "(check rates, growth and the horizon)",
                year,
            )


def outcome(scn: Scenario, rule: RuleBatch, row: int = 0) -> RuleOutcome:
    """Batch row ``row`` of a rule's outcomes, labelled and in output units.

    Parameters
    ----------
    scn : Scenario
        The scenario run (for the year labels).
    rule : RuleBatch
        The rule's outcomes, shape (batch, len(years)), headroom in currency and the
        measure a fraction.
    row : int
        The batch row.

    Returns
    -------
    RuleOutcome
        Headroom in currency, the measure and the limit in percent.
    """
    return RuleOutcome(
        name=rule.name,
        type=rule.type,
        years=rule.years,
        labels=tuple(scn.label(y) for y in rule.years),
        passed=tuple(bool(v) for v in rule.passed[row]),
        headroom=np.asarray(rule.headroom[row]),
        measured_pct=to_percent(np.asarray(rule.measured[row])),
        limit_pct=None if rule.limit is None else to_percent(rule.limit),
        measure=rule.measure,
    )


def run(scn: Scenario) -> Result:
    """Run a scenario and its baseline.

    Parameters
    ----------
    scn : Scenario
        A single run (paths of shape ``(years,)``).

    Returns
    -------
    Result
        Labelled series, the rules' outcomes and the summary.

    Raises
    ------
    DivergenceError
        The scenario or its baseline diverged (GDP at or below zero, debt beyond 100 times
        GDP, or a series that is not a finite number), naming the first year.
    """
    batch = run_batch(scn)
    base_batch = run_batch(scn.baseline(), rules=False)
    paths, base = batch.paths, base_batch.paths
    # An exploding path overflows to inf/nan; that is reported once, by check_run, as a
    # DivergenceError naming the series and year, not as numpy warnings on stderr.
    with quietly():
        series = series_from(scn, paths)
        base_series = series_from(scn, base)
    check_run(scn, batch.diverged, series)
    check_run(scn, base_batch.diverged, base_series)
    rules = tuple(outcome(scn, r) for r in batch.rules)
    with quietly():
        spending = paths.component_spending[:, 0]
        shares = to_percent(spending / paths.gdp[0])
    names = [c.name for c in scn.components]
    return Result(
        title=scn.title,
        source=scn.source,
        country=scn.country,
        unit=scn.currency,
        base_year=scn.base_year,
        years=tuple(int(y) for y in scn.years),
        year_labels=scn.year_labels,
        series={name: values[0] for name, values in series.items()},
        sources={p.name: paths.pools[k][0] for k, p in enumerate(scn.pools)},
        source_kinds={p.name: p.kind for p in scn.pools},
        rules=rules,
        summary=_summarise(scn, paths, base, series, rules),
        milestones=tuple((y, to_percent(v)) for y, v in scn.milestones),
        reference=scn.reference,
        components=dict(zip(names, spending, strict=True)),
        component_shares=dict(zip(names, shares, strict=True)),
        targets=tuple(_target(scn, t, spending, paths.gdp[0]) for t in scn.targets),
        gdp0=scn.gdp0,
        component_funds=_component_funds(scn, paths),
    )


def _component_funds(scn: Scenario, paths: Paths) -> tuple[ComponentFunds, ...]:
    groups = scn.funding_groups
    if len(groups) == 1:
        return ()
    unfunded = tuple(c.name for c in scn.components if c.funding_mode is None)
    return tuple(
        ComponentFunds(
            component=None if group.component is None else scn.components[group.component].name,
            covers=unfunded if group.component is None else (scn.components[group.component].name,),
            mode=group.mode,
            extra=paths.funding_need[g, 0],
            sources=tuple(scn.pools[k].name for k in group.pools),
            borrowed=paths.group_borrowing[g, 0],
        )
        for g, group in enumerate(groups)
    )


def _target(scn: Scenario, target: Target, spending: FloatArray, gdp: FloatArray) -> TargetOutcome:
    counted = spending[list(target.components)].sum(axis=0)
    return TargetOutcome(
        name=target.name,
        components=tuple(scn.components[k].name for k in target.components),
        share_pct=float(to_percent(target.share)),
        year=target.year,
        counted_pct=to_percent(counted / gdp),
        gap=np.asarray(target.share * gdp - counted),
    )


def _summarise(
    scn: Scenario,
    paths: Paths,
    base: Paths,
    series: dict[str, FloatArray],
    rules: tuple[RuleOutcome, ...],
) -> Summary:
    share_pct = to_percent(paths.headline_share(slice(None))[0])
    reached: float | None = None
    met: bool | None = None
    target = None if scn.target_share is None else to_percent(scn.target_share)
    if scn.target_year is not None and target is not None:
        j = int(np.searchsorted(scn.years, scn.target_year))
        reached = float(share_pct[j])
        met = bool(reached >= target - TARGET_SLACK_PP)
    failed = tuple(r.name for r in rules if not r.holds)
    cost_year = scn.horizon if scn.target_year is None else scn.target_year
    k = int(np.searchsorted(scn.years, cost_year))
    debt_pct = float(to_percent(paths.debt[0, -1] / paths.gdp[0, -1]))
    base_pct = float(to_percent(base.debt[0, -1] / base.gdp[0, -1]))
    return Summary(
        target_year=scn.target_year,
        target_pct_gdp=target,
        defence_pct_gdp_in_target_year=reached,
        target_met=met,
        rules_passed=not failed,
        rules_failed=failed,
        cumulative_extra_defence=float(paths.extra[0].sum()),
        cumulative_cuts=float(paths.cuts[0].sum()),
        cumulative_tax_rise=float(paths.tax[0].sum()),
        cumulative_borrowing_for_defence=float(paths.borrowing_for_defence[0].sum()),
        debt_pct_gdp_at_horizon=debt_pct,
        baseline_debt_pct_gdp_at_horizon=base_pct,
        extra_debt_at_horizon=float(paths.debt[0, -1] - base.debt[0, -1]),
        extra_debt_pct_gdp_at_horizon=debt_pct - base_pct,
        cost_year=cost_year,
        extra_defence_in_cost_year=float(paths.extra[0, k]),
        extra_defence_real_in_cost_year=float(paths.extra_real[0, k]),
        extra_defence_today_in_cost_year=float(paths.extra_today[0, k]),
        extra_defence_pct_gdp_in_cost_year=float(to_percent(paths.extra[0, k] / paths.gdp[0, k])),
        cumulative_extra_defence_today=float(paths.extra_today[0].sum()),
    )
