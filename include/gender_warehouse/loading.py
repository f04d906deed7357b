"""Into PostgreSQL: COPY a table's typed rows into raw, supersede the earlier versions of the same slices.

Everything here runs inside the caller's transaction: a rejected or failed file leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

from gender_warehouse import db, settings
from gender_warehouse.canonical import Canonical
from gender_warehouse.contracts import Table

BATCH_ROWS = 100_000


class LoadBusy(RuntimeError):
    """Another load of the same table held its turn too long: this file's load was rolled back, to be run again."""


def copy_rows(conn: psycopg.Connection, rows: Canonical, submission_id: int) -> int:
    """COPY the typed rows into raw.<table> with their submission and place in the file. Returns the count."""
    with conn.cursor() as cur, cur.copy(copy_statement(rows.table)) as copy:
        send_rows(copy, rows, submission_id)
    return rows.row_count


@contextmanager
def streaming_copy(conn: psycopg.Connection, table: Table, submission_id: int) -> Iterator[Callable[[Canonical], None]]:
    """A COPY into raw.<table> that takes typed rows a part at a time, sent to PostgreSQL by another thread: the
    caller types the next part on one core while PostgreSQL takes the last on the other. An error raised inside
    ends the COPY and is raised again (the caller's savepoint takes back what was sent)."""
    with conn.cursor() as cur, cur.copy(copy_statement(table), writer=QueuedLibpqWriter(cur)) as copy:
        yield lambda rows: send_rows(copy, rows, submission_id)


def copy_statement(table: Table) -> sql.Composed:
    columns = sql.SQL(", ").join(
        map(sql.Identifier, ("submission_id", "source_sheet", "source_row", *table.column_names))
    )
    return sql.SQL("copy {} ({}) from stdin (format csv)").format(sql.SQL(table.raw_table), columns)


def send_rows(copy: psycopg.Copy, rows: Canonical, submission_id: int) -> None:
    n = rows.row_count
    data = pa.table(
        {
            "submission_id": pa.repeat(pa.scalar(submission_id, pa.int64()), n),
            "source_sheet": pa.repeat(pa.scalar(rows.sheet, pa.string()), n),
            **{name: rows.rows.column(name) for name in ("source_row", *rows.table.column_names)},
        }
    )
    for batch in data.to_batches(max_chunksize=BATCH_ROWS):
        copy.write(csv_for_copy(batch))


def csv_for_copy(batch: pa.RecordBatch) -> memoryview:
    """A batch as CSV that COPY reads back as the same values: a null is an empty unquoted field, an empty text
    a quoted one. Text is written unquoted when no value needs quotes (a fifth fewer bytes for COPY to parse);
    a batch with a quote, delimiter or line break in a value, or an empty text, is written with every text quoted.
    """
    buffer = io.BytesIO()
    texts = [c for c in batch.columns if pa.types.is_string(c.type) or pa.types.is_large_string(c.type)]
    has_empty = any(pc.any(pc.equal(pc.utf8_length(c), 0)).as_py() for c in texts)
    try:
        if has_empty:
            raise pa.ArrowInvalid("an empty text must be quoted")
        pacsv.write_csv(batch, buffer, write_options=UNQUOTED)
    except pa.ArrowInvalid:  # Arrow refuses to write unquoted a value that needs quotes
        buffer = io.BytesIO()
        pacsv.write_csv(batch, buffer, write_options=QUOTED)
    return buffer.getbuffer()


UNQUOTED = pacsv.WriteOptions(include_header=False, quoting_style="none")
QUOTED = pacsv.WriteOptions(include_header=False, quoting_style="needed")


def batch_view(conn: psycopg.Connection, table: Table, submission_id: int) -> sql.Identifier:
    """A temporary view of one submission's rows of a table: the batch its suite validates."""
    view = sql.Identifier(f"batch_{table.name}")
    conn.execute(
        sql.SQL("create or replace temporary view {} as select * from {} where submission_id = {}").format(
            view, sql.SQL(table.raw_table), sql.Literal(submission_id)
        )
    )
    return view


def record_slices(conn: psycopg.Connection, table: Table, submission_id: int, rows: Canonical) -> None:
    """This submission's slices into audit.raw_slices, from its typed rows' distinct key values (a million rows hold
    a few hundred slices)."""
    keys = list(table.supersedes_by)
    distinct = rows.rows.select(keys).group_by(keys).aggregate([])
    insert_slices(conn, "raw_slices", table, submission_id, [distinct.column(k).to_pylist() for k in keys])


