"""Loading and validating scenarios: bad input is one ScenarioError naming the file, the line
and the key path of every problem (``FILE:LINE: key.path: message``), never a traceback.

One small fixture per failure mode under tests/fixtures/bad/ (PolicyEngine style); each opens
with a comment saying what is wrong and on which line. ``BAD_CASES`` is shared with
tests/test_cli.py, which checks the same messages (and exit code 2) through the command.
Paths are relative to the repository root, as a user types them, so the messages are exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from budgetsim import run
from budgetsim.errors import ScenarioError, format_loc
from budgetsim.input.files import MAX_BYTES, load_file, load_with_spec
from budgetsim.input.loader import Loaded, load_text
from tests.conftest import ROOT

FIXTURES = Path("tests/fixtures")
BAD = FIXTURES / "bad"
EXTENDS = FIXTURES / "extends"
SMALL = FIXTURES / "small.yaml"
UK_2030 = Path("scenarios/uk_2030.yaml")


@dataclass(frozen=True)
class Bad:
    """A bad fixture and the one problem it must be reported as.

    ``reported_in`` is the file the problem is located in (another file for errors found in
    an ``extends`` parent); ``key`` is empty where no key path exists (YAML syntax, bytes).
    """

    fixture: str
    line: int | None
    key: str
    fragment: str
    reported_in: str = ""

    @property
    def path(self) -> Path:
        return BAD / self.fixture

    @property
    def where(self) -> str:
        source = str(BAD / (self.reported_in or self.fixture))
        return source if self.line is None else f"{source}:{self.line}"

    @property
    def prefix(self) -> str:
        """How the problem's line starts: ``FILE:LINE: key.path: ``."""
        return f"{self.where}: {self.key}: " if self.key else f"{self.where}: "


