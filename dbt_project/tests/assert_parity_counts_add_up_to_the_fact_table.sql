-- Every staff member on an appointment of one year or more in fct_workforce_headcount is counted once in the
-- ALL_STAFF population of mart_parity_by_entity_level, and once across the levels. Rows returned are failures.
with facts as (
    select entity_code, snapshot_date, sum(headcount_one_year_or_more) as staff
    from {{ ref('fct_workforce_headcount') }}
    group by entity_code, snapshot_date
),

all_staff as (
    select entity_code, snapshot_date, total_staff
    from {{ ref('mart_parity_by_entity_level') }}
    where population_code = 'ALL_STAFF'
),

levels as (
    select entity_code, snapshot_date, sum(total_staff) as staff
    from {{ ref('mart_parity_by_entity_level') }}
    where population_type = 'level'
    group by entity_code, snapshot_date
)

select facts.entity_code, facts.snapshot_date, facts.staff, all_staff.total_staff, levels.staff as level_staff
from facts
full outer join all_staff using (entity_code, snapshot_date)
full outer join levels using (entity_code, snapshot_date)
where facts.staff is distinct from all_staff.total_staff
   or facts.staff is distinct from levels.staff
