"""A scenario's assumptions as the report shows them: each figure with its unit (from the
registry) and the source comment written beside it in the YAML file that set it.

Scenario files cite their figures in comments (``# GBP bn, PSNB 2024-25 (S)``); the loader
keeps where every key was written, so this module can read back the comment on that line,
and on the comment-only lines continuing it, in whichever file of the ``extends`` chain set
the value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from budgetsim.errors import Loc, format_loc
from budgetsim.input.files import read_once, resolver
from budgetsim.input.loader import read_merged
from budgetsim.input.registry import ScenarioSpec, Section


@dataclass(frozen=True)
class Assumption:
    """One figure of a scenario file as the report shows it.

    Attributes
    ----------
    key : str
        The key path, e.g. ``economy.real_growth``.
    value : str
        The value as written, compactly: ``2025: 1.2, 2026: 1.9``.
    unit : str
        The registry's unit, with ``currency`` spelled as ``meta.currency``.
    source : str
        The comments written beside it in the file.
    where : str
        ``FILE:LINE`` that set it.
    """

    key: str  # key path, e.g. "economy.real_growth"
    value: str  # as written, compactly: "2025: 1.2, 2026: 1.9"
    unit: str  # from the registry
    source: str  # the comments beside it in the file
    where: str  # FILE:LINE that set it


@dataclass(frozen=True)
class Assumptions:
    """A scenario file's assumptions for the report.

    Attributes
    ----------
    source : str
        The scenario file.
    meta : dict of str to str
        Its ``meta:`` keys, whitespace collapsed.
    notes : tuple of (str, str)
        (file, its opening comment block) for each file of the ``extends`` chain, child
        first.
    rows : tuple of Assumption
        Every figure but ``meta``'s, in the order of the merged file.
    """

    source: str
    meta: dict[str, str]
    notes: tuple[tuple[str, str], ...]  # (file, its opening comment block), child first
    rows: tuple[Assumption, ...]


def _comment_at(line: str) -> tuple[int, str]:
    """Where the comment on a YAML line starts and its text: (-1, '') if none; a '#' after
    a space, outside quotes."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return i, line[i + 1 :].strip()
    return -1, ""


def _comment(line: str) -> str:
    """The comment on a YAML line ('' if none): a '#' after a space, outside quotes."""
    return _comment_at(line)[1]


def _trailing(line: str) -> tuple[int, str]:
    """The comment after a value on a line (not a comment-only line): (column, text)."""
    if line.lstrip().startswith("#"):
        return -1, ""
    return _comment_at(line)


# Words a sentence does not end on: a comment ending in one goes on, on the next line.
_GOES_ON = frozenset(
    {
        "a", "an", "the", "and", "or", "nor", "but", "of", "to", "in", "on", "for", "with",
        "by", "at", "from", "as", "into", "than", "that", "which", "is", "are", "was", "were",
        "be", "not", "per", "its", "their", "this", "these",
    }
)  # fmt: skip


def _unfinished(text: str) -> bool:
    """Whether a comment stops mid-sentence: a bracket left open, or a last word that no
    sentence ends on (``... PSNFL paths are``)."""
    if text.count("(") > text.count(")") or text.count("[") > text.count("]"):
        return True
    words = text.split()
    return bool(words) and words[-1].lower() in _GOES_ON


def _joins(lines: list[str], n: int) -> bool:
    """Whether the comment after the value on line ``n`` (from 1) continues the one on the
    line above (a comment wrapped across two keys' lines, in the same column), rather than
    being the next key's own: the one above stops mid-sentence."""
    if n < 2:
        return False
    col, text = _trailing(lines[n - 1])
    above_col, _ = _trailing(lines[n - 2])
    if not text or col < 0 or col != above_col:
        return False
    start = n - 1
    while _joins(lines, start):
        start -= 1
    return _unfinished(" ".join(_trailing(lines[k - 1])[1] for k in range(start, n)))