BAD_CASES = [
    # YAML text and bytes
    pytest.param(
        Bad("syntax.yaml", 7, "", "invalid YAML: mapping values are not allowed"), id="yaml-syntax"
    ),
    pytest.param(Bad("tab_indent.yaml", 6, "", "invalid YAML"), id="tab-indent"),
    pytest.param(
        Bad("duplicate_key.yaml", 8, "defence.base_share", "duplicate key (first given on line 6)"),
        id="duplicate-key",
    ),
    pytest.param(Bad("empty.yaml", None, "", "the file is empty"), id="empty-file"),
    pytest.param(Bad("only_comments.yaml", None, "", "the file is empty"), id="only-comments"),
    pytest.param(Bad("not_utf8.yaml", 2, "", "is not UTF-8 text"), id="not-utf8"),
    pytest.param(
        Bad("missing_colon.yaml", 6, "", "invalid YAML"),
        id="missing-colon",
    ),
    pytest.param(
        Bad("top_level_list.yaml", 2, "", "the top level must be a mapping"),
        id="top-level-list",
    ),
    pytest.param(
        Bad("recursive_alias.yaml", 3, "meta.title", ""),
        id="recursive-alias",
    ),
    # the schema: keys, types and bounds
    pytest.param(
        Bad("unknown_key.yaml", 7, "defence.milestone", "unknown key; did you mean 'milestones'?"),
        id="unknown-key",
    ),
    pytest.param(
        Bad("missing_key.yaml", 6, "finances.debt", "required key is missing"), id="missing-key"
    ),
    pytest.param(
        Bad("wrong_type.yaml", 6, "economy.gdp", "expected a number, got 'a lot'"), id="wrong-type"
    ),
    pytest.param(
        Bad(
            "share_too_high.yaml",
            7,
            "defence.base_share",
            "250.0 is above the maximum 100.0 (% of GDP)",
        ),
        id="share-250-pct",
    ),
    pytest.param(
        Bad(
            "maturity_too_short.yaml",
            10,
            "interest.maturity",
            "0.5 is below the minimum 1.0 (years)",
        ),
        id="maturity-half-year",
    ),
    pytest.param(
        Bad("not_a_number.yaml", 6, "economy.gdp", ""),
        id="nan",
    ),
    # checks across keys
    pytest.param(
        Bad(
            "milestone_after_horizon.yaml",
            9,
            "defence.milestones[2040]",
            "year 2040 is outside the projection 2025-2030",
        ),
        id="milestone-after-horizon",
    ),
    pytest.param(
        Bad("horizon_before_base.yaml", 5, "years.horizon", "2020 is not after base 2024"),
        id="horizon-before-base",
    ),
    pytest.param(
        Bad(
            "path_map_starts_late.yaml",
            6,
            "economy.real_growth",
            "the map starts in 2027 but values are needed from 2025",
        ),
        id="path-map-starts-late",
    ),
    pytest.param(
        Bad(
            "path_list_too_short.yaml",
            7,
            "economy.deflator",
            "the list has 3 values but 6 are needed (2025 to 2030, one a year)",
        ),
        id="path-list-too-short",
    ),
    pytest.param(
        Bad(
            "tax_under_freeze.yaml",
            10,
            "funding.sources[0].kind",
            "a tax source is not allowed while funding.tax_freeze is true; lift the "
            "freeze (tax_freeze: false)",
        ),
        id="tax-under-freeze",
    ),
    pytest.param(
        Bad(
            "shares_without_share.yaml",
            11,
            "funding.sources[1].share",
            "every source needs a share in shares mode",
        ),
        id="shares-without-share",
    ),
    pytest.param(
        Bad(
            "cap_and_cap_pct.yaml",
            10,
            "funding.sources[0].cap",
            "give either cap or cap_pct_gdp, not both",
        ),
        id="cap-and-cap-pct",
    ),
    pytest.param(
        Bad(
            "ceiling_without_limit.yaml",
            9,
            "rules[0].limit",
            "a deficit_ceiling rule needs a limit",
        ),
        id="ceiling-without-limit",
    ),
    # extends
    pytest.param(
        Bad("extends_missing_parent.yaml", 2, "extends", "no_such_parent.yaml: no such file"),
        id="extends-missing-parent",
    ),
    pytest.param(
        Bad(
            "extends_self.yaml",
            2,
            "extends",
            f"extends cycle: {BAD}/extends_self.yaml -> {BAD}/extends_self.yaml",
        ),
        id="extends-self",
    ),
    pytest.param(
        Bad(
            "extends_cycle_a.yaml",
            2,
            "extends",
            f"extends cycle: {BAD}/extends_cycle_a.yaml -> {BAD}/extends_cycle_b.yaml"
            f" -> {BAD}/extends_cycle_a.yaml",
            reported_in="extends_cycle_b.yaml",
        ),
        id="extends-cycle",
    ),
    pytest.param(
        Bad(
            "extends_parent_out_of_bounds.yaml",
            10,
            "interest.maturity",
            "0.5 is below the minimum 1.0",
            reported_in="maturity_too_short.yaml",
        ),
        id="extends-parent-out-of-bounds",
    ),
    pytest.param(
        Bad(
            "extends_parent_cross_error.yaml",
            9,
            "defence.milestones[2040]",
            "year 2040 is outside the projection",
            reported_in="milestone_after_horizon.yaml",
        ),
        id="extends-parent-cross-error",
    ),
    pytest.param(
        Bad("extends_parent_syntax.yaml", 7, "", "invalid YAML", reported_in="syntax.yaml"),
        id="extends-parent-syntax",
    ),
    # extends: where a parent may be, and what of it a message may show
    pytest.param(
        Bad("extends_outside.yaml", 2, "extends", f"/etc/shadow: is outside {BAD}, the scenario's"),
        id="extends-outside",
    ),
    pytest.param(
        Bad("extends_up_and_out.yaml", 2, "extends", f"../small.yaml: is outside {BAD}"),
        id="extends-up-and-out",
    ),
    pytest.param(
        Bad(
            "extends_not_a_scenario.yaml",
            2,
            "",
            "a key no scenario has: this file is not a scenario file, so its keys and values "
            "are not shown",
            reported_in="parents/config.yaml",
        ),
        id="extends-not-a-scenario",
    ),
    pytest.param(
        Bad(
            "extends_parent_tag.yaml", 2, "", "unknown YAML tag", reported_in="parents/tagged.yaml"
        ),
        id="extends-parent-tag",
    ),
    pytest.param(
        Bad("extends_nul.yaml", 2, "extends", "the path has a control character"),
        id="extends-nul",
    ),
    pytest.param(
        Bad(
            "extends_missing_meta.yaml",
            3,
            "meta",
            f"required key is missing; neither this file nor {BAD}/parents/shared.yaml (which "
            "it extends) gives it",
        ),
        id="extends-missing-meta",
    ),
    pytest.param(
        Bad("missing_section.yaml", 3, "interest", "required key is missing"),
        id="missing-section",
    ),
    # values that are no numbers, or numbers YAML reads otherwise than they look
    pytest.param(
        Bad("nan_milestone.yaml", 5, "defence.milestones[2030]", "is nan, not a finite number"),
        id="nan-milestone",
    ),
    pytest.param(
        Bad("inf_in_path.yaml", 6, "economy.real_growth[2]", "is inf, not a finite number"),
        id="inf-in-path",
    ),
    pytest.param(
        Bad("huge_integer.yaml", 4, "economy.gdp", "a whole number of 401 digits is too large"),
        id="huge-integer",
    ),
    pytest.param(
        Bad("huge_year.yaml", 5, "defence.milestones", "a whole number of 401 digits"),
        id="huge-year",
    ),
    pytest.param(
        Bad("yes_no_number.yaml", 6, "finances.debt", "expected a number, got a yes/no value"),
        id="yes-no-number",
    ),
    pytest.param(
        Bad("yes_no_year.yaml", 3, "years.base", "expected a year, got a yes/no value (true)"),
        id="yes-no-year",
    ),
    pytest.param(
        Bad("hex_number.yaml", 4, "economy.gdp", "YAML 1.1 reads '0x3E8' as 1000 (hexadecimal)"),
        id="hex-number",
    ),
    pytest.param(
        Bad("octal_number.yaml", 7, "interest.maturity", "YAML 1.1 reads '010' as 8 (octal"),
        id="octal-number",
    ),
    pytest.param(
        Bad("base60_year.yaml", 5, "defence.milestones", "YAML 1.1 reads '33:50' as 2030"),
        id="base-60-year",
    ),
    pytest.param(
        Bad(
            "same_year_twice.yaml",
            5,
            "defence.milestones[2030]",
            "duplicate key (first given on line 5): 2030 and '2030' are one year",
        ),
        id="same-year-twice",
    ),
    pytest.param(
        Bad(
            "fiscal_year.yaml",
            3,
            "years.base",
            "write the year the fiscal year starts, 2024 for 2024-25",
        ),
        id="fiscal-year",
    ),
    pytest.param(
        Bad(
            "milestones_not_a_map.yaml",
            5,
            "defence.milestones",
            "expected a map of year: percent, e.g. {2030: 3.0}, got 3",
        ),
        id="milestones-not-a-map",
    ),
    pytest.param(
        Bad("invalid_date.yaml", 2, "meta.description", "'2020-13-45' is not a valid date"),
        id="invalid-date",
    ),
    pytest.param(
        Bad(
            "percent_sign.yaml",
            7,
            "interest.conventional_rate",
            "expected a number, got '3 %': write the number without '%'",
        ),
        id="percent-sign",
    ),
    # base-year ratios
    pytest.param(
        Bad(
            "gdp_wrong_unit.yaml",
            5,
            "economy.gdp",
            "2.7 EUR bn makes debt 100,000 % and borrowing 4,444 % of GDP in the base year",
        ),
        id="gdp-wrong-unit",
    ),
    pytest.param(
        Bad(
            "debt_wrong_unit.yaml",
            6,
            "finances.debt",
            "debt of 900000 EUR bn is 90,000 % of GDP (1000 EUR bn, economy.gdp)",
        ),
        id="debt-wrong-unit",
    ),
]


