"""The ``budgetsim`` command through typer's CliRunner: run, compare, validate, schema.

Good input: exit 0 and real content in every format. Bad input: exit 2, the problem on
stderr as ``FILE:LINE: key.path: message``, nothing on stdout, no traceback and no output
file touched. This typer's CliRunner keeps stderr apart (``result.stderr``) and also mixes
both streams into ``result.output``, which is the assertion message everywhere.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from budgetsim import __version__
from tests.conftest import ROOT, SCENARIOS, invoke
from tests.test_loader import BAD, BAD_CASES, EXTENDS, FIXTURES, Bad

UK_2030 = "scenarios/uk_2030.yaml"
UK_BASELINE = "scenarios/uk_baseline.yaml"
UK_NATO = "scenarios/uk_nato_2035.yaml"
YEARS = list(range(2025, 2036))
LABELS = [f"{y}-{(y + 1) % 100:02d}" for y in YEARS]

JSON_SERIES = (
    "gdp",
    "real_growth_pct",
    "defence",
    "defence_pct_gdp",
    "extra_defence",
    "cuts",
    "tax_rise",
    "borrowing_for_defence",
    "receipts",
    "other_spending",
    "interest",
    "psnb",
    "current_balance",
    "sfa",
    "debt",
    "debt_pct_gdp",
)
SECTIONS = ("meta", "years", "economy", "defence", "funding", "finances", "interest", "rules")

runner = CliRunner()


def ok(*args: str | Path) -> Result:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert result.exception is None, result.output
    assert result.stderr == "", result.output
    return result


def bad_input(*args: str | Path) -> Result:
    """Exit 2 from the command itself (not an uncaught exception), no traceback."""
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), (result.exception, result.output)
    assert "Traceback" not in result.output, result.output
    assert result.stderr.strip(), result.output
    return result


def error_lines(result: Result) -> list[str]:
    return result.stderr.splitlines()


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


# --- run: the four formats ---------------------------------------------------------------


def test_run_table() -> None:
    out = ok("run", UK_2030).stdout
    assert out.startswith(
        "UK: 2.5 % from 2027-28 (aid cut), 3 % by 2030-31, rest borrowed (GBP bn)"
    )
    header = next(line for line in out.splitlines() if "2025-26" in line)
    assert [label for label in LABELS if label in header] == LABELS, header
    labels = [line.split("│")[1].strip() for line in out.splitlines() if line.startswith("│")]
    for label in ("GDP", "Defence % GDP", "overseas_aid", "Debt interest", "Debt % GDP"):
        assert label in labels, label
    defence = next(line for line in out.splitlines() if line.startswith("│ Defence % GDP"))
    assert defence.split("│")[2:-1][5].strip() == "3.00", defence  # 2030-31
    assert "│ stability rule " in out
    assert "Target 3.00 % of GDP in 2030-31: met (3.00 %)" in out
    assert "stability rule in 2029-30 (current budget balance): " in out
    assert "\033[" not in out  # not a terminal: no colour codes


def test_run_json() -> None:
    data = json.loads(ok("run", UK_2030, "--format", "json").stdout)
    for key in ("scenario", "unit", "years", "series", "rules", "summary"):
        assert key in data, key
    assert data["scenario"].startswith("UK: 2.5 % from 2027-28")
    assert data["unit"] == "GBP bn"
    assert data["years"] == YEARS
    for name in JSON_SERIES:
        values = data["series"][name]
        assert len(values) == len(YEARS), name
        assert all(isinstance(v, float) for v in values), name
    j = YEARS.index(2030)
    assert data["series"]["defence_pct_gdp"][j] == pytest.approx(3.0)
    assert data["series"]["gdp"][0] == pytest.approx(3002.0, abs=0.5)
    assert data["series"]["tax_rise"] == [0.0] * len(YEARS)  # tax lock
    rules = data["rules"]
    assert {r["name"] for r in rules} == {"stability rule", "investment rule"}
    for rule in rules:
        assert set(rule) >= {"name", "year", "passed", "headroom"}
        assert rule["year"] == 2029
        assert isinstance(rule["passed"], bool)
        assert isinstance(rule["headroom"], float)
    summary = data["summary"]
    assert summary["target_year"] == 2030
    assert summary["target_pct_gdp"] == pytest.approx(3.0)
    assert summary["target_met"] is True
    assert summary["cumulative_extra_defence"] == pytest.approx(
        sum(data["series"]["extra_defence"])
    )


def test_run_csv() -> None:
    out = ok("run", UK_2030, "-f", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [int(r["year"]) for r in rows] == YEARS  # one row a year
    assert [r["label"] for r in rows] == LABELS
    for name in JSON_SERIES:
        assert all(float(r[name]) == float(r[name]) for r in rows), name  # numbers, not NaN
    assert float(rows[YEARS.index(2030)]["defence_pct_gdp"]) == pytest.approx(3.0)
    assert "source:overseas_aid" in rows[0]


def test_run_formats_agree() -> None:
    data = json.loads(ok("run", UK_2030, "-f", "json").stdout)
    rows = list(csv.DictReader(io.StringIO(ok("run", UK_2030, "-f", "csv", "--raw").stdout)))
    for name in JSON_SERIES:
        assert [float(r[name]) for r in rows] == data["series"][name], name


def test_run_markdown() -> None:
    out = ok("run", UK_2030, "--format", "markdown").stdout
    lines = out.splitlines()
    assert lines[0] == "## UK: 2.5 % from 2027-28 (aid cut), 3 % by 2030-31, rest borrowed"
    assert "GBP bn; source: `scenarios/uk_2030.yaml`" in lines
    table = [line for line in lines if line.startswith("|")]
    assert table[0] == "|   | " + " | ".join(LABELS) + " |"
    assert table[1] == "|---|" + "|".join(["---:"] * len(LABELS)) + "|"
    assert all(line.count("|") == len(LABELS) + 2 for line in table)
    assert any(line.startswith("| GDP | 3,002.0 |") for line in table), table
    assert any(line.startswith("| Debt % GDP |") for line in table), table
    assert "- Target 3.00 % of GDP in 2030-31: met (3.00 %)" in lines


def test_run_extends_fixture_from_another_folder() -> None:
    data = json.loads(ok("run", EXTENDS / "child.yaml", "-f", "json").stdout)
    assert data["scenario"] == "Child"
    assert data["unit"] == "EUR bn"
    assert data["years"] == list(range(2025, 2033))
    assert [r["name"] for r in data["rules"]] == ["debt rule"] * 8


# --- run: --set --------------------------------------------------------------------------


def test_run_set_changes_the_result() -> None:
    plain = json.loads(ok("run", UK_2030, "-f", "json").stdout)
    raised = json.loads(
        ok("run", UK_2030, "-f", "json", "--set", "defence.milestones={2030: 3.5}").stdout
    )
    j = YEARS.index(2030)
    assert raised["series"]["defence_pct_gdp"][j] == pytest.approx(3.5)
    assert raised["summary"]["target_pct_gdp"] == pytest.approx(3.5)
    assert raised["series"]["debt"][-1] > plain["series"]["debt"][-1]


def test_run_set_repeatable() -> None:
    data = json.loads(
        ok(
            "run",
            UK_2030,
            "-f",
            "json",
            "--set",
            "funding.tax_freeze=false",
            "--set",
            "funding.sources.0.kind=tax",
        ).stdout
    )
    assert sum(data["series"]["tax_rise"]) > 0
    assert data["series"]["cuts"] == [0.0] * len(YEARS)


@pytest.mark.parametrize(
    ("assignment", "expected"),
    [
        ("interest.maturity=0.5", "--set: interest.maturity: 0.5 is below the minimum 1.0"),
        ("defence.milestone={2030: 3}", "--set: defence.milestone: unknown key; did you mean"),
        ("defence.milestones={2040: 3}", "--set: defence.milestones[2040]: year 2040 is outside"),
        ("noequals", "--set: 'noequals': expected key.path=value"),
    ],
)
def test_run_bad_set(assignment: str, expected: str) -> None:
    result = bad_input("run", UK_2030, "--set", assignment)
    assert error_lines(result)[0].startswith(expected), result.output
    assert result.stdout == "", result.output


# --- run: bad input, one fixture per failure mode ----------------------------------------


@pytest.mark.parametrize("case", BAD_CASES)
def test_run_bad_fixture(case: Bad) -> None:
    result = bad_input("run", case.path)
    lines = error_lines(result)
    assert len(lines) == 1, result.output
    assert lines[0].startswith(case.prefix), result.output
    assert case.fragment in lines[0], result.output
    assert result.stdout == "", result.output


def test_run_several_problems_one_line_each() -> None:
    result = bad_input("run", BAD / "several_problems.yaml")
    lines = error_lines(result)
    assert len(lines) == 4, result.output
    assert [line.split(": ", 2)[:2] for line in lines] == [
        [f"{BAD}/several_problems.yaml:6", "meta.autor"],
        [f"{BAD}/several_problems.yaml:8", "years.base"],
        [f"{BAD}/several_problems.yaml:12", "defence.base_share"],
        [f"{BAD}/several_problems.yaml:13", "finances.psnb"],
    ], result.output


def test_run_missing_file() -> None:
    result = bad_input("run", "scenarios/nope.yaml")
    assert error_lines(result) == ["scenarios/nope.yaml: no such file"], result.output


def test_run_directory() -> None:
    result = bad_input("run", "scenarios")
    assert error_lines(result) == ["scenarios: is a directory, not a scenario file"], result.output


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["run", UK_2030, "--format", "xml"], id="unknown-format"),
        pytest.param(["run"], id="no-file"),
        pytest.param(["frobnicate"], id="unknown-command"),
        pytest.param(["compare"], id="compare-no-files"),
    ],
)
def test_usage_errors(args: list[str]) -> None:
    bad_input(*args)


# --- run: --output -----------------------------------------------------------------------


def test_output_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "uk.json"
    result = ok("run", UK_2030, "-f", "json", "--output", out)
    assert result.stdout == "", result.output
    assert out.read_text(encoding="utf-8") == ok("run", UK_2030, "-f", "json").stdout
    assert json.loads(out.read_text(encoding="utf-8"))["years"] == YEARS
    assert files_in(tmp_path) == {"uk.json"}  # no temp file left


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_output_replaces_an_existing_file(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "out.txt"
    out.write_text("old contents\n", encoding="utf-8")
    ok("run", UK_2030, "-f", fmt, "-o", out)
    assert out.read_text(encoding="utf-8") == ok("run", UK_2030, "-f", fmt).stdout
    assert files_in(tmp_path) == {"out.txt"}


@pytest.mark.parametrize(
    "scenario",
    [
        BAD / "maturity_too_short.yaml",
        BAD / "syntax.yaml",
        BAD / "does_not_exist.yaml",
        BAD / "extends_cycle_a.yaml",
    ],
)
def test_failed_run_leaves_output_untouched(tmp_path: Path, scenario: Path) -> None:
    out = tmp_path / "result.csv"
    out.write_text("previous result\n", encoding="utf-8")
    before = out.stat().st_mtime_ns
    result = bad_input("run", scenario, "-f", "csv", "-o", out)
    assert error_lines(result)[0].startswith(f"{BAD}/"), result.output
    assert out.read_text(encoding="utf-8") == "previous result\n"
    assert out.stat().st_mtime_ns == before
    assert files_in(tmp_path) == {"result.csv"}


def test_failed_run_creates_no_output(tmp_path: Path) -> None:
    bad_input("run", BAD / "unknown_key.yaml", "-o", tmp_path / "new.json")
    assert files_in(tmp_path) == set()


def test_failed_write_leaves_output_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fails at the last step: the old file stays whole, the temp file goes."""
    out = tmp_path / "result.json"
    out.write_text("previous result\n", encoding="utf-8")

    def refuse(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    result = bad_input("run", UK_2030, "-f", "json", "-o", out)
    assert error_lines(result) == [f"{out}: cannot write: No space left on device"]
    assert out.read_text(encoding="utf-8") == "previous result\n"
    assert files_in(tmp_path) == {"result.json"}


@pytest.mark.parametrize("target", ["a_folder", "missing/out.json"])
def test_output_that_cannot_be_written(tmp_path: Path, target: str) -> None:
    (tmp_path / "a_folder").mkdir()
    out = tmp_path / target
    result = bad_input("run", UK_2030, "-o", out)
    assert error_lines(result)[0].startswith(f"{out}: cannot write: "), result.output
    assert files_in(tmp_path) == {"a_folder"}
    assert files_in(tmp_path / "a_folder") == set()


def test_output_file_mode_follows_umask(tmp_path: Path) -> None:
    out = tmp_path / "uk.csv"
    old = os.umask(0o022)
    try:
        ok("run", UK_2030, "-f", "csv", "-o", out)
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644


# --- validate ----------------------------------------------------------------------------


def test_validate_every_scenario() -> None:
    scenarios = sorted(f"scenarios/{p.name}" for p in SCENARIOS.glob("*.yaml"))
    assert len(scenarios) >= 6, scenarios
    result = ok("validate", *scenarios)
    assert result.stdout.splitlines() == [f"{s}: OK" for s in scenarios]


def test_validate_valid_fixtures() -> None:
    files = [FIXTURES / "small.yaml", *sorted(EXTENDS.glob("*.yaml"))]
    result = ok("validate", *files)
    assert result.stdout.splitlines() == [f"{f}: OK" for f in files]


def test_validate_bad_file() -> None:
    result = bad_input("validate", BAD / "unknown_key.yaml")
    assert result.stdout == "", result.output
    (line,) = error_lines(result)
    assert line.startswith(
        f"{BAD}/unknown_key.yaml:7: defence.milestone: unknown key; did you mean 'milestones'?"
    ), result.output


def test_validate_reports_every_file() -> None:
    result = bad_input(
        "validate",
        UK_BASELINE,
        BAD / "maturity_too_short.yaml",
        BAD / "does_not_exist.yaml",
        UK_2030,
        BAD / "several_cross_problems.yaml",
    )
    assert result.stdout.splitlines() == [f"{UK_BASELINE}: OK", f"{UK_2030}: OK"]
    lines = error_lines(result)
    assert len(lines) == 5, result.output
    assert lines[0].startswith(f"{BAD}/maturity_too_short.yaml:10: interest.maturity: ")
    assert lines[1] == f"{BAD}/does_not_exist.yaml: no such file"
    assert [line.split(":")[1] for line in lines[2:]] == ["8", "12", "16"], result.output


@pytest.mark.parametrize("name", [p.name for p in sorted(BAD.glob("*.yaml"))])
def test_validate_rejects_every_bad_fixture(name: str) -> None:
    result = bad_input("validate", BAD / name)
    assert result.stdout == "", result.output
    assert "Traceback" not in result.stderr


# --- compare -----------------------------------------------------------------------------


def test_compare_several_files() -> None:
    """One row a scenario, named by its title, the baseline (the file without a target)
    first wherever it was given."""
    out = ok("compare", UK_2030, UK_NATO, UK_BASELINE).stdout
    assert out.startswith("Compared in 2035-36")
    rows = [line for line in out.splitlines() if line.startswith("│ UK")]
    assert [row.split("│")[1].strip() for row in rows] == [
        "UK baseline: OBR March 2025 EFO, defence held at 2.33 % of GDP",
        "UK: 2.5 % from 2027-28 (aid cut), 3 % by 2030-31, rest borrowed",
        "UK: 3.5 % core defence by 2035-36 (NATO Hague), aid cut, rest borrowed",
    ], out
    assert "3.50 % in 2035-36" in rows[2]


def test_compare_json_year() -> None:
    data = json.loads(ok("compare", UK_BASELINE, UK_2030, "--year", "2029", "-f", "json").stdout)
    assert data["year"] == 2029
    baseline, uk = data["scenarios"]
    assert (baseline["scenario"], uk["scenario"]) == ("uk_baseline", "uk_2030")
    assert baseline["defence_pct_gdp"] == pytest.approx(2.33)
    assert baseline["extra_defence"] == 0.0
    assert uk["extra_defence"] > 0
    assert uk["debt_pct_gdp"] > baseline["debt_pct_gdp"]
    assert uk["rules_passed"].endswith("/2")


def test_compare_year_table() -> None:
    out = ok("compare", UK_BASELINE, UK_2030, "--year", "2029").stdout
    assert out.startswith("Compared in 2029-30"), out


@pytest.mark.parametrize("fmt", ["csv", "markdown"])
def test_compare_other_formats(fmt: str) -> None:
    out = ok("compare", UK_BASELINE, UK_2030, UK_NATO, "-f", fmt).stdout
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [r["scenario"] for r in rows] == ["uk_baseline", "uk_2030", "uk_nato_2035"]
    else:
        assert out.startswith("Compared in 2035-36.\n\n| Scenario |"), out
        assert sum(line.startswith("| UK") for line in out.splitlines()) == 3


def test_compare_metric() -> None:
    out = ok("compare", UK_BASELINE, UK_2030, "--metric", "debt_pct_gdp").stdout
    assert out.startswith("debt_pct_gdp (% of GDP)"), out
    body = [line for line in out.splitlines() if line.startswith("│ 20")]
    assert [line.split("│")[1].strip() for line in body] == LABELS, out
    head = next(line for line in out.splitlines() if line[1:].strip().startswith("Year"))
    assert "uk_baseline" in head and "uk_2030" in head, out


def test_compare_metric_json() -> None:
    args = ("compare", UK_BASELINE, UK_2030, "--metric", "debt_pct_gdp", "-f", "json")
    data = json.loads(ok(*args).stdout)
    assert data["metric"] == "debt_pct_gdp"
    assert [s["source"] for s in data["scenarios"]] == [UK_BASELINE, UK_2030]
    run = json.loads(ok("run", UK_2030, "-f", "json").stdout)
    assert data["scenarios"][1]["values"] == run["series"]["debt_pct_gdp"]


def test_compare_unknown_metric() -> None:
    result = bad_input("compare", UK_BASELINE, UK_2030, "--metric", "debt_pct")
    assert error_lines(result)[0].startswith("--metric: unknown series 'debt_pct'; one of: ")
    assert "debt_pct_gdp" in result.stderr
    assert result.stdout == "", result.output


@pytest.mark.parametrize("year", ["2024", "2036", "2050"])
def test_compare_year_outside_projection(year: str) -> None:
    result = bad_input("compare", UK_BASELINE, UK_2030, "--year", year)
    assert error_lines(result) == [f"--year {year}: not a projection year of every scenario"]
    assert result.stdout == "", result.output


def test_compare_year_only_some_scenarios_reach() -> None:
    result = bad_input("compare", UK_BASELINE, FIXTURES / "small.yaml", "--year", "2033")
    assert error_lines(result) == ["--year 2033: not a projection year of every scenario"]


def test_compare_with_a_bad_file() -> None:
    result = bad_input("compare", UK_BASELINE, BAD / "tax_under_freeze.yaml")
    assert error_lines(result)[0].startswith(
        f"{BAD}/tax_under_freeze.yaml:10: funding.sources[0].kind: a tax source is not allowed"
    ), result.output
    assert result.stdout == "", result.output


# --- schema, --version, -h ---------------------------------------------------------------


def test_schema_json() -> None:
    schema = json.loads(ok("schema").stdout)
    assert set(SECTIONS) <= set(schema["properties"]), schema["properties"]
    assert set(schema["required"]) >= {"meta", "years", "economy", "defence"}
    assert schema["additionalProperties"] is False


def test_schema_markdown() -> None:
    out = ok("schema", "--format", "markdown").stdout
    lines = out.splitlines()
    assert lines[0].startswith("# "), lines[0]
    assert "| key | symbol | unit | bounds | plausible | default | meaning |" in lines
    assert "|---|---|---|---|---|---|---|" in lines
    for key in ("defence.milestones", "funding.tax_freeze", "interest.maturity"):
        assert any(line.startswith(f"| `{key}` |") for line in lines), key


def test_parameter_reference_is_current() -> None:
    """docs/parameters.md is generated from the registry; `make docs` regenerates it."""
    out = ok("schema", "--format", "markdown").stdout
    assert (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8") == out, "run make docs"


def test_schema_output(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    ok("schema", "-o", out)
    assert "properties" in json.loads(out.read_text(encoding="utf-8"))
    assert files_in(tmp_path) == {"schema.json"}


def test_version() -> None:
    assert ok("--version").stdout == f"budgetsim {__version__}\n"


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help(flag: str) -> None:
    out = ok(flag).stdout
    assert "Usage:" in out
    for command in ("run", "compare", "validate", "schema"):
        assert command in out, command


@pytest.mark.parametrize("command", ["run", "compare", "validate", "schema"])
def test_command_help(command: str) -> None:
    out = ok(command, "-h").stdout
    assert f"Usage: budgetsim {command} [OPTIONS]" in out, out


def test_no_arguments_shows_help() -> None:
    result = invoke()
    assert "Usage:" in result.output, result.output
    assert "Traceback" not in result.output


# --- the installed command, in a process of its own ----------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            [f"{BAD}/maturity_too_short.yaml"],
            f"{BAD}/maturity_too_short.yaml:10: interest.maturity: ",
            id="out-of-bounds",
        ),
        pytest.param([f"{BAD}/syntax.yaml"], f"{BAD}/syntax.yaml:7: invalid YAML", id="syntax"),
        pytest.param(
            [UK_2030, "--set", "interest.maturity=0.5"],
            "--set: interest.maturity: 0.5",
            id="set",
        ),
    ],
)
def test_console_script_bad_input(args: list[str], expected: str) -> None:
    script = Path(sys.executable).with_name("budgetsim")
    if not script.exists():
        pytest.skip(f"{script} is not installed")
    proc = subprocess.run(
        [str(script), "run", *args], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == "", proc.stdout
    assert proc.stderr.startswith(expected), proc.stderr
    assert "Traceback" not in proc.stderr


def test_console_script_output_is_complete(tmp_path: Path) -> None:
    """The script ends the process without interpreter teardown; nothing may be lost."""
    script = Path(sys.executable).with_name("budgetsim")
    if not script.exists():
        pytest.skip(f"{script} is not installed")
    out = tmp_path / "run.json"
    proc = subprocess.run(
        [str(script), "run", UK_2030, "-f", "json", "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    assert json.loads(out.read_text(encoding="utf-8"))["years"] == YEARS
    proc = subprocess.run(
        [sys.executable, "-m", "budgetsim.cli", "run", UK_2030],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.rstrip().endswith(
        "investment rule in 2029-30 (net financial liabilities, % of GDP): passes, "
        "headroom +9.6 GBP bn"
    )


def test_tax_source_is_shown_under_tax() -> None:
    out = ok("run", EXTENDS / "child.yaml").stdout
    labels = [line.split("│")[1].rstrip() for line in out.splitlines() if line.startswith("│")]
    at = labels.index("   met by tax")
    assert labels[at + 1] == "     income_tax", labels
    assert labels[at - 1] == "   met by cuts", labels


def test_markdown_keeps_sub_row_indent() -> None:
    out = ok("run", UK_2030, "-f", "markdown").stdout
    assert "| &emsp;met by cuts |" in out, out
    assert "| &emsp;&emsp;overseas_aid |" in out, out


def test_compare_metric_csv_has_raw_numbers() -> None:
    out = ok("compare", UK_BASELINE, UK_2030, "--metric", "debt", "-f", "csv", "--raw").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [int(r["year"]) for r in rows] == YEARS
    assert [r["label"] for r in rows] == LABELS
    run = json.loads(ok("run", UK_2030, "-f", "json").stdout)
    assert [float(r["uk_2030"]) for r in rows] == run["series"]["debt"]


def test_compare_metric_table_names_the_unit() -> None:
    out = ok("compare", UK_BASELINE, UK_2030, "--metric", "defence").stdout
    assert out.startswith("defence (GBP bn)"), out


def test_compare_metric_refuses_year() -> None:
    result = bad_input("compare", UK_BASELINE, UK_2030, "--metric", "debt", "--year", "2029")
    assert error_lines(result) == ["--year: --metric shows every year; leave out one of the two"]
    assert result.stdout == "", result.output


def test_markdown_compare_aligns_text_left_numbers_right() -> None:
    out = ok("compare", UK_BASELINE, UK_2030, "-f", "markdown").stdout
    lines = [line for line in out.splitlines() if line.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    align = dict(zip(header, lines[1].strip("|").split("|"), strict=True))
    assert align["Scenario"] == align["Target"] == align["Tightest rule"] == "---", align
    assert align["Defence % GDP"] == align["Headroom"] == "---:", align
