"""Readers turn a submitted file into one Arrow table of text per submission table.

Every reader checks the header against the contract (missing, unknown and repeated columns) and gives each row
its number in the file (`source_row`), so that every later message can name the row. Typing the values is
canonical.py's work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from gender_warehouse.canonical import abbreviated
from gender_warehouse.contracts import TABLES, Table, normalize_name
from gender_warehouse.errors import SubmissionError


@dataclass
class TableSource:
    """One table in a file: its contract, where it is, and how to read its rows as text."""

    table: Table
    sheet: str | None  # the XLSX sheet; None for a CSV file
    columns: list[str]  # the contract's column names, in the file's order
    read: Callable[[], pa.Table]  # source_row (int64) and every contract column (string; absent optional = null)
    row_noun: str = "row"  # what source_row counts: a row of a sheet or CSV file, or a line of an XML file
    notes: list[str] = field(default_factory=list)  # what the reader left out or changed: warnings to report
    # The slices a submission replaces, when the file says more than the table's default (Table.supersedes_by):
    # an IATI file replaces whole programmes, in every programme table, whether or not it has rows for them.
    supersedes_by: tuple[str, ...] | None = None
    replaces_programmes: list[str] = field(default_factory=list)
    # Parts of the file refused while the rest loads (IATI activities that fail the schema), each located: the
    # same list on every table of the file.
    refused: list[SubmissionError] = field(default_factory=list)
    refused_count: int = 0  # how many parts were refused (the list stops at a readable length)


def text_table(table: Table, source_rows: pa.Array, columns: dict[str, pa.Array]) -> pa.Table:
    """Every contract column as text, in contract order; an optional column the file left out is all null."""
    n = len(source_rows)
    return pa.table(
        {
            "source_row": source_rows,
            **{c: columns[c] if c in columns else pa.nulls(n, pa.string()) for c in table.column_names},
        }
    )


def row_numbers(first: int, count: int) -> pa.Array:
    """first, first + 1, ... as int64, made in Arrow (a million from a Python range take half a second)."""
    if count == 0:
        return pa.array([], pa.int64())
    return pc.add(pc.cumulative_sum(pa.repeat(pa.scalar(1, pa.int64()), count)), first - 1)


class Rows:
    """Text rows of one table gathered one at a time (by readers that build rows, not read them from cells), each
    with the row or line it comes from."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.lines: list[int] = []
        self.values: dict[str, list[str | None]] = {c: [] for c in table.column_names}
        self.columns = list(self.values.items())  # (name, its list), made once: add runs for every row

    def add(self, line: int, **values: str | None) -> None:
        self.lines.append(line)
        for column, found in self.columns:
            found.append(values.get(column))

    def arrow(self) -> pa.Table:
        return text_table(
            self.table,
            pa.array(self.lines, pa.int64()),
            {c: pa.array(v, pa.string()) for c, v in self.values.items()},
        )


def file_format(path: Path) -> str:
    """csv, xlsx or xml, from the name and checked against the first bytes."""
    suffix = path.suffix.lower()
    with path.open("rb") as f:
        head = f.read(256)
    if suffix == ".xls" or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SubmissionError("this is an old binary Excel file (.xls); save it as an Excel workbook (.xlsx)")
    if head.startswith(b"PK\x03\x04"):
        if suffix not in (".xlsx", ".xlsm"):
            raise SubmissionError(f"a zip archive named {path.name!r}; expected a CSV file or an .xlsx workbook")
        return "xlsx"
    if suffix in (".xlsx", ".xlsm"):
        raise SubmissionError("the file is named .xlsx but is not an Excel workbook (it is not a zip archive)")
    if suffix == ".xml":
        if not head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
            raise SubmissionError("the file is named .xml but does not start with an XML tag")
        return "xml"
    if suffix in (".csv", ".txt", ".tsv"):
        return "csv"
    raise SubmissionError(
        f"unsupported file type {suffix or '(no extension)'!r}; expected a CSV file (.csv), an Excel workbook "
        "(.xlsx) or an IATI activity file (.xml)"
    )


