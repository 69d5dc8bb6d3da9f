"""The input layer: scenario files and text -> a validated, frozen Scenario.

YAML text with the line of every key (:mod:`~budgetsim.input.yamltext`), ``extends:`` and
``--set`` overrides (:mod:`~budgetsim.input.loader`), the parameter registry that owns
every key's unit, bounds and meaning (:mod:`~budgetsim.input.registry`), the warnings for
implausible values, the conversion to model units (:mod:`~budgetsim.input.build`), reading
files (:mod:`~budgetsim.input.files`) and writing a changed scenario back as YAML
(:mod:`~budgetsim.input.edit`).
"""

from __future__ import annotations

from budgetsim.input.files import load_file, load_with_spec
from budgetsim.input.loader import Loaded, load_text, parse

__all__ = ["Loaded", "load_file", "load_text", "load_with_spec", "parse"]
