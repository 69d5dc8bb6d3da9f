"""Sweep throughput: points a second of ``budgetsim.sweep`` on a UK scenario, with every
point a row of the engine's batch (docs/sweeps.md). Prints figures; run on a quiet machine.

    .venv/bin/python benchmarks/sweep.py
"""

from __future__ import annotations

import time

import budgetsim

UK = "scenarios/uk_hague_2035.yaml"


def rate(specs: list[str], draws: int = 0) -> None:
    """Time one sweep (probe builds included) and print its points a second."""
    start = time.perf_counter()
    s = budgetsim.sweep(UK, specs, draws=draws, seed=1)
    spent = time.perf_counter() - start
    rows = s.points * max(draws, 1)
    print(
        f"{s.points:>9,} points x {max(draws, 1):>4} draws: {spent:6.2f} s, "
        f"{s.points / spent:>10,.0f} points/s ({rows / spent:,.0f} batch rows/s)"
    )


def main() -> None:
    """Three sweeps: two keys, three keys with a multiplier, and two keys with draws."""
    rate(["economy.real_growth+=-1:1:0.01", "interest.long_rate+=-1:1:0.01"])
    rate(
        [
            "economy.real_growth+=-1:1:0.02",
            "interest.long_rate+=-1:1:0.02",
            "economy.feedback.defence_multiplier=0:1:0.1",
        ]
    )
    rate(["economy.real_growth+=-1:1:0.1", "interest.long_rate+=-1:1:0.1"], draws=1000)


if __name__ == "__main__":
    main()