def read_submission(path: Path, kind: str | None = None) -> tuple[str, list[TableSource]]:
    """The file's format and the tables it holds. Raises SubmissionError for a file that cannot be read."""
    fmt = file_format(path)
    if fmt == "csv":
        from gender_warehouse.readers.csv_reader import read_csv

        return fmt, read_csv(path, kind)
    if fmt == "xml":
        from gender_warehouse.readers.iati_reader import read_iati

        return fmt, read_iati(path)
    from gender_warehouse.readers.xlsx_reader import read_xlsx

    return fmt, read_xlsx(path, kind)


def map_header(names: list[str], table: Table, sheet: str | None = None) -> list[str]:
    """The contract's name for each header cell, or a SubmissionError naming what is missing or unknown."""
    mapped = [normalize_name(n) for n in names]
    where = {"sheet": sheet}
    seen: set[str] = set()
    for name in mapped:
        if name in seen:
            raise SubmissionError(f"column {abbreviated(name)} appears twice in the header", **where)
        seen.add(name)
    unknown = [n for n, m in zip(names, mapped, strict=True) if m not in table.column_names]
    missing = [c for c in table.required_columns if c not in seen]
    problems = []
    if missing:
        problems.append("missing required column(s) " + ", ".join(missing))
    if unknown:
        problems.append("unknown column(s) " + ", ".join(abbreviated(u) for u in unknown[:10]))
        if len(unknown) > 10:
            problems[-1] += f" and {len(unknown) - 10} more"
    if problems:
        optional = [c.name for c in table.columns if not c.required]
        raise SubmissionError(
            f"the header does not match the {table.name} contract: {'; '.join(problems)}. "
            f"Expected columns: {', '.join(table.column_names)}"
            + (f" ({', '.join(optional)} optional)" if optional else ""),
            row=1,
            **where,
        )
    return mapped


# Files people send that are not submissions, recognised by their header, so the message can say what they are.
FOREIGN_FORMATS = {
    frozenset({"year", "org", "entity", "staff"}): "a UN CEB HR statistics extract of staff totals by organization",
    frozenset({"region", "subregion", "iso", "country", "ds", "orgcd", "count"}): (
        "a UN CEB HR statistics extract of staff totals by duty station"
    ),
}


def reject_foreign_format(names: list[str], sheet: str | None = None) -> None:
    """Refuse a known non-submission format with a message saying what it is and what is missing."""
    found = FOREIGN_FORMATS.get(frozenset(normalize_name(n) for n in names))
    if found:
        raise SubmissionError(
            f"this is {found}: it has no sex, grade or staff category, so it cannot become hr_headcount rows. "
            f"Send the figures by sex and grade in the hr_headcount contract ({', '.join(TABLES['hr_headcount'].column_names)})",
            sheet=sheet,
            row=1,
        )


def detect_table(names: list[str]) -> Table | None:
    """The one table whose required columns are all in this header, if exactly one fits."""
    given = {normalize_name(n) for n in names}
    fits = [t for t in TABLES.values() if set(t.required_columns) <= given]
    return fits[0] if len(fits) == 1 else None


def split_fields(line: str, delimiter: str) -> list[str]:
    """The values of one CSV record, unquoted, with no limit on a value's length (Python's csv module refuses a
    field over 128 KB): used to say which column of a row a reader could not take."""
    fields: list[str] = []
    pending: str | None = None
    for piece in line.split(delimiter):
        pending = piece if pending is None else pending + delimiter + piece
        if pending.count('"') % 2 == 0:  # a quoted value is whole once its quotes pair up ("" is a quote in it)
            fields.append(unquoted(pending))
            pending = None
    if pending is not None:
        fields.append(unquoted(pending))
    return fields


def unquoted(field: str) -> str:
    bare = field.strip()
    if len(bare) >= 2 and bare[0] == bare[-1] == '"':
        return bare[1:-1].replace('""', '"')
    return field
