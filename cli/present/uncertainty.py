"""The fan and stress presenters: a Monte Carlo :class:`Fan` or a :class:`StressResult` as a
Document (tables, notes, JSON and CSV), for the one emitter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from budgetsim.cli.present.emit import (
    CHANCE,
    ROW_UNIT,
    Document,
    Sheet,
    Table,
    chance,
    md_code,
    md_text,
    number,
)

if TYPE_CHECKING:
    from budgetsim.uncertainty.montecarlo import Fan
    from budgetsim.uncertainty.stress import StressResult

#: The fanned series, in the order shown, with their row labels.
FAN_LINES = (
    ("Debt % GDP", "debt_pct_gdp"),
    ("PSNB % GDP", "psnb_pct_gdp"),
    ("Defence % GDP", "defence_pct_gdp"),
)


def _pct_names(fan: Fan) -> list[str]:
    from budgetsim.uncertainty.montecarlo import percentile_name

    return [percentile_name(q) for q in fan.percentiles]


def fan_rows(fan: Fan, verbose: bool = False) -> list[tuple[str, list[list[str]], bool]]:
    """(title, rows, collapsed) per fanned series: percentiles down, years across. A series
    whose every percentile row reads as its central row (defence on the share basis: no
    shock moves it) shows the central row alone (``collapsed``), unless ``verbose``.

    Parameters
    ----------
    fan : Fan
        The Monte Carlo run.
    verbose : bool
        Every row, repeated or not.

    Returns
    -------
    list of (str, list of list of str, bool)
    """
    names = _pct_names(fan)
    out = []
    for label, name in FAN_LINES:
        central = [number(v, "%") for v in fan.central[name]]
        rows = [["central", *central]]
        for k, p in enumerate(names):
            rows.append([p, *(number(v, "%") for v in fan.series[name][k])])
        collapsed = not verbose and all(r[1:] == central for r in rows[1:])
        out.append((label, rows[:1] if collapsed else rows, collapsed))
    return out


def fan_rule_rows(fan: Fan) -> tuple[list[str], list[list[str]]]:
    """Each rule in each of its years: the chance it passes and its headroom percentiles."""
    names = _pct_names(fan)
    header = ["Rule", "Year", "Chance it passes", "central", *names]
    rows = []
    for name, years in fan.rule_years.items():
        for j, year in enumerate(years):
            rows.append(
                [
                    name,
                    fan.label(year),
                    chance(fan.p_rule_pass[name][j]),
                    number(fan.headroom_central[name][j], fan.unit, signed=True),
                    *(
                        number(fan.headroom[name][k, j], fan.unit, signed=True)
                        for k in range(len(names))
                    ),
                ]
            )
    return header, rows


def fan_lines(fan: Fan) -> list[str]:
    """The chances under the tables, in percent of draws."""
    out = [f"{fan.draws:,} draws, seed {fan.seed}"]
    if fan.p_all_rules_pass is not None:
        out.append(
            f"Chance that every rule passes in all its years: {chance(fan.p_all_rules_pass)}"
        )
    if fan.target_year is not None and fan.p_target_met is not None:
        out.append(
            f"Chance that defence reaches the target {fan.target_pct_gdp:.2f} % of GDP in "
            f"{fan.label(fan.target_year)}: {chance(fan.p_target_met)}"
        )
    above = ", ".join(
        f"{lab} {chance(p)}" for lab, p in zip(fan.year_labels, fan.p_debt_above, strict=True)
    )
    out.append(f"Chance that debt exceeds {fan.debt_threshold_pct_gdp:g} % of GDP: {above}")
    if fan.clipped:
        out.append(
            "Beyond the percentile grid (those percentiles are its edge): " + ", ".join(fan.clipped)
        )
    return out


def fan_sheets(fan: Fan) -> list[Sheet]:
    """The fan's data: the percentiles in long form, one row per series and year (rules:
    per rule year), percentiles across (the CSV); and every chance, in % of draws.

    Parameters
    ----------
    fan : Fan
        The Monte Carlo run.

    Returns
    -------
    list of Sheet
    """
    pct = _pct_names(fan)
    header = ["series", "unit", "year", "label", "central", *pct]
    units = ["", "", "", "", *([ROW_UNIT] * (1 + len(pct)))]
    rows: list[list[Any]] = []
    for _, name in FAN_LINES:
        for j, year in enumerate(fan.years):
            rows.append(
                [
                    name,
                    "% of GDP",
                    year,
                    fan.year_labels[j],
                    float(fan.central[name][j]),
                    *(float(v) for v in fan.series[name][:, j]),
                ]
            )
    for name, years in fan.rule_years.items():
        for j, year in enumerate(years):
            rows.append(
                [
                    f"headroom:{name}",
                    fan.unit,
                    year,
                    fan.label(year),
                    float(fan.headroom_central[name][j]),
                    *(float(v) for v in fan.headroom[name][:, j]),
                ]
            )
    chances: list[list[Any]] = []
    for name, years in fan.rule_years.items():
        for j, year in enumerate(years):
            chances.append(
                [f"{name} passes", year, fan.label(year), 100.0 * fan.p_rule_pass[name][j]]
            )
    if fan.p_all_rules_pass is not None:
        chances.append(
            ["every rule passes in all its years", None, "", 100.0 * fan.p_all_rules_pass]
        )
    if fan.target_year is not None and fan.p_target_met is not None:
        chances.append(
            [
                "defence reaches the target",
                fan.target_year,
                fan.label(fan.target_year),
                100.0 * fan.p_target_met,
            ]
        )
    for j, year in enumerate(fan.years):
        chances.append(
            [
                f"debt exceeds {fan.debt_threshold_pct_gdp:g} % of GDP",
                year,
                fan.year_labels[j],
                100.0 * float(fan.p_debt_above[j]),
            ]
        )
    return [
        Sheet("percentiles", header, units, rows),
        Sheet("chances", ["chance that", "year", "label", "chance"], ["", "", "", CHANCE], chances),
    ]


def fan_document(fan: Fan, verbose: bool = False) -> Document:
    """``budgetsim fan``: a table per fanned series, the rules' chances, the notes.

    Parameters
    ----------
    fan : Fan
        The Monte Carlo run.
    verbose : bool
        Every percentile row, also those that repeat the central path.

    Returns
    -------
    Document
    """
    tables = []
    notes = fan_lines(fan)
    for label, rows, collapsed in fan_rows(fan, verbose):
        tables.append(
            Table(f"{fan.title}: {label}", ["", *fan.year_labels], rows, heading=f"### {label}")
        )
        if collapsed:
            notes.append(
                f"{label}: every percentile equals the central path (no shock moves it); "
                "--verbose shows the rows."
            )
    if fan.rule_years:
        header, rows = fan_rule_rows(fan)
        title = f"Rule headroom ({fan.unit})"
        tables.append(Table(title, header, rows, heading=f"### {md_text(title)}"))
    return Document(
        tables=tables,
        notes=notes,
        data=fan.to_dict(),
        sheets=fan_sheets(fan),
        markdown_intro=(
            f"## {md_text(fan.title)}: uncertainty\n\nsource: {md_code(fan.source)}\n\n"
        ),
    )


def _pair(value: float | None, change: float | None, unit: str) -> list[str]:
    if value is None or change is None:
        return ["n/a", ""]
    return [number(value, unit), number(change, unit, signed=True)]


def stress_table(
    res: StressResult, verbose: bool = False
) -> tuple[list[str], list[list[str]], list[str]]:
    """One row per test (the scenario first): each value and its change; tests that could
    not be run are left out unless ``verbose``.

    Parameters
    ----------
    res : StressResult
        The stress tests.
    verbose : bool
        Also the rows of tests not run.

    Returns
    -------
    header : list of str
    rows : list of list of str
    not_run : list of str
        The tests left out, each with why it was not run.
    """
    header = ["Test", "PSNB % GDP", "change", "Debt % GDP", "change"]
    for rule, year in res.rule_years.items():
        header += [f"{rule} {res.labels[year]}", "change"]
    header.append("what it does")
    rows = []
    not_run = []
    for row in (res.base, *res.rows):
        if row.psnb_pct_gdp is None and not verbose:
            why = row.note.removeprefix("not run: ")
            not_run.append(f"{row.name} ({why})" if why else row.name)
            continue
        effect = res.effect(row)
        cells = [row.name]
        cells += _pair(row.psnb_pct_gdp, effect.psnb_pct_gdp, "% of GDP")
        cells += _pair(row.debt_pct_gdp, effect.debt_pct_gdp, "% of GDP")
        for rule in res.rule_years:
            cells += _pair(row.headroom.get(rule), effect.headroom[rule], res.unit)
        cells.append(row.description + (f" ({row.note})" if row.note else ""))
        rows.append(cells)
    return header, rows, not_run


def stress_sheet(res: StressResult) -> Sheet:
    """One row per test (the scenario first), every test, empty where not run: borrowing
    and debt in % of GDP, each rule's headroom in currency.

    Parameters
    ----------
    res : StressResult
        The stress tests.

    Returns
    -------
    Sheet
    """
    header = [
        "test",
        "year",
        "psnb_pct_gdp",
        "debt_pct_gdp",
        *(f"headroom:{rule} {res.labels[year]}" for rule, year in res.rule_years.items()),
        "description",
        "note",
    ]
    units = ["", "", "% of GDP", "% of GDP", *([res.unit] * len(res.rule_years)), "", ""]
    rows: list[list[Any]] = [
        [
            row.name,
            res.year,
            row.psnb_pct_gdp,
            row.debt_pct_gdp,
            *(row.headroom.get(rule) for rule in res.rule_years),
            row.description,
            row.note,
        ]
        for row in (res.base, *res.rows)
    ]
    return Sheet("stress", header, units, rows)


def stress_document(res: StressResult, verbose: bool = False) -> Document:
    """``budgetsim stress``: one row per test, in the stress year.

    Parameters
    ----------
    res : StressResult
        The stress tests.
    verbose : bool
        Also the tests that could not be run.

    Returns
    -------
    Document
    """
    header, rows, not_run = stress_table(res, verbose)
    year = res.labels[res.year]
    notes = []
    if not_run:
        notes.append(f"Not run: {'; '.join(not_run)}. --verbose shows the row.")
    return Document(
        tables=[Table(f"{res.title}: stress tests in {year} ({res.unit})", header, rows)],
        notes=notes,
        data=res.to_dict(),
        sheets=[stress_sheet(res)],
        markdown_intro=f"Stress tests in {year}; headroom in {md_text(res.unit)}.\n\n",
    )
