"""CSV files: the header is read here, the rest of the bytes go to COPY unchanged (the fast path)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from gender_warehouse.contracts import TABLES, Table, kind_in_file_name, table_for
from gender_warehouse.errors import SubmissionError
from gender_warehouse.readers import TableSource, detect_table, map_header

CHUNK = 1 << 20
HEADER_LIMIT = 64 * 1024
DELIMITERS = (",", ";", "\t")


def read_csv(path: Path, kind: str | None = None) -> TableSource:
    with path.open("rb") as f:
        head = f.read(HEADER_LIMIT)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if not head.strip():
        raise SubmissionError("the file is empty; expected a header line and at least one row")
    first_line = head.split(b"\n", 1)[0].rstrip(b"\r")
    if b"\n" not in head and len(head) == HEADER_LIMIT - 3:
        raise SubmissionError("the first line is longer than 64 KB; expected a header line of column names", row=1)
    try:
        header_text = first_line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SubmissionError(
            f"the header is not UTF-8 text (byte 0x{first_line[exc.start]:02x}); save the file as 'CSV UTF-8'",
            row=1,
        ) from None
    delimiter = max(DELIMITERS, key=header_text.count)
    names = next(csv.reader(io.StringIO(header_text), delimiter=delimiter))
    table = choose_table(path, names, kind)
    columns = map_header(names, table)
    return TableSource(table=table, sheet=None, columns=columns, chunks=lambda: file_chunks(path), delimiter=delimiter)


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


def file_chunks(path: Path) -> Iterator[bytes]:
    """The file's bytes, without the blank lines at its end (which COPY would read as empty rows)."""
    pending = b""  # line breaks held back until we know more data follows them
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            data = pending + chunk
            kept = data.rstrip(b"\r\n")
            if kept:
                yield kept
            pending = data[len(kept) :]
    yield b"\n"
