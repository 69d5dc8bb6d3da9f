"""Build the UK baselines of the OBR's November 2025 and March 2026 forecasts, step by step.

Each vintage is built as the OBR presents its own changes: from the previous vintage's file,
(1) the economy (growth, CPI/CPIH and RPI, nominal GDP, gilt rates), (2) the policy package,
(3) "the rest": the forecast changes the published figures do not break down, fitted to two
published borrowing figures and nothing else. Every input is a published figure with its
flag (S found in the source, S3 a secondary copy, D derived here); sources are cited by the
ids of docs/sources.md. Run

    .venv/bin/python scripts/derive_uk_vintages.py          # print each step's effect
    .venv/bin/python scripts/derive_uk_vintages.py --write  # rewrite the two scenario files

Conventions (D, the same in both files):
- fiscal-year growth and inflation = 3/4 of calendar year t + 1/4 of calendar year t+1;
- nominal GDP: anchored in one year on PSNB / (PSNB % of GDP), then grown by real growth and
  a deflator = the previous vintage's deflator + the revision to consumer prices (CPI for
  November 2025, CPIH for March 2026: the March 2026 CPI path is not in our sources);
- receipts move with GDP (their ratio is kept) until a step changes them; other spending and
  other net investment are kept in cash (departmental plans are set in cash) to 2029-30,
  their ratios held after;
- the policy package is added in cash to receipts (tax) and other spending;
- "the rest" is a change to the receipts ratio, a straight line between two years and held
  after, fitted so that borrowing equals the OBR's in those two years. Those two figures are
  therefore inputs and tests/test_golden_vintages.py does not test them.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

from budgetsim.input.files import load_file
from budgetsim.model.engine import simulate
from budgetsim.model.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
NOV, MAR = SCENARIOS / "uk_baseline_nov2025.yaml", SCENARIOS / "uk_baseline_mar2026.yaml"


def fiscal(calendar: dict[int, float], years: range) -> dict[int, float]:
    """Fiscal-year values from calendar ones (3/4 of t, 1/4 of t+1; the last held)."""
    last = max(calendar)
    get = lambda y: calendar[min(y, last)]  # noqa: E731
    return {y: 0.75 * get(y) + 0.25 * get(y + 1) for y in years}


def interp(points: dict[int, float], years: range) -> dict[int, float]:
    keys = sorted(points)
    return {y: float(np.interp(y, keys, [points[k] for k in keys])) for y in years}


# --- March 2025 (scenarios/uk_baseline.yaml) ---------------------------------------------
M25_YEARS = range(2025, 2030)
M25_GDP = {2024: 2864, 2025: 3002, 2026: 3113, 2027: 3223, 2028: 3337, 2029: 3457}  # S3
M25_CPI = {2025: 3.2, 2026: 2.1, 2027: 2.0, 2028: 2.0, 2029: 2.0, 2030: 2.0}  # S [pa-2025-03]
M25_DEFENCE = 2.33  # % of GDP held in the March 2025 file

# --- November 2025 ------------------------------------------------------------------------
N_YEARS = range(2025, 2031)  # forecast years 2025-26 to 2030-31
N_PSNB = {2025: 138.3, 2026: 112.1, 2027: 98.5, 2028: 86.9, 2029: 67.9, 2030: 67.2}  # S3 chk
N_PSNB_PCT_2025 = 4.5  # % of GDP, 2025-26 (S3, [sky-2025-11])
N_REAL_CAL = {2025: 1.5, 2026: 1.4, 2027: 1.5, 2028: 1.5, 2029: 1.5}  # S [pa-2025-11]
N_CPI = {2025: 3.45, 2026: 2.48, 2027: 2.02, 2028: 2.04, 2029: 2.04, 2030: 2.00}  # S3 check
N_RPI = {2025: 4.33, 2026: 3.71, 2027: 3.13, 2028: 2.87, 2029: 2.91, 2030: 2.31}  # S3 check
N_CPIH = {2025: 3.93, 2026: 2.67, 2027: 2.15, 2028: 2.08, 2029: 2.11, 2030: 2.13}  # S3 check
N_GILT_INTEREST = 3.0  # GBP bn a year more debt interest by 2030 from higher gilt rates (S3)
RECKONER_GILTS = 12.4  # GBP bn in 2029-30 per +1pp on gilt rates (S3, [obr-efo-2025-03])
N_TAX_2029, N_FREEZE = 26.0, (7.8, 12.4)  # GBP bn: tax by 2029-30 (S); freeze 29-30, 30-31 (S3)
N_SPENDING = 9.0  # GBP bn a year of extra spending (S, [obr-efo-2025-11])
N_DEBT0, N_PSNFL0, N_PSNB0 = 2810.0, 2439.0, 149.5  # end-Mar 2025 (S, S) and 2024-25 (S3 chk)
N_FIT = (2025, 2029)  # the first forecast year and the rules' target year

# --- March 2026 ---------------------------------------------------------------------------
A_YEARS = range(2026, 2031)
A_PSNB = {2025: 132.7, 2026: 115.5, 2027: 96.5, 2028: 86.0, 2029: 63.4, 2030: 59.0}  # S3 chk
A_PSNB_PCT_2025 = 4.3  # % of GDP 2025-26 (S, [hmt-2026-03])
A_REAL_CAL = {2026: 1.1, 2027: 1.6, 2028: 1.6}  # S [pa-2026-03]; 2029 on: November's 1.5
A_RPI = {2025: 4.1, 2026: 3.1, 2027: 3.0, 2028: 2.8, 2029: 2.9, 2030: 2.3}  # S3
A_CPIH = {2025: 3.88, 2026: 2.55, 2027: 2.11, 2028: 2.04, 2029: 2.09, 2030: 2.12}  # S3
A_GILTS = -0.3  # pp on 10-year gilts against November (S, [rf-2026-02])
A_DEFENCE = 2.40  # % of GDP, NATO estimate for 2025 (S, [nato-2025-08])
A_FIT = (2026, 2029)  # as N_FIT (2025-26 is the base year here)


def rnd(d: dict[int, float], n: int = 3) -> dict[int, float]:
    return {k: round(float(v), n) for k, v in d.items()}


def grow(anchor_year: int, anchor: float, growth: dict[int, float], defl: dict[int, float]):
    """Nominal GDP from an anchor year, back one year and forward to the last year."""
    y = {anchor_year: anchor}
    y[anchor_year - 1] = anchor / ((1 + growth[anchor_year] / 100) * (1 + defl[anchor_year] / 100))
    for t in sorted(growth):
        if t > anchor_year:
            y[t] = y[t - 1] * (1 + growth[t] / 100) * (1 + defl[t] / 100)
    return y


def path_of(scn: Scenario, attr: str, years: range, scale: float = 100.0) -> dict[int, float]:
    arr = np.asarray(getattr(scn, attr))
    return {y: float(arr[int(np.searchsorted(scn.years, y))]) * scale for y in years}


def fit_rest(scn: Scenario, years: tuple[int, int], psnb: dict[int, float]):
    """The receipts-ratio change (fractions, a straight line between ``years``, held after)
    that makes the model's borrowing equal ``psnb`` in both years."""
    j = [int(np.searchsorted(scn.years, y)) for y in years]
    x = np.asarray(scn.years, dtype=float)

    def adj(p: np.ndarray) -> np.ndarray:
        return np.interp(x, years, p)

    def resid(p: np.ndarray) -> np.ndarray:
        run = simulate(replace(scn, receipts=np.asarray(scn.receipts) + adj(p)))
        return np.array([run.psnb[0, k] - psnb[y] for k, y in zip(j, years, strict=True)])

    p = least_squares(resid, x0=[0.0, 0.0]).x
    return p, adj(p)


