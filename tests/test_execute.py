"""Executors: threads and Dask give the same bytes; the engine's failures are one line.

Clusters listen on 127.0.0.1 only. Starting one costs seconds, so the executor-level tests
share two per module (1 and 2 worker processes); the command-line tests start their own,
as a user's command does.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from budgetsim.explore import chunks
from budgetsim.input.files import load_file
from budgetsim.model.guard import DivergenceError
from budgetsim.uncertainty import execute, montecarlo
from budgetsim.uncertainty.execute import (
    DaskExecutor,
    ExecutorError,
    dask_executor,
    local_executor,
)
from tests.conftest import ROOT, invoke
from tests.test_errors_doc import explained

UK = "scenarios/uk_2030.yaml"
#: Three chunks of fan's default 16,384 draws: every worker gets some.
DRAWS = "40000"
#: Where a chunk that kills its worker once leaves its mark (set before a cluster starts,
#: so its worker processes inherit it).
MARKER = "BUDGETSIM_TEST_DIED_ONCE"


@pytest.fixture(scope="module")
def two() -> Iterator[DaskExecutor]:
    with dask_executor(workers=2) as ex:
        yield ex


@pytest.fixture(scope="module")
def one() -> Iterator[DaskExecutor]:
    with dask_executor(workers=1) as ex:
        yield ex


# --- functions the workers run (module level: a worker imports them by name) ---------


def square(x: int) -> int:
    return x * x


def fails_from_three(x: int) -> int:
    if x >= 3:
        raise ValueError(f"item {x} is bad")
    return x


def dies_once(item: tuple[str, int]) -> int:
    """Kills its own worker process the first time any item runs; then works."""
    marker, x = item
    if not os.path.exists(marker):
        Path(marker).touch()
        os._exit(3)
    return x * 10


def chunk_dies_once(task: Any) -> Any:
    """fan's chunk, but the first one kills its worker (marker path from the environment)."""
    marker = os.environ[MARKER]
    if not os.path.exists(marker):
        Path(marker).touch()
        os._exit(3)
    return RUN_TASK(task)


def chunk_always_dies(task: Any) -> Any:
    os._exit(3)


RUN_TASK = montecarlo._run_task


# --- the executors --------------------------------------------------------------------


def test_map_returns_every_result_in_order(one: DaskExecutor, two: DaskExecutor) -> None:
    items = list(range(23))
    want = [x * x for x in items]
    assert local_executor(2).map(square, items) == want
    assert one.map(square, items) == want
    assert two.map(square, items) == want
    assert (one.workers, two.workers) == (1, 2)
    assert two.map(square, []) == []


def test_the_first_failing_item_in_order_is_raised(two: DaskExecutor) -> None:
    """Items 3 to 9 all fail; item 3's error is raised whatever finished first."""
    for ex in (local_executor(2), two):
        with pytest.raises(ValueError, match=r"^item 3 is bad$"):
            ex.map(fails_from_three, list(range(10)))


def test_an_executor_without_streaming_is_fed_a_few_items_at_a_time() -> None:
    calls: list[int] = []

    class Plain:
        workers = 2

        def map(self, fn: Any, items: Any) -> list[Any]:
            calls.append(len(items))
            return [fn(x) for x in items]

    got = dict(execute.completed(Plain(), square, list(range(10))))
    assert got == {x: x * x for x in range(10)}
    assert calls == [4, 4, 2]


def test_fan_is_the_same_on_threads_and_on_one_or_two_dask_workers(
    one: DaskExecutor, two: DaskExecutor
) -> None:
    scn = load_file(UK)
    runs = [
        montecarlo.fan(scn, draws=3000, seed=7, chunk=250, workers=1),
        montecarlo.fan(scn, draws=3000, seed=7, chunk=250, workers=2),
        montecarlo.fan(scn, draws=3000, seed=7, chunk=250, executor=one),
        montecarlo.fan(scn, draws=3000, seed=7, chunk=250, executor=two),
        montecarlo.fan(scn, draws=3000, seed=7, chunk=1000, executor=two),
    ]
    first = runs[0].to_dict()
    assert all(r.to_dict() == first for r in runs[1:])
    # and the seed matters (the comparison could not pass by ignoring the draws)
    assert montecarlo.fan(scn, draws=3000, seed=8, executor=two).to_dict() != first


def test_a_divergent_chunk_is_named_the_same_on_every_executor(two: DaskExecutor) -> None:
    scn = load_file(UK, ["uncertainty.growth_sd=20", "uncertainty.growth_persistence=0.9"])
    messages = []
    for ex in (local_executor(2), two):
        with pytest.raises(DivergenceError) as err:
            montecarlo.fan(scn, draws=4000, seed=1, chunk=500, executor=ex)
        messages.append(str(err.value))
    assert messages[0] == messages[1]
    assert "of draws 0-499:" in messages[0]


