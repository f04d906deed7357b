"""Build the warehouse with dbt whenever ingest_submissions loads new raw rows, then publish.

dbt_build (one `dbt build`) ─► seeds │ staging │ intermediate │ marts (a task per node: its outcome) ─► publish_reports

- dbt_build runs `dbt build` once, in the worker's process (dbtRunner), exactly as `gwh build` does: seeds,
  staging → intermediate → marts, data tests and unit tests, in dbt's order and its threads. It retries only when
  the database could not be reached; a failed test or a SQL error fails it at once (a failed test is a finding,
  not an accident).
- Each seed and model is a task of its own, in a group per layer (its folder), loaded by Cosmos from the pre-built
  manifest (dbt_project/target/manifest.json): it shows that node's outcome in dbt_build, its tests included.
  They start and end in the triggerer (no worker process for any of them) and all at once, right after dbt_build:
  the whole DAG costs little more than `gwh build` (benchmarks/build_benchmark.py measures both). A node dbt
  skipped after a failure upstream is skipped here, saying which failure.
- No dbt runs while Airflow parses this file. `make install` (or `.venv/bin/gwh build --parse-only`) builds the
  manifest; rebuild it when models change.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from typing import Any

from airflow.sdk import Asset, RetryDecision, RetryPolicy, TaskGroup, TriggerRule, dag, task
from cosmos import ExecutionConfig, ProjectConfig, RenderConfig
from cosmos.constants import DbtResourceType, LoadMode
from cosmos.dbt.graph import DbtGraph, DbtNode

from gender_warehouse.contracts import TABLES
from gender_warehouse.warehouse import dbt_project_dir, manifest_path
from gender_warehouse_airflow.dbt_status import NODE_OUTCOMES_KEY, DbtNodeStatusOperator
from gender_warehouse_airflow.findings import Finding

CONN_ID = "gwh_warehouse"
BUILD_TASK_ID = "dbt_build"
# One asset per submission table (raw.hr_headcount, raw.programme_funding, ...): a load of any of them builds.
RAW_ASSETS = [Asset(t.raw_table) for t in TABLES.values()]

MANIFEST = manifest_path()
if not MANIFEST.is_file():
    raise FileNotFoundError(
        f"the dbt manifest {MANIFEST} is missing; build_warehouse is rendered from it. "
        "Run `make install` (or `.venv/bin/gwh build --parse-only`) to build it."
    )


def warehouse_url(conn_id: str = CONN_ID) -> str:
    """The warehouse's URL, from the Airflow connection (read when a task runs, never at parse time)."""
    from airflow.sdk import Connection

    from gender_warehouse.db import url_from_connection

    return url_from_connection(Connection.get(conn_id))


class RetryOnlyWhenTransient(RetryPolicy):
    """dbt_build retries when the database was unreachable, and fails at once otherwise: a failed test is a
    finding about the data, and a SQL error does not go away."""

    def evaluate(self, exception: BaseException, try_number: int, max_tries: int, context: Any = None) -> RetryDecision:
        from gender_warehouse.warehouse import is_transient_failure

        if is_transient_failure(str(exception)):
            return RetryDecision.default()
        return RetryDecision.fail(reason="dbt failed on the data or the SQL, not on the connection: no retry")


def dbt_nodes() -> list[DbtNode]:
    """The seeds and models dbt_build builds, from the pre-built manifest (no dbt runs)."""
    project = ProjectConfig(dbt_project_path=dbt_project_dir(), manifest_path=MANIFEST, install_dbt_deps=False)
    # Cosmos wraps the manifest in an ObjectStoragePath, whose open() loads every Airflow plugin (Cosmos's own
    # imports FastAPI): 0.6 s of each parse. It is a local file: a plain Path reads the same bytes.
    project.manifest_path = MANIFEST
    graph = DbtGraph(
        project=project,
        render_config=RenderConfig(load_method=LoadMode.DBT_MANIFEST),
        execution_config=ExecutionConfig(dbt_project_path=dbt_project_dir()),
    )
    graph.load(method=LoadMode.DBT_MANIFEST)
    built = (DbtResourceType.SEED, DbtResourceType.MODEL)
    return sorted((n for n in graph.filtered_nodes.values() if n.resource_type in built), key=lambda n: n.unique_id)


def layer(node: DbtNode) -> str:
    """The group a node's task is in: `seeds`, or the folder under models/ (staging, intermediate, marts)."""
    parts = node.original_file_path.parts
    return parts[1] if parts[0] == "models" and len(parts) > 2 else parts[0]


@dag(
    dag_id="build_warehouse",
    description="dbt build on every raw load, each seed and model its own task (Cosmos); then dbt docs and Data Docs",
    schedule=functools.reduce(operator.or_, RAW_ASSETS),
    start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    tags=["gender_warehouse", "dbt"],
    default_args={"retries": 2, "retry_delay": dt.timedelta(minutes=1)},
    doc_md=__doc__,
)
def build_warehouse() -> None:
    @task(task_id=BUILD_TASK_ID, retries=2, retry_policy=RetryOnlyWhenTransient(), multiple_outputs=False)
    def dbt_build(**context: Any) -> dict[str, int]:
        """`dbt build`: every seed, model, data test and unit test; each seed's and model's outcome to XCom."""
        from gender_warehouse import warehouse
        from gender_warehouse.errors import visible

        try:
            run = warehouse.build(warehouse_url(), target_path=warehouse.build_target())
        except warehouse.BuildError as exc:
            if exc.run is None or warehouse.is_transient_failure(str(exc)):
                raise  # dbt could not run, or lost the database: retried when that is the connection
            context["ti"].xcom_push(key=NODE_OUTCOMES_KEY, value=warehouse.node_outcomes(exc.run.results))
            for failure in exc.run.failures:
                print(f"{failure['status']}: {failure['unique_id']}: {visible(str(failure['message']), one_line=True)}")
            raise Finding(f"dbt build: {len(exc.run.failures)} node(s) failed, listed above") from None
        context["ti"].xcom_push(key=NODE_OUTCOMES_KEY, value=warehouse.node_outcomes(run.results))
        print(f"built the warehouse: {run.counts()}")
        return run.counts()

    build = dbt_build()
    layers: dict[str, TaskGroup] = {}
    nodes = []
    for node in dbt_nodes():
        if layer(node) not in layers:
            layers[layer(node)] = TaskGroup(group_id=layer(node), tooltip=f"dbt {layer(node)}: each node's outcome")
        nodes.append(
            DbtNodeStatusOperator(
                task_id=node.name,
                task_group=layers[layer(node)],
                unique_id=node.unique_id,
                build_task_id=BUILD_TASK_ID,
                # Even when dbt_build failed: that is when each node's outcome matters.
                trigger_rule=TriggerRule.ALL_DONE,
                doc_md=f"`{node.unique_id}` ({node.original_file_path}): its outcome in dbt_build.",
            )
        )

    @task(retries=2, multiple_outputs=False)
    def publish_reports() -> dict:
        """dbt docs and any missing GX Data Docs pages into reports/."""
        from gender_warehouse.warehouse import publish_reports as publish

        published = publish(warehouse_url())
        print(published)
        return published

    build >> nodes >> publish_reports()


build_warehouse()
