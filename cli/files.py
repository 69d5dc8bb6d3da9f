"""Files: reading scenarios from disk (with ``extends``) and writing outputs atomically."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from budgetsim.input.errors import ScenarioError
from budgetsim.input.loader import Resolver, load_text
from budgetsim.model.scenario import Scenario

MAX_BYTES = 1 << 20  # a scenario is a few kilobytes; refuse anything over 1 MiB


def read_text(path: Path, shown: str | None = None, what: str = "scenario file") -> str:
    """A scenario file's text (or another input's, named by ``what``), or a ScenarioError
    naming the file and what is wrong."""
    name = shown or str(path)
    try:
        if path.is_dir():
            raise ScenarioError.single(name, f"is a directory, not a {what}")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ScenarioError.single(
                name, f"is {size} bytes; a {what} may be at most {MAX_BYTES} bytes"
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError.single(name, "no such file") from None
    except PermissionError:
        raise ScenarioError.single(name, "permission denied") from None
    except OSError as exc:
        raise ScenarioError.single(name, f"cannot be read: {exc.strerror or exc}") from None
    return decode(raw, name)


def decode(raw: bytes, name: str) -> str:
    """A scenario file's bytes as text: UTF-8 (a byte-order mark is allowed), no NUL byte."""
    if b"\0" in raw:
        line = raw[: raw.index(b"\0")].count(b"\n") + 1
        raise ScenarioError.single(
            name, "is not UTF-8 text (it has a NUL byte: a binary file, or UTF-16?)", line
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError.single(name, "is not UTF-8 text", line) from None


def read_once(path: Path, name: str, texts: dict[str, str] | None = None) -> str:
    """:func:`read_text`, but a file already in ``texts`` (by name) is not read again, and
    one that is read is kept there; so several readers of one file read it once."""
    if texts is None:
        return read_text(path, name)
    if name not in texts:
        texts[name] = read_text(path, name)
    return texts[name]


def resolver(texts: dict[str, str] | None = None) -> Resolver:
    """How ``extends`` finds a parent: relative to the file naming it; (its name, its text).
    ``texts``: as for :func:`read_once`."""

    def resolve(reference: str, from_source: str) -> tuple[str, str]:
        path = Path(from_source).parent / reference
        name = os.path.normpath(str(path))
        return name, read_once(path, name, texts)

    return resolve


def load_file(
    path: str | Path, overrides: Iterable[str] = (), texts: dict[str, str] | None = None
) -> Scenario:
    """Load and validate a scenario file, following ``extends`` relative to each file.
    ``texts``: the files' texts by name, read only if not there already (:func:`read_once`)."""
    name = str(path)
    return load_text(
        read_once(Path(path), name, texts), name, resolve=resolver(texts), overrides=overrides
    )


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
    the whole new one."""
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
