"""The page's sliders and switches for a scenario (``POST /api/controls``), derived from
the validated file and the registry's bounds and plausible ranges.

A control is a value the page shows (``value``: the scenario's own, the default) and the
overrides that put a new value into effect: each of ``overrides`` is a template in which
``${value}`` is the control's new value and ``${ID}`` the current value of the control
with that ``id`` (the target's share and year are set together, as one milestone). The
page adds them, in the order of the controls, for every control moved from its default.
An override is an ordinary ``--set`` assignment (``key=value`` or ``key+=delta``), so the
command line gives the same numbers with the same ``--set`` options.
"""

from __future__ import annotations

import json
import math
from typing import Any

from pydantic import BaseModel

from budgetsim.input.registry import (
    Defence,
    Feedback,
    ScenarioSpec,
    Source,
)
from budgetsim.web.library import Library
from budgetsim.web.service import Request, load, source_text


def _bounds(section: type[BaseModel], name: str) -> dict[str, float]:
    """The registry's hard bounds (``min``/``max``) and plausible range (``plausible-min``,
    ``plausible-max``) of a key, where it has them."""
    extra = section.model_fields[name].json_schema_extra
    out: dict[str, float] = {}
    if isinstance(extra, dict):
        for key in ("x-min", "x-max", "x-plausible-min", "x-plausible-max"):
            value = extra.get(key)
            if isinstance(value, (int, float)):
                out[key.removeprefix("x-")] = float(value)
    return out


def _unit(section: type[BaseModel], name: str) -> str:
    extra = section.model_fields[name].json_schema_extra
    unit = extra.get("x-unit") if isinstance(extra, dict) else None
    return str(unit) if unit is not None else ""


def _num(value: float) -> str:
    """A number as YAML and Python write it back exactly: 2.5, 3, 0.125."""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def _round(value: float, step: float) -> float:
    return round(round(value / step) * step, 10)


def control(
    cid: str,
    key: str,
    label: str,
    unit: str,
    value: Any,
    *,
    kind: str = "set",
    lo: float | None = None,
    hi: float | None = None,
    step: float | None = None,
    overrides: list[str] | None = None,
    help: str = "",
) -> dict[str, Any]:
    """One control as the API returns it.

    Parameters
    ----------
    cid : str
        Its id (stable for a scenario), for ``${ID}`` in templates.
    key : str
        The scenario key it changes.
    label : str
        What the page calls it.
    unit : str
        Its unit (the file's).
    value : object
        Its default: the scenario's value (0 for a shift; a bool for a switch).
    kind : str
        ``set``, ``shift`` (a ``+=`` delta) or ``switch`` (yes/no).
    lo, hi, step : float, optional
        The slider's range and step.
    overrides : list of str, optional
        Templates (default: ``key=${value}``, or ``key+=${value}`` for a shift).
    help : str
        A sentence on what it does.

    Returns
    -------
    dict
    """
    if overrides is None:
        overrides = [f"{key}{'+=' if kind == 'shift' else '='}${{value}}"]
    return {
        "id": cid,
        "key": key,
        "label": label,
        "unit": unit,
        "min": lo,
        "max": hi,
        "step": step,
        "value": value,
        "kind": kind,
        "overrides": overrides,
        "help": help,
    }


