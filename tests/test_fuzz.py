"""Fuzz tests: whatever the input, loading and running either succeeds with finite numbers in
every output or raises budgetsim's own error (ScenarioError for bad input, DivergenceError
for a scenario that diverges). Never another exception, never a NaN or an infinity.

Sources of input, from least to most structured:

- arbitrary YAML text (printable characters, YAML punctuation, anchors, tags, tabs);
- arbitrary YAML-shaped data dumped as YAML (nested maps and lists of any scalar);
- valid scenario mappings (tests.strategies) with keys changed, removed or added, values
  replaced by anything from NaN to huge numbers to lists, and ``--set`` overrides drawn
  the same way;
- names (titles, rule names) of any text, through every text output, and output paths of
  any shape, through ``-o``.

Settings are modest so `make test` stays fast; BUDGETSIM_HYPOTHESIS_PROFILE=random explores
more (tests/conftest.py). The atheris harness (fuzz/) runs the same check for minutes.
"""

from __future__ import annotations

import copy
import math
import re
from typing import Any

import numpy as np
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from budgetsim import DivergenceError, ScenarioError, load_text, run
from budgetsim.errors import Problem
from tests.strategies import scenario_dicts

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1e-300, 1e300, 1e15, -1e15, 2030, 2.5, 0.025, 100, 250]),
    st.text(max_size=12),
    st.sampled_from(["1e15", ".nan", ".inf", "-.inf", "2030", "3 %", "", "~", "yes"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=6),
        st.dictionaries(st.one_of(st.text(max_size=8), st.integers(1990, 2110)), inner, max_size=5),
    ),
    max_leaves=12,
)

YAML_BITS = st.sampled_from(
    [
        ":", " ", "\n", "\t", "- ", "{", "}", "[", "]", ",", "&a ", "*a", "!!python/object ",
        "!x ", "'", '"', "#", "?", "|", ">", "%YAML 1.1\n", "---\n", "...\n", "meta", "years",
        "economy", "defence", "1e15", ".nan", "2030", "\x00", "\ufeff", "\x85", "<<: *a\n",
        "0x3E8", "010", "1:30", "33:50", "on", "2024-25", "2020-13-45", "!!int ", "9" * 30,
    ]
)  # fmt: skip
YAML_TEXT = st.lists(st.one_of(YAML_BITS, st.text(max_size=4)), max_size=30).map("".join)


def assert_own_outcome(text: str, overrides: tuple[str, ...] = ()) -> None:
    """Load and run ``text``: a finite result, or one of budgetsim's own errors, one line each."""
    try:
        scn = load_text(text, "fuzz.yaml", overrides=overrides)
        result = run(scn)
    except ScenarioError as exc:
        assert exc.problems, "a ScenarioError names at least one problem"
        for problem in exc.problems:
            assert isinstance(problem, Problem)
            assert "\n" not in str(problem), str(problem)
            assert str(problem).startswith(("fuzz.yaml", "--set")), str(problem)
        return
    except DivergenceError as exc:
        assert exc.year is not None
        assert scn.base_year < exc.year <= scn.horizon
        return
    for name, values in result.series.items():
        assert np.isfinite(values).all(), name
    for rule in result.rules:
        assert np.isfinite(rule.headroom).all(), rule.name
    for field, value in vars(result.summary).items():
        if isinstance(value, float):
            assert math.isfinite(value), field
    for warning in scn.warnings:
        assert warning.message.startswith("warning: "), warning


@settings(max_examples=150)
@given(YAML_TEXT)
def test_arbitrary_yaml_text(text: str) -> None:
    """Any text: a finite result or budgetsim's own error, one line per problem."""
    assert_own_outcome(text)


