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

by_level as (
    select
        entity_code,
        snapshot_date,
        'level' as population_type,
        canonical_level as population_code,
        staff_category,
        min(level_rank) as population_rank,
        sex,
        sum(headcount_one_year_or_more) as staff
    from staff
    group by entity_code, snapshot_date, canonical_level, staff_category, sex
),

by_category as (
    select
        entity_code,
        snapshot_date,
        'category' as population_type,
        staff_category as population_code,
        staff_category,
        1000 as population_rank,
        sex,
        sum(headcount_one_year_or_more) as staff
    from staff
    group by entity_code, snapshot_date, staff_category, sex
),

all_staff as (
    select
        entity_code,
        snapshot_date,
        'all' as population_type,
        'ALL_STAFF' as population_code,
        null as staff_category,
        2000 as population_rank,
        sex,
        sum(headcount_one_year_or_more) as staff
    from staff
    group by entity_code, snapshot_date, sex
),

unioned as (
    select * from by_level
    union all
    select * from by_category
    union all
    select * from all_staff
),

final as (
    select
        entity_code,
        snapshot_date,
        population_type,
        population_code,
        staff_category,
        min(population_rank) as population_rank,
        coalesce(sum(staff) filter (where sex = 'F'), 0)::integer as women,
        coalesce(sum(staff) filter (where sex = 'M'), 0)::integer as men,
        coalesce(sum(staff) filter (where sex in ('X', 'U')), 0)::integer as other_or_unknown
    from unioned
    group by entity_code, snapshot_date, population_type, population_code, staff_category
)

select * from final
