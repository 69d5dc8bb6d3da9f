"""The examples in the documentation, as data: every command a page shows, what it shows
it printing, and the files a page says to save first (tests/test_docs_examples.py runs
them).

A page shows an example in one of these ways:

- a fenced block of a shell session: lines ``$ COMMAND`` (continued with ``\\``), each
  followed by what it prints, up to the next ``$`` line;
- a ``sh`` block of commands without their output: each ``budgetsim ...`` line is run;
- an HTML comment ``<!-- $ COMMAND -->`` right before a fenced block: the block is what
  the command prints (abridged, as the page says); or, before Markdown that is not fenced
  (a table pasted into the page), everything up to ``<!-- end -->``, an excerpt that may
  start anywhere in what is printed;
- an HTML comment ``<!-- file: PATH -->`` right before a fenced block: the block is saved
  as PATH before the page's commands run;
- a ``python`` block: run as it is.

In what a page shows, a line ``...`` (or a line with ``...`` in it) stands for lines left
out; every other line must be printed, in order, the lines between two shown lines
consecutive. Lines with a placeholder in capitals (``FILE``, ``PATH``, ``[OPTIONS]``) are
a command's synopsis, not an example.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: Pages without examples to run: generated reference tables and the mutation report.
NOT_EXAMPLES = ("parameters.md", "mutation.md", "api.md")  # api.md is a doctest of its own

_SYNOPSIS = re.compile(
    r"\b(FILE|PATH|NAME|SERIES|YEARS?|PCT|DIR|CSV|KEY\.PATH|VALUE|TEXT|WxH|S|N)\b"
    r"|\[(--|-[a-z]|[A-Z])|\.\.\.|\|\s*\w+\s*\|"
)


@dataclass
class Command:
    """One command of a page and what the page shows it printing (None: not shown)."""

    page: str
    line: int
    text: str
    shown: list[str] | None = None


@dataclass
class Page:
    """A page's examples, in the order they appear."""

    name: str
    files: dict[str, str] = field(default_factory=dict)
    commands: list[Command] = field(default_factory=list)
    python: list[tuple[int, str]] = field(default_factory=list)


def is_synopsis(text: str) -> bool:
    """A usage line with placeholders (``budgetsim run [OPTIONS] FILE``), not an example."""
    return bool(_SYNOPSIS.search(text))


def _blocks(text: str) -> list[tuple[int, str, list[str], str]]:
    """Each fenced block: (line of its opening fence, info string, lines, the comment right
    before it or '')."""
    lines = text.splitlines()
    out = []
    i = 0
    while i < len(lines):
        m = re.match(r"^(`{3,})(\w*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        fence, info, start = m.group(1), m.group(2), i
        j = i + 1
        while j < len(lines) and not lines[j].startswith(fence):
            j += 1
        before = start - 1
        while before >= 0 and not lines[before].strip():
            before -= 1
        comment = lines[before].strip() if before >= 0 else ""
        comment = comment if comment.startswith("<!--") and comment.endswith("-->") else ""
        out.append((start + 1, info, lines[start + 1 : j], comment))
        i = j + 1
    return out


def _joined(lines: list[str]) -> list[tuple[int, str]]:
    """Lines with ``\\`` continuations joined: (index of the first, text)."""
    out: list[tuple[int, str]] = []
    k = 0
    while k < len(lines):
        first, text = k, lines[k]
        while text.endswith("\\") and k + 1 < len(lines):
            k += 1
            text = text[:-1].rstrip() + " " + lines[k].strip()
        out.append((first, text))
        k += 1
    return out


def _regions(text: str) -> list[tuple[int, str, list[str]]]:
    """Each ``<!-- $ COMMAND -->`` followed by unfenced text up to ``<!-- end -->``: (line
    of the comment, command, the lines between, without the blank first and last)."""
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines):
        m = re.fullmatch(r"<!-- \$ (.*) -->", line.strip())
        if not m:
            continue
        k = i + 1
        while k < len(lines) and not lines[k].strip():
            k += 1
        if k < len(lines) and lines[k].startswith("```"):
            continue  # a fenced block: _blocks has it
        end = next((j for j in range(k, len(lines)) if lines[j].strip() == "<!-- end -->"), None)
        if end is None:
            raise ValueError(f"line {i + 1}: <!-- $ ... --> without <!-- end -->")
        body = lines[k:end]
        while body and not body[-1].strip():
            body.pop()
        out.append((i + 1, m.group(1).strip(), body))
    return out


def parse(path: Path) -> Page:
    """Every example of one page."""
    page = Page(path.name)
    text = path.read_text(encoding="utf-8")
    for line, cmd, body in _regions(text):  # an excerpt: it may start anywhere
        page.commands.append(Command(page.name, line, cmd, ["...", *body] if body else []))
    for line, info, body, comment in _blocks(text):
        if comment.startswith("<!-- file:"):
            name = comment.removeprefix("<!-- file:").removesuffix("-->").strip()
            page.files[name] = "\n".join(body) + "\n"
            continue
        if comment.startswith("<!-- $"):
            cmd = comment.removeprefix("<!-- $").removesuffix("-->").strip()
            page.commands.append(Command(page.name, line, cmd, body))
            continue
        if info == "python":
            page.python.append((line, "\n".join(body)))
            continue
        if any(b.startswith("$ ") for b in body):
            current: Command | None = None
            for k, text in _joined(body):
                if text.startswith("$ "):
                    current = Command(page.name, line + k, text[2:].strip(), [])
                    page.commands.append(current)
                elif current is not None and current.shown is not None:
                    current.shown.append(text)
            continue
        if info == "sh":
            for k, text in _joined(body):
                cmd = text.split(" #")[0].strip()
                if cmd.startswith("budgetsim ") and not is_synopsis(cmd):
                    page.commands.append(Command(page.name, line + k, cmd))
    return page


def pages() -> list[Page]:
    """The examples of every page that has some."""
    out = [parse(p) for p in PAGES if p.name not in NOT_EXAMPLES]
    for page in out:
        page.commands.sort(key=lambda c: c.line)
    return out


def matches(shown: list[str], printed: list[str]) -> str | None:
    """None if ``printed`` is what ``shown`` shows (see the module docstring); else the
    first line of ``shown`` that was not printed where it should be."""
    printed = [p.rstrip() for p in printed]
    k = 0
    gap = False
    for line in (s.rstrip() for s in shown):
        if "..." in line:
            gap = True
            continue
        if gap:
            while k < len(printed) and printed[k] != line:
                k += 1
        if k >= len(printed) or printed[k] != line:
            return line
        k += 1
        gap = False
    return None