@settings(max_examples=100)
@given(VALUES)
def test_arbitrary_yaml_data(data: Any) -> None:
    """Any YAML document (scalars, lists, maps, nested): a finite result or our own error."""
    assert_own_outcome(yaml.dump(data, Dumper=_DUMPER))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def broken_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A valid scenario with up to three keys replaced, removed or added."""
    data = copy.deepcopy(draw(scenario_dicts(max_years=30)))
    for _ in range(draw(st.integers(0, 3))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        parent: Any = data
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(VALUES)
        elif action == "remove" and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(VALUES)
    return data


@settings(max_examples=100)
@given(broken_scenarios())
def test_broken_scenario_mappings(data: dict[str, Any]) -> None:
    """A valid scenario with keys replaced, removed or added: a finite result or our error."""
    assert_own_outcome(yaml.dump(data, Dumper=_DUMPER, sort_keys=False))


KEYS = st.sampled_from(
    [
        "economy.gdp", "economy.real_growth", "economy.deflator", "defence.milestones",
        "defence.base_share", "defence.basis", "defence.cash", "finances.debt",
        "finances.receipts", "interest.maturity", "interest.long_rate", "years.horizon",
        "years.base", "rules.0.limit", "funding.sources", "funding.sources.0.cap", "nope",
        "economy.feedback.cuts_multiplier", "interest.risk_premium.slope", "", ".", "a..b",
        "defence.milestones.2030", "defence.milestones.\u00b2", "economy.real_growth.2027",
        "rules.0.years", "uncertainty.seed", "uncertainty.draws", "meta.accept_warnings",
        "funding.tax_freeze", "meta.title", "extends", "a." * 40 + "a", "rules." + "1" * 30,
    ]
)  # fmt: skip
#: Key paths of any parts, as deep as a hostile user likes.
ANY_KEYS = st.lists(st.one_of(KEYS, st.text(max_size=6)), min_size=1, max_size=40).map(".".join)
#: Values YAML 1.1 reads otherwise than they look, or that are right but for their unit.
QUIRKS = [
    "0x3E8", "010", "1:30", "1:30.5", "on", "yes", "no", "1" + "0" * 400, "'2024-25'",
    "{2030: 3, '2030': 4}", "{33:50: 3}", "2020-13-45", "!!int x", "3 %", "-.inf", "[.nan]",
    "{2030: .nan}", "{'2029-30': 3}", "0.035", "2.7", "{a.b[0]: 1}",
]  # fmt: skip
OVERRIDE_VALUES = st.one_of(
    st.sampled_from(["", "nan", ".nan", "1e400", "-1", "0", "100", "{2030: 3}", "[1, 2", "&a *a"]),
    st.sampled_from(QUIRKS),
    st.text(max_size=10),
    VALUES.map(lambda v: yaml.dump(v, Dumper=_DUMPER, default_flow_style=True).strip()),
)


@settings(max_examples=150)
@given(
    scenario_dicts(max_years=30),
    st.lists(st.tuples(st.one_of(KEYS, ANY_KEYS), OVERRIDE_VALUES).map("=".join), max_size=3),
)
def test_arbitrary_set_overrides(data: dict[str, Any], overrides: list[str]) -> None:
    """Any --set overrides on a valid scenario: a finite result or our own error."""
    assert_own_outcome(yaml.dump(data, Dumper=_DUMPER, sort_keys=False), tuple(overrides))


def test_the_fuzz_check_can_fail() -> None:
    """The check is not vacuous: a valid scenario really runs (no error swallowed)."""
    text = "\n".join(
        [
            "meta: {title: t, country: c, currency: EUR bn}",
            "years: {base: 2024, horizon: 2026}",
            "economy: {gdp: 1000, real_growth: 1.5, deflator: 2}",
            "defence: {base_share: 2, milestones: {2026: 3}}",
            "finances: {debt: 900, psnb: 30, receipts: 40, other_spending: 38}",
            "interest: {maturity: 10, conventional_rate: 3, short_rate: 3, long_rate: 4}",
        ]
    )
    assert run(load_text(text)).years == (2025, 2026)
    assert_own_outcome(text)


# --- names and output paths (issue 14: names are data, nothing lost) ---------------------

_SMALL = (
    "meta: {{title: {title}, country: Testland, currency: EUR bn}}\n"
    "years: {{base: 2024, horizon: 2027}}\n"
    "economy: {{gdp: 1000, real_growth: 1.5, deflator: 2}}\n"
    "defence: {{base_share: 2, milestones: {{2027: 3}}}}\n"
    "finances: {{debt: 900, psnb: 30, receipts: 40, other_spending: 38}}\n"
    "interest: {{maturity: 10, conventional_rate: 3, short_rate: 3, long_rate: 4}}\n"
    "rules: [{{name: {rule}, type: deficit_ceiling, limit: 3}}]\n"
)
NAMES = st.one_of(
    st.text(min_size=1, max_size=30),
    st.lists(
        st.sampled_from(
            ["[/]", "[bold]", "$x_1_2$", "<script>", "```", "=cmd|' /C calc'!A0", "+1", "-1",
             "@SUM(A1)", "\t", "\r", "\x1b[31m", "\u202e", "|", "*", "_x_", "\\", "&amp;", "a"]
        ),
        min_size=1,
        max_size=5,
    ).map("".join),
)  # fmt: skip
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar holding ``text`` exactly: control characters escaped
    (a file may not hold them raw), everything else as it is."""

    def esc(c: str) -> str:
        if c in '"\\':
            return "\\" + c
        if _CONTROL.match(c) or c in "\n\t":
            return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"
        return c

    return '"' + "".join(esc(c) for c in text) + '"'


