"""The real Airflow services on this machine (`gwh stack start`, what `make stack` runs): api-server, scheduler,
dag-processor and triggerer with the LocalExecutor, Airflow's metadata in PostgreSQL beside the warehouse.

Files dropped in the landing folder are taken by the scheduled ingest, build_warehouse starts from the asset
events it emits and fills the marts, a correction supersedes, a resent identical file is recorded as unchanged;
the UI shows both DAGs to the logged-in admin (screenshots under reports/screenshots/); `gwh stack stop` leaves no
process behind."""

from __future__ import annotations

import json
import re
import shutil
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from gender_warehouse import warehouse
from tests.conftest import ROOT, SAMPLES, query
from tests.helpers import free_port, gwh_process, logged_in_screenshot

pytestmark = [pytest.mark.integration, pytest.mark.slow]
FILES = ["hr/hr_headcount_IAEA.csv", "hr/hr_headcount_WIPO.csv", "rejected/hr_headcount_bad_sex_code.csv"]
CORRECTION = "corrections/hr_headcount_WIPO_2024_revised.csv"


def wait_for(what: str, check, timeout: float, logs: Path) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            tails = {p.name: p.read_text(errors="replace")[-1500:] for p in sorted(logs.glob("*.log"))}
            pytest.fail(f"{what}: not within {timeout:.0f} s; the services' logs end:\n{tails}")
        time.sleep(2)


def processes_of(home: Path) -> list[int]:
    """Processes whose environment names this stack's AIRFLOW_HOME: every service and each of its children."""
    marker = f"AIRFLOW_HOME={home / 'airflow'}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:  # gone, or not ours to read
            continue
    return found


# Warning or error lines a healthy run still logs, each with why it stays.
EXPECTED_WARNINGS = (
    # Airflow's own api-server starts uvicorn so; nothing a deployment sets changes it.
    "ASGI app factory detected",
    # Airflow's default auth manager says so on any non-SQLite deployment; a team that needs more uses FAB or SSO.
    "SimpleAuthManager is active but the deployment shape looks like production",
    # A task's first call to the execution API, retried while the api-server is busy: Airflow logs the retry.
    "Starting call to 'airflow.sdk.api.client.Client.request'",
    # Airflow 3.3 asks the DAG processor for a success callback for every task a trigger ends (build_warehouse's
    # seed and model tasks, none of which has a callback), and the processor, which runs failure callbacks only,
    # says so once a task. The alternative, resuming each in a worker, costs a process per node.
    "Task callback requested but is not a failure callback",
    # The rejected file's task ends failed, as designed, its readable reasons above: one line, no traceback.
    "Task exited",
    "hr_headcount_bad_sex_code.csv rejected",
)


def warning_lines(home: Path) -> list[str]:
    """The warning, error and critical lines of every service's log and every task's log of the stack."""
    level = re.compile(r"\[(warning|error|critical) *\]|\"level\": ?\"(warning|error|critical)\"", re.IGNORECASE)
    logs = [*sorted((home / "logs").glob("*.log")), *sorted((home / "airflow" / "logs").rglob("*.log"))]
    return [line[:300] for log in logs for line in log.read_text(errors="replace").splitlines() if level.search(line)]


@pytest.fixture
def stack_env(project: Path, database_url: str, admin_url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    (project / "dags").symlink_to(ROOT / "dags")
    warehouse.parse()  # the manifest build_warehouse renders from, in this test's project folder
    metadata = f"gwh_airflow_{uuid.uuid4().hex[:8]}"
    env = {
        "GWH_PROJECT_DIR": str(project),
        "GWH_DATA_DIR": str(tmp_path / "data"),
        "GWH_LANDING_DIR": str(tmp_path / "landing"),
        "GWH_AIRFLOW_PORT": str(free_port()),
        "GWH_AIRFLOW_WORKER_LOG_PORT": str(free_port()),
        "GWH_AIRFLOW_TRIGGER_LOG_PORT": str(free_port()),
        "GWH_AIRFLOW_DATABASE": metadata,
        "GWH_INGEST_EVERY_MINUTES": "1",
    }
    try:
        yield env
    finally:
        gwh_process(database_url, "stack", "stop", timeout=120, env=env)
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(metadata)))


