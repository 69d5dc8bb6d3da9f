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
from pydantic.fields import FieldInfo

from budgetsim.errors import Loc, Problem, ScenarioError, format_loc
from budgetsim.input.build import build_scenario
from budgetsim.input.plausibility import base_year_ratios, implausible, unaccepted
from budgetsim.input.registry import (
    ScenarioSpec,
    Section,
    fiscal_year_hint,
    percent_sign_hint,
    section_of,
)
from budgetsim.input.yamltext import MAX_DEPTH, parse_value, parse_yaml
from budgetsim.model.scenario import Scenario

Resolver = Callable[[str, str], tuple[str, str]]
Origins = dict[Loc, tuple[str, int | None]]

MAX_EXTENDS_DEPTH = 16


def _section_paths(model: type[BaseModel], prefix: Loc = ()) -> set[Loc]:
    """Key paths that are sections (merged key by key under ``extends``)."""
    out: set[Loc] = {prefix}
    for name, field in model.model_fields.items():
        ann = field.annotation  # a section itself: not an optional one, nor a list of them
        if isinstance(ann, type) and issubclass(ann, Section):
            out |= _section_paths(ann, (*prefix, name))
    return out


#: Merged key by key under ``extends``, like a section: each file acknowledges its own values.
ACCEPT = ("meta", "accept_warnings")
SECTIONS = _section_paths(ScenarioSpec) | {ACCEPT}


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The section model a key path points into, for listing the keys it allows."""
    model: type[BaseModel] = ScenarioSpec
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        nxt = None if field is None else section_of(field)
        if nxt is None:
            return None
        model = nxt
    return model


def _field_at(loc: Loc) -> FieldInfo | None:
    """The registry field a key path names (list items and years dropped from its end)."""
    names = [i for i, part in enumerate(loc) if isinstance(part, str)]
    model = _model_at(loc[: names[-1]]) if names else None
    return None if model is None else model.model_fields.get(str(loc[names[-1]]))


def _year_like(key: object) -> bool:
    if isinstance(key, int):
        return not isinstance(key, bool)
    return isinstance(key, str) and key.strip().isascii() and key.strip().isdigit()


def _foreign(data: Any, model: type[BaseModel] | None, loc: Loc) -> Loc | None:
    """The first key path in ``data`` that no scenario has: a name that is not a key of its
    section, or, inside a value, a map key that is not a year. None if every key is one."""
    if isinstance(data, list):
        for i, item in enumerate(data):
            found = _foreign(item, model, (*loc, i))
            if found is not None:
                return found
        return None
    if not isinstance(data, dict) or loc == ACCEPT:
        return None
    for key, value in data.items():
        here = (*loc, key)
        if model is None:
            if not _year_like(key):
                return here
            found = _foreign(value, None, here)
        else:
            field = model.model_fields.get(key) if isinstance(key, str) else None
            if field is None:
                return here
            found = _foreign(value, section_of(field), here)
        if found is not None:
            return found
    return None


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
) -> tuple[dict[str, Any], Origins, tuple[str, ...]]:
    """The merged data of ``source`` and its parents, where each key was written, and the
    parents in order (nearest first). A parent (``chain`` not empty) must be a scenario:
    until that is known, messages about it give lines only, never its keys or values."""
    data, lines = parse_yaml(text, source, quote=not chain)
    if chain:
        foreign = _foreign(data, ScenarioSpec, ())
        if foreign is not None:
            raise ScenarioError.single(
                source,
                "a key no scenario has: this file is not a scenario file, so its keys and "
                "values are not shown",
                lines[foreign][1],
            )
    origins: Origins = dict(lines)
    parent_ref = data.pop("extends", None)
    if parent_ref is None:
        return data, origins, ()
    line = lines.get(("extends",), (source, None))[1]
    if not isinstance(parent_ref, str) or not parent_ref.strip():
        raise ScenarioError.single(source, "must name a scenario file", line, ("extends",))
    if not parent_ref.isprintable():
        raise ScenarioError.single(
            source,
            "must name a scenario file: the path has a control character",
            line,
            ("extends",),
        )
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
    base, base_origins, parents = _read(parent_text, parent_source, resolve, (*chain, source))
    _merge(base, base_origins, data, origins)
    base_origins[()] = origins[()]  # the file as a whole is this one, not its parent
    return base, base_origins, (parent_source, *parents)


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
        Invalid YAML, a parent that cannot be read or is not a scenario, an ``extends``
        cycle or chain too deep.
    """
    data, origins, _ = _read(text, source, resolve, ())
    return data, origins


