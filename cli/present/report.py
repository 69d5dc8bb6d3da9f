"""The report: one self-contained HTML file (or Markdown with PNGs beside it) per run.

It reads Results (through the presenters in :mod:`budgetsim.cli.present.tables`), the scenarios'
assumptions (:mod:`budgetsim.input.assumptions`) and chart images already rendered; it draws
nothing and reads no files itself. The HTML embeds its charts as ``data:`` PNGs, has no
scripts, and its Content-Security-Policy forbids any fetch, so it opens offline and shows
the same thing everywhere. Nothing in it depends on the time it was made.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from budgetsim import __version__
from budgetsim.cli.present.charts import CHARTS
from budgetsim.cli.present.emit import markdown_table, md_code, md_fence, md_text, plain
from budgetsim.cli.present.tables import (
    COMPARE_HEADERS,
    baseline_first,
    common_year,
    compare_cells,
    compare_record,
    run_rows,
    summary_lines,
)
from budgetsim.input.assumptions import Assumptions
from budgetsim.model.result import Result

#: Charts whose axis is in cash: drawn once per currency unit when the scenarios differ.
CASH_CHARTS = ("defence-cash", "funding", "headroom")

META_LABELS = (
    ("country", "Country"),
    ("currency", "Currency unit"),
    ("description", "What it assumes"),
    ("reference", "Sources"),
    ("baseline", "Compared with"),
    ("author", "Author"),
)


@dataclass(frozen=True)
class Plot:
    """One chart of the report: which chart, of which Results, under which file name."""

    key: str
    chart: str
    results: tuple[Result, ...]

    @property
    def caption(self) -> str:
        """The chart's title and the scenarios it shows, under the image."""
        names = ", ".join(Path(r.source).stem for r in self.results)
        return f"{CHARTS[self.chart].title}: {names}"


def chart_plan(results: Sequence[Result]) -> list[Plot]:
    """Every chart of all the scenarios together; a chart in cash once per currency unit."""
    by_unit: dict[str, list[Result]] = {}
    for r in results:
        by_unit.setdefault(r.unit, []).append(r)
    groups = list(by_unit.values())
    out = []
    for name in CHARTS:
        if name in CASH_CHARTS and len(groups) > 1:
            out += [Plot(f"{name}-{k + 1}", name, tuple(g)) for k, g in enumerate(groups)]
        else:
            out.append(Plot(name, name, tuple(results)))
    return out


def rule_check_rows(result: Result) -> list[list[str]]:
    """Every rule in every year it is checked: what it measures, its limit, its headroom."""
    rows = []
    for c in result.checks():
        of = c.measured_unit
        rows.append(
            [
                c.rule,
                f"{c.type} ({c.measure})" if c.measure else c.type,
                c.label,
                "pass" if c.passed else "FAIL",
                f"{c.measured_pct:.2f} {of}",
                "" if c.limit_pct is None else f"{c.limit_pct:.2f} {of}",
                f"{c.headroom:+,.1f}",
            ]
        )
    return rows


def _rule_header(result: Result) -> list[str]:
    return ["Rule", "Type", "Year", "Result", "Measured", "Limit", f"Headroom ({result.unit})"]


ASSUMPTION_HEADER = ("Key", "Value", "Unit", "Source (comment in the file)", "Set in")


def _assumption_rows(a: Assumptions) -> list[list[str]]:
    return [[r.key, r.value, r.unit, r.source, r.where] for r in a.rows]


def _generated(results: Sequence[Result]) -> str:
    files = ", ".join(r.source for r in results)
    return f"Made by budgetsim {__version__} from {files}."


# --- HTML --------------------------------------------------------------------------------

