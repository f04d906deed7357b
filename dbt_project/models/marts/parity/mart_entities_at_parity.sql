{#- For each year, parity rule and population (Professional and higher; all staff): how many entities are at
    parity, out of how many reporting, and which. Each entity counts once a year, at its latest snapshot; one whose
    staff there are all of other or unknown sex reports, and is not at parity (no share to judge). -#}
with populations as (
    select * from {{ ref('int_parity_populations') }}
    where population_code in ('PROFESSIONAL_AND_HIGHER', 'ALL_STAFF')
),

rules as (
    select * from {{ ref('ref_parity_rules') }}
),

latest_in_year as (
    select distinct on (entity_code, population_code, extract(year from snapshot_date))
        entity_code,
        population_code,
        extract(year from snapshot_date)::integer as snapshot_year,
        snapshot_date,
        women,
        men
    from populations
    order by entity_code, population_code, extract(year from snapshot_date), snapshot_date desc
),

judged as (
    select
        latest_in_year.*,
        rules.parity_rule_code,
        rules.parity_rule_name,
        rules.women_share_min,
        rules.women_share_max,
        rules.is_default,
        coalesce({{ is_at_parity('latest_in_year.women', 'latest_in_year.men', 'rules.women_share_min', 'rules.women_share_max') }}, false) as is_at_parity
    from latest_in_year
    cross join rules
),

final as (
    select
        snapshot_year::integer as snapshot_year,
        parity_rule_code::text as parity_rule_code,
        min(parity_rule_name)::text as parity_rule_name,
        min(women_share_min)::numeric(5, 4) as parity_women_share_min,
        min(women_share_max)::numeric(5, 4) as parity_women_share_max,
        bool_and(is_default)::boolean as is_default_rule,
        population_code::text as population_code,
        (count(*) filter (where is_at_parity))::integer as entities_at_parity,
        count(*)::integer as entities_reporting,
        coalesce(string_agg(entity_code, ', ' order by entity_code) filter (where is_at_parity), '')::text
            as entity_codes_at_parity
    from judged
    group by snapshot_year, parity_rule_code, population_code
)

select * from final
