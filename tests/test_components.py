"""Defence components and the targets that count them (docs/model.md, "Components").

Each test names the property it guards; the files are the shipped UK scenarios on the
March 2026 forecast and small variants of them given by ``--set``-style overrides.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from budgetsim import Result, run
from budgetsim.input.files import load_file
from budgetsim.model.engine import simulate
from budgetsim.solve import solve_max_share
from tests.conftest import ROOT, SCENARIOS

HAGUE = SCENARIOS / "uk_hague_2035.yaml"
SR = SCENARIOS / "uk_spending_review.yaml"
MAR26 = SCENARIOS / "uk_baseline_mar2026.yaml"

ONE_COMPONENT = [
    "defence.components=[{name: all, base_share: 2.4, milestones: {2027: 2.6, 2035: 3.5}}]",
    "defence.targets=null",
    "defence.base_share=2.4",
]
SINGLE_PATH = [
    "defence.milestones={2027: 2.6, 2035: 3.5}",
]


def test_one_component_equals_the_single_path() -> None:
    """A file whose defence is one component gives exactly the numbers of the same path
    written without components (capital share 0 in both)."""
    one = run(load_file(MAR26, ONE_COMPONENT))
    single = run(load_file(MAR26, SINGLE_PATH))
    for name in single.series:
        if name != "target_pct_gdp":
            assert_allclose(one.series[name], single.series[name], rtol=1e-12, err_msg=name)
    assert_allclose(one.components["all"], single.series["defence"], rtol=1e-12)


def test_components_add_up_and_targets_report_the_gap() -> None:
    """Defence is the sum of its components; a target's gap is its share of GDP less what
    its components spend, in currency; it is met exactly where the gap is not positive."""
    res = run(load_file(HAGUE))
    total = sum(res.components.values())
    assert_allclose(total, res.series["defence"], rtol=1e-12)
    gdp = res.series["gdp"]
    for t in res.targets:
        counted = sum(res.components[c] for c in t.components)
        assert_allclose(t.gap, t.share_pct / 100 * gdp - counted, rtol=1e-9, atol=1e-9)
        for j, _ in enumerate(res.years):
            assert t.met(j) == bool(t.gap[j] <= 1e-9 * gdp[j])


def test_a_missed_target_shows_its_gap() -> None:
    """Hold core defence where it is: NATO's 3.5 % is missed in 2035-36 by the shortfall in
    currency, and the run says so."""
    res = run(load_file(HAGUE, ["defence.components.0.milestones={2027: 2.34}"]))
    nato = res.targets[0]
    j = res.years.index(2035)
    assert not nato.met(j)
    expected = (3.5 - (2.34 + 0.1 + 0.16)) / 100 * res.series["gdp"][j]
    assert nato.gap[j] == pytest.approx(expected, rel=1e-9)
    assert res.summary.target_met is False


def test_existing_spending_moved_from_other_spending_costs_nothing() -> None:
    """Components already paid for in other spending (intelligence, resilience) leave the
    baseline's borrowing unchanged: the scenario's baseline equals the vintage's own."""
    base = simulate(load_file(MAR26))
    hague_baseline = simulate(load_file(HAGUE).baseline())
    assert_allclose(hague_baseline.psnb, base.psnb, rtol=1e-12)
    assert_allclose(hague_baseline.debt, base.debt, rtol=1e-12)


def test_capital_share_moves_only_the_current_balance() -> None:
    """Counting 40.7 % of extra core spending as capital raises the current balance by that
    much of the extra, and leaves borrowing and debt unchanged."""
    with_capital = simulate(load_file(HAGUE))
    without = simulate(load_file(HAGUE, ["defence.components.0.capital_share=0"]))
    assert_array_equal(with_capital.psnb, without.psnb)
    extra_core = with_capital.component_spending[0] - 0.023 * with_capital.gdp
    diff = with_capital.current_balance - without.current_balance
    assert_allclose(diff, 0.407 * extra_core, rtol=1e-9, atol=1e-9)
    assert np.all(diff[0, 2:] > 0)


