"""Solving for what is affordable: the highest share by a year, the earliest year for a share.

Both searches run many candidate paths at once along the engine's batch axis:

- max-share: the pass/fail frontier is monotone in the target share, so a grid of candidate
  shares over the whole range a milestone may take (0 to 100 % of GDP, from the parameter
  registry, so no new data can put the answer outside it) is run in one batch, the interval
  where "every rule passes" turns into "some rule fails" is kept, and the grid is laid again
  inside it until it is narrower than the tolerance (batched bisection);
- earliest-year: every candidate target year is run in one batch and the first that passes
  is the answer.

Minimum cuts and the least tax rise are in :mod:`budgetsim.solve.mincost`; the frontier over
targets and years in :mod:`budgetsim.solve.frontier`.
"""

from __future__ import annotations

import numpy as np

from budgetsim.model.result import run
from budgetsim.model.scenario import SHARE_RANGE_PCT, Scenario
from budgetsim.model.units import to_percent
from budgetsim.solve.checks import (
    Solution,
    SolveError,
    check_share,
    check_year,
    checks,
    default_year,
    make_check,
    require_rules,
    require_share_basis,
    result_check,
    run_candidates,
    tightest,
)

GRID = 65  # candidate shares per batched run
TOLERANCE_PCT = 1e-6  # width of the final interval, percentage points of GDP


def max_share(scn: Scenario, year: int | None = None, tol: float = TOLERANCE_PCT) -> Solution:
    """The highest share of GDP reached in ``year`` (default: the scenario's target year, or
    the last year a rule is checked) with every rule passing, other settings unchanged.

    Parameters
    ----------
    scn : Scenario
        A scenario on the share basis, with at least one rule.
    year : int, optional
        The target year, a projected year.
    tol : float, percentage points of GDP
        Width of the final interval of the batched bisection.

    Returns
    -------
    Solution
        ``answer`` in % of GDP, the highest candidate that passes (within ``tol``).

    Raises
    ------
    SolveError
        No rules, the cash basis, or a year outside the projection.
    DivergenceError
        The solved scenario diverges when run.
    """
    require_rules(scn)
    require_share_basis(scn, "max-share")
    target_year = check_year(scn, default_year(scn) if year is None else year)
    label = scn.label(target_year)
    lo, hi = SHARE_RANGE_PCT
    rows = 0
    fail_at: float | None = None
    first = True
    while hi - lo > tol:
        grid = np.linspace(lo, hi, GRID)
        batch = run_candidates(scn, scn.target_paths([(target_year, float(s)) for s in grid]))
        rows += GRID
        headroom, passed = checks(batch)
        ok = np.asarray(passed.all(axis=1))
        if first and not ok[0]:
            k = int(np.argmax(~passed[0]))
            check = make_check(scn, k, headroom[0, k])
            return Solution(
                kind="max-share",
                feasible=False,
                answer=None,
                unit="% of GDP",
                binding=check,
                message=(
                    f"no path passes: {check.rule} fails in {check.label} even with defence "
                    f"at {lo:g} % of GDP in {label}"
                ),
                method="batched bisection",
                model_rows=rows,
            )
        first = False
        if ok.all():  # the whole range passes
            lo = hi
            break
        j = int(np.argmin(ok))  # the first failing candidate
        lo, hi, fail_at = float(grid[j - 1]), float(grid[j]), float(grid[j])
    solved = scn.with_target(target_year, lo)
    result = run(solved)
    binding = None
    if fail_at is not None:
        both = run_candidates(scn, scn.target_paths([(target_year, lo), (target_year, fail_at)]))
        rows += 2
        headroom, passed = checks(both)
        k = tightest(~passed[1], headroom[0])
        binding = make_check(scn, k, headroom[0, k])
        binding = make_check(scn, k, result_check(result, binding.rule, binding.year))
        why = (
            f"; {binding.rule} binds in {binding.label} "
            f"(headroom {binding.headroom:+,.1f} {scn.currency})"
        )
    else:
        why = f"; every share up to the largest a milestone may take ({lo:g} %) passes"
    return Solution(
        kind="max-share",
        feasible=True,
        answer=lo,
        unit="% of GDP",
        binding=binding,
        message=f"highest share in {label}: {lo:.2f} % of GDP{why}",
        method=f"batched bisection: {GRID} candidate shares a run, to {tol:g} pp of GDP",
        scenario=solved,
        result=result,
        target=(target_year, lo),
        model_rows=rows,
    )


def earliest_year(scn: Scenario, share: float | None = None) -> Solution:
    """The first target year in which ``share`` % of GDP (default: the scenario's target)
    can be reached, and held after, with every rule passing.

    Parameters
    ----------
    scn : Scenario
        A scenario on the share basis, with at least one rule.
    share : float, % of GDP, optional
        The share to reach; default: the scenario's last milestone.

    Returns
    -------
    Solution
        ``answer`` is the year (as a float); every projected year is a candidate.

    Raises
    ------
    SolveError
        No rules, the cash basis, no share and no milestone, or a share outside 0 to 100 %
        of GDP.
    DivergenceError
        The solved scenario diverges when run.
    """
    require_rules(scn)
    require_share_basis(scn, "earliest-year")
    if share is None:
        if scn.target_share is None:
            raise SolveError("the scenario has no milestones; give the target share (--share)")
        share = to_percent(scn.target_share)
    check_share(share)
    years = [int(y) for y in scn.years]
    batch = run_candidates(scn, scn.target_paths([(y, share) for y in years]))
    headroom, passed = checks(batch)
    ok = passed.all(axis=1)
    rows = len(years)
    if not ok.any():
        k = int(np.argmax(~passed[-1]))
        check = make_check(scn, k, headroom[-1, k])
        last = scn.label(years[-1])
        return Solution(
            kind="earliest-year",
            feasible=False,
            answer=None,
            unit="year",
            binding=check,
            message=(
                f"no path passes: {check.rule} fails in {check.label} even with "
                f"{share:g} % of GDP first reached in {last}"
            ),
            method="every candidate year in one batched run",
            model_rows=rows,
        )
    i = int(np.argmax(ok))
    solved = scn.with_target(years[i], share)
    result = run(solved)
    # The binding check: the one that fails a year earlier (least headroom at the answer),
    # or, when the first projected year already passes, the tightest one.
    k = tightest(~passed[i - 1] if i > 0 else np.ones(passed.shape[1], bool), headroom[i])
    binding = make_check(scn, k, headroom[i, k])
    binding = make_check(scn, k, result_check(result, binding.rule, binding.year))
    label = scn.label(years[i])
    why = (
        f"a year earlier {binding.rule} fails in {binding.label}"
        if i > 0
        else f"it passes from the first projected year; tightest: {binding.rule} in {binding.label}"
    )
    return Solution(
        kind="earliest-year",
        feasible=True,
        answer=float(years[i]),
        unit="year",
        binding=binding,
        message=(
            f"earliest year for {share:g} % of GDP: {label}; {why} "
            f"(headroom at the answer {binding.headroom:+,.1f} {scn.currency})"
        ),
        method="every candidate year in one batched run",
        scenario=solved,
        result=result,
        target=(years[i], share),
        model_rows=rows,
    )
