-- The schemas the ingestion owns. Every statement is idempotent: this file runs on every new database and
-- again whenever it changes. The raw.<table> tables are created from contracts.py (see db.raw_table_ddl).

-- Made only when missing: once `gwh db roles` has run, this file runs as warehouse_owner, which owns these schemas
-- but may not create schemas (and PostgreSQL checks that privilege even for "create schema if not exists").
do $$
begin
    if not exists (select 1 from pg_namespace where nspname = 'audit') then create schema audit; end if;
    if not exists (select 1 from pg_namespace where nspname = 'raw') then create schema raw; end if;
end
$$;

comment on schema raw is 'Submitted rows exactly as accepted, one table per submission table; superseded rows are kept and marked.';

-- One row per distinct file (by sha256): the same bytes twice are one submission.
create table if not exists audit.submissions (
    submission_id   bigint generated always as identity primary key,
    sha256          text not null unique check (sha256 ~ '^[0-9a-f]{64}$'),
    file_name       text not null,
    file_size       bigint not null check (file_size >= 0),
    file_format     text not null,
    archive_path    text not null,
    submitted_by    text,
    status          text not null default 'received'
                    check (status in ('received', 'loaded', 'rejected', 'superseded')),
    tables          text[],
    row_count       bigint,
    error_count     integer,
    warning_count   integer,
    received_at     timestamptz not null default now(),
    validated_at    timestamptz,
    loaded_at       timestamptz,
    rejected_at     timestamptz,
    superseded_at   timestamptz,
    report_path     text
);
-- When the file was submitted (its time in the landing folder): the latest submitted version of a slice is current.
alter table audit.submissions add column if not exists submitted_at timestamptz;

-- Code lists grow with the project: (re)stated here so that an existing database picks them up.
alter table audit.submissions drop constraint if exists submissions_file_format_check;
alter table audit.submissions add constraint submissions_file_format_check
    check (file_format in ('csv', 'xlsx', 'xml', 'other'));
-- A file that something other than its content stopped (a bug, the server going away) is 'failed', with the
-- error, so that it never waits unseen as 'received'; ingesting it again takes it up.
alter table audit.submissions add column if not exists failed_at timestamptz;
alter table audit.submissions add column if not exists failure text;
-- An IATI file whose activities are checked one by one loads its valid ones: 'partially accepted', with the
-- refused activities among its issues (severity 'refused').
alter table audit.submissions drop constraint if exists submissions_status_check;
alter table audit.submissions add constraint submissions_status_check
    check (status in ('received', 'loaded', 'partially accepted', 'rejected', 'superseded', 'failed'));
comment on table audit.submissions is 'Every file submitted, by content hash, with its status and the times it changed.';

-- Every time a file arrives: a resent identical file is one submission (its bytes came before), but its arrival
-- is recorded here, 'unchanged', as the first was 'taken'. landed_at is its time in the landing folder (null when
-- given on the command line): the landing folder takes a file again only when no receipt has its name and time.
create table if not exists audit.file_receipts (
    receipt_id      bigint generated always as identity primary key,
    submission_id   bigint not null references audit.submissions (submission_id),
    file_name       text not null,
    landed_at       timestamptz,
    received_at     timestamptz not null default clock_timestamp(),
    outcome         text not null check (outcome in ('taken', 'unchanged'))
);
create index if not exists file_receipts_submission on audit.file_receipts (submission_id);
comment on table audit.file_receipts is 'Each arrival of a file, resent identical files included (outcome unchanged): who sent what, when, even when it changed nothing.';
-- A warehouse made before the receipts: each submission's first arrival, once.
insert into audit.file_receipts (submission_id, file_name, landed_at, received_at, outcome)
select submission_id, file_name, submitted_at, received_at, 'taken' from audit.submissions
where not exists (select from audit.file_receipts);

-- One row per validation of one table of a submission against its Great Expectations suite.
create table if not exists audit.validation_runs (
    validation_run_id  bigint generated always as identity primary key,
    submission_id      bigint not null references audit.submissions,
    table_name         text not null,
    suite_name         text not null,
    suite_sha256       text not null,
    success            boolean not null,
    evaluated          integer not null,
    failed_errors      integer not null,
    failed_warnings    integer not null,
    row_count          bigint not null,
    started_at         timestamptz not null,
    finished_at        timestamptz not null,
    result_path        text,
    result             jsonb not null
);
create index if not exists validation_runs_submission on audit.validation_runs (submission_id);
comment on table audit.validation_runs is 'Each validation of a submitted table: the suite (and the hash of its file) and the full Great Expectations result.';

