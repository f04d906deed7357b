{#- Who owes what: one row per submission the reporting calendar expects (a kind of submission, the date its data
    is as of, a reporter), with what came for it. A file counts for what its rows name (audit.claimed_slices: the
    entity and the snapshot date or period end of each row), loaded or rejected; the first file that loaded says
    whether it came on time. A view: statuses are as of the day it is read (the dbt var `reporting_status_date`
    pins a day). -#}
with calendar as (
    select * from {{ ref('ref_reporting_calendar') }}
),

entities as (
    select * from {{ ref('ref_entities') }}
),

countries as (
    select * from {{ ref('ref_countries') }}
),

expected as (
    select
        calendar.submission_kind,
        calendar.cycle,
        calendar.as_of_date,
        calendar.due_date,
        reporter as reporter_code
    from calendar
    cross join lateral regexp_split_to_table(trim(calendar.expected_reporters), '\s+') as reporter
),

claimed as (
    -- A slice begins with its reporter (an entity, a country team) and ends with what its data is as of: a date
    -- (a snapshot, the end of a period) or a year (ratings: as of its 31 December).
    select
        claimed.table_name as submission_kind,
        claimed.slice::jsonb ->> 0 as reporter_code,
        claimed.slice::jsonb ->> (jsonb_array_length(claimed.slice::jsonb) - 1) as slice_end,
        claimed.submission_id
    from {{ source('audit', 'claimed_slices') }} as claimed
    where claimed.table_name in (select submission_kind from calendar)
),

claims as (
    select
        claimed.submission_kind,
        claimed.reporter_code,
        -- Guarded casts: a view's filters may run after its expressions, on slices of every kind.
        case
            when claimed.slice_end ~ '^\d{4}-\d{2}-\d{2}$' then claimed.slice_end::date
            when claimed.slice_end ~ '^\d{4}$' then make_date(claimed.slice_end::integer, 12, 31)
        end as as_of_date,
        submissions.submission_id,
        submissions.status,
        submissions.file_name,
        coalesce(submissions.submitted_at, submissions.received_at) as sent_at
    from claimed
    inner join {{ source('audit', 'submissions') }} as submissions
        on submissions.submission_id = claimed.submission_id
),

received as (
    select
        expected.submission_kind,
        expected.reporter_code,
        expected.as_of_date,
        min(claims.sent_at) filter (where claims.status in ('loaded', 'superseded')) as first_loaded_at,
        (array_agg(claims.submission_id order by claims.sent_at, claims.submission_id)
            filter (where claims.status in ('loaded', 'superseded')))[1] as first_loaded_submission_id,
        count(claims.submission_id) filter (where claims.status = 'rejected') as rejected_files,
        count(claims.submission_id) filter (where claims.status not in ('loaded', 'superseded', 'rejected'))
            as files_in_progress,
        (array_agg(claims.file_name order by claims.sent_at desc, claims.submission_id desc)
            filter (where claims.submission_id is not null))[1] as latest_file_name,
        max(claims.sent_at) as latest_sent_at,
        array_agg(distinct claims.submission_id) filter (where claims.submission_id is not null)
            as claimed_submission_ids
    from expected
    left join claims
        on claims.submission_kind = expected.submission_kind
        and claims.reporter_code = expected.reporter_code
        and claims.as_of_date = expected.as_of_date
    group by expected.submission_kind, expected.reporter_code, expected.as_of_date
),

judged as (
    select
        expected.*,
        received.first_loaded_at,
        received.first_loaded_submission_id,
        received.rejected_files,
        received.files_in_progress,
        received.latest_file_name,
        received.latest_sent_at,
        received.claimed_submission_ids,
        {{ "'" ~ var('reporting_status_date') ~ "'::date" if var('reporting_status_date', none) else 'current_date' }}
            as status_date
    from expected
    inner join received
        on received.submission_kind = expected.submission_kind
        and received.reporter_code = expected.reporter_code
        and received.as_of_date = expected.as_of_date
),

final as (
    select
        judged.submission_kind::text as submission_kind,
        judged.cycle::text as cycle,
        judged.as_of_date::date as as_of_date,
        judged.due_date::date as due_date,
        judged.reporter_code::text as reporter_code,
        coalesce(entities.entity_name, 'UN country team in ' || countries.country_name)::text as reporter_name,
        (case
            when judged.first_loaded_at::date <= judged.due_date then 'received on time'
            when judged.first_loaded_at is not null then 'received late'
            when judged.files_in_progress > 0 then 'received, not yet loaded'
            when judged.rejected_files > 0 then 'rejected, not resubmitted'
            when judged.status_date <= judged.due_date then 'not yet due'
            else 'missing'
        end)::text as reporting_status,
        (case when judged.first_loaded_at::date > judged.due_date
            then judged.first_loaded_at::date - judged.due_date end)::integer as days_late,
        (case when judged.first_loaded_at is null and judged.status_date > judged.due_date
            then judged.status_date - judged.due_date end)::integer as days_overdue,
        judged.first_loaded_at::timestamptz as first_loaded_at,
        judged.first_loaded_submission_id::bigint as first_loaded_submission_id,
        judged.rejected_files::integer as rejected_files,
        judged.latest_file_name::text as latest_file_name,
        judged.latest_sent_at::timestamptz as latest_sent_at,
        coalesce(judged.claimed_submission_ids, '{}')::bigint[] as claimed_submission_ids,
        judged.status_date::date as status_date
    from judged
    left join entities on entities.entity_code = judged.reporter_code
    -- A country team reports ratings under its country's code (no entity code is a country code: a test).
    left join countries on judged.submission_kind = 'swap_ratings' and countries.country_code = judged.reporter_code
)

select * from final