def problems(path: str | Path, overrides: tuple[str, ...] = ()) -> list[str]:
    """The problem lines a scenario file is rejected with."""
    with pytest.raises(ScenarioError) as info:
        load_file(path, overrides)
    lines = [str(p) for p in info.value.problems]
    assert str(info.value) == "\n".join(lines)
    return lines


def text_problems(text: str, overrides: tuple[str, ...] = ()) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_text(text, "inline.yaml", overrides=overrides)
    return [str(p) for p in info.value.problems]


def small_text(old: str = "", new: str = "") -> str:
    """tests/fixtures/small.yaml with ``old`` replaced by ``new``."""
    text = (ROOT / SMALL).read_text(encoding="utf-8")
    assert old in text, old
    return text.replace(old, new) if old else text


# --- one fixture per failure mode -------------------------------------------------------


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_fixture_names_file_line_and_key(case: Bad) -> None:
    lines = problems(case.path)
    assert len(lines) == 1, lines
    assert lines[0].startswith(case.prefix), lines
    assert case.fragment in lines[0], lines


def test_bad_fixture_headers_name_the_reported_line() -> None:
    """Each fixture's opening comment says where its problem is; keep them honest."""
    for param in BAD_CASES:
        (case,) = param.values
        assert isinstance(case, Bad)
        if case.line is None or case.reported_in or not case.path.read_bytes().strip():
            continue
        header = case.path.read_bytes().split(b"\n", 1)[0].decode("ascii")
        assert header.startswith("#"), case.fixture
        assert f"line {case.line}" in header or f"lines {case.line}" in header, header


