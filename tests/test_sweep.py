"""budgetsim sweep and sensitivity: grids, bounds, the cap, every format, sweep == run,
sensitivity on a case whose answer is known, determinism, charts and errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import budgetsim
from budgetsim.errors import ScenarioError
from budgetsim.explore import chunks as sweep_module
from budgetsim.explore import grid
from budgetsim.explore.api import sensitivity, sweep
from budgetsim.explore.grid import GRID_CAP, check_size, grid_values, parse_grid, parse_range
from budgetsim.model.guard import DivergenceError
from tests.conftest import invoke

T = TypeVar("T")
R = TypeVar("R")

UK = "scenarios/uk_hague_2035.yaml"
#: The resilience component grows to 1.5 % by 2035 from its base share (the docs' reading).
RESILIENCE = "defence.components.3.milestones={2035: 1.5}"


# --- grid parsing --------------------------------------------------------------------


def test_a_range_with_a_step_includes_both_ends() -> None:
    v = parse_grid("economy.real_growth+=-1:1:0.25")
    assert v.shift and v.key == "economy.real_growth"
    assert v.values == (-1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0)
    assert parse_grid("a.b=0:0.3:0.1").values == (0.0, 0.1, 0.2, 0.3)  # not 0.30000000000000004
    assert parse_grid("a.b=0:1:0.3").values == (0.0, 0.3, 0.6, 0.9)  # HIGH off the steps
    assert parse_grid("a.b=1.5,0,2").values == (1.5, 0.0, 2.0)
    assert v.override(0.5) == "economy.real_growth+=0.5"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("economy.real_growth", "expected KEY=LOW:HIGH:STEP"),
        ("economy.real_growth=", "expected KEY=LOW:HIGH:STEP"),
        ("economy.real_growth=0:1:0", "must be above zero"),
        ("economy.real_growth=0:1:-1", "must be above zero"),
        ("economy.real_growth=1:0:0.1", "HIGH 0 is below LOW 1"),
        ("economy.real_growth=0:1", "expected LOW:HIGH:STEP"),
        ("economy.real_growth=a:1:0.1", "'a' is not a number"),
        ("economy.real_growth=0:nan:0.1", "not a finite number"),
        ("economy..growth=1", "is not a key path"),
        ("economy.real_growth=0:1e9:1e-3", "more than"),
    ],
)
def test_a_malformed_grid_is_one_vary_line(spec: str, message: str) -> None:
    with pytest.raises(ScenarioError) as exc:
        parse_grid(spec)
    text = str(exc.value)
    assert text.startswith("--vary: ") and message in text and "\n" not in text


def test_a_sensitivity_range_is_low_high() -> None:
    assert parse_range("interest.long_rate+=-1:1").values == (-1.0, 1.0)
    for bad in ("interest.long_rate=1:1", "interest.long_rate=0:1:0.5", "x=2:1"):
        with pytest.raises(ScenarioError, match=r"^--vary: "):
            parse_range(bad)


def test_grid_points_put_the_last_key_fastest() -> None:
    a, b = parse_grid("a.x=1,2"), parse_grid("b.y=10,20,30")
    pts = grid_values([a, b], 0, 6)
    assert pts.tolist() == [[1, 10], [1, 20], [1, 30], [2, 10], [2, 20], [2, 30]]
    assert grid_values([a, b], 4, 6).tolist() == [[2, 20], [2, 30]]


def test_the_cap_refuses_a_huge_grid_unless_forced() -> None:
    big = [parse_grid("a.x=0:9999:1"), parse_grid("b.y=0:9999:1")]  # 10^8 points
    with pytest.raises(ScenarioError, match="above the cap of 10,000,000; give --force"):
        check_size(big, force=False)
    assert check_size(big, force=True) == 10**8 > GRID_CAP
    res = invoke("sweep", UK, "--vary", "economy.gdp=0:9999:1", "--vary", "finances.debt=0:9999:1")
    assert res.exit_code == 2 and "--force" in res.stderr and len(res.stderr.splitlines()) == 1


# --- bounds and keys ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("economy.feedback.defence_multiplier=-1:1:1", "at -1: -1.0 is below the minimum 0.0"),
        ("economy.nope=0:1:1", "economy.nope: "),
        ("funding.sources.0.cap_pct_gdp+=-0.5:0:0.5", "cap_pct_gdp: at -0.5: "),
        ("funding.sources.5.cap=1:2:1", "funding.sources"),
    ],
)
def test_a_key_the_file_refuses_is_one_vary_line(spec: str, message: str) -> None:
    res = invoke("sweep", UK, "--vary", spec)
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith("--vary: ") and message in res.stderr, res.stderr
    assert len(res.stderr.splitlines()) == 1 and "Traceback" not in res.output


def test_a_key_given_twice_is_refused() -> None:
    res = invoke("sweep", UK, "--vary", "economy.gdp=3000,3100", "--vary", "economy.gdp=3200")
    assert res.exit_code == 2 and "varied twice" in res.stderr


# --- sweep == run ------------------------------------------------------------------------


def _run_at(overrides: Sequence[str]) -> budgetsim.Result:
    return budgetsim.run(budgetsim.load(UK, overrides=[RESILIENCE, *overrides]))


KEYS = (
    ("economy.real_growth+=", -1.0, 1.0),
    ("interest.long_rate+=", -1.0, 1.5),
    ("economy.feedback.defence_multiplier=", 0.0, 1.0),
    ("economy.feedback.cuts_multiplier=", 0.0, 1.0),
    ("defence.components.3.base_share=", 0.0, 1.5),
    ("funding.sources.0.cap_pct_gdp.2027=", 0.0, 0.5),
)


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.floats(0.0, 1.0), min_size=len(KEYS), max_size=len(KEYS)))
def test_a_sweep_row_is_the_run_with_set(fractions: list[float]) -> None:
    """Each key at three values (its ends and a random one); the random point's row equals
    ``budgetsim run --set`` at that point."""
    values = [round(lo + f * (hi - lo), 6) for (_, lo, hi), f in zip(KEYS, fractions, strict=True)]
    specs = [f"{k}{lo!r},{v!r},{hi!r}" for (k, lo, hi), v in zip(KEYS, values, strict=True)]
    s = sweep(UK, specs, overrides=[RESILIENCE])
    assert s.grouped == ()  # every key is a batch row
    i = int(np.flatnonzero((s.values == np.array(values)).all(axis=1))[0])
    sets = [f"{k}{v!r}" for (k, _, _), v in zip(KEYS, values, strict=True)]
    sets.append(f"defence.base_share+={values[4] - 1.5!r}")  # as the sweep moves it
    r = _run_at(sets)
    j = r.years.index(s.year)
    expect = {
        "extra_today": r.summary.extra_defence_today_in_cost_year,
        "debt_pct_gdp": r.series["debt_pct_gdp"][j],
        "psnb_pct_gdp": r.series["psnb_pct_gdp"][j],
        "target_met": float(bool(r.summary.target_met)),
    }
    for rule in r.rules:
        k = rule.years.index(s.year)
        expect[f"headroom:{rule.name}"] = float(rule.headroom[k])
        expect[f"pass:{rule.name}"] = float(rule.passed[k])
    for name, want in expect.items():
        assert s.columns[name][i] == pytest.approx(want, rel=1e-9, abs=1e-9), name


def test_a_year_key_groups_the_points_and_still_equals_run() -> None:
    s = sweep(UK, ["defence.targets.0.year=2033,2035", "interest.long_rate+=-1,0,1"])
    assert s.grouped == ("defence.targets.0.year",)
    for i in (1, 5):
        year, shift = s.values[i]
        r = budgetsim.run(
            budgetsim.load(
                UK,
                overrides=[f"defence.targets.0.year={int(year)}", f"interest.long_rate+={shift}"],
            )
        )
        assert s.columns["extra_today"][i] == pytest.approx(
            r.summary.extra_defence_today_in_cost_year, rel=1e-12
        )
        head = r.rules[0].headroom[r.rules[0].years.index(s.year)]
        assert s.columns["headroom:stability rule"][i] == pytest.approx(head, rel=1e-9)


def test_draws_give_fans_chance_of_passing_at_each_point() -> None:
    s = sweep(UK, ["interest.long_rate+=0,1"], draws=300, seed=7)
    for i, shift in enumerate((0.0, 1.0)):
        scn = budgetsim.load(UK, overrides=[f"interest.long_rate+={shift}"])
        fan = budgetsim.fan(scn, draws=300, seed=7)
        for rule in s.rules:
            j = fan.rule_years[rule].index(s.year)
            assert s.columns[f"p_pass:{rule}"][i] == fan.p_rule_pass[rule][j]
    assert s.columns["p_pass:investment rule"][0] > s.columns["p_pass:investment rule"][1]


def test_draws_above_a_chunk_are_refused_in_one_line() -> None:
    """A point's draws run in one chunk: more than CHUNK_ROWS would not be bounded."""
    with pytest.raises(ScenarioError, match="above the cap of 16,384 draws a point"):
        sweep(UK, ["interest.long_rate+=0"], draws=sweep_module.CHUNK_ROWS + 1)
    res = invoke("sweep", UK, "--vary", "interest.long_rate+=0", "--draws", "16385")
    assert res.exit_code == 2 and len(res.stderr.splitlines()) == 1, res.output
    assert res.stderr.startswith("--draws: 16,385 is above the cap of 16,384"), res.stderr


