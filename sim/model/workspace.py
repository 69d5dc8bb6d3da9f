"""Arrays kept between calls, so a loop over chunks reuses its memory.

A fresh large array is fresh pages from the operating system, and the first write to each
4 KiB page costs a page fault: for a chunk of a few thousand draws that cost more than the
arithmetic. A loop that runs the engine chunk after chunk (Monte Carlo) passes one
Workspace per thread; the engine and the shock code then take their arrays from it, so
after the first chunk no new memory is touched. Arrays from a workspace are overwritten by
the next call that uses the same workspace: read a chunk's results before the next chunk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from budgetsim.model.arrays import FloatArray, IntArray


class Workspace:
    """Named arrays, reused while the shape asked for stays the same."""

    def __init__(self) -> None:
        self._arrays: dict[str, np.ndarray[Any, Any]] = {}

    def empty(self, name: str, shape: tuple[int, ...]) -> FloatArray:
        """An uninitialised float64 array of ``shape``: the one kept under ``name`` if it fits."""
        a = self._arrays.get(name)
        if a is None or a.shape != shape or a.dtype != np.float64:
            a = self._arrays[name] = np.empty(shape, dtype=np.float64)
        return a

    def indices(self, name: str, shape: tuple[int, ...]) -> IntArray:
        """As :meth:`empty`, for an array of ``numpy.intp`` (indices)."""
        a = self._arrays.get(name)
        if a is None or a.shape != shape or a.dtype != np.intp:
            a = self._arrays[name] = np.empty(shape, dtype=np.intp)
        return a


def empty(ws: Workspace | None, name: str, shape: tuple[int, ...]) -> FloatArray:
    """``ws.empty(name, shape)``, or a new array when there is no workspace.

    Parameters
    ----------
    ws : Workspace or None
        The arrays to reuse; None allocates a fresh array.
    name : str
        The array's name in the workspace (one name per use, e.g. ``"engine.out0"``).
    shape : tuple of int
        The shape asked for.

    Returns
    -------
    ndarray of float64, shape ``shape``
        Uninitialised: the caller writes every element before reading it. With a workspace
        it is overwritten by the next call that asks for ``name``.
    """
    return np.empty(shape, dtype=np.float64) if ws is None else ws.empty(name, shape)
