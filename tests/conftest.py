"""Shared fixtures: a real PostgreSQL (the local server, or the embedded one) and an isolated project folder.

Every test run creates its own databases and drops them at the end. Reports and the archive go to a temporary
project folder, so tests never write into the checkout.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from gender_warehouse import db, roles

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "include" / "sample_submissions"
REAL_DATA = ROOT.parent / "shared" / "real-data"


def local_server_url() -> str | None:
    url = os.environ.get("GWH_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        with psycopg.connect(url, connect_timeout=3):
            return url
    except psycopg.OperationalError:
        return None


@pytest.fixture(scope="session")
def admin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A superuser URL: the server at 127.0.0.1:5432 when it answers, else an embedded one for this run."""
    url = local_server_url()
    if url:
        yield url
        return
    import pgserver

    pgdata = tmp_path_factory.mktemp("pgdata")
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    yield server.get_uri("postgres")
    server.cleanup()


@pytest.fixture(scope="session")
def template_db(admin_url: str) -> Iterator[str]:
    """A database with the warehouse schemas, copied for each test (copying is faster than creating)."""
    name = f"gwh_test_template_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    db.ensure_schema(with_database(admin_url, name))
    # Every test works under the least-privilege roles, as a deployment does (ingestion as loader, dbt as
    # transformer, figures as bi_reader): a missing grant fails the tests.
    roles.create_roles(with_database(admin_url, name))
    yield name
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


def with_database(url: str, name: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = name
    return psycopg.conninfo.make_conninfo(**info)


@contextmanager
def fresh_database(admin_url: str, template: str) -> Iterator[str]:
    """A warehouse database copied from the template, dropped afterwards."""
    name = f"gwh_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'create database "{name}" template "{template}"')
    url = with_database(admin_url, name)
    # A copy keeps the template's schemas and grants but not the database's own privileges (who may connect or
    # make temporary tables): the roles' grants are made again.
    roles.create_roles(url)
    try:
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def database_url(admin_url: str, template_db: str) -> Iterator[str]:
    """A fresh warehouse database for one test."""
    with fresh_database(admin_url, template_db) as url:
        yield url


def make_project(root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throw-away project folder: the real contracts, seeds and dbt project; its own reports/, .gwh/ and dbt
    target/."""
    (root / "dbt_project").mkdir()
    for entry in (ROOT / "dbt_project").iterdir():
        if entry.name not in ("target", "logs", "dbt_packages"):
            (root / "dbt_project" / entry.name).symlink_to(entry)
    (root / "include").mkdir()
    (root / "include" / "sample_submissions").symlink_to(SAMPLES)
    shutil.copytree(ROOT / "expectations", root / "expectations", ignore=shutil.ignore_patterns("uncommitted"))
    monkeypatch.setenv("GWH_PROJECT_DIR", str(root))
    for variable in ("GWH_DATA_DIR", "GWH_ARCHIVE_DIR", "GWH_LANDING_DIR"):
        monkeypatch.delenv(variable, raising=False)
    return root


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return make_project(tmp_path, monkeypatch)


def query(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()
