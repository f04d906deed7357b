{#- The country parity table the UNCT-SWAP Scorecard asks of a country team: the staff of every entity at one
    duty-station country, by level and sex, each entity counted at its latest snapshot of the year, judged by the
    same rule as the entity marts (the default of ref_parity_rules). Rows that name no duty-station country (the
    contract lets a submission leave it empty) belong to no country's table. -#}
with populations as (
    select * from {{ ref('int_hr_headcount_country_populations') }}
    where has_staff_one_year_or_more and duty_station_country_code is not null
),

latest_of_year as (
    -- Each entity's latest snapshot of each year: an entity reporting in June and December counts once.
    select entity_code, max(snapshot_date) as snapshot_date
    from (select distinct entity_code, snapshot_date from {{ ref('int_hr_headcount_country_populations') }}) as s
    group by entity_code, extract(year from snapshot_date)
),

rule as (
    select * from {{ ref('ref_parity_rules') }} where is_default
),

countries as (
    select * from {{ ref('ref_countries') }}
),

summed as (
    select
        populations.duty_station_country_code as country_code,
        extract(year from populations.snapshot_date)::integer as snapshot_year,
        populations.population_type,
        populations.population_code,
        populations.staff_category,
        min(populations.population_rank) as population_rank,
        count(distinct populations.entity_code) as entity_count,
        string_agg(distinct populations.entity_code, ', ' order by populations.entity_code) as entity_codes,
        max(populations.snapshot_date) as latest_snapshot_date,
        sum(populations.women) as women,
        sum(populations.men) as men,
        sum(populations.other_or_unknown) as other_or_unknown
    from populations
    inner join latest_of_year
        on latest_of_year.entity_code = populations.entity_code
        and latest_of_year.snapshot_date = populations.snapshot_date
    group by 1, 2, 3, 4, 5
),

measured as (
    select
        summed.*,
        rule.parity_rule_code,
        rule.women_share_min,
        rule.women_share_max,
        {{ women_share('summed.women', 'summed.men') }} as women_share,
        {{ parity_women_range('summed.women', 'summed.men', 'rule.women_share_min', 'rule.women_share_max') }}
            as women_at_parity
    from summed
    cross join rule
),

final as (
    select
        measured.country_code::text as country_code,
        countries.country_name::text as country_name,
        measured.snapshot_year::integer as snapshot_year,
        measured.population_type::text as population_type,
        measured.population_code::text as population_code,
        measured.staff_category::text as staff_category,
        measured.population_rank::integer as population_rank,
        measured.entity_count::integer as entity_count,
        measured.entity_codes::text as entity_codes,
        measured.latest_snapshot_date::date as latest_snapshot_date,
        measured.women::integer as women,
        measured.men::integer as men,
        measured.other_or_unknown::integer as other_or_unknown,
        (measured.women + measured.men + measured.other_or_unknown)::integer as total_staff,
        measured.women_share::numeric(12, 9) as women_share,
        measured.parity_rule_code::text as parity_rule_code,
        ({{ parity_status('measured.women', 'measured.women_at_parity') }})::text as parity_status,
        ({{ parity_status('measured.women', 'measured.women_at_parity') }} = 'at parity')::boolean as is_at_parity,
        ({{ women_needed_for_parity('measured.women', 'measured.women_at_parity') }})::integer
            as women_needed_for_parity,
        ({{ men_needed_for_parity('measured.women', 'measured.women_at_parity') }})::integer as men_needed_for_parity
    from measured
    left join countries on countries.country_code = measured.country_code
)

select * from final
