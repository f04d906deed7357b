"""Build the warehouse with dbt (through Cosmos) whenever ingest_submissions loads new raw rows, then publish.

dbt (DbtTaskGroup: seeds, staging → intermediate → marts; one `dbt build` per node) ─► publish_reports

- Rendered from the pre-built manifest (dbt_project/target/manifest.json): no dbt runs while Airflow parses this
  file. `make install` (or `.venv/bin/gwh build --parse-only`) builds it; rebuild it when models change.
- dbt runs in the worker's process (dbtRunner) against the Airflow connection `gwh_warehouse`.
- Each seed or model is one task running `dbt build` on it: the node, then its data tests and dbt unit tests, in
  one dbt start-up. Such a task retries only when the database could not be reached; a failed test or a SQL
  error fails it at once (a failed test is a finding, not an accident). A test with several parents (e.g.
  relationships) runs in its own task, with no retries, once all its parents are built.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import os
from typing import Any

from airflow.sdk import Asset, RetryDecision, RetryPolicy, dag, task
from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import InvocationMode, LoadMode, TestBehavior
from cosmos.operators.base import DbtTestMixin
from cosmos.profiles import PostgresUserPasswordProfileMapping

from gender_warehouse.contracts import TABLES
from gender_warehouse.warehouse import dbt_project_dir, manifest_path

CONN_ID = "gwh_warehouse"
# One asset per submission table (raw.hr_headcount, raw.programme_funding, ...): a load of any of them builds.
RAW_ASSETS = [Asset(t.raw_table) for t in TABLES.values()]

MANIFEST = manifest_path()
if not MANIFEST.is_file():
    raise FileNotFoundError(
        f"the dbt manifest {MANIFEST} is missing; build_warehouse is rendered from it. "
        "Run `make install` (or `.venv/bin/gwh build --parse-only`) to build it."
    )


class WarehouseProfileMapping(PostgresUserPasswordProfileMapping):
    """Cosmos's Postgres mapping, also for a server that needs no password, a socket host, or a URL with no port.

    The stock mapping requires a password (trust, peer or ~/.pgpass authentication have none), reads the host
    only from the connection's host (a URL like postgresql://u@/db?host=/run/pg puts it in extra), and loses
    its default port when the URL has none. A socket directory as host (postgresql://u@%2Frun%2Fpg/db) works
    as it is. The password, when there is one, still reaches dbt only through an environment variable.
    """

    # Class attributes of the base class, overridden (not mutated): RUF012 does not apply.
    required_fields = ["host", "user", "dbname"]  # noqa: RUF012
    airflow_param_mapping = {  # noqa: RUF012
        **PostgresUserPasswordProfileMapping.airflow_param_mapping,
        "host": ["host", "extra.host"],
    }

    @property
    def profile(self) -> dict[str, Any]:
        # The base class's default port is overwritten by the connection's port even when that is None
        # (a URL without a port), and dbt then refuses the profile: "'port' is a required property".
        profile = {**super().profile, "port": self.get_dbt_value("port") or 5432}
        # dbt works as the least-privilege role `transformer` (`gwh db roles`) when the deployment says so;
        # read when the task runs, never at parse time.
        role = os.environ.get("GWH_DBT_ROLE")
        return {**profile, "role": role} if role else profile

    @property
    def env_vars(self) -> dict[str, str]:
        return {self.get_env_var_name("password"): str(self.get_dbt_value("password") or "")}


def warehouse_url(conn_id: str = CONN_ID) -> str:
    """The warehouse's URL, from the Airflow connection (read when a task runs, never at parse time)."""
    from airflow.sdk import Connection

    from gender_warehouse.db import url_from_connection

    return url_from_connection(Connection.get(conn_id))


class RetryOnlyWhenTransient(RetryPolicy):
    """A seed or model task (`dbt build`: the node and its tests) retries when the database was unreachable, and
    fails at once otherwise: a failed test is a finding about the data, and a SQL error does not go away."""

    def evaluate(self, exception: BaseException, try_number: int, max_tries: int, context: Any = None) -> RetryDecision:
        from gender_warehouse.warehouse import is_transient_failure

        if is_transient_failure(str(exception)):
            return RetryDecision.default()
        return RetryDecision.fail(reason="dbt failed on the data or the SQL, not on the connection: no retry")


def no_retries_on_tests(group: Any) -> None:
    """Test tasks (tests with several parents run on their own) fail at once: a failed test is a finding."""
    for task_ in group.iter_tasks():
        if isinstance(task_, DbtTestMixin):
            task_.retries = 0


@dag(
    dag_id="build_warehouse",
    description="dbt seeds, models and tests (Cosmos) on every raw load; then dbt docs and Data Docs",
    schedule=functools.reduce(operator.or_, RAW_ASSETS),
    start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    tags=["gender_warehouse", "dbt"],
    default_args={"retries": 2, "retry_delay": dt.timedelta(minutes=1)},
    doc_md=__doc__,
)
def build_warehouse() -> None:
    # No dbt packages today; if packages.yml comes, `make install` should run `dbt deps`: tasks need no network.
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
            # One `dbt build` per seed or model: the node and its tests in one dbt start-up (half the tasks of
            # AFTER_EACH), and dbt unit tests run with the model they test.
            test_behavior=TestBehavior.BUILD,
            should_detach_multiple_parents_tests=True,
            # Cosmos would turn each model into an Asset postgres://<host>:<port>/<db>.<schema>.<table>; with a
            # socket-directory host Airflow refuses that URI ("must contain a host") and fails the task after
            # dbt succeeded. Nothing is scheduled on the marts yet: no events.
            emit_datasets=False,
            # Exposures (the BI tools, documented) and the on-run-end hook (which writes each dbt run into the
            # audit trail, in every task) are no nodes to build: none is a task.
            exclude=["resource_type:exposure", "resource_type:operation"],
        ),
        execution_config=ExecutionConfig(invocation_mode=InvocationMode.DBT_RUNNER),
        operator_args={
            "retries": 2,
            "retry_delay": dt.timedelta(minutes=1),
            "retry_policy": RetryOnlyWhenTransient(),
        },
    )
    no_retries_on_tests(dbt)

    @task(retries=2, multiple_outputs=False)
    def publish_reports() -> dict:
        """dbt docs and any missing GX Data Docs pages into reports/."""
        from gender_warehouse.warehouse import publish_reports as publish

        published = publish(warehouse_url())
        print(published)
        return published

    dbt >> publish_reports()


build_warehouse()