WILD = ["uncertainty.growth_sd=20", "uncertainty.growth_persistence=0.99"]


def test_a_point_with_a_diverged_draw_has_no_chance_and_is_marked_diverged() -> None:
    """Where `fan` refuses the point (a draw diverges), the sweep gives it no chance of
    passing and counts it as diverged, as a point whose own run diverges; a calm point in
    the same sweep keeps fan's chance."""
    wild = budgetsim.load(UK, overrides=WILD)
    with pytest.raises(DivergenceError):
        budgetsim.fan(wild, draws=300, seed=7)
    s = sweep(UK, ["uncertainty.growth_sd=0.5,20"], overrides=WILD[1:], draws=300, seed=7)
    assert s.columns["diverged"].tolist() == [0.0, 1.0]
    calm = budgetsim.fan(
        budgetsim.load(UK, overrides=[*WILD[1:], "uncertainty.growth_sd=0.5"]), draws=300, seed=7
    )
    for rule in s.rules:
        assert np.isnan(s.columns[f"p_pass:{rule}"][1])
        j = calm.rule_years[rule].index(s.year)
        assert s.columns[f"p_pass:{rule}"][0] == calm.p_rule_pass[rule][j]


# --- determinism: chunks, executors ---------------------------------------------------------


class Threads:
    """An executor of two threads (as budgetsim.uncertainty.execute's local one)."""

    workers = 2

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        with ThreadPoolExecutor(2) as pool:
            return list(pool.map(fn, items))


