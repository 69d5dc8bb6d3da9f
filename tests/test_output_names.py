"""Names are data: a title, rule, source or file name is shown as the text it is in every
output, never read as markup, a formula or a control sequence; and what is left of the
tracebacks and stray stderr lines (issue 14 items 12 to 15, output side).

- rich markup (``[/]``, ``[draft]``) in the terminal table, matplotlib's mathtext
  (``$x_1_2$``) in charts, HTML and Markdown (``<script>``, a fence) in the report;
- control characters (an escape sequence in a title) never reach a terminal raw;
- CSV and xlsx cells that start with ``= + - @`` (tab, CR) are neutralised, numbers not;
- ``frontier --years nan``, hundreds of files for ``plot``, usage errors and warnings: one
  line each, no traceback.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import ROOT, invoke

SMALL = ROOT / "tests/fixtures/small.yaml"
UK = "scenarios/uk_2030.yaml"
ESC = "\x1b"


def named(tmp_path: Path, title: str = "", rule: str = "", stem: str = "s") -> Path:
    """The small scenario with a title, a rule name and a file name of our choosing."""
    text = SMALL.read_text(encoding="utf-8")
    if title:
        text = text.replace("title: Small test scenario", f"title: {json.dumps(title)}")
    if rule:
        text += f"rules:\n  - {{name: {json.dumps(rule)}, type: deficit_ceiling, limit: 3}}\n"
    path = tmp_path / f"{stem}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def ok(*args: str | Path) -> str:
    res = invoke(*args)
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output
    return str(res.stdout)


# --- rich markup ---------------------------------------------------------------------------


@pytest.mark.parametrize("title", ["x [/] y", "UK [draft] plan", "[bold red]loud[/]", "a[b"])
def test_markup_in_a_title_is_text_in_the_table(tmp_path: Path, title: str) -> None:
    """`[/]` crashed rich (MarkupError); `UK [draft] plan` printed as "UK  plan"."""
    out = ok("run", named(tmp_path, title=title, rule=title))
    assert out.splitlines()[0] == f"{title} (EUR bn)"
    assert f"│ {title} " in out  # the rule's row


def test_markup_in_a_file_name_is_text_in_compare(tmp_path: Path) -> None:
    path = named(tmp_path, stem="x[red]y")
    out = ok("compare", path, SMALL, "--metric", "debt_pct_gdp")
    assert "x[red]y" in out.splitlines()[2]


def test_markup_on_a_terminal_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The terminal path (rich Console, wrapped to the width) reads no markup either."""
    from rich.console import Console

    from budgetsim.cli.present.emit import print_document
    from budgetsim.cli.present.tables import run_document
    from budgetsim.input.files import load_file
    from budgetsim.model.result import run

    result = run(load_file(named(tmp_path, title="UK [draft] [/] plan", rule="r [b]")))
    console = Console(width=80, record=True, file=io.StringIO())
    print_document(run_document(result), console)
    text = console.export_text()
    assert "UK [draft] [/] plan" in text and "r [b]" in text


# --- control characters --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown", "json"])
def test_control_characters_never_reach_the_terminal(tmp_path: Path, fmt: str) -> None:
    """An escape sequence in a title (and a bell in a rule name) is shown escaped."""
    path = named(tmp_path, title=f"a{ESC}[31mred", rule="bell\x07")
    out = ok("run", path, "-f", fmt)
    assert ESC not in out and "\x07" not in out
    if fmt in ("table", "markdown"):  # JSON escapes it as \u001b; the CSV has no names
        assert "x1b" in out


def test_control_characters_in_messages_are_escaped(tmp_path: Path) -> None:
    bad = tmp_path / f"no{ESC}[2Jsuch.yaml"
    res = invoke("run", bad)
    assert res.exit_code == 2
    assert ESC not in res.stderr and res.stderr.startswith(str(tmp_path)), res.stderr
    assert "\\x1b[2J" in res.stderr


# --- Markdown and HTML ---------------------------------------------------------------------


def test_markdown_output_escapes_html_and_links(tmp_path: Path) -> None:
    title = "<script>alert(1)</script> [click](javascript:x) *bold*"
    out = ok("run", named(tmp_path, title=title, rule="<b>r</b>"), "-f", "markdown")
    assert "<script>" not in out and "<b>" not in out
    assert out.startswith("## &lt;script&gt;alert(1)&lt;/script&gt; \\[click\\](javascript:x)")
    assert "\\*bold\\*" in out


