"""From the text a file holds to the canonical typed table, with Arrow's vectorised kernels.

Values are trimmed, codes upper-cased, empty cells become nulls and blank rows are dropped; then every value is
parsed to its column's type. A value that does not parse is reported by row and column, never guessed at.

There is one parse per column type (`PARSERS`), and it is both the rule and the conversion: the typed column
the loader copies into PostgreSQL is the parse's result, and the rule "is a whole number", "is a date", ... is
"the text is there and its parse is not null". So whatever the rule accepts converts, and whatever does not convert
is refused with its row and column. A parse never raises: each first checks the shape of the text with an
ASCII-only pattern (no other script's digits, no exponents, no thousands separators) and only then casts, and
should the cast still refuse a value, that value alone becomes null and is reported like any other. A parse also
refuses what PostgreSQL would not store (the year 0000).

Decided forms: a leading sign is part of a number (`+5` is 5, `-0` is 0: a negative count is then refused by the
suite's range rule with its row); dates are YYYY-MM-DD with two-digit months and days (`2024-1-5` is refused, as
is a day that does not exist, `2024-02-30`); booleans are the ASCII words TRUE/FALSE, T/F, YES/NO, Y/N, 1/0 in
any case. Every text column has a maximum length (contracts.TEXT_MAX_LENGTH), checked here, before COPY.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from gender_warehouse.contracts import Column, ColumnType, Table
from gender_warehouse.errors import SubmissionError, SubmissionErrors, describe_rows

# Trimmed from both ends of every value: ASCII blanks, no-break spaces, the Unicode space characters and a byte
# order mark (which spreadsheets leave in cells). Control characters are not trimmed: they are refused.
WHITESPACE = " \t\r\n\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
SAMPLE_ROWS = 5
SHOWN_CHARACTERS = 40
DECIMAL_PLACES = 6  # numeric(21, 6): a DECIMAL column's decimals
DISTINCT_FROM_ROWS = 10_000  # a column of this many rows or more is checked on its distinct values when few
ARROW_TYPES = {
    ColumnType.CODE: pa.string(),
    ColumnType.CODE_LIST: pa.string(),
    ColumnType.IDENTIFIER: pa.string(),
    ColumnType.TEXT: pa.string(),
    ColumnType.DATE: pa.date32(),
    ColumnType.COUNT: pa.int32(),
    ColumnType.DECIMAL: pa.decimal128(21, DECIMAL_PLACES),
    ColumnType.BOOLEAN: pa.bool_(),
}
TRUE_WORDS = ["TRUE", "T", "YES", "Y", "1"]
FALSE_WORDS = ["FALSE", "F", "NO", "N", "0"]
# The shapes a parse accepts, ASCII only ([0-9], never \d): each within what its Arrow cast and PostgreSQL take.
COUNT_SHAPE = r"^[+-]?[0-9]{1,9}$"  # int32 and PostgreSQL integer hold every 9-digit number
# numeric(21, 6), in every form of xsd:decimal (IATI's values): '.75', '5.', '+1.5', '-0'.
DECIMAL_SHAPE = rf"^[+-]?([0-9]{{1,15}}(\.[0-9]{{0,{DECIMAL_PLACES}}})?|\.[0-9]{{1,{DECIMAL_PLACES}}})$"
DATE_SHAPE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


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


def clean(text: pa.Table, table: Table) -> tuple[pa.Table, dict[str, Checked]]:
    """Trim every value, upper-case codes, turn empty cells into nulls, drop rows with no value at all; and each
    column's cleaned values as its checks take them (Checked): the distinct values are found once, for cleaning
    and checking both."""
    columns, checks = {}, {}
    for column in table.columns:
        checked = Checked.of(text.column(column.name))
        values = pc.utf8_trim(checked.values, characters=WHITESPACE)
        if column.type in (ColumnType.CODE, ColumnType.CODE_LIST):
            values = pc.utf8_upper(values)
        if column.type is ColumnType.CODE_LIST:
            # 'vnm, bgd ;KHM;' is VNM;BGD;KHM: one separator, no spaces, none at the ends.
            values = pc.replace_substring_regex(values, r"\s*[;,]\s*", ";")
            values = pc.utf8_trim(values, characters=";")
        values = null_if_empty(values)
        checks[column.name] = Checked(values, checked.indices)
        columns[column.name] = checked.spread(values)
    cleaned = pa.table({"source_row": text.column("source_row"), **columns})
    blank = None
    for name in table.column_names:
        missing = pc.is_null(cleaned.column(name))
        blank = missing if blank is None else pc.and_(blank, missing)
    if blank is None or not pc.any(blank).as_py():
        return cleaned, checks
    kept = pc.invert(blank)
    kept_rows = cleaned.filter(kept)
    # The rows kept: their indices into the distinct values, or (a column checked value by value) their values.
    checks = {
        name: Checked(kept_rows.column(name))
        if c.indices is None
        else Checked(c.values, c.indices.filter(kept.combine_chunks()))
        for name, c in checks.items()
    }
    return kept_rows, checks


# --- one parse per column type: text in, typed values out, null where the text is not of the type ------------


def cast_or_null(values: Any, to: pa.DataType) -> pa.ChunkedArray:
    """The cast the loader's column is made with, never raising: a value the cast refuses becomes null.

    The shape checks before it admit only text the cast reads, so the whole column is cast at once; should a
    value slip through all the same, the values are cast one by one and the one refused is reported by the rule,
    with its row, as not of the type (never an internal error)."""
    try:
        return pc.cast(values, to)
    except pa.ArrowException:
        chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
        return pa.chunked_array([pa.array([cast_one(v, to) for v in chunk.to_pylist()], to) for chunk in chunks], to)


def cast_one(value: Any, to: pa.DataType) -> Any:
    if value is None:
        return None
    try:
        return pa.scalar(value).cast(to).as_py()
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return None


def where_shaped(values: pa.ChunkedArray, shape: str) -> pa.ChunkedArray:
    """The values of this shape; null for every other."""
    return pc.if_else(pc.match_substring_regex(values, shape), values, pa.scalar(None, pa.string()))


def parse_text(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Codes, lists, identifiers and free text stay text (their length is checked with the column's own limit)."""
    return values


