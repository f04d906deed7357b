"""The audit trail, read as an auditor may (role auditor: `audit` and `marts` only).

`submission_trail` gathers what the warehouse recorded of one submission: the file, its times, what was wrong
with it, each validation run (suite, hash of the suite file, every rule that failed), each load, the dbt runs
that have built the marts since, and the slices of it the marts are built from now. `figure_trail` finds the
submissions behind one mart row through the lineage table `marts.mart_lineage`.
"""

from __future__ import annotations

import datetime as dt
import json
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
                "select table_name, entity_code, programme_id, reporting_unit, period_start, period_end, row_count"
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
    lineage: list[dict[str, Any]] = field(default_factory=list)  # as the mart declares it; [] for seeds alone


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
        lineage = declared_lineage(mart)
        ids = lineage_of(cur, lineage, rows)
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
    return FigureTrail(mart, rows, submissions, validations, lineage)


def declared_lineage(mart: str) -> list[dict[str, Any]]:
    """What a mart row is built from, as its model declares it (meta.lineage in the model's yml, read from the dbt
    manifest): per submission table, the column naming the submission, or the columns it shares with
    marts.mart_lineage (`by`) and the days, years or periods it reads, or the column listing every submission sent
    for the row's slice (`claimed_by`, the reporting status); or `unused`, with the reason, for a table among the
    model's sources that none of its values read. A mart without it is refused, not guessed."""
    from gender_warehouse import warehouse

    path = warehouse.manifest_path()
    try:
        nodes = json.loads(path.read_text())["nodes"].values()
    except (OSError, ValueError, KeyError):
        raise TrailError(f"the dbt manifest {path} cannot be read: run `gwh build --parse-only`") from None
    for node in nodes:
        if node.get("resource_type") == "model" and node.get("name") == mart:
            lineage = (node.get("config") or {}).get("meta", {}).get("lineage")
            if lineage is None:
                raise TrailError(f"{mart} declares no lineage (meta.lineage in its yml): its rows cannot be traced")
            return list(lineage)
    raise TrailError(f"{mart} is not a model of the dbt manifest {path}: run `gwh build --parse-only`")


def lineage_of(cur: psycopg.Cursor[Any], lineage: list[dict[str, Any]], rows: list[dict[str, Any]]) -> set[int]:
    """The submissions behind these rows, by the mart's declared lineage."""
    ids: set[int] = set()
    for source in lineage:
        if source.get("unused"):  # an ancestor in dbt's graph that no value of the row reads (the reason says why)
            continue
        for row in rows:
            if claimed_by := source.get("claimed_by"):  # every file sent for the row's slice, listed in the row
                ids |= {int(i) for i in row.get(claimed_by) or []}
                continue
            if column := source.get("submission_column"):
                if row.get(column) is not None:
                    ids.add(int(row[column]))
                continue
            conditions = [sql.SQL("table_name = %s")]
            params: list[Any] = [source["table"]]
            for column in source.get("by", []):
                conditions.append(sql.SQL("{} = %s").format(sql.Identifier(column)))
                params.append(row[column])
            windows = read_windows(source, row)
            if windows is not None:
                if not windows:
                    continue  # the row reads no day of this table (no snapshot before it, say)
                conditions.append(
                    sql.SQL("({})").format(
                        sql.SQL(" or ").join(sql.SQL("(period_start <= %s and period_end >= %s)") for _ in windows)
                    )
                )
                for start, end in windows:
                    params += [end, start]
            query = sql.SQL("select distinct submission_id from marts.mart_lineage where {}").format(
                sql.SQL(" and ").join(conditions)
            )
            ids |= {int(r["submission_id"]) for r in cur.execute(query, params).fetchall()}
    return ids


def read_windows(source: dict[str, Any], row: dict[str, Any]) -> list[tuple[dt.date, dt.date]] | None:
    """The spans of time a row reads of a table: each day, year or period its lineage names and the row fills;
    None when the lineage names no time (every slice of the entity or programme)."""
    if not any(source.get(k) for k in ("dates", "years", "periods")):
        return None
    windows = [(row[c], row[c]) for c in source.get("dates", []) if isinstance(row.get(c), dt.date)]
    windows += [(dt.date(row[c], 1, 1), dt.date(row[c], 12, 31)) for c in source.get("years", []) if row.get(c)]
    windows += [
        (row[start], row[end])
        for start, end in source.get("periods", [])
        if isinstance(row.get(start), dt.date) and isinstance(row.get(end), dt.date)
    ]
    return windows
