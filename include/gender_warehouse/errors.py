"""The error a user can cause with a file: it names the file, the place in it, and what is expected."""

from __future__ import annotations

import re


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
