"""``budgetsim check``: exit 0 when every rule holds and the target is met, 1 when a scenario
ran but failed (rule, target or divergence), 2 on bad input; lines on stdout, problems on
stderr. The UK figures are those of docs/cli.md (OBR March 2025, scenarios/)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from budgetsim.cli.app import app
from tests.conftest import invoke

runner = CliRunner()
SMALL = "tests/fixtures/small.yaml"
EXPLODE = [
    "--set",
    "interest.long_rate=100",
    "--set",
    "interest.short_rate=100",
    "--set",
    "interest.conventional_rate=100",
    "--set",
    "economy.real_growth=-50",
]


def check(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["check", *(str(a) for a in args)])
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_passing_scenario_exits_0() -> None:
    code, out, err = check("scenarios/uk_2_65pct.yaml")
    assert (code, err) == (0, "")
    assert out == (
        "scenarios/uk_2_65pct.yaml: OK: target 2.65 % of GDP in 2027-28 met; 2 fiscal rules hold\n"
    )


def test_no_target_and_no_rules_passes() -> None:
    assert check("scenarios/uk_baseline.yaml")[:2] == (
        0,
        "scenarios/uk_baseline.yaml: OK: no target set; 2 fiscal rules hold\n",
    )
    assert (
        check(SMALL)[1]
        == f"{SMALL}: OK: target 3.00 % of GDP in 2030-31 met; no fiscal rules set\n"
    )


def test_breached_rule_exits_1_naming_rule_year_and_headroom() -> None:
    code, out, err = check("scenarios/uk_2030.yaml")
    assert (code, err) == (1, "")
    assert out == (
        "scenarios/uk_2030.yaml: FAIL: stability rule breached in 2029-30 (headroom -0.6 GBP bn)\n"
    )


def test_a_rule_breached_in_many_years_is_summed_up() -> None:
    """Over three breached years: the count, the first year and the worst headroom."""
    code, out, err = check("scenarios/nato_germany.yaml")
    assert (code, err) == (1, "")
    assert out == (
        "scenarios/nato_germany.yaml: FAIL: "
        "debt brake (GG proxy) breached in 11 of 11 years checked "
        "(first 2025; worst 2035, headroom -140.1 EUR bn); "
        "EU deficit 3 % breached in 10 of 11 years checked "
        "(first 2026; worst 2035, headroom -131.3 EUR bn); "
        "EU debt 60 % breached in 11 of 11 years checked "
        "(first 2025; worst 2035, headroom -1,621.1 EUR bn)\n"
    )


def test_missed_target_exits_1() -> None:
    # A cash path held at the base year's level cannot reach a 3 % share.
    code, out, _ = check(SMALL, "--set", "defence.basis=cash", "--set", "defence.cash=20")
    assert code == 1
    assert out.startswith(f"{SMALL}: FAIL: target 3.00 % of GDP in 2030-31 missed ("), out


def test_divergence_exits_1_with_the_year() -> None:
    code, out, _ = check(SMALL, *EXPLODE)
    assert code == 1
    assert out.startswith(f"{SMALL}: FAIL: debt passes 10000 % of GDP in 2028"), out


def test_bad_input_exits_2_and_wins_over_1() -> None:
    code, out, err = check("scenarios/uk_2030.yaml", "tests/fixtures/bad/syntax.yaml", SMALL)
    assert code == 2
    assert err.startswith("tests/fixtures/bad/syntax.yaml:7: invalid YAML"), err
    # every file is still checked, in order
    assert [line.split(":")[0] for line in out.splitlines()] == ["scenarios/uk_2030.yaml", SMALL]


def test_missing_file_exits_2() -> None:
    assert check("no_such.yaml") == (2, "", "no_such.yaml: no such file\n")


def test_all_passing_files_exit_0() -> None:
    code, out, _ = check("scenarios/uk_2_65pct.yaml", "scenarios/uk_baseline.yaml")
    assert code == 0
    assert len(out.splitlines()) == 2


def test_warning_keeps_exit_code() -> None:
    code, out, err = check(SMALL, "--set", "interest.maturity=45")
    assert code == 0
    assert out.startswith(f"{SMALL}: OK"), out
    assert err == (
        "--set: interest.maturity: warning: 45 is outside the plausible range 1 to 30 (years)\n"
    )


def test_no_file_is_a_usage_error() -> None:
    assert check()[0] == 2


def test_every_target_is_checked_not_only_the_headline() -> None:
    """With several targets counting components, a missed target other than the headline
    one fails the check (the check looked only at the headline target), and the line names
    it, how often and where it is furthest off."""
    r = invoke("check", "scenarios/uk_hague_2035.yaml", "--set", "defence.targets.1.share=2")
    assert r.exit_code == 1, r.output
    assert "resilience 1.5 % (2.00 % of GDP) missed in 2035-36 (1.50 %)" in (r.stdout), r.stdout
    ok = invoke("check", "scenarios/uk_hague_2035.yaml")
    assert ok.exit_code == 0 and "4 targets met in every year they apply" in ok.stdout, ok.stdout
