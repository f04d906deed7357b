"""The Docker stack (docker-compose.yml, docker/Dockerfile), checked without Docker.

Every long-running service has a healthcheck and starts after what it needs; every file the stack names is in
the repository and in the build context; the worker can be scaled; and no secret is written in the files.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "docker" / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
ENV_EXAMPLE = REPO / "docker" / ".env.example"

SERVICES = {
    "postgres",
    "redis",
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
    "reports",
}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}

# ${NAME}, ${NAME:-default}, ${NAME:?message}; `$${...}` is an escaped dollar for the container's shell.
INTERPOLATION = re.compile(r"(?<!\$)\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?])?(?P<arg>[^}]*)\}")
ONLY_INTERPOLATION = re.compile(rf"^(?:{INTERPOLATION.pattern})+$")
URL_CREDENTIALS = re.compile(r"://[^/:@\s]+:(?P<password>[^@\s]*)@")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET|_KEY$|TOKEN", re.IGNORECASE)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def depends_on(service: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """depends_on in its long form (the short form, a list, means service_started)."""
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: {"condition": "service_started"} for name in deps}
    return deps


def one_shot_jobs(services: dict[str, dict[str, Any]]) -> set[str]:
    """Services others wait to see finish (airflow-init): they exit, so they have no healthcheck."""
    return {
        target
        for service in services.values()
        for target, dep in depends_on(service).items()
        if dep.get("condition") == "service_completed_successfully"
    }


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def strings_in(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for key, value in node.items() for s in strings_in(key) + strings_in(value)]
    if isinstance(node, list):
        return [s for item in node for s in strings_in(item)]
    return []


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in joined.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def copy_sources() -> list[str]:
    """The paths of the build context that COPY and ADD instructions take (not those from other stages)."""
    sources = []
    for instruction, arguments in dockerfile_instructions():
        if instruction not in ("COPY", "ADD"):
            continue
        words = json.loads(arguments) if arguments.startswith("[") else shlex.split(arguments)
        flags = [w for w in words if w.startswith("--")]
        if any(flag.startswith("--from") for flag in flags):
            continue
        sources += [w for w in words if not w.startswith("--")][:-1]
    return sources


def dockerignored(path: str) -> bool:
    """Whether .dockerignore keeps `path` out of the build context: the last matching rule wins, and a rule on a
    folder covers what is inside it. Enough of Docker's matching for the rules in this repository."""
    rules = [line.strip() for line in DOCKERIGNORE.read_text().splitlines()]
    rules = [rule for rule in rules if rule and not rule.startswith("#")]
    parts = path.strip("/").split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for rule in rules:
        pattern = rule.removeprefix("!").strip("/")
        alternatives = [pattern, pattern.removeprefix("**/")]
        if any(fnmatch(prefix, alt) for prefix in prefixes for alt in alternatives):
            excluded = not rule.startswith("!")
    return excluded


def test_the_stack_has_its_services(services):
    assert set(services) == SERVICES


def test_every_long_running_service_has_a_healthcheck(services):
    one_shot = one_shot_jobs(services)
    assert one_shot == {"airflow-init"}
    for name, service in services.items():
        if name in one_shot:
            assert service.get("restart") == "no", f"{name} runs once: it must not be restarted"
            continue
        test = (service.get("healthcheck") or {}).get("test")
        assert test, f"{name} has no healthcheck"
        assert test[0] in ("CMD", "CMD-SHELL"), f"{name}: healthcheck test must start with CMD or CMD-SHELL"


def test_depends_on_names_existing_services_with_valid_conditions(services):
    one_shot = one_shot_jobs(services)
    for name, service in services.items():
        for target, dep in depends_on(service).items():
            assert target in services, f"{name} depends on {target}, which is not a service"
            condition = dep.get("condition")
            assert condition in CONDITIONS, f"{name} -> {target}: unknown condition {condition!r}"
            if condition == "service_healthy":
                assert "healthcheck" in services[target], f"{name} waits for {target} to be healthy: it has no check"
            if target in one_shot:
                assert condition == "service_completed_successfully", f"{name} must wait for {target} to finish"


