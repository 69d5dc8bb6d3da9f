"""Reading scenario files from disk: sizes and encodings checked, ``extends`` followed.

The one place the input layer touches the file system; the loader itself parses text
(:mod:`budgetsim.input.loader`), so tests and the web page can load scenarios from strings.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from budgetsim.errors import ScenarioError
from budgetsim.input.loader import Loaded, Resolver, parse
from budgetsim.model.scenario import Scenario

MAX_BYTES = 1 << 20  # a scenario is a few kilobytes; refuse anything over 1 MiB


#: What a path is when it is not a regular file, for messages.
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def _not_regular(mode: int, name: str, what: str) -> ScenarioError | None:
    if stat.S_ISREG(mode):
        return None
    kind = next((k for test, k in _KINDS if test(mode)), "a special file")
    if kind == "a directory":
        return ScenarioError.single(name, f"is a directory, not a {what}")
    return ScenarioError.single(name, f"is {kind}, not a regular file; a {what} must be one")


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(fd, min(1 << 16, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def read_text(path: Path, shown: str | None = None, what: str = "scenario file") -> str:
    """A scenario file's text (or another input's, named by ``what``), or a ScenarioError
    naming the file and what is wrong.

    Only a regular file is read, and at most :data:`MAX_BYTES` plus one byte of it: a named
    pipe would block for ever and ``/dev/zero`` never end (its size reads as 0).

    Parameters
    ----------
    path : Path
        The file to read.
    shown : str, optional
        Its name in messages (default: ``str(path)``).
    what : str
        What the file is, for messages.

    Returns
    -------
    str
        The text (:func:`decode`).

    Raises
    ------
    ScenarioError
        A directory, a pipe, a device or a socket, a file over :data:`MAX_BYTES`, one that
        is missing or cannot be read, or one that is not UTF-8 text.
    """
    name = shown or str(path)
    too_large = f"a {what} may be at most {MAX_BYTES} bytes"
    try:
        problem = _not_regular(os.stat(path).st_mode, name, what)
        if problem is not None:
            raise problem
        # Non-blocking, so a file swapped for a pipe after the check cannot hang the open.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        try:
            info = os.fstat(fd)
            problem = _not_regular(info.st_mode, name, what)
            if problem is not None:
                raise problem
            if info.st_size > MAX_BYTES:
                raise ScenarioError.single(name, f"is {info.st_size} bytes; {too_large}")
            raw = _read_at_most(fd, MAX_BYTES + 1)
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise ScenarioError.single(name, "no such file") from None
    except PermissionError:
        raise ScenarioError.single(name, "permission denied") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ScenarioError.single(name, f"cannot be read: {reason}") from None
    if len(raw) > MAX_BYTES:  # it grew after its size was read
        raise ScenarioError.single(name, f"is more than {MAX_BYTES} bytes; {too_large}")
    return decode(raw, name)


def decode(raw: bytes, name: str) -> str:
    """A scenario file's bytes as text: UTF-8 (a byte-order mark is allowed), no NUL byte.

    Parameters
    ----------
    raw : bytes
        The file's contents.
    name : str
        The file's name in messages.

    Returns
    -------
    str

    Raises
    ------
    ScenarioError
        A NUL byte or bytes that are not UTF-8, naming the line.
    """
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
    one that is read is kept there; so several readers of one file read it once.

    Parameters
    ----------
    path : Path
        The file to read.
    name : str
        Its name in messages and its key in ``texts``.
    texts : dict of str to str, optional
        Texts already read, by name; added to. None: read every time.

    Returns
    -------
    str

    Raises
    ------
    ScenarioError
        As for :func:`read_text`.
    """
    if texts is None:
        return read_text(path, name)
    if name not in texts:
        texts[name] = read_text(path, name)
    return texts[name]


def shipped_scenarios() -> list[Path]:
    """The folders of scenarios shipped with budgetsim that any scenario may extend: the
    package's ``scenarios`` data, and in a source checkout its ``scenarios/`` folder.

    Returns
    -------
    list of Path
        The folders that exist, resolved.
    """
    package = Path(os.path.realpath(__file__)).parent.parent  # budgetsim/, or sim/ in a checkout
    candidates = [package / "scenarios"]
    if package.name == "sim":  # the source tree (an editable install links to it)
        candidates.append(package.parent / "scenarios")
    return [Path(os.path.realpath(folder)) for folder in candidates if folder.is_dir()]


def _inside(path: str, folder: Path) -> bool:
    return os.path.commonpath([path, str(folder)]) == str(folder)


def resolver(within: Path, texts: dict[str, str] | None = None) -> Resolver:
    """How ``extends`` finds a parent: relative to the file naming it; (its name, its text).
    A parent must be inside ``within`` (the folder of the file loaded) or a folder below it,
    or among :func:`shipped_scenarios`, once symbolic links are followed: a scenario cannot
    make budgetsim read ``/etc/shadow``.

    Parameters
    ----------
    within : Path
        The folder parents must be in: the loaded file's.
    texts : dict of str to str, optional
        Texts already read, by name; added to (:func:`read_once`).

    Returns
    -------
    callable
        ``resolve(reference, from_source) -> (name, text)``, raising
        :class:`~budgetsim.errors.ScenarioError` for a file it cannot read or may not.
    """

    def resolve(reference: str, from_source: str) -> tuple[str, str]:
        path = Path(from_source).parent / reference
        name = os.path.normpath(str(path))
        real = os.path.realpath(path)
        allowed = (Path(os.path.realpath(within)), *shipped_scenarios())
        if not any(_inside(real, folder) for folder in allowed):
            folder = os.path.normpath(str(within))
            shown = "the current folder" if folder == "." else folder
            raise ScenarioError.single(
                name,
                f"is outside {shown}, the scenario's folder: a parent must be in it or below "
                "it, or among the scenarios shipped with budgetsim",
            )
        return name, read_once(path, name, texts)

    return resolve


def load_with_spec(
    path: str | Path, overrides: Iterable[str] = (), texts: dict[str, str] | None = None
) -> Loaded:
    """As :func:`load_file`, with the validated spec beside the Scenario.

    Parameters
    ----------
    path : str or Path
        The scenario file.
    overrides : iterable of str
        ``key.path=value`` assignments, as ``--set`` gives them.
    texts : dict of str to str, optional
        The files' texts by name, read only if not there already (:func:`read_once`).

    Returns
    -------
    Loaded
        The validated spec and the Scenario.

    Raises
    ------
    ScenarioError
        One line per problem, naming the file, the line and the key.
    """
    name = str(path)
    return parse(
        read_once(Path(path), name, texts),
        name,
        resolve=resolver(Path(path).parent, texts),
        overrides=overrides,
    )


def load_file(
    path: str | Path, overrides: Iterable[str] = (), texts: dict[str, str] | None = None
) -> Scenario:
    """Load and validate a scenario file, following ``extends`` relative to each file.

    Parameters
    ----------
    path : str or Path
        The scenario file.
    overrides : iterable of str
        ``key.path=value`` assignments, as ``--set`` gives them.
    texts : dict of str to str, optional
        The files' texts by name, read only if not there already (:func:`read_once`).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        One line per problem, naming the file, the line and the key.
    """
    return load_with_spec(path, overrides, texts).scenario
