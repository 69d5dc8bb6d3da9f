"""Values that are valid but implausible for their key (usually a wrong unit), and base-year
ratios no budget has.

The registry (:mod:`budgetsim.input.registry`) gives each key a hard range (outside it a
value is an error) and, where it helps, a plausible range: what real budgets fall in. A value
outside the plausible range still loads; this module says so, as data (the model core never
prints). Typical catches: a defence share of 0.025 % of GDP (a fraction where percent is
meant), growth of 0.025 % a year in every year, a maturity of 0.5 years, one milestone of
0.035 among shares of 2 to 3 %, and GDP in the wrong unit (debt of 2,700 over GDP of 2.7).

A file acknowledges a warning it has checked with ``meta.accept_warnings: {key path:
value}``; the warning is then dropped while the key keeps that value (:func:`unaccepted`).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from budgetsim.errors import Loc
from budgetsim.input.registry import Defence, ScenarioSpec, numbers_in
from budgetsim.model.paths import PathValue
from budgetsim.model.scenario import SHARE_RANGE_PCT
from budgetsim.model.units import to_percent

#: Under this size, every non-zero value of a percent key looks like a fraction.
FRACTION_LOOK = 0.1
#: A value whose hundredfold is within this factor of its reference (the base share, or
#: the key's other values) is taken for percent written as a fraction.
SLIP_FACTOR = 3.0

PERCENT_HINT = "percentages are written in percent (2.5 means 2.5 %)"

#: Base-year debt and borrowing as % of GDP: outside the first range a warning, outside the
#: second (in size) an error. The bounds are set wide, by judgement rather than from a source:
#: the warning only asks to check both figures (net debt can be well below zero where a state
#: holds a wealth fund; war or a bank rescue can push borrowing far up), while debt of ten
#: times GDP, or borrowing of all of it, is taken to be in another unit than GDP.
DEBT_PLAUSIBLE = (-500.0, 300.0)
DEBT_LIMIT = 1000.0
PSNB_PLAUSIBLE = (-20.0, 40.0)
PSNB_LIMIT = 100.0

#: Keys measured against the base-year defence share rather than their own other values.
_AGAINST_BASE_SHARE = {("defence", "milestones"), ("defence", "baseline_share")}

#: One warning or error: the key path (down to the list item or year where one value is at
#: fault) and the message.
Flag = tuple[Loc, str]


def _slip(v: float, reference: float) -> bool:
    """Whether ``v`` looks like percent written as a fraction of ``reference`` (in percent)."""
    return (
        0.0 < abs(v) < 1.0
        and abs(reference) >= 1.0
        and 1 / SLIP_FACTOR <= abs(to_percent(v)) / abs(reference) <= SLIP_FACTOR
    )


def _check(
    values: list[tuple[Loc, float]], loc: Loc, extra: dict[str, Any], base_share: float
) -> list[Flag]:
    lo, hi = float(extra["x-plausible-min"]), float(extra["x-plausible-max"])
    unit = str(extra.get("x-unit", ""))
    percent = "%" in unit
    for where, v in values:
        if not lo <= v <= hi:
            text = f"{v:g} is outside the plausible range {lo:g} to {hi:g} ({unit})"
            if percent and 0.0 < abs(v) < 1.0 and lo <= to_percent(v) <= hi:
                text += f"; {PERCENT_HINT}"
            return [(where, text)]
    if not percent:
        return []
    nonzero = [(where, v) for where, v in values if v != 0.0]
    if nonzero and all(abs(v) < FRACTION_LOOK for _, v in nonzero):
        if len(nonzero) == 1:
            where, v = nonzero[0]
            return [
                (
                    where,
                    f"{v:g} ({unit}) is under {FRACTION_LOOK:g}: {to_percent(v):g} written as "
                    f"a fraction? {PERCENT_HINT}",
                )
            ]
        small = [v for _, v in nonzero]
        return [
            (
                loc,
                f"every value ({min(small):g} to {max(small):g}, {unit}) is under "
                f"{FRACTION_LOOK:g}: fractions where percent is meant? {PERCENT_HINT}",
            )
        ]
    for where, v in nonzero:
        if loc in _AGAINST_BASE_SHARE:
            reference, what = base_share, "defence.base_share"
        else:
            others = [abs(u) for w, u in nonzero if w != where]
            if not others:
                continue
            reference, what = statistics.median(others), "the key's other values (median)"
        if _slip(v, reference):
            return [
                (
                    where,
                    f"{v:g} is about a hundredth of {what}, {reference:g} ({unit}): "
                    f"{to_percent(v):g} written as a fraction? {PERCENT_HINT}",
                )
            ]
    return []


def implausible(model: BaseModel, loc: Loc = (), base_share: float | None = None) -> list[Flag]:
    """``(key path, message)`` for every key whose value is outside its plausible range,
    looks like a fraction where percent is meant, or like a slip of one value by 100.

    Parameters
    ----------
    model : BaseModel
        A validated :class:`~budgetsim.input.registry.ScenarioSpec` (or one of its sections).
    loc : tuple of str and int
        The key path of ``model``; empty for the whole scenario.
    base_share : float, optional
        The base-year defence share in % of GDP (default: the spec's), the reference of
        the milestones and the baseline share.

    Returns
    -------
    list of (tuple, str)
        The key path (down to the value at fault) and the message, without ``warning:``.
    """
    if base_share is None and isinstance(model, ScenarioSpec):
        base_share = model.defence.base_share
    out: list[Flag] = []
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        here = (*loc, name)
        if isinstance(value, BaseModel):
            out.extend(implausible(value, here, base_share))
            continue
        if isinstance(value, list) and value and isinstance(value[0], BaseModel):
            for i, item in enumerate(value):
                out.extend(implausible(item, (*here, i), base_share))
            continue
        extra = info.json_schema_extra
        if not isinstance(extra, dict) or "x-plausible-min" not in extra or value is None:
            continue
        out.extend(_check(numbers_in(value, here), here, extra, base_share or 0.0))
    return out


def _first(path: PathValue) -> float:
    """A path's value in its first year written."""
    if isinstance(path, Mapping):
        return float(path[min(path)])
    if isinstance(path, list):
        return float(path[0])
    return float(path)


def _plausible_max(section: type[BaseModel], name: str) -> float:
    extra = section.model_fields[name].json_schema_extra
    assert isinstance(extra, dict), f"{section.__name__}.{name} is not a registry entry"
    return float(extra["x-plausible-max"])  # type: ignore[arg-type]


def base_year_ratios(spec: ScenarioSpec) -> tuple[list[Flag], list[Flag]]:
    """Cash figures against GDP in the base year: errors for ratios no budget can have,
    warnings for ratios outside what budgets have. When two figures are both off, GDP (the
    one they share) is named instead.

    Parameters
    ----------
    spec : ScenarioSpec
        The validated scenario.

    Returns
    -------
    errors, warnings : list of (tuple, str)
        Key paths and messages (warnings without ``warning:``).
    """
    gdp, unit = spec.economy.gdp, spec.meta.currency
    checks = [
        (("finances", "debt"), "debt", spec.finances.debt, DEBT_PLAUSIBLE, DEBT_LIMIT),
        (("finances", "psnb"), "borrowing", spec.finances.psnb, PSNB_PLAUSIBLE, PSNB_LIMIT),
    ]
    if spec.defence.cash is not None:
        share = (0.0, _plausible_max(Defence, "base_share"))
        cash = _first(spec.defence.cash)
        checks.append((("defence", "cash"), "defence", cash, share, SHARE_RANGE_PCT[1]))
    off = []
    for loc, what, amount, (lo, hi), limit in checks:
        ratio = to_percent(amount / gdp)
        if not lo <= ratio <= hi:
            off.append((loc, what, amount, ratio, abs(ratio) > limit, limit))
    if len(off) > 1:
        said = " and ".join(f"{what} {ratio:,.0f} %" for _, what, _, ratio, _, _ in off)
        error = any(error for *_, error, _ in off)
        how_far = "far beyond any budget" if error else "outside what budgets have"
        text = (
            f"{gdp:g} {unit} makes {said} of GDP in the base year, {how_far}: "
            f"is GDP in {unit}, the unit of every cash figure?"
        )
        flag: list[Flag] = [(("economy", "gdp"), text)]
        return (flag, []) if error else ([], flag)
    errors: list[Flag] = []
    warnings: list[Flag] = []
    for loc, what, amount, ratio, error, limit in off:
        text = (
            f"{what} of {amount:g} {unit} is {ratio:,.0f} % of GDP ({gdp:g} {unit}, "
            "economy.gdp) in the base year"
        )
        if error:
            errors.append(
                (
                    loc,
                    f"{text}; no budget has more than {limit:g} %: is one of the two in "
                    f"another unit than {unit}?",
                )
            )
        else:
            warnings.append((loc, f"{text}, outside what budgets have: check both figures"))
    return errors, warnings


def _value_at(model: Any, loc: Loc) -> Any:
    """The value of ``model`` at key path ``loc`` (None where there is none)."""
    for part in loc:
        if isinstance(model, BaseModel) and isinstance(part, str):
            model = getattr(model, part, None)
        elif isinstance(model, list) and isinstance(part, int) and 0 <= part < len(model):
            model = model[part]
        elif isinstance(model, dict):
            model = model.get(part)
        else:
            return None
    return model


def _same(a: Any, b: Any) -> bool:
    """Whether two values as written are equal (numbers by value, lists and maps item by item)."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return False


def unaccepted(spec: ScenarioSpec, flags: list[Flag]) -> list[Flag]:
    """The warnings ``meta.accept_warnings`` does not acknowledge.

    An entry acknowledges the warning at its key path (written as the warning names it,
    ``funding.sources[0].cap_pct_gdp``, or as ``--set`` does, ``funding.sources.0.cap_pct_gdp``)
    while the key has the value it gives; with another value the warning stays, and says
    which value was accepted.

    Parameters
    ----------
    spec : ScenarioSpec
        The validated scenario.
    flags : list of (tuple, str)
        Its warnings.

    Returns
    -------
    list of (tuple, str)
        The warnings left.
    """
    accepted = {_key_parts(key): value for key, value in (spec.meta.accept_warnings or {}).items()}
    out: list[Flag] = []
    for loc, message in flags:
        key = tuple(str(part) for part in loc)
        if key not in accepted:
            out.append((loc, message))
        elif not _same(accepted[key], _value_at(spec, loc)):
            out.append((loc, f"{message} (meta.accept_warnings accepts {accepted[key]} here)"))
    return out


def _key_parts(key: str) -> tuple[str, ...]:
    """A key path as a warning names it (``rules[0].limit``) or as ``--set`` does
    (``rules.0.limit``), as its parts."""
    return tuple(part.strip() for part in re.sub(r"\[([^]]*)\]", r".\1", key).split("."))
