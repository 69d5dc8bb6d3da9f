"""Nothing lost: where a command may write, and that a command that fails writes nothing.

The contract (docs/cli.md, "Writing to a file"): an output path is replaced only if it is
absent or a regular file; a device, a FIFO or the command's own stream is written through
(and its errors reported); anything else is refused with one line. No output may be one
of the command's inputs. Every output of a command is produced first and then written
together, so a command that fails leaves every file as it was.

Cases that need a full disk, a device node or a user other than root build them here: a
64 KiB tmpfs (mounted as root, as CI runs; elsewhere ENOSPC is raised at the write), mknod,
and setpriv to run the command as nobody.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, invoke

UK = "scenarios/uk_2030.yaml"


def one_line(res: object, code: int = 2) -> str:
    """The one stderr line of a refused command (exit ``code``, nothing on stdout)."""
    assert getattr(res, "exit_code", None) == code, getattr(res, "output", res)
    assert getattr(res, "stdout", "") == ""
    lines = getattr(res, "stderr", "").splitlines()
    assert len(lines) == 1, lines
    return str(lines[0])


def listing(folder: Path) -> dict[str, bytes]:
    """Every file in a folder with its bytes (temporary files would show up here)."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# --- 1. special files ----------------------------------------------------------------------


def test_dev_full_is_reported_not_swallowed() -> None:
    """-o /dev/full: the write fails with ENOSPC; that is one line and exit 2, not exit 0."""
    line = one_line(invoke("run", UK, "-f", "csv", "-o", "/dev/full"))
    assert line == "/dev/full: cannot write: No space left on device"
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_dev_null_is_written_through_and_stays_a_device() -> None:
    before = os.stat("/dev/null")
    res = invoke("run", UK, "-f", "csv", "-o", "/dev/null")
    assert (res.exit_code, res.stdout, res.stderr) == (0, "", "")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


def test_a_link_to_stdout_writes_to_stdout(tmp_path: Path) -> None:
    """-o /dev/stdout (here a link of our own to /proc/self/fd/1, so that the test cannot
    harm the machine's /dev): the output reaches stdout and the link is kept."""
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    res = invoke("run", UK, "-f", "csv", "-o", link)
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("year,label,gdp,"), res.stdout[:80]
    assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1"


@pytest.mark.parametrize("name", ["/dev/stdout", "/dev/fd/1"])
def test_dev_stdout_writes_to_stdout(name: str) -> None:
    assert os.path.islink("/dev/stdout")
    res = invoke("run", UK, "-f", "json", "-o", name)
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("{\n"), res.stdout[:80]
    assert os.path.islink("/dev/stdout")


