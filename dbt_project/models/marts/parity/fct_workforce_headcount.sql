{#- Incremental: a load rebuilds the entity snapshots it holds (macros/incremental.sql). -#}
{{-
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['entity_code', 'snapshot_date'],
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['entity_code', 'snapshot_date']}, {'columns': ['load_id']}],
        meta={'slices_of': 'hr_headcount'},
        pre_hook="{{ forget_rows_if_inputs_changed() }}",
        post_hook="{{ record_incremental_inputs() }}",
    )
-}}
with classified as (
    select * from {{ ref('int_hr_headcount_classified') }}
    where {{ incremental_slices('hr_headcount', {'entity_code': 'text', 'snapshot_date': 'date'}) }}
),

loads as (
    select * from {{ source('audit', 'loads') }}
    where table_name = 'hr_headcount'
),

aggregated as (
    select
        entity_code,
        snapshot_date,
        grade_code,
        canonical_level,
        staff_category,
        location_type,
        duty_station_country_code,
        sex,
        min(grade_rank) as grade_rank,
        bool_and(in_parity_scope) as in_parity_scope,
        min(submission_id) as submission_id,
        sum(headcount) as headcount,
        sum(headcount) filter (where is_one_year_or_more) as headcount_one_year_or_more
    from classified
    group by
        entity_code, snapshot_date, grade_code, canonical_level, staff_category, location_type,
        duty_station_country_code, sex
),

final as (
    select
        entity_code::text as entity_code,
        snapshot_date::date as snapshot_date,
        extract(year from snapshot_date)::integer as snapshot_year,
        grade_code::text as grade_code,
        canonical_level::text as canonical_level,
        grade_rank::integer as level_rank,
        staff_category::text as staff_category,
        in_parity_scope::boolean as in_parity_scope,
        location_type::text as location_type,
        duty_station_country_code::text as duty_station_country_code,
        sex::text as sex,
        headcount::integer as headcount,
        coalesce(headcount_one_year_or_more, 0)::integer as headcount_one_year_or_more,
        aggregated.submission_id::bigint as submission_id,
        loads.load_id::bigint as load_id
    from aggregated
    inner join loads on loads.submission_id = aggregated.submission_id
)

select * from final
