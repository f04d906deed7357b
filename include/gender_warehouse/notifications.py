"""Who is told, and what, when a file is rejected or fails and when an ingest run ends. Airflow's SMTP notifier
sends the messages (dags/ingest_submissions.py); this module only says to whom and writes them.

The addresses are the deployment's, in the CSV file GWH_CONTACTS_FILE names (never in git), with a header line:

    role,entity_code,email
    focal_point,WIPO,hr-data@wipo.example        # told when a file of WIPO is rejected or fails
    coordination,,gender-data@coordination.example  # gets each run's summary, and files of no known entity

A file's entity is read from its name (hr_headcount_WIPO_2024.csv is WIPO's), as the templates name files.
Every value from a file is escaped in the HTML of a message, and shown on one line.
"""

from __future__ import annotations

import csv
import html
import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from gender_warehouse import reference
from gender_warehouse.errors import visible

ROLES = ("focal_point", "coordination")
EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
SHOWN_REASONS = 10


class ContactsError(ValueError):
    """The contacts file cannot be used: the message names the line and what is wrong."""


@dataclass(frozen=True)
class Contacts:
    focal_points: dict[str, tuple[str, ...]] = field(default_factory=dict)
    coordination: tuple[str, ...] = ()

    def for_file(self, file_name: str) -> tuple[str, ...]:
        """The focal points of the file's entities; the coordination office when none is known."""
        found = [a for e in entities_of_file(file_name) for a in self.focal_points.get(e, ())]
        return tuple(dict.fromkeys(found)) or self.coordination


def load_contacts(path: Path | None = None) -> Contacts:
    """The contacts file GWH_CONTACTS_FILE names (no file: nobody is told)."""
    path = path or (Path(os.environ["GWH_CONTACTS_FILE"]) if os.environ.get("GWH_CONTACTS_FILE") else None)
    if path is None:
        return Contacts()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ContactsError(f"the contacts file {path} cannot be read: {exc.strerror}") from None
    reader = csv.DictReader(text.splitlines())
    if reader.fieldnames is None or {"role", "entity_code", "email"} - set(reader.fieldnames):
        raise ContactsError(f"{path}: the header must name the columns role, entity_code, email")
    focal: dict[str, list[str]] = {}
    coordination: list[str] = []
    entities = set(reference.entity_codes())
    for line, row in enumerate(reader, start=2):
        if row.get(None):  # fields past the header's: a second address in a cell, unquoted
            raise ContactsError(f"{path}, line {line}: more fields than role, entity_code, email (one address a line)")
        role, entity, email = ((row.get(k) or "").strip() for k in ("role", "entity_code", "email"))
        if role not in ROLES:
            raise ContactsError(f"{path}, line {line}: role {role!r} is not one of {', '.join(ROLES)}")
        if not EMAIL.match(email):
            raise ContactsError(f"{path}, line {line}: {email!r} is not an e-mail address")
        if role == "coordination":
            coordination.append(email)
            continue
        if entity.upper() not in entities:
            raise ContactsError(f"{path}, line {line}: {entity!r} is not an entity code of the entities reference")
        focal.setdefault(entity.upper(), []).append(email)
    return Contacts({e: tuple(a) for e, a in focal.items()}, tuple(coordination))


def entities_of_file(file_name: str) -> list[str]:
    """The entity codes a file's name holds, as words between underscores (hr_headcount_UN-WOMEN_2024.csv)."""
    known = set(reference.entity_codes())
    words = re.split(r"[_.\s]+", Path(file_name).stem.upper())
    return [w for w in dict.fromkeys(words) if w in known]


def report_link(submission_id: int | None, reports_url: str | None = None) -> str | None:
    """Where the submission's report is: under GWH_REPORTS_URL (the served reports site) when it is set."""
    base = reports_url or os.environ.get("GWH_REPORTS_URL")
    if submission_id is None or not base:
        return None
    return f"{base.rstrip('/')}/submissions/submission-{submission_id}.html"


