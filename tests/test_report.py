"""The report (``budgetsim report``): one self-contained HTML file, or Markdown with PNGs
beside it, with the assumptions and their sources, summary, year-by-year table, rule checks,
charts and, for several files, the comparison. The HTML is also opened in a real headless
browser (Debian's chromium) when one is installed.
"""

from __future__ import annotations

import base64
import re
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from budgetsim.cli.app import app
from budgetsim.cli.present.charts import CHARTS, SIZE_PX
from budgetsim.input import files
from tests.conftest import ROOT

pytest.importorskip("matplotlib", reason="the report's charts need the extra budgetsim[plot]")

UK_2030 = "scenarios/uk_2030.yaml"
UK_NATO = "scenarios/uk_nato_2035.yaml"
EUR_TAX = "tests/fixtures/extends/child.yaml"
CHROMIUM = "/usr/bin/chromium"
# The flags the issue gives: no sandbox (CI runs as root), no GPU, nothing fetched in the
# background, a throw-away profile.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

runner = CliRunner()


def report(tmp_path: Path, *files: str, name: str = "report.html") -> Path:
    out = tmp_path / name
    res = runner.invoke(app, ["report", *files, "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert res.stdout == ""
    return out


def embedded_pngs(html: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([^"]+)"', html)]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def one_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("one")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        return report(tmp, UK_2030).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def two_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("two")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        return report(tmp, UK_2030, UK_NATO)


def test_html_embeds_every_chart(one_html: str) -> None:
    pngs = embedded_pngs(one_html)
    assert len(pngs) == len(CHARTS)
    assert all(png_size(p) == SIZE_PX for p in pngs)
    for chart in CHARTS.values():
        assert f"{chart.title}: uk_2030" in one_html


def test_html_is_self_contained(one_html: str) -> None:
    """No scripts, nothing fetched: every src is a data: URI and the policy forbids fetches."""
    assert "<script" not in one_html
    assert re.findall(r'(?:src|href)="(?!data:)', one_html) == []
    assert "http://" not in one_html and "https://" not in one_html
    assert "default-src 'none'; img-src data:" in one_html


def test_html_has_summary_table_rules_and_sources(one_html: str) -> None:
    assert "<h3>Summary</h3>" in one_html
    assert "Target 3.00 % of GDP in 2030-31: met (3.00 %)" in one_html
    # The year-by-year table, with a row of the run table.
    assert "<th>2025-26</th>" in one_html and "<th>2035-36</th>" in one_html
    assert "<td>Defence % GDP</td>" in one_html
    # Rule checks.
    assert re.search(
        r"<td>stability rule</td>\s*<td>current_balance \(current budget balance\)</td>"
        r"\s*<td>2029-30</td>",
        one_html,
    )
    # Assumptions: the meta text and each figure's source comment, from the file setting it.
    assert "OBR March 2025 EFO" in one_html
    assert '<td>finances.psnb</td><td class="num">137.3</td><td>GBP bn</td>' in one_html
    assert "GBP bn, PSNB 2024-25, March 2025 EFO (S)" in one_html
    assert "scenarios/uk_baseline.yaml:60" in one_html
    assert "<td>defence.milestones</td><td>2027: 2.5, 2030: 3</td>" in one_html
    assert "scenarios/uk_2030.yaml:20" in one_html
    # No comparison for one file.
    assert "<h2>Comparison</h2>" not in one_html


def test_html_compares_several_files(two_html: Path) -> None:
    html = two_html.read_text(encoding="utf-8")
    assert "<h2>Comparison</h2>" in html
    assert "Compared in 2035-36." in html
    assert "<td>UK: 2.5 % from 2027-28 (aid cut), 3 % by 2030-31, rest borrowed</td>" in html
    assert "<td>UK: 3.5 % core defence by 2035-36 (NATO Hague), aid cut, rest borrowed</td>" in html
    assert len(embedded_pngs(html)) == len(CHARTS)  # both scenarios on every chart
    assert html.count("<h3>Assumptions and their sources</h3>") == 2


def test_html_mixed_currencies_get_their_own_cash_charts(tmp_path: Path) -> None:
    html = report(tmp_path, UK_2030, EUR_TAX).read_text(encoding="utf-8")
    # Two charts in % of GDP of both, three cash charts of each.
    assert len(embedded_pngs(html)) == 2 + 3 * 2
    assert 'id="chart-funding-2"' in html
    assert "income_tax" in html


def test_report_plan_groups_cash_charts_by_currency() -> None:
    from budgetsim.cli.present.report import chart_plan
    from budgetsim.input.files import load_file
    from budgetsim.model.result import run

    gbp1, eur, gbp2 = (run(load_file(f)) for f in (UK_2030, EUR_TAX, UK_NATO))
    plots = {p.key: [r.source for r in p.results] for p in chart_plan([gbp1, eur, gbp2])}
    assert plots["defence-share"] == [UK_2030, EUR_TAX, UK_NATO]
    assert plots["debt"] == [UK_2030, EUR_TAX, UK_NATO]
    for chart in ("defence-cash", "funding", "headroom"):
        assert plots[f"{chart}-1"] == [UK_2030, UK_NATO]
        assert plots[f"{chart}-2"] == [EUR_TAX]
    assert len(plots) == 2 + 3 * 2


def test_report_is_byte_identical(one_html: str, tmp_path: Path) -> None:
    again = report(tmp_path, UK_2030).read_text(encoding="utf-8")
    assert again == one_html


def test_markdown_report_with_pngs_beside(tmp_path: Path) -> None:
    out = report(tmp_path, UK_2030, UK_NATO, name="report.md")
    text = out.read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert sorted(links) == sorted(f"report-{name}.png" for name in CHARTS)
    for link in links:
        assert png_size((tmp_path / link).read_bytes()) == SIZE_PX
    assert "## Comparison" in text
    assert "| finances.psnb | 137.3 | GBP bn | GBP bn, PSNB 2024-25, March 2025 EFO (S) |" in text
    assert "### Rule checks" in text


@pytest.mark.parametrize("name", ["report.pdf", "report"])
def test_report_needs_html_or_md(tmp_path: Path, name: str) -> None:
    res = runner.invoke(app, ["report", UK_2030, "-o", str(tmp_path / name)])
    assert res.exit_code == 2, res.output
    assert res.stderr.endswith(": give a file name ending in .html or .md\n"), res.stderr
    assert list(tmp_path.iterdir()) == []


def test_report_bad_scenario_writes_nothing(tmp_path: Path) -> None:
    res = runner.invoke(
        app, ["report", "tests/fixtures/bad/unknown_key.yaml", "-o", str(tmp_path / "r.html")]
    )
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith("tests/fixtures/bad/unknown_key.yaml:")
    assert list(tmp_path.iterdir()) == []


def test_markdown_report_that_cannot_be_written_leaves_no_pngs(tmp_path: Path) -> None:
    """The .md is written before its PNGs, so a report that cannot be written (here its
    name is taken by a directory) leaves no charts beside it."""
    (tmp_path / "r.md").mkdir()
    res = runner.invoke(app, ["report", UK_2030, "-o", str(tmp_path / "r.md")])
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith(f"{tmp_path / 'r.md'}: cannot write: "), res.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["r.md"]


# --- in a real browser ---------------------------------------------------------------------


def chromium(page: Path, tmp_path: Path) -> tuple[list[str], np.ndarray]:
    """Load ``page`` headless: the console messages it logged and its screenshot (RGB)."""
    from matplotlib.image import imread

    shot = tmp_path / f"{page.stem}.screenshot.png"
    profile = tmp_path / f"{page.stem}.profile"
    proc = subprocess.run(
        [
            CHROMIUM,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            "--hide-scrollbars",
            "--window-size=1000,2600",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    return console, np.asarray(imread(shot))[..., :3]


def chart_pixels(image: np.ndarray) -> int:
    """Pixels of the first scenario's line colour (#0072B2), which only the charts use."""
    target = np.array([0x00, 0x72, 0xB2]) / 255.0
    return int((np.abs(image - target).max(axis=-1) < 0.08).sum())


@pytest.mark.skipif(
    shutil.which(CHROMIUM) is None,
    reason=f"no headless browser: {CHROMIUM} is not installed (apt-get install chromium)",
)
def test_report_in_headless_chromium(two_html: Path, tmp_path: Path) -> None:
    page = two_html
    console, image = chromium(page, tmp_path)
    assert console == [], console
    assert image.shape[:2] == (2600, 1000)
    print("chart pixels in the report screenshot:", chart_pixels(image))
    assert chart_pixels(image) > 500, chart_pixels(image)

    # The same checks see a console error and a missing chart where there is one: a page
    # that tries to fetch an image (the policy blocks it) and whose charts do not decode.
    broken = tmp_path / "broken.html"
    html = page.read_text(encoding="utf-8")
    html = re.sub(r"base64,[^\"]+", "base64,AAAA", html)
    broken.write_text(html.replace("</body>", '<img src="http://192.0.2.1/x.png"></body>'))
    console, image = chromium(broken, tmp_path)
    assert any("violates the following Content Security Policy" in c for c in console), console
    assert chart_pixels(image) == 0


# --- source comments -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "comment"),
    [
        ("  gdp: 2864       # GBP bn (S3)", "GBP bn (S3)"),
        ('  title: "UK # 1"  # the title', "the title"),
        ("  title: 'a#b'", ""),
        ("  url: a#b  # real one", "real one"),
        ("# a whole-line comment", "a whole-line comment"),
        ("  gdp: 2864", ""),
    ],
)
def test_comment_on_a_line(line: str, comment: str) -> None:
    from budgetsim.input.assumptions import _comment

    assert _comment(line) == comment


def test_wrapped_comment_is_taken_but_not_the_next_keys() -> None:
    from budgetsim.input.assumptions import _comments_at

    lines = [
        "interest:",
        "  floating_share: 14.6   # % of debt (D): OBR ready reckoner,",
        "                         # continued here",
        "  # about the next key, at the key's indent",
        "  maturity: 15",
    ]
    assert _comments_at(lines, 2) == ["% of debt (D): OBR ready reckoner,", "continued here"]


def test_assumptions_follow_the_extends_chain() -> None:
    from budgetsim.input.assumptions import assumptions_of

    a = assumptions_of(ROOT / "tests/fixtures/extends/child.yaml")
    rows = {r.key: r for r in a.rows}
    assert rows["economy.real_growth"].value == "2025: 3"  # the child's map replaces
    assert rows["economy.real_growth"].where.endswith("child.yaml:6")
    assert rows["economy.gdp"].where.endswith("parent.yaml:11")
    assert rows["economy.gdp"].unit == "EUR bn"
    assert rows["funding.sources[0].cap"].value == "5"
    assert rows["economy.feedback.defence_multiplier"].value == "0.8"
    assert rows["funding.tax_freeze"].value == "false"
    assert [Path(src).name for src, _ in a.notes] == ["child.yaml", "parent.yaml"]
    assert a.meta["title"] == "Child" and a.meta["author"] == "parent author"


def test_report_reads_each_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run and the assumptions (values, comments, notes) share one read of each file of
    the ``extends`` chain, also of a parent two scenarios share."""
    reads: list[str] = []
    read_text = files.read_text

    def counting(path: Path, shown: str | None = None, what: str = "scenario file") -> str:
        reads.append(Path(path).resolve().name)
        return read_text(path, shown, what)

    monkeypatch.setattr(files, "read_text", counting)
    grandchild = "tests/fixtures/extends/grandchild.yaml"
    res = runner.invoke(app, ["report", grandchild, EUR_TAX, "-o", str(tmp_path / "r.html")])
    assert res.exit_code == 0, res.output
    assert sorted(reads) == ["child.yaml", "grandchild.yaml", "parent.yaml"]
