"""Coverage-guided fuzzing of the scenario loader with atheris (`make fuzz`).

Each input is a file's bytes, optionally followed by a line ``#--set`` and ``--set``
assignments, one a line: the file is decoded as the CLI decodes a scenario file, loaded with
those overrides, validated and run. The only acceptable outcomes are a finite result or
budgetsim's own errors (ScenarioError for bad input, DivergenceError for a diverging
scenario), each problem on one line naming the file or ``--set``. Anything else (another
exception, a NaN or infinity in a result, a multi-line message) is a finding: atheris stops
and writes the input to crash-<hash>.

    make fuzz                      # 180 s, seeded from scenarios/, tests/fixtures/, fuzz/seeds/
    make fuzz FUZZ_SECONDS=600
"""

from __future__ import annotations

import math
import sys

import atheris
import numpy as np

with atheris.instrument_imports(include=["budgetsim"]):
    from budgetsim.errors import ScenarioError
    from budgetsim.input.files import decode
    from budgetsim.input.loader import load_text
    from budgetsim.model.guard import DivergenceError
    from budgetsim.model.result import run


#: Between a scenario's text and its ``--set`` assignments in a fuzz input.
SET_MARK = b"\n#--set\n"


def check(data: bytes) -> None:
    file_part, _, set_part = data.partition(SET_MARK)
    overrides = [a for a in set_part.decode("utf-8", "replace").splitlines() if a]
    try:
        text = decode(file_part, "fuzz.yaml")
        scenario = load_text(text, "fuzz.yaml", overrides=overrides)
        result = run(scenario)
    except ScenarioError as exc:
        for problem in exc.problems:
            line = str(problem)
            if "\n" in line or not line.startswith(("fuzz.yaml", "--set")):
                raise AssertionError(f"not one line naming the file: {line!r}") from None
        return
    except DivergenceError:
        return
    for name, values in result.series.items():
        if not np.isfinite(values).all():
            raise AssertionError(f"{name} is not finite")
    for field, value in vars(result.summary).items():
        if isinstance(value, float) and not math.isfinite(value):
            raise AssertionError(f"summary {field} is not finite")


def main() -> None:
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
