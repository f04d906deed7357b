{#- How much funding targets gender equality: by year, lead entity and transaction type, the US dollars with a
    significant or principal gender marker (DAC 1-2, UNCT GEM 2-3) and their share. Passed-on money is left out;
    amounts with no rate are counted apart (their share is unknown, not zero), and a total none of whose records
    converts is empty, never 0. -#}
with funding as (
    select * from {{ ref('fct_programme_funding') }}
    where not is_passed_on
),

final as (
    select
        funding_year::integer as funding_year,
        lead_entity_code::text as lead_entity_code,
        record_kind::text as record_kind,
        coalesce(transaction_type, record_kind)::text as transaction_type,
        {{ usd_total('true') }}::numeric(21, 2) as usd_amount,
        {{ usd_total('has_gender_marker') }}::numeric(21, 2) as usd_with_gender_marker,
        {{ usd_total('is_gender_significant_or_principal') }}::numeric(21, 2) as usd_significant_or_principal,
        {{ usd_total('is_gender_principal') }}::numeric(21, 2) as usd_principal,
        {{ usd_total('has_gender_marker and not is_gender_significant_or_principal') }}::numeric(21, 2)
            as usd_not_targeted,
        {{ usd_total('not has_gender_marker') }}::numeric(21, 2) as usd_without_gender_marker,
        round(
            sum(usd_amount) filter (where is_gender_significant_or_principal)
            / nullif(sum(usd_amount) filter (where has_gender_marker), 0),
            4
        )::numeric(7, 4) as share_significant_or_principal,
        count(*) filter (where conversion_status = 'NO_RATE')::integer as records_without_rate
    from funding
    group by 1, 2, 3, 4
)

select * from final
