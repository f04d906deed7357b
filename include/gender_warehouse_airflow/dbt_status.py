"""One task per dbt seed or model, showing its outcome in the build task's single `dbt build`.

The build runs as one dbt invocation (as fast as `gwh build`); these tasks make each node's status visible in
Airflow's grid and graph. They start in the triggerer (`start_from_trigger`), which reads the build task's XCom
and ends them as succeeded, failed or skipped: no worker process is started for any of them. Where a worker does
run one (`airflow dags test`), `execute` reads the same XCom.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException
from airflow.sdk.execution_time.xcom import XCom
from airflow.triggers.base import (
    BaseTrigger,
    StartTriggerArgs,
    TaskFailedEvent,
    TaskSkippedEvent,
    TaskSuccessEvent,
    TriggerEvent,
)
from asgiref.sync import sync_to_async

# Imported here, not in run(): the triggerer's event loop would wait on the first import.
from gender_warehouse.warehouse import node_outcome

# The XCom key under which the build task leaves every node's outcome (gender_warehouse.warehouse.node_outcomes).
NODE_OUTCOMES_KEY = "node_outcomes"


class DbtNodeOutcomeTrigger(BaseTrigger):
    """Ends a node's task with the outcome the build task recorded for it."""

    def __init__(self, unique_id: str, build_task_id: str) -> None:
        super().__init__()
        self.unique_id = unique_id
        self.build_task_id = build_task_id

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {"unique_id": self.unique_id, "build_task_id": self.build_task_id},
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        ti = self.task_instance
        # Each trigger in its own thread (asgiref's default is one shared thread): the requests of a build's node
        # tasks go out together, not one after another.
        outcomes = await sync_to_async(XCom.get_one, thread_sensitive=False)(
            key=NODE_OUTCOMES_KEY, dag_id=ti.dag_id, task_id=self.build_task_id, run_id=ti.run_id, map_index=-1
        )
        status, message = node_outcome(outcomes, self.unique_id)
        self.log.info("%s: %s (%s)", self.unique_id, status, message)
        event = {"success": TaskSuccessEvent, "skipped": TaskSkippedEvent}.get(status, TaskFailedEvent)
        yield event()


class DbtNodeStatusOperator(BaseOperator):
    """A dbt seed's or model's outcome in the build task's `dbt build` (its tests' results included)."""

    start_from_trigger = True
    ui_color = "#e6f0ff"

    def __init__(self, *, unique_id: str, build_task_id: str, **kwargs: Any) -> None:
        # A node's outcome is a finding about the data or the SQL: reading it again changes nothing.
        super().__init__(retries=0, **kwargs)
        self.unique_id = unique_id
        self.build_task_id = build_task_id
        self.start_trigger_args = StartTriggerArgs(
            trigger_cls=f"{DbtNodeOutcomeTrigger.__module__}.{DbtNodeOutcomeTrigger.__qualname__}",
            trigger_kwargs={"unique_id": unique_id, "build_task_id": build_task_id},
            next_method="execute",
        )

    def execute(self, context: Any, event: Any = None) -> None:
        outcomes = context["ti"].xcom_pull(task_ids=self.build_task_id, key=NODE_OUTCOMES_KEY)
        status, message = node_outcome(outcomes, self.unique_id)
        self.log.info("%s: %s (%s)", self.unique_id, status, message)
        if status == "skipped":
            raise AirflowSkipException(message)
        if status != "success":
            raise AirflowFailException(message)
