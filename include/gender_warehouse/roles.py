"""Least-privilege database roles, created by `gwh db roles` (idempotent) and taken by every component.

| role            | may                                                                                   |
|-----------------|---------------------------------------------------------------------------------------|
| warehouse_owner | own `raw` and `audit` and everything in them; nobody logs in as it (migrations SET ROLE to it) |
| loader          | read, insert and update `raw` and `audit` (the ingestion: gwh ingest, the ingest DAG); no DDL  |
| transformer     | read `raw` and `audit`, record its runs there; own `reference`, `staging`, `intermediate`, `marts` (dbt) |
| bi_reader       | read `marts`; nothing else, and write nowhere; time-limited statements                |
| auditor         | read `marts` and `audit`; time-limited statements                                     |

Ownership is what lets a role reach another: an owner may add a trigger, and a trigger's function runs as whoever
fires it. So the tables that two roles write (the audit trail: the loader's submissions, dbt's run records) belong
to a role that runs nothing, and no role may create objects where another role's code will find them.

The roles are group roles without login. A deployment gives people and services login roles that are members of
these (`grant bi_reader to metabase`), or lets them log in directly: when GWH_PASSWORD_<ROLE> is set in the
environment (GWH_PASSWORD_BI_READER), that role gets LOGIN with that password. Components connect with
GWH_DATABASE_URL and switch to their role with SET ROLE once the database has the roles, so the privileges that
hold in production hold in the demo and the tests too. Roles belong to the server; the grants are made in the database
the command runs on.
"""

from __future__ import annotations

import os
import time

import psycopg
from psycopg import sql

OWNER = "warehouse_owner"
LOADER, TRANSFORMER, BI_READER, AUDITOR = "loader", "transformer", "bi_reader", "auditor"
ROLES = (LOADER, TRANSFORMER, BI_READER, AUDITOR)
READERS = (BI_READER, AUDITOR)
# What a reader's session may hold: a BI tool's runaway query or forgotten transaction must not hold locks that
# the loads and dbt wait on. Set on the roles (for their logins) and by db.connect (for SET ROLE sessions).
READER_LIMITS = {"statement_timeout": "5min", "idle_in_transaction_session_timeout": "10min"}
# What the loader may do to each table of its schemas; anything else (delete, truncate, trigger) it may not.
LOADER_WRITES = "select, insert, update"  # on every table of raw and audit
LOADER_DELETES = ("audit.submission_issues",)  # an ingest again after a failure states its issues anew
# Large objects are writable by every role by default; the warehouse stores none.
LARGE_OBJECT_FUNCTIONS = (
    "lo_create(oid)",
    "lo_creat(integer)",
    "lo_from_bytea(oid, bytea)",
    "lo_import(text)",
    "lo_import(text, oid)",
    "lo_put(oid, bigint, bytea)",
    "lo_open(oid, integer)",
    "lo_unlink(oid)",
)
INGESTION_SCHEMAS = ("raw", "audit")
WAREHOUSE_SCHEMAS = ("reference", "staging", "intermediate", "marts")


def password_variable(role: str) -> str:
    return f"GWH_PASSWORD_{role.upper()}"


def has_roles(conn: psycopg.Connection) -> bool:
    """Whether `gwh db roles` has run on this database (it makes warehouse_owner the owner of `audit`)."""
    row = conn.execute(
        "select 1 from pg_namespace where nspname = 'audit' and pg_get_userbyid(nspowner) = %s", (OWNER,)
    ).fetchone()
    return row is not None


def may_take(conn: psycopg.Connection, role: str) -> bool:
    """Whether this database was given the roles and this session may take the role (a member, or a superuser).
    Roles belong to the server, grants to each database: a database the command has not run on keeps working as
    before."""
    if not has_roles(conn):
        return False
    row = conn.execute(
        "select pg_has_role(session_user, oid, 'MEMBER') from pg_roles where rolname = %s", (role,)
    ).fetchone()
    return bool(row and row[0])


