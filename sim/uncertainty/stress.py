"""Named stress tests: deterministic variants of a scenario, run through the same engine.

Each test changes the scenario's paths (or the risk premium) and nothing else; the effect
is the difference from the unshocked run in one year. Sizes and timings, with where they
come from:

- ``gilts_1pp``: market (gilt) yields +1 pp in every projected year: the OBR debt-interest
  ready reckoner's case (+1 pp gilt rates, March 2025 EFO Table 5.1).
- ``short_rates_1pp``: the short (Bank) rate +1 pp in every year: the ready reckoner's
  other rate case.
- ``growth_2y``: real growth -1 pp in the first two projected years.
- ``inflation_1pp``: GDP deflator growth and the index-linked uprating +1 pp in every year.
- ``combined``: the three above (gilts, growth, inflation) together.
- ``ec_financial``: the European Commission's financial stress as the issue states it:
  short and long rates +1 pp, plus 0.06 pp for each point of the debt ratio above 90 % of
  GDP (the engine's risk premium on the lagged ratio), in every projected year. The EC's
  own timing is not checked against its Debt Sustainability Monitor (not in our sources).
- ``imf_b1`` to ``imf_b6``: the IMF's six standard bound tests of its 2002-2011 debt
  sustainability template, recalled from memory (flag M, not in our sources), with the
  scenario's forecast in place of the IMF's historical averages and the ``uncertainty:``
  section's shock standard deviations in place of historical ones. B3 (primary balance)
  needs a primary-balance history that budgetsim does not have, so it is not run; B4
  therefore combines B1 and B2 only; B5 (a 30 % real depreciation) acts on
  foreign-currency debt, which the model does not have, so its effect is zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from budgetsim.model.guard import DivergenceError, run_batch
from budgetsim.model.scenario import Scenario
from budgetsim.model.units import PCT, to_percent

if TYPE_CHECKING:
    from budgetsim.model.arrays import FloatArray

PP = PCT  # one percentage point


def _first(n_years: int, k: int, size: float) -> FloatArray:
    shift = np.zeros(n_years)
    shift[:k] = size
    return shift


def _rates(scn: Scenario, size: float, short: bool = True, long: bool = True) -> Scenario:
    return replace(
        scn,
        short_rate=scn.short_rate + (size if short else 0.0),
        long_rate=scn.long_rate + (size if long else 0.0),
    )


def _growth(scn: Scenario, years: int, size: float) -> Scenario:
    return replace(scn, real_growth=scn.real_growth + _first(scn.n_years, years, size))


def _inflation(scn: Scenario, size: float) -> Scenario:
    return replace(scn, deflator=scn.deflator + size, il_inflation=scn.il_inflation + size)


def _ec(scn: Scenario) -> Scenario:
    return replace(_rates(scn, PP), premium_slope=0.06, premium_threshold=0.90)


def _sd(scn: Scenario, k: int) -> float:
    assert scn.uncertainty is not None
    return float(scn.uncertainty.shocks.sd[k])


def _b6(scn: Scenario) -> Scenario:
    """Debt-creating flows of 10 % of the first projected year's GDP, as the engine has it."""
    gdp1 = float(run_batch(scn, rules=False).paths.gdp[0, 0])
    return replace(scn, sfa=scn.sfa + _first(scn.n_years, 1, 0.10 * gdp1))


@dataclass(frozen=True)
class StressTest:
    """A named stress test: how it changes a scenario, and what to say about it.

    Attributes
    ----------
    name : str
        The name ``--test`` takes (one of :data:`TEST_NAMES`).
    description : str
        What it does, in a line.
    apply : callable or None
        The scenario (model units) to the shocked scenario; None for a test that cannot be
        run (``note`` says why).
    needs_sd : bool
        Whether it is sized by the ``uncertainty:`` section's standard deviations (not run
        without one).
    note : str
        Shown beside its row, e.g. why it has no effect.
    """

    name: str
    description: str
    apply: Callable[[Scenario], Scenario] | None  # None: cannot be run (see note)
    needs_sd: bool = False
    note: str = ""


