"""Charts (``budgetsim plot``): valid images of the fixed size, byte-identical on a re-run,
the plotted numbers equal to the Result's, and a one-line error where a chart cannot be drawn.
"""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from budgetsim.cli.app import app
from budgetsim.cli.present.charts import (
    CHARTS,
    DPI,
    PANEL_IN,
    SIZE_PX,
    ChartError,
    build,
    render_chart,
)
from budgetsim.input.files import load_file
from budgetsim.model.result import Result, run
from tests.conftest import ROOT

pytest.importorskip("matplotlib", reason="charts need the extra budgetsim[plot]")

UK = ("uk_2030", "uk_nato_2035", "uk_5pct_2035")
CASH = ("defence-cash", "funding", "headroom")
EUR_TAX = ROOT / "tests/fixtures/extends/child.yaml"  # EUR bn, a tax source, a yearly rule
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

runner = CliRunner()


@pytest.fixture(scope="module")
def uk() -> list[Result]:
    return [run(load_file(ROOT / "scenarios" / f"{name}.yaml")) for name in UK]


@pytest.fixture(scope="module")
def eur() -> Result:
    return run(load_file(EUR_TAX))


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (the first, right after the signature)."""
    assert data[:8] == PNG_MAGIC, data[:8]
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def png_chunks(data: bytes) -> list[bytes]:
    kinds, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kinds.append(data[pos + 4 : pos + 8])
        pos += 12 + length
    return kinds


@pytest.mark.parametrize("chart", list(CHARTS))
def test_each_chart_is_a_png_of_the_fixed_size(
    uk: list[Result], chart: str, tmp_path: Path
) -> None:
    # Several scenarios here; one scenario (and a tax source) in the SVG test below, and
    # both again through the report tests.
    out = tmp_path / f"{chart}.png"
    out.write_bytes(render_chart(uk, chart))
    data = out.read_bytes()
    # The funding chart has a panel a scenario and grows with them (three here).
    height = round(PANEL_IN * len(uk) + 1.4, 6) * DPI if chart == "funding" else SIZE_PX[1]
    assert png_size(data) == (SIZE_PX[0], int(height))
    assert png_chunks(data)[-1] == b"IEND"


@pytest.mark.parametrize("chart", list(CHARTS))
def test_each_chart_as_svg(eur: Result, chart: str) -> None:
    text = render_chart([eur], chart, "svg").decode("utf-8")
    assert text.startswith("<?xml")
    assert '<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="576pt" height="345.6pt"' in text
    assert text.rstrip().endswith("</svg>")


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_same_input_same_bytes(uk: list[Result], fmt: str) -> None:
    assert render_chart(uk[:1], "funding", fmt) == render_chart(uk[:1], "funding", fmt)


def test_png_and_svg_carry_no_date_or_version(uk: list[Result]) -> None:
    png = render_chart(uk[:1])
    assert b"tEXt" not in png_chunks(png), png_chunks(png)
    svg = render_chart(uk[:1], fmt="svg")
    assert b"<dc:date>" not in svg
    assert b"Matplotlib v" not in svg


def test_defence_share_lines_are_the_result_arrays(uk: list[Result]) -> None:
    fig = build(uk, "defence-share")
    (ax,) = fig.axes
    lines = {line.get_label(): line for line in ax.get_lines()}
    for r in uk:
        line = lines[Path(r.source).stem]
        np.testing.assert_array_equal(np.asarray(line.get_xdata()), np.array(r.years))
        np.testing.assert_array_equal(np.asarray(line.get_ydata()), r.series["defence_pct_gdp"])


def test_funding_bars_stack_to_the_extra_spending(eur: Result) -> None:
    """Each year's bars are the sources and the borrowing, and they add up to the extra."""
    fig = build([eur], "funding")
    ax = fig.axes[0]
    tops = np.zeros(len(eur.years))
    heights = {}
    for container in ax.containers:
        label = container.get_label()
        heights[label] = np.array([bar.get_height() for bar in container])
        tops += heights[label]
    np.testing.assert_allclose(heights["tax: income_tax"], eur.sources["income_tax"])
    np.testing.assert_allclose(heights["borrowed"], eur.series["borrowing_for_defence"])
    np.testing.assert_allclose(tops, eur.series["extra_defence"], atol=1e-9)


