"""Presenters: turn Results (and a Fan's or a Frontier's cells) into a table, CSV, JSON or
Markdown. They only read what the model returns."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from budgetsim.model.result import SERIES_UNITS, Result

if TYPE_CHECKING:
    from budgetsim.solve.frontier import Frontier


class Labelled(Protocol):
    """A Result or a Fan: years and how tables show them."""

    @property
    def years(self) -> Sequence[int]: ...

    @property
    def year_labels(self) -> Sequence[str]: ...


def label_of(x: Labelled, year: int) -> str:
    """How tables show ``year`` of ``x`` (2029 -> "2029-30" for fiscal years)."""
    return x.year_labels[x.years.index(year)]


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"


@dataclass(frozen=True)
class Line:
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
    if not math.isfinite(value):
        return "n/a"
    return f"{value:,.1f}" if kind == "cash" else f"{value:.2f}"


def _rule_cells(result: Result) -> list[tuple[str, list[str]]]:
    rows = []
    for rule in result.rules:
        cells = [""] * len(result.years)
        for j, year in enumerate(rule.years):
            k = result.years.index(year)
            ok = bool(rule.passed[0, j])
            cells[k] = f"{'pass' if ok else 'FAIL'} {float(rule.headroom[0, j]):+,.1f}"
        rows.append((rule.name, cells))
    return rows


def run_rows(result: Result) -> list[tuple[str, list[str]]]:
    """Row label and one cell a year, for the table and Markdown views."""
    rows = [
        (line.label, [fmt(v, line.kind) for v in result.row(line.series)]) for line in RUN_LINES
    ]
    # Each funding source under its kind: cuts to a pool under "met by cuts", a tax under
    # "met by tax".
    for kind, after in (("tax", "  met by tax"), ("cuts", "  met by cuts")):
        idx = next(i for i, (label, _) in enumerate(rows) if label == after) + 1
        for name, values in reversed(result.sources.items()):
            if result.source_kinds[name] == kind:
                rows.insert(idx, (f"    {name}", [fmt(float(v), "cash") for v in values[0]]))
    return rows + _rule_cells(result)


def summary_lines(result: Result) -> list[str]:
    s, u = result.summary, result.unit
    out = []
    if s.target_year is not None and s.target_pct_gdp is not None:
        label = label_of(result, s.target_year)
        got = s.defence_pct_gdp_in_target_year or 0.0
        out.append(
            f"Target {s.target_pct_gdp:.2f} % of GDP in {label}: "
            f"{'met' if s.target_met else 'MISSED'} ({got:.2f} %)"
        )
    first, last = result.year_labels[0], result.year_labels[-1]
    out.append(
        f"Extra defence spending {first} to {last}: {s.cumulative_extra_defence:,.1f} {u} "
        f"(cuts {s.cumulative_cuts:,.1f}, tax {s.cumulative_tax_rise:,.1f}, "
        f"borrowed {s.cumulative_borrowing_for_defence:,.1f})"
    )
    out.append(
        f"Debt in {last}: {s.debt_pct_gdp_at_horizon:.1f} % of GDP, "
        f"{s.extra_debt_pct_gdp_at_horizon:+.1f} pp ({s.extra_debt_at_horizon:+,.1f} {u}) "
        "against the baseline"
    )
    for rule in result.rules:
        for j, year in enumerate(rule.years):
            label = label_of(result, year)
            ok = bool(rule.passed[0, j])
            out.append(
                f"{rule.name} in {label}: {'passes' if ok else 'FAILS'}, headroom "
                f"{float(rule.headroom[0, j]):+,.1f} {u}"
            )
    if not result.rules:
        out.append("No fiscal rules are set in this scenario.")
    return out


def result_dict(result: Result) -> dict[str, Any]:
    """The documented JSON form of a run (docs/output.md)."""
    return {
        "scenario": result.title,
        "source": result.source,
        "country": result.country,
        "unit": result.unit,
        "base_year": result.base_year,
        "years": list(result.years),
        "year_labels": list(result.year_labels),
        "series": {name: result.row(name) for name in result.series},
        "series_units": {name: result.unit_of(name) for name in SERIES_UNITS},
        "sources": {name: [float(v) for v in vals[0]] for name, vals in result.sources.items()},
        "rules": [
            {
                "name": rule.name,
                "type": rule.type,
                "year": year,
                "passed": bool(rule.passed[0, j]),
                "headroom": float(rule.headroom[0, j]),
            }
            for rule in result.rules
            for j, year in enumerate(rule.years)
        ],
        "summary": asdict(result.summary),
    }


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, allow_nan=False) + "\n"


def run_csv(result: Result) -> str:
    """One row a year, one column a series (cash in the scenario's unit)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    names = list(result.series)
    pools = list(result.sources)
    writer.writerow(["year", "label", *names, *(f"source:{p}" for p in pools)])
    for j, year in enumerate(result.years):
        writer.writerow(
            [
                year,
                result.year_labels[j],
                *(repr(float(result.series[n][0, j])) for n in names),
                *(repr(float(result.sources[p][0, j])) for p in pools),
            ]
        )
    return buf.getvalue()


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def esc(cell: str) -> str:
        # Markdown drops leading spaces in a cell; keep the indent of sub-rows visible.
        indent = (len(cell) - len(cell.lstrip(" "))) // 2
        return "&emsp;" * indent + cell.replace("|", "\\|").strip() or " "

    def align(i: int) -> str:
        numeric = i > 0 and all(_NUMERIC.match(row[i].strip()) for row in rows)
        return "---:" if numeric else "---"

    lines = ["| " + " | ".join(esc(h) for h in header) + " |"]
    lines.append("|" + "|".join(align(i) for i in range(len(header))) + "|")
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def run_markdown(result: Result) -> str:
    rows = [[label, *cells] for label, cells in run_rows(result)]
    head = f"## {result.title}\n\n{result.unit}; source: `{result.source}`\n\n"
    table = markdown_table(["", *result.year_labels], rows)
    return head + table + "\n" + "".join(f"- {line}\n" for line in summary_lines(result))


def pct_label(q: float) -> str:
    """A percentile's name: P5, P50, P97.5."""
    return f"P{q:g}"


def frontier_cell(fr: Frontier, target: float, year: int, sep: str = " ") -> str:
    """A frontier cell as ``budgetsim frontier`` prints it: ``pass``, ``cuts X`` or ``FAIL
    rule``; ``sep`` between the word and the figure or rule (the chart puts a newline)."""
    c = fr.cell(target, year)
    if not c.feasible:
        return f"FAIL{sep}{c.rule}"
    return f"cuts{sep}{c.cuts_needed:,.1f}" if c.cuts_needed else "pass"


# A cell that reads as a number (or a rule's "pass +1.2"): right-aligned in the table.
_NUMERIC = re.compile(r"^((pass|FAIL) )?[-+]?[\d,]*\.?\d*$|^\d+/\d+$|^n/a$")


def rich_table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Any:
    from rich.table import Table

    table = Table(title=title, title_justify="left", header_style="bold")
    for i, h in enumerate(header):
        numeric = i > 0 and all(_NUMERIC.match(row[i]) for row in rows)
        table.add_column(h, justify="right" if numeric else "left", no_wrap=True)
    for row in rows:
        table.add_row(*row, style="red" if any("FAIL" in c for c in row) else None)
    return table


def split_columns(
    header: Sequence[str], rows: Sequence[Sequence[str]], width: int
) -> list[tuple[list[str], list[list[str]]]]:
    """Split a wide table (label column first) into blocks of columns that fit ``width``.

    Every block repeats the label column, so a narrow terminal shows all the years in
    several tables instead of cutting the numbers.
    """

    def col_width(i: int) -> int:
        return max(len(str(r[i])) for r in [header, *rows]) + 3

    label = col_width(0) + 1
    blocks: list[list[int]] = [[]]
    used = label
    for i in range(1, len(header)):
        w = col_width(i)
        if blocks[-1] and used + w > width:
            blocks.append([])
            used = label
        blocks[-1].append(i)
        used += w
    return [
        ([header[0], *(header[i] for i in cols)], [[r[0], *(r[i] for i in cols)] for r in rows])
        for cols in blocks
    ]


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


def common_year(results: Sequence[Result]) -> int | None:
    """The last projection year every result reaches; None if they share none."""
    common = set(results[0].years).intersection(*(r.years for r in results[1:]))
    return max(common) if common else None


def compare_record(result: Result, year: int) -> dict[str, Any]:
    """One scenario's row of the comparison, in ``year``."""
    j = result.years.index(year)
    s = result.summary
    target = ""
    if s.target_year is not None and s.target_pct_gdp is not None:
        target = f"{s.target_pct_gdp:.2f} % in {label_of(result, s.target_year)}"
    checks = [
        (rule.name, y, bool(rule.passed[0, k]), float(rule.headroom[0, k]))
        for rule in result.rules
        for k, y in enumerate(rule.years)
    ]
    tight = min(checks, key=lambda c: c[3]) if checks else None
    row: dict[str, Any] = {
        "scenario": Path(result.source).stem,
        "title": result.title,
        "source": result.source,
        "unit": result.unit,
    }
    row["target"] = target
    for name in (
        "defence_pct_gdp",
        "defence",
        "extra_defence",
        "cuts",
        "tax_rise",
        "borrowing_for_defence",
        "psnb_pct_gdp",
        "debt_pct_gdp",
    ):
        row[name] = float(result.series[name][0, j])
    row["rules_passed"] = f"{sum(c[2] for c in checks)}/{len(checks)}"
    row["tightest_rule"] = f"{tight[0]} {label_of(result, tight[1])}" if tight else ""
    row["headroom"] = tight[3] if tight else None
    return row


def compare_cells(record: dict[str, Any]) -> list[str]:
    out = []
    for col in COMPARE_COLUMNS:
        v = record[col]
        if isinstance(v, float):
            out.append(fmt(v, "pct" if col.endswith("pct_gdp") else "cash"))
        else:
            out.append("" if v is None else str(v))
    return out


def compare_csv(records: Sequence[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    cols = ["source", *COMPARE_COLUMNS, "title"]
    writer.writerow(cols)
    for rec in records:
        writer.writerow(["" if rec[c] is None else rec[c] for c in cols])
    return buf.getvalue()


def metric_columns(results: Sequence[Result], metric: str) -> list[str]:
    """One column name a scenario; with the unit when the scenarios' units differ, so a cash
    series across countries never shows two currencies under one unnamed unit."""
    names = [Path(r.source).stem for r in results]
    units = [r.unit_of(metric) for r in results]
    if len(set(units)) <= 1:
        return names
    return [f"{name} ({unit})" for name, unit in zip(names, units, strict=True)]


def metric_csv(results: Sequence[Result], metric: str) -> str:
    """Years down, one column a scenario; raw numbers like ``run --format csv``."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    labels = {y: lab for r in results for y, lab in zip(r.years, r.year_labels, strict=True)}
    writer.writerow(["year", "label", *metric_columns(results, metric)])
    for year in sorted(labels):
        writer.writerow(
            [
                year,
                labels[year],
                *(
                    repr(float(r.series[metric][0, r.years.index(year)])) if year in r.years else ""
                    for r in results
                ),
            ]
        )
    return buf.getvalue()


def metric_rows(results: Sequence[Result], metric: str) -> tuple[list[str], list[list[str]]]:
    """Years down, scenarios across, for one series."""
    labels = {y: lab for r in results for y, lab in zip(r.years, r.year_labels, strict=True)}
    years = sorted(labels)
    kind = "cash" if SERIES_UNITS[metric] == "currency" else "pct"
    header = ["Year", *metric_columns(results, metric)]
    rows = []
    for year in years:
        cells = [labels[year]]
        for r in results:
            cells.append(
                fmt(float(r.series[metric][0, r.years.index(year)]), kind)
                if year in r.years
                else ""
            )
        rows.append(cells)
    return header, rows
