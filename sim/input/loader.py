"""YAML text -> validated, frozen :class:`Scenario`; every problem reported with its line.

The loader reads no files itself: the caller passes the text and, for ``extends:``, a
``resolve(reference, from_source) -> (source, text)`` function (``budgetsim.cli.files`` gives
one that reads from disk). That keeps the model package free of I/O and lets tests load
scenarios from strings.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from budgetsim.errors import Loc, Problem, ScenarioError, format_loc
from budgetsim.input.build import build_scenario
from budgetsim.input.plausibility import implausible
from budgetsim.input.registry import ScenarioSpec, Section
from budgetsim.input.yamltext import parse_value, parse_yaml
from budgetsim.model.scenario import Scenario

Resolver = Callable[[str, str], tuple[str, str]]
Origins = dict[Loc, tuple[str, int | None]]

MAX_EXTENDS_DEPTH = 16


def _section_paths(model: type[BaseModel], prefix: Loc = ()) -> set[Loc]:
    """Key paths that are sections (merged key by key under ``extends``)."""
    out: set[Loc] = {prefix}
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, Section):
            out |= _section_paths(ann, (*prefix, name))
    return out


SECTIONS = _section_paths(ScenarioSpec)


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The section model a key path points into, for listing the keys it allows."""
    model: type[BaseModel] = ScenarioSpec
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        ann = field.annotation
        args = getattr(ann, "__args__", ())
        candidates = [ann, *args]
        for arg in args:
            candidates.extend(getattr(arg, "__args__", ()))
        nxt = next((c for c in candidates if isinstance(c, type) and issubclass(c, Section)), None)
        if nxt is None:
            return None
        model = nxt
    return model


def _merge(
    parent: dict[str, Any],
    p_origin: Origins,
    child: dict[str, Any],
    c_origin: Origins,
    loc: Loc = (),
) -> None:
    """Merge ``child`` into ``parent`` in place: sections key by key, anything else replaced."""
    for key, value in child.items():
        here = (*loc, key)
        if here in SECTIONS and isinstance(value, dict) and isinstance(parent.get(key), dict):
            p_origin[here] = c_origin[here]
            _merge(parent[key], p_origin, value, c_origin, here)
            continue
        for old in [k for k in p_origin if k[: len(here)] == here]:
            del p_origin[old]
        parent[key] = value
        for k, v in c_origin.items():
            if k[: len(here)] == here:
                p_origin[k] = v


def _read(
    text: str, source: str, resolve: Resolver | None, chain: tuple[str, ...]
) -> tuple[dict[str, Any], Origins]:
    data, lines = parse_yaml(text, source)
    origins: Origins = dict(lines)
    parent_ref = data.pop("extends", None)
    if parent_ref is None:
        return data, origins
    line = lines.get(("extends",), (source, None))[1]
    if not isinstance(parent_ref, str):
        raise ScenarioError.single(source, "must name a scenario file", line, ("extends",))
    if resolve is None:
        raise ScenarioError.single(
            source, "cannot follow 'extends' when loading from a string", line, ("extends",)
        )
    try:
        parent_source, parent_text = resolve(parent_ref, source)
    except ScenarioError as exc:
        # A problem at a line of the parent names the parent itself; one without a line
        # (no such file, say) is best shown where the child refers to it.
        raise ScenarioError(
            p
            if p.line is not None
            else Problem(source, line, ("extends",), f"{parent_ref}: {p.message}")
            for p in exc.problems
        ) from None
    if parent_source in chain or parent_source == source:
        cycle = " -> ".join((*chain, source, parent_source))
        raise ScenarioError.single(source, f"extends cycle: {cycle}", line, ("extends",))
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError.single(
            source, f"more than {MAX_EXTENDS_DEPTH} levels of extends", line, ("extends",)
        )
    base, base_origins = _read(parent_text, parent_source, resolve, (*chain, source))
    _merge(base, base_origins, data, origins)
    return base, base_origins


def read_merged(
    text: str, source: str, resolve: Resolver | None = None
) -> tuple[dict[str, Any], Origins]:
    """The scenario's data after ``extends`` (before validation) and where each key path
    was written: ``loc -> (source, line)``. The report uses it to show each figure's
    source comment.

    Parameters
    ----------
    text : str
        The scenario's YAML text.
    source : str
        Its name (a file path), relative to which ``extends`` is followed.
    resolve : callable, optional
        ``resolve(reference, from_source) -> (source, text)`` finds an ``extends:`` parent;
        without it a file that extends another is refused.

    Returns
    -------
    data : dict
        The merged keys, as the YAML gives them (percent, currency).
    origins : dict of tuple to (str, int or None)
        Key path to the file and line that set it.

    Raises
    ------
    ScenarioError
        Invalid YAML, a parent that cannot be read, an ``extends`` cycle or chain too deep.
    """
    return _read(text, source, resolve, ())


def parse_override(assignment: str) -> tuple[Loc, Any]:
    """``"defence.milestones={2030: 3}"`` -> (key path, value parsed as YAML).

    Parameters
    ----------
    assignment : str
        ``key.path=value``, as ``--set`` gives it; a number in the path is a list item.

    Returns
    -------
    loc : tuple of str and int
        The key path.
    value : object
        The value parsed as YAML; None for an empty value.

    Raises
    ------
    ScenarioError
        No ``=``, an empty key, or a value that is not YAML (source ``--set``).
    """
    key, sep, raw = assignment.partition("=")
    if not sep or not key.strip():
        raise ScenarioError.single("--set", f"{assignment!r}: expected key.path=value")
    loc: Loc = tuple(int(p) if p.isdigit() else p for p in key.strip().split("."))
    try:
        value = parse_value(raw, "--set") if raw.strip() else None
    except ScenarioError as exc:
        (problem,) = exc.problems
        message = problem.message.replace("invalid YAML: ", "the value is not YAML: ", 1)
        raise ScenarioError.single("--set", message, loc=loc) from None
    return loc, value


