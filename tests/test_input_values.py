"""Values that crashed or were wrongly accepted: non-finite numbers, integers too large for
any key, yes/no values taken for 1 and 0, numbers YAML 1.1 reads otherwise than they look,
the same year twice, and a history CSV's years.

Every numeric key of the registry is tried, in a file and with ``--set``: each bad value is
a ScenarioError (exit code 2), one line per problem, located at that key.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from budgetsim.errors import Loc, ScenarioError, format_loc
from budgetsim.input.loader import load_text
from budgetsim.input.registry import NOT_NUMBERS, ScenarioSpec, section_of
from tests.conftest import ROOT, invoke

SMALL = ROOT / "tests" / "fixtures" / "small.yaml"
#: small.yaml with an item in every list of sections, so that every key has a place.
FULL_DATA: dict[str, Any] = {
    **yaml.safe_load(SMALL.read_text(encoding="utf-8")),
    "funding": {"tax_freeze": False, "sources": [{"name": "aid", "cap": 5}]},
    "rules": [
        {
            "name": "deficit",
            "type": "deficit_ceiling",
            "limit": 3,
            "years": [2029, 2030],
            "defence_exemption": 1.5,
            "escape_clause": {"limit": 1, "years": [2028]},
        }
    ],
    "uncertainty": {"growth_sd": 1, "deflator_sd": 1, "rate_sd": 0.5},
}
#: The same with defence in components (each with its own funding) and a target, so that
#: the components' and targets' keys have a place too.
COMPONENTS_DATA: dict[str, Any] = {
    **FULL_DATA,
    "defence": {
        "base_share": 2,
        "components": [
            {
                "name": "core",
                "base_share": 2,
                "milestones": {2030: 3},
                "funding": {"sources": [{"name": "core_aid", "cap": 1}]},
            }
        ],
        "targets": [{"name": "core 3 %", "components": ["core"], "share": 3, "year": 2030}],
    },
}
HUGE = "1" + "0" * 400


def numeric_keys(model: type[BaseModel] = ScenarioSpec, prefix: Loc = ()) -> list[Loc]:
    """Every key path whose values are numbers (list items of sections as item 0)."""
    out: list[Loc] = []
    for name, info in model.model_fields.items():
        sub = section_of(info)
        if sub is not None:
            many = "list" in str(info.annotation)
            out += numeric_keys(sub, (*prefix, name, 0) if many else (*prefix, name))
            continue
        extra = info.json_schema_extra
        if isinstance(extra, dict) and extra.get("x-unit") not in NOT_NUMBERS:
            out.append((*prefix, name))
    return out


NUMERIC_KEYS = numeric_keys()


def test_every_kind_of_numeric_key_is_covered() -> None:
    names = {format_loc(loc) for loc in NUMERIC_KEYS}
    assert {"economy.gdp", "years.base", "defence.milestones", "uncertainty.seed"} <= names
    assert {"rules[0].years", "rules[0].escape_clause.years", "funding.sources[0].cap"} <= names
    assert len(NUMERIC_KEYS) > 40


def set_path(data: dict[str, Any], loc: Loc, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    target: Any = out
    for part in loc[:-1]:
        target = target.setdefault(part, {}) if isinstance(target, dict) else target[part]
    target[loc[-1]] = value
    return out


def problems(text: str, overrides: tuple[str, ...] = ()) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_text(text, "f.yaml", overrides=overrides)
    lines = [str(p) for p in info.value.problems]
    assert all("\n" not in line for line in lines), lines
    return lines


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False)


def test_the_full_scenarios_load() -> None:
    assert load_text(dump(FULL_DATA)).horizon == 2030
    assert load_text(dump(COMPONENTS_DATA)).horizon == 2030


def data_for(loc: Loc) -> dict[str, Any]:
    """The full scenario in which ``loc`` has a place."""
    return (
        COMPONENTS_DATA
        if loc[:2] in (("defence", "components"), ("defence", "targets"))
        else FULL_DATA
    )


BAD_NUMBERS = {
    "nan": ".nan",
    "inf": ".inf",
    "minus-inf": "-.inf",
    "huge-integer": HUGE,
    "yes-no": "on",
}


@pytest.mark.parametrize("loc", NUMERIC_KEYS, ids=format_loc)
@pytest.mark.parametrize("text", BAD_NUMBERS.values(), ids=BAD_NUMBERS.keys())
def test_a_bad_number_is_an_error_at_its_key(loc: Loc, text: str) -> None:
    """NaN, infinity, 10**400 and yes/no, in a file and with --set, at every numeric key:
    an error at that key (NaN passed with a warning, 10**400 raised OverflowError, ``on``
    ran as 1.0)."""
    key = format_loc(loc)
    data = data_for(loc)
    file_text = dump(set_path(data, loc, "__VALUE__")).replace("__VALUE__", text)
    for lines, source in (
        (problems(file_text), "f.yaml:"),
        (problems(dump(data), (f"{_set_key(loc)}={text}",)), "--set: "),
    ):
        assert any(line.startswith(source) and f": {key}" in line for line in lines), lines


def _set_key(loc: Loc) -> str:
    return ".".join(str(part) for part in loc)


@pytest.mark.parametrize(
    "assignment",
    [
        "defence.milestones.2030=.nan",
        "defence.milestones={2030: .inf}",
        "economy.real_growth={2025: 1, 2027: .nan}",
        "economy.deflator=[2, 2, .nan, 2, 2, 2]",
        f"defence.milestones={{{HUGE}: 3}}",
        "defence.milestones.2030=yes",
    ],
)
def test_a_bad_value_inside_a_map_or_list_is_located_there(assignment: str) -> None:
    (line,) = problems(dump(FULL_DATA), (assignment,))
    assert line.startswith("--set: "), line


@pytest.mark.parametrize(
    "args",
    [
        ("run",),
        ("check",),
        ("solve", "--for", "max-share", "-f", "json"),
        ("frontier", "-f", "csv", "--years", "2029,2030"),
        ("frontier", "-f", "json", "--years", "2029,2030"),
        ("stress", "-f", "json"),
        ("fan", "--draws", "100", "-f", "json"),
    ],
    ids=lambda a: " ".join(a),
)
def test_a_nan_milestone_is_bad_input_for_every_command(args: tuple[str, ...]) -> None:
    """It wrote `nan` cells (frontier CSV), crashed (JSON) or diverged (run, exit 1)."""
    command, *rest = args
    res = invoke(command, "scenarios/uk_2030.yaml", *rest, "--set", "defence.milestones.2030=.nan")
    assert (res.exit_code, res.stdout) == (2, ""), res.output
    assert res.stderr == (
        "--set: defence.milestones[2030]: the value for 2030 is nan, not a finite number\n"
    )


# --- yes/no values ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("assignment", "expected"),
    [
        ("finances.debt=on", "--set: finances.debt: expected a number, got a yes/no value (true)"),
        ("economy.gdp=yes", "--set: economy.gdp: expected a number, got a yes/no value (true)"),
        ("years.base=yes", "--set: years.base: expected a year, got a yes/no value (true)"),
        (
            "defence.shape=off",
            "--set: defence.shape: expected one of 'linear', 'front', 'back', 'step', got a "
            "yes/no value (false)",
        ),
        ("meta.title=no", "--set: meta.title: expected text (put it in quotes), got a yes/no"),
        ("rules.0.years=[2029, on]", "--set: rules[0].years[1]: expected a year, got a yes/no"),
    ],
)
def test_a_yes_no_value_is_no_number(assignment: str, expected: str) -> None:
    (line,) = problems(dump(FULL_DATA), (assignment,))
    assert line.startswith(expected), line
    assert line.endswith("YAML 1.1 reads yes, no, on, off, true and false as yes/no"), line


@pytest.mark.parametrize("word", ["no", "off", "false", "yes", "on", "true"])
def test_a_yes_no_key_takes_yes_and_no(word: str) -> None:
    scn = load_text(dump(FULL_DATA), overrides=(f"funding.tax_freeze={word}", "funding.sources=[]"))
    assert scn.tax_freeze is (word in ("yes", "on", "true"))


def test_quoted_yes_is_text() -> None:
    assert load_text(dump(FULL_DATA), overrides=("meta.title='No'",)).title == "No"


# --- numbers YAML 1.1 reads otherwise ------------------------------------------------


@pytest.mark.parametrize(
    ("written", "reading"),
    [
        ("0x3E8", "1000 (hexadecimal)"),
        ("010", "8 (octal, from the leading 0)"),
        ("0b1010", "10 (binary)"),
        ("1:30", "90 (base 60, as in a time of day)"),
        ("1:30.5", "90.5 (base 60, as in a time of day)"),
    ],
)
def test_a_number_read_unlike_its_look_is_refused(written: str, reading: str) -> None:
    value = reading.split()[0]
    expected = (
        f"interest.maturity: YAML 1.1 reads '{written}' as {reading}; write {value} if you "
        "mean it, or put the text in quotes"
    )
    file_text = dump(FULL_DATA).replace("maturity: 10", f"maturity: {written}")
    assert problems(file_text) == [f"f.yaml:22: {expected}"]
    assert problems(dump(FULL_DATA), (f"interest.maturity={written}",)) == [f"--set: {expected}"]


def test_a_year_key_read_as_base_60_is_refused() -> None:
    """``33:50`` is 33 * 60 + 50 = 2030 to YAML 1.1: a milestone nobody wrote."""
    assert problems(dump(FULL_DATA), ("defence.milestones={33:50: 3}",)) == [
        "--set: defence.milestones: YAML 1.1 reads '33:50' as 2030 (base 60, as in a time of "
        "day); write 2030 if you mean it, or put the text in quotes"
    ]


@pytest.mark.parametrize(("written", "value"), [("07", 7), ("1_0", 10), ("+10", 10), ("1e1", 10)])
def test_numbers_that_mean_what_they_look_are_accepted(written: str, value: float) -> None:
    assert load_text(dump(FULL_DATA), overrides=(f"interest.maturity={written}",)).maturity == value


@pytest.mark.parametrize(
    ("written", "kind"), [("2020-13-45", "date"), ("!!int abc", "int"), ("!!float x", "float")]
)
def test_a_value_that_is_not_what_yaml_takes_it_for(written: str, kind: str) -> None:
    """These raised ValueError inside the YAML reader (a traceback)."""
    text = written.split()[-1]
    assert problems(dump(FULL_DATA), (f"meta.description={written}",)) == [
        f"--set: meta.description: '{text}' is not a valid {kind}, which YAML takes it for; put "
        "it in quotes"
    ]


# --- the same year twice -------------------------------------------------------------


@pytest.mark.parametrize("key", ["defence.milestones", "economy.real_growth"])
def test_the_same_year_twice_is_an_error(key: str) -> None:
    """``{2030: 3, '2030': 4}`` kept the last silently."""
    assignment = f"{key}={{2025: 1, 2030: 3, '2030': 4}}"
    assert problems(dump(FULL_DATA), (assignment,)) == [
        f"--set: {key}: duplicate key (first given on line 1): 2030 and '2030' are one year"
    ]


def test_the_same_year_twice_in_a_file() -> None:
    text = dump(FULL_DATA).replace("milestones:\n    2030: 3", "milestones: {2030: 3, ' 2030': 4}")
    assert problems(text) == [
        "f.yaml:14: defence.milestones[2030]: duplicate key (first given on line 14): 2030 and "
        "' 2030' are one year"
    ]


# --- fiscal years written as such -----------------------------------------------------


@pytest.mark.parametrize(
    "assignment",
    [
        "years.base='2024-25'",
        "years.base=2024/25",
        "defence.milestones={'2029-30': 3}",
        "economy.real_growth={'2024-25': 1}",
        "rules.0.years=['2029-30']",
    ],
)
def test_a_fiscal_year_is_written_as_the_year_it_starts(assignment: str) -> None:
    (line,) = problems(dump(FULL_DATA), (assignment,))
    start = assignment.split("'")[1] if "'" in assignment else "2024/25"
    assert line.endswith(f": write the year the fiscal year starts, {start[:4]} for {start}"), line


# --- a history CSV's years -------------------------------------------------------------


@pytest.mark.parametrize("year", ["1e300", "2000.5", "10000", "-2000"])
def test_a_history_year_must_be_a_year(tmp_path: Path, year: str) -> None:
    """``1e300`` raised OverflowError; ``2000.5`` was cut to 2000 without a word."""
    csv = tmp_path / "h.csv"
    rows = "".join(f"{1990 + i},1,2,3\n" for i in range(12))
    csv.write_text(
        "year,real_gdp_growth_pct,gdp_deflator_growth_pct,gilt10y_avg_pct\n"
        + rows
        + f"{year},1,2,3\n",
        encoding="utf-8",
    )
    res = invoke("calibrate", csv)
    assert (res.exit_code, res.stdout) == (2, "")
    assert res.stderr == f"{csv}:14: not a year in '{year},1,2,3' (from 1000 to 9999)\n"
