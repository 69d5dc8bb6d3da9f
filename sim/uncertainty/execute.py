"""Executors: where the chunks of a run are computed, threads here or a Dask cluster.

An executor runs one function over a list of items, ``executor.map(fn, items)``, and returns
the results in the order of the items: all of them, or an exception, never a partial list.
Two are provided:

- :func:`local_executor`: threads of this process (numpy releases the GIL in its array
  loops, so threads over chunks use every core);
- :func:`dask_executor`: a ``dask.distributed`` cluster, either a ``LocalCluster`` of worker
  processes on this machine or an existing cluster at ``tcp://HOST:PORT``. Dask is an
  optional extra (``pip install 'budgetsim[dask]'``).

An executor decides only *where* an item is computed. What is computed is fixed by the
caller: the items (chunks of draws, grid points) and their seeds never depend on the
executor or the number of workers, so every executor gives the same results.

``fn`` must be a module-level function (a Dask worker imports it by name) and the items
small picklable objects; a result travels back to the caller, so it should be a reduced
summary (counts, a row), not the raw draws.

A model error raised by ``fn`` (say, a divergent draw) is the same on every try, so it is
raised at once, not retried; of several failing items, the first in the items' order is
raised, however the work was spread. A Dask worker that dies while running an item (killed,
out of memory) costs a retry on another worker; an item whose workers die
:data:`RETRIES` + 1 times fails the whole map with :class:`ExecutorError`.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, runtime_checkable

if TYPE_CHECKING:
    from types import TracebackType

T = TypeVar("T")
R = TypeVar("R")

#: What to say when Dask is not installed.
INSTALL_HINT = "install it with: pip install 'budgetsim[dask]'"
#: Seconds to wait for a scheduler to answer before giving up.
CONNECT_TIMEOUT = 5.0
#: Extra tries of an item whose worker died (or that raised an error of the worker, not of
#: the model: :class:`MemoryError`, :class:`OSError`).
RETRIES = 2
#: A scheduler's greeting is a small message (about 60 bytes); its first 8 bytes say how big.
_GREETING_MAX = 1 << 20
_ADDRESS = re.compile(r"(tcp|tls)://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})")


class ExecutorError(RuntimeError):
    """The work could not be run where it was asked to: Dask missing, the scheduler
    unreachable, a worker lost for good. The message is one line."""


class Executor(Protocol):
    """Runs ``fn`` over ``items``; ``workers`` is how many items it computes at once."""

    workers: int

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """``[fn(x) for x in items]``, computed where the executor runs things."""
        ...


@runtime_checkable
class Streaming(Protocol):
    """An executor that also hands results back as they finish (see :func:`completed`)."""

    def completed(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[int, R]]:
        """``(index, fn(items[index]))`` pairs, in the order they finish."""
        ...


@dataclass(frozen=True)
class _Failed:
    """An exception raised by ``fn``, sent back as a value so the engine does not retry it."""

    error: BaseException


class _Guarded(Generic[T, R]):
    """``fn`` with its model errors returned as :class:`_Failed` (picklable if ``fn`` is)."""

    def __init__(self, fn: Callable[[T], R]) -> None:
        self.fn = fn

    def __call__(self, item: T) -> R | _Failed:
        try:
            return self.fn(item)
        except (MemoryError, OSError):
            raise  # the worker's trouble, not the model's: worth another try
        except Exception as exc:
            return _Failed(exc)


class _Drain(Generic[R]):
    """Results as they arrive; the first failure in the items' order wins.

    After a failure, items after it are cancelled and items before it are awaited (one of
    them may fail too), so the error raised does not depend on timing."""

    def __init__(self) -> None:
        self.failed: tuple[int, BaseException] | None = None

    def fail(self, index: int, error: BaseException) -> None:
        if self.failed is None or index < self.failed[0]:
            self.failed = (index, error)

    def wanted(self, index: int) -> bool:
        return self.failed is None or index < self.failed[0]


def _ordered(results: Iterator[tuple[int, R]], n: int) -> list[R]:
    out: list[Any] = [None] * n
    for i, r in results:
        out[i] = r
    return out


class LocalExecutor:
    """Threads of this process, one pool per call (see :func:`local_executor`).

    Parameters
    ----------
    threads : int
        Threads that take items in turn.
    """

    def __init__(self, threads: int) -> None:
        self.workers = threads

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """The results of ``fn`` over ``items``, in their order (see the module docstring).

        Parameters
        ----------
        fn : callable
            A function of one item.
        items : sequence
            The items.

        Returns
        -------
        list
            ``fn(item)`` for each item, in order.
        """
        return _ordered(self.completed(fn, items), len(items))

    def completed(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[int, R]]:
        """``(index, result)`` pairs as the items finish; a result is dropped once yielded.

        Parameters
        ----------
        fn : callable
            A function of one item.
        items : sequence
            The items.

        Yields
        ------
        tuple of (int, object)
            The item's index and ``fn(item)``.
        """
        drain: _Drain[R] = _Drain()
        pool = ThreadPoolExecutor(max(1, min(self.workers, len(items))), "budgetsim")
        try:
            index: dict[Future[R], int] = {pool.submit(fn, x): i for i, x in enumerate(items)}
            while index:
                done, _ = wait(index, return_when=FIRST_COMPLETED)
                for fut in done:
                    i = index.pop(fut)
                    exc = fut.exception()
                    if exc is not None:
                        drain.fail(i, exc)
                        for other in [f for f, j in index.items() if j > i]:
                            if other.cancel():
                                del index[other]
                    elif drain.wanted(i):
                        yield i, fut.result()
            if drain.failed is not None:
                raise drain.failed[1]
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        """Nothing to release: each call's threads end with it."""

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def local_executor(threads: int | None = None) -> LocalExecutor:
    """An executor on threads of this process.

    Parameters
    ----------
    threads : int, optional
        Threads (default: one per CPU).

    Returns
    -------
    LocalExecutor
        Its ``workers`` is the number of threads.
    """
    return LocalExecutor(max(1, threads or os.cpu_count() or 1))


