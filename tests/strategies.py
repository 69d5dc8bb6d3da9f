"""Hypothesis strategies that build valid scenario mappings, and helpers that go through the
real loader.

A strategy here returns the mapping a user would write in YAML (percent, currency, paths in
any of their three forms); :func:`to_scenario` dumps it to YAML text and loads it with
:func:`budgetsim.load_text`, so every generated example is also checked by the schema and
the cross-key validation. Numbers are drawn on a decimal grid (no subnormals, nothing that
underflows or overflows under ``np.seterr(all="raise")``) and in plausible ranges.

Keyword switches narrow the space where an invariant only holds under conditions (for
example ``positive_debt`` or ``cash_caps=False``); each test states which it uses and why.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any, Literal

import yaml
from hypothesis import strategies as st

from budgetsim import Scenario, load_text

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

PathValue = float | list[float] | dict[int, float]
Shape = Literal["linear", "front", "back", "step"]
Mode = Literal["waterfall", "shares"]
Forms = tuple[Literal["const", "list", "map"], ...]
ALL_FORMS: Forms = ("const", "list", "map")
SHAPES: tuple[Shape, ...] = ("linear", "front", "back", "step")
RULE_TYPES = (
    "deficit_ceiling",
    "current_balance",
    "debt_falling",
    "debt_ceiling",
    "interest_ceiling",
)


@functools.cache
def decimals(lo: float, hi: float, places: int = 2) -> st.SearchStrategy[float]:
    """Numbers in [lo, hi] on a grid of ``10**-places``: plausible, and they shrink well.
    (Cached: building strategies afresh for every draw is most of the generation time.)"""
    unit = 10**places
    return st.integers(round(lo * unit), round(hi * unit)).map(lambda i: i / unit)


@functools.cache
def _ints(lo: int, hi: int) -> st.SearchStrategy[int]:
    return st.integers(lo, hi)


@functools.cache
def _choice(options: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    return st.sampled_from(options)


BOOLS = st.booleans()


def draw_path(
    draw: st.DrawFn,
    t0: int,
    n: int,
    lo: float,
    hi: float,
    *,
    forms: Forms = ALL_FORMS,
    places: int = 2,
    scale: float = 1.0,
) -> PathValue:
    """A path over the ``n`` years after ``t0``: a constant, a list (possibly longer than
    needed) or a ``{year: value}`` map whose first year is no later than ``t0 + 1``.
    ``scale`` multiplies every value (cash paths drawn as a share of base-year GDP)."""
    value = decimals(lo, hi, places)
    form = draw(_choice(forms))
    if form == "const":
        return draw(value) * scale
    if form == "list":
        # a few runs of equal values (cheaper to draw than one value a year, and just as
        # good at changing from year to year), possibly longer than the horizon needs
        length = n + draw(_ints(0, 4))
        out: list[float] = []
        while len(out) < length:
            left = length - len(out)
            run = draw(_ints(1, left)) if len(out) < 3 * n // 4 else left
            out.extend([draw(value) * scale] * run)
        return out
    first = t0 + 1 - draw(_ints(0, 3))
    later = draw(st.sets(_ints(1, t0 + n + 4 - first), max_size=3))
    return {year: draw(value) * scale for year in sorted({first, *(first + d for d in later)})}


def map_path(path: PathValue, fn: Callable[[float], float]) -> PathValue:
    """Apply ``fn`` to every value of a path, keeping its form."""
    if isinstance(path, dict):
        return {k: fn(v) for k, v in path.items()}
    if isinstance(path, list):
        return [fn(v) for v in path]
    return fn(path)


def _some_years(draw: st.DrawFn, years: list[int], lo: int, hi: int) -> list[int]:
    picks = draw(st.sets(_ints(0, len(years) - 1), min_size=lo, max_size=min(hi, len(years))))
    return [years[i] for i in sorted(picks)]


def _rule(draw: st.DrawFn, i: int, years: list[int]) -> dict[str, Any]:
    kind = draw(_choice(RULE_TYPES))
    rule: dict[str, Any] = {"name": f"rule {i}", "type": kind}
    if draw(BOOLS):
        rule["years"] = _some_years(draw, years, 1, 3)
    if kind == "deficit_ceiling":
        rule["limit"] = draw(decimals(-2, 10))
    elif kind == "debt_ceiling":
        rule["limit"] = draw(decimals(0, 200))
    elif kind == "interest_ceiling":
        rule["limit"] = draw(decimals(1, 30))
    if kind != "interest_ceiling" and draw(BOOLS):
        rule["defence_exemption"] = draw(decimals(0, 3))
    if kind in ("deficit_ceiling", "current_balance") and draw(BOOLS):
        rule["escape_clause"] = {
            "limit": draw(decimals(0, 3)),
            "years": _some_years(draw, years, 1, 4),
        }
    return rule


@st.composite
def scenario_dicts(
    draw: st.DrawFn,
    *,
    min_years: int = 1,
    max_years: int = 40,
    n_years: int | None = None,
    event_years: int | None = None,
    basis: Literal["share", "cash", "any"] = "any",
    feedback: bool = True,
    risk_premium: bool = True,
    tax: bool = True,
    sources: bool = True,
    min_sources: int = 0,
    mode: Mode | Literal["any"] = "any",
    shape: Shape | Literal["any"] = "any",
    cash_caps: bool = True,
    baseline_share: bool = True,
    positive_debt: bool = False,
    forms: Forms = ALL_FORMS,
) -> dict[str, Any]:
    """A valid scenario mapping, as written in YAML.

    - ``n_years``: fix the number of projected years (else drawn in [min_years, max_years]);
      ``event_years``: milestones and rule years fall in the first ``event_years`` years only
      (so the same mapping stays valid with the horizon brought forward).
    - ``basis``: the defence basis; ``feedback``/``risk_premium``: allow them switched on.
    - ``shape``: the shape between milestones (else drawn).
    - ``tax``: allow the freeze lifted (tax sources only then); ``sources``: allow funding
      pools at all, at least ``min_sources`` of them; ``mode``: the funding mode (else
      drawn); ``cash_caps``: allow caps in cash (else only in % of GDP or none).
    - ``baseline_share``: allow a baseline share path other than the held base share.
    - ``positive_debt``: debt stays positive in every year: positive base-year debt, other
      spending at least receipts (a primary deficit before defence, so PSNB >= interest, and
      cuts and tax rises never exceed the extra spending), a non-negative stock-flow
      adjustment; every rate drawn here is above -1 %, so B_t >= B_{t-1} (1 + r_t) > 0.
    - ``forms``: the forms time paths may take.
    """
    t0 = draw(_ints(1990, 2100))
    n = n_years if n_years is not None else draw(_ints(min_years, max_years))
    ev = n if event_years is None else min(event_years, n)
    years = list(range(t0 + 1, t0 + ev + 1))
    gdp = draw(decimals(1, 100_000, 2))

    def path(lo: float, hi: float, *, places: int = 2, scale: float = 1.0) -> PathValue:
        return draw_path(draw, t0, n, lo, hi, forms=forms, places=places, scale=scale)

    # economy
    fb: dict[str, float] = {}
    if feedback and draw(_ints(0, 3)) == 0:  # mostly off
        fb = {
            "persistence": draw(decimals(0, 0.8)),
            "defence_multiplier": draw(decimals(0, 1.5)),
            "cuts_multiplier": draw(decimals(0, 1.5)),
            "tax_multiplier": draw(decimals(0, 1.5)),
        }
    economy: dict[str, Any] = {
        "gdp": gdp,
        "real_growth": path(-3, 6),
        "deflator": path(-1, 8),
    }
    if fb:
        economy["feedback"] = fb

    # defence
    base_share = draw(decimals(0.5, 5))
    chosen_basis = draw(_choice(("share", "cash"))) if basis == "any" else basis
    defence: dict[str, Any] = {"base_share": base_share, "basis": chosen_basis}
    k = draw(_ints(1 if chosen_basis == "share" else 0, min(3, ev)))
    if k:
        ms_years = _some_years(draw, years, k, k)
        defence["milestones"] = {y: draw(decimals(0, 8)) for y in ms_years}
    defence["shape"] = draw(_choice(SHAPES)) if shape == "any" else shape
    if defence["shape"] in ("front", "back") and draw(BOOLS):
        defence["shape_power"] = draw(decimals(1, 5))
    if chosen_basis == "cash":
        defence["cash"] = path(1, 6, scale=gdp / 100)
        defence["cash_prices"] = draw(_choice(("nominal", "real")))
        defence["price_premium"] = draw(decimals(-2, 5))
    if baseline_share and draw(_ints(0, 3)) == 0:
        defence["baseline_share"] = path(max(0.0, base_share - 1), base_share + 1)
    if draw(BOOLS):
        defence["capital_share"] = draw(decimals(0, 50))

    # funding
    freeze = True if not tax else draw(BOOLS)
    chosen_mode = draw(_choice(("waterfall", "shares"))) if mode == "any" else mode
    n_sources = draw(_ints(min_sources, 3)) if sources else 0
    pools: list[dict[str, Any]] = []
    for i in range(n_sources):
        kind = "cuts" if freeze else draw(_choice(("cuts", "tax")))
        src: dict[str, Any] = {"name": f"{kind}_{i}", "kind": kind}
        cap = draw(_choice(("none", "cash", "pct") if cash_caps else ("none", "pct")))
        if cap == "cash":
            src["cap"] = path(0, 2, scale=gdp / 100)
        elif cap == "pct":
            src["cap_pct_gdp"] = path(0, 2)
        if chosen_mode == "shares":
            src["share"] = draw(decimals(0, 100 / n_sources))
        pools.append(src)
    funding = {"mode": chosen_mode, "tax_freeze": freeze, "sources": pools}

    # public finances
    if positive_debt:
        debt_ratio, rec, oth, sfa = (0.1, 1.5), (34, 40), (40, 44), (0.0, 2.0)
    else:
        debt_ratio, rec, oth, sfa = (-0.5, 1.5), (33, 43), (33, 43), (-2.0, 2.0)
    finances: dict[str, Any] = {
        "debt": round(draw(decimals(*debt_ratio, 3)) * gdp, 3),
        "psnb": round(draw(decimals(-5, 10)) * gdp / 100, 3),
        "receipts": path(*rec),
        "other_spending": path(*oth),
    }
    if draw(BOOLS):
        finances["other_investment"] = path(-1, 4)
    if draw(BOOLS):
        finances["sfa"] = path(*sfa, scale=gdp / 100)

    # interest
    interest: dict[str, Any] = {
        "maturity": 1.0 if draw(_ints(0, 4)) == 0 else draw(decimals(1, 30, 1)),
        "conventional_rate": draw(decimals(-0.5, 8)),
        "short_rate": path(-0.5, 8),
        "long_rate": path(-0.5, 8),
    }
    if draw(BOOLS):
        interest["floating_share"] = draw(decimals(0, 40))
    if draw(BOOLS):
        interest["index_linked_share"] = draw(decimals(0, 30))
        interest["real_index_linked_rate"] = path(-0.5, 3)
        interest["index_inflation"] = path(0, 6)
    # The premium feeds on the debt ratio it raises (a debt spiral); kept mild, and only on
    # horizons short enough that the worst case drawn here stays far from overflow.
    if risk_premium and n <= 20 and draw(_ints(0, 3)) == 0:
        interest["risk_premium"] = {
            "slope": draw(decimals(0, 0.02, 3)),
            "threshold": draw(decimals(60, 150)),
        }

    rules = [_rule(draw, i, years) for i in range(draw(_ints(0, 3)))]

    return {
        "meta": {"title": "generated", "country": "Testland", "currency": "TLD bn"},
        "years": {
            "base": t0,
            "horizon": t0 + n,
            "label": draw(_choice(("fiscal", "calendar"))),
        },
        "economy": economy,
        "defence": defence,
        "funding": funding,
        "finances": finances,
        "interest": interest,
        "rules": rules,
    }


@st.composite
def horizon_pairs(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """(short, long): the same scenario to an earlier and a later horizon. Lists cover the
    later horizon (so the earlier one cuts them), maps and milestones and rule years lie
    within the earlier one."""
    n_short = draw(_ints(1, 25))
    n_long = draw(_ints(n_short + 1, 40))
    long = draw(scenario_dicts(n_years=n_long, event_years=n_short))
    short = copy.deepcopy(long)
    short["years"]["horizon"] = long["years"]["base"] + n_short
    return short, long


def to_scenario(data: dict[str, Any], source: str = "<hypothesis>") -> Scenario:
    """Dump the mapping to YAML text and load it through the real loader (libyaml's emitter
    where PyYAML has it: the safe representer, so floats round-trip exactly)."""
    return load_text(to_text(data), source)


def to_text(data: dict[str, Any]) -> str:
    """The mapping as the YAML text :func:`to_scenario` loads."""
    return str(yaml.dump(data, Dumper=_DUMPER, sort_keys=False))


# -- transformations of a scenario mapping ------------------------------------------------


CURRENCY_KEYS = (("economy", "gdp"), ("finances", "debt"), ("finances", "psnb"))
CURRENCY_PATHS = (("finances", "sfa"), ("defence", "cash"))


def scale_currency(data: dict[str, Any], k: float) -> dict[str, Any]:
    """Every currency level times ``k``: GDP, debt, base-year borrowing, the stock-flow
    adjustment, cash defence and cash caps. Percentages and rates are left alone."""
    out = copy.deepcopy(data)
    for section, key in CURRENCY_KEYS:
        out[section][key] = out[section][key] * k
    for section, key in CURRENCY_PATHS:
        if key in out[section]:
            out[section][key] = map_path(out[section][key], lambda v: v * k)
    for src in out["funding"]["sources"]:
        if "cap" in src:
            src["cap"] = map_path(src["cap"], lambda v: v * k)
    return out


def shift_paths(
    data: dict[str, Any], keys: tuple[tuple[str, str], ...], delta: float
) -> dict[str, Any]:
    """Add ``delta`` (percentage points) to every value of the named paths."""
    out = copy.deepcopy(data)
    for section, key in keys:
        if key in out[section]:
            out[section][key] = map_path(out[section][key], lambda v: round(v + delta, 6))
    return out


def raise_milestones(data: dict[str, Any], delta: float) -> dict[str, Any]:
    """Every milestone share ``delta`` points higher (same years, same shape)."""
    out = copy.deepcopy(data)
    ms = out["defence"]["milestones"]
    out["defence"]["milestones"] = {y: round(v + delta, 6) for y, v in ms.items()}
    return out


def funded_by_uncapped_tax(data: dict[str, Any]) -> dict[str, Any]:
    """The freeze lifted and every pound of extra spending met by a tax rise."""
    out = copy.deepcopy(data)
    out["funding"] = {
        "mode": "waterfall",
        "tax_freeze": False,
        "sources": [{"name": "tax_rise", "kind": "tax"}],
    }
    return out


def nominal_growth_pct(g: float, p: float) -> float:
    """Nominal GDP growth in percent from real growth and the deflator, both in percent."""
    return ((1.0 + g / 100.0) * (1.0 + p / 100.0) - 1.0) * 100.0


@st.composite
def steady_state_dicts(draw: st.DrawFn) -> dict[str, Any]:
    """A scenario whose debt ratio the model must hold constant (invariant 9).

    The interest rate on all debt equals nominal GDP growth (no floating or index-linked
    debt, conventional_rate = long_rate = (1+g)(1+p)-1, no risk premium), the primary
    balance is zero (receipts = other spending + the defence share, no extra defence
    spending, no stock-flow adjustment). With a maturity above one year the effective rate
    lags the market rate, so growth, deflator and rate are constant; with maturity 1 the whole
    stock re-prices each year and they may vary year by year (list form)."""
    data = draw(scenario_dicts(risk_premium=False, baseline_share=False, basis="share"))
    n = data["years"]["horizon"] - data["years"]["base"]
    s0 = data["defence"]["base_share"]
    if draw(BOOLS):
        maturity = 1.0
        g = draw(st.lists(decimals(-3, 6), min_size=n, max_size=n))
        p = draw(st.lists(decimals(-1, 8), min_size=n, max_size=n))
        yearly = [nominal_growth_pct(a, b) for a, b in zip(g, p, strict=True)]
        nominal: PathValue = yearly
        rate0 = yearly[0]
        growth: PathValue = list(g)
        deflator: PathValue = list(p)
    else:
        maturity = draw(decimals(1, 30, 1))
        g0, p0 = draw(decimals(-3, 6)), draw(decimals(-1, 8))
        growth, deflator = g0, p0
        nominal = rate0 = nominal_growth_pct(g0, p0)
    data["economy"]["real_growth"] = growth
    data["economy"]["deflator"] = deflator
    data["defence"]["milestones"] = dict.fromkeys(data["defence"]["milestones"], s0)
    data["interest"] = {
        "maturity": maturity,
        "conventional_rate": rate0,
        "short_rate": data["interest"]["short_rate"],
        "long_rate": nominal,
    }
    fin = data["finances"]
    fin.pop("sfa", None)
    fin["receipts"] = map_path(fin["other_spending"], lambda v: v + s0)
    return data


def _funding_sources(
    draw: st.DrawFn,
    prefix: str,
    t0: int,
    n: int,
    gdp: float,
    *,
    mode: str,
    freeze: bool,
    count: int,
) -> list[dict[str, Any]]:
    """``count`` funding sources named ``{prefix}{i}``: caps in cash, in % of GDP or none;
    a share each in shares mode (adding up to at most 100 %)."""
    out: list[dict[str, Any]] = []
    for i in range(count):
        kind = "cuts" if freeze else draw(_choice(("cuts", "tax")))
        src: dict[str, Any] = {"name": f"{prefix}{i}", "kind": kind}
        cap = draw(_choice(("none", "cash", "pct")))
        if cap == "cash":
            src["cap"] = draw_path(draw, t0, n, 0, 2, scale=gdp / 100)
        elif cap == "pct":
            src["cap_pct_gdp"] = draw_path(draw, t0, n, 0, 2)
        if mode == "shares":
            src["share"] = draw(decimals(0, 100 / count))
        out.append(src)
    return out


@st.composite
def component_dicts(draw: st.DrawFn, /, **kwargs: Any) -> dict[str, Any]:
    """A valid scenario mapping (:func:`scenario_dicts` on the share basis, ``kwargs``
    passed on) whose defence is split into one to three components.

    Each component follows milestones, a cash path (nominal or real) or its base share
    held; it may have its own baseline share path, capital share, ``in_other_spending``
    and funding of its own (either mode, zero to two sources, tax only when the scenario's
    freeze is lifted). Source names are unique across the file.
    """
    data = draw(scenario_dicts(basis="share", **kwargs))
    t0 = data["years"]["base"]
    n = data["years"]["horizon"] - t0
    gdp = data["economy"]["gdp"]
    freeze = data["funding"]["tax_freeze"]
    ms_years = sorted(data["defence"].get("milestones", {})) or [t0 + 1]
    comps: list[dict[str, Any]] = []
    for i in range(draw(_ints(1, 3))):
        share0 = draw(decimals(0.1, 3))
        comp: dict[str, Any] = {"name": f"comp{i}", "base_share": share0}
        path_kind = draw(_choice(("milestones", "cash", "held")))
        if path_kind == "milestones":
            years = _some_years(draw, ms_years, 1, len(ms_years))
            comp["milestones"] = {y: draw(decimals(0, 6)) for y in years}
            comp["shape"] = draw(_choice(SHAPES))
        elif path_kind == "cash":
            comp["cash"] = draw_path(draw, t0, n, 0, 4, scale=gdp / 100)
            comp["cash_prices"] = draw(_choice(("nominal", "real")))
        if draw(_ints(0, 3)) == 0:
            comp["baseline_share"] = draw_path(draw, t0, n, max(0.0, share0 - 0.5), share0 + 0.5)
        if draw(BOOLS):
            comp["capital_share"] = draw(decimals(0, 60))
        if draw(_ints(0, 3)) == 0:
            comp["in_other_spending"] = True
        if draw(BOOLS):
            mode = draw(_choice(("waterfall", "shares")))
            comp["funding"] = {
                "mode": mode,
                "sources": _funding_sources(
                    draw, f"own{i}_", t0, n, gdp, mode=mode, freeze=freeze, count=draw(_ints(0, 2))
                ),
            }
        comps.append(comp)
    defence = {
        key: value
        for key, value in data["defence"].items()
        if key not in ("milestones", "baseline_share", "capital_share", "cash", "cash_prices")
    }
    defence["basis"] = "share"
    defence["base_share"] = sum(c["base_share"] for c in comps)
    defence["price_premium"] = draw(decimals(-2, 5))
    defence["components"] = comps
    data["defence"] = defence
    return data
