"""The uncertainty commands: ``fan``, ``stress`` and ``calibrate`` (docs/uncertainty.md).

Thin like ``run``: load the scenario, call the model (budgetsim.uncertainty), present.
The model modules are imported inside the commands so ``budgetsim run`` does not pay for them.
"""

from __future__ import annotations

import csv
import io
import math
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from budgetsim.cli import EXIT_CHECK_FAILED
from budgetsim.cli.common import (
    FileArg,
    FormatOpt,
    OutputOpt,
    SetOpt,
    Table,
    emit,
    fail,
    load_or_fail,
    render,
    render_tables,
)
from budgetsim.cli.present.tables import Format, label_of, markdown_table, pct_label, to_json
from budgetsim.errors import ScenarioError
from budgetsim.input.files import read_text
from budgetsim.model.guard import DivergenceError

if TYPE_CHECKING:
    from budgetsim.model.scenario import Scenario
    from budgetsim.uncertainty.calibrate import Calibration
    from budgetsim.uncertainty.montecarlo import Fan
    from budgetsim.uncertainty.stress import StressResult

FAN_LINES = (
    ("Debt % GDP", "debt_pct_gdp"),
    ("PSNB % GDP", "psnb_pct_gdp"),
    ("Defence % GDP", "defence_pct_gdp"),
)
PROGRESS_FROM = 50_000  # draws; smaller runs take well under a second


# --- fan -----------------------------------------------------------------------------


def fan_rows(fan: Fan) -> list[tuple[str, list[list[str]]]]:
    """(title, rows) per fanned series: percentiles down, years across."""
    out = []
    for label, name in FAN_LINES:
        rows = [["central", *(f"{v:.2f}" for v in fan.central[name])]]
        for k, q in enumerate(fan.percentiles):
            rows.append([pct_label(q), *(f"{v:.2f}" for v in fan.series[name][k])])
        out.append((label, rows))
    return out


def rule_rows(fan: Fan) -> tuple[list[str], list[list[str]]]:
    header = ["Rule", "Year", "P(pass)", "central", *map(pct_label, fan.percentiles)]
    rows = []
    for name, years in fan.rule_years.items():
        for j, year in enumerate(years):
            label = label_of(fan, year)
            rows.append(
                [
                    name,
                    label,
                    f"{fan.p_rule_pass[name][j]:.3f}",
                    f"{fan.headroom_central[name][j]:+,.1f}",
                    *(f"{fan.headroom[name][k, j]:+,.1f}" for k in range(len(fan.percentiles))),
                ]
            )
    return header, rows


