"""Time paths and the defence share path: how a scenario's values change over the years.

A *time path* (a scenario key such as ``economy.real_growth``) is one of

- a number: the same value every year;
- a list: one value a year from the first projection year (base year + 1) on;
- a ``{year: value}`` map: straight lines between the given years, the last value held after
  the last given year. The first given year must be no later than the first year the model
  needs, so nothing is silently extrapolated backwards.

The *defence share path* runs from the base share through milestones, with a shape between
them (:func:`share_path`); the loader and every solver build it with that one function, so a
solved target gives the same path as a file that writes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from budgetsim.model.arrays import ArrayLike, FloatArray, IntArray

PathValue = float | list[float] | dict[int, float]


class PathError(ValueError):
    """A path does not cover the years asked for; the message says why."""


def expand(path: PathValue, years: Sequence[int] | IntArray) -> FloatArray:
    """Values of ``path`` in each of ``years`` (consecutive, ascending), shape ``(len(years),)``.

    A list starts at ``years[0]``; a list longer than needed is cut (so a later horizon
    truncated equals an earlier one), a shorter one is an error.

    Parameters
    ----------
    path : float, list of float or dict of int to float
        A time path as a scenario file writes it, in the key's own unit (the caller scales
        the result).
    years : sequence of int or ndarray of int, shape (years,)
        The years to give values for, consecutive and ascending.

    Returns
    -------
    ndarray, shape (len(years),)
        The path's value in each year, same unit as ``path``.

    Raises
    ------
    PathError
        An empty map, a map starting after ``years[0]``, or a list shorter than ``years``.
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

    Parameters
    ----------
    base_year : int
        The year of ``base_share``; the path starts from it.
    base_share : float or array_like, shape (batch,)
        Defence in the base year, fraction of GDP.
    milestone_years : sequence of int
        The milestones' years, ascending, each after ``base_year``.
    milestone_shares : sequence of float or array_like, shape (batch,)
        The share reached in each milestone year, fraction of GDP.
    years : ndarray of int, shape (years,)
        The projection years to give the share in.
    shape : {"linear", "front", "back", "step"}
        How the share moves from one milestone to the next (:data:`SHAPES`).
    power : float
        Exponent of the front- and back-loaded shapes.

    Returns
    -------
    ndarray, shape (batch, len(years))
        Fraction of GDP; ``batch`` is 1 when every share is a scalar.

    Raises
    ------
    ValueError
        An unknown ``shape``.
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