def _target_controls(spec: ScenarioSpec) -> list[dict[str, Any]]:
    d = spec.defence
    out: list[dict[str, Any]] = []
    bounds = _bounds(Defence, "milestones")
    if d.basis == "share" and d.milestones:
        year, share = sorted(d.milestones.items())[-1]
        kept = {y: v for y, v in sorted(d.milestones.items()) if y < year}
        kept_text = "".join(f"{y}: {_num(v)}, " for y, v in kept.items())
        first = max([spec.years.base, *kept]) + 1
        hi = min(bounds.get("plausible-max", 40.0), max(6.0, math.ceil(share * 2)))
        out.append(
            control(
                "target_share",
                "defence.milestones",
                f"Defence target, % of GDP (in {year})",
                "% of GDP",
                share,
                lo=max(bounds.get("min", 0.0), _round(min(d.base_share, share) / 2, 0.1)),
                hi=hi,
                step=0.05,
                overrides=[f"defence.milestones={{{kept_text}${{target_year}}: ${{value}}}}"],
                help="The share of GDP defence reaches in the target year and holds after.",
            )
        )
        out.append(
            control(
                "target_year",
                "defence.milestones",
                "Target year",
                "year",
                year,
                lo=min(first, year),
                hi=spec.years.horizon,
                step=1,
                overrides=[f"defence.milestones={{{kept_text}${{value}}: ${{target_share}}}}"],
                help="The year the target share is reached.",
            )
        )
    for k, comp in enumerate(d.components or ()):
        if not comp.milestones or comp.cash is not None:
            continue
        year, share = sorted(comp.milestones.items())[-1]
        out.append(
            control(
                f"component_{k}_share",
                f"defence.components.{k}.milestones.{year}",
                f"{comp.name}: % of GDP in {year}",
                "% of GDP",
                share,
                lo=0.0,
                hi=max(2.0, math.ceil(share * 2 + 0.5)),
                step=0.05,
                help=f"The share of GDP the {comp.name} component reaches in {year}.",
            )
        )
    return out


def _shift_controls(spec: ScenarioSpec) -> list[dict[str, Any]]:
    return [
        control(
            "growth_shift",
            "economy.real_growth",
            "Real GDP growth: shift every year by",
            "percentage points",
            0.0,
            kind="shift",
            lo=-3.0,
            hi=3.0,
            step=0.1,
            help="Added to the real growth of every projected year.",
        ),
        control(
            "gilt_shift",
            "interest.long_rate",
            "Gilt yields (new long-term debt): shift by",
            "percentage points",
            0.0,
            kind="shift",
            lo=-3.0,
            hi=3.0,
            step=0.1,
            help="Added to the market yield on new long-term debt in every year.",
        ),
        control(
            "short_rate_shift",
            "interest.short_rate",
            "Short (policy) rate: shift by",
            "percentage points",
            0.0,
            kind="shift",
            lo=-3.0,
            hi=3.0,
            step=0.1,
            help="Added to the short rate, paid on floating debt, in every year.",
        ),
    ]


def _flow(value: Any) -> str:
    """A value as one line of YAML in flow style."""
    import yaml

    return str(yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=1 << 30))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _funding_controls(spec: ScenarioSpec) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    f = spec.funding
    sources = [_plain(s.model_dump(mode="python")) for s in f.sources]
    has_tax = any(s.kind == "tax" for s in f.sources)
    if f.mode == "waterfall":
        if has_tax:
            kept = [s for s, src in zip(sources, f.sources, strict=True) if src.kind != "tax"]
            on = ["funding.tax_freeze=true", f"funding.sources={_flow(kept).strip()}"]
        else:
            added = [*sources, {"name": "tax_rise", "kind": "tax"}]
            on = ["funding.tax_freeze=false", f"funding.sources={_flow(added).strip()}"]
        out.append(
            control(
                "tax_freeze",
                "funding.tax_freeze",
                "Tax freeze kept" if not has_tax else "Tax freeze (no tax rise)",
                "yes/no",
                f.tax_freeze,
                kind="switch",
                overrides=on,
                help="Kept: what cuts do not meet is borrowed. Off: a tax rise meets the rest"
                if not has_tax
                else "On: the tax rise is dropped and what cuts do not meet is borrowed.",
            )
        )
    cap_bounds = _bounds(Source, "cap_pct_gdp")
    for k, src in enumerate(f.sources):
        if src.kind == "tax" or src.amount is not None:
            continue
        for name in ("cap_pct_gdp", "cap"):
            value = getattr(src, name)
            if value is None:
                continue
            unit = _unit(Source, name)
            if unit == "currency":
                unit = spec.meta.currency
            key = f"funding.sources.{k}.{name}"
            label = f"{src.name}: most a year"
            if isinstance(value, (int, float)):
                top = max(float(value) * 3, 1.0)
                if name == "cap_pct_gdp":
                    top = min(cap_bounds.get("plausible-max", 20.0), max(top, 1.0))
                step = 0.01 if name == "cap_pct_gdp" else _step(top)
                out.append(
                    control(
                        f"source_{k}_{name}",
                        key,
                        label,
                        unit,
                        float(value),
                        lo=0.0,
                        hi=_round(top, step),
                        step=step,
                        help=f"The most {src.name} gives a year.",
                    )
                )
            elif isinstance(value, dict) and value:
                last, top_value = sorted(value.items())[-1]
                top = max(float(top_value) * 3, 1.0)
                step = 0.01 if name == "cap_pct_gdp" else _step(top)
                out.append(
                    control(
                        f"source_{k}_{name}",
                        f"{key}.{last}",
                        f"{label} from {last}",
                        unit,
                        float(top_value),
                        lo=0.0,
                        hi=_round(top, step),
                        step=step,
                        help=f"The most {src.name} gives a year from {last} on.",
                    )
                )
            else:
                values = _path_values(value)
                step = 0.01 if name == "cap_pct_gdp" else _step(max(values or [1.0]))
                span = max(max(values or [1.0]), step)
                out.append(
                    control(
                        f"source_{k}_{name}",
                        key,
                        f"{label}: shift by",
                        unit,
                        0.0,
                        kind="shift",
                        lo=-_round(min(values or [0.0]), step) + 0.0,
                        hi=_round(span * 2, step),
                        step=step,
                        help=f"Added to the most {src.name} gives in every year.",
                    )
                )
            break
    return out


