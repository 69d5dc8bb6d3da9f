"""Derive the UK baseline's ratio paths and fit its two interest parameters.

Every input below is a published figure with its flag (sources by id in docs/sources.md:
mainly [obr-efo-2025-03] as copied by [icaew-2025-03] and [urop-config], and
[pe-obr-inflation] for RPI). The script prints the derived values written into
scenarios/uk_baseline.yaml, so anyone can check how each one was obtained:

    .venv/bin/python scripts/derive_uk_baseline.py

Derived (D):
- deflator_t      = (Y_t / Y_{t-1}) / (1 + g_t) - 1
- receipts_t      = PSCR_t / Y_t
- other_spending  = (TME_t - debt interest_t) / Y_t - 2.33   (defence held at 2.33 % of GDP)
- other_investment= PSNI_t / Y_t - capital_share * 2.33 (capital_share 0: not in our sources)
- sfa_t           = B_t - B_{t-1} - PSNB_t with B_t = PSND%_t * Y_t
- floating share  = (+1pp short rates -> +GBP 4.7bn in 2029-30) / B_2028
- RPI, fiscal     = 0.75 x calendar year t + 0.25 x calendar year t+1 (calendar RPI, S3)
- psnfl0          = PSNFL 83.5 % of GDP at end-March 2025 (S, ONS outturn) x GDP 2024-25
- psnfl_sfa       = (PSNFL Mar 2030 - PSNFL Mar 2025 - PSNB 2025-26..2029-30) / 5, with the
                    PSNFL levels of the OBR databank, Oct 2025 (S): 2,919 and 2,439
Fitted: the base-year effective conventional rate rL_t0 and the real index-linked yield rr,
by least squares of the model's debt interest on OBR's path 2025-26 to 2029-30.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

from budgetsim.input.files import load_file
from budgetsim.model.engine import simulate

YEARS = [2024, 2025, 2026, 2027, 2028, 2029]
GDP = [2864, 3002, 3113, 3223, 3337, 3457]  # S3
REAL_GROWTH = [1.2, 1.9, 1.7, 1.7, 1.8]  # S, 2025-26 on
PSCR = [1141.2, 1229.5, 1292.3, 1350.7, 1394.0, 1445.0]  # S3
TME = [1278.6, 1347.2, 1389.5, 1430.8, 1471.4, 1519.0]  # S3
INTEREST = [105.2, 111.2, 111.4, 117.9, 124.2, 131.6]  # 25-26 S, others S3
PSNB = [137.3, 117.7, 97.2, 80.2, 77.4, 74.0]  # S / S3
PSND_PCT = [95.9, 95.1, 95.8, 96.1, 96.3, 96.1]  # 29-30 S, others S3
PSNI = {2024: 76.6, 2025: 81.6, 2029: 83.9}  # D
DEFENCE_SHARE = 2.33  # NATO, June 2024 estimate for 2024 (S)
SHORT_RATE_RECKONER = 4.7  # GBP bn in 2029-30 per +1pp short rates (S3)
RPI_CALENDAR = {2025: 4.2, 2026: 3.1, 2027: 3.0, 2028: 2.8, 2029: 2.8}  # S3, EFO table 1.7
PSNFL_PCT_2024 = 83.5  # % of GDP, end-March 2025 (S, ONS PSF 23 Apr 2025)
PSNFL_DATABANK = (2439.0, 2919.0)  # GBP bn, Mar 2025 and Mar 2030 (S, OBR databank Oct 2025)


def fiscal(calendar: dict[int, float]) -> dict[int, float]:
    """Fiscal-year values from calendar-year ones: 3/4 of year t and 1/4 of year t+1 (the
    last calendar value is held for the year after it)."""
    years = sorted(calendar)
    nxt = {y: calendar.get(y + 1, calendar[years[-1]]) for y in years}
    return {y: round(0.75 * calendar[y] + 0.25 * nxt[y], 4) for y in years}


def main() -> None:
    y = np.array(GDP, dtype=float)
    print(
        "deflator:",
        [
            round(float(v), 3)
            for v in (y[1:] / y[:-1]) / (1 + np.array(REAL_GROWTH) / 100) * 100 - 100
        ],
    )
    print(
        "receipts:", {yr: round(r / g * 100, 3) for yr, r, g in zip(YEARS, PSCR, GDP, strict=True)}
    )
    print(
        "other_spending:",
        {
            yr: round((t - i) / g * 100 - DEFENCE_SHARE, 3)
            for yr, t, i, g in zip(YEARS, TME, INTEREST, GDP, strict=True)
        },
    )
    print(
        "other_investment:",
        {yr: round(v / GDP[YEARS.index(yr)] * 100, 3) for yr, v in PSNI.items()},
    )
    debt = np.array(PSND_PCT) / 100 * y
    print("debt0:", round(float(debt[0]), 1))
    sfa = debt[1:] - debt[:-1] - np.array(PSNB[1:])
    print("sfa:", [round(float(v), 1) for v in sfa])
    print("floating_share:", round(SHORT_RATE_RECKONER / (0.01 * debt[4]) * 100, 1))
    print("index_inflation (RPI, fiscal):", fiscal(RPI_CALENDAR))
    print("psnfl:", round(PSNFL_PCT_2024 / 100 * GDP[0], 1))
    print(
        "psnfl_sfa:",
        round((PSNFL_DATABANK[1] - PSNFL_DATABANK[0] - sum(PSNB[1:])) / 5, 1),
    )

    path = Path(__file__).resolve().parent.parent / "scenarios" / "uk_baseline.yaml"

    def residuals(x: np.ndarray) -> np.ndarray:
        scn = load_file(
            path,
            [f"interest.conventional_rate={x[0]}", f"interest.real_index_linked_rate={x[1]}"],
        )
        return simulate(scn).interest[0, :5] - np.array(INTEREST[1:])

    fit = least_squares(residuals, x0=[3.5, 0.5])
    print("fitted conventional_rate, real_index_linked_rate:", np.round(fit.x, 3))
    print("interest residuals (model - OBR), GBP bn:", np.round(residuals(fit.x), 2))


if __name__ == "__main__":
    main()
