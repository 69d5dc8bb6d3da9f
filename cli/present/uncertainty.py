"""The fan and stress presenters: a Monte Carlo :class:`Fan` or a :class:`StressResult` as a
Document (tables, notes, JSON and CSV), for the one emitter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from budgetsim.cli.present.emit import Document, Table

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


def fan_rows(fan: Fan) -> list[tuple[str, list[list[str]]]]:
    """(title, rows) per fanned series: percentiles down, years across."""
    names = _pct_names(fan)
    out = []
    for label, name in FAN_LINES:
        rows = [["central", *(f"{v:.2f}" for v in fan.central[name])]]
        for k, p in enumerate(names):
            rows.append([p, *(f"{v:.2f}" for v in fan.series[name][k])])
        out.append((label, rows))
    return out


def fan_rule_rows(fan: Fan) -> tuple[list[str], list[list[str]]]:
    """Each rule in each of its years: the chance it passes and its headroom percentiles."""
    names = _pct_names(fan)
    header = ["Rule", "Year", "P(pass)", "central", *names]
    rows = []
    for name, years in fan.rule_years.items():
        for j, year in enumerate(years):
            rows.append(
                [
                    name,
                    fan.label(year),
                    f"{fan.p_rule_pass[name][j]:.3f}",
                    f"{fan.headroom_central[name][j]:+,.1f}",
                    *(f"{fan.headroom[name][k, j]:+,.1f}" for k in range(len(names))),
                ]
            )
    return header, rows


def fan_lines(fan: Fan) -> list[str]:
    """The chances under the tables."""
    out = [f"{fan.draws:,} draws, seed {fan.seed}"]
    if fan.p_all_rules_pass is not None:
        out.append(f"Chance that every rule passes in all its years: {fan.p_all_rules_pass:.3f}")
    if fan.target_year is not None and fan.p_target_met is not None:
        out.append(
            f"Chance that defence reaches the target {fan.target_pct_gdp:.2f} % of GDP in "
            f"{fan.label(fan.target_year)}: {fan.p_target_met:.3f}"
        )
    above = ", ".join(
        f"{lab} {p:.3f}" for lab, p in zip(fan.year_labels, fan.p_debt_above, strict=True)
    )
    out.append(f"Chance that debt exceeds {fan.debt_threshold_pct_gdp:g} % of GDP: {above}")
    if fan.clipped:
        out.append(
            "Beyond the percentile grid (those percentiles are its edge): " + ", ".join(fan.clipped)
        )
    return out


def fan_csv(fan: Fan) -> list[list[Any]]:
    """Long form: one row per series and year (rules: per rule year), percentiles across."""
    rows: list[list[Any]] = [["series", "unit", "year", "label", "central", *_pct_names(fan)]]
    for _, name in FAN_LINES:
        for j, year in enumerate(fan.years):
            rows.append(
                [
                    name,
                    "% of GDP",
                    year,
                    fan.year_labels[j],
                    repr(float(fan.central[name][j])),
                    *(repr(float(v)) for v in fan.series[name][:, j]),
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
                    repr(float(fan.headroom_central[name][j])),
                    *(repr(float(v)) for v in fan.headroom[name][:, j]),
                ]
            )
    return rows


def fan_document(fan: Fan) -> Document:
    """``budgetsim fan``: a table per fanned series, the rules' chances, the notes."""
    tables = [
        Table(f"{fan.title}: {label}", ["", *fan.year_labels], rows, heading=f"### {label}")
        for label, rows in fan_rows(fan)
    ]
    if fan.rule_years:
        header, rows = fan_rule_rows(fan)
        title = f"Rule headroom ({fan.unit})"
        tables.append(Table(title, header, rows, heading=f"### {title}"))
    return Document(
        tables=tables,
        notes=fan_lines(fan),
        data=fan.to_dict(),
        csv=fan_csv(fan),
        markdown_intro=f"## {fan.title}: uncertainty\n\nsource: `{fan.source}`\n\n",
    )


def _pair(value: float | None, change: float | None, decimals: int) -> list[str]:
    if value is None or change is None:
        return ["n/a", ""]
    return [f"{value:,.{decimals}f}", f"{change:+,.{decimals}f}"]


def stress_table(res: StressResult) -> tuple[list[str], list[list[str]]]:
    """One row per test (the scenario first): each value and its change."""
    header = ["Test", "PSNB % GDP", "change", "Debt % GDP", "change"]
    for rule, year in res.rule_years.items():
        header += [f"{rule} {res.labels[year]}", "change"]
    header.append("what it does")
    rows = []
    for row in (res.base, *res.rows):
        effect = res.effect(row)
        cells = [row.name]
        cells += _pair(row.psnb_pct_gdp, effect.psnb_pct_gdp, 2)
        cells += _pair(row.debt_pct_gdp, effect.debt_pct_gdp, 2)
        for rule in res.rule_years:
            cells += _pair(row.headroom.get(rule), effect.headroom[rule], 1)
        cells.append(row.description + (f" ({row.note})" if row.note else ""))
        rows.append(cells)
    return header, rows


def stress_csv(res: StressResult) -> list[list[Any]]:
    """One row per test (the scenario first) with the raw numbers, as ``run``'s CSV writes
    them (docs/output.md): full precision, no signs or separators; empty where not run.

    Parameters
    ----------
    res : StressResult
        The stress tests.

    Returns
    -------
    list of list
        The header row, then one row per test: borrowing and debt in % of GDP, each rule's
        headroom in currency.
    """

    def cell(value: float | None) -> str:
        return "" if value is None else repr(float(value))

    rows: list[list[Any]] = [
        [
            "test",
            "year",
            "psnb_pct_gdp",
            "debt_pct_gdp",
            *(f"headroom:{rule} {res.labels[year]}" for rule, year in res.rule_years.items()),
            "description",
            "note",
        ]
    ]
    for row in (res.base, *res.rows):
        rows.append(
            [
                row.name,
                res.year,
                cell(row.psnb_pct_gdp),
                cell(row.debt_pct_gdp),
                *(cell(row.headroom.get(rule)) for rule in res.rule_years),
                row.description,
                row.note,
            ]
        )
    return rows


def stress_document(res: StressResult) -> Document:
    """``budgetsim stress``: one row per test, in the stress year."""
    header, rows = stress_table(res)
    year = res.labels[res.year]
    return Document(
        tables=[Table(f"{res.title}: stress tests in {year} ({res.unit})", header, rows)],
        data=res.to_dict(),
        csv=stress_csv(res),
        markdown_intro=f"Stress tests in {year}; headroom in {res.unit}.\n\n",
    )
