"""The defence share path: from the base share through milestones, with a shape between them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from budgetsim.model.arrays import ArrayLike, FloatArray, IntArray


SHAPES = ("linear", "front", "back", "step")


def _weight(x: FloatArray, shape: str, power: float) -> FloatArray:
    """Fraction of the way from one milestone to the next at position x in (0, 1]."""
    if shape == "linear":
        return x
    if shape == "back":
        return np.asarray(x**power, dtype=np.float64)
    if shape == "front":
        return np.asarray(1.0 - (1.0 - x) ** power, dtype=np.float64)
    if shape == "step":
        return np.where(x >= 1.0, 1.0, 0.0)
    raise ValueError(f"unknown shape {shape!r}; expected one of {', '.join(SHAPES)}")


def share_path(
    base_year: int,
    base_share: ArrayLike,
    milestone_years: Sequence[int],
    milestone_shares: Sequence[ArrayLike],
    years: IntArray,
    shape: str = "linear",
    power: float = 2.0,
) -> FloatArray:
    """Share of GDP in each of ``years``, shape ``(batch, len(years))``.

    ``base_share`` and each milestone share may be scalars or arrays of shape ``(batch,)``
    (a sweep over targets). Milestone years must be ascending and after ``base_year``; the
    share is held after the last one.
    """
    yrs = np.asarray(years, dtype=np.float64)
    prev_year = float(base_year)
    prev = np.atleast_1d(np.asarray(base_share, dtype=np.float64))[:, None]
    out = np.broadcast_to(prev, (prev.shape[0], len(yrs))).copy()
    for year, share in zip(milestone_years, milestone_shares, strict=True):
        target = np.atleast_1d(np.asarray(share, dtype=np.float64))[:, None]
        span = float(year) - prev_year
        x = np.clip((yrs - prev_year) / span, 0.0, 1.0)
        w = _weight(x, shape, power)
        seg = prev + (target - prev) * w
        after = yrs > prev_year
        out = np.where(after, seg, out)  # broadcasts a single row against a batch
        prev_year, prev = float(year), target
    return out