def _comments_at(lines: list[str], n: int) -> list[str]:
    """The comment on line ``n`` (from 1), the comments on the next keys' lines that finish
    its sentence (:func:`_joins`), and the comment-only lines continuing it (indented past
    the key, as a comment wrapped beside a value is). A comment that finishes the sentence
    of the line above belongs to that line, not to ``n``."""
    if _joins(lines, n):
        return []
    text = lines[n - 1]
    indent = len(text) - len(text.lstrip())
    out = [_comment(text)]
    last = n
    while last < len(lines) and _joins(lines, last + 1):
        last += 1
        out.append(_trailing(lines[last - 1])[1])
    for nxt in lines[last:]:
        stripped = nxt.lstrip()
        if not stripped.startswith("#") or len(nxt) - len(stripped) <= indent:
            break
        out.append(stripped[1:].strip())
    return [c for c in out if c]


def _header(lines: list[str]) -> str:
    """The comment block a file opens with."""
    out = []
    for line in lines:
        if not line.strip().startswith("#"):
            break
        out.append(line.strip()[1:].removeprefix(" "))
    return "\n".join(out).strip()


def _unit(loc: Loc) -> str:
    model: type[BaseModel] | None = ScenarioSpec
    unit = ""
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return ""
        extra = field.json_schema_extra
        unit = str(extra.get("x-unit", "")) if isinstance(extra, dict) else ""
        model = _section(field.annotation)
    return unit


def _section(ann: Any) -> type[BaseModel] | None:
    candidates = [ann, *get_args(ann)]
    for c in list(candidates):
        if get_origin(c) is list:
            candidates.extend(get_args(c))
    return next((c for c in candidates if isinstance(c, type) and issubclass(c, Section)), None)


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_show(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, bool):  # as YAML spells it
        return "true" if value else "false"
    if isinstance(value, float):  # as written, every digit: 2746.6, 3.0 -> 3
        text = repr(value)
        return text.removesuffix(".0")
    return str(value)


def _leaves(data: Any, loc: Loc) -> list[tuple[Loc, Any]]:
    """Key paths down to values; a {year: value} map or a list of numbers is one value."""
    if isinstance(data, dict) and data and all(isinstance(k, str) for k in data):
        return [leaf for k, v in data.items() for leaf in _leaves(v, (*loc, k))]
    if isinstance(data, list) and any(isinstance(v, dict) for v in data):
        return [leaf for i, v in enumerate(data) for leaf in _leaves(v, (*loc, i))]
    return [(loc, data)]


def assumptions_of(path: Path, texts: dict[str, str] | None = None) -> Assumptions:
    """Read a scenario file (and its ``extends`` chain) for the report. ``texts`` holds the
    files' texts by name (as :func:`budgetsim.input.files.load_file` fills it): none of them is
    read again, and no file is read twice.

    Parameters
    ----------
    path : Path
        The scenario file.
    texts : dict of str to str, optional
        The files' texts by name; added to.

    Returns
    -------
    Assumptions
        Values as the files write them (percent, currency).

    Raises
    ------
    ScenarioError
        A file that cannot be read or is not valid YAML, or a broken ``extends`` chain.
    """
    name = str(path)
    texts = {} if texts is None else texts
    data, origins = read_merged(read_once(path, name, texts), name, resolver(path.parent, texts))
    split: dict[str, list[str]] = {}

    def lines_of(source: str) -> list[str]:
        if source not in split:
            split[source] = read_once(Path(source), source, texts).splitlines()
        return split[source]

    meta = {str(k): " ".join(str(v).split()) for k, v in (data.get("meta") or {}).items()}
    currency = meta.get("currency", "currency")
    rows = []
    for loc, value in _leaves({k: v for k, v in data.items() if k != "meta"}, ()):
        where = [(src, line) for k, (src, line) in origins.items() if k[: len(loc)] == loc]
        comments: list[str] = []
        for src, line in sorted({w for w in where if w[1] is not None}, key=lambda w: w[1] or 0):
            assert line is not None
            for c in _comments_at(lines_of(src), line):
                if c not in comments:
                    comments.append(c)
        src, line = origins.get(loc, (name, None))
        rows.append(
            Assumption(
                key=format_loc(loc),
                value=_show(value),
                unit=_unit(loc).replace("currency", currency),
                source=" ".join(comments),
                where=f"{src}:{line}" if line is not None else src,
            )
        )
    chain = list(dict.fromkeys([name, *(src for src, _ in origins.values())]))
    notes = tuple((src, _header(lines_of(src))) for src in chain if src != "--set")
    return Assumptions(source=name, meta=meta, notes=notes, rows=tuple(rows))
