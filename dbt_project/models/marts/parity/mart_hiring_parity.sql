{#- Women's share of appointments and promotions by entity, year and population (each level, Professional and
    higher, all staff), with the denominator and the share made under temporary special measures. -#}
with events as (
    select * from {{ ref('int_hr_events_classified') }}
    where event_type in ('APPOINTMENT', 'PROMOTION')
),

by_population as (
    {{ population_rollup(
        'events',
        ['entity_code', 'event_year', 'event_type', 'sex', 'is_under_temporary_special_measures'],
        'event_count'
    ) }}
),

counted as (
    select
        entity_code,
        event_year,
        event_type,
        population_type,
        population_code,
        min(population_rank) as population_rank,
        coalesce(sum(event_count) filter (where sex = 'F'), 0) as women,
        coalesce(sum(event_count) filter (where sex = 'M'), 0) as men,
        coalesce(sum(event_count) filter (where sex in ('X', 'U')), 0) as other_or_unknown,
        coalesce(sum(event_count) filter (where is_under_temporary_special_measures), 0) as events_under_tsm,
        coalesce(sum(event_count) filter (where is_under_temporary_special_measures and sex = 'F'), 0)
            as women_under_tsm
    from by_population
    group by entity_code, event_year, event_type, population_type, population_code
),

final as (
    select
        entity_code::text as entity_code,
        event_year::integer as event_year,
        event_type::text as event_type,
        population_type::text as population_type,
        population_code::text as population_code,
        population_rank::integer as population_rank,
        women::integer as women,
        men::integer as men,
        other_or_unknown::integer as other_or_unknown,
        (women + men + other_or_unknown)::integer as events_total,
        {{ women_share('women', 'men') }}::numeric(12, 9) as women_share,
        events_under_tsm::integer as events_under_tsm,
        (case when women + men + other_or_unknown > 0
            then round(events_under_tsm::numeric / (women + men + other_or_unknown), 6) end)::numeric(9, 6)
            as tsm_share,
        women_under_tsm::integer as women_under_tsm
    from counted
)

select * from final
