"""Sweeps: a scenario run over a grid (or any set) of values of some of its keys, every
point a row of the engine's batch, in chunks, with the outcomes a researcher compares.

Points are cut into chunks of at most :data:`CHUNK_POINTS` points (fewer with draws:
:data:`CHUNK_ROWS` rows of points times draws); an executor maps :func:`run_chunk` over
them (threads on this machine by default; see :mod:`budgetsim.uncertainty.execute` for
others). The chunks, and the random numbers, do not depend on the executor or its
workers: with draws every point sees the same draws (common random numbers: draws 0 to
N-1 of the seed, the numbers ``budgetsim fan`` uses), so a point's chance of passing is
``fan``'s for that point, and differences between points are not sampling noise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from budgetsim.explore.batch import TARGET_SHARE, Build, Plan, apply, classify, plan
from budgetsim.explore.grid import TIED, Vary, check_keys
from budgetsim.model.guard import Batch, debt_exploded, gdp_collapsed, run_batch
from budgetsim.model.result import TARGET_SLACK_PP
from budgetsim.model.scenario import Scenario, ShockModel
from budgetsim.model.units import to_percent
from budgetsim.uncertainty.execute import Executor, local_executor
from budgetsim.uncertainty.montecarlo import NoUncertaintyError
from budgetsim.uncertainty.shocks import normals, shock_paths

#: Points per chunk without draws.
CHUNK_POINTS = 4096
#: Rows (points x draws) per chunk with draws.
CHUNK_ROWS = 16384


def local() -> Executor:
    """Threads over chunks on this machine, as ``fan`` runs its chunks
    (:func:`budgetsim.uncertainty.execute.local_executor`)."""
    return local_executor()


@dataclass(frozen=True)
class Outcomes:
    """What is measured at each point.

    Attributes
    ----------
    year : int
        The rules' year: debt, borrowing and each rule's headroom are read in it.
    rules : tuple of str
        The rules' names, in the scenario's order.
    draws : int
        Draws per point for the chances of passing (0: none).
    seed : int
    shocks : ShockModel or None
    """

    year: int
    rules: tuple[str, ...]
    draws: int = 0
    seed: int = 0
    shocks: ShockModel | None = None


@dataclass(frozen=True)
class ChunkItem:
    """One chunk of points: what :func:`run_chunk` needs, small and picklable.

    Attributes
    ----------
    plans : tuple of Plan
        The plans of the groups this chunk's points belong to.
    group : ndarray of int, shape (points,)
        Each point's position in ``plans``.
    values : ndarray, shape (points, keys)
        The points, file units.
    outcomes : Outcomes
    """

    plans: tuple[Plan, ...]
    group: np.ndarray
    values: np.ndarray
    outcomes: Outcomes


def _columns(rules: Sequence[str], draws: int) -> list[str]:
    cols = ["extra_today", "debt_pct_gdp", "psnb_pct_gdp"]
    for r in rules:
        cols += [f"headroom:{r}", f"pass:{r}"]
        if draws:
            cols.append(f"p_pass:{r}")
    return [*cols, "target_met", "diverged"]


def _shocked(scn: Scenario, rows: dict[str, np.ndarray], o: Outcomes, n: int) -> Scenario:
    """The points' rows repeated ``o.draws`` times, with the draws' shocks added to growth,
    the deflator and market rates as :func:`budgetsim.uncertainty.montecarlo.with_shocks`
    adds them."""
    # The group's own shocks: a varied ``uncertainty.*`` key groups the points.
    model = o.shocks if scn.uncertainty is None else scn.uncertainty.shocks
    assert model is not None
    u = shock_paths(model, normals(o.seed, 0, o.draws, scn.n_years))
    rep = {k: np.repeat(v, o.draws, axis=0) for k, v in rows.items()}
    shocks = {
        "real_growth": u.real_growth,
        "deflator": u.deflator,
        "short_rate": u.rate,
        "long_rate": u.rate,
    }
    for name, shock in shocks.items():
        base = rep[name] if name in rep else np.asarray(getattr(scn, name), dtype=np.float64)
        rep[name] = base + np.tile(shock, (n, 1))
    return apply(scn, rep)


def _in_year(scn: Scenario, year: int) -> Scenario:
    """The scenario with each rule checked in ``year`` only (the rules not checked then
    left out): the rules' other years are not computed."""
    rules = tuple(replace(r, years=(year,)) for r in scn.rules if year in r.years)
    return replace(scn, rules=rules)


