"""Where a command's chunks run: ``--workers``, ``--dask`` and ``--scheduler`` (shared by
``fan``, ``sweep`` and ``sensitivity``; docs/scaling.md).

Threads of this process by default; ``--dask`` starts a Dask LocalCluster of ``--workers``
processes on this machine (and stops it when the command ends); ``--scheduler
tcp://HOST:PORT`` uses a running cluster. The results are the same on all of them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from budgetsim.cli.common import fail

if TYPE_CHECKING:
    from budgetsim.uncertainty.execute import Executor

T = TypeVar("T")

WorkersOpt = Annotated[
    int | None,
    typer.Option(
        help="Threads, or with --dask worker processes (default: one per CPU). "
        "Results are the same.",
        min=1,
    ),
]
DaskOpt = Annotated[
    bool,
    typer.Option(
        "--dask",
        help="Run on a Dask cluster of --workers processes on this machine "
        "(needs budgetsim[dask]). Results are the same.",
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="Run on the Dask cluster whose scheduler is there (needs budgetsim[dask]). "
        "Results are the same.",
        show_default=False,
    ),
]


def cap_workers(workers: int | None, what: str = "threads") -> int | None:
    """``--workers`` capped at the machine's CPUs (more only take memory), with a line on
    stderr when it is capped.

    Parameters
    ----------
    workers : int or None
        As given; None: one per CPU.
    what : str
        What a worker is, for the message: ``threads`` or ``worker processes``.

    Returns
    -------
    int or None
    """
    cpus = os.cpu_count() or 1
    if workers is not None and workers > cpus:
        sys.stderr.write(
            f"--workers {workers}: capped at {cpus}, the number of CPUs (more {what} "
            "would only take memory)\n"
        )
        return cpus
    return workers


@contextmanager
def executor_for(
    command: str, workers: int | None, dask: bool, scheduler: str | None
) -> Iterator[Executor]:
    """The executor the options ask for, closed (a cluster it started stopped) on leaving.

    Parameters
    ----------
    command : str
        The command's name, for messages (``fan``).
    workers : int or None
        ``--workers``.
    dask : bool
        ``--dask``.
    scheduler : str or None
        ``--scheduler``.

    Yields
    ------
    Executor
        Threads, a LocalCluster or a running cluster.

    Raises
    ------
    typer.Exit
        Exit code 2, with one line: Dask not installed, ``--workers`` with
        ``--scheduler``, a scheduler that cannot be reached.
    """
    from budgetsim.uncertainty.execute import (
        ExecutorError,
        dask_executor,
        local_executor,
    )

    if scheduler is None and not dask:
        with local_executor(cap_workers(workers)) as local:
            yield local
        return
    if scheduler is not None and workers is not None:
        fail(
            f"budgetsim {command}: --workers: not with --scheduler (the cluster has its own "
            "workers; start more with `dask worker`)"
        )
    try:
        ex = dask_executor(scheduler, cap_workers(workers, "worker processes"))
    except ExecutorError as exc:
        fail(f"budgetsim {command}: {exc}")
    with ex:
        yield ex


def running(command: str, call: Callable[[], T]) -> T:
    """``call()``, with an executor's failure mid-run (a cluster lost, workers dying) said in
    one line (exit 2) instead of a partial result.

    Parameters
    ----------
    command : str
        The command's name, for the message.
    call : callable
        The run.

    Returns
    -------
    object
        What ``call`` returns.

    Raises
    ------
    typer.Exit
        Exit code 2 when the executor failed.
    """
    from budgetsim.uncertainty.execute import ExecutorError

    try:
        return call()
    except ExecutorError as exc:
        fail(f"budgetsim {command}: {exc}")
