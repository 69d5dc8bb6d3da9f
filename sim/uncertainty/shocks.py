r"""Stochastic shocks to real growth, the GDP deflator and the market interest rate.

The shock vector :math:`u_t = (u^g_t, u^p_t, u^i_t)` follows a VAR(1) with diagonal
persistence, starting from zero before the first projected year:

.. math::

    u_t = A\,u_{t-1} + e_t, \qquad e_t \sim N(0, S), \qquad
    S = \operatorname{diag}(\sigma)\,R\,\operatorname{diag}(\sigma), \qquad u_0 = 0

with :math:`A = \operatorname{diag}(a)`. Growth and inflation shocks add to the scenario's
paths; the rate shock is a shock to the *change* in market yields, so the short and long
rates move by its running sum :math:`\sum_{s \le t} u^i_s` (docs/model.md, Uncertainty).

Random numbers are tied to fixed blocks of draws, never to workers or chunks: block ``k``
(draws ``k*BLOCK`` to ``(k+1)*BLOCK - 1``) always uses the stream
``SeedSequence(seed, spawn_key=(k,))``, the ``k``-th child of ``SeedSequence(seed).spawn``.
Any range of draws is therefore the same numbers however a run is cut into chunks and
however many threads run them, and the first N draws of a longer run are the N draws of
a shorter one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from budgetsim.model.scenario import ShockModel
from budgetsim.model.workspace import Workspace, empty

if TYPE_CHECKING:
    from budgetsim.model.arrays import FloatArray

#: Draws per random stream. Part of the definition of a seed's numbers: do not change.
BLOCK = 1024


def _block_normals(seed: int, block: int, out: FloatArray) -> FloatArray:
    """Fill ``out`` (3, n_years, BLOCK) with the standard normals of one block, from the
    block's own stream."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block,))))
    return rng.standard_normal(out=out)


def normals(
    seed: int, start: int, stop: int, n_years: int, ws: Workspace | None = None
) -> FloatArray:
    """Standard normals for draws ``start`` to ``stop - 1``, shape (3, n_years, stop - start).

    Built from the fixed blocks that cover the range, so the result does not depend on how
    a run is divided into ranges. With a workspace the result is its array (overwritten by
    the next call).

    Parameters
    ----------
    seed : int
        The run's seed.
    start, stop : int
        The draws wanted, ``start`` to ``stop - 1`` (``0 <= start <= stop``).
    n_years : int
        Projected years.
    ws : Workspace, optional
        Arrays to reuse.

    Returns
    -------
    ndarray, shape (3, n_years, stop - start)
        Standard normals for growth, the deflator and the rate change, year by year.

    Raises
    ------
    ValueError
        ``start`` is negative or after ``stop``.
    """
    if not 0 <= start <= stop:
        raise ValueError(f"bad draw range {start}..{stop}")
    z = empty(ws, "normals", (3, n_years, stop - start))
    block = empty(ws, "normals.block", (3, n_years, BLOCK))
    for k in range(start // BLOCK, (stop - 1) // BLOCK + 1 if stop > start else 0):
        lo, hi = max(start, k * BLOCK), min(stop, (k + 1) * BLOCK)
        _block_normals(seed, k, block)
        z[:, :, lo - start : hi - start] = block[:, :, lo - k * BLOCK : hi - k * BLOCK]
    return z


@dataclass(frozen=True)
class ShockPaths:
    """Deviations from the scenario's paths, each of shape (draws, years), in fractions.

    The arrays are column-major (years outermost in memory), which is how the engine reads
    them, one year at a time."""

    real_growth: FloatArray
    deflator: FloatArray
    rate: FloatArray  # level shift of market rates: the running sum of the change shocks


def var_step(
    f: FloatArray,
    a: FloatArray,
    z: FloatArray,
    u_prev: FloatArray | None,
    u: FloatArray,
    tmp: FloatArray,
) -> None:
    """One year of the VAR(1): ``u = F z + A u_prev`` (``u_prev`` None in the first year),
    each row summed in the same order, so every caller gets the same numbers.

    Parameters
    ----------
    f : ndarray, shape (3, 3)
        The factor of the covariance (:meth:`ShockModel.factor`).
    a : ndarray, shape (3,)
        Persistence.
    z : ndarray, shape (3, draws)
        This year's standard normals.
    u_prev : ndarray, shape (3, draws), or None
        Last year's deviations; None in the first year.
    u : ndarray, shape (3, draws)
        This year's deviations, written.
    tmp : ndarray, shape (draws,)
        Work array, overwritten.
    """
    for k in range(3):
        ek = u[k]
        np.multiply(z[0], f[k, 0], out=ek)
        ek += np.multiply(f[k, 1], z[1], out=tmp)
        ek += np.multiply(f[k, 2], z[2], out=tmp)  # row k of F z: e_t ~ N(0, S)
        if a[k] != 0.0 and u_prev is not None:
            ek += np.multiply(a[k], u_prev[k], out=tmp)


def shock_paths(model: ShockModel, z: FloatArray, ws: Workspace | None = None) -> ShockPaths:
    """Turn standard normals ``z`` (3, years, draws) into the VAR(1) deviations.

    Computed a year at a time (:func:`var_step`), so each step works on vectors of one
    year's draws.

    Parameters
    ----------
    model : ShockModel
        Standard deviations, correlations and persistence, fractions a year.
    z : ndarray, shape (3, years, draws)
        Standard normals (:func:`normals`).
    ws : Workspace, optional
        Arrays to reuse; the result's arrays are then its own.

    Returns
    -------
    ShockPaths
        Deviations of growth, the deflator and market rates, each (draws, years), in
        fractions a year.
    """
    _, years, n = z.shape
    f = model.factor()
    a = model.persistence
    u = empty(ws, "shocks.u", (3, years, n))
    rate = empty(ws, "shocks.rate", (years, n))
    tmp = empty(ws, "shocks.tmp", (n,))
    for t in range(years):
        var_step(f, a, z[:, t], u[:, t - 1] if t else None, u[:, t], tmp)
        if t == 0:
            np.copyto(rate[0], u[2, 0])
        else:  # the running sum of the rate shocks
            np.add(rate[t - 1], u[2, t], out=rate[t])
    return ShockPaths(real_growth=u[0].T, deflator=u[1].T, rate=rate.T)
