"""``--vary`` specifications: which scenario key a sweep moves, and over which values.

A specification is ``KEY=LOW:HIGH:STEP`` (every step from LOW to HIGH, both included),
``KEY=v1,v2,...`` (these values), or, for a whole path moved by the same amount,
``KEY+=LOW:HIGH:STEP`` / ``KEY+=v1,v2,...``. A sensitivity study takes ``KEY=LOW:HIGH``
(``KEY+=LOW:HIGH``): the range it samples. Values are in the key's file units (percent
where the file writes percent). Errors are :class:`~budgetsim.errors.ScenarioError`
with source ``--vary``, one line each.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from budgetsim.errors import ScenarioError

#: Points a grid may have without ``force``.
GRID_CAP = 10_000_000
#: Values one key may take in a grid (each is a number kept in memory).
MAX_LEVELS = 10_000_000

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")
#: A component's base share: the file requires ``defence.base_share`` to be their sum, so
#: varying one moves ``defence.base_share`` by as much.
TIED = re.compile(r"^defence\.components\.\d+\.base_share$")


@dataclass(frozen=True)
class Vary:
    """One varied key.

    Attributes
    ----------
    key : str
        The key path, as ``--set`` names it (``economy.real_growth``).
    shift : bool
        True: the values are added to the key's value (every value of a path); False:
        they replace it.
    values : tuple of float
        The values (grid) in file units; for a sensitivity range, (LOW, HIGH).
    text : str
        The specification as given, for messages.
    tie_base : float or None
        For a component's base share (:data:`TIED`) set to values: its value in the file,
        % of GDP, from which ``defence.base_share`` is moved.
    """

    key: str
    shift: bool
    values: tuple[float, ...]
    text: str
    tie_base: float | None = None

    @property
    def label(self) -> str:
        """The key as a column names it: ``KEY`` or ``KEY+=`` for a shift."""
        return f"{self.key}+=" if self.shift else self.key

    def override(self, value: float) -> str:
        """The ``--set`` assignment for ``value`` (``KEY=v`` or ``KEY+=v``).

        Parameters
        ----------
        value : float
            In file units.

        Returns
        -------
        str
        """
        return f"{self.key}{'+=' if self.shift else '='}{_number(value)}"

    def assignments(self, value: float) -> list[str]:
        """Every ``--set`` assignment that puts the key at ``value``: :meth:`override`, and
        for a component's base share the same move of ``defence.base_share``.

        Parameters
        ----------
        value : float
            In file units.

        Returns
        -------
        list of str
        """
        own = self.override(value)
        if not TIED.match(self.key):
            return [own]
        delta = value if self.shift else value - (self.tie_base or 0.0)
        return [own, f"defence.base_share+={_number(delta)}"]

    @property
    def low(self) -> float:
        """The smallest value."""
        return min(self.values)

    @property
    def high(self) -> float:
        """The largest value."""
        return max(self.values)


def _number(value: float) -> str:
    """A value as YAML reads it back exactly (shortest round-trip form)."""
    return repr(float(value))


def _bad(text: str, message: str, key: str | None = None) -> ScenarioError:
    loc = tuple(int(p) if p.isdigit() else p for p in key.split(".")) if key else ()
    where = "" if key else f"{text!r}: "
    return ScenarioError.single("--vary", where + message, loc=loc)


def _float(text: str, part: str, key: str) -> float:
    try:
        value = float(part)
    except ValueError:
        raise _bad(text, f"{part.strip()!r} is not a number", key) from None
    if not math.isfinite(value):
        raise _bad(text, f"{part.strip()!r} is not a finite number", key)
    return value


def _split(text: str) -> tuple[str, bool, str]:
    key, sep, rest = text.partition("=")
    if not sep or not key.strip() or not rest.strip():
        raise _bad(text, "expected KEY=LOW:HIGH:STEP, KEY=v1,v2,... or KEY+=...")
    shift = key.endswith("+")
    key = key.removesuffix("+").strip()
    if not _KEY.match(key):
        raise _bad(text, f"{key!r} is not a key path (e.g. economy.real_growth)")
    return key, shift, rest.strip()


def steps(low: float, high: float, step: float) -> tuple[float, ...]:
    """Every value from ``low`` to ``high`` by ``step``, both ends included, rounded to
    12 significant digits (so 0.1 steps give 0.3, not 0.30000000000000004).

    Parameters
    ----------
    low, high, step : float
        ``step > 0`` and ``high >= low``.

    Returns
    -------
    tuple of float
        ``high`` is included when it lies within 1e-9 steps of the last step.
    """
    n = math.floor((high - low) / step + 1e-9) + 1
    return tuple(float(f"{low + i * step:.12g}") for i in range(n))


def parse_grid(text: str) -> Vary:
    """A sweep's ``--vary`` specification.

    Parameters
    ----------
    text : str
        ``KEY=LOW:HIGH:STEP``, ``KEY=v1,v2,...`` or the same with ``+=``.

    Returns
    -------
    Vary

    Raises
    ------
    ScenarioError
        A malformed specification, a step of zero or below, HIGH below LOW, or more than
        :data:`MAX_LEVELS` values.
    """
    key, shift, rest = _split(text)
    if ":" in rest:
        parts = rest.split(":")
        if len(parts) != 3:
            raise _bad(text, f"{rest!r}: expected LOW:HIGH:STEP", key)
        low, high, step = (_float(text, p, key) for p in parts)
        if step <= 0.0:
            raise _bad(text, f"the step {parts[2].strip()} must be above zero", key)
        if high < low:
            raise _bad(text, f"HIGH {parts[1].strip()} is below LOW {parts[0].strip()}", key)
        if (high - low) / step + 1 > MAX_LEVELS:
            raise _bad(text, f"more than {MAX_LEVELS:,} values; take a larger step", key)
        values = steps(low, high, step)
    else:
        values = tuple(_float(text, p, key) for p in rest.split(","))
    return Vary(key, shift, values, text)


def parse_range(text: str) -> Vary:
    """A sensitivity study's ``--vary`` range.

    Parameters
    ----------
    text : str
        ``KEY=LOW:HIGH`` or ``KEY+=LOW:HIGH``.

    Returns
    -------
    Vary
        ``values`` is ``(LOW, HIGH)``.

    Raises
    ------
    ScenarioError
        A malformed range, or HIGH not above LOW.
    """
    key, shift, rest = _split(text)
    parts = rest.split(":")
    if len(parts) != 2:
        raise _bad(text, f"{rest!r}: expected LOW:HIGH", key)
    low, high = (_float(text, p, key) for p in parts)
    if high <= low:
        raise _bad(text, f"HIGH {parts[1].strip()} is not above LOW {parts[0].strip()}", key)
    return Vary(key, shift, (low, high), text)


def check_keys(varies: list[Vary]) -> None:
    """Each key varied once.

    Parameters
    ----------
    varies : list of Vary

    Raises
    ------
    ScenarioError
        A key given twice.
    """
    seen: set[str] = set()
    for v in varies:
        if v.key in seen:
            raise _bad(v.text, "varied twice; give it once", v.key)
        seen.add(v.key)


def grid_size(varies: list[Vary]) -> int:
    """Number of points of the full grid: the product of the numbers of values."""
    return math.prod(len(v.values) for v in varies)


def check_size(varies: list[Vary], force: bool) -> int:
    """The grid's size, refused above :data:`GRID_CAP` unless ``force``.

    Parameters
    ----------
    varies : list of Vary
    force : bool
        ``--force``.

    Returns
    -------
    int

    Raises
    ------
    ScenarioError
        Above the cap without ``force``.
    """
    n = grid_size(varies)
    if n > GRID_CAP and not force:
        raise ScenarioError.single(
            "--vary",
            f"the grid has {n:,} points, above the cap of {GRID_CAP:,}; "
            "give --force to run it anyway",
        )
    return n


def grid_values(varies: list[Vary], start: int, stop: int) -> np.ndarray:
    """Points ``start`` to ``stop - 1`` of the full grid, the last key varying fastest.

    Parameters
    ----------
    varies : list of Vary
    start, stop : int
        Positions in the grid.

    Returns
    -------
    ndarray, shape (stop - start, len(varies))
        Each point's values, file units.
    """
    sizes = [len(v.values) for v in varies]
    idx = np.arange(start, stop, dtype=np.int64)
    out = np.empty((stop - start, len(varies)))
    for j in range(len(varies) - 1, -1, -1):
        out[:, j] = np.asarray(varies[j].values)[idx % sizes[j]]
        idx //= sizes[j]
    return out
