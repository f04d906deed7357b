"""Who is told: a rejected file's focal points and the coordination office, by mail through Airflow's SMTP
notifier, read here from a local SMTP server (aiosmtpd) during a real `airflow dags test ingest_submissions`."""

from __future__ import annotations

import email
import email.policy
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from gender_warehouse import warehouse
from tests.conftest import SAMPLES, query
from tests.e2e.test_airflow_runs import airflow, airflow_env
from tests.helpers import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]


class Inbox:
    """An SMTP handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd calls it by this name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for rcpt, m in self.messages if address in rcpt]


def html_of(message: email.message.EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    port = free_port()
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def test_a_rejected_file_tells_its_focal_point_and_the_run_tells_the_coordination_office(
    project: Path, database_url: str, tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    mail, port = inbox
    landing = tmp_path / "landing"
    landing.mkdir()
    shutil.copy(SAMPLES / "hr" / "hr_headcount_IAEA.csv", landing)
    # A file of WIPO's with a sex code the contract does not know, and a name that tries HTML.
    shutil.copy(SAMPLES / "rejected" / "hr_headcount_bad_sex_code.csv", landing / "hr_headcount_WIPO_<b>2024.csv")
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "role,entity_code,email\n"
        "focal_point,WIPO,hr-data@wipo.example\n"
        "focal_point,IAEA,hr@iaea.example\n"
        "coordination,,gender-data@coordination.example\n"
    )
    env = {
        **airflow_env(tmp_path, database_url, landing),
        "GWH_CONTACTS_FILE": str(contacts),
        "GWH_REPORTS_URL": "https://reports.example/gwh/",
        "GWH_MAIL_FROM": "warehouse@coordination.example",
        "AIRFLOW_CONN_SMTP_DEFAULT": json.dumps(
            {
                "conn_type": "smtp",
                "host": "127.0.0.1",
                "port": port,
                "extra": {"disable_ssl": True, "disable_tls": True},
            }
        ),
    }
    assert airflow(["db", "migrate"], env).returncode == 0
    # The reporting status (a view over the calendar and what came): built once, read by every run from then on.
    built = warehouse.run_dbt(
        ["build", "--select", "+mart_reporting_status", "--indirect-selection", "cautious"], database_url
    )
    assert built.success, built.failures
    run = airflow(["dags", "test", "ingest_submissions"], env)
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]

    [(rejected_id,)] = query(database_url, "select submission_id from audit.submissions where status = 'rejected'")
    [told] = mail.to("hr-data@wipo.example")
    assert told["From"] == "warehouse@coordination.example"
    assert "hr_headcount_WIPO_<b>2024.csv rejected" in told["Subject"]
    body = html_of(told)
    assert "hr_headcount_WIPO_&lt;b&gt;2024.csv" in body and "<b>2024" not in body
    assert "sex must be F, M, X (other) or U (unknown)" in body
    assert f"https://reports.example/gwh/submissions/submission-{rejected_id}.html" in body
    assert mail.to("hr@iaea.example") == []  # IAEA's file was accepted: nothing to tell

    [summary] = mail.to("gender-data@coordination.example")
    assert "1 accepted, 1 rejected" in summary["Subject"]
    assert "hr_headcount_IAEA.csv" in html_of(summary) and "&lt;b&gt;" in html_of(summary)
    # No earlier run: every submission the calendar expected and nobody sent is overdue, named in the mail (the
    # most overdue first, the first 50) and in the task's log. The rejected file's rows are UNEP's 2024 snapshot:
    # rejected, not resubmitted.
    [(overdue,)] = query(
        database_url,
        "select count(*) from marts.mart_reporting_status where days_overdue > 0"
        " and reporting_status in ('missing', 'rejected, not resubmitted', 'received, not yet loaded')",
    )
    assert f"{overdue} submission(s) became overdue" in summary["Subject"]
    assert "hr_headcount as of 2017-12-31 from DESA (Department of Economic and Social Affairs)" in html_of(summary)
    assert f"and {overdue - 50} more (gwh status --due)" in html_of(summary)
    assert "overdue: hr_headcount as of 2017-12-31 from DESA" in run.stdout + run.stderr
    assert query(
        database_url,
        "select reporting_status from marts.mart_reporting_status where reporter_code = 'UNEP'"
        " and submission_kind = 'hr_headcount' and as_of_date = '2024-12-31'",
    ) == [("rejected, not resubmitted",)]
    assert len(mail.messages) == 2