def fan_lines(fan: Fan) -> list[str]:
    out = [f"{fan.draws:,} draws, seed {fan.seed}"]
    if fan.p_all_rules_pass is not None:
        out.append(f"Chance that every rule passes in all its years: {fan.p_all_rules_pass:.3f}")
    if fan.target_year is not None and fan.p_target_met is not None:
        label = label_of(fan, fan.target_year)
        out.append(
            f"Chance that defence reaches the target {fan.target_pct_gdp:.2f} % of GDP in "
            f"{label}: {fan.p_target_met:.3f}"
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


def fan_dict(fan: Fan) -> dict[str, Any]:
    pct = [pct_label(q) for q in fan.percentiles]
    return {
        "scenario": fan.title,
        "source": fan.source,
        "unit": fan.unit,
        "draws": fan.draws,
        "seed": fan.seed,
        "years": list(fan.years),
        "year_labels": list(fan.year_labels),
        "percentiles": list(fan.percentiles),
        "series": {
            name: {
                "unit": "% of GDP",
                "central": [float(v) for v in fan.central[name]],
                **{p: [float(v) for v in fan.series[name][k]] for k, p in enumerate(pct)},
            }
            for _, name in FAN_LINES
        },
        "rules": [
            {
                "name": name,
                "year": year,
                "p_pass": float(fan.p_rule_pass[name][j]),
                "headroom_unit": fan.unit,
                "headroom_central": float(fan.headroom_central[name][j]),
                **{p: float(fan.headroom[name][k, j]) for k, p in enumerate(pct)},
            }
            for name, years in fan.rule_years.items()
            for j, year in enumerate(years)
        ],
        "p_all_rules_pass": fan.p_all_rules_pass,
        "target_year": fan.target_year,
        "target_pct_gdp": fan.target_pct_gdp,
        "p_target_met": fan.p_target_met,
        "debt_threshold_pct_gdp": fan.debt_threshold_pct_gdp,
        "p_debt_above": [float(v) for v in fan.p_debt_above],
        "resolution": fan.resolution,
        "clipped": list(fan.clipped),
    }


def fan_csv(fan: Fan) -> str:
    """Long form: one row per series and year (rules: per rule year), percentiles across."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["series", "unit", "year", "label", "central", *map(pct_label, fan.percentiles)])
    for _, name in FAN_LINES:
        for j, year in enumerate(fan.years):
            w.writerow(
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
            w.writerow(
                [
                    f"headroom:{name}",
                    fan.unit,
                    year,
                    label_of(fan, year),
                    repr(float(fan.headroom_central[name][j])),
                    *(repr(float(v)) for v in fan.headroom[name][:, j]),
                ]
            )
    return buf.getvalue()


def fan_markdown(fan: Fan) -> str:
    out = [f"## {fan.title}: uncertainty\n\nsource: `{fan.source}`\n"]
    for label, rows in fan_rows(fan):
        out.append(f"### {label}\n\n" + markdown_table(["", *fan.year_labels], rows))
    if fan.rule_years:
        header, rows = rule_rows(fan)
        out.append(f"### Rule headroom ({fan.unit})\n\n" + markdown_table(header, rows))
    out.append("".join(f"- {line}\n" for line in fan_lines(fan)))
    return "\n".join(out)


def _progress_run(scn: Scenario, draws: int | None, seed: int | None, workers: int | None) -> Fan:
    from budgetsim.uncertainty.montecarlo import fan

    n = draws if draws is not None else (scn.uncertainty.draws if scn.uncertainty else 0)
    if n < PROGRESS_FROM or not sys.stderr.isatty():
        return fan(scn, draws=draws, seed=seed, workers=workers)
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("draws", total=n)
        return fan(
            scn,
            draws=draws,
            seed=seed,
            workers=workers,
            progress=lambda k: bar.advance(task, k),
        )


def fan_of(
    file: Path,
    draws: int | None,
    seed: int | None,
    workers: int | None,
    overrides: list[str] | None,
) -> Fan:
    """Load a scenario and run its Monte Carlo fan. A scenario without an ``uncertainty``
    section is bad input (exit 2); a divergent draw, exit 1."""
    from budgetsim.uncertainty.montecarlo import NoUncertaintyError

    scn = load_or_fail(file, overrides)
    try:
        return _progress_run(scn, draws, seed, workers)
    except NoUncertaintyError as exc:
        fail(str(exc))
    except DivergenceError as exc:
        fail(f"{file}: {exc}", EXIT_CHECK_FAILED)


def fan_command(
    file: FileArg,
    draws: Annotated[
        int | None,
        typer.Option(help="Number of draws (default: uncertainty.draws).", min=1, max=10**9),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Random seed (default: uncertainty.seed).", min=0)
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(help="Threads (default: one per CPU). Results are the same.", min=1),
    ] = None,
    format: FormatOpt = Format.table,
    output: OutputOpt = None,
    set_: SetOpt = None,
) -> None:
    """Monte Carlo: percentiles of debt, borrowing, defence and rule headroom; chances."""
    result = fan_of(file, draws, seed, workers, set_)
    if format is Format.json:
        emit(to_json(fan_dict(result)), output)
    elif format is Format.csv:
        emit(fan_csv(result), output)
    elif format is Format.markdown:
        emit(fan_markdown(result), output)
    else:
        _render_fan(result, output)


def _render_fan(fan: Fan, output: Path | None) -> None:
    tables: list[Table] = [
        (f"{fan.title}: {label}", ["", *fan.year_labels], rows) for label, rows in fan_rows(fan)
    ]
    if fan.rule_years:
        header, rows = rule_rows(fan)
        tables.append((f"Rule headroom ({fan.unit})", header, rows))
    render_tables(tables, [f"  {line}" for line in fan_lines(fan)], output)


# --- stress --------------------------------------------------------------------------


def stress_table(res: StressResult) -> tuple[list[str], list[list[str]]]:
    header = ["Test", "PSNB % GDP", "change", "Debt % GDP", "change"]
    for rule, year in res.rule_years.items():
        header += [f"{rule} {res.labels[year]}", "change"]
    header.append("what it does")
    rows = []
    for row in (res.base, *res.rows):
        cells = [row.name]
        for value, base in (
            (row.psnb_pct_gdp, res.base.psnb_pct_gdp),
            (row.debt_pct_gdp, res.base.debt_pct_gdp),
        ):
            cells += ["n/a", ""] if value is None or base is None else _pair(value, base, 2)
        for rule in res.rule_years:
            h, b = row.headroom.get(rule), res.base.headroom.get(rule)
            cells += ["n/a", ""] if h is None or b is None else _pair(h, b, 1)
        cells.append(row.description + (f" ({row.note})" if row.note else ""))
        rows.append(cells)
    return header, rows


def _pair(value: float, base: float, decimals: int) -> list[str]:
    return [f"{value:,.{decimals}f}", f"{value - base:+,.{decimals}f}"]


def stress_csv(res: StressResult) -> str:
    """One row per test (the scenario first) with the raw numbers, as ``run``'s CSV writes
    them (docs/output.md): full precision, no signs or separators; empty where not run."""

    def cell(value: float | None) -> str:
        return "" if value is None else repr(float(value))

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        [
            "test",
            "year",
            "psnb_pct_gdp",
            "debt_pct_gdp",
            *(f"headroom:{rule} {res.labels[year]}" for rule, year in res.rule_years.items()),
            "description",
            "note",
        ]
    )
    for row in (res.base, *res.rows):
        w.writerow(
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
    return buf.getvalue()


def stress_dict(res: StressResult) -> dict[str, Any]:
    def row(r: Any) -> dict[str, Any]:
        return {
            "test": r.name,
            "description": r.description,
            "note": r.note,
            "psnb_pct_gdp": r.psnb_pct_gdp,
            "debt_pct_gdp": r.debt_pct_gdp,
            "headroom": r.headroom,
            "passed": r.passed,
        }

    return {
        "scenario": res.title,
        "source": res.source,
        "unit": res.unit,
        "year": res.year,
        "rule_years": res.rule_years,
        "scenario_values": row(res.base),
        "tests": [row(r) for r in res.rows],
    }


def stress_command(
    file: FileArg,
    test: Annotated[
        list[str] | None,
        typer.Option(
            "--test", "-t", metavar="NAME", help="A test to run (repeatable); default: all."
        ),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            metavar="YEAR",
            help="Year to read borrowing and debt in (the year a fiscal year starts in); "
            "default: the first year a rule is checked. Rules: their first checked year.",
            show_default=False,
        ),
    ] = None,
    format: FormatOpt = Format.table,
    output: OutputOpt = None,
    set_: SetOpt = None,
) -> None:
    """Named stress tests: each one's effect on borrowing, debt and rule headroom."""
    from budgetsim.uncertainty.stress import TEST_NAMES, stress

    for name in test or ():
        if name != "all" and name not in TEST_NAMES:
            fail(f"--test: unknown test {name!r}; one of: all, {', '.join(TEST_NAMES)}")
    names = TEST_NAMES if not test or "all" in test else tuple(test)
    scn = load_or_fail(file, set_)
    try:
        res = stress(scn, names, year)
    except DivergenceError as exc:
        fail(f"{file}: {exc}", EXIT_CHECK_FAILED)
    except ValueError as exc:  # a --year outside the projection
        fail(f"{file}: {exc}")
    header, rows = stress_table(res)
    year_text = res.labels[res.year]
    if format is Format.json:
        emit(to_json(stress_dict(res)), output)
    elif format is Format.csv:
        emit(stress_csv(res), output)
    elif format is Format.markdown:
        emit(
            f"Stress tests in {year_text}; headroom in {res.unit}.\n\n"
            + markdown_table(header, rows),
            output,
        )
    else:
        render(f"{res.title}: stress tests in {year_text} ({res.unit})", header, rows, [], output)


# --- calibrate -----------------------------------------------------------------------

COLUMNS = ("year", "real_gdp_growth_pct", "gdp_deflator_growth_pct", "gilt10y_avg_pct")
PACKAGED = "uk_hist_1990_2024.csv"


def read_history(path: Path | None) -> tuple[str, list[list[float]]]:
    """Rows (year, growth, deflator, yield) from a CSV; '#' lines are comments."""
    if path is None:
        from importlib.resources import files

        name = f"budgetsim/data/{PACKAGED} (shipped)"
        text = (files("budgetsim") / "data" / PACKAGED).read_text(encoding="utf-8")
    else:
        name = str(path)
        try:
            text = read_text(path, name, what="history CSV")
        except ScenarioError as exc:
            fail(str(exc))
    rows: list[list[float]] = []
    header_seen = False
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in line.split(",")]
        if not header_seen:
            names = [c.split("[")[0].strip() for c in cells]
            if names[:4] != list(COLUMNS):
                fail(f"{name}:{lineno}: the header must start with columns {', '.join(COLUMNS)}")
            header_seen = True
            continue
        if len(cells) < 4:
            fail(f"{name}:{lineno}: expected 4 values, got {len(cells)}")
        try:
            values = [float(c) for c in cells[:4]]
        except ValueError:
            fail(f"{name}:{lineno}: not a number in {line.strip()!r}")
        if not all(math.isfinite(v) for v in values):
            fail(f"{name}:{lineno}: not a finite number in {line.strip()!r}")
        rows.append(values)
    if not header_seen:
        fail(f"{name}: no header row")
    return name, rows


