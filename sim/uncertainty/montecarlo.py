"""Monte Carlo: the scenario's engine run over draws of the shocks, in chunks, on all cores.

Draws are rows of the engine's batch axis (``budgetsim.model.engine.simulate``), so a draw is
computed by exactly the code of a deterministic run. A run is cut into chunks of draws;
threads take chunks in turn (numpy releases the GIL in its array loops) and each thread
adds its chunks into its own histograms and counters. Counts are integers, so merging the
threads' totals is exact and the result does not depend on the number of threads or the
chunk size; the random numbers belong to fixed blocks of draws
(:mod:`budgetsim.uncertainty.shocks`).

Memory is bounded by the chunk size and the histograms, never by the number of draws.

Percentiles come from per-year histograms with a fixed bin width, centred on the
deterministic value of that year: a reported percentile is within one bin width
(:data:`GRIDS`; 0.01 percentage points for debt and borrowing) of the sample percentile
(``numpy.percentile(..., method="inverted_cdf")``). A value beyond the grid's range is
counted in its end bin; a percentile that falls there is listed in ``Fan.clipped``.
Probabilities are exact counts.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from budgetsim.model.engine import Paths
from budgetsim.model.guard import Batch, DivergenceError, quietly, run_batch
from budgetsim.model.result import TARGET_SLACK_PP
from budgetsim.model.scenario import Scenario, ShockModel
from budgetsim.model.units import PERCENT, to_percent
from budgetsim.model.workspace import Workspace, empty
from budgetsim.uncertainty import histogram
from budgetsim.uncertainty.execute import Executor, completed, local_executor
from budgetsim.uncertainty.histogram import Column, count_into
from budgetsim.uncertainty.shocks import normals, var_step

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from budgetsim.model.arrays import BoolArray, FloatArray, IntArray

PERCENTILES: tuple[float, ...] = (5, 10, 25, 50, 75, 90, 95)

#: Each fanned series and the path it is read from, as a share of GDP in percent.
FANNED: tuple[tuple[str, str], ...] = (
    ("debt_pct_gdp", "debt"),
    ("psnb_pct_gdp", "psnb"),
    ("defence_pct_gdp", "defence"),
)
#: Histogram grid of each fanned series: (bin width, bins either side of the centre), in
#: the series' unit (percentage points). Rule headroom uses HEADROOM_GRID in units of the
#: base-year GDP (1e-5 of it is GBP 0.03bn for the UK).
GRIDS: dict[str, tuple[float, int]] = {
    "debt_pct_gdp": (0.01, 25_000),
    "psnb_pct_gdp": (0.01, 5_000),
    "defence_pct_gdp": (0.001, 5_000),
}
HEADROOM_GRID = (1e-5, 50_000)

DEFAULT_CHUNK = 16384
CPUS = os.cpu_count() or 1

Progress = Callable[[int], None]


class NoUncertaintyError(ValueError):
    """The scenario has no ``uncertainty:`` section and none was given."""


def with_shocks(
    scn: Scenario, model: ShockModel, z: FloatArray, ws: Workspace | None = None
) -> Scenario:
    """The scenario with its growth, deflator and market-rate paths shocked, one row a draw.

    ``z`` are standard normals (3, years, draws) from :func:`budgetsim.uncertainty.shocks.normals`.
    The shocked paths are (draws, years) views of year-major arrays (the workspace's, if
    one is given), as the engine reads them a year at a time.

    Parameters
    ----------
    scn : Scenario
        A single run (paths of shape (years,)).
    model : ShockModel
        The shocks, fractions a year.
    z : ndarray, shape (3, years, draws)
        Standard normals.
    ws : Workspace, optional
        Arrays to reuse.

    Returns
    -------
    Scenario
        A batch of ``draws`` rows: real growth, the deflator and the short and long rates
        of shape (draws, years), fractions a year.
    """
    years, n = scn.n_years, z.shape[2]
    f, a = model.factor(), model.persistence
    out = {
        name: empty(ws, f"shocked.{name}", (years, n))
        for name in ("growth", "deflator", "short", "long")
    }
    # The VAR a year at a time into two alternating (3, draws) buffers and the rate's
    # running sum, each year's deviations added to the paths while they are in cache: the
    # numbers of shock_paths (the same var_step, the same additions), without its
    # (3, years, draws) arrays.
    u2 = empty(ws, "shocked.u", (2, 3, n))
    rate, tmp = empty(ws, "shocked.rate", (n,)), empty(ws, "shocked.tmp", (n,))
    for t in range(years):
        u = u2[t % 2]
        var_step(f, a, z[:, t], u2[(t - 1) % 2] if t else None, u, tmp)
        if t == 0:
            np.copyto(rate, u[2])
        else:  # the running sum of the rate shocks
            rate += u[2]
        np.add(scn.real_growth[t], u[0], out=out["growth"][t])
        np.add(scn.deflator[t], u[1], out=out["deflator"][t])
        np.add(scn.short_rate[t], rate, out=out["short"][t])
        np.add(scn.long_rate[t], rate, out=out["long"][t])
    return replace(
        scn,
        real_growth=out["growth"].T,
        deflator=out["deflator"].T,
        short_rate=out["short"].T,
        long_rate=out["long"].T,
    )


def _model(scn: Scenario, model: ShockModel | None) -> ShockModel:
    if model is not None:
        return model
    if scn.uncertainty is None:
        raise NoUncertaintyError(
            f"{scn.source}: uncertainty: the scenario sets no shocks; add an 'uncertainty:' "
            "section (docs/uncertainty.md)"
        )
    return scn.uncertainty.shocks


def simulate_draws(
    scn: Scenario, start: int, stop: int, *, seed: int = 0, model: ShockModel | None = None
) -> Paths:
    """The engine's paths for draws ``start`` to ``stop - 1`` of the run seeded ``seed``.

    Parameters
    ----------
    scn : Scenario
        A single run.
    start, stop : int
        The draws, ``start`` to ``stop - 1``; the same draws as in :func:`fan` with ``seed``.
    seed : int
        The run's seed.
    model : ShockModel, optional
        The shocks, fractions a year (default: the scenario's ``uncertainty:`` section).

    Returns
    -------
    Paths
        Shape (stop - start, years), in currency and fractions; not checked for divergence.

    Raises
    ------
    NoUncertaintyError
        No ``model`` and no ``uncertainty:`` section.
    """
    m = _model(scn, model)
    shocked = with_shocks(scn, m, normals(seed, start, stop, scn.n_years))
    return run_batch(shocked, rules=False).paths


@dataclass
class _Counts:
    """One thread's histograms and counters (integers, so merging is exact)."""

    hist: dict[str, IntArray]
    rule_pass: dict[str, IntArray]
    all_pass: int
    target_met: int
    debt_above: IntArray
    draws: int

    def add(self, other: _Counts | _Part) -> None:
        for k, v in other.hist.items():
            if isinstance(v, tuple):  # a _Part's occupied bins and their counts
                self.hist[k][v[0]] += v[1]
            else:
                self.hist[k] += v
        for k, v in other.rule_pass.items():
            self.rule_pass[k] += v
        self.all_pass += other.all_pass
        self.target_met += other.target_met
        self.debt_above += other.debt_above
        self.draws += other.draws


@dataclass
class _Part:
    """One chunk's counts as they travel back from a worker: each histogram as its occupied
    bins and their counts (a chunk fills a few thousand of a histogram's 10^5-10^6 bins)."""

    hist: dict[str, tuple[NDArray[np.int32], NDArray[np.int32]]]
    rule_pass: dict[str, IntArray]
    all_pass: int
    target_met: int
    debt_above: IntArray
    draws: int

    @classmethod
    def take(cls, acc: _Counts) -> _Part:
        """The counts of ``acc``, which is left empty for the next chunk."""
        hist = {}
        for k, v in acc.hist.items():
            bins = np.flatnonzero(v)
            hist[k] = (bins.astype(np.int32), v[bins].astype(np.int32))
            v[bins] = 0
        part = cls(
            hist,
            {k: v.copy() for k, v in acc.rule_pass.items()},
            acc.all_pass,
            acc.target_met,
            acc.debt_above.copy(),
            acc.draws,
        )
        for v in acc.rule_pass.values():
            v[:] = 0
        acc.debt_above[:] = 0
        acc.all_pass = acc.target_met = acc.draws = 0
        return part


def _measures(batch: Batch) -> tuple[dict[str, FloatArray], dict[str, BoolArray]]:
    """The fanned series (draws, cols) and each rule's pass/fail (draws, rule years)."""
    paths = batch.paths
    y = paths.gdp
    with quietly():
        values = {name: to_percent(getattr(paths, path) / y) for name, path in FANNED}
    passed = {}
    for rule in batch.rules:
        values[f"headroom:{rule.name}"] = rule.headroom
        passed[rule.name] = rule.passed
    return values, passed


class _Layout:
    """Where each series' histogram lives, from the deterministic run."""

    def __init__(self, scn: Scenario) -> None:
        central, _ = _measures(run_batch(scn))
        self.central = {k: v[0] for k, v in central.items()}
        self.columns: list[Column] = []
        for name, values in self.central.items():
            if name.startswith("headroom:"):
                width, half = HEADROOM_GRID[0] * scn.gdp0, HEADROOM_GRID[1]
            else:
                width, half = GRIDS[name]
            self.columns.append(Column(name, values, width, half))
        self.rule_years = {r.name: r.years for r in scn.rules}
        self.target = None
        if scn.target_year is not None and scn.target_share is not None:
            j = int(np.searchsorted(scn.years, scn.target_year))
            self.target = (j, to_percent(scn.target_share))

    def empty(self, n_years: int) -> _Counts:
        return _Counts(
            hist={c.name: np.zeros(len(c.centre) * c.bins, dtype=np.int64) for c in self.columns},
            rule_pass={k: np.zeros(len(v), dtype=np.int64) for k, v in self.rule_years.items()},
            all_pass=0,
            target_met=0,
            debt_above=np.zeros(n_years, dtype=np.int64),
            draws=0,
        )


def _chunk(
    scn: Scenario,
    model: ShockModel,
    seed: int,
    start: int,
    stop: int,
    layout: _Layout,
    threshold: float,
    acc: _Counts,
    ws: Workspace,
) -> None:
    nd = stop - start
    z = normals(seed, start, stop, scn.n_years, ws)
    batch = run_batch(with_shocks(scn, model, z, ws), ws)
    if batch.diverged is not None:
        # Its percentiles would mix in numbers that mean nothing: stop on the first chunk
        # with a draw the deterministic run would refuse (the same tests as `budgetsim run`).
        raise DivergenceError(
            f"{batch.diverged.what} in {int(batch.diverged.rows.sum())} of draws "
            f"{start}-{stop - 1}: the scenario diverges under these shocks (check rates, "
            "growth, the horizon and the shock sizes)"
        )
    paths, rules = batch.paths, batch.rules
    with quietly():
        # The fanned series, a year at a time: each year's values are contiguous.
        x, work = empty(ws, "fan.x", (nd,)), empty(ws, "fan.work", (nd,))
        bins = ws.indices("fan.bins", (nd,))
        cols = {c.name: c for c in layout.columns}
        for t in range(scn.n_years):
            y = paths.gdp[:, t]
            for name, path in FANNED:
                np.divide(getattr(paths, path)[:, t], y, out=x)
                x *= PERCENT
                if name == "debt_pct_gdp":
                    acc.debt_above[t] += np.count_nonzero(x > to_percent(threshold))
                count_into(acc.hist[name], cols[name], t, x, work, bins)
        if layout.target is not None:  # the headline target's counted share, in its year
            j, share = layout.target
            reached = to_percent(paths.headline_share(np.array([j]))[:, 0])
            acc.target_met += int(np.count_nonzero(reached >= share - TARGET_SLACK_PP))
    every = np.ones(nd, dtype=bool)
    for rule in rules:
        name = f"headroom:{rule.name}"
        for j in range(len(rule.years)):
            np.copyto(x, rule.headroom[:, j])
            count_into(acc.hist[name], cols[name], j, x, work, bins)
        acc.rule_pass[rule.name] += rule.passed.sum(axis=0)
        every &= rule.passed.all(axis=1)
    acc.all_pass += int(every.sum())
    acc.draws += nd


@dataclass(frozen=True)
class _Task:
    """One chunk of a fan: everything a worker needs to compute it (picklable, small)."""

    scn: Scenario
    model: ShockModel
    seed: int
    start: int
    stop: int
    layout: _Layout
    threshold: float


_THREAD = threading.local()


def _run_task(task: _Task) -> _Part:
    """Compute one chunk, with this thread's workspace and empty counts, both kept from
    chunk to chunk (a worker thread reuses its memory)."""
    if not hasattr(_THREAD, "ws"):
        _THREAD.ws, _THREAD.counts = Workspace(), {}
    shape = (task.scn.n_years, *((c.name, len(c.centre) * c.bins) for c in task.layout.columns))
    acc = _THREAD.counts.get(shape)
    if acc is None:
        _THREAD.counts.clear()
        acc = _THREAD.counts[shape] = task.layout.empty(task.scn.n_years)
    try:
        _chunk(
            task.scn,
            task.model,
            task.seed,
            task.start,
            task.stop,
            task.layout,
            task.threshold,
            acc,
            _THREAD.ws,
        )
    except BaseException:
        _THREAD.counts.clear()  # half-counted: never reused
        raise
    return _Part.take(acc)


@dataclass(frozen=True)
class Fan:
    """Percentiles and probabilities of a Monte Carlo run, labelled by year and percentile.

    ``series[name]`` has shape (len(percentiles), len(years)); ``headroom[rule]`` has shape
    (len(percentiles), len(rule_years[rule])), in currency; ``central`` and
    ``headroom_central`` are the deterministic run's values. ``resolution`` is each series'
    histogram bin width in its own unit: percentiles are within it of the sample's.

    Attributes
    ----------
    title, source, unit : str
        The scenario's title, file and currency unit.
    years : tuple of int
        The projected years.
    year_labels : tuple of str
        The years as tables show them.
    draws, seed : int
        Draws run and the seed of their random numbers.
    percentiles : tuple of float
        The percentiles reported, between 0 and 100.
    series : dict of str to ndarray, shape (len(percentiles), len(years))
        ``debt_pct_gdp``, ``psnb_pct_gdp`` and ``defence_pct_gdp``, % of GDP.
    central : dict of str to ndarray, shape (len(years),)
        The same series in the deterministic run, % of GDP.
    headroom : dict of str to ndarray, shape (len(percentiles), len(rule_years[rule]))
        Each rule's headroom in its years, currency.
    headroom_central : dict of str to ndarray, shape (len(rule_years[rule]),)
        Each rule's headroom in the deterministic run, currency.
    rule_years : dict of str to tuple of int
        The years each rule is checked in.
    p_rule_pass : dict of str to ndarray, shape (len(rule_years[rule]),)
        Share of draws in which each rule passes, year by year, a probability (0 to 1).
    p_all_rules_pass : float or None
        Share of draws in which every rule passes in all its years; None without rules.
    target_year : int or None
        The last milestone's year.
    target_pct_gdp : float or None
        The last milestone's share, % of GDP.
    p_target_met : float or None
        Share of draws that reach the target in the target year.
    debt_threshold_pct_gdp : float
        The debt ratio of ``p_debt_above``, % of GDP.
    p_debt_above : ndarray, shape (len(years),)
        Share of draws with debt above the threshold, year by year.
    resolution : dict of str to float
        Bin width of each series' histogram: percentage points for the ``_pct_gdp``
        series, currency for ``headroom:RULE``.
    clipped : tuple of str
        The series with a percentile beyond the histogram's grid (shown at its edge).
    """

    title: str
    source: str
    unit: str
    years: tuple[int, ...]
    year_labels: tuple[str, ...]
    draws: int
    seed: int
    percentiles: tuple[float, ...]
    series: dict[str, FloatArray]
    central: dict[str, FloatArray]
    headroom: dict[str, FloatArray]
    headroom_central: dict[str, FloatArray]
    rule_years: dict[str, tuple[int, ...]]
    p_rule_pass: dict[str, FloatArray]
    p_all_rules_pass: float | None
    target_year: int | None
    target_pct_gdp: float | None
    p_target_met: float | None
    debt_threshold_pct_gdp: float
    p_debt_above: FloatArray
    resolution: dict[str, float]
    clipped: tuple[str, ...]

    def label(self, year: int) -> str:
        """How tables show ``year``."""
        return self.year_labels[self.years.index(year)]

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON form of a fan (docs/output.md): plain numbers and strings."""
        pct = [percentile_name(q) for q in self.percentiles]
        return {
            "scenario": self.title,
            "source": self.source,
            "unit": self.unit,
            "draws": self.draws,
            "seed": self.seed,
            "years": list(self.years),
            "year_labels": list(self.year_labels),
            "percentiles": list(self.percentiles),
            "series": {
                name: {
                    "unit": "% of GDP",
                    "central": [float(v) for v in self.central[name]],
                    **{p: [float(v) for v in self.series[name][k]] for k, p in enumerate(pct)},
                }
                for name, _ in FANNED
            },
            "rules": [
                {
                    "name": name,
                    "year": year,
                    "p_pass": float(self.p_rule_pass[name][j]),
                    "headroom_unit": self.unit,
                    "headroom_central": float(self.headroom_central[name][j]),
                    **{p: float(self.headroom[name][k, j]) for k, p in enumerate(pct)},
                }
                for name, years in self.rule_years.items()
                for j, year in enumerate(years)
            ],
            "p_all_rules_pass": self.p_all_rules_pass,
            "target_year": self.target_year,
            "target_pct_gdp": self.target_pct_gdp,
            "p_target_met": self.p_target_met,
            "debt_threshold_pct_gdp": self.debt_threshold_pct_gdp,
            "p_debt_above": [float(v) for v in self.p_debt_above],
            "resolution": self.resolution,
            "clipped": list(self.clipped),
        }


def percentile_name(q: float) -> str:
    """A percentile's name: P5, P50, P97.5."""
    return f"P{q:g}"


def fan(
    scn: Scenario,
    *,
    draws: int | None = None,
    seed: int | None = None,
    model: ShockModel | None = None,
    percentiles: tuple[float, ...] = PERCENTILES,
    chunk: int = DEFAULT_CHUNK,
    workers: int | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
) -> Fan:
    """Run ``draws`` draws of the scenario's shocks and summarise them (see :class:`Fan`).

    ``draws``, ``seed`` and ``model`` default to the scenario's ``uncertainty:`` section.
    Chunks of ``chunk`` draws run on ``executor`` (:mod:`budgetsim.uncertainty.execute`:
    threads, or a Dask cluster), by default on ``workers`` threads (default: the number of
    CPUs); none of these changes the result. Each chunk sends back its counts, never its
    draws. ``progress(n)`` is called, in the calling thread, as each chunk of ``n`` draws
    comes back.

    Parameters
    ----------
    scn : Scenario
        A single run (paths of shape (years,)).
    draws : int, optional
        Number of draws, at least 1 (default: ``uncertainty.draws``, else 10,000).
    seed : int, optional
        Seed of the random numbers (default: ``uncertainty.seed``, else 0).
    model : ShockModel, optional
        The shocks, fractions a year (default: the scenario's ``uncertainty:`` section).
    percentiles : tuple of float
        Percentiles to report, strictly between 0 and 100.
    chunk : int
        Draws per chunk, at least 1: bounds the memory used.
    workers : int, optional
        Threads to run chunks on, without an ``executor``.
    progress : callable, optional
        ``progress(n)``, called with the draws of each finished chunk.
    executor : Executor, optional
        Where to run the chunks, e.g. ``dask_executor()``; it is not closed here.

    Returns
    -------
    Fan
        Percentiles in % of GDP (series) and currency (headroom), and chances (0 to 1).

    Raises
    ------
    NoUncertaintyError
        No ``model`` and no ``uncertainty:`` section.
    ValueError
        ``draws`` or ``chunk`` below 1, or a percentile outside (0, 100).
    DivergenceError
        Some draw diverges (GDP at or below zero, or debt beyond 100 times GDP); the
        first chunk with such a draw is named.
    ExecutorError
        The executor could not run the chunks (a Dask cluster lost).
    """
    m = _model(scn, model)
    u = scn.uncertainty
    n = draws if draws is not None else (u.draws if u is not None else 10_000)
    s = seed if seed is not None else (u.seed if u is not None else 0)
    threshold = u.debt_threshold if u is not None else 1.0
    if n < 1 or chunk < 1:
        raise ValueError("draws and chunk must be at least 1")
    if any(not 0.0 < q < 100.0 for q in percentiles):
        raise ValueError("percentiles must lie strictly between 0 and 100")
    layout = _Layout(scn)
    tasks = [_Task(scn, m, s, a, min(a + chunk, n), layout, threshold) for a in range(0, n, chunk)]
    ex = executor if executor is not None else local_executor(min(workers or CPUS, len(tasks)))
    total = layout.empty(scn.n_years)
    for i, part in completed(ex, _run_task, tasks):
        total.add(part)
        if progress is not None:
            progress(tasks[i].stop - tasks[i].start)
    return _summarise(scn, layout, total, percentiles, s, threshold)


def _summarise(
    scn: Scenario,
    layout: _Layout,
    total: _Counts,
    pcts: tuple[float, ...],
    seed: int,
    threshold: float,
) -> Fan:
    n = total.draws
    series: dict[str, FloatArray] = {}
    headroom: dict[str, FloatArray] = {}
    clipped = []
    for col in layout.columns:
        values, hit_edge = histogram.percentiles(total.hist[col.name], col, pcts, n)
        if hit_edge:
            clipped.append(col.name)
        if col.name.startswith("headroom:"):
            headroom[col.name.removeprefix("headroom:")] = values
        else:
            series[col.name] = values
    central = {k: v for k, v in layout.central.items() if not k.startswith("headroom:")}
    target = layout.target
    return Fan(
        title=scn.title,
        source=scn.source,
        unit=scn.currency,
        years=tuple(int(y) for y in scn.years),
        year_labels=scn.year_labels,
        draws=n,
        seed=seed,
        percentiles=tuple(pcts),
        series=series,
        central=central,
        headroom=headroom,
        headroom_central={
            k.removeprefix("headroom:"): v
            for k, v in layout.central.items()
            if k.startswith("headroom:")
        },
        rule_years=dict(layout.rule_years),
        p_rule_pass={k: v / n for k, v in total.rule_pass.items()},
        p_all_rules_pass=total.all_pass / n if scn.rules else None,
        target_year=scn.target_year,
        target_pct_gdp=None if target is None else target[1],
        p_target_met=None if target is None else total.target_met / n,
        debt_threshold_pct_gdp=to_percent(threshold),
        p_debt_above=total.debt_above / n,
        resolution={c.name: c.width for c in layout.columns},
        clipped=tuple(clipped),
    )