def test_problem_fields_match_the_text() -> None:
    with pytest.raises(ScenarioError) as info:
        load_file(BAD / "unknown_key.yaml")
    (problem,) = info.value.problems
    assert problem.source == str(BAD / "unknown_key.yaml")
    assert problem.line == 7
    assert format_loc(problem.loc) == "defence.milestone"
    assert problem.loc == ("defence", "milestone")


def test_unknown_key_lists_the_allowed_keys() -> None:
    (line,) = problems(BAD / "unknown_key.yaml")
    assert line == (
        f"{BAD}/unknown_key.yaml:7: defence.milestone: unknown key; did you mean "
        "'milestones'? (allowed here: base_share, baseline_share, basis, capital_share, cash, "
        "cash_prices, components, milestones, price_premium, shape, shape_power, targets)"
    )


def test_duplicate_key_mentions_both_lines() -> None:
    (line,) = problems(BAD / "duplicate_key.yaml")
    assert line == (
        f"{BAD}/duplicate_key.yaml:8: defence.base_share: duplicate key (first given on line 6)"
    )


def test_tax_source_under_freeze_says_why() -> None:
    (line,) = problems(BAD / "tax_under_freeze.yaml")
    assert line == (
        f"{BAD}/tax_under_freeze.yaml:10: funding.sources[0].kind: a tax source is not allowed "
        "while funding.tax_freeze is true; lift the freeze (tax_freeze: false) or fund this "
        "another way"
    )


def test_tab_indent_message_names_the_tab() -> None:
    (line,) = problems(BAD / "tab_indent.yaml")
    message = line.removeprefix(f"{BAD}/tab_indent.yaml:6: ")
    assert "tab" in message.lower(), line


@pytest.mark.parametrize("fixture", ["empty.yaml", "only_comments.yaml"])
def test_empty_file(fixture: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_file(BAD / fixture)
    (problem,) = info.value.problems
    assert problem.line is None
    assert str(problem) == f"{BAD}/{fixture}: the file is empty; a scenario is a YAML mapping"


@pytest.mark.parametrize("text", ["- a\n- b\n", "just a sentence\n", "42\n"])
def test_top_level_must_be_a_mapping(text: str) -> None:
    assert text_problems(text) == [
        "inline.yaml:1: the top level must be a mapping of keys, not a list or a value"
    ]


def test_top_level_list_names_the_file() -> None:
    """The message and file are right even though the line is not (see the xfail above)."""
    (line,) = problems(BAD / "top_level_list.yaml")
    assert line.startswith(f"{BAD}/top_level_list.yaml:"), line
    assert line.endswith("the top level must be a mapping of keys, not a list or a value")


def test_not_utf8_line_counts_from_one() -> None:
    (line,) = problems(BAD / "not_utf8.yaml")
    assert line == f"{BAD}/not_utf8.yaml:2: is not UTF-8 text"


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + (ROOT / SMALL).read_bytes())
    assert load_file(path).title == "Small test scenario"


def test_missing_file() -> None:
    assert problems(BAD / "does_not_exist.yaml") == [f"{BAD}/does_not_exist.yaml: no such file"]


def test_directory_given_as_file() -> None:
    assert problems(BAD) == [f"{BAD}: is a directory, not a scenario file"]