def test_a_worker_killed_mid_run_is_retried_and_the_result_is_whole(
    two: DaskExecutor, tmp_path: Path
) -> None:
    marker = str(tmp_path / "died")
    assert two.map(dies_once, [(marker, x) for x in range(6)]) == [0, 10, 20, 30, 40, 50]
    assert os.path.exists(marker)  # a worker did die


# --- the command line -----------------------------------------------------------------


def fan_json(*options: str) -> str:
    res = invoke("fan", UK, "--draws", DRAWS, "--seed", "5", "-f", "json", *options)
    assert res.exit_code == 0, res.output
    return res.stdout


def test_fan_prints_the_same_bytes_on_threads_and_on_one_or_two_dask_workers() -> None:
    local = fan_json()
    assert fan_json("--workers", "1") == local
    assert fan_json("--dask", "--workers", "1") == local
    if (os.cpu_count() or 1) >= 2:  # --workers is capped at the CPUs
        assert fan_json("--dask", "--workers", "2") == local
    assert '"draws": 40000' in local


HAGUE = "scenarios/uk_hague_2035.yaml"
EXPLORE = {
    "sweep": [
        "sweep", HAGUE, "--vary", "interest.long_rate+=0:2:1", "--vary",
        "economy.real_growth+=-1:1:1", "--draws", "300", "--seed", "1", "-f", "json",
    ],
    # a seed other than 0: SALib does not seed its bootstrap with 0
    "sensitivity": [
        "sensitivity", HAGUE, "--vary", "interest.long_rate+=-1:1", "--vary",
        "economy.real_growth+=-1:1", "--samples", "64", "--seed", "3", "-f", "json",
    ],
}  # fmt: skip


@pytest.mark.parametrize("command", list(EXPLORE))
def test_sweep_and_sensitivity_print_the_same_bytes_on_threads_and_dask(
    command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small chunks (cut here, before they are sent), so every worker gets several."""
    monkeypatch.setattr(chunks, "CHUNK_POINTS", 16)
    monkeypatch.setattr(chunks, "CHUNK_ROWS", 1000)  # 3 points of 300 draws
    args = EXPLORE[command]
    outputs = []
    for engine in ([], ["--workers", "1"], ["--dask", "--workers", "1"], ["--dask"]):
        res = invoke(*args, *engine)
        assert res.exit_code == 0, res.output
        outputs.append(res.stdout)
    assert all(out == outputs[0] for out in outputs[1:])
    assert outputs[0].startswith("{")


def test_sweep_says_an_unreachable_scheduler_in_one_line() -> None:
    address = f"tcp://127.0.0.1:{closed_port()}"
    res = invoke(*EXPLORE["sweep"], "--scheduler", address)
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr == (
        f"budgetsim sweep: cannot reach the Dask scheduler at {address}: Connection refused\n"
    )


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_cli(*args: str, patch: str = "") -> subprocess.CompletedProcess[str]:
    """The command in a process of its own, so everything it prints is seen (Dask's
    loggers write to the real stderr); ``patch`` is run first."""
    code = f"import sys; {patch or 'pass'}; from budgetsim.cli.__main__ import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_unreachable_scheduler_is_one_line_and_exit_2_within_10_s(tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{closed_port()}"
    out = tmp_path / "fan.json"
    start = time.monotonic()
    done = run_cli("fan", UK, "--scheduler", address, "-o", str(out))
    assert time.monotonic() - start < 10
    assert done.returncode == 2
    assert done.stderr == (
        f"budgetsim fan: cannot reach the Dask scheduler at {address}: Connection refused\n"
    )
    assert explained(done.stderr.strip())  # docs/errors.md says what to do
    assert done.stdout == "" and not out.exists()


def test_a_scheduler_that_never_answers_gives_up_within_10_s() -> None:
    """Something listens but says nothing (a wrong service waiting for its client)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        address = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
        start = time.monotonic()
        with pytest.raises(ExecutorError) as err:
            dask_executor(address)
        assert time.monotonic() - start < 10
    assert str(err.value) == (
        f"cannot reach the Dask scheduler at {address}: no answer from a Dask scheduler in 5 s"
    )
    assert explained(f"budgetsim fan: {err.value}")


def test_a_server_that_is_not_a_scheduler_is_said() -> None:
    """An SSH server's banner is not a Dask greeting (Dask's client would try to allocate
    exabytes for it)."""
    with socket.socket() as ssh:
        ssh.bind(("127.0.0.1", 0))
        ssh.listen()
        address = f"tcp://127.0.0.1:{ssh.getsockname()[1]}"

        def banner() -> None:
            conn, _ = ssh.accept()
            with conn:
                conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")

        greeter = threading.Thread(target=banner, daemon=True)
        greeter.start()
        with pytest.raises(ExecutorError) as err:
            dask_executor(address)
        greeter.join(5)
    assert str(err.value) == (
        f"cannot reach the Dask scheduler at {address}: something answers there, but not a "
        "Dask scheduler"
    )
    assert explained(f"budgetsim fan: {err.value}")


@pytest.mark.parametrize(
    "options",
    [["--scheduler", "localhost:8786"], ["--scheduler", "tcp://127.0.0.1:1", "--workers", "2"]],
)
def test_bad_engine_options_are_one_line(options: list[str]) -> None:
    res = invoke("fan", UK, *options)
    assert res.exit_code == 2
    assert res.stdout == ""
    assert len(res.stderr.splitlines()) == 1
    assert res.stderr.startswith("budgetsim fan: --")
    assert explained(res.stderr.strip())


def test_without_dask_the_error_says_how_to_install_it(tmp_path: Path) -> None:
    out = tmp_path / "fan.json"
    patch = "sys.modules['distributed'] = None"  # as if not installed: import fails
    done = run_cli("fan", UK, "--dask", "-o", str(out), patch=patch)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "budgetsim fan: Dask is not installed (distributed); "
        "install it with: pip install 'budgetsim[dask]'"
    ]
    assert explained(done.stderr.strip())
    assert not out.exists()
    threads = run_cli("fan", UK, "--draws", "100", "-f", "json", patch=patch)
    assert threads.returncode == 0, threads.stderr  # threads need no Dask