def test_funding_bars_below_zero_stack_down() -> None:
    """A saving borrowed back (Ukraine's flat cash below its baseline, while core's own
    aid cut pays for core) is a bar below zero, not drawn over the cut above it: every
    positive part starts where the positive ones below it end, every negative part where
    the negative ones end, from zero."""
    res = run(load_file(ROOT / "docs" / "examples" / "uk_ukraine_cash.yaml"))
    ax = build([res], "funding").axes[0]
    up = np.zeros(len(res.years))
    down = np.zeros(len(res.years))
    for container in ax.containers:
        bottoms = np.array([bar.get_y() for bar in container])
        heights = np.array([bar.get_height() for bar in container])
        np.testing.assert_array_equal(bottoms, np.where(heights < 0, down, up))
        up += np.maximum(heights, 0.0)
        down += np.minimum(heights, 0.0)
    assert np.all(down[1:] < 0)  # borrowing below zero from 2027-28
    np.testing.assert_allclose(up + down, res.series["extra_defence"], atol=1e-9)


def test_debt_and_headroom_charts_show_the_result(eur: Result) -> None:
    top, bottom = build([eur], "debt").axes
    np.testing.assert_array_equal(top.get_lines()[0].get_ydata(), eur.series["debt_pct_gdp"])
    np.testing.assert_array_equal(bottom.get_lines()[0].get_ydata(), eur.series["psnb_pct_gdp"])
    (ax,) = build([eur], "headroom").axes  # one rule: one panel
    (rule,) = eur.rules
    from matplotlib.collections import LineCollection

    (stems,) = ax.collections  # a stem from zero to the headroom, a year checked
    assert isinstance(stems, LineCollection)
    segments = stems.get_segments()
    np.testing.assert_allclose([seg[1][1] for seg in segments], rule.headroom)
    assert all(seg[0][1] == 0 for seg in segments)


def test_cash_chart_has_nominal_and_real(eur: Result) -> None:
    """Nominal solid and real dotted, in the scenario's colour; the legend names the
    scenario once and the two kinds of line once."""
    fig = build([eur], "defence-cash")
    (ax,) = fig.axes
    nominal, real = ax.get_lines()
    np.testing.assert_array_equal(nominal.get_ydata(), eur.series["defence"])
    np.testing.assert_array_equal(real.get_ydata(), eur.series["defence_real"])
    assert nominal.get_color() == real.get_color()
    assert nominal.get_linestyle() == "-" and real.get_linestyle() != "-"
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == [
        "child",
        "solid: nominal",
        "dotted: real,\n2024 prices",
    ]


def test_scenarios_differ_without_colour(uk: list[Result]) -> None:
    """Greyscale: every scenario's line has its own line style and marker."""
    for chart in ("defence-share", "debt"):
        ax = build(uk, chart).axes[0]
        styles = [
            (line.get_linestyle(), line.get_marker())
            for line in ax.get_lines()
            if line.get_label() in {Path(r.source).stem for r in uk}
        ]
        assert len(styles) == len(uk)
        assert len(set(styles)) == len(uk), styles


def test_every_chart_has_title_units_and_source(uk: list[Result]) -> None:
    for chart in CHARTS:
        fig = build(uk[:1], chart)
        texts = [t.get_text() for t in fig.texts]
        assert fig.get_suptitle() == CHARTS[chart].title
        assert any("Source: budgetsim" in t and "uk_2030.yaml" in t for t in texts), texts
        labels = [ax.get_ylabel() for ax in fig.axes]
        assert all(("%" in lab or "GBP bn" in lab) for lab in labels if lab), labels


def test_every_chart_draws_from_every_shipped_scenario() -> None:
    """Issue 5 is done when every chart renders from the shipped scenarios: each chart of
    all of them (the cash charts once per currency unit), with a line or bar for each."""
    results = [run(load_file(f)) for f in sorted((ROOT / "scenarios").glob("*.yaml"))]
    by_unit: dict[str, list[Result]] = {}
    for r in results:
        by_unit.setdefault(r.unit, []).append(r)
    for chart in CHARTS:
        groups = list(by_unit.values()) if chart in CASH else [results]
        for group in groups:
            fig = build(group, chart)
            drawn = sum(len(ax.get_lines()) + len(ax.patches) for ax in fig.axes)
            if chart == "headroom" and not any(r.rules for r in group):
                drawn = len(group) * any(
                    t.get_text() == "No fiscal rules are set" for t in fig.axes[0].texts
                )
            assert drawn >= len(group), (chart, [r.source for r in group])


