"""One file through register → archive → read → validate → load, as the CLI and the Airflow DAGs run it."""

from __future__ import annotations

import datetime as dt
import decimal
import importlib
import logging
import re
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pyarrow as pa

from gender_warehouse import audit, canonical, db, loading, readers, register, roles, settings, validation
from gender_warehouse.audit import Issue
from gender_warehouse.canonical import Canonical
from gender_warehouse.contracts import tables_of_kind
from gender_warehouse.errors import SubmissionError, SubmissionErrors, describe_rows, visible
from gender_warehouse.readers import TableSource, read_submission
from gender_warehouse.validation import Outcome, SuiteResult

log = logging.getLogger(__name__)
# A table of this many rows is typed and copied in parts of STREAM_ROWS, the two at once (type_while_copying).
STREAM_FROM_ROWS = 200_000
STREAM_ROWS = 125_000
PROGRAMME_TABLES = tables_of_kind("programme")  # an IATI file states its programmes whole, in each of these


@dataclass
class IngestResult:
    """What happened to one file. `status` is accepted, partially accepted (parts refused, the rest loaded),
    rejected, superseded, failed, or unchanged (the same bytes came before)."""

    path: Path
    status: str
    submission_id: int | None = None
    rows: dict[str, int] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    result_files: list[Path] = field(default_factory=list)
    previous_status: str | None = None
    failure: str | None = None  # what stopped a "failed" file (not the submitter's doing)
    superseded_by: list[int] = field(default_factory=list)  # newer versions that already replace every slice
    validations: list[SuiteResult] = field(default_factory=list)  # written to result files after the commit

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def refused(self) -> list[Issue]:
        """Parts of the file refused while the rest loaded (status "partially accepted")."""
        return [i for i in self.issues if i.severity == "refused"]


