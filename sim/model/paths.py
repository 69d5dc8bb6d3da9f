"""Time paths: how a scenario writes a value that changes over the years.

A path is one of
- a number: the same value every year;
- a list: one value a year from the first projection year (base year + 1) on;
- a ``{year: value}`` map: straight lines between the given years, the last value held after
  the last given year. The first given year must be no later than the first year the model
  needs, so nothing is silently extrapolated backwards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from budgetsim.model.arrays import FloatArray, IntArray

PathValue = float | list[float] | dict[int, float]


class PathError(ValueError):
    """A path does not cover the years asked for; the message says why."""


def path_values(path: PathValue) -> list[float]:
    """Every number written in a path, for bounds checks."""
    if isinstance(path, Mapping):
        return [float(v) for v in path.values()]
    if isinstance(path, Sequence):
        return [float(v) for v in path]
    return [float(path)]


def expand(path: PathValue, years: Sequence[int] | IntArray) -> FloatArray:
    """Values of ``path`` in each of ``years`` (consecutive, ascending), shape ``(len(years),)``.

    A list starts at ``years[0]``; a list longer than needed is cut (so a later horizon
    truncated equals an earlier one), a shorter one is an error.
    """
    yrs = np.asarray(years, dtype=np.int64)
    n = len(yrs)
    if isinstance(path, Mapping):
        if not path:
            raise PathError("a {year: value} map needs at least one year")
        keys = np.array(sorted(int(k) for k in path), dtype=np.float64)
        vals = np.array([float(path[int(k)]) for k in keys], dtype=np.float64)
        if n and keys[0] > yrs[0]:
            raise PathError(
                f"the map starts in {int(keys[0])} but values are needed from {int(yrs[0])}"
            )
        # np.interp holds the end values outside the given years: after the last year
        # that is the documented "last value held"; before the first it cannot happen.
        return np.interp(yrs.astype(np.float64), keys, vals)
    if isinstance(path, Sequence):
        if len(path) < n:
            raise PathError(
                f"the list has {len(path)} values but {n} are needed "
                f"({int(yrs[0])} to {int(yrs[-1])}, one a year)"
            )
        return np.array([float(v) for v in path[:n]], dtype=np.float64)
    return np.full(n, float(path), dtype=np.float64)