def test_cash_charts_refuse_mixed_currencies(uk: list[Result], eur: Result) -> None:
    with pytest.raises(ChartError, match="one currency unit; got EUR bn, GBP bn"):
        render_chart([uk[0], eur], "defence-cash")


# --- the command ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_plot_command_writes_the_chart(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"chart.{fmt}"
    res = runner.invoke(
        app, ["plot", "scenarios/uk_2030.yaml", "scenarios/uk_nato_2035.yaml", "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert res.stdout == ""
    results = [run(load_file(f"scenarios/{n}.yaml")) for n in ("uk_2030", "uk_nato_2035")]
    assert out.read_bytes() == render_chart(results, "defence-share", fmt)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--chart", "pie"], "--chart: unknown chart 'pie'; one of: defence-share,"),
        (["-o", "chart.jpg"], "--output: chart.jpg: give a file name ending in .png, .svg or .pdf"),
    ],
)
def test_plot_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    full = ["plot", "scenarios/uk_2030.yaml", "-o", str(tmp_path / "x.png"), *args]
    res = runner.invoke(app, full)
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith(message), res.stderr
    assert res.stderr.count("\n") == 1
    assert not (tmp_path / "x.png").exists()


def test_plot_mixed_currencies_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "x.png"
    res = runner.invoke(
        app, ["plot", "scenarios/uk_2030.yaml", str(EUR_TAX), "--chart", "funding", "-o", str(out)]
    )
    assert res.exit_code == 2, res.output
    assert res.stderr == (
        "the funding chart needs scenarios in one currency unit; got EUR bn, GBP bn "
        "(plot them one at a time, or use a chart in % of GDP)\n"
    )
    assert not out.exists()


def test_plot_bad_scenario_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "x.png"
    res = runner.invoke(app, ["plot", "tests/fixtures/bad/syntax.yaml", "-o", str(out)])
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith("tests/fixtures/bad/syntax.yaml:7: invalid YAML")
    assert not out.exists()


@pytest.mark.parametrize("command", ["plot", "report"])
def test_without_matplotlib_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    # A None entry in sys.modules makes `import matplotlib` raise ImportError, as it does
    # where the extra is not installed.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = tmp_path / ("x.png" if command == "plot" else "x.html")
    res = runner.invoke(app, [command, "scenarios/uk_2030.yaml", "-o", str(out)])
    assert res.exit_code == 2, res.output
    assert res.stderr == (
        "charts need matplotlib, which is not installed; "
        "install it with: pip install 'budgetsim[plot]'\n"
    )
    assert not out.exists()


def test_run_does_not_import_matplotlib() -> None:
    """`budgetsim run` start-up does not pay for matplotlib."""
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from budgetsim.cli.app import app\n"
        "res = CliRunner().invoke(app, ['run', 'scenarios/uk_2030.yaml'])\n"
        "assert res.exit_code == 0, res.output\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert proc.stdout == "[]\n", proc.stdout


def test_plot_to_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "no_such_dir" / "x.png"
    res = runner.invoke(app, ["plot", "scenarios/uk_2030.yaml", "-o", str(out)])
    assert res.exit_code == 2, res.output
    assert res.stderr == f"{out}: cannot write: No such file or directory\n"


def test_plot_set_changes_every_file(tmp_path: Path) -> None:
    out = tmp_path / "x.png"
    args = ["plot", "scenarios/uk_2030.yaml", "--chart", "debt", "-o", str(out)]
    res = runner.invoke(app, [*args, "--set", "defence.milestones={2030: 3.5}"])
    assert res.exit_code == 0, res.output
    changed = run(load_file("scenarios/uk_2030.yaml", ["defence.milestones={2030: 3.5}"]))
    assert out.read_bytes() == render_chart([changed], "debt")
    assert out.read_bytes() != render_chart([run(load_file("scenarios/uk_2030.yaml"))], "debt")
