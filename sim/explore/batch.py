"""Scenario keys as batch rows: a sweep's points run as rows of the engine's one batch.

A varied key changes some of the Scenario's inputs (its *leaves*: a path, a multiplier, a
source's cap). The scenario is built through the input layer (exactly as ``--set`` builds
it) at the key's lowest and highest value and halfway; the leaves that change, and how,
are read off those builds. A key whose leaves

- are ones the engine takes one per batch row (:data:`SERIES`, :data:`SCALARS`, a source's
  cap or amount, a component's paths, the headline target's share), and
- change affinely with the value (the halfway build lies on the line through the ends),

is a *batch* key: each point's leaves are the file's plus the sum, over the batch keys, of
each key's change at its value (checked once with every key at its highest value
together). Any other key (a year, a choice, a value the paths depend on non-linearly) is
a *grouped* key: the points are grouped by their grouped keys' values, each group built
once, and the batch keys are rows within the group. No point is built on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any

import numpy as np

from budgetsim.errors import Problem, ScenarioError
from budgetsim.explore.grid import Vary
from budgetsim.input.files import load_with_spec
from budgetsim.model.scenario import Scenario

#: Paths of shape (years,) the engine takes as (batch, years).
SERIES = (
    "real_growth",
    "deflator",
    "share",
    "cash",
    "baseline_share",
    "receipts",
    "other_spending",
    "other_investment",
    "sfa",
    "psnfl_sfa",
    "short_rate",
    "long_rate",
    "real_il_rate",
    "il_inflation",
)
#: Numbers the engine takes as one per batch row, shape (batch,).
SCALARS = ("m_defence", "m_cuts", "m_tax", "persistence")
#: Paths of a funding source, and of a defence component, taken as (batch, years).
POOL_SERIES = ("cap_cash", "cap_gdp", "amount")
COMPONENT_SERIES = ("share", "baseline_share")
#: Leaves the batch never reads (the solvers do): they may change freely.
UNREAD = ("base_share", "milestones", "warnings")
COMPONENT_UNREAD = ("base_share", "milestones")

#: The headline target's share, fraction of GDP (read by the sweep, not the engine).
TARGET_SHARE = "target_share"

Build = Callable[[Sequence[str]], Scenario]


def leaves(scn: Scenario) -> dict[str, Any]:
    """Every input of ``scn`` by name: top-level fields, ``pools.K.FIELD``,
    ``components.K.FIELD``, ``targets.K.FIELD``, ``rules.K.FIELD``, and
    :data:`TARGET_SHARE`.

    Parameters
    ----------
    scn : Scenario

    Returns
    -------
    dict of str to object
    """
    out: dict[str, Any] = {}
    for f in fields(scn):
        value = getattr(scn, f.name)
        if f.name in ("pools", "components", "targets", "rules"):
            for k, item in enumerate(value):
                for g in fields(item):
                    out[f"{f.name}.{k}.{g.name}"] = getattr(item, g.name)
            out[f"{f.name}.count"] = len(value)
        else:
            out[f.name] = value
    out[TARGET_SHARE] = scn.target_share
    return out


def _batchable(name: str) -> bool:
    parts = name.split(".")
    if len(parts) == 1:
        return name in SERIES or name in SCALARS or name == TARGET_SHARE
    if parts[0] == "pools" and len(parts) == 3:
        return parts[2] in POOL_SERIES
    if parts[0] == "components" and len(parts) == 3:
        return parts[2] in COMPONENT_SERIES
    return False


def _unread(name: str) -> bool:
    parts = name.split(".")
    if len(parts) == 1:
        return name in UNREAD
    if parts[0] == "components" and len(parts) == 3:
        return parts[2] in COMPONENT_UNREAD
    return parts[0] == "targets" and parts[-1] == "share"  # the headline's is TARGET_SHARE


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.shape == b.shape
            and bool(np.array_equal(a, b))
        )
    if is_dataclass(a) and is_dataclass(b) and type(a) is type(b):
        return all(_same(getattr(a, f.name), getattr(b, f.name)) for f in fields(a))
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _numeric(a: Any) -> np.ndarray | None:
    if isinstance(a, bool) or a is None:
        return None
    if isinstance(a, (int, float)):
        return np.asarray(float(a))
    if isinstance(a, np.ndarray) and a.dtype.kind == "f":
        return a
    return None


def changed(base: dict[str, Any], other: dict[str, Any]) -> list[str]:
    """The leaves that differ between two scenarios' :func:`leaves`."""
    return [k for k in base if not _same(base[k], other.get(k))]


