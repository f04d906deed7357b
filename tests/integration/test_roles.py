"""Least-privilege roles on a real PostgreSQL: what each role may read and write, and what it is refused."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from psycopg import errors

from gender_warehouse import db, roles, warehouse
from tests.conftest import SAMPLES, fresh_database, make_project, with_database

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def warehouse_url(admin_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database with one file loaded (as loader) and the entity dimension and a staging view built (as
    transformer)."""
    from gender_warehouse import pipeline

    with pytest.MonkeyPatch.context() as monkeypatch, fresh_database(admin_url, template_db) as url:
        make_project(tmp_path_factory.mktemp("project"), monkeypatch)
        assert pipeline.ingest_file(SAMPLES / "hr" / "hr_headcount_IAEA.csv", url).status == "accepted"
        selected = ["--select", "+dim_entity", "stg_warehouse__hr_headcount", "--indirect-selection", "cautious"]
        run = warehouse.run_dbt(["build", *selected], url)
        assert run.success, run.failures
        yield url


def as_role(url: str, role: str) -> psycopg.Connection:
    conn = psycopg.connect(url, autocommit=True)
    conn.execute(f"set role {role}")
    return conn


REFUSED_READS = {
    roles.BI_READER: [
        "raw.hr_headcount",
        "audit.submissions",
        "staging.stg_warehouse__hr_headcount",
        "reference.ref_entities",
    ],
    roles.AUDITOR: ["raw.hr_headcount", "staging.stg_warehouse__hr_headcount", "reference.ref_entities"],
}
ALLOWED_READS = {
    roles.BI_READER: ["marts.dim_entity"],
    roles.AUDITOR: ["marts.dim_entity", "audit.submissions", "audit.validation_runs"],
    roles.TRANSFORMER: ["raw.hr_headcount", "audit.submissions", "marts.dim_entity"],
    roles.LOADER: ["raw.hr_headcount", "audit.submissions"],
}


@pytest.mark.parametrize(
    ("role", "relation"), [(r, t) for r, ts in REFUSED_READS.items() for t in ts], ids=lambda v: str(v)
)
def test_a_role_is_refused_what_it_may_not_read(warehouse_url: str, role: str, relation: str) -> None:
    with as_role(warehouse_url, role) as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(f"select * from {relation} limit 1")


@pytest.mark.parametrize(
    ("role", "relation"), [(r, t) for r, ts in ALLOWED_READS.items() for t in ts], ids=lambda v: str(v)
)
def test_a_role_reads_what_it_needs(warehouse_url: str, role: str, relation: str) -> None:
    with as_role(warehouse_url, role) as conn:
        conn.execute(f"select * from {relation} limit 1").fetchall()


WRITES = [
    "insert into marts.dim_entity (entity_code) values ('X')",
    "update marts.dim_entity set entity_name = 'x'",
    "delete from marts.dim_entity",
    "create table marts.mine (x int)",
    "create table public.mine (x int)",
    "create temporary table mine (x int)",
    "create schema mine",
    "insert into audit.submissions (sha256, file_name, file_size, file_format, archive_path)"
    " values (repeat('0', 64), 'x', 0, 'csv', 'x')",
]


@pytest.mark.parametrize("statement", WRITES)
@pytest.mark.parametrize("role", [roles.BI_READER, roles.AUDITOR])
def test_readers_cannot_write_anywhere(warehouse_url: str, role: str, statement: str) -> None:
    with as_role(warehouse_url, role) as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(statement)


def test_the_loader_cannot_touch_the_warehouse_and_the_transformer_cannot_write_raw(warehouse_url: str) -> None:
    with as_role(warehouse_url, roles.LOADER) as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute("delete from marts.dim_entity")
    with as_role(warehouse_url, roles.TRANSFORMER) as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute("delete from raw.hr_headcount")


def test_the_components_own_their_schemas(warehouse_url: str) -> None:
    with psycopg.connect(warehouse_url) as conn:
        owners = dict(
            conn.execute(
                "select n.nspname || '.' || c.relname, pg_get_userbyid(c.relowner) from pg_class c"
                " join pg_namespace n on n.oid = c.relnamespace"
                " where (n.nspname, c.relname) in (('raw', 'hr_headcount'), ('audit', 'submissions'),"
                " ('marts', 'dim_entity'), ('reference', 'ref_entities'))"
            ).fetchall()
        )
    assert owners == {
        "raw.hr_headcount": "loader",
        "audit.submissions": "loader",
        "marts.dim_entity": "transformer",
        "reference.ref_entities": "transformer",
    }


def test_roles_again_change_nothing_and_a_password_gives_a_login(
    admin_url: str, warehouse_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    roles.create_roles(warehouse_url)
    monkeypatch.setenv(roles.password_variable(roles.BI_READER), "s3cret-for-the-test")
    done = roles.create_roles(warehouse_url)
    assert "alter role bi_reader login password ***" in " ".join(done).replace('"', "")
    assert "s3cret" not in " ".join(done)
    # bi_reader now logs in by itself (this server trusts local connections) and still reads marts only.
    info = psycopg.conninfo.conninfo_to_dict(warehouse_url)
    login = with_database(psycopg.conninfo.make_conninfo(**{**info, "user": "bi_reader"}), info["dbname"])
    with psycopg.connect(login) as conn:
        assert conn.execute("select count(*) from marts.dim_entity").fetchone()[0] > 100
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("select 1 from raw.hr_headcount")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("alter role bi_reader nologin password null")


def test_each_component_works_as_its_role(warehouse_url: str) -> None:
    """What the code asks for is what the session becomes: ingestion as loader, figures and the dashboard as
    bi_reader, audit as auditor, and dbt's profile names transformer."""
    for role in roles.ROLES:
        with db.connect(warehouse_url, role=role) as conn:
            assert conn.execute("select current_user").fetchone() == (role,)
    assert warehouse.transformer_role(warehouse_url) == "transformer"
    assert warehouse.dbt_env(warehouse_url, warehouse.transformer_role(warehouse_url))["GWH_DBT_ROLE"] == "transformer"


def test_a_database_without_the_roles_keeps_the_login(admin_url: str) -> None:
    """Roles belong to the server: a database `gwh db roles` has not run on is used as the login, not refused."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("drop database if exists gwh_test_no_roles with (force)")
        conn.execute("create database gwh_test_no_roles")
    url = with_database(admin_url, "gwh_test_no_roles")
    try:
        with db.connect(url, role=roles.LOADER) as conn:
            assert conn.execute("select current_user = session_user").fetchone() == (True,)
        assert warehouse.transformer_role(url) == ""
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute("drop database if exists gwh_test_no_roles with (force)")
