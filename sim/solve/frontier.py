"""The feasibility frontier: for each target share and target year, does a path pass?

Every cell is the scenario with its defence path retargeted to reach the share in the year
(earlier milestones kept, later ones dropped) and held after. All cells run as one batch:
first with the scenario's own funding (is it feasible as written, and what does it cost?),
then through the minimum-cuts solver, whose engine runs also share one batch per iteration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from budgetsim.model.scenario import Scenario
from budgetsim.solve.checks import (
    check_names,
    check_share,
    check_year,
    checks,
    require_rules,
    require_share_basis,
    run_candidates,
    tightest,
)
from budgetsim.solve.mincost import least_amounts


@dataclass(frozen=True)
class Cell:
    """One target share reached in one target year.

    Attributes
    ----------
    target_pct_gdp : float
        The target share, % of GDP.
    year : int
        The target year.
    label : str
        The target year as tables show it.
    passes_as_written : bool
        Whether the path passes every rule with the scenario's own funding.
    feasible : bool
        Whether some cuts path within the caps passes every rule.
    rule : str or None
        The binding rule (feasible) or the first failing one (not).
    rule_year : int or None
        The year that rule is checked in.
    headroom : float or None
        That rule's headroom as written, currency.
    extra_cost : float
        Extra defence spending summed over the projection, currency.
    cuts_needed : float or None
        The least total cuts that pass, currency; None when infeasible.
    """

    target_pct_gdp: float
    year: int
    label: str
    passes_as_written: bool  # with the scenario's own funding
    feasible: bool  # some cuts path within the caps passes every rule
    rule: str | None  # the binding rule (feasible) or the first failing one (not)
    rule_year: int | None
    headroom: float | None  # of that rule, as written (currency)
    extra_cost: float  # cumulative extra defence spending over the projection (currency)
    cuts_needed: float | None  # least total cuts that pass (None when infeasible)


@dataclass(frozen=True)
class Frontier:
    """Every (target share, target year) cell of the grid.

    Attributes
    ----------
    title, unit : str
        The scenario's title and currency unit.
    targets : tuple of float
        Target shares, % of GDP.
    years : tuple of int
        Target years.
    labels : tuple of str
        The target years as tables show them.
    cells : tuple of Cell
        Target-major: all years of the first target, then the next.
    model_rows : int
        Rows of the engine's batch run to find them.
    """

    title: str
    unit: str
    targets: tuple[float, ...]
    years: tuple[int, ...]
    labels: tuple[str, ...]
    cells: tuple[Cell, ...]
    model_rows: int

    def cell(self, target: float, year: int) -> Cell:
        """The cell of one target share and year.

        Parameters
        ----------
        target : float, % of GDP
            One of :attr:`targets`.
        year : int
            One of :attr:`years`.

        Returns
        -------
        Cell

        Raises
        ------
        ValueError
            ``target`` or ``year`` is not on the grid.
        """
        return self.cells[self.targets.index(target) * len(self.years) + self.years.index(year)]

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON form (docs/output.md)."""
        return {"scenario": self.title, "unit": self.unit, "cells": [asdict(c) for c in self.cells]}


def frontier(scn: Scenario, targets: Sequence[float], years: Sequence[int]) -> Frontier:
    """Every (target share, target year) cell of the grid, run in batches.

    Parameters
    ----------
    scn : Scenario
        A scenario on the share basis, with at least one rule.
    targets : sequence of float, % of GDP
        Target shares.
    years : sequence of int
        Target years, each a projected year.

    Returns
    -------
    Frontier
        Cells target-major; cash in currency.

    Raises
    ------
    SolveError
        No rules, the cash basis, a target outside 0 to 100 % of GDP, or a year outside the
        projection.
    """
    require_rules(scn)
    require_share_basis(scn, "frontier")
    for t in targets:
        check_share(t, "target")
    for y in years:
        check_year(scn, y)
    cells = [(float(t), int(y)) for t in targets for y in years]
    shares = scn.target_paths([(y, t) for t, y in cells])
    batch = run_candidates(scn, shares)
    paths = batch.paths
    headroom, passed = checks(batch)
    rows = len(cells)
    has_cuts = any(p.kind == "cuts" for p in scn.pools)
    if has_cuts:
        plans, used = least_amounts(scn, shares, "cuts")
        rows += used
    names = check_names(scn)
    out = []
    for i, (t, y) in enumerate(cells):
        if has_cuts:
            feasible, k = plans[i].feasible, plans[i].check
            cuts: float | None = float(plans[i].amounts.sum()) if feasible else None
        else:
            feasible = bool(passed[i].all())
            k = (
                tightest(np.ones(len(names), bool), headroom[i])
                if feasible
                else int(np.argmax(~passed[i]))
            )
            cuts = 0.0 if feasible else None
        out.append(
            Cell(
                target_pct_gdp=t,
                year=y,
                label=scn.label(y),
                passes_as_written=bool(passed[i].all()),
                feasible=feasible,
                rule=names[k][0],
                rule_year=names[k][1],
                headroom=float(headroom[i, k]),
                extra_cost=float(paths.extra[i].sum()),
                cuts_needed=cuts,
            )
        )
    return Frontier(
        title=scn.title,
        unit=scn.currency,
        targets=tuple(float(t) for t in targets),
        years=tuple(int(y) for y in years),
        labels=tuple(scn.label(int(y)) for y in years),
        cells=tuple(out),
        model_rows=rows,
    )
