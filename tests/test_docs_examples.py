"""Every example in the documentation runs, and prints what the page shows.

The examples of README.md and docs/*.md (tests/docs_examples.py says how a page shows
one) run in a scratch copy of the project's scenarios, fixtures and docs, in the order the
page gives them, in-process (as ``budgetsim ARGS``; the shell's globs, braces,
``| head``, ``>``, ``||``, ``echo $?``, ``cat`` and ``head`` are done here). ``budgetsim
serve`` runs with uvicorn's ``run`` replaced (it would serve for ever), and ``curl`` of the
server's default address, http://127.0.0.1:8000/, is answered by the app in-process
(FastAPI's test client; no server, no network). A command
that a page shows without its output must exit 0 (or 1 after ``||``); one whose output
is shown must print it (stdout then stderr, or the other way round); none may end in a
traceback. A page that documents a command that fails, or shows numbers the code no
longer gives, fails here.
"""

from __future__ import annotations

import glob
import itertools
import os
import re
import shlex
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from tests.conftest import ROOT, invoke
from tests.docs_examples import Command, Page, matches, pages

PAGES = pages()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of what the examples read (and may write over: docs/img)."""
    root = tmp_path_factory.mktemp("docs-examples")
    for folder in ("scenarios", "tests/fixtures", "docs/img", "scripts", "sim/data"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


def braces(word: str) -> list[str]:
    """The shell's brace expansion of one word (one level): a{b,c}d -> abd, acd."""
    m = re.search(r"\{([^{}]*,[^{}]*)\}", word)
    if not m:
        return [word]
    return [
        expanded
        for part in m.group(1).split(",")
        for expanded in braces(word[: m.start()] + part + word[m.end() :])
    ]


def words(text: str) -> list[str]:
    """A command's words as the shell gives them: quotes removed, braces and globs
    expanded (against the current folder)."""
    out = []
    for token in shlex.split(text):
        # The shell expands braces only outside quotes: a word with a space was quoted.
        for word in [token] if " " in token else braces(token):
            found = sorted(glob.glob(word)) if any(c in word for c in "*?") else []
            out.extend(found or [word])
    return out


#: The address ``budgetsim serve`` listens on by default, as the pages' curl examples give it.
SERVER = "http://127.0.0.1:8000"


@cache
def web_client() -> Any:
    """The app ``budgetsim serve`` starts, behind FastAPI's test client."""
    from fastapi.testclient import TestClient

    from budgetsim.web.app import create_app

    return TestClient(create_app())


def curl(argv: list[str]) -> tuple[int, str, str]:
    """``curl -s [-X METHOD] [-H 'NAME: VALUE']... [-d DATA] URL`` against the app, for a URL
    on :data:`SERVER`: (exit code, the response body, '') as curl without ``-f`` gives them."""
    method, headers, data, path = "GET", {}, None, None
    args = iter(argv[1:])
    for arg in args:
        if arg == "-s":
            continue
        if arg == "-X":
            method = next(args)
        elif arg == "-H":
            name, _, value = next(args).partition(":")
            headers[name.strip()] = value.strip()
        elif arg in ("-d", "--data"):
            data = next(args).encode()
            method = "POST" if method == "GET" else method
        elif arg.startswith(SERVER + "/"):
            path = arg.removeprefix(SERVER)
        else:
            raise AssertionError(f"not a curl argument the test knows: {arg}")
    assert path is not None, f"curl of no URL on {SERVER}: {argv}"
    res = web_client().request(method, path, content=data, headers=headers)
    return 0, res.text, ""


