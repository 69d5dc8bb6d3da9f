"""``budgetsim solve`` and ``budgetsim frontier`` on the UK scenarios, through CliRunner.

Answers go to stdout in every format ``run`` has; a solved scenario written with
``--write-scenario`` runs to exactly the same numbers; no path passing is exit 1 with one
line naming the rule and year; a question the scenario cannot answer is exit 2.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import invoke

runner = CliRunner()
UK_BASELINE = "scenarios/uk_baseline.yaml"
UK_2030 = "scenarios/uk_2030.yaml"
# An uncapped pool of other spending, after the aid cut, so that any target can be met.
MORE_CUTS = (
    "funding.sources=[{name: overseas_aid, cap_pct_gdp: {2025: 0, 2026: 0, 2027: 0.2}}, "
    "{name: other_departments}]"
)


def test_max_share_names_the_answer_and_binding_rule_in_every_format() -> None:
    table = invoke("solve", UK_BASELINE, "--for", "max-share", "--year", "2029")
    assert table.exit_code == 0, table.output
    assert "highest share in 2029-30:" in table.stdout
    assert "binds in 2029-30" in table.stdout
    assert "Debt % GDP" in table.stdout
    data = json.loads(
        invoke("solve", UK_BASELINE, "--for", "max-share", "--year", "2029", "-f", "json").stdout
    )
    sol = data["solution"]
    assert sol["feasible"] and sol["binding"]["year"] == 2029
    reached = data["run"]["series"]["defence_pct_gdp"][data["run"]["years"].index(2029)]
    assert reached == pytest.approx(sol["answer"], abs=1e-9)
    rows = list(
        csv.DictReader(
            io.StringIO(
                invoke(
                    "solve", UK_BASELINE, "--for", "max-share", "--year", "2029", "-f", "csv"
                ).stdout
            )
        )
    )
    assert len(rows) == 11
    md = invoke("solve", UK_BASELINE, "--for", "max-share", "--year", "2029", "-f", "markdown")
    assert md.stdout.startswith("**highest share in 2029-30:")


@pytest.mark.parametrize(
    "args",
    [
        ("--for", "max-share", "--year", "2029"),
        ("--for", "min-cuts", "--share", "3", "--year", "2029", "--set", MORE_CUTS),
    ],
)
def test_written_scenario_runs_to_the_same_numbers(tmp_path: Path, args: tuple[str, ...]) -> None:
    out = tmp_path / "solved.yaml"
    solved = invoke("solve", UK_2030, *args, "--write-scenario", out, "-f", "json")
    assert solved.exit_code == 0, solved.output
    again = invoke("run", out, "-f", "json")
    assert again.exit_code == 0, again.output
    expected = json.loads(solved.stdout)["run"]
    got = json.loads(again.stdout)
    assert got["series"] == expected["series"]
    assert got["rules"] == expected["rules"]
    command = f"budgetsim solve {UK_2030} {' '.join(args[:2])}"
    assert out.read_text().startswith(f"# Solved by: {command}")


def test_min_cuts_cuts_only_where_a_rule_needs_it() -> None:
    res = invoke("solve", UK_2030, "--for", "min-cuts", "--share", "3", "--year", "2029",
                 "--set", MORE_CUTS, "-f", "json")  # fmt: skip
    assert res.exit_code == 0, res.output
    sol = json.loads(res.stdout)["solution"]
    assert sol["answer"] > 0
    assert sol["binding"]["rule"] in ("stability rule", "investment rule")
    assert "successive linear programmes" in sol["method"]


def test_no_path_passes_is_exit_1_with_the_rule_and_year() -> None:
    res = invoke("solve", UK_2030, "--for", "min-cuts")
    assert res.exit_code == 1
    assert res.stdout == ""
    assert res.stderr == (
        f"{UK_2030}: no path passes: stability rule fails in 2029-30 even with every pool "
        "cut to its cap (headroom -0.6 GBP bn)\n"
    )


def test_no_path_passes_in_json_gives_the_headroom_at_the_caps() -> None:
    """The JSON answer names the failing check with its headroom at the caps: a number
    (it was NaN, which JSON cannot carry), equal to the scenario's own run here, where the
    aid cut is already at its cap and the only pool."""
    res = invoke("solve", UK_2030, "--for", "min-cuts", "-f", "json")
    assert res.exit_code == 1
    binding = json.loads(res.stdout)["solution"]["binding"]
    assert binding["rule"] == "stability rule" and binding["label"] == "2029-30"
    ran = json.loads(invoke("run", UK_2030, "-f", "json").stdout)
    (rule,) = [r for r in ran["rules"] if r["name"] == "stability rule"]
    assert binding["headroom"] == pytest.approx(rule["headroom"], abs=1e-9)


def test_tax_rise_under_the_tax_lock_is_exit_2() -> None:
    res = invoke("solve", UK_2030, "--for", "tax-rise")
    assert res.exit_code == 2
    assert "tax freeze is on" in res.stderr
    assert res.stdout == ""


def test_tax_rise_with_the_lock_lifted(tmp_path: Path) -> None:
    res = invoke(
        "solve", UK_2030, "--for", "tax-rise", "--share", "3.5", "--year", "2029",
        "--set", "funding.tax_freeze=false",
        "--set", "funding.sources=[{name: income_tax, kind: tax}]",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "least tax rise:" in res.stdout


def test_bad_questions_are_exit_2() -> None:
    for args in (
        ("--for", "earliest-year", "--year", "2029"),
        ("--for", "max-share", "--share", "3"),
        ("--for", "max-share", "--year", "2050"),
        ("--for", "earliest-year"),  # the baseline has no milestone to aim for
    ):
        res = invoke("solve", UK_BASELINE, *args)
        assert res.exit_code == 2, (args, res.output)
        assert res.stderr.count("\n") == 1 and "Traceback" not in res.output


def test_frontier_table_and_json() -> None:
    res = invoke("frontier", UK_2030, "--targets", "2.5,3", "--years", "2027..2030")
    assert res.exit_code == 0, res.output
    assert "2027-28" in res.stdout and "extra cost" in res.stdout
    data = json.loads(
        invoke(
            "frontier", UK_2030, "--targets", "2.5,3", "--years", "2027..2030", "-f", "json"
        ).stdout
    )
    cells = data["cells"]
    assert len(cells) == 8
    by = {(c["target_pct_gdp"], c["year"]): c for c in cells}
    # A higher target in the same year costs more over the projection.
    assert by[(3.0, 2029)]["extra_cost"] > by[(2.5, 2029)]["extra_cost"]
    for c in cells:
        assert (c["cuts_needed"] is None) == (not c["feasible"])
        assert c["rule"] in ("stability rule", "investment rule")
    bad = invoke("frontier", UK_2030, "--years", "2027..2020")
    assert bad.exit_code == 2


def test_tax_rise_beside_a_cuts_pool_keeps_the_pool() -> None:
    """docs/solving.md's tax-rise example, with the aid cut kept at its cap beside the tax
    source, crashed (a TypeError: the cuts pool's amounts, one a year, were read as if they
    had a batch axis): the answer is found and the aid cut stays as the scenario makes it."""
    args = [
        "solve", UK_2030, "--for", "tax-rise", "--share", "3", "--year", "2029",
        "--set", "funding.tax_freeze=false",
        "--set", "funding.sources=[{name: overseas_aid, cap_pct_gdp: {2025: 0, 2026: 0, "
        "2027: 0.2}}, {name: income_tax, kind: tax}]",
    ]  # fmt: skip
    table = invoke(*args)
    assert table.exit_code == 0, table.output
    assert "least tax rise: 6.5 GBP bn" in table.stdout, table.stdout
    res = invoke(*args, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["solution"]["answer"] == pytest.approx(6.455, abs=1e-3)
    aid = data["run"]["sources"]["overseas_aid"]
    assert aid[:2] == [0.0, 0.0] and aid[2] > 5  # cut from 2027-28, as the scenario does