def test_results_do_not_depend_on_chunks_or_executor(monkeypatch: pytest.MonkeyPatch) -> None:
    specs = ["economy.real_growth+=-1:1:0.5", "interest.long_rate+=-1:1:0.5"]
    one = sweep(UK, specs, draws=50, seed=3)
    monkeypatch.setattr(sweep_module, "CHUNK_POINTS", 3)
    monkeypatch.setattr(sweep_module, "CHUNK_ROWS", 100)
    other = sweep(UK, specs, draws=50, seed=3, executor=Threads())
    assert one.columns.keys() == other.columns.keys()
    for name in one.columns:
        np.testing.assert_array_equal(one.columns[name], other.columns[name], err_msg=name)


def test_a_dask_local_cluster_gives_the_same_sweep() -> None:
    """The chunks run in worker processes (pickled items, module-level function): the
    same numbers, bit for bit, as the threads here."""
    pytest.importorskip("dask.distributed")
    from budgetsim.uncertainty.execute import dask_executor

    specs = ["economy.real_growth+=-1:1:1", "economy.feedback.cuts_multiplier=0,1"]
    here = sweep(UK, specs, draws=40, seed=3)
    with dask_executor(workers=2) as ex:
        there = sweep(UK, specs, draws=40, seed=3, executor=ex)
    for name in here.columns:
        np.testing.assert_array_equal(here.columns[name], there.columns[name], err_msg=name)


