"""The audit schema: what was submitted, how it was checked, what was loaded, and what the submitter must fix."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import psycopg

from gender_warehouse.contracts import TABLES
from gender_warehouse.errors import located
from gender_warehouse.validation import SuiteResult, jsonable


@dataclass
class Issue:
    """One thing a submitter must fix (error) or should check (warning)."""

    stage: str  # read | validate
    severity: str  # error | warning
    message: str
    sheet: str | None = None
    column: str | None = None
    rows: list[int] | None = None
    rule: str | None = None
    row_noun: str = "row"  # "line" for an XML file

    def __str__(self) -> str:
        return located(self.message, sheet=self.sheet, rows=self.rows, column=self.column, row_noun=self.row_noun)


@dataclass
class Submission:
    submission_id: int
    status: str


def register(
    conn: psycopg.Connection,
    *,
    sha256: str,
    file_name: str,
    file_size: int,
    file_format: str,
    archive_path: str,
    submitted_by: str | None,
    submitted_at: dt.datetime | None = None,
) -> Submission:
    """The submission of these bytes: a new one (status 'received'), or the one registered before."""
    row = conn.execute(
        "insert into audit.submissions"
        " (sha256, file_name, file_size, file_format, archive_path, submitted_by, submitted_at)"
        " values (%s, %s, %s, %s, %s, %s, coalesce(%s, clock_timestamp())) on conflict (sha256) do nothing"
        " returning submission_id, status",
        (sha256, file_name, file_size, file_format, archive_path, submitted_by, submitted_at),
    ).fetchone()
    if row:
        return Submission(*row)
    row = conn.execute("select submission_id, status from audit.submissions where sha256 = %s", (sha256,)).fetchone()
    assert row is not None
    return Submission(*row)


def record_receipt(
    conn: psycopg.Connection, submission_id: int, file_name: str, landed_at: dt.datetime | None, outcome: str
) -> None:
    """One arrival of a file: 'taken' (to be loaded) or 'unchanged' (its bytes came before)."""
    conn.execute(
        "insert into audit.file_receipts (submission_id, file_name, landed_at, outcome) values (%s, %s, %s, %s)",
        (submission_id, file_name, landed_at, outcome),
    )


def lock_submission(conn: psycopg.Connection, submission_id: int) -> str:
    """Lock the submission's row for this transaction (two workers on one file take turns); its status."""
    row = conn.execute(
        "select status from audit.submissions where submission_id = %s for update", (submission_id,)
    ).fetchone()
    assert row is not None
    return row[0]


def record_issues(conn: psycopg.Connection, submission_id: int, issues: list[Issue]) -> None:
    conn.execute("delete from audit.submission_issues where submission_id = %s", (submission_id,))
    with conn.cursor() as cur:
        cur.executemany(
            "insert into audit.submission_issues"
            " (submission_id, issue_no, stage, severity, sheet, column_name, rows, rule, message, row_noun)"
            " values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (submission_id, n, i.stage, i.severity, i.sheet, i.column, i.rows, i.rule, i.message, i.row_noun)
                for n, i in enumerate(issues, start=1)
            ],
        )


def record_validation(conn: psycopg.Connection, submission_id: int, result: SuiteResult, result_path: str) -> None:
    conn.execute(
        "insert into audit.validation_runs (submission_id, table_name, suite_name, suite_sha256, success, evaluated,"
        " failed_errors, failed_warnings, row_count, started_at, finished_at, result_path, result)"
        " values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            submission_id,
            result.table.name,
            result.suite_name,
            result.suite_sha256,
            result.success,
            len(result.outcomes),
            len(result.errors),
            len(result.warnings),
            result.row_count,
            result.started_at,
            result.finished_at,
            result_path,
            json.dumps(result.as_gx(), default=jsonable),
        ),
    )


def record_load(conn: psycopg.Connection, submission_id: int, table: str, rows: int, superseded: int) -> None:
    conn.execute(
        "insert into audit.loads (submission_id, table_name, rows_loaded, rows_superseded, loaded_at)"
        " values (%s, %s, %s, %s, clock_timestamp())",
        (submission_id, table, rows, superseded),
    )