class CalibrateFormat(StrEnum):
    table = "table"
    json = "json"
    yaml = "yaml"


def calibration_lines(name: str, cal: Calibration) -> list[str]:
    labels = ("real growth", "deflator", "gilt change")
    first, last = cal.years[0], cal.years[-1]
    excl = f", excluding {', '.join(map(str, cal.excluded))}" if cal.excluded else ""
    out = [f"{name}: {first}-{last}{excl} ({len(cal.years)} years)", ""]
    out.append("The data (the statistics DATA.md section 5 reports for the UK series):")
    out.append(
        f"  mean: real growth {cal.mean[0]:.2f} %, deflator {cal.mean[1]:.2f} %, "
        f"gilt level {cal.mean[2]:.2f} %"
    )
    out.append(
        "  sd: " + ", ".join(f"{lab} {v:.2f} pp" for lab, v in zip(labels, cal.sd, strict=True))
    )
    c = cal.corr
    out.append(
        f"  corr: growth-deflator {c[0, 1]:+.2f}, growth-gilt change {c[0, 2]:+.2f}, "
        f"deflator-gilt change {c[1, 2]:+.2f}"
    )
    out.append(
        "  lag-1 autocorrelation: "
        + ", ".join(f"{lab} {v:+.2f}" for lab, v in zip(labels, cal.autocorr, strict=True))
    )
    out.append("")
    out.append(f"The shock model (AR(1) residuals, {cal.observations} years):")
    out.extend(yaml_section(cal, name).splitlines())
    return out


