"""The DAG files: they import, follow the project's rules, touch no database while parsed, and parse fast.

Airflow runs in subprocesses only, configured for a temporary AIRFLOW_HOME (never ~/airflow) and a metadata
database that does not exist: so the test process itself never imports Airflow, and parsing provably needs no
database. No scheduler, no dbt run: build_warehouse is rendered from the dbt manifest (`make install` builds it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DAGS = ROOT / "dags"
DAG_FILES = sorted(p for p in DAGS.glob("*.py") if not p.name.startswith("_"))
UNREACHABLE = "postgresql://nobody@192.0.2.1:1/nowhere?connect_timeout=1"  # TEST-NET-1: nothing answers

pytestmark = pytest.mark.slow  # each subprocess imports Airflow: 3-5 s

# Runs in the subprocess: any attempt to reach a database (psycopg, psycopg2, a socket) while parsing fails.
GUARD = """
import socket
import psycopg
import psycopg2

def refuse(*args, **kwargs):
    raise RuntimeError("a DAG file reached for a database or the network while being parsed")

psycopg.connect = refuse
psycopg.Connection.connect = classmethod(refuse)
psycopg2.connect = refuse
socket.socket.connect = refuse
socket.create_connection = refuse
"""

DESCRIBE = """
import json
from airflow.dag_processing.dagbag import DagBag
from cosmos.operators.base import DbtTestMixin

bag = DagBag(dag_folder={dags!r})
dags = {{}}
for dag_id, dag in bag.dags.items():
    dags[dag_id] = {{
        "fileloc": dag.fileloc,
        "tags": sorted(dag.tags),
        "catchup": dag.catchup,
        "max_active_runs": dag.max_active_runs,
        "tasks": {{
            t.task_id: {{
                "retries": t.retries,
                "dbt_test": isinstance(t, DbtTestMixin),
                "retry_policy": type(getattr(t, "retry_policy", None)).__name__,
                "cosmos": type(t).__module__.startswith("cosmos."),
                "trigger_rule": getattr(t.trigger_rule, "value", str(t.trigger_rule)),
            }}
            for t in dag.tasks
        }},
    }}