def test_every_airflow_component_starts_after_airflow_init(services):
    components = [name for name, s in services.items() if s.get("command", [None])[0] == "airflow"]
    assert len(components) == 5, components
    for name in components:
        deps = depends_on(services[name])
        assert deps.get("airflow-init", {}).get("condition") == "service_completed_successfully", name
        assert deps.get("postgres", {}).get("condition") == "service_healthy", name
        assert deps.get("redis", {}).get("condition") == "service_healthy", name


def test_files_the_compose_file_names_exist(services):
    for name, service in services.items():
        build = service.get("build")
        if build:
            context = REPO / (build if isinstance(build, str) else build.get("context", "."))
            assert context.is_dir(), f"{name}: build context {context} is missing"
            dockerfile = context / (build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile")
            assert dockerfile.is_file(), f"{name}: {dockerfile} is missing"
        env_files = service.get("env_file") or []
        for env_file in [env_files] if isinstance(env_files, str) else env_files:
            path = env_file if isinstance(env_file, str) else env_file["path"]
            assert (REPO / path).is_file(), f"{name}: env_file {path} is missing"
        for volume in service.get("volumes") or []:
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume.get("source", "")
            if source.startswith((".", "/")):
                assert (REPO / source).exists(), f"{name}: bind-mounted {source} is missing"


def test_postgres_creates_the_warehouse_database(services):
    init_mounts = [v for v in services["postgres"]["volumes"] if ":/docker-entrypoint-initdb.d" in v]
    assert len(init_mounts) == 1
    scripts = sorted((REPO / init_mounts[0].split(":", 1)[0]).glob("*.sql"))
    assert any("CREATE DATABASE warehouse" in script.read_text() for script in scripts)


def test_every_path_the_dockerfile_copies_exists_and_enters_the_build_context():
    sources = copy_sources()
    assert "constraints.txt" in sources
    for source in sources:
        assert (REPO / source).exists(), f"docker/Dockerfile copies {source}, which is not in the repository"
        assert not dockerignored(source), f"docker/Dockerfile copies {source}, which .dockerignore leaves out"


def test_the_image_installs_every_package_of_the_project():
    """Each package pyproject.toml installs from include/ (the logic and its Airflow side) is copied in before
    `pip install`: one left out would install nothing of it, and the DAGs would not import."""
    import tomllib

    find = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    root = REPO / find["where"][0]
    packages = {
        f"{find['where'][0]}/{p.name}"
        for p in root.iterdir()
        if (p / "__init__.py").exists() and any(fnmatch(p.name, pattern) for pattern in find["include"])
    }
    assert {"include/gender_warehouse", "include/gender_warehouse_airflow"} <= packages
    assert packages <= set(copy_sources())


def test_secrets_and_local_state_stay_out_of_the_build_context():
    for path in (".env", ".venv", ".gwh", ".git", "reports", "dbt_project/target", "include/sample_submissions"):
        assert dockerignored(path), f"{path} would be sent into the image build"


def test_the_image_runs_as_a_non_root_user():
    users = [arguments for instruction, arguments in dockerfile_instructions() if instruction == "USER"]
    assert users, "docker/Dockerfile never leaves root"
    assert users[-1].split(":")[0] not in ("root", "0")


def test_the_worker_can_be_scaled(services):
    worker = services["airflow-worker"]
    assert "container_name" not in worker
    assert not worker.get("ports"), "a fixed host port lets only one worker start"


def test_no_literal_password_in_the_compose_file(compose, services):
    for text in strings_in(compose):
        for match in URL_CREDENTIALS.finditer(text):
            assert ONLY_INTERPOLATION.match(match["password"]), f"a URL holds a literal password: {text}"
    for name, service in services.items():
        for key, value in environment(service).items():
            if SECRET_NAME.search(key) and "_FILE" not in key and "_USER" not in key:
                assert ONLY_INTERPOLATION.match(value), f"{name}: {key} must come from .env, not the file"


def test_every_variable_the_compose_file_reads_is_documented():
    used = {m["name"]: m["op"] for m in INTERPOLATION.finditer(COMPOSE_FILE.read_text())}
    example = ENV_EXAMPLE.read_text()
    documented = set(re.findall(r"^#?\s*([A-Z_][A-Z0-9_]*)=", example, re.MULTILINE))
    assert set(used) <= documented, f"not in docker/.env.example: {sorted(set(used) - documented)}"
    required = {name for name, op in used.items() if op == ":?"}
    assert {"POSTGRES_PASSWORD", "AIRFLOW_ADMIN_PASSWORD"} <= required
    for name in required:
        assert re.search(rf"^{name}=$", example, re.MULTILINE), f"{name} must be listed, empty, in .env.example"
    readme = (REPO / "docker" / "README.md").read_text()
    assert all(name in readme for name in required)


def test_airflow_is_configured_through_the_environment(compose, services):
    env = compose["x-airflow-common"]["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:")
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].endswith("@postgres:5432/airflow")
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql")
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"].endswith("@postgres:5432/airflow")
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"
    assert env["AIRFLOW__COSMOS__ENABLE_TELEMETRY"] == "False"
    assert env["AIRFLOW__COSMOS__CACHE_DIR"]
    # The DAGs' connection and the package's URL are the same warehouse, not Airflow's own database.
    assert env["AIRFLOW_CONN_GWH_WAREHOUSE"] == env["GWH_DATABASE_URL"]
    assert env["GWH_DATABASE_URL"].endswith("@postgres:5432/warehouse")
    assert env["GWH_LANDING_DIR"] == "/opt/gwh/landing"
    assert env["GWH_DATA_DIR"] == "/opt/gwh/data"
    for name, service in services.items():
        if name.startswith("airflow-"):
            assert environment(service)["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name


def test_the_volumes_are_mounted_where_the_package_looks(compose, services):
    declared = set(compose["volumes"])
    for name, service in services.items():
        for volume in service.get("volumes") or []:
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{name} mounts {source}, which is not declared under volumes:"
    worker_mounts = {v.split(":")[1]: v.split(":")[0] for v in services["airflow-worker"]["volumes"]}
    assert worker_mounts["/opt/gwh/landing"] == "landing"
    assert worker_mounts["/opt/gwh/reports"] == "reports"
    assert worker_mounts["/opt/gwh/data"] == "gwh-data"
    assert "reports:/opt/gwh/reports:ro" in services["reports"]["volumes"]


def test_the_shell_scripts_parse():
    for script in sorted((REPO / "docker").glob("*.sh")):
        result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert result.returncode == 0, f"{script.name}: {result.stderr}"


def test_generate_env_writes_every_required_secret_once(tmp_path):
    target = tmp_path / ".env"
    command = [sys.executable, str(REPO / "docker" / "generate_env.py"), "--output", str(target)]
    assert subprocess.run(command, capture_output=True).returncode == 0
    values = dict(line.split("=", 1) for line in target.read_text().splitlines() if not line.startswith("#"))
    required = {m["name"] for m in INTERPOLATION.finditer(COMPOSE_FILE.read_text()) if m["op"] == ":?"}
    assert set(values) == required
    assert all(re.fullmatch(r"[A-Za-z0-9_=-]{16,}", value) for value in values.values()), "URL-safe values"
    assert target.stat().st_mode & 0o077 == 0, ".env must be readable by its owner only"
    # The lengths Airflow recommends for the keys that sign its tokens.
    assert len(values["AIRFLOW_JWT_SECRET"]) >= 64 and len(values["AIRFLOW_API_SECRET_KEY"]) >= 64
    again = subprocess.run(command, capture_output=True)
    assert again.returncode == 1, "an existing .env (the running stack's passwords) must not be overwritten"


def test_the_native_stack_and_docker_compose_share_their_settings(compose: dict[str, Any]) -> None:
    """`make stack` (gender_warehouse.stack) and docker-compose.yml run the same deployment: the settings the
    stack shares are in docker-compose's common environment with the same values, and the same secrets are set."""
    from gender_warehouse import stack

    common = compose["x-airflow-common"]["environment"]
    for name, value in stack.SHARED_SETTINGS.items():
        assert name in common, f"{name} is set by `make stack` but not in docker-compose.yml"
        assert str(common[name]).lower() == value.lower(), name
    names = set(stack.environment(stack_for_test(), stack.generated_secrets()))
    for name in common:
        if name.startswith("AIRFLOW__") and name not in ("AIRFLOW__CELERY__WORKER_CONCURRENCY",):
            celery_only = name.startswith("AIRFLOW__CELERY__")
            assert celery_only or name in names, f"{name} is set in docker-compose.yml but not by `make stack`"


def test_the_native_stack_makes_secrets_of_the_recommended_length_that_only_its_user_reads(tmp_path: Path) -> None:
    from gender_warehouse import stack

    values = stack.generated_secrets()
    assert len(values["jwt_secret"].encode()) >= 64 and len(values["api_secret_key"].encode()) >= 64
    assert len(base64_bytes(values["fernet_key"])) == 32
    target = stack_for_test(tmp_path)
    assert stack.stack_secrets(target) == stack.stack_secrets(target)  # made once, then kept
    assert target.secrets_file.stat().st_mode & 0o777 == 0o600


def base64_bytes(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text)


def stack_for_test(home: Path | None = None) -> Any:
    from gender_warehouse import stack

    return stack.Stack(
        home=home or Path("/nonexistent/stack"),
        host="127.0.0.1",
        port=8080,
        worker_log_port=8793,
        trigger_log_port=8794,
        redis_url="redis://127.0.0.1:6379/0",
        warehouse_url="postgresql://gwh@127.0.0.1:5432/warehouse",
        metadata_database="gwh_airflow",
    )


@pytest.mark.parametrize(
    ("warehouse", "metadata"),
    [
        (
            "postgresql://gwh:p%40ss@db.example:5433/warehouse",
            "postgresql+psycopg2://gwh:p%40ss@db.example:5433/gwh_airflow",
        ),
        # The embedded server listens on a socket folder: SQLAlchemy takes it as the query's host, not as a host.
        ("postgresql://postgres@%2Ftmp%2Fpg/gwh", "postgresql+psycopg2://postgres@/gwh_airflow?host=%2Ftmp%2Fpg"),
        (
            "user=postgres dbname=gwh host=/tmp/pg port=5444",
            "postgresql+psycopg2://postgres@/gwh_airflow?host=%2Ftmp%2Fpg&port=5444",
        ),
    ],
)
def test_airflow_s_metadata_is_a_database_of_its_own_on_the_warehouse_s_server(warehouse: str, metadata: str) -> None:
    from dataclasses import replace

    from gender_warehouse import stack

    assert stack.metadata_url(replace(stack_for_test(), warehouse_url=warehouse)) == metadata


def test_gwh_stack_env_prints_what_another_worker_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from gender_warehouse.cli import main

    monkeypatch.setenv("GWH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GWH_REDIS_URL", "redis://10.0.0.5:6379/0")
    monkeypatch.setenv("GWH_DATABASE_URL", "postgresql://gwh@db.example:5432/warehouse")
    assert main(["stack", "env"]) == 0
    lines = capsys.readouterr().out.splitlines()
    values = dict(shlex.split(line.removeprefix("export "))[0].split("=", 1) for line in lines)
    assert values["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert values["AIRFLOW__CELERY__BROKER_URL"] == "redis://10.0.0.5:6379/0"
    assert values["AIRFLOW_CONN_GWH_WAREHOUSE"] == "postgresql://gwh@db.example:5432/warehouse"
    assert len(values["AIRFLOW__API_AUTH__JWT_SECRET"]) >= 64
    assert (tmp_path / "stack" / "secrets.json").stat().st_mode & 0o077 == 0
