"""Who owes what: the reporting status (marts.mart_reporting_status), read once for every place that shows it.

The mart is a view: each read judges the reporting calendar against the files received up to that moment, so the
reports site, the dashboard, `gwh status --due` and the ingest run's summary all say the same thing, today's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from gender_warehouse import db
from gender_warehouse.roles import AUDITOR


@dataclass(frozen=True)
class Status:
    css_class: str  # of the reports' style
    colour: str  # in the dashboard's charts
    outstanding: bool  # it still asks something of the reporter


# Every status the mart gives (its accepted_values test holds the two to the same list), in the order a reader
# scans them: what is owed first.
STATUSES = {
    "missing": Status("fail", "#c0392b", outstanding=True),
    "rejected, not resubmitted": Status("fail", "#e67e22", outstanding=True),
    "received, not yet loaded": Status("received", "#2980b9", outstanding=True),
    "received late": Status("warning", "#d4ac0d", outstanding=False),
    "received on time": Status("pass", "#1b7f4a", outstanding=False),
    "not yet due": Status("muted", "#95a5a6", outstanding=False),
}
OUTSTANDING = {name: s.css_class for name, s in STATUSES.items() if s.outstanding}
STATUS_CLASSES = {name: s.css_class for name, s in STATUSES.items()}


def status_rows(url: str, role: str = AUDITOR) -> list[dict[str, Any]] | None:
    """Every row of marts.mart_reporting_status, most overdue first; None before the first build made it."""
    from psycopg.rows import dict_row

    with db.connect(url, role=role) as conn, conn.cursor(row_factory=dict_row) as cur:
        if cur.execute("select to_regclass('marts.mart_reporting_status') as found").fetchone()["found"] is None:
            return None
        return cur.execute(
            "select * from marts.mart_reporting_status"
            " order by days_overdue desc nulls last, as_of_date desc, submission_kind, reporter_code"
        ).fetchall()


def status_counts(rows: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """How many expected submissions have each reporting status, the commonest first."""
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["reporting_status"]] = counts.get(r["reporting_status"], 0) + 1
    return sorted(counts.items(), key=lambda c: -c[1])


def outstanding(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if r["reporting_status"] in OUTSTANDING]


def became_overdue(rows: list[dict[str, Any]], since: dt.date | None) -> list[dict[str, Any]]:
    """The outstanding submissions whose due date has passed since `since` (the day of the previous run that told
    anyone): a submission is overdue from the day after its due date, so one due on `since` or later, and now
    overdue, was not overdue then. With no earlier run, every overdue one."""
    return [r for r in outstanding(rows) if r["days_overdue"] and (since is None or r["due_date"] >= since)]


def reporter_label(row: dict[str, Any]) -> str:
    """The reporter's code, and its name where the references know it: 'UNODC (United Nations Office on ...)'."""
    return f"{row['reporter_code']} ({row['reporter_name']})" if row.get("reporter_name") else row["reporter_code"]
