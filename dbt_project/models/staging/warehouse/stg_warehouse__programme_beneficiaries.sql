with source as (
    select * from {{ source('raw', 'programme_beneficiaries') }}
),

renamed as (
    select
        submission_id,
        source_sheet,
        source_row,
        programme_id,
        indicator_code,
        indicator_title,
        value_kind,
        period_start,
        period_end,
        country as country_code,
        subnational_area,
        beneficiary_unit,
        sex,
        age_group,
        value
    from source
    where superseded_by is null
),

final as (
    select * from renamed
)

select * from final
