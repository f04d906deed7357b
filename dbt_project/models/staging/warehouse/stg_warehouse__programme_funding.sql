with source as (
    select * from {{ source('raw', 'programme_funding') }}
),

renamed as (
    select
        submission_id,
        source_sheet,
        source_row,
        programme_id,
        record_kind,
        transaction_type,
        date as funding_date,
        period_end,
        amount,
        currency as currency_code,
        value_date,
        provider_org,
        provider_org_ref,
        provider_activity_id,
        receiver_org,
        receiver_org_ref,
        dac_gender_marker,
        unct_gem
    from source
    where superseded_by is null
),

final as (
    select * from renamed
)

select * from final
