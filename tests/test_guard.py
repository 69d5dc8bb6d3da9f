"""The guarded batch runner (sim/model/guard.py): where a batch diverged, in words and by
row, as Monte Carlo and the stress tests report it; the workspace and the rules it is
given."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from budgetsim.input.files import load_file
from budgetsim.model.engine import Paths
from budgetsim.model.guard import (
    Divergence,
    debt_exploded,
    divergence,
    gdp_collapsed,
    run_batch,
)
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


_GDP = st.sampled_from([1000.0, 1000.0, 1000.0, 1e-300, 0.0, -1.0, np.inf, np.nan])
_DEBT = st.sampled_from(
    [0.0, 900.0, 100_000.0, -100_000.0, 100_001.0, -100_001.0, 1e300, np.inf, -np.inf, np.nan]
)


def _grid(values: st.SearchStrategy[float]) -> st.SearchStrategy[list[list[float]]]:
    return st.lists(st.lists(values, min_size=3, max_size=3), min_size=2, max_size=2)


@example(([[1000.0] * 3] * 2, [[0.0, 0.0, 0.0], [0.0, -100_001.0, 0.0]]))  # below, only
@example(([[1000.0] * 3] * 2, [[0.0, 0.0, 100_001.0], [0.0, 0.0, 0.0]]))  # above, only
@example(([[1000.0] * 3, [1000.0, 1000.0, np.nan]], [[0.0] * 3] * 2))  # NaN GDP, last
@example(([[1000.0] * 3] * 2, [[0.0, 0.0, 0.0], [0.0, 0.0, np.nan]]))  # NaN debt, last
@given(st.tuples(_grid(_GDP | st.floats()), _grid(_DEBT | st.floats())))
def test_the_quick_in_range_test_never_hides_a_divergence(
    gd: tuple[list[list[float]], list[list[float]]],
) -> None:
    """divergence() first tries three reductions (min GDP, max and min debt); whatever it
    finds must be what the element-wise tests alone find, NaN, inf and edges included."""
    paths = cast(Paths, SimpleNamespace(gdp=np.array(gd[0]), debt=np.array(gd[1])))
    with np.errstate(all="ignore"):
        bad = gdp_collapsed(paths) | debt_exploded(paths)
        found = _divergence(gd[0], gd[1])
    assert (found is None) == (not bad.any())