def test_solver_moves_the_headline_target_through_its_first_component() -> None:
    """max-share moves NATO's core target: the core component's path changes, the other
    components do not, and the counted share in 2035-36 is the answer."""
    scn = load_file(HAGUE)
    sol = solve_max_share(scn, 2035)
    assert sol.answer is not None and sol.scenario is not None
    solved = sol.scenario
    assert solved.targets[0].share == pytest.approx(sol.answer / 100)
    for before, after in zip(scn.components[1:], solved.components[1:], strict=True):
        assert_array_equal(before.share, after.share)
    res = run(solved)
    j = res.years.index(2035)
    assert res.targets[0].counted_pct[j] == pytest.approx(sol.answer, abs=1e-9)
    assert res.summary.defence_pct_gdp_in_target_year == pytest.approx(sol.answer, abs=1e-9)
    assert not np.array_equal(solved.components[0].share, scn.components[0].share)


def test_candidate_paths_split_like_the_file() -> None:
    """A batch of total share paths splits into components with every component but the
    driver on its own path, so the rules see the same capital spending as a single run."""
    scn = load_file(HAGUE)
    rows = scn.target_paths([(2035, 3.5), (2035, 4.0)])
    assert_allclose(rows[0], scn.share, rtol=1e-12)
    split = scn.component_shares(rows)
    for k in range(1, len(scn.components)):
        assert_allclose(split[k], np.broadcast_to(scn.components[k].share, rows.shape))
    assert_allclose(split[0, 1] - split[0, 0], rows[1] - rows[0])


def test_a_solved_component_scenario_writes_back() -> None:
    """solve --write-scenario on a component file writes the driver's new milestones and
    the headline target; the written file runs to the solved numbers."""
    from budgetsim.input.edit import solved_spec, to_yaml
    from budgetsim.input.files import load_with_spec
    from budgetsim.input.loader import load_text

    loaded = load_with_spec(HAGUE)
    sol = solve_max_share(loaded.scenario, 2035)
    assert sol.scenario is not None and sol.answer is not None
    text = to_yaml(solved_spec(loaded.spec, sol.scenario, sol.target))
    again = run(load_text(text))
    solved = run(sol.scenario)
    assert again.targets[0].share_pct == pytest.approx(sol.answer, abs=1e-9)
    assert_allclose(again.series["psnb"], solved.series["psnb"], rtol=1e-12)
    assert_allclose(again.components["core"], solved.components["core"], rtol=1e-12)


# --- cash paths and funding of their own --------------------------------------------------

EXAMPLE = ROOT / "docs" / "examples" / "uk_ukraine_cash.yaml"


def test_a_cash_component_spends_its_cash() -> None:
    """Ukraine at GBP 3bn a year in cash spends exactly 3.0 a year; at base-year prices it
    spends 3.0 times the defence price index; its share of GDP is what that cash is."""
    nominal = run(load_file(EXAMPLE))
    assert_array_equal(nominal.components["ukraine"], np.full(len(nominal.years), 3.0))
    assert_allclose(nominal.component_shares["ukraine"], 300.0 / nominal.series["gdp"], rtol=1e-12)
    real = load_file(EXAMPLE, ["defence.components.1.cash_prices=real"])
    paths = simulate(real)
    assert_array_equal(paths.component_spending[1, 0], 3.0 * paths.defence_prices[0])
    assert np.all(np.diff(paths.component_spending[1, 0]) > 0)  # prices rise


def test_a_cash_component_counts_in_its_targets() -> None:
    """The Spending Review's 2.6 % counts Ukraine: at GBP 3bn it is 0.09 % of GDP in
    2027-28, not the 0.1 % the shipped file holds, so the target is missed by the
    difference, in currency."""
    res = run(load_file(EXAMPLE))
    target = res.targets[0]
    j = res.years.index(2027)
    gdp = res.series["gdp"][j]
    assert not target.met(j)
    assert target.gap[j] == pytest.approx((0.026 - 0.0234 - 0.0016) * gdp - 3.0, rel=1e-9)


def test_a_component_meets_its_extra_from_its_own_sources_first() -> None:
    """Core's own source (the aid cut) meets core's extra spending up to its cap, core
    borrows the rest; the scenario's funding (no sources here) leaves Ukraine's and
    intelligence's extra spending, a saving, to borrowing."""
    scn = load_file(EXAMPLE)
    res = run(scn)
    paths = simulate(scn)
    core_extra = paths.component_extra[0, 0]
    cap = 0.002 * paths.gdp[0] * (res.years >= np.int64(2027))
    rest, core = res.component_funds
    assert (core.component, core.covers, core.sources) == ("core", ("core",), ("overseas_aid",))
    assert (rest.component, rest.covers, rest.sources) == (None, ("ukraine", "intelligence"), ())
    assert_allclose(core.extra, core_extra, rtol=1e-12)
    assert_allclose(res.sources["overseas_aid"], np.minimum(cap, core_extra), rtol=1e-12)
    assert_allclose(core.borrowed, core_extra - res.sources["overseas_aid"], rtol=1e-12)
    assert_allclose(rest.borrowed, paths.component_extra[1:, 0].sum(axis=0), rtol=1e-12)
    assert np.all(rest.borrowed < 0)  # flat cash against a held share of GDP: a saving
    assert res.source_components == {"overseas_aid": "core"}
    data = res.to_dict()["components"]
    assert data["core"]["funding"]["sources"]["overseas_aid"] == list(res.sources["overseas_aid"])
    assert "funding" not in data["ukraine"]


