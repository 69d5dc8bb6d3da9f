"""Results: labelled series, rule outcomes and a summary. Presenters read only these.

Series are in output units: cash in the scenario's currency unit, ratios in percent (their
names end in ``_pct...``). Each series has shape ``(batch, years)``; a deterministic run has a
batch of one, and :meth:`Result.row` gives plain lists for presenters.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from budgetsim.model.engine import Paths, simulate
from budgetsim.model.rules import RuleOutcome, evaluate_all
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


def year_label(year: int, style: str = "fiscal") -> str:
    """2025 -> '2025-26' for fiscal years, '2025' for calendar years."""
    return f"{year}-{(year + 1) % 100:02d}" if style == "fiscal" else str(year)


def baseline_of(scn: Scenario) -> Scenario:
    """The same scenario with defence at its baseline share: no extra spending to fund."""
    return replace(scn, basis="share", share=scn.baseline_share)


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


class DivergenceError(ArithmeticError):
    """The model left the range where its numbers mean anything; carries the first year
    (``None`` where the caller cannot name one, as for Monte Carlo draws).

    Raised when GDP falls to zero or below (growth feedback stronger than the economy), when
    debt passes :data:`MAX_DEBT_RATIO` times GDP either way (interest far above growth), or
    when any series is not a finite number. No such number ever reaches a presenter.
    """

    def __init__(self, message: str, year: int | None = None) -> None:
        super().__init__(message)
        self.year = year


#: A target share counts as met within this many percentage points (rounding in the path).
TARGET_SLACK_PP = 1e-9

#: Debt beyond this many times GDP (10,000 % of GDP) is a diverging scenario, not a forecast:
#: no country has carried more than about 2.6 times its GDP.
MAX_DEBT_RATIO = 100.0


def _first_year(scn: Scenario, bad: BoolArray) -> int | None:
    """The first projection year in which any batch row of ``bad`` is true."""
    years = bad.any(axis=0)
    return int(scn.years[np.argmax(years)]) if years.any() else None


def gdp_collapsed(paths: Paths) -> BoolArray:
    """(batch, years): GDP at or below zero (or not a number)."""
    return np.asarray(~(paths.gdp > 0.0))


def debt_exploded(paths: Paths) -> BoolArray:
    """(batch, years): debt beyond MAX_DEBT_RATIO times GDP either way (or not a number)."""
    return np.asarray(~(np.abs(paths.debt) <= MAX_DEBT_RATIO * paths.gdp))


def _check_finite(scn: Scenario, paths: Paths, series: dict[str, FloatArray]) -> None:
    year = _first_year(scn, gdp_collapsed(paths))
    if year is not None:
        raise DivergenceError(
            f"GDP falls to zero or below in {year}: the growth feedback is stronger than the "
            "economy (check economy.feedback)",
            year,
        )
    year = _first_year(scn, debt_exploded(paths))
    if year is not None:
        raise DivergenceError(
            f"debt passes {MAX_DEBT_RATIO * 100:g} % of GDP in {year}: the scenario diverges "
            "(interest far above growth); check rates and growth or shorten the horizon",
            year,
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
    # An exploding path overflows to inf/nan; that is reported once, by _check_finite,
    # as a DivergenceError naming the series and year, not as numpy warnings on stderr.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        paths = simulate(scn)
        base = simulate(baseline_of(scn))
        series = series_from(scn, paths)
        base_series = series_from(scn, base)
        _check_finite(scn, paths, series)
        _check_finite(scn, base, base_series)
    rules = evaluate_all(scn, paths)
    summary = _summarise(scn, paths, base, series, rules)
    return Result(
        title=scn.title,
        source=scn.source,
        country=scn.spec.meta.country,
        unit=scn.currency,
        base_year=scn.base_year,
        years=tuple(int(y) for y in scn.years),
        year_labels=tuple(year_label(int(y), scn.spec.years.label) for y in scn.years),
        series=series,
        sources={p.name: paths.pools[k] for k, p in enumerate(scn.pools)},
        source_kinds={p.name: p.kind for p in scn.pools},
        rules=rules,
        summary=summary,
        milestones=tuple(sorted((scn.spec.defence.milestones or {}).items())),
        reference=scn.spec.meta.reference,
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
