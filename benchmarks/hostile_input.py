"""Hostile-input benchmark: how long the loader takes to refuse inputs built to hurt it.

Issue 6 asks that the "billion laughs" alias bomb be refused in well under a second. Run

    .venv/bin/python benchmarks/hostile_input.py [--runs N]

It prints, for each input, the median, min and max time of N refusals (load_text only: no
file I/O), and the message. Machines are shared and noisy: quote the median.
"""

from __future__ import annotations

import argparse
import statistics
import time

from budgetsim.errors import ScenarioError
from budgetsim.input.loader import load_text
from budgetsim.input.yamltext import MAX_ITEMS, MAX_NODES


def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
        prev = name
    return "\n".join(lines) + "\n"


INPUTS = {
    "billion laughs (9**9 strings if expanded)": billion_laughs(),
    "deep nesting (10,000 brackets)": "a: " + "[" * 10_000 + "]" * 10_000 + "\n",
    f"long list ({MAX_ITEMS * 100} items, ~0.3 MB)": "a: [" + "1, " * (MAX_ITEMS * 100) + "1]\n",
    f"many short lists ({MAX_NODES * 2} values)": "\n".join(
        f"k{i}: [" + ", ".join(["1"] * 100) + "]" for i in range(MAX_NODES * 2 // 100)
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for name, text in INPUTS.items():
        times = []
        message = ""
        for _ in range(args.runs):
            start = time.perf_counter()
            try:
                load_text(text, "hostile.yaml")
            except ScenarioError as exc:
                message = str(exc)
            else:
                raise SystemExit(f"{name}: was accepted")
            times.append(time.perf_counter() - start)
        print(
            f"{name}: median {statistics.median(times) * 1000:.1f} ms "
            f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}, {args.runs} runs)"
        )
        print(f"    {message[:150]}")


if __name__ == "__main__":
    main()
