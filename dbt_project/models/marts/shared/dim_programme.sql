with programmes as (
    select * from {{ ref('int_programmes') }}
),

markers as (
    select * from {{ ref('ref_gender_markers') }}
),

regions as (
    select * from {{ ref('ref_iati_regions') }}
),

region_names as (
    -- IATI's names of the programme's recipient regions, in the order the programme gives them.
    select
        programmes.programme_id,
        string_agg(regions.region_name, '; ' order by codes.position) as region_names
    from programmes
    cross join lateral unnest(string_to_array(programmes.region_codes, ', ')) with ordinality as codes (region_code, position)
    left join regions on regions.region_code = codes.region_code
    group by programmes.programme_id
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
        programmes.publisher_policy_markers::text as publisher_policy_markers,
        programmes.sdg_targets::text as sdg_targets,
        programmes.region_codes::text as region_codes,
        region_names.region_names::text as region_names,
        programmes.is_registered::boolean as is_registered,
        programmes.register_submission_id::bigint as register_submission_id
    from programmes
    left join markers as gem on gem.marker_vocabulary = 'UNCT_GEM' and gem.marker_code = programmes.unct_gem
    left join markers as dac on dac.marker_vocabulary = 'DAC' and dac.marker_code = programmes.dac_gender_marker
    left join region_names using (programme_id)
)

select * from final
