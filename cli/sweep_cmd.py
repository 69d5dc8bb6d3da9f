"""The ``sweep`` and ``sensitivity`` commands (docs/sweeps.md).

Thin like ``run``: check the file loads, call :mod:`budgetsim.explore`, present through
the one emitter (Parquet through pyarrow, the extra ``budgetsim[parquet]``).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from budgetsim.cli import EXIT_CHECK_FAILED
from budgetsim.cli.common import (
    FileArg,
    OutputOpt,
    Outputs,
    QuietOpt,
    RawOpt,
    SetOpt,
    Style,
    UnitsOpt,
    emit,
    fail,
    loaded_or_fail,
)
from budgetsim.cli.execution import (
    DaskOpt,
    SchedulerOpt,
    WorkersOpt,
    executor_for,
    running,
    with_bar,
)
from budgetsim.cli.present.emit import Format, plain
from budgetsim.errors import ScenarioError
from budgetsim.model.guard import DivergenceError

if TYPE_CHECKING:
    from budgetsim.explore.api import Sensitivity
    from budgetsim.explore.chunks import Sweep

PARQUET_HINT = "pip install 'budgetsim[parquet]'"


class SweepFormat(StrEnum):
    """``budgetsim sweep --format``: the emitter's formats and Parquet."""

    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"
    parquet = "parquet"


VaryOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--vary",
        metavar="KEY=LOW:HIGH:STEP",
        help="A key and its values: KEY=LOW:HIGH:STEP, KEY=v1,v2,..., or KEY+=... to shift "
        "a number or a whole path (file units). Repeatable: the full grid is run.",
        show_default=False,
    ),
]
YearOpt = Annotated[
    int | None,
    typer.Option(
        "--year",
        metavar="YEAR",
        help="The rules' year: debt, borrowing and headroom are read in it "
        "(default: the first year a rule is checked).",
        show_default=False,
    ),
]


def sweep_of(
    file: Path,
    vary: list[str] | None,
    *,
    draws: int = 0,
    seed: int = 0,
    year: int | None = None,
    force: bool = False,
    overrides: list[str] | None = None,
    quiet: bool = False,
    workers: int | None = None,
    dask: bool = False,
    scheduler: str | None = None,
) -> Sweep:
    """Load a scenario and sweep it; bad input is one line and exit 2.

    Parameters
    ----------
    file : Path
        The scenario file.
    vary : list of str or None
        ``--vary`` specifications.
    draws, seed : int
        ``--draws``, ``--seed``.
    year : int or None
        ``--year``.
    force : bool
        ``--force``.
    overrides : list of str or None
        ``--set`` assignments.
    quiet : bool
        ``--quiet``.
    workers, dask, scheduler
        Where the chunks run: ``--workers``, ``--dask``, ``--scheduler``
        (:func:`budgetsim.cli.execution.executor_for`).

    Returns
    -------
    Sweep

    Raises
    ------
    typer.Exit
        Exit code 2 for bad input or an engine that cannot run it.
    """
    from budgetsim.explore.api import sweep
    from budgetsim.uncertainty.montecarlo import NoUncertaintyError

    loaded_or_fail(file, overrides, quiet=quiet)
    with (
        executor_for("sweep", workers, dask, scheduler) as engine,
        with_bar(engine, "chunks") as ex,
    ):
        try:
            return running(
                "sweep",
                lambda: sweep(
                    file,
                    vary or [],
                    overrides=overrides or [],
                    draws=draws,
                    seed=seed,
                    year=year,
                    force=force,
                    executor=ex,
                ),
            )
        except (ScenarioError, NoUncertaintyError) as exc:
            fail(str(exc))
        except DivergenceError as exc:  # pragma: no cover - a sweep marks diverged points
            fail(f"{file}: {exc}", EXIT_CHECK_FAILED)


def sweep_command(
    file: FileArg,
    vary: VaryOpt = None,
    draws: Annotated[
        int,
        typer.Option(
            help="Draws of the scenario's shocks per point (at most 16,384): each rule's "
            "chance of passing.",
            min=0,
        ),
    ] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the draws.", min=0)] = 0,
    year: YearOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help="Run a grid above the cap of 10,000,000 points.")
    ] = False,
    format: Annotated[
        SweepFormat,
        typer.Option(
            "--format", "-f", help="Output format (parquet: needs budgetsim[parquet], and -o)."
        ),
    ] = SweepFormat.table,
    output: OutputOpt = None,
    set_: SetOpt = None,
    raw: RawOpt = False,
    units: UnitsOpt = False,
    quiet: QuietOpt = False,
    workers: WorkersOpt = None,
    dask: DaskOpt = False,
    scheduler: SchedulerOpt = None,
) -> None:
    """Run the scenario over a grid of keys: one row per point, with each rule's headroom."""
    from budgetsim.cli.present.explore import sweep_document, sweep_parquet

    if format is SweepFormat.parquet:
        if output is None:
            fail("--format parquet: Parquet is not text; give -o FILE.parquet")
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            fail(f"--format parquet needs pyarrow; install it with: {PARQUET_HINT}")
    result = sweep_of(
        file,
        vary,
        draws=draws,
        seed=seed,
        year=year,
        force=force,
        overrides=set_,
        quiet=quiet,
        workers=workers,
        dask=dask,
        scheduler=scheduler,
    )
    if format is SweepFormat.parquet:
        assert output is not None
        out = Outputs()
        out.file(output, sweep_parquet(result))
        out.commit()
        return
    emit(sweep_document(result), Style(Format(format.value), output, raw, units))


