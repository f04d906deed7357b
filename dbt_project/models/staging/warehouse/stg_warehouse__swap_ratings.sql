with source as (
    select * from {{ source('raw', 'swap_ratings') }}
),

renamed as (
    select
        submission_id,
        source_sheet,
        source_row,
        framework,
        framework_version,
        reporting_unit,
        reporting_year,
        report_type,
        indicator_code,
        rating as rating_code,
        coalesce(is_priority, false) as is_priority,
        lead_entities,
        evidence_note
    from source
    where superseded_by is null
),

final as (
    select * from renamed
)

select * from final