def test_file_too_large(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"# padding\n" * (MAX_BYTES // 10 + 1))
    (line,) = problems(path)
    assert line.startswith(f"{path}: is "), line
    assert f"a scenario file may be at most {MAX_BYTES} bytes" in line


def test_deeply_nested_yaml(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("meta: " + "[" * 950 + "]" * 950 + "\n", encoding="utf-8")
    (line,) = problems(path)
    assert line.startswith(f"{path}:1: meta: "), line


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "defence: {",
            "defense: {",
            [
                "inline.yaml:2: defence: required key is missing",
                "inline.yaml:5: defense: unknown key; did you mean 'defence'?",
            ],
            id="top-level-typo",
        ),
        pytest.param(
            "milestones: {2030: 3}",
            "milestones: {2030.5: 3}",
            ["inline.yaml:5: defence.milestones: a key must be a name or a year, not 2030.5"],
            id="float-year",
        ),
        pytest.param(
            "interest: {",
            "rules: [{name: r, type: debt_ceiling, limt: 60}]\ninterest: {",
            ["inline.yaml:7: rules[0].limt: unknown key; did you mean 'limit'?"],
            id="typo-in-list-item",
        ),
        pytest.param(
            "real_growth: 1.5",
            "real_growth: {2025: 1, 2027: 60}",
            ["inline.yaml:4: economy.real_growth[2027]: 60.0 is above the maximum 50.0 (% a year)"],
            id="path-value-out-of-bounds",
        ),
        pytest.param(
            "horizon: 2030",
            "horizon: 2024",
            [
                "inline.yaml:3: years.horizon: 2024 is not after base 2024",
                "inline.yaml:5: defence.milestones[2030]: year 2030 is outside the projection "
                "2025-2025",
            ],
            id="horizon-equals-base",
        ),
        pytest.param(
            "years: {base: 2024,",
            "years: {base: 2024.5,",
            ["inline.yaml:3: years.base: expected a year, e.g. 2030, got 2024.5"],
            id="fractional-year",
        ),
    ],
)
def test_inline_problem(old: str, new: str, expected: list[str]) -> None:
    lines = text_problems(small_text(old, new))
    assert len(lines) == len(expected), lines
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith(start), lines


def test_map_key_that_is_not_a_year() -> None:
    (line,) = text_problems(small_text("milestones: {2030: 3}", "milestones: {x2030: 3}"))
    assert line == "inline.yaml:5: defence.milestones.x2030: key 'x2030' is not a year", line


# --- several problems --------------------------------------------------------------------


def test_several_schema_problems_reported_together() -> None:
    src = f"{BAD}/several_problems.yaml"
    lines = problems(BAD / "several_problems.yaml")
    assert len(lines) == 4, lines
    expected = [
        (f"{src}:6: meta.autor: ", "unknown key; did you mean 'author'?"),
        (f"{src}:8: years.base: ", "expected a year, e.g. 2030, got 'twenty'"),
        (f"{src}:12: defence.base_share: ", "250.0 is above the maximum 100.0"),
        (f"{src}:13: finances.psnb: ", "required key is missing"),
    ]
    for prefix, fragment in expected:
        assert any(line.startswith(prefix) and fragment in line for line in lines), (prefix, lines)


def test_several_cross_key_problems_reported_together() -> None:
    src = f"{BAD}/several_cross_problems.yaml"
    assert problems(BAD / "several_cross_problems.yaml") == [
        f"{src}:8: defence.milestones[2040]: year 2040 is outside the projection 2025-2030",
        f"{src}:12: funding.sources[0].kind: a tax source is not allowed while "
        "funding.tax_freeze is true; lift the freeze (tax_freeze: false) or fund this another "
        "way",
        f"{src}:16: rules[0].limit: a debt_ceiling rule needs a limit",
    ]


def test_component_problems_reported_together() -> None:
    """Every component and target problem of a file, each at its own line and key."""
    src = f"{BAD}/components_problems.yaml"
    assert problems(BAD / "components_problems.yaml") == [
        f"{src}:21: rules[0].measure: the psnfl measure needs finances.psnfl (net financial "
        "liabilities in the base year)",
        f"{src}:22: rules[1].measure: a measure applies to the debt rules",
        f"{src}:22: rules[1].measure: the psnfl measure needs finances.psnfl (net financial "
        "liabilities in the base year)",
        f"{src}:10: defence.milestones: with components, give milestones per component",
        f"{src}:11: defence.capital_share: with components, give capital_share per component",
        f"{src}:14: defence.components[1].name: a component named 'core' is given twice",
        f"{src}:9: defence.base_share: 3 is not the sum of the components' base shares (2.5)",
        f"{src}:16: defence.targets[0].components: no component named 'cyber'; the components "
        "are core, core",
        f"{src}:17: defence.targets[1].components: the list of components is empty",
    ]


