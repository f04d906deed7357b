"""CSV files: the header is checked here; the rows are parsed by Arrow's multi-threaded CSV reader."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from gender_warehouse.canonical import WHITESPACE, abbreviated
from gender_warehouse.contracts import TABLES, Table, kind_in_file_name, table_for
from gender_warehouse.errors import SubmissionError
from gender_warehouse.readers import (
    TableSource,
    detect_table,
    hpc_needs,
    map_header,
    reject_foreign_format,
    row_numbers,
    split_fields,
    text_table,
)

HEADER_LIMIT = 64 * 1024
BLOCK_SIZE = 8 << 20  # Arrow reads the file in blocks of this size: a row much longer than this cannot be read
LONGEST_TYPED_VALUE = 100  # no count, number, date or boolean is longer
DELIMITERS = (",", ";", "\t")


def read_csv(path: Path, kind: str | None = None) -> list[TableSource]:
    with path.open("rb") as f:
        head = f.read(HEADER_LIMIT)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if not head.strip():
        raise SubmissionError("the file is empty; expected a header line and at least one row")
    # A line ends at \n, \r\n or a lone \r (old Mac files), as Arrow's reader has it.
    first_line = re.split(rb"\r\n?|\n", head, maxsplit=1)[0]
    if len(first_line) == len(head) and len(head) >= HEADER_LIMIT - 3:
        raise SubmissionError("the first line is longer than 64 KB; expected a header line of column names", row=1)
    try:
        header_text = first_line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SubmissionError(
            f"the header is not UTF-8 text (byte 0x{first_line[exc.start]:02x}); save the file as 'CSV UTF-8'",
            row=1,
        ) from None
    delimiter = max(DELIMITERS, key=header_text.count)
    try:
        names = next(csv.reader(io.StringIO(header_text), delimiter=delimiter), [])
    except csv.Error as exc:
        raise SubmissionError(f"the header line cannot be read as CSV ({exc})", row=1) from None
    if not any(n.strip() for n in names):
        raise SubmissionError("the first line is empty; expected a header line of column names", row=1)
    if hpc_needs.is_hpc_needs(names) and not kind:
        return hpc_needs.read_hpc_needs(path, names, delimiter)
    reject_foreign_format(names)
    table = choose_table(path, names, kind)
    columns = map_header(names, table)
    return [
        TableSource(table=table, sheet=None, columns=columns, read=lambda: read_rows(path, table, columns, delimiter))
    ]


def choose_table(path: Path, names: list[str], kind: str | None) -> Table:
    if kind:
        try:
            return table_for(kind)
        except KeyError:
            raise SubmissionError(f"unknown kind {kind!r}; expected one of {', '.join(TABLES)}") from None
    table = kind_in_file_name(path.name) or detect_table(names)
    if table is None:
        raise SubmissionError(
            f"cannot tell which table this file holds: its name does not contain one of {', '.join(TABLES)} "
            "and its header does not match any of them; rename the file or pass --kind"
        )
    return table


def read_rows(path: Path, table: Table, columns: list[str], delimiter: str) -> pa.Table:
    try:
        rows = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=columns, skip_rows=1, block_size=BLOCK_SIZE),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(columns, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, UnicodeDecodeError) as exc:
        raise locate_problem(path, delimiter, table, columns, exc) from None
    # Row numbers as a spreadsheet shows them: the header is row 1. (Blank lines are skipped by the reader
    # and counted here only when they come before data, which is rare; a value spanning lines counts once.)
    source_rows = row_numbers(2, rows.num_rows)
    return text_table(table, source_rows, {c: rows.column(c) for c in columns})


def records(raw_lines: list[bytes]) -> Iterator[tuple[int, str] | SubmissionError]:
    """The records after the header, each with the line it starts on (a quoted value may span lines), or the
    error that stops reading: a line that is not UTF-8, a quoted value never closed."""
    lines: list[str] = []
    start, quotes = 0, 0
    for number, raw in enumerate(raw_lines, start=1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            yield SubmissionError(
                f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as 'CSV UTF-8' and send it again",
                row=number,
            )
            return
        if number == 1 or (not lines and not line.strip()):
            continue
        if not lines:
            start = number
        lines.append(line)
        quotes += line.count('"')
        if quotes % 2 == 0:  # every quoted value closed: the record ends here
            yield start, "\n".join(lines)
            lines, quotes = [], 0
    if lines:
        yield SubmissionError('a quoted value is never closed (an opening " without its closing ")', row=start)


def locate_problem(path: Path, delimiter: str, table: Table, columns: list[str], exc: Exception) -> SubmissionError:
    """The first row Arrow could not read, found again record by record so the message can name it (and the
    column, for a value longer than the column holds or than the reader takes)."""
    with path.open("rb") as f:
        raw_lines = f.read().splitlines()
    width = len(columns)
    for found in records(raw_lines):
        if isinstance(found, SubmissionError):
            return found
        number, record = found
        fields = split_fields(record, delimiter)
        for name, value in zip(columns, fields, strict=False):
            limit = table.column(name).max_length or LONGEST_TYPED_VALUE
            if len(value.strip(WHITESPACE)) > limit:
                return SubmissionError(
                    f"a value of {len(value):,} characters ({abbreviated(value)}); {name} holds at most "
                    f"{limit:,} characters, and no value in a CSV file may be longer than {BLOCK_SIZE >> 20} MB",
                    row=number,
                    column=name,
                )
        if len(fields) != width:
            return SubmissionError(f"the row has {len(fields)} values; the header has {width} columns", row=number)
    return SubmissionError(f"the file cannot be read as CSV ({abbreviated(str(exc), 200)})")
