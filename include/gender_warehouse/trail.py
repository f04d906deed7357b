"""The audit trail, read as an auditor may (role auditor: `audit` and `marts` only).

`submission_trail` gathers what the warehouse recorded of one submission: the file, its times, what was wrong
with it, each validation run (suite, hash of the suite file, every rule that failed), each load, the dbt runs
that have built the marts since, and the slices of it the marts are built from now. `figure_trail` finds the
submissions behind one mart row through the lineage table `marts.mart_lineage`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from gender_warehouse import db, register
from gender_warehouse.errors import SubmissionError
from gender_warehouse.roles import AUDITOR

# Which submission tables a mart is built from, where its columns alone would not say.
MART_TABLES = {
    "mart_hiring_parity": ("hr_events",),
    "mart_beneficiary_reach": ("programme_register", "programme_beneficiaries"),
    "fct_programme_beneficiaries": ("programme_register", "programme_beneficiaries"),
    "fct_programme_funding": ("programme_register", "programme_funding"),
    "mart_funding_by_donor": ("programme_register", "programme_funding"),
    "mart_programme_funding_summary": ("programme_register", "programme_funding"),
}
HR_TABLES = ("hr_headcount",)
PROGRAMME_TABLES = ("programme_register", "programme_beneficiaries", "programme_funding")


class TrailError(Exception):
    """What was asked for cannot be found: the message says what and what is expected."""


@dataclass
class Trail:
    submission: dict[str, Any]
    issues: list[dict[str, Any]] = field(default_factory=list)
    validations: list[dict[str, Any]] = field(default_factory=list)
    loads: list[dict[str, Any]] = field(default_factory=list)
    builds: list[dict[str, Any]] = field(default_factory=list)
    slices: list[dict[str, Any]] = field(default_factory=list)


def find_submission(conn: psycopg.Connection, target: str) -> int:
    """A submission id from an id, a sha256 (or its first 8+ characters), or a file (hashed)."""
    if target.isdigit():
        row = conn.execute("select submission_id from audit.submissions where submission_id = %s", (int(target),))
        found = row.fetchone()
        if found:
            return int(found[0])
        raise TrailError(f"no submission {target}")
    if re.fullmatch(r"[0-9a-fA-F]{8,64}", target) and not Path(target).exists():
        rows = conn.execute(
            "select submission_id from audit.submissions where sha256 like %s", (target.lower() + "%",)
        ).fetchall()
        if len(rows) == 1:
            return int(rows[0][0])
        raise TrailError(f"{len(rows)} submissions have a sha256 starting {target}; give more of it")
    path = Path(target)
    if not path.exists():
        raise TrailError(f"{target} is not a submission id, a sha256 or a file")
    try:
        sha256 = register.sha256_of(path)
    except SubmissionError as exc:  # a link or a device is never read
        raise TrailError(str(exc)) from None
    row = conn.execute("select submission_id from audit.submissions where sha256 = %s", (sha256,)).fetchone()
    if not row:
        raise TrailError(f"{path.name} (sha256 {sha256[:12]}…) was never submitted")
    return int(row[0])


def submission_trail(url: str, target: str) -> Trail:
    with db.connect(url, role=AUDITOR) as conn, conn.cursor(row_factory=dict_row) as cur:
        submission_id = find_submission(conn, target)
        cur.execute("select * from audit.submissions where submission_id = %s", (submission_id,))
        trail = Trail(submission=dict(cur.fetchone() or {}))
        cur.execute(
            "select severity, stage, sheet, column_name, rows, row_noun, message from audit.submission_issues"
            " where submission_id = %s order by issue_no",
            (submission_id,),
        )
        trail.issues = cur.fetchall()
        cur.execute(
            "select table_name, suite_name, suite_sha256, success, evaluated, failed_errors, failed_warnings,"
            " row_count, finished_at, result_path, result from audit.validation_runs where submission_id = %s"
            " order by validation_run_id",
            (submission_id,),
        )
        for run in cur.fetchall():
            run["failed_rules"] = failed_rules(run.pop("result"))
            trail.validations.append(run)
        cur.execute(
            "select table_name, rows_loaded, rows_superseded, transaction_id::text as transaction_id, loaded_at"
            " from audit.loads where submission_id = %s order by load_id",
            (submission_id,),
        )
        trail.loads = cur.fetchall()
        loaded_at = trail.submission.get("loaded_at")
        if loaded_at:
            cur.execute(
                "select invocation_id, command, database_user, finished_at, node_count, failed_count, success"
                " from audit.dbt_invocations where finished_at >= %s order by finished_at limit 5",
                (loaded_at,),
            )
            trail.builds = cur.fetchall()
        if has_lineage(conn):
            cur.execute(
                "select table_name, entity_code, programme_id, period_start, period_end, row_count"
                " from marts.mart_lineage where submission_id = %s order by table_name, period_start",
                (submission_id,),
            )
            trail.slices = cur.fetchall()
    return trail


def failed_rules(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The rules of a stored GX result that failed: type, column, severity, the submitter's sentence, count."""
    out = []
    for r in result.get("results", []):
        if r.get("success"):
            continue
        config = r["expectation_config"]
        out.append(
            {
                "rule": config["type"],
                "column": config["kwargs"].get("column"),
                "severity": config.get("severity", "critical"),
                "description": (config.get("meta") or {}).get("description"),
                "unexpected": r["result"].get("unexpected_count", r["result"].get("observed_value")),
            }
        )
    return out