class DaskExecutor:
    """A ``dask.distributed`` client, and the cluster it started if any (see
    :func:`dask_executor`). Close it (or use it in a ``with`` block) to stop that cluster.

    Parameters
    ----------
    client : distributed.Client
        A connected client.
    cluster : distributed.LocalCluster, optional
        The cluster this executor started and must close.
    """

    def __init__(self, client: Any, cluster: Any = None) -> None:
        self.client = client
        self.cluster = cluster
        self.address: str = client.scheduler.address
        self.workers = max(1, sum(client.nthreads().values()))

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """The results of ``fn`` over ``items``, in their order (see the module docstring).

        Parameters
        ----------
        fn : callable
            A module-level function of one item.
        items : sequence
            Picklable items.

        Returns
        -------
        list
            ``fn(item)`` for each item, in order.

        Raises
        ------
        ExecutorError
            A worker died running an item more than :data:`RETRIES` times, or the scheduler
            was lost.
        """
        return _ordered(self.completed(fn, items), len(items))

    def completed(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[int, R]]:
        """``(index, result)`` pairs as the items finish on the cluster.

        Parameters
        ----------
        fn : callable
            A module-level function of one item.
        items : sequence
            Picklable items.

        Yields
        ------
        tuple of (int, object)
            The item's index and ``fn(item)``.

        Raises
        ------
        ExecutorError
            A worker died running an item more than :data:`RETRIES` times, or the scheduler
            was lost.
        """
        from distributed.scheduler import KilledWorker

        as_completed: Any = _distributed().as_completed

        if not items:
            return
        drain: _Drain[R] = _Drain()
        futures = self.client.map(_Guarded(fn), list(items), retries=RETRIES, pure=False)
        pending = {f.key: (i, f) for i, f in enumerate(futures)}
        arriving = as_completed(futures, loop=self.client.loop)
        del futures  # a future read and dropped is released on the cluster
        try:
            for fut in arriving:
                i, _ = pending.pop(fut.key)
                if not drain.wanted(i):
                    continue
                try:
                    r = fut.result()
                except KilledWorker:
                    raise ExecutorError(
                        f"Dask workers died on every try of chunk {i + 1} of {len(items)} "
                        "(killed or out of memory); the run is abandoned"
                    ) from None
                except Exception as exc:  # an error of the workers' own (or a lost scheduler)
                    raise ExecutorError(
                        f"chunk {i + 1} of {len(items)} failed on the Dask cluster at "
                        f"{self.address}: {type(exc).__name__}: {_first_line(exc)}"
                    ) from None
                if isinstance(r, _Failed):
                    drain.fail(i, r.error)
                    self.client.cancel([f for j, f in pending.values() if j > i])
                else:
                    yield i, r
        finally:
            if pending:  # abandoned: stop what is still queued
                self.client.cancel([f for _, f in pending.values()])
                pending.clear()
        if drain.failed is not None:
            raise drain.failed[1]

    def close(self) -> None:
        """Close the client, and the cluster if this executor started it."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _distributed() -> Any:
    """The ``distributed`` package, or :class:`ExecutorError` saying how to install it."""
    try:
        import distributed
    except ImportError as exc:
        raise ExecutorError(f"Dask is not installed ({exc.name}); {INSTALL_HINT}") from None
    return distributed


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def _reachable(address: str) -> None:
    """Fail fast, with the reason, unless a Dask scheduler answers at ``address``.

    A plain socket first: nothing listening is said at once, with the socket's reason. Over
    tcp:// a scheduler greets a new connection at once (8 bytes: the length of its handshake
    message); a server that stays silent, or says something else (an SSH or HTTP server on
    that port), is not one, and Dask's client would wait on it or fail oddly. The scheduler
    logs the probe as a connection "closed before handshake completed"."""
    m = _ADDRESS.fullmatch(address)
    if m is None:
        raise ExecutorError(
            f"--scheduler: expected tcp://HOST:PORT (or tls://HOST:PORT), got {address!r}"
        )
    host, port = m.group(2).strip("[]"), int(m.group(3))
    where = f"cannot reach the Dask scheduler at {address}"
    deadline = time.monotonic() + CONNECT_TIMEOUT
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT) as sock:
            if m.group(1) != "tcp":
                return  # tls: the client speaks first
            greeting = b""
            while len(greeting) < 8:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                got = sock.recv(8 - len(greeting))
                if not got:
                    raise ExecutorError(f"{where}: the connection was closed without a greeting")
                greeting += got
    except TimeoutError:
        raise ExecutorError(
            f"{where}: no answer from a Dask scheduler in {CONNECT_TIMEOUT:g} s"
        ) from None
    except OSError as exc:
        raise ExecutorError(f"{where}: {exc.strerror or _first_line(exc)}") from None
    if int.from_bytes(greeting, "little") > _GREETING_MAX:
        raise ExecutorError(f"{where}: something answers there, but not a Dask scheduler")


def dask_executor(scheduler: str | None = None, workers: int | None = None) -> DaskExecutor:
    """An executor on a Dask cluster: a new ``LocalCluster`` of worker processes on this
    machine (``scheduler`` None), or the existing cluster whose scheduler is at ``scheduler``.

    A cluster it starts has ``workers`` processes of one thread each, listening on
    127.0.0.1 only (its HTTP status page on a free port); closing the executor stops it.
    Worker deaths are retried :data:`RETRIES` times.

    Parameters
    ----------
    scheduler : str, optional
        ``tcp://HOST:PORT`` of a running scheduler (``dask scheduler`` prints it).
    workers : int, optional
        Worker processes of a new LocalCluster (default: one per CPU); not with
        ``scheduler``.

    Returns
    -------
    DaskExecutor
        Connected; ``workers`` is the number of worker threads the cluster has.

    Raises
    ------
    ExecutorError
        Dask is not installed (the message says how to install it), the address is not
        ``tcp://HOST:PORT``, nothing answers there within :data:`CONNECT_TIMEOUT` s, or a
        new LocalCluster fails to start.
    """
    dist = _distributed()
    import dask  # installed with distributed

    Client, LocalCluster = dist.Client, dist.LocalCluster
    if scheduler is not None:
        _reachable(scheduler)
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ExecutorError(
                f"cannot reach the Dask scheduler at {scheduler}: {_first_line(exc)}"
            ) from None
        return DaskExecutor(client)
    n = max(1, workers or os.cpu_count() or 1)
    try:
        with dask.config.set({"distributed.scheduler.allowed-failures": RETRIES}):
            cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                # Dask's HTTP server starts even without a dashboard (port 8787 by default,
                # taken by another cluster): any free port, on 127.0.0.1 like the rest.
                dashboard_address="127.0.0.1:0",
                silence_logs=logging.CRITICAL,
            )
    except (RuntimeError, OSError, TimeoutError) as exc:  # "Cluster failed to start: ..."
        raise ExecutorError(
            f"cannot start a Dask cluster of {n} worker(s) on this machine: {_first_line(exc)}"
        ) from None
    try:
        client = Client(cluster, set_as_default=False)
    except BaseException:
        cluster.close()
        raise
    return DaskExecutor(client, cluster)


def completed(
    executor: Executor, fn: Callable[[T], R], items: Sequence[T]
) -> Iterator[tuple[int, R]]:
    """``(index, fn(items[index]))`` pairs as they finish, on any executor: a streaming
    executor hands each result back as it arrives; another is given the items a few at a
    time (``2 * workers``), so only that many results are held at once.

    Parameters
    ----------
    executor : Executor
        Where to run.
    fn : callable
        A module-level function of one item.
    items : sequence
        Picklable items.

    Yields
    ------
    tuple of (int, object)
        The item's index and its result.
    """
    if isinstance(executor, Streaming):
        yield from executor.completed(fn, items)
        return
    step = max(1, 2 * executor.workers)
    for a in range(0, len(items), step):
        yield from enumerate(executor.map(fn, items[a : a + step]), a)
