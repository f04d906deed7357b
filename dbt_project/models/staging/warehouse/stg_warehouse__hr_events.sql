with source as (
    select * from {{ source('raw', 'hr_events') }}
),

renamed as (
    select
        submission_id,
        source_sheet,
        source_row,
        period_start,
        period_end,
        entity_code,
        event_type,
        staff_category,
        grade_from as grade_from_code,
        grade_to as grade_to_code,
        sex,
        location_type,
        tsm_applied as is_under_temporary_special_measures,
        count as event_count
    from source
    where superseded_by is null
),

final as (
    select * from renamed
)

select * from final