-- What a submitter must fix (errors) or should look at (warnings), from reading or from validation.
create table if not exists audit.submission_issues (
    submission_id   bigint not null references audit.submissions,
    issue_no        integer not null,
    stage           text not null check (stage in ('register', 'read', 'validate')),
    severity        text not null check (severity in ('error', 'warning')),
    sheet           text,
    column_name     text,
    rows            bigint[],
    rule            text,
    message         text not null,
    primary key (submission_id, issue_no)
);
-- What the rows count: rows of a sheet or CSV file, or lines of an XML file.
alter table audit.submission_issues add column if not exists row_noun text not null default 'row'
    check (row_noun in ('row', 'line'));
alter table audit.submission_issues drop constraint if exists submission_issues_severity_check;
alter table audit.submission_issues add constraint submission_issues_severity_check
    check (severity in ('error', 'warning', 'refused'));
comment on table audit.submission_issues is 'Errors and warnings found in a submission, each naming the sheet, rows and column.';

-- One row per table loaded by a submission, written in the same transaction as the rows.
create table if not exists audit.loads (
    load_id          bigint generated always as identity primary key,
    submission_id    bigint not null references audit.submissions,
    table_name       text not null,
    rows_loaded      bigint not null,
    rows_superseded  bigint not null,
    transaction_id   xid8 not null default pg_current_xact_id(),
    loaded_at        timestamptz not null default now(),
    unique (submission_id, table_name)
);
comment on table audit.loads is 'Each load of a submitted table into raw: rows added, earlier rows it superseded, and the transaction.';


-- Every dbt invocation against the warehouse (gwh build, the build DAG's dbt_build), written by dbt itself at the
-- end of the run (macros/audit.sql, on-run-end), and each node it ran with its status.
create table if not exists audit.dbt_invocations (
    invocation_id   text primary key,
    command         text not null,
    dbt_version     text not null,
    started_at      timestamptz not null,
    finished_at     timestamptz not null default now(),
    database_user   text not null default current_user,
    node_count      integer not null,
    failed_count    integer not null,
    success         boolean not null
);
comment on table audit.dbt_invocations is 'Each dbt run that built or tested the warehouse: when, which command, as whom, and whether every node passed.';

create table if not exists audit.dbt_node_results (
    invocation_id   text not null references audit.dbt_invocations,
    unique_id       text not null,
    resource_type   text not null,
    status          text not null,
    execution_time  double precision,
    rows_affected   bigint,
    message         text,
    primary key (invocation_id, unique_id)
);
comment on table audit.dbt_node_results is 'Each seed, model, snapshot, data test and unit test of a dbt run, with its status.';

-- Loads of one raw table take turns settling supersession, each holding its table's row here (select ... for
-- update) until it commits. Only the loader may read this table, so no other role can take or hold a turn (an
-- advisory lock, which any role may take, would let a reader stop every load).
create table if not exists audit.load_turns (
    table_name  text primary key
);
comment on table audit.load_turns is 'One row per raw table: a load holds its table''s row while it settles which versions are current.';

-- Which submission holds rows of which slice of a raw table (the values of the table's supersedes_by columns, as
-- the text of a JSON array): the versions a load compares to settle which one is current, found here rather than by
-- reading every row of the slices (a million for a large file). Rows land in raw and never leave, so neither do
-- these.
create table if not exists audit.raw_slices (
    table_name      text not null,
    slice           text not null,
    submission_id   bigint not null,
    primary key (table_name, slice, submission_id)
);
comment on table audit.raw_slices is 'Which submission holds rows of which slice of each raw table (its supersedes_by values): the versions compared to settle which is current.';

-- What each submission is for, whether it loaded or not: the slices its rows name (an entity's snapshot or period,
-- a programme), so that a rejected file still counts as sent for them and the reporting status can say
-- "rejected, not yet resubmitted" rather than "missing".
create table if not exists audit.claimed_slices (
    table_name      text not null,
    slice           text not null,
    submission_id   bigint not null references audit.submissions (submission_id),
    primary key (table_name, slice, submission_id)
);
create index if not exists claimed_slices_submission on audit.claimed_slices (submission_id);
comment on table audit.claimed_slices is 'The slices (supersedes_by values, as in audit.raw_slices) each submission''s rows name, loaded or rejected: what it was sent for.';
-- A warehouse made before the claims: what its loaded submissions hold, once.
insert into audit.claimed_slices (table_name, slice, submission_id)
select table_name, slice, submission_id from audit.raw_slices
where not exists (select from audit.claimed_slices)
on conflict do nothing;

-- dbt writes these as the transformer once `gwh db roles` has made it: the right to insert, and no more; the
-- turns are the loader's alone (the owner's default privileges let the readers of audit read new tables).
do $$
begin
    if exists (select 1 from pg_roles where rolname = 'transformer') then
        grant insert on audit.dbt_invocations, audit.dbt_node_results to transformer;
        revoke all on audit.load_turns from transformer;
    end if;
    if exists (select 1 from pg_roles where rolname = 'auditor') then
        revoke all on audit.load_turns from auditor;
    end if;
end
$$;
