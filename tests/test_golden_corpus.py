"""Every command's output, in every format, on every shipped scenario, against the corpus.

The corpus (tests/golden/corpus/, written by scripts/golden_corpus.py) pins what users see:
a refactor that changes a byte of it fails here. Images and the HTML report, which embeds
them, depend on the installed matplotlib and FreeType, so only their commands' text output
is compared here; ``scripts/golden_corpus.py --check`` compares their hashes too.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "golden_corpus.py"


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("golden_corpus", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["golden_corpus"] = module
    spec.loader.exec_module(module)
    return module


GOLDEN = _module()
CASES = list(GOLDEN.cases())
#: Outputs whose bytes depend on the plotting library's version, not on budgetsim.
VERSION_BOUND = (".sha256", ".svg", ".html")


def test_corpus_covers_every_command() -> None:
    """Each command of the CLI appears in the corpus, so none can change unseen."""
    from budgetsim.cli.app import app

    commands = {str(c.name) for c in app.registered_commands}
    covered = {c.args[0] for c in CASES}
    assert commands <= covered, sorted(commands - covered)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_output_matches_corpus(case: Any) -> None:
    got = GOLDEN.generate([case])
    for name, value in got.items():
        if name.endswith(VERSION_BOUND):
            continue
        path = GOLDEN.CORPUS / name
        assert path.exists(), f"{name} is not in the corpus: run scripts/golden_corpus.py"
        assert value == path.read_text(encoding="utf-8"), (
            f"{name} differs from the corpus; if the change is deliberate, regenerate it with "
            "scripts/golden_corpus.py and list the change"
        )
