"""Charts a briefing can use: nothing drawn over anything else, at the largest shipped case
of every chart.

Each chart is drawn with the most scenarios the project ships for it (every UK file, three
of them with defence components; the nine allies for defence % of GDP; Germany's three
rules checked every year for the headroom; the whole frontier of uk_2030.yaml) and its
drawn extents (in pixels, after layout) are checked: the legend is off the plotting area,
the title and subtitle do not overlap, no two texts overlap (tick labels, component labels,
legend entries), every text is inside the image, every frontier cell's text is inside its
cell, and no two scenarios share a colour and marker. The same PNGs were looked at by eye
(docs/charts.md shows them).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from budgetsim.cli.present.charts import CHARTS, MAX_SERIES, Look, build, render_chart, save
from budgetsim.input.files import load_file
from budgetsim.model.result import Result, run
from tests.conftest import ROOT, invoke

pytest.importorskip("matplotlib", reason="charts need the extra budgetsim[plot]")

UK_FILES = sorted((ROOT / "scenarios").glob("uk_*.yaml"))
NATO_FILES = sorted((ROOT / "scenarios").glob("nato_*.yaml"))


@pytest.fixture(scope="module")
def uk() -> list[Result]:
    return [run(load_file(p)) for p in UK_FILES]


@pytest.fixture(scope="module")
def nato() -> list[Result]:
    return [run(load_file(p)) for p in NATO_FILES]


def drawn(fig: Any) -> Any:
    """The figure laid out and drawn as a PNG is (:func:`save`), so that every extent is
    final; its renderer."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas: Any = FigureCanvasAgg(fig)
    save(fig, "png")
    return canvas.get_renderer()


def boxes_overlap(a: Any, b: Any, slack: float = 0.5) -> bool:
    """Whether two pixel boxes overlap by more than ``slack`` pixels each way."""
    return bool(
        min(a.x1, b.x1) - max(a.x0, b.x0) > slack and min(a.y1, b.y1) - max(a.y0, b.y0) > slack
    )


def texts(fig: Any) -> Iterator[Any]:
    """Every drawn, non-empty text of a figure: titles, labels, ticks, legend, notes (not
    the labels of ticks outside the axis's range, which are not drawn)."""
    ticks: set[Any] = set()
    shown: set[Any] = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
                ticks.update((tick.label1, tick.label2))
            for tick in axis._update_ticks():
                shown.update((tick.label1, tick.label2))
    for t in fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "get_window_extent")):
        if t in ticks and t not in shown:
            continue
        if t.get_visible() and str(t.get_text()).strip():
            yield t


def check_layout(fig: Any) -> None:
    """The invariants every chart keeps (see the module docstring)."""
    renderer = drawn(fig)
    frame = fig.bbox
    plots = [ax.get_window_extent(renderer) for ax in fig.axes]
    for legend in [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]:
        box = legend.get_window_extent(renderer)
        for plot in plots:
            assert not boxes_overlap(box, plot), "the legend covers the plotting area"
    title = fig._suptitle.get_window_extent(renderer)
    for ax in fig.axes:
        for sub in (ax.title, ax._left_title):
            if sub.get_text():
                assert not boxes_overlap(title, sub.get_window_extent(renderer)), sub.get_text()
        assert not boxes_overlap(title, ax.get_window_extent(renderer)), "title over the plot"
    from matplotlib.text import Text

    drawn_texts = [t for t in texts(fig) if isinstance(t, Text)]  # not a legend's TextArea
    # the text itself (an annotation's extent takes in its leader line too)
    boxes = [Text.get_window_extent(t, renderer) for t in drawn_texts]
    for t, box in zip(drawn_texts, boxes, strict=True):
        inside = box.x0 >= frame.x0 - 1 and box.x1 <= frame.x1 + 1
        inside = inside and box.y0 >= frame.y0 - 1 and box.y1 <= frame.y1 + 1
        assert inside, f"{t.get_text()!r} is cut at the edge of the image"
    for i, j in itertools.combinations(range(len(boxes)), 2):
        if drawn_texts[i].get_rotation() and drawn_texts[j].get_rotation():
            continue  # two slanted year labels: their boxes overlap, the words do not
        assert not boxes_overlap(boxes[i], boxes[j]), (
            f"{drawn_texts[i].get_text()!r} and {drawn_texts[j].get_text()!r} overlap"
        )


