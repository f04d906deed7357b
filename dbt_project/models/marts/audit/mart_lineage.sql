{#- The lineage table: every slice of submitted data the marts are built from (one entity's snapshot, one
    entity's period of events, one programme's rows of a table, one unit's ratings of a year), with the submission
    it came from. A mart row is traced to its submissions through the columns it shares with this table:
    entity_code and a date within [period_start, period_end] for the HR marts, programme_id for the programme
    marts, reporting_unit and the year for the ratings marts (`gwh audit --figure`). -#}
with headcount as (
    select 'hr_headcount' as table_name, submission_id, entity_code, null::text as programme_id,
           null::text as reporting_unit, snapshot_date as period_start, snapshot_date as period_end, row_count
    from {{ ref('int_hr_headcount_slices') }}
),

events as (
    select 'hr_events', submission_id, entity_code, null::text, null::text, period_start, period_end, count(*)
    from {{ ref('stg_warehouse__hr_events') }}
    group by submission_id, entity_code, period_start, period_end
),

register as (
    select 'programme_register', submission_id, null::text, programme_id, null::text, min(start_date),
           max(end_date), count(*)
    from {{ ref('stg_warehouse__programme_register') }}
    group by submission_id, programme_id
),

beneficiaries as (
    select 'programme_beneficiaries', submission_id, null::text, programme_id, null::text, period_start,
           period_end, count(*)
    from {{ ref('stg_warehouse__programme_beneficiaries') }}
    group by submission_id, programme_id, period_start, period_end
),

funding as (
    select 'programme_funding', submission_id, null::text, programme_id, null::text, min(funding_date),
           max(coalesce(period_end, funding_date)), count(*)
    from {{ ref('stg_warehouse__programme_funding') }}
    group by submission_id, programme_id
),

ratings as (
    select 'swap_ratings', submission_id, null::text, null::text, reporting_unit,
           make_date(reporting_year, 1, 1), make_date(reporting_year, 12, 31), count(*)
    from {{ ref('stg_warehouse__swap_ratings') }}
    group by submission_id, reporting_unit, reporting_year
),

slices as (
    select * from headcount
    union all select * from events
    union all select * from register
    union all select * from beneficiaries
    union all select * from funding
    union all select * from ratings
),

submissions as (
    select * from {{ source('audit', 'submissions') }}
),

final as (
    select
        slices.table_name::text as table_name,
        slices.entity_code::text as entity_code,
        slices.programme_id::text as programme_id,
        slices.reporting_unit::text as reporting_unit,
        slices.period_start::date as period_start,
        slices.period_end::date as period_end,
        slices.row_count::bigint as row_count,
        slices.submission_id::bigint as submission_id,
        submissions.file_name::text as file_name,
        submissions.sha256::text as sha256,
        submissions.submitted_by::text as submitted_by,
        submissions.submitted_at::timestamptz as submitted_at,
        submissions.loaded_at::timestamptz as loaded_at
    from slices
    join submissions using (submission_id)
)

select * from final
