"""docs/api.md is a worked session: run it as a doctest, so every output it shows is the
output the code gives (a changed API or number fails here)."""

from __future__ import annotations

import doctest

from tests.conftest import ROOT


def test_api_page_runs_as_shown() -> None:
    failures, tried = doctest.testfile(
        str(ROOT / "docs" / "api.md"),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        raise_on_error=False,
    )
    assert tried > 20, tried
    assert failures == 0, f"{failures} of {tried} examples in docs/api.md fail"
