{#- The frameworks' headline figures, per framework, version, year and dimension (and 'ALL', every dimension): the
    units that reported and the shares of their ratings that meet or exceed requirements, that exceed and that are
    missing. Not applicable ratings are counted apart and left out of every denominator. -#}
with compared as (
    select * from {{ ref('int_swap_ratings_compared') }}
),

counted as (
    select
        framework,
        framework_version,
        reporting_year,
        coalesce(dimension_code, 'ALL') as dimension_code,
        coalesce(dimension_name, 'All dimensions') as dimension_name,
        count(distinct reporting_unit) as units_reporting,
        count(*) as ratings,
        count(*) filter (where not is_rated) as ratings_not_applicable,
        count(*) filter (where is_rated) as ratings_counted,
        count(*) filter (where meets_requirements) as ratings_meeting_or_exceeding,
        count(*) filter (where rating_code = 'EXCEEDS') as ratings_exceeding,
        count(*) filter (where rating_code = 'APPROACHES') as ratings_approaching,
        count(*) filter (where rating_code = 'MISSING') as ratings_missing
    from compared
    group by grouping sets (
        (framework, framework_version, reporting_year, dimension_code, dimension_name),
        (framework, framework_version, reporting_year)
    )
),

final as (
    select
        framework::text as framework,
        framework_version::text as framework_version,
        reporting_year::integer as reporting_year,
        dimension_code::text as dimension_code,
        dimension_name::text as dimension_name,
        units_reporting::integer as units_reporting,
        ratings::integer as ratings,
        ratings_not_applicable::integer as ratings_not_applicable,
        ratings_counted::integer as ratings_counted,
        ratings_meeting_or_exceeding::integer as ratings_meeting_or_exceeding,
        ratings_exceeding::integer as ratings_exceeding,
        ratings_approaching::integer as ratings_approaching,
        ratings_missing::integer as ratings_missing,
        round(ratings_meeting_or_exceeding::numeric / nullif(ratings_counted, 0), 4)::numeric(5, 4)
            as share_meeting_or_exceeding,
        round(ratings_exceeding::numeric / nullif(ratings_counted, 0), 4)::numeric(5, 4) as share_exceeding,
        round(ratings_missing::numeric / nullif(ratings_counted, 0), 4)::numeric(5, 4) as share_missing
    from counted
)

select * from final
