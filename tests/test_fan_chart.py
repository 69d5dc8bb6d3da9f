"""The Monte Carlo fan chart of debt % of GDP (``budgetsim plot --chart fan``): its bands
and lines are the Fan's percentiles, the image is a PNG of the fixed size, and a seeded
run gives the same bytes again."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from budgetsim.cli.app import app
from budgetsim.cli.present.charts import SIZE_PX
from budgetsim.input.files import load_file
from budgetsim.uncertainty.montecarlo import Fan
from tests.conftest import ROOT

pytest.importorskip("matplotlib", reason="charts need the extra budgetsim[plot]")

UK_2030 = "scenarios/uk_2030.yaml"

runner = CliRunner()


@pytest.fixture(scope="module")
def fan() -> Fan:
    from budgetsim.uncertainty.montecarlo import fan

    return fan(load_file(ROOT / UK_2030), draws=400, seed=7, workers=1)


def test_fan_bands_and_lines_are_the_percentiles(fan: Fan) -> None:
    from budgetsim.cli.present.fan_chart import bands, build_fan

    ax = build_fan(fan).axes[0]
    debt = fan.series["debt_pct_gdp"]
    row = {q: debt[k] for k, q in enumerate(fan.percentiles)}
    assert bands(fan) == [(5, 95), (10, 90), (25, 75)]
    polys = ax.collections
    assert [p.get_label() for p in polys] == ["P5 to P95", "P10 to P90", "P25 to P75"]
    for poly, (lo, hi) in zip(polys, bands(fan), strict=True):
        ys = np.asarray(poly.get_paths()[0].vertices)[:, 1]
        # The band's outline runs along the low percentile and back along the high one.
        assert np.isin(np.round(row[lo], 9), np.round(ys, 9)).all()
        assert np.isin(np.round(row[hi], 9), np.round(ys, 9)).all()
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_array_equal(lines["median"].get_ydata(), row[50])
    np.testing.assert_array_equal(
        lines["central (no shocks)"].get_ydata(), fan.central["debt_pct_gdp"]
    )
    # The bands widen away from the median, as percentiles must.
    assert (row[5] <= row[25]).all() and (row[75] <= row[95]).all()


def test_plot_fan_command_is_a_png_and_repeatable(tmp_path: Path) -> None:
    outs = [tmp_path / "a.png", tmp_path / "b.png"]
    for out in outs:
        res = runner.invoke(
            app,
            ["plot", UK_2030, "--chart", "fan", "--draws", "300", "--seed", "3", "-o", str(out)],
        )
        assert res.exit_code == 0, res.output
    data = outs[0].read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == SIZE_PX
    assert outs[1].read_bytes() == data


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["tests/fixtures/small.yaml", "--chart", "fan"],
            "tests/fixtures/small.yaml: uncertainty: the scenario sets no shocks; add an "
            "'uncertainty:' section (docs/uncertainty.md)\n",
        ),
        ([UK_2030, UK_2030, "--chart", "fan"], "--chart fan: give one scenario file, not 2\n"),
        ([UK_2030, "--draws", "10"], "--draws, --seed: only for --chart fan, sweep or tornado\n"),
    ],
)
def test_plot_fan_errors(tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "x.png"
    res = runner.invoke(app, ["plot", *args, "-o", str(out)])
    assert res.exit_code == 2, res.output
    assert res.stderr == message
    assert not out.exists()


def test_fan_year_axis_is_thinned_as_the_other_charts_are() -> None:
    """A long horizon (21 years here) gets the year ticks every other chart gets: at most 12,
    from the first year, fiscal-year labels slanted; not one crowded tick per year."""
    from budgetsim.cli.present.charts import build
    from budgetsim.cli.present.fan_chart import build_fan
    from budgetsim.model.result import run
    from budgetsim.uncertainty.montecarlo import fan

    scn = load_file(ROOT / UK_2030, ["years.horizon=2045"])
    fan_ax = build_fan(fan(scn, draws=50, seed=1, workers=1)).axes[0]
    debt_ax = build([run(scn)], "debt").axes[-1]
    ticks = [t.get_text() for t in fan_ax.get_xticklabels()]
    assert len(scn.years) == 21
    assert 1 < len(ticks) <= 12 and ticks[0] == "2025-26"
    assert ticks == [t.get_text() for t in debt_ax.get_xticklabels()]
    assert fan_ax.get_xlabel() == "Fiscal year"