def test_a_source_moved_under_the_only_component_that_costs_changes_nothing() -> None:
    """In the Spending Review file only core spends above its baseline, so the aid cut as
    core's own source gives what it gives as the scenario's source (to rounding: core's
    extra spending is its own share less its baseline's, the total's the sums')."""
    shipped = run(load_file(SR))
    own = run(
        load_file(
            SR,
            [
                "defence.components.0.funding={sources: [{name: overseas_aid, kind: cuts, "
                "cap_pct_gdp: {2026: 0, 2027: 0.2}}]}",
                "funding.sources=[]",
            ],
        )
    )
    assert_allclose(own.sources["overseas_aid"], shipped.sources["overseas_aid"], rtol=1e-12)
    for name in ("psnb", "debt", "current_balance", "borrowing_for_defence"):
        assert_allclose(own.series[name], shipped.series[name], rtol=1e-12, atol=1e-9, err_msg=name)


def test_min_cuts_solves_a_components_own_sources() -> None:
    """min-cuts solves for the aid cut where it sits, under core: with core at 3.2 % of
    GDP from 2027-28 the investment rule fails without cuts and passes with the aid cut at
    its cap; the least cuts are fewer than that, stay within core's extra spending and the
    cap, and the solved scenario passes."""
    from budgetsim.solve import solve_min_cuts

    milestone = "defence.components.0.milestones={2027: 3.2}"
    scn = load_file(EXAMPLE, [milestone])
    none = ["defence.components.0.funding.sources.0.amount=0"]
    none.append("defence.components.0.funding.sources.0.cap_pct_gdp=null")
    assert not run(load_file(EXAMPLE, [milestone, *none])).summary.rules_passed
    at_cap = run(scn)
    assert at_cap.summary.rules_passed
    sol = solve_min_cuts(scn)
    assert sol.feasible and sol.result is not None and sol.scenario is not None
    assert sol.answer is not None
    assert 0 < sol.answer < at_cap.sources["overseas_aid"].sum()
    assert set(sol.amounts) == {"overseas_aid"}
    aid = np.array(sol.amounts["overseas_aid"])
    paths = simulate(sol.scenario)
    assert np.all(aid <= np.maximum(paths.component_extra[0, 0], 0.0) * (1 + 1e-12))
    assert np.all(aid <= 0.002 * paths.gdp[0] * (1 + 1e-12))
    assert sol.result.summary.rules_passed


def test_max_share_counts_a_cash_component_at_its_share() -> None:
    """max-share and earliest-year move core so that core, Ukraine's cash and intelligence
    together reach the share in the target year (Ukraine counted at its cash over GDP)."""
    from budgetsim.solve import solve_earliest_year

    sol = solve_max_share(load_file(EXAMPLE), 2029)
    assert sol.answer is not None and sol.result is not None
    j = sol.result.years.index(2029)
    assert sol.result.targets[0].counted_pct[j] == pytest.approx(sol.answer, abs=1e-9)
    assert_array_equal(sol.result.components["ukraine"], 3.0)
    early = solve_earliest_year(load_file(EXAMPLE), 2.8)
    assert early.answer is not None and early.result is not None
    j = early.result.years.index(int(early.answer))
    assert early.result.targets[0].counted_pct[j] == pytest.approx(2.8, abs=1e-9)
    assert early.result.summary.target_met


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            ["economy.feedback={defence_multiplier: 0.5}"],
            "max-share: the headline target counts ukraine, on a cash path, and growth "
            "feedback is on",
        ),
        (
            ["defence.targets=[{name: Ukraine, components: [ukraine], share: 0.1, year: 2027}]"],
            "max-share moves a component's share-of-GDP path; the headline target (Ukraine) "
            "counts only components on cash paths (ukraine): give one of them milestones",
        ),
    ],
)
def test_solvers_refuse_a_target_they_cannot_move(overrides: list[str], message: str) -> None:
    from budgetsim.solve import SolveError

    with pytest.raises(SolveError, match="^" + re.escape(message)):
        solve_max_share(load_file(EXAMPLE, overrides), 2029)