TESTS: tuple[StressTest, ...] = (
    StressTest(
        "gilts_1pp",
        "gilt (long bond) yields +1 pp, every year",
        lambda s: _rates(s, PP, short=False),
    ),
    StressTest(
        "short_rates_1pp", "short rate +1 pp, every year", lambda s: _rates(s, PP, long=False)
    ),
    StressTest("growth_2y", "real growth -1 pp for two years", lambda s: _growth(s, 2, -PP)),
    StressTest("inflation_1pp", "inflation +1 pp, every year", lambda s: _inflation(s, PP)),
    StressTest(
        "combined",
        "gilts +1 pp, growth -1 pp for two years, inflation +1 pp",
        lambda s: _inflation(_growth(_rates(s, PP, short=False), 2, -PP), PP),
    ),
    StressTest("ec_financial", "rates +1 pp + 0.06 x (debt - 90) above 90 % of GDP", _ec),
    StressTest(
        "imf_b1",
        "IMF B1: market rates +2 sd (of their yearly change), every year",
        lambda s: _rates(s, 2 * _sd(s, 2)),
        needs_sd=True,
    ),
    StressTest(
        "imf_b2",
        "IMF B2: real growth -2 sd for two years",
        lambda s: _growth(s, 2, -2 * _sd(s, 0)),
        needs_sd=True,
    ),
    StressTest(
        "imf_b3",
        "IMF B3: primary balance -2 sd for two years",
        None,
        note="not run: needs a primary-balance history",
    ),
    StressTest(
        "imf_b4",
        "IMF B4: B1 and B2 at 1 sd (B3 not available)",
        lambda s: _growth(_rates(s, _sd(s, 2)), 2, -_sd(s, 0)),
        needs_sd=True,
    ),
    StressTest(
        "imf_b5",
        "IMF B5: 30 % real depreciation",
        lambda s: s,
        note="no effect: the model has no foreign-currency debt",
    ),
    StressTest("imf_b6", "IMF B6: debt-creating flows +10 % of GDP in year one", _b6),
)

TEST_NAMES = tuple(t.name for t in TESTS)


@dataclass(frozen=True)
class StressRow:
    """One test's outcome in the stress year; ``None`` values when it was not run.

    Attributes
    ----------
    name, description, note : str
        The test (``"scenario"`` for the unshocked run), what it does, and a note.
    psnb_pct_gdp, debt_pct_gdp : float or None
        Borrowing and debt in the stress year, % of GDP.
    headroom : dict of str to float or None
        Each rule's headroom in its first checked year, currency.
    passed : dict of str to bool or None
        Whether each rule passes in that year (empty when not run).
    """

    name: str
    description: str
    note: str
    psnb_pct_gdp: float | None
    debt_pct_gdp: float | None
    headroom: dict[str, float | None]  # each rule in its first checked year, currency
    passed: dict[str, bool | None]


@dataclass(frozen=True)
class StressResult:
    """Every test's outcome, and the unshocked scenario's, in one year.

    Attributes
    ----------
    title, source, unit : str
        The scenario's title, file and currency unit.
    year : int
        The year borrowing and debt are read in.
    labels : dict of int to str
        Every projected year as tables show it.
    rule_years : dict of str to int
        Each rule and the year it is read in (its first checked year).
    base : StressRow
        The unshocked scenario.
    rows : tuple of StressRow
        The tests, in the order asked for.
    """

    title: str
    source: str
    unit: str
    year: int
    labels: dict[int, str]
    rule_years: dict[str, int]
    base: StressRow
    rows: tuple[StressRow, ...]

    def effect(self, row: StressRow) -> StressEffect:
        """A test's effect: its values less the unshocked scenario's (None where either is
        missing).

        Parameters
        ----------
        row : StressRow
            One of :attr:`rows` (or :attr:`base`, whose effect is zero).

        Returns
        -------
        StressEffect
            Percentage points of GDP for borrowing and debt, currency for headroom.
        """

        def less(a: float | None, b: float | None) -> float | None:
            return None if a is None or b is None else a - b

        return StressEffect(
            psnb_pct_gdp=less(row.psnb_pct_gdp, self.base.psnb_pct_gdp),
            debt_pct_gdp=less(row.debt_pct_gdp, self.base.debt_pct_gdp),
            headroom={
                rule: less(row.headroom.get(rule), self.base.headroom.get(rule))
                for rule in self.rule_years
            },
        )

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON form (docs/output.md)."""

        def row(r: StressRow) -> dict[str, Any]:
            return {
                "test": r.name,
                "description": r.description,
                "note": r.note,
                "psnb_pct_gdp": r.psnb_pct_gdp,
                "debt_pct_gdp": r.debt_pct_gdp,
                "headroom": r.headroom,
                "passed": r.passed,
            }

        return {
            "scenario": self.title,
            "source": self.source,
            "unit": self.unit,
            "year": self.year,
            "rule_years": self.rule_years,
            "scenario_values": row(self.base),
            "tests": [row(r) for r in self.rows],
        }


@dataclass(frozen=True)
class StressEffect:
    """A test's change from the unshocked scenario: percentage points of GDP for borrowing
    and debt, currency for each rule's headroom."""

    psnb_pct_gdp: float | None
    debt_pct_gdp: float | None
    headroom: dict[str, float | None]


def stress_year(scn: Scenario) -> int:
    """The year stress tests are shown in: the first rule year, else the target, else tN."""
    rule_years = [y for r in scn.rules for y in r.years]
    if rule_years:
        return min(rule_years)
    return scn.target_year if scn.target_year is not None else scn.horizon


