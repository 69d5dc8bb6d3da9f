"""Monte Carlo benchmark : throughput, ratio to a bare kernel, memory, percentiles.

    .venv/bin/python benchmarks/montecarlo.py [--draws 1000000] [--memory-draws 10000000]
                                              [--repeats 3]

Prints, for scenarios/uk_2030.yaml with its horizon set to 30 projected years:

1. budgetsim's draw-years per second for ``--draws`` draws using every core (target
   >= 40e6 for 1e6 draws x 30 years);
2. in the same process, a plain numpy kernel of the bare debt recursion
   b_t = b_{t-1} (1 + r_t) / ((1 + g_t)(1 + p_t)) + d_t (d: a primary deficit) with the
   same shocks, run the same way (same chunks, threads and reused memory, in place, a year
   at a time), and budgetsim's throughput as a ratio to it (aim >= 0.5);
   then the shocks alone (random numbers and VAR), the ceiling for any kernel;
3. the time the percentile histograms take, in ns per draw-year (the three fanned series
   binned chunk by chunk as fan bins them, and the percentiles read off);
4. peak memory (ru_maxrss of a child process) of a ``--memory-draws`` run (target < 1 GiB).

Items 1 and 2 are medians of ``--repeats`` runs taken in turn. The machine may be shared:
the script prints the load average before and after. Run it once; do not loop it.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from budgetsim.input.files import load_file
from budgetsim.model.scenario import Scenario, ShockModel
from budgetsim.model.workspace import Workspace
from budgetsim.uncertainty.histogram import count_into, percentiles
from budgetsim.uncertainty.montecarlo import (
    DEFAULT_CHUNK,
    PERCENTILES,
    _Layout,
    fan,
)
from budgetsim.uncertainty.shocks import normals, shock_paths

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "uk_2030.yaml"
HORIZON = ["years.horizon=2054"]  # 2025-26 to 2054-55: 30 projected years


def scenario() -> Scenario:
    return load_file(SCENARIO, HORIZON)


def in_chunks(draws: int, workers: int, job: Callable[[Workspace, int, int], None]) -> float:
    """Seconds to run ``job(ws, start, stop)`` over the draws in fan's chunks and threads,
    each thread with its own workspace, as fan runs them."""
    bounds = [(a, min(a + DEFAULT_CHUNK, draws)) for a in range(0, draws, DEFAULT_CHUNK)]
    order = iter(bounds)
    lock = threading.Lock()

    def work() -> None:
        ws = Workspace()
        while True:
            with lock:
                nxt = next(order, None)
            if nxt is None:
                return
            job(ws, *nxt)

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        for f in [pool.submit(work) for _ in range(workers)]:
            f.result()
    return time.perf_counter() - start


def bare_kernel(scn: Scenario, model: ShockModel, draws: int, workers: int) -> float:
    """Seconds for the bare debt-ratio recursion over the same shocks and chunks, written
    as tightly as numpy allows (in place, a year at a time, reused memory)."""
    b0 = scn.debt0 / scn.gdp0
    pb = 0.01  # a primary deficit of 1 % of GDP a year; the value does not matter here
    n = scn.n_years
    sink = np.zeros(n)

    def job(ws: Workspace, a: int, b: int) -> None:
        u = shock_paths(model, normals(0, a, b, n, ws), ws)
        g, p, r = (ws.empty(f"bare.{k}", (b - a,)) for k in "gpr")
        out = ws.empty("bare.out", (n, b - a))
        prev = np.full(b - a, b0)
        for t in range(n):
            np.add(scn.real_growth[t], u.real_growth[:, t], out=g)
            g += 1.0
            np.add(scn.deflator[t], u.deflator[:, t], out=p)
            p += 1.0
            g *= p
            np.add(scn.long_rate[t], u.rate[:, t], out=r)
            r += 1.0
            row = out[t]
            np.multiply(prev, r, out=row)
            row /= g
            row += pb
            prev = row
        sink[:] += out.sum(axis=1)

    return in_chunks(draws, workers, job)


def random_numbers(scn: Scenario, model: ShockModel, draws: int, workers: int) -> float:
    """Seconds for the shocks alone (the random numbers and the VAR), same chunks."""

    def job(ws: Workspace, a: int, b: int) -> None:
        shock_paths(model, normals(0, a, b, scn.n_years, ws), ws)

    return in_chunks(draws, workers, job)


def percentile_cost(scn: Scenario, draws: int) -> float:
    """ns per draw-year to bin the three fanned series (debt, PSNB, defence % of GDP) as
    ``fan`` does (chunk by chunk, a year at a time) and read the percentiles off."""
    layout = _Layout(scn)
    rng = np.random.default_rng(0)
    cols = [c for c in layout.columns if not c.name.startswith("headroom:")]
    # values 1 point of GDP either side of the centre, year-major as fan reads them
    x = {c.name: c.centre[:, None] + rng.standard_normal((len(c.centre), draws)) for c in cols}
    hist = {c.name: np.zeros(len(c.centre) * c.bins, dtype=np.int64) for c in cols}
    work, bins = np.empty(DEFAULT_CHUNK), np.empty(DEFAULT_CHUNK, dtype=np.intp)
    start = time.perf_counter()
    for a in range(0, draws, DEFAULT_CHUNK):
        b = min(a + DEFAULT_CHUNK, draws)
        for c in cols:
            for j in range(len(c.centre)):
                count_into(hist[c.name], c, j, x[c.name][j, a:b], work[: b - a], bins[: b - a])
    for c in cols:
        percentiles(hist[c.name], c, PERCENTILES, draws)
    return (time.perf_counter() - start) / (draws * scn.n_years) * 1e9


def memory_child(draws: int) -> None:
    scn = scenario()
    fan(scn, draws=draws)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KiB on Linux


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=1_000_000)
    ap.add_argument("--memory-draws", type=int, default=10_000_000)
    ap.add_argument("--repeats", type=int, default=3)
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
    dy = args.draws * years
    # fan, the bare kernel and the shocks alone in turn, so each repeat sees the same load;
    # medians over the repeats, and the ratio is the median of the repeats' ratios
    t_fan, t_bare, t_rng = [], [], []
    for _ in range(args.repeats):
        start = time.perf_counter()
        fan(scn, draws=args.draws, workers=workers)
        t_fan.append(time.perf_counter() - start)
        t_bare.append(bare_kernel(scn, model, args.draws, workers))
        t_rng.append(random_numbers(scn, model, args.draws, workers))
    fan_s, bare_s, rng_s = (float(np.median(t)) for t in (t_fan, t_bare, t_rng))
    ratio = float(np.median(np.array(t_bare) / np.array(t_fan)))
    print(f"medians of {args.repeats} runs, chunks of {DEFAULT_CHUNK:,} draws")
    print(
        f"budgetsim fan: {args.draws:,} draws x {years} years in {fan_s:.2f} s on {workers} "
        f"threads: {dy / fan_s / 1e6:.1f} million draw-years/s (target 40)"
    )
    print(
        f"bare debt recursion, same shocks and threads: {bare_s:.2f} s, "
        f"{dy / bare_s / 1e6:.1f} million draw-years/s; budgetsim / bare = {ratio:.2f} (aim 0.5)"
    )
    print(
        f"the shocks alone (random numbers and VAR), same chunks and threads: {rng_s:.2f} s, "
        f"{dy / rng_s / 1e6:.1f} million draw-years/s: the ceiling for any kernel fed these "
        "numbers"
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
