"""Test settings shared by every test module.

Hypothesis is deterministic by default so CI is reproducible (the SciPy convention);
set BUDGETSIM_HYPOTHESIS_PROFILE=random to explore new examples locally (`mutation` is the
small profile `make mutation` uses).
numpy raises on floating-point errors so a silent NaN or overflow fails the test that
caused it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, settings

if TYPE_CHECKING:
    from typer.testing import Result

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "random",
    deadline=None,
    print_blob=True,
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow],
)
# `make mutation` runs the model tests once per mutant: a few examples each are enough to
# kill a mutant that any example would, and no shrinking (a killed mutant needs no minimal
# example), to keep the run to minutes.
settings.register_profile(
    "mutation",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=5,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("BUDGETSIM_HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests name files as a user at the repository root does (scenarios/uk_2030.yaml)."""
    monkeypatch.chdir(ROOT)


def invoke(*args: str | Path) -> Result:
    """Run the CLI in-process, as `budgetsim ARGS...`, with stdout and stderr apart."""
    from typer.testing import CliRunner

    from budgetsim.cli.app import app

    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(autouse=True)
def _numpy_raises() -> Iterator[None]:
    old = np.seterr(all="raise")
    try:
        yield
    finally:
        np.seterr(**old)
