with programmes as (
    select * from {{ ref('int_programmes') }}
),

markers as (
    select * from {{ ref('ref_gender_markers') }}
),

final as (
    select
        programmes.programme_id::text as programme_id,
        programmes.programme_title::text as programme_title,
        programmes.lead_entity_code::text as lead_entity_code,
        programmes.participating_entity_codes::text as participating_entity_codes,
        programmes.funding_organisations::text as funding_organisations,
        programmes.implementing_organisations::text as implementing_organisations,
        programmes.country_codes::text as country_codes,
        programmes.country_count::integer as country_count,
        programmes.start_date::date as start_date,
        programmes.end_date::date as end_date,
        programmes.unct_gem::integer as unct_gem,
        gem.marker_name::text as unct_gem_name,
        programmes.dac_gender_marker::integer as dac_gender_marker,
        dac.marker_name::text as dac_gender_marker_name,
        coalesce(gem.is_significant_or_principal or dac.is_significant_or_principal, false)::boolean
            as is_gender_significant_or_principal,
        programmes.sdg_targets::text as sdg_targets,
        programmes.is_registered::boolean as is_registered,
        programmes.register_submission_id::bigint as register_submission_id
    from programmes
    left join markers as gem on gem.marker_vocabulary = 'UNCT_GEM' and gem.marker_code = programmes.unct_gem
    left join markers as dac on dac.marker_vocabulary = 'DAC' and dac.marker_code = programmes.dac_gender_marker
)

select * from final
