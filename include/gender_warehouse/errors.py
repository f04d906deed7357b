"""The error a user can cause with a file: it names the file, the place in it, and what is expected."""

from __future__ import annotations

import re

# Control characters: in a file name or a value they could move a terminal's cursor, change its title or, as a
# newline in a log message, forge a log line.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
CONTROL_CHARACTERS_AND_NEWLINES = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def visible(text: str, *, one_line: bool = False) -> str:
    """Text from a file or a user as it reads, each control character written as an escape (\\x1b); with
    `one_line`, newlines and tabs too (for a log line or a name)."""
    pattern = CONTROL_CHARACTERS_AND_NEWLINES if one_line else CONTROL_CHARACTERS
    return pattern.sub(lambda m: "\\" + ascii(m.group())[2:-1].lstrip("\\"), text)


class SubmissionError(Exception):
    """A file that cannot be taken as it is. The message is for the person who sent it."""

    def __init__(
        self,
        message: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        rows: list[int] | None = None,
        row_noun: str = "row",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.sheet = sheet
        self.column = column
        self.rows = rows if rows is not None else ([row] if row is not None else [])
        self.row_noun = row_noun  # "line" in an XML file, where a row is the line its element starts on

    def __str__(self) -> str:
        return located(self.message, sheet=self.sheet, rows=self.rows, column=self.column, row_noun=self.row_noun)


class SubmissionErrors(Exception):
    """Several things wrong with one file, each located; all are reported, not only the first."""

    def __init__(self, errors: list[SubmissionError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def located(
    message: str, *, sheet: str | None, rows: list[int] | None, column: str | None, row_noun: str = "row"
) -> str:
    """'sheet 'x', rows 2, 5, column 'sex': message' — rows left out when the message already names them."""
    parts = [
        f"sheet {sheet!r}" if sheet else "",
        describe_rows(rows, noun=row_noun) if rows and not re.search(rf"\b{row_noun}s? {rows[0]}\b", message) else "",
        f"column {column!r}" if column else "",
    ]
    where = ", ".join(p for p in parts if p)
    return f"{where}: {message}" if where else message


def describe_rows(rows: list[int], total: int | None = None, shown: int = 5, noun: str = "row") -> str:
    """'row 3', 'rows 3, 7, 9' or 'rows 3, 7, 9, 10, 12 and 40 more' (or lines, in an XML file)."""
    total = len(rows) if total is None else total
    listed = ", ".join(str(r) for r in rows[:shown])
    if total == 1:
        return f"{noun} {listed}"
    more = total - min(len(rows), shown)
    return f"{noun}s {listed}" + (f" and {more} more" if more > 0 else "")
