"""Least-privilege database roles, created by `gwh db roles` (idempotent) and taken by every component.

| role        | may                                                                  |
|-------------|----------------------------------------------------------------------|
| loader      | own and write `raw` and `audit` (the ingestion: gwh ingest, the ingest DAG) |
| transformer | read `raw` and `audit`; own `reference`, `staging`, `intermediate`, `marts` (dbt) |
| bi_reader   | read `marts`; nothing else, and write nowhere                        |
| auditor     | read `marts` and `audit`                                             |

The roles are group roles without login. A deployment gives people and services login roles that are members of
these (`grant bi_reader to metabase`), or lets them log in directly: when GWH_PASSWORD_<ROLE> is set in the
environment (GWH_PASSWORD_BI_READER), that role gets LOGIN with that password. Components connect with
GWH_DATABASE_URL and switch to their role with SET ROLE once the database has the roles, so the privileges that
hold in production hold in the demo and the tests too. Roles belong to the server; the grants are made in the database
the command runs on.
"""

from __future__ import annotations

import os

import psycopg
from psycopg import sql

LOADER, TRANSFORMER, BI_READER, AUDITOR = "loader", "transformer", "bi_reader", "auditor"
ROLES = (LOADER, TRANSFORMER, BI_READER, AUDITOR)
INGESTION_SCHEMAS = ("raw", "audit")
WAREHOUSE_SCHEMAS = ("reference", "staging", "intermediate", "marts")


def password_variable(role: str) -> str:
    return f"GWH_PASSWORD_{role.upper()}"


def may_take(conn: psycopg.Connection, role: str) -> bool:
    """Whether this database was given the roles (`gwh db roles` makes loader the owner of `audit`) and this
    session may take the role (a member, or a superuser). Roles belong to the server, grants to each database:
    a database the command has not run on keeps working as before."""
    row = conn.execute(
        "select pg_has_role(session_user, r.oid, 'MEMBER') from pg_roles as r, pg_namespace as n"
        " where r.rolname = %s and n.nspname = 'audit' and pg_get_userbyid(n.nspowner) = %s",
        (role, LOADER),
    ).fetchone()
    return bool(row and row[0])


def use_role(conn: psycopg.Connection, role: str) -> bool:
    """SET ROLE to `role` when this session may take it; whether it did. Before `gwh db roles` has run there are
    no roles, and the session keeps its own privileges."""
    if not may_take(conn, role):
        return False
    conn.execute(sql.SQL("set role {}").format(sql.Identifier(role)))
    return True


