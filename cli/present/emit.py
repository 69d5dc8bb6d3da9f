"""The one emitter: a command's :class:`Document` as a terminal table, CSV, JSON or Markdown.

Every command that prints results builds a Document (its tables, notes, JSON data and CSV
rows) from the model's result types and hands it to :func:`render_text` (or, for a
terminal, :func:`print_document`). The formats are laid out here once, so every command
writes each of them the same way.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Format(StrEnum):
    """The output formats every results command takes (``--format``)."""

    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"


@dataclass(frozen=True)
class Table:
    """One table: its title on a terminal, its header and rows of cells (text), and the
    Markdown heading line it has in a Markdown document, if any."""

    title: str
    header: list[str]
    rows: list[list[str]]
    heading: str = ""


@dataclass(frozen=True)
class Document:
    """What a command prints, in every format.

    Attributes
    ----------
    tables : list of Table
        The terminal and Markdown views, in order.
    notes : list of str
        Lines under the tables (indented by ``note_indent`` on a terminal; bullets in
        Markdown, unless ``markdown_notes`` says otherwise).
    data : object
        The JSON document (plain dicts, lists, numbers and strings).
    csv : list of list
        CSV rows, the header first; numbers are written in full (``repr``).
    markdown_intro : str
        Markdown text before the tables.
    note_indent : str
    markdown_notes : list of str or None
        The Markdown bullets, where they differ from ``notes``.
    """

    tables: list[Table]
    notes: list[str] = field(default_factory=list)
    data: Any = None
    csv: list[list[Any]] = field(default_factory=list)
    markdown_intro: str = ""
    note_indent: str = "  "
    markdown_notes: list[str] | None = None


def to_json(data: Any) -> str:
    """JSON text, indented; NaN and infinity are refused, never written."""
    return json.dumps(data, indent=2, allow_nan=False) + "\n"


def csv_text(rows: Sequence[Sequence[Any]]) -> str:
    """CSV text with ``\\n`` line ends; None is an empty cell."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


# A cell that reads as a number (or a rule's "pass +1.2"): right-aligned in the table.
NUMERIC = re.compile(r"^((pass|FAIL) )?[-+]?[\d,]*\.?\d*$|^\d+/\d+$|^n/a$")


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table; numeric columns right-aligned, indents kept with em spaces."""

    def esc(cell: str) -> str:
        # Markdown drops leading spaces in a cell; keep the indent of sub-rows visible.
        indent = (len(cell) - len(cell.lstrip(" "))) // 2
        return "&emsp;" * indent + cell.replace("|", "\\|").strip() or " "

    def align(i: int) -> str:
        numeric = i > 0 and all(NUMERIC.match(row[i].strip()) for row in rows)
        return "---:" if numeric else "---"

    lines = ["| " + " | ".join(esc(h) for h in header) + " |"]
    lines.append("|" + "|".join(align(i) for i in range(len(header))) + "|")
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def markdown(doc: Document) -> str:
    """The document as Markdown: the intro, each table under its heading, the bullets."""
    parts = [
        (f"{t.heading}\n\n" if t.heading else "") + markdown_table(t.header, t.rows)
        for t in doc.tables
    ]
    notes = doc.notes if doc.markdown_notes is None else doc.markdown_notes
    if notes:
        parts.append("".join(f"- {line}\n" for line in notes))
    return doc.markdown_intro + "\n".join(parts)


def rich_table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Any:
    """A rich Table: numeric columns right-aligned, rows with a failure in red.

    Parameters
    ----------
    title : str
        Shown above the table.
    header : sequence of str
        Column headings, the label column first.
    rows : sequence of sequence of str
        Cells as text, one list a row.

    Returns
    -------
    rich.table.Table
    """
    from rich.table import Table as RichTable

    table = RichTable(title=title, title_justify="left", header_style="bold")
    for i, h in enumerate(header):
        numeric = i > 0 and all(NUMERIC.match(row[i]) for row in rows)
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

    Parameters
    ----------
    header : sequence of str
        Column headings, the label column first.
    rows : sequence of sequence of str
        Cells as text, one list a row.
    width : int
        The terminal's width, characters.

    Returns
    -------
    list of (list of str, list of list of str)
        (header, rows) of each block, in column order; a column wider than ``width`` gets
        a block of its own.
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


def print_document(doc: Document, console: Any) -> None:
    """The tables (each split into blocks of columns that fit the console) and the notes."""
    for t in doc.tables:
        blocks = split_columns(t.header, t.rows, console.width)
        for k, (head, body) in enumerate(blocks):
            suffix = f" [{k + 1}/{len(blocks)}]" if len(blocks) > 1 else ""
            console.print(rich_table(t.title + suffix, head, body))
    for note in doc.notes:
        console.print(doc.note_indent + note, highlight=False, markup=False)


def plain_table(doc: Document) -> str:
    """The table view as plain text for a pipe or a file: never cut, no colour."""
    from rich.console import Console

    console = Console(record=True, width=1000, file=io.StringIO(), color_system=None)
    print_document(doc, console)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines()) + "\n"


def render_text(doc: Document, fmt: Format) -> str:
    """The document in ``fmt``, as text (the table view as for a pipe)."""
    if fmt is Format.json:
        return to_json(doc.data)
    if fmt is Format.csv:
        return csv_text(doc.csv)
    if fmt is Format.markdown:
        return markdown(doc)
    return plain_table(doc)
