"""The dbt project: parse it into a manifest, build it (seeds, models, tests), publish its docs.

dbt runs in this process through dbtRunner. The connection comes from the database URL, handed to the profile
(dbt_project/profiles.yml) through GWH_DBT_* environment variables, so no secret is ever written to a file.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gender_warehouse import settings

log = logging.getLogger(__name__)


# What a failure says when the database could not be reached, rather than something wrong in the data or SQL.
TRANSIENT_FAILURE = re.compile(
    r"could not connect|connection (refused|reset|timed out)|server closed the connection|terminating connection"
    r"|could not translate host name|timeout expired|too many clients|the database system is (starting|shutting)"
    r"|SSL SYSCALL error|could not receive data",
    re.IGNORECASE,
)


def is_transient_failure(message: str) -> bool:
    """Whether a failed dbt run is worth retrying (the connection failed, not a test or the SQL)."""
    return bool(TRANSIENT_FAILURE.search(message))


# dbt colours its unit test diffs for a terminal; messages are printed as plain text (escapes would show).
ANSI_COLOURS = re.compile(r"\x1b\[[0-9;]*m")


class BuildError(RuntimeError):
    """dbt could not build the warehouse; the message lists what failed, and `run` holds every node's result."""

    def __init__(self, message: str, run: DbtRun | None = None) -> None:
        super().__init__(message)
        self.run = run


def dbt_project_dir() -> Path:
    return settings.project_dir() / "dbt_project"


def manifest_path() -> Path:
    return dbt_project_dir() / "target" / "manifest.json"


def dbt_env(url: str, role: str = "") -> dict[str, str]:
    """The profile's variables for a database URL (the host may be a socket directory) and the role dbt takes."""
    import psycopg  # here, not at the top: the build_warehouse DAG imports this module at parse time

    info = psycopg.conninfo.conninfo_to_dict(url)
    return {
        "GWH_DBT_HOST": str(info.get("host") or "localhost"),
        "GWH_DBT_PORT": str(info.get("port") or "5432"),
        "GWH_DBT_USER": str(info.get("user") or os.environ.get("PGUSER") or "postgres"),
        "GWH_DBT_PASSWORD": str(info.get("password") or os.environ.get("PGPASSWORD") or ""),
        "GWH_DBT_DBNAME": str(info.get("dbname") or "postgres"),
        "GWH_DBT_ROLE": role,
    }


def transformer_role(url: str) -> str:
    """`transformer` when `gwh db roles` has created it and this login may take it: dbt then works as it."""
    from gender_warehouse import db, roles

    with db.connect(url, autocommit=True) as conn:
        return roles.TRANSFORMER if roles.may_take(conn, roles.TRANSFORMER) else ""


@contextmanager
def profile_environment(url: str | None) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in dbt_env("")}
    if url:
        os.environ.update(dbt_env(url, transformer_role(url)))
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@dataclass
class DbtRun:
    success: bool
    results: list[dict[str, Any]] = field(default_factory=list)
    invocation_id: str | None = None

    @property
    def failures(self) -> list[dict[str, Any]]:
        return [r for r in self.results if r["status"] in ("error", "fail", "runtime error")]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.results:
            out[r["status"]] = out.get(r["status"], 0) + 1
        return out


TEST_TYPES = ("test", "unit_test")


def tested_nodes(node: Any) -> list[str]:
    """The nodes a data or unit test is about: the one it is attached to, else every node it reads."""
    attached = getattr(node, "attached_node", None)
    return [attached] if attached else list(node.depends_on.nodes)


def node_outcomes(results: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Each seed's and model's outcome in a `dbt build`, its tests' results folded in (as `dbt build` does when
    it decides what to skip): `success`, `failed` (its SQL, or a test on it, failed), or `skipped` (dbt skipped it
    after a failure upstream), with a message that says why. A node with no result is not in the mapping."""
    outcomes: dict[str, dict[str, Any]] = {}
    for r in results:
        if r["resource_type"] in ("model", "seed", "snapshot"):
            status = {"success": "success", "skipped": "skipped"}.get(r["status"], "failed")
            notes = [] if status == "success" else [f"{r['status']}: {r['message']}"]
            outcomes[r["unique_id"]] = {"status": status, "notes": notes, "tests": 0, "failed_tests": 0}
    for r in results:
        if r["resource_type"] not in TEST_TYPES:
            continue
        name = r["unique_id"].split(".")[-1]
        for node in r["tested"]:
            outcome = outcomes.get(node)
            if outcome is None:
                continue
            outcome["tests"] += 1
            if r["status"] in ("fail", "error"):
                outcome["failed_tests"] += 1
                if outcome["status"] == "success":
                    outcome["status"] = "failed"
                outcome["notes"].append(f"test {name} {r['status']}: {r['message']}")
            elif r["status"] == "warn":
                outcome["notes"].append(f"test {name} warns: {r['message']}")
    return {
        node: {
            "status": o["status"],
            "message": "; ".join(
                [f"{o['tests'] - o['failed_tests']} of {o['tests']} test(s) passed", *o["notes"]]
                if o["tests"]
                else o["notes"] or ["no tests"]
            ),
        }
        for node, o in outcomes.items()
    }


def node_outcome(outcomes: dict[str, dict[str, str]] | None, unique_id: str) -> tuple[str, str]:
    """What a seed's or model's task says of it, from the build's `node_outcomes`: (success | failed | skipped,
    why)."""
    if outcomes is None:
        return "skipped", "the dbt build left no results: it did not run (see the dbt_build task's log)"
    outcome = outcomes.get(unique_id)
    if outcome is None:
        return "skipped", "dbt did not reach it: the build stopped before (see the dbt_build task's log)"
    return outcome["status"], outcome["message"]


def release_dbt_adapter() -> None:
    """Close the connections dbt keeps after an invocation and free its adapter (dbt itself does so only when the
    next invocation starts). The adapter holds a lock of the `spawn` kind, a named semaphore: an Airflow task's
    process ends without Python's exit handlers, and the semaphores left would each be reported by Python's resource
    tracker as "leaked" in the task's log."""
    import gc

    from dbt.adapters.factory import reset_adapters

    reset_adapters()
    gc.collect()  # the adapter's lock is in reference cycles: freed now, not at some later collection


