{#- Every current rating with what the frameworks say of it (its indicator's dimension and title, its place on the
    scale) and the unit's previous rating of the same indicator: the latest earlier year the unit rated it under
    the same framework version (an annual progress report rates only some indicators, so a year may be skipped).
    Indicators are compared within a version: the Scorecard's 2018 and 2023 indicators are not the same list. -#}
with ratings as (
    select * from {{ ref('stg_warehouse__swap_ratings') }}
),

frameworks as (
    select * from {{ ref('ref_swap_frameworks') }}
),

indicators as (
    select * from {{ ref('ref_swap_indicators') }}
),

scale as (
    select * from {{ ref('ref_swap_rating_scale') }}
),

entities as (
    select * from {{ ref('ref_entities') }}
),

countries as (
    select * from {{ ref('ref_countries') }}
),

described as (
    select
        ratings.submission_id,
        ratings.framework,
        ratings.framework_version,
        ratings.reporting_unit,
        frameworks.reporting_unit_type,
        case frameworks.reporting_unit_type
            when 'country team' then 'UN country team in ' || countries.country_name
            else entities.entity_name
        end as reporting_unit_name,
        ratings.reporting_year,
        ratings.report_type,
        indicators.dimension_code,
        indicators.dimension_name,
        ratings.indicator_code,
        indicators.indicator_title,
        ratings.rating_code,
        scale.rating_name,
        scale.rating_rank,
        scale.is_rated,
        scale.meets_requirements,
        ratings.is_priority,
        ratings.lead_entities,
        ratings.evidence_note
    from ratings
    inner join frameworks on frameworks.framework = ratings.framework
    inner join indicators
        on indicators.framework = ratings.framework
        and indicators.framework_version = ratings.framework_version
        and indicators.indicator_code = ratings.indicator_code
    inner join scale on scale.rating_code = ratings.rating_code
    left join entities
        on frameworks.reporting_unit_type = 'entity' and entities.entity_code = ratings.reporting_unit
    left join countries
        on frameworks.reporting_unit_type = 'country team' and countries.country_code = ratings.reporting_unit
),

final as (
    select
        described.*,
        lag(reporting_year) over unit_indicator as previous_reporting_year,
        lag(rating_code) over unit_indicator as previous_rating_code,
        lag(rating_rank) over unit_indicator as previous_rating_rank,
        lag(is_rated) over unit_indicator as previous_is_rated
    from described
    window unit_indicator as (
        partition by framework, framework_version, reporting_unit, indicator_code order by reporting_year
    )
)

select * from final
