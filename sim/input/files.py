"""Reading scenario files from disk: sizes and encodings checked, ``extends`` followed.

The one place the input layer touches the file system; the loader itself parses text
(:mod:`budgetsim.input.loader`), so tests and the web page can load scenarios from strings.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from budgetsim.errors import ScenarioError
from budgetsim.input.loader import Loaded, Resolver, parse
from budgetsim.model.scenario import Scenario

MAX_BYTES = 1 << 20  # a scenario is a few kilobytes; refuse anything over 1 MiB


def read_text(path: Path, shown: str | None = None, what: str = "scenario file") -> str:
    """A scenario file's text (or another input's, named by ``what``), or a ScenarioError
    naming the file and what is wrong.

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
        A directory, a file over :data:`MAX_BYTES`, one that is missing or cannot be read,
        or one that is not UTF-8 text.
    """
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


def resolver(texts: dict[str, str] | None = None) -> Resolver:
    """How ``extends`` finds a parent: relative to the file naming it; (its name, its text).
    ``texts``: as for :func:`read_once`.

    Parameters
    ----------
    texts : dict of str to str, optional
        Texts already read, by name; added to.

    Returns
    -------
    callable
        ``resolve(reference, from_source) -> (name, text)``, raising
        :class:`~budgetsim.errors.ScenarioError` for a file it cannot read.
    """

    def resolve(reference: str, from_source: str) -> tuple[str, str]:
        path = Path(from_source).parent / reference
        name = os.path.normpath(str(path))
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
        read_once(Path(path), name, texts), name, resolve=resolver(texts), overrides=overrides
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
