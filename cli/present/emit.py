"""The one emitter: a command's :class:`Document` as a terminal table, CSV, JSON, Markdown or
an Excel workbook.

Every command that prints results builds a Document (its tables, notes, JSON data and data
sheets) from the model's result types and hands it to :func:`render` (or, for a terminal,
:func:`print_document`). The formats are laid out here once, so every command writes each
of them the same way:

- numbers: one precision per unit (:func:`decimals`): cash to 0.1, percentages to 0.01,
  chances (% of draws) to 0.1; CSV and xlsx rounded the same way unless ``raw``;
- names are plain text everywhere (:func:`plain`): no rich markup is read in them, control
  characters are shown escaped, Markdown and HTML in them are escaped (:func:`md_text`);
- CSV and xlsx cells that a spreadsheet would read as a formula are neutralised
  (:func:`neutral`), as OWASP advises for CSV injection; numbers stay numbers.
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
    xlsx = "xlsx"


#: Formats whose output is bytes, not text.
BINARY = (Format.xlsx,)


@dataclass(frozen=True)
class Table:
    """One table: its title on a terminal, its header and rows of cells (text), and the
    Markdown heading line it has in a Markdown document, if any."""

    title: str
    header: list[str]
    rows: list[list[str]]
    heading: str = ""


#: A Sheet column whose unit is this takes each row's unit from the row's ``unit`` column
#: (in general, a unit ``(see X)`` is the one in column ``X`` of the same row).
ROW_UNIT = "(see unit)"


@dataclass(frozen=True)
class Sheet:
    """One table of data for CSV and xlsx: typed cells, one unit a column.

    Attributes
    ----------
    name : str
        The sheet's name in a workbook (at most 31 characters).
    header : list of str
        Column names.
    units : list of str
        Each column's unit ("" for text, years and counts; ``(see X)``, such as
        :data:`ROW_UNIT`, for a column whose unit is given row by row in column ``X``).
    rows : list of list
        Cells: str, int, float, bool or None (an empty cell).
    """

    name: str
    header: list[str]
    units: list[str]
    rows: list[list[Any]]


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
    sheets : list of Sheet
        The data tables: CSV writes the first, xlsx every one (a sheet each).
    markdown_intro : str
        Markdown text before the tables (already Markdown: its names escaped).
    note_indent : str
    markdown_notes : list of str or None
        The Markdown bullets, where they differ from ``notes``.
    """

    tables: list[Table]
    notes: list[str] = field(default_factory=list)
    data: Any = None
    sheets: list[Sheet] = field(default_factory=list)
    markdown_intro: str = ""
    note_indent: str = "  "
    markdown_notes: list[str] | None = None


# --- numbers -------------------------------------------------------------------------------

#: The unit of a chance: the share of Monte Carlo draws, in percent.
CHANCE = "% of draws"


def decimals(unit: str) -> int | None:
    """How many decimals a number in ``unit`` is shown with; None for a column that is not
    a measured quantity (text, years, counts).

    Parameters
    ----------
    unit : str
        ``GBP bn`` (any currency), ``% of GDP`` (any percentage), ``pp``, :data:`CHANCE`,
        ``probability``.

    Returns
    -------
    int or None
        1 for currency and chances in percent, 2 for percentages and percentage points,
        3 for a chance written as a fraction (``probability``).
    """
    if not unit or unit.startswith("(see "):
        return None
    if unit == CHANCE:
        return 1
    if unit == "probability":  # a chance as a fraction: 3 decimals are 0.1 % of draws
        return 3
    if unit.startswith("%") or unit == "pp":
        return 2
    return 1


def number(value: float, unit: str, signed: bool = False, separators: bool = True) -> str:
    """A number as every text output shows it: the unit's decimals (:func:`decimals`),
    thousands separators, a sign if ``signed``; ``n/a`` where it is not finite.

    Parameters
    ----------
    value : float
        In ``unit``.
    unit : str
        Its unit.
    signed : bool
        Show ``+`` on positive numbers (a change, a headroom).
    separators : bool
        Thousands separators (``3,002.0``).

    Returns
    -------
    str
    """
    if value != value or value in (float("inf"), float("-inf")):
        return "n/a"
    d = decimals(unit)
    d = 1 if d is None else d
    value = round(float(value), d) or 0.0  # no "-0.0"
    return f"{value:{'+' if signed else ''}{',' if separators else ''}.{d}f}"


def chance(p: float) -> str:
    """A probability (0 to 1) as text: percent of draws to one decimal, ``48.2 %``."""
    return f"{number(p * 100.0, CHANCE)} %"