def test_a_fifo_with_a_reader_is_written_through(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # The read end is open before the command starts (a non-blocking open needs no writer),
    # so the command always finds a reader; a thread drains it until the command is done.
    # Nothing here can block: no open waits for the other end, no read waits for data.
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    got: list[bytes] = []
    done = threading.Event()

    def drain() -> None:
        while True:
            try:
                data = os.read(fd, 1 << 16)
            except BlockingIOError:
                data = b""
            if data:
                got.append(data)
            elif done.is_set():
                return
            else:
                time.sleep(0.002)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        res = invoke("run", UK, "-f", "csv", "-o", fifo)
    finally:
        done.set()
        reader.join(10)
        os.close(fd)
    assert (res.exit_code, res.stderr) == (0, "")
    assert b"".join(got).startswith(b"year,label,gdp,")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_fifo_nobody_reads_is_refused_at_once(tmp_path: Path) -> None:
    """No hang: the FIFO is opened without blocking and refused when no process reads it."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    line = one_line(invoke("run", UK, "-f", "csv", "-o", fifo))
    assert line == f"{fifo}: cannot write: a FIFO that no process reads"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_character_device_node_is_written_through(tmp_path: Path) -> None:
    node = tmp_path / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # /dev/null's numbers
    res = invoke("run", UK, "-o", node)
    assert (res.exit_code, res.stderr) == (0, "")
    assert stat.S_ISCHR(os.stat(node).st_mode)


def test_a_block_device_node_is_refused(tmp_path: Path) -> None:
    node = tmp_path / "disk"
    os.mknod(node, stat.S_IFBLK | 0o600, os.makedev(7, 0))  # a loop device's numbers
    line = one_line(invoke("run", UK, "-o", node))
    assert line == f"{node}: cannot write: it is a block device, not a file to write to"
    assert stat.S_ISBLK(os.stat(node).st_mode)


def test_a_directory_is_refused(tmp_path: Path) -> None:
    line = one_line(invoke("run", UK, "-o", tmp_path))
    assert line == f"{tmp_path}: cannot write: is a directory"


def test_a_link_to_a_file_replaces_the_file_and_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "real.csv"
    target.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target.name)
    res = invoke("run", UK, "-f", "csv", "-o", link)
    assert res.exit_code == 0, res.output
    assert link.is_symlink()
    assert target.read_text().startswith("year,label,gdp,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "real.csv"]


@pytest.fixture
def nobody_dir() -> Iterator[Path]:
    """A folder the user nobody may write in (outside pytest's private tmp folder)."""
    folder = Path(tempfile.mkdtemp(prefix="budgetsim-nobody-"))
    folder.chmod(0o777)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def as_nobody(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``budgetsim ARGS`` as the user nobody (as root: setpriv; else as ourselves,
    which is not root either)."""
    cmd = [sys.executable, "-m", "budgetsim.cli", *map(str, args)]
    if os.geteuid() == 0:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "HOME": str(cwd)}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_a_read_only_file_is_refused_as_the_shell_refuses_it(nobody_dir: Path) -> None:
    """As a user who may not write it (nobody), a 0444 file is refused and kept; the
    directory is writable, so the old atomic rename would have replaced it."""
    scenario = nobody_dir / "s.yaml"
    shutil.copy(ROOT / "tests/fixtures/small.yaml", scenario)
    out = nobody_dir / "ro.csv"
    out.write_text("keep me\n")
    out.chmod(0o444)
    if os.geteuid() == 0:
        os.chown(out, 65534, 65534)
    shell = subprocess.run(
        [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "sh",
            "-c",
            "echo x > ro.csv",
        ]
        if os.geteuid() == 0
        else ["sh", "-c", "echo x > ro.csv"],
        cwd=nobody_dir,
        capture_output=True,
        text=True,
    )
    assert shell.returncode != 0 and "ermission denied" in shell.stderr  # what the shell does
    res = as_nobody("run", "s.yaml", "-f", "csv", "-o", "ro.csv", cwd=nobody_dir)
    assert (res.returncode, res.stdout) == (2, ""), res.stderr
    assert res.stderr == "ro.csv: cannot write: permission denied\n"
    assert out.read_text() == "keep me\n"
    assert sorted(p.name for p in nobody_dir.iterdir()) == ["ro.csv", "s.yaml"]


# --- 2. never over an input ------------------------------------------------------------------


@pytest.fixture
def chain(tmp_path: Path) -> Path:
    """A scenario that extends a parent, in a folder of its own."""
    shutil.copytree(ROOT / "tests/fixtures/extends", tmp_path / "ext")
    return tmp_path / "ext"


@pytest.mark.parametrize(
    "args",
    [
        ("run", "{child}", "-f", "csv", "-o", "{child}"),
        ("run", "{child}", "-o", "{parent}"),
        ("run", "{child}", "-o", "{link}"),
        ("run", "{child}", "-o", "{hard}"),
        ("compare", "{child}", "{grand}", "-o", "{grand}"),
        ("solve", "{child}", "--for", "max-share", "--write-scenario", "{child}"),
        ("stress", "{child}", "-f", "json", "-o", "{parent}"),
        ("plot", "{child}", "-o", "{png}"),
    ],
    ids=["self", "parent", "symlink", "hardlink", "compare", "write-scenario", "stress", "plot"],
)
def test_no_output_over_an_input(chain: Path, args: tuple[str, ...]) -> None:
    """`run self.yaml -f csv -o self.yaml` turned the scenario into CSV, exit 0. Now any
    output that is an input or a file of its extends chain (by any name) is refused."""
    (chain / "link.yaml").symlink_to("child.yaml")
    os.link(chain / "parent.yaml", chain / "hard.yaml")
    png = chain / "image.png"
    png.symlink_to("parent.yaml")
    names = {
        "child": chain / "child.yaml",
        "parent": chain / "parent.yaml",
        "grand": chain / "grandchild.yaml",
        "link": chain / "link.yaml",
        "hard": chain / "hard.yaml",
        "png": png,
    }
    before = listing(chain)
    argv = [a.format(**names) for a in args]
    line = one_line(invoke(*argv))
    assert ": cannot write: it is an input of this command (" in line, line
    assert listing(chain) == before


def test_calibrate_cannot_overwrite_its_csv(tmp_path: Path) -> None:
    from tests.test_cli_input import history

    csv_file = history(tmp_path, "1.5")
    before = csv_file.read_bytes()
    line = one_line(invoke("calibrate", csv_file, "-o", csv_file))
    assert line.endswith(f"it is an input of this command ({csv_file}); write to another file")
    assert csv_file.read_bytes() == before


def test_two_outputs_with_one_name_are_refused(tmp_path: Path) -> None:
    out = tmp_path / "x.yaml"
    line = one_line(
        invoke(
            "solve",
            UK,
            "--for",
            "max-share",
            "--year",
            "2029",
            "--write-scenario",
            out,
            "-o",
            out,
        )
    )
    assert line == f"{out}: cannot write: it is also the output of {out}; give two names"
    assert not out.exists()


# --- 3. a command that fails writes nothing -----------------------------------------------


@pytest.fixture
def full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on a 64 KiB file system: a tmpfs as root (CI); elsewhere every sync raises
    ENOSPC, as a full disk does at the latest there."""
    folder = tmp_path / "small"
    folder.mkdir()
    if os.geteuid() == 0:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], check=True)
        try:
            yield folder
        finally:
            subprocess.run(["umount", str(folder)], check=True)
    else:

        def full(fd: int) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(os, "fsync", full)
        yield folder


def test_report_on_a_full_disk_changes_nothing(full_disk: Path) -> None:
    """report -o rep.md replaced rep.md, then failed on a PNG. Now the report and its five
    PNGs (about 200 KiB) are all written to temporary files first; the disk fills, every
    temporary file goes, and rep.md and the old PNG are as they were."""
    (full_disk / "rep.md").write_text("old report\n")
    (full_disk / "rep-debt.png").write_bytes(b"old image")
    before = listing(full_disk)
    line = one_line(invoke("report", UK, "-o", full_disk / "rep.md"))
    assert line.endswith(": cannot write: No space left on device"), line
    assert listing(full_disk) == before


def test_solve_with_an_output_it_cannot_write_keeps_the_written_scenario(tmp_path: Path) -> None:
    """solve --write-scenario solved.yaml -o a_directory replaced solved.yaml and then
    failed; now neither is written."""
    solved = tmp_path / "solved.yaml"
    solved.write_text("# my earlier answer\n")
    (tmp_path / "a_directory").mkdir()
    line = one_line(
        invoke(
            "solve",
            UK,
            "--for",
            "min-cuts",
            "--share",
            "2.6",
            "--year",
            "2029",
            "--write-scenario",
            solved,
            "-o",
            tmp_path / "a_directory",
        )
    )
    assert line == f"{tmp_path / 'a_directory'}: cannot write: is a directory"
    assert solved.read_text() == "# my earlier answer\n"


def test_a_bad_scenario_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    out.write_text("old\n")
    res = invoke("report", UK, "tests/fixtures/bad/syntax.yaml", "-o", out)
    assert res.exit_code == 2
    assert listing(tmp_path) == {"r.md": b"old\n"}


# --- 4. long names -----------------------------------------------------------------------


def test_a_250_character_name_can_be_written(tmp_path: Path) -> None:
    """The temporary name was `.NAME.XXXXXXXX.tmp`: 14 characters over the limit of 255
    for a 250-character NAME. It is short now."""
    out = tmp_path / ("x" * 246 + ".csv")
    assert len(out.name) == 250
    res = invoke("run", UK, "-f", "csv", "-o", out)
    assert res.exit_code == 0, res.output
    assert out.read_text().startswith("year,label,gdp,")
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_a_name_too_long_for_the_file_system_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / ("x" * 300)
    line = one_line(invoke("run", UK, "-o", out))
    assert line == f"{out}: cannot write: File name too long"
