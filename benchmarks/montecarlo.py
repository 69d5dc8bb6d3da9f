"""Monte Carlo benchmark (issue 4): throughput, ratio to a bare kernel, memory, percentiles.

    .venv/bin/python benchmarks/montecarlo.py [--draws 1000000] [--memory-draws 10000000]

Prints, for scenarios/uk_2030.yaml with its horizon set to 30 projected years:

1. budgetsim's draw-years per second for ``--draws`` draws using every core (target
   >= 40e6 for 1e6 draws x 30 years);
2. in the same process, a plain numpy kernel of the bare debt recursion
   b_t = b_{t-1} (1 + r_t) / ((1 + g_t)(1 + p_t)) - pb_t with the same shocks, run the same
   way (same chunks and threads), and budgetsim's throughput as a ratio to it (aim >= 0.5);
3. the time the percentile histograms take, in ns per draw-year;
4. peak memory (ru_maxrss of a child process) of a ``--memory-draws`` run (target < 1 GiB).

The machine may be shared: the script prints the load average before and after. Run it
once; do not loop it.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from budgetsim.cli.files import load_file
from budgetsim.montecarlo import DEFAULT_CHUNK, _bin, _Layout, fan
from budgetsim.scenario import Scenario
from budgetsim.shocks import ShockModel, normals, shock_paths

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "uk_2030.yaml"
HORIZON = ["years.horizon=2054"]  # 2025-26 to 2054-55: 30 projected years


def scenario() -> Scenario:
    return load_file(SCENARIO, HORIZON)


def bare_kernel(scn: Scenario, model: ShockModel, draws: int, workers: int) -> float:
    """Seconds for the bare debt-ratio recursion over the same shocks and chunks."""
    b0 = scn.debt0 / scn.gdp0
    pb = 0.01  # a primary deficit of 1 % of GDP a year; the value does not matter here
    bounds = [(a, min(a + DEFAULT_CHUNK, draws)) for a in range(0, draws, DEFAULT_CHUNK)]
    order = iter(bounds)
    lock = threading.Lock()
    sink = np.zeros(scn.n_years)

    def work() -> None:
        while True:
            with lock:
                nxt = next(order, None)
            if nxt is None:
                return
            u = shock_paths(model, normals(0, nxt[0], nxt[1], scn.n_years))
            g = scn.real_growth + u.real_growth
            p = scn.deflator + u.deflator
            r = scn.long_rate + u.rate
            b = np.full(nxt[1] - nxt[0], b0)
            out = np.empty((scn.n_years, nxt[1] - nxt[0]))
            for t in range(scn.n_years):
                b = b * (1.0 + r[:, t]) / ((1.0 + g[:, t]) * (1.0 + p[:, t])) + pb
                out[t] = b
            sink[:] += out.sum(axis=1)

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        for f in [pool.submit(work) for _ in range(workers)]:
            f.result()
    return time.perf_counter() - start


def percentile_cost(scn: Scenario, draws: int) -> float:
    """ns per draw-year to bin the three fanned series (debt, PSNB, defence % of GDP)."""
    layout = _Layout(scn)
    rng = np.random.default_rng(0)
    cols = [c for c in layout.columns if not c.name.startswith("headroom:")]
    x = {c.name: c.centre + rng.standard_normal((draws, len(c.centre))) for c in cols}
    start = time.perf_counter()
    for c in cols:
        np.bincount(_bin(c, x[c.name]).ravel(), minlength=len(c.centre) * c.bins)
    return (time.perf_counter() - start) / (draws * scn.n_years) * 1e9


def memory_child(draws: int) -> None:
    scn = scenario()
    fan(scn, draws=draws)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KiB on Linux


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=1_000_000)
    ap.add_argument("--memory-draws", type=int, default=10_000_000)
    ap.add_argument("--memory-child", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    workers = os.cpu_count() or 1
    print(f"load average before: {os.getloadavg()}; {workers} CPUs")
    scn = scenario()
    assert scn.uncertainty is not None
    model = scn.uncertainty.shocks
    years = scn.n_years
    start = time.perf_counter()
    fan(scn, draws=args.draws, workers=workers)
    t_fan = time.perf_counter() - start
    rate = args.draws * years / t_fan
    print(
        f"budgetsim fan: {args.draws:,} draws x {years} years in {t_fan:.2f} s on {workers} "
        f"threads: {rate / 1e6:.1f} million draw-years/s (target 40)"
    )
    t_bare = bare_kernel(scn, model, args.draws, workers)
    bare = args.draws * years / t_bare
    print(
        f"bare debt recursion, same shocks and threads: {t_bare:.2f} s, "
        f"{bare / 1e6:.1f} million draw-years/s; budgetsim / bare = {rate / bare:.2f} (aim 0.5)"
    )
    ns = percentile_cost(scn, min(args.draws, 200_000))
    print(f"percentile histograms (3 series): {ns:.1f} ns per draw-year (target 25)")
    print(f"load average after: {os.getloadavg()}")
    if args.memory_draws:
        out = subprocess.run(
            [sys.executable, __file__, "--memory-child", str(args.memory_draws)],
            check=True,
            capture_output=True,
            text=True,
        )
        kib = int(out.stdout.strip().splitlines()[-1])
        print(
            f"peak memory, {args.memory_draws:,} draws x {years} years: {kib / 1024:.0f} MiB "
            "(target < 1024)"
        )


if __name__ == "__main__":
    main()
