with source as (
    select * from {{ source('raw', 'programme_register') }}
),

renamed as (
    select
        submission_id,
        source_sheet,
        source_row,
        programme_id,
        title as programme_title,
        lead_entity as lead_entity_code,
        participating_org,
        participating_org_ref,
        role as participating_role,
        countries as country_codes,
        start_date,
        end_date,
        unct_gem,
        dac_gender_marker,
        sdg_targets,
        regions as region_codes,
        publisher_policy_markers
    from source
    where superseded_by is null
),

final as (
    select * from renamed
)

select * from final