print("JSON:" + json.dumps({{"import_errors": bag.import_errors, "dags": dags}}))
"""

TIME_ONE = """
import time
from airflow.dag_processing.dagbag import DagBag
started = time.perf_counter()
bag = DagBag(dag_folder={path!r})
print("JSON:" + json.dumps({{"seconds": time.perf_counter() - started, "errors": bag.import_errors}}))
"""


def airflow_env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "GWH_"))}
    env.update(
        AIRFLOW_HOME=str(tmp / "airflow"),
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        # A metadata database that cannot exist: parsing must not need one.
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{tmp}/no/such/folder/airflow.db",
        AIRFLOW__COSMOS__ENABLE_TELEMETRY="False",
        AIRFLOW__COSMOS__CACHE_DIR=str(tmp / "cosmos"),
        AIRFLOW__OPENLINEAGE__NAMESPACE="gender_warehouse",
        AIRFLOW_CONN_GWH_WAREHOUSE=UNREACHABLE,
        GWH_DATABASE_URL=UNREACHABLE,
        GWH_DATA_DIR=str(tmp / "gwh"),
    )
    env.update(extra)
    return env


def run_airflow(code: str, env: dict[str, str], *, guard: bool = True) -> dict:
    script = "import json\n" + (GUARD if guard else "") + textwrap.dedent(code)
    proc = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=180, cwd=env["AIRFLOW_HOME"]
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("JSON:")]
    assert proc.returncode == 0 and lines, f"subprocess failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return json.loads(lines[-1][len("JSON:") :])


@pytest.fixture(scope="module")
def tmp_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("airflow_home")
    (home / "airflow").mkdir()
    return home


@pytest.fixture(scope="module")
def bag(tmp_home: Path) -> dict:
    """The DagBag over dags/, parsed with every database and network connection refused."""
    return run_airflow(DESCRIBE.format(dags=str(DAGS)), airflow_env(tmp_home))


def test_every_dag_file_imports_without_errors_and_without_a_database(bag: dict) -> None:
    assert bag["import_errors"] == {}
    assert set(bag["dags"]) >= {"ingest_submissions", "build_warehouse"}
    assert {Path(d["fileloc"]).name for d in bag["dags"].values()} == {p.name for p in DAG_FILES}


def test_every_dag_has_tags_no_catchup_and_one_run_at_a_time(bag: dict) -> None:
    for dag_id, dag in bag["dags"].items():
        assert dag["tags"], f"{dag_id} has no tags"
        assert dag["catchup"] is False, f"{dag_id} catches up"
        assert dag["max_active_runs"] == 1, f"{dag_id} may run concurrently with itself"


def test_io_tasks_retry_and_dbt_tests_do_not(bag: dict) -> None:
    for dag_id, dag in bag["dags"].items():
        for task_id, task in dag["tasks"].items():
            if task["dbt_test"]:
                assert task["retries"] == 0, f"{dag_id}.{task_id}: a dbt test must fail at once"
            else:
                assert task["retries"] > 0, f"{dag_id}.{task_id}: an I/O task must retry"


def test_ingest_dag_shape(bag: dict) -> None:
    tasks = bag["dags"]["ingest_submissions"]["tasks"]
    assert set(tasks) == {
        "find_new_files",
        "ingest_file",
        "announce_loaded_tables",
        "build_data_docs",
        "tell_coordination",
    }
    for after_every_file in ("build_data_docs", "announce_loaded_tables", "tell_coordination"):
        assert tasks[after_every_file]["trigger_rule"] == "all_done", after_every_file


def test_build_dag_renders_dbt_models_seeds_and_their_tests(bag: dict) -> None:
    from gender_warehouse.warehouse import manifest_path

    tasks = bag["dags"]["build_warehouse"]["tasks"]
    assert "publish_reports" in tasks
    assert any(t["dbt_test"] for t in tasks.values())
    manifest = json.loads(manifest_path().read_text(encoding="utf-8"))
    models = [n["name"] for n in manifest["nodes"].values() if n["resource_type"] in ("model", "seed")]
    for name in models:
        assert {f"dbt.{name}_model_build", f"dbt.{name}_seed_build"} & set(tasks), name
    builds = [t for task_id, t in tasks.items() if task_id.endswith("_build")]
    assert builds and all(t["retry_policy"] == "RetryOnlyWhenTransient" for t in builds)


def test_every_dbt_unit_test_has_a_task_that_runs_it(bag: dict) -> None:
    """Cosmos ignores the manifest's unit_tests: they run inside the `dbt build --select <model>` task of the
    model they test."""
    from gender_warehouse.warehouse import manifest_path

    tasks = bag["dags"]["build_warehouse"]["tasks"]
    manifest = json.loads(manifest_path().read_text(encoding="utf-8"))
    for unit_test in manifest.get("unit_tests", {}).values():
        model = unit_test["model"]
        assert f"dbt.{model}_model_build" in tasks, f"unit test {unit_test['name']}: no build task for {model}"


@pytest.mark.parametrize("path", DAG_FILES, ids=[p.name for p in DAG_FILES])
def test_each_dag_file_parses_in_under_a_second(path: Path, tmp_home: Path) -> None:
    """Measured as the DAG processor sees it: a fresh process with Airflow already imported."""
    env = airflow_env(tmp_home)
    timings = []
    for _ in range(2):  # a busy machine gets a second fresh try; the best of them counts
        result = run_airflow(TIME_ONE.format(path=str(path)), env, guard=False)
        assert result["errors"] == {}
        timings.append(result["seconds"])
        if result["seconds"] < 1.0:
            break
    assert min(timings) < 1.0, f"{path.name} took {min(timings):.2f} s to parse"


def test_build_dag_without_a_manifest_says_how_to_make_one(tmp_home: Path, tmp_path: Path) -> None:
    (tmp_path / "dbt_project").mkdir()
    env = airflow_env(tmp_home, GWH_PROJECT_DIR=str(tmp_path))
    result = run_airflow(DESCRIBE.format(dags=str(DAGS / "build_warehouse.py")), env)
    (error,) = result["import_errors"].values()
    assert "manifest" in error and "make install" in error


def test_profile_and_url_from_a_socket_connection_without_password_or_port(tmp_home: Path) -> None:
    code = f"""
    import runpy
    ns = runpy.run_path({str(DAGS / "build_warehouse.py")!r})
    mapping = ns["WarehouseProfileMapping"](conn_id="gwh_warehouse", profile_args={{"schema": "analytics"}})
    print("JSON:" + json.dumps({{"profile": mapping.profile, "env": mapping.env_vars,
                                "claims": mapping.can_claim_connection(), "url": ns["warehouse_url"]()}}))
    """
    env = airflow_env(tmp_home, AIRFLOW_CONN_GWH_WAREHOUSE="postgresql://loader@%2Frun%2Fpg/gwh?sslmode=disable")
    result = run_airflow(code, env)
    profile = result["profile"]
    assert (profile["host"], profile["port"], profile["user"], profile["dbname"]) == ("/run/pg", 5432, "loader", "gwh")
    assert profile["schema"] == "analytics" and profile["password"].startswith("{{ env_var(")
    assert result["env"] == {"COSMOS_CONN_POSTGRES_PASSWORD": ""}
    assert result["claims"] is True
    assert result["url"] == "postgresql://loader@%2Frun%2Fpg/gwh?sslmode=disable"

    # The embedded server's URL form (host as a query parameter) and a password that needs quoting.
    env["AIRFLOW_CONN_GWH_WAREHOUSE"] = "postgresql://postgres:p%40ss@/gwh?host=/tmp/pg"
    result = run_airflow(code, env)
    assert result["profile"]["host"] == "/tmp/pg"
    assert result["env"] == {"COSMOS_CONN_POSTGRES_PASSWORD": "p@ss"}
    assert result["url"] == "postgresql://postgres:p%40ss@%2Ftmp%2Fpg/gwh"
