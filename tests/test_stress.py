"""Stress tests run as rows of one engine batch: the same numbers as each variant alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from budgetsim.input.files import load_file
from budgetsim.model.engine import simulate
from budgetsim.model.result import run
from budgetsim.model.rules import evaluate_all
from budgetsim.uncertainty.stress import TESTS, _batchable, stress
from tests.conftest import ROOT, SCENARIOS


@pytest.mark.parametrize("path", [SCENARIOS / "uk_2030.yaml", ROOT / "scenarios/nato_germany.yaml"])
def test_batched_rows_equal_each_variant_run_alone(path: Path) -> None:
    scn = load_file(path)
    result = stress(scn)
    j = int(np.searchsorted(scn.years, result.year))
    by_name = {t.name: t for t in TESTS}
    checked = 0
    for row in result.rows:
        test = by_name[row.name]
        if row.debt_pct_gdp is None or test.apply is None:
            continue
        variant = test.apply(scn)
        paths = simulate(variant)
        assert row.debt_pct_gdp == paths.debt[0, j] / paths.gdp[0, j] * 100.0, row.name
        assert row.psnb_pct_gdp == paths.psnb[0, j] / paths.gdp[0, j] * 100.0, row.name
        for rule in evaluate_all(variant, paths):
            assert row.headroom[rule.name] == float(rule.headroom[0, 0]), (row.name, rule.name)
        checked += 1
    assert checked >= 8  # every runnable test of the UK file, all but three for an ally


def test_only_tests_that_change_per_year_paths_share_a_batch() -> None:
    scn = load_file(SCENARIOS / "uk_2030.yaml")
    together = {t.name for t in TESTS if t.apply is not None and _batchable(t.apply(scn), scn)}
    assert "ec_financial" not in together  # it sets the risk premium: a run of its own
    assert {"gilts_1pp", "growth_2y", "inflation_1pp", "combined", "imf_b6"} <= together


def test_year_chooses_where_borrowing_and_debt_are_read() -> None:
    """--year moves the borrowing and debt columns to that year (here the defence target year,
    2030-31); each rule is still read in its own checked year."""
    scn = load_file(SCENARIOS / "uk_2030.yaml")
    ran = run(scn)
    at_target = stress(scn, ("gilts_1pp",), year=2030)
    j = ran.years.index(2030)
    assert at_target.year == 2030
    assert at_target.base.debt_pct_gdp == pytest.approx(ran.series["debt_pct_gdp"][j], rel=1e-12)
    assert at_target.base.psnb_pct_gdp == pytest.approx(ran.series["psnb_pct_gdp"][j], rel=1e-12)
    default = stress(scn, ("gilts_1pp",))
    assert default.year == 2029
    assert at_target.base.headroom == default.base.headroom  # rules: 2029-30 either way
    assert at_target.base.debt_pct_gdp != default.base.debt_pct_gdp


def test_a_year_outside_the_projection_is_refused() -> None:
    with pytest.raises(
        ValueError,
        match="year 2099-00 is outside the projection, 2025-26 to 2035-36",
    ):
        stress(load_file(SCENARIOS / "uk_2030.yaml"), year=2099)
