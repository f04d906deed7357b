"""Build the warehouse with dbt (through Cosmos) whenever ingest_submissions loads new raw rows, then publish.

dbt (DbtTaskGroup: seeds, staging → intermediate → marts; each model's tests right after it) ─► publish_reports

- Rendered from the pre-built manifest (dbt_project/target/manifest.json): no dbt runs while Airflow parses this
  file. `make install` (or `.venv/bin/gwh build --parse-only`) builds it; rebuild it when models change.
- dbt runs in the worker's process (dbtRunner) against the Airflow connection `gwh_warehouse`.
- Seeds and models retry; test tasks do not (a failed test is a finding, not an accident). dbt unit tests run in
  the test task of the model they test (`dbt test --select <model>`). A test with several parents (e.g.
  relationships) runs in its own task once all its parents are built.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from airflow.sdk import Asset, dag, task
from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import InvocationMode, LoadMode, TestBehavior
from cosmos.operators.base import DbtTestMixin
from cosmos.profiles import PostgresUserPasswordProfileMapping

from gender_warehouse.warehouse import dbt_project_dir, manifest_path

CONN_ID = "gwh_warehouse"
RAW_ASSETS = [Asset("raw.hr_headcount"), Asset("raw.hr_events")]  # and raw.programme_* when they come

MANIFEST = manifest_path()
if not MANIFEST.is_file():
    raise FileNotFoundError(
        f"the dbt manifest {MANIFEST} is missing; build_warehouse is rendered from it. "
        "Run `make install` (or `.venv/bin/gwh build --parse-only`) to build it."
    )


class WarehouseProfileMapping(PostgresUserPasswordProfileMapping):
    """Cosmos's Postgres mapping, also for a server that needs no password and for a socket-directory host.

    The stock mapping requires a password (trust, peer or ~/.pgpass authentication have none) and reads the
    host only from the connection's host, where a URL like postgresql://u@/db?host=/run/pg puts it in extra.
    The password, when there is one, still reaches dbt only through an environment variable.
    """

    required_fields = ["host", "user", "dbname"]
    airflow_param_mapping = {  # noqa: RUF012  (class attribute of the base class)
        **PostgresUserPasswordProfileMapping.airflow_param_mapping,
        "host": ["host", "extra.host"],
    }

    @property
    def env_vars(self) -> dict[str, str]:
        return {self.get_env_var_name("password"): str(self.get_dbt_value("password") or "")}


def warehouse_url(conn_id: str = CONN_ID) -> str:
    """The Airflow connection as a libpq URL. The host may be a socket directory (in the host or as ?host=)."""
    from urllib.parse import quote, urlencode

    import psycopg
    from airflow.sdk import Connection

    conn = Connection.get(conn_id)
    extra = conn.extra_dejson
    keywords = {o.keyword.decode() for o in psycopg.pq.Conninfo.get_defaults()}
    params = {k: str(v) for k, v in extra.items() if k in keywords and k not in ("host", "password") and v != ""}
    host = conn.host or extra.get("host") or ""
    auth = quote(conn.login or "", safe="")
    if conn.password:
        auth += ":" + quote(conn.password, safe="")
    netloc = (auth + "@" if auth else "") + quote(host, safe="") + (f":{conn.port}" if conn.port else "")
    query = "?" + urlencode(params) if params else ""
    return f"postgresql://{netloc}/{quote(conn.schema or '', safe='')}{query}"


def no_retries_on_tests(group: Any) -> None:
    """Test tasks fail at once: a failed dbt test is a finding about the data, and retrying it only delays it."""
    for operator in group.iter_tasks():
        if isinstance(operator, DbtTestMixin):
            operator.retries = 0


@dag(
    dag_id="build_warehouse",
    description="dbt seeds, models and tests (Cosmos) on every raw load; then dbt docs and Data Docs",
    schedule=RAW_ASSETS[0] | RAW_ASSETS[1],
    start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    tags=["gender_warehouse", "dbt"],
    default_args={"retries": 2, "retry_delay": dt.timedelta(minutes=1)},
    doc_md=__doc__,
)
def build_warehouse() -> None:
    project = ProjectConfig(dbt_project_path=dbt_project_dir(), manifest_path=MANIFEST, install_dbt_deps=False)
    # Cosmos wraps the manifest in an ObjectStoragePath, whose open() loads every Airflow plugin (Cosmos's own
    # imports FastAPI): 0.6 s of each parse. It is a local file: a plain Path reads the same bytes.
    project.manifest_path = MANIFEST
    dbt = DbtTaskGroup(
        group_id="dbt",
        project_config=project,
        profile_config=ProfileConfig(
            profile_name="gender_warehouse",
            target_name="default",
            profile_mapping=WarehouseProfileMapping(conn_id=CONN_ID, profile_args={"schema": "analytics"}),
        ),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            test_behavior=TestBehavior.AFTER_EACH,
            should_detach_multiple_parents_tests=True,
        ),
        execution_config=ExecutionConfig(invocation_mode=InvocationMode.DBT_RUNNER),
        operator_args={"retries": 2, "retry_delay": dt.timedelta(minutes=1)},
    )
    no_retries_on_tests(dbt)

    @task(retries=2)
    def publish_reports() -> dict:
        """dbt docs and any missing GX Data Docs pages into reports/."""
        from gender_warehouse.warehouse import publish_reports as publish

        published = publish(warehouse_url())
        print(published)
        return published

    dbt >> publish_reports()


build_warehouse()
