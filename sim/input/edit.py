"""Changing a validated scenario the way a solver does, and writing it back as YAML text.

A solver's answer is a new :class:`ScenarioSpec` (a target milestone, or each funding
source's amount per year), so the answer is run by the same loader-built path as any file
and ``budgetsim run`` on the written YAML gives exactly the same numbers. This module makes
text only; the command line writes it to disk.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from budgetsim.input.errors import ScenarioError, format_loc
from budgetsim.input.registry import ScenarioSpec
from budgetsim.model.scenario import Scenario, build_scenario


def with_target(spec: ScenarioSpec, year: int, share_pct: float) -> ScenarioSpec:
    """The defence path reaching ``share_pct`` % of GDP in ``year`` and held after it.

    The new target takes the place of the last milestone (the scenario's target); the
    milestones before it are kept where they fall before ``year``, the rest dropped.
    """
    before = sorted((spec.defence.milestones or {}).items())[:-1]
    kept = {y: v for y, v in before if y < year}
    kept[year] = float(share_pct)
    defence = spec.defence.model_copy(update={"milestones": kept})
    return spec.model_copy(update={"defence": defence})


def with_amounts(spec: ScenarioSpec, amounts: Mapping[str, Sequence[float]]) -> ScenarioSpec:
    """Each named source gives exactly its amount a year (currency, one value a year).

    Written as a cash cap in waterfall mode: when the amounts add up to no more than the
    extra spending, each source in turn gives its cap, which is the amount. Sources not
    named keep their settings.
    """
    sources = []
    for src in spec.funding.sources:
        if src.name in amounts:
            cap = [max(0.0, float(v)) for v in amounts[src.name]]
            src = src.model_copy(update={"cap": cap, "cap_pct_gdp": None, "share": None})
        elif spec.funding.mode == "shares":
            src = src.model_copy(update={"share": None})
        sources.append(src)
    funding = spec.funding.model_copy(update={"mode": "waterfall", "sources": sources})
    return spec.model_copy(update={"funding": funding})


def rebuild(spec: ScenarioSpec, source: str) -> Scenario:
    """The model-unit scenario of an edited spec (the same builder the loader uses)."""
    scenario, problems = build_scenario(spec, source)
    if problems or scenario is None:
        raise ScenarioError.single(
            source, "; ".join(f"{format_loc(loc)}: {msg}" for loc, msg in problems)
        )
    return scenario


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def to_yaml(spec: ScenarioSpec, header: Sequence[str] = ()) -> str:
    """The scenario as a complete YAML file (no ``extends``) that loads back to ``spec``.

    Floats are written with Python's shortest round-trip form, so every number reads back
    bit for bit.
    """
    import yaml

    data = _plain(spec.model_dump(mode="python", exclude={"extends"}))
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header)
    return comments + body
