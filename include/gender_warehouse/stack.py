"""The Airflow services on this machine, outside Docker, for a team: `gwh stack start | stop | status`.

The api-server (bound to 127.0.0.1 unless GWH_AIRFLOW_HOST says otherwise), the scheduler, the dag-processor and
the triggerer run as processes of their own, each in its own process group, with their ids and logs under
<data dir>/stack/. With GWH_REDIS_URL set they use the CeleryExecutor and a Celery worker joins them (more workers
on other machines take the same settings: `gwh stack env`); otherwise the LocalExecutor. Airflow's metadata is a
database of its own (GWH_AIRFLOW_DATABASE, default gwh_airflow) on the warehouse's PostgreSQL server: the embedded
one unless GWH_DATABASE_URL names another. Its secrets are generated once, at the lengths Airflow recommends, in a
file only the user can read; so is the admin's password.

Nothing here imports Airflow: the services are `airflow` commands, started with the environment made here.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from gender_warehouse import db, roles, settings
from gender_warehouse.landing import landing_dir

ADMIN = "admin"
# Airflow settings that every deployment of the project shares: docker-compose.yml holds the same values (a test
# compares them), and scripts/airflow_env.sh for `airflow dags test`.
SHARED_SETTINGS = {
    "AIRFLOW__CORE__LOAD_EXAMPLES": "false",
    # The project's DAGs are the only ones, and ingesting the same bytes twice changes nothing: run them.
    "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "false",
    # Cosmos: no call to an outside host.
    "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
    # Cosmos reads it at import and warns when it is missing.
    "AIRFLOW__OPENLINEAGE__NAMESPACE": "gender_warehouse",
}
HEALTH_PATH = "/api/v2/monitor/health"


class StackError(RuntimeError):
    """The stack cannot start or stop; the message says why and what to do."""


@dataclass(frozen=True)
class Stack:
    """Where the stack keeps its state and how it is reached, from the GWH_* settings."""

    home: Path
    host: str
    port: int
    worker_log_port: int
    trigger_log_port: int
    redis_url: str | None
    warehouse_url: str
    metadata_database: str

    @classmethod
    def from_environment(cls, warehouse_url: str | None = None) -> Stack:
        return cls(
            home=settings.data_dir() / "stack",
            host=os.environ.get("GWH_AIRFLOW_HOST", "127.0.0.1"),
            port=int(os.environ.get("GWH_AIRFLOW_PORT", "8080")),
            worker_log_port=int(os.environ.get("GWH_AIRFLOW_WORKER_LOG_PORT", "8793")),
            trigger_log_port=int(os.environ.get("GWH_AIRFLOW_TRIGGER_LOG_PORT", "8794")),
            redis_url=os.environ.get("GWH_REDIS_URL") or None,
            warehouse_url=db.database_url(warehouse_url),
            metadata_database=os.environ.get("GWH_AIRFLOW_DATABASE", "gwh_airflow"),
        )

    @property
    def airflow_home(self) -> Path:
        return self.home / "airflow"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def secrets_file(self) -> Path:
        return self.home / "secrets.json"

    @property
    def passwords_file(self) -> Path:
        return self.airflow_home / "simple_auth_manager_passwords.json"

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"

    @property
    def services(self) -> dict[str, list[str]]:
        """Each service's `airflow` command."""
        found = {
            "api-server": ["api-server", "--host", self.host, "--port", str(self.port)],
            "scheduler": ["scheduler"],
            "dag-processor": ["dag-processor"],
            "triggerer": ["triggerer"],
        }
        if self.redis_url:
            found["celery-worker"] = ["celery", "worker"]
        return found


def generated_secrets() -> dict[str, str]:
    """Fresh keys at the lengths Airflow recommends: a Fernet key (32 bytes), a JWT secret of 64 bytes and more."""
    return {
        "fernet_key": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "jwt_secret": secrets.token_urlsafe(64),
        "api_secret_key": secrets.token_urlsafe(64),
        "admin_password": secrets.token_urlsafe(16),
    }


def write_private(path: Path, text: str) -> None:
    """A file only its owner can read or write, whatever the umask (created so, never widened after)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)


def stack_secrets(stack: Stack) -> dict[str, str]:
    """The stack's secrets, generated on its first start and kept (the metadata database is encrypted with them)."""
    if stack.secrets_file.exists():
        return json.loads(stack.secrets_file.read_text())
    values = generated_secrets()
    write_private(stack.secrets_file, json.dumps(values, indent=2) + "\n")
    return values


