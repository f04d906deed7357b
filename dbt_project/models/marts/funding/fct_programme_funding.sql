with funding as (
    select * from {{ ref('int_programme_funding_converted') }}
),

transaction_types as (
    select * from {{ ref('ref_iati_transaction_types') }}
),

markers as (
    select * from {{ ref('ref_gender_markers') }}
),

final as (
    select
        funding.programme_id::text as programme_id,
        funding.lead_entity_code::text as lead_entity_code,
        funding.record_kind::text as record_kind,
        funding.transaction_type::text as transaction_type,
        transaction_types.transaction_type_name::text as transaction_type_name,
        transaction_types.funding_stage::text as funding_stage,
        transaction_types.direction::text as direction,
        funding.funding_date::date as funding_date,
        funding.funding_year::integer as funding_year,
        funding.period_end::date as period_end,
        funding.amount::numeric(21, 6) as amount,
        funding.currency_code::text as currency_code,
        funding.value_date::date as value_date,
        funding.usd_amount::numeric(21, 2) as usd_amount,
        funding.units_per_usd::numeric as units_per_usd,
        funding.rate_source::text as rate_source,
        funding.rate_effective_date::date as rate_effective_date,
        funding.conversion_status::text as conversion_status,
        funding.provider_org::text as provider_org,
        funding.provider_org_ref::text as provider_org_ref,
        funding.provider_entity_code::text as provider_entity_code,
        funding.provider_key::text as provider_key,
        funding.provider_is_pooled_fund::boolean as provider_is_pooled_fund,
        funding.provider_activity_id::text as provider_activity_id,
        funding.receiver_org::text as receiver_org,
        funding.receiver_org_ref::text as receiver_org_ref,
        funding.receiver_entity_code::text as receiver_entity_code,
        funding.receiver_key::text as receiver_key,
        funding.is_passed_on::boolean as is_passed_on,
        funding.is_passed_on_within_programme::boolean as is_passed_on_within_programme,
        funding.dac_gender_marker::integer as dac_gender_marker,
        funding.unct_gem::integer as unct_gem,
        coalesce(gem.is_significant_or_principal or dac.is_significant_or_principal, false)::boolean
            as is_gender_significant_or_principal,
        (funding.dac_gender_marker = 2 or funding.unct_gem = 3)::boolean as is_gender_principal,
        (funding.dac_gender_marker is not null or funding.unct_gem is not null)::boolean as has_gender_marker,
        funding.submission_id::bigint as submission_id,
        funding.source_sheet::text as source_sheet,
        funding.source_row::bigint as source_row
    from funding
    left join transaction_types using (transaction_type)
    left join markers as gem on gem.marker_vocabulary = 'UNCT_GEM' and gem.marker_code = funding.unct_gem
    left join markers as dac on dac.marker_vocabulary = 'DAC' and dac.marker_code = funding.dac_gender_marker
)

select * from final
