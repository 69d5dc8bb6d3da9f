"""The engine's batch axis: inputs of shape (years,), (1, years) or (batch, years) mix; a
batch row equals the deterministic run with that row's inputs; inconsistent batch sizes
and inputs of more than two dimensions are refused."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from budgetsim import Scenario, simulate
from budgetsim.cli.files import load_file
from budgetsim.engine import _batch_size
from tests.conftest import ROOT

SMALL = ROOT / "tests" / "fixtures" / "small.yaml"


def small() -> Scenario:
    return load_file(SMALL)


def test_batch_size_of_mixed_shapes() -> None:
    n = 6
    assert _batch_size([np.zeros(n)]) == 1
    assert _batch_size([np.zeros((1, n)), np.zeros(n)]) == 1
    assert _batch_size([np.zeros((3, n)), np.zeros(n), np.zeros((1, n))]) == 3
    assert _batch_size([np.zeros((1, n)), np.zeros((4, n))]) == 4
    assert _batch_size([np.zeros((4, n)), np.zeros((4, n)), np.zeros((1, n))]) == 4
    assert _batch_size([]) == 1


def test_inconsistent_batch_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match=r"^inconsistent batch sizes 3 and 2$"):
        _batch_size([np.zeros((3, 6)), np.zeros(6), np.zeros((2, 6))])


def test_three_dimensions_are_refused() -> None:
    with pytest.raises(ValueError, match=r"^an input has 3 dimensions; expected \(batch, years\)$"):
        _batch_size([np.zeros(6), np.zeros((2, 2, 6))])


def test_each_batch_row_is_its_own_run() -> None:
    scn = small()
    growth = np.stack([scn.real_growth, scn.real_growth + 0.01, scn.real_growth - 0.02])
    batch = simulate(replace(scn, real_growth=growth))
    assert batch.batch == 3
    assert batch.gdp.shape == (3, scn.n_years)
    for i in range(3):
        row = simulate(replace(scn, real_growth=growth[i]))
        assert row.batch == 1
        for name in ("gdp", "debt", "interest", "psnb", "defence"):
            assert_array_equal(getattr(batch, name)[i], getattr(row, name)[0], err_msg=name)
    assert_array_equal(batch.gdp0, np.full(3, scn.gdp0))
    assert_array_equal(batch.debt0, np.full(3, scn.debt0))
    # faster growth, more GDP
    assert (batch.gdp[1] > batch.gdp[0]).all()
    assert (batch.gdp[2] < batch.gdp[0]).all()


def test_a_batch_of_one_row_broadcasts_like_a_path() -> None:
    scn = small()
    a = simulate(scn)
    b = simulate(replace(scn, long_rate=scn.long_rate[None, :]))
    assert_allclose(a.debt, b.debt, rtol=0, atol=0)
