-- Under the default rule, mart_entities_at_parity counts exactly the entities mart_parity_by_entity_level marks
-- at parity at their latest snapshot of the year. Rows returned are failures.
with detail as (
    select distinct on (entity_code, population_code, snapshot_year)
        entity_code, population_code, snapshot_year, is_at_parity
    from {{ ref('mart_parity_by_entity_level') }}
    where population_code in ('PROFESSIONAL_AND_HIGHER', 'ALL_STAFF') and women + men > 0
    order by entity_code, population_code, snapshot_year, snapshot_date desc
),

expected as (
    select snapshot_year, population_code, count(*) filter (where is_at_parity) as entities_at_parity
    from detail
    group by snapshot_year, population_code
),

published as (
    select snapshot_year, population_code, entities_at_parity
    from {{ ref('mart_entities_at_parity') }}
    where parity_rule_code = (select parity_rule_code from {{ ref('ref_parity_rules') }} where is_default)
)

select *
from expected
full outer join published using (snapshot_year, population_code)
where expected.entities_at_parity is distinct from published.entities_at_parity
