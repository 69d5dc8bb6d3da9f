"""YAML text -> plain Python data plus the line of every key path.

Parses text only (the caller reads the file). Safe loading, duplicate keys rejected (PyYAML
silently keeps the last one; ``2030`` and ``'2030'`` are the same year), and a bound on the
number of nodes so an alias bomb is refused rather than expanded. Numbers YAML 1.1 reads in
a way no budget means (``0x3E8``, ``010``, ``1:30``) and whole numbers too large for any key
are refused, naming the reading.
"""

from __future__ import annotations

import hashlib
import pickle
import re
import threading
from collections import OrderedDict
from typing import Any

import yaml

from budgetsim.errors import Loc, ScenarioError

#: Where each key path was written: ``loc -> (source, line)``, lines counted from 1.
LineMap = dict[Loc, tuple[str, int]]

#: Structure limits. A real scenario has a few hundred values, nests four or five levels
#: deep, has lists no longer than its horizon (at most 200 years) and uses few aliases, if
#: any. The limits are far above that and far below what could hurt: a "billion laughs"
#: alias bomb stops at MAX_ALIASES, a hostile file cannot exhaust the recursion limit.
MAX_NODES = 20_000
MAX_DEPTH = 32
MAX_ITEMS = 1_000
MAX_ALIASES = 1_000
#: The largest whole number any key takes (the seed's maximum, 2**63 - 1); a larger one is
#: refused before it is built, so a 400-digit number cannot overflow a float downstream.
MAX_INT = 2**63 - 1

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
#: Numbers YAML 1.1 reads other than as the decimal they look like, and what it reads them as.
_READINGS = (
    (re.compile(r"[-+]?0x[0-9a-fA-F_]+"), "hexadecimal"),
    (re.compile(r"[-+]?0b[01_]+"), "binary"),
    (re.compile(r"[-+]?0[0-7_]+"), "octal, from the leading 0"),
    (re.compile(r"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?"), "base 60, as in a time of day"),
)

