"""Connections, the embedded server, and the schemas the warehouse needs.

The database is chosen by `GWH_DATABASE_URL` (or `--database-url`). When neither is set, an embedded PostgreSQL
is started under `.gwh/postgres` so that a machine with no database server still runs everything.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from importlib import resources
from typing import Any

import psycopg
from psycopg import sql

from gender_warehouse import settings
from gender_warehouse.contracts import TABLES, Table

log = logging.getLogger(__name__)


class DatabaseError(RuntimeError):
    """A database that cannot be reached or set up; the message says what to do."""


def database_url(explicit: str | None = None) -> str:
    """The URL to use: the explicit one, then GWH_DATABASE_URL, then the embedded server."""
    url = explicit or os.environ.get("GWH_DATABASE_URL")
    if url:
        return url
    return embedded_server_url()


def import_pgserver() -> Any:
    """pgserver, imported only where the embedded server is wanted."""
    with warnings.catch_warnings():  # its platformdirs warns when XDG_RUNTIME_DIR is unset: harmless
        warnings.simplefilter("ignore")
        import pgserver

        return pgserver


def embedded_server_url(database: str = "gwh") -> str:
    """Start (or reuse) the embedded PostgreSQL under the data folder and return a URL for `database`."""
    pgserver = import_pgserver()

    pgdata = settings.data_dir() / "postgres"
    pgdata.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None keeps the server up for dbt and Airflow processes; `gwh db stop` stops it.
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    admin_url = server.get_uri("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (database,)).fetchone()
        if not exists:
            conn.execute(f'create database "{database}"')
    return server.get_uri(database)


def stop_embedded_server() -> bool:
    """Stop the embedded server if it runs. Returns whether one was stopped."""
    pgdata = settings.data_dir() / "postgres"
    if not (pgdata / "postmaster.pid").exists():
        return False
    pgserver = import_pgserver()
    # PostgreSQL never runs as root: as root, pgserver runs it as its own `pgserver` user, and so must pg_ctl.
    user = "pgserver" if os.geteuid() == 0 else None
    pgserver.pg_ctl(["-m", "fast", "-w", "stop"], pgdata=pgdata, user=user)
    return True


def url_from_parts(
    host: str | None,
    port: int | None,
    user: str | None,
    password: str | None,
    dbname: str | None,
    options: dict[str, Any] | None = None,
) -> str:
    """A libpq URL from a connection's parts (as an Airflow connection holds them). The host may be a socket
    directory, given as the host or as options["host"]; other options that libpq knows become URL parameters."""
    from urllib.parse import quote, urlencode

    options = options or {}
    keywords = {o.keyword.decode() for o in psycopg.pq.Conninfo.get_defaults()}
    params = {k: str(v) for k, v in options.items() if k in keywords and k not in ("host", "password") and v != ""}
    auth = quote(user or "", safe="")
    if password:
        auth += ":" + quote(password, safe="")
    host_value = str(host or options.get("host") or "")
    # An IPv6 address goes in brackets, as RFC 3986 writes it; a socket folder (a path) is percent-encoded.
    is_ipv6 = ":" in host_value and not host_value.startswith("/")
    host_part = f"[{host_value.strip('[]')}]" if is_ipv6 else quote(host_value, safe="")
    netloc = (auth + "@" if auth else "") + host_part + (f":{port}" if port else "")
    query = "?" + urlencode(params) if params else ""
    return f"postgresql://{netloc}/{quote(dbname or '', safe='')}{query}"


def uri(url: str) -> str:
    """A libpq connection string, key=value or URL, as a postgresql:// URL (what an Airflow connection takes)."""
    parts = psycopg.conninfo.conninfo_to_dict(url)
    port = parts.pop("port", None)
    return url_from_parts(
        parts.pop("host", None),
        int(port) if port else None,
        parts.pop("user", None),
        parts.pop("password", None),
        parts.pop("dbname", None),
        parts,
    )


