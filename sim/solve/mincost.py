"""The least cuts (or the least tax rise) per year that keep every rule passing.

The decision is the amount each cuts pool (each tax source, for the tax rise) gives in each
year, between 0 and its cap, with all pools together giving no more than the extra spending
of that year; borrowing takes the rest. A defence component's own sources are solved for
wherever they sit, each funding group's sources giving no more than the extra spending that
group meets (the component's, or the rest's). Sources of the other kind keep what they give in
the scenario as run. The objective is the total, optionally discounted.

Each rule check's headroom is nearly affine in those amounts: it would be exactly affine but
for the share of conventional debt refinanced each year, which grows with last year's
borrowing (and, when switched on, the risk premium and the growth feedback). So the solver
runs successive linear programmes: one batched engine run gives the headroom at the current
amounts and at a unit step in every amount (the constraint matrix, by finite differences),
``scipy.optimize.linprog`` (HiGHS) solves the linear programme, and this repeats at the new
amounts until they move by less than a tolerance. The answer is then checked on the full
model. Several problems (the cells of a frontier) are solved side by side: their rows share
one engine run per iteration. Their linear programmes are still solved one by one (HiGHS,
about 2 ms each; 99 of them, 0.19 s, for the 4 x 9 UK frontier of docs/solving.md): each
cell stops iterating when its own amounts settle, which one block-diagonal programme would
not allow without solving settled cells again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from budgetsim.model.result import run
from budgetsim.model.scenario import Scenario
from budgetsim.model.units import from_percent
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

if TYPE_CHECKING:
    from budgetsim.model.arrays import FloatArray, IntArray

MAX_ITERATIONS = 12
STEP = 1e-4  # finite-difference step, as a fraction of base-year GDP
MARGIN = 1e-9  # headroom asked for beyond zero (a strict rule needs > 0), fraction of GDP
TOLERANCE = 1e-9  # amounts that move less than this (fraction of GDP) have converged


@dataclass(frozen=True)
class Plan:
    """The answer for one share path: amounts of the solved sources, shape (sources, years).

    Attributes
    ----------
    feasible : bool
        Whether some amounts within the caps pass every rule.
    amounts : ndarray, shape (sources, years)
        Each solved source's amount a year, currency, in the scenario's order of the sources
        of the kind solved for (at their caps when infeasible).
    check : int
        Column of the binding check (or, when infeasible, the first that fails at the caps)
        in :func:`~budgetsim.solve.checks.checks`.
    headroom : float
        That check's headroom at ``amounts``, currency.
    iterations : int
        Linear programmes solved.
    least : bool
        False when the programmes did not settle on amounts that pass: ``amounts`` are then
        the last ones seen to pass.
    """

    feasible: bool
    amounts: FloatArray
    check: int  # the binding check (or, when infeasible, the first that fails at the caps)
    headroom: float  # that check's headroom (currency) at ``amounts``
    iterations: int
    least: bool = True  # False: the programmes did not settle on amounts that pass, and
    # ``amounts`` are the last ones seen to pass (at worst every source at its cap)


def _amounts(scn: Scenario, amounts: FloatArray) -> dict[str, FloatArray]:
    """Every pool giving exactly ``amounts[k]`` (shape (pools, batch, years)), by name."""
    return {p.name: amounts[k] for k, p in enumerate(scn.pools)}


def least_amounts(
    scn: Scenario, shares: FloatArray | None, kind: str, discount: float = 0.0
) -> tuple[list[Plan], int]:
    """Least amounts from the sources of ``kind`` for each share path (row of ``shares``;
    None: the scenario's own defence path, one row).

    Returns one plan per row and the number of engine rows run.

    Parameters
    ----------
    scn : Scenario
        With at least one rule and one source of ``kind``.
    shares : ndarray, shape (batch, years), or None
        Defence share paths, fractions of GDP; None: the scenario's own path.
    kind : {"cuts", "tax"}
        The sources solved for; the others give what they give as run.
    discount : float
        Discount rate on later years in the total minimised, fraction a year.

    Returns
    -------
    plans : list of Plan
        One per row of ``shares`` (one when it is None), amounts in currency.
    rows : int
        Rows of the engine's batch axis run.
    """
    from scipy.optimize import linprog  # type: ignore[import-untyped]

    nrows, n = (1, scn.n_years) if shares is None else shares.shape

    def rows_of(idx: IntArray) -> FloatArray | None:
        return None if shares is None else shares[idx]

    var = [k for k, p in enumerate(scn.pools) if p.kind == kind]
    nv = len(var) * n
    base = run_candidates(scn, shares).paths
    used = nrows
    gdp, as_run = base.gdp, base.pools
    # Each funding group's sources meet only its own extra spending (the whole of it when
    # the scenario's funding is the only group): what is left to fund, per group.
    groups = scn.funding_groups
    group_of = {k: g for g, group in enumerate(groups) for k in group.pools}
    avail = np.empty((len(groups), nrows, n))
    for g, group in enumerate(groups):
        fixed = np.zeros((nrows, n))
        for k in group.pools:
            if scn.pools[k].kind != kind:
                fixed += as_run[k]
        avail[g] = np.maximum(np.maximum(base.funding_need[g], 0.0) - fixed, 0.0)
    caps = np.empty((len(var), nrows, n))
    for v, k in enumerate(var):
        p = scn.pools[k]
        caps[v] = (
            p.cap_cash
            if p.cap_cash is not None
            else (p.cap_gdp * gdp if p.cap_gdp is not None else np.inf)
        )

    def amounts_for(x: FloatArray, rows: IntArray) -> FloatArray:
        """Pool amounts (pools, len(rows), years) with the solved sources at ``x``."""
        out = as_run[:, rows].copy()
        out[var] = x
        return out

    # The most the sources can give: each in turn up to its cap. If that fails, nothing does.
    xmax = np.empty((len(var), nrows, n))
    left = avail.copy()
    for v, k in enumerate(var):
        g = group_of[k]
        xmax[v] = np.minimum(caps[v], left[g])
        left[g] = left[g] - xmax[v]
    all_rows = np.arange(nrows, dtype=np.int64)
    at_max = run_candidates(scn, shares, _amounts(scn, amounts_for(xmax, all_rows)))
    used += nrows
    headroom, passed = checks(at_max)
    plans: list[Plan | None] = [None] * nrows
    for r in range(nrows):
        if not passed[r].all():
            k = int(np.argmax(~passed[r]))
            plans[r] = Plan(False, xmax[:, r], k, float(headroom[r, k]), 0)

    scale = scn.gdp0
    step, margin, tol = STEP * scale, MARGIN * scale, TOLERANCE * scale
    years_from_base = np.arange(1, n + 1, dtype=np.float64)
    # Equal costs are broken in the sources' listed order (a waterfall's order) by a tiny
    # premium on later sources, so the answer does not depend on the solver's tie-breaking.
    order = 1.0 + 1e-9 * np.repeat(np.arange(len(var), dtype=np.float64), n)
    weights = np.tile((1.0 + discount) ** -years_from_base, len(var)) * order
    active = [r for r in range(nrows) if plans[r] is None]
    x = {r: xmax[:, r] for r in active}
    best = {r: xmax[:, r] for r in active}  # the last amounts seen to pass on the full model
    binding: dict[int, int | None] = dict.fromkeys(active)
    iterations = dict.fromkeys(active, 0)
    m = headroom.shape[1]
    # per funding group, the sum over its solved sources in each year <= what is left to fund
    members = [[v for v, k in enumerate(var) if group_of[k] == g] for g in range(len(groups))]
    bounded = [g for g in range(len(groups)) if members[g]]
    year_sum = np.zeros((len(bounded) * n, nv))
    for i, g in enumerate(bounded):
        for v in members[g]:
            year_sum[i * n : (i + 1) * n, v * n : (v + 1) * n] = np.eye(n)
    for _ in range(MAX_ITERATIONS):
        if not active:
            break
        # Rows: for each active problem its current amounts, then one step in each amount.
        bump = np.concatenate([np.zeros((1, nv)), np.eye(nv) * step])  # (1 + nv, nv)
        xs = np.stack([x[r].reshape(-1)[None, :] + bump for r in active])  # (a, 1+nv, nv)
        rows = np.repeat(np.array(active, dtype=np.int64), 1 + nv)
        xb = xs.reshape(-1, len(var), n).transpose(1, 0, 2)
        batch = run_candidates(scn, rows_of(rows), _amounts(scn, amounts_for(xb, rows)))
        used += len(rows)
        h, ok = checks(batch)
        h = h.reshape(len(active), 1 + nv, m)
        ok = ok.reshape(len(active), 1 + nv, m)
        still = []
        for i, r in enumerate(active):
            h0 = h[i, 0]
            if ok[i, 0].all() and (h0 >= margin).all():
                best[r] = x[r]
            sens = (h[i, 1:] - h0) / step  # (nv, checks): d headroom / d amount
            x0 = x[r].reshape(-1)
            a_ub = np.concatenate([-sens.T, year_sum])
            b_ub = np.concatenate([h0 - sens.T @ x0 - margin, *(avail[g, r] for g in bounded)])
            bounds = [(0.0, None if np.isinf(c) else float(c)) for c in caps[:, r].reshape(-1)]
            res = linprog(weights, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
            iterations[r] += 1
            if res.status != 0 or not np.isfinite(h0).all():
                continue  # keep the last amounts that passed
            duals = np.abs(res.ineqlin.marginals[:m])
            new = np.clip(res.x, 0.0, None).reshape(len(var), n)
            if duals.max() > 0.0:
                binding[r] = int(np.argmax(duals))
            moved = float(np.max(np.abs(new - x[r]))) if nv else 0.0
            x[r] = new
            if moved > tol:
                still.append(r)
        active = still

    # The answer is checked on the full model; one that fails (a linearisation the last
    # iteration could not correct) gives way to the last amounts that passed.
    solved = [r for r in range(nrows) if plans[r] is None]
    if solved:
        idx = np.array(solved, dtype=np.int64)
        final = np.stack([x[r] for r in solved], axis=1)
        h, ok = checks(run_candidates(scn, rows_of(idx), _amounts(scn, amounts_for(final, idx))))
        used += len(solved)
        for i, r in enumerate(solved):
            good = bool(ok[i].all()) and r not in active  # passes, and the amounts settled
            # No rule constraint priced in the last programme: nothing binds; name the
            # check closest to failing instead.
            b = binding[r]
            k = tightest(np.ones(h.shape[1], bool), h[i]) if b is None else b
            plans[r] = Plan(
                True, x[r] if good else best[r], k, float(h[i, k]), iterations[r], least=good
            )
    return [p for p in plans if p is not None], used


def min_sources(
    scn: Scenario,
    kind: str = "cuts",
    year: int | None = None,
    share: float | None = None,
    discount_pct: float = 0.0,
) -> Solution:
    """The least cuts (``kind="cuts"``) or tax rise (``kind="tax"``) that passes every rule.

    With ``share`` (% of GDP), the defence path is first retargeted to reach it in ``year``
    (default: the scenario's target year); otherwise the scenario's own path is kept.
    ``discount_pct`` (% a year) discounts later years in the total minimised.

    Parameters
    ----------
    scn : Scenario
        With at least one rule and one funding source of ``kind``.
    kind : {"cuts", "tax"}
        The sources solved for.
    year : int, optional
        The target year for ``share``; only with ``share``.
    share : float, % of GDP, optional
        The target share to reach in ``year`` first.
    discount_pct : float, % a year
        Discount rate on later years in the total minimised; above -100.

    Returns
    -------
    Solution
        ``answer`` is the total over the projection, currency; ``amounts`` each solved
        source's amount a year, currency.

    Raises
    ------
    SolveError
        A discount at or below -100 % (or not finite), no rules, a tax rise under the tax
        freeze, no source of ``kind``, ``year`` without ``share``, a share outside 0 to
        100 % of GDP or on the cash basis, a year outside the projection, or amounts that
        fail when the solved scenario is run.
    DivergenceError
        The scenario diverges when run.
    """
    discount = from_percent(discount_pct)
    if not math.isfinite(discount) or discount <= -1.0:
        # (1 + discount) ** -t is the weight of year t: at or below -100 % it is infinite or
        # changes sign, and the programme minimised would not be the total asked for.
        raise SolveError("discount must be a finite rate above -100 % a year")
    require_rules(scn)
    what = "min-cuts" if kind == "cuts" else "tax-rise"
    if kind == "tax" and scn.tax_freeze:
        raise SolveError(
            "tax-rise: the tax freeze is on (funding.tax_freeze: true), so no tax may rise; "
            "set funding.tax_freeze: false and list a source with kind: tax"
        )
    if not any(p.kind == kind for p in scn.pools):
        raise SolveError(
            f"{what}: the scenario lists no funding source with kind: {kind} "
            "(funding.sources) to solve for"
        )
    target: tuple[int, float] | None = None
    if share is not None:
        require_share_basis(scn, f"{what} --share")
        check_share(share)
        target = (check_year(scn, default_year(scn) if year is None else year), share)
        scn = scn.with_target(*target)
    elif year is not None:
        raise SolveError(f"{what}: --year goes with --share (the share to reach in that year)")
    (found,), rows = least_amounts(scn, None, kind, discount)
    names = [p.name for p in scn.pools if p.kind == kind]
    pools_word = "pool cut" if kind == "cuts" else "tax source raised"
    method = (
        "successive linear programmes (scipy.optimize.linprog, HiGHS) on a constraint matrix "
        f"from unit perturbations in one batched run; {found.iterations} iteration(s)"
    )
    if not found.feasible:
        check = make_check(scn, found.check, found.headroom)
        return Solution(
            kind=what,
            feasible=False,
            answer=None,
            unit=scn.currency,
            binding=check,
            message=(
                f"no path passes: {check.rule} fails in {check.label} even with every "
                f"{pools_word} to its cap (headroom {check.headroom:+,.1f} {scn.currency})"
            ),
            method=method,
            model_rows=rows,
        )
    base = run(scn)
    amounts = {  # the other kind's sources, as the scenario runs them (a value a year)
        name: tuple(max(0.0, float(v)) for v in vals)
        for name, vals in base.sources.items()
        if name not in names
    }
    amounts.update(
        {name: tuple(max(0.0, float(v)) for v in found.amounts[i]) for i, name in enumerate(names)}
    )
    solved = scn.with_amounts({name: np.array(v) for name, v in amounts.items()})
    result = run(solved)
    if not result.summary.rules_passed:  # the answer must hold on the full model as run
        first = next(r for r in result.rules if not r.holds)
        raise SolveError(
            f"{what}: the amounts found do not pass {first.name} when the solved scenario "
            "is run; please report this with the scenario"
        )
    binding = make_check(scn, found.check, 0.0)
    binding = make_check(scn, found.check, result_check(result, binding.rule, binding.year))
    if not found.least:
        method += (
            "; the programmes did not settle on amounts that pass, so these are the last "
            "amounts seen to pass and may be more than the least"
        )
    total = sum(sum(amounts[name]) for name in names)
    noun = "cuts" if kind == "cuts" else "tax rise"
    return Solution(
        kind=what,
        feasible=True,
        answer=total,
        unit=scn.currency,
        binding=binding,
        message=(
            f"least {noun}: {total:,.1f} {scn.currency} over the projection; {binding.rule} "
            f"binds in {binding.label} (headroom {binding.headroom:+,.1f} {scn.currency})"
        ),
        method=method,
        scenario=solved,
        result=result,
        target=target,
        amounts={name: amounts[name] for name in names},
        model_rows=rows,
    )