def parse_override(assignment: str) -> tuple[Loc, Any]:
    """``"defence.milestones={2030: 3}"`` -> (key path, value parsed as YAML).

    ``key.path+=delta`` shifts instead: the value is a :class:`Shift`, which adds ``delta``
    (in the key's file units) to a number or to every value of a path when applied.

    Parameters
    ----------
    assignment : str
        ``key.path=value`` or ``key.path+=delta``, as ``--set`` gives it; a number in the
        path is a list item.

    Returns
    -------
    loc : tuple of str and int
        The key path.
    value : object
        The value parsed as YAML; None for an empty value; a :class:`Shift` for ``+=``.

    Raises
    ------
    ScenarioError
        No ``=``, an empty key, a key path deeper than the YAML reader's nesting limit
        (:data:`~budgetsim.input.yamltext.MAX_DEPTH`), or a value that is not YAML (source
        ``--set``).
    """
    key, sep, raw = assignment.partition("=")
    shift = key.endswith("+")
    key = key.removesuffix("+")
    if not sep or not key.strip():
        raise ScenarioError.single(
            "--set", f"{assignment!r}: expected key.path=value or key.path+=delta"
        )
    parts = key.strip().split(".")
    if len(parts) > MAX_DEPTH:
        raise ScenarioError.single(
            "--set", f"the key path has {len(parts)} parts; at most {MAX_DEPTH}"
        )
    # A list item or a year; a longer run of digits is no item number or year, only a name.
    loc: Loc = tuple(int(p) if p.isascii() and p.isdigit() and len(p) <= 9 else p for p in parts)
    try:
        value = parse_value(raw, "--set") if raw.strip() else None
    except ScenarioError as exc:
        (problem,) = exc.problems
        message = problem.message.replace("invalid YAML: ", "the value is not YAML: ", 1)
        raise ScenarioError.single("--set", message, loc=loc) from None
    if shift:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ScenarioError.single(
                "--set", f"+= takes a number to add, not {raw.strip()!r}", loc=loc
            )
        return loc, Shift(float(value))
    return loc, value


@dataclass(frozen=True)
class Shift:
    """``--set key.path+=delta``: add ``delta``, in the key's file units, to a number or to
    every value of a path (a ``{year: value}`` mapping or a list)."""

    delta: float

    def applied(self, current: Any, loc: Loc) -> Any:
        """The shifted value of ``current``, the value the key has before the override.

        Parameters
        ----------
        current : object
            The key's value in the file (after ``extends``): a number, a mapping or list of
            numbers, or None when the key is not set.
        loc : tuple of str and int
            The key path, for messages.

        Returns
        -------
        object
            ``current`` with ``delta`` added to each number.

        Raises
        ------
        ScenarioError
            The key is not set, or holds something other than numbers.
        """
        if _is_number(current):
            return current + self.delta
        if isinstance(current, dict) and current and all(map(_is_number, current.values())):
            return {k: v + self.delta for k, v in current.items()}
        if isinstance(current, list) and current and all(map(_is_number, current)):
            return [v + self.delta for v in current]
        what = "is not set" if current is None else "is not a number or a path of numbers"
        raise ScenarioError.single(
            "--set",
            f"cannot shift with +=: the key {what}"
            + ("; set it with =" if current is None else ""),
            loc=loc,
        )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


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
        index = _check_index(target, last, loc)
        if isinstance(value, Shift):
            value = value.applied(target[index], loc)
        target[index] = value
    else:
        if isinstance(value, Shift):
            value = value.applied(target.get(last), loc)
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