def yaml_section(cal: Calibration, name: str) -> str:
    args = " ".join(f"--exclude {y}" for y in cal.excluded)
    lines = [f"uncertainty:  # budgetsim calibrate {args}".rstrip() + f" ({name})"]
    lines += [f"  {k}: {v:g}" for k, v in cal.section().items()]
    return "\n".join(lines) + "\n"


def calibrate_command(
    csv_file: Annotated[
        Path | None,
        typer.Argument(
            help="CSV of year, real growth %, deflator growth %, 10-year yield % "
            "(default: the shipped UK series 1990-2024).",
            metavar="CSV",
            show_default=False,
        ),
    ] = None,
    exclude: Annotated[
        list[int] | None,
        typer.Option(metavar="YEAR", help="Leave a year out (repeatable); neighbours are joined."),
    ] = None,
    first: Annotated[int | None, typer.Option("--from", metavar="YEAR")] = None,
    last: Annotated[int | None, typer.Option("--to", metavar="YEAR")] = None,
    format: Annotated[
        CalibrateFormat, typer.Option("--format", "-f", help="Output format.")
    ] = CalibrateFormat.table,
    output: OutputOpt = None,
) -> None:
    """Estimate the shocks' standard deviations, correlations and persistence from history."""
    from budgetsim.uncertainty.calibrate import CalibrationError, calibrate

    name, rows = read_history(csv_file)
    rows = [r for r in rows if (first is None or r[0] >= first) and (last is None or r[0] <= last)]
    try:
        cal = calibrate(
            [int(r[0]) for r in rows],
            [r[1] for r in rows],
            [r[2] for r in rows],
            [r[3] for r in rows],
            exclude or (),
        )
    except CalibrationError as exc:
        fail(f"{name}: {exc}")
    if format is CalibrateFormat.json:
        emit(
            to_json(
                {
                    "source": name,
                    "years": list(cal.years),
                    "excluded": list(cal.excluded),
                    "mean": dict(
                        zip(
                            ("real_growth", "deflator", "gilt_level"),
                            cal.mean.tolist(),
                            strict=True,
                        )
                    ),
                    "sd": dict(
                        zip(
                            ("real_growth", "deflator", "gilt_change"), cal.sd.tolist(), strict=True
                        )
                    ),
                    "corr": cal.corr.tolist(),
                    "autocorr": cal.autocorr.tolist(),
                    "uncertainty": cal.section(),
                    "observations": cal.observations,
                }
            ),
            output,
        )
    elif format is CalibrateFormat.yaml:
        emit(yaml_section(cal, name), output)
    else:
        emit("\n".join(calibration_lines(name, cal)) + "\n", output)