def url_from_connection(connection: Any) -> str:
    """A libpq URL from an object with an Airflow connection's attributes (host, port, login, password, schema,
    extra_dejson). Duck-typed, so that this package needs no Airflow."""
    return url_from_parts(
        connection.host,
        connection.port,
        connection.login,
        connection.password,
        connection.schema,
        connection.extra_dejson,
    )


def connect(url: str, *, autocommit: bool = False, role: str | None = None) -> psycopg.Connection:
    """A connection; with `role`, working as that role (SET ROLE) once `gwh db roles` has created it."""
    try:
        conn = psycopg.connect(url, autocommit=autocommit, application_name="gender_warehouse")
    except psycopg.OperationalError as exc:
        raise DatabaseError(
            f"cannot connect to the warehouse database ({redact(url)}): {mask_secrets(str(exc).strip(), url)}. "
            "Set GWH_DATABASE_URL to a reachable PostgreSQL, or unset it to use the embedded one."
        ) from None
    except psycopg.ProgrammingError as exc:  # libpq could not parse it; its message quotes the URL, password too
        raise DatabaseError(
            f"the database URL {redact(url)} is malformed: {mask_secrets(str(exc).strip(), url)}. Expected "
            "postgresql://USER:PASSWORD@HOST:PORT/DATABASE, with any %, @, : or / in the password written as "
            "%25, %40, %3A or %2F"
        ) from None
    if role:
        from gender_warehouse.roles import use_role

        use_role(conn, role)
        if not autocommit:
            conn.commit()  # the role holds for the session, whatever the caller's transactions do later
    return conn


@contextmanager
def transaction(url: str) -> Iterator[psycopg.Connection]:
    """One connection, one transaction: committed when the block ends, rolled back if it raises."""
    conn = connect(url)
    try:
        with conn.transaction():
            yield conn
    finally:
        conn.close()


# How long a schema update waits for another one before it says so.
SCHEMA_LOCK_TIMEOUT = "2min"

# A password in a URI (scheme://user:PASSWORD@host) or a key=value string or query (password=...).
URI_PASSWORD = re.compile(r"(?P<head>^[a-z][a-z0-9+.-]*://[^:@/?#]*:)(?P<secret>[^@]*)(?=@)", re.IGNORECASE)
KEYWORD_PASSWORD = re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<secret>'(?:[^'\\]|\\.)*'|[^\s&]*)", re.IGNORECASE)


def redact(url: str) -> str:
    """A URL fit for a message: the password is never printed, however malformed the rest is."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return mask_secrets(url, url)
    if "password" in info:
        info["password"] = "***"
    return psycopg.conninfo.make_conninfo(**info)


def passwords_in(url: str) -> set[str]:
    """Every form the URL's password can take in a message: as written, percent-decoded, as libpq parsed it."""
    from urllib.parse import unquote

    found = {m.group("secret") for m in URI_PASSWORD.finditer(url)}
    found |= {m.group("secret").strip("'") for m in KEYWORD_PASSWORD.finditer(url)}
    with suppress(psycopg.ProgrammingError):
        found.add(str(psycopg.conninfo.conninfo_to_dict(url).get("password") or ""))
    found |= {unquote(p) for p in found}
    return {p for p in found if p}


def mask_secrets(text: str, url: str | None = None) -> str:
    """The text with every password it may hold replaced by ***: the URL's, in any form, and any other
    user:password@ or password=... in it."""
    for secret in sorted(passwords_in(url or ""), key=len, reverse=True):
        text = text.replace(secret, "***")
    text = URI_PASSWORD.sub(lambda m: m.group("head") + "***", text)
    return KEYWORD_PASSWORD.sub(lambda m: m.group("head") + "***", text)


# The columns every raw table has besides its contract's: where each row came from (first), and supersession (last).
RAW_COLUMNS = {
    "submission_id": "bigint not null",
    "source_sheet": "text",
    "source_row": "bigint not null",
    "superseded_by": "bigint",
}


