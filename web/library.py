"""The scenarios a server may load: the shipped ones (or a ``--scenarios`` folder), read
once at start, and posted YAML that may extend them by name only.

Nothing here imports FastAPI: it turns a request's scenario (a name or posted text, plus
overrides) into a loaded scenario or a :class:`~budgetsim.errors.ScenarioError`, with the
loader's own limits (:mod:`budgetsim.input.yamltext`) and messages. A scenario is named in
results and messages as the command line names it when run from a source checkout
(``scenarios/uk_2030.yaml``), so the JSON documents are the CLI's byte for byte.
"""

from __future__ import annotations

import hashlib
import posixpath
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TypeVar

from budgetsim.errors import ScenarioError
from budgetsim.input.files import read_text
from budgetsim.input.loader import Loaded, parse

#: The name posted YAML has in results and messages (never a path on the server).
POSTED = "<posted>"
#: How many loaded scenarios (and rendered results) are kept, most recently used first.
CACHE_SIZE = 256
#: Most overrides in one request.
MAX_OVERRIDES = 100

K = TypeVar("K")
V = TypeVar("V")


class UnknownScenario(LookupError):
    """A scenario name that is not in the library (HTTP 404)."""


class LRU:
    """A small thread-safe least-recently-used cache of immutable values.

    Parameters
    ----------
    size : int
        Most entries kept.
    """

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[object, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: object, make: Callable[[], V]) -> V:
        """The value for ``key``, made (outside the lock) and kept if it is not there.

        Parameters
        ----------
        key : hashable
            The cache key.
        make : callable
            Makes the value; an exception it raises is not cached.

        Returns
        -------
        object
        """
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]  # type: ignore[return-value]
        value = make()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def peek(self, key: object) -> object | None:
        """The value for ``key`` if it is there (None if not); nothing is made.

        Parameters
        ----------
        key : hashable
            The cache key.

        Returns
        -------
        object or None
        """
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._items.clear()


@dataclass(frozen=True)
class Entry:
    """A top-level scenario of the library.

    Attributes
    ----------
    name : str
        Its stem, e.g. ``uk_2030``.
    source : str
        Its name in results, e.g. ``scenarios/uk_2030.yaml``.
    """

    name: str
    source: str


@dataclass
class Library:
    """The scenario files a server loads, by their names in results.

    Attributes
    ----------
    prefix : str
        The folder name the files are shown under (``scenarios``): one name, never a path
        on the server.
    texts : dict of str to str
        Every file's text, by name (``scenarios/common/uk.yaml``).
    entries : dict of str to Entry
        The top-level scenarios by stem, sorted.
    origin : str
        Where the files come from, as messages say it.
    """

    prefix: str
    texts: dict[str, str]
    entries: dict[str, Entry] = field(default_factory=dict)
    origin: str = "shipped with budgetsim"
    loads: LRU = field(default_factory=LRU)
    results: LRU = field(default_factory=LRU)

    def resolve(self, reference: str, from_source: str) -> tuple[str, str]:
        """Find an ``extends`` parent among the library's files only: relative to a
        library file, or by its name for posted YAML. Never reads the disk.

        Parameters
        ----------
        reference : str
            What ``extends:`` says.
        from_source : str
            The name of the file that says it.

        Returns
        -------
        tuple of (str, str)
            The parent's name and text.

        Raises
        ------
        ScenarioError
            Not a file of the library.
        """
        base = posixpath.dirname(from_source) if from_source in self.texts else self.prefix
        # Names are compared normalised, relative to the library's one-name prefix.
        name = posixpath.normpath(posixpath.join(base, reference))
        for candidate in (name, name + ".yaml"):
            if candidate.startswith(self.prefix + "/") and candidate in self.texts:
                return candidate, self.texts[candidate]
        raise ScenarioError.single(
            name,
            f"not a scenario {self.origin}: a scenario sent to the server may "
            "extend only those, by name (e.g. extends: uk_baseline.yaml)",
        )

    def text_key(self, source: str, text: str) -> str:
        """What a cache keys a scenario's text by: a library file's text itself (one
        string shared by every request), posted text by its SHA-256 digest, so a cache of
        posted scenarios does not keep up to 256 KiB of text per entry.

        Parameters
        ----------
        source : str
            The scenario's name.
        text : str
            Its text.

        Returns
        -------
        str
        """
        if self.texts.get(source) is text:
            return text
        return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def source_of(self, name: str) -> tuple[str, str]:
        """The name in results and the text of a top-level scenario.

        Parameters
        ----------
        name : str
            Its stem (``uk_2030``; ``uk_2030.yaml`` is accepted too).

        Returns
        -------
        tuple of (str, str)

        Raises
        ------
        UnknownScenario
            No such scenario.
        """
        entry = self.entries.get(name.removesuffix(".yaml"))
        if entry is None:
            raise UnknownScenario(name)
        return entry.source, self.texts[entry.source]

    def load(self, source: str, text: str, overrides: Sequence[str] = ()) -> Loaded:
        """Parse, merge ``extends`` (library files only), apply overrides, validate, build;
        the answer is cached by (source, text, overrides).

        Parameters
        ----------
        source : str
            The scenario's name in messages.
        text : str
            Its YAML text.
        overrides : sequence of str
            ``key.path=value`` (or ``key+=delta``) assignments, as ``--set`` gives them.

        Returns
        -------
        Loaded

        Raises
        ------
        ScenarioError
            As for :func:`budgetsim.input.loader.parse`, or too many overrides.
        """
        if len(overrides) > MAX_OVERRIDES:
            raise ScenarioError.single(
                "--set", f"{len(overrides)} overrides; at most {MAX_OVERRIDES} in one request"
            )
        key = (source, self.text_key(source, text), tuple(overrides))
        return self.loads.get(
            key, lambda: parse(text, source, resolve=self.resolve, overrides=overrides)
        )


