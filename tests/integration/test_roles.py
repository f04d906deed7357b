"""Least-privilege roles on a real PostgreSQL: what each role may read and write, and what it is refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import errors

from gender_warehouse import db, roles, warehouse
from tests.conftest import SAMPLES, fresh_database, make_project, query, with_database
from tests.helpers import headcount_rows, write_csv

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
    roles.AUDITOR: [
        "raw.hr_headcount",
        "staging.stg_warehouse__hr_headcount",
        "reference.ref_entities",
        "audit.load_turns",
    ],
    # The loader reads nothing of dbt's: a view or function there would run as the loader.
    roles.LOADER: ["marts.dim_entity", "reference.ref_entities", "staging.stg_warehouse__hr_headcount"],
    roles.TRANSFORMER: ["audit.load_turns"],
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
        "raw.hr_headcount": roles.OWNER,
        "audit.submissions": roles.OWNER,
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


# --- no role reaches another: each escalation found, refused -----------------------------------------------------

PLANTING = {
    # A trigger on the table dbt writes at the end of every run would run its function as the transformer.
    roles.LOADER: [
        "create trigger planted after insert on audit.dbt_invocations"
        " for each row execute function suppress_redundant_updates_trigger()",
        "create function audit.planted() returns trigger language plpgsql as 'begin return new; end'",
        "create function raw.planted() returns int language sql as 'select 1'",
        "create view raw.planted as select 1 as x",
        "create table audit.planted (x int)",
        "alter table audit.dbt_invocations alter column database_user set default 'x'",
        "create policy planted on audit.dbt_invocations using (true)",
        "create rule planted as on insert to audit.dbt_invocations do also notify x",
        "create schema transformer",
        "delete from raw.hr_headcount",
        "truncate audit.loads",
        "delete from audit.submissions",
    ],
    roles.TRANSFORMER: [
        "create trigger planted before insert on audit.dbt_invocations"
        " for each row execute function suppress_redundant_updates_trigger()",
        "alter table audit.dbt_invocations alter column database_user set default 'x'",
        # A schema named after a role comes first on that role's search path ("$user", public).
        "create schema loader",
        "create schema auditor",
        "update audit.submissions set status = 'loaded'",
    ],
    roles.AUDITOR: ["create schema bi_reader", "select * from audit.submissions for update"],
    roles.BI_READER: ["create schema auditor"],
}


@pytest.mark.parametrize(
    ("role", "statement"), [(r, s) for r, ss in PLANTING.items() for s in ss], ids=lambda v: str(v)[:60]
)
def test_no_role_plants_code_or_objects_where_another_role_runs(warehouse_url: str, role: str, statement: str) -> None:
    with as_role(warehouse_url, role) as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(statement)


LARGE_OBJECTS = [
    "select lo_from_bytea(0, 'stored by a reader')",
    "select lo_create(0)",
    "select lo_creat(-1)",
    "select lo_import('/etc/hostname')",
]


@pytest.mark.parametrize("statement", LARGE_OBJECTS)
@pytest.mark.parametrize("role", roles.ROLES)
def test_no_role_stores_large_objects(warehouse_url: str, role: str, statement: str) -> None:
    with as_role(warehouse_url, role) as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(statement)


def test_readers_sessions_are_time_limited(warehouse_url: str) -> None:
    """A BI tool's runaway query or forgotten transaction ends: as a login and through SET ROLE."""
    for role in roles.READERS:
        with db.connect(warehouse_url, role=role) as conn:
            for name, value in roles.READER_LIMITS.items():
                assert conn.execute(f"show {name}").fetchone() == (value,)
        with psycopg.connect(warehouse_url) as conn:
            settings = conn.execute(
                "select setconfig from pg_db_role_setting where setrole = %s::regrole and setdatabase = 0", (role,)
            ).fetchone()
        assert settings is not None
        assert {f"{name}={value}" for name, value in roles.READER_LIMITS.items()} <= set(settings[0])