def brin_autosummarize(table: Table) -> str:
    """A BRIN index finds nothing in the block ranges added since it was last summarized (every range a load
    appends) and reads every row of those: autovacuum summarizes each range once it is full. An incremental
    build finds the slices it rebuilds through them (10M rows: 0.1 s, against 27 s unsummarized)."""
    name = f"{table.name}_slices" if table.slices_index == "brin" else f"{table.name}_submission"
    return f"alter index raw.{name} set (autosummarize = on);"


def slices_index_columns(table: Table) -> str:
    """The slices index's columns. A BRIN index keeps each column's range per block range, whichever columns a
    query names: one over the submission and the slice finds a submission's rows and a slice's both, and a load
    maintains one index, not two (a million rows: 0.2 s less)."""
    columns = ("submission_id", *table.supersedes_by) if table.slices_index == "brin" else table.supersedes_by
    return ", ".join(columns)


def raw_table_ddl(table: Table) -> str:
    """The raw table of a submission table: its typed columns, where each row came from, and supersession."""
    own = [f"{name} {kind}" for name, kind in RAW_COLUMNS.items()]
    columns = ",\n    ".join([*own[:-1], *(f"{c.name} {c.type.sql_type}" for c in table.columns), own[-1]])
    comment = f"{table.description} Superseded rows are kept, with superseded_by set.".replace("'", "''")
    added = "\n".join(
        f"alter table {table.raw_table} add column if not exists {c.name} {c.type.sql_type};" for c in table.columns
    )
    submission_index = (
        f"drop index if exists raw.{table.name}_submission;  -- the slices index holds submission_id"
        if table.slices_index == "brin"
        else f"create index if not exists {table.name}_submission on {table.raw_table} using brin (submission_id);"
    )
    return f"""
create table if not exists {table.raw_table} (
    {columns}
);
-- No foreign keys to audit.submissions: checking one per row would cost more than the COPY itself. Only the
-- loader writes here, with the id it registered in the same transaction (tests check every row has its owner).
-- Rows of one submission are appended together, so a BRIN index finds them cheaply.
-- A column the contract gained after the table was made (create table if not exists leaves the table as it is).
{added}
{submission_index}
-- The slices index of the method and columns the contract names (one made otherwise, before, is dropped).
do $$
begin
    if exists (select from pg_indexes where schemaname = 'raw' and indexname = '{table.name}_slices'
               and indexdef not ilike '% using {table.slices_index} ({slices_index_columns(table)})%') then
        drop index raw.{table.name}_slices;
    end if;
end
$$;
create index if not exists {table.name}_slices on {table.raw_table} using {table.slices_index} ({slices_index_columns(table)});
{brin_autosummarize(table)}
comment on table {table.raw_table} is '{comment}';
insert into audit.load_turns (table_name) values ('{table.name}') on conflict do nothing;
-- A warehouse made before audit.raw_slices: its slices, once (the check is one probe once they are there).
insert into audit.raw_slices (table_name, slice, submission_id)
select distinct '{table.name}', {slice_text(table)}, submission_id from {table.raw_table}
where not exists (select from audit.raw_slices where table_name = '{table.name}')
on conflict do nothing;
"""


def slice_text(table: Table) -> str:
    """The SQL of a row's slice as audit.raw_slices keeps it: its supersedes_by values as a JSON array (dates in ISO
    form whatever the session's DateStyle)."""
    return "jsonb_build_array(" + ", ".join(table.supersedes_by) + ")::text"