def has_lineage(conn: psycopg.Connection) -> bool:
    row = conn.execute("select to_regclass('marts.mart_lineage') is not null").fetchone()
    return bool(row and row[0])


@dataclass
class FigureTrail:
    mart: str
    rows: list[dict[str, Any]]
    submissions: list[dict[str, Any]]
    validations: list[dict[str, Any]]


def figure_trail(url: str, mart: str, filters: dict[str, str]) -> FigureTrail:
    """The mart rows matching `filters` (column = value) and the submissions and validation runs behind them."""
    with db.connect(url, role=AUDITOR) as conn, conn.cursor(row_factory=dict_row) as cur:
        columns = {
            r["column_name"]: r["data_type"]
            for r in cur.execute(
                "select column_name, data_type from information_schema.columns"
                " where table_schema = 'marts' and table_name = %s",
                (mart,),
            ).fetchall()
        }
        if not columns:
            marts = [
                r["table_name"]
                for r in cur.execute(
                    "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
                ).fetchall()
            ]
            raise TrailError(f"no mart {mart!r}; the marts are: {', '.join(marts)}")
        unknown = [c for c in filters if c not in columns]
        if unknown:
            raise TrailError(f"{mart} has no column {', '.join(unknown)}; its columns: {', '.join(columns)}")
        if not filters:
            raise TrailError("name the row: give column=value pairs, e.g. entity_code=UNODC snapshot_date=2024-12-31")
        where = sql.SQL(" and ").join(
            sql.SQL("{}::text = {}").format(sql.Identifier(c), sql.Placeholder()) for c in filters
        )
        rows = cur.execute(
            sql.SQL("select * from {} where {} limit 1000").format(sql.Identifier("marts", mart), where),
            list(filters.values()),
        ).fetchall()
        if not rows:
            raise TrailError(f"no row of {mart} has {', '.join(f'{k}={v}' for k, v in filters.items())}")
        ids = lineage_of(cur, mart, rows)
        submissions = cur.execute(
            "select submission_id, file_name, sha256, submitted_by, submitted_at, loaded_at, status"
            " from audit.submissions where submission_id = any(%s) order by submission_id",
            (sorted(ids),),
        ).fetchall()
        validations = cur.execute(
            "select submission_id, table_name, suite_name, suite_sha256, success, evaluated, failed_errors,"
            " failed_warnings, finished_at from audit.validation_runs where submission_id = any(%s)"
            " order by submission_id, validation_run_id",
            (sorted(ids),),
        ).fetchall()
    return FigureTrail(mart, rows, submissions, validations)


def lineage_of(cur: psycopg.Cursor[Any], mart: str, rows: list[dict[str, Any]]) -> set[int]:
    """The submissions behind these rows: their own submission_id where they carry one, else the slices of
    marts.mart_lineage that share their entity or programme and cover their date or year."""
    ids = {int(r["submission_id"]) for r in rows if r.get("submission_id") is not None}
    ids |= {int(r["register_submission_id"]) for r in rows if r.get("register_submission_id") is not None}
    for row in rows:
        if row.get("programme_id"):
            tables, key = MART_TABLES.get(mart, PROGRAMME_TABLES), ("programme_id", row["programme_id"])
        elif row.get("entity_code"):
            tables, key = MART_TABLES.get(mart, HR_TABLES), ("entity_code", row["entity_code"])
        elif not ids:
            tables, key = MART_TABLES.get(mart, HR_TABLES), None
        else:
            continue
        start, end = period_of(row)
        query = sql.SQL(
            "select distinct submission_id from marts.mart_lineage where table_name = any(%s)"
            " and (%s::date is null or period_end >= %s::date) and (%s::date is null or period_start <= %s::date)"
        )
        params: list[Any] = [list(tables), start, start, end, end]
        if key:
            query += sql.SQL(" and {} = %s").format(sql.Identifier(key[0]))
            params.append(key[1])
        ids |= {int(r["submission_id"]) for r in cur.execute(query, params).fetchall()}
    return ids


def period_of(row: dict[str, Any]) -> tuple[dt.date | None, dt.date | None]:
    """The dates a mart row is about: its snapshot or period dates, else the whole of its year."""
    for name in ("snapshot_date", "period_start", "funding_date"):
        if isinstance(row.get(name), dt.date):
            end = row.get("period_end") if name == "period_start" else row[name]
            return row[name], end if isinstance(end, dt.date) else row[name]
    for name, value in row.items():
        if name.endswith("_year") and isinstance(value, int):
            return dt.date(value, 1, 1), dt.date(value, 12, 31)
    return None, None