# --- sensitivity -----------------------------------------------------------------------


class Method(StrEnum):
    """``--method``."""

    sobol = "sobol"
    morris = "morris"


def sensitivity_of(
    file: Path,
    vary: list[str] | None,
    *,
    method: str = "sobol",
    samples: int = 1024,
    measures: list[str] | None = None,
    seed: int = 0,
    year: int | None = None,
    overrides: list[str] | None = None,
    quiet: bool = False,
    workers: int | None = None,
    dask: bool = False,
    scheduler: str | None = None,
) -> Sensitivity:
    """Load a scenario and compute its sensitivity indices; bad input (or SALib missing) is
    one line and exit 2.

    Parameters
    ----------
    file : Path
        The scenario file.
    vary : list of str or None
        ``--vary KEY=LOW:HIGH`` ranges.
    method : {"sobol", "morris"}
    samples : int
    measures : list of str or None
        ``--output-measure``.
    seed : int
    year : int or None
    overrides : list of str or None
        ``--set`` assignments.
    quiet : bool
    workers, dask, scheduler
        Where the chunks run: ``--workers``, ``--dask``, ``--scheduler``
        (:func:`budgetsim.cli.execution.executor_for`).

    Returns
    -------
    Sensitivity

    Raises
    ------
    typer.Exit
        Exit code 2 for bad input or an engine that cannot run it.
    """
    from budgetsim.explore.api import MissingExtraError, sensitivity

    loaded_or_fail(file, overrides, quiet=quiet)
    with (
        executor_for("sensitivity", workers, dask, scheduler) as engine,
        with_bar(engine, "chunks") as ex,
    ):
        try:
            return running(
                "sensitivity",
                lambda: sensitivity(
                    file,
                    vary or [],
                    method=method,
                    samples=samples,
                    measures=measures or [],
                    overrides=overrides or [],
                    seed=seed,
                    year=year,
                    executor=ex,
                    warn=None if quiet else _warn,
                ),
            )
        except (ScenarioError, MissingExtraError) as exc:
            fail(str(exc))


def _warn(line: str) -> None:
    sys.stderr.write(plain(line) + "\n")


SamplesOpt = Annotated[
    int,
    typer.Option(
        help="N: base samples for sobol (a power of 2; N (keys + 2) runs), trajectories "
        "for morris (N (keys + 1) runs).",
        min=2,
        max=2**20,
    ),
]
MeasureOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--output-measure",
        metavar="NAME",
        help="An outcome: headroom:RULE, extra_today, debt_pct_gdp, psnb_pct_gdp "
        "(default: the first rule's headroom and extra_today). Repeatable.",
        show_default=False,
    ),
]


def sensitivity_command(
    file: FileArg,
    vary: Annotated[
        list[str] | None,
        typer.Option(
            "--vary",
            metavar="KEY=LOW:HIGH",
            help="A key and its range (KEY+=LOW:HIGH shifts a path), sampled uniformly. "
            "Repeatable.",
            show_default=False,
        ),
    ] = None,
    method: Annotated[Method, typer.Option(help="sobol (S1, ST) or morris (mu*, sigma).")] = (
        Method.sobol
    ),
    samples: SamplesOpt = 1024,
    measure: MeasureOpt = None,
    seed: Annotated[int, typer.Option(help="Seed of the sampling and bootstrap.", min=0)] = 0,
    year: YearOpt = None,
    format: Annotated[
        Format, typer.Option("--format", "-f", help="Output format (xlsx: needs -o).")
    ] = Format.table,
    output: OutputOpt = None,
    set_: SetOpt = None,
    raw: RawOpt = False,
    units: UnitsOpt = False,
    quiet: QuietOpt = False,
    workers: WorkersOpt = None,
    dask: DaskOpt = False,
    scheduler: SchedulerOpt = None,
) -> None:
    """Global sensitivity (SALib): which varied key decides each outcome (needs SALib)."""
    from budgetsim.cli.present.explore import sensitivity_document

    result = sensitivity_of(
        file,
        vary,
        method=method.value,
        samples=samples,
        measures=measure,
        seed=seed,
        year=year,
        overrides=set_,
        quiet=quiet,
        workers=workers,
        dask=dask,
        scheduler=scheduler,
    )
    emit(sensitivity_document(result), Style(format, output, raw, units))
