with source as (
    select * from {{ source('raw', 'hr_headcount') }}
),

renamed as (
    select
        submission_id,
        source_sheet,
        source_row,
        snapshot_date,
        entity_code,
        staff_category,
        grade as grade_code,
        sex,
        location_type,
        duty_station_country as duty_station_country_code,
        appointment_type,
        headcount
    from source
    where superseded_by is null
),

final as (
    select * from renamed
)

select * from final