def test_the_scheduler_takes_landed_files_to_the_marts_and_stop_leaves_nothing(
    stack_env: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    started = gwh_process(database_url, "stack", "start", timeout=400, env=stack_env)
    assert started.returncode == 0, started.stdout + started.stderr
    port = stack_env["GWH_AIRFLOW_PORT"]
    assert f"http://127.0.0.1:{port}" in started.stdout
    home = tmp_path / "data" / "stack"
    password_file = home / "airflow" / "simple_auth_manager_passwords.json"
    assert str(password_file) in started.stdout.replace("\n", "")
    assert password_file.stat().st_mode & 0o077 == 0 and (home / "secrets.json").stat().st_mode & 0o077 == 0
    status = gwh_process(database_url, "stack", "status", timeout=60, env=stack_env)
    assert status.returncode == 0 and "not running" not in status.stdout, status.stdout

    landing = Path(stack_env["GWH_LANDING_DIR"])
    for name in FILES:
        shutil.copy(SAMPLES / name, landing)

    def statuses() -> dict[str, str]:
        return dict(query(database_url, "select file_name, status from audit.submissions"))

    def settled() -> bool:
        found = statuses()
        return len(found) == len(FILES) and "received" not in found.values()

    wait_for("the scheduled ingest took the files", settled, 300, home / "logs")
    assert statuses() == {
        "hr_headcount_IAEA.csv": "loaded",
        "hr_headcount_WIPO.csv": "loaded",
        "hr_headcount_bad_sex_code.csv": "rejected",
    }

    def entities_in_marts() -> set[str]:
        try:
            return {e for (e,) in query(database_url, "select distinct entity_code from marts.fct_workforce_headcount")}
        except psycopg.errors.UndefinedTable:
            return set()

    wait_for("build_warehouse filled the marts", lambda: entities_in_marts() == {"IAEA", "WIPO"}, 900, home / "logs")

    # Every seed's and model's task of the build started and ended in the triggerer: its log is the trigger's,
    # and no worker ever ran it (a worker writes attempt=N.log).
    runs = home / "airflow" / "logs" / "dag_id=build_warehouse"

    def node_task_logs() -> dict[str, list[str]]:
        layers = ("task_id=seeds.", "task_id=staging.", "task_id=intermediate.", "task_id=marts.")
        return {
            d.name: sorted(f.name for f in d.rglob("*.log"))
            for d in runs.glob("run_id=*/task_id=*")
            if d.name.startswith(layers)
        }

    wait_for(
        "every node task's trigger logged its outcome",
        lambda: len(node_task_logs()) >= 40 and all(node_task_logs().values()),
        120,
        home / "logs",
    )
    for task, logs in node_task_logs().items():
        assert logs and all(".log.trigger." in name for name in logs), (task, logs)

    # The UI, logged in as the admin (the token the login form gets, in the cookie the UI reads): both DAGs.
    password = json.loads(password_file.read_text())["admin"]
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/auth/token",
        data=json.dumps({"username": "admin", "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        token = json.load(answer)["access_token"]
    for dag_id in ("ingest_submissions", "build_warehouse"):
        shot = ROOT / "reports" / "screenshots" / f"airflow_{dag_id}.png"
        text = logged_in_screenshot(f"http://127.0.0.1:{port}/dags/{dag_id}", ("_token", token), shot, dag_id)
        assert dag_id in text and "Sign in" not in text, text[:500]
        assert shot.stat().st_size > 10_000

    shutil.copy(SAMPLES / CORRECTION, landing)
    wait_for(
        "the next scheduled ingest took the correction",
        lambda: statuses().get("hr_headcount_WIPO_2024_revised.csv") == "loaded",
        300,
        home / "logs",
    )
    # The original's 2024 rows are superseded by the correction; its other years stay current.
    superseded = query(
        database_url,
        "select extract(year from r.snapshot_date)::int, count(*) from raw.hr_headcount as r"
        " join audit.submissions as s using (submission_id) join audit.submissions as w"
        " on w.submission_id = r.superseded_by where s.file_name = 'hr_headcount_WIPO.csv'"
        " and w.file_name = 'hr_headcount_WIPO_2024_revised.csv' group by 1",
    )
    assert superseded == [(2024, 115)]

    # The same bytes sent again: taken by the next run and recorded as an arrival that changed nothing.
    shutil.copy(SAMPLES / FILES[0], landing)
    resent = "select outcome from audit.file_receipts where file_name = 'hr_headcount_IAEA.csv' order by receipt_id"
    wait_for(
        "the next scheduled ingest recorded the resent file",
        lambda: query(database_url, resent) == [("taken",), ("unchanged",)],
        300,
        home / "logs",
    )
    assert statuses()["hr_headcount_IAEA.csv"] == "loaded"

    assert processes_of(home), "the services run with this stack's AIRFLOW_HOME"
    stopped = gwh_process(database_url, "stack", "stop", timeout=120, env=stack_env)
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert processes_of(home) == []
    assert "not running" in gwh_process(database_url, "stack", "status", timeout=60, env=stack_env).stdout

    # Quiet logs: every warning or error line of the services' and the tasks' logs is one the project cannot
    # prevent, or the rejection it reports; a new one fails here.
    noise = [line for line in warning_lines(home) if not any(known in line for known in EXPECTED_WARNINGS)]
    assert not noise, "\n".join(noise[:20])
