"""The raw tables follow the contracts: a schema update adds what a contract gained, and refuses, with the
statements to review, what it cannot do by adding (a changed type, a column the contract no longer has)."""

from __future__ import annotations

import psycopg
import pytest

from gender_warehouse import db
from gender_warehouse.contracts import TABLES

pytestmark = pytest.mark.integration


def test_a_raw_table_that_drifted_from_its_contract_is_an_error_with_the_migration(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("alter table raw.hr_headcount alter column headcount type text")
        conn.execute('alter table raw.hr_headcount add column "Old Column" text')
        conn.execute("comment on schema audit is 'an older version'")
    with pytest.raises(db.DatabaseError) as raised:
        db.ensure_schema(database_url)
    message = str(raised.value)
    assert "nothing was changed" in message
    assert 'raw.hr_headcount."headcount" is text but the contract says integer' in message
    assert 'alter column "headcount" type integer using "headcount"::integer;' in message
    assert 'alter table raw.hr_headcount drop column "Old Column";' in message
    with psycopg.connect(database_url) as conn:  # the version is not recorded over a schema that does not match
        assert conn.execute("select obj_description('audit'::regnamespace)").fetchone() == ("an older version",)
        conn.execute("alter table raw.hr_headcount alter column headcount type integer using headcount::integer")
        conn.execute('alter table raw.hr_headcount drop column "Old Column"')
        conn.commit()
    db.ensure_schema(database_url)
    with psycopg.connect(database_url) as conn:
        assert conn.execute("select obj_description('audit'::regnamespace)").fetchone() != ("an older version",)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_each_raw_table_finds_its_slices_by_the_index_its_contract_names(database_url: str, name: str) -> None:
    """The slices index is of the method the contract names (BRIN for the large HR loads, btree for programme
    rules' probes); a warehouse made with the other method gets the named one at its next schema update."""
    table = TABLES[name]
    assert table.slices_index in ("btree", "brin")
    method = "select am.amname from pg_class as c join pg_am as am on am.oid = c.relam where c.oid = %s::regclass"
    index = f"raw.{name}_slices"
    other = "brin" if table.slices_index == "btree" else "btree"
    with psycopg.connect(database_url, autocommit=True) as conn:
        assert conn.execute(method, (index,)).fetchone() == (table.slices_index,)
        conn.execute(f"drop index {index}")
        conn.execute(f"create index {name}_slices on raw.{name} using {other} ({', '.join(table.supersedes_by)})")
        conn.execute("comment on schema audit is 'an older version'")
    db.ensure_schema(database_url)
    with psycopg.connect(database_url) as conn:
        assert conn.execute(method, (index,)).fetchone() == (table.slices_index,)
        columns = "select pg_get_indexdef(%s::regclass, k, false) from generate_series(1, 16) as k"
        found = [c for (c,) in conn.execute(columns, (index,)) if c]
        assert found == db.slices_index_columns(table).split(", ")
        # A BRIN slices index holds submission_id too: the table keeps no other index for it.
        assert (table.slices_index == "brin") == (
            conn.execute("select to_regclass(%s)", (f"raw.{name}_submission",)).fetchone() == (None,)
        )


def test_a_warehouse_made_with_two_brin_indexes_gets_the_one_that_holds_both(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("drop index raw.hr_headcount_slices")
        conn.execute("create index hr_headcount_slices on raw.hr_headcount using brin (entity_code, snapshot_date)")
        conn.execute("create index hr_headcount_submission on raw.hr_headcount using brin (submission_id)")
        conn.execute("comment on schema audit is 'an older version'")
    db.ensure_schema(database_url)
    with psycopg.connect(database_url) as conn:
        assert conn.execute("select to_regclass('raw.hr_headcount_submission')").fetchone() == (None,)
        [(definition,)] = conn.execute("select pg_get_indexdef('raw.hr_headcount_slices'::regclass)").fetchall()
        assert "USING brin (submission_id, entity_code, snapshot_date)" in definition
