"""The run and compare presenters: a Result (or several) as a Document.

They only read what the model returns (:class:`~budgetsim.model.result.Result`); the
emitter (:mod:`budgetsim.cli.present.emit`) lays the Document out in each format.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from budgetsim.cli.present.emit import Document, Table
from budgetsim.model.result import SERIES_UNITS, Result, TargetOutcome

if TYPE_CHECKING:
    from budgetsim.solve.frontier import Frontier


@dataclass(frozen=True)
class Line:
    """One row of the year-by-year table.

    Attributes
    ----------
    label : str
        The row's label (indented with spaces for a sub-row).
    series : str
        The Result series it shows (a key of :data:`~budgetsim.model.result.SERIES_UNITS`).
    kind : {"cash", "pct"}
        How its numbers are formatted (:func:`fmt`).
    """

    label: str
    series: str
    kind: str  # "cash" or "pct"


#: The rows of the year-by-year table, in order.
RUN_LINES: tuple[Line, ...] = (
    Line("GDP", "gdp", "cash"),
    Line("Real growth %", "real_growth_pct", "pct"),
    Line("Defence", "defence", "cash"),
    Line("Defence % GDP", "defence_pct_gdp", "pct"),
    Line("Target % GDP", "target_pct_gdp", "pct"),
    Line("Extra defence", "extra_defence", "cash"),
    Line("  today's terms", "extra_defence_today", "cash"),
    Line("  met by cuts", "cuts", "cash"),
    Line("  met by tax", "tax_rise", "cash"),
    Line("  borrowed", "borrowing_for_defence", "cash"),
    Line("Receipts", "receipts", "cash"),
    Line("Debt interest", "interest", "cash"),
    Line("Borrowing (PSNB)", "psnb", "cash"),
    Line("PSNB % GDP", "psnb_pct_gdp", "pct"),
    Line("Current balance", "current_balance", "cash"),
    Line("Debt % GDP", "debt_pct_gdp", "pct"),
)


def fmt(value: float, kind: str) -> str:
    """A number as tables show it: cash to one decimal with separators, percent to two."""
    if not math.isfinite(value):
        return "n/a"
    return f"{value:,.1f}" if kind == "cash" else f"{value:.2f}"


def _rule_cells(result: Result) -> list[tuple[str, list[str]]]:
    rows = []
    for rule in result.rules:
        cells = [""] * len(result.years)
        for c in rule.checks():
            cells[result.years.index(c.year)] = (
                f"{'pass' if c.passed else 'FAIL'} {c.headroom:+,.1f}"
            )
        rows.append((rule.name, cells))
    return rows


def _target_cells(result: Result) -> list[tuple[str, list[str]]]:
    """Each target a row: ``met``, or ``SHORT`` and the gap in currency, from its year on."""
    rows = []
    for t in result.targets:
        cells = [
            ("" if y < t.year else "met" if t.met(j) else f"SHORT {t.gap[j]:,.1f}")
            for j, y in enumerate(result.years)
        ]
        rows.append((t.name if "%" in t.name else f"{t.name} {t.share_pct:g} %", cells))
    return rows


def run_rows(result: Result) -> list[tuple[str, list[str]]]:
    """Row label and one cell a year, for the table and Markdown views.

    With defence components, each component's share of GDP takes the place of the target
    path, and each target gets a row under the rules (``met``, or ``SHORT`` and the gap).

    Parameters
    ----------
    result : Result
        The run.

    Returns
    -------
    list of (str, list of str)
        Each row's label and its cells, one a projected year.
    """
    lines = RUN_LINES
    if result.components:
        lines = tuple(line for line in RUN_LINES if line.series != "target_pct_gdp")
    rows = [(line.label, [fmt(v, line.kind) for v in result.row(line.series)]) for line in lines]
    if result.components:
        idx = next(i for i, (label, _) in enumerate(rows) if label == "Defence % GDP") + 1
        for name, values in reversed(result.component_shares.items()):
            rows.insert(idx, (f"  {name} %", [fmt(float(v), "pct") for v in values]))
    # Each funding source under its kind: cuts to a pool under "met by cuts", a tax under
    # "met by tax"; a component's own source names its component.
    owner = result.source_components
    for kind, after in (("tax", "  met by tax"), ("cuts", "  met by cuts")):
        idx = next(i for i, (label, _) in enumerate(rows) if label == after) + 1
        for name, values in reversed(result.sources.items()):
            if result.source_kinds[name] == kind:
                label = f"    {name}" + (f" ({owner[name]})" if name in owner else "")
                rows.insert(idx, (label, [fmt(float(v), "cash") for v in values]))
    # With components funded on their own: what each funding group borrowed.
    idx = next(i for i, (label, _) in enumerate(rows) if label == "  borrowed") + 1
    for f in reversed(result.component_funds):
        if f.covers:
            label = f"    for {', '.join(f.covers)}"
            rows.insert(idx, (label, [fmt(float(v), "cash") for v in f.borrowed]))
    return rows + _rule_cells(result) + _target_cells(result)


def summary_lines(result: Result) -> list[str]:
    """The answers under the table: the target, the extra spending, debt, each rule."""
    s, u = result.summary, result.unit
    out = []
    if s.target_year is not None and s.target_pct_gdp is not None and not result.targets:
        label = result.label(s.target_year)
        got = s.defence_pct_gdp_in_target_year or 0.0
        out.append(
            f"Target {s.target_pct_gdp:.2f} % of GDP in {label}: "
            f"{'met' if s.target_met else 'MISSED'} ({got:.2f} %)"
        )
    for t in result.targets:
        out.append(_target_line(result, t))
    first, last = result.year_labels[0], result.year_labels[-1]
    j = result.years.index(s.cost_year)
    out.append(
        f"Extra defence in {result.label(s.cost_year)}: "
        f"{s.extra_defence_in_cost_year:,.1f} {u} nominal, "
        f"{s.extra_defence_real_in_cost_year:,.1f} real ({result.base_label} defence "
        f"prices), {s.extra_defence_today_in_cost_year:,.1f} in today's terms "
        f"({result.series['extra_defence_today'][j] / result.gdp0 * 100:.2f} % of GDP "
        f"x {result.base_label} GDP)"
    )
    out.append(
        f"Extra defence spending {first} to {last}: {s.cumulative_extra_defence:,.1f} {u} "
        f"(cuts {s.cumulative_cuts:,.1f}, tax {s.cumulative_tax_rise:,.1f}, "
        f"borrowed {s.cumulative_borrowing_for_defence:,.1f})"
    )
    for f in result.component_funds:
        if f.covers:
            given = "".join(f"{n} {result.cumulative_source(n):,.1f}, " for n in f.sources)
            whose = "its own" if f.component else "the scenario's"
            out.append(
                f"  of which {', '.join(f.covers)}: {f.cumulative_extra:,.1f} {u} "
                f"({whose} funding: {given}borrowed {f.cumulative_borrowed:,.1f})"
            )
    out.append(
        f"Debt in {last}: {s.debt_pct_gdp_at_horizon:.1f} % of GDP, "
        f"{s.extra_debt_pct_gdp_at_horizon:+.1f} pp ({s.extra_debt_at_horizon:+,.1f} {u}) "
        "against the baseline"
    )
    for c in result.checks():
        out.append(
            f"{c.rule} in {c.label} ({c.measure}): {'passes' if c.passed else 'FAILS'}, "
            f"headroom {c.headroom:+,.1f} {u}"
        )
    if not result.rules:
        out.append("No fiscal rules are set in this scenario.")
    return out


def _target_line(result: Result, t: TargetOutcome) -> str:
    checked = [j for j, y in enumerate(result.years) if y >= t.year]
    missed = [j for j in checked if not t.met(j)]
    counted = ", ".join(t.components)
    head = f"{t.name}: {t.share_pct:g} % of GDP from {result.label(t.year)} ({counted}): "
    if not missed:
        return (
            head + f"met every year ({t.counted_pct[checked[0]]:.2f} % in {result.label(t.year)})"
        )
    worst = max(missed, key=lambda j: t.gap[j])
    return head + (
        f"MISSED in {len(missed)} of {len(checked)} years; largest gap "
        f"{t.gap[worst]:,.1f} {result.unit} in {result.year_labels[worst]} "
        f"({t.counted_pct[worst]:.2f} %)"
    )


def run_table(result: Result, title: str = "") -> Table:
    """The year-by-year table of a run."""
    return Table(
        title or f"{result.title} ({result.unit})",
        ["", *result.year_labels],
        [[label, *cells] for label, cells in run_rows(result)],
    )


def run_csv(result: Result) -> list[list[Any]]:
    """One row a year, one column a series (cash in the scenario's unit), full precision."""
    names = list(result.series)
    pools = list(result.sources)
    comps = list(result.components)
    funded = [f for f in result.component_funds if f.component]
    rows: list[list[Any]] = [
        [
            "year",
            "label",
            *names,
            *(f"source:{p}" for p in pools),
            *(f"component:{c}" for c in comps),
            *(f"target_gap:{t.name}" for t in result.targets),
            *(f"borrowed:{f.component}" for f in funded),
        ]
    ]
    for j, year in enumerate(result.years):
        rows.append(
            [
                year,
                result.year_labels[j],
                *(repr(float(result.series[n][j])) for n in names),
                *(repr(float(result.sources[p][j])) for p in pools),
                *(repr(float(result.components[c][j])) for c in comps),
                *(repr(float(t.gap[j])) for t in result.targets),
                *(repr(float(f.borrowed[j])) for f in funded),
            ]
        )
    return rows


def run_intro(result: Result) -> str:
    """The Markdown heading of a run."""
    return f"## {result.title}\n\n{result.unit}; source: `{result.source}`\n\n"


def run_document(result: Result) -> Document:
    """``budgetsim run``: the table, the summary, the JSON document, the CSV."""
    return Document(
        tables=[run_table(result)],
        notes=summary_lines(result),
        data=result.to_dict(),
        csv=run_csv(result),
        markdown_intro=run_intro(result),
    )


def frontier_cell(fr: Frontier, target: float, year: int, sep: str = " ") -> str:
    """A frontier cell as ``budgetsim frontier`` prints it: ``pass``, ``cuts X`` or ``FAIL
    rule``; ``sep`` between the word and the figure or rule (the chart puts a newline).

    Parameters
    ----------
    fr : Frontier
        The solved grid.
    target : float, % of GDP
        One of its target shares.
    year : int
        One of its target years.
    sep : str
        Between the word and the figure or rule.

    Returns
    -------
    str
        ``cuts X`` gives the least total cuts, currency, to one decimal.
    """
    c = fr.cell(target, year)
    if not c.feasible:
        return f"FAIL{sep}{c.rule}"
    return f"cuts{sep}{c.cuts_needed:,.1f}" if c.cuts_needed else "pass"


# --- compare -----------------------------------------------------------------------------

COMPARE_COLUMNS = (
    "scenario",
    "unit",
    "target",
    "defence_pct_gdp",
    "defence",
    "extra_defence",
    "cuts",
    "tax_rise",
    "borrowing_for_defence",
    "psnb_pct_gdp",
    "debt_pct_gdp",
    "rules_passed",
    "tightest_rule",
    "headroom",
)
COMPARE_HEADERS = (
    "Scenario",
    "Unit",
    "Target",
    "Defence % GDP",
    "Defence",
    "Extra",
    "Cuts",
    "Tax",
    "Borrowed",
    "PSNB % GDP",
    "Debt % GDP",
    "Rules passed",
    "Tightest rule",
    "Headroom",
)
#: The series each comparison row shows, in its year: the numeric columns.
COMPARE_SERIES = COMPARE_COLUMNS[COMPARE_COLUMNS.index("defence_pct_gdp") : -3]


def common_year(results: Sequence[Result]) -> int | None:
    """The last projection year every result reaches; None if they share none."""
    common = set(results[0].years).intersection(*(r.years for r in results[1:]))
    return max(common) if common else None


def compare_record(result: Result, year: int) -> dict[str, Any]:
    """One scenario's row of the comparison, in ``year``.

    Parameters
    ----------
    result : Result
        The scenario's run.
    year : int
        A projected year of the run.

    Returns
    -------
    dict of str to object
        The JSON record: the :data:`COMPARE_SERIES` in ``year`` (percent for ``_pct_gdp``,
        else currency), the checks passed, the tightest check and its headroom (currency).
    """
    j = result.years.index(year)
    s = result.summary
    target = ""
    if s.target_year is not None and s.target_pct_gdp is not None:
        target = f"{s.target_pct_gdp:.2f} % in {result.label(s.target_year)}"
    tight = result.tightest()
    passed, checked = result.checks_passed
    row: dict[str, Any] = {
        "scenario": Path(result.source).stem,
        "title": result.title,
        "source": result.source,
        "unit": result.unit,
        "target": target,
    }
    for name in COMPARE_SERIES:
        row[name] = float(result.series[name][j])
    if result.components:  # % of GDP, per component
        row["components"] = {n: float(v[j]) for n, v in result.component_shares.items()}
    row["rules_passed"] = f"{passed}/{checked}"
    row["tightest_rule"] = f"{tight.rule} {tight.label}" if tight else ""
    row["headroom"] = tight.headroom if tight else None
    return row


def compare_cells(record: dict[str, Any]) -> list[str]:
    """A comparison row's cells as the table shows them."""
    out = []
    for col in COMPARE_COLUMNS:
        v = record[col]
        if isinstance(v, float):
            out.append(fmt(v, "pct" if col.endswith("pct_gdp") else "cash"))
        else:
            out.append("" if v is None else str(v))
    return out


def compare_document(results: Sequence[Result], year: int) -> Document:
    """``budgetsim compare``: one row per scenario in ``year``."""
    records = [compare_record(r, year) for r in results]
    label = results[0].label(year)
    cols = ["source", *COMPARE_COLUMNS, "title"]
    tables = [
        Table(
            f"Compared in {label}", list(COMPARE_HEADERS), [compare_cells(rec) for rec in records]
        )
    ]
    names = list(dict.fromkeys(n for rec in records for n in rec.get("components", {})))
    if names:  # a second table: each scenario's defence components
        tables.append(
            Table(
                f"Defence components in {label}, % of GDP",
                ["Scenario", *names],
                [
                    [
                        rec["scenario"],
                        *(
                            fmt(rec["components"][n], "pct")
                            if n in rec.get("components", {})
                            else ""
                            for n in names
                        ),
                    ]
                    for rec in records
                ],
            )
        )
    return Document(
        tables=tables,
        data={"year": year, "scenarios": records},
        csv=[cols, *([rec[c] for c in cols] for rec in records)],
        markdown_intro=f"Compared in {label}.\n\n",
    )


def metric_columns(results: Sequence[Result], metric: str) -> list[str]:
    """One column name a scenario; with the unit when the scenarios' units differ, so a cash
    series across countries never shows two currencies under one unnamed unit.

    Parameters
    ----------
    results : sequence of Result
        The scenarios compared.
    metric : str
        The series shown (a key of :data:`~budgetsim.model.result.SERIES_UNITS`).

    Returns
    -------
    list of str
        Each scenario's file stem, with its unit in brackets when the units differ.
    """
    names = [Path(r.source).stem for r in results]
    units = [r.unit_of(metric) for r in results]
    if len(set(units)) <= 1:
        return names
    return [f"{name} ({unit})" for name, unit in zip(names, units, strict=True)]


def _metric_years(results: Sequence[Result]) -> dict[int, str]:
    return {y: lab for r in results for y, lab in zip(r.years, r.year_labels, strict=True)}


def metric_document(results: Sequence[Result], metric: str) -> Document:
    """``budgetsim compare --metric``: one series, years down, scenarios across."""
    labels = _metric_years(results)
    kind = "cash" if SERIES_UNITS[metric] == "currency" else "pct"
    header = ["Year", *metric_columns(results, metric)]
    rows: list[list[str]] = []
    csv_rows: list[list[Any]] = [["year", "label", *metric_columns(results, metric)]]
    for year in sorted(labels):
        values = [
            float(r.series[metric][r.years.index(year)]) if year in r.years else None
            for r in results
        ]
        rows.append([labels[year], *("" if v is None else fmt(v, kind) for v in values)])
        csv_rows.append([year, labels[year], *("" if v is None else repr(v) for v in values)])
    units = sorted({r.unit_of(metric) for r in results})
    data = {
        "metric": metric,
        "scenarios": [
            {
                "scenario": r.title,
                "source": r.source,
                "unit": r.unit_of(metric),
                "years": list(r.years),
                "values": r.row(metric),
            }
            for r in results
        ],
    }
    return Document(
        tables=[Table(f"{metric} ({', '.join(units)})", header, rows)], data=data, csv=csv_rows
    )
