with populations as (
    select * from {{ ref('int_parity_populations') }}
),

rule as (
    select * from {{ ref('ref_parity_rules') }} where is_default
),

targets as (
    select * from {{ ref('ref_parity_targets') }}
),

entities as (
    select * from {{ ref('ref_entities') }}
),

measured as (
    select
        populations.*,
        rule.parity_rule_code,
        rule.women_share_min,
        rule.women_share_max,
        {{ women_share('populations.women', 'populations.men') }} as women_share,
        {{ parity_women_range('populations.women', 'populations.men', 'rule.women_share_min', 'rule.women_share_max') }} as women_at_parity
    from populations
    cross join rule
),

with_status as (
    select
        measured.*,
        {{ parity_status('women', 'women_at_parity') }} as parity_status,
        {{ women_needed_for_parity('women', 'women_at_parity') }} as women_needed,
        {{ men_needed_for_parity('women', 'women_at_parity') }} as men_needed,
        lag(snapshot_date) over population_history as previous_snapshot_date,
        lag(women_share) over population_history as previous_women_share
    from measured
    window population_history as (partition by entity_code, population_code order by snapshot_date)
),

with_year_on_year as (
    -- The same population on 31 December of the year before: a change over one year, whatever snapshots lie
    -- between (the change since the previous snapshot may span six months or three years).
    select
        with_status.*,
        year_before.snapshot_date as previous_year_end_date,
        year_before.women_share as previous_year_end_women_share
    from with_status
    left join measured as year_before
        on year_before.entity_code = with_status.entity_code
        and year_before.population_type = with_status.population_type
        and year_before.population_code = with_status.population_code
        and year_before.snapshot_date = make_date(extract(year from with_status.snapshot_date)::int - 1, 12, 31)
),

with_target as (
    select
        with_year_on_year.*,
        target.target_year,
        target.target_source
    from with_year_on_year
    left join lateral (
        -- The nearest target still ahead (or this year): the entity's own for this population first, then the
        -- entity's for every population, then the system-wide ones.
        select targets.*
        from targets
        where targets.entity_code in (with_year_on_year.entity_code, '*')
          and targets.population_code in (with_year_on_year.population_code, '*')
          and targets.target_year >= extract(year from with_year_on_year.snapshot_date)
        order by
            targets.entity_code = '*',
            targets.population_code = '*',
            targets.target_year
        limit 1
    ) as target on true
),

final as (
    select
        with_target.entity_code::text as entity_code,
        entities.entity_name::text as entity_name,
        with_target.snapshot_date::date as snapshot_date,
        extract(year from with_target.snapshot_date)::integer as snapshot_year,
        (to_char(with_target.snapshot_date, 'MM-DD') = '12-31')::boolean as is_year_end,
        (with_target.snapshot_date = max(with_target.snapshot_date)
            filter (where to_char(with_target.snapshot_date, 'MM-DD') = '12-31') over ())::boolean
            as is_latest_year_end,
        with_target.population_type::text as population_type,
        with_target.population_code::text as population_code,
        with_target.staff_category::text as staff_category,
        with_target.population_rank::integer as population_rank,
        with_target.women::integer as women,
        with_target.men::integer as men,
        with_target.other_or_unknown::integer as other_or_unknown,
        (with_target.women + with_target.men + with_target.other_or_unknown)::integer as total_staff,
        with_target.women_share::numeric(12, 9) as women_share,
        with_target.parity_rule_code::text as parity_rule_code,
        with_target.women_share_min::numeric(5, 4) as parity_women_share_min,
        with_target.women_share_max::numeric(5, 4) as parity_women_share_max,
        with_target.parity_status::text as parity_status,
        (with_target.parity_status = 'at parity')::boolean as is_at_parity,
        lower(with_target.women_at_parity)::integer as parity_women_min,
        (upper(with_target.women_at_parity) - 1)::integer as parity_women_max,
        with_target.women_needed::integer as women_needed_for_parity,
        with_target.men_needed::integer as men_needed_for_parity,
        with_target.previous_snapshot_date::date as previous_snapshot_date,
        with_target.previous_women_share::numeric(12, 9) as previous_women_share,
        (with_target.women_share - with_target.previous_women_share)::numeric(12, 9)
            as women_share_change_since_previous_snapshot,
        with_target.previous_year_end_date::date as previous_year_end_date,
        with_target.previous_year_end_women_share::numeric(12, 9) as previous_year_end_women_share,
        (with_target.women_share - with_target.previous_year_end_women_share)::numeric(12, 9)
            as women_share_change_year_on_year,
        with_target.target_year::integer as target_year,
        with_target.target_source::text as target_source
    from with_target
    left join entities on entities.entity_code = with_target.entity_code
)

select * from final
