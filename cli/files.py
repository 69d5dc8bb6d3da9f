"""Writing outputs: to a file atomically, and a scenario's warnings to stderr."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from budgetsim.model.scenario import Scenario


def warn(scenario: Scenario) -> None:
    """Print a scenario's implausible-value warnings to stderr; they change no exit code."""
    for problem in scenario.warnings:
        sys.stderr.write(f"{problem}\n")


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write ``text`` (or bytes: an image) to ``path`` so that a reader sees the old file or
    the whole new one.

    The data go to a temporary file beside ``path``, synced, then renamed over it; the new
    file gets the old one's mode, or the default under the umask.

    Parameters
    ----------
    path : Path
        The file to write.
    text : str or bytes
        Text (written as UTF-8) or bytes.

    Raises
    ------
    OSError
        The file cannot be written; no temporary file is left behind.
    """
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would:
        # the old file's, or the default under the user's umask.
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        os.chmod(tmp, mode)
        data = text.encode("utf-8") if isinstance(text, str) else text
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
