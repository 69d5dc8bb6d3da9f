"""The shipped scenarios, and the NATO allies' files in particular.

Every file in scenarios/ must load and run; the allies' files must carry the figures and
rules the project checks (docs/sources.md, docs/model.md's fiscal rules); `compare` over them must
work across their currency units. The published figures pinned below are from docs/sources.md
section 4's, with their flags: 2024 general-government balance and debt (Eurostat EDP
release, 22 Apr 2025, S, except Spain's balance, the Netherlands' and Germany's debt, M;
IMF figures for the US and Canada, M) and NATO's 2024 (Jun 2024, S) and 2025 estimates
(Aug 2025, S; NATO Annual Report, Mar 2026, S3, for Germany, France, the Netherlands and
Denmark).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from budgetsim import Result, run
from budgetsim.cli.app import app
from budgetsim.input.files import load_file
from tests.conftest import ROOT, SCENARIOS

ALL = sorted(p.name for p in SCENARIOS.glob("*.yaml"))
NATO = sorted(p.name for p in SCENARIOS.glob("nato_*.yaml"))

# file: (currency, 2024 share, 2025 share, 2024 GG balance % of GDP, 2024 GG debt % of GDP);
# 2025 shares are NATO's August 2025 estimates [nato-2025-08] (Germany: the cabinet plan)
ALLIES = {
    "nato_germany.yaml": ("EUR bn", 2.12, 2.4, -2.8, 62.5),
    "nato_france.yaml": ("EUR bn", 2.06, 2.05, -5.8, 113.0),
    "nato_poland.yaml": ("PLN bn", 4.12, 4.48, -6.6, 55.6),
    "nato_italy.yaml": ("EUR bn", 1.49, 2.01, -3.4, 135.3),
    "nato_spain.yaml": ("EUR bn", 1.28, 2.0, -3.2, 101.8),
    "nato_netherlands.yaml": ("EUR bn", 2.05, 2.5, -0.9, 43.3),
    "nato_denmark.yaml": ("DKK bn", 2.37, 3.22, 4.5, 31.1),
    "nato_united_states.yaml": ("USD bn", 3.38, 3.22, -7.3, 121.0),
    "nato_canada.yaml": ("CAD bn", 1.37, 2.01, -2.0, 110.0),
}
ESCAPE = {"nato_germany.yaml", "nato_poland.yaml", "nato_denmark.yaml"}  # activated (S)
EU = set(ALLIES) - {"nato_united_states.yaml", "nato_canada.yaml"}

runner = CliRunner()


@pytest.fixture(scope="module")
def results() -> dict[str, Result]:
    return {name: run(load_file(SCENARIOS / name)) for name in NATO}


def test_the_nine_allies_ship() -> None:
    assert sorted(ALLIES) == NATO


@pytest.mark.parametrize("name", ALL)
def test_every_shipped_scenario_runs(name: str) -> None:
    """Each file loads, runs to its horizon with finite numbers, and meets its own target:
    a shipped scenario that no longer runs, or whose path misses its milestone, fails here."""
    scn = load_file(SCENARIOS / name)
    res = run(scn)
    assert list(res.years) == list(range(scn.base_year + 1, scn.horizon + 1))
    for label, series in res.series.items():
        assert np.isfinite(series).all(), label
    s = res.summary
    if s.target_year is not None:
        assert s.target_met, (name, s)
    for rule in res.rules:
        assert rule.headroom.shape == (len(rule.years),), rule.name


@pytest.mark.parametrize("name", sorted(ALLIES))
def test_ally_path_runs_from_2025_level_to_the_hague_target(name: str) -> None:
    """From the 2024 share (base year) through the 2025 estimate to at least 3.5 % in 2035,
    in the country's own currency."""
    currency, s2024, s2025, _, _ = ALLIES[name]
    res = run(load_file(SCENARIOS / name))
    assert res.unit == currency
    share = res.series["defence_pct_gdp"]
    assert load_file(SCENARIOS / name).base_share == pytest.approx(s2024 / 100)
    assert share[res.years.index(2025)] == pytest.approx(s2025)
    assert res.summary.target_year == 2035
    assert share[res.years.index(2035)] >= 3.5
    assert np.all(np.diff(share[res.years.index(2025) :]) >= -1e-12), "the path never falls"


@pytest.mark.parametrize("name", sorted(ALLIES))
def test_ally_baseline_reproduces_its_2024_deficit_and_debt(name: str) -> None:
    """Golden: with defence held at its 2024 share (the baseline), borrowing in 2025 is the
    2024 deficit (within 0.005 points: other_spending is written to three decimals), and
    the base-year debt ratio is the published one."""
    _, _, _, balance, debt = ALLIES[name]
    scn = load_file(SCENARIOS / name)
    base = run(scn.baseline())
    psnb_2025 = base.series["psnb_pct_gdp"][base.years.index(2025)]
    assert psnb_2025 == pytest.approx(-balance, abs=0.005)
    assert scn.debt0 / scn.gdp0 * 100 == pytest.approx(debt, abs=0.005)
    assert scn.psnb0 / scn.gdp0 * 100 == pytest.approx(-balance, abs=0.005)


