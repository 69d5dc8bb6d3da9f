"""Work a request may ask for (issue 14 item 7, output side): ``fan --workers 3000`` took
3 GiB in 7 s, and ``fan --draws 1e8`` ran for minutes saying nothing when stderr is not a
terminal. Workers are capped at the CPU count, saying so; a long run without a progress
bar says, after its first chunk of draws, how long it will take.
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest

import budgetsim.uncertainty.montecarlo as montecarlo
from budgetsim.cli import uncertainty_cmd
from budgetsim.cli.uncertainty_cmd import Pace
from tests.conftest import invoke

UK = "scenarios/uk_2030.yaml"


def test_workers_beyond_the_cpus_are_capped_and_said(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    real = montecarlo.fan

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs["executor"].workers)  # the threads fan runs on
        return real(*args, **kwargs)

    monkeypatch.setattr(montecarlo, "fan", spy)
    cpus = os.cpu_count() or 1
    res = invoke("fan", UK, "--draws", "500", "--workers", "3000", "-f", "json")
    assert res.exit_code == 0, res.output
    assert seen == [cpus]
    assert res.stderr == (
        f"--workers 3000: capped at {cpus}, the number of CPUs (more threads would only "
        "take memory)\n"
    )
    same = invoke("fan", UK, "--draws", "500", "--workers", str(cpus), "-f", "json")
    assert (same.stdout, same.stderr) == (res.stdout, "")


def test_a_long_run_without_a_terminal_says_how_long_it_will_take(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past PROGRESS_FROM draws and PACE_AFTER seconds (both lowered here so the test is
    quick: three chunks of 16,384), stderr gets one line after the first chunk, and
    nothing else."""
    monkeypatch.setattr(uncertainty_cmd, "PROGRESS_FROM", 1000)
    monkeypatch.setattr(uncertainty_cmd, "PACE_AFTER", 0.0)
    res = invoke("fan", UK, "--draws", "33000", "--workers", "1", "-f", "json")
    assert res.exit_code == 0, res.output
    (line,) = res.stderr.splitlines()
    assert re.fullmatch(
        r"fan: 33,000 draws; about [\d.]+ s in all at this pace \(16,384 done in [\d.]+ s\)",
        line,
    ), line


def test_pace_says_it_once_in_the_right_unit(monkeypatch: pytest.MonkeyPatch) -> None:
    """1e8 draws, the second chunk of 16,384 done at 2 s: about 1.7 hours, said once, at
    the first chunk done after a second."""
    clock = iter([0.0, 0.5, 2.0, 4.0, 6.0])
    import sys
    import time

    monkeypatch.setattr(time, "monotonic", lambda: next(clock))
    lines: list[str] = []
    monkeypatch.setattr(sys.stderr, "write", lines.append)
    pace = Pace(100_000_000, after=1.0)
    pace(16_384)
    pace(16_384)
    pace(16_384)
    assert lines == [
        "fan: 100,000,000 draws; about 1.7 h in all at this pace (32,768 done in 2.0 s)\n"
    ]


def test_a_short_run_says_nothing() -> None:
    res = invoke("fan", UK, "--draws", "2000", "-f", "json")
    assert (res.exit_code, res.stderr) == (0, "")
