"""Results: labelled series, rule outcomes and a summary. Presenters read only these.

Series are in output units: cash in the scenario's currency unit, ratios in percent (their
names end in ``_pct...``). Each series has shape ``(batch, years)``; a deterministic run has a
batch of one, and :meth:`Result.row` gives plain lists for presenters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from budgetsim.model.engine import Paths
from budgetsim.model.guard import (
    MAX_DEBT_RATIO,
    Divergence,
    DivergenceError,
    quietly,
    run_batch,
)
from budgetsim.model.rules import RuleOutcome
from budgetsim.model.scenario import Scenario

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
}


@dataclass(frozen=True)
class Summary:
    """The answers a reader wants first, for a deterministic run."""

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


@dataclass(frozen=True)
class Result:
    title: str
    source: str
    country: str
    unit: str
    base_year: int
    years: tuple[int, ...]
    year_labels: tuple[str, ...]
    series: dict[str, FloatArray]
    sources: dict[str, FloatArray]  # each funding source's contribution, currency
    source_kinds: dict[str, str]  # each funding source's kind: "cuts" or "tax"
    rules: tuple[RuleOutcome, ...]
    summary: Summary
    #: The scenario's defence milestones, (year, % of GDP), and where its figures come from
    #: (``meta.reference``): read by the charts and the report.
    milestones: tuple[tuple[int, float], ...] = ()
    reference: str = ""

    def row(self, name: str, i: int = 0) -> list[float]:
        """One series of batch row ``i`` as a list of floats."""
        return [float(v) for v in self.series[name][i]]

    def unit_of(self, name: str) -> str:
        """The unit of a series, with 'currency' spelled as the scenario's unit."""
        return SERIES_UNITS[name].replace("currency", self.unit)


def series_from(scn: Scenario, paths: Paths) -> dict[str, FloatArray]:
    pct = 100.0
    y = paths.gdp
    return {
        "gdp": y,
        "real_growth_pct": paths.real_growth * pct,
        "deflator_pct": paths.deflator * pct,
        "defence": paths.defence,
        "defence_pct_gdp": paths.defence / y * pct,
        "target_pct_gdp": np.broadcast_to(scn.share * pct, y.shape).copy(),
        "defence_real": paths.defence_real,
        "baseline_defence": paths.baseline_defence,
        "extra_defence": paths.extra,
        "cuts": paths.cuts,
        "tax_rise": paths.tax,
        "borrowing_for_defence": paths.borrowing_for_defence,
        "receipts": paths.receipts,
        "other_spending": paths.other_spending,
        "interest": paths.interest,
        "interest_pct_receipts": paths.interest / paths.receipts * pct,
        "effective_conventional_rate_pct": paths.conventional_rate * pct,
        "psnb": paths.psnb,
        "psnb_pct_gdp": paths.psnb / y * pct,
        "net_investment": paths.net_investment,
        "current_balance": paths.current_balance,
        "current_balance_pct_gdp": paths.current_balance / y * pct,
        "sfa": paths.sfa,
        "debt": paths.debt,
        "debt_pct_gdp": paths.debt / y * pct,
    }


#: A target share counts as met within this many percentage points (rounding in the path).
TARGET_SLACK_PP = 1e-9


def _first_year(scn: Scenario, bad: BoolArray) -> int | None:
    """The first projection year in which any batch row of ``bad`` is true."""
    years = bad.any(axis=0)
    return int(scn.years[np.argmax(years)]) if years.any() else None


def check_run(scn: Scenario, found: Divergence | None, series: dict[str, FloatArray]) -> None:
    """Raise :class:`DivergenceError` for a run that diverged (``found``) or has a series
    that is not a finite number, naming the first year."""
    if found is not None and found.kind == "gdp":
        raise DivergenceError(
            f"GDP falls to zero or below in {found.year}: the growth feedback is stronger than "
            "the economy (check economy.feedback)",
            found.year,
        )
    if found is not None:
        raise DivergenceError(
            f"debt passes {MAX_DEBT_RATIO * 100:g} % of GDP in {found.year}: the scenario "
            "diverges (interest far above growth); check rates and growth or shorten the horizon",
            found.year,
        )
    for name, values in series.items():
        year = _first_year(scn, ~np.isfinite(values))
        if year is not None:
            raise DivergenceError(
                f"{name} is not a finite number from {year}: the scenario diverges "
                "(check rates, growth and the horizon)",
                year,
            )


def run(scn: Scenario) -> Result:
    """Run a scenario and its baseline; return labelled series, rules and the summary."""
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
    rules = batch.rules
    summary = _summarise(scn, paths, base, series, rules)
    return Result(
        title=scn.title,
        source=scn.source,
        country=scn.country,
        unit=scn.currency,
        base_year=scn.base_year,
        years=tuple(int(y) for y in scn.years),
        year_labels=scn.year_labels,
        series=series,
        sources={p.name: paths.pools[k] for k, p in enumerate(scn.pools)},
        source_kinds={p.name: p.kind for p in scn.pools},
        rules=rules,
        summary=summary,
        milestones=tuple((y, v * 100.0) for y, v in scn.milestones),
        reference=scn.reference,
    )


def _summarise(
    scn: Scenario,
    paths: Paths,
    base: Paths,
    series: dict[str, FloatArray],
    rules: tuple[RuleOutcome, ...],
) -> Summary:
    share_pct = series["defence_pct_gdp"][0]
    reached: float | None = None
    met: bool | None = None
    if scn.target_year is not None and scn.target_share is not None:
        j = int(np.searchsorted(scn.years, scn.target_year))
        reached = float(share_pct[j])
        met = bool(reached >= scn.target_share * 100.0 - TARGET_SLACK_PP)
    failed = tuple(r.name for r in rules if not bool(r.all_passed[0]))
    debt_pct = float(paths.debt[0, -1] / paths.gdp[0, -1] * 100.0)
    base_pct = float(base.debt[0, -1] / base.gdp[0, -1] * 100.0)
    return Summary(
        target_year=scn.target_year,
        target_pct_gdp=None if scn.target_share is None else scn.target_share * 100.0,
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
    )