LARGEST = [
    ("defence-share", "nato"),
    ("defence-share", "uk"),  # eleven files, three with components labelled
    ("defence-cash", "uk"),
    ("funding", "uk"),
    ("debt", "uk"),
    ("headroom", "uk"),  # one file checks both rules every year, the others once
    ("headroom", "germany"),  # three rules, every year
]


@pytest.mark.parametrize(("chart", "group"), LARGEST, ids=[f"{c}-{g}" for c, g in LARGEST])
def test_largest_shipped_case_has_nothing_over_anything(
    chart: str, group: str, uk: list[Result], nato: list[Result]
) -> None:
    assert {c for c, _ in LARGEST} == set(CHARTS)
    groups = {"uk": uk, "nato": nato, "germany": [r for r in nato if "germany" in r.source]}
    check_layout(build(groups[group], chart))


def test_components_are_labelled_beside_the_plot(uk: list[Result]) -> None:
    """Each component line is named once, right of the plotting area, level with its line
    where there is room (the labels were 6-point text at the lines' ends, over each other
    and over the other scenarios' lines)."""
    hague = [r for r in uk if "hague" in r.source]
    fig = build(hague, "defence-share")
    (ax,) = fig.axes
    drawn(fig)
    labels = [t.get_text() for t in ax.texts]
    assert labels == ["core", "+ ukraine", "+ intelligence", "+ resilience"]
    plot = ax.get_window_extent()
    from matplotlib.text import Text

    for t in ax.texts:
        assert Text.get_window_extent(t).x0 >= plot.x1, t.get_text()
    check_layout(fig)


def test_spread_keeps_labels_apart_and_in_order() -> None:
    from budgetsim.cli.present.charts import spread

    assert spread([0.5, 0.1], 0.05) == [0.5, 0.1]  # already apart: left where they are
    out = spread([0.30, 0.31, 0.32], 0.05)
    assert (
        out[0] < out[1] < out[2] and min(b - a for a, b in itertools.pairwise(out)) >= 0.05 - 1e-12
    )
    top = spread([0.99, 1.0], 0.1)
    assert max(top) <= 1.0 and abs(top[1] - top[0]) >= 0.1 - 1e-12


def test_headroom_is_a_panel_a_rule_and_a_stem_a_check(uk: list[Result]) -> None:
    """Bars for 16 (rule, year) groups squeezed every label into the next: a panel a rule
    now, the years across, each check a stem from zero."""
    fig = build(uk, "headroom")
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["stability rule", "investment rule"]
    from matplotlib.collections import LineCollection

    checks = sum(1 for r in uk for _ in r.checks())
    stems = [c for ax in fig.axes for c in ax.collections if isinstance(c, LineCollection)]
    assert sum(len(c.get_segments()) for c in stems) == checks
    check_layout(fig)


def test_the_nato_target_is_named_in_the_legend_not_over_the_subtitle(uk: list[Result]) -> None:
    """A label written at the target line crossed the subtitle when the target was near the
    top of the axes; it is a legend entry now, and the axis reaches above the target."""
    fig = build(uk[:1], "defence-share")
    (legend,) = fig.legends
    assert any("NATO core target" in t.get_text() for t in legend.get_texts())
    (ax,) = fig.axes
    assert not [t for t in ax.texts if "NATO" in t.get_text()]
    assert ax.get_ylim()[1] > 3.5
    check_layout(fig)


def test_no_two_scenarios_look_alike(nato: list[Result], uk: list[Result]) -> None:
    """Up to MAX_SERIES scenarios, each has its own colour and its own marker: Canada and
    Spain (first and eighth of the allies) were drawn the same."""
    many = (nato + uk)[:MAX_SERIES]
    assert len(many) == MAX_SERIES
    (ax,) = build(many, "defence-share").axes
    lines = [ln for ln in ax.get_lines() if ln.get_label() in {Path(r.source).stem for r in many}]
    assert len(lines) == MAX_SERIES
    assert len({ln.get_color() for ln in lines}) == MAX_SERIES
    assert len({ln.get_marker() for ln in lines}) == MAX_SERIES