def file_message(summary: dict, reports_url: str | None = None) -> tuple[str, str]:
    """The subject and HTML body telling a file's sender that it was rejected, partly refused or failed, why, and
    where its report is. `summary` is what the ingest task records of the file (dags/ingest_submissions.py)."""
    name = visible(Path(summary["path"]).name, one_line=True)
    status = summary["status"]
    sid = summary.get("submission_id")
    reasons = [visible(str(r), one_line=True) for r in summary.get("errors", [])][:SHOWN_REASONS]
    count = summary.get("error_count", len(reasons))
    what = {
        "rejected": "was rejected: nothing of it was loaded",
        "partially accepted": "was partly refused: its valid parts were loaded, the rest was not",
        "failed": "could not be processed (not because of its content): nothing of it was loaded, it will be retried",
    }.get(status, status)
    subject = f"Gender Equality Warehouse: {name} {status}" + (f" (submission {sid})" if sid else "")
    items = "".join(f"<li>{html.escape(r)}</li>" for r in reasons)
    more = f"<p>… and {count - len(reasons)} more.</p>" if count > len(reasons) else ""
    failure = summary.get("failure")
    link = report_link(sid, reports_url)
    body = (
        f"<p>Your file <b>{html.escape(name)}</b> {html.escape(what)}.</p>"
        + (f"<p>What to fix:</p><ul>{items}</ul>{more}" if items else "")
        + (f"<p>The error: {html.escape(visible(failure, one_line=True))}</p>" if failure else "")
        + (f'<p>Its report: <a href="{html.escape(link)}">{html.escape(link)}</a></p>' if link else "")
        + "<p>Send the corrected file again; the warehouse keeps every version.</p>"
    )
    return subject, body


def status_counts(summaries: Iterable[dict]) -> dict[str, int]:
    """How many files of a run ended in each status (accepted, rejected, unchanged, ...)."""
    return dict(Counter(s["status"] for s in summaries))


SHOWN_OVERDUE = 50


def overdue_lines(overdue: list[dict]) -> list[str]:
    """One line per submission that became overdue: what, whose, due when (the first SHOWN_OVERDUE)."""
    from gender_warehouse.reporting import reporter_label

    lines = [
        f"{r['submission_kind']} as of {r['as_of_date']} from {reporter_label(r)}: due {r['due_date']}, "
        f"{r['reporting_status']}"
        for r in overdue[:SHOWN_OVERDUE]
    ]
    if len(overdue) > SHOWN_OVERDUE:
        lines.append(f"... and {len(overdue) - SHOWN_OVERDUE} more (gwh status --due)")
    return [visible(line, one_line=True) for line in lines]


def run_message(
    summaries: Iterable[dict], run_id: str, reports_url: str | None = None, overdue: list[dict] | None = None
) -> tuple[str, str]:
    """The subject and HTML body of an ingest run's summary for the coordination office: its files, and the
    submissions that became overdue since the previous run (reporting.became_overdue)."""
    summaries = list(summaries)
    overdue = overdue or []
    counts = status_counts(summaries)
    shown = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no file"
    if overdue:
        shown += f"; {len(overdue)} submission(s) became overdue"
    rows = "".join(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
            html.escape(visible(Path(s["path"]).name, one_line=True)),
            html.escape(s["status"]),
            html.escape(str(s.get("submission_id") or "")),
            html.escape(", ".join(f"{t}: {n:,}" for t, n in s.get("rows", {}).items())),
        )
        for s in summaries
    )
    base = reports_url or os.environ.get("GWH_REPORTS_URL")
    link = f'<p>Reports: <a href="{html.escape(base)}">{html.escape(base)}</a></p>' if base else ""
    subject = f"Gender Equality Warehouse: ingest run {visible(run_id, one_line=True)}: {shown}"
    late = "".join(f"<li>{html.escape(line)}</li>" for line in overdue_lines(overdue))
    body = (
        f"<p>{html.escape(shown)}.</p>"
        + (
            f"<table><tr><th>file</th><th>status</th><th>submission</th><th>rows loaded</th></tr>{rows}</table>"
            if summaries
            else ""
        )
        + (f"<p>Became overdue since the previous run (the reporting calendar):</p><ul>{late}</ul>" if late else "")
        + link
    )
    return subject, body
