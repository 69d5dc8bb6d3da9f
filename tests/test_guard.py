"""The guarded batch runner (sim/model/guard.py): where a batch diverged, in words and by
row, as Monte Carlo and the stress tests report it; the workspace and the rules it is
given."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import numpy as np
from numpy.testing import assert_array_equal

from budgetsim.input.files import load_file
from budgetsim.model.engine import Paths
from budgetsim.model.guard import Divergence, divergence, run_batch
from budgetsim.model.scenario import Scenario
from budgetsim.model.workspace import Workspace
from tests.conftest import ROOT

SMALL = ROOT / "tests" / "fixtures" / "small.yaml"
YEARS = np.array([2025, 2026, 2027])


def _divergence(gdp: list[list[float]], debt: list[list[float]]) -> Divergence | None:
    scn = SimpleNamespace(years=YEARS)
    paths = SimpleNamespace(gdp=np.array(gdp), debt=np.array(debt))
    return divergence(cast(Scenario, scn), cast(Paths, paths))


def test_a_batch_that_stays_in_range_has_no_divergence() -> None:
    assert _divergence([[1000.0] * 3] * 2, [[900.0] * 3] * 2) is None


def test_gdp_collapsing_names_the_first_year_and_every_row() -> None:
    """Rows 1 and 2 of three lose their GDP (in 2027 and 2026); row 0 does not. Row 0's
    exploding debt is not reported: GDP collapsing is looked for first."""
    found = _divergence(
        [[1000, 1000, 1000], [1000, 1000, -1], [1000, 0, 1000]],
        [[0, 0, 200_000], [0, 0, 0], [0, 0, 0]],
    )
    assert found is not None
    assert (found.what, found.kind, found.year) == ("GDP falls to zero or below", "gdp", 2026)
    assert_array_equal(found.rows, [False, True, True])


def test_debt_exploding_names_the_first_year_and_every_row() -> None:
    """Debt beyond 100 times GDP either way: row 0 in 2027, row 2 (negative) in 2026."""
    found = _divergence(
        [[1000.0] * 3] * 3,
        [[0, 0, 100_001], [0, 0, 100_000], [0, -100_001, 0]],
    )
    assert found is not None
    assert (found.what, found.kind, found.year) == ("debt passes 10000 % of GDP", "debt", 2026)
    assert_array_equal(found.rows, [True, False, True])


def test_run_batch_runs_in_the_workspace_it_is_given() -> None:
    """Paths from run_batch live in the workspace: the next run in it overwrites them."""
    ws = Workspace()
    scn = load_file(SMALL)
    first = run_batch(scn, ws).paths
    gdp = first.gdp.copy()
    second = run_batch(load_file(SMALL, ["economy.real_growth=3"]), ws).paths
    assert np.shares_memory(first.gdp, second.gdp)
    assert not np.array_equal(first.gdp, gdp)


def test_run_batch_evaluates_the_rules_only_when_asked() -> None:
    scn = load_file(
        SMALL,
        [
            "rules=[{name: deficit, type: deficit_ceiling, limit: 3},"
            " {name: debt, type: debt_ceiling, limit: 90}]"
        ],
    )
    assert [r.name for r in run_batch(scn).rules] == ["deficit", "debt"]
    assert run_batch(scn, rules=False).rules == ()
