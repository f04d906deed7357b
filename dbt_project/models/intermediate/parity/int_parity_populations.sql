{#- Women, men and other/unknown staff on appointments of one year or more, for every population that parity is
    reported for: each canonical level, each staff category (PROFESSIONAL_AND_HIGHER among them) and all staff, of
    every entity snapshot. A population whose staff are all on shorter appointments is not reported. -#}
with populations as (
    select * from {{ ref('int_hr_headcount_populations') }}
),

final as (
    select
        entity_code,
        snapshot_date,
        population_type,
        population_code,
        staff_category,
        population_rank,
        women,
        men,
        other_or_unknown
    from populations
    where has_staff_one_year_or_more
)

select * from final
