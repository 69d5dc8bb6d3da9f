"""Result and Summary: labels, units, percent series and the summary, against the model's
own paths for tests/fixtures/small.yaml (EUR bn; base 2024, horizon 2030; target 3 % of
GDP in 2030) with a deficit rule added."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import cast

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from budgetsim import DivergenceError, Result, ScenarioError, run, simulate
from budgetsim.input.files import load_file
from budgetsim.model.engine import Paths
from budgetsim.model.guard import divergence
from budgetsim.model.result import OPTIONAL_SERIES, SERIES_UNITS, check_run
from budgetsim.model.scenario import Scenario, year_label
from tests.conftest import ROOT

SMALL = ROOT / "tests" / "fixtures" / "small.yaml"
RULE = "rules=[{name: deficit, type: deficit_ceiling, limit: 3}]"


def small(*overrides: str) -> Result:
    return run(load_file(SMALL, [RULE, *overrides]))


def test_labels_and_units() -> None:
    res = small()
    assert (res.title, res.country, res.unit) == ("Small test scenario", "Testland", "EUR bn")
    assert res.source == str(SMALL)
    assert res.base_year == 2024
    assert res.years == (2025, 2026, 2027, 2028, 2029, 2030)
    assert res.year_labels[0] == "2025-26" and res.year_labels[-1] == "2030-31"
    assert small("years.label=calendar").year_labels == tuple(str(y) for y in res.years)
    assert res.unit_of("gdp") == "EUR bn"
    assert res.unit_of("defence_real") == "EUR bn at base-year prices"
    assert res.unit_of("debt_pct_gdp") == "% of GDP"
    assert set(res.series) == set(SERIES_UNITS) - set(OPTIONAL_SERIES)


@pytest.mark.parametrize(
    ("year", "style", "label"),
    [(2025, "fiscal", "2025-26"), (1999, "fiscal", "1999-00"), (2099, "calendar", "2099")],
)
def test_year_label(year: int, style: str, label: str) -> None:
    assert year_label(year, style) == label


def test_percent_series_are_the_paths_times_100() -> None:
    scn = load_file(SMALL, [RULE, "funding.sources=[{name: aid, cap: 1}]"])
    res, batch = run(scn), simulate(scn)
    s = res.series
    p = SimpleNamespace(
        **{
            k: getattr(batch, k)[0]
            for k in (
                "gdp",
                "real_growth",
                "deflator",
                "defence",
                "interest",
                "receipts",
                "conventional_rate",
                "psnb",
                "current_balance",
                "debt",
            )
        }
    )
    y = p.gdp
    assert_allclose(s["real_growth_pct"], p.real_growth * 100, rtol=1e-12)
    assert_allclose(s["deflator_pct"], p.deflator * 100, rtol=1e-12)
    assert_allclose(s["target_pct_gdp"], scn.share * 100, rtol=1e-12)
    assert_allclose(s["defence_pct_gdp"], p.defence / y * 100, rtol=1e-12)
    assert_allclose(s["interest_pct_receipts"], p.interest / p.receipts * 100, rtol=1e-12)
    assert_allclose(s["effective_conventional_rate_pct"], p.conventional_rate * 100, rtol=1e-12)
    assert_allclose(s["psnb_pct_gdp"], p.psnb / y * 100, rtol=1e-12)
    assert_allclose(s["current_balance_pct_gdp"], p.current_balance / y * 100, rtol=1e-12)
    assert_allclose(s["debt_pct_gdp"], p.debt / y * 100, rtol=1e-12)
    assert s["debt_pct_gdp"][0] > 50  # in percent, not a fraction
    assert list(res.sources) == ["aid"]
    assert_array_equal(res.sources["aid"], batch.pools[0][0])
    assert res.source_kinds == {"aid": "cuts"}


def test_baseline_holds_the_baseline_share() -> None:
    scn = load_file(SMALL, ["defence.basis=cash", "defence.cash=30"])
    base = scn.baseline()
    assert base.basis == "share"
    assert_array_equal(base.share, scn.baseline_share)
    assert_allclose(simulate(base).extra, 0.0, atol=1e-9)


def test_summary() -> None:
    scn = load_file(SMALL, [RULE, "funding.sources=[{name: aid, cap: 1}, {name: vat, kind: tax}]",
                            "funding.tax_freeze=false"])  # fmt: skip
    res, p = run(scn), simulate(scn)
    base = simulate(scn.baseline())
    s = res.summary
    assert s.target_year == 2030
    assert s.target_pct_gdp == pytest.approx(3.0)
    assert s.defence_pct_gdp_in_target_year == pytest.approx(3.0)
    assert s.target_met is True
    assert s.cumulative_extra_defence == pytest.approx(float(p.extra[0].sum()))
    assert s.cumulative_cuts == pytest.approx(float(p.cuts[0].sum()))
    assert s.cumulative_tax_rise == pytest.approx(float(p.tax[0].sum()))
    assert s.cumulative_tax_rise > 0
    assert s.cumulative_borrowing_for_defence == pytest.approx(0.0, abs=1e-9)
    debt_pct = p.debt[0, -1] / p.gdp[0, -1] * 100
    base_pct = base.debt[0, -1] / base.gdp[0, -1] * 100
    assert s.debt_pct_gdp_at_horizon == pytest.approx(debt_pct)
    assert s.baseline_debt_pct_gdp_at_horizon == pytest.approx(base_pct)
    assert s.extra_debt_pct_gdp_at_horizon == pytest.approx(debt_pct - base_pct)
    assert s.extra_debt_at_horizon == pytest.approx(p.debt[0, -1] - base.debt[0, -1])
    failed = [r.name for r in res.rules if not r.holds]
    assert s.rules_failed == tuple(failed)
    assert s.rules_passed is (not failed)


def test_rules_failed_and_passed() -> None:
    assert small().summary.rules_failed == ("deficit",)  # PSNB well above 3 % of GDP
    assert small().summary.rules_passed is False
    ok = small("rules=[{name: loose, type: deficit_ceiling, limit: 50}]").summary
    assert (ok.rules_failed, ok.rules_passed) == ((), True)


def test_target_met_at_the_edge_and_missed() -> None:
    just = small("defence.basis=cash", "defence.cash=20", "defence.milestones={2030: 0.1}")
    assert just.summary.target_met is True
    missed = small("defence.basis=cash", "defence.cash=20")
    assert missed.summary.target_met is False
    assert missed.summary.defence_pct_gdp_in_target_year == pytest.approx(
        missed.series["defence_pct_gdp"][-1]
    )
    none = small("defence.milestones=null")
    assert (none.summary.target_year, none.summary.target_met) == (None, None)
    assert none.summary.target_pct_gdp is None
    assert none.summary.defence_pct_gdp_in_target_year is None


def test_divergence_messages_in_full() -> None:
    with pytest.raises(DivergenceError) as info:
        small("interest.long_rate=100", "interest.short_rate=100", "economy.real_growth=-50")
    assert str(info.value) == (
        "debt passes 10000 % of GDP in 2029-30: the scenario diverges (interest far above "
        "growth); check rates and growth or shorten the horizon"
    )
    with pytest.raises(DivergenceError) as info:
        small(
            "economy.feedback={persistence: 1, cuts_multiplier: 5}",
            "funding.sources=[{name: all}]",
            "defence.milestones={2030: 100}",
        )
    assert str(info.value) == (
        "GDP falls to zero or below in 2027-28: the growth feedback is stronger than the economy "
        "(check economy.feedback)"
    )


def test_year_labels_are_fiscal_unless_asked() -> None:
    assert year_label(2025) == "2025-26"


def test_milestones_and_reference_reach_the_result() -> None:
    res = small("meta.reference=HM Treasury, Spring Statement 2025")
    assert res.milestones == ((2030, 3.0),)
    assert res.reference == "HM Treasury, Spring Statement 2025"


def test_a_target_missed_by_half_a_point_is_missed() -> None:
    """The target counts as met only within rounding (1e-9 points), not within a point."""
    res = small("defence.basis=cash", "defence.cash=[20, 21, 22, 23, 24, 30]")
    reached = res.summary.defence_pct_gdp_in_target_year
    assert reached is not None and 2.4 < reached < 2.5
    assert res.summary.target_met is False


def _finite_check(gdp: list[float], debt: list[float], **series: list[float]) -> None:
    scn = SimpleNamespace(years=np.array([2025, 2026, 2027]), label=year_label)
    paths = SimpleNamespace(gdp=np.array([gdp]), debt=np.array([debt]))
    arrays = {name: np.array([v]) for name, v in series.items()}
    found = divergence(cast(Scenario, scn), cast(Paths, paths))
    check_run(cast(Scenario, scn), found, arrays)


def test_divergence_checks_at_their_edges() -> None:
    """GDP must be above zero (zero itself is refused); debt may be exactly 100 times GDP
    but not more; any series that is not finite is named with its first such year."""
    _finite_check([1000, 1000, 1000], [1000, 100_000, -100_000])  # at the edge: fine
    with pytest.raises(DivergenceError, match=r"^GDP falls to zero or below in 2026-27:") as info:
        _finite_check([1000, 0, 1000], [0, 0, 0])
    assert info.value.year == 2026
    with pytest.raises(DivergenceError, match=r"^debt passes 10000 % of GDP in 2027-28:"):
        _finite_check([1000, 1000, 1000], [0, 0, 100_001])
    with pytest.raises(DivergenceError) as info:
        _finite_check([1000, 1000, 1000], [0, 0, 0], psnb=[1, 2, 3], interest=[1, np.nan, 1])
    assert str(info.value) == (
        "interest is not a finite number from 2026-27: the scenario diverges "
        "(check rates, growth and the horizon)"
    )
    assert info.value.year == 2026


def test_a_diverging_baseline_is_reported() -> None:
    """The baseline run is checked too: a baseline of 100 % of GDP on defence diverges
    within a century even where the scenario itself does not."""
    long = ("years.horizon=2124", "defence.baseline_share=100")
    assert run(load_file(SMALL, ["years.horizon=2124"])).summary.debt_pct_gdp_at_horizon < 1000
    with pytest.raises(DivergenceError, match=r"^debt passes 10000 % of GDP in 2\d\d\d-\d\d:"):
        small(*long)


def test_a_tiny_debt_underflows_harmlessly() -> None:
    """Interest on a debt of 1e-307 is below the smallest normal float; a run ignores the
    underflow (it is not an error) whatever the caller's numpy error settings (the tests
    raise on every floating-point error)."""
    res = small("finances.debt=1e-307")
    assert res.series["interest"][0] < 1e-300
    assert np.isfinite(res.series["debt_pct_gdp"]).all()


def test_a_target_reached_to_within_rounding_is_met() -> None:
    """Met means reached >= target - 1e-9 points: a share exactly at that bound is met, the
    next representable share below it is missed. The cash in the target year is found by
    stepping through floats (GDP does not depend on it without feedback)."""
    cash = ("defence.basis=cash", "defence.cash=20")
    scn = load_file(SMALL, [RULE, *cash])
    assert scn.target_share is not None
    y = float(run(scn).series["gdp"][-1])
    bound = scn.target_share * 100.0 - 1e-9

    def share(c: float) -> float:
        return c / y * 100.0  # as series_from computes defence_pct_gdp

    c = bound / 100.0 * y
    for _ in range(100):
        if share(c) == bound:
            break
        c = float(np.nextafter(c, np.inf if share(c) < bound else -np.inf))
    below = float(np.nextafter(c, -np.inf))
    while share(below) >= bound:
        below = float(np.nextafter(below, -np.inf))
    for value, met in ((c, True), (below, False)):
        res = small(cash[0], f"defence.cash=[20, 21, 22, 23, 24, {value!r}]")
        reached = res.summary.defence_pct_gdp_in_target_year
        assert (reached == bound) is met
        assert res.summary.target_met is met


def test_an_exact_amount_is_given_whatever_the_extra_spending() -> None:
    """`amount:` makes a source give exactly that much a year (a solver's answer written to
    a file): more than the extra spending in a year makes borrowing for defence negative,
    and the baseline, with no extra spending, takes nothing from it."""
    amounts = [1.0, 2.0, 3.0, 4.0, 50.0, 6.0]
    res = small(f"funding.sources=[{{name: aid, amount: {amounts}}}]")
    assert res.row("cuts") == amounts
    extra, borrowed = res.row("extra_defence"), res.row("borrowing_for_defence")
    assert extra[4] < 50.0 and borrowed[4] == pytest.approx(extra[4] - 50.0)
    plain = small()
    assert (
        res.summary.baseline_debt_pct_gdp_at_horizon
        == plain.summary.baseline_debt_pct_gdp_at_horizon
    )


def test_an_exact_amount_takes_no_cap_or_share() -> None:
    with pytest.raises(ScenarioError, match=r"amount: an amount is exact: give no cap"):
        small("funding.sources=[{name: aid, amount: 1, cap: 2}]")
    res = small("funding.mode=shares", "funding.sources=[{name: aid, amount: 1}]")
    assert res.row("cuts") == [1.0] * 6


def test_a_run_is_one_dimensional_and_its_outcomes_are_bools() -> None:
    """A single run's series are arrays over its years, its rule verdicts plain bools."""
    res = small()
    assert all(v.shape == (len(res.years),) for v in res.series.values())
    (rule,) = res.rules
    assert all(type(p) is bool for p in rule.passed)
    assert rule.holds is all(rule.passed)
    assert rule.headroom.shape == (len(rule.years),)


