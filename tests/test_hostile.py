"""Hostile and malformed input : every case is one line ``FILE[:LINE]: message`` on
stderr and exit code 2, never a traceback, a hang or a half-written file; implausible values
load with a warning (exit code unchanged); ``--set`` is validated exactly like the file.

The cases already covered by a fixture (duplicate keys, tabs, non-UTF-8, an empty file, a
top-level list, extends cycles, a missing parent...) are in tests/test_loader.py; this file
adds what needs a generated file or a simulated system error. docs/errors.md lists every
message; tests/test_errors_doc.py keeps it in step with the fixtures.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from budgetsim.cli.app import app
from budgetsim.errors import ScenarioError
from budgetsim.input.files import load_file
from budgetsim.input.loader import load_text
from budgetsim.input.yamltext import MAX_ALIASES, MAX_ITEMS, MAX_NODES
from tests.conftest import ROOT

runner = CliRunner()
#: Run a command as the unprivileged user nobody (the tests run as root in CI).
AS_NOBODY = ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"]
SMALL_TEXT = (ROOT / "tests" / "fixtures" / "small.yaml").read_text(encoding="utf-8")


def billion_laughs(levels: int = 9) -> str:
    """The classic alias bomb: 9 levels of 9 aliases, 9**9 strings if expanded."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghijklmnop"[: levels - 1]:
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
        prev = name
    return "\n".join(lines) + "\n"


def one_problem(text: str, source: str = "f.yaml") -> str:
    with pytest.raises(ScenarioError) as info:
        load_text(text, source)
    (problem,) = info.value.problems
    return str(problem)


def cli(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


# --- structure limits --------------------------------------------------------------------


def test_billion_laughs_is_refused_at_the_alias_limit() -> None:
    """Refused after MAX_ALIASES copies, naming the key that expands (line 5, `e`); the time
    it takes is measured by benchmarks/hostile_input.py, not asserted here."""
    assert one_problem(billion_laughs()) == (
        f"f.yaml:5: e: aliases expand to more than {MAX_ALIASES} copies (an alias bomb?)"
    )


def test_a_few_aliases_are_fine() -> None:
    text = SMALL_TEXT.replace("deflator: 2}", "deflator: &p [2, 2, 2, 2, 2, 2]}").replace(
        "short_rate: 3,", "short_rate: *p,"
    )
    assert text != SMALL_TEXT
    assert load_text(text).short_rate.tolist() == pytest.approx([0.02] * 6)


def test_long_list_is_refused() -> None:
    text = SMALL_TEXT.replace("real_growth: 1.5", "real_growth: [" + "1, " * MAX_ITEMS + "1]")
    assert one_problem(text) == (
        f"f.yaml:4: economy.real_growth: has {MAX_ITEMS + 1} items; at most {MAX_ITEMS}"
    )


def test_many_values_are_refused() -> None:
    """Within every other limit (short lists, few aliases), the total is still bounded."""
    rows = "\n".join(f"k{i}: [" + ", ".join(["1"] * 100) + "]" for i in range(MAX_NODES // 100))
    message = one_problem(rows + "\n")
    assert message.endswith(f"document too large (more than {MAX_NODES} values)"), message


def test_horizon_longer_than_200_years_is_refused() -> None:
    text = SMALL_TEXT.replace("horizon: 2030", "horizon: 2299")
    assert one_problem(text) == "f.yaml:3: years.horizon: at most 200 projected years, not 275"


# --- files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            b"\x89PNG\x00\x00\x00\rIHDR",
            "is not UTF-8 text (it has a NUL byte: a binary file, or UTF-16?)",
            id="png",
        ),
        pytest.param(
            "meta: {}\n".encode("utf-16"),
            "is not UTF-8 text (it has a NUL byte: a binary file, or UTF-16?)",
            id="utf-16",
        ),
        pytest.param(b"\x7fELF\x02\x01\x01", "invalid YAML: character #x007f", id="elf-header"),
        pytest.param(b"meta: \xff\xfe\n", "is not UTF-8 text", id="latin-1"),
    ],
)
def test_binary_file(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_bytes(content)
    code, out, err = cli("run", path)
    assert (code, out) == (2, "")
    assert err.startswith(f"{path}:1: {expected}"), err
    assert len(err.splitlines()) == 1


def refuse_open(monkeypatch: pytest.MonkeyPatch, path: Path, error: OSError) -> None:
    """Make opening ``path`` (only) fail with ``error``, at the system-call boundary."""
    real_open = os.open

    def open_(file: str | Path, flags: int, *args: int, **kwargs: int) -> int:
        if Path(file) == path:
            raise error
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)