CSS = """
body { font-family: "DejaVu Sans", Verdana, sans-serif; margin: 2em auto; max-width: 70em;
       padding: 0 1em; color: #1a1a1a; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { font-size: 1.3em; border-bottom: 1px solid #999;
     margin-top: 2em; } h3 { font-size: 1.05em; margin-top: 1.5em; }
table { border-collapse: collapse; font-size: 0.8em; margin: 0.5em 0; }
th, td { border: 1px solid #bbb; padding: 0.2em 0.5em; vertical-align: top; }
th { background: #eee; text-align: left; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.fail td { background: #f3d6d6; font-weight: bold; }
.wide { overflow-x: auto; }
figure { margin: 1em 0; } figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: 0.85em; color: #444; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dt { font-weight: bold; } dd { margin: 0; }
pre { white-space: pre-wrap; font-size: 0.8em; background: #f6f6f6; padding: 0.5em; }
.note { color: #444; font-size: 0.85em; }
"""

# No scripts, no fetches: images only from data: URIs, styles only from this file.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


_NUMBER = re.compile(r"((pass|FAIL) )?[-+]?[\d,]*\.?\d+|n/a")


def _e(text: str) -> str:
    return html.escape(plain(text), quote=True)


def _cell(text: str, head: bool = False) -> str:
    tag = "th" if head else "td"
    stripped = text.strip()
    numeric = not head and _NUMBER.fullmatch(stripped) is not None
    indent = (len(text) - len(text.lstrip(" "))) // 2
    pad = "&emsp;" * indent
    cls = ' class="num"' if numeric else ""
    return f"<{tag}{cls}>{pad}{_e(stripped)}</{tag}>"


def html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """An HTML table: numeric cells right-aligned, rows with a failure highlighted.

    Parameters
    ----------
    header : sequence of str
        Column headings.
    rows : sequence of sequence of str
        Cells as text (escaped here); leading spaces indent a cell.

    Returns
    -------
    str
        The table in a scrollable ``div``.
    """
    out = ['<div class="wide"><table>', "<thead><tr>"]
    out.append("".join(_cell(h, head=True) for h in header) + "</tr></thead><tbody>")
    for row in rows:
        fail = any(c.startswith("FAIL") for c in row)
        out.append(('<tr class="fail">' if fail else "<tr>") + "".join(_cell(c) for c in row))
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out)


def _figure_html(p: Plot, png: bytes) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure id="chart-{_e(p.key)}"><img alt="{_e(p.caption)}" '
        f'src="data:image/png;base64,{data}">'
        f"<figcaption>{_e(p.caption)}</figcaption></figure>"
    )


def _assumptions_html(a: Assumptions) -> str:
    out = ["<dl>"]
    for key, label in META_LABELS:
        if a.meta.get(key):
            out.append(f"<dt>{_e(label)}</dt><dd>{_e(a.meta[key])}</dd>")
    out.append("</dl>")
    out.append(html_table(ASSUMPTION_HEADER, _assumption_rows(a)))
    for src, note in a.notes:
        if note:
            out.append(f"<details><summary>Notes at the top of {_e(src)}</summary>")
            lines = "\n".join(_e(line) for line in note.split("\n"))
            out.append(f"<pre>{lines}</pre></details>")
    return "\n".join(out)


def _title(results: Sequence[Result]) -> str:
    what = results[0].title if len(results) == 1 else f"{len(results)} scenarios compared"
    return f"budgetsim report: {what}"