def test_markdown_report_escapes_names_and_keeps_its_fences(tmp_path: Path) -> None:
    """The report passed `<script>` and let a file's opening comment close its code fence."""
    path = named(tmp_path, title="<script>alert(1)</script>")
    text = path.read_text(encoding="utf-8")
    path.write_text("# ```\n# <script>bad()</script>\n# ```` more\n" + text, encoding="utf-8")
    ok("report", path, "-o", tmp_path / "r.md")
    report = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "<script>" not in report.replace("`````text\n```\n<script>bad()</script>", "")
    assert "`````text\n```\n<script>bad()</script>\n```` more\n" in report
    assert "# budgetsim report: &lt;script&gt;alert(1)&lt;/script&gt;" in report


def test_html_report_escapes_names(tmp_path: Path) -> None:
    path = named(tmp_path, title="<script>alert(1)</script>", rule="<img src=x onerror=y>")
    ok("report", path, "-o", tmp_path / "r.html")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- mathtext ----------------------------------------------------------------------------


def test_dollar_signs_in_a_title_or_file_name_are_text_in_charts(tmp_path: Path) -> None:
    """`$x_1_2$` crashed plot and report (mathtext: a double subscript); it is drawn as
    written now."""
    pytest.importorskip("matplotlib")
    path = named(tmp_path, title="cost $x_1_2$", stem="$x_1_2$")
    ok("plot", path, "-o", tmp_path / "c.png")
    ok("plot", path, "--chart", "debt", "--title", "$a^b_c_d$", "-o", tmp_path / "d.svg")
    ok("report", path, "-o", tmp_path / "r.html")
    from budgetsim.cli.present.charts import build
    from budgetsim.input.files import load_file
    from budgetsim.model.result import run

    fig = build([run(load_file(path))], "defence-share")
    texts: list[Any] = fig.findobj(lambda a: hasattr(a, "get_text"))
    shown = [t.get_text() for t in texts]
    assert "cost $x_1_2$" in shown and "$x_1_2$" in shown


# --- CSV and xlsx injection ----------------------------------------------------------------

FORMULAS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_compare_csv_neutralises_formulas(tmp_path: Path, formula: str) -> None:
    path = named(tmp_path, title=formula, rule=formula)
    rows = list(csv.reader(io.StringIO(ok("compare", path, SMALL, "-f", "csv"))))
    cells = [c for row in rows for c in row]
    assert f"'{formula}" in cells  # the title
    assert any(c.startswith(f"'{formula} ") for c in cells)  # the tightest rule and its year
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]
    numbers = [c for c in cells if c.startswith("-")]
    assert numbers and all(float(c) < 0 for c in numbers)  # negative numbers stay numbers


def test_frontier_and_fan_csv_neutralise_rule_names(tmp_path: Path) -> None:
    path = named(tmp_path, rule="=HYPERLINK(1)")
    text = path.read_text(encoding="utf-8") + (
        "uncertainty: {growth_sd: 1, deflator_sd: 1, rate_sd: 0.5, draws: 500}\n"
    )
    path.write_text(text, encoding="utf-8")
    frontier = ok("frontier", path, "--targets", "3,30", "-f", "csv")
    assert "'=HYPERLINK(1)" in frontier and ",=HYPERLINK" not in frontier
    fan = ok("fan", path, "-f", "csv")
    assert "headroom:=HYPERLINK(1)" in fan  # starts with "headroom:", not with "="
    assert "\n=" not in fan and ",=" not in fan


