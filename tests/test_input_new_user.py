"""What a new user trips over on the input side: a missing key blamed on a shared parent,
a percent written as a fraction in one value, GDP in the wrong unit, a realistic small value
warned about with no way to say it is right, and messages in the validator's words.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from budgetsim.errors import ScenarioError
from budgetsim.input.files import load_file
from tests.conftest import ROOT, invoke

SMALL = ROOT / "tests" / "fixtures" / "small.yaml"
UK_2030 = "scenarios/uk_2030.yaml"
HINT = "percentages are written in percent (2.5 means 2.5 %)"


def problem_lines(path: Path, overrides: tuple[str, ...] = ()) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_file(path, overrides)
    return [str(p) for p in info.value.problems]


# --- a missing key names the file loaded and its chain ----------------------------------


@pytest.mark.parametrize(
    ("child", "line"),
    [
        # economy comes from the parent alone: its missing gdp is the child's first key's
        ("# my variant\n\nextends: parent.yaml\nmeta: {title: Mine}\n", 3),
        # the child writes economy: the missing gdp is at that section
        ("extends: parent.yaml\neconomy:\n  deflator: 2.5\n", 2),
    ],
)
def test_a_key_missing_from_a_parent_is_blamed_on_the_child(
    tmp_path: Path, child: str, line: int
) -> None:
    parent = SMALL.read_text(encoding="utf-8").replace("gdp: 1000, ", "")
    (tmp_path / "parent.yaml").write_text(parent, encoding="utf-8")
    path = tmp_path / "child.yaml"
    path.write_text(child, "utf-8")
    assert problem_lines(path) == [
        f"{path}:{line}: economy.gdp: required key is missing; neither this file nor "
        f"{tmp_path}/parent.yaml (which it extends) gives it"
    ]


@pytest.fixture
def allies(tmp_path: Path) -> Path:
    """A copy of scenarios/ with a new ally, nato_japan.yaml: Germany's file without meta."""
    folder = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", folder)
    text = (folder / "nato_germany.yaml").read_text(encoding="utf-8")
    start = text.index("\nmeta:")
    end = text.index("\neconomy:")
    (folder / "nato_japan.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    return folder


def test_a_missing_key_is_blamed_on_the_file_loaded(allies: Path) -> None:
    """It was ``scenarios/common/ally.yaml:12: meta: required key is missing``, never
    naming nato_japan.yaml."""
    japan = allies / "nato_japan.yaml"
    first_key = next(
        i
        for i, line in enumerate(japan.read_text(encoding="utf-8").splitlines(), 1)
        if line and not line.startswith("#")
    )
    assert problem_lines(japan) == [
        f"{japan}:{first_key}: meta: required key is missing; neither this file nor "
        f"{allies}/common/ally.yaml (which it extends) gives it"
    ]


def test_the_whole_chain_is_named(allies: Path) -> None:
    """Spain extends common/eu.yaml, which extends common/ally.yaml."""
    spain = allies / "nato_spain.yaml"
    text = spain.read_text(encoding="utf-8")
    spain.write_text(text.replace("\n  gdp:", "\n  gdp_typo:", 1), encoding="utf-8")
    lines = problem_lines(spain)
    assert any(
        line.startswith(f"{spain}:")
        and ": economy.gdp: required key is missing; neither this file nor "
        f"{allies}/common/eu.yaml, {allies}/common/ally.yaml (which it extends) gives it"
        in line
        for line in lines
    ), lines


def test_a_missing_section_is_located_at_the_first_key_not_a_comment(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    text = SMALL.read_text(encoding="utf-8").replace("interest:", "# interest to come\n#interest:")
    path.write_text("# header\n# more header\n\n" + text, encoding="utf-8")
    assert problem_lines(path) == [f"{path}:5: interest: required key is missing"]


# --- one value a hundredth of what it should be --------------------------------------


def test_a_milestone_written_as_a_fraction_warns() -> None:
    """``check`` said "OK: target 0.04 % of GDP ... met" with no warning."""
    res = invoke("check", UK_2030, "--set", "defence.milestones.2030=0.035")
    assert res.exit_code == 0, res.output
    assert res.stderr == (
        "--set: defence.milestones[2030]: warning: 0.035 is about a hundredth of "
        f"defence.base_share, 2.33 (% of GDP): 3.5 written as a fraction? {HINT}\n"
    )


@pytest.mark.parametrize(
    ("assignment", "where", "message"),
    [
        (
            "economy.real_growth=[1.5, 1.6, 0.017, 1.5, 1.4, 1.5]",
            "economy.real_growth[2]",
            "0.017 is about a hundredth of the key's other values (median), 1.5 (% a year): "
            "1.7 written as a fraction?",
        ),
        (
            "defence.baseline_share={2025: 2, 2028: 0.02}",
            "defence.baseline_share[2028]",
            "0.02 is about a hundredth of defence.base_share, 2 (% of GDP): 2 written as a "
            "fraction?",
        ),
        (
            "finances.other_spending={2025: 40, 2027: 0.41, 2030: 40}",
            "finances.other_spending[2027]",
            f"0.41 is outside the plausible range 5 to 70 (% of GDP); {HINT}",
        ),
    ],
)
def test_one_value_among_others_is_judged_against_them(
    assignment: str, where: str, message: str
) -> None:
    (warning,) = load_file(SMALL, [assignment]).warnings
    assert str(warning).startswith(f"--set: {where}: warning: {message}"), str(warning)


@pytest.mark.parametrize(
    "assignment",
    [
        "defence.milestones={2030: 0.5}",  # a cut to 0.5 %: a hundred times is far from 2
        "economy.real_growth=[1.5, 0.3, 1.5, 1.5, 1.5, 1.5]",  # a slow year
        "economy.real_growth=[0.5, 0.6, 0.4, 0.5, 0.5, 0.5]",  # slow growth throughout
    ],
)
def test_small_but_plausible_values_do_not_warn(assignment: str) -> None:
    assert load_file(SMALL, [assignment]).warnings == ()


# --- base-year ratios to GDP --------------------------------------------------------


def test_gdp_in_the_wrong_unit_is_named() -> None:
    """It validated, then failed as "the scenario diverges (interest far above growth)"."""
    res = invoke("validate", "scenarios/uk_baseline.yaml")
    assert res.exit_code == 0
    res = invoke("run", UK_2030, "--set", "economy.gdp=2.7")
    assert (res.exit_code, res.stdout) == (2, "")
    assert res.stderr == (
        "--set: economy.gdp: 2.7 GBP bn makes debt 101,726 % and borrowing 5,085 % of GDP in "
        "the base year, far beyond any budget: is GDP in GBP bn, the unit of every cash "
        "figure?\n"
    )


@pytest.mark.parametrize(
    ("assignment", "expected"),
    [
        (
            "finances.debt=900000",
            "finances.debt: debt of 900000 EUR bn is 90,000 % of GDP (1000 EUR bn, economy.gdp) "
            "in the base year; no budget has more than 1000 %: is one of the two in another unit "
            "than EUR bn?",
        ),
        (
            "finances.psnb=-30000",
            "finances.psnb: borrowing of -30000 EUR bn is -3,000 % of GDP (1000 EUR bn, "
            "economy.gdp) in the base year; no budget has more than 100 %: is one of the two in "
            "another unit than EUR bn?",
        ),
        (
            "defence.basis=cash",
            "defence.cash: defence of 2000 EUR bn is 200 % of GDP (1000 EUR bn, economy.gdp) in "
            "the base year; no budget has more than 100 %: is one of the two in another unit "
            "than EUR bn?",
        ),
    ],
)
def test_one_figure_in_the_wrong_unit_is_named(assignment: str, expected: str) -> None:
    overrides = (assignment, "defence.cash=2000") if "cash" in assignment else (assignment,)
    lines = problem_lines(SMALL, overrides)
    assert lines == [f"--set: {expected}"]


def test_an_unusual_ratio_warns() -> None:
    (warning,) = load_file(SMALL, ["finances.debt=3500"]).warnings
    assert str(warning) == (
        "--set: finances.debt: warning: debt of 3500 EUR bn is 350 % of GDP (1000 EUR bn, "
        "economy.gdp) in the base year, outside what budgets have: check both figures"
    )


def test_every_shipped_scenario_has_plausible_ratios() -> None:
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        assert load_file(path).warnings == (), path


# --- acknowledging a warning: meta.accept_warnings and --quiet -----------------------

AID = "funding.sources=[{name: aid, cap_pct_gdp: 0.05}]"
AID_WARNING = (
    "--set: funding.sources[0].cap_pct_gdp: warning: 0.05 (% of GDP) is under 0.1: 5 written "
    f"as a fraction? {HINT}"
)


def test_a_small_cap_warns_per_key_and_value() -> None:
    assert [str(w) for w in load_file(SMALL, [AID]).warnings] == [AID_WARNING]


@pytest.mark.parametrize("key", ["funding.sources[0].cap_pct_gdp", "funding.sources.0.cap_pct_gdp"])
def test_a_file_accepts_a_warning_for_its_value(key: str) -> None:
    accept = f"meta.accept_warnings={{'{key}': 0.05}}"
    assert load_file(SMALL, [AID, accept]).warnings == ()
    changed = "funding.sources.0.cap_pct_gdp=0.06"
    (warning,) = load_file(SMALL, [AID, accept, changed]).warnings
    assert str(warning).endswith("(meta.accept_warnings accepts 0.05 here)"), str(warning)


def test_accepted_warnings_merge_through_extends(tmp_path: Path) -> None:
    parent = SMALL.read_text(encoding="utf-8").replace(
        "currency: EUR bn}",
        "currency: EUR bn, accept_warnings: {finances.other_investment: 0.05}}\n"
        "funding: {sources: [{name: aid, cap_pct_gdp: 0.05}]}",
    )
    parent = parent.replace("other_spending: 38}", "other_spending: 38, other_investment: 0.05}")
    (tmp_path / "parent.yaml").write_text(parent, encoding="utf-8")
    child = tmp_path / "child.yaml"
    accept = "meta:\n  accept_warnings:\n    funding.sources[0].cap_pct_gdp: 0.05\n"
    child.write_text(f"extends: parent.yaml\n{accept}", encoding="utf-8")
    assert len(load_file(tmp_path / "parent.yaml").warnings) == 1
    assert load_file(child).warnings == ()


QUIET_FILE = """\
meta: {title: Quiet, country: Testland, currency: EUR bn}
years: {base: 2024, horizon: 2030}
economy: {gdp: 1000, real_growth: 1.5, deflator: 2}
defence: {base_share: 2, milestones: {2030: 2.5}}
funding:
  sources: [{name: aid, cap_pct_gdp: 0.05}]
finances: {debt: 600, psnb: 10, receipts: 40, other_spending: 36}
interest: {maturity: 10, conventional_rate: 3, short_rate: 3, long_rate: 3.5}
rules: [{name: deficit, type: deficit_ceiling, limit: 3}]
uncertainty: {growth_sd: 1, deflator_sd: 1, rate_sd: 0.3, draws: 200}
"""


@pytest.mark.parametrize(
    "args",
    [
        ("run", "{f}"),
        ("compare", "{f}", "{f}"),
        ("validate", "{f}"),
        ("check", "{f}"),
        ("solve", "{f}", "--for", "max-share"),
        ("frontier", "{f}", "--years", "2030"),
        ("fan", "{f}"),
        ("stress", "{f}", "-t", "gilts_1pp"),
        ("plot", "{f}", "-o", "{tmp}/c.png"),
        ("report", "{f}", "-o", "{tmp}/r.md"),
    ],
    ids=lambda a: a[0],
)
def test_quiet_silences_warnings_on_every_command(tmp_path: Path, args: tuple[str, ...]) -> None:
    """The cap warned on every command with no way to silence it."""
    path = tmp_path / "quiet.yaml"
    path.write_text(QUIET_FILE, encoding="utf-8")
    argv = [a.format(f=path, tmp=tmp_path) for a in args]
    loud = invoke(*argv)
    warning = f"{path}:6: funding.sources[0].cap_pct_gdp: warning: 0.05 (% of GDP) is under 0.1"
    assert loud.stderr.startswith(warning), (loud.exit_code, loud.stderr)
    for flag in ("--quiet", "-q"):
        quiet = invoke(*argv, flag)
        assert quiet.exit_code == loud.exit_code
        others = [line for line in loud.stderr.splitlines(True) if "warning:" not in line]
        assert quiet.stderr == "".join(others)


# --- messages in the user's terms ---------------------------------------------------


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("defence.milestones=3", "defence.milestones: expected a map of year: percent, e.g. "
         "{2030: 3.0}, got 3"),
        ("defence.milestones=[3]", "defence.milestones: expected a map of year: percent, e.g. "
         "{2030: 3.0}, got [3]"),
        ("years.base='2024-25'", "years.base: write the year the fiscal year starts, 2024 for "
         "2024-25"),
        ("economy.gdp=a lot", "economy.gdp: expected a number, got 'a lot'"),
        ("years.horizon=2030.5", "years.horizon: expected a year, e.g. 2030, got 2030.5"),
        ("uncertainty.draws=many", "uncertainty.draws: expected a whole number, got 'many'"),
        ("funding.tax_freeze=maybe", "funding.tax_freeze: expected yes or no (true or false), "
         "got 'maybe'"),
        ("defence.shape=smooth", "defence.shape: expected 'linear', 'front', 'back' or 'step', "
         "got 'smooth'"),
        ("economy=5", "economy: expected a section of keys (key: value, indented below it), "
         "got 5"),
        ("rules=x", "rules: expected a list (items on lines starting '- ', or [a, b]), got 'x'"),
        ("meta.title=[1]", "meta.title: expected text (put it in quotes), got a list"),
        ("economy.gdp=", "economy.gdp: expected a number, got nothing (an empty value)"),
        ("interest.short_rate=3 %", "interest.short_rate: expected a number, a list or a "
         "{year: value} map, got '3 %': write the number without '%' (2.5 means 2.5 %)"),
        ("interest.short_rate=[3 %]", "interest.short_rate[0]: item 0 is '3 %', not a number: "
         "write the number without '%' (2.5 means 2.5 %)"),
        ("interest.maturity=10 %", "interest.maturity: expected a number, got '10 %': write the "
         "number without '%' (2.5 means 2.5 %)"),
    ],
)  # fmt: skip
def test_messages_are_in_the_users_terms(assignment: str, message: str) -> None:
    """Not "Input should be a valid dictionary" and the like."""
    lines = problem_lines(
        SMALL, ("uncertainty={growth_sd: 1, deflator_sd: 1, rate_sd: 1}", assignment)
    )
    assert lines[0] == f"--set: {message}", lines
    assert not any("Input should be" in line for line in lines), lines
