"""Start-up benchmark: how long `budgetsim run scenarios/uk_2030.yaml` takes, whole process.

Issue #2 sets the target at 0.5 s wall on a 2-core machine. Run with

    make bench            # or: .venv/bin/python benchmarks/startup.py [--runs N]

It prints the median, min and max wall time of N runs of the command (after one warm-up),
then, in one process, the time to import the CLI and to load and run the scenario, so a
regression can be traced to imports or to the model. Machines are shared and noisy: quote
the median.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "uk_2030.yaml"
TARGET_S = 0.5


def whole_command(runs: int) -> list[float]:
    exe = Path(sys.executable).parent / "budgetsim"
    cmd = [str(exe), "run", str(SCENARIO)]
    subprocess.run(cmd, check=True, capture_output=True)  # warm-up (file cache)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def in_process() -> dict[str, float]:
    code = (
        "import time; t0 = time.perf_counter()\n"
        "import budgetsim.cli.app\n"
        "from budgetsim.input.files import load_file\n"
        "from budgetsim.model.result import run\n"
        "t1 = time.perf_counter()\n"
        f"r = run(load_file({str(SCENARIO)!r}))\n"
        "t2 = time.perf_counter()\n"
        "print(t1 - t0, t2 - t1)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    imports, model = (float(x) for x in out.stdout.split())
    return {"imports": imports, "load_and_run": model}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    times = whole_command(args.runs)
    med = statistics.median(times)
    print(f"budgetsim run scenarios/uk_2030.yaml, {args.runs} runs, whole process wall time:")
    print(f"  median {med:.3f} s   min {min(times):.3f} s   max {max(times):.3f} s")
    print(f"  target {TARGET_S:.1f} s: {'met' if med <= TARGET_S else 'NOT met'} (median)")
    parts = in_process()
    print(
        f"in one process: imports {parts['imports']:.3f} s, load and run "
        f"{parts['load_and_run'] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