def parse_count(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """A whole number of at most 9 digits, with an optional sign: '+5' is 5 (Arrow's integer cast reads no '+')."""
    shaped = where_shaped(values, COUNT_SHAPE)
    return cast_or_null(pc.replace_substring_regex(shaped, r"^\+", ""), pa.int32())


def parse_decimal(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """At most 15 digits before the point and 6 after it, with an optional sign, as xsd:decimal writes them ('.75'
    and '5.' too); no exponent, no thousands separator."""
    return cast_or_null(where_shaped(values, DECIMAL_SHAPE), ARROW_TYPES[ColumnType.DECIMAL])


def parse_date(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """YYYY-MM-DD, a day that exists, in a year PostgreSQL stores (0001 to 9999)."""
    shaped = where_shaped(values, DATE_SHAPE)
    stamps = pc.strptime(shaped, format="%Y-%m-%d", unit="s", error_is_null=True)
    # strptime rolls 2024-02-30 over to 2024-03-01: keep only dates that print back as written. The year 0000
    # prints back too, but PostgreSQL has no year 0.
    exact = pc.and_(pc.equal(pc.strftime(stamps, format="%Y-%m-%d"), shaped), pc.greater_equal(pc.year(stamps), 1))
    return cast_or_null(pc.if_else(exact, stamps, pa.scalar(None, stamps.type)), pa.date32())


def parse_boolean(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """TRUE/FALSE and the other ASCII words, in any case (ASCII case only: 'yeſ' is not YES)."""
    upper = pc.ascii_upper(values)
    return pc.if_else(
        pc.is_in(upper, pa.array(TRUE_WORDS)),
        True,
        pc.if_else(pc.is_in(upper, pa.array(FALSE_WORDS)), False, pa.scalar(None, pa.bool_())),
    )


PARSERS: dict[ColumnType, Callable[[pa.ChunkedArray], pa.ChunkedArray]] = {
    ColumnType.CODE: parse_text,
    ColumnType.CODE_LIST: parse_text,
    ColumnType.IDENTIFIER: parse_text,
    ColumnType.TEXT: parse_text,
    ColumnType.COUNT: parse_count,
    ColumnType.DECIMAL: parse_decimal,
    ColumnType.DATE: parse_date,
    ColumnType.BOOLEAN: parse_boolean,
}


def parse_column(values: pa.ChunkedArray, kind: ColumnType) -> pa.ChunkedArray:
    """Typed values; null where the text does not parse (the caller reports those). Never raises."""
    if not isinstance(values, pa.ChunkedArray):
        values = pa.chunked_array([values], pa.string())
    return PARSERS[kind](values)


# --- the rules: what the parse refused, and text that is not text or too long ----------------------------------


def abbreviated(value: Any, limit: int = SHOWN_CHARACTERS) -> str:
    """A value as messages show it: quoted, cut after `limit` characters with its full length said."""
    text = str(value)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text):,} characters)"


def refusal(
    message: str, mask: Any, values: Any, cleaned: pa.Table, column: Column, sheet: str | None, row_noun: str
) -> SubmissionError | None:
    """A located error for the rows where `mask` is true ('found' shows up to three of their values), or None."""
    count = pc.sum(mask).as_py() or 0
    if not count:
        return None
    where = pc.indices_nonzero(pc.fill_null(mask, False))[:SAMPLE_ROWS]
    rows = cleaned.column("source_row").take(where).to_pylist()
    shown = ", ".join(abbreviated(v) for v in dict.fromkeys(values.take(where).to_pylist()[:3]))
    return SubmissionError(
        f"{count} value(s) {message} (found {shown}) — {describe_rows(rows, count, noun=row_noun)}",
        sheet=sheet,
        column=column.name,
        rows=rows,
        row_noun=row_noun,
    )


@dataclass(frozen=True)
class Checked:
    """The values a column's checks run on: its distinct values when they are few (a date column of a million rows
    holds a handful), each result then spread back over the rows by their indices; else every value."""

    values: pa.ChunkedArray
    indices: pa.Array | None = None

    @classmethod
    def of(cls, values: pa.ChunkedArray) -> Checked:
        if len(values) < DISTINCT_FROM_ROWS:
            return cls(values)
        encoded = pc.dictionary_encode(values.combine_chunks())  # one dictionary for the whole column
        if len(encoded.dictionary) > len(values) // 4:
            return cls(values)
        return cls(pa.chunked_array([encoded.dictionary], values.type), encoded.indices)

    def spread(self, result: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
        """A result over the checked values, as one value per row (null where the row's value is null)."""
        if self.indices is None:
            return result
        whole = result.combine_chunks() if isinstance(result, pa.ChunkedArray) else result
        return pa.chunked_array([whole.take(self.indices)], whole.type)


def column_errors(
    values: pa.ChunkedArray,
    parsed: pa.ChunkedArray,
    cleaned: pa.Table,
    column: Column,
    sheet: str | None,
    row_noun: str,
    checked: Checked,
) -> SubmissionError | None:
    """The first rule of a column its values break: control characters, then length, then the type's parse."""
    where = {"cleaned": cleaned, "column": column, "sheet": sheet, "row_noun": row_noun}
    # NUL and other control characters are binary data, not text: PostgreSQL cannot even store a NUL.
    control = pc.match_substring_regex(checked.values, CONTROL_CHARACTERS)
    if pc.any(control).as_py():
        return refusal(
            "hold control characters (such as NUL), which text never does: is this a binary file saved as text?",
            checked.spread(control),
            values,
            **where,
        )
    if column.max_length is not None:
        lengths = pc.utf8_length(checked.values)
        longest = pc.max(lengths).as_py()
        if longest is not None and longest > column.max_length:
            return refusal(
                f"are longer than the {column.max_length:,} characters {column.name} may hold",
                checked.spread(pc.greater(lengths, column.max_length)),
                values,
                **where,
            )
    bad = pc.and_(pc.is_valid(values), pc.is_null(parsed))
    return refusal(f"are not {column.type.expected}", bad, values, **where)


def to_canonical(text: pa.Table, table: Table, sheet: str | None, row_noun: str = "row") -> Canonical:
    """The typed table, or TypeErrors: one SubmissionError per column whose values break a rule, each naming
    the rows, the column, what was found and what is expected. Never another error, whatever the text."""
    cleaned, checks = clean(text, table)
    typed = {"source_row": cleaned.column("source_row")}
    as_parsed = dict(typed)
    errors: list[SubmissionError] = []
    columns: list[str] = []
    for column in table.columns:
        values = cleaned.column(column.name)
        checked = checks[column.name]
        parsed = checked.spread(parse_column(checked.values, column.type))
        as_parsed[column.name] = parsed
        error = column_errors(values, parsed, cleaned, column, sheet, row_noun, checked)
        if error is not None:  # the column is left empty: its rules are not checked again (typing told them)
            errors.append(error)
            columns.append(column.name)
            parsed = pa.nulls(len(values), ARROW_TYPES[column.type])
        typed[column.name] = parsed
    schema = pa.schema(
        [pa.field("source_row", pa.int64())] + [pa.field(c.name, ARROW_TYPES[c.type]) for c in table.columns]
    )
    rows = Canonical(table, pa.table(typed).cast(schema), sheet, row_noun)
    if errors:
        raise TypeErrors(errors, rows, columns, Canonical(table, pa.table(as_parsed).cast(schema), sheet, row_noun))
    return rows


class TypeErrors(SubmissionErrors):
    """Columns with values that do not parse, one error per column; with the rows typed as far as they go (each
    such column empty), so that the other rules can still be checked and every problem told at once; and the rows
    as parsed (null only where a value does not parse), which still say what the file is for."""

    def __init__(
        self, errors: list[SubmissionError], partial: Canonical, columns: list[str], parsed: Canonical | None = None
    ) -> None:
        super().__init__(errors)
        self.partial = partial
        self.columns = columns
        self.parsed = parsed or partial