def _walk(node: Traversable, prefix: str, out: dict[str, bytes]) -> None:
    for child in node.iterdir():
        if child.is_dir() and not child.name.startswith(("_", ".")):
            _walk(child, f"{prefix}{child.name}/", out)
        elif child.name.endswith(".yaml") and child.is_file():
            out[prefix + child.name] = child.read_bytes()


def shipped_library() -> Library:
    """The scenarios shipped with budgetsim (package data ``budgetsim.scenarios``), named
    ``scenarios/NAME.yaml`` as in a source checkout.

    Returns
    -------
    Library
    """
    raw: dict[str, bytes] = {}
    _walk(files("budgetsim.scenarios"), "", raw)
    texts = {f"scenarios/{rel}": data.decode("utf-8") for rel, data in sorted(raw.items())}
    return _library("scenarios", texts)


def folder_library(folder: Path) -> Library:
    """The scenarios of a folder (``budgetsim serve --scenarios DIR``): its ``*.yaml`` and
    those of its sub-folders, read with the loader's limits, named ``FOLDER/NAME.yaml``
    where FOLDER is the folder's own name (``.`` or an absolute DIR included: no path on
    the server is shown in results or messages).

    Parameters
    ----------
    folder : Path
        The folder.

    Returns
    -------
    Library

    Raises
    ------
    ScenarioError
        A file that cannot be read, is too large or is not UTF-8; a folder with no scenario.
    """
    if not folder.is_dir():
        raise ScenarioError.single(str(folder), "is not a folder of scenarios")
    prefix = folder.resolve().name or "scenarios"  # "scenarios" for the root folder
    texts: dict[str, str] = {}
    for path in sorted(folder.rglob("*.yaml")):
        rel = path.relative_to(folder).as_posix()
        if any(part.startswith((".", "_")) for part in rel.split("/")[:-1]):
            continue
        name = f"{prefix}/{rel}"
        texts[name] = read_text(path, name)
    if not texts:
        raise ScenarioError.single(str(folder), "has no scenario (*.yaml) files")
    return _library(prefix, texts, "in this server's scenarios folder")


def _library(prefix: str, texts: dict[str, str], origin: str = "shipped with budgetsim") -> Library:
    entries = {}
    for name in sorted(texts):
        rel = name[len(prefix) + 1 :]
        if "/" not in rel:
            stem = rel.removesuffix(".yaml")
            entries[stem] = Entry(stem, name)
    return Library(prefix, texts, entries, origin=origin)
