"""Writing outputs: where a command may write, how, and all of a command's files at once.

Rules for an output path (``-o``, ``--write-scenario``, a report's PNGs):

- an absent path or a regular file is written atomically: the data go to a temporary file
  beside it (a short name, so any valid name fits), synced, then renamed over it; a reader
  sees the old file or the whole new one. A symbolic link is followed: the file it points
  to is replaced, the link kept;
- a character device (``/dev/null``, a terminal) or a FIFO is written through, as the shell
  does; ``/dev/stdout``, ``/dev/stderr`` and ``/dev/fd/N`` are the command's own streams.
  A write that fails there (``/dev/full``: no space left) is reported;
- anything else (a directory, a block device, a socket) is refused with one line, and so
  is a regular file the user may not write (as the shell refuses it), a file that is one of
  the command's inputs (a scenario or a file of its ``extends:`` chain), or one path given
  for two outputs.

:class:`Outputs` collects every file a command writes and writes none of them until all
are produced and every path has passed those checks; then each is written to its temporary
file, and only when all are written are they renamed into place. A command that fails
leaves every file as it was.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from budgetsim.cli.present.emit import plain
from budgetsim.model.scenario import Scenario


def warn(scenario: Scenario) -> None:
    """Print a scenario's implausible-value warnings to stderr; they change no exit code."""
    for problem in scenario.warnings:
        sys.stderr.write(f"{plain(str(problem))}\n")


class OutputRefused(Exception):
    """An output that cannot or may not be written; ``str()`` is the one line to print."""


# /dev/stdout, /dev/stderr and /dev/fd/N are links to /proc/self/fd/N: the process's own
# open files, which are written through, never replaced.
_FD_LINK = re.compile(r"^/(?:proc/(?:self|thread-self|\d+)|dev)/fd/(\d+)$")


def fd_alias(path: Path) -> int | None:
    """The file descriptor ``path`` names (``/dev/stdout`` is 1), or None.

    Parameters
    ----------
    path : Path
        An output path.

    Returns
    -------
    int or None
    """
    p = os.path.abspath(path)
    for _ in range(40):  # links followed, at most
        m = _FD_LINK.match(p)
        if m:
            return int(m.group(1))
        p = os.path.join(os.path.realpath(os.path.dirname(p)), os.path.basename(p))
        m = _FD_LINK.match(p)
        if m:
            return int(m.group(1))
        if not os.path.islink(p):
            return None
        p = os.path.normpath(os.path.join(os.path.dirname(p), os.readlink(p)))
    return None


@dataclass(frozen=True)
class Target:
    """Where and how one output is written.

    Attributes
    ----------
    path : Path
        The path as given (for messages).
    real : Path
        The file an atomic write replaces (links followed), or the path written through.
    through : bool
        Written through (a device, a FIFO, a stream), not replaced.
    fd : int or None
        The command's own file descriptor the path names (``/dev/stdout``: 1).
    """

    path: Path
    real: Path
    through: bool
    fd: int | None = None