@pytest.mark.parametrize("name", sorted(ALLIES))
def test_ally_rates_equal_nominal_growth(name: str) -> None:
    """The shared assumption r = g (common/ally.yaml): the debt ratio moves by the primary
    deficit alone, b_t - b_{t-1} = (PSNB_t - I_t) / Y_t, to the rounding of the rates
    (three decimals of a percent). Paired: 2025 interest is the 2025 rate on 2024 debt, and
    not zero, so this is not r = g = 0."""
    scn = load_file(SCENARIOS / name)
    res = run(scn)
    b = np.concatenate([[scn.debt0 / scn.gdp0], res.series["debt"] / res.series["gdp"]])
    primary = (res.series["psnb"] - res.series["interest"]) / res.series["gdp"]
    assert np.allclose(np.diff(b), primary, rtol=0, atol=2e-5)
    interest_2025 = res.series["interest"][0]
    assert interest_2025 == pytest.approx(scn.debt0 * float(scn.long_rate[0]), rel=1e-12)
    assert interest_2025 > 0


@pytest.mark.parametrize("name", sorted(ALLIES))
def test_ally_rules_as_model_md_says(name: str) -> None:
    """EU members: 3 % deficit and 60 % debt reference values, every year; the escape clause
    (1.5 % of GDP, 2025 to 2028) only for those that asked for it; Germany's debt
    brake (0.35 %, defence above 1 % exempt); nothing for the US and Canada."""
    scn = load_file(SCENARIOS / name)
    rules = {r.name: r for r in scn.rules}
    every_year = tuple(int(y) for y in scn.years)
    if name not in EU:
        assert rules == {}
        return
    deficit, debt = rules["EU deficit 3 %"], rules["EU debt 60 %"]
    assert (deficit.type, deficit.limit, deficit.years) == ("deficit_ceiling", 0.03, every_year)
    assert (debt.type, debt.limit, debt.years) == ("debt_ceiling", 0.60, every_year)
    if name in ESCAPE:
        assert deficit.escape_limit == pytest.approx(0.015)
        assert deficit.escape_years == (2025, 2026, 2027, 2028)
    else:
        assert deficit.escape_limit == 0.0
    brake = rules.get("debt brake (GG proxy)")
    assert (brake is not None) == (name == "nato_germany.yaml")
    if brake is not None:
        assert brake.type == "deficit_ceiling"
        assert brake.limit == pytest.approx(0.0035)
        assert brake.defence_exemption == pytest.approx(0.01)


@pytest.mark.parametrize("fragment", sorted(p.name for p in (SCENARIOS / "common").glob("*")))
def test_shared_fragments_are_not_scenarios(fragment: str) -> None:
    """scenarios/common/ holds partial files the allies extend; on its own each is rejected
    with exit code 2 and a message, not a traceback."""
    result = runner.invoke(app, ["validate", f"scenarios/common/{fragment}"])
    assert result.exit_code == 2, result.output
    assert "meta" in result.stderr, result.output


def _compare(*args: str) -> str:
    result = runner.invoke(app, ["compare", *(f"scenarios/{n}" for n in NATO), *args])
    assert result.exit_code == 0, result.output
    assert result.stderr == "", result.output
    return result.stdout


def test_compare_allies_one_row_each_in_its_own_unit(results: dict[str, Result]) -> None:
    """`budgetsim compare scenarios/nato_*.yaml`: one row per ally, each with its own unit,
    in 2035, with the percentages as the runs give them."""
    data = json.loads(_compare("--format", "json"))
    assert data["year"] == 2035
    rows = {Path(r["source"]).name: r for r in data["scenarios"]}
    assert sorted(rows) == NATO
    for name, row in rows.items():
        assert row["unit"] == ALLIES[name][0]
        res = results[name]
        j = res.years.index(2035)
        assert row["defence_pct_gdp"] == pytest.approx(res.series["defence_pct_gdp"][j])
        assert row["debt_pct_gdp"] == pytest.approx(res.series["debt_pct_gdp"][j])
    assert rows["nato_united_states.yaml"]["rules_passed"] == "no fiscal rule"
    table = _compare()
    for name in NATO:
        line = next(li for li in table.splitlines() if f" {rows[name]['title']} " in li)
        assert ALLIES[name][0] in line


def test_compare_allies_metric_names_each_currency() -> None:
    """A cash series across currencies labels every column with its unit; a ratio does
    not need to (one unit for all)."""
    header = _compare("--metric", "defence", "--format", "markdown").splitlines()[0]
    assert "nato_poland (PLN bn)" in header and "nato_germany (EUR bn)" in header
    csv_header = _compare("--metric", "defence", "--format", "csv").splitlines()[0]
    assert "nato_united_states (USD bn)" in csv_header.split(",")
    ratio = _compare("--metric", "debt_pct_gdp", "--format", "markdown").splitlines()[0]
    assert "(" not in ratio and "nato_denmark" in ratio


def test_docs_show_the_real_compare_table() -> None:
    """docs/countries.md pastes `budgetsim compare scenarios/nato_*.yaml --format markdown`;
    a change to a file or to the model that moves a figure must update the page too."""
    page = (ROOT / "docs" / "countries.md").read_text(encoding="utf-8")
    for args in (("--format", "markdown"), ("--metric", "debt_pct_gdp", "--format", "markdown")):
        out = _compare(*args).strip()
        assert out in page, out