def share_pair(target: float, reached: float, met: bool) -> tuple[str, str]:
    """A target share and the share reached, in % of GDP, with two decimals or, where two
    would contradict ``met``, just as many more as it takes: a target of 0.035 % met at
    0.0349999 % is ``0.035`` and ``0.035``, never ``0.04`` and ``0.03``.

    Parameters
    ----------
    target, reached : float, % of GDP
        The target and the share reached in its year.
    met : bool
        Whether the target counts as met (within the model's slack).

    Returns
    -------
    (str, str)
        The two numbers as text, with the same number of decimals.
    """
    for d in range(2, 10):
        t, r = round(target, d), round(reached, d)
        if r >= t if met else r < t:
            return f"{t:.{d}f}", f"{r:.{d}f}"
    return f"{target:.9f}", f"{reached:.9f}"


# --- names are plain text -------------------------------------------------------------------

# Control characters (C0, DEL, C1) and the bidirectional overrides that can make text read
# differently from what it is.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def plain(text: str) -> str:
    """``text`` safe to show on a terminal or in a file: every control character (tab and
    newline included: a name is one line) and bidirectional override shown as an escape
    (``\\x1b``, ``\\u202e``).

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """

    def esc(m: re.Match[str]) -> str:
        c = ord(m.group(0))
        return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"

    return _UNSAFE.sub(esc, text)


def plain_lines(text: str) -> str:
    """As :func:`plain`, but line ends are kept (a message of several lines)."""
    return "\n".join(plain(line) for line in text.split("\n"))


_MD_SPECIAL = re.compile(r"[\\`*\[\]|~#]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def md_text(text: str) -> str:
    """A name as Markdown text that shows exactly that name: HTML (``<script>``) and
    entities escaped, Markdown punctuation that could start a link, emphasis, code or a
    table cell backslash-escaped, control characters escaped (:func:`plain`).

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """
    text = plain(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), text)


