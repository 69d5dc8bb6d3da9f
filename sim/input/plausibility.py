"""Warnings for values that are valid but implausible for their key (usually a wrong unit).

The registry (sim/schema.py) gives each key a hard range (outside it a value is an error)
and, where it helps, a plausible range: what real budgets fall in. A value outside the
plausible range still loads; this module says so, as data (the model core never prints).
Typical catches: a defence share of 0.025 % of GDP (a fraction where percent is meant),
growth of 0.025 % a year in every year, a maturity of 0.5 years.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from budgetsim.errors import Loc
from budgetsim.model.units import to_percent

#: Under this size, every non-zero value of a percent key looks like a fraction.
FRACTION_LOOK = 0.1

PERCENT_HINT = "percentages are written in percent (2.5 means 2.5 %)"

#: One warning: the key path (down to the list item or year where one value is at fault)
#: and the message.
Flag = tuple[Loc, str]


def _values(value: Any, loc: Loc) -> Iterator[tuple[Loc, float]]:
    """Every number of a key's value (a number, a list or a {year: value} map)."""
    if isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        yield loc, float(value)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _values(v, (*loc, i))
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _values(v, (*loc, k))


def _check(values: list[tuple[Loc, float]], loc: Loc, extra: dict[str, Any]) -> list[Flag]:
    lo, hi = float(extra["x-plausible-min"]), float(extra["x-plausible-max"])
    unit = str(extra.get("x-unit", ""))
    percent = "%" in unit
    for where, v in values:
        if not lo <= v <= hi:
            text = f"{v:g} is outside the plausible range {lo:g} to {hi:g} ({unit})"
            if percent and 0.0 < abs(v) < 1.0 and lo <= to_percent(v) <= hi:
                text += f"; {PERCENT_HINT}"
            return [(where, text)]
    nonzero = [v for _, v in values if v != 0.0]
    if percent and nonzero and all(abs(v) < FRACTION_LOOK for v in nonzero):
        return [
            (
                loc,
                f"every value is under {FRACTION_LOOK:g} ({unit}): a fraction where percent "
                f"is meant? {PERCENT_HINT}",
            )
        ]
    return []


def implausible(model: BaseModel, loc: Loc = ()) -> list[Flag]:
    """``(key path, message)`` for every key whose value is outside its plausible range."""
    out: list[Flag] = []
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        here = (*loc, name)
        if isinstance(value, BaseModel):
            out.extend(implausible(value, here))
            continue
        if isinstance(value, list) and value and isinstance(value[0], BaseModel):
            for i, item in enumerate(value):
                out.extend(implausible(item, (*here, i)))
            continue
        extra = info.json_schema_extra
        if not isinstance(extra, dict) or "x-plausible-min" not in extra or value is None:
            continue
        out.extend(_check(list(_values(value, here)), here, extra))
    return out