def schema_drift(conn: psycopg.Connection) -> list[str]:
    """How the raw tables in the database differ from the contracts, each with the statement that would settle
    it. The DDL only ever adds columns: a changed type or a column the contract dropped would otherwise be
    ignored while the new schema's version is recorded."""
    found = {
        (table, column): kind
        for table, column, kind in conn.execute(
            "select c.relname, a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute as a"
            " join pg_class as c on c.oid = a.attrelid join pg_namespace as n on n.oid = c.relnamespace"
            " where n.nspname = 'raw' and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped"
        ).fetchall()
    }
    drift = []
    for table in TABLES.values():
        if not any(t == table.name for t, _ in found):
            continue  # not made yet: the DDL makes it
        wanted = {
            **{name: kind.removesuffix(" not null") for name, kind in RAW_COLUMNS.items()},
            **{c.name: c.type.sql_type for c in table.columns},
        }
        for (t, column), kind in sorted(found.items()):
            if t != table.name:
                continue
            name = sql.Identifier(column).as_string(conn)  # whoever added the column chose its name
            if column not in wanted:
                drift.append(
                    f"{table.raw_table}.{name} ({kind}) is not in the contract: keep its data elsewhere, then "
                    f"`alter table {table.raw_table} drop column {name};`"
                )
            elif kind.replace(" ", "") != wanted[column].replace(" ", ""):
                drift.append(
                    f"{table.raw_table}.{name} is {kind} but the contract says {wanted[column]}: "
                    f"`alter table {table.raw_table} alter column {name} type {wanted[column]} "
                    f"using {name}::{wanted[column]};`"
                )
    return drift


def schema_ddl() -> str:
    ddl = resources.files("gender_warehouse").joinpath("sql/schema.sql").read_text()
    return ddl + "".join(raw_table_ddl(t) for t in TABLES.values())


def redact_uri(url: str) -> str:
    """The URL as a postgresql:// URI, with any password replaced by ***."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return mask_secrets(url, url)
    options = {k: v for k, v in info.items() if k not in ("host", "port", "user", "password", "dbname")}
    host = str(info.get("host") or "")
    port = int(info["port"]) if info.get("port") else None
    password = "***" if info.get("password") else None
    uri = url_from_parts(host, port, str(info.get("user") or ""), password, str(info.get("dbname") or ""), options)
    return uri.replace(":%2A%2A%2A@", ":***@")


def ensure_schema(url: str) -> None:
    """Create or update the schemas and tables the ingestion needs; cheap and safe to call on every command.

    Once `gwh db roles` has run, the schema belongs to warehouse_owner and only a session that may take that role
    (an administrator) changes it; the loader, logging in by itself, is told to ask one."""
    from gender_warehouse import roles

    ddl = schema_ddl()
    version = "gender_warehouse " + hashlib.sha256(ddl.encode()).hexdigest()[:16]
    with connect(url, autocommit=True) as conn:
        current = conn.execute(
            "select obj_description(oid, 'pg_namespace') from pg_namespace where nspname = 'audit'"
        ).fetchone()
        if current and current[0] == version:
            return
        if roles.has_roles(conn) and not roles.use_role(conn, roles.OWNER):
            raise DatabaseError(
                f"the warehouse schema in {redact(url)} needs an update that only its owner ({roles.OWNER}) may "
                "make: run `gwh db roles` once with an administrator's GWH_DATABASE_URL, then try again"
            )
        with conn.transaction():
            # Two processes starting on a new database at once must not both run the DDL; a session that holds
            # this lock for ever (any role can take an advisory lock) delays the update, never the loads.
            conn.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(SCHEMA_LOCK_TIMEOUT)))
            try:
                conn.execute("select pg_advisory_xact_lock(hashtext('gender_warehouse.schema'))")
            except psycopg.errors.LockNotAvailable:
                raise DatabaseError(
                    f"another session has been updating the warehouse schema in {redact(url)} for over "
                    f"{SCHEMA_LOCK_TIMEOUT}; see pg_stat_activity and pg_locks, then try again"
                ) from None
            if drift := schema_drift(conn):
                raise DatabaseError(
                    f"the raw tables in {redact(url)} differ from the contracts; nothing was changed. Review and "
                    "run, as the owner (warehouse_owner or an administrator):\n  " + "\n  ".join(drift)
                )
            conn.execute(ddl)
            conn.execute(f"comment on schema audit is '{version}'")
