"""Reused memory and partial evaluation change no number (performance).

The engine may run in a reused workspace and compute some series, or a rule's years, only
when asked; each test states that this gives exactly the numbers of a plain full run.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from budgetsim.input.files import load_file
from budgetsim.model.engine import simulate
from budgetsim.model.scenario import Scenario
from budgetsim.model.workspace import Workspace
from budgetsim.uncertainty.shocks import normals

from .conftest import ROOT, SCENARIOS

SERIES = (
    "gdp", "real_growth", "deflator", "defence", "defence_real", "baseline_defence", "extra",
    "cuts", "tax", "borrowing_for_defence", "pools", "receipts", "other_spending", "interest",
    "conventional_rate", "psnb", "net_investment", "current_balance", "sfa", "debt",
)  # fmt: skip


def _batch(seed: int) -> Scenario:
    """uk_2030 with 50 draws of growth and long-rate shocks."""
    scn = load_file(SCENARIOS / "uk_2030.yaml")
    z = normals(seed, 0, 50, scn.n_years)
    return replace(
        scn, real_growth=scn.real_growth + 0.02 * z[0].T, long_rate=scn.long_rate + 0.01 * z[2].T
    )


def test_a_reused_workspace_gives_the_numbers_of_fresh_memory() -> None:
    """Running batch B in a workspace that just ran batch A gives B's plain-run numbers."""
    ws = Workspace()
    simulate(_batch(1), ws)  # leaves A's numbers in the workspace
    reused, fresh = simulate(_batch(2), ws), simulate(_batch(2))
    for name in SERIES:
        assert np.array_equal(getattr(reused, name), getattr(fresh, name)), name


def test_series_at_some_years_equal_those_years_of_the_full_series() -> None:
    """Paths.at(name, cols) is the full series' columns, for stored and derived series."""
    cols = np.array([0, 3, 7])
    for name in ("current_balance", "net_investment", "borrowing_for_defence", "debt"):
        partial = simulate(_batch(3)).at(name, cols)  # before the full series is computed
        assert np.array_equal(partial, getattr(simulate(_batch(3)), name)[:, cols]), name


def test_at_computes_only_the_years_asked() -> None:
    """Paths.at of a derived series leaves the full series uncomputed (a rule over a few
    years of many draws pays for those years only); a series without a partial form, or
    not yet computed, is read whole."""
    cols = np.array([1, 4])
    for name in ("current_balance", "net_investment", "borrowing_for_defence"):
        paths = simulate(_batch(4))
        part = paths.at(name, cols)
        assert part.shape == (50, 2), name
        assert name not in paths.__dict__, f"{name} was computed whole"
    for name in ("real_growth", "deflator", "defence_real", "sfa", "debt"):
        paths = simulate(_batch(4))
        assert np.array_equal(paths.at(name, cols), getattr(paths, name)[:, cols]), name


def test_the_paths_live_in_the_workspace() -> None:
    """With a workspace the returned series are its arrays: the next run in the same
    workspace overwrites them (so a chunk loop touches no new memory), and the numbers of
    each run are those of a run in fresh memory."""
    ws = Workspace()
    a = simulate(_batch(5), ws)
    a_gdp, a_pools = a.gdp.copy(), a.pools.copy()
    b = simulate(_batch(6), ws)
    for name in ("gdp", "defence", "extra", "interest", "psnb", "debt", "pools"):
        assert np.shares_memory(getattr(a, name), getattr(b, name)), name
    assert np.array_equal(a.gdp, b.gdp) and not np.array_equal(a_gdp, b.gdp)
    assert np.array_equal(a_pools, simulate(_batch(5)).pools)


def test_a_workspace_run_with_every_block_on_gives_the_numbers_of_fresh_memory() -> None:
    """As above, with the blocks uk_2030 leaves off: the risk premium on both rates, floating
    and index-linked debt, shares mode with a cap in % of GDP, and growth feedback. Each
    scratch array of the year must be its own: two of them sharing memory in the workspace
    would, for instance, add the short rate's premium to the long rate."""
    scn = load_file(
        ROOT / "tests" / "fixtures" / "small.yaml",
        [
            "interest.risk_premium={slope: 0.1, threshold: 50}",
            "interest.floating_share=20",
            "interest.index_linked_share=30",
            "funding.mode=shares",
            "funding.tax_freeze=false",
            "funding.sources=[{name: a, share: 40, cap_pct_gdp: 0.2},"
            " {name: b, kind: tax, share: 30}]",
            "economy.feedback={persistence: 0.5, defence_multiplier: 0.5, tax_multiplier: 0.3}",
        ],
    )

    def draws(seed: int) -> Scenario:
        z = normals(seed, 0, 20, scn.n_years)
        return replace(scn, real_growth=scn.real_growth + 0.01 * z[0].T)

    ws = Workspace()
    simulate(draws(7), ws)
    reused, fresh = simulate(draws(8), ws), simulate(draws(8))
    assert (fresh.pools[0] > 0).any() and (fresh.pools[1] > 0).any()
    for name in SERIES:
        assert np.array_equal(getattr(reused, name), getattr(fresh, name)), name