def run_dbt(args: list[str], url: str | None = None, target_path: Path | None = None) -> DbtRun:
    """Run one dbt command in this process, against the warehouse at `url`."""
    from dbt.cli.main import dbtRunner

    project = dbt_project_dir()
    target = target_path or project / "target"
    logs = settings.data_dir() / "dbt-logs"
    logs.mkdir(parents=True, exist_ok=True)
    command = [
        *args,
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target-path",
        str(target),
        "--log-path",
        str(logs),
        "--quiet",
    ]
    with profile_environment(url):
        try:
            outcome = dbtRunner().invoke(command)
        finally:
            release_dbt_adapter()
    results = []
    if outcome.result is not None and hasattr(outcome.result, "results"):
        for r in outcome.result.results:
            if str(r.node.resource_type) == "operation" and str(r.status) == "success":
                continue  # the on-run-end hook that wrote this run into the audit trail, having done so
            results.append(
                {
                    "unique_id": r.node.unique_id,
                    "resource_type": str(r.node.resource_type),
                    "status": str(r.status),
                    "message": ANSI_COLOURS.sub("", r.message).replace("\r", "")
                    if isinstance(r.message, str)
                    else r.message,
                    "failures": getattr(r, "failures", None),
                    "execution_time": r.execution_time,
                    # A test's model (or seed): the one it is written on, or every node it reads.
                    "tested": tested_nodes(r.node) if str(r.node.resource_type) in TEST_TYPES else [],
                }
            )
    invocation = None
    if outcome.result is not None and getattr(outcome.result, "args", None):
        invocation = getattr(outcome.result, "args", {}).get("invocation_id")
    if outcome.exception is not None:
        raise BuildError(f"dbt {' '.join(args)} could not run: {outcome.exception}")
    return DbtRun(success=outcome.success, results=results, invocation_id=invocation)


def parse() -> Path:
    """Write target/manifest.json (no database needed): what Airflow renders its tasks from."""
    run = run_dbt(["parse"])
    if not run.success:
        raise BuildError("dbt parse failed; see .gwh/dbt-logs/dbt.log")
    return manifest_path()


def build(
    url: str, select: list[str] | None = None, full_refresh: bool = False, target_path: Path | None = None
) -> DbtRun:
    """dbt build: seeds, models and their tests (data and unit tests), in dependency order. The incremental models
    rebuild only the slices loaded since their last build (or everything when their inputs changed);
    `full_refresh` rebuilds them from scratch. `target_path` keeps dbt's artifacts apart from the manifest
    Airflow renders from (see `build_target`)."""
    args = ["build"] + (["--select", *select] if select else []) + (["--full-refresh"] if full_refresh else [])
    run = run_dbt(args, url, target_path=target_path)
    if not run.success:
        failed = "; ".join(f"{r['unique_id']}: {r['message']}" for r in run.failures[:10])
        raise BuildError(f"dbt build failed ({len(run.failures)} node(s)): {failed}", run)
    return run


def build_target() -> Path:
    """dbt's target folder for builds run by Airflow: dbt rewrites manifest.json as it builds, and the DAG
    processor must never read it half-written. It starts from the pre-built project's parse (partial parsing),
    so that the first build does not parse the project again."""
    target = settings.data_dir() / "dbt-build-target"
    saved = dbt_project_dir() / "target" / "partial_parse.msgpack"
    if not (target / saved.name).exists() and saved.exists():
        from gender_warehouse import files

        files.write_atomic(target / saved.name, saved.read_bytes())
    return target


def publish_docs(url: str) -> Path:
    """dbt docs (catalog included) as a static site under reports/dbt_docs/."""
    # Its own target folder: docs generate rewrites manifest.json, which Airflow renders its tasks from.
    docs_target = settings.data_dir() / "dbt-docs-target"
    run = run_dbt(["docs", "generate", "--static"], url, target_path=docs_target)
    if not run.success:
        raise BuildError("dbt docs generate failed; see .gwh/dbt-logs/dbt.log")
    from gender_warehouse import files, site

    target = settings.reports_dir() / site.DBT_DOCS
    for name in ("static_index.html", "index.html", "manifest.json", "catalog.json"):
        source = docs_target / name
        if not source.exists():
            continue
        data = source.read_bytes()
        if name.endswith(".html"):  # its policy as a <meta>, so that it holds opened from disk too
            meta = site.policy_meta(site.dbt_docs_policy(data)).encode()
            data = data.replace(b"<head>", b"<head>" + meta, 1)
        files.write_atomic(target / name, data)
    return target / "static_index.html"


def publish_reports(url: str) -> dict[str, str]:
    """dbt docs and any missing Data Docs pages, into reports/. Returns where they are."""
    from gender_warehouse import validation

    docs = publish_docs(url)
    stored = sorted((settings.reports_dir() / "validations").rglob("*.json"))
    missing = [p for p in stored if not validation.data_docs_page(p).exists()]
    data_docs = validation.build_data_docs(missing) or validation.data_docs_folder() / "index.html"
    from gender_warehouse import dashboard, site

    dashboard.publish_dashboard(url)
    index = site.publish_site(url)
    return {"dbt_docs": str(docs), "data_docs": str(data_docs), "reports": str(index)}
