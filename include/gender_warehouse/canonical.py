"""From the text a file holds to the canonical typed table, with Arrow's vectorised kernels.

Values are trimmed, codes upper-cased, empty cells become nulls and blank rows are dropped; then every value is
parsed to its column's type. A value that does not parse is reported by row and column, never guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from gender_warehouse.contracts import ColumnType, Table
from gender_warehouse.errors import SubmissionError, SubmissionErrors, describe_rows

WHITESPACE = " \t\r\n\u00a0"
SAMPLE_ROWS = 5
ARROW_TYPES = {
    ColumnType.CODE: pa.string(),
    ColumnType.CODE_LIST: pa.string(),
    ColumnType.IDENTIFIER: pa.string(),
    ColumnType.TEXT: pa.string(),
    ColumnType.DATE: pa.date32(),
    ColumnType.COUNT: pa.int32(),
    ColumnType.DECIMAL: pa.decimal128(21, 6),
    ColumnType.BOOLEAN: pa.bool_(),
}
TRUE_WORDS = ["TRUE", "T", "YES", "Y", "1"]
FALSE_WORDS = ["FALSE", "F", "NO", "N", "0"]


@dataclass
class Canonical:
    """The typed rows of one table, with `source_row` (the row number in the file) first."""

    table: Table
    rows: pa.Table
    sheet: str | None
    row_noun: str = "row"

    @property
    def row_count(self) -> int:
        return self.rows.num_rows


def null_if_empty(values: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def clean(text: pa.Table, table: Table) -> pa.Table:
    """Trim every value, upper-case codes, turn empty cells into nulls, drop rows with no value at all."""
    columns = {}
    for column in table.columns:
        values = pc.utf8_trim(text.column(column.name), characters=WHITESPACE)
        if column.type in (ColumnType.CODE, ColumnType.CODE_LIST):
            values = pc.utf8_upper(values)
        if column.type is ColumnType.CODE_LIST:
            # 'vnm, bgd ;KHM;' is VNM;BGD;KHM: one separator, no spaces, none at the ends.
            values = pc.replace_substring_regex(values, r"\s*[;,]\s*", ";")
            values = pc.utf8_trim(values, characters=";")
        columns[column.name] = null_if_empty(values)
    cleaned = pa.table({"source_row": text.column("source_row"), **columns})
    blank = None
    for name in table.column_names:
        missing = pc.is_null(cleaned.column(name))
        blank = missing if blank is None else pc.and_(blank, missing)
    return cleaned.filter(pc.invert(blank)) if blank is not None else cleaned


def parse_column(values: pa.ChunkedArray, kind: ColumnType) -> pa.ChunkedArray:
    """Typed values; null where the text does not parse (the caller reports those)."""
    if kind in (ColumnType.CODE, ColumnType.CODE_LIST, ColumnType.IDENTIFIER, ColumnType.TEXT):
        return values
    if kind is ColumnType.DECIMAL:
        shaped = pc.match_substring_regex(values, r"^[+-]?[0-9]{1,15}(\.[0-9]{1,6})?$")
        return pc.cast(pc.if_else(shaped, values, None), ARROW_TYPES[kind])
    if kind is ColumnType.DATE:
        shaped = pc.match_substring_regex(values, r"^\d{4}-\d{2}-\d{2}$")
        stamps = pc.strptime(pc.if_else(shaped, values, None), format="%Y-%m-%d", unit="s", error_is_null=True)
        # strptime rolls 2024-02-30 over to 2024-03-01: keep only dates that print back as written.
        exact = pc.equal(pc.strftime(stamps, format="%Y-%m-%d"), values)
        return pc.cast(pc.if_else(exact, stamps, None), pa.date32())
    if kind is ColumnType.COUNT:
        shaped = pc.match_substring_regex(values, r"^[+-]?\d{1,9}$")
        return pc.cast(pc.if_else(shaped, values, None), pa.int32())
    upper = pc.utf8_upper(values)
    return pc.if_else(
        pc.is_in(upper, pa.array(TRUE_WORDS)),
        True,
        pc.if_else(pc.is_in(upper, pa.array(FALSE_WORDS)), False, pa.scalar(None, pa.bool_())),
    )


def to_canonical(text: pa.Table, table: Table, sheet: str | None, row_noun: str = "row") -> Canonical:
    """The typed table, or a SubmissionError per column listing the values that do not parse."""
    cleaned = clean(text, table)
    typed = {"source_row": cleaned.column("source_row")}
    errors: list[SubmissionError] = []
    for column in table.columns:
        values = cleaned.column(column.name)
        # NUL and other control characters are binary data, not text: PostgreSQL cannot even store a NUL.
        control = pc.match_substring_regex(values, r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
        if count := pc.sum(control).as_py() or 0:
            where = pc.indices_nonzero(pc.fill_null(control, False))[:SAMPLE_ROWS]
            rows = cleaned.column("source_row").take(where).to_pylist()
            errors.append(
                SubmissionError(
                    f"{count} value(s) hold control characters (such as NUL), which text never does: is this a "
                    f"binary file saved as CSV? — {describe_rows(rows, count, noun=row_noun)}",
                    sheet=sheet,
                    column=column.name,
                    rows=rows,
                    row_noun=row_noun,
                )
            )
            continue
        parsed = parse_column(values, column.type)
        typed[column.name] = parsed
        bad = pc.and_(pc.is_valid(values), pc.is_null(parsed))
        count = pc.sum(bad).as_py() or 0
        if count:
            where = pc.indices_nonzero(bad)[:SAMPLE_ROWS]
            rows = cleaned.column("source_row").take(where).to_pylist()
            shown = ", ".join(repr(v) for v in dict.fromkeys(values.take(where).to_pylist()[:3]))
            errors.append(
                SubmissionError(
                    f"{count} value(s) are not {column.type.expected} (found {shown}) — "
                    f"{describe_rows(rows, count, noun=row_noun)}",
                    sheet=sheet,
                    column=column.name,
                    rows=rows,
                    row_noun=row_noun,
                )
            )
    if errors:
        raise TypeErrors(errors)
    schema = pa.schema(
        [pa.field("source_row", pa.int64())] + [pa.field(c.name, ARROW_TYPES[c.type]) for c in table.columns]
    )
    return Canonical(table, pa.table(typed).cast(schema), sheet, row_noun)


class TypeErrors(SubmissionErrors):
    """Columns with values that do not parse, one error per column."""