@settings(max_examples=60)
@given(title=NAMES, rule=NAMES)
def test_any_name_is_plain_text_in_every_output(title: str, rule: str) -> None:
    """Whatever a title or a rule name holds (markup, math, HTML, a fence, a formula, an
    escape sequence), every text output shows it as text: no exception, no control
    character, no formula cell, no HTML tag from the name."""
    from budgetsim.cli.present.emit import Format, csv_cells, render
    from budgetsim.cli.present.tables import compare_document, run_document

    assume(title.strip() and rule.strip())
    text = _SMALL.format(title=_quoted(title), rule=_quoted(rule))
    result = run(load_text(text, "fuzz.yaml"))
    docs = [run_document(result), compare_document([result, result], 2027)]
    for doc in docs:
        for fmt in (Format.table, Format.csv, Format.markdown):
            out = render(doc, fmt)
            assert isinstance(out, str)
            assert not _CONTROL.search(out), (fmt, out[:200])
            if fmt is Format.markdown:
                assert "<script>" not in out
        for sheet in doc.sheets:
            for row in csv_cells(sheet)[1:]:
                for cell in row:
                    if isinstance(cell, str) and cell.startswith(("=", "+", "-", "@")):
                        float(cell)  # only a number may start so
    table = render(docs[0], Format.table)
    assert isinstance(table, str)
    from budgetsim.cli.present.emit import plain

    # The title, as text, whole (a title wider than its table wraps at a space).
    assert "".join(plain(title).split()) in "".join(table.split())


_PATH_PARTS = st.sampled_from(
    ["a", "b.csv", ".", "..", "sub", "x" * 120, "con", "-o", "$x$", "[a]", " ", "é", "\\"]
)


@settings(max_examples=40)
@given(st.lists(_PATH_PARTS, min_size=1, max_size=3).map("/".join))
def test_any_output_path_is_written_or_refused_in_one_line(name: str) -> None:
    """Any output path: the CSV is written there whole (exit 0), or one line names the path
    and nothing changes (exit 2). The input is never touched; no temporary file is left."""
    import os
    import tempfile
    from pathlib import Path

    from typer.testing import CliRunner

    from budgetsim.cli.app import app

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        scenario = root / "s.yaml"
        scenario.write_text(_SMALL.format(title="t", rule="r"), encoding="utf-8")
        (root / "sub").mkdir()
        before = scenario.read_bytes()
        cwd = os.getcwd()
        os.chdir(root)
        try:
            res = CliRunner().invoke(app, ["run", "s.yaml", "-f", "csv", "-o", name])
        finally:
            os.chdir(cwd)
        assert scenario.read_bytes() == before
        assert not list(root.rglob(".bs-*")), "a temporary file was left"
        assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
        if res.exit_code == 0:
            assert (root / name).read_text(encoding="utf-8").startswith("year,label,")
        else:
            assert res.exit_code == 2
            (line,) = res.stderr.splitlines()
            assert ": cannot write: " in line, line
