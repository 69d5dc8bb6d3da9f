"""The one error type users of budgetsim see for bad input.

Every problem names the source (a file path, ``--set`` or ``<string>``), the line in that
source where it is known, and the key path, so a message reads
``scenarios/uk.yaml:12: defence.milestones: year 2040 is after the horizon 2035``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Loc = tuple[str | int, ...]


def format_loc(loc: Loc) -> str:
    """``('rules', 0, 'limit')`` -> ``rules[0].limit``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            # A key that is not a plain printable name (empty, spaces around it, a line
            # break) is quoted, so the message stays one readable line.
            name = str(part)
            if not name or not name.isprintable() or name != name.strip():
                name = repr(name)
            out += f".{name}" if out else name
    return out


def one_line(text: str) -> str:
    """``text`` with line breaks and other control characters escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario.

    ``str(problem)`` is the line users see: ``SOURCE:LINE: key.path: message``.

    Attributes
    ----------
    source : str
        Where the scenario came from: a file path, ``--set`` or ``<string>``.
    line : int or None
        The line in ``source`` (from 1), where it is known.
    loc : tuple of str and int
        The key path, e.g. ``('rules', 0, 'limit')``; empty for the file as a whole.
    message : str
        What is wrong.
    """

    source: str
    line: int | None
    loc: Loc
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        key = format_loc(self.loc)
        message = one_line(self.message)
        return f"{where}: {key}: {message}" if key else f"{where}: {message}"


class ScenarioError(Exception):
    """A scenario could not be loaded or validated; carries every problem found.

    The message is one line per problem, in the order found.

    Parameters
    ----------
    problems : iterable of Problem
        Every problem found.

    Attributes
    ----------
    problems : tuple of Problem
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: Sequence[Problem] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(
        cls, source: str, message: str, line: int | None = None, loc: Loc = ()
    ) -> ScenarioError:
        """An error carrying one problem.

        Parameters
        ----------
        source : str
            A file path, ``--set`` or ``<string>``.
        message : str
            What is wrong.
        line : int, optional
            The line in ``source``, from 1.
        loc : tuple of str and int
            The key path; empty for the source as a whole.

        Returns
        -------
        ScenarioError
        """
        return cls([Problem(source, line, loc, message)])