# A rejected file's rows may name anything: its claims are kept up to this many slices (a real file names a few
# hundred), and values PostgreSQL cannot store as text (NUL) name none.
MAX_CLAIMED_SLICES = 10_000


def record_claims(conn: psycopg.Connection, table: Table, submission_id: int, rows: Canonical) -> None:
    """What a rejected submission was sent for, into audit.claimed_slices: the distinct key values of its rows as
    parsed, those that parsed in every key column."""
    keys = list(table.supersedes_by)
    distinct = rows.rows.select(keys).drop_null().group_by(keys).aggregate([])
    found = [
        values
        for values in zip(*(distinct.column(k).to_pylist() for k in keys), strict=True)
        if not any(isinstance(v, str) and "\x00" in v for v in values)
    ][:MAX_CLAIMED_SLICES]
    insert_slices(
        conn, "claimed_slices", table, submission_id, [list(c) for c in zip(*found, strict=True)] or [[]] * len(keys)
    )


def insert_slices(
    conn: psycopg.Connection, into: str, table: Table, submission_id: int, columns: list[list[Any]]
) -> None:
    """Slices (one list of values per key column) into audit.<into>: PostgreSQL makes each slice's text, as the
    backfill in db.raw_table_ddl does."""
    keys = list(table.supersedes_by)
    types = {c.name: c.type.sql_type for c in table.columns}
    conn.execute(
        sql.SQL(
            "insert into {into} (table_name, slice, submission_id)"
            " select {name}, {slice}, {sid} from unnest({arrays}) as d ({keys}) on conflict do nothing"
        ).format(
            into=sql.Identifier("audit", into),
            name=sql.Literal(table.name),
            slice=sql.SQL(db.slice_text(table)),
            sid=sql.Literal(submission_id),
            arrays=sql.SQL(", ").join(sql.SQL("%s::{}[]").format(sql.SQL(types[k])) for k in keys),
            keys=sql.SQL(", ").join(map(sql.Identifier, keys)),
        ),
        columns,
    )


def claim_loaded_slices(conn: psycopg.Connection, submission_id: int) -> None:
    """A loaded submission was sent for the slices it holds (audit.raw_slices): into audit.claimed_slices."""
    conn.execute(
        "insert into audit.claimed_slices (table_name, slice, submission_id)"
        " select table_name, slice, submission_id from audit.raw_slices where submission_id = %s"
        " on conflict do nothing",
        (submission_id,),
    )


def supersede(
    conn: psycopg.Connection, table: Table, submission_id: int, keys: tuple[str, ...] | None, rows: Canonical
) -> tuple[int, list[int]]:
    """Settle which version of each slice this submission touches is current: the one submitted last.

    "Submitted" is the file's time in the landing folder (audit.submissions.submitted_at), so the outcome does
    not depend on the order files happen to be loaded in: an older file loaded after a newer one is superseded
    at once. Returns how many rows of other submissions this one superseded, and every submission whose rows
    changed (whose status may now be 'superseded').
    """
    # Loads of one table take turns here: each settles the slices with every committed version in view.
    lock_table(conn, table)
    record_slices(conn, table, submission_id, rows)
    if keys is None or tuple(keys) == table.supersedes_by:  # None: the file says no more than the table's slices
        return supersede_by_slices(conn, table, submission_id)
    # Slices other than the contract's (an IATI file states each activity whole: its slice is the programme):
    # settled over the rows of those slices.
    slice_by = keys
    keys_sql = sql.SQL(", ").join(map(sql.Identifier, slice_by))
    row_keys = sql.SQL(", ").join(sql.SQL("r.{}").format(sql.Identifier(k)) for k in slice_by)
    winner_keys = sql.SQL(", ").join(sql.SQL("w.{}").format(sql.Identifier(k)) for k in slice_by)
    query = sql.SQL(
        "with slices as (select distinct {keys} from {raw} where submission_id = {sid}),"
        " winners as ("
        "  select distinct on ({row_keys}) {row_keys}, r.submission_id as winner"
        "  from {raw} as r join slices using ({keys}) join audit.submissions as s using (submission_id)"
        "  order by {row_keys}, s.submitted_at desc, s.submission_id desc),"
        " changed as ("
        "  update {raw} as r set superseded_by = nullif(w.winner, r.submission_id) from winners as w"
        "  where ({row_keys}) = ({winner_keys})"
        "  and r.superseded_by is distinct from nullif(w.winner, r.submission_id)"
        "  returning r.submission_id, r.superseded_by)"
        " select count(*) filter (where superseded_by = {sid} and submission_id <> {sid}),"
        " coalesce(array_agg(distinct submission_id), '{{}}') from changed"
    ).format(
        raw=sql.SQL(table.raw_table),
        sid=sql.Literal(submission_id),
        keys=keys_sql,
        row_keys=row_keys,
        winner_keys=winner_keys,
    )
    row = conn.execute(query).fetchone()
    assert row is not None
    return int(row[0]), list(row[1])