def use_role(conn: psycopg.Connection, role: str) -> bool:
    """SET ROLE to `role` when this session may take it; whether it did. Before `gwh db roles` has run there are
    no roles, and the session keeps its own privileges. A reader's session gets the readers' time limits."""
    if not may_take(conn, role):
        return False
    conn.execute(sql.SQL("set role {}").format(sql.Identifier(role)))
    if role in READERS:
        for name, value in READER_LIMITS.items():
            conn.execute(sql.SQL("set {} = {}").format(sql.Identifier(name), sql.Literal(value)))
    return True


def owned_objects(conn: psycopg.Connection, schemas: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(kind, schema, name) of the tables, views, sequences and functions in these schemas; a function's name
    carries its arguments."""
    rows = conn.execute(
        "select case c.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'S' then 'sequence'"
        " else 'table' end, n.nspname, c.relname from pg_class as c join pg_namespace as n on n.oid = c.relnamespace"
        " where n.nspname = any(%s) and c.relkind in ('r', 'p', 'v', 'm', 'S')"
        " and not exists (select 1 from pg_depend as d where d.objid = c.oid and d.deptype in ('a', 'i'))"
        " union all"
        " select case p.prokind when 'p' then 'procedure' when 'a' then 'aggregate' else 'function' end,"
        " n.nspname, p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'"
        " from pg_proc as p join pg_namespace as n on n.oid = p.pronamespace where n.nspname = any(%s)",
        (list(schemas), list(schemas)),
    ).fetchall()
    return [(kind, schema, name) for kind, schema, name in rows]


def triggers_on(conn: psycopg.Connection, schemas: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(trigger, schema, table) of the user triggers on tables in these schemas. The warehouse defines none: one
    there was planted by whoever owned the table, to run its function as the role that writes the table."""
    rows = conn.execute(
        "select t.tgname, n.nspname, c.relname from pg_trigger as t join pg_class as c on c.oid = t.tgrelid"
        " join pg_namespace as n on n.oid = c.relnamespace where n.nspname = any(%s) and not t.tgisinternal",
        (list(schemas),),
    ).fetchall()
    return [(name, schema, table) for name, schema, table in rows]


def qualified(kind: str, schema: str, name: str) -> sql.Composable:
    """schema.name for ALTER <kind>: a function's name is followed by its argument types, not quoted."""
    if kind in ("function", "procedure", "aggregate"):
        base, _, arguments = name.partition("(")
        return sql.SQL("{}.{}({}").format(sql.Identifier(schema), sql.Identifier(base), sql.SQL(arguments))
    return sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(name))


def foreign_objects(conn: psycopg.Connection) -> list[tuple[str, sql.Composable]]:
    """What the warehouse never defines in `raw` and `audit` (triggers, rules, policies, routines, views), each
    with the statement that drops it. Whoever owned these schemas before `gwh db roles` could have left one there
    to run as the role that next writes or reads the table; their names are quoted by the server (format %I)."""
    rows = conn.execute(
        "select 'trigger ' || t.tgname || ' on ' || n.nspname || '.' || c.relname,"
        "  format('drop trigger if exists %%I on %%I.%%I', t.tgname, n.nspname, c.relname), 1"
        " from pg_trigger as t join pg_class as c on c.oid = t.tgrelid"
        " join pg_namespace as n on n.oid = c.relnamespace where n.nspname = any(%(s)s) and not t.tgisinternal"
        " union all"
        " select 'rule ' || r.rulename || ' on ' || n.nspname || '.' || c.relname,"
        "  format('drop rule if exists %%I on %%I.%%I', r.rulename, n.nspname, c.relname), 1"
        " from pg_rewrite as r join pg_class as c on c.oid = r.ev_class"
        " join pg_namespace as n on n.oid = c.relnamespace"
        " where n.nspname = any(%(s)s) and c.relkind in ('r', 'p')"
        " union all"
        " select 'policy ' || p.polname || ' on ' || n.nspname || '.' || c.relname,"
        "  format('drop policy if exists %%I on %%I.%%I', p.polname, n.nspname, c.relname), 1"
        " from pg_policy as p join pg_class as c on c.oid = p.polrelid"
        " join pg_namespace as n on n.oid = c.relnamespace where n.nspname = any(%(s)s)"
        " union all"
        " select 'row level security on ' || n.nspname || '.' || c.relname,"
        "  format('alter table %%I.%%I disable row level security, no force row level security',"
        "   n.nspname, c.relname), 1"
        " from pg_class as c join pg_namespace as n on n.oid = c.relnamespace"
        " where n.nspname = any(%(s)s) and (c.relrowsecurity or c.relforcerowsecurity)"
        " union all"
        " select 'routine ' || p.oid::regprocedure::text,"
        "  format('drop routine if exists %%I.%%I(%%s) cascade', n.nspname, p.proname,"
        "   pg_get_function_identity_arguments(p.oid)), 2"
        " from pg_proc as p join pg_namespace as n on n.oid = p.pronamespace where n.nspname = any(%(s)s)"
        " union all"
        " select 'view ' || n.nspname || '.' || c.relname,"
        "  format('drop %%s if exists %%I.%%I cascade',"
        "   case c.relkind when 'm' then 'materialized view' else 'view' end, n.nspname, c.relname), 3"
        " from pg_class as c join pg_namespace as n on n.oid = c.relnamespace"
        " where n.nspname = any(%(s)s) and c.relkind in ('v', 'm')"
        " order by 3, 1",
        {"s": list(INGESTION_SCHEMAS)},
    ).fetchall()
    return [(what, sql.SQL(statement)) for what, statement, _ in rows]