def as_written(value: Any, row_noun: str = "row") -> str:
    """A value found by a rule as the submitter wrote it: numbers without a trailing .0 or exponent, dates as
    YYYY-MM-DD, several columns as "column value" pairs (a case's own row or line first), never a Python repr."""
    if isinstance(value, dict):
        where = f"{row_noun} {value['source_row']}: " if value.get("source_row") is not None else ""
        return where + ", ".join(
            f"{k} {as_written(v)}" for k, v in value.items() if k != "source_row" and v is not None
        )
    if isinstance(value, list | tuple):
        return " / ".join(as_written(v) for v in value)
    if isinstance(value, bool) or value is None:
        return str(value).upper() if isinstance(value, bool) else "empty"
    if isinstance(value, float | decimal.Decimal):
        number = decimal.Decimal(str(value)).normalize()
        return format(number, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def outcome_issue(outcome: Outcome, sheet: str | None, row_noun: str = "row") -> Issue:
    """A failed expectation as a sentence for the submitter: the rule, where it fails, and what was found."""
    config, result = outcome.config, outcome.result
    kwargs = config["kwargs"]
    column = kwargs.get("column") or (f"{kwargs['column_A']}, {kwargs['column_B']}" if "column_A" in kwargs else None)
    description = config.get("meta", {}).get("description") or config["type"]
    rows = [r["source_row"] for r in result.get("partial_unexpected_index_list", [])]
    if "unexpected_count" in result:
        count = result["unexpected_count"]
        shown = [as_written(v) for v in result.get("partial_unexpected_list", [])]
        found = ", ".join(canonical.abbreviated(v) for v in dict.fromkeys(shown))  # a 2,000-character title, cut
        detail = f"{count} {row_noun}(s) break this rule ({describe_rows(rows, count, noun=row_noun)})"
        detail += f"; found {found}" if found else ""
    elif "details" in result:
        cases = result["details"]["unexpected_rows"]
        detail = f"{result['observed_value']} case(s), e.g. {as_written(cases[0], row_noun)}" if cases else "no detail"
    else:
        detail = f"found {as_written(result.get('observed_value'))}"
    return Issue(
        stage="validate",
        severity="error" if outcome.severity == "critical" else "warning",
        message=f"{description} — {detail}",
        sheet=sheet,
        column=column,
        rows=rows or None,
        rule=config["type"],
        row_noun=row_noun,
    )


def ingest_file(
    path: Path,
    url: str,
    *,
    kind: str | None = None,
    submitted_by: str | None = None,
    submitted_at: dt.datetime | None = None,
    today: dt.date | None = None,
) -> IngestResult:
    """Ingest one file. A rejected file loads nothing; the same bytes twice change nothing.

    `submitted_at` orders the versions of an entity and period: the latest submitted is current, whatever the
    loading order. Files taken from the landing folder pass their time there; by default it is now, so that a
    file ingested later supersedes one ingested before it.

    Only a regular file is taken (a link, device or pipe raises SubmissionError before a byte is read). An
    unexpected error after the file is registered marks its submission 'failed', with the error, and is returned
    as status "failed": the caller goes on to the next file. Only an unreachable database raises.
    """
    path = Path(path)
    import_pandas_meanwhile()
    try:
        with timed("hash and archive"):
            taken = register.take(path)
    except register.TooLarge as exc:
        return IngestResult(path, "rejected", issues=[Issue("register", "error", exc.message)])
    with db.connect(url, autocommit=True, role=roles.LOADER) as conn, register.readable_copy(taken, path.name) as copy:
        file_format, sources, read_errors, crash = read_file(copy, kind)
        sub = audit.register(
            conn,
            sha256=taken.sha256,
            file_name=path.name,
            file_size=taken.size,
            file_format=file_format,
            archive_path=register.archive_reference(taken.archived),
            submitted_by=submitted_by,
            submitted_at=submitted_at,
        )
        unchanged = sub.status not in ("received", "failed")
        audit.record_receipt(conn, sub.submission_id, path.name, submitted_at, "unchanged" if unchanged else "taken")
        if unchanged:
            return IngestResult(
                path,
                "unchanged",
                sub.submission_id,
                previous_status=sub.status,
                issues=audit.issues_of(conn, sub.submission_id),
            )
        try:
            if crash is not None:
                raise crash
            with conn.transaction():
                if audit.lock_submission(conn, sub.submission_id) not in ("received", "failed"):
                    return IngestResult(path, "unchanged", sub.submission_id, previous_status="loaded")
                if read_errors:
                    issues = [read_issue(e) for e in read_errors]
                    audit.record_issues(conn, sub.submission_id, issues)
                    audit.mark_rejected(conn, sub.submission_id, [], len(issues), 0, False, None)
                    return IngestResult(path, "rejected", sub.submission_id, issues=issues)
                result = load_submission(conn, path, sub.submission_id, sources, today)
        except Exception as exc:
            return failed(conn, url, path, sub.submission_id, exc)
    # Result files are written once the load has committed: a run killed before that leaves none behind, and
    # `gwh docs` writes any that a kill after the commit left unwritten, from the audit trail.
    with timed("write results"):
        write_results(result)
    return result


def read_file(copy: Path, kind: str | None) -> tuple[str, list[TableSource], list[SubmissionError], Exception | None]:
    """The file's format and tables, or what the submitter must fix, or the unexpected error a reader raised
    (recorded as the submission's failure once it is registered)."""
    try:
        file_format, sources = read_submission(copy, kind)
        return file_format, sources, [], None
    except SubmissionError as exc:
        return "other", [], [exc], None
    except SubmissionErrors as exc:  # several errors at once (an IATI file whose activities fail the schema)
        return readers.file_format(copy), [], exc.errors, None
    except Exception as exc:
        return "other", [], [], exc


def failed(conn: psycopg.Connection, url: str, path: Path, submission_id: int, exc: Exception) -> IngestResult:
    """Record an unexpected error as the submission's failure (its load was rolled back) and say so."""
    failure = db.mask_secrets(f"{type(exc).__name__}: {exc}".strip(), url)
    log.error("%s (submission %s) failed: %s", visible(path.name, one_line=True), submission_id, failure, exc_info=exc)
    try:
        audit.mark_failed(conn, submission_id, failure)
    except psycopg.Error:  # the connection went with the error: another one records it, if the server answers
        try:
            with db.connect(url, autocommit=True, role=roles.LOADER) as again:
                audit.mark_failed(again, submission_id, failure)
        except (psycopg.Error, db.DatabaseError):
            raise db.DatabaseError(
                f"the warehouse database stopped answering while {path.name} was loaded ({failure}); nothing of "
                "it stays loaded: ingest it again once the database answers"
            ) from None
    return IngestResult(path, "failed", submission_id, failure=failure)


def write_results(result: IngestResult) -> None:
    """The GX-format result file of every validation of this file (named in the audit trail already)."""
    for suite_result in result.validations:
        result.result_files.append(validation.store_result(suite_result))


def reads_untyped(outcome: Outcome, own: set[str], anywhere: set[str]) -> bool:
    """Whether a rule reads a column whose values did not type (left empty, so the rule would only echo typing):
    a column of its own table that its kwargs name, or, for a SQL rule (which may read the file's other tables),
    a column of any table of the file that its query names."""
    kwargs = outcome.config["kwargs"]
    named = {kwargs.get("column"), kwargs.get("column_A"), kwargs.get("column_B"), *kwargs.get("column_list", [])}
    query = kwargs.get("unexpected_rows_query") or ""
    return bool(own & named) or any(re.search(rf"\b{re.escape(c)}\b", query) for c in anywhere)


def read_issue(exc: SubmissionError) -> Issue:
    return Issue(
        "read", "error", exc.message, sheet=exc.sheet, column=exc.column, rows=exc.rows or None, row_noun=exc.row_noun
    )


def load_submission(
    conn: psycopg.Connection,
    path: Path,
    submission_id: int,
    sources: list[TableSource],
    today: dt.date | None,
    *,
    dry_run: bool = False,
) -> IngestResult:
    """Stage, type, validate and load every table of the file inside the caller's transaction.

    On rejection the rows are rolled back (a savepoint) and only the audit rows stay.
    """
    result = IngestResult(path, "accepted", submission_id)
    validations: list[SuiteResult] = []
    covered: dict[str, list[loading.Overlap]] = {}  # periods this file replaces, or that replace its own
    # A dry run's submission id is rolled back (and will be reused): name its results after the file instead.
    run_name = "validate-only" if dry_run else f"submission-{submission_id}"
    typed: list[Canonical] = []
    claimed: list[Canonical] = []  # the rows as parsed: what the file is for, even where a value does not type
    try:
        # The rules that read only the typed rows run on the other core (pool) while PostgreSQL takes the COPY.
        with ThreadPoolExecutor(max_workers=1) as pool, conn.transaction():  # savepoint: undone on rejection
            on_rows: dict[str, Future[dict[int, Outcome]]] = {}
            read_errors: list[SubmissionError] = []
            # Columns whose values do not parse: told once, by typing; the rows go on to every other rule with
            # those values empty, so that one run tells every problem of the file (not one stage at a time).
            untyped: dict[str, set[str]] = {}
            notes = [
                Issue("read", "warning", note, sheet=s.sheet, row_noun=s.row_noun) for s in sources for note in s.notes
            ]
            for source in sources:
                with timed(f"read {source.table.name}"):
                    text = source.read()
                if len(sources) == 1 and text.num_rows >= STREAM_FROM_ROWS:
                    with timed(f"type and copy {source.table.name}"):
                        streamed = type_while_copying(conn, source, text, submission_id, pool, today)
                    if streamed is not None:
                        rows, on_rows[source.table.name] = streamed
                        typed.append(rows)
                        claimed.append(rows)
                        result.rows[source.table.name] = rows.row_count
                        continue
                with timed(f"type {source.table.name}"):
                    try:
                        typed.append(canonical.to_canonical(text, source.table, source.sheet, source.row_noun))
                        claimed.append(typed[-1])
                    except canonical.TypeErrors as exc:
                        read_errors += exc.errors
                        typed.append(exc.partial)
                        claimed.append(exc.parsed)
                        untyped[source.table.name] = set(exc.columns)
            # A workbook (a template, say) may keep sheets it has nothing for: with rows elsewhere, they are skipped.
            empty = [t for t in typed if t.row_count == 0]
            if empty and len(empty) < len(typed):
                typed = [t for t in typed if t.row_count]
                sources = [s for s in sources if s.table not in {t.table for t in empty}]
                notes += [
                    Issue("read", "warning", f"the sheet has no rows: nothing loaded for {t.table.name}", sheet=t.sheet)
                    for t in empty
                ]
            result.issues = [read_issue(e) for e in read_errors] + result.issues + notes
            # Parts the reader refused while the rest loads (IATI activities that fail the schema).
            refused = sources[0].refused if sources else []
            result.issues += [
                Issue(
                    "read",
                    "refused",
                    e.message,
                    sheet=e.sheet,
                    column=e.column,
                    rows=e.rows or None,
                    row_noun=e.row_noun,
                )
                for e in refused
            ]
            # Every table is in place before any is validated: a rule of one table may look at another
            # (funding dates against the programme's period in the register sent in the same workbook).
            for rows in typed:
                if rows.table.name not in on_rows:
                    on_rows[rows.table.name] = pool.submit(timed_rules, rows, today)
                    with timed(f"copy {rows.table.name}"):
                        result.rows[rows.table.name] = loading.copy_rows(conn, rows, submission_id)
            done = {name: future.result() for name, future in on_rows.items()}
            for rows in typed:
                name = rows.table.name
                batch = loading.batch_view(conn, rows.table, submission_id)
                with timed(f"validate {name} (SQL rules)"):
                    suite_result = validation.validate(
                        rows,
                        conn,
                        batch,
                        batch_id=f"{name}-{path.stem if dry_run else submission_id}",
                        run_name=run_name,
                        today=today,
                        done=done[name],
                    )
                validations.append(suite_result)
                result.issues += [
                    outcome_issue(o, rows.sheet, rows.row_noun)
                    for o in suite_result.errors + suite_result.warnings
                    if not reads_untyped(o, untyped.get(name, set()), set().union(*untyped.values()))
                ]
            # Events of a period count once: an overlap no later, covering period settles is refused.
            for rows in typed:
                found = loading.period_overlaps(conn, rows.table, submission_id)
                result.issues += [overlap_issue(o, rows) for o in found if not o.replaceable]
                covered[rows.table.name] = [o for o in found if o.replaceable]
            if result.errors:
                raise Rejected(result.issues)
            if dry_run:
                raise Rejected(result.issues)
    except SubmissionError as exc:  # a file that could not be read after all
        result.issues = [read_issue(exc)]
    except SubmissionErrors as exc:
        result.issues = [read_issue(e) for e in exc.errors]
    except Rejected as rejected:
        result.issues = rejected.issues
    report = None
    result.validations = validations
    for suite_result in validations:
        stored = validation.results_path(suite_result)
        report = report or str(validation.data_docs_page(stored).relative_to(settings.project_dir()))
        if not dry_run:
            audit.record_validation(conn, submission_id, suite_result, str(stored.relative_to(settings.project_dir())))
    validated_at = max((v.finished_at for v in validations), default=None)
    if dry_run:
        result.status = "rejected" if result.errors else "partially accepted" if result.refused else "accepted"
        return result
    audit.record_issues(conn, submission_id, result.issues)
    tables = [s.table.name for s in sources]
    if result.errors:
        # What the file was sent for: its rows are gone, the parsed ones are still here.
        for rows in claimed:
            loading.record_claims(conn, rows.table, submission_id, rows)
        result.status = "rejected"
        result.rows = {}
        audit.mark_rejected(
            conn,
            submission_id,
            tables,
            len(result.errors),
            len(result.warnings),
            bool(validations),
            report,
            validated_at,
        )
        return result
    superseded_from: set[int] = set()
    loaded = {rows.table.name: rows for rows in typed}
    for source in sources:
        with timed(f"supersede {source.table.name}"):
            count, owners = loading.supersede(
                conn, source.table, submission_id, source.supersedes_by, loaded[source.table.name]
            )
        superseded_from.update(owners)
        if covered.get(source.table.name):
            more, owners = loading.supersede_covered_periods(
                conn, source.table, submission_id, covered[source.table.name]
            )
            count += more
            superseded_from.update(owners)
        audit.record_load(conn, submission_id, source.table.name, result.rows[source.table.name], count)
    covered = sorted({p for s in sources for p in s.replaces_programmes})
    for table in PROGRAMME_TABLES:
        if covered and table not in {s.table for s in sources}:
            count, owners = loading.supersede_programmes(conn, table, submission_id, covered)
            superseded_from.update(owners)
    loading.claim_loaded_slices(conn, submission_id)
    refused_count = sources[0].refused_count if sources else 0
    audit.mark_loaded(
        conn,
        submission_id,
        tables,
        sum(result.rows.values()),
        len(result.warnings),
        report,
        validated_at,
        refused=refused_count,
    )
    if refused_count:
        result.status = "partially accepted"
    audit.mark_fully_superseded(conn, sorted(superseded_from))
    # A file loaded after a newer version of every slice it holds (a retry finishing late) is current nowhere.
    result.superseded_by = audit.superseded_by(conn, submission_id)
    if result.superseded_by:
        result.status = "superseded"
    return result


def overlap_issue(o: loading.Overlap, rows: Canonical) -> Issue:
    (start, end), (q_start, q_end) = o.mine, o.theirs
    return Issue(
        "validate",
        "error",
        f"{', '.join(o.slice_values)} {start}/{end} overlaps {q_start}/{q_end}, loaded from {o.their_file} "
        f"(submission {o.their_submission}): the events of both would be counted twice. A file replaces only the "
        f"periods it covers that were submitted before it: send {q_start}/{q_end} again, corrected, or one file "
        f"for a period that covers both",
        sheet=rows.sheet,
        column=rows.table.exclusive_period[0] if rows.table.exclusive_period else None,
        rows=o.rows[:20],
        rule="periods_do_not_overlap",
        row_noun=rows.row_noun,
    )


def type_while_copying(
    conn: psycopg.Connection,
    source: TableSource,
    text: pa.Table,
    submission_id: int,
    pool: ThreadPoolExecutor,
    today: dt.date | None,
) -> tuple[Canonical, Future[dict[int, Outcome]]] | None:
    """A large table typed a part at a time, each part copied while the next is typed (PostgreSQL takes the COPY
    on one core, Python types on the other), and its rules on rows started while the last parts are copied.

    A part that does not type takes back what was copied (a savepoint) and returns None: the table is then typed
    whole, as any other, for every error of every column to be told at once."""
    parts: list[pa.Table] = []
    try:
        with conn.transaction(), loading.streaming_copy(conn, source.table, submission_id) as send:
            for offset in range(0, text.num_rows, STREAM_ROWS):
                part = canonical.to_canonical(
                    text.slice(offset, STREAM_ROWS), source.table, source.sheet, source.row_noun
                )
                send(part)
                parts.append(part.rows)
            rows = Canonical(source.table, pa.concat_tables(parts), source.sheet, source.row_noun)
            return rows, pool.submit(timed_rules, rows, today)
    except canonical.TypeErrors:
        return None


def import_pandas_meanwhile() -> None:
    """pyarrow imports pandas (0.2 s) on its first conversion of a Python value, which every load makes: import it
    in another thread while this one hashes, archives and reads the file (work that leaves the GIL free)."""
    if "pandas" not in sys.modules:
        threading.Thread(target=importlib.import_module, args=("pandas",), daemon=True).start()


def timed_rules(rows: Canonical, today: dt.date | None) -> dict[int, validation.Outcome]:
    with timed(f"validate {rows.table.name} (rules on rows)"):
        return validation.row_outcomes(rows, today)


@contextmanager
def timed(step: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    log.info("%s: %.2f s", step, time.perf_counter() - started)


class Rejected(Exception):
    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(f"{len(issues)} issue(s)")
        self.issues = issues


def validate_file(path: Path, url: str, *, kind: str | None = None, today: dt.date | None = None) -> IngestResult:
    """Read and validate a file exactly as ingest would, then roll everything back: nothing is recorded.

    An unexpected error gives status "failed" with the error, as ingest does, and the next file is taken."""
    path = Path(path)
    try:
        with register.private_copy(path) as (copy, size):
            file_format, sources, read_errors, crash = read_file(copy, kind)
            if read_errors:
                return IngestResult(path, "rejected", issues=[read_issue(e) for e in read_errors])
            with db.connect(url, role=roles.LOADER) as conn:
                try:
                    if crash is not None:
                        raise crash
                    with conn.transaction(force_rollback=True):
                        # A provisional submission row, so the typed rows have an owner; rolled back with the rest.
                        sub = audit.register(
                            conn,
                            sha256="0" * 64,
                            file_name=path.name,
                            file_size=size,
                            file_format=file_format,
                            archive_path="",
                            submitted_by=None,
                        )
                        result = load_submission(conn, path, sub.submission_id, sources, today, dry_run=True)
                except psycopg.OperationalError:
                    raise
                except Exception as exc:
                    failure = db.mask_secrets(f"{type(exc).__name__}: {exc}".strip(), url)
                    log.error("%s failed: %s", visible(path.name, one_line=True), failure, exc_info=exc)
                    return IngestResult(path, "failed", failure=failure)
    except register.TooLarge as exc:
        return IngestResult(path, "rejected", issues=[Issue("register", "error", exc.message)])
    write_results(result)
    return result