def report(name: str, scn: Scenario, years: range) -> dict[str, float]:
    run = simulate(scn)
    k = int(np.searchsorted(scn.years, 2029))
    cb = run.net_investment[0, k] - run.psnb[0, k]
    out = {
        "psnb": {
            y: round(float(run.psnb[0, int(np.searchsorted(scn.years, y))]), 1) for y in years
        },
        "current balance 2029-30": round(float(cb), 1),
        "debt end-March 2030": round(float(run.debt[0, k]), 1),
    }
    print(f"  {name}: {out}")
    return out


def november(write: bool) -> dict[str, object]:
    prev = load_file(SCENARIOS / "uk_baseline.yaml")
    g = fiscal(N_REAL_CAL, N_YEARS)
    cpi_rev = {y: N_CPI[y] - M25_CPI[y] for y in N_CPI}
    defl_m = path_of(prev, "deflator", M25_YEARS)
    defl_m[2030] = defl_m[2029]
    defl = {y: defl_m[y] + fiscal(cpi_rev, N_YEARS)[y] for y in N_YEARS}
    anchor = N_PSNB[2025] / (N_PSNB_PCT_2025 / 100)
    gdp = grow(2025, anchor, g, defl)
    gdp_m = dict(M25_GDP)
    gdp_m[2030] = gdp_m[2029] * (1 + 0.018) * (1 + defl_m[2029] / 100)
    rho_m = path_of(prev, "receipts", N_YEARS)
    omega_m = path_of(prev, "other_spending", N_YEARS)
    nu_m = path_of(prev, "other_investment", N_YEARS)
    omega, nu = dict(omega_m), dict(nu_m)  # the economy step keeps every ratio
    long_rate = {
        2025: 4.5 + N_GILT_INTEREST / RECKONER_GILTS,
        2026: 4.7 + N_GILT_INTEREST / RECKONER_GILTS,
    }
    rpi = fiscal(N_RPI, N_YEARS)
    steps = {}
    print("November 2025, from March 2025:")
    economy = {
        "economy.gdp": round(gdp[2024], 1),
        "economy.real_growth": rnd(g),
        "economy.deflator": rnd(defl),
        "finances.debt": N_DEBT0,
        "finances.psnb": N_PSNB0,
        "finances.psnfl": N_PSNFL0,
        "finances.other_spending": rnd(omega),
        "finances.other_investment": rnd(nu),
        "interest.long_rate": rnd(long_rate),
        "interest.index_inflation": rnd(rpi),
    }
    base = report("March 2025 file", prev, N_YEARS)
    scn = load_file(SCENARIOS / "uk_baseline.yaml", _overrides(economy))
    steps["economy"] = report("+ economy, rates, RPI, outturn debt", scn, N_YEARS)
    # back-loaded: x^2 of the way from 2025-26 (nothing) to 2029-30 (26), the shape budgetsim
    # calls "back" (assumption: the yearly profile is not in our sources)
    tax = {y: N_TAX_2029 * ((y - 2025) / 4) ** 2 for y in range(2025, 2030)}
    tax[2030] = N_TAX_2029 + N_FREEZE[1] - N_FREEZE[0]
    spend = {y: (0.0 if y == 2025 else N_SPENDING) for y in N_YEARS}
    rho = {y: rho_m[y] + tax[y] / gdp[y] * 100 for y in N_YEARS}
    omega_p = {y: omega[y] + spend[y] / gdp[min(y, 2029)] * 100 for y in N_YEARS}
    policy = {**economy, "finances.receipts": rnd(rho), "finances.other_spending": rnd(omega_p)}
    scn = load_file(SCENARIOS / "uk_baseline.yaml", _overrides(policy))
    steps["policy"] = report("+ policy package", scn, N_YEARS)
    p, _ = fit_rest(scn, N_FIT, N_PSNB)
    rest = interp({N_FIT[0]: p[0] * 100, N_FIT[1]: p[1] * 100}, N_YEARS)
    final = {**policy, "finances.receipts": rnd({y: rho[y] + rest[y] for y in N_YEARS})}
    scn = load_file(SCENARIOS / "uk_baseline.yaml", _overrides(final))
    steps["rest"] = report("+ the rest (fitted)", scn, N_YEARS)
    print(
        f"  the rest: receipts {p[0] * 100:+.3f} pp of GDP in 2025-26, {p[1] * 100:+.3f} in 2029-30"
    )
    print(f"  GDP (D): {rnd(gdp, 1)}; check 2030-31 from PSNB/1.9 %: {N_PSNB[2030] / 0.019:.0f}")
    info = dict(
        gdp=gdp,
        g=g,
        defl=defl,
        cpi_rev=cpi_rev,
        rho=rho,
        omega=omega_p,
        nu=nu,
        rest=rest,
        tax=tax,
        spend=spend,
        long_rate=long_rate,
        rpi=rpi,
        base=base,
        steps=steps,
        p=p,
        final=final,
    )
    if write:
        NOV.write_text(_nov_yaml(info), encoding="utf-8")
    return info


