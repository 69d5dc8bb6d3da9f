"""Time paths (sim/timepath.py) and the defence share path (sim/defence.py) called directly:
the defaults, the batch shapes and the errors a caller outside the loader can meet."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from budgetsim.model.paths import PathError, expand, share_path

YEARS = np.arange(2025, 2031)


def test_an_empty_map_is_refused() -> None:
    with pytest.raises(PathError, match=r"^a \{year: value\} map needs at least one year$"):
        expand({}, YEARS)


def test_share_path_is_linear_by_default() -> None:
    """From 2 % in the base year 2024 to 4 % in 2028 in equal steps, then held."""
    out = share_path(2024, 0.02, [2028], [0.04], YEARS)
    assert_allclose(out[0], [0.025, 0.03, 0.035, 0.04, 0.04, 0.04], rtol=1e-12)


def test_back_loaded_share_path_is_quadratic_by_default() -> None:
    """'back': the fraction of the way is x**power, power 2 unless given."""
    out = share_path(2024, 0.02, [2028], [0.04], YEARS, shape="back")
    x = np.array([0.25, 0.5, 0.75, 1, 1, 1])
    assert_allclose(out[0], 0.02 + 0.02 * x**2, rtol=1e-12)


def test_unknown_shape_is_refused_with_the_known_ones() -> None:
    with pytest.raises(
        ValueError, match=r"^unknown shape 'zigzag'; expected one of linear, front, back, step$"
    ):
        share_path(2024, 0.02, [2028], [0.04], YEARS, shape="zigzag")


def test_milestone_years_and_shares_must_pair_up() -> None:
    with pytest.raises(ValueError):
        share_path(2024, 0.02, [2027, 2028], [0.04], YEARS)


def test_a_batch_of_base_shares_without_milestones_is_held_row_by_row() -> None:
    out = share_path(2024, np.array([0.02, 0.03]), [], [], YEARS)
    assert_array_equal(out, [[0.02] * 6, [0.03] * 6])


def test_a_batch_of_base_shares_with_a_common_milestone() -> None:
    """Each row starts from its own base share and meets the common 4 % in 2028."""
    out = share_path(2024, np.array([0.02, 0.03]), [2028], [0.04], YEARS)
    assert_allclose(out[0], [0.025, 0.03, 0.035, 0.04, 0.04, 0.04], rtol=1e-12)
    assert_allclose(out[1], [0.0325, 0.035, 0.0375, 0.04, 0.04, 0.04], rtol=1e-12)


def test_a_batch_milestone_after_a_common_one() -> None:
    """A sweep over the last target only: every row shares the path up to the first
    milestone (2.5 % in 2026) and then heads for its own target in 2030."""
    out = share_path(2024, 0.02, [2026, 2030], [0.025, np.array([0.03, 0.045])], YEARS)
    assert out.shape == (2, 6)
    assert_allclose(out[:, :2], [[0.0225, 0.025], [0.0225, 0.025]], rtol=1e-12)
    assert_allclose(out[0, 2:], [0.02625, 0.0275, 0.02875, 0.03], rtol=1e-12)
    assert_allclose(out[1, 2:], [0.03, 0.035, 0.04, 0.045], rtol=1e-12)
