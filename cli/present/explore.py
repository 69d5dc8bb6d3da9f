"""Documents of ``budgetsim sweep`` and ``budgetsim sensitivity``: a summary table on a
terminal, the tidy table (one row per point) in CSV, JSON and Parquet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from budgetsim.cli.present.emit import CHANCE, Document, Sheet, Table, number, plain

if TYPE_CHECKING:
    from budgetsim.explore.api import Sensitivity
    from budgetsim.explore.chunks import Sweep

#: A sweep whose points are this few is shown whole on a terminal, not only summarised.
SHOW_ALL = 30


def sweep_columns(s: Sweep) -> list[tuple[str, str, str]]:
    """The outcome columns of the tidy table: (column, header, unit).

    Parameters
    ----------
    s : Sweep

    Returns
    -------
    list of (str, str, str)
        ``column`` names :attr:`Sweep.columns`; ``unit`` is "" for yes/no columns.
    """
    cols = [
        ("extra_today", "extra_today", s.unit),
        ("debt_pct_gdp", "debt_pct_gdp", "% of GDP"),
        ("psnb_pct_gdp", "psnb_pct_gdp", "% of GDP"),
    ]
    for r in s.rules:
        cols += [(f"headroom:{r}", f"headroom:{r}", s.unit), (f"pass:{r}", f"pass:{r}", "")]
        if s.draws:
            cols.append((f"p_pass:{r}", f"p_pass:{r}", "probability"))
    return [*cols, ("target_met", "target_met", "")]


def _cell(value: float, unit: str) -> Any:
    if value != value:  # NaN: not measured (a rule not checked that year, a diverged run)
        return None
    if unit == "":
        return bool(value)
    return float(value)


def sweep_rows(s: Sweep) -> tuple[list[str], list[str], list[list[Any]]]:
    """The tidy table: header, units and one row per point (the varied values as given,
    then the outcomes; a diverged point's outcomes are empty).

    Parameters
    ----------
    s : Sweep

    Returns
    -------
    header, units : list of str
    rows : list of list
    """
    cols = sweep_columns(s)
    header = [*s.keys, *(h for _, h, _ in cols)]
    units = [*("" for _ in s.keys), *(u for _, _, u in cols)]
    bad = s.columns["diverged"] > 0
    data = [s.columns[c] for c, _, _ in cols]
    rows = []
    for i in range(s.points):
        point = [float(v) for v in s.values[i]]
        if bad[i]:
            rows.append([*point, *(None for _ in cols)])
        else:
            rows.append(
                [*point, *(_cell(d[i], u) for d, (_, _, u) in zip(data, cols, strict=True))]
            )
    return header, units, rows


def _range(values: np.ndarray) -> str:
    finite = values[np.isfinite(values)]
    if not len(finite):
        return "n/a"
    return f"{finite.min():g} to {finite.max():g}"


def sweep_document(s: Sweep) -> Document:
    """The sweep's document: a summary (what was varied; each outcome's range; how many
    points pass each rule), the points themselves when few, the tidy table as the data.

    Parameters
    ----------
    s : Sweep

    Returns
    -------
    Document
    """
    header, units, rows = sweep_rows(s)
    keys = Table(
        f"{s.title}: sweep of {s.points:,} points",
        ["key", "unit", "values"],
        [
            [k, u or "-", _values_text(s.values[:, j])]
            for j, (k, u) in enumerate(zip(s.keys, s.key_units, strict=True))
        ],
        heading=f"Sweep of {s.points:,} points",
    )
    ok = s.columns["diverged"] == 0
    summary: list[list[str]] = []
    for col, head, unit in sweep_columns(s):
        v = s.columns[col][ok]
        v = v[np.isfinite(v)]
        if not len(v):
            continue
        if unit == "":
            summary.append([head, f"{int(v.sum()):,} of {len(v):,} points", "", ""])
        else:
            shown = CHANCE if unit == "probability" else unit
            scale = 100.0 if unit == "probability" else 1.0
            lo, mid, hi = (number(float(q) * scale, shown) for q in np.percentile(v, [0, 50, 100]))
            summary.append([f"{head} ({shown})", lo, mid, hi])
    outcomes = Table(
        f"Outcomes (rules' year {s.year_label}; extra cost in {s.cost_year_label}, today's terms)",
        ["outcome", "lowest", "median", "highest"],
        summary,
        heading="Outcomes",
    )
    tables = [keys, outcomes]
    if s.points <= SHOW_ALL:
        tables.append(
            Table(
                "Points",
                header,
                [[_text(v, u) for v, u in zip(row, units, strict=True)] for row in rows],
                heading="Points",
            )
        )
    notes = [
        f"extra_today: extra defence spending in {s.cost_year_label} in today's terms "
        f"({s.unit}); debt and borrowing (psnb) % of GDP, headroom ({s.unit}) and pass in "
        f"{s.year_label}.",
    ]
    if s.draws:
        notes.append(
            f"p_pass: share of {s.draws:,} draws (seed {s.seed}, the same draws at every "
            "point) in which the rule passes."
        )
    if s.grouped:
        notes.append(f"Run one group of points at a time: {', '.join(s.grouped)}.")
    diverged = int(np.count_nonzero(~ok))
    if diverged:
        notes.append(f"{diverged:,} points diverge (no outcomes shown for them).")
    if s.points > SHOW_ALL:
        notes.append("Every point: --format csv, json or parquet.")
    return Document(
        tables=tables,
        notes=[plain(n) for n in notes],
        data=sweep_json(s, header, units, rows),
        sheets=[Sheet("sweep", header, units, rows)],
    )


def _values_text(values: np.ndarray) -> str:
    levels = np.unique(values)
    if len(levels) <= 6:
        return ", ".join(f"{v:g}" for v in levels)
    step = np.diff(levels)
    if np.allclose(step, step[0]):
        return f"{levels[0]:g} to {levels[-1]:g} by {step[0]:g} ({len(levels)} values)"
    return f"{levels[0]:g} to {levels[-1]:g} ({len(levels)} values)"


def _text(value: Any, unit: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if unit == "":
        return f"{value:g}"
    if unit == "probability":
        return f"{number(value * 100.0, CHANCE)} %"
    return number(value, unit)


def sweep_json(
    s: Sweep, header: list[str], units: list[str], rows: list[list[Any]]
) -> dict[str, Any]:
    """The sweep's JSON document: what was run, then one object per point.

    Parameters
    ----------
    s : Sweep
    header, units : list of str
    rows : list of list
        As :func:`sweep_rows`.

    Returns
    -------
    dict
    """
    return {
        "scenario": s.title,
        "source": s.source,
        "unit": s.unit,
        "points": s.points,
        "rules_year": s.year,
        "rules_year_label": s.year_label,
        "cost_year_label": s.cost_year_label,
        "draws": s.draws,
        "seed": s.seed if s.draws else None,
        "keys": [{"key": k, "unit": u} for k, u in zip(s.keys, s.key_units, strict=True)],
        "units": dict(zip(header[len(s.keys) :], units[len(s.keys) :], strict=True)),
        "rows": [dict(zip(header, row, strict=True)) for row in rows],
    }


def sweep_parquet(s: Sweep) -> bytes:
    """The tidy table as a Parquet file (needs pyarrow): one column per key and outcome,
    each column's unit in its field metadata, the run's settings in the file's.

    Parameters
    ----------
    s : Sweep

    Returns
    -------
    bytes

    Raises
    ------
    ImportError
        pyarrow is not installed.
    """
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    header, units, rows = sweep_rows(s)
    fields = []
    arrays = []
    for j, (name, unit) in enumerate(zip(header, units, strict=True)):
        column = [row[j] for row in rows]
        kind = pa.bool_() if unit == "" and j >= len(s.keys) else pa.float64()
        unit = s.key_units[j] if j < len(s.keys) else unit
        fields.append(pa.field(name, kind, metadata={"unit": unit}))
        arrays.append(pa.array(column, type=kind))
    meta = sweep_json(s, header, units, [])
    meta.pop("rows")
    table = pa.Table.from_arrays(
        arrays, schema=pa.schema(fields, metadata={"budgetsim": json.dumps(meta)})
    )
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return bytes(sink.getvalue().to_pybytes())


def sensitivity_document(r: Sensitivity) -> Document:
    """The indices: one table per outcome, one row per key (Sobol S1 and ST with their 95 %
    confidence half-widths, or Morris mu*, its half-width and sigma); tidy rows as data.

    Parameters
    ----------
    r : Sensitivity

    Returns
    -------
    Document
    """
    tables = []
    sheet_rows: list[list[Any]] = []
    names = (
        ("S1", "S1_conf", "ST", "ST_conf")
        if r.method == "sobol"
        else ("mu_star", "mu_star_conf", "sigma", "mu")
    )
    for m, unit in zip(r.measures, r.measure_units, strict=True):
        idx = r.indices[m]
        lo, mid, hi = r.spread[m]
        year = r.cost_year_label if m == "extra_today" else r.year_label
        if r.constant(m):
            tables.append(
                Table(
                    f"{m} in {year} ({unit}): {number(mid, unit)} at every sample; "
                    "none of the keys moves it",
                    ["key"],
                    [[k] for k in r.keys],
                    heading=m,
                )
            )
            continue
        order = np.argsort(-idx["ST" if r.method == "sobol" else "mu_star"], kind="stable")
        rows = []
        for k in order:
            key = r.keys[k]
            if r.method == "sobol":
                rows.append(
                    [
                        key,
                        f"{idx['S1'][k]:.3f} ± {idx['S1_conf'][k]:.3f}",
                        f"{idx['ST'][k]:.3f} ± {idx['ST_conf'][k]:.3f}",
                    ]
                )
            else:
                mu, ci = number(idx["mu_star"][k], unit), number(idx["mu_star_conf"][k], unit)
                rows.append([key, f"{mu} ± {ci}", number(idx["sigma"][k], unit)])
            sheet_rows.append([m, key, *(float(idx[n][k]) for n in names)])
        head = (
            ["key", "first-order S1", "total ST"]
            if r.method == "sobol"
            else ["key", f"mu* ({unit})", f"sigma ({unit})"]
        )
        tables.append(
            Table(
                f"{m} in {year} ({unit}): 5th-95th percentile over the samples "
                f"{number(lo, unit)} to {number(hi, unit)}, median {number(mid, unit)}",
                head,
                rows,
                heading=m,
            )
        )
    ranges = "; ".join(
        f"{k} {lo:g} to {hi:g}{' ' + u if u else ''}"
        for k, u, (lo, hi) in zip(r.keys, r.key_units, r.bounds, strict=True)
    )
    method = (
        f"Sobol indices (Saltelli sampling, N = {r.samples:,}: {r.evaluations:,} runs), "
        "± the 95 % confidence half-width (bootstrap)"
        if r.method == "sobol"
        else f"Morris elementary effects ({r.samples:,} trajectories: {r.evaluations:,} runs), "
        "± the 95 % confidence half-width of mu*"
    )
    notes = [f"{method}; seed {r.seed}.", f"Ranges (uniform): {ranges}."]
    units = ["", "", *(("", "", "", "") if r.method == "sobol" else ("(see unit)",) * 4)]
    header = ["measure", "key", *names]
    if r.method == "morris":
        header = ["measure", "unit", "key", *names]
        units = ["", "", "", *("(see unit)",) * 4]
        unit_of = dict(zip(r.measures, r.measure_units, strict=True))
        sheet_rows = [[row[0], unit_of[row[0]], *row[1:]] for row in sheet_rows]
    data = {
        "scenario": r.title,
        "source": r.source,
        "method": r.method,
        "samples": r.samples,
        "evaluations": r.evaluations,
        "seed": r.seed,
        "rules_year": r.year,
        "rules_year_label": r.year_label,
        "keys": [
            {"key": k, "unit": u, "low": lo, "high": hi}
            for k, u, (lo, hi) in zip(r.keys, r.key_units, r.bounds, strict=True)
        ],
        "measures": [
            {
                "name": m,
                "unit": u,
                "p5": r.spread[m][0],
                "p50": r.spread[m][1],
                "p95": r.spread[m][2],
                "indices": None
                if r.constant(m)
                else {
                    key: {n: float(r.indices[m][n][k]) for n in names}
                    for k, key in enumerate(r.keys)
                },
            }
            for m, u in zip(r.measures, r.measure_units, strict=True)
        ],
    }
    return Document(
        tables=tables,
        notes=[plain(n) for n in notes],
        data=data,
        sheets=[Sheet("sensitivity", header, units, sheet_rows)],
    )