def test_batches_split_and_fund_like_single_runs() -> None:
    """Vectorised along the batch axis: rows of a batch (different deflators, so a real
    cash path differs row by row, and different share paths) give exactly what each row
    gives run alone, funding groups included."""
    scn = load_file(EXAMPLE, ["defence.components.1.cash_prices=real"])
    deflators = scn.deflator + np.array([[0.0], [0.01], [-0.005]])
    shares = scn.target_paths([(2029, 2.6), (2029, 3.0), (2030, 3.5)])
    batch = simulate(dataclasses.replace(scn, deflator=deflators, share=shares))
    for r in range(3):
        alone = simulate(dataclasses.replace(scn, deflator=deflators[r], share=shares[r]))
        for name in ("defence", "cuts", "psnb", "debt", "pools", "funding_need"):
            got, want = getattr(batch, name), getattr(alone, name)
            assert_array_equal(got[..., r, :], want[..., 0, :], err_msg=name)


def test_fan_and_stress_run_a_component_funded_file() -> None:
    """Monte Carlo and the stress tests run unchanged on a component-funded file: the
    fan's central path is the deterministic run, and the stress baseline is too."""
    from budgetsim import fan, stress

    scn = load_file(EXAMPLE)
    res = run(scn)
    f = fan(scn, draws=200)
    assert_allclose(f.central["debt_pct_gdp"], res.series["debt_pct_gdp"], rtol=1e-12)
    s = stress(scn)
    j = res.years.index(s.year)
    assert s.base.debt_pct_gdp == pytest.approx(res.series["debt_pct_gdp"][j], rel=1e-12)
    assert s.base.headroom["stability rule"] == pytest.approx(
        res_check(res, "stability rule", s.year), rel=1e-12
    )
    base_debt = s.base.debt_pct_gdp
    assert base_debt is not None
    assert any(r.debt_pct_gdp is not None and r.debt_pct_gdp > base_debt for r in s.rows)


def res_check(res: Result, rule: str, year: int) -> float:
    return next(c.headroom for c in res.checks() if c.rule == rule and c.year == year)


def test_solved_component_funding_writes_back() -> None:
    """solve --write-scenario writes the solved amounts into the component's own sources;
    the written file runs to the solved numbers."""
    from budgetsim.input.edit import solved_spec, to_yaml
    from budgetsim.input.files import load_with_spec
    from budgetsim.input.loader import load_text
    from budgetsim.solve import solve_min_cuts

    loaded = load_with_spec(EXAMPLE, ["defence.components.0.milestones={2027: 3.2}"])
    sol = solve_min_cuts(loaded.scenario)
    assert sol.scenario is not None and sol.result is not None
    text = to_yaml(solved_spec(loaded.spec, sol.scenario, sol.target))
    again = run(load_text(text))
    assert_array_equal(again.sources["overseas_aid"], sol.result.sources["overseas_aid"])
    assert_array_equal(again.series["psnb"], sol.result.series["psnb"])


def test_the_worked_example_in_the_docs_is_what_run_prints() -> None:
    """docs/scenarios.md pastes rows of `budgetsim run docs/examples/uk_ukraine_cash.yaml
    --format markdown`, cut to four years: each pasted row is the run's row, cell for cell."""
    from typer.testing import CliRunner

    from budgetsim.cli.app import app

    def cells(line: str) -> list[str]:
        return [c.strip() for c in line.strip().strip("|").split("|")]

    page = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    block = page.split("<!-- example: uk_ukraine_cash -->\n")[1].split("<!-- end example -->")[0]
    pasted = [cells(line) for line in block.splitlines()]
    assert len(pasted) == 13 and len(pasted[0]) == 5
    res = CliRunner().invoke(app, ["run", str(EXAMPLE), "--format", "markdown"])
    assert res.exit_code == 0, res.stderr
    printed = {row[0]: row for row in map(cells, res.stdout.splitlines()) if len(row) > 5}
    assert pasted[0][1:] == printed[""][1:5]
    for row in pasted[2:]:
        assert printed[row[0]][:5] == row, row[0]
