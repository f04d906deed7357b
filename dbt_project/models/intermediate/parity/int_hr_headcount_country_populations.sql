{#- Women, men and other/unknown staff on appointments of one year or more of every entity snapshot, by duty-station
    country and population (each canonical level, each staff category, all staff): what the country parity table
    adds up across entities. Kept incrementally like int_hr_headcount_populations (macros/incremental.sql), so that
    a build never reads every raw row; populations with no staff of a year or more are kept (a slice's rows are all
    here) and left out by the mart. The body is int_hr_headcount_populations' with the country as one more key,
    written out rather than shared through a macro: an incremental model rebuilds when its own file changes
    (macros/incremental.sql fingerprints files, not macros). -#}
{{-
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['entity_code', 'snapshot_date'],
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['entity_code', 'snapshot_date']}],
        meta={'slices_of': 'hr_headcount'},
        pre_hook="{{ forget_rows_if_inputs_changed() }}",
        post_hook="{{ record_incremental_inputs() }}",
    )
-}}
with staff as (
    select
        entity_code,
        snapshot_date,
        duty_station_country_code,
        canonical_level,
        grade_rank as level_rank,
        staff_category,
        sex,
        submission_id,
        is_one_year_or_more,
        headcount
    from {{ ref('int_hr_headcount_classified') }}
    where {{ incremental_slices('hr_headcount', {'entity_code': 'text', 'snapshot_date': 'date'}) }}
),

unioned as (
    {{ population_rollup('staff', ['entity_code', 'snapshot_date', 'duty_station_country_code', 'submission_id', 'is_one_year_or_more', 'sex'], 'headcount') }}
),

loads as (
    select * from {{ source('audit', 'loads') }}
    where table_name = 'hr_headcount'
),

populations as (
    select
        entity_code,
        snapshot_date,
        duty_station_country_code,
        population_type,
        population_code,
        staff_category,
        coalesce(min(population_rank) filter (where is_one_year_or_more), min(population_rank)) as population_rank,
        max(submission_id) as submission_id,
        bool_or(is_one_year_or_more) as has_staff_one_year_or_more,
        coalesce(sum(headcount) filter (where is_one_year_or_more and sex = 'F'), 0)::integer as women,
        coalesce(sum(headcount) filter (where is_one_year_or_more and sex = 'M'), 0)::integer as men,
        coalesce(sum(headcount) filter (where is_one_year_or_more and sex in ('X', 'U')), 0)::integer
            as other_or_unknown
    from unioned
    group by entity_code, snapshot_date, duty_station_country_code, population_type, population_code, staff_category
),

final as (
    select populations.*, loads.load_id
    from populations
    inner join loads on loads.submission_id = populations.submission_id
)

select * from final