def test_xlsx_keeps_formulas_as_text_and_numbers_as_numbers(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    from openpyxl import load_workbook

    path = named(tmp_path, title="=HYPERLINK(1)", rule="=cmd|' /C calc'!A0")
    out = tmp_path / "c.xlsx"
    ok("compare", path, SMALL, "-f", "xlsx", "-o", out)
    with zipfile.ZipFile(out) as z:
        assert not any("<f>" in z.read(n).decode("utf-8") for n in z.namelist())
    sheet = load_workbook(out).active
    assert sheet is not None
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "'=HYPERLINK(1)" in values
    assert any(isinstance(v, float) and v < 0 for v in values)


# --- tracebacks --------------------------------------------------------------------------


@pytest.mark.parametrize("years", ["nan", "inf", "-inf", "2029,nan"])
def test_frontier_years_not_finite_is_one_line(years: str) -> None:
    res = invoke("frontier", UK, "--years", years)
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr == f"--years: {years!r}: every value must be a finite number\n"


def test_hundreds_of_files_for_a_chart(tmp_path: Path) -> None:
    """plot of 500 files: matplotlib's layout failed and about 50 files' warnings came out;
    now the first 12 are drawn and one line says so."""
    pytest.importorskip("matplotlib")
    files = []
    for k in range(500):
        path = tmp_path / f"s{k:03d}.yaml"
        shutil.copy(SMALL, path)
        files.append(path)
    res = invoke("plot", *files, "--chart", "debt", "-o", tmp_path / "c.png")
    assert res.exit_code == 0, res.output
    assert res.stderr == (
        "plot: 500 scenarios; a chart draws at most 12, so the first 12 are drawn and 488 "
        f"left out (from {files[12]})\n"
    )


# --- stray stderr lines ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("stress", UK, "--year", "1e3"),
            "budgetsim stress: Invalid value for '--year': Input should be a valid integer, "
            "unable to parse string as an integer; see 'budgetsim stress -h'",
        ),
        (
            ("fan", UK, "--draws", "0"),
            "budgetsim fan: Invalid value for '--draws': Input should be greater than or equal "
            "to 1; see 'budgetsim fan -h'",
        ),
        (("run",), "budgetsim run: Missing argument 'FILE'; see 'budgetsim run -h'"),
        (
            ("run", UK, "--nope"),
            "budgetsim run: No such option: --nope; see 'budgetsim run -h'",
        ),
        (
            ("compare", UK, "--baseline", "scenarios/uk_baseline.yaml", "--metric", "gdp"),
            "--baseline: --metric shows every scenario's series; leave out one of the two",
        ),
    ],
    ids=["year-1e3", "draws-0", "missing-file", "unknown-option", "baseline-and-metric"],
)
def test_usage_errors_are_one_line(args: tuple[str, ...], line: str) -> None:
    """typer framed these in a box of five lines or more."""
    res = invoke(*args)
    assert (res.exit_code, res.stdout, res.stderr) == (2, "", line + "\n")


def test_an_unreadable_file_is_the_loaders_one_line(tmp_path: Path) -> None:
    """As a user who may not read it: typer's box ("path ... is not readable") before."""
    from tests.test_output_data_loss import as_nobody

    folder = Path(str(tmp_path))
    shutil.copy(SMALL, folder / "secret.yaml")
    (folder / "secret.yaml").chmod(0o600)
    folder.chmod(0o755)
    for parent in folder.parents:
        if str(parent).startswith("/tmp/pytest-of"):
            parent.chmod(0o755)
    res = as_nobody("run", folder / "secret.yaml", cwd=Path("/tmp"))
    assert (res.returncode, res.stdout) == (2, "")
    assert res.stderr == f"{folder / 'secret.yaml'}: permission denied\n"


def test_a_warning_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """A numpy RuntimeWarning (an overflow in the engine) printed the warning and the line
    of source under it; it is one line now, naming where it came from."""
    import budgetsim.cli.app as app_module
    from budgetsim.cli.common import run_or_fail as real

    def noisy(*args: object, **kwargs: object) -> object:
        with np.errstate(over="warn"):
            np.float64(1e308) * np.float64(10)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(app_module, "run_or_fail", noisy)
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        res = invoke("run", UK, "-f", "json")
    assert res.exit_code == 0
    (line,) = res.stderr.splitlines()
    assert line.startswith("warning: overflow encountered in scalar multiply (RuntimeWarning in ")


def test_the_console_script_has_one_line_errors_too() -> None:
    """Not only in-process: the installed command, in a real process."""
    bin_dir = Path(shutil.which("budgetsim") or ROOT / ".venv/bin/budgetsim").parent
    res = subprocess.run(
        [str(bin_dir / "budgetsim"), "fan", UK, "--draws", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and "╭" not in res.stderr, res.stderr
