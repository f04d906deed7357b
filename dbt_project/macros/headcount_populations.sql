{#- The body of the incremental models that count, for every entity snapshot, the women, men and other/unknown
    staff on appointments of one year or more in each population (population_rollup), by the snapshot's keys and
    `extra_keys` (the duty-station country, for the country table): int_hr_headcount_populations and
    int_hr_headcount_country_populations. Populations with no staff of a year or more are kept: a slice's rows are
    all here, so that an incremental run, which replaces the slices it rebuilds, replaces every one of them. A change
    here rebuilds both in full (macros/incremental.sql fingerprints the macros a model calls). -#}
{% macro headcount_populations(extra_keys=[]) %}
    {%- set snapshot_keys = ['entity_code', 'snapshot_date'] + extra_keys -%}
with staff as (
    select
        {%- for key in snapshot_keys %}
        {{ key }},
        {%- endfor %}
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
    {{ population_rollup('staff', snapshot_keys + ['submission_id', 'is_one_year_or_more', 'sex'], 'headcount') }}
),

loads as (
    select * from {{ source('audit', 'loads') }}
    where table_name = 'hr_headcount'
),

populations as (
    select
        {%- for key in snapshot_keys %}
        {{ key }},
        {%- endfor %}
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
    group by {{ snapshot_keys | join(', ') }}, population_type, population_code, staff_category
),

final as (
    select populations.*, loads.load_id
    from populations
    inner join loads on loads.submission_id = populations.submission_id
)

select * from final
{%- endmacro %}
