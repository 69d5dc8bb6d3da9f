"""The public functions: :func:`sweep` and :func:`sensitivity` (``budgetsim.sweep``,
``budgetsim.sensitivity``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from budgetsim.errors import ScenarioError
from budgetsim.explore.batch import file_builder
from budgetsim.explore.chunks import CHUNK_ROWS, Sweep, evaluate
from budgetsim.explore.grid import (
    Vary,
    check_size,
    grid_values,
    parse_grid,
    parse_range,
)
from budgetsim.input.registry import ScenarioSpec, section_of
from budgetsim.uncertainty.execute import Executor


def key_unit(key: str) -> str:
    """The unit the registry declares for a key path (``""`` if it declares none).

    Parameters
    ----------
    key : str
        ``economy.real_growth``, ``defence.components.3.base_share``, ...

    Returns
    -------
    str
    """
    model: Any = ScenarioSpec
    unit = ""
    for part in key.split("."):
        if part.isdigit() or model is None:
            continue
        info = model.model_fields.get(part)
        if info is None:
            return ""
        extra = info.json_schema_extra
        unit = str(extra.get("x-unit", "")) if isinstance(extra, dict) else ""
        model = section_of(info)
    return unit


def _varies(specs: Sequence[str | Vary], parse: Any) -> list[Vary]:
    out = [v if isinstance(v, Vary) else parse(v) for v in specs]
    if not out:
        raise ScenarioError.single("--vary", "give at least one --vary KEY=...")
    return out


def sweep(
    path: str | Path,
    vary: Sequence[str | Vary],
    *,
    overrides: Sequence[str] = (),
    draws: int = 0,
    seed: int = 0,
    year: int | None = None,
    force: bool = False,
    executor: Executor | None = None,
) -> Sweep:
    """Run a scenario file over the full grid of the varied keys, every point a row of the
    engine's batch (docs/sweeps.md).

    Parameters
    ----------
    path : str or Path
        The scenario file.
    vary : sequence of str or Vary
        ``KEY=LOW:HIGH:STEP``, ``KEY=v1,v2,...``, or ``KEY+=...`` to shift a number or a
        whole path; values in the key's file units.
    overrides : sequence of str
        ``--set`` assignments applied first.
    draws : int
        Draws of the scenario's shocks per point, for each rule's chance of passing in the
        rules' year (0: none; at most :data:`~budgetsim.explore.chunks.CHUNK_ROWS`, 16,384:
        a point's draws run in one chunk).
    seed : int
        Seed of the draws (every point sees the same draws).
    year : int, optional
        The rules' year (default: the first year a rule is checked in).
    force : bool
        Run a grid above :data:`~budgetsim.explore.grid.GRID_CAP` points.
    executor : Executor, optional
        Runs the chunks (default: threads on this machine).

    Returns
    -------
    Sweep
        One row per point: the values, then the outcomes.

    Raises
    ------
    ScenarioError
        A malformed ``--vary``, an unknown key, a value outside the key's bounds, a grid
        above the cap without ``force``, ``draws`` above
        :data:`~budgetsim.explore.chunks.CHUNK_ROWS`, or a bad file.
    NoUncertaintyError
        ``draws`` without an ``uncertainty:`` section.

    """
    varies = _varies(vary, parse_grid)
    check_size(varies, force)
    if draws < 0:
        raise ScenarioError.single("--draws", f"{draws} is below 0")
    if draws > CHUNK_ROWS:  # a point's draws run as one chunk: this bounds its memory
        raise ScenarioError.single(
            "--draws", f"{draws:,} is above the cap of {CHUNK_ROWS:,} draws a point"
        )
    build = file_builder(str(path), overrides)
    values = grid_values(varies, 0, int(np.prod([len(v.values) for v in varies])))
    lay, outcomes, columns = evaluate(
        build, varies, values, year=year, draws=draws, seed=seed, executor=executor
    )
    scn = next(iter(lay.plans.values())).scenario
    cost_years = {
        p.scenario.horizon if p.scenario.target_year is None else p.scenario.target_year
        for p in lay.plans.values()
    }
    cost_year = cost_years.pop() if len(cost_years) == 1 else None
    return Sweep(
        title=scn.title,
        source=scn.source,
        unit=scn.currency,
        keys=tuple(v.label for v in lay.varies),
        key_units=tuple(key_unit(v.key) for v in lay.varies),
        values=values,
        year=outcomes.year,
        year_label=scn.label(outcomes.year),
        cost_year_label="the target year" if cost_year is None else scn.label(cost_year),
        rules=outcomes.rules,
        draws=draws,
        seed=seed,
        columns=columns,
        grouped=tuple(lay.varies[k].label for k in lay.grouped),
    )


#: Methods of :func:`sensitivity`.
METHODS = ("sobol", "morris")


@dataclass(frozen=True)
class Sensitivity:
    """Global sensitivity indices of some outcomes to some keys (:func:`sensitivity`).

    Attributes
    ----------
    title, source, unit : str
        The scenario's title, file and currency unit.
    method : {"sobol", "morris"}
    samples : int
        N: base samples (Sobol) or trajectories (Morris).
    evaluations : int
        Model runs (batch rows): N (D + 2) for Sobol, N (D + 1) for Morris.
    seed : int
    keys : tuple of str
    key_units : tuple of str
    bounds : tuple of (float, float)
        Each key's range, file units (sampled uniformly).
    year : int
    year_label : str
        The rules' year.
    cost_year_label : str
        The year of ``extra_today`` (the target year; the horizon without one).
    measures : tuple of str
        The outcomes, as sweep columns name them.
    measure_units : tuple of str
    indices : dict of str to dict of str to ndarray, shape (keys,)
        Per measure: ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (Sobol; the confidence
        intervals' half-widths at 95 %) or ``mu_star``, ``mu_star_conf``, ``sigma``, ``mu``
        (Morris, in the measure's unit). NaN for an outcome that does not vary over the
        samples (:attr:`constant`).
    spread : dict of str to (float, float, float)
        Per measure: its 5th, 50th and 95th percentile over the samples.
    """

    title: str
    source: str
    unit: str
    method: str
    samples: int
    evaluations: int
    seed: int
    keys: tuple[str, ...]
    key_units: tuple[str, ...]
    bounds: tuple[tuple[float, float], ...]
    year: int
    year_label: str
    cost_year_label: str
    measures: tuple[str, ...]
    measure_units: tuple[str, ...]
    indices: dict[str, dict[str, np.ndarray]]
    spread: dict[str, tuple[float, float, float]]

    def constant(self, measure: str) -> bool:
        """Whether ``measure`` takes one value (to rounding) at every sample: no key
        decides it, and its indices are NaN.

        Parameters
        ----------
        measure : str
            One of :attr:`measures`.

        Returns
        -------
        bool
        """
        return bool(np.isnan(self.indices[measure][next(iter(self.indices[measure]))]).all())


def _index_names(method: str) -> tuple[str, ...]:
    if method == "sobol":
        return ("S1", "S1_conf", "ST", "ST_conf")
    return ("mu_star", "mu_star_conf", "sigma", "mu")


class MissingExtraError(RuntimeError):
    """An optional extra a feature needs is not installed; the message says how."""


def _salib() -> tuple[Any, Any]:
    try:
        import SALib.analyze.morris
        import SALib.analyze.sobol
        import SALib.sample.morris
        import SALib.sample.sobol
    except ImportError:
        raise MissingExtraError(
            "sensitivity needs SALib; install it with: pip install 'budgetsim[sensitivity]'"
        ) from None
    return SALib.sample, SALib.analyze


def measure_unit(name: str, currency: str) -> str:
    """A sweep column's unit.

    Parameters
    ----------
    name : str
        ``extra_today``, ``headroom:RULE``, ``debt_pct_gdp``, ...
    currency : str

    Returns
    -------
    str
    """
    if name.endswith("_pct_gdp"):
        return "% of GDP"
    if name.startswith("p_pass:"):
        return "probability"
    return currency


def sensitivity(
    path: str | Path,
    vary: Sequence[str | Vary],
    *,
    method: str = "sobol",
    samples: int = 1024,
    measures: Sequence[str] = (),
    overrides: Sequence[str] = (),
    seed: int = 0,
    year: int | None = None,
    executor: Executor | None = None,
    warn: Callable[[str], None] | None = None,
) -> Sensitivity:
    """Global sensitivity indices (SALib) of outcomes to keys varied over ranges; every
    sample is a row of the engine's batch, as a sweep's points are (docs/sweeps.md).

    Parameters
    ----------
    path : str or Path
        The scenario file.
    vary : sequence of str or Vary
        ``KEY=LOW:HIGH`` or ``KEY+=LOW:HIGH``, file units; sampled uniformly.
    method : {"sobol", "morris"}
        Saltelli sampling with Sobol first-order and total indices, or Morris elementary
        effects (mu*, sigma).
    samples : int
        N: base samples for Sobol (a power of 2), trajectories for Morris.
    measures : sequence of str
        Outcomes (sweep columns); default: the first rule's headroom in the rules' year
        and the extra cost in today's terms.
    overrides : sequence of str
        ``--set`` assignments applied first.
    seed : int
        Seed of the sampling and of the bootstrap confidence intervals.
    year : int, optional
        The rules' year (default: the first year a rule is checked in).
    executor : Executor, optional
        Runs the chunks (default: threads on this machine).
    warn : callable, optional
        ``warn(line)``: told once, early, when some keys are not batch inputs and group
        the samples, so the scenario is built once per sample (docs/sweeps.md).

    Returns
    -------
    Sensitivity

    Raises
    ------
    ScenarioError
        A malformed range, unknown key or measure, a value outside a key's bounds, a bad
        number of samples, or samples whose runs diverge.
    MissingExtraError
        SALib is not installed.
    """
    if method not in METHODS:
        raise ScenarioError.single("--method", f"{method!r}: expected sobol or morris")
    varies = _varies(vary, parse_range)
    sample, analyze = _salib()
    if samples < 2 or (method == "sobol" and samples & (samples - 1)):
        raise ScenarioError.single(
            "--samples",
            f"{samples}: give a power of 2 (Sobol sequences need one), e.g. 1024"
            if method == "sobol"
            else f"{samples}: give at least 2",
        )
    # SALib reads a seed of 0 as "no seed" (global random numbers): give it one never 0,
    # drawn from ours, so every --seed (0 included) gives the same indices each time.
    salib_seed = int(np.random.SeedSequence(seed).generate_state(1)[0] % (2**31 - 1)) + 1
    labels = [v.label for v in varies]
    problem = {
        "num_vars": len(varies),
        "names": labels,
        "bounds": [[v.low, v.high] for v in varies],
    }
    if method == "sobol":
        x = sample.sobol.sample(problem, samples, calc_second_order=False, seed=salib_seed)
    else:
        x = sample.morris.sample(problem, samples, num_levels=4, seed=salib_seed)
    x = np.asarray(x, dtype=np.float64)
    build = file_builder(str(path), overrides)

    def grouped(keys: tuple[str, ...], builds: int) -> None:
        if warn is not None:
            are = "is not a batch input" if len(keys) == 1 else "are not batch inputs"
            warn(
                f"sensitivity: {', '.join(keys)} {are}: the scenario is built once per "
                f"sampled value ({builds:,} builds, slow; see docs/sweeps.md)"
            )

    lay, outcomes, columns = evaluate(
        build, varies, x, year=year, executor=executor, notify=grouped
    )
    scn = next(iter(lay.plans.values())).scenario
    names = list(measures) or [
        *(f"headroom:{outcomes.rules[0]}" for _ in outcomes.rules[:1]),
        "extra_today",
    ]
    known = [c for c in columns if c not in ("diverged", "target_met") and ":" not in c[:5]]
    for name in names:
        if name not in columns or name in ("diverged", "target_met") or name.startswith("pass:"):
            raise ScenarioError.single(
                "--output-measure", f"{name!r}: expected one of {', '.join(known)}"
            )
    bad = int(np.count_nonzero(columns["diverged"]))
    if bad:
        raise ScenarioError.single(
            "--vary", f"{bad} of {len(x)} samples diverge; narrow the ranges"
        )
    indices: dict[str, dict[str, np.ndarray]] = {}
    spread = {}
    for name in names:
        y = columns[name]
        spread[name] = tuple(float(q) for q in np.percentile(y, [5, 50, 95]))
        scale = max(float(np.max(np.abs(y))), 1e-300)
        if float(np.ptp(y)) <= 1e-9 * scale:  # no key moves it: indices would be noise
            indices[name] = {k: np.full(len(varies), np.nan) for k in _index_names(method)}
            continue
        if method == "sobol":
            r = analyze.sobol.analyze(
                problem, y, calc_second_order=False, conf_level=0.95, seed=salib_seed
            )
        else:
            r = analyze.morris.analyze(
                problem, x, y, conf_level=0.95, num_levels=4, seed=salib_seed
            )
        indices[name] = {k: np.asarray(r[k], dtype=np.float64) for k in _index_names(method)}
    return Sensitivity(
        title=scn.title,
        source=scn.source,
        unit=scn.currency,
        method=method,
        samples=samples,
        evaluations=len(x),
        seed=seed,
        keys=tuple(labels),
        key_units=tuple(key_unit(v.key) for v in lay.varies),
        bounds=tuple((v.low, v.high) for v in varies),
        year=outcomes.year,
        year_label=scn.label(outcomes.year),
        cost_year_label=scn.label(scn.horizon if scn.target_year is None else scn.target_year),
        measures=tuple(names),
        measure_units=tuple(measure_unit(n, scn.currency) for n in names),
        indices=indices,
        spread={k: (v[0], v[1], v[2]) for k, v in spread.items()},
    )
