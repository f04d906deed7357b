{#- For each entity and population not at parity at its latest snapshot: the year it reaches parity at its
    recent rate of change (the average yearly change over up to the last four years), or "not on current trend",
    beside the system-wide target year. Parity is the nearest split at parity for the population's size, as the
    parity mart judges it (5 of 11 women is at parity under 47-53%; 47% of 11 is not a whole person). -#}
with parity as (
    select * from {{ ref('mart_parity_by_entity_level') }}
    where population_type in ('level', 'category')
),

targets as (
    select * from {{ ref('ref_parity_targets') }}
),

latest as (
    select distinct on (entity_code, population_code) *
    from parity
    where women_share is not null
    order by entity_code, population_code, snapshot_date desc
),

baseline as (
    -- The earliest snapshot in the four years before the latest one.
    select distinct on (latest.entity_code, latest.population_code)
        latest.entity_code,
        latest.population_code,
        earlier.snapshot_date as baseline_date,
        earlier.women_share as baseline_women_share
    from latest
    inner join parity as earlier
        on earlier.entity_code = latest.entity_code
        and earlier.population_code = latest.population_code
        and earlier.snapshot_date >= latest.snapshot_date - interval '4 years'
        and earlier.snapshot_date < latest.snapshot_date
        and earlier.women_share is not null
    order by latest.entity_code, latest.population_code, earlier.snapshot_date
),

system_target as (
    select min(target_year) as target_year
    from targets
    where entity_code = '*' and population_code = '*'
),

rated as (
    select
        latest.*,
        baseline.baseline_date,
        baseline.baseline_women_share,
        (latest.women_share - baseline.baseline_women_share)
            / nullif((latest.snapshot_date - baseline.baseline_date) / 365.25, 0) as yearly_change,
        case
            when latest.parity_status = 'below parity' then latest.parity_women_min
            else latest.parity_women_max
        end::numeric / (latest.women + latest.men) as aimed_share
    from latest
    left join baseline using (entity_code, population_code)
    where not latest.is_at_parity
),

projected as (
    select
        rated.*,
        case
            when rated.parity_status = 'below parity' and rated.yearly_change > 0
                then rated.snapshot_year + ceil((rated.aimed_share - rated.women_share) / rated.yearly_change)
            when rated.parity_status = 'above parity' and rated.yearly_change < 0
                then rated.snapshot_year + ceil((rated.women_share - rated.aimed_share) / -rated.yearly_change)
        end as projected_parity_year
    from rated
),

final as (
    select
        projected.entity_code::text as entity_code,
        projected.entity_name::text as entity_name,
        projected.population_type::text as population_type,
        projected.population_code::text as population_code,
        projected.population_rank::integer as population_rank,
        projected.snapshot_date::date as latest_snapshot_date,
        projected.women_share::numeric(12, 9) as women_share,
        projected.parity_status::text as parity_status,
        projected.parity_rule_code::text as parity_rule_code,
        projected.baseline_date::date as baseline_snapshot_date,
        projected.baseline_women_share::numeric(12, 9) as baseline_women_share,
        round(projected.yearly_change, 9)::numeric(12, 9) as women_share_yearly_change,
        round(projected.aimed_share, 9)::numeric(12, 9) as parity_women_share_aimed,
        projected.projected_parity_year::integer as projected_parity_year,
        (case
            when projected.baseline_date is null then 'insufficient history'
            when projected.projected_parity_year is null then 'not on current trend'
            else 'on current trend'
        end)::text as projection_status,
        system_target.target_year::integer as system_target_year,
        (projected.projected_parity_year <= system_target.target_year)::boolean as reaches_parity_by_system_target
    from projected
    cross join system_target
)

select * from final