def mark_loaded(
    conn: psycopg.Connection,
    submission_id: int,
    tables: list[str],
    rows: int,
    warnings: int,
    report: str | None,
    validated_at: dt.datetime | None = None,
    refused: int = 0,
) -> None:
    """Loaded; 'partially accepted' when parts of the file (IATI activities) were refused, error_count saying how
    many."""
    # Times from the clock at each step, not the transaction's start (now()), which can be minutes earlier.
    conn.execute(
        "update audit.submissions set status = %s, tables = %s, row_count = %s, error_count = %s,"
        " warning_count = %s, validated_at = coalesce(%s, clock_timestamp()), loaded_at = clock_timestamp(),"
        " report_path = %s, failed_at = null, failure = null where submission_id = %s",
        (
            "partially accepted" if refused else "loaded",
            tables,
            rows,
            refused,
            warnings,
            validated_at,
            report,
            submission_id,
        ),
    )


def mark_rejected(
    conn: psycopg.Connection,
    submission_id: int,
    tables: list[str],
    errors: int,
    warnings: int,
    validated: bool,
    report: str | None,
    validated_at: dt.datetime | None = None,
) -> None:
    conn.execute(
        "update audit.submissions set status = 'rejected', tables = %s, error_count = %s, warning_count = %s,"
        " validated_at = case when %s then coalesce(%s, clock_timestamp()) end, rejected_at = clock_timestamp(),"
        " report_path = %s, failed_at = null, failure = null where submission_id = %s",
        (tables or None, errors, warnings, validated, validated_at, report, submission_id),
    )


def mark_failed(conn: psycopg.Connection, submission_id: int, failure: str) -> None:
    """Something not the submitter's doing stopped this file (a bug, the server going away): recorded so that it
    does not wait unseen; `gwh ingest FILE` takes it again."""
    conn.execute(
        "update audit.submissions set status = 'failed', failed_at = clock_timestamp(), failure = %s"
        " where submission_id = %s and status in ('received', 'failed')",
        (failure, submission_id),
    )


def mark_fully_superseded(conn: psycopg.Connection, candidates: list[int]) -> int:
    """Those of these submissions with no current row left in any table become 'superseded'. Returns how many."""
    if not candidates:
        return 0
    still_current = " or ".join(
        f"exists (select 1 from {t.raw_table} as r where r.submission_id = s.submission_id and r.superseded_by is null)"
        for t in TABLES.values()
    )
    return conn.execute(
        "update audit.submissions as s set status = 'superseded', superseded_at = clock_timestamp()"
        f" where s.status in ('loaded', 'partially accepted') and s.submission_id = any(%s) and not ({still_current})",
        (candidates,),
    ).rowcount


def superseded_by(conn: psycopg.Connection, submission_id: int) -> list[int]:
    """The newer submissions that replace every row this one loaded (none when any row of it is current)."""
    if conn.execute("select status from audit.submissions where submission_id = %s", (submission_id,)).fetchone() != (
        "superseded",
    ):
        return []
    owners = " union ".join(
        f"select superseded_by from {t.raw_table} where submission_id = %(sid)s" for t in TABLES.values()
    )
    rows = conn.execute(f"select distinct superseded_by from ({owners}) as s order by 1", {"sid": submission_id})
    return [r[0] for r in rows if r[0] is not None]


def result_paths(conn: psycopg.Connection) -> list[str]:
    """The result file (relative to the project) of every recorded validation."""
    rows = conn.execute("select result_path from audit.validation_runs where result_path is not null").fetchall()
    return [r[0] for r in rows]


def stored_results(conn: psycopg.Connection, paths: list[str]) -> dict[str, dict[str, Any]]:
    """The results recorded for these result files."""
    rows = conn.execute(
        "select result_path, result from audit.validation_runs where result_path = any(%s)", (paths,)
    ).fetchall()
    return dict(rows)


def issues_of(conn: psycopg.Connection, submission_id: int) -> list[Issue]:
    rows = conn.execute(
        "select stage, severity, message, sheet, column_name, rows, rule, row_noun from audit.submission_issues"
        " where submission_id = %s order by issue_no",
        (submission_id,),
    ).fetchall()
    return [Issue(*r) for r in rows]


def submissions(conn: psycopg.Connection, limit: int = 50) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        cur.execute(
            "select submission_id, received_at, file_name, file_format, tables, status, row_count, warning_count,"
            " error_count, report_path, sha256 from audit.submissions order by submission_id desc limit %s",
            (limit,),
        )
        return cur.fetchall()
