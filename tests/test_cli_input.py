"""Bad command-line input is one line on stderr and exit code 2, never a traceback or a
made-up number (docs/errors.md); output formats keep their documented contracts.

Each test was written to fail before the change it guards (review of the CLI, notes in the
commit messages).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from budgetsim.errors import ScenarioError
from budgetsim.input.files import load_file
from budgetsim.model.guard import DivergenceError
from budgetsim.solve import solve_min_cuts
from budgetsim.solve.checks import SolveError
from budgetsim.uncertainty.calibrate import CalibrationError, calibrate
from tests.conftest import ROOT, invoke

runner = CliRunner()


def one_line_error(r: Result, code: int = 2) -> str:
    """The single stderr line of a failed command (and nothing on stdout)."""
    assert r.exit_code == code, (r.exit_code, r.output, r.exception)
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    return lines[0]


# --- solve --discount ----------------------------------------------------------------


@pytest.mark.parametrize("rate", [float("nan"), float("inf"), -100.0, -150.0])
def test_min_sources_refuses_a_discount_that_is_not_a_rate(rate: float) -> None:
    """At or below -100 % a year the discount weights (1 + r) ** -t are infinite or change
    sign: the programme would not minimise the total, so there is no answer to give."""
    scn = load_file(ROOT / "scenarios/uk_2_65pct.yaml")
    with pytest.raises(SolveError, match="discount must be a finite rate above -100 % a year"):
        solve_min_cuts(scn, discount_pct=rate)


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

    r = invoke("stress", "scenarios/uk_2030.yaml", "-f", "csv", "--raw")
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


# --- calibrate -----------------------------------------------------------------------

HEADER = "year,real_gdp_growth_pct,gdp_deflator_growth_pct,gilt10y_avg_pct\n"


def history(tmp_path: Path, growth_2005: str) -> Path:
    """Twelve varied years, 2000-2011, with the given real growth in 2005 (line 7)."""
    lines = [HEADER]
    for k in range(12):
        g = growth_2005 if k == 5 else f"{1.0 + 0.3 * ((k * 7) % 5):g}"
        lines.append(
            f"{2000 + k},{g},{2.0 + 0.2 * ((k * 3) % 4):g},{4.0 + 0.1 * ((k * 5) % 7):g}\n"
        )
    path = tmp_path / "h.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN"])
def test_calibrate_refuses_a_value_that_is_not_finite_at_its_line(
    tmp_path: Path, value: str
) -> None:
    path = history(tmp_path, value)
    line = one_line_error(invoke("calibrate", path, "-f", "yaml"))
    assert line.startswith(f"{path}:7: not a finite number in '2005,{value},"), line


def test_calibrate_refuses_estimates_that_overflow(tmp_path: Path) -> None:
    """1e308 is a float, but no growth rate: the estimates overflow, and that is an error,
    not `growth_sd: inf` with exit code 0."""
    path = history(tmp_path, "1e308")
    line = one_line_error(invoke("calibrate", path, "-f", "yaml"))
    assert line == (
        f"{path}: the estimates are not finite numbers: values this large are not growth "
        "rates or yields in percent"
    ), line


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e308])
def test_the_calibrate_function_refuses_what_is_not_finite(value: float) -> None:
    """Library callers do not go through read_history: calibrate itself checks its inputs
    and its estimates (an input that is not finite, or one so large that they overflow)."""
    years = list(range(2000, 2012))
    growth = [1.0 + 0.3 * ((k * 7) % 5) for k in range(12)]
    growth[5] = value
    deflator = [2.0 + 0.2 * ((k * 3) % 4) for k in range(12)]
    gilt = [4.0 + 0.1 * ((k * 5) % 7) for k in range(12)]
    with pytest.raises(CalibrationError, match=r"not a finite number|not finite numbers"):
        calibrate(years, growth, deflator, gilt)


def test_calibrate_exclude_of_a_year_not_in_the_data_is_exit_2() -> None:
    line = one_line_error(invoke("calibrate", "--exclude", "3000"))
    assert line.endswith(": cannot exclude 3000: not a year of the data (1990 to 2024)"), line
    line = one_line_error(invoke("calibrate", "--from", "2000", "--exclude", "1995"))
    assert line.endswith(": cannot exclude 1995: not a year of the data (2000 to 2024)"), line


def test_calibrate_reads_its_csv_as_scenario_files_are_read(tmp_path: Path) -> None:
    """The same checks and wording as a scenario file (cli/files.read_text): a directory,
    a file over the size limit, bytes that are not UTF-8 (with the line)."""
    assert one_line_error(invoke("calibrate", tmp_path)) == (
        f"{tmp_path}: is a directory, not a history CSV"
    )
    latin = tmp_path / "latin.csv"
    latin.write_bytes(HEADER.encode() + b"2000,1,2,\xa33\n")
    assert one_line_error(invoke("calibrate", latin)) == f"{latin}:2: is not UTF-8 text"
    big = tmp_path / "big.csv"
    big.write_text(HEADER + "#" * (1 << 20), encoding="utf-8")
    line = one_line_error(invoke("calibrate", big))
    assert line.startswith(f"{big}: is ") and "a history CSV may be at most 1048576 bytes" in line


# --- solve's errors from the model -----------------------------------------------------


def test_solve_reports_a_scenario_error_once_and_a_divergence_as_exit_1(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A ScenarioError names its source already (the file name is not repeated); a
    divergence is a checked condition that failed, exit code 1, as for run, fan and stress."""
    import budgetsim.solve

    def bad_scenario(*args: object) -> None:
        raise ScenarioError.single("scenarios/uk_2030.yaml", "a problem found while solving")

    monkeypatch.setattr(budgetsim.solve, "solve_max_share", bad_scenario)
    line = one_line_error(invoke("solve", "scenarios/uk_2030.yaml", "--for", "max-share"))
    assert line == "scenarios/uk_2030.yaml: a problem found while solving", line

    def diverges(*args: object) -> None:
        raise DivergenceError("debt passes 10000 % of GDP in 2030", 2030)

    monkeypatch.setattr(budgetsim.solve, "solve_max_share", diverges)
    r = invoke("solve", "scenarios/uk_2030.yaml", "--for", "max-share")
    assert one_line_error(r, 1) == "scenarios/uk_2030.yaml: debt passes 10000 % of GDP in 2030"