def target_of(path: Path, inputs: Iterable[Path] = ()) -> Target:
    """Check an output path and say how it is written (see the module docstring).

    Parameters
    ----------
    path : Path
        The output path as given.
    inputs : iterable of Path
        The files the command read (scenarios and their ``extends`` chains); none may be
        written.

    Returns
    -------
    Target

    Raises
    ------
    OutputRefused
        One line: ``PATH: cannot write: why``.
    """
    name = plain(str(path))

    def refuse(why: str) -> OutputRefused:
        return OutputRefused(f"{name}: cannot write: {why}")

    fd = fd_alias(path)
    if fd is not None:
        return Target(path, path, True, fd)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        # The folder as written must exist ("a/b/.." is not "a" when a/b does not), as
        # the shell's open() would need it; then links are followed.
        if not os.path.isdir(os.path.dirname(str(path)) or "."):
            raise refuse("No such file or directory") from None
        real = Path(os.path.realpath(path))
        if not real.parent.is_dir():
            raise refuse("No such file or directory") from None
        return Target(path, real, False)
    except OSError as exc:
        raise refuse(exc.strerror or str(exc)) from None
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        raise refuse("is a directory")
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return Target(path, path, True)
    if not stat.S_ISREG(mode):
        kind = "a block device" if stat.S_ISBLK(mode) else "a socket"
        raise refuse(f"it is {kind}, not a file to write to")
    if not os.access(path, os.W_OK):
        raise refuse("permission denied")
    for source in inputs:
        try:
            same = os.path.samefile(path, source)
        except OSError:
            continue
        if same:
            raise refuse(
                f"it is an input of this command ({plain(str(source))}); write to another file"
            )
    return Target(path, Path(os.path.realpath(path)), False)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def stage(real: Path, data: bytes) -> str:
    """Write ``data`` to a new temporary file beside ``real`` and sync it; its name.

    The name is short (``.bs-XXXXXXXX.tmp``), so a file name of any valid length can be
    written. The file gets the mode a plain ``open()`` would give: the old file's, or the
    default under the umask.

    Parameters
    ----------
    real : Path
        The file it is to replace.
    data : bytes

    Returns
    -------
    str
        The temporary file's path.

    Raises
    ------
    OSError
        It cannot be written (no temporary file is left behind).
    """
    fd, tmp = tempfile.mkstemp(prefix=".bs-", suffix=".tmp", dir=real.parent)
    try:
        try:
            mode = real.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def write_through(target: Target, data: bytes) -> None:
    """Write to a device, a FIFO or one of the command's own streams, as the shell would.

    Parameters
    ----------
    target : Target
        A target with ``through`` set.
    data : bytes

    Raises
    ------
    OutputRefused
        A FIFO no process reads.
    OSError
        The write failed (``/dev/full``: no space left on device).
    """
    stream = {1: sys.stdout, 2: sys.stderr}.get(target.fd) if target.fd is not None else None
    if stream is not None:
        stream.flush()
        if hasattr(stream, "buffer"):
            stream.buffer.write(data)
        else:
            stream.write(data.decode("utf-8", "replace"))
        stream.flush()
        return
    flags = os.O_WRONLY | os.O_APPEND | os.O_NOCTTY | os.O_NONBLOCK
    try:
        fd = os.open(target.path, flags)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise OutputRefused(
                f"{plain(str(target.path))}: cannot write: a FIFO that no process reads"
            ) from None
        raise
    try:
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def commit(files: list[tuple[Path, bytes]], inputs: Iterable[Path] = ()) -> None:
    """Write every file, or none: check every path, write each to a temporary file (or
    through, for a device), then rename them all into place.

    Parameters
    ----------
    files : list of (Path, bytes)
        Each output and its contents, in order.
    inputs : iterable of Path
        The command's input files, which may not be written.

    Raises
    ------
    OutputRefused
        One line naming the path and why; no file was changed (a device written through
        before the failure cannot be taken back).
    """
    inputs = list(inputs)
    targets: list[Target] = []
    seen: dict[str, Path] = {}
    for path, _ in files:
        t = target_of(path, inputs)
        key = str(t.fd) if t.fd is not None else os.path.realpath(t.real)
        if key in seen and not (t.through and t.fd is None):
            raise OutputRefused(
                f"{plain(str(path))}: cannot write: it is also the output of "
                f"{plain(str(seen[key]))}; give two names"
            )
        seen[key] = path
        targets.append(t)
    staged: list[tuple[Target, str]] = []
    current = files[0][0] if files else Path()
    try:
        for t, (_, data) in zip(targets, files, strict=True):
            current = t.path
            if not t.through:
                staged.append((t, stage(t.real, data)))
        for t, (_, data) in zip(targets, files, strict=True):
            current = t.path
            if t.through:
                write_through(t, data)
        for t, tmp in staged:
            current = t.path
            os.replace(tmp, t.real)
    except OSError as exc:
        raise OutputRefused(f"{plain(str(current))}: cannot write: {exc.strerror or exc}") from None
    finally:
        for _, tmp in staged:
            Path(tmp).unlink(missing_ok=True)