def test_a_chunk_whose_worker_dies_once_is_rerun_and_the_output_is_whole(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    local = fan_json()
    marker = tmp_path / "died"
    monkeypatch.setenv(MARKER, str(marker))  # before the cluster starts: its workers see it
    monkeypatch.setattr(montecarlo, "_run_task", chunk_dies_once)
    assert fan_json("--dask", "--workers", "1") == local
    assert marker.exists()  # a worker did die


def test_workers_that_always_die_fail_the_command_and_write_nothing(tmp_path: Path) -> None:
    out = tmp_path / "fan.json"
    patch = (
        "import tests.test_execute as t, budgetsim.uncertainty.montecarlo as m; "
        "m._run_task = t.chunk_always_dies"
    )
    done = run_cli(
        "fan", UK, "--draws", DRAWS, "--dask", "--workers", "1", "-o", str(out), patch=patch
    )
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith("budgetsim fan: Dask workers died on every try of chunk "), line
    assert explained(line)
    assert line.endswith("the run is abandoned")
    assert done.stdout == "" and not out.exists()


# --- progress -------------------------------------------------------------------------


def test_with_progress_reports_each_item_and_keeps_the_order() -> None:
    from budgetsim.cli.execution import WithProgress

    started: list[int] = []
    done: list[int] = []
    ex = WithProgress(local_executor(2), started.append, done.append, size=lambda x: x + 1)
    assert ex.map(square, list(range(6))) == [0, 1, 4, 9, 16, 25]
    assert started == [21] and sorted(done) == [1, 2, 3, 4, 5, 6]
    with pytest.raises(ValueError, match=r"^item 3 is bad$"):
        ex.map(fails_from_three, list(range(6)))


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_is_shown_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from budgetsim.cli.execution import BAR_FROM_CHUNKS, WithProgress, with_bar

    threads = local_executor(2)
    with with_bar(threads, "chunks") as ex:  # pytest's stderr is not a terminal
        assert ex is threads
    monkeypatch.setattr(sys, "stderr", Terminal())
    with with_bar(threads, "chunks") as ex:
        assert isinstance(ex, WithProgress)
        assert ex.map(square, list(range(BAR_FROM_CHUNKS))) == [0, 1, 4, 9]


def test_a_cluster_that_fails_to_start_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LocalCluster's own failure ("Cluster failed to start: ...", seen on a loaded CI
    machine) is the command's one line, not a traceback; nothing is written."""
    import distributed

    def fails(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("Cluster failed to start: no room\nmore detail")

    monkeypatch.setattr(distributed, "LocalCluster", fails)
    out = tmp_path / "fan.json"
    res = invoke("fan", UK, "--dask", "--workers", "2", "-o", out)
    assert res.exit_code == 2, res.output
    assert res.stderr == (
        "budgetsim fan: cannot start a Dask cluster of 2 worker(s) on this machine: "
        "Cluster failed to start: no room\n"
    )
    assert explained(res.stderr.strip())
    assert res.stdout == "" and not out.exists()
