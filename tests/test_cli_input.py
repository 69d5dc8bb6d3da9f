"""Bad command-line input is one line on stderr and exit code 2, never a traceback or a
made-up number (docs/errors.md); output formats keep their documented contracts.

Each test was written to fail before the change it guards (review of the CLI, notes in the
commit messages).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from budgetsim.cli.app import app
from budgetsim.cli.files import load_file
from budgetsim.solve import solve_min_cuts
from budgetsim.solvecore import SolveError
from tests.conftest import ROOT

runner = CliRunner()


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def invoke(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def one_line_error(r: Result, code: int = 2) -> str:
    """The single stderr line of a failed command (and nothing on stdout)."""
    assert r.exit_code == code, (r.exit_code, r.output, r.exception)
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    return lines[0]


# --- solve --discount ----------------------------------------------------------------


@pytest.mark.parametrize("rate", [float("nan"), float("inf"), -1.0, -1.5])
def test_min_sources_refuses_a_discount_that_is_not_a_rate(rate: float) -> None:
    """At or below -100 % a year the discount weights (1 + r) ** -t are infinite or change
    sign: the programme would not minimise the total, so there is no answer to give."""
    scn = load_file(ROOT / "scenarios/uk_2_65pct.yaml")
    with pytest.raises(SolveError, match="discount must be a finite rate above -100 % a year"):
        solve_min_cuts(scn, discount=rate)


@pytest.mark.parametrize("rate", ["nan", "-100", "-150", "inf"])
def test_solve_discount_out_of_range_is_exit_2(rate: str) -> None:
    r = invoke("solve", "scenarios/uk_2_65pct.yaml", "--for", "min-cuts", f"--discount={rate}")
    line = one_line_error(r)
    assert line == (
        "scenarios/uk_2_65pct.yaml: discount must be a finite rate above -100 % a year"
    ), line


# --- stress --------------------------------------------------------------------------


@pytest.mark.parametrize("tests", [("all", "bogus"), ("bogus", "all"), ("gilts_1pp", "bogus")])
def test_stress_checks_every_test_name_even_with_all(tests: tuple[str, ...]) -> None:
    args = [a for t in tests for a in ("--test", t)]
    line = one_line_error(invoke("stress", "scenarios/uk_2030.yaml", *args))
    assert line.startswith("--test: unknown test 'bogus'; one of: all, gilts_1pp"), line


def test_stress_csv_has_raw_numbers_like_run_csv() -> None:
    """docs/output.md: CSV is full precision, no signs or thousands separators; the numbers
    are the JSON's, and a test that is not run has empty cells."""
    import csv
    import io
    import json

    r = invoke("stress", "scenarios/uk_2030.yaml", "-f", "csv")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    data = json.loads(invoke("stress", "scenarios/uk_2030.yaml", "-f", "json").stdout)
    records = [data["scenario_values"], *data["tests"]]
    assert [row["test"] for row in rows] == [rec["test"] for rec in records]
    for row, rec in zip(rows, records, strict=True):
        for key in ("psnb_pct_gdp", "debt_pct_gdp"):
            assert row[key] == ("" if rec[key] is None else repr(rec[key])), (row, key)
        for rule, value in rec["headroom"].items():
            (column,) = [c for c in row if c.startswith(f"headroom:{rule} ")]
            assert row[column] == ("" if value is None else repr(value)), (row, column)
        assert int(row["year"]) == data["year"]
    (b3,) = [row for row in rows if row["test"] == "imf_b3"]
    assert b3["psnb_pct_gdp"] == "" and b3["note"].startswith("not run")
