"""Small builders for test files, and the command line run as a process of its own."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from gender_warehouse.contracts import HR_HEADCOUNT

HEADCOUNT_HEADER = list(HR_HEADCOUNT.column_names)


def headcount_rows(entity: str = "IAEA", date: str = "2024-12-31", women: int = 47, men: int = 53) -> list[list[str]]:
    return [
        [date, entity, "PROFESSIONAL_AND_HIGHER", "P-4", "F", "HQ", "AUT", "FIXED_TERM", str(women)],
        [date, entity, "PROFESSIONAL_AND_HIGHER", "P-4", "M", "HQ", "AUT", "FIXED_TERM", str(men)],
        [date, entity, "GENERAL_SERVICE", "G-5", "F", "HQ", "AUT", "PERMANENT", "30"],
        [date, entity, "GENERAL_SERVICE", "G-5", "U", "NON_HQ", "", "TEMPORARY", "2"],
    ]


def write_csv(path: Path, rows: list[list[str]], header: list[str] | None = None, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding=encoding) as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header or HEADCOUNT_HEADER)
        writer.writerows(rows)
    return path


def write_xlsx(
    path: Path, rows: list[list[object]], header: list[str] | None = None, sheet: str = "hr_headcount"
) -> Path:
    """A workbook with one sheet: the header (the headcount contract's by default), then the rows."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = sheet
    for row in [header or HEADCOUNT_HEADER, *rows]:
        workbook.active.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def gwh_process(
    database_url: str, *args: str, timeout: float, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`gwh --database-url URL ARGS...` as a fresh process (its own logging, its own imports), with a time limit."""
    return subprocess.run(
        [sys.executable, "-m", "gender_warehouse.cli", "--database-url", database_url, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
