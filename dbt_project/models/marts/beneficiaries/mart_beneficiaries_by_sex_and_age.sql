{#- Actual beneficiaries by programme, indicator, sex and age group, each person counted once: an indicator's
    figure for the whole country where it has one, else the sum of its areas (national and subnational figures of
    one indicator are the same people). Percentages are not counts and are left out. -#}
with actuals as (
    select * from {{ ref('fct_programme_beneficiaries') }}
    where value_kind = 'ACTUAL' and beneficiary_unit <> 'PERCENT'
),

programmes as (
    select * from {{ ref('dim_programme') }}
),

with_national as (
    select
        actuals.*,
        bool_or(subnational_area is null) over (partition by programme_id, indicator_code) as has_national_figure
    from actuals
),

counted as (
    select
        programme_id,
        indicator_code,
        min(indicator_title) as indicator_title,
        sex,
        age_group,
        sum(value) as actual_value,
        bool_or(subnational_area is not null) as is_sum_of_areas
    from with_national
    where subnational_area is null or not has_national_figure
    group by programme_id, indicator_code, sex, age_group
),

final as (
    select
        counted.programme_id::text as programme_id,
        coalesce(programmes.programme_title, counted.programme_id)::text as programme_title,
        counted.indicator_code::text as indicator_code,
        counted.indicator_title::text as indicator_title,
        counted.sex::text as sex,
        counted.age_group::text as age_group,
        counted.actual_value::numeric(21, 6) as actual_value,
        counted.is_sum_of_areas::boolean as is_sum_of_areas
    from counted
    left join programmes using (programme_id)
)

select * from final