def _group(p: Plan, values: np.ndarray, o: Outcomes) -> dict[str, np.ndarray]:
    scn = _in_year(p.scenario, o.year)
    n = len(values)
    rows = p.rows(values)
    batch = run_batch(apply(scn, rows))
    paths = batch.paths
    col = int(np.searchsorted(scn.years, o.year))
    cost_year = scn.horizon if scn.target_year is None else scn.target_year
    k = int(np.searchsorted(scn.years, cost_year))
    out: dict[str, np.ndarray] = {}
    with np.errstate(all="ignore"):
        out["extra_today"] = np.broadcast_to(paths.extra_today[:, k], (n,)).copy()
        gdp = paths.gdp[:, col]
        out["debt_pct_gdp"] = to_percent(paths.debt[:, col] / gdp)
        out["psnb_pct_gdp"] = to_percent(paths.psnb[:, col] / gdp)
        for rule in batch.rules:  # each in the rules' year only; the others stay NaN
            out[f"headroom:{rule.name}"] = rule.headroom[:, 0]
            out[f"pass:{rule.name}"] = rule.passed[:, 0] * 1.0
        met = np.full(n, np.nan)
        share = rows.get(TARGET_SHARE, scn.target_share)
        if scn.target_year is not None and share is not None:
            jt = int(np.searchsorted(scn.years, scn.target_year))
            reached = to_percent(paths.headline_share(np.array([jt]))[:, 0])
            met = (reached >= to_percent(np.asarray(share)) - TARGET_SLACK_PP) * 1.0
        out["target_met"] = met
    diverged = _diverged_rows(batch)
    if o.draws:
        shocked = run_batch(_shocked(scn, rows, o, n))
        # A point with a diverged draw is one `fan` refuses: its chance of passing would
        # count a draw whose numbers mean nothing, so it has none and the point diverges.
        bad = _diverged_rows(shocked).reshape(n, o.draws).any(axis=1)
        for rule in shocked.rules:
            p_pass = rule.passed[:, 0].reshape(n, o.draws).mean(axis=1)
            p_pass[bad] = np.nan
            out[f"p_pass:{rule.name}"] = p_pass
        diverged |= bad
    out["diverged"] = diverged * 1.0
    return out


def _diverged_rows(batch: Batch) -> np.ndarray:
    """The rows that diverged either way (GDP collapsing or debt exploding) in any year:
    ``batch.diverged`` names only the first way found."""
    if batch.diverged is None:
        return np.zeros(batch.paths.gdp.shape[0], dtype=bool)
    with np.errstate(all="ignore"):
        bad = gdp_collapsed(batch.paths) | debt_exploded(batch.paths)
    return np.asarray(bad.any(axis=1))


def run_chunk(item: ChunkItem) -> dict[str, np.ndarray]:
    """Every outcome of one chunk's points (a module-level function, so an executor in
    another process can run it).

    Parameters
    ----------
    item : ChunkItem

    Returns
    -------
    dict of str to ndarray, shape (points,)
        ``extra_today`` (currency), ``debt_pct_gdp`` and ``psnb_pct_gdp`` (% of GDP) in
        the rules' year, ``headroom:RULE`` (currency), ``pass:RULE`` (1 or 0),
        ``p_pass:RULE`` (with draws, 0 to 1), ``target_met`` (1, 0, NaN without a target)
        and ``diverged`` (1 where the point's run diverged: its outcomes mean nothing).
    """
    o = item.outcomes
    n = len(item.values)
    out = {c: np.full(n, np.nan) for c in _columns(o.rules, o.draws)}
    for g, p in enumerate(item.plans):
        where = np.flatnonzero(item.group == g)
        if len(where):
            for name, values in _group(p, item.values[where], o).items():
                out[name][where] = values
    return out


