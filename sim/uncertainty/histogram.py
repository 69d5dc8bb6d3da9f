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
    ``2 * half`` bins of ``width`` centred on the deterministic value."""

    name: str
    centre: FloatArray  # (cols,), the deterministic values
    width: float
    half: int

    @property
    def bins(self) -> int:
        return 2 * self.half


def count_into(
    hist: IntArray, col: Column, j: int, x: FloatArray, z: FloatArray, bins: IntArray
) -> None:
    """Add the values ``x`` (draws,) of column ``j`` to the histogram ``hist`` (flat);
    ``z`` and ``bins`` are work arrays of the same length as ``x``.

    Bin of a value: ``floor((x - centre) / width + 0.5)``, clipped to the grid. Only the
    range of bins this chunk reaches is counted and added, not the whole grid.
    """
    np.subtract(x, col.centre[j], out=z)
    z *= 1.0 / col.width
    z += 0.5  # bins are centred on the deterministic value
    np.floor(z, out=z)
    lo, hi = float(z.min()), float(z.max())
    if not (-col.half <= lo and hi <= col.half - 1):
        np.clip(z, -col.half, col.half - 1, out=z)
        lo, hi = max(lo, -col.half), min(hi, col.half - 1)
    z -= lo
    np.copyto(bins, z, casting="unsafe")  # whole numbers from 0 up, so exact
    counts = np.bincount(bins, minlength=int(hi - lo) + 1)
    first = j * col.bins + col.half + int(lo)
    hist[first : first + len(counts)] += counts


def percentiles(
    counts: IntArray, col: Column, pcts: tuple[float, ...], n: int
) -> tuple[FloatArray, bool]:
    """Percentiles ``pcts`` (0-100) of each column from its histogram ``counts`` (flat) of
    ``n`` values, shape (len(pcts), columns), interpolated within the bin; and whether any
    fell in an end bin (beyond the grid)."""
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