def test_a_reader_cannot_hold_up_the_loads(
    project: Path, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loads take turns on a row only the loader may read: the advisory lock they used to take is held by a
    reader in vain, and the turns table refuses the readers."""
    from gender_warehouse import pipeline

    monkeypatch.setenv("GWH_LOAD_LOCK_TIMEOUT", "3s")  # a wait is a failure here, not a hang
    with as_role(database_url, roles.BI_READER) as blocker:
        blocker.execute("select pg_advisory_lock(hashtext('gender_warehouse.load.hr_headcount'))")
        for reader in (roles.BI_READER, roles.AUDITOR, roles.TRANSFORMER):
            with as_role(database_url, reader) as conn, pytest.raises(errors.InsufficientPrivilege), conn.transaction():
                conn.execute("lock table audit.load_turns in access share mode")
        result = pipeline.ingest_file(write_csv(tmp_path / "hr_headcount.csv", headcount_rows()), database_url)
    assert result.status == "accepted", result.failure


def test_a_load_that_waits_too_long_for_its_turn_says_so_and_loads_later(
    project: Path, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gender_warehouse import pipeline

    monkeypatch.setenv("GWH_LOAD_LOCK_TIMEOUT", "1s")
    path = write_csv(tmp_path / "hr_headcount.csv", headcount_rows())
    with as_role(database_url, roles.LOADER) as other, other.transaction():
        other.execute("select * from audit.load_turns where table_name = 'hr_headcount' for update")
        result = pipeline.ingest_file(path, database_url)
    assert result.status == "failed"
    assert "another load of hr_headcount has held its turn for over 1s" in (result.failure or "")
    assert query(database_url, "select count(*) from raw.hr_headcount") == [(0,)]
    assert pipeline.ingest_file(path, database_url).status == "accepted"


def test_roles_clear_what_an_earlier_owner_planted(admin_url: str, database_url: str) -> None:
    """Before warehouse_owner, the loader owned `audit`: it could have left a trigger (or a default, a rule, a
    policy) there that dbt would fire as the transformer. `gwh db roles` takes the schemas over and removes all the
    warehouse never defines there."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        # The ownership as it was.
        conn.execute("alter schema audit owner to loader")
        conn.execute("alter table audit.dbt_invocations owner to loader")
        conn.execute("set role loader")
        conn.execute(
            "create function audit.planted() returns trigger language plpgsql as"
            " 'begin delete from marts.dim_entity; return new; end'"
        )
        conn.execute(
            "create trigger planted after insert on audit.dbt_invocations for each row execute function audit.planted()"
        )
        conn.execute("create function audit.planted_default() returns text language sql as 'select current_user'")
        conn.execute("alter table audit.dbt_invocations alter column command set default audit.planted_default()")
        conn.execute("create policy planted on audit.dbt_invocations using (true)")
        conn.execute("create view audit.planted_view as select 1 as x")
    roles.create_roles(database_url)
    with psycopg.connect(database_url) as conn:
        left = conn.execute(
            "select 'trigger' from pg_trigger where tgrelid = 'audit.dbt_invocations'::regclass and not tgisinternal"
            " union all select 'function' from pg_proc where pronamespace = 'audit'::regnamespace"
            " union all select 'policy' from pg_policy where polrelid = 'audit.dbt_invocations'::regclass"
            " union all select 'view' from pg_class where relnamespace = 'audit'::regnamespace and relkind = 'v'"
            " union all select 'default' from pg_attrdef where adrelid = 'audit.dbt_invocations'::regclass"
            " and pg_get_expr(adbin, adrelid) like '%%planted%%'"
        ).fetchall()
        owner = conn.execute(
            "select pg_get_userbyid(relowner) from pg_class where oid = 'audit.dbt_invocations'::regclass"
        )
        assert left == [] and owner.fetchone() == (roles.OWNER,)
        assert roles.has_roles(conn)


def test_the_loader_alone_cannot_change_the_schema_and_says_who_can(database_url: str) -> None:
    """Once the roles exist, a schema update is the owner's: a loader logging in by itself is told to ask an
    administrator, instead of failing half-way through the DDL."""
    info = psycopg.conninfo.conninfo_to_dict(database_url)
    loader_login = psycopg.conninfo.make_conninfo(**{**info, "user": roles.LOADER})
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("alter role loader login")
        conn.execute("comment on schema audit is 'an older version'")
    try:
        with pytest.raises(db.DatabaseError, match=r"only its owner \(warehouse_owner\) may make: run `gwh db roles`"):
            db.ensure_schema(loader_login)
        db.ensure_schema(database_url)  # an administrator's session takes the owner's role and updates it
        db.ensure_schema(loader_login)  # now current: nothing to do
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("alter role loader nologin")


def test_roles_changed_at_once_by_another_database_of_the_server_are_tried_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Roles belong to the server: a process making them in another database at the same moment makes PostgreSQL
    refuse one ("tuple concurrently updated"); the statements are tried again, any other error is not."""
    calls = []

    def flaky(url: str) -> list[str]:
        calls.append(url)
        if len(calls) == 1:
            raise errors.InternalError_("tuple concurrently updated")
        return ["create role loader"]

    monkeypatch.setattr(roles, "run_role_statements", flaky)
    assert roles.create_roles("postgresql://example/db") == ["create role loader"] and len(calls) == 2

    def broken(url: str) -> list[str]:
        raise errors.InternalError_("something else")

    monkeypatch.setattr(roles, "run_role_statements", broken)
    with pytest.raises(errors.InternalError_, match="something else"):
        roles.create_roles("postgresql://example/db")