# libyaml's parser where PyYAML was built with it (the wheels are): same nodes and marks,
# several times faster, which matters for a command started many times.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Walker:
    """Builds the data of a node tree, checking limits and readings as it goes.

    ``quote=False`` (a parent file, which may not be a scenario at all) keeps its keys and
    values out of every message: only the line is given.
    """

    def __init__(self, source: str, quote: bool = True) -> None:
        self.source = source
        self.quote = quote
        self.lines: LineMap = {}
        self.loader = yaml.SafeLoader("")
        self.count = 0
        self.aliases = 0
        self.open: set[int] = set()  # nodes being walked: an alias back to one is a cycle
        self.seen: set[int] = set()  # collections walked once: meeting one again is an alias

    def fail(
        self, node: yaml.Node, loc: Loc, message: str, unquoted: str | None = None
    ) -> ScenarioError:
        """The problem at ``node``; without quoting, ``unquoted`` (no text of the file) and
        no key path."""
        if not self.quote:
            message, loc = unquoted or message, ()
        return ScenarioError.single(self.source, message, node.start_mark.line + 1, loc)

    def walk(self, node: yaml.Node, loc: Loc) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(node, loc, f"document too large (more than {MAX_NODES} values)")
        if id(node) in self.open:
            raise self.fail(node, _key_path(loc), "an alias refers to the value that contains it")
        if len(loc) > MAX_DEPTH:
            raise self.fail(node, _key_path(loc), f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, yaml.CollectionNode):
            if id(node) in self.seen:
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    # The node's own line is its anchor's; the top-level key is where the
                    # expansion happens.
                    line = self.lines.get(loc[:1], (self.source, node.start_mark.line + 1))[1]
                    raise ScenarioError.single(
                        self.source,
                        f"aliases expand to more than {MAX_ALIASES} copies (an alias bomb?)",
                        line,
                        loc[:1] if self.quote else (),
                    )
            self.seen.add(id(node))
            if len(node.value) > MAX_ITEMS:
                raise self.fail(
                    node, _key_path(loc), f"has {len(node.value)} items; at most {MAX_ITEMS}"
                )
            self.open.add(id(node))
            try:
                return self._collection(node, loc)
            finally:
                self.open.discard(id(node))
        self.lines[loc] = (self.source, node.start_mark.line + 1)
        return self.construct(node, loc)

    def construct(self, node: yaml.Node, loc: Loc) -> Any:
        """A scalar's value; a tag safe loading does not know (``!!python/object``), a number
        YAML 1.1 reads unlike its decimal look, or a whole number over :data:`MAX_INT` is
        refused."""
        text = str(node.value).strip()
        if node.tag == _INT:
            digits = text.lstrip("+-").replace("_", "")
            if digits.isdigit() and len(digits.lstrip("0")) > len(str(MAX_INT)):
                raise self.fail(node, loc, _too_large(len(digits.lstrip("0"))))
        try:
            value = self.loader.construct_object(node)
        except yaml.YAMLError:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise self.fail(
                node, loc, f"unknown YAML tag {tag}: write a plain value", "unknown YAML tag"
            ) from None
        except (ValueError, KeyError, IndexError, TypeError, OverflowError):
            # A date that is no date (2020-13-45), or an explicit !!int on text.
            kind = node.tag.rsplit(":", 1)[-1].replace("timestamp", "date")
            raise self.fail(
                node,
                loc,
                f"'{text}' is not a valid {kind}, which YAML takes it for; put it in quotes",
                f"a value that is not a valid {kind}",
            ) from None
        if node.tag in (_INT, _FLOAT) and not isinstance(value, bool):
            self._check_reading(node, loc, text, value)
        return value

    def _check_reading(self, node: yaml.Node, loc: Loc, text: str, value: float) -> None:
        if node.tag == _INT and abs(value) > MAX_INT:
            raise self.fail(node, loc, _too_large(len(str(abs(int(value))))))
        for pattern, reading in _READINGS:
            if pattern.fullmatch(text):
                if reading.startswith("octal") and int(text.replace("_", ""), 10) == value:
                    return  # 07 or 00: octal and decimal agree
                shown = f"{value:g}" if isinstance(value, float) else str(value)
                raise self.fail(
                    node,
                    loc,
                    f"YAML 1.1 reads '{text}' as {shown} ({reading}); write {shown} if you "
                    "mean it, or put the text in quotes",
                    f"a number YAML 1.1 reads as {reading}",
                )

    def _collection(self, node: yaml.CollectionNode, loc: Loc) -> Any:
        self.lines[loc] = (self.source, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            names: dict[str, Any] = {}  # each key as text: 2030 and '2030' are one year
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self.fail(key_node, loc, "a key must be a plain name or a year")
                key = self.construct(key_node, loc)
                if not isinstance(key, (str, int)) or isinstance(key, bool):
                    raise self.fail(
                        key_node,
                        loc,
                        f"a key must be a name or a year, not {key!r}",
                        "a key must be a name or a year",
                    )
                first_key = names.setdefault(str(key).strip(), key)
                if first_key in out:
                    first = self.lines[(*loc, first_key)][1]
                    same = "" if first_key == key else f": {first_key!r} and {key!r} are one year"
                    raise self.fail(
                        key_node,
                        (*loc, first_key),
                        f"duplicate key (first given on line {first}){same}",
                        f"duplicate key (first given on line {first})",
                    )
                self.lines[(*loc, key)] = (self.source, key_node.start_mark.line + 1)
                out[key] = self.walk(value_node, (*loc, key))
                self.lines[(*loc, key)] = (self.source, key_node.start_mark.line + 1)
            return out
        return [self.walk(item, (*loc, i)) for i, item in enumerate(node.value)]


def _too_large(digits: int) -> str:
    return f"a whole number of {digits} digits is too large for any key (at most {MAX_INT})"


def _key_path(loc: Loc) -> Loc:
    """The innermost named key of ``loc`` (list positions dropped from the end)."""
    end = len(loc)
    while end > 1 and isinstance(loc[end - 1], int):
        end -= 1
    return loc[:end]


def _yaml_problem(exc: yaml.MarkedYAMLError, text: str) -> tuple[str, int | None]:
    """One line of message and the line to report for a syntax error.

    libyaml drops the offending character from its messages, and for a key missing its
    colon points at the line after it; both are put right here.
    """
    mark = exc.problem_mark or exc.context_mark
    if exc.context and "simple key" in exc.context and exc.context_mark is not None:
        mark = exc.context_mark
    line = mark.line + 1 if mark is not None else None
    message = " ".join(str(s) for s in (exc.context, exc.problem) if s)
    if mark is not None and line is not None:
        lines = text.splitlines()
        if line <= len(lines) and "\t" in lines[line - 1][: mark.column + 1]:
            message = "a tab cannot indent YAML; use spaces"
    return f"invalid YAML: {message}", line


def _count_events(text: str, source: str) -> None:
    """Refuse a document with more than MAX_NODES values before building its nodes.

    Composing builds a Python object per node, which for a 1 MiB file of numbers takes
    seconds; the parser's events are counted first, cheaply, and the count stops early.
    """
    n = 0
    for event in yaml.parse(text, Loader=_COMPOSER):
        if isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
            n += 1
            if n > MAX_NODES:
                line = event.start_mark.line + 1 if event.start_mark is not None else None
                raise ScenarioError.single(
                    source, f"document too large (more than {MAX_NODES} values)", line
                )


def _compose(text: str, source: str) -> yaml.Node | None:
    try:
        if len(text) > MAX_NODES:  # a short text cannot hold that many values
            _count_events(text, source)
        return yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as exc:
        message, line = _yaml_problem(exc, text)
        raise ScenarioError.single(source, message, line) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        code = ord(exc.character) if isinstance(exc.character, str) else int(exc.character)
        what = "a NUL byte" if code == 0 else f"character #x{code:04x}"
        raise ScenarioError.single(
            source, f"invalid YAML: {what} is not allowed in YAML text", line
        ) from None
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        raise ScenarioError.single(source, f"invalid YAML: {message}") from None


def parse_value(text: str, source: str) -> Any:
    """One YAML value (a ``--set`` right-hand side), with the same checks as a file.

    Parameters
    ----------
    text : str
        The value's YAML text.
    source : str
        Its name in messages (``--set``).

    Returns
    -------
    object
        Plain Python data; None for an empty text.

    Raises
    ------
    ScenarioError
        Invalid YAML, an unknown tag, or a value beyond the structure limits.
    """
    node = _compose(text, source)
    return None if node is None else _Walker(source).walk(node, ())


#: Documents parsed, kept as pickles (a copy costs a hundredth of a parse): a server reads
#: the same scenarios, and every parent they extend, on every request.
_PARSED: OrderedDict[tuple[bytes, str, bool], bytes] = OrderedDict()
_PARSED_LOCK = threading.Lock()
PARSED_KEPT = 64


def parse_yaml(text: str, source: str, quote: bool = True) -> tuple[dict[str, Any], LineMap]:
    """Parse a scenario document; the top level must be a mapping.

    The answer for a text already parsed (the same text, name and ``quote``) is a fresh
    copy of the first: callers may change what they get. Errors are not kept.

    Parameters
    ----------
    text : str
        The file's text.
    source : str
        Its name in messages.
    quote : bool
        Whether messages may name the file's keys and quote its values; False for a file
        not yet known to be a scenario (an ``extends:`` parent): only lines are given.

    Returns
    -------
    data : dict
        The document as plain Python data.
    lines : dict of tuple to (str, int)
        Where each key path was written (:data:`LineMap`).

    Raises
    ------
    ScenarioError
        Invalid YAML, an empty file, a top level that is not a mapping, a duplicate key, an
        unknown tag, or a document beyond the structure limits (:data:`MAX_NODES`...).
    """
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    key = (digest, source, quote)
    with _PARSED_LOCK:
        kept = _PARSED.get(key)
        if kept is not None:
            _PARSED.move_to_end(key)
    if kept is not None:
        data, lines = pickle.loads(kept)
        return data, lines
    data, lines = _parse_yaml(text, source, quote)
    kept = pickle.dumps((data, lines), protocol=pickle.HIGHEST_PROTOCOL)
    with _PARSED_LOCK:
        _PARSED[key] = kept
        while len(_PARSED) > PARSED_KEPT:
            _PARSED.popitem(last=False)
    return data, lines


def _parse_yaml(text: str, source: str, quote: bool) -> tuple[dict[str, Any], LineMap]:
    node = _compose(text, source)
    if node is None:
        raise ScenarioError.single(source, "the file is empty; a scenario is a YAML mapping")
    walker = _Walker(source, quote)
    data = walker.walk(node, ())
    if not isinstance(data, dict):
        raise ScenarioError.single(
            source,
            "the top level must be a mapping of keys, not a list or a value",
            node.start_mark.line + 1,
        )
    return data, walker.lines
