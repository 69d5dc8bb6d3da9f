"""Leaks and hangs on the input side: ``extends:`` cannot read outside the scenario's folder
and repeats nothing of a file that is not a scenario; pipes and devices are refused rather
than read for ever; a ``--set`` key path is as shallow as a file must be.

Each case is one line on stderr and exit code 2 (docs/errors.md). Cases that could hang or
exhaust memory if they regressed (a FIFO, /dev/zero) run the command in a subprocess with
a time limit and a memory limit, so a regression fails the test instead of the machine.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from budgetsim.errors import ScenarioError
from budgetsim.input import files
from budgetsim.input.files import MAX_BYTES, load_file
from budgetsim.input.yamltext import MAX_DEPTH
from tests.conftest import ROOT, invoke

SMALL = ROOT / "tests" / "fixtures" / "small.yaml"
SECRETS = ("hunter2", "password", "s3cr3t", "token", "database", "0x7E8")


def one_line(*args: str | Path) -> str:
    """The one stderr line of a command that fails with bad input (nothing on stdout)."""
    res = invoke(*args)
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert (res.exit_code, res.stdout) == (2, ""), (res.exit_code, res.output)
    lines = res.stderr.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def run_bounded(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """``budgetsim ARGS`` in a subprocess that may take 60 s and 2 GiB of address space."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run(
        [sys.executable, "-m", "budgetsim.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limit,
        check=False,
    )


# --- extends stays inside the scenario's folder --------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A scenario folder, ``tree/``, beside a folder it may not read, ``outside/``."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("password: hunter2\nmeta: {}\n", encoding="utf-8")
    folder = tmp_path / "tree"
    folder.mkdir()
    (folder / "link.yaml").symlink_to(outside / "secret.yaml")
    return folder


