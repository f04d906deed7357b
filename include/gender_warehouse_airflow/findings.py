"""A task that ends on a finding (a rejected file, a failed dbt test) ends failed at once, its readable reasons in
its log and no traceback after them.

Airflow logs every exception a task raises with its traceback (a dozen frames of its own task runner), except
SystemExit, after which it logs one line: "Task exited". A finding is about the data, not a fault of the pipeline:
the task prints it, raises `Finding`, and `NoRetryOnFinding` keeps Airflow from retrying it (the same input
gives the same finding).
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import RetryDecision, RetryPolicy


class Finding(SystemExit):
    """The task found something wrong with its input and has printed what; `code` is the one-line verdict that
    Airflow logs as the task exits."""


class NoRetryOnFinding(RetryPolicy):
    """A finding fails at once; anything else (a database gone, a full disk) retries as usual."""

    def evaluate(self, exception: BaseException, try_number: int, max_tries: int, context: Any = None) -> RetryDecision:
        if isinstance(exception, Finding):
            return RetryDecision.fail(reason="a finding about the input: a retry would find it again")
        return RetryDecision.default()