def md_code(text: str) -> str:
    """A name as a Markdown code span: a run of backticks longer than any inside it."""
    text = plain(text)
    ticks = "`" * (max((len(r) for r in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def md_fence(text: str, info: str = "text") -> str:
    """A Markdown fenced block holding ``text`` verbatim: a fence longer than any run of
    backticks in it, so the text cannot close it early; HTML inside a fence is not read.

    Parameters
    ----------
    text : str
        The text, of any number of lines.
    info : str
        The fence's info string (the language).

    Returns
    -------
    str
        The block, without a final newline.
    """
    text = plain_lines(text)
    ticks = "`" * max(3, max((len(r) for r in re.findall(r"`+", text)), default=0) + 1)
    return f"{ticks}{info}\n{text}\n{ticks}"


# --- CSV and xlsx cells ---------------------------------------------------------------------

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def neutral(text: str) -> str:
    """A text cell a spreadsheet will not read as a formula: one that starts with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'`` (OWASP's advice on
    CSV injection). Numbers are never passed here: they stay numbers.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """
    return "'" + text if text.startswith(_FORMULA) else text


def _cell_unit(sheet: Sheet, row: Sequence[Any], i: int) -> str:
    unit = sheet.units[i]
    if unit.startswith("(see ") and unit.endswith(")") and unit[5:-1] in sheet.header:
        return str(row[sheet.header.index(unit[5:-1])])
    return unit


def _rounded(value: float, unit: str, raw: bool) -> float:
    d = decimals(unit)
    if raw or d is None:
        return float(value)
    return round(float(value), d) or 0.0


def csv_cells(sheet: Sheet, raw: bool = False, units: bool = False) -> list[list[Any]]:
    """A sheet's rows as CSV writes them: the header, the units row if asked for, then the
    rows; numbers rounded to their unit (:func:`decimals`) unless ``raw`` (every digit,
    Python's shortest round trip), text neutralised (:func:`neutral`), None empty.

    Parameters
    ----------
    sheet : Sheet
        The data.
    raw : bool
        Numbers in full precision.
    units : bool
        A second row with each column's unit.

    Returns
    -------
    list of list
        Cells as text (or int).
    """
    out: list[list[Any]] = [[neutral(plain(h)) for h in sheet.header]]
    if units:
        out.append([neutral(plain(u)) for u in sheet.units])
    for row in sheet.rows:
        cells: list[Any] = []
        for i, v in enumerate(row):
            if v is None:
                cells.append("")
            elif isinstance(v, bool):
                cells.append("true" if v else "false")
            elif isinstance(v, int):
                cells.append(v)
            elif isinstance(v, float):
                unit = _cell_unit(sheet, row, i)
                d = decimals(unit)
                cells.append(repr(float(v)) if raw or d is None else number(v, unit, False, False))
            else:
                cells.append(neutral(plain(str(v))))
        out.append(cells)
    return out


def csv_text(rows: Sequence[Sequence[Any]]) -> str:
    """CSV text with ``\\n`` line ends; None is an empty cell."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


XLSX_HINT = "pip install 'budgetsim[xlsx]'"


class FormatError(Exception):
    """A format cannot be written here (a library missing, or nowhere to put it)."""


def _sheet_title(name: str, taken: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\']", "_", plain(name))[:31] or "sheet"
    base, k = title, 2
    while title.lower() in taken:
        suffix = f" {k}"
        title, k = base[: 31 - len(suffix)] + suffix, k + 1
    taken.add(title.lower())
    return title


def xlsx_bytes(sheets: Sequence[Sheet], raw: bool = False) -> bytes:
    """An Excel workbook: a sheet per table, the header in row 1, the units in row 2 (both
    frozen), numbers as numbers (rounded as in CSV unless ``raw``, shown with their unit's
    decimals), text neutralised as in CSV. The same sheets give the same bytes.

    Parameters
    ----------
    sheets : sequence of Sheet
        The tables.
    raw : bool
        Numbers in full precision.

    Returns
    -------
    bytes

    Raises
    ------
    FormatError
        openpyxl (the optional extra ``budgetsim[xlsx]``) is not installed.
    """
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Font
    except ImportError:
        raise FormatError(
            f"--format xlsx needs openpyxl, which is not installed; install it with: {XLSX_HINT}"
        ) from None
    import datetime

    book = Workbook()
    for default in list(book.worksheets):  # the empty sheet a new workbook starts with
        book.remove(default)
    fixed = datetime.datetime(2000, 1, 1)  # no date of making: the same sheets, same bytes
    book.properties.created = book.properties.modified = fixed
    book.properties.creator = "budgetsim"
    taken: set[str] = set()
    bold = Font(bold=True)
    for sheet in sheets:
        ws = book.create_sheet(_sheet_title(sheet.name, taken))
        ws.append([neutral(plain(h)) for h in sheet.header])
        ws.append([neutral(plain(u)) for u in sheet.units])
        for cell in ws[1]:
            cell.font = bold
        for row in sheet.rows:
            values: list[Any] = []
            for i, v in enumerate(row):
                if isinstance(v, float):
                    values.append(_rounded(v, _cell_unit(sheet, row, i), raw))
                elif v is None or isinstance(v, bool | int):
                    values.append(v)
                else:
                    values.append(neutral(plain(str(v))))
            ws.append(values)
            for i, cell in enumerate(ws[ws.max_row]):
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never a formula
                elif isinstance(cell.value, float):
                    d = decimals(_cell_unit(sheet, row, i)) or 0
                    cell.number_format = "#,##0" + ("." + "0" * d if d else "")
        ws.freeze_panes = "A3"
        for i, name in enumerate(sheet.header, start=1):
            width = max([len(str(name)), *(len(str(r[i - 1])) for r in sheet.rows[:50])])
            ws.column_dimensions[ws.cell(1, i).column_letter].width = min(60, width + 2)
    buf = io.BytesIO()
    book.save(buf)
    return _fixed_zip_times(buf.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """The zip archive with every member's time, and the workbook's "modified" date (which
    openpyxl sets to the time of saving), set to one fixed date."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            member = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                member = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2000-01-01T00:00:00Z\g<2>",
                    member,
                )
            dst.writestr(fixed, member)
    return out.getvalue()


# --- JSON, Markdown, the terminal -----------------------------------------------------------


def to_json(data: Any) -> str:
    """JSON text, indented; NaN and infinity are refused, never written."""
    return json.dumps(data, indent=2, allow_nan=False) + "\n"


#: Cells a column is right-aligned for: numbers (with a unit's "%"), rule cells ("pass +1.2",
#: "FAIL -0.6"), a target's "met" or "SHORT 0.3", counts ("2/2") and "n/a".
NUMERIC = re.compile(r"^((pass|FAIL|SHORT) )?[-+]?[\d,]*\.?\d*( %)?$|^\d+/\d+$|^n/a$|^met$")


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table; numeric columns right-aligned, indents kept with em spaces, every
    cell plain text (:func:`md_text`).

    Parameters
    ----------
    header : sequence of str
        Column headings.
    rows : sequence of sequence of str
        Cells as text; leading spaces indent a cell (two a level).

    Returns
    -------
    str
        The table's lines, each ending in a newline.
    """

    def esc(cell: str) -> str:
        # Markdown drops leading spaces in a cell; keep the indent of sub-rows visible.
        indent = (len(cell) - len(cell.lstrip(" "))) // 2
        return "&emsp;" * indent + md_text(cell.strip()) or " "

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
        parts.append("".join(f"- {md_text(line)}\n" for line in notes))
    return doc.markdown_intro + "\n".join(parts)


def _text(s: str) -> Any:
    from rich.text import Text

    return Text(plain(s))


def rich_table(
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    label_width: int | None = None,
) -> Any:
    """A rich Table: numeric columns right-aligned, rows with a failure in red; every title,
    heading and cell plain text (no rich markup is read in a name).

    Parameters
    ----------
    title : str
        Shown above the table.
    header : sequence of str
        Column headings, the label column first.
    rows : sequence of sequence of str
        Cells as text, one list a row.
    label_width : int, optional
        Wrap the label column (a long title) at this many characters; the other columns
        are never wrapped or cut.

    Returns
    -------
    rich.table.Table
    """
    from rich.table import Table as RichTable

    table = RichTable(title=_text(title), title_justify="left", header_style="bold")
    for i, h in enumerate(header):
        numeric = i > 0 and all(NUMERIC.match(row[i]) for row in rows)
        if i == 0 and label_width is not None:
            table.add_column(_text(h), max_width=label_width, overflow="fold")
            continue
        table.add_column(_text(h), justify="right" if numeric else "left", no_wrap=True)
    for row in rows:
        table.add_row(
            *(_text(c) for c in row),
            # a rule failing, or a target missed
            style="red" if any("FAIL" in c or c.startswith("SHORT ") for c in row) else None,
        )
    return table


def label_width(header: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> int | None:
    """How wide the label column may be on a terminal ``width`` wide: None (as wide as its
    longest label) unless that is over a third of the width (a row named by a long title);
    then a third, at least 20 characters, and the labels wrap.

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
    int or None
    """
    longest = max(len(plain(str(r[0]))) for r in [header, *rows])
    cap = max(20, width // 3)
    return cap if longest > cap else None


def split_columns(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    width: int,
    label: int | None = None,
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
    label : int, optional
        The label column's width, where it wraps (:func:`label_width`).

    Returns
    -------
    list of (list of str, list of list of str)
        (header, rows) of each block, in column order; a column wider than ``width`` gets
        a block of its own.
    """

    def col_width(i: int) -> int:
        return max(len(plain(str(r[i]))) for r in [header, *rows]) + 3

    label = (col_width(0) if label is None else label + 3) + 1
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
        label = label_width(t.header, t.rows, console.width)
        blocks = split_columns(t.header, t.rows, console.width, label)
        for k, (head, body) in enumerate(blocks):
            suffix = f" [{k + 1}/{len(blocks)}]" if len(blocks) > 1 else ""
            console.print(rich_table(t.title + suffix, head, body, label))
    for note in doc.notes:
        console.print(_text(doc.note_indent + note), highlight=False, markup=False)


def plain_table(doc: Document) -> str:
    """The table view as plain text for a pipe or a file: never cut, no colour."""
    from rich.console import Console

    console = Console(record=True, width=1000, file=io.StringIO(), color_system=None)
    print_document(doc, console)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines()) + "\n"


def render(doc: Document, fmt: Format, raw: bool = False, units: bool = False) -> str | bytes:
    """The document in ``fmt``: text (the table view as for a pipe), or bytes for xlsx.

    Parameters
    ----------
    doc : Document
        What the command prints.
    fmt : Format
        The format.
    raw : bool
        CSV and xlsx: numbers in full precision (else rounded to their unit).
    units : bool
        CSV: a units row under the header (xlsx always has one).

    Returns
    -------
    str or bytes

    Raises
    ------
    FormatError
        xlsx without openpyxl.
    """
    if fmt is Format.json:
        return to_json(doc.data)
    if fmt is Format.csv:
        return csv_text(csv_cells(doc.sheets[0], raw, units)) if doc.sheets else ""
    if fmt is Format.xlsx:
        return xlsx_bytes(doc.sheets, raw)
    if fmt is Format.markdown:
        return markdown(doc)
    return plain_table(doc)