@dataclass(frozen=True)
class Plan:
    """How one group's points become batch rows.

    Attributes
    ----------
    scenario : Scenario
        The group's scenario: the file with the grouped keys at the group's values and
        the batch keys as the file has them.
    keys : tuple of int
        Positions (in the sweep's keys) of the batch keys.
    low : ndarray, shape (len(keys),)
        Each batch key's lowest value, file units.
    moves : dict of str to list of (int, ndarray, ndarray)
        Per leaf: (position in ``keys``, change at the key's lowest value, change per unit
        of the key), each of the leaf's shape.
    """

    scenario: Scenario
    keys: tuple[int, ...]
    low: np.ndarray
    moves: dict[str, list[tuple[int, np.ndarray, np.ndarray]]]

    def rows(self, values: np.ndarray) -> dict[str, np.ndarray]:
        """Each moved leaf, one row per point.

        Parameters
        ----------
        values : ndarray, shape (points, len(all keys))
            The points, file units (the sweep's key order).

        Returns
        -------
        dict of str to ndarray
            Shape (points, years) for a path, (points,) for a number.
        """
        base = leaves(self.scenario)
        out: dict[str, np.ndarray] = {}
        for name, terms in self.moves.items():
            acc = np.broadcast_to(
                np.asarray(base[name], dtype=np.float64), (len(values), *terms[0][1].shape)
            ).copy()
            for j, at_low, slope in terms:
                k = self.keys[j]
                acc += at_low + (values[:, k] - self.low[j]).reshape(-1, *[1] * slope.ndim) * slope
            out[name] = acc
        return out


def apply(scn: Scenario, rows: dict[str, np.ndarray]) -> Scenario:
    """``scn`` with the leaves of :meth:`Plan.rows` (one row per point) in place.

    Parameters
    ----------
    scn : Scenario
    rows : dict of str to ndarray

    Returns
    -------
    Scenario
        A batch of ``len(row)`` rows (:data:`TARGET_SHARE` is left to the caller).
    """
    top: dict[str, Any] = {}
    items: dict[str, dict[int, dict[str, Any]]] = {"pools": {}, "components": {}}
    for name, value in rows.items():
        parts = name.split(".")
        if len(parts) == 3:
            items[parts[0]].setdefault(int(parts[1]), {})[parts[2]] = value
        elif name != TARGET_SHARE:
            top[name] = value
    for group, changes in items.items():
        if changes:
            seq = list(getattr(scn, group))
            for k, upd in changes.items():
                seq[k] = replace(seq[k], **upd)
            top[group] = tuple(seq)
    return replace(scn, **top)


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    scale = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)))
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= 1e-11 * scale + 1e-15))


def vary_error(vary: Vary, value: float, exc: ScenarioError) -> ScenarioError:
    """A build's problems at one value of a varied key, as ``--vary`` problems.

    Parameters
    ----------
    vary : Vary
    value : float
        The value the scenario was built at, file units.
    exc : ScenarioError

    Returns
    -------
    ScenarioError
    """
    at = f"at {value:g}: " if len(vary.values) > 1 else ""
    loc = tuple(int(p) if p.isdigit() else p for p in vary.key.split("."))
    return ScenarioError(
        Problem("--vary", None, loc, at + p.message)
        if p.source == "--set"
        else Problem("--vary", None, loc, f"{at}{p}")
        for p in exc.problems
    )


def file_builder(path: str, overrides: Sequence[str] = ()) -> Build:
    """Builds of a scenario file with overrides, the file read once.

    Parameters
    ----------
    path : str
        The scenario file.
    overrides : sequence of str
        ``--set`` assignments applied before every build's own.

    Returns
    -------
    callable
        ``build(assignments) -> Scenario``; the same assignments are built once.
    """
    texts: dict[str, str] = {}
    built: dict[tuple[str, ...], Scenario] = {}  # each set of assignments is built once

    def build(assignments: Sequence[str]) -> Scenario:
        key = tuple(assignments)
        if key not in built:
            built[key] = load_with_spec(path, [*overrides, *key], texts).scenario
        return built[key]

    return build


