"""Ingest the submissions waiting in the landing folder: one mapped task per file.

find_new_files ─► ingest_file (mapped, one per file) ─► announce_loaded_tables, build_data_docs, tell_coordination
(all_done)

- An accepted file loads its rows into raw.<table>. When every file has had its turn, announce_loaded_tables
  emits one event for each Asset("raw.<table>") loaded in the run, through the AssetAlias "gwh_raw_tables":
  build_warehouse, scheduled on those assets, starts on the whole run's data, never halfway through it.
- A rejected file fails its own task at once, without retry (the reasons are in the log and in
  audit.submission_issues); the other files carry on. A file whose bytes came before is "unchanged": success.
  A file that something else stopped (a bug, the database going away) is 'failed' in the audit trail, with the
  error, and its task is retried; the other files carry on. Links, devices and pipes in the landing folder are
  never taken.
- build_data_docs renders the GX Data Docs pages of every file of the run, rejected ones included. It fails the
  run when find_new_files failed or a file ended without a verdict (a crash after its retries); a rejected
  file does not fail the run.
- Who is told (gender_warehouse.notifications; the addresses in the deployment's GWH_CONTACTS_FILE): a rejected,
  partly refused or failed file, its entity's focal points, with the reasons and its report's link
  (TellTheSender, on the task's failure); each run's summary, with what the reporting calendar expected that
  became overdue since the previous run, the coordination office (tell_coordination). Both
  go through Airflow's SMTP notifier and its connection `smtp_default`; with no contacts file, nobody is told.

The logic is in gender_warehouse (pipeline.ingest_file, landing.pending_files); this file only schedules it.
The warehouse is the Airflow connection `gwh_warehouse` (e.g. env AIRFLOW_CONN_GWH_WAREHOUSE).
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Asset, AssetAlias, BaseNotifier, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException

from gender_warehouse.settings import ingest_interval_minutes
from gender_warehouse_airflow.findings import Finding, NoRetryOnFinding

CONN_ID = "gwh_warehouse"
RAW_TABLES = AssetAlias("gwh_raw_tables")
SUMMARY_KEY = "summary"
MAX_MESSAGES = 5
# Airflow refuses to map more than [core] max_map_length (1024) items; the rest waits for the next run.
MAX_FILES_PER_RUN = 500


def warehouse_url(conn_id: str = CONN_ID) -> str:
    """The warehouse's URL, from the Airflow connection (read when a task runs, never at parse time)."""
    from airflow.sdk import Connection

    from gender_warehouse.db import url_from_connection

    return url_from_connection(Connection.get(conn_id))


def send_mail(context: dict, to: tuple[str, ...], subject: str, html_content: str) -> None:
    """Through Airflow's SMTP notifier (connection smtp_default). Called with the message made already, never as a
    template: it quotes the file's values, which must not be rendered."""
    import os

    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    sender = os.environ.get("GWH_MAIL_FROM", "gender-warehouse@localhost")
    SmtpNotifier(to=list(to), from_email=sender, subject=subject, html_content=html_content).notify(context)


class TellTheSender(BaseNotifier):
    """A file rejected, partly refused or failed after its retries: its entity's focal points are told why."""

    def notify(self, context: dict) -> None:
        from gender_warehouse.notifications import file_message, load_contacts

        ti = context["ti"]
        summary = ti.xcom_pull(task_ids=ti.task_id, key=SUMMARY_KEY, map_indexes=ti.map_index)
        to = load_contacts().for_file(summary["path"]) if summary else ()
        if not to:
            return
        send_mail(context, to, *file_message(summary))
        print(f"told {', '.join(to)} about {summary['path']}")


def summaries_of_run(context: dict) -> list[dict]:
    """The summary every ingest_file of this run pushed (rejected files included)."""
    summaries = context["ti"].xcom_pull(task_ids="ingest_file", key=SUMMARY_KEY)
    # One mapped instance comes back as the value itself, none as None.
    return [s for s in (summaries if isinstance(summaries, list) else [summaries]) if s]