def test_checks_tightest_and_pass_counts() -> None:
    """One iterator over every rule-year; the tightest is the least headroom; the counts add
    up; limits and measures come out in percent."""
    res = small(
        "rules=[{name: low, type: debt_ceiling, limit: 80}, "
        "{name: high, type: debt_ceiling, limit: 200, years: [2030]}]"
    )
    checks = list(res.checks())
    assert [(c.rule, c.year) for c in checks][:2] == [("low", 2025), ("low", 2026)]
    assert len(checks) == len(res.years) + 1
    tight = res.tightest()
    assert tight is not None and tight.headroom == min(c.headroom for c in checks)
    passed, n = res.checks_passed
    assert n == len(checks) and passed == sum(c.passed for c in checks)
    high = checks[-1]
    assert high.limit_pct == 200.0 and high.measured_unit == "% of GDP"
    assert 50 < high.measured_pct < 200  # percent, not a fraction


def test_to_dict_is_the_json_the_cli_prints() -> None:
    import json

    from tests.conftest import invoke

    r = invoke("run", SMALL, "--set", RULE, "-f", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == json.loads(json.dumps(small().to_dict()))


def test_each_check_carries_its_rule_year_and_figures() -> None:
    """RuleOutcome.checks gives one RuleCheck a year with every field of that year; an
    interest ceiling is measured in % of receipts."""
    res = small(
        "rules=[{name: cap, type: interest_ceiling, limit: 10, years: [2026, 2028]}]",
        "years.label=calendar",
    )
    (rule,) = res.rules
    assert (rule.name, rule.type, rule.labels) == ("cap", "interest_ceiling", ("2026", "2028"))
    checks = list(rule.checks())
    assert [(c.rule, c.type, c.year, c.label) for c in checks] == [
        ("cap", "interest_ceiling", 2026, "2026"),
        ("cap", "interest_ceiling", 2028, "2028"),
    ]
    for j, c in enumerate(checks):
        assert c.passed is rule.passed[j]
        assert c.headroom == rule.headroom[j] and c.measured_pct == rule.measured_pct[j]
        assert c.limit_pct == 10.0 and c.measured_unit == "% of receipts"
    interest = res.series["interest_pct_receipts"][[1, 3]]
    assert_allclose([c.measured_pct for c in checks], interest, rtol=1e-12)


def test_no_rules_no_tightest_check() -> None:
    res = small("rules=[]")
    assert res.tightest() is None
    assert res.checks_passed == (0, 0)


def test_to_dict_has_the_documented_keys_and_values() -> None:
    """The JSON form of docs/output.md: its keys in that order, each value from the Result
    as plain numbers, strings and lists, and each rule entry's documented keys (the CLI
    test above compares the CLI with to_dict, so this one pins to_dict itself)."""
    res = small(
        "funding.sources=[{name: aid, cap: 1}, {name: vat, kind: tax}]",
        "funding.tax_freeze=false",
    )
    d = res.to_dict()
    assert list(d) == [
        "scenario", "source", "country", "unit", "base_year", "years", "year_labels",
        "series", "series_units", "sources", "rules", "summary",
    ]  # fmt: skip
    assert (d["scenario"], d["source"], d["country"], d["unit"]) == (
        "Small test scenario",
        str(SMALL),
        "Testland",
        "EUR bn",
    )
    assert d["base_year"] == 2024
    assert d["years"] == [2025, 2026, 2027, 2028, 2029, 2030]
    assert d["year_labels"] == ["2025-26", "2026-27", "2027-28", "2028-29", "2029-30", "2030-31"]
    assert list(d["series"]) == list(res.series)
    assert d["series"]["debt"] == res.row("debt")
    assert d["series_units"] == {name: res.unit_of(name) for name in res.series}
    assert d["sources"] == {name: list(map(float, v)) for name, v in res.sources.items()}
    assert list(d["sources"]) == ["aid", "vat"] and max(d["sources"]["vat"]) > 0
    keys = ("name", "type", "year", "passed", "headroom")
    assert [{k: entry[k] for k in keys} for entry in d["rules"]] == [
        {"name": "deficit", "type": "deficit_ceiling", "year": c.year, "passed": c.passed,
         "headroom": c.headroom}
        for c in res.checks()
    ]  # fmt: skip
    assert len(d["rules"]) == 6
    assert d["summary"]["target_year"] == 2030
    assert d["summary"]["rules_failed"] == res.summary.rules_failed


def test_a_series_that_is_not_a_number_is_reported_for_the_run_and_its_baseline() -> None:
    """A Scenario made through the API with receipts of zero (the loader refuses less than
    1 % of GDP) has interest of infinitely many times its receipts: the run stops with the
    series and its first year. With every extra euro met by a tax rise the scenario's own
    receipts are the tax rise, not zero, and only its baseline (no tax rise) is reported."""
    scn = load_file(SMALL)
    zero = replace(scn, receipts=np.zeros(scn.n_years))
    message = (
        "interest_pct_receipts is not a finite number from 2025-26: the scenario diverges "
        "(check rates, growth and the horizon)"
    )
    with pytest.raises(DivergenceError) as info:
        run(zero)
    assert (str(info.value), info.value.year) == (message, 2025)
    taxed = load_file(
        SMALL, ["funding.sources=[{name: vat, kind: tax}]", "funding.tax_freeze=false"]
    )
    taxed = replace(taxed, receipts=np.zeros(scn.n_years))
    assert (simulate(taxed).receipts > 0).all()
    with pytest.raises(DivergenceError) as info:
        run(taxed)
    assert (str(info.value), info.value.year) == (message, 2025)
