"""The run and compare presenters: a Result (or several) as a Document.

They only read what the model returns (:class:`~budgetsim.model.result.Result`); the
emitter (:mod:`budgetsim.cli.present.emit`) lays the Document out in each format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from budgetsim.cli.present.emit import (
    ROW_UNIT,
    Document,
    Sheet,
    Table,
    md_code,
    md_text,
    number,
    share_pair,
)
from budgetsim.model.result import Result, TargetOutcome


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
    """A number as tables show it: cash to one decimal with separators, percent to two.

    Parameters
    ----------
    value : float
        The number.
    kind : {"cash", "pct"}
        Currency or a percentage.

    Returns
    -------
    str
        As :func:`budgetsim.cli.present.emit.number` writes it.
    """
    return number(value, "currency" if kind == "cash" else "%")


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
            ("" if y < t.year else "met" if t.met(j) else f"SHORT {fmt(float(t.gap[j]), 'cash')}")
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
        target, reached = share_pair(s.target_pct_gdp, got, bool(s.target_met))
        out.append(
            f"Target {target} % of GDP in {label}: "
            f"{'met' if s.target_met else 'MISSED'} ({reached} %)"
        )
    for t in result.targets:
        out.append(_target_line(result, t))
    first, last = result.year_labels[0], result.year_labels[-1]
    out.append(
        f"Extra defence in {result.label(s.cost_year)}: "
        f"{s.extra_defence_in_cost_year:,.1f} {u} nominal, "
        f"{s.extra_defence_real_in_cost_year:,.1f} real ({result.base_label} defence "
        f"prices), {s.extra_defence_today_in_cost_year:,.1f} in today's terms "
        f"({s.extra_defence_pct_gdp_in_cost_year:.2f} % of GDP "
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
    """A target's summary line: met every year, or in how many years it is missed and the
    largest gap; the share reached with as many decimals as it takes not to contradict that.
    """
    checked, missed = t.checked(result.years), t.missed(result.years)
    j = t.worst(result.years)
    target, reached = share_pair(t.share_pct, float(t.counted_pct[j]), t.met(j))
    counted = ", ".join(t.components)
    head = f"{t.name}: {target} % of GDP from {result.label(t.year)} ({counted}): "
    if not missed:
        return head + f"met every year ({reached} % in {result.label(t.year)})"
    return head + (
        f"MISSED in {len(missed)} of {len(checked)} years; largest gap "
        f"{fmt(float(t.gap[j]), 'cash')} {result.unit} in {result.year_labels[j]} "
        f"({reached} %)"
    )


def run_table(result: Result, title: str = "") -> Table:
    """The year-by-year table of a run."""
    return Table(
        title or f"{result.title} ({result.unit})",
        ["", *result.year_labels],
        [[label, *cells] for label, cells in run_rows(result)],
    )


def run_sheets(result: Result) -> list[Sheet]:
    """A run's data: one row a year with every series, funding source, component, target
    gap and component group's borrowing (the CSV), the rule checks, and the summary.

    Parameters
    ----------
    result : Result
        The run, in output units.

    Returns
    -------
    list of Sheet
        ``years`` (cash in the scenario's unit, ratios in percent), ``rules`` (headroom in
        the unit, and what each rule measures), ``summary`` (a row a figure).
    """
    names = list(result.series)
    pools = list(result.sources)
    comps = list(result.components)
    funded = [f for f in result.component_funds if f.component]
    years = Sheet(
        "years",
        [
            "year",
            "label",
            *names,
            *(f"source:{p}" for p in pools),
            *(f"component:{c}" for c in comps),
            *(f"target_gap:{t.name}" for t in result.targets),
            *(f"borrowed:{f.component}" for f in funded),
        ],
        [
            "",
            "",
            *(result.unit_of(n) for n in names),
            *([result.unit] * (len(pools) + len(comps) + len(result.targets) + len(funded))),
        ],
        [
            [
                year,
                result.year_labels[j],
                *(float(result.series[n][j]) for n in names),
                *(float(result.sources[p][j]) for p in pools),
                *(float(result.components[c][j]) for c in comps),
                *(float(t.gap[j]) for t in result.targets),
                *(float(f.borrowed[j]) for f in funded),
            ]
            for j, year in enumerate(result.years)
        ],
    )
    rules = Sheet(
        "rules",
        [
            "rule",
            "type",
            "year",
            "label",
            "passed",
            "headroom",
            "measured",
            "limit",
            "of",
            "measure",
        ],
        ["", "", "", "", "", result.unit, "(see of)", "(see of)", "", ""],
        [
            [
                c.rule,
                c.type,
                c.year,
                c.label,
                c.passed,
                c.headroom,
                c.measured_pct,
                c.limit_pct,
                c.measured_unit,
                c.measure,
            ]
            for c in result.checks()
        ],
    )
    s = result.summary
    u = result.unit
    summary_units = {
        "target_year": "",
        "cost_year": "",
        "target_pct_gdp": "% of GDP",
        "defence_pct_gdp_in_target_year": "% of GDP",
        "target_met": "",
        "rules_passed": "",
        "rules_failed": "",
        "debt_pct_gdp_at_horizon": "% of GDP",
        "baseline_debt_pct_gdp_at_horizon": "% of GDP",
        "extra_debt_pct_gdp_at_horizon": "pp",
    }
    rows: list[list[Any]] = []
    for key, value in vars(s).items():
        if isinstance(value, tuple):
            value = ", ".join(value)
        rows.append([key, value, summary_units.get(key, u)])
    summary = Sheet("summary", ["figure", "value", "unit"], ["", ROW_UNIT, ""], rows)
    return [years, rules, summary]


def run_intro(result: Result) -> str:
    """The Markdown heading of a run (its names escaped: plain text, never markup)."""
    return (
        f"## {md_text(result.title)}\n\n{md_text(result.unit)}; source: "
        f"{md_code(result.source)}\n\n"
    )


def run_document(result: Result) -> Document:
    """``budgetsim run``: the table, the summary, the JSON document, the CSV."""
    return Document(
        tables=[run_table(result)],
        notes=summary_lines(result),
        data=result.to_dict(),
        sheets=run_sheets(result),
        markdown_intro=run_intro(result),
    )


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
#: What a scenario without fiscal rules shows under "Rules passed".
NO_RULE = "no fiscal rule"


def common_year(results: Sequence[Result]) -> int | None:
    """The last projection year every result reaches; None if they share none."""
    common = set(results[0].years).intersection(*(r.years for r in results[1:]))
    return max(common) if common else None


def baseline_first(results: Sequence[Result], baseline: int | None = None) -> list[Result]:
    """The results in the order a comparison shows them: the baseline first, then the others
    as given. The baseline is the one at index ``baseline`` if given; else the only one
    without a defence target (a file like ``uk_baseline.yaml``), if exactly one has none.

    Parameters
    ----------
    results : sequence of Result
        The runs, in the order the files were given.
    baseline : int, optional
        The index of the baseline among them (``compare --baseline``).

    Returns
    -------
    list of Result
    """
    if baseline is None:
        untargeted = [k for k, r in enumerate(results) if r.summary.target_year is None]
        baseline = untargeted[0] if len(untargeted) == 1 and len(results) > 1 else None
    if baseline is None:
        return list(results)
    return [results[baseline], *(r for k, r in enumerate(results) if k != baseline)]


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
        else currency), the checks passed (:data:`NO_RULE` without rules), the tightest
        check and its headroom (currency).
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
    row["rules_passed"] = f"{passed}/{checked}" if checked else NO_RULE
    row["tightest_rule"] = f"{tight.rule} {tight.label}" if tight else ""
    row["headroom"] = tight.headroom if tight else None
    return row


def _unit_of_column(col: str, unit: str) -> str:
    return "% of GDP" if col.endswith("pct_gdp") else unit


def compare_cells(record: dict[str, Any], signed: bool = False) -> list[str]:
    """A comparison row's cells as the table shows them: the title names the row.

    Parameters
    ----------
    record : dict
        :func:`compare_record`, or one with differences in place of the series.
    signed : bool
        Numbers are differences: shown with their sign.

    Returns
    -------
    list of str
    """
    out = []
    for col in COMPARE_COLUMNS:
        v = record["title" if col == "scenario" else col]
        if isinstance(v, float):
            out.append(
                number(v, _unit_of_column(col, record["unit"]), signed and col in COMPARE_SERIES)
            )
        else:
            out.append("" if v is None else str(v))
    return out


def _difference(record: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    diff = dict(record)
    for col in COMPARE_SERIES:
        diff[col] = record[col] - base[col]
    return diff


def compare_notes(
    results: Sequence[Result], assumed: dict[str, list[str]] | None = None
) -> list[str]:
    """What a reader of a comparison must know that the numbers do not say: which files
    set no fiscal rule, where a debt ratio goes below zero and why, and which figures the
    files mark as assumptions or placeholders rather than sourced figures.

    Parameters
    ----------
    results : sequence of Result
        The runs compared.
    assumed : dict of str to list of str, optional
        Key path -> the files (stems) whose comment on it marks it an assumption or a
        placeholder (:func:`budgetsim.cli.app.assumed_keys`).

    Returns
    -------
    list of str
    """
    stems = [Path(r.source).stem for r in results]
    notes = []
    ruleless = [n for n, r in zip(stems, results, strict=True) if not r.rules]
    if ruleless:
        notes.append(
            f"{', '.join(ruleless)}: {NO_RULE} is set, so no rule is checked "
            "(Rules passed, Tightest rule and Headroom are empty)."
        )
    for name, r in zip(stems, results, strict=True):
        below = [lab for lab, v in zip(r.year_labels, r.row("debt_pct_gdp"), strict=True) if v < 0]
        if below:
            notes.append(
                f"{name}: debt is below zero from {below[0]}: the surpluses repay the debt "
                "and then build up net assets, shown as a negative ratio (the model puts no "
                "floor at zero)."
            )
    assumed = assumed or {}
    if assumed:
        n = len(results)
        parts = [
            f"{key} ({'every file' if len(files) == n else ', '.join(files)})"
            for key, files in assumed.items()
        ]
        notes.append(
            "Marked in the files as assumptions, approximations or placeholders, not sourced "
            "figures: " + "; ".join(parts) + ". budgetsim report FILE shows each with its "
            "comment."
        )
        held = {"finances.receipts", "finances.other_spending"}
        both = [f for f in stems if all(f in assumed.get(k, ()) for k in held)]
        if both:
            who = "Every file" if len(both) == n else ", ".join(both)
            notes.append(
                f"{who}: receipts and other spending are assumed, so PSNB % GDP and Debt % GDP "
                "carry the base year's balance forward rather than forecast it."
            )
    return notes


def compare_document(
    results: Sequence[Result],
    year: int,
    baseline: int | None = None,
    assumed: dict[str, list[str]] | None = None,
) -> Document:
    """``budgetsim compare``: one row per scenario in ``year``, the baseline first.

    Parameters
    ----------
    results : sequence of Result
        The runs, as the files were given.
    year : int
        The year compared.
    baseline : int, optional
        ``--baseline``: the index of the baseline; the other rows then show their
        differences from it (every cash column in one currency).
    assumed : dict of str to list of str, optional
        For :func:`compare_notes`.

    Returns
    -------
    Document
    """
    ordered = baseline_first(results, baseline)
    records = [compare_record(r, year) for r in ordered]
    label = ordered[0].label(year)
    title = f"Compared in {label}"
    rows = [compare_cells(rec) for rec in records]
    cols = ["source", *COMPARE_COLUMNS, "title"]
    units = ["", "", "", "", *("(see unit)" for _ in COMPARE_SERIES), "", "", "(see unit)", ""]
    data: dict[str, Any] = {"year": year, "scenarios": records}
    if baseline is not None:
        base = records[0]
        diffs = [_difference(rec, base) for rec in records[1:]]
        title += f": differences from {base['title']}"
        rows = [rows[0], *(compare_cells(d, signed=True) for d in diffs)]
        data["baseline"] = base["source"]
        for rec, d in zip(records[1:], diffs, strict=True):
            rec["difference"] = {c: d[c] for c in COMPARE_SERIES}
        cols += [f"{c}_vs_baseline" for c in COMPARE_SERIES]
        units += ["(see unit)"] * len(COMPARE_SERIES)
    sheet_rows = []
    for rec in records:
        row = [rec[c] for c in cols if not c.endswith("_vs_baseline")]
        if baseline is not None:
            diff = rec.get("difference")
            row += [None if diff is None else diff[c] for c in COMPARE_SERIES]
        sheet_rows.append(row)
    tables = [Table(title, list(COMPARE_HEADERS), rows)]
    names = list(dict.fromkeys(n for rec in records for n in rec.get("components", {})))
    if names:  # a second table: each scenario's defence components (levels, not differences)
        heading = f"Defence components in {label}, % of GDP"
        tables.append(
            Table(
                heading,
                ["Scenario", *names],
                [
                    [
                        rec["title"],
                        *(
                            fmt(rec["components"][n], "pct")
                            if n in rec.get("components", {})
                            else ""
                            for n in names
                        ),
                    ]
                    for rec in records
                    if rec.get("components")  # only the scenarios split into components
                ],
                heading=md_text(heading) + ".",
            )
        )
    return Document(
        tables=tables,
        notes=compare_notes(ordered, assumed),
        data=data,
        sheets=[Sheet("compare", cols, units, sheet_rows)],
        markdown_intro=f"{md_text(title)}.\n\n",
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
    """``budgetsim compare --metric``: one series, years down, scenarios across.

    Parameters
    ----------
    results : sequence of Result
        The runs; the baseline is shown first (:func:`baseline_first`).
    metric : str
        The series (a key of :data:`~budgetsim.model.result.SERIES_UNITS`).

    Returns
    -------
    Document
    """
    results = baseline_first(results)
    labels = _metric_years(results)
    unit_of = [r.unit_of(metric) for r in results]
    header = ["Year", *metric_columns(results, metric)]
    rows: list[list[str]] = []
    sheet_rows: list[list[Any]] = []
    for year in sorted(labels):
        values = [
            float(r.series[metric][r.years.index(year)]) if year in r.years else None
            for r in results
        ]
        rows.append(
            [
                labels[year],
                *("" if v is None else number(v, u) for v, u in zip(values, unit_of, strict=True)),
            ]
        )
        sheet_rows.append([year, labels[year], *values])
    units = sorted(set(unit_of))
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
        tables=[Table(f"{metric} ({', '.join(units)})", header, rows)],
        data=data,
        sheets=[
            Sheet(
                metric,
                ["year", "label", *metric_columns(results, metric)],
                ["", "", *unit_of],
                sheet_rows,
            )
        ],
    )
