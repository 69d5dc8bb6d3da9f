"""Every public function, class and method of budgetsim carries a docstring, numpydoc style
(a project requirement), and this test keeps it so.

Walks every module of the package (sim/ and cli/). Public means a name without a leading
underscore, defined in the module it is found in (not imported there), or a method, property
or class-/static-method defined on such a class. Each needs a non-empty docstring. Each
public function or method that takes parameters (other than self/cls) lists them all under
a ``Parameters`` heading, except:

- typer command functions (names ending ``_command``): the docstring is the ``--help`` text;
- properties and dunder methods;
- short helpers: a one-line docstring of at most 100 characters on a function of at most two
  parameters may say it in that line.

The functions of ``budgetsim.__all__`` (the notebook API) also carry a ``Returns`` section.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterator
from dataclasses import is_dataclass
from types import ModuleType
from typing import Any

import pytest

import budgetsim

ONE_LINE_MAX = 100
ONE_LINE_MAX_PARAMS = 2


def modules() -> list[ModuleType]:
    """Every module of the package, the package itself first, nothing skipped."""
    found = [budgetsim]
    for info in pkgutil.walk_packages(budgetsim.__path__, prefix="budgetsim."):
        found.append(importlib.import_module(info.name))
    return found


MODULES = modules()


def public(name: str) -> bool:
    """No leading underscore (so no dunder either)."""
    return not name.startswith("_")


def unwrap(member: Any) -> Callable[..., Any] | None:
    """The function behind a class attribute (method, class-/static-method), or None."""
    if isinstance(member, staticmethod | classmethod):
        member = member.__func__
    if inspect.isfunction(member):
        return member
    # pydantic's field_validator wraps the classmethod in a descriptor proxy
    wrapped = getattr(member, "wrapped", None)
    if wrapped is not None:
        return unwrap(wrapped)
    return None


def properties(member: Any) -> Any | None:
    """The getter of a property or cached_property, or None."""
    if isinstance(member, property):
        return member.fget
    func = getattr(member, "func", None)  # functools.cached_property
    if func is not None and inspect.isfunction(func):
        return func
    return None


def members() -> Iterator[tuple[str, Any, str]]:
    """(qualified name, object, kind) for every public object; kind is one of
    ``function``, ``class``, ``method``, ``property``."""
    for module in MODULES:
        for name, obj in vars(module).items():
            if not public(name) or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj):
                yield f"{module.__name__}.{name}", obj, "function"
            elif inspect.isclass(obj):
                yield f"{module.__name__}.{name}", obj, "class"
                for attr, member in vars(obj).items():
                    if not public(attr):
                        continue
                    where = f"{module.__name__}.{name}.{attr}"
                    getter = properties(member)
                    if getter is not None:
                        yield where, getter, "property"
                        continue
                    func = unwrap(member)
                    if func is not None:
                        yield where, func, "method"


MEMBERS = list(members())


def parameters(func: Callable[..., Any]) -> list[str]:
    """The names a caller passes: every parameter but self/cls."""
    names = list(inspect.signature(func).parameters)
    return [n for n in names if n not in ("self", "cls")]


def has_section(doc: str, title: str) -> bool:
    """True if the cleaned docstring has a numpydoc section heading ``title``."""
    return re.search(rf"^{title}\n-{{{len(title)}}}\s*$", doc, re.MULTILINE) is not None


def section(doc: str, title: str) -> str:
    """The text of a numpydoc section, up to the next heading."""
    m = re.search(
        rf"^{title}\n-+\n(.*?)(?=^\S[^\n]*\n-{{3,}}\s*$|\Z)", doc, re.MULTILINE | re.DOTALL
    )
    return m.group(1) if m else ""


def listed_names(text: str) -> set[str]:
    """The names a Parameters section lists: each unindented line's part before `` : ``,
    split at commas (numpydoc's ``x1, x2 : array_like``), stars dropped."""
    names: set[str] = set()
    for line in text.splitlines():
        if line and not line[0].isspace():
            names.update(n.strip().lstrip("*") for n in line.split(" : ")[0].split(","))
    return names


def needs_parameters(name: str, func: Callable[..., Any], kind: str) -> bool:
    """Whether a member must have a Parameters section (see the module docstring)."""
    short = name.rsplit(".", 1)[-1]
    if kind not in ("function", "method") or short.endswith("_command"):
        return False
    params = parameters(func)
    if not params:
        return False
    doc = inspect.cleandoc(func.__doc__ or "")
    one_line = "\n" not in doc and len(doc) <= ONE_LINE_MAX
    return not (one_line and len(params) <= ONE_LINE_MAX_PARAMS)


def test_the_walk_finds_the_package() -> None:
    names = {m.__name__ for m in MODULES}
    assert {"budgetsim", "budgetsim.cli.__main__", "budgetsim.cli.present.emit"} <= names
    assert len(MEMBERS) > 100, len(MEMBERS)


@pytest.mark.parametrize(("name", "obj", "kind"), MEMBERS, ids=[m[0] for m in MEMBERS])
def test_public_object_has_a_docstring(name: str, obj: Any, kind: str) -> None:
    doc = obj.__doc__
    short = name.rsplit(".", 1)[-1]
    if kind == "class" and is_dataclass(obj) and (doc or "").startswith(f"{short}("):
        doc = None  # the signature dataclasses write in when a class has no docstring
    assert doc is not None and doc.strip(), f"{kind} {name} has no docstring"


NEEDS_PARAMETERS = [m for m in MEMBERS if needs_parameters(*m)]


@pytest.mark.parametrize(
    ("name", "obj", "kind"), NEEDS_PARAMETERS, ids=[m[0] for m in NEEDS_PARAMETERS]
)
def test_parameters_are_documented(name: str, obj: Any, kind: str) -> None:
    doc = inspect.cleandoc(obj.__doc__ or "")
    assert has_section(doc, "Parameters"), f"{name}: no numpydoc 'Parameters' section"
    listed = listed_names(section(doc, "Parameters"))
    for param in parameters(obj):
        assert param in listed, f"{name}: parameter {param!r} is not listed under Parameters"


def api_functions() -> list[tuple[str, Callable[..., Any]]]:
    """(name, function) for every callable, non-class name of ``budgetsim.__all__``."""
    out = []
    for name in budgetsim.__all__:
        obj = getattr(budgetsim, name)
        if callable(obj) and not inspect.isclass(obj):
            out.append((name, obj))
    return out


API = api_functions()


def test_the_api_has_functions() -> None:
    assert {"run", "load", "fan", "solve_max_share"} <= {n for n, _ in API}


@pytest.mark.parametrize(("name", "func"), API, ids=[n for n, _ in API])
def test_api_function_documents_parameters_and_returns(name: str, func: Callable[..., Any]) -> None:
    doc = inspect.cleandoc(func.__doc__ or "")
    if parameters(func):
        assert has_section(doc, "Parameters"), f"budgetsim.{name}: no 'Parameters' section"
    assert has_section(doc, "Returns"), f"budgetsim.{name}: no 'Returns' section"
