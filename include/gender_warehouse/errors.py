"""The error a user can cause with a file: it names the file, the place in it, and what is expected."""

from __future__ import annotations


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
    ) -> None:
        super().__init__(message)
        self.message = message
        self.sheet = sheet
        self.column = column
        self.rows = rows if rows is not None else ([row] if row is not None else [])

    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.rows:
            parts.append(describe_rows(self.rows))
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


def describe_rows(rows: list[int], total: int | None = None, shown: int = 5) -> str:
    """'row 3', 'rows 3, 7, 9' or 'rows 3, 7, 9, 10, 12 and 40 more'."""
    total = len(rows) if total is None else total
    listed = ", ".join(str(r) for r in rows[:shown])
    if total == 1:
        return f"row {listed}"
    more = total - min(len(rows), shown)
    return f"rows {listed}" + (f" and {more} more" if more > 0 else "")
