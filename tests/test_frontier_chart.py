"""The solver's frontier as a heat map (``budgetsim plot --chart frontier``): each cell's
shade is the least cuts the solver found, its words are ``budgetsim frontier``'s, and the
image is a PNG of the fixed size."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from budgetsim.cli.app import app
from budgetsim.cli.present.charts import SIZE_PX
from budgetsim.input.files import load_file
from budgetsim.solve.frontier import Frontier
from tests.conftest import ROOT

pytest.importorskip("matplotlib", reason="charts need the extra budgetsim[plot]")

UK_2030 = "scenarios/uk_2030.yaml"
# docs/solving.md's example: aid cut as in uk_2030 plus an uncapped pool of other
# departments, so that some cells pass only with cuts.
SOURCES = (
    "funding.sources=[{name: overseas_aid, cap_pct_gdp: {2025: 0, 2026: 0, 2027: 0.2}}, "
    "{name: other_departments}]"
)
TARGETS, YEARS = (2.5, 3.0, 5.0), (2027, 2031)

runner = CliRunner()


@pytest.fixture(scope="module")
def fr() -> Frontier:
    from budgetsim.solve import solve_frontier

    scn = load_file(ROOT / UK_2030, [SOURCES])
    return solve_frontier(scn, TARGETS, YEARS)


def labels() -> dict[int, str]:
    return {y: f"{y}-{(y + 1) % 100:02d}" for y in range(2025, 2036)}


def test_heat_map_shades_are_the_cuts_needed(fr: Frontier) -> None:
    from budgetsim.cli.present.frontier_chart import build_frontier

    fig = build_frontier(fr, UK_2030)
    ax = fig.axes[0]
    mesh = ax.collections[0]
    expected = [
        [0.0 if (c := fr.cell(t, y)).cuts_needed is None else c.cuts_needed for y in YEARS]
        for t in TARGETS
    ]
    np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(3, 2), expected)
    texts = [t.get_text() for t in ax.texts]
    assert texts[0] == "pass"  # 2.5 % passes with the extra borrowed (docs/solving.md)
    for t in TARGETS:
        for y in YEARS:
            c = fr.cell(t, y)
            want = (
                f"FAIL\n{c.rule}"
                if not c.feasible
                else (f"cuts\n{c.cuts_needed:,.1f}" if c.cuts_needed else "pass")
            )
            assert want in texts
    # Cells where no path passes are hatched as well as labelled.
    fails = sum(not c.feasible for c in fr.cells)
    assert sum(1 for p in ax.patches if p.get_hatch()) == fails


def test_plot_frontier_command(tmp_path: Path) -> None:
    out = tmp_path / "frontier.png"
    args = ["plot", UK_2030, "--chart", "frontier", "--targets", "2.5,3", "--years", "2029,2031"]
    res = runner.invoke(app, [*args, "--set", SOURCES, "-o", str(out)])
    assert res.exit_code == 0, res.output
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == SIZE_PX


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["tests/fixtures/small.yaml", "--chart", "frontier"],
            "tests/fixtures/small.yaml: the scenario sets no fiscal rules, so there is "
            "nothing to solve against\n",
        ),
        (
            [UK_2030, UK_2030, "--chart", "frontier"],
            "--chart frontier: give one scenario file, not 2\n",
        ),
        ([UK_2030, "--years", "2027..2030"], "--targets, --years: only for --chart frontier\n"),
    ],
)
def test_plot_frontier_errors(tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "x.png"
    res = runner.invoke(app, ["plot", *args, "-o", str(out)])
    assert res.exit_code == 2, res.output
    assert res.stderr == message
    assert not out.exists()


def test_cells_no_path_passes_are_hatched_and_named() -> None:
    from budgetsim.cli.present.frontier_chart import build_frontier, cuts_grid
    from budgetsim.solve import solve_frontier

    # As shipped (aid cuts only), 5 % fails every year (docs/solving.md); 2.5 % passes.
    fr = solve_frontier(load_file(ROOT / UK_2030), (2.5, 5.0), (2027, 2031))
    assert [c.feasible for c in fr.cells] == [True, True, False, False]
    np.testing.assert_array_equal(np.isnan(cuts_grid(fr)), [[False, False], [True, True]])
    ax = build_frontier(fr, UK_2030).axes[0]
    assert sum(1 for p in ax.patches if p.get_hatch()) == 2
    assert [t.get_text() for t in ax.texts].count("FAIL\n(a)") == 2
    assert any(f"(a) {fr.cells[2].rule}" in t.get_text() for t in build_frontier(fr, UK_2030).texts)


def test_chart_cells_say_what_the_frontier_table_says(fr: Frontier) -> None:
    """One cell text for the table and the heat map; the chart only breaks the line."""
    from budgetsim.cli.present.frontier_chart import build_frontier
    from budgetsim.cli.present.solve import frontier_document

    table = frontier_document(fr, verbose=True).tables[0]
    cells = [row[1:] for row in table.rows[::2]]  # the target rows, not the extra cost
    texts = [t.get_text() for t in build_frontier(fr, UK_2030).axes[0].texts]
    assert texts == [c.replace(" ", "\n", 1) for row in cells for c in row]
    assert {"pass", "cuts"} <= {c.split(" ")[0] for row in cells for c in row}