def metadata_url(stack: Stack) -> str:
    """SQLAlchemy's URL of Airflow's metadata database, on the warehouse's server with the warehouse's user (a
    socket folder, as the embedded server has, goes in the query: SQLAlchemy takes no path as a host)."""
    from sqlalchemy.engine import URL

    parts = psycopg.conninfo.conninfo_to_dict(stack.warehouse_url)
    host = parts.get("host") or None
    socket_dir = host if host and host.startswith("/") else None
    return URL.create(
        "postgresql+psycopg2",
        username=parts.get("user"),
        password=parts.get("password"),
        host=None if socket_dir else host,
        port=int(parts["port"]) if parts.get("port") and not socket_dir else None,
        database=stack.metadata_database,
        query={"host": socket_dir, **({"port": str(parts["port"])} if parts.get("port") else {})} if socket_dir else {},
    ).render_as_string(hide_password=False)


def ensure_metadata_database(stack: Stack) -> None:
    with psycopg.connect(stack.warehouse_url, autocommit=True) as conn:
        found = conn.execute("select 1 from pg_database where datname = %s", (stack.metadata_database,)).fetchone()
        if not found:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(stack.metadata_database)))


def environment(stack: Stack, values: dict[str, str]) -> dict[str, str]:
    """Every process's environment: the project's settings, the stack's addresses and secrets."""
    project = settings.project_dir()
    executor = "CeleryExecutor" if stack.redis_url else "LocalExecutor"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")},
        **SHARED_SETTINGS,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "AIRFLOW_HOME": str(stack.airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(project / "dags"),
        "AIRFLOW__CORE__EXECUTOR": executor,
        "AIRFLOW__CORE__PARALLELISM": os.environ.get("GWH_AIRFLOW_PARALLELISM", "4"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url(stack),
        "AIRFLOW__CORE__FERNET_KEY": values["fernet_key"],
        "AIRFLOW__API_AUTH__JWT_SECRET": values["jwt_secret"],
        "AIRFLOW__API__SECRET_KEY": values["api_secret_key"],
        "AIRFLOW__API__BASE_URL": stack.url,
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{stack.url}/execution/",
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(stack.worker_log_port),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(stack.trigger_log_port),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(stack.passwords_file),
        "AIRFLOW__COSMOS__CACHE_DIR": str(stack.home / "cosmos"),
        # Every task's OpenLineage events, appended to a file unless the deployment names a backend (Marquez).
        "AIRFLOW__OPENLINEAGE__TRANSPORT": os.environ.get("AIRFLOW__OPENLINEAGE__TRANSPORT")
        or json.dumps({"type": "file", "log_file_path": str(stack.logs / "lineage.jsonl"), "append": True}),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DO_NOT_TRACK": "1",
        "AIRFLOW_CONN_GWH_WAREHOUSE": db.uri(stack.warehouse_url),
        "GWH_DATABASE_URL": stack.warehouse_url,
        "GWH_PROJECT_DIR": str(project),
        "GWH_DATA_DIR": str(settings.data_dir()),
        "GWH_LANDING_DIR": str(landing_dir()),
    }
    if stack.redis_url:
        env["AIRFLOW__CELERY__BROKER_URL"] = stack.redis_url
        env["AIRFLOW__CELERY__RESULT_BACKEND"] = "db+" + metadata_url(stack)
        # A task a worker took but did not finish goes back to the queue after this long (Redis's default is 1 h).
        env["AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT"] = "21600"
    return env


def pid_file(stack: Stack, service: str) -> Path:
    return stack.home / f"{service}.pid"


def running(stack: Stack) -> dict[str, int]:
    """The services whose process (group) is alive, with its id."""
    alive = {}
    for service in stack.services:
        path = pid_file(stack, service)
        if not path.exists():
            continue
        pid = int(path.read_text().strip() or 0)
        if pid and group_alive(pid):
            alive[service] = pid
    return alive


def answers(url: str, timeout: float = 10.0) -> bool:
    """Whether the api-server answers its health check (on 2 busy cores, the first answers take seconds)."""
    try:
        with urllib.request.urlopen(url + HEALTH_PATH, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def port_taken(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host if host not in ("0.0.0.0", "::") else "127.0.0.1", port))
        except OSError:
            return True
    return False


def start(stack: Stack, *, wait_seconds: float = 180.0) -> dict[str, int]:
    """Start whatever of the stack is not running and return once the UI answers: each service's process id."""
    if stack.redis_url:
        try:
            import airflow.providers.celery  # noqa: F401  (only to say clearly what is missing)
        except ImportError:
            raise StackError(
                "GWH_REDIS_URL is set but the Celery provider is not installed: run `make install` "
                "(the project's `celery` extra), or unset GWH_REDIS_URL for the LocalExecutor"
            ) from None
    alive = running(stack)
    if not alive:
        for port in (stack.port, stack.worker_log_port, stack.trigger_log_port):
            if port_taken(stack.host, port):
                raise StackError(
                    f"port {port} is taken by another program: set GWH_AIRFLOW_PORT, GWH_AIRFLOW_WORKER_LOG_PORT or "
                    "GWH_AIRFLOW_TRIGGER_LOG_PORT to free ones"
                )
    stack.home.mkdir(parents=True, exist_ok=True)
    stack.logs.mkdir(parents=True, exist_ok=True)
    os.chmod(stack.home, 0o700)  # its rendered dbt profiles and logs may hold the warehouse's password
    values = stack_secrets(stack)
    env = environment(stack, values)
    if not stack.passwords_file.exists():
        write_private(stack.passwords_file, json.dumps({ADMIN: values["admin_password"]}) + "\n")
    landing_dir().mkdir(parents=True, exist_ok=True)
    ensure_metadata_database(stack)
    db.ensure_schema(stack.warehouse_url)
    roles.create_roles(stack.warehouse_url)  # the DAGs load as loader, and dbt works as transformer
    if not alive:
        migrate = subprocess.run(
            ["airflow", "db", "migrate"], env=env, capture_output=True, text=True, timeout=600, check=False
        )
        (stack.logs / "db-migrate.log").write_text(migrate.stdout + migrate.stderr)
        if migrate.returncode != 0:
            raise StackError(f"`airflow db migrate` failed: see {stack.logs / 'db-migrate.log'}")
    for service, args in stack.services.items():
        if service in alive:
            continue
        with (stack.logs / f"{service}.log").open("ab") as log:
            process = subprocess.Popen(
                ["airflow", *args],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: stop() ends it with every child
                cwd=stack.home,
            )
        pid_file(stack, service).write_text(f"{process.pid}\n")
        alive[service] = process.pid
    deadline = time.monotonic() + wait_seconds
    while not answers(stack.url):
        gone = [s for s in stack.services if s not in running(stack)]
        if gone:
            raise StackError(f"{', '.join(gone)} stopped while starting: see {stack.logs}/")
        if time.monotonic() > deadline:
            raise StackError(f"the UI at {stack.url} did not answer within {wait_seconds:.0f} s: see {stack.logs}/")
        time.sleep(1)
    return alive


def stop(stack: Stack, *, wait_seconds: float = 90.0) -> list[str]:
    """Stop every service this stack started, each with whatever is left of its process group (the workers it
    ran). Returns the services stopped.

    One at a time, the api-server last: the tasks that run talk to it. Each service is asked first (SIGTERM to the
    service alone), and the scheduler then lets its running tasks finish, which is the clean end; what is still
    there after `wait_seconds` is ended by its group."""
    alive = running(stack)
    for service in sorted(alive, key=lambda s: s == "api-server"):
        pid = alive[service]
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + wait_seconds
        while leader_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, sig)
            deadline = time.monotonic() + 5.0
            while group_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            if not group_alive(pid):
                break
        pid_file(stack, service).unlink(missing_ok=True)
    return sorted(alive)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def leader_alive(pid: int) -> bool:
    """Whether the process runs (a zombie, ended but not yet reaped by the `gwh stack start` that made it, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def shared_environment(stack: Stack) -> dict[str, str]:
    """What another machine's Celery worker needs to join this stack (secrets included: keep it private)."""
    env = environment(stack, stack_secrets(stack))
    return {k: v for k, v in env.items() if k.startswith(("AIRFLOW", "GWH_", "DBT_", "DO_NOT_TRACK"))}


def status(stack: Stack) -> dict[str, int | None]:
    """Each service's process id, or None where it does not run."""
    alive = running(stack)
    return {service: alive.get(service) for service in stack.services}
