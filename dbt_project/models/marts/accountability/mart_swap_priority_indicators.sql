{#- The priority indicators each unit chose, per year, with their lead entities and the progress since they were
    chosen: from the baseline (the unit's latest rating of the indicator before the first year it was a priority;
    that year's own rating when there is none) to the year's rating. -#}
with compared as (
    select * from {{ ref('int_swap_ratings_compared') }}
),

chosen as (
    select
        framework,
        framework_version,
        reporting_unit,
        indicator_code,
        min(reporting_year) as chosen_in_year
    from compared
    where is_priority
    group by framework, framework_version, reporting_unit, indicator_code
),

baselines as (
    select distinct on (chosen.framework, chosen.framework_version, chosen.reporting_unit, chosen.indicator_code)
        chosen.framework,
        chosen.framework_version,
        chosen.reporting_unit,
        chosen.indicator_code,
        chosen.chosen_in_year,
        compared.reporting_year as baseline_year,
        compared.rating_code as baseline_rating_code,
        compared.rating_rank as baseline_rating_rank,
        compared.is_rated as baseline_is_rated
    from chosen
    inner join compared
        on compared.framework = chosen.framework
        and compared.framework_version = chosen.framework_version
        and compared.reporting_unit = chosen.reporting_unit
        and compared.indicator_code = chosen.indicator_code
        and compared.reporting_year <= chosen.chosen_in_year
    -- The latest rating before the year it was chosen; that year's own when none came before.
    order by chosen.framework, chosen.framework_version, chosen.reporting_unit, chosen.indicator_code,
        compared.reporting_year = chosen.chosen_in_year, compared.reporting_year desc
),

final as (
    select
        compared.framework::text as framework,
        compared.framework_version::text as framework_version,
        compared.reporting_unit::text as reporting_unit,
        compared.reporting_unit_name::text as reporting_unit_name,
        compared.reporting_year::integer as reporting_year,
        compared.dimension_code::text as dimension_code,
        compared.indicator_code::text as indicator_code,
        compared.indicator_title::text as indicator_title,
        compared.lead_entities::text as lead_entities,
        baselines.chosen_in_year::integer as chosen_in_year,
        baselines.baseline_year::integer as baseline_year,
        baselines.baseline_rating_code::text as baseline_rating_code,
        compared.rating_code::text as rating_code,
        (case
            when baselines.baseline_year = compared.reporting_year then 'chosen this year'
            else {{ rating_change('baselines.baseline_rating_rank', 'baselines.baseline_is_rated',
                                  'compared.rating_rank', 'compared.is_rated', 'no earlier rating') }}
        end)::text as progress_since_chosen
    from compared
    inner join baselines
        on baselines.framework = compared.framework
        and baselines.framework_version = compared.framework_version
        and baselines.reporting_unit = compared.reporting_unit
        and baselines.indicator_code = compared.indicator_code
    where compared.is_priority
)

select * from final