def statements(conn: psycopg.Connection, database: str) -> list[sql.Composable]:
    """Everything `gwh db roles` runs, in order; every statement may run again."""
    out: list[sql.Composable] = []
    everyone = (OWNER, *ROLES)
    existing = {r[0] for r in conn.execute("select rolname from pg_roles where rolname = any(%s)", (list(everyone),))}
    for role in everyone:
        if role not in existing:
            out.append(sql.SQL("create role {} nologin").format(sql.Identifier(role)))
        password = os.environ.get(password_variable(role)) if role != OWNER else None
        if password:
            out.append(sql.SQL("alter role {} login password {}").format(sql.Identifier(role), sql.Literal(password)))
    out.append(sql.SQL("alter role {} nologin").format(sql.Identifier(OWNER)))
    for role in READERS:
        for name, value in READER_LIMITS.items():
            out.append(
                sql.SQL("alter role {} set {} = {}").format(
                    sql.Identifier(role), sql.Identifier(name), sql.Literal(value)
                )
            )
    db = sql.Identifier(database)
    named = sql.SQL(", ").join(map(sql.Identifier, ROLES))
    # Nobody but the roles named here connects or makes temporary tables; nobody creates schemas (they are all
    # made here: a schema named after a role would come first on that role's search path); the public schema
    # takes no objects.
    out += [
        sql.SQL("revoke create, temporary on database {} from public").format(db),
        sql.SQL("revoke create on database {} from {}").format(db, named),
        sql.SQL("revoke create on schema public from public"),
        sql.SQL("grant connect on database {} to {}").format(db, named),
        # The loader validates each file through a temporary view; dbt may use temporary tables.
        sql.SQL("grant temporary on database {} to {}, {}").format(
            db, sql.Identifier(LOADER), sql.Identifier(TRANSFORMER)
        ),
    ]
    for schema in INGESTION_SCHEMAS + WAREHOUSE_SCHEMAS:
        owner = OWNER if schema in INGESTION_SCHEMAS else TRANSFORMER
        s = sql.Identifier(schema)
        out += [
            sql.SQL("create schema if not exists {}").format(s),
            sql.SQL("alter schema {} owner to {}").format(s, sql.Identifier(owner)),
        ]
    out += [statement for _, statement in foreign_objects(conn)]
    for kind, schema, name in owned_objects(conn, INGESTION_SCHEMAS + WAREHOUSE_SCHEMAS):
        if schema in INGESTION_SCHEMAS and kind not in ("table", "sequence"):
            continue  # dropped above
        owner = OWNER if schema in INGESTION_SCHEMAS else TRANSFORMER
        out.append(
            sql.SQL("alter {} {} owner to {}").format(
                sql.SQL(kind), qualified(kind, schema, name), sql.Identifier(owner)
            )
        )

    def grant(privileges: str, schema: str, *roles: str) -> list[sql.Composable]:
        """USAGE on the schema and these privileges on its tables, now and on what its owner makes later; every
        other privilege on them taken back, should an earlier grant have given it."""
        s, who = sql.Identifier(schema), sql.SQL(", ").join(map(sql.Identifier, roles))
        owner = sql.Identifier(OWNER if schema in INGESTION_SCHEMAS else TRANSFORMER)
        return [
            sql.SQL("revoke all on all tables in schema {} from {}").format(s, who),
            sql.SQL("alter default privileges for role {} in schema {} revoke all on tables from {}").format(
                owner, s, who
            ),
            sql.SQL("grant usage on schema {} to {}").format(s, who),
            sql.SQL("grant {} on all tables in schema {} to {}").format(sql.SQL(privileges), s, who),
            sql.SQL("alter default privileges for role {} in schema {} grant {} on tables to {}").format(
                owner, s, sql.SQL(privileges), who
            ),
        ]

    for schema in INGESTION_SCHEMAS:
        out += grant(LOADER_WRITES, schema, LOADER)
        out.append(
            sql.SQL("revoke create on schema {} from {}").format(
                sql.Identifier(schema), sql.SQL(", ").join(map(sql.Identifier, ROLES))
            )
        )
    out += [sql.SQL("grant delete on {} to {}").format(sql.SQL(t), sql.Identifier(LOADER)) for t in LOADER_DELETES]
    out += grant("select", "raw", TRANSFORMER)
    out += grant("select", "audit", TRANSFORMER, AUDITOR)
    # dbt records each of its runs in the audit trail (on-run-end): insert, and nothing else, there.
    out.append(
        sql.SQL("grant insert on audit.dbt_invocations, audit.dbt_node_results to {}").format(
            sql.Identifier(TRANSFORMER)
        )
    )
    # The loads take turns on a row of this table: nobody else may read it, so nobody else can hold that turn.
    out.append(
        sql.SQL("revoke all on audit.load_turns from {}, {}").format(
            sql.Identifier(TRANSFORMER), sql.Identifier(AUDITOR)
        )
    )
    out += grant("select", "marts", BI_READER, AUDITOR)
    # What the readers must not have, taken back should an earlier grant have given it.
    for schema in ("raw", "audit", "reference", "staging", "intermediate"):
        out += [
            sql.SQL("revoke all on all tables in schema {} from {}").format(
                sql.Identifier(schema), sql.Identifier(BI_READER)
            ),
            sql.SQL("revoke usage on schema {} from {}").format(sql.Identifier(schema), sql.Identifier(BI_READER)),
        ]
    for schema in ("raw", "reference", "staging", "intermediate"):
        out.append(sql.SQL("revoke usage on schema {} from {}").format(sql.Identifier(schema), sql.Identifier(AUDITOR)))
    superuser = conn.execute("select rolsuper from pg_roles where rolname = current_user").fetchone()
    if superuser and superuser[0]:  # only a superuser may change the privileges of the system's functions
        out += [
            sql.SQL("revoke execute on function pg_catalog.{} from public").format(sql.SQL(f))
            for f in LARGE_OBJECT_FUNCTIONS
        ]
    return out


def create_roles(url: str, attempts: int = 5) -> list[str]:
    """Create the roles and make the grants in the database of `url` (a superuser or the database owner). Returns
    the statements run, passwords hidden.

    Roles belong to the whole server: a process doing the same in another database of it (where this one's
    advisory lock does not reach) can change a role's row at the same moment, and PostgreSQL then refuses one of
    the two ("tuple concurrently updated"). Every statement can run again, so the whole is tried again."""
    for attempt in range(1, attempts + 1):
        try:
            return run_role_statements(url)
        except psycopg.errors.InternalError_ as exc:
            if "concurrently" not in str(exc) or attempt == attempts:
                raise
            time.sleep(0.2 * attempt)
    raise AssertionError("unreachable")


def run_role_statements(url: str) -> list[str]:
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
