"""Writing a changed scenario back as YAML: a solver's answer applied to the file it solved.

A solver returns a changed :class:`~budgetsim.model.scenario.Scenario` (a new target, or an
exact amount a year from each funding source) and says what it changed in the file's own
units (``Solution.target``: year and % of GDP; each pool's ``amount``: currency a year).
This module makes the same change to the validated file and writes it as YAML, so
``budgetsim run`` on the written file gives exactly the numbers of the solved scenario. It
makes text only; the command line writes it to disk.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from budgetsim.input.registry import ScenarioSpec, Source
from budgetsim.model.scenario import Scenario
from budgetsim.model.units import to_percent


def with_target(spec: ScenarioSpec, year: int, share_pct: float) -> ScenarioSpec:
    """The defence path reaching ``share_pct`` % of GDP in ``year`` and held after it, as
    :meth:`Scenario.with_target` builds it: the target takes the place of the last
    milestone; the milestones before it are kept where they fall before ``year``.

    Parameters
    ----------
    spec : ScenarioSpec
        The validated file.
    year : int
        The target year.
    share_pct : float, % of GDP
        The target share, as the file writes it.

    Returns
    -------
    ScenarioSpec
        A copy on the share basis with the new milestones.
    """
    before = sorted((spec.defence.milestones or {}).items())[:-1]
    kept = {y: v for y, v in before if y < year}
    kept[year] = float(share_pct)
    defence = spec.defence.model_copy(update={"milestones": kept, "basis": "share"})
    return spec.model_copy(update={"defence": defence})


def with_amounts(spec: ScenarioSpec, scenario: Scenario) -> ScenarioSpec:
    """Each funding source that gives an exact ``amount`` in ``scenario`` gives it in the
    file too (currency, one value a year); the others keep their settings.

    Parameters
    ----------
    spec : ScenarioSpec
        The validated file.
    scenario : Scenario
        A solved scenario whose pools may carry an ``amount`` path, shape (years,),
        currency.

    Returns
    -------
    ScenarioSpec
        A copy whose sources with an amount (the scenario's, and each component's own) have
        no cap, cap_pct_gdp or share.
    """
    fixed = {p.name: p.amount for p in scenario.pools if p.amount is not None}

    def exact(sources: list[Source]) -> list[Source]:
        out = []
        for src in sources:
            amount = fixed.get(src.name)
            if amount is not None:
                values = [float(v) for v in amount]
                src = src.model_copy(
                    update={"amount": values, "cap": None, "cap_pct_gdp": None, "share": None}
                )
            out.append(src)
        return out

    funding = spec.funding.model_copy(update={"sources": exact(spec.funding.sources)})
    update: dict[str, Any] = {"funding": funding}
    if spec.defence.components:  # a component's own sources are named as uniquely
        comps = [
            c
            if c.funding is None
            else c.model_copy(
                update={
                    "funding": c.funding.model_copy(update={"sources": exact(c.funding.sources)})
                }
            )
            for c in spec.defence.components
        ]
        update["defence"] = spec.defence.model_copy(update={"components": comps})
    return spec.model_copy(update=update)


def solved_spec(
    spec: ScenarioSpec, scenario: Scenario, target: tuple[int, float] | None
) -> ScenarioSpec:
    """The file of a solved scenario: its target (year, % of GDP), if the solver moved it,
    and every exact amount.

    Parameters
    ----------
    spec : ScenarioSpec
        The validated file that was solved.
    scenario : Scenario
        The solved scenario (``Solution.scenario``).
    target : tuple of (int, float) or None
        ``Solution.target``: the year and share, % of GDP, or None when unmoved.

    Returns
    -------
    ScenarioSpec
    """
    if target is not None and scenario.components:
        spec = _with_component_target(spec, scenario)
    elif target is not None:
        spec = with_target(spec, *target)
    return with_amounts(spec, scenario)


def _with_component_target(spec: ScenarioSpec, scenario: Scenario) -> ScenarioSpec:
    """The solved scenario's driver milestones and headline target written into the file
    (the solver moved them as :meth:`Scenario.with_target` describes)."""
    k = scenario.driver
    driver = scenario.components[k]
    scale = to_percent(1.0)
    comps = list(spec.defence.components or ())
    comps[k] = comps[k].model_copy(
        update={"milestones": {y: v * scale for y, v in driver.milestones}}
    )
    update: dict[str, Any] = {"components": comps}
    if spec.defence.targets and scenario.targets:
        head = scenario.targets[0]
        first = spec.defence.targets[0].model_copy(
            update={"year": head.year, "share": head.share * scale}
        )
        update["targets"] = [first, *spec.defence.targets[1:]]
    return spec.model_copy(update={"defence": spec.defence.model_copy(update=update)})


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

    Parameters
    ----------
    spec : ScenarioSpec
        The scenario to write.
    header : sequence of str
        Lines of the comment block the file opens with (without ``#``).

    Returns
    -------
    str
        The YAML text; keys left at None are left out.
    """
    import yaml

    data = _plain(spec.model_dump(mode="python", exclude={"extends"}))
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header)
    return comments + body
