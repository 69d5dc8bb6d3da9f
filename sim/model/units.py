"""The model's one unit convention: ratios are fractions inside, percent outside.

Scenario files write ratios in percent (2.5 means 2.5 % of GDP); the input layer converts
each key once, by the unit the registry declares for it, with :func:`from_percent`. Result
types convert once on the way out, with :func:`to_percent`. No other module multiplies or
divides by 100.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from budgetsim.model.arrays import FloatArray

#: One percent as a fraction.
PCT = 0.01
#: A fraction in percent.
PERCENT = 100.0


@overload
def from_percent(value: float) -> float: ...
@overload
def from_percent(value: FloatArray) -> FloatArray: ...
def from_percent(value: float | FloatArray) -> float | FloatArray:
    """Percent (or percentage points) to a fraction: ``2.5 -> 0.025``."""
    return value * PCT


@overload
def to_percent(value: float) -> float: ...
@overload
def to_percent(value: FloatArray) -> FloatArray: ...
def to_percent(value: float | FloatArray) -> float | FloatArray:
    """A fraction to percent: ``0.025 -> 2.5``."""
    return value * PERCENT