def _path_values(value: Any) -> list[float]:
    if isinstance(value, dict):
        return [float(v) for v in value.values()]
    if isinstance(value, list):
        return [float(v) for v in value]
    return [float(value)]


def _step(top: float) -> float:
    """A round step giving about 100 to 1,000 positions up to ``top``."""
    if top <= 0:
        return 1.0
    return float(10 ** math.floor(math.log10(top) - 2))


def _multiplier_controls(spec: ScenarioSpec) -> list[dict[str, Any]]:
    fb = spec.economy.feedback
    labels = {
        "defence_multiplier": "Multiplier: defence spending",
        "cuts_multiplier": "Multiplier: cuts to other spending",
        "tax_multiplier": "Multiplier: tax rises",
    }
    out = []
    for name, label in labels.items():
        b = _bounds(Feedback, name)
        out.append(
            control(
                name.removesuffix("_multiplier") + "_multiplier",
                f"economy.feedback.{name}",
                label,
                _unit(Feedback, name),
                float(getattr(fb, name)),
                lo=b.get("plausible-min", 0.0),
                hi=b.get("plausible-max", 2.0),
                step=0.05,
                help=Feedback.model_fields[name].description or "",
            )
        )
    return out


def controls_of(lib: Library, req: Request) -> str:
    """``POST /api/controls``: the controls of a scenario, and what it is.

    Parameters
    ----------
    lib : Library
        The server's scenarios.
    req : Request
        The scenario (its overrides are applied before the controls are read).

    Returns
    -------
    str
        JSON: ``{"scenario": {...}, "controls": [...], "warnings": [...]}``.

    Raises
    ------
    ApiError
    """
    source, _ = source_text(lib, req)
    loaded = load(lib, req)
    spec, scn = loaded.spec, loaded.scenario
    controls = [
        *_target_controls(spec),
        *_shift_controls(spec),
        *_funding_controls(spec),
        *_multiplier_controls(spec),
    ]
    doc = {
        "scenario": {
            "source": source,
            "title": scn.title,
            "country": scn.country,
            "currency": scn.currency,
            "base_year": scn.base_year,
            "horizon": scn.horizon,
            "components": [c.name for c in scn.components],
            "uncertainty": scn.uncertainty is not None,
            "reference": scn.reference,
            "description": spec.meta.description,
            "baseline": spec.meta.baseline,
        },
        "controls": controls,
        "warnings": [str(w) for w in scn.warnings],
    }
    return json.dumps(doc, indent=2, allow_nan=False) + "\n"
