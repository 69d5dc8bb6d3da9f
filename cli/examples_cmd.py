"""``budgetsim examples DIR``: copy the shipped scenarios into ``DIR/scenarios``.

The scenario files ship inside the package (``budgetsim.scenarios``, package data), so a
budgetsim installed with pip can run the README's commands: ``budgetsim examples .`` and
then ``budgetsim run scenarios/uk_2030.yaml``. A file already there with the same text is
left alone; one that differs (a scenario you edited) is never replaced: the command stops
before writing anything.
"""

from __future__ import annotations

import sys
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated

import typer

from budgetsim.cli.common import Outputs, fail
from budgetsim.cli.present.emit import plain


def shipped() -> list[tuple[str, bytes]]:
    """Every shipped scenario file: (path under ``scenarios/``, its bytes), sorted.

    Returns
    -------
    list of (str, bytes)
        ``uk_2030.yaml``, ``common/ally.yaml``, ...
    """
    out: list[tuple[str, bytes]] = []

    def walk(node: Traversable, prefix: str) -> None:
        for child in node.iterdir():
            if child.is_dir() and not child.name.startswith(("_", ".")):
                walk(child, f"{prefix}{child.name}/")
            elif child.name.endswith(".yaml"):
                out.append((prefix + child.name, child.read_bytes()))

    walk(files("budgetsim.scenarios"), "")
    return sorted(out)


def examples_command(
    directory: Annotated[
        Path,
        typer.Argument(
            help="Folder to copy the scenarios into (as DIR/scenarios); created if needed.",
            metavar="DIR",
            show_default=False,
        ),
    ],
) -> None:
    """Copy the shipped example scenarios into DIR/scenarios, to run the README's commands."""
    target = directory / "scenarios"
    out = Outputs()
    new: list[str] = []
    for rel, data in shipped():
        path = target / rel
        if path.is_file():
            try:
                same = path.read_bytes() == data
            except OSError as exc:
                fail(f"{plain(str(path))}: cannot be read: {exc.strerror or exc}")
            if same:
                continue
            fail(
                f"{plain(str(path))}: exists and differs from the shipped file; nothing was "
                "copied (move it away, or give another DIR)"
            )
        new.append(rel)
        out.file(path, data)
    try:
        for rel in new:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"{plain(str(target))}: cannot write: {exc.strerror or exc}")
    out.commit()
    shown = plain(str(target))
    if new:
        sys.stdout.write(f"{len(new)} scenario files copied to {shown}\n")
    else:
        sys.stdout.write(f"{shown}: every shipped scenario is there already\n")
