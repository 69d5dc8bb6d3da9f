"""Where a command's chunks run: ``--workers``, ``--dask`` and ``--scheduler`` (shared by
``fan``, ``sweep`` and ``sensitivity``; docs/scaling.md).

Threads of this process by default; ``--dask`` starts a Dask LocalCluster of ``--workers``
processes on this machine (and stops it when the command ends); ``--scheduler
tcp://HOST:PORT`` uses a running cluster. The results are the same on all of them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from budgetsim.cli.common import fail

if TYPE_CHECKING:
    from budgetsim.uncertainty.execute import Executor

T = TypeVar("T")
R = TypeVar("R")

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
            "workers; start more with dask worker)"
        )
    try:
        ex = dask_executor(scheduler, cap_workers(workers, "worker processes"))
    except ExecutorError as exc:
        fail(f"budgetsim {command}: {exc}")
    with ex:
        yield ex


class WithProgress:
    """An executor that reports each finished item: ``advance(n)`` with the item's size.

    For commands whose library code calls ``executor.map`` (``sweep``, ``sensitivity``):
    the items are run on ``executor`` as they come (:func:`budgetsim.uncertainty.execute.
    completed`), and the results still come back in order.

    Parameters
    ----------
    executor : Executor
        Where the items run.
    start : callable
        ``start(total)``, called as a map starts, with the total size of its items.
    advance : callable
        ``advance(n)``, called as each item finishes.
    size : callable
        The size of an item (points, rows); 1 each by default.
    """

    def __init__(
        self,
        executor: Executor,
        start: Callable[[int], None],
        advance: Callable[[int], None],
        size: Callable[[Any], int] = lambda item: 1,
    ) -> None:
        self.executor = executor
        self.workers = executor.workers
        self.start, self.advance, self.size = start, advance, size

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """``[fn(x) for x in items]`` on the executor, reporting as each finishes.

        Parameters
        ----------
        fn : callable
            A module-level function of one item.
        items : sequence
            The items.

        Returns
        -------
        list
            In the items' order.
        """
        from budgetsim.uncertainty.execute import completed

        self.start(sum(self.size(x) for x in items))
        out: list[Any] = [None] * len(items)
        for i, r in completed(self.executor, fn, items):
            out[i] = r
            self.advance(self.size(items[i]))
        return out


#: Chunks from which ``sweep`` and ``sensitivity`` show a progress bar (on a terminal).
BAR_FROM_CHUNKS = 4


@contextmanager
def with_bar(executor: Executor, what: str) -> Iterator[Executor]:
    """``executor``, showing a progress bar on stderr while it maps :data:`BAR_FROM_CHUNKS`
    items or more, when stderr is a terminal (never in a pipe or a log: output and
    stderr stay clean).

    Parameters
    ----------
    executor : Executor
        Where the chunks run.
    what : str
        What the bar counts (``chunks``).

    Yields
    ------
    Executor
    """
    if not sys.stderr.isatty():
        yield executor
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(what, total=None, visible=False)

        def start(total: int) -> None:
            bar.update(task, total=total, completed=0, visible=total >= BAR_FROM_CHUNKS)

        yield WithProgress(executor, start, lambda n: bar.advance(task, n))


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