def test_permission_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated here; test_unreadable_file has a real one, as another user."""
    path = tmp_path / "secret.yaml"
    path.write_text(SMALL_TEXT, encoding="utf-8")
    refuse_open(monkeypatch, path, PermissionError(13, "Permission denied", str(path)))
    assert cli("run", path) == (2, "", f"{path}: permission denied\n")


@pytest.mark.parametrize("command", ["validate", "calibrate"])
def test_unreadable_file(command: str) -> None:
    """A file its reader may not read: one line, exit 2 (not the parser's box of several).
    As a user other than root (nobody, with setpriv), who cannot read a file of mode 0."""
    folder = Path(tempfile.mkdtemp(prefix="budgetsim-unreadable-"))
    try:
        folder.chmod(0o755)
        path = folder / "secret.yaml"
        path.write_text(SMALL_TEXT, encoding="utf-8")
        path.chmod(0)
        res = subprocess.run(
            [*AS_NOBODY, sys.executable, "-m", "budgetsim.cli", command, str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert (res.returncode, res.stdout, res.stderr) == (2, "", f"{path}: permission denied\n")
    finally:
        shutil.rmtree(folder)


def test_other_os_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SMALL_TEXT, encoding="utf-8")
    refuse_open(monkeypatch, path, OSError(5, "Input/output error"))
    assert cli("check", path) == (2, "", f"{path}: cannot be read: Input/output error\n")


@pytest.mark.parametrize("tag", ["!!python/object:os.system", "!custom", "!!python/name:os.path"])
def test_unsafe_or_unknown_tags_are_refused(tag: str) -> None:
    text = SMALL_TEXT.replace("title: Small test scenario", f"title: {tag} x")
    assert one_problem(text) == f"f.yaml:2: meta.title: unknown YAML tag {tag}: write a plain value"


def test_control_character() -> None:
    assert one_problem("meta: {}\nyears: \x07\n") == (
        "f.yaml:2: invalid YAML: character #x0007 is not allowed in YAML text"
    )


# --- did you mean, implausible values ----------------------------------------------------


def test_set_unknown_key_gets_a_suggestion() -> None:
    with pytest.raises(ScenarioError) as info:
        load_file(ROOT / "tests/fixtures/small.yaml", ["interest.maturty=10"])
    (problem,) = info.value.problems
    assert str(problem).startswith("--set: interest.maturty: unknown key; did you mean 'maturity'?")


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        pytest.param(
            "defence.base_share=0.023",
            "--set: defence.base_share: warning: 0.023 (% of GDP) is under 0.1: 2.3 written as a "
            "fraction? percentages are written in percent (2.5 means 2.5 %)",
            id="share-as-fraction",
        ),
        pytest.param(
            "economy.real_growth=0.025",
            "--set: economy.real_growth: warning: 0.025 (% a year) is under 0.1: 2.5 written as a "
            "fraction? percentages are written in percent (2.5 means 2.5 %)",
            id="growth-as-fraction",
        ),
        pytest.param(
            "finances.receipts={2025: 3, 2030: 38}",
            "--set: finances.receipts[2025]: warning: 3 is outside the plausible range 5 to 70 "
            "(% of GDP)",
            id="one-year-of-a-map",
        ),
        pytest.param(
            "interest.maturity=45",
            "--set: interest.maturity: warning: 45 is outside the plausible range 1 to 30 (years)",
            id="maturity",
        ),
        pytest.param(
            "economy.deflator=[2, 2, 45, 2, 2, 2]",
            "--set: economy.deflator[2]: warning: 45 is outside the plausible range -10 to 30 "
            "(% a year)",
            id="one-item-of-a-list",
        ),
        pytest.param(
            "uncertainty={growth_sd: 9, deflator_sd: 1, rate_sd: 0.5}",
            "--set: uncertainty.growth_sd: warning: 9 is outside the plausible range 0 to 6 (pp)",
            id="shock-size",
        ),
    ],
)
def test_implausible_value_warns_and_runs(assignment: str, message: str) -> None:
    code, out, err = cli("run", "tests/fixtures/small.yaml", "-f", "csv", "--set", assignment)
    assert code == 0
    assert out.startswith("year,"), out
    assert err == message + "\n"


def test_warning_in_a_file_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(SMALL_TEXT.replace("maturity: 10", "maturity: 45"), encoding="utf-8")
    scn = load_file(path)
    assert [str(w) for w in scn.warnings] == [
        f"{path}:7: interest.maturity: warning: 45 is outside the plausible range 1 to 30 (years)"
    ]
    code, out, err = cli("validate", path)
    assert (code, out) == (0, f"{path}: OK\n")
    assert err == f"{scn.warnings[0]}\n"


def test_plausible_values_give_no_warning() -> None:
    assert load_file(ROOT / "tests/fixtures/small.yaml").warnings == ()
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        assert load_file(path).warnings == (), path


HINT = "; percentages are written in percent (2.5 means 2.5 %)"
THRESHOLD = (
    "interest.risk_premium.threshold: warning: {} is outside the plausible range 20 to 300 "
    "(% of GDP)"
)


@pytest.mark.parametrize(
    ("threshold", "hint"),
    [
        ("0.5", True),  # 50 % written as a fraction
        ("0.2", True),  # 20 %: the plausible minimum, as a fraction
        ("0.199", False),  # 19.9 % would still be implausible: no hint
        ("1", False),  # 1 or more is not a fraction of one
        ("1.5", False),
    ],
)
def test_percent_hint_only_where_the_value_in_percent_is_plausible(
    threshold: str, hint: bool
) -> None:
    """The hint to write percent is added when the value is under 1 in size and 100 times
    it is inside the plausible range (the debt threshold: plausible 20 % to 300 % of GDP)."""
    scn = load_file(
        ROOT / "tests/fixtures/small.yaml",
        [f"interest.risk_premium={{slope: 0.1, threshold: {threshold}}}"],
    )
    message = "--set: " + THRESHOLD.format(threshold) + (HINT if hint else "")
    assert [str(w) for w in scn.warnings] == [message]


def test_percent_hint_up_to_the_plausible_maximum() -> None:
    """Other spending of 0.7: 70 %, exactly the plausible maximum, written as a fraction."""
    scn = load_file(ROOT / "tests/fixtures/small.yaml", ["finances.other_spending=0.7"])
    assert [str(w) for w in scn.warnings] == [
        "--set: finances.other_spending: warning: 0.7 is outside the plausible range 5 to 70 "
        "(% of GDP)" + HINT
    ]


def test_keys_after_a_list_of_sections_are_checked_too() -> None:
    """The rules list comes before the uncertainty section: with a rule given, a shock size
    outside its plausible range still warns."""
    scn = load_file(
        ROOT / "tests/fixtures/small.yaml",
        [
            "rules=[{name: r, type: deficit_ceiling, limit: 3}]",
            "uncertainty={growth_sd: 10, deflator_sd: 1, rate_sd: 0.5}",
        ],
    )
    assert [str(w) for w in scn.warnings] == [
        "--set: uncertainty.growth_sd: warning: 10 is outside the plausible range 0 to 6 (pp)"
    ]


def test_the_ends_of_the_plausible_range_are_plausible() -> None:
    for assignment in ("finances.receipts=70", "finances.receipts=5", "economy.real_growth=0.1"):
        # 0.1: the fraction warning is for values under 0.1, not at it
        assert load_file(ROOT / "tests/fixtures/small.yaml", [assignment]).warnings == ()


def test_a_warning_in_a_list_item_names_the_item() -> None:
    rule = "rules=[{name: r, type: deficit_ceiling, limit: 3, defence_exemption: 15}]"
    scn = load_file(ROOT / "tests/fixtures/small.yaml", [rule])
    assert [str(w) for w in scn.warnings] == [
        "--set: rules[0].defence_exemption: warning: 15 is outside the plausible range 0 to 10 "
        "(% of GDP)"
    ]


def test_zero_is_never_taken_for_a_fraction() -> None:
    scn = load_file(ROOT / "tests/fixtures/small.yaml", ["finances.other_investment=0"])
    assert scn.warnings == ()


# --- --set is validated exactly like the file --------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("defence.base_share", "250"),
        ("interest.maturity", "0.5"),
        ("economy.gdp", "a lot"),
        ("economy.gdp", ".nan"),
        ("defence.milestones", "{2040: 3}"),
        ("defence.shape", "zigzag"),
        ("funding.sources", "[{name: tax, kind: tax}]"),
        ("economy.real_growth", "[1, 2]"),
    ],
)
def test_set_gives_the_same_message_as_the_file(tmp_path: Path, key: str, value: str) -> None:
    """The same value written in the file and given with --set: same message, same exit code;
    only the place differs (``--set`` instead of ``FILE:LINE``)."""
    section, name = key.split(".")
    data = yaml.safe_load(SMALL_TEXT)
    data.setdefault(section, {})[name] = yaml.safe_load(value)
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    file_code, _, file_err = cli("run", path)
    set_code, _, set_err = cli("run", "tests/fixtures/small.yaml", "--set", f"{key}={value}")
    assert file_code == set_code == 2
    file_msgs = [line.split(": ", 1)[1] for line in file_err.splitlines()]
    set_msgs = [line.split(": ", 1)[1] for line in set_err.splitlines()]
    assert file_msgs == set_msgs
    assert all(line.startswith("--set: ") for line in set_err.splitlines()), set_err


# --- atomic output -----------------------------------------------------------------------


def test_output_is_replaced_only_when_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the new file is being written the old one is untouched; a failure half-way
    (here: the sync after writing) leaves the old file and no temporary file behind."""
    out = tmp_path / "result.csv"
    out.write_text("previous result\n", encoding="utf-8")
    seen: list[str] = []
    real_fsync = os.fsync

    def watch_then_fail(fd: int) -> None:
        real_fsync(fd)
        seen.append(out.read_text(encoding="utf-8"))
        seen.extend(p.name for p in tmp_path.iterdir() if p.name != "result.csv")
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", watch_then_fail)
    code, stdout, err = cli("run", "tests/fixtures/small.yaml", "-f", "csv", "-o", out)
    assert (code, stdout) == (2, "")
    assert err == f"{out}: cannot write: Input/output error\n"
    assert seen[0] == "previous result\n"  # the old file, while the new one was written
    assert len(seen) == 2 and seen[1].startswith(".bs-"), seen  # the temporary file
    assert out.read_text(encoding="utf-8") == "previous result\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.csv"]