def march(write: bool) -> dict[str, object]:
    prev = load_file(NOV)
    prev_run = simulate(prev)
    years = range(2026, 2031)
    growth = dict(A_REAL_CAL)
    growth.update({2029: 1.5, 2030: 1.5})
    g = fiscal(growth, years)
    rev = {y: A_CPIH[y] - N_CPIH[y] for y in A_CPIH}
    defl_n = path_of(prev, "deflator", range(2025, 2031))
    defl = {y: defl_n[y] + fiscal(rev, range(2025, 2031))[y] for y in range(2025, 2031)}
    anchor = A_PSNB[2025] / (A_PSNB_PCT_2025 / 100)
    gdp = {2025: anchor}
    for t in years:
        gdp[t] = gdp[t - 1] * (1 + g[t] / 100) * (1 + defl[t] / 100)
    rho_n = path_of(prev, "receipts", years)
    omega_n = path_of(prev, "other_spending", years)
    nu_n = path_of(prev, "other_investment", years)
    n_def = M25_DEFENCE
    # every ratio kept; defence's move from 2.33 to 2.40 % of GDP comes out of other spending
    omega = {y: omega_n[y] + n_def - A_DEFENCE for y in years}
    nu = dict(nu_n)
    k25 = int(np.searchsorted(prev.years, 2025))
    sfa25 = float(np.asarray(prev.sfa)[k25])
    psnfl_sfa25 = float(np.asarray(prev.psnfl_sfa)[k25])  # type: ignore[index]
    debt0 = N_DEBT0 + A_PSNB[2025] + sfa25
    psnfl0 = N_PSNFL0 + A_PSNB[2025] + psnfl_sfa25
    rate0 = float(prev_run.conventional_rate[0, k25]) * 100
    long_n = path_of(prev, "long_rate", years)
    long_rate = {2026: long_n[2026] + A_GILTS}
    rpi = fiscal(A_RPI, years)
    print("March 2026, from November 2025:")
    base = report("November 2025 file", prev, range(2025, 2031))
    economy = {
        "years.base": 2025,
        "economy.gdp": round(anchor, 1),
        "economy.real_growth": rnd(g),
        "economy.deflator": rnd({y: defl[y] for y in years}),
        "defence.base_share": A_DEFENCE,
        "finances.debt": round(debt0, 1),
        "finances.psnb": A_PSNB[2025],
        "finances.psnfl": round(psnfl0, 1),
        "finances.receipts": rnd(rho_n),
        "finances.other_spending": rnd(omega),
        "finances.other_investment": rnd(nu),
        "interest.conventional_rate": round(rate0, 3),
        "interest.long_rate": rnd(long_rate),
        "interest.index_inflation": rnd(rpi),
    }
    scn = load_file(NOV, _overrides(economy))
    steps = {"economy": report("+ economy, rates, RPI (no policy package)", scn, years)}
    p, _ = fit_rest(scn, A_FIT, A_PSNB)
    rest = interp({A_FIT[0]: p[0] * 100, A_FIT[1]: p[1] * 100}, years)
    final = {**economy, "finances.receipts": rnd({y: rho_n[y] + rest[y] for y in years})}
    scn = load_file(NOV, _overrides(final))
    steps["rest"] = report("+ the rest (fitted)", scn, years)
    print(
        f"  the rest: receipts {p[0] * 100:+.3f} pp of GDP in 2026-27, {p[1] * 100:+.3f} in 2029-30"
    )
    pct = {2026: 3.6, 2027: 2.9, 2028: 2.5, 2029: 1.8}
    print(
        f"  GDP (D): {rnd(gdp, 1)}; check PSNB / share: "
        f"{[round(A_PSNB[y] / pct[y] * 100) for y in pct]}"
    )
    info = dict(
        gdp=gdp,
        g=g,
        defl=defl,
        rev=rev,
        omega=omega,
        nu=nu,
        rest=rest,
        rpi=rpi,
        long_rate=long_rate,
        debt0=debt0,
        psnfl0=psnfl0,
        rate0=rate0,
        sfa25=sfa25,
        psnfl_sfa25=psnfl_sfa25,
        base=base,
        steps=steps,
        p=p,
        final=final,
        rho_n=rho_n,
    )
    if write:
        MAR.write_text(_mar_yaml(info), encoding="utf-8")
    return info