def html_report(
    results: Sequence[Result],
    assumptions: Sequence[Assumptions],
    plots: Sequence[Plot],
    images: Mapping[str, bytes],
) -> str:
    """The whole report as one HTML document; ``images`` maps each plot's key to its PNG.

    Parameters
    ----------
    results : sequence of Result
        The scenarios, in output units.
    assumptions : sequence of Assumptions
        Each scenario's assumptions, in the same order.
    plots : sequence of Plot
        The charts (:func:`chart_plan`).
    images : mapping of str to bytes
        Each plot's PNG, by key; embedded as ``data:`` URIs.

    Returns
    -------
    str
        A self-contained HTML document with no scripts.
    """
    title = _title(results)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="note">{_e(_generated(results))}</p>',
    ]
    if len(results) > 1:
        out.append("<h2>Comparison</h2>")
        out.append(_compare_html(results))
    out.append("<h2>Charts</h2>")
    out += [_figure_html(p, images[p.key]) for p in plots]
    for r, a in zip(results, assumptions, strict=True):
        out.append(f"<h2>{_e(r.title)}</h2>")
        out.append(f'<p class="note">{_e(r.source)}; {_e(r.unit)}</p>')
        out.append("<h3>Summary</h3><ul>")
        out += [f"<li>{_e(line)}</li>" for line in summary_lines(r)]
        out.append("</ul>")
        out.append("<h3>Year by year</h3>")
        out.append(
            html_table(
                [f"{r.unit}", *r.year_labels], [[label, *cells] for label, cells in run_rows(r)]
            )
        )
        out.append("<h3>Rule checks</h3>")
        rows = rule_check_rows(r)
        out.append(html_table(_rule_header(r), rows) if rows else "<p>No fiscal rules are set.</p>")
        out.append("<h3>Assumptions and their sources</h3>")
        out.append(_assumptions_html(a))
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _compare(results: Sequence[Result]) -> tuple[str, list[list[str]]] | None:
    year = common_year(results)
    if year is None:
        return None
    label = results[0].label(year)
    return label, [compare_cells(compare_record(r, year)) for r in baseline_first(results)]


def _compare_html(results: Sequence[Result]) -> str:
    got = _compare(results)
    if got is None:
        return "<p>The scenarios share no projection year, so there is no comparison.</p>"
    label, rows = got
    return f"<p>Compared in {_e(label)}.</p>\n" + html_table(COMPARE_HEADERS, rows)


# --- Markdown ------------------------------------------------------------------------------


def markdown_report(
    results: Sequence[Result],
    assumptions: Sequence[Assumptions],
    plots: Sequence[Plot],
    image_names: Mapping[str, str],
) -> str:
    """The report as Markdown; ``image_names`` maps each plot's key to its PNG's file name.

    Parameters
    ----------
    results : sequence of Result
        The scenarios, in output units.
    assumptions : sequence of Assumptions
        Each scenario's assumptions, in the same order.
    plots : sequence of Plot
        The charts (:func:`chart_plan`).
    image_names : mapping of str to str
        Each plot's PNG file name, by key, relative to the report.

    Returns
    -------
    str
    """
    title = _title(results)
    out = [f"# {md_text(title)}", "", md_text(_generated(results)), ""]
    if len(results) > 1:
        out += ["## Comparison", ""]
        got = _compare(results)
        if got is None:
            out += ["The scenarios share no projection year, so there is no comparison.", ""]
        else:
            out += [f"Compared in {got[0]}.", "", markdown_table(COMPARE_HEADERS, got[1])]
    out += ["## Charts", ""]
    for p in plots:
        caption = md_text(p.caption)
        out += [f"![{caption}]({quote(image_names[p.key])})", "", f"*{caption}*", ""]
    for r, a in zip(results, assumptions, strict=True):
        out += [f"## {md_text(r.title)}", "", f"{md_code(r.source)}; {md_text(r.unit)}", ""]
        out += ["### Summary", ""]
        out += [f"- {md_text(line)}" for line in summary_lines(r)]
        out += ["", "### Year by year", ""]
        out.append(
            markdown_table(
                [r.unit, *r.year_labels], [[label, *cells] for label, cells in run_rows(r)]
            )
        )
        out += ["### Rule checks", ""]
        rows = rule_check_rows(r)
        out.append(markdown_table(_rule_header(r), rows) if rows else "No fiscal rules are set.\n")
        out += ["### Assumptions and their sources", ""]
        for key, label in META_LABELS:
            if a.meta.get(key):
                out.append(f"- **{label}:** {md_text(a.meta[key])}")
        out.append("")
        out.append(markdown_table(ASSUMPTION_HEADER, _assumption_rows(a)))
        for src, note in a.notes:
            if note:
                out += [f"Notes at the top of {md_code(src)}:", "", md_fence(note), ""]
    return "\n".join(out).rstrip("\n") + "\n"
