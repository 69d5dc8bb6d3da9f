"""Exploring a scenario's assumptions: sweeps over grids of keys and global sensitivity
indices, every point a row of the engine's batch (:mod:`budgetsim.explore.batch`)."""

from __future__ import annotations

from budgetsim.explore.api import sensitivity, sweep

__all__ = ["sensitivity", "sweep"]