def _built(build: Build, varies: Sequence[Vary], values: dict[int, float]) -> Scenario:
    try:
        return build([a for k, v in values.items() for a in varies[k].assignments(v)])
    except ScenarioError as exc:
        k = next(iter(values)) if len(values) == 1 else None
        if k is not None:
            raise vary_error(varies[k], values[k], exc) from None
        shown = ", ".join(f"{varies[k].label}={v:g}" for k, v in values.items())
        raise ScenarioError(
            Problem("--vary", None, (), f"{shown}: {p.message}") for p in exc.problems
        ) from None


def classify(
    build: Build, varies: Sequence[Vary], fixed: dict[int, float] | None = None
) -> tuple[list[int], list[int]]:
    """Which keys are batch keys and which grouped (see the module's docstring); every key
    is built at its lowest and highest value on the way, so a value outside the key's
    bounds, or an unknown key, is found here.

    Parameters
    ----------
    build : callable
        ``build(assignments) -> Scenario``.
    varies : sequence of Vary
    fixed : dict of int to float, optional
        Grouped keys held at these values (position -> value).

    Returns
    -------
    batch, grouped : list of int
        Positions of the keys.

    Raises
    ------
    ScenarioError
        A key the file refuses at its lowest or highest value (source ``--vary``).
    """
    fixed = fixed or {}
    base = leaves(_built(build, varies, fixed))
    batch: list[int] = []
    grouped: list[int] = []
    for k, v in enumerate(varies):
        if k in fixed:
            continue
        ends = [leaves(_built(build, varies, {**fixed, k: x})) for x in (v.low, v.high)]
        moved = set(changed(base, ends[0])) | set(changed(base, ends[1]))
        ok = all(_batchable(n) or _unread(n) for n in moved)
        ok = ok and all(_numeric(e[n]) is not None for e in ends for n in moved if _batchable(n))
        (batch if ok else grouped).append(k)
    return batch, grouped


def plan(
    build: Build, varies: Sequence[Vary], batch: Sequence[int], fixed: dict[int, float]
) -> Plan | None:
    """The :class:`Plan` of one group, or None when a batch key turns out not affine (or
    the keys' changes do not add up): the caller then groups every key.

    Parameters
    ----------
    build : callable
        ``build(assignments) -> Scenario``.
    varies : sequence of Vary
    batch : sequence of int
        Positions of the batch keys.
    fixed : dict of int to float
        The grouped keys' values for this group.

    Returns
    -------
    Plan or None
    """
    scn = _built(build, varies, fixed)
    base = leaves(scn)
    moves: dict[str, list[tuple[int, np.ndarray, np.ndarray]]] = {}
    low = np.array([varies[k].low for k in batch])
    for j, k in enumerate(batch):
        v = varies[k]
        lo = leaves(_built(build, varies, {**fixed, k: v.low}))
        hi = leaves(_built(build, varies, {**fixed, k: v.high}))
        mid_value = (v.low + v.high) / 2
        mid = leaves(_built(build, varies, {**fixed, k: mid_value})) if v.high > v.low else lo
        names = [n for n in set(changed(base, lo)) | set(changed(base, hi)) if _batchable(n)]
        for name in sorted(names):
            b, a, c, m = (
                np.asarray(_numeric(x[name]), dtype=np.float64) for x in (base, lo, hi, mid)
            )
            slope = (c - a) / (v.high - v.low) if v.high > v.low else np.zeros_like(a)
            at_low = a - b
            if not _close(a + (mid_value - v.low) * slope, m):
                return None
            moves.setdefault(name, []).append((j, at_low, slope))
    result = Plan(scn, tuple(batch), low, moves)
    if len(batch) > 1:  # the changes add up: every key at its highest value together
        top = {k: varies[k].high for k in batch}
        together = leaves(_built(build, varies, {**fixed, **top}))
        point = np.array([[fixed.get(k, top.get(k, 0.0)) for k in range(len(varies))]])
        rows = result.rows(point)
        for name, value in rows.items():
            if not _close(value[0], np.asarray(_numeric(together[name]), dtype=np.float64)):
                return None
        if set(changed(base, together)) - set(rows) - {n for n in base if _unread(n)}:
            return None
    return result