def test_component_cash_and_funding_problems_reported_together() -> None:
    """Every problem of component cash paths and component funding, each at its own line
    and key; source names are unique across the scenario's and the components' funding."""
    src = f"{BAD}/component_funding_problems.yaml"
    own = "defence.components[0].funding.sources"
    assert problems(BAD / "component_funding_problems.yaml") == [
        f"{src}:14: defence.components[0].cash: give milestones or cash, not both",
        f"{src}:17: {own}[0].name: a source named 'aid' is given twice",
        f"{src}:18: {own}[1].kind: a tax source is not allowed while funding.tax_freeze is "
        "true; lift the freeze (tax_freeze: false) or fund this another way",
        f"{src}:19: {own}[2].share: share is only used with the component's funding.mode: shares",
        f"{src}:22: defence.components[1].cash_prices: cash_prices goes with a cash path",
        f"{src}:25: defence.components[1].funding.sources: shares add up to 110 %, more than 100 %",
    ]


def test_targets_need_components() -> None:
    src = f"{BAD}/targets_without_components.yaml"
    assert problems(BAD / "targets_without_components.yaml") == [
        f"{src}:7: defence.targets: targets count components: give components"
    ]


# --- extends -----------------------------------------------------------------------------


def test_child_overrides_parent() -> None:
    parent = load_with_spec(EXTENDS / "parent.yaml")
    loaded = load_with_spec(EXTENDS / "child.yaml")
    child, spec = loaded.scenario, loaded.spec
    assert child.source == str(EXTENDS / "child.yaml")
    # sections are merged key by key: the child's values where it gives them ...
    assert spec.meta.title == "Child"
    assert spec.economy.feedback.persistence == 0.25
    assert spec.funding.tax_freeze is False
    # ... and the parent's for every key it leaves out, nested sections included
    assert spec.meta.country == "Testland"
    assert spec.meta.author == "parent author"
    assert spec.years.horizon == 2032
    assert spec.economy.gdp == 1000
    assert spec.economy.feedback.defence_multiplier == 0.8
    assert spec.defence.shape == "back"
    assert spec.interest.maturity == 10
    # paths, milestones and lists are replaced whole, not merged
    assert spec.economy.real_growth == {2025: 3.0}
    np.testing.assert_allclose(child.real_growth, np.full(8, 0.03))
    assert spec.defence.milestones == {2029: 3.5}
    assert child.target_year == 2029
    assert child.target_share == pytest.approx(0.035)
    assert [(s.name, s.kind, s.cap) for s in spec.funding.sources] == [("income_tax", "tax", 5)]
    assert [r.name for r in spec.rules] == ["debt rule"]
    # the parent itself is unchanged
    assert parent.spec.meta.title == "Parent"
    assert parent.spec.defence.milestones == {2027: 2.5, 2030: 3.0}
    assert parent.spec.economy.real_growth == {2025: 1.0, 2026: 2.0}
    assert [s.name for s in parent.spec.funding.sources] == ["aid"]


def test_two_levels_of_extends() -> None:
    grandchild = load_with_spec(EXTENDS / "grandchild.yaml")
    assert grandchild.scenario.horizon == 2035
    assert list(grandchild.scenario.years) == list(range(2025, 2036))
    assert grandchild.spec.meta.title == "Child"
    assert grandchild.spec.meta.author == "parent author"
    assert grandchild.spec.defence.milestones == {2029: 3.5}


def test_uk_scenarios_extend_the_baseline() -> None:
    baseline = load_with_spec("scenarios/uk_baseline.yaml")
    uk = load_with_spec(UK_2030)
    assert uk.spec.economy == baseline.spec.economy
    assert uk.spec.finances == baseline.spec.finances
    assert uk.spec.meta.country == "United Kingdom"
    assert uk.spec.defence.milestones == {2027: 2.5, 2030: 3.0}
    assert [r.name for r in uk.spec.rules] == [r.name for r in baseline.spec.rules]