def test_chunk_items_pickle() -> None:
    import pickle

    from budgetsim.explore.batch import file_builder
    from budgetsim.explore.chunks import Outcomes, chunks, layout

    varies = [parse_grid("interest.long_rate+=-1:1:1")]
    values = grid_values(varies, 0, 3)
    lay = layout(file_builder(UK), varies, values)
    (item,) = chunks(lay, values, Outcomes(2029, ("stability rule", "investment rule")))
    again = pickle.loads(pickle.dumps(item))
    a, b = sweep_module.run_chunk(item), sweep_module.run_chunk(again)
    assert all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)


# --- formats ----------------------------------------------------------------------------------

SMALL = ("--vary", "economy.real_growth+=-1:1:1", "--vary", "interest.long_rate+=0,1")


def test_table_summarises_and_lists_few_points() -> None:
    res = invoke("sweep", UK, *SMALL)
    assert res.exit_code == 0, res.output
    text = " ".join(res.stdout.split())  # titles wrap at the terminal's width
    assert "sweep of 6 points" in text
    assert "pass:stability rule" in text and "6 of 6 points" in text
    assert "rules' year 2029-30" in text


def test_csv_json_markdown_have_one_row_per_point(tmp_path: Path) -> None:
    res = invoke("sweep", UK, *SMALL, "--format", "csv", "--units")
    lines = res.stdout.splitlines()
    assert lines[0].startswith("economy.real_growth+=,interest.long_rate+=,extra_today,")
    assert lines[1].split(",")[2] == "GBP bn" and len(lines) == 2 + 6
    data = json.loads(invoke("sweep", UK, *SMALL, "--format", "json").stdout)
    assert data["points"] == 6 and len(data["rows"]) == 6
    assert data["keys"][0] == {"key": "economy.real_growth+=", "unit": "% a year"}
    assert data["rows"][0]["pass:stability rule"] is True
    md = invoke("sweep", UK, *SMALL, "--format", "markdown").stdout
    assert "| economy.real_growth+= |" in md