def _overrides(values: dict[str, object]) -> list[str]:
    return [f"{k}={v}" for k, v in values.items()]


def _map(d: dict[int, float], comment: dict[int, str] | None = None, ind: int = 4) -> str:
    pad = " " * ind
    lines = []
    for y, v in d.items():
        c = (comment or {}).get(y, "")
        lines.append(f"{pad}{y}: {v:g}" + (f"   # {c}" if c else ""))
    return "\n".join(lines)


def _nov_yaml(i: dict) -> str:  # type: ignore[type-arg]
    f = i["final"]
    return f"""# UK baseline: the OBR November 2025 forecast (Budget, 26 Nov 2025), defence held at
# 2.33 % of GDP as in uk_baseline.yaml. GENERATED by scripts/derive_uk_vintages.py --write:
# edit the script, not this file.
#
# Built as the OBR presents its own changes, in steps from the March 2025 file it extends
# (sources by id in docs/sources.md; flags S = in the source, S3 = secondary copy, D =
# derived by the script, which prints each step's effect on borrowing):
#   1. economy: real growth (S, [pa-2025-11]), CPI and RPI (S3, [pe-obr-inflation]),
#      nominal GDP (D), gilt rates (D from [hansard-2025-12] and the ready reckoner), debt
#      and net financial liabilities at end-March 2025 (S, [icaew-2025-12]);
#   2. the policy package: tax +GBP 26bn by 2029-30, back-loaded; spending +GBP 9bn a year
#      (S, [obr-efo-2025-11]); the threshold freeze's extra GBP 4.6bn in 2030-31 (S3);
#   3. the rest: a change to the receipts ratio fitted so that borrowing equals the OBR's
#      in 2025-26 and 2029-30 (those two figures are inputs, not tests).
# Everything not set here (maturity, index-linked and floating shares, the two fitted
# interest parameters, the stock-flow adjustments, the rules, the shocks) is the March 2025
# file's, unchanged: a choice of this file (D), as no November figure replaces it.
# The OBR forecast ends in 2030-31; every path holds its 2030-31 value after that.
extends: uk_baseline.yaml

meta:
  title: "UK baseline: OBR November 2025 EFO, defence held at 2.33 % of GDP"
  reference: >-
    OBR Economic and fiscal outlook, November 2025 [obr-efo-2025-11], figures as copied
    in [obr-hofd-r] (borrowing), [pa-2025-11] (growth), [pe-obr-inflation] (CPI, RPI),
    [icaew-2025-12] (debt), [hansard-2025-12] (headroom, gilt rates); built from the
    March 2025 file by scripts/derive_uk_vintages.py.
  baseline: "uk_baseline.yaml (March 2025) is the vintage this one revises."
  description: >-
    The November 2025 forecast as steps from March 2025: the economy (growth, inflation,
    nominal GDP, gilt rates, outturn debt), the Budget's policy package, and the rest of
    the forecast changes fitted to borrowing in 2025-26 and 2029-30. Defence is held at
    2.33 % of GDP; the OBR's own path (about 2.6 %) sits in other spending, as in March.

economy:
  gdp: {f["economy.gdp"]}   # GBP bn 2024-25 (D): GDP 2025-26 = PSNB 138.3 / 4.5 % (S3,
                  # [sky-2025-11]) = {i["gdp"][2025]:.1f}, deflated by 2025-26 nominal growth
  real_growth:    # % a year, fiscal (D) from calendar 1.5, 1.4, 1.5, 1.5, 1.5 (S, [pa-2025-11])
{_map(f["economy.real_growth"], {2029: "2029 calendar held for 2030 (assumption)"})}
  deflator:       # % a year (D): March 2025's deflator + the CPI revision, fiscal-weighted
{_map(f["economy.deflator"], {2030: "March 2025's 2029-30 deflator held"})}

finances:
  debt: {N_DEBT0:g}     # GBP bn PSND end-March 2025, ONS outturn in the OBR databank (S,
                  # [icaew-2025-12]); in cash, so the debt ratio here is on fiscal-year GDP
  psnb: {N_PSNB0:g}     # GBP bn 2024-25 estimate (S3 checked, [obr-hofd-r])
  psnfl: {N_PSNFL0:g}    # GBP bn PSNFL end-March 2025 (S, [icaew-2025-12])
  receipts:       # % of GDP (D): March 2025 ratio + tax measures / GDP + the rest (fitted):
{_map(f["finances.receipts"])}
                  # tax measures GBP bn: {", ".join(f"{y}: {v:.1f}" for y, v in i["tax"].items())}
                  # (straight line to 26 in 2029-30, S; +4.6 in 2030-31, S3); the rest
                  # {i["p"][0] * 100:+.3f} pp in 2025-26 to {i["p"][1] * 100:+.3f} pp in
                  # 2029-30, held (D, fitted)
  other_spending: # % of GDP (D): March 2025's spending other than debt interest held in cash
                  # (plans are in cash), less 2.33 % of the new GDP, + GBP 9bn a year from
                  # 2026-27 (S: "+9bn of spending"; its front-loaded profile is not
                  # published, so it is flat here, assumption); 2030-31 holds 2029-30's ratio
{_map(f["finances.other_spending"])}
  other_investment: # % of GDP (D): March 2025's net investment held in cash. The move of
                  # single-use military equipment into capital spending (S3) is NOT added:
                  # its size is not in our sources, so the stability-rule test checks this
{_map(f["finances.other_investment"])}

interest:
  long_rate:      # % (D): March 2025's gilt rates + 3.0 / 12.4 pp: higher gilt rates add
                  # about GBP 3bn a year of interest by 2030 (S3, [hansard-2025-12]) and
                  # +1pp adds GBP 12.4bn in 2029-30 (S3, ready reckoner [obr-efo-2025-03])
{_map(f["interest.long_rate"])}
  index_inflation: # % RPI, fiscal (D) from calendar 4.33, 3.71, 3.13, 2.87, 2.91, 2.31 (S3
                  # checked, OBR detailed table 1.7 via [pe-obr-inflation])
{_map(f["interest.index_inflation"])}
"""