def supersede_by_slices(conn: psycopg.Connection, table: Table, submission_id: int) -> tuple[int, list[int]]:
    """supersede() over audit.raw_slices: the versions of each slice this submission touches and the one submitted
    last, found there; then only the rows of the versions that lost, submission by submission (each one's rows lie
    together: the BRIN index on submission_id finds them), get the winner. The winner's own rows are current
    already: it was the latest before, or it is this submission, whose rows have just landed."""
    losers = conn.execute(
        sql.SQL(
            # One pass, a window over each slice's versions: no join of the versions with themselves, which a
            # planner without statistics on the new rows would run as a nested loop (10,000 slices: 20 s).
            "with versions as ("
            "  select v.slice, v.submission_id, first_value(v.submission_id) over ("
            "   partition by v.slice order by s.submitted_at desc, v.submission_id desc) as winner"
            "  from audit.raw_slices as mine"
            "  join audit.raw_slices as v on v.table_name = mine.table_name and v.slice = mine.slice"
            "  join audit.submissions as s on s.submission_id = v.submission_id"
            "  where mine.table_name = {name} and mine.submission_id = {sid})"
            " select submission_id, winner, array_agg(slice order by slice) from versions"
            " where submission_id <> winner group by submission_id, winner order by submission_id, winner"
        ).format(name=sql.Literal(table.name), sid=sql.Literal(submission_id))
    ).fetchall()
    superseded, owners = 0, set()
    for loser, winner, slices in losers:
        changed = conn.execute(
            sql.SQL(
                "update {raw} set superseded_by = {winner} where submission_id = {loser}"
                " and {slice} = any({slices}) and superseded_by is distinct from {winner}"
            ).format(
                raw=sql.SQL(table.raw_table),
                winner=sql.Literal(winner),
                loser=sql.Literal(loser),
                slice=sql.SQL(db.slice_text(table)),
                slices=sql.Literal(slices),
            )
        ).rowcount
        if changed:
            owners.add(loser)
            if winner == submission_id:
                superseded += changed
    return superseded, sorted(owners)


def lock_table(conn: psycopg.Connection, table: Table) -> None:
    """Loads of one table take turns settling supersession, each with every committed version in view.

    The turn is the table's row of audit.load_turns, which only the loader may read: no reader can hold it. A load
    that waits longer than GWH_LOAD_LOCK_TIMEOUT for another says so, and its file may be ingested again."""
    conn.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(settings.load_lock_timeout())))
    try:
        turn = conn.execute(
            "select table_name from audit.load_turns where table_name = %s for update", (table.name,)
        ).fetchone()
    except psycopg.errors.LockNotAvailable:
        raise LoadBusy(
            f"another load of {table.name} has held its turn for over {settings.load_lock_timeout()}: nothing "
            "of this file was loaded; ingest it again once that load has finished (see pg_stat_activity)"
        ) from None
    conn.execute("set local lock_timeout = default")
    assert turn is not None, f"audit.load_turns has no row for {table.name}"


def supersede_programmes(
    conn: psycopg.Connection, table: Table, submission_id: int, programmes: list[str]
) -> tuple[int, list[int]]:
    """Rows of these programmes from earlier submissions give way to this one, which has none in this table:
    an IATI file states its activities whole, so what it no longer reports is no longer current."""
    lock_table(conn, table)
    query = sql.SQL(
        "with changed as ("
        " update {raw} as r set superseded_by = {sid}"
        " from audit.submissions as s, audit.submissions as me"
        " where r.programme_id = any({programmes}) and r.superseded_by is null and r.submission_id <> {sid}"
        " and s.submission_id = r.submission_id and me.submission_id = {sid}"
        " and (s.submitted_at, s.submission_id) < (me.submitted_at, me.submission_id)"
        " returning r.submission_id)"
        " select count(*), coalesce(array_agg(distinct submission_id), '{{}}') from changed"
    ).format(raw=sql.SQL(table.raw_table), sid=sql.Literal(submission_id), programmes=sql.Literal(programmes))
    row = conn.execute(query).fetchone()
    assert row is not None
    return int(row[0]), list(row[1])