#: The per-year inputs a test may change: variants that change nothing else run as rows of
#: one batch of the engine. A test that changes anything else (``ec_financial``'s risk
#: premium) runs on its own.
BATCH_FIELDS = ("real_growth", "deflator", "il_inflation", "short_rate", "long_rate", "sfa")


def _batchable(variant: Scenario, scn: Scenario) -> bool:
    """``replace`` keeps every field it is not given, so a field that is the same object as
    the scenario's is unchanged."""
    return all(
        getattr(variant, f.name) is getattr(scn, f.name)
        for f in fields(Scenario)
        if f.name not in BATCH_FIELDS
    )


def _stack(scn: Scenario, variants: list[Scenario]) -> Scenario:
    """The scenario with each batch field a (len(variants), years) array, a row a variant."""

    def path(v: Scenario, name: str) -> FloatArray:
        return np.broadcast_to(np.asarray(getattr(v, name), dtype=np.float64), (scn.n_years,))

    stacked: dict[str, Any] = {f: np.stack([path(v, f) for v in variants]) for f in BATCH_FIELDS}
    return replace(scn, **stacked)


def _rows(scn: Scenario, year: int, runs: list[tuple[str, str, str, Scenario]]) -> list[StressRow]:
    """Each (name, description, note, variant) run through the engine and read in ``year``:
    the batchable variants together, the others one run each."""
    together = [k for k, run in enumerate(runs) if _batchable(run[3], scn)]
    groups = [(together, _stack(scn, [runs[k][3] for k in together]))] if together else []
    groups += [([k], runs[k][3]) for k in range(len(runs)) if k not in together]
    j = int(np.searchsorted(scn.years, year))
    out: dict[int, StressRow] = {}
    for members, variant in groups:
        batch = run_batch(variant)
        if batch.diverged is not None:
            name = runs[members[int(np.argmax(batch.diverged.rows))]][0]
            raise DivergenceError(f"stress test {name}: the scenario diverges")
        paths, rules = batch.paths, batch.rules
        for i, k in enumerate(members):
            name, desc, note, _ = runs[k]
            out[k] = StressRow(
                name,
                desc,
                note,
                float(to_percent(paths.psnb[i, j] / paths.gdp[i, j])),
                float(to_percent(paths.debt[i, j] / paths.gdp[i, j])),
                {r.name: float(r.headroom[i, 0]) for r in rules},
                {r.name: bool(r.passed[i, 0]) for r in rules},
            )
    return [out[k] for k in range(len(runs))]


def _not_run(scn: Scenario, test: StressTest, note: str) -> StressRow:
    return StressRow(
        test.name, test.description, note, None, None, {r.name: None for r in scn.rules}, {}
    )


def stress(
    scn: Scenario, names: tuple[str, ...] = TEST_NAMES, year: int | None = None
) -> StressResult:
    """Run the named tests (default: all) and the unshocked scenario; borrowing and debt are
    read in ``year`` (default :func:`stress_year`), each rule in its first checked year.

    Parameters
    ----------
    scn : Scenario
        A single run (paths of shape (years,)).
    names : tuple of str
        Tests to run, from :data:`TEST_NAMES`; rows come in the order of :data:`TESTS`.
    year : int, optional
        The projected year to read borrowing and debt in.

    Returns
    -------
    StressResult
        Borrowing and debt in % of GDP, headroom in currency, for the scenario and each
        test.

    Raises
    ------
    ValueError
        An unknown test name, or a year outside the projection.
    DivergenceError
        The scenario or a shocked variant diverges.
    """
    unknown = [n for n in names if n not in TEST_NAMES]
    if unknown:
        raise ValueError(f"unknown stress test {unknown[0]!r}; one of: {', '.join(TEST_NAMES)}")
    if year is None:
        year = stress_year(scn)
    elif year not in scn.years:
        raise ValueError(f"year {scn.label(year)} is outside the projection, {scn.span()}")
    runs = [("scenario", "no shock", "", scn)]
    rows: list[StressRow | None] = []
    for test in TESTS:
        if test.name not in names:
            continue
        if test.apply is None:
            rows.append(_not_run(scn, test, test.note))
        elif test.needs_sd and scn.uncertainty is None:
            rows.append(_not_run(scn, test, "not run: needs the scenario's uncertainty section"))
        else:
            runs.append((test.name, test.description, test.note, test.apply(scn)))
            rows.append(None)  # filled from the run below
    base, *ran = _rows(scn, year, runs)
    done = iter(ran)
    return StressResult(
        title=scn.title,
        source=scn.source,
        unit=scn.currency,
        year=year,
        labels=dict(zip((int(y) for y in scn.years), scn.year_labels, strict=True)),
        rule_years={r.name: r.years[0] for r in scn.rules},
        base=base,
        rows=tuple(next(done) if row is None else row for row in rows),
    )
