"""Golden tests of the UK baselines of the OBR's November 2025 and March 2026 forecasts.

Each vintage file is built by scripts/derive_uk_vintages.py in steps from the previous one.
These tests check only published figures that were NOT inputs (sources by id in
docs/sources.md):

November 2025 (scenarios/uk_baseline_nov2025.yaml)
    Inputs: PSNB 2025-26 (138.3) and 2029-30 (67.9), to which "the rest" is fitted; PSNB
    2025-26 as a share of GDP (4.5 %), which anchors nominal GDP; PSNB 2024-25; debt and
    PSNFL at end-March 2025; growth, CPI, RPI; the policy package's 2029-30 sizes.
    Tested: PSNB 2026-27, 2027-28, 2028-29 and 2030-31 within 5 %; the stability rule's
    headroom in 2029-30, GBP 21.7bn (S, [hansard-2025-12]), within GBP 3bn; net debt at
    end-March 2030 within GBP 30bn of the March 2025 forecast's 3,391 (S, [icaew-2025-12],
    OBR databank) plus the GBP 61bn by which November raised it (S, [icaew-2025-12]); the
    investment rule's headroom on PSNFL in 2029-30, GBP 24.4bn (S3), within GBP 3bn.

March 2026 (scenarios/uk_baseline_mar2026.yaml)
    Inputs: PSNB 2025-26 (base year), 2026-27 and 2029-30 (the last two fit "the rest");
    PSNB 2025-26 as a share of GDP (4.3 %), which anchors nominal GDP; growth, RPI, CPIH.
    Tested: PSNB 2027-28, 2028-29 and 2030-31 within 5 %; headroom "almost GBP 24bn"
    (S, [hmt-2026-03]) within GBP 3bn of 24. Not tested: net debt at end-March 2030, which
    our sources do not give for this forecast.

Two checks miss and are marked as expected failures (strict: they fail the run if the model
ever meets them, so the mark cannot outlive its reason):
- November 2026-27 borrowing: "the rest" is a straight line between its two fitted years, and
  the OBR's 2025-26 deterioration does not last into 2026-27 as that line assumes; the yearly
  profile of the policy package is not published either.
- November's 2029-30 headroom: single-use military equipment moved from current to capital
  spending in this forecast (S3), raising net investment and the current balance; its size
  is not in our sources, so net investment here is March 2025's ratio and the headroom is
  about GBP 4bn short.
- March 2026 2028-29 borrowing: 6 % low, for the reason of the first item.
"""

from __future__ import annotations

import pytest

from budgetsim import Result, run
from budgetsim.input.files import load_file
from tests.conftest import SCENARIOS

NOV_PSNB = {2026: 112.1, 2027: 98.5, 2028: 86.9, 2030: 67.2}  # S3 checked, [obr-hofd-r]
NOV_HEADROOM_2029 = 21.7  # GBP bn (S, [hansard-2025-12])
NOV_DEBT_2029 = 3391.0 + 61.0  # GBP bn end-March 2030 (S + S, [icaew-2025-12])
NOV_PSNFL_HEADROOM_2029 = 24.4  # GBP bn, 0.7 % of GDP (S3, a copy of [obr-efo-2025-11])
MAR_PSNB = {2027: 96.5, 2028: 86.0, 2030: 59.0}  # S3 checked, [obr-hofd-r]
MAR_HEADROOM_2029 = 24.0  # GBP bn, "almost GBP 24bn" (S, [hmt-2026-03])

MISSES = {
    ("nov", 2026): "the fitted rest is a straight line; 2025-26's overshoot fades faster",
    ("mar", 2028): "the fitted rest is a straight line between 2026-27 and 2029-30",
}


@pytest.fixture(scope="module")
def nov() -> Result:
    return run(load_file(SCENARIOS / "uk_baseline_nov2025.yaml"))


@pytest.fixture(scope="module")
def mar() -> Result:
    return run(load_file(SCENARIOS / "uk_baseline_mar2026.yaml"))


def _cases(name: str, table: dict[int, float]) -> list[object]:
    out: list[object] = []
    for year, obr in table.items():
        why = MISSES.get((name, year))
        marks = [pytest.mark.xfail(strict=True, reason=why)] if why else []
        out.append(pytest.param(year, obr, marks=marks, id=f"{name}-{year}"))
    return out


def _psnb(result: Result, year: int) -> float:
    return result.row("psnb")[result.years.index(year)]


def _headroom(result: Result, rule_type: str, year: int) -> float:
    rule = next(r for r in result.rules if r.type == rule_type)
    return float(rule.headroom[rule.years.index(year)])


@pytest.mark.parametrize(("year", "obr"), _cases("nov", NOV_PSNB))
def test_november_psnb_within_5_percent(nov: Result, year: int, obr: float) -> None:
    got = _psnb(nov, year)
    assert abs(got - obr) <= 0.05 * obr, f"{year}: model {got:.1f} vs OBR {obr}"


@pytest.mark.xfail(strict=True, reason="military equipment's move to capital is not modelled")
def test_november_stability_headroom(nov: Result) -> None:
    got = _headroom(nov, "current_balance", 2029)
    assert abs(got - NOV_HEADROOM_2029) <= 3.0, f"model {got:.1f} vs OBR {NOV_HEADROOM_2029}"


def test_november_stability_headroom_misses_by_less_than_the_reclassification(
    nov: Result,
) -> None:
    """The known miss stays small: the model is short of the OBR's headroom by GBP 3-6bn,
    no more (the reclassified equipment is a few GBP bn a year)."""
    short = NOV_HEADROOM_2029 - _headroom(nov, "current_balance", 2029)
    assert 3.0 < short < 6.0, short


def test_november_debt_end_march_2030(nov: Result) -> None:
    got = nov.row("debt")[nov.years.index(2029)]
    assert abs(got - NOV_DEBT_2029) <= 30.0, f"model {got:.1f} vs {NOV_DEBT_2029}"


def test_november_investment_rule_headroom(nov: Result) -> None:
    got = _headroom(nov, "debt_falling", 2029)
    assert abs(got - NOV_PSNFL_HEADROOM_2029) <= 3.0, (
        f"model {got:.1f} vs {NOV_PSNFL_HEADROOM_2029}"
    )


@pytest.mark.parametrize(("year", "obr"), _cases("mar", MAR_PSNB))
def test_march_2026_psnb_within_5_percent(mar: Result, year: int, obr: float) -> None:
    got = _psnb(mar, year)
    assert abs(got - obr) <= 0.05 * obr, f"{year}: model {got:.1f} vs OBR {obr}"


def test_march_2026_stability_headroom(mar: Result) -> None:
    got = _headroom(mar, "current_balance", 2029)
    assert abs(got - MAR_HEADROOM_2029) <= 3.0, f"model {got:.1f} vs 'almost {MAR_HEADROOM_2029}'"


@pytest.mark.parametrize("name", ["uk_baseline", "uk_baseline_nov2025", "uk_baseline_mar2026"])
def test_investment_rule_is_on_net_financial_liabilities(name: str) -> None:
    """Every UK vintage checks the investment rule on PSNFL, its real measure."""
    scn = load_file(SCENARIOS / f"{name}.yaml")
    rule = next(r for r in scn.rules if r.type == "debt_falling")
    assert rule.measure == "psnfl"
    assert scn.psnfl0 is not None