def test_parquet_round_trips(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "s.parquet"
    res = invoke("sweep", UK, *SMALL, "--format", "parquet", "-o", out)
    assert res.exit_code == 0, res.output
    table = pq.read_table(out)
    assert table.num_rows == 6
    assert table.schema.field("extra_today").metadata == {b"unit": b"GBP bn"}
    assert table.column("pass:stability rule").to_pylist() == [True] * 6
    want = sweep(UK, [SMALL[1], SMALL[3]]).columns["headroom:stability rule"]
    assert table.column("headroom:stability rule").to_pylist() == want.tolist()


def test_parquet_without_pyarrow_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    res = invoke("sweep", UK, *SMALL, "--format", "parquet", "-o", tmp_path / "s.parquet")
    assert res.exit_code == 2
    assert res.stderr.strip() == (
        "--format parquet needs pyarrow; install it with: pip install 'budgetsim[parquet]'"
    )
    assert not (tmp_path / "s.parquet").exists()
    assert invoke("sweep", UK, *SMALL, "--format", "parquet").exit_code == 2  # no -o


def test_a_failed_sweep_leaves_the_output_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    out.write_text("old\n", encoding="utf-8")
    res = invoke("sweep", UK, "--vary", "economy.nope=1:2:1", "--format", "csv", "-o", out)
    assert res.exit_code == 2 and out.read_text(encoding="utf-8") == "old\n"
    fresh = tmp_path / "new.csv"
    res = invoke("sweep", UK, "--vary", "economy.gdp=0:1:0", "--format", "csv", "-o", fresh)
    assert res.exit_code == 2 and not fresh.exists()


# --- sensitivity -------------------------------------------------------------------------------


def test_sobol_finds_the_only_key_that_matters() -> None:
    """Taxes are frozen in the file, so the tax multiplier moves nothing: the gilt rate
    decides the stability rule's headroom alone."""
    r = sensitivity(
        UK,
        ["interest.long_rate+=-1:1", "economy.feedback.tax_multiplier=0:1"],
        samples=256,
        seed=1,
    )
    idx = r.indices["headroom:stability rule"]
    assert idx["ST"][0] > 0.95 and idx["S1"][0] > 0.9
    assert abs(idx["ST"][1]) < 0.01 and abs(idx["S1"][1]) < 0.01
    assert r.evaluations == 256 * 4
    assert r.constant("extra_today")  # neither key changes the extra cost


def test_morris_ranks_the_same_way() -> None:
    r = sensitivity(
        UK,
        ["interest.long_rate+=-1:1", "economy.feedback.tax_multiplier=0:1"],
        method="morris",
        samples=20,
        seed=1,
    )
    idx = r.indices["headroom:stability rule"]
    assert idx["mu_star"][0] > 1.0 and idx["mu_star"][1] == 0.0


def test_sensitivity_is_deterministic_for_a_seed() -> None:
    args: dict[str, Any] = {"samples": 64, "seed": 5}
    specs = ["interest.long_rate+=-1:1", "economy.real_growth+=-1:1"]
    a, b = sensitivity(UK, specs, **args), sensitivity(UK, specs, **args)
    c = sensitivity(UK, specs, samples=64, seed=6)
    for m in a.measures:
        for k, v in a.indices[m].items():
            np.testing.assert_array_equal(v, b.indices[m][k])
    assert not np.array_equal(
        a.indices["headroom:stability rule"]["S1"], c.indices["headroom:stability rule"]["S1"]
    )


def test_seed_zero_is_a_seed_too() -> None:
    """SALib reads seed 0 as none: the indices must not follow numpy's global numbers."""
    specs = ["interest.long_rate+=-1:1", "economy.real_growth+=-1:1"]
    np.random.seed(1)  # noqa: NPY002 - the global numbers SALib would fall back on
    a = sensitivity(UK, specs, samples=64, seed=0)
    np.random.seed(2)  # noqa: NPY002
    b = sensitivity(UK, specs, samples=64, seed=0)
    for k, v in a.indices["headroom:stability rule"].items():
        np.testing.assert_array_equal(v, b.indices["headroom:stability rule"][k])


def test_sensitivity_cli_table_json_and_errors() -> None:
    base = ("sensitivity", UK, "--vary", "interest.long_rate+=-1:1", "--samples", "64")
    res = invoke(*base, "--vary", "economy.real_growth+=-1:1")
    assert res.exit_code == 0, res.output
    assert "first-order S1" in res.stdout and "interest.long_rate+=" in res.stdout
    data = json.loads(invoke(*base, "--format", "json").stdout)
    assert data["method"] == "sobol" and data["measures"][0]["name"] == "headroom:stability rule"
    csv = invoke(*base, "--format", "csv").stdout.splitlines()
    assert csv[0] == "measure,key,S1,S1_conf,ST,ST_conf"
    for args, message in [
        (("--samples", "100"), "--samples: 100: give a power of 2"),
        (("--output-measure", "nope"), "--output-measure: 'nope': expected one of"),
        (("--vary", "interest.long_rate=1:0"), "--vary: "),
    ]:
        bad = invoke("sensitivity", UK, "--vary", "economy.real_growth+=-1:1", *args)
        assert bad.exit_code == 2 and message in bad.stderr, bad.stderr
        assert len(bad.stderr.splitlines()) == 1


def test_sensitivity_without_salib_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "SALib.sample.sobol", None)
    res = invoke("sensitivity", UK, "--vary", "interest.long_rate+=-1:1", "--samples", "64")
    assert res.exit_code == 2
    assert res.stderr.strip() == (
        "sensitivity needs SALib; install it with: pip install 'budgetsim[sensitivity]'"
    )