def test_error_in_a_replaced_key_is_reported_in_the_child(tmp_path: Path) -> None:
    """The child's milestones replace the parent's, so the problem is the child's alone."""
    child = tmp_path / "child.yaml"
    (tmp_path / "parent.yaml").write_bytes((ROOT / EXTENDS / "parent.yaml").read_bytes())
    child.write_text(
        "extends: parent.yaml\ndefence:\n  milestones:\n    2040: 3\n", encoding="utf-8"
    )
    assert problems(child) == [
        f"{child}:4: defence.milestones[2040]: year 2040 is outside the projection 2025-2032"
    ]


def test_cycle_is_reported_from_either_end() -> None:
    (line,) = problems(BAD / "extends_cycle_b.yaml")
    assert line == (
        f"{BAD}/extends_cycle_a.yaml:2: extends: extends cycle: {BAD}/extends_cycle_b.yaml"
        f" -> {BAD}/extends_cycle_a.yaml -> {BAD}/extends_cycle_b.yaml"
    )


def test_parent_not_utf8_names_the_parent_line() -> None:
    (line,) = problems(BAD / "extends_parent_not_utf8.yaml")
    assert f"{BAD}/not_utf8.yaml:2" in line, line


@pytest.mark.parametrize(
    ("extends", "expected"),
    [
        ("extends: 5\n", "inline.yaml:1: extends: must name a scenario file"),
        (
            "extends: parent.yaml\n",
            "inline.yaml:1: extends: cannot follow 'extends' when loading from a string",
        ),
    ],
)
def test_extends_from_text(extends: str, expected: str) -> None:
    assert text_problems(extends + small_text()) == [expected]


# --- --set overrides ---------------------------------------------------------------------


def test_override_changes_the_result() -> None:
    plain = load_file(UK_2030)
    loaded = load_with_spec(UK_2030, ["defence.milestones={2030: 3.5}"])
    raised = loaded.scenario
    assert loaded.spec.defence.milestones == {2030: 3.5}  # replaced whole
    assert raised.target_share == pytest.approx(0.035)
    before, after = run(plain), run(raised)
    j = after.years.index(2030)
    assert before.row("defence_pct_gdp")[j] == pytest.approx(3.0)
    assert after.row("defence_pct_gdp")[j] == pytest.approx(3.5)
    assert after.row("debt")[-1] > before.row("debt")[-1]


def test_override_one_entry_of_a_map() -> None:
    s = load_with_spec(UK_2030, ["defence.milestones.2035=4"])
    assert s.spec.defence.milestones == {2027: 2.5, 2030: 3.0, 2035: 4.0}


def test_overrides_apply_in_order() -> None:
    s = load_file(UK_2030, ["funding.tax_freeze=false", "funding.sources.0.kind=tax"])
    assert s.tax_freeze is False
    assert [p.kind for p in s.pools] == ["tax"]


@pytest.mark.parametrize(
    ("assignment", "expected", "fragment"),
    [
        ("interest.maturity=0.5", "--set: interest.maturity: ", "0.5 is below the minimum 1.0"),
        (
            "defence.milestone={2030: 3}",
            "--set: defence.milestone: ",
            "unknown key; did you mean 'milestones'?",
        ),
        (
            "defence.milestones={2040: 3}",
            "--set: defence.milestones[2040]: ",
            "year 2040 is outside the projection 2025-2035",
        ),
        (
            "funding.sources.0.kind=tax",
            "--set: funding.sources[0].kind: ",
            "not allowed while funding.tax_freeze is true",
        ),
        ("economy.gdp=lots", "--set: economy.gdp: ", "expected a number, got 'lots'"),
        ("meta.title.x=1", "--set: meta.title.x: ", "meta.title is not a section"),
        ("rules.0.limit=3", "--set: rules[0].limit: ", "a current_balance rule takes no limit"),
        (
            "rules.0.escape_clause={limit: 1, years: [2040]}",
            "--set: rules[0].escape_clause.years[0]: ",
            "year 2040 is outside the projection 2025-2035",
        ),
        # A section the override creates is the override's, not the document root's line
        # (nor that of a parent file's section it lands in).
        ("bogus.key=1", "--set: bogus: ", "unknown key (allowed here: defence"),
        ("economy.bogus.key=1", "--set: economy.bogus: ", "unknown key (allowed here: "),
        ("noequals", "--set: 'noequals': ", "expected key.path=value"),
        ("economy.real_growth+=fast", "--set: economy.real_growth: ", "+= takes a number"),
        ("economy.real_growth+=true", "--set: economy.real_growth: ", "+= takes a number"),
        ("meta.title+=1", "--set: meta.title: ", "not a number or a path of numbers"),
        (
            "economy.feedback.persistence+=0.1",
            "--set: economy.feedback.persistence: ",
            "not set; set it with =",
        ),
        ("rules.5.limit+=1", "--set: rules[5].limit: ", "no item 5"),
        ("=3", "--set: '=3': ", "expected key.path=value"),
        (
            "defence.milestones={2030: ",
            "--set: defence.milestones: ",
            "the value is not YAML",
        ),
    ],
)
def test_bad_override_comes_from_set(assignment: str, expected: str, fragment: str) -> None:
    lines = problems(UK_2030, (assignment,))
    assert lines[0].startswith(expected), lines
    assert fragment in lines[0], lines


