"""Defence components and the targets that count them (docs/model.md, "Components").

Each test names the property it guards; the files are the shipped UK scenarios on the
March 2026 forecast and small variants of them given by ``--set``-style overrides.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from budgetsim import run
from budgetsim.input.files import load_file
from budgetsim.model.engine import simulate
from budgetsim.solve import solve_max_share
from tests.conftest import SCENARIOS

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
