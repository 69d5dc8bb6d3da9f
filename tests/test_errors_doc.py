"""docs/errors.md explains every message a user can see: each message produced by a bad
fixture, a hostile-input case, a warning or a divergence must match one of the doc's
message templates (the first code span of a table row, with `…` standing for any text)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from budgetsim import DivergenceError, ScenarioError, run
from budgetsim.cli.app import app
from budgetsim.input.files import load_file
from budgetsim.input.loader import load_text
from budgetsim.uncertainty.montecarlo import fan
from budgetsim.uncertainty.stress import stress
from tests.conftest import ROOT
from tests.test_hostile import SMALL_TEXT, billion_laughs

DOC = ROOT / "docs" / "errors.md"
SMALL = ROOT / "tests" / "fixtures" / "small.yaml"


def templates() -> list[re.Pattern[str]]:
    out = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\| `([^`]+)`", line)
        if m:
            parts = [re.escape(p) for p in m.group(1).split("…")]
            out.append(re.compile(".*".join(parts), re.DOTALL))
    return out


def explained(message: str) -> bool:
    return any(t.fullmatch(message) for t in templates())


def messages_of(call: object) -> list[str]:
    try:
        call()  # type: ignore[operator]
    except ScenarioError as exc:
        return [p.message for p in exc.problems]
    except DivergenceError as exc:
        return [str(exc)]
    raise AssertionError("no error")


def test_the_doc_has_templates() -> None:
    assert len(templates()) > 60


@pytest.mark.parametrize("fixture", sorted((ROOT / "tests/fixtures/bad").glob("*.yaml")), ids=str)
def test_every_fixture_message_is_explained(fixture: Path) -> None:
    for message in messages_of(lambda: load_file(fixture)):
        # a parent's problem seen from the child reads "parent.yaml: message"
        assert explained(message) or explained(message.split(": ", 1)[-1]), message


HOSTILE = {
    "alias bomb": billion_laughs(),
    "long list": SMALL_TEXT.replace("real_growth: 1.5", "real_growth: [" + "1, " * 1000 + "1]"),
    "tag": SMALL_TEXT.replace("title: Small test scenario", "title: !!python/object x"),
    "control character": "meta: {}\nyears: \x07\n",
    "nul": "a: \x00\n",
    "deep": "meta: " + "[" * 40 + "]" * 40 + "\n",
    "horizon": SMALL_TEXT.replace("horizon: 2030", "horizon: 2299"),
    "many values": "\n".join(f"k{i}: [" + ", ".join(["1"] * 100) + "]" for i in range(201)),
    "binary": SMALL_TEXT.replace("maturity: 10", "maturity: 0b1010"),
    "base 60": SMALL_TEXT.replace("maturity: 10", "maturity: 1:30.5"),
    "explicit tag": SMALL_TEXT.replace("maturity: 10", "maturity: !!int ten"),
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_every_hostile_input_message_is_explained(text: str) -> None:
    for message in messages_of(lambda: load_text(text, "f.yaml")):
        assert explained(message), message


AID = "funding.sources=[{name: aid, cap_pct_gdp: 0.05}]"
SETS = [
    ("defence.base_share=0.023",),
    ("interest.maturity=45",),
    ("finances.receipts={2025: 3, 2030: 38}",),
    ("economy.real_growth=[0.02, 0.03, 0.02, 0.02, 0.02, 0.02]",),
    ("defence.milestones={2027: 2.5, 2030: 0.03}",),
    ("economy.real_growth=[1.5, 1.5, 0.015, 1.5, 1.5, 1.5]",),
    ("finances.debt=3500",),
    ("finances.debt=3500", "finances.psnb=450"),
    (AID, "meta.accept_warnings={funding.sources.0.cap_pct_gdp: 0.04}"),
]


@pytest.mark.parametrize("assignments", SETS, ids=" ".join)
def test_every_warning_is_explained(assignments: tuple[str, ...]) -> None:
    (warning,) = load_file(SMALL, assignments).warnings
    assert explained(warning.message), warning.message


BAD_SETS = [
    "nope",
    "interest.maturity.x=1",
    "rules=x",
    "defence.milestones={2030: [",
    "rules.0=1",
    "a" + ".a" * 40 + "=1",
    "years.label=yes",
    "defence.shape=zigzag",
    "economy=5",
    "meta.title=[1]",
    "funding.tax_freeze=maybe",
    "economy.gdp=",
    "years.base=.nan",
    "uncertainty.draws=many",
    "interest.maturity=10 %",
    "interest.short_rate=[3 %]",
    "interest.short_rate=3 %",
    "defence.milestones={2030: 3, '2030': 4}",
    "rules=[{name: r, type: deficit_ceiling, limit: 3, years: ['2029-30']}]",
    "meta.accept_warnings=5",
    "finances.psnb=-30000",
    "economy.gdp=0.1",
]


@pytest.mark.parametrize("assignment", BAD_SETS)
def test_every_set_message_is_explained(assignment: str) -> None:
    for message in messages_of(lambda: load_file(SMALL, [assignment])):
        assert explained(message), message


DIVERGING = [
    ("interest.long_rate=100", "interest.short_rate=100", "economy.real_growth=-50"),
    (
        "economy.feedback={persistence: 1, cuts_multiplier: 5}",
        "funding.sources=[{name: all}]",
        "defence.milestones={2030: 100}",
    ),
]


@pytest.mark.parametrize("overrides", DIVERGING)
def test_every_divergence_is_explained(overrides: tuple[str, ...]) -> None:
    (message,) = messages_of(lambda: run(load_file(SMALL, overrides)))
    assert explained(message), message


def test_monte_carlo_and_stress_divergences_are_explained() -> None:
    wild = load_file(
        ROOT / "scenarios/uk_2030.yaml",
        ["uncertainty.growth_sd=20", "uncertainty.growth_persistence=0.9"],
    )
    (message,) = messages_of(lambda: fan(wild, draws=2000, seed=1, workers=1))
    assert explained(message), message
    falling = load_file(ROOT / "scenarios/uk_2030.yaml", ["economy.real_growth=-50"])
    (message,) = messages_of(lambda: stress(falling, ("gilts_1pp",)))
    assert explained(message), message


def test_an_unexplained_message_is_caught() -> None:
    assert not explained("something nobody wrote down")


# Every error line of the commands beyond run: (arguments, exit code). Paths are relative
# to the repository root; CSV cases are written to a temporary folder first.
UK, DE, US = (
    "scenarios/uk_2030.yaml",
    "scenarios/nato_germany.yaml",
    "scenarios/nato_united_states.yaml",
)
EX = "docs/examples/uk_ukraine_cash.yaml"  # components on cash paths and funded on their own
CSV_HEAD = "year,real_gdp_growth_pct,gdp_deflator_growth_pct,gilt10y_avg_pct\n"
CSVS = {
    "header.csv": "year,a\n",
    "text.csv": CSV_HEAD + "2000,1,2,x\n",
    "short.csv": CSV_HEAD + "2000,1,2,3\n2001,1,2,3\n",
    "year.csv": CSV_HEAD + "1e300,1,2,3\n",
}
COMMAND_ERRORS: list[tuple[tuple[str, ...], int]] = [
    (("solve", US, "--for", "max-share"), 2),
    (("frontier", US), 2),
    (("solve", DE, "--for", "max-share"), 1),
    (("solve", UK, "--for", "earliest-year", "--share", "30"), 1),
    (("solve", UK, "--for", "min-cuts"), 1),
    (("solve", UK, "--for", "tax-rise"), 2),
    (("solve", UK, "--for", "min-cuts", "--share", "120", "--year", "2029"), 2),
    (("solve", UK, "--for", "min-cuts", "--year", "2029"), 2),
    (("solve", UK, "--for", "earliest-year", "--share", "3", "--year", "2029"), 2),
    (("solve", UK, "--for", "max-share", "--share", "3"), 2),
    (("solve", UK, "--for", "max-share", "--year", "2099"), 2),
    (("solve", UK, "--for", "max-share", "--set", "defence.basis=cash",
      "--set", "defence.cash=80"), 2),
    (("solve", EX, "--for", "max-share", "--set",
      "economy.feedback.defence_multiplier=0.5"), 2),
    (("frontier", EX, "--set",
      "defence.targets=[{name: u, components: [ukraine], share: 1, year: 2027}]"), 2),
    (("frontier", UK, "--targets", "a,b"), 2),
    (("frontier", UK, "--targets", "3,120"), 2),
    (("frontier", UK, "--years", "2031..2029"), 2),
    (("frontier", UK, "--years", "soon"), 2),
    (("frontier", UK, "--years", "2029.5"), 2),
    (("fan", DE), 2),
    (("fan", UK, "--set", "uncertainty.corr_growth_deflator=0.99",
      "--set", "uncertainty.corr_growth_rate=-0.99",
      "--set", "uncertainty.corr_deflator_rate=0.99"), 2),
    (("stress", UK, "--test", "nope"), 2),
    (("stress", UK, "--year", "2099"), 2),
    (("calibrate", "{tmp}/header.csv"), 2),
    (("calibrate", "{tmp}/text.csv"), 2),
    (("calibrate", "{tmp}/short.csv"), 2),
    (("calibrate", "{tmp}/year.csv"), 2),
    (("run", "/dev/zero"), 2),
    (("calibrate", "/dev/urandom"), 2),
    (("calibrate", "--from", "2030"), 2),
    (("plot", UK, "--chart", "nope", "-o", "{tmp}/x.png"), 2),
    (("plot", UK, "-o", "{tmp}/x.jpg"), 2),
    (("plot", UK, DE, "--chart", "funding", "-o", "{tmp}/x.png"), 2),
    (("plot", UK, UK, "--chart", "frontier", "-o", "{tmp}/x.png"), 2),
    (("plot", UK, "--targets", "3", "-o", "{tmp}/x.png"), 2),
    (("plot", UK, "--draws", "300", "-o", "{tmp}/x.png"), 2),
    (("report", UK, "-o", "{tmp}/r.pdf"), 2),
    # Writing (docs/cli.md, Writing to a file), usage and the new options.
    (("run", UK, "-f", "csv", "-o", UK), 2),
    (("run", UK, "-o", "scenarios/uk_baseline.yaml"), 2),
    (("run", UK, "-o", "{tmp}"), 2),
    (("run", UK, "-o", "/dev/full"), 2),
    (("solve", UK, "--for", "max-share", "--year", "2029", "--write-scenario",
      "{tmp}/x.yaml", "-o", "{tmp}/x.yaml"), 2),
    (("run", UK, "-o", "{tmp}/" + "x" * 300), 2),
    (("run", UK, "--format", "xml"), 2),
    (("fan", UK, "--draws", "0"), 2),
    (("stress", UK, "--year", "1e3"), 2),
    (("compare", UK, "--baseline", DE), 2),
    (("compare", UK, "--baseline", DE, "--metric", "gdp"), 2),
    (("frontier", UK, "--years", "nan"), 2),
    (("frontier", UK, "--targets", "inf"), 2),
    (("plot", UK, "--size", "big", "-o", "{tmp}/x.png"), 2),
    (("plot", UK, "--size", "1x1", "-o", "{tmp}/x.png"), 2),
    (("run", UK, "-o", "{tmp}/no/such/dir/out.csv"), 2),
]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "code"),
    COMMAND_ERRORS,
    ids=lambda v: " ".join(v[:4]) if isinstance(v, tuple) else str(v),
)
def test_every_command_error_is_explained(
    args: tuple[str, ...], code: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    for name, text in CSVS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    res = CliRunner().invoke(app, argv)
    assert res.exit_code == code, (argv, res.stderr)
    lines = res.stderr.splitlines()
    assert len(lines) == 1, lines  # one line, no traceback
    # a file that cannot be read reads "FILE: message", as in the tables
    assert explained(lines[0]) or explained(lines[0].split(": ", 1)[-1]), lines[0]
    assert not list(tmp_path.glob("x.*")) and not list(tmp_path.glob("r.*"))


def test_messages_that_need_a_setting_are_explained(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The output messages that need a file system set up, a missing library or more
    scenarios than a chart takes: each is one line matching a row of docs/errors.md."""
    import os
    import stat

    monkeypatch.chdir(ROOT)
    lines = []
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    lines.append(CliRunner().invoke(app, ["run", UK, "-o", str(fifo)]).stderr)
    node = tmp_path / "disk"
    os.mknod(node, stat.S_IFBLK | 0o600, os.makedev(7, 0))
    lines.append(CliRunner().invoke(app, ["run", UK, "-o", str(node)]).stderr)
    changed = tmp_path / "ex" / "scenarios" / "uk_2030.yaml"
    changed.parent.mkdir(parents=True)
    changed.write_text("# mine\n")
    lines.append(CliRunner().invoke(app, ["examples", str(tmp_path / "ex")]).stderr)
    lines.append(
        CliRunner().invoke(app, ["fan", UK, "--draws", "500", "--workers", "100000"]).stderr
    )
    files = [str(p.relative_to(ROOT)) for p in sorted((ROOT / "scenarios").glob("*.yaml"))]
    lines.append(CliRunner().invoke(app, ["plot", *files, "-o", str(tmp_path / "c.png")]).stderr)
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    lines.append(
        CliRunner().invoke(app, ["run", UK, "-f", "xlsx", "-o", str(tmp_path / "x.xlsx")]).stderr
    )
    for text in lines:
        (line,) = text.splitlines()
        assert explained(line), line


def test_missing_matplotlib_is_explained(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    res = CliRunner().invoke(app, ["plot", UK, "-o", str(tmp_path / "x.png")])
    assert res.exit_code == 2
    (line,) = res.stderr.splitlines()
    assert explained(line), line
