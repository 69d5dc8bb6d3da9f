"""Derive the figures of the NATO ally scenarios (scenarios/nato_*.yaml).

Every input below is a figure from docs/sources.md with its flag, or an
assumption named as such. The script prints the derived values written into each file, so
anyone can check how each one was obtained:

    .venv/bin/python scripts/derive_nato.py

Base year 2024 (calendar). Derived (D):
- debt       B_2024  = GG debt % of GDP (2024) * GDP 2024
- psnb       PSNB_2024 = - GG balance % of GDP (2024) * GDP 2024
- rates      i_t = (1 + g_t)(1 + p_t) - 1: the interest rate equals nominal GDP growth
             (ASSUMPTION: no interest figures are in our sources)
- other_spending = receipts + balance gap, where the gap (other spending less receipts, % of
             GDP) is chosen so that in 2025, with defence still at its 2024 share, borrowing
             is the 2024 deficit:  gap = deficit_2024 - s_2024 - i_2025 * b_2024 / (1 + n_2025)
             and receipts are the placeholder 40 % of GDP (not in our sources).
"""

from __future__ import annotations

from dataclasses import dataclass

RECEIPTS = 40.0  # % of GDP: PLACEHOLDER shared by every ally file (no receipts in our sources)
DEFLATOR = 2.0  # % a year: ASSUMPTION shared by every ally file (no deflators in our sources)
PLACEHOLDER_GROWTH = 1.5  # % a year: ASSUMPTION where our sources have no IMF growth forecast


@dataclass(frozen=True)
class Ally:
    name: str
    gdp: float  # 2024, local currency bn (M)
    debt_pct: float  # GG debt 2024, % of GDP
    balance_pct: float  # GG balance 2024, % of GDP (negative: deficit)
    share_2024: float  # NATO June 2024 estimate (S)
    growth: tuple[float, ...]  # real growth 2025, 2026 ... (IMF Oct 2025, S), last held


ALLIES = (
    Ally("germany", 4310, 62.5, -2.8, 2.12, (0.2, 0.9)),
    Ally("france", 2920, 113.0, -5.8, 2.06, (0.7, 0.9)),
    Ally("poland", 3600, 55.6, -6.6, 4.12, (PLACEHOLDER_GROWTH,)),
    Ally("italy", 2190, 135.3, -3.4, 1.49, (0.5, 0.8)),
    Ally("spain", 1590, 101.8, -3.2, 1.28, (2.9, 2.0)),
    Ally("netherlands", 1130, 43.3, -0.9, 2.05, (PLACEHOLDER_GROWTH,)),
    Ally("denmark", 2900, 31.1, 4.5, 2.37, (PLACEHOLDER_GROWTH,)),
    Ally("united_states", 29200, 121.0, -7.3, 3.38, (2.0, 2.1)),
    Ally("canada", 3000, 110.0, -2.0, 1.37, (1.2,)),
)


def nominal(g: float) -> float:
    """Nominal growth in % from real growth g and the assumed deflator."""
    return ((1 + g / 100) * (1 + DEFLATOR / 100) - 1) * 100


def derive(a: Ally) -> dict[str, object]:
    rates = {2025 + k: round(nominal(g), 3) for k, g in enumerate(a.growth)}
    n25 = nominal(a.growth[0])
    gap = -a.balance_pct - a.share_2024 - n25 * (a.debt_pct / 100) / (1 + n25 / 100)
    return {
        "debt": round(a.gdp * a.debt_pct / 100, 1),
        "psnb": round(-a.gdp * a.balance_pct / 100, 1),
        "rates (short_rate, long_rate, conventional_rate in 2025)": rates,
        "other_spending": round(RECEIPTS + gap, 3),
    }


def main() -> None:
    for a in ALLIES:
        print(a.name, derive(a))


if __name__ == "__main__":
    main()
