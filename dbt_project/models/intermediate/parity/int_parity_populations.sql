{#- Women, men and other/unknown staff on appointments of one year or more, for every population that parity is
    reported for: each canonical level, each staff category (PROFESSIONAL_AND_HIGHER among them) and all staff. -#}
with staff as (
    select
        entity_code,
        snapshot_date,
        canonical_level,
        grade_rank as level_rank,
        staff_category,
        sex,
        headcount as headcount_one_year_or_more
    from {{ ref('int_hr_headcount_classified') }}
    where is_one_year_or_more
),

unioned as (
    {{ population_rollup('staff', ['entity_code', 'snapshot_date', 'sex'], 'headcount_one_year_or_more') }}
),

final as (
    select
        entity_code,
        snapshot_date,
        population_type,
        population_code,
        staff_category,
        min(population_rank) as population_rank,
        coalesce(sum(headcount_one_year_or_more) filter (where sex = 'F'), 0)::integer as women,
        coalesce(sum(headcount_one_year_or_more) filter (where sex = 'M'), 0)::integer as men,
        coalesce(sum(headcount_one_year_or_more) filter (where sex in ('X', 'U')), 0)::integer as other_or_unknown
    from unioned
    group by entity_code, snapshot_date, population_type, population_code, staff_category
)

select * from final
