{#- Every current rating of the accountability frameworks, one row per framework, reporting unit, year and
    indicator, with the unit's previous rating of the indicator and the direction of change. -#}
with compared as (
    select * from {{ ref('int_swap_ratings_compared') }}
),

final as (
    select
        framework::text as framework,
        framework_version::text as framework_version,
        reporting_unit::text as reporting_unit,
        reporting_unit_type::text as reporting_unit_type,
        reporting_unit_name::text as reporting_unit_name,
        reporting_year::integer as reporting_year,
        report_type::text as report_type,
        dimension_code::text as dimension_code,
        dimension_name::text as dimension_name,
        indicator_code::text as indicator_code,
        indicator_title::text as indicator_title,
        rating_code::text as rating_code,
        rating_name::text as rating_name,
        rating_rank::integer as rating_rank,
        meets_requirements::boolean as meets_requirements,
        is_priority::boolean as is_priority,
        lead_entities::text as lead_entities,
        previous_reporting_year::integer as previous_reporting_year,
        previous_rating_code::text as previous_rating_code,
        ({{ rating_change('previous_rating_rank', 'previous_is_rated', 'rating_rank', 'is_rated', 'first rating') }})::text
            as change_from_previous,
        evidence_note::text as evidence_note,
        submission_id::bigint as submission_id
    from compared
)

select * from final