@dataclass(frozen=True)
class Layout:
    """How a study's keys run: the batch keys, the grouped keys and each group's plan.

    Attributes
    ----------
    varies : tuple of Vary
    batch, grouped : tuple of int
        Positions of the batch and grouped keys.
    plans : dict of tuple of float to Plan
        Each group's plan, by the grouped keys' values.
    """

    varies: tuple[Vary, ...]
    batch: tuple[int, ...]
    grouped: tuple[int, ...]
    plans: dict[tuple[float, ...], Plan] = field(repr=False)


#: ``notify(grouped_keys, builds)``: told once, before most of the builds, when some keys
#: group the points (the scenario is built once per group).
Notify = Callable[[tuple[str, ...], int], None]


def layout(
    build: Build, varies: Sequence[Vary], values: np.ndarray, notify: Notify | None = None
) -> Layout:
    """Classify the keys and plan every group the points need.

    Parameters
    ----------
    build : callable
        ``build(assignments) -> Scenario``.
    varies : sequence of Vary
    values : ndarray, shape (points, keys)
    notify : callable, optional
        ``notify(grouped_keys, builds)``, called once when some keys are grouped, after
        the first group's build and before the others'.

    Returns
    -------
    Layout

    Raises
    ------
    ScenarioError
        A key the file refuses (source ``--vary``).
    """
    check_keys(list(varies))
    base = build([])
    varies = tuple(_tied(v, base) for v in varies)
    batch, grouped = classify(build, varies)
    groups = _groups(values[:, grouped]) if grouped else [()]
    plans: dict[tuple[float, ...], Plan] = {}
    for i, g in enumerate(groups):
        fixed = dict(zip(grouped, g, strict=True))
        p = plan(build, varies, batch, fixed)
        if p is None:  # not affine, or the keys' changes do not add up: group them all
            return _all_grouped(build, varies, values, notify)
        if i == 0 and grouped and notify is not None:
            notify(tuple(varies[k].label for k in grouped), len(groups))
        plans[g] = p
    return Layout(varies, tuple(batch), tuple(grouped), plans)


def _all_grouped(
    build: Build, varies: tuple[Vary, ...], values: np.ndarray, notify: Notify | None
) -> Layout:
    keys = list(range(len(varies)))
    plans = {}
    groups = _groups(values)
    if notify is not None:
        notify(tuple(v.label for v in varies), len(groups))
    for g in groups:
        p = plan(build, varies, [], dict(zip(keys, g, strict=True)))
        assert p is not None  # without batch keys there is nothing to add up
        plans[g] = p
    return Layout(varies, (), tuple(keys), plans)


def _groups(values: np.ndarray) -> list[tuple[float, ...]]:
    """The distinct rows of ``values`` (points, grouped keys), in order: one build each."""
    return [tuple(row) for row in np.unique(values, axis=0)]


def _group_ids(lay: Layout, values: np.ndarray) -> np.ndarray:
    """Each point's position in ``lay.plans``, without a Python loop over points."""
    if not lay.grouped:
        return np.zeros(len(values), dtype=np.int64)
    rows, inverse = np.unique(values[:, list(lay.grouped)], axis=0, return_inverse=True)
    index = {g: i for i, g in enumerate(lay.plans)}
    ids = np.array([index[tuple(row)] for row in rows], dtype=np.int64)  # one per group
    return ids[inverse.reshape(-1)]


def _tied(v: Vary, base: Scenario) -> Vary:
    if not TIED.match(v.key) or v.shift:
        return v
    k = int(v.key.split(".")[2])
    if k >= len(base.components):
        return v  # the build names the missing component
    return replace(v, tie_base=float(to_percent(base.components[k].base_share)))