def owned_objects(conn: psycopg.Connection, schemas: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(kind, schema, name) of the tables, views and sequences in these schemas."""
    rows = conn.execute(
        "select case c.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'S' then 'sequence'"
        " else 'table' end, n.nspname, c.relname from pg_class as c join pg_namespace as n on n.oid = c.relnamespace"
        " where n.nspname = any(%s) and c.relkind in ('r', 'p', 'v', 'm', 'S')"
        " and not exists (select 1 from pg_depend as d where d.objid = c.oid and d.deptype in ('a', 'i'))",
        (list(schemas),),
    ).fetchall()
    return [(kind, schema, name) for kind, schema, name in rows]


def statements(conn: psycopg.Connection, database: str) -> list[sql.Composable]:
    """Everything `gwh db roles` runs, in order; every statement may run again."""
    out: list[sql.Composable] = []
    existing = {r[0] for r in conn.execute("select rolname from pg_roles where rolname = any(%s)", (list(ROLES),))}
    for role in ROLES:
        if role not in existing:
            out.append(sql.SQL("create role {} nologin").format(sql.Identifier(role)))
        password = os.environ.get(password_variable(role))
        if password:
            out.append(sql.SQL("alter role {} login password {}").format(sql.Identifier(role), sql.Literal(password)))
    db = sql.Identifier(database)
    # Nobody but the roles named here connects or makes temporary tables; the public schema takes no objects.
    out += [
        sql.SQL("revoke create, temporary on database {} from public").format(db),
        sql.SQL("revoke create on schema public from public"),
        sql.SQL("grant connect on database {} to {}").format(db, sql.SQL(", ").join(map(sql.Identifier, ROLES))),
        # The loader validates each file through a temporary view; dbt may use temporary tables.
        sql.SQL("grant temporary on database {} to {}, {}").format(
            db, sql.Identifier(LOADER), sql.Identifier(TRANSFORMER)
        ),
        # dbt creates its schemas when they are missing.
        sql.SQL("grant create on database {} to {}").format(db, sql.Identifier(TRANSFORMER)),
    ]
    for schema in INGESTION_SCHEMAS:
        s = sql.Identifier(schema)
        out += [
            sql.SQL("create schema if not exists {}").format(s),
            sql.SQL("alter schema {} owner to {}").format(s, sql.Identifier(LOADER)),
        ]
    for schema in WAREHOUSE_SCHEMAS:
        s = sql.Identifier(schema)
        out += [
            sql.SQL("create schema if not exists {}").format(s),
            sql.SQL("alter schema {} owner to {}").format(s, sql.Identifier(TRANSFORMER)),
        ]
    for kind, schema, name in owned_objects(conn, INGESTION_SCHEMAS + WAREHOUSE_SCHEMAS):
        owner = LOADER if schema in INGESTION_SCHEMAS else TRANSFORMER
        out.append(
            sql.SQL("alter {} {}.{} owner to {}").format(
                sql.SQL(kind), sql.Identifier(schema), sql.Identifier(name), sql.Identifier(owner)
            )
        )

    def reads(schema: str, *roles: str) -> list[sql.Composable]:
        """USAGE and SELECT on what is there and on what its owner makes later."""
        s, who = sql.Identifier(schema), sql.SQL(", ").join(map(sql.Identifier, roles))
        owner = sql.Identifier(LOADER if schema in INGESTION_SCHEMAS else TRANSFORMER)
        return [
            sql.SQL("grant usage on schema {} to {}").format(s, who),
            sql.SQL("grant select on all tables in schema {} to {}").format(s, who),
            sql.SQL("alter default privileges for role {} in schema {} grant select on tables to {}").format(
                owner, s, who
            ),
        ]

    # dbt records each of its runs in the audit trail (on-run-end): insert, and nothing else, there.
    out.append(
        sql.SQL("grant insert on audit.dbt_invocations, audit.dbt_node_results to {}").format(
            sql.Identifier(TRANSFORMER)
        )
    )
    out += reads("raw", TRANSFORMER)
    out += reads("audit", TRANSFORMER, AUDITOR)
    out += reads("marts", BI_READER, AUDITOR)
    # What the roles must not have, taken back should an earlier grant have given it.
    for schema in ("raw", "audit", "reference", "staging", "intermediate"):
        out.append(
            sql.SQL("revoke all on all tables in schema {} from {}").format(
                sql.Identifier(schema), sql.Identifier(BI_READER)
            )
        )
        out.append(
            sql.SQL("revoke usage on schema {} from {}").format(sql.Identifier(schema), sql.Identifier(BI_READER))
        )
    for schema in ("raw", "reference", "staging", "intermediate"):
        out.append(sql.SQL("revoke usage on schema {} from {}").format(sql.Identifier(schema), sql.Identifier(AUDITOR)))
    return out


def create_roles(url: str) -> list[str]:
    """Create the roles and make the grants in the database of `url` (a superuser or the database owner). Returns
    the statements run, passwords hidden."""
    with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
        # Two processes on a new server must not both create the roles.
        conn.execute("select pg_advisory_xact_lock(hashtext('gender_warehouse.roles'))")
        database = conn.info.dbname
        done = []
        for statement in statements(conn, database):
            conn.execute(statement)
            text = statement.as_string(conn)
            done.append(text.split(" password ")[0] + (" password ***" if " password " in text else ""))
        return done
