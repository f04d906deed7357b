"""Least-privilege roles on a real PostgreSQL: what each role may read and write, and what it is refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import errors

from gender_warehouse import roles, warehouse
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


def test_figures_and_dbt_work_as_their_roles(warehouse_url: str, tmp_path: Path) -> None:
    assert warehouse.transformer_role(warehouse_url) == "transformer"
    with psycopg.connect(warehouse_url) as conn:
        [(role,)] = conn.execute(
            "select pg_get_userbyid(relowner) from pg_class where oid = 'marts.dim_entity'::regclass"
        ).fetchall()
    assert role == "transformer"
