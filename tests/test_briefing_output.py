"""Output a briefing can use, and what is expected of a Python tool (issue 13, output side).

Each test says which item it guards; each failed on main (the messages, the order of rows,
the options and files that did not exist there).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from budgetsim import __version__
from tests.conftest import ROOT, invoke

UK = "scenarios/uk_2030.yaml"
BASE = "scenarios/uk_baseline.yaml"
NATO = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "scenarios").glob("nato_*.yaml"))
SMALL = "tests/fixtures/small.yaml"


def ok(*args: str | Path) -> str:
    res = invoke(*args)
    assert res.exit_code == 0, res.output
    return str(res.stdout)


# --- 3. a written scenario says what was solved, and how to make it again --------------------


def test_written_scenario_says_what_was_solved_and_can_be_made_again(tmp_path: Path) -> None:
    """The file kept "3 % by 2030-31, rest borrowed" and "Taxes are frozen" after a
    tax-rise solve with the freeze lifted, and its header left out --share, --year and
    --set. Now its title and description are the solution's, and the header's command,
    run again, writes the same file."""
    out = tmp_path / "solved.yaml"
    args = [
        "solve", UK, "--for", "tax-rise", "--year", "2029", "--share", "3",
        "--discount", "3.5", "--set", "funding.tax_freeze=false",
        "--set", "funding.sources=[{name: income_tax, kind: tax}]",
    ]  # fmt: skip
    ok(*args, "--write-scenario", out)
    text = out.read_text(encoding="utf-8")
    command = text.splitlines()[0].removeprefix("# Solved by: ")
    assert shlex.split(command) == ["budgetsim", *args]
    meta = yaml.safe_load(text)["meta"]
    assert meta["title"] == (
        "uk_2030 solved for tax-rise: least tax rise 14.0 GBP bn for 3 % of GDP in 2029-30"
    )
    assert "rest borrowed" not in meta["title"] and "frozen" not in meta["description"]
    assert "income_tax gives the solved amount each year" in meta["description"]
    again = tmp_path / "again.yaml"
    ok(*shlex.split(command)[1:], "--write-scenario", again)
    assert again.read_text(encoding="utf-8") == text


# --- 4. targets never contradict themselves ------------------------------------------------


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("run", "  Target 0.035 % of GDP in 2030-31: met (0.035 %)"),
        ("check", f"{UK}: OK: target 0.035 % of GDP in 2030-31 met;"),
    ],
)
def test_a_target_is_printed_with_the_digits_it_needs(command: str, expected: str) -> None:
    """A milestone of 0.035 (a unit slip, warned about) printed "Target 0.04 % ... met
    (0.03 %)": two decimals rounded the target up and the share reached down."""
    res = invoke(command, UK, "--set", "defence.milestones.2030=0.035")
    assert expected in res.stdout, res.stdout


def test_share_pair_rounds_consistently() -> None:
    from budgetsim.cli.present.emit import share_pair

    assert share_pair(3.0, 3.0, True) == ("3.00", "3.00")
    assert share_pair(0.035, 0.0349999999999, True) == ("0.035", "0.035")
    assert share_pair(3.0, 2.9999, False) == ("3.0000", "2.9999")
    assert share_pair(2.5313217, 2.5313217, True) == ("2.53", "2.53")


# --- 7. one source comment is one row ------------------------------------------------------


def test_a_comment_wrapped_across_two_keys_stays_with_its_key() -> None:
    """The HTML report split "(S, Charter / for Budget Responsibility, Jan 2025)" across
    rules[0].type and rules[0].years."""
    from budgetsim.input.assumptions import assumptions_of

    rows = {r.key: r.source for r in assumptions_of(ROOT / UK).rows}
    assert rows["rules[0].type"] == (
        "current budget in balance or surplus in 2029-30 (S, Charter for Budget "
        "Responsibility, Jan 2025)"
    )
    assert rows["rules[0].years"] == ""
    assert rows["rules[1].type"] == "PSNFL falling as a share of GDP in 2029-30 (S, [charter-2025])"
    assert rows["rules[1].years"] == ""
    # A comment that ends a sentence is its own key's, even when the next starts in lower
    # case (common/ally.yaml: "... to 3.5 % in 2035" then "not in our sources; ...").
    ally = {r.key: r.source for r in assumptions_of(ROOT / "scenarios/nato_canada.yaml").rows}
    assert ally["defence.capital_share"].startswith("not in our sources")
    # Every figure of a shipped file has its own source row: no comment of one key runs on
    # beside the next key's value (Ukraine's share had an empty row, and compare's note
    # called the component's name the assumption).
    checked = 0
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        rows = {r.key: r.source for r in assumptions_of(path).rows}
        for key in [k for k, v in rows.items() if v.startswith("support to Ukraine")]:
            share = key.replace(".name", ".base_share")
            assert "(assumption)" in rows[share] and "(assumption)" not in rows[key], path
            checked += 1
    assert checked  # uk_spending_review.yaml names the component with its source