# --- charts -------------------------------------------------------------------------------------


def test_the_sweep_and_tornado_charts_are_drawn(tmp_path: Path) -> None:
    heat, tornado = tmp_path / "heat.png", tmp_path / "tornado.png"
    res = invoke("plot", UK, "--chart", "sweep", *SMALL, "-o", heat)
    assert res.exit_code == 0, res.output
    assert heat.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    res = invoke(
        "plot", UK, "--chart", "tornado", "--vary", "interest.long_rate+=-1:1",
        "--vary", "economy.real_growth+=-1:1", "--samples", "64", "-o", tornado,
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert tornado.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_sweep_chart_needs_two_keys_and_a_known_rule(tmp_path: Path) -> None:
    out = tmp_path / "heat.png"
    res = invoke("plot", UK, "--chart", "sweep", "--vary", "interest.long_rate+=0,1", "-o", out)
    assert res.exit_code == 2 and "give two --vary keys" in res.stderr
    res = invoke("plot", UK, "--chart", "sweep", *SMALL, "--rule", "nope", "-o", out)
    assert res.exit_code == 2 and "--rule: 'nope'" in res.stderr
    assert not out.exists()


def test_the_heat_map_grid_puts_each_point_in_its_cell() -> None:
    from budgetsim.cli.present.sweep_chart import sweep_grid

    s = sweep(UK, [SMALL[1], SMALL[3]])
    x, y, z = sweep_grid(s, "headroom:stability rule")
    assert x.tolist() == [-1.0, 0.0, 1.0] and y.tolist() == [0.0, 1.0]
    head = s.columns["headroom:stability rule"]
    assert z[1, 2] == head[5] and z[0, 0] == head[0]  # (growth 1, rate +1) and (-1, 0)


def test_grid_module_names_the_cap() -> None:
    assert grid.GRID_CAP == 10_000_000


def test_sensitivity_warns_once_when_a_key_groups_the_samples() -> None:
    """A non-affine key builds the scenario once per sampled value: said, in one line."""
    lines: list[str] = []
    specs = ["interest.long_rate+=-1:1", "defence.shape_power=1:3"]
    args: dict[str, Any] = {"method": "morris", "samples": 4, "seed": 1}
    r = sensitivity(UK, specs, overrides=["defence.shape=front"], warn=lines.append, **args)
    assert len(lines) == 1, lines
    assert lines[0].startswith("sensitivity: defence.shape_power is not a batch input: ")
    builds = int(lines[0].split("(")[1].split(" builds")[0])
    assert 2 <= builds <= r.evaluations
    quiet: list[str] = []
    sensitivity(UK, ["interest.long_rate+=-1:1"], warn=quiet.append, **args)
    assert quiet == []  # a batch key builds nothing per sample
    base = ("sensitivity", UK, "--set", "defence.shape=front", "--method", "morris")
    res = invoke(*base, "--vary", specs[1], "--samples", "4")
    assert res.exit_code == 0, res.output
    assert res.stderr.count("is not a batch input") == 1, res.stderr
    res = invoke(*base, "--vary", specs[1], "--samples", "4", "--quiet")
    assert "batch input" not in res.stderr