def test_override_blames_the_file_for_what_it_breaks_there() -> None:
    """A shorter horizon from --set puts the child's milestone outside: that line is blamed."""
    assert problems(EXTENDS / "child.yaml", ("years.horizon=2028",)) == [
        f"{EXTENDS}/child.yaml:12: defence.milestones[2029]: year 2029 is outside the "
        "projection 2025-2028"
    ]


def test_bad_override_yaml_is_one_line() -> None:
    lines = problems(UK_2030, ("defence.milestones={2030: ",))
    assert len(lines) == 1, lines
    assert "<unicode string>" not in lines[0]


def test_override_past_the_end_of_a_list() -> None:
    (line,) = problems(UK_2030, ("rules.5.limit=3",))
    assert line.startswith("--set: rules[5].limit: "), line
    assert "not a section" not in line, line


def test_override_with_duplicate_keys() -> None:
    (line,) = problems(UK_2030, ("defence.milestones={2030: 3, 2030: 4}",))
    assert line.startswith("--set: "), line
    assert "duplicate key" in line, line


# --- loading from text -------------------------------------------------------------------


def test_load_text_small() -> None:
    s = load_text(small_text(), "small.yaml")
    assert (s.base_year, s.horizon, s.n_years) == (2024, 2030, 6)
    assert s.source == "small.yaml"
    assert s.target_year == 2030


def test_every_valid_fixture_loads() -> None:
    valid = sorted(p for p in FIXTURES.rglob("*.yaml") if BAD not in p.parents)
    assert len(valid) == 4, valid
    for path in valid:
        load_file(path)


def test_every_bad_fixture_is_covered() -> None:
    """Each file in bad/ is a case above (or a parent another case points to)."""
    named: set[str] = set()
    for param in BAD_CASES:
        (case,) = param.values
        assert isinstance(case, Bad)
        named |= {case.fixture, case.reported_in}
    named |= {"several_problems.yaml", "several_cross_problems.yaml", "extends_cycle_b.yaml"}
    named |= {"extends_parent_not_utf8.yaml"}
    named |= {"components_problems.yaml", "targets_without_components.yaml"}
    named |= {"component_funding_problems.yaml"}
    on_disk = {p.name for p in BAD.glob("*.yaml")}
    assert on_disk <= named, sorted(on_disk - named)


def _loaded(*overrides: str) -> Loaded:
    return load_with_spec(UK_2030, overrides)


def test_shift_adds_to_every_value_of_a_path() -> None:
    """``key+=delta`` moves each value of a {year: value} path, in the file's units."""
    before = _loaded().spec.economy.real_growth
    after = _loaded("economy.real_growth+=-0.5").spec.economy.real_growth
    assert isinstance(before, dict) and isinstance(after, dict)
    assert after.keys() == before.keys()
    assert all(after[y] == pytest.approx(before[y] - 0.5) for y in before)


def test_shift_of_a_number_and_after_a_set() -> None:
    """A shift applies to the value the key has at that point: the file's, or an earlier
    ``--set``'s."""
    base = _loaded().spec.economy.gdp
    assert _loaded("economy.gdp+=10").spec.economy.gdp == pytest.approx(base + 10)
    assert _loaded("economy.gdp=2000", "economy.gdp+=10").spec.economy.gdp == 2010


def test_shift_by_zero_changes_nothing() -> None:
    plain = _loaded().scenario
    shifted = _loaded("economy.real_growth+=0", "interest.long_rate+=0").scenario
    assert np.array_equal(plain.real_growth, shifted.real_growth)
    assert np.array_equal(plain.long_rate, shifted.long_rate)