def _apply_override(data: dict[str, Any], origins: Origins, loc: Loc, value: Any) -> None:
    target: Any = data
    for i, part in enumerate(loc[:-1]):
        nxt = target.get(part) if isinstance(target, dict) else None
        if isinstance(target, list):
            nxt = target[_check_index(target, part, loc)]
        if nxt is None and isinstance(target, dict):
            # A section the override creates: its problems are the override's, not those
            # of the mapping (perhaps in a parent file) it was added to.
            nxt = target[part] = {}
            origins[loc[: i + 1]] = ("--set", None)
        if not isinstance(nxt, (dict, list)):
            raise ScenarioError.single(
                "--set",
                f"{format_loc(loc[: i + 1])} is not a section, cannot set inside it",
                loc=loc,
            )
        target = nxt
    last = loc[-1]
    if isinstance(target, list):
        target[_check_index(target, last, loc)] = value
    else:
        target[last] = value
    for old in [k for k in origins if k[: len(loc)] == loc]:
        del origins[old]
    origins[loc] = ("--set", None)


def _check_index(items: list[Any], part: str | int, loc: Loc) -> int:
    if not isinstance(part, int):
        raise ScenarioError.single("--set", "this is a list: give an item number", loc=loc)
    if part >= len(items):
        raise ScenarioError.single(
            "--set", f"no item {part}: the list has {len(items)} (numbered from 0)", loc=loc
        )
    return part


def _locate(origins: Origins, loc: Loc, default: str) -> tuple[str, int | None]:
    for n in range(len(loc), -1, -1):
        hit = origins.get(loc[:n])
        if hit is not None:
            return hit
    return default, None


def _message(err: Mapping[str, Any]) -> str:
    kind, msg, loc = err["type"], str(err["msg"]), tuple(err["loc"])
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        allowed = sorted(model.model_fields) if model is not None else []
        hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        text = "unknown key"
        if hint:
            text += f"; did you mean '{hint[0]}'?"
        if allowed:
            text += f" (allowed here: {', '.join(allowed)})"
        return text
    if kind == "missing":
        return "required key is missing"
    if kind in ("bounds", "path", "literal_error"):
        return msg
    value = err.get("input")
    if isinstance(value, (int, float, str, bool)) or value is None:
        return f"{msg} (got {value!r})"
    return msg


@dataclass(frozen=True)
class Loaded:
    """A loaded scenario and the validated file it was built from.

    The spec is for the input layer's own uses (writing a solved scenario back as YAML);
    everything after loading reads only the Scenario.
    """

    spec: ScenarioSpec
    scenario: Scenario


def parse(
    text: str,
    source: str = "<string>",
    *,
    resolve: Resolver | None = None,
    overrides: Iterable[str] = (),
) -> Loaded:
    """Parse, merge ``extends``, apply ``key.path=value`` overrides, validate, build.

    Raises :class:`ScenarioError` listing every problem as ``SOURCE:LINE: key.path: message``.
    Values that are valid but implausible for their key come back as
    :attr:`Scenario.warnings`, located the same way.

    Parameters
    ----------
    text : str
        The YAML text.
    source : str
        Its name in messages, e.g. the file's path.
    resolve : callable, optional
        ``resolve(reference, from_source) -> (source, text)`` finds an ``extends:`` parent;
        without it a file that extends another is refused.
    overrides : iterable of str
        ``key.path=value`` assignments applied after ``extends``, as ``--set`` does.

    Returns
    -------
    Loaded
        The validated spec (values as written: percent, currency) and the Scenario (model
        units).

    Raises
    ------
    ScenarioError
        Every problem found, one per line.
    """
    data, origins = _read(text, source, resolve, ())
    for assignment in overrides:
        loc, value = parse_override(assignment)
        _apply_override(data, origins, loc, value)
    try:
        spec = ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            # pydantic marks an error in a map's key with a '[key]' part; the key is enough.
            loc = tuple(part for part in err["loc"] if part != "[key]")
            src, line = _locate(origins, loc, source)
            problems.append(Problem(src, line, loc, _message(err)))
        raise ScenarioError(problems) from None
    warnings = tuple(
        Problem(*_locate(origins, loc, source), loc, f"warning: {message}")
        for loc, message in implausible(spec)
    )
    scenario, cross = build_scenario(spec, source, warnings)
    if cross or scenario is None:
        raise ScenarioError(
            Problem(*_locate(origins, loc, source), loc, message) for loc, message in cross
        )
    return Loaded(spec, scenario)


def load_text(
    text: str,
    source: str = "<string>",
    *,
    resolve: Resolver | None = None,
    overrides: Iterable[str] = (),
) -> Scenario:
    """The Scenario of a scenario's YAML text (see :func:`parse`).

    Parameters
    ----------
    text : str
        The YAML text.
    source : str
        Its name in messages, e.g. the file's path.
    resolve : callable, optional
        ``resolve(reference, from_source) -> (source, text)`` finds an ``extends:`` parent;
        without it a file that extends another is refused.
    overrides : iterable of str
        ``key.path=value`` assignments applied after ``extends``, as ``--set`` does.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Every problem found, one per line.
    """
    return parse(text, source, resolve=resolve, overrides=overrides).scenario
