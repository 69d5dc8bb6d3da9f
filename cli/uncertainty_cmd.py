"""The uncertainty commands: ``fan``, ``stress`` and ``calibrate`` (docs/uncertainty.md).

Thin like ``run``: load the scenario, call the model (budgetsim.uncertainty), present.
The model modules are imported inside the commands so ``budgetsim run`` does not pay for them.
"""

from __future__ import annotations

import math
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from budgetsim.cli import EXIT_CHECK_FAILED
from budgetsim.cli.common import (
    FileArg,
    FormatOpt,
    OutputOpt,
    QuietOpt,
    RawOpt,
    SetOpt,
    Style,
    UnitsOpt,
    VerboseOpt,
    add_inputs,
    emit,
    emit_text,
    fail,
    load_or_fail,
)
from budgetsim.cli.execution import DaskOpt, SchedulerOpt, WorkersOpt, executor_for, running
from budgetsim.cli.present.emit import Format, to_json
from budgetsim.cli.present.uncertainty import fan_document, stress_document
from budgetsim.errors import ScenarioError
from budgetsim.input.files import read_text
from budgetsim.model.guard import DivergenceError

if TYPE_CHECKING:
    from budgetsim.model.scenario import Scenario
    from budgetsim.uncertainty.calibrate import Calibration
    from budgetsim.uncertainty.execute import Executor
    from budgetsim.uncertainty.montecarlo import Fan

PROGRESS_FROM = 50_000  # draws; smaller runs take well under a second
#: The years a history CSV may hold: whole years with four digits.
FIRST_YEAR, LAST_YEAR = 1000, 9999


# --- fan -----------------------------------------------------------------------------


#: Seconds of a fan run after which its pace is measured and said (where no progress bar
#: is shown): by then the threads all run, so the pace is the run's.
PACE_AFTER = 1.0


class Pace:
    """What a long fan will take, said once on stderr where no progress bar is shown (not a
    terminal): once :data:`PACE_AFTER` seconds have passed, the draws, the time so far and
    the time the whole run will take at that pace.

    Parameters
    ----------
    draws : int
        The draws asked for.
    after : float
        Seconds to run before saying it.
    """

    def __init__(self, draws: int, after: float | None = None) -> None:
        self.draws = draws
        self.after = PACE_AFTER if after is None else after
        self.done = 0
        self.start = time.monotonic()
        self.said = False

    def __call__(self, n: int) -> None:
        """Count ``n`` more draws done; once the time has come, say how long it will take."""
        self.done += n
        spent = time.monotonic() - self.start
        if self.said or self.done >= self.draws or spent < self.after:
            return
        self.said = True
        left = spent * (self.draws - self.done) / self.done
        sys.stderr.write(
            f"fan: {self.draws:,} draws; about {_duration(spent + left)} in all at this "
            f"pace ({self.done:,} done in {_duration(spent)})\n"
        )
        sys.stderr.flush()