def _shown(value: Any) -> str:
    """A value as a message names it."""
    if isinstance(value, bool):
        return f"a yes/no value ({str(value).lower()})"
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, (int, float, str)):
        return repr(value)
    if isinstance(value, dict):
        return "a map"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__} ({value})"  # a date, say


#: What a key of each kind takes, in the user's terms, by pydantic's error type.
_EXPECTED = {
    "int": "a whole number",
    "float": "a number",
    "string": "text (put it in quotes)",
    "bool": "yes or no (true or false)",
    "list": "a list (items on lines starting '- ', or [a, b])",
    "dict": "a map of key: value",
    "model": "a section of keys (key: value, indented below it)",
}


def _expected(kind: str, loc: Loc, value: Any) -> str | None:
    """``expected ...`` for a value of the wrong type; None for other errors."""
    base = kind.split("_")[0]
    if base not in _EXPECTED:
        return None
    field = _field_at(loc)
    extra = field.json_schema_extra if field is not None else None
    unit = extra.get("x-unit") if isinstance(extra, dict) else None
    if unit == "year" and base in ("int", "float"):
        hint = fiscal_year_hint(value)
        if hint is not None:
            return hint
        return f"expected a year, e.g. 2030, got {_shown(value)}"
    return f"expected {_EXPECTED[base]}, got {_shown(value)}{percent_sign_hint(value)}"


def _message(err: Mapping[str, Any]) -> str:
    kind, msg, loc = err["type"], str(err["msg"]), tuple(err["loc"])
    value = err.get("input")
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
    if kind in ("bounds", "path"):
        return msg
    if kind == "finite_number":
        return f"not a finite number (got {value!r})"
    if kind == "literal_error":
        return f"{msg.replace('Input should be', 'expected', 1)}, got {_shown(value)}"
    expected = _expected(kind, loc, value)
    if expected is not None:
        return expected
    if isinstance(value, (int, float, str, bool)) or value is None:
        return f"{msg} (got {value!r})"
    return msg


def _problems(
    exc: ValidationError, origins: Origins, source: str, parents: tuple[str, ...]
) -> list[Problem]:
    """Each validation error located; a missing key is blamed on the file loaded (at its
    first key), with the files it extends named, not on a parent alone."""
    problems = []
    for err in exc.errors():
        # pydantic marks an error in a map's key with a '[key]' part; the key is enough.
        loc = tuple(part for part in err["loc"] if part != "[key]")
        message = _message(err)
        loc = (*loc, *err.get("ctx", {}).get("at", ()))  # the list item or year at fault
        src, line = _locate(origins, loc, source)
        if err["type"] == "missing" and parents and src != "--set":
            if src != source:  # a section only a parent writes: this file's first key
                src, line = origins[()]
            message += f"; neither this file nor {', '.join(parents)} (which it extends) gives it"
        problems.append(Problem(src, line, loc, message))
    return problems


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
    data, origins, parents = _read(text, source, resolve, ())
    for assignment in overrides:
        loc, value = parse_override(assignment)
        _apply_override(data, origins, loc, value)
    try:
        spec = ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_problems(exc, origins, source, parents)) from None
    ratio_errors, ratio_warnings = base_year_ratios(spec)
    warnings = tuple(
        Problem(*_locate(origins, loc, source), loc, f"warning: {message}")
        for loc, message in unaccepted(spec, [*implausible(spec), *ratio_warnings])
    )
    scenario, cross = build_scenario(spec, source, warnings)
    if cross or ratio_errors or scenario is None:
        raise ScenarioError(
            Problem(*_locate(origins, loc, source), loc, message)
            for loc, message in [*cross, *ratio_errors]
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
