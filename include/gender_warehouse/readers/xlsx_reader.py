"""Excel workbooks: one sheet per table, read with openpyxl in read-only mode.

Untrusted workbooks are opened safely: the zip is checked for size and compression ratio before openpyxl sees
it (a zip bomb is refused), openpyxl parses the XML through defusedxml, and formulas are never evaluated: a cell
gives the value Excel saved for it.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa

from gender_warehouse import settings
from gender_warehouse.canonical import abbreviated
from gender_warehouse.contracts import TABLES, Table, normalize_name, table_for
from gender_warehouse.errors import SubmissionError
from gender_warehouse.readers import TableSource, detect_table, map_header, reject_foreign_format, text_table

MAX_COMPRESSION_RATIO = 200


def check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise SubmissionError("the workbook is damaged (not a readable .xlsx zip archive)") from None
    unpacked = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if unpacked > settings.max_file_bytes() or unpacked / packed > MAX_COMPRESSION_RATIO:
        raise SubmissionError(
            f"the workbook unpacks to {unpacked:,} bytes from {packed:,}; refused as a possible zip bomb "
            f"(limits: {settings.max_file_bytes():,} bytes, ratio {MAX_COMPRESSION_RATIO})"
        )


def read_xlsx(path: Path, kind: str | None = None) -> list[TableSource]:
    import openpyxl

    check_zip(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise SubmissionError(f"the workbook cannot be opened: {abbreviated(str(exc), 200)}") from None
    by_name: dict[str, Any] = {}
    for ws in workbook.worksheets:
        name = normalize_name(ws.title)
        if name in TABLES and name in by_name:
            raise SubmissionError(
                f"two sheets hold {name}: {by_name[name].title!r} and {ws.title!r}; keep one sheet per table"
            )
        by_name[name] = ws
    chosen = [(TABLES[name], ws) for name, ws in by_name.items() if name in TABLES]
    if not chosen and kind:
        try:
            table = table_for(kind)
        except KeyError:
            raise SubmissionError(f"unknown kind {kind!r}; expected one of {', '.join(TABLES)}") from None
        if len(workbook.worksheets) != 1:
            raise SubmissionError(f"the workbook has several sheets and none is named {table.name!r}")
        chosen = [(table, workbook.worksheets[0])]
    if not chosen and len(workbook.worksheets) == 1:
        ws = workbook.worksheets[0]
        header = first_row(ws)
        if header:
            reject_foreign_format(header[1], ws.title)
        table = detect_table(header[1]) if header else None
        if table:
            chosen = [(table, ws)]
    if not chosen:
        raise SubmissionError(
            "no sheet holds a known table: name each sheet after its table ("
            + ", ".join(TABLES)
            + "); found sheets "
            + ", ".join(repr(ws.title) for ws in workbook.worksheets)
        )
    sources = []
    for table, ws in chosen:
        found = first_row(ws)
        if found is None:
            raise SubmissionError("the sheet is empty; expected a header row and data rows", sheet=ws.title)
        header_row, names = found
        while names and names[-1] == "":
            names.pop()  # trailing empty header cells are formatting, not columns
        columns = map_header(names, table, sheet=ws.title)
        sources.append(
            TableSource(
                table=table,
                sheet=ws.title,
                columns=columns,
                read=partial(sheet_rows, ws, table, header_row + 1, columns),
            )
        )
    return sources


def sheet_cells(ws: Any, min_row: int = 1) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """The rows of a sheet with their numbers. In read-only mode openpyxl unzips and parses the sheet only now,
    row by row: a damaged sheet (a bad zip entry, broken XML, a value of the wrong type) is the file's fault, and
    is said so with the sheet and the last row read, whatever openpyxl raises for it."""
    number = min_row - 1
    try:
        for number, row in enumerate(ws.iter_rows(min_row=min_row, values_only=True), start=min_row):
            yield number, row
    except SubmissionError:
        raise
    except Exception as exc:  # openpyxl, zipfile, zlib and the XML parser raise many types for a damaged sheet
        where = f" after row {number}" if number >= min_row else ""
        raise SubmissionError(
            f"the sheet cannot be read{where}: the workbook is damaged ({type(exc).__name__}: "
            f"{abbreviated(str(exc), 200)}); open it in Excel, save it again and send it again",
            sheet=ws.title,
        ) from None


def first_row(ws: Any) -> tuple[int, list[str]] | None:
    """The first non-empty row (the header) with its row number."""
    for number, row in sheet_cells(ws):
        cells = [cell_text(v) for v in row]
        if any(cells):
            return number, [c.strip() for c in cells]
    return None


def sheet_rows(ws: Any, table: Table, start_row: int, columns: list[str]) -> pa.Table:
    """Every non-empty row below the header, as text, with its row number."""
    width = len(columns)
    numbers: list[int] = []
    values: list[list[str]] = [[] for _ in columns]
    for number, row in sheet_cells(ws, start_row):
        cells = [cell_text(v) for v in row[:width]]
        extra = [cell_text(v) for v in row[width:]]
        if any(extra):
            column = width + 1 + next(i for i, v in enumerate(extra) if v)
            raise SubmissionError(
                f"a value stands in column {column}, which has no header; expected {width} columns",
                sheet=ws.title,
                row=number,
            )
        if not any(cells):
            continue
        cells += [""] * (width - len(cells))
        numbers.append(number)
        for i, cell in enumerate(cells):
            values[i].append(cell)
    return text_table(
        table,
        pa.array(numbers, pa.int64()),
        {name: pa.array(vals, pa.string()) for name, vals in zip(columns, values, strict=True)},
    )


def cell_text(value: Any) -> str:
    """A cell as the text a CSV file would hold: dates as YYYY-MM-DD, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        # 15 significant digits undo binary noise (0.1 + 0.2 is stored as 0.30000000000000004).
        text = format(value, ".15g")
        return str(value) if "e" in text else text
    return str(value)