# --- 9. one style of numbers and years -----------------------------------------------------


def test_target_rows_keep_the_year_columns_right_aligned() -> None:
    """With a target row ("met", "SHORT 0.3"), every year column after its first year was
    left-aligned (the cells did not read as numbers), so the numbers above stood ragged; a
    target missed is red as a failing rule is."""
    from budgetsim.cli.present.emit import markdown_table, rich_table

    header = ["", "2026-27", "2027-28"]
    rows = [["Defence", "82.0", "85.3"], ["UK 2.6 %", "", "SHORT 0.3"], ["NATO 2 %", "met", "met"]]
    table = rich_table("t", header, rows)
    assert [c.justify for c in table.columns] == ["left", "right", "right"]
    assert [r.style for r in table.rows] == [None, "red", None]
    assert markdown_table(header, rows).splitlines()[1] == "|---|---:|---:|"


def test_chances_are_percent_everywhere() -> None:
    out = ok("fan", UK, "--draws", "2000")
    assert "Chance it passes" in out and "P(pass)" not in out
    assert re.search(r"Chance that every rule passes in all its years: \d+\.\d %", out)
    assert not re.search(r": 0\.\d{3}\b", out)
    sheets = ok("fan", UK, "--draws", "2000", "-f", "csv", "--units").splitlines()
    assert sheets[1].startswith(",,,,(see unit)")


def test_fiscal_years_in_messages() -> None:
    """A divergence said "in 2029" for 2029-30; a year outside the projection "2025-2035"."""
    res = invoke("run", SMALL, "--set", "interest.long_rate=100", "--set",
                 "interest.short_rate=100", "--set", "economy.real_growth=-50")  # fmt: skip
    assert res.stderr.endswith("debt passes 10000 % of GDP in 2029-30: the scenario diverges "
                               "(interest far above growth); check rates and growth or shorten "
                               "the horizon\n"), res.stderr  # fmt: skip
    res = invoke("stress", UK, "--year", "2040")
    assert res.stderr == (f"{UK}: year 2040-41 is outside the projection, 2025-26 to 2035-36\n")


def test_csv_is_rounded_by_unit_with_units_row_and_raw() -> None:
    rows = list(csv.reader(io.StringIO(ok("run", UK, "-f", "csv", "--units"))))
    header, units, first = rows[0], rows[1], rows[2]
    assert units[header.index("gdp")] == "GBP bn"
    assert units[header.index("debt_pct_gdp")] == "% of GDP"
    assert first[header.index("gdp")] == "3002.0"  # cash to 0.1, no separators
    assert first[header.index("debt_pct_gdp")] == "95.13"  # percent to 0.01
    raw = list(csv.reader(io.StringIO(ok("run", UK, "-f", "csv", "--raw"))))
    data = json.loads(ok("run", UK, "-f", "json"))
    assert float(raw[1][header.index("gdp")]) == data["series"]["gdp"][0]


# --- 10. what an analyst needs by default ------------------------------------------------


def test_solver_internals_behind_verbose() -> None:
    args = ("solve", BASE, "--for", "max-share", "--year", "2029")
    assert "model rows run" not in ok(*args)
    assert "method: batched bisection" in ok(*args, "--verbose")


def test_identical_percentile_rows_behind_verbose() -> None:
    out = ok("fan", UK, "--draws", "2000")
    defence = out.split(": Defence % GDP")[1].split("Rule headroom")[0]
    assert "central" in defence and "P5 " not in defence
    assert "Defence % GDP: every percentile equals the central path" in out
    assert "P95" in ok("fan", UK, "--draws", "2000", "-v").split(": Defence % GDP")[1]


def test_tests_not_run_behind_verbose() -> None:
    assert "imf_b3" not in ok("stress", UK).split("└")[0]
    assert "Not run: imf_b3 (needs a primary-balance history)" in ok("stress", UK)
    assert "imf_b3" in ok("stress", UK, "--verbose").split("└")[0]


def test_compare_puts_the_baseline_first_and_names_rows_by_title() -> None:
    data = json.loads(ok("compare", UK, BASE, "-f", "json"))
    assert [s["scenario"] for s in data["scenarios"]] == ["uk_baseline", "uk_2030"]
    table = ok("compare", UK, BASE).splitlines()
    assert table[4].startswith("│ UK baseline: OBR March 2025 EFO")


