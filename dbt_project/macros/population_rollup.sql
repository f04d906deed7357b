{#- The populations parity is reported for, in one place: each canonical level, each staff category
    (PROFESSIONAL_AND_HIGHER among them) and all staff. `relation` has canonical_level, staff_category and
    level_rank; the rows are grouped by `keys` within each population and `measure` is summed into `measure`.
    Levels sort by seniority, then categories (1000), then all staff (2000). -#}
{% macro population_rollup(relation, keys, measure) %}
    {%- set key_list = keys | join(', ') -%}
    select {{ key_list }}, 'level' as population_type, canonical_level as population_code, staff_category,
           min(level_rank) as population_rank, sum({{ measure }}) as {{ measure }}
    from {{ relation }}
    group by {{ key_list }}, canonical_level, staff_category
    union all
    select {{ key_list }}, 'category', staff_category, staff_category, 1000, sum({{ measure }})
    from {{ relation }}
    group by {{ key_list }}, staff_category
    union all
    select {{ key_list }}, 'all', 'ALL_STAFF', null, 2000, sum({{ measure }})
    from {{ relation }}
    group by {{ key_list }}
{% endmacro %}