def chunks(lay: Layout, values: np.ndarray, outcomes: Outcomes) -> list[ChunkItem]:
    """The points cut into chunks (:data:`CHUNK_POINTS`, or :data:`CHUNK_ROWS` rows with
    draws), each with the plans of its groups.

    Parameters
    ----------
    lay : Layout
    values : ndarray, shape (points, keys)
    outcomes : Outcomes

    Returns
    -------
    list of ChunkItem
    """
    size = CHUNK_POINTS if not outcomes.draws else max(1, CHUNK_ROWS // outcomes.draws)
    size = min(size, CHUNK_POINTS)
    plans = list(lay.plans.values())
    gids = _group_ids(lay, values)
    items = []
    for a in range(0, len(values), size):
        gid = gids[a : a + size]
        used = np.unique(gid)  # the chunk's groups, in the layout's order
        items.append(
            ChunkItem(
                plans=tuple(plans[g] for g in used.tolist()),
                group=np.searchsorted(used, gid).astype(np.int64),
                values=values[a : a + size],
                outcomes=outcomes,
            )
        )
    return items


def evaluate(
    build: Build,
    varies: Sequence[Vary],
    values: np.ndarray,
    *,
    year: int | None = None,
    draws: int = 0,
    seed: int = 0,
    executor: Executor | None = None,
    notify: Notify | None = None,
) -> tuple[Layout, Outcomes, dict[str, np.ndarray]]:
    """Every outcome at every point.

    Parameters
    ----------
    build : callable
        ``build(assignments) -> Scenario``.
    varies : sequence of Vary
    values : ndarray, shape (points, keys)
        File units.
    year : int, optional
        The rules' year (default: the first year any rule is checked in; the horizon
        without rules).
    draws : int
        Draws per point for the chances of passing (0: none).
    seed : int
    executor : Executor, optional
        Default: :func:`local`.
    notify : callable, optional
        As :func:`layout`'s.

    Returns
    -------
    layout : Layout
    outcomes : Outcomes
    columns : dict of str to ndarray, shape (points,)
        As :func:`run_chunk`.

    Raises
    ------
    ScenarioError
        A key the file refuses (source ``--vary``), or a year that is not projected.
    NoUncertaintyError
        Draws asked for and the scenario sets no shocks.
    """
    lay = layout(build, varies, values, notify)
    scn = next(iter(lay.plans.values())).scenario
    rules = tuple(r.name for r in scn.rules)
    if year is None:
        year = min((r.years[0] for r in scn.rules), default=scn.horizon)
    if year not in scn.years:
        from budgetsim.errors import ScenarioError

        raise ScenarioError.single("--year", f"{year} is not a projected year ({scn.span()})")
    shocks = None
    if draws:
        if scn.uncertainty is None:
            raise NoUncertaintyError(
                f"{scn.source}: uncertainty: the scenario sets no shocks; add an "
                "'uncertainty:' section (docs/uncertainty.md)"
            )
        shocks = scn.uncertainty.shocks
    outcomes = Outcomes(year, rules, draws, seed, shocks)
    items = chunks(lay, values, outcomes)
    parts = (executor or local()).map(run_chunk, items)
    columns = {
        c: np.concatenate([p[c] for p in parts]) if parts else np.empty(0)
        for c in _columns(rules, draws)
    }
    return lay, outcomes, columns


@dataclass(frozen=True)
class Sweep:
    """A sweep's points and outcomes (:func:`sweep`).

    Attributes
    ----------
    title, source, unit : str
        The scenario's title, file and currency unit.
    keys : tuple of str
        The varied keys as columns name them (``KEY``, or ``KEY+=`` for a shift).
    key_units : tuple of str
        Each key's unit in the file (``% a year``, ...).
    values : ndarray, shape (points, keys)
        The points, file units, the last key varying fastest.
    year : int
        The rules' year.
    year_label : str
    cost_year_label : str
        The year of the extra cost (the target year; the horizon without one).
    rules : tuple of str
    draws, seed : int
    columns : dict of str to ndarray, shape (points,)
        As :func:`budgetsim.explore.chunks.run_chunk`: ``extra_today`` (currency, today's
        terms), ``debt_pct_gdp``, ``psnb_pct_gdp`` (% of GDP), ``headroom:RULE``
        (currency), ``pass:RULE``, ``p_pass:RULE``, ``target_met``, ``diverged``.
    grouped : tuple of str
        Keys run one group of points at a time (not as batch rows).
    """

    title: str
    source: str
    unit: str
    keys: tuple[str, ...]
    key_units: tuple[str, ...]
    values: np.ndarray
    year: int
    year_label: str
    cost_year_label: str
    rules: tuple[str, ...]
    draws: int
    seed: int
    columns: dict[str, np.ndarray]
    grouped: tuple[str, ...] = ()

    @property
    def points(self) -> int:
        """Number of points."""
        return len(self.values)