@pytest.mark.parametrize(
    "reference",
    ["../outside/secret.yaml", "{outside}/secret.yaml", "link.yaml", "/etc/shadow"],
    ids=["relative", "absolute", "symlink", "etc-shadow"],
)
def test_a_parent_outside_the_folder_is_not_read(
    tree: Path, reference: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refused at the child's extends line before the parent is opened; nothing of it shown."""
    reference = reference.format(outside=tree.parent / "outside")
    child = tree / "child.yaml"
    child.write_text(f"extends: {reference}\nmeta: {{title: t}}\n", encoding="utf-8")
    read: list[str] = []
    read_text = files.read_text

    def spy(path: Path, shown: str | None = None, what: str = "scenario file") -> str:
        read.append(str(path))
        return read_text(path, shown, what)

    monkeypatch.setattr(files, "read_text", spy)
    line = one_line("validate", child)
    assert line.startswith(f"{child}:1: extends: "), line
    assert f"is outside {tree}, the scenario's folder" in line, line
    assert read == [str(child)]
    assert not any(secret in line for secret in SECRETS), line


def test_a_parent_in_the_folder_or_below_is_read(tmp_path: Path) -> None:
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "base.yaml").write_bytes(SMALL.read_bytes())
    (tmp_path / "common" / "mid.yaml").write_text("extends: base.yaml\n", encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("extends: common/mid.yaml\nmeta: {title: Child}\n", encoding="utf-8")
    assert load_file(child).title == "Child"


def test_the_shipped_scenarios_may_be_extended_from_anywhere(tmp_path: Path) -> None:
    child = tmp_path / "mine.yaml"
    child.write_text(
        f"extends: {ROOT / 'scenarios' / 'uk_2030.yaml'}\ndefence: {{milestones: {{2030: 3.5}}}}\n",
        encoding="utf-8",
    )
    ((year, share),) = load_file(child).milestones
    assert year == 2030
    assert share == pytest.approx(0.035)


@pytest.mark.parametrize(
    "parent",
    [
        pytest.param("service:\n  database: {password: hunter2}\n", id="top-level-key"),
        pytest.param("years:\n  base: 2024\n  token: s3cr3t\n", id="key-inside-a-section"),
        pytest.param("economy:\n  real_growth: {password: hunter2}\n", id="map-key-inside-a-value"),
        pytest.param("rules:\n  - {name: r, database: hunter2}\n", id="key-in-a-list-item"),
        pytest.param("meta: {title: !token s3cr3t}\n", id="unknown-tag"),
        pytest.param("years: {base: 0x7E8}\n", id="hexadecimal"),
        pytest.param("password: hunter2\npassword: hunter2\n", id="duplicate-key"),
        pytest.param("meta: {hunter2: [1, 2]: 3}\n", id="syntax"),
    ],
)
def test_nothing_of_a_parent_that_is_no_scenario_is_shown(tmp_path: Path, parent: str) -> None:
    """A parent in the folder that is not a scenario (a service's settings, say): its line,
    never its keys or values."""
    (tmp_path / "parent.yaml").write_text(parent, encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("extends: parent.yaml\n", encoding="utf-8")
    line = one_line("run", child)
    assert line.startswith(f"{tmp_path / 'parent.yaml'}:"), line
    assert not any(secret in line for secret in SECRETS), line


def test_a_parent_that_is_a_scenario_is_quoted_as_usual(tmp_path: Path) -> None:
    """A parent that is a scenario keeps its key paths in messages (they are the registry's)."""
    (tmp_path / "parent.yaml").write_text(
        SMALL.read_text(encoding="utf-8").replace("maturity: 10", "maturity: 0.5"),
        encoding="utf-8",
    )
    child = tmp_path / "child.yaml"
    child.write_text("extends: parent.yaml\n", encoding="utf-8")
    assert one_line("run", child) == (
        f"{tmp_path / 'parent.yaml'}:7: interest.maturity: 0.5 is below the minimum 1.0 (years)"
    )


@pytest.mark.parametrize("reference", ['"a\\0b.yaml"', '"a\\tb.yaml"', '"x\\u0085.yaml"'])
def test_a_control_character_in_extends_is_refused(tmp_path: Path, reference: str) -> None:
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {reference}\n", encoding="utf-8")
    assert one_line("validate", child) == (
        f"{child}:1: extends: must name a scenario file: the path has a control character"
    )


# --- only regular files, never more than the limit -------------------------------------


@pytest.mark.parametrize(
    ("command", "name", "what"),
    [("run", "scenario.yaml", "a scenario file"), ("calibrate", "history.csv", "a history CSV")],
)
def test_a_fifo_as_the_input_is_refused_at_once(
    tmp_path: Path, command: str, name: str, what: str
) -> None:
    """Opening a FIFO for reading blocks until a writer comes: there is none here."""
    fifo = tmp_path / name
    os.mkfifo(fifo)
    res = run_bounded(command, fifo)
    assert (res.returncode, res.stdout) == (2, "")
    assert res.stderr == f"{fifo}: is a named pipe (FIFO), not a regular file; {what} must be one\n"


def test_a_fifo_as_a_parent_is_refused_at_once(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "parent.yaml")
    child = tmp_path / "child.yaml"
    child.write_text("extends: parent.yaml\n", encoding="utf-8")
    res = run_bounded("validate", child)
    assert (res.returncode, res.stdout) == (2, "")
    assert res.stderr == (
        f"{child}:1: extends: parent.yaml: is a named pipe (FIFO), not a regular file; a "
        "scenario file must be one\n"
    )


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_refused_not_read(device: str) -> None:
    """/dev/zero and /dev/urandom never end and report a size of 0: read, they would fill
    memory (the subprocess has 2 GiB, so a regression fails rather than swaps)."""
    res = run_bounded("run", device)
    assert (res.returncode, res.stdout) == (2, "")
    assert res.stderr == f"{device}: is a device, not a regular file; a scenario file must be one\n"


def test_no_more_than_the_limit_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose size reads as 0 but that holds more (as /proc files do, or one growing
    while read): at most MAX_BYTES + 1 bytes are read, then it is refused."""
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# padding\n" * (MAX_BYTES // 5))
    real_fstat, real_read = os.fstat, os.read
    got: list[int] = []

    def fstat(fd: int) -> os.stat_result:
        info = real_fstat(fd)
        return os.stat_result((info.st_mode, *info[1:6], 0, *info[7:]))

    def read(fd: int, n: int) -> bytes:
        data = real_read(fd, n)
        got.append(len(data))
        return data

    monkeypatch.setattr(os, "fstat", fstat)
    monkeypatch.setattr(os, "read", read)
    with pytest.raises(ScenarioError) as info:
        load_file(path)
    assert str(info.value) == (
        f"{path}: is more than {MAX_BYTES} bytes; a scenario file may be at most {MAX_BYTES} bytes"
    )
    assert sum(got) == MAX_BYTES + 1


# --- --set key paths are as shallow as a file ------------------------------------------


def test_a_set_key_of_40000_dots_is_refused_before_it_is_built() -> None:
    """It took 30 s and 6 GB; now it is refused on its length alone."""
    key = "a" + ".a" * 40_000
    assert one_line("run", SMALL, "--set", f"{key}=1") == (
        f"--set: the key path has 40001 parts; at most {MAX_DEPTH}"
    )


def test_a_set_key_at_the_nesting_limit_is_validated_as_usual() -> None:
    deepest = ".".join(["economy", *["x"] * (MAX_DEPTH - 1)])
    assert one_line("run", SMALL, "--set", f"{deepest}=1") == (
        "--set: economy.x: unknown key (allowed here: deflator, feedback, gdp, real_growth)"
    )
    too_deep = deepest + ".x"
    assert one_line("run", SMALL, "--set", f"{too_deep}=1") == (
        f"--set: the key path has {MAX_DEPTH + 1} parts; at most {MAX_DEPTH}"
    )


@pytest.mark.parametrize("part", ["²", "٣", "1" * 5000])
def test_a_set_key_part_that_is_no_item_number_is_a_name(part: str) -> None:
    """Unicode digits and 5,000-digit runs are not list items or years: int() would fail."""
    line = one_line("run", SMALL, "--set", f"defence.milestones.{part}=3")
    assert line.startswith("--set: defence.milestones."), line
    assert line.endswith("is not a year"), line
