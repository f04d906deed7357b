"""Readers turn a submitted file into one stream of CSV rows per table, ready for PostgreSQL COPY.

Every reader checks the header against the contract (missing, unknown and repeated columns) and leaves value
checks to the database, which types each value and names the row and column of any that does not parse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from gender_warehouse.contracts import TABLES, Table, normalize_name
from gender_warehouse.errors import SubmissionError


@dataclass
class TableSource:
    """The rows of one table in a file, as CSV bytes for COPY."""

    table: Table
    sheet: str | None  # the XLSX sheet; None for a CSV file
    columns: list[str]  # the contract's column names, in the order the stream carries them
    chunks: Callable[[], Iterator[bytes]]
    delimiter: str = ","
    header_line: bool = True  # the stream starts with a header line COPY must skip
    row_numbers: bool = False  # the stream's first field is the row number in the file

    @property
    def where(self) -> str:
        return f"sheet {self.sheet!r}" if self.sheet else "the file"


def file_format(path: Path) -> str:
    """csv, xlsx or xml, from the name and checked against the first bytes."""
    suffix = path.suffix.lower()
    with path.open("rb") as f:
        head = f.read(8)
    if suffix == ".xls" or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SubmissionError("this is an old binary Excel file (.xls); save it as an Excel workbook (.xlsx)")
    if head.startswith(b"PK\x03\x04"):
        if suffix not in (".xlsx", ".xlsm"):
            raise SubmissionError(f"a zip archive named {path.name!r}; expected a CSV file or an .xlsx workbook")
        return "xlsx"
    if suffix in (".xlsx", ".xlsm"):
        raise SubmissionError("the file is named .xlsx but is not an Excel workbook (it is not a zip archive)")
    if suffix in (".csv", ".txt", ".tsv"):
        return "csv"
    raise SubmissionError(
        f"unsupported file type {suffix or '(no extension)'!r}; expected a CSV file (.csv) or an Excel workbook (.xlsx)"
    )


def read_submission(path: Path, kind: str | None = None) -> tuple[str, list[TableSource]]:
    """The file's format and the tables it holds. Raises SubmissionError for a file that cannot be read."""
    fmt = file_format(path)
    if fmt == "csv":
        from gender_warehouse.readers.csv_reader import read_csv

        return fmt, [read_csv(path, kind)]
    from gender_warehouse.readers.xlsx_reader import read_xlsx

    return fmt, read_xlsx(path, kind)


def map_header(names: list[str], table: Table, sheet: str | None = None) -> list[str]:
    """The contract's name for each header cell, or a SubmissionError naming what is missing or unknown."""
    mapped = [normalize_name(n) for n in names]
    where = {"sheet": sheet}
    seen: set[str] = set()
    for name in mapped:
        if name in seen:
            raise SubmissionError(f"column {name!r} appears twice in the header", **where)
        seen.add(name)
    unknown = [n for n, m in zip(names, mapped, strict=True) if m not in table.column_names]
    missing = [c for c in table.required_columns if c not in seen]
    problems = []
    if missing:
        problems.append("missing required column(s) " + ", ".join(missing))
    if unknown:
        problems.append("unknown column(s) " + ", ".join(repr(u) for u in unknown))
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


def detect_table(names: list[str]) -> Table | None:
    """The one table whose required columns are all in this header, if exactly one fits."""
    given = {normalize_name(n) for n in names}
    fits = [t for t in TABLES.values() if set(t.required_columns) <= given]
    return fits[0] if len(fits) == 1 else None