class Shell:
    """The little of a shell the examples use, with the last exit code for ``echo $?``."""

    def __init__(self) -> None:
        self.code = 0

    def run(self, text: str) -> tuple[int, str, str]:
        """Run one example line: (exit code, stdout, stderr)."""
        allow_one = False
        if "||" in text:
            text, allow_one = text.split("||")[0].strip(), True
        head = None
        m = re.search(r"\|\s*head -(\d+)\s*$", text)
        if m:
            text, head = text[: m.start()].strip(), int(m.group(1))
        into = None
        m = re.search(r">\s*(\S+)\s*$", text)
        if m and not text.startswith("echo"):
            text, into = text[: m.start()].strip(), m.group(1)
        argv = words(text)
        if argv[:2] == ["echo", "$?"]:
            code, out, err = 0, f"{self.code}\n", ""
        elif argv[0] == "cat":
            code, out, err = 0, Path(argv[1]).read_text(encoding="utf-8"), ""
        elif argv[0] == "head":
            lines = Path(argv[-1]).read_text(encoding="utf-8").splitlines(keepends=True)
            code, out, err = 0, "".join(lines[: int(argv[1].lstrip("-n"))]), ""
        elif argv[0] == "ls":
            assert Path(argv[-1]).exists(), argv
            code, out, err = 0, "", ""  # a listing has dates: not compared
        elif argv[0] == ".venv/bin/python":
            done = subprocess.run(
                [sys.executable, *argv[1:]], capture_output=True, text=True, timeout=300
            )
            code, out, err = done.returncode, done.stdout, done.stderr
        elif argv[0] == "curl":
            code, out, err = curl(argv)
        else:
            assert argv[0] == "budgetsim", f"not an example the test knows how to run: {text}"
            with mock.patch("uvicorn.run"), mock.patch.dict(os.environ):  # budgetsim serve
                res = invoke(*argv[1:])
            assert res.exception is None or isinstance(res.exception, SystemExit), (
                f"{text}: {res.exception!r}"
            )
            assert "Traceback" not in res.output, res.output
            code, out, err = res.exit_code, res.stdout, res.stderr
        if head is not None:
            out = "".join(out.splitlines(keepends=True)[:head])
        if into is not None:
            Path(into).write_text(out, encoding="utf-8")
            out = ""
        self.code = code
        if allow_one and code in (0, 1):
            self.code = 0
        return self.code, out, err


def check(cmd: Command, shell: Shell) -> str | None:
    """Run one example; None if it does what the page says, else why not."""
    code, out, err = shell.run(cmd.text)
    where = f"{cmd.page}:{cmd.line}: {cmd.text}"
    if cmd.shown is None or cmd.text.startswith("ls "):  # a listing's dates: not compared
        return None if code == 0 else f"{where}: exit {code}\n{err}"
    printed = [(out + err).splitlines(), (err + out).splitlines()]
    missing = [matches(cmd.shown, p) for p in printed]
    if None in missing:
        return None
    return f"{where}: does not print\n    {missing[0]!r}\nbut:\n{out}{err}"


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_example_runs_as_shown(
    page: Page, scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(scratch)
    for name, text in page.files.items():
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        Path(name).write_text(text, encoding="utf-8")
    shell = Shell()
    problems = [p for cmd in page.commands if (p := check(cmd, shell)) is not None]
    for line, source in page.python:
        try:
            exec(compile(source, f"{page.name}:{line}", "exec"), {"__name__": "__main__"})
        except Exception as exc:  # the example must run as written
            problems.append(f"{page.name}:{line}: the Python example raises {exc!r}")
    assert not problems, "\n\n".join(problems)


def test_the_pages_have_examples() -> None:
    """The parser finds the examples (a change of format would otherwise pass silently)."""
    counts = {p.name: len(p.commands) for p in PAGES}
    assert sum(counts.values()) > 100, counts
    assert all(counts[name] for name in ("README.md", "cli.md", "solving.md", "output.md"))
    shown = sum(c.shown is not None for p in PAGES for c in p.commands)
    assert shown > 60, shown


def test_an_example_that_prints_something_else_fails() -> None:
    """The check is not vacuous: a wrong number, a missing line, and lines out of order."""
    printed = ["a", "b", "c", "d"]
    assert matches(["a", "b"], printed) is None
    assert matches(["...", "c", "d"], printed) is None
    assert matches(["a", "...", "d"], printed) is None
    assert matches(["a", "c"], printed) == "c"
    assert matches(["b"], printed) == "b"  # the first shown line is the first printed
    assert matches(["a", "...", "x"], printed) == "x"


def test_shell_words() -> None:
    assert braces("s/nato_{germany,france}.yaml") == ["s/nato_germany.yaml", "s/nato_france.yaml"]
    assert list(itertools.chain(*(braces(w) for w in ["a", "b{1,2}"]))) == ["a", "b1", "b2"]
    assert os.sep == "/"