def _mar_yaml(i: dict) -> str:  # type: ignore[type-arg]
    f = i["final"]
    return f"""# UK baseline: the OBR March 2026 Spring Forecast (3 Mar 2026), the newest OBR
# forecast in our sources, with defence held at 2.40 % of GDP (NATO's 2025 estimate). GENERATED by
# scripts/derive_uk_vintages.py --write: edit the script, not this file.
#
# Built in steps from the November 2025 file it extends (sources by id in docs/sources.md):
#   1. economy: base year moved to 2025-26; real growth (S, [pa-2026-03]); RPI and CPIH
#      (S3, [pe-obr-inflation]); nominal GDP (D); gilts 0.3 pp lower (S, [rf-2026-02]);
#   2. policy: no package is published in our sources for the Spring Forecast; none added;
#   3. the rest: a receipts-ratio change fitted so that borrowing equals the OBR's in
#      2026-27 and 2029-30 (inputs, not tests).
# The current-policy UK scenarios (uk_spending_review, uk_hague_2035, uk_3pct_next_parliament)
# extend this file. The forecast ends in 2030-31; every path holds its 2030-31 value after.
extends: uk_baseline_nov2025.yaml

meta:
  title: "UK baseline: OBR March 2026 forecast, defence held at 2.40 % of GDP"
  reference: >-
    OBR Spring Forecast, March 2026 [obr-2026-03], figures as copied in [obr-hofd-r]
    (borrowing), [hmt-2026-03] (borrowing shares, headroom), [pa-2026-03] (growth),
    [pe-obr-inflation] (RPI, CPIH), [rf-2026-02] (gilts); NATO 2025 estimate
    [nato-2025-08]; built from the November 2025 file by scripts/derive_uk_vintages.py.
  baseline: "uk_baseline_nov2025.yaml (November 2025) is the vintage this one revises."
  description: >-
    The March 2026 forecast as steps from November 2025. Base year 2025-26, so "today's
    terms" are 2025-26 GDP. Defence is held at 2.40 % of GDP (NATO's 2025 estimate, core
    NATO-qualifying spending); any scenario's extra spending is measured from there.

years:
  base: 2025      # 2025-26: the last estimate in the March 2026 forecast

economy:
  gdp: {f["economy.gdp"]}   # GBP bn 2025-26 (D): PSNB 132.7 (S3 checked) / 4.3 % (S, [hmt-2026-03])
  real_growth:    # % a year, fiscal (D) from calendar 1.1, 1.6, 1.6 (S, [pa-2026-03]) and
{_map(f["economy.real_growth"])}
                  # November's 1.5 from 2029 (assumption)
  deflator:       # % a year (D): November's deflator + the CPIH revision, fiscal-weighted
{_map(f["economy.deflator"])}

defence:
  base_share: {A_DEFENCE}  # % of GDP 2025, NATO estimate Aug 2025 (S, [nato-2025-08])

finances:
  debt: {f["finances.debt"]}   # GBP bn end-March 2026 (D): 2,810 + PSNB 2025-26 132.7 + the March
                  # 2025 file's 2025-26 stock-flow adjustment ({i["sfa25"]:g})
  psnb: {A_PSNB[2025]:g}     # GBP bn 2025-26 estimate (S3 checked, [obr-hofd-r])
  psnfl: {f["finances.psnfl"]}  # GBP bn end-March 2026 (D): 2,439 + 132.7 + PSNFL SFA
                  # {i["psnfl_sfa25"]:g}
  receipts:       # % of GDP (D): November's ratio + the rest (fitted, {i["p"][0] * 100:+.3f} pp in
                  # 2026-27 to {i["p"][1] * 100:+.3f} pp in 2029-30, held)
{_map(f["finances.receipts"])}
  other_spending: # % of GDP (D): November's spending other than interest held in cash, less
                  # 2.40 % of the new GDP; 2030-31 holds 2029-30's ratio
{_map(f["finances.other_spending"])}
  other_investment: # % of GDP (D): November's net investment held in cash
{_map(f["finances.other_investment"])}

interest:
  conventional_rate: {f["interest.conventional_rate"]}  # % (D): the November file's
                  # effective rate on conventional debt in 2025-26
  long_rate:      # % (D): November's 2026-27 gilt rate - 0.3 pp (S, [rf-2026-02]), held
{_map(f["interest.long_rate"])}
  index_inflation: # % RPI, fiscal (D) from calendar 4.1, 3.1, 3.0, 2.8, 2.9, 2.3 (S3,
                  # OBR table A.1 via [pe-obr-inflation])
{_map(f["interest.index_inflation"])}
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--write", action="store_true", help="rewrite the two scenario files")
    args = ap.parse_args()
    november(args.write)
    march(args.write)


if __name__ == "__main__":
    main()