@dag(
    dag_id="ingest_submissions",
    description="Validate and load the files in the landing folder; emit raw.<table> assets",
    schedule=dt.timedelta(minutes=ingest_interval_minutes()),
    start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    tags=["gender_warehouse", "ingest"],
    default_args={"retries": 2, "retry_delay": dt.timedelta(minutes=1)},
    doc_md=__doc__,
)
def ingest_submissions() -> None:
    @task(retries=2)
    def find_new_files() -> list[str]:
        """Files in the landing folder that the warehouse has not finished with, oldest first."""
        from gender_warehouse.landing import pending_files

        files = pending_files(warehouse_url())
        if len(files) > MAX_FILES_PER_RUN:
            print(f"{len(files)} files wait; taking the oldest {MAX_FILES_PER_RUN}, the rest in the next run")
        return files[:MAX_FILES_PER_RUN]

    # Files may load in any order and in parallel: of two versions of an entity and period, the one submitted
    # last (its time in the landing folder) is current, whichever is loaded first.
    @task(
        retries=2,
        retry_delay=dt.timedelta(seconds=30),
        retry_policy=NoRetryOnFinding(),
        map_index_template="{{ submission_file }}",
        on_failure_callback=TellTheSender(),
    )
    def ingest_file(path: str) -> None:
        """One file through register → archive → read → validate → load. Rejection: failed, no retry."""
        from pathlib import Path

        from gender_warehouse.errors import SubmissionError, visible
        from gender_warehouse.landing import submitted_at
        from gender_warehouse.pipeline import ingest_file as ingest

        context = get_current_context()
        context["submission_file"] = Path(path).name  # type: ignore[typeddict-unknown-key]  # the map index label
        try:
            # Ordered by its time in the landing folder: files may load in parallel and in any order.
            result = ingest(Path(path), warehouse_url(), submitted_at=submitted_at(Path(path)))
        except SubmissionError as exc:  # the file cannot be opened at all (gone, unreadable): no retry helps
            print(f"{visible(path, one_line=True)}: {visible(str(exc), one_line=True)}")
            raise Finding(f"{visible(Path(path).name, one_line=True)} refused: see the line above") from None
        # Messages quote the file's values and name: one line each in the task log, whatever they hold.
        errors = [visible(str(i), one_line=True) for i in result.errors]
        summary = {
            "path": path,
            "status": result.status,
            "submission_id": result.submission_id,
            "rows": dict(result.rows),
            "errors": errors[:MAX_MESSAGES],
            "error_count": len(errors),
            "warning_count": len(result.warnings),
            "result_files": [str(p) for p in result.result_files],
            "superseded_by": result.superseded_by,
            "failure": result.failure,
        }
        # Pushed under its own key, rejected files included: a failed task has no return value.
        context["ti"].xcom_push(key=SUMMARY_KEY, value=summary)
        for warning in result.warnings:
            print(f"warning: {visible(str(warning), one_line=True)}")
        if result.status == "failed":  # not the file's fault (a bug, the database going away): retried
            raise RuntimeError(
                f"{visible(Path(path).name, one_line=True)} failed (submission {result.submission_id}), nothing "
                f"loaded: {visible(result.failure or '', one_line=True)}"
            )
        if result.status == "partially accepted":  # its valid parts are loaded (and announced); the rest is not
            refused = [visible(str(i), one_line=True) for i in result.refused]
            shown = "\n".join(f"  - {r}" for r in refused[:MAX_MESSAGES])
            print(
                f"{visible(Path(path).name, one_line=True)} partially accepted (submission {result.submission_id}): "
                f"{result.rows} loaded, {len(refused)} part(s) refused:\n{shown}"
            )
            raise Finding(
                f"{visible(Path(path).name, one_line=True)} partially accepted: {len(refused)} part(s) refused"
            )
        if result.status == "rejected":
            shown = "\n".join(f"  - {e}" for e in errors[:MAX_MESSAGES])
            more = f"\n  ... and {len(errors) - MAX_MESSAGES} more" if len(errors) > MAX_MESSAGES else ""
            print(
                f"{visible(Path(path).name, one_line=True)} rejected (submission {result.submission_id}), nothing "
                f"loaded:\n{shown}{more}"
            )
            raise Finding(f"{visible(Path(path).name, one_line=True)} rejected: {len(errors)} problem(s), listed above")
        if result.status == "unchanged":  # a resent identical file: recorded as an arrival, nothing to load
            print(
                f"unchanged {visible(path, one_line=True)}: the same bytes came before as submission "
                f"{result.submission_id} ({result.previous_status}); its arrival is recorded, nothing loaded"
            )
            return
        print(f"{result.status} {visible(path, one_line=True)}: submission {result.submission_id}, rows {result.rows}")

    @task(retries=2, trigger_rule="all_done", outlets=[RAW_TABLES])
    def announce_loaded_tables() -> None:
        """One event per raw table loaded in this run, once every file has had its turn: build_warehouse then
        starts on the whole run's data, not halfway through it."""
        context = get_current_context()
        loaded: dict[str, list[dict]] = {}
        for summary in summaries_of_run(context):
            for table, rows in summary["rows"].items():
                loaded.setdefault(table, []).append({"submission_id": summary["submission_id"], "rows": rows})
        for table, submissions in sorted(loaded.items()):
            context["outlet_events"][RAW_TABLES].add(
                Asset(f"raw.{table}"), extra={"submissions": submissions, "rows": sum(s["rows"] for s in submissions)}
            )
            print(f"raw.{table}: {len(submissions)} submission(s) loaded")

    @task(retries=1, trigger_rule="all_done", multiple_outputs=False)
    def build_data_docs(files: list[str]) -> dict:
        """GX Data Docs for every validation result of this run, accepted and rejected files alike."""
        import logging
        from pathlib import Path

        logging.getLogger("great_expectations").setLevel(logging.WARNING)  # ~200 INFO lines per import
        from gender_warehouse.validation import build_data_docs as render

        summaries = summaries_of_run(get_current_context())
        result_files = [Path(f) for s in summaries for f in s["result_files"]]
        index = render(result_files)
        from gender_warehouse import site  # the submission reports and reports/index.html
        from gender_warehouse.notifications import status_counts

        site.publish_site(warehouse_url())
        counts = status_counts(summaries)
        print(f"{len(files)} file(s): {counts}; Data Docs: {index}")
        if len(summaries) < len(files):
            missing = len(files) - len(summaries)
            raise AirflowFailException(f"{missing} file(s) ended without a verdict (crashed): see ingest_file")
        return {"files": len(files), "statuses": counts, "data_docs": str(index) if index else None}

    @task(retries=2, trigger_rule="all_done")
    def tell_coordination() -> None:
        """The run's summary to the coordination office (the contacts file's coordination addresses): its files,
        and what the reporting calendar expected that became overdue since the previous successful run."""
        from gender_warehouse import reporting
        from gender_warehouse.notifications import load_contacts, overdue_lines, run_message

        context = get_current_context()
        previous = context.get("prev_start_date_success")
        statuses = reporting.status_rows(warehouse_url()) or []  # none before the first build
        overdue = reporting.became_overdue(statuses, previous.date() if previous else None)
        for line in overdue_lines(overdue):
            print(f"overdue: {line}")
        to = load_contacts().coordination
        summaries = summaries_of_run(context)
        if not to or not (summaries or overdue):
            print("no summary sent: " + ("no coordination address" if not to else "no file, nothing became overdue"))
            return
        send_mail(context, to, *run_message(summaries, context["run_id"], overdue=overdue))
        print(f"summary of {len(summaries)} file(s), {len(overdue)} overdue, sent to {', '.join(to)}")

    files = find_new_files()
    # build_data_docs also takes the list itself: if find_new_files failed, it fails too (and so does the run).
    ingested = ingest_file.expand(path=files)
    ingested >> [announce_loaded_tables(), build_data_docs(files), tell_coordination()]


ingest_submissions()