@dataclass(frozen=True)
class Overlap:
    """This submission's period of a slice against another current period of it that it overlaps."""

    slice_values: tuple[Any, ...]
    mine: tuple[dt.date, dt.date]
    theirs: tuple[dt.date, dt.date]
    their_submission: int
    their_file: str
    theirs_later: bool  # submitted after this one
    rows: list[int]  # this file's rows of that period

    @property
    def replaceable(self) -> bool:
        """A later period that covers an earlier one replaces it; nothing else is settled by itself."""
        mine_covers = self.mine[0] <= self.theirs[0] and self.theirs[1] <= self.mine[1]
        theirs_covers = self.theirs[0] <= self.mine[0] and self.mine[1] <= self.theirs[1]
        return (mine_covers and not self.theirs_later) or (theirs_covers and self.theirs_later)


def period_overlaps(conn: psycopg.Connection, table: Table, submission_id: int) -> list[Overlap]:
    """Current periods of other submissions that overlap, without being the same as, a period of this one in the
    same slice (entity). Takes the table's turn first, so that what it sees stays true until the commit."""
    if table.exclusive_period is None:
        return []
    lock_table(conn, table)
    start, end = map(sql.Identifier, table.exclusive_period)
    keys = sql.SQL(", ").join(map(sql.Identifier, table.period_slice))
    query = sql.SQL(
        "with mine as ("
        "  select {keys}, {start} as p_start, {end} as p_end, array_agg(source_row order by source_row) as source_rows"
        "  from {raw} where submission_id = {sid} group by {keys}, {start}, {end}),"
        " theirs as ("
        "  select distinct {keys}, {start} as q_start, {end} as q_end, submission_id from {raw}"
        "  where superseded_by is null and submission_id <> {sid}),"
        " me as (select submitted_at, submission_id from audit.submissions where submission_id = {sid})"
        " select array[{keys_mine}], p_start, p_end, q_start, q_end, t.submission_id, s.file_name,"
        "  (s.submitted_at, s.submission_id) > (me.submitted_at, me.submission_id), source_rows"
        " from mine join theirs as t using ({keys}) join audit.submissions as s using (submission_id) cross join me"
        " where p_start <= q_end and q_start <= p_end and (p_start, p_end) <> (q_start, q_end)"
        " order by p_start, q_start"
    ).format(
        keys=keys,
        keys_mine=sql.SQL(", ").join(sql.SQL("mine.{}::text").format(sql.Identifier(k)) for k in table.period_slice),
        start=start,
        end=end,
        raw=sql.SQL(table.raw_table),
        sid=sql.Literal(submission_id),
    )
    return [
        Overlap(tuple(values), (p0, p1), (q0, q1), sid, file_name, later, list(rows))
        for values, p0, p1, q0, q1, sid, file_name, later, rows in conn.execute(query).fetchall()
    ]


def supersede_covered_periods(
    conn: psycopg.Connection, table: Table, submission_id: int, overlaps: list[Overlap]
) -> tuple[int, list[int]]:
    """Settle the overlaps a later, covering period decides: the covered period's rows give way to it. Returns
    how many rows of other submissions this one superseded, and every submission whose rows changed."""
    assert table.exclusive_period is not None, f"{table.name} has no exclusive period"
    start, end = map(sql.Identifier, table.exclusive_period)
    superseded, owners = 0, set()
    for o in overlaps:
        loser, winner, period = (
            (submission_id, o.their_submission, o.mine)
            if o.theirs_later
            else (o.their_submission, submission_id, o.theirs)
        )
        conditions = sql.SQL(" and ").join(
            sql.SQL("{} = {}").format(sql.Identifier(k), sql.Literal(v))
            for k, v in zip(table.period_slice, o.slice_values, strict=True)
        )
        changed = conn.execute(
            sql.SQL(
                "update {raw} set superseded_by = {winner} where submission_id = {loser} and superseded_by is null"
                " and {start} = {p0} and {end} = {p1} and {conditions}"
            ).format(
                raw=sql.SQL(table.raw_table),
                winner=sql.Literal(winner),
                loser=sql.Literal(loser),
                start=start,
                end=end,
                p0=sql.Literal(period[0]),
                p1=sql.Literal(period[1]),
                conditions=conditions,
            )
        ).rowcount
        owners.add(loser)
        if winner == submission_id:
            superseded += changed
    return superseded, sorted(owners)
