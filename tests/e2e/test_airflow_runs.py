"""End to end through Airflow: files land, `airflow dags test` runs both DAGs on a real PostgreSQL, the marts hold
the published figures. Airflow's metadata is SQLite in a temporary AIRFLOW_HOME."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from gender_warehouse import db, warehouse
from tests.conftest import ROOT, SAMPLES, query

pytestmark = [pytest.mark.integration, pytest.mark.slow]
AIRFLOW = str(Path(sys.executable).parent / "airflow")
FILES = [
    "hr/hr_headcount_IAEA.csv",
    "hr/hr_headcount_UNODC.csv",
    "hr/hr_events_UNOPS_2023.csv",
    "hr/hr_submission_UNICEF_2024.xlsx",
    "programmes/malawi_peacebuilding_UN-WOMEN.xml",
    "rejected/hr_headcount_bad_sex_code.csv",
]


def airflow_env(tmp_path: Path, database_url: str, landing: Path) -> dict[str, str]:
    """`airflow dags test` of the project's DAGs: metadata in SQLite under tmp_path, the warehouse at database_url."""
    (tmp_path / "airflow").mkdir()
    uri = db.uri(database_url)
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")},
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{tmp_path}/airflow/airflow.db",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "AIRFLOW__COSMOS__CACHE_DIR": str(tmp_path / "cosmos"),
        "AIRFLOW__OPENLINEAGE__NAMESPACE": "gender_warehouse",
        "AIRFLOW_CONN_GWH_WAREHOUSE": uri,
        "GWH_DATABASE_URL": uri,
        "GWH_LANDING_DIR": str(landing),
    }


def airflow(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AIRFLOW, *args], env=env, capture_output=True, text=True, timeout=600, check=False)


def test_both_dags_take_landed_files_to_the_marts(project: Path, database_url: str, tmp_path: Path) -> None:
    warehouse.parse()  # the manifest build_warehouse renders from, in this test's project folder
    landing = tmp_path / "landing"
    landing.mkdir()
    for name in FILES:
        shutil.copy(SAMPLES / name, landing)
    env = airflow_env(tmp_path, database_url, landing)
    migrated = airflow(["db", "migrate"], env)
    assert migrated.returncode == 0, migrated.stderr[-2000:]

    ingest = airflow(["dags", "test", "ingest_submissions"], env)
    log = ingest.stdout + ingest.stderr
    # A rejected file fails its own task; the run, and the other files, go on.
    assert ingest.returncode == 0, log[-3000:]
    assert "sex must be F, M, X (other) or U (unknown)" in log
    # Its reasons, then one line that ends the task: no traceback of Airflow's internals after them.
    assert "hr_headcount_bad_sex_code.csv rejected: " in log and "Traceback" not in log
    statuses = dict(query(database_url, "select file_name, status from audit.submissions"))
    assert statuses == {
        "hr_headcount_IAEA.csv": "loaded",
        "hr_headcount_UNODC.csv": "loaded",
        "hr_events_UNOPS_2023.csv": "loaded",
        "hr_submission_UNICEF_2024.xlsx": "loaded",
        "malawi_peacebuilding_UN-WOMEN.xml": "loaded",
        "hr_headcount_bad_sex_code.csv": "rejected",
    }
    assert (project / "reports" / "data_docs" / "index.html").exists()
    # One event per raw table loaded, after the whole run: what schedules build_warehouse.
    with sqlite3.connect(tmp_path / "airflow" / "airflow.db") as metadata:
        events = metadata.execute(
            "select a.name, count(*) from asset_event e join asset a on a.id = e.asset_id group by a.name"
        ).fetchall()
    assert sorted(events) == [
        ("raw.hr_events", 1),
        ("raw.hr_headcount", 1),
        ("raw.programme_beneficiaries", 1),
        ("raw.programme_funding", 1),
        ("raw.programme_register", 1),
    ]

    build = airflow(["dags", "test", "build_warehouse"], env)
    assert build.returncode == 0, (build.stdout + build.stderr)[-3000:]
    [(women, men, at_parity)] = query(
        database_url,
        "select women, men, is_at_parity from marts.mart_parity_by_entity_level"
        " where entity_code = 'IAEA' and snapshot_date = '2024-12-31' and population_code = 'PROFESSIONAL_AND_HIGHER'",
    )
    assert (women, men, at_parity) == (720, 810, True)
    [(share,)] = query(
        database_url,
        "select women_share from marts.mart_hiring_parity where entity_code = 'UNOPS' and event_year = 2023"
        " and event_type = 'APPOINTMENT' and population_code = 'ALL_STAFF'",
    )
    assert round(float(share), 3) == 0.539
    [(girls,)] = query(
        database_url,
        "select actual_women_girls from marts.mart_beneficiary_reach where indicator_code = 'GIRLS_BACK_IN_SCHOOL'",
    )
    assert girls == 28
    assert (project / "reports" / "dbt_docs" / "static_index.html").exists()

    # A finding: a test on staged headcounts fails. dbt_build fails at once (no retry: it is not the connection),
    # the model's task fails with the test's message, what dbt skipped after it is skipped, the rest succeeds, and
    # nothing is published.
    tests = project / "dbt_project" / "tests"
    tests.unlink()  # the project's own tests, copied, plus one that fails
    shutil.copytree(ROOT / "dbt_project" / "tests", tests)
    (tests / "assert_no_headcount_is_staged.sql").write_text(
        "select entity_code from {{ ref('stg_warehouse__hr_headcount') }}\n", encoding="utf-8"
    )
    warehouse.parse()
    failed = airflow(["dags", "test", "build_warehouse"], env)
    with sqlite3.connect(tmp_path / "airflow" / "airflow.db") as metadata:
        states = dict(
            metadata.execute(
                "select task_id, state from task_instance where run_id ="
                " (select run_id from dag_run where dag_id = 'build_warehouse' order by id desc limit 1)"
            ).fetchall()
        )
    log = failed.stdout + failed.stderr
    assert states["dbt_build"] == "failed", states
    assert states["staging.stg_warehouse__hr_headcount"] == "failed"
    assert "test assert_no_headcount_is_staged fail" in log
    assert states["intermediate.int_hr_headcount_classified"] == "skipped"
    assert states["marts.mart_parity_by_entity_level"] == "skipped"
    assert states["seeds.ref_grades"] == states["marts.dim_programme"] == "success"
    assert states["publish_reports"] in ("upstream_failed", "skipped")

    # Nothing new in the landing folder: the next run finds nothing and changes nothing.
    again = airflow(["dags", "test", "ingest_submissions"], env)
    assert again.returncode == 0
    assert query(database_url, "select count(*) from audit.submissions") == [(6,)]