def _duration(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _progress_run(scn: Scenario, draws: int | None, seed: int | None, ex: Executor) -> Fan:
    from budgetsim.uncertainty.montecarlo import fan

    n = draws if draws is not None else (scn.uncertainty.draws if scn.uncertainty else 0)
    if n < PROGRESS_FROM:
        return fan(scn, draws=draws, seed=seed, executor=ex)
    if not sys.stderr.isatty():
        return fan(scn, draws=draws, seed=seed, executor=ex, progress=Pace(n))
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("draws", total=n)
        return fan(
            scn,
            draws=draws,
            seed=seed,
            executor=ex,
            progress=lambda k: bar.advance(task, k),
        )


def fan_of(
    file: Path,
    draws: int | None,
    seed: int | None,
    workers: int | None,
    overrides: list[str] | None,
    quiet: bool = False,
    dask: bool = False,
    scheduler: str | None = None,
) -> Fan:
    """Load a scenario and run its Monte Carlo fan. A scenario without an ``uncertainty``
    section is bad input (exit 2); a divergent draw, exit 1.

    Parameters
    ----------
    file : Path
        The scenario file.
    draws, seed : int or None
        Draws and seed; None: the scenario's ``uncertainty:`` section.
    workers : int or None
        Threads (or with ``dask``, worker processes); None: one per CPU.
    overrides : list of str or None
        ``--set`` assignments.
    quiet : bool
        Print no warnings (``--quiet``).
    dask : bool
        Run on a Dask LocalCluster (``--dask``).
    scheduler : str or None
        Run on the Dask cluster at this address (``--scheduler``).

    Returns
    -------
    Fan
        Percentiles in % of GDP and currency, chances from 0 to 1.

    Raises
    ------
    typer.Exit
        Exit code 2 for bad input or an engine that cannot run it, 1 when a draw diverges.
    """
    from budgetsim.uncertainty.execute import local_executor
    from budgetsim.uncertainty.montecarlo import NoUncertaintyError, fan

    scn = load_or_fail(file, overrides, quiet=quiet)
    if scn.uncertainty is None:  # said before any cluster starts (fan says it at once)
        try:
            fan(scn, draws=1, executor=local_executor(1))
        except NoUncertaintyError as exc:
            fail(str(exc))
    with executor_for("fan", workers, dask, scheduler) as ex:
        try:
            return running("fan", lambda: _progress_run(scn, draws, seed, ex))
        except NoUncertaintyError as exc:
            fail(str(exc))
        except DivergenceError as exc:
            fail(f"{file}: {exc}", EXIT_CHECK_FAILED)


def fan_command(
    file: FileArg,
    draws: Annotated[
        int | None,
        typer.Option(help="Number of draws (default: uncertainty.draws).", min=1, max=10**9),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Random seed (default: uncertainty.seed).", min=0)
    ] = None,
    workers: WorkersOpt = None,
    dask: DaskOpt = False,
    scheduler: SchedulerOpt = None,
    format: FormatOpt = Format.table,
    output: OutputOpt = None,
    set_: SetOpt = None,
    raw: RawOpt = False,
    units: UnitsOpt = False,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Monte Carlo: percentiles of debt, borrowing, defence and rule headroom; chances."""
    result = fan_of(file, draws, seed, workers, set_, quiet, dask, scheduler)
    emit(fan_document(result, verbose), Style(format, output, raw, units, verbose))


# --- stress --------------------------------------------------------------------------


def stress_command(
    file: FileArg,
    test: Annotated[
        list[str] | None,
        typer.Option(
            "--test", "-t", metavar="NAME", help="A test to run (repeatable); default: all."
        ),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            metavar="YEAR",
            help="Year to read borrowing and debt in (the year a fiscal year starts in); "
            "default: the first year a rule is checked. Rules: their first checked year.",
            show_default=False,
        ),
    ] = None,
    format: FormatOpt = Format.table,
    output: OutputOpt = None,
    set_: SetOpt = None,
    raw: RawOpt = False,
    units: UnitsOpt = False,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Named stress tests: each one's effect on borrowing, debt and rule headroom."""
    from budgetsim.uncertainty.stress import TEST_NAMES, stress

    for name in test or ():
        if name != "all" and name not in TEST_NAMES:
            fail(f"--test: unknown test {name!r}; one of: all, {', '.join(TEST_NAMES)}")
    names = TEST_NAMES if not test or "all" in test else tuple(test)
    scn = load_or_fail(file, set_, quiet=quiet)
    try:
        res = stress(scn, names, year)
    except DivergenceError as exc:
        fail(f"{file}: {exc}", EXIT_CHECK_FAILED)
    except ValueError as exc:  # a --year outside the projection
        fail(f"{file}: {exc}")
    emit(stress_document(res, verbose), Style(format, output, raw, units, verbose))


# --- calibrate -----------------------------------------------------------------------

COLUMNS = ("year", "real_gdp_growth_pct", "gdp_deflator_growth_pct", "gilt10y_avg_pct")
PACKAGED = "uk_hist_1990_2024.csv"


def read_history(path: Path | None) -> tuple[str, list[list[float]]]:
    """Rows (year, growth, deflator, yield) from a CSV; '#' lines are comments.

    Parameters
    ----------
    path : Path or None
        The CSV; None: the UK series shipped with budgetsim.

    Returns
    -------
    name : str
        The CSV's name in messages.
    rows : list of list of float
        (year, real growth %, deflator growth %, 10-year yield %), one a year.

    Raises
    ------
    typer.Exit
        Exit code 2 for a file that cannot be read, a wrong header or a bad value.
    """
    if path is None:
        from importlib.resources import files

        name = f"budgetsim/data/{PACKAGED} (shipped)"
        text = (files("budgetsim") / "data" / PACKAGED).read_text(encoding="utf-8")
    else:
        name = str(path)
        add_inputs([path])
        try:
            text = read_text(path, name, what="history CSV")
        except ScenarioError as exc:
            fail(str(exc))
    rows: list[list[float]] = []
    header_seen = False
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in line.split(",")]
        if not header_seen:
            names = [c.split("[")[0].strip() for c in cells]
            if names[:4] != list(COLUMNS):
                fail(f"{name}:{lineno}: the header must start with columns {', '.join(COLUMNS)}")
            header_seen = True
            continue
        if len(cells) < 4:
            fail(f"{name}:{lineno}: expected 4 values, got {len(cells)}")
        try:
            values = [float(c) for c in cells[:4]]
        except ValueError:
            fail(f"{name}:{lineno}: not a number in {line.strip()!r}")
        if not all(math.isfinite(v) for v in values):
            fail(f"{name}:{lineno}: not a finite number in {line.strip()!r}")
        if not (values[0].is_integer() and FIRST_YEAR <= values[0] <= LAST_YEAR):
            years = f"from {FIRST_YEAR} to {LAST_YEAR}"
            fail(f"{name}:{lineno}: not a year in {line.strip()!r} ({years})")
        rows.append(values)
    if not header_seen:
        fail(f"{name}: no header row")
    return name, rows


class CalibrateFormat(StrEnum):
    """The formats of ``budgetsim calibrate``: a report, JSON, or the ``uncertainty:`` YAML."""

    table = "table"
    json = "json"
    yaml = "yaml"


def calibration_lines(name: str, cal: Calibration) -> list[str]:
    """The table view of ``budgetsim calibrate``: the data's statistics, then the section.

    Parameters
    ----------
    name : str
        The history's name (a file, or the shipped series).
    cal : Calibration
        The estimates, in percent.

    Returns
    -------
    list of str
        Lines without line ends.
    """
    labels = ("real growth", "deflator", "gilt change")
    first, last = cal.years[0], cal.years[-1]
    excl = f", excluding {', '.join(map(str, cal.excluded))}" if cal.excluded else ""
    out = [f"{name}: {first} to {last}{excl} ({len(cal.years)} years)", ""]
    out.append("The data (the statistics docs/sources.md reports for the UK series):")
    out.append(
        f"  mean: real growth {cal.mean[0]:.2f} %, deflator {cal.mean[1]:.2f} %, "
        f"gilt level {cal.mean[2]:.2f} %"
    )
    out.append(
        "  sd: " + ", ".join(f"{lab} {v:.2f} pp" for lab, v in zip(labels, cal.sd, strict=True))
    )
    c = cal.corr
    out.append(
        f"  corr: growth-deflator {c[0, 1]:+.2f}, growth-gilt change {c[0, 2]:+.2f}, "
        f"deflator-gilt change {c[1, 2]:+.2f}"
    )
    out.append(
        "  lag-1 autocorrelation: "
        + ", ".join(f"{lab} {v:+.2f}" for lab, v in zip(labels, cal.autocorr, strict=True))
    )
    out.append("")
    out.append(f"The shock model (AR(1) residuals, {cal.observations} years):")
    out.extend(yaml_section(cal, name).splitlines())
    return out


def yaml_section(cal: Calibration, name: str) -> str:
    """The estimates as a scenario's ``uncertainty:`` section, ready to paste.

    Parameters
    ----------
    cal : Calibration
        The estimates, in percent.
    name : str
        The history's name, for the comment on the first line.

    Returns
    -------
    str
        YAML text ending in a newline; values rounded as :meth:`Calibration.section` does.
    """
    args = " ".join(f"--exclude {y}" for y in cal.excluded)
    lines = [f"uncertainty:  # budgetsim calibrate {args}".rstrip() + f" ({name})"]
    lines += [f"  {k}: {v:g}" for k, v in cal.section().items()]
    return "\n".join(lines) + "\n"


def calibrate_command(
    csv_file: Annotated[
        Path | None,
        typer.Argument(
            help="CSV of year, real growth %, deflator growth %, 10-year yield % "
            "(default: the shipped UK series 1990-2024).",
            metavar="CSV",
            show_default=False,
            readable=False,  # read_text says "permission denied" in one line
        ),
    ] = None,
    exclude: Annotated[
        list[int] | None,
        typer.Option(metavar="YEAR", help="Leave a year out (repeatable); neighbours are joined."),
    ] = None,
    first: Annotated[int | None, typer.Option("--from", metavar="YEAR")] = None,
    last: Annotated[int | None, typer.Option("--to", metavar="YEAR")] = None,
    format: Annotated[
        CalibrateFormat, typer.Option("--format", "-f", help="Output format.")
    ] = CalibrateFormat.table,
    output: OutputOpt = None,
) -> None:
    """Estimate the shocks' standard deviations, correlations and persistence from history."""
    from budgetsim.uncertainty.calibrate import CalibrationError, calibrate

    name, rows = read_history(csv_file)
    rows = [r for r in rows if (first is None or r[0] >= first) and (last is None or r[0] <= last)]
    try:
        cal = calibrate(
            [int(r[0]) for r in rows],
            [r[1] for r in rows],
            [r[2] for r in rows],
            [r[3] for r in rows],
            exclude or (),
        )
    except CalibrationError as exc:
        fail(f"{name}: {exc}")
    if format is CalibrateFormat.json:
        emit_text(
            to_json(
                {
                    "source": name,
                    "years": list(cal.years),
                    "excluded": list(cal.excluded),
                    "mean": dict(
                        zip(
                            ("real_growth", "deflator", "gilt_level"),
                            cal.mean.tolist(),
                            strict=True,
                        )
                    ),
                    "sd": dict(
                        zip(
                            ("real_growth", "deflator", "gilt_change"), cal.sd.tolist(), strict=True
                        )
                    ),
                    "corr": cal.corr.tolist(),
                    "autocorr": cal.autocorr.tolist(),
                    "uncertainty": cal.section(),
                    "observations": cal.observations,
                }
            ),
            output,
        )
    elif format is CalibrateFormat.yaml:
        emit_text(yaml_section(cal, name), output)
    else:
        emit_text("\n".join(calibration_lines(name, cal)) + "\n", output)
