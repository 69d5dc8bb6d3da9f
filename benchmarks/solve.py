"""Solver benchmark: model time of one solve on a 10-year scenario, and of the frontier.

Issue #3 targets: a single solve on a 10-year scenario in at most 0.2 s of model time, the
frontier over 4 targets x 9 target years in at most 2 s. Model time is measured in one
process after the imports (scipy included) and the scenario load, so it is the solver and
the engine only. Run with

    .venv/bin/python benchmarks/solve.py [--runs N]

It prints the median, min and max of N runs of each. Machines are shared and noisy: quote
the median.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from budgetsim.input.files import load_file
from budgetsim.solve import (
    solve_earliest_year,
    solve_frontier,
    solve_max_share,
    solve_min_cuts,
)

ROOT = Path(__file__).resolve().parent.parent
# uk_2030.yaml projects 2025-26 to 2035-36 (11 years); the horizon is brought to 2034-35
# for the 10-year scenario the target names. One extra, uncapped pool gives min-cuts an
# answer to find.
SCENARIO = ROOT / "scenarios" / "uk_2030.yaml"
TEN_YEARS = ["years.horizon=2034"]
MORE_CUTS = (
    "funding.sources=[{name: overseas_aid, cap_pct_gdp: {2025: 0, 2026: 0, 2027: 0.2}}, "
    "{name: other_departments}]"
)
SINGLE_TARGET_S = 0.2
FRONTIER_TARGET_S = 2.0


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm-up: first-call costs (imports inside the solver, caches)
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def report(name: str, times: list[float], target: float) -> None:
    med = statistics.median(times)
    verdict = "within" if med <= target else "OVER"
    print(
        f"{name:<44} median {med:7.4f} s  min {min(times):7.4f}  max {max(times):7.4f}  "
        f"({verdict} the {target:g} s target)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    scn = load_file(SCENARIO, TEN_YEARS)
    cuts = load_file(SCENARIO, [*TEN_YEARS, MORE_CUTS])
    print(f"scenario: {SCENARIO.name} to 2034-35 ({scn.n_years} years), {args.runs} runs each")
    report("max-share --year 2029", timed(lambda: solve_max_share(scn, 2029), args.runs),
           SINGLE_TARGET_S)  # fmt: skip
    report("earliest-year --share 3", timed(lambda: solve_earliest_year(scn, 3.0), args.runs),
           SINGLE_TARGET_S)  # fmt: skip
    report(
        "min-cuts --share 3 --year 2029 (extra pool)",
        timed(lambda: solve_min_cuts(cuts, 2029, 3.0), args.runs),
        SINGLE_TARGET_S,
    )
    targets, years = [2.5, 3.0, 3.5, 5.0], list(range(2026, 2035))
    report(
        "frontier 4 targets x 9 years (extra pool)",
        timed(lambda: solve_frontier(cuts, targets, years), args.runs),
        FRONTIER_TARGET_S,
    )


if __name__ == "__main__":
    main()
