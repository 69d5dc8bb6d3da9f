"""The histogram percentile estimator of Monte Carlo runs.

Each fanned series gets, per year (column), a histogram of fixed bin width centred on the
deterministic value of that year. Counts are integers, so histograms from any number of
threads or chunks add up exactly and the percentiles do not depend on how a run was cut.
A reported percentile is within one bin width of the sample percentile
(``numpy.percentile(..., method="inverted_cdf")``); a value beyond the grid is counted in
its end bin, and a percentile that falls there is reported as clipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from budgetsim.model.arrays import FloatArray, IntArray


@dataclass(frozen=True)
class Column:
    """A block of histogram columns: one series over some years (its columns), each with
    ``2 * half`` bins of ``width`` centred on the deterministic value.

    Attributes
    ----------
    name : str
        The series (``debt_pct_gdp``, or ``headroom:RULE`` for a rule's headroom).
    centre : ndarray, shape (cols,)
        The deterministic values, in the series' unit (% of GDP, or currency).
    width : float
        Bin width, same unit.
    half : int
        Bins either side of the centre.
    """

    name: str
    centre: FloatArray  # (cols,), the deterministic values
    width: float
    half: int

    @property
    def bins(self) -> int:
        """Bins per column."""
        return 2 * self.half


def count_into(
    hist: IntArray, col: Column, j: int, x: FloatArray, z: FloatArray, bins: IntArray
) -> None:
    """Add the values ``x`` (draws,) of column ``j`` to the histogram ``hist`` (flat);
    ``z`` and ``bins`` are work arrays of the same length as ``x``.

    Bin of a value: ``floor((x - centre) / width + 0.5)``, clipped to the grid. Only the
    range of bins this chunk reaches is counted and added, not the whole grid.

    Parameters
    ----------
    hist : ndarray of int64, shape (cols * bins,)
        The counts of every column of ``col``, column-major; added to in place.
    col : Column
        The block ``hist`` belongs to.
    j : int
        The column (year) the values belong to.
    x : ndarray, shape (draws,)
        The values, in the series' unit (% of GDP, or currency for headroom).
    z : ndarray, shape (draws,)
        Work array, overwritten.
    bins : ndarray of intp, shape (draws,)
        Work array, overwritten.
    """
    np.subtract(x, col.centre[j], out=z)
    z *= 1.0 / col.width
    z += 0.5  # bins are centred on the deterministic value
    np.floor(z, out=z)
    lo, hi = float(z.min()), float(z.max())
    if not (-col.half <= lo and hi <= col.half - 1):
        np.clip(z, -col.half, col.half - 1, out=z)
        lo, hi = max(lo, -col.half), min(hi, col.half - 1)
    np.subtract(z, lo, out=bins, casting="unsafe")  # whole numbers from 0 up, so exact
    counts = np.bincount(bins, minlength=int(hi - lo) + 1)
    first = j * col.bins + col.half + int(lo)
    hist[first : first + len(counts)] += counts


def percentiles(
    counts: IntArray, col: Column, pcts: tuple[float, ...], n: int
) -> tuple[FloatArray, bool]:
    """Percentiles ``pcts`` (0-100) of each column from its histogram ``counts`` (flat) of
    ``n`` values, shape (len(pcts), columns), interpolated within the bin; and whether any
    fell in an end bin (beyond the grid).

    Parameters
    ----------
    counts : ndarray of int64, shape (cols * bins,)
        The histogram of every column of ``col`` (:func:`count_into`).
    col : Column
        The block the counts belong to.
    pcts : tuple of float
        Percentiles, strictly between 0 and 100.
    n : int
        The number of values counted in each column (draws).

    Returns
    -------
    values : ndarray, shape (len(pcts), cols)
        The percentiles, in the series' unit; within one bin width of the sample's.
    clipped : bool
        Whether any percentile fell in an end bin (its value is then the grid's edge).
    """
    h = counts.reshape(len(col.centre), col.bins)
    cum = np.cumsum(h, axis=1)
    out = np.empty((len(pcts), len(col.centre)))
    clipped = False
    rows = np.arange(len(col.centre))
    for k, q in enumerate(pcts):
        r = q / 100.0 * n
        j = np.minimum((cum < r).sum(axis=1), col.bins - 1)
        before = np.where(j > 0, cum[rows, np.maximum(j - 1, 0)], 0)
        inside = h[rows, j]
        frac = np.clip((r - before) / np.maximum(inside, 1), 0.0, 1.0)
        out[k] = col.centre + (j - col.half - 0.5 + frac) * col.width
        clipped = clipped or bool(((j == 0) | (j == col.bins - 1)).any())
    return out, clipped
