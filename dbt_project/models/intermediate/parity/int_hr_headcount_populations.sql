{#- Women, men and other/unknown staff on appointments of one year or more, for every population of every entity
    snapshot: each canonical level, each staff category (PROFESSIONAL_AND_HIGHER among them) and all staff; also
    the populations with no such staff (all temporary), which int_parity_populations leaves out: a slice's rows are
    all here, so that an incremental run (macros/incremental.sql), which replaces the slices it rebuilds, replaces
    every one of them. -#}
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
    {{ population_rollup('staff', ['entity_code', 'snapshot_date', 'submission_id', 'is_one_year_or_more', 'sex'], 'headcount') }}
),

loads as (
    select * from {{ source('audit', 'loads') }}
    where table_name = 'hr_headcount'
),

populations as (
    select
        entity_code,
        snapshot_date,
        population_type,
        population_code,
        staff_category,
        coalesce(min(population_rank) filter (where is_one_year_or_more), min(population_rank)) as population_rank,
        -- one submission per entity snapshot: the current one
        max(submission_id) as submission_id,
        bool_or(is_one_year_or_more) as has_staff_one_year_or_more,
        coalesce(sum(headcount) filter (where is_one_year_or_more and sex = 'F'), 0)::integer as women,
        coalesce(sum(headcount) filter (where is_one_year_or_more and sex = 'M'), 0)::integer as men,
        coalesce(sum(headcount) filter (where is_one_year_or_more and sex in ('X', 'U')), 0)::integer
            as other_or_unknown
    from unioned
    group by entity_code, snapshot_date, population_type, population_code, staff_category
),

final as (
    select populations.*, loads.load_id
    from populations
    inner join loads on loads.submission_id = populations.submission_id
)

select * from final
