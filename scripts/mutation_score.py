"""Print the mutation score of a `make mutation` run, per file and in total, and the survivors.

Reads mutmut's result files (mutants/**/*.py.meta) in the staging folder given as the only
argument. Score = killed / (every mutant that was tested): killed includes a mutant that
made the tests time out; a mutant no test reached counts as a survivor. Mutants mutmut did
not get to (an interrupted run) are listed as not checked and left out of the score.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

KILLED = {1, 3, 36, -24, 24, 152, 255, 37}  # a failing test, a timeout, the type checker
NOT_CHECKED = {None, 2, 34}


def main(stage: Path) -> int:
    totals: Counter[str] = Counter()
    survivors: list[str] = []
    for meta in sorted((stage / "mutants").rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        counts: Counter[str] = Counter()
        for name, code in codes.items():
            if code in NOT_CHECKED:
                counts["not checked"] += 1
            elif code in KILLED:
                counts["killed"] += 1
            else:
                counts["survived"] += 1
                survivors.append(name)
        tested = counts["killed"] + counts["survived"]
        score = 100.0 * counts["killed"] / tested if tested else 0.0
        name = meta.relative_to(stage / "mutants").as_posix().removesuffix(".meta")
        print(
            f"{name:30} killed {counts['killed']:4} survived {counts['survived']:4} "
            f"not checked {counts['not checked']:4}  score {score:5.1f} %"
        )
        totals.update(counts)
    tested = totals["killed"] + totals["survived"]
    if not tested:
        print("no mutant was tested")
        return 1
    print(
        f"{'total':30} killed {totals['killed']:4} survived {totals['survived']:4} "
        f"not checked {totals['not checked']:4}  score {100.0 * totals['killed'] / tested:5.1f} %"
    )
    print("\nsurvivors (see each with: cd build/mutation && ../../.venv/bin/mutmut show NAME):")
    for name in survivors:
        print(f"  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