def test_compare_baseline_shows_differences() -> None:
    out = ok("compare", UK, "--baseline", BASE, "--year", "2029")
    assert out.startswith("Compared in 2029-30: differences from UK baseline")
    uk = next(line for line in out.splitlines() if line.startswith("│ UK: 2.5 %"))
    assert "+0.50" in uk and "+17.4" in uk  # defence +0.50 pp, extra spending +17.4 bn
    data = json.loads(ok("compare", UK, "--baseline", BASE, "--year", "2029", "-f", "json"))
    assert data["baseline"] == BASE
    diff = data["scenarios"][1]["difference"]
    assert diff["defence_pct_gdp"] == pytest.approx(2.833333333333 - 2.33)


def test_compare_baseline_needs_one_currency() -> None:
    res = invoke("compare", *NATO[:2], "--baseline", NATO[2])
    assert res.exit_code == 2
    assert res.stderr.startswith(f"--baseline: {NATO[2]} is in EUR bn and {NATO[0]} in CAD bn")


def test_frontier_drops_years_before_the_first_feasible_one() -> None:
    """With targets 3 and 5 % from 2027-28, 3 % first passes in 2031-32: the years before
    it are left out of the table, and a note says so; --verbose shows every year."""
    args = ("frontier", UK, "--targets", "3,5", "--years", "2027..2035")
    out = ok(*args)
    header = next(line for line in out.splitlines() if line.startswith("┃ Target"))
    assert "2030-31" not in header and "2031-32" in header
    assert "Target years 2027-28 to 2030-31 left out: no target share passes in them" in out
    assert "2027-28" in ok(*args, "--verbose").splitlines()[2]


def test_frontier_is_readable_at_80_columns() -> None:
    """On an 80-column terminal every cell is shown whole, in blocks of at least five
    years (rules by key: "FAIL (a)", not "FAIL investment rule")."""
    from rich.console import Console

    from budgetsim.cli.present.emit import print_document
    from budgetsim.cli.present.solve import frontier_document
    from budgetsim.input.files import load_file
    from budgetsim.solve import solve_frontier

    scn = load_file(ROOT / UK)
    fr = solve_frontier(scn, (2.5, 3.0, 3.5, 5.0), [int(y) for y in scn.years])
    console = Console(width=80, record=True, file=io.StringIO())
    doc = frontier_document(fr)
    print_document(doc, console)
    lines = console.export_text().splitlines()
    assert max(len(line) for line in lines) <= 80
    headers = [line for line in lines if line.startswith("┃ Target")]
    assert len(headers) <= 3, headers  # 11 years in at most three blocks
    text = "\n".join(lines)
    for row in doc.tables[0].rows:
        for cell in row[1:]:
            assert cell in text


# --- 12. what a comparison of the allies rests on --------------------------------------------


def test_compare_of_the_allies_says_what_it_rests_on() -> None:
    out = ok("compare", *NATO)
    assert "0/0" not in out
    us = next(line for line in out.splitlines() if line.startswith("│ United States"))
    assert "no fiscal rule" in us
    notes = out.split("┘")[1]
    assert "nato_canada, nato_united_states: no fiscal rule is set" in notes
    assert "nato_denmark: debt is below zero from 2031: the surpluses repay the debt" in notes
    assert "finances.receipts (every file)" in notes
    assert "carry the base year's balance forward rather than forecast it" in notes


# --- 13. a Python tool ----------------------------------------------------------------------


def test_shell_completion_is_shown() -> None:
    res = invoke("--show-completion")
    assert res.exit_code == 0, res.output
    assert "_BUDGETSIM_COMPLETE" in res.stdout
    assert "--install-completion" in invoke("--help").stdout