def test_funding_chart_grows_with_its_panels(uk: list[Result]) -> None:
    """Six panels were squeezed into 480 pixels; each panel keeps at least 1.2 inches."""
    fig = build(uk, "funding")
    drawn(fig)
    for ax in fig.axes:
        assert ax.get_window_extent().height >= 1.2 * fig.dpi, ax.get_title(loc="left")
    check_layout(fig)


def test_frontier_cells_hold_their_text() -> None:
    """Every cell's words fit inside the cell ("investment rul" was cut): the largest
    shipped frontier, every projected year of uk_2030.yaml at the default targets."""
    from budgetsim.cli.present.frontier_chart import build_frontier
    from budgetsim.solve import solve_frontier

    scn = load_file(ROOT / "scenarios/uk_2030.yaml")
    fr = solve_frontier(scn, (2.5, 3.0, 3.5, 5.0), [int(y) for y in scn.years])
    fig = build_frontier(fr, "scenarios/uk_2030.yaml")
    renderer = drawn(fig)
    (ax,) = fig.axes
    assert len(ax.texts) == len(fr.cells)
    for t in ax.texts:
        x, y = t.get_position()
        corners = ax.transData.transform([(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)])
        box = t.get_window_extent(renderer)
        assert corners[0][0] <= box.x0 and box.x1 <= corners[1][0], t.get_text()
        assert corners[0][1] <= box.y0 and box.y1 <= corners[1][1], t.get_text()
    check_layout(fig)


def test_fan_chart_layout() -> None:
    from budgetsim.cli.present.fan_chart import build_fan
    from budgetsim.uncertainty.montecarlo import fan

    f = fan(load_file(ROOT / "scenarios/uk_2030.yaml"), draws=2000, seed=1, workers=1)
    check_layout(build_fan(f))


# --- what the command line may change ---------------------------------------------------


def test_title_size_and_dpi(tmp_path: Path) -> None:
    out = tmp_path / "c.png"
    res = invoke(
        "plot", "scenarios/uk_2030.yaml", "--title", "My own title", "--size", "10x5",
        "--dpi", "150", "-o", out,
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    from tests.test_charts import png_size

    assert png_size(out.read_bytes()) == (1500, 750)
    fig = build([run(load_file(ROOT / "scenarios/uk_2030.yaml"))], look=Look("My own title"))
    assert fig.get_suptitle() == "My own title"


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ("big", "--size: 'big': give WIDTHxHEIGHT in inches, such as 8x4.8"),
        ("1x1", "--size: '1x1': each side must be 2 to 40 inches"),
    ],
)
def test_bad_size_is_one_line(tmp_path: Path, size: str, message: str) -> None:
    res = invoke("plot", "scenarios/uk_2030.yaml", "--size", size, "-o", tmp_path / "c.png")
    assert (res.exit_code, res.stderr) == (2, message + "\n")
    assert not list(tmp_path.iterdir())


def test_pdf_is_written_and_repeatable(tmp_path: Path, uk: list[Result]) -> None:
    out = tmp_path / "c.pdf"
    res = invoke("plot", "scenarios/uk_2030.yaml", "--chart", "debt", "-o", out)
    assert res.exit_code == 0, res.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and b"CreationDate" not in data
    assert render_chart(uk, "debt", "pdf") == render_chart(uk, "debt", "pdf")


def test_more_scenarios_than_a_chart_takes_are_capped_and_said(tmp_path: Path) -> None:
    """Every shipped file (the allies and the UK): the first MAX_SERIES are drawn, and
    stderr says how many were left out; the image is written, exit 0."""
    files = [str(p.relative_to(ROOT)) for p in (*NATO_FILES, *UK_FILES)]
    assert len(files) > MAX_SERIES
    out = tmp_path / "c.png"
    res = invoke("plot", *files, "-o", out)
    assert res.exit_code == 0, res.output
    assert res.stderr == (
        f"plot: {len(files)} scenarios; a chart draws at most {MAX_SERIES}, so the first "
        f"{MAX_SERIES} are drawn and {len(files) - MAX_SERIES} left out (from "
        f"{files[MAX_SERIES]})\n"
    )
    assert out.read_bytes()[:4] == b"\x89PNG"
