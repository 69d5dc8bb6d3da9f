"""Scaling benchmark: fan's throughput per worker on threads and on Dask, and Dask's cost
per task.

    .venv/bin/python benchmarks/scaling.py [--draws 196608] [--repeats 3] [--tiny 400]

Prints, for scenarios/uk_2030.yaml with its horizon set to 30 projected years:

1. the seconds to start (and stop) a Dask LocalCluster of 1 and of 2 worker processes;
2. fan's throughput in draw-years per second, total and per worker, for ``--draws`` draws
   on local threads (1 and 2) and on a LocalCluster of 1 and 2 workers, each run
   ``--repeats`` times, the engines taken in turn (A, B, C, D, A, B, ...) so a change in
   the machine's load hits them alike; median and spread (min-max) of each;
3. the scaling from 1 to 2 workers (the ratio of the medians; 2.0 is perfect);
   then the same for a sweep without draws (points a second: the model evaluations of a
   sensitivity study), a grid of ``--grid`` x ``--grid`` points of growth and gilt-rate
   shifts on scenarios/uk_hague_2035.yaml;
4. Dask's overhead per task: ``--tiny`` tasks that do nothing, round trip, on 1 and 2
   workers (seconds per task as the client sees it), and the bytes one fan chunk sends
   back;
5. the load average before and after: the machine may be shared, and the figures are
   only as quiet as it was. Run it once; do not loop it.

docs/scaling.md turns these figures into the time of a large study.
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import budgetsim
from budgetsim.input.files import load_file
from budgetsim.model.scenario import Scenario
from budgetsim.uncertainty import montecarlo
from budgetsim.uncertainty.execute import (
    DaskExecutor,
    Executor,
    dask_executor,
    local_executor,
)

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "uk_2030.yaml"
HAGUE = ROOT / "scenarios" / "uk_hague_2035.yaml"
HORIZON = ["years.horizon=2054"]  # 2025-26 to 2054-55: 30 projected years


def nothing(x: int) -> int:
    """A task that does nothing: its time is the engine's overhead."""
    return x


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


Engines = dict[str, tuple[Executor, int]]


def worker_cpu() -> float:
    """CPU seconds this process has used (run on each Dask worker)."""
    return time.process_time()


def cpu(ex: Executor) -> float:
    """CPU seconds used so far by this process (threads, or a LocalCluster's client,
    scheduler and nannies) and by the executor's worker processes."""
    total = time.process_time()
    if isinstance(ex, DaskExecutor):
        total += sum(ex.client.run(worker_cpu).values())
    return total


def interleaved(
    engines: Engines, repeats: int, job: Callable[[Executor], Callable[[], object]]
) -> dict[str, list[tuple[float, float]]]:
    """(wall seconds, CPU seconds) of ``job(executor)()`` on each engine, the engines
    taken in turn."""
    seconds: dict[str, list[tuple[float, float]]] = {name: [] for name in engines}
    for _ in range(repeats):
        for name, (ex, _) in engines.items():
            before = cpu(ex)
            wall = timed(job(ex))
            seconds[name].append((wall, cpu(ex) - before))
    return seconds


def report(
    engines: Engines, seconds: dict[str, list[tuple[float, float]]], work: float, unit: str
) -> None:
    """Throughput of each engine (median, per worker, spread), per CPU second, and the
    1 -> 2 scaling. Per CPU second (all the engine's processes: workers, client,
    scheduler) is what a worker with a core to itself would do, less the engine's own
    cost; on a loaded machine it is steadier than the wall-clock figures."""
    print(
        f"{'engine':<12} {unit:>15} {'per worker':>11} {'spread (min-max)':>22} "
        f"{'per CPU-second':>15}"
    )
    median = {}
    for name, (_, workers) in engines.items():
        rates = [work / wall for wall, _ in seconds[name]]
        per_cpu = statistics.median(work / c for _, c in seconds[name])
        median[name] = statistics.median(rates)
        spread = f"{min(rates):,.2f}-{max(rates):,.2f}"
        print(
            f"{name:<12} {median[name]:>15,.2f} {median[name] / workers:>11,.2f} "
            f"{spread:>22} {per_cpu:>15,.2f}"
        )
    for kind in ("threads", "dask"):
        ratio = median[f"{kind} x2"] / median[f"{kind} x1"]
        print(f"scaling 1 -> 2 workers, {kind}: x{ratio:.2f} (2.00 is perfect)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--draws", type=int, default=12 * montecarlo.DEFAULT_CHUNK)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--tiny", type=int, default=400)
    ap.add_argument("--grid", type=int, default=201)
    args = ap.parse_args()
    print(f"load average before: {load()}  (CPUs: {os.cpu_count()})")

    scn: Scenario = load_file(SCENARIO, HORIZON)
    years = scn.n_years
    dy = args.draws * years
    print(f"fan of {SCENARIO.name}, {years} years, {args.draws:,} draws = {dy:,} draw-years")

    start = time.perf_counter()
    dask1 = dask_executor(workers=1)
    up1 = time.perf_counter() - start
    start = time.perf_counter()
    dask2 = dask_executor(workers=2)
    up2 = time.perf_counter() - start
    print(f"LocalCluster start: 1 worker {up1:.2f} s, 2 workers {up2:.2f} s")

    engines: Engines = {
        "threads x1": (local_executor(1), 1),
        "dask x1": (dask1, 1),
        "threads x2": (local_executor(2), 2),
        "dask x2": (dask2, 2),
    }
    # warm up: the workers import budgetsim and fill their workspaces
    for ex, _ in engines.values():
        montecarlo.fan(scn, draws=2 * montecarlo.DEFAULT_CHUNK, seed=1, executor=ex)
    fans = interleaved(
        engines,
        args.repeats,
        lambda ex: partial(montecarlo.fan, scn, draws=args.draws, seed=1, executor=ex),
    )
    report(engines, fans, dy / 1e6, "M draw-years/s")
    print(f"load average: {load()}")

    step = 2 / (args.grid - 1)
    specs = [f"economy.real_growth+=-1:1:{step:g}", f"interest.long_rate+=-1:1:{step:g}"]
    points = budgetsim.sweep(HAGUE, specs, executor=local_executor(2)).points  # and warm up
    print(f"\nsweep of {HAGUE.name}, {points:,} points (no draws)")
    sweeps = interleaved(
        engines, args.repeats, lambda ex: partial(budgetsim.sweep, HAGUE, specs, executor=ex)
    )
    report(engines, sweeps, points, "points/s")
    print(f"load average: {load()}")
    print()
    for label, ex in (("1 worker", dask1), ("2 workers", dask2)):
        ex.map(nothing, list(range(20)))  # warm
        tiny = partial(ex.map, nothing, list(range(args.tiny)))
        per = [timed(tiny) / args.tiny for _ in range(2)]
        print(f"Dask overhead per task, {label}: {min(per) * 1e3:.2f} ms ({args.tiny} empty tasks)")
    layout = montecarlo._Layout(scn)
    shocks = montecarlo._model(scn, None)
    task = montecarlo._Task(scn, shocks, 1, 0, montecarlo.DEFAULT_CHUNK, layout, 1.0)
    part = montecarlo._run_task(task)
    print(
        f"one fan chunk ({montecarlo.DEFAULT_CHUNK:,} draws x {years} years): task "
        f"{len(pickle.dumps(task)):,} bytes out, counts {len(pickle.dumps(part)):,} bytes back"
    )
    dask1.close()
    dask2.close()
    print(f"\nload average after: {load()}")


if __name__ == "__main__":
    main()