def test_examples_copies_the_shipped_scenarios(tmp_path: Path) -> None:
    res = invoke("examples", tmp_path)
    assert res.exit_code == 0, res.output
    shipped = sorted(p.relative_to(ROOT) for p in (ROOT / "scenarios").rglob("*.yaml"))
    copied = sorted(p.relative_to(tmp_path) for p in (tmp_path / "scenarios").rglob("*.yaml"))
    assert copied == shipped
    assert res.stdout == f"{len(shipped)} scenario files copied to {tmp_path / 'scenarios'}\n"
    for rel in shipped:
        assert (tmp_path / rel).read_bytes() == (ROOT / rel).read_bytes()
    # The README's first commands now run from there.
    run = subprocess.run(
        [sys.executable, "-m", "budgetsim.cli", "run", "scenarios/uk_2030.yaml", "-f", "csv"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0 and run.stdout.startswith("year,label,"), run.stderr
    assert invoke("examples", tmp_path).stdout.endswith("every shipped scenario is there already\n")


def test_examples_never_replaces_a_changed_file(tmp_path: Path) -> None:
    mine = tmp_path / "scenarios" / "uk_2030.yaml"
    mine.parent.mkdir()
    mine.write_text("# my own edits\n")
    res = invoke("examples", tmp_path)
    assert res.exit_code == 2
    assert res.stderr == (
        f"{mine}: exists and differs from the shipped file; nothing was copied (move it away, "
        "or give another DIR)\n"
    )
    assert [p.name for p in mine.parent.iterdir()] == ["uk_2030.yaml"]


def test_the_wheel_ships_the_scenarios(tmp_path: Path) -> None:
    """A pip-installed budgetsim has no scenarios/ folder: they ship as package data."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path),
         str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("budgetsim-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for p in (ROOT / "scenarios").rglob("*.yaml"):
        assert f"budgetsim/scenarios/{p.relative_to(ROOT / 'scenarios')}" in names


def test_make_run_installs_the_chart_extra() -> None:
    """`make run` then `budgetsim plot`: the README's first command must leave plot and
    report working."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    rule = makefile.split("$(VENV)/.installed: ")[1].split("\n\n")[0]
    assert "-e '.[plot]'" in rule, rule


# --- 14. Excel --------------------------------------------------------------------------


def test_xlsx_has_a_sheet_a_table_units_and_numbers(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    from openpyxl import load_workbook

    out = tmp_path / "uk.xlsx"
    ok("run", UK, "-f", "xlsx", "-o", out)
    book = load_workbook(out)
    assert book.sheetnames == ["years", "rules", "summary"]
    years = book["years"]
    header = [c.value for c in years[1]]
    units = [c.value for c in years[2]]
    assert header[:3] == ["year", "label", "gdp"] and units[2] == "GBP bn"
    assert years["A3"].value == 2025 and years["B3"].value == "2025-26"
    assert isinstance(years["C3"].value, int | float) and years["C3"].number_format == "#,##0.0"
    assert years.freeze_panes == "A3"
    rules = book["rules"]
    assert [c.value for c in rules[3]][:5] == ["stability rule", "current_balance", 2029,
                                             "2029-30", False]  # fmt: skip
    data = json.loads(ok("run", UK, "-f", "json"))
    assert years["C3"].value == round(data["series"]["gdp"][0], 1)
    raw = tmp_path / "raw.xlsx"
    ok("run", UK, "-f", "xlsx", "--raw", "-o", raw)
    assert load_workbook(raw)["years"]["C3"].value == data["series"]["gdp"][0]
    # Same input, same bytes (no date of making).
    again = tmp_path / "again.xlsx"
    ok("run", UK, "-f", "xlsx", "-o", again)
    assert again.read_bytes() == out.read_bytes()


def test_xlsx_for_every_results_command(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    from openpyxl import load_workbook

    cases = {
        "compare": (("compare", UK, BASE), ["compare"]),
        "frontier": (("frontier", UK, "--years", "2029,2031"), ["frontier"]),
        "fan": (("fan", UK, "--draws", "1000"), ["percentiles", "chances"]),
        "stress": (("stress", UK), ["stress"]),
        "solve": (("solve", BASE, "--for", "max-share", "--year", "2029"),
                  ["years", "rules", "summary", "answer"]),
    }  # fmt: skip
    for name, (args, sheets) in cases.items():
        out = tmp_path / f"{name}.xlsx"
        ok(*args, "-f", "xlsx", "-o", out)
        assert load_workbook(out).sheetnames == sheets, name


def test_xlsx_without_openpyxl_or_to_a_terminal_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    res = invoke("run", UK, "-f", "xlsx", "-o", tmp_path / "x.xlsx")
    assert (res.exit_code, res.stderr) == (
        2,
        "--format xlsx needs openpyxl, which is not installed; install it with: "
        "pip install 'budgetsim[xlsx]'\n",
    )
    assert not list(tmp_path.iterdir())
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    from budgetsim.cli.common import Outputs, Style
    from budgetsim.cli.present.emit import Document, Format

    with pytest.raises(Exception) as info:
        Outputs().document(Document(tables=[]), Style(Format.xlsx))
    assert type(info.value).__name__ == "Exit"


# --- 15. the files a project carries -------------------------------------------------------


def test_license_changelog_and_citation() -> None:
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "Permission is hereby granted" in licence
    assert 'license = { text = "MIT" }' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {__version__}" in changelog
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert cff["title"] == "budgetsim" and cff["version"] == __version__
    assert cff["license"] == "MIT" and cff["authors"]


def test_compare_by_title_is_readable_at_80_columns() -> None:
    """Rows named by long titles wrap in their own column on a narrow terminal; no number
    (and no title) is cut."""
    from rich.console import Console

    from budgetsim.cli.present.emit import print_document
    from budgetsim.cli.present.tables import compare_document
    from budgetsim.input.files import load_file
    from budgetsim.model.result import run

    files = sorted((ROOT / "scenarios").glob("uk_*.yaml"))
    doc = compare_document([run(load_file(f)) for f in files], 2029)
    console = Console(width=80, record=True, file=io.StringIO())
    print_document(doc, console)
    text = console.export_text()
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    for row in doc.tables[0].rows:
        for cell in row[1:]:
            assert cell in text, cell