# --- fan --workers -------------------------------------------------------------------


@pytest.mark.parametrize("workers", ["0", "-1"])
def test_fan_workers_must_be_at_least_one(workers: str) -> None:
    """0 would silently mean one per CPU and -1 one thread; neither is what was typed."""
    r = invoke("fan", "scenarios/uk_baseline.yaml", "--draws", "50", "--workers", workers)
    assert r.exit_code == 2 and "--workers" in r.stderr, r.output


# --- fan's table on a terminal -------------------------------------------------------


def run_on_terminal(args: list[str], columns: int) -> str:
    """The command's stdout on a pseudo-terminal ``columns`` wide, ANSI codes removed."""
    import fcntl
    import os
    import re
    import struct
    import subprocess
    import sys
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["TERM"] = "xterm"
    proc = subprocess.Popen(
        [sys.executable, "-m", "budgetsim.cli", *args],
        stdout=slave,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=ROOT,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    text = b"".join(chunks).decode("utf-8", "replace")
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def test_fan_table_fits_the_terminal_like_run() -> None:
    """On an 80-column terminal fan splits its tables into blocks of columns, as run does,
    instead of printing 200-column lines that wrap into noise."""
    args = ["scenarios/uk_2030.yaml"]
    for command in (["run", *args], ["fan", *args, "--draws", "200", "--workers", "1"]):
        text = run_on_terminal(command, 80)
        widths = [len(line.rstrip("\r")) for line in text.splitlines()]
        assert max(widths) <= 80, (command, max(widths))
        assert "[1/" in text, command  # the table was split, not cut
